"""Helpers shared by the distributions (torch.distributions.utils): broadcasting parameters,
logits <-> probs, clamping probabilities, and lazy_property (a parameter derived on first use,
e.g. Bernoulli's probs from its logits)."""
import math
import numbers

import tapegrad as _tg

__all__ = ["broadcast_all", "clamp_probs", "lazy_property", "logits_to_probs",
           "probs_to_logits", "euler_constant"]

euler_constant = 0.57721566490153286060  # Euler-Mascheroni


def broadcast_all(*values):
    """Broadcasts tensors and numbers to one shape; numbers become tensors of the first
    tensor's dtype (the default dtype when there is none)."""
    if not all(isinstance(v, (_tg.Tensor, numbers.Number)) for v in values):
        raise ValueError("Input arguments must all be instances of numbers.Number, "
                         "torch.Tensor or objects implementing __torch_function__.")
    if not all(isinstance(v, _tg.Tensor) for v in values):
        like = next((v for v in values if isinstance(v, _tg.Tensor)), None)
        dtype = like.dtype if like is not None else _tg.get_default_dtype()
        device = like.device if like is not None else None
        values = [v if isinstance(v, _tg.Tensor) else _tg.tensor(v, dtype=dtype, device=device)
                  for v in values]
    return _tg.broadcast_tensors(*values)


def _standard_normal(shape, dtype, device):
    return _tg.empty(shape, dtype=dtype, device=device).normal_()


def _sum_rightmost(value, dim):
    """Sums out the `dim` rightmost dimensions."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape)[:value.dim() - dim] + (-1,)).sum(-1)


def logits_to_probs(logits, is_binary=False):
    return logits.sigmoid() if is_binary else _tg.softmax(logits, -1)


def clamp_probs(probs):
    """probs clamped to [eps, 1 - eps] (eps of its dtype), away from log's singularities."""
    eps = _tg.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    p = clamp_probs(probs)
    if is_binary:
        return p.log() - (-p).log1p()
    return p.log()


class lazy_property:
    """Computes the value on first access (with grad enabled, so parameters derived from ones
    that require grad keep their history) and caches it on the instance."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        self.__doc__ = wrapped.__doc__

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return _LazyPropertyMarker(self)
        with _tg.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


class _LazyPropertyMarker(lazy_property, property):
    """What the class attribute reads as: still a lazy_property (Distribution.__init__ skips
    validating such parameters when they were not given)."""

    def __init__(self, lazy):
        super().__init__(lazy.wrapped)
        property.__init__(self, lambda s: lazy.__get__(s))


def _log2pi_half():
    return 0.5 * math.log(2 * math.pi)
