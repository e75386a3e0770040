"""Adamax (Adam with the infinity norm): exp_avg as in Adam, exp_inf = max(beta2 * exp_inf,
|grad| + eps), step lr / (1 - beta1**step). State: 'step', 'exp_avg', 'exp_inf'."""
from .. import _factories
from .._C import maximum
from .adam import _check_hyper
from .optimizer import Optimizer, _check_capturable, _decayed_grad, _step_tensor


class Adamax(Optimizer):
    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        _check_hyper(lr, betas, eps, weight_decay)
        super().__init__(params, dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
            maximize=maximize, differentiable=differentiable, capturable=capturable))

    def step(self, closure=None):
        return self._loop_step(closure)

    def _update(self, p, g):
        st = self.state[p]
        if len(st) == 0:
            st["step"] = _factories.zeros(())
            st["exp_avg"] = _factories.zeros_like(p)
            st["exp_inf"] = _factories.zeros_like(p)
        _check_capturable(g, p)
        beta1, beta2 = g["betas"]
        step = _step_tensor(st)
        grad = _decayed_grad(p, g)
        m, u = st["exp_avg"], st["exp_inf"]
        m.lerp_(grad, 1 - beta1)
        u.copy_(maximum(u.mul_(beta2), grad.abs().add_(g["eps"])))
        p.addcdiv_(m, u, value=-float(g["lr"] / (1 - beta1 ** step)))
