"""Adadelta: the step is grad * sqrt(acc_delta + eps) / sqrt(square_avg + eps) with running
averages (rho) of squared gradients and squared steps, scaled by lr. State: 'step',
'square_avg', 'acc_delta'."""
from .. import _factories
from .optimizer import (Optimizer, _check_capturable, _check_lr, _decayed_grad,
                        _step_tensor)


class Adadelta(Optimizer):
    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        super().__init__(params, dict(
            lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
            capturable=capturable, foreach=foreach, differentiable=differentiable))

    def step(self, closure=None):
        return self._loop_step(closure)

    def _update(self, p, g):
        st = self.state[p]
        if len(st) == 0:
            st["step"] = _factories.zeros(())
            st["square_avg"] = _factories.zeros_like(p)
            st["acc_delta"] = _factories.zeros_like(p)
        _check_capturable(g, p, xla=False)
        rho, eps = g["rho"], g["eps"]
        _step_tensor(st)
        grad = _decayed_grad(p, g)
        sq, acc = st["square_avg"], st["acc_delta"]
        sq.mul_(rho).addcmul_(grad, grad, value=1 - rho)
        std = sq.add(eps).sqrt_()
        delta = acc.add(eps).sqrt_().div_(std).mul_(grad)
        acc.mul_(rho).addcmul_(delta, delta, value=1 - rho)
        p.add_(delta, alpha=-float(g["lr"]))
