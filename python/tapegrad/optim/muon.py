"""Muon (for 2-D parameters only, as torch's): momentum buffer buf = lerp(buf, grad, 1 - momentum)
(nesterov: the update is lerp(grad, buf, momentum)), orthogonalized by ns_steps quintic
Newton-Schulz iterations in bfloat16, applied with decoupled weight decay lr * wd and lr scaled by
adjust_lr_fn ('original': sqrt(max(1, rows/cols)); 'match_rms_adamw': 0.2 * sqrt(max(rows,
cols))). State: 'momentum_buffer'."""
import math

from .. import _factories, _grad_mode
from .._C import Tensor
from .adafactor import _as_scalar
from .optimizer import Optimizer, _call_closure

# Keller Jordan's coefficients (a, b, c), step count and norm floor, torch's defaults
_NS_COEFFICIENTS = (3.4445, -4.7750, 2.0315)
_NS_STEPS = 5
_EPS = 1e-7


def _orthogonalize(update, coefficients, ns_steps, eps):
    """ns_steps iterations X <- a X + (b A + c A @ A) X with A = X X^T, in bfloat16, from X the
    update divided by its Frobenius norm (at least eps); a tall matrix is iterated transposed."""
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if update.dim() != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = coefficients
    tall = update.size(0) > update.size(1)
    x = update.bfloat16()  # update itself when already bfloat16: divided in place, as in torch
    if tall:
        x = x.T
    x.div_(x.norm().clamp(min=eps))
    for _ in range(ns_steps):
        gram = x @ x.T
        x = x.addmm(gram.addmm(gram, gram, beta=b, alpha=c), x, beta=a)
    return x.T if tall else x


def _adjusted_lr(lr, adjust_lr_fn, shape):
    rows, cols = shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        ratio = math.sqrt(max(1, rows / cols))
    elif adjust_lr_fn == "match_rms_adamw":
        ratio = 0.2 * math.sqrt(max(rows, cols))
    else:  # only reachable through a group edited after construction, as in torch
        ratio = 1.0
    return lr * ratio


class Muon(Optimizer):
    def __init__(self, params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                 ns_coefficients=_NS_COEFFICIENTS, eps=_EPS, ns_steps=_NS_STEPS,
                 adjust_lr_fn=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 <= momentum:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn is not None and adjust_lr_fn not in ("original", "match_rms_adamw"):
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
        super().__init__(params, dict(
            lr=lr, weight_decay=weight_decay, momentum=momentum, nesterov=nesterov,
            ns_coefficients=ns_coefficients, eps=eps, ns_steps=ns_steps,
            adjust_lr_fn=adjust_lr_fn))
        # checked on the constructor's groups only: add_param_group takes any shape (the step
        # then refuses a gradient that is not 2-D), as torch's does
        for g in self.param_groups:
            for p in g["params"]:
                if p.dim() != 2:
                    raise ValueError("Muon only supports 2D parameters whereas we found a "
                                     f"parameter with size: {p.size()}")

    def step(self, closure=None):
        """Per group as torch: every parameter with a gradient is checked and given its buffer
        first, then the updates run in order (a refused gradient stops the step there)."""
        loss = _call_closure(closure)
        with _grad_mode.no_grad():
            for g in self.param_groups:
                ps = []
                for p in g["params"]:
                    if p.grad is None:
                        continue
                    if p.is_complex():
                        raise RuntimeError("Muon does not support complex parameters")
                    st = self.state[p]
                    if "momentum_buffer" not in st:
                        st["momentum_buffer"] = _factories.zeros_like(p.grad)
                    ps.append(p)
                for p in ps:
                    self._update(p, g)
        return loss

    def _update(self, p, g):
        grad = p.grad
        if grad.dim() != 2:
            raise ValueError("Param gradient must be a 2D matrix")
        lr, momentum = _as_scalar(g["lr"]), g["momentum"]
        buf = self.state[p]["momentum_buffer"]
        buf.lerp_(grad, 1 - momentum)
        update = grad.lerp(buf, momentum) if g["nesterov"] else buf
        update = _orthogonalize(update, g["ns_coefficients"], g["ns_steps"], g["eps"])
        p.mul_(float(1 - lr * g["weight_decay"]))
        p.add_(update, alpha=-float(_adjusted_lr(lr, g["adjust_lr_fn"], p.shape)))
