"""nn.utils.clip_grad_norm_ / clip_grad_value_: in-place gradient clipping with torch's
arguments, return value (the total norm as a 0-d tensor) and non-finite error."""
import math

from ... import _C
from ..._grad_mode import no_grad

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def _grads(parameters):
    if isinstance(parameters, _C.Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def _norm(t, p):
    # The vector p-norm over all elements (torch.linalg.vector_norm).
    if p == math.inf:
        return t.abs().max()
    if p == -math.inf:
        return t.abs().min()
    if p == 2:
        return (t * t).sum().sqrt()
    return t.abs().pow(p).sum().pow(1.0 / p)


@no_grad()
def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False,
                    foreach=None):
    """Scales the gradients so that their joint norm is at most max_norm; returns that norm."""
    grads = _grads(parameters)
    norm_type = float(norm_type)
    if not grads:
        return _C._full([], 0, _C.get_default_dtype())
    total = _norm(_C.stack([_norm(g.detach(), norm_type) for g in grads]), norm_type)
    if error_if_nonfinite and not math.isfinite(total.item()):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the gradients "
            "by the non-finite norm anyway, set `error_if_nonfinite=False`")
    coef = (float(max_norm) / (total + 1e-6)).clamp(max=1.0)
    for g in grads:
        g.mul_(coef.to(g.dtype))
    return total


@no_grad()
def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamps every gradient element into [-clip_value, clip_value]."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        g.clamp_(min=-clip_value, max=clip_value)
