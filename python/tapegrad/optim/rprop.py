"""Rprop: per-element step sizes grown by etaplus while the gradient keeps its sign and shrunk
by etaminus when it flips (that element then skips its update and forgets its gradient),
clamped to step_sizes; the parameter moves by sign(grad) * step size. State: 'step', 'prev'
(the last gradient used), 'step_size' (starting at lr)."""
from .. import _factories
from .optimizer import Optimizer, _check_capturable, _check_lr, _step_tensor


class Rprop(Optimizer):
    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        super().__init__(params, dict(
            lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize,
            differentiable=differentiable, capturable=capturable))

    def step(self, closure=None):
        return self._loop_step(closure)

    def _update(self, p, g):
        st = self.state[p]
        grad = p.grad if not g["maximize"] else -p.grad
        if len(st) == 0:
            st["step"] = _factories.zeros(())
            st["prev"] = _factories.zeros_like(p)
            st["step_size"] = _factories.full_like(grad, float(g["lr"]))
        _check_capturable(g, p)
        etaminus, etaplus = g["etas"]
        lo, hi = g["step_sizes"]
        _step_tensor(st)
        prev, size = st["prev"], st["step_size"]
        factor = grad.mul(prev).sign()
        factor.masked_fill_(factor.gt(0), etaplus)
        factor.masked_fill_(factor.lt(0), etaminus)
        factor.masked_fill_(factor.eq(0), 1)
        size.mul_(factor).clamp_(lo, hi)
        grad = grad.clone()
        grad.masked_fill_(factor.eq(etaminus), 0)
        p.addcmul_(grad.sign(), size, value=-1)
        prev.copy_(grad)
