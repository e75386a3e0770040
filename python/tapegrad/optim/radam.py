"""RAdam: Adam whose adaptive step is rectified by the variance of the adaptive lr; while the
approximated SMA length rho_t is <= 5 it takes plain bias-corrected momentum steps. L2 or
decoupled weight decay. State: 'step', 'exp_avg', 'exp_avg_sq'."""
from .. import _factories
from .adam import _check_hyper
from .optimizer import Optimizer, _check_capturable, _decayed_grad, _step_tensor


class RAdam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False,
                 capturable=False, differentiable=False):
        _check_hyper(lr, betas, eps, weight_decay)
        super().__init__(params, dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize,
            foreach=foreach, capturable=capturable,
            decoupled_weight_decay=decoupled_weight_decay, differentiable=differentiable))

    def step(self, closure=None):
        return self._loop_step(closure)

    def _update(self, p, g):
        st = self.state[p]
        if len(st) == 0:
            st["step"] = _factories.zeros(())
            st["exp_avg"] = _factories.zeros_like(p)
            st["exp_avg_sq"] = _factories.zeros_like(p)
        _check_capturable(g, p)
        lr, (beta1, beta2) = g["lr"], g["betas"]
        step = _step_tensor(st)
        grad = _decayed_grad(p, g, g["decoupled_weight_decay"])
        m, v = st["exp_avg"], st["exp_avg_sq"]
        m.lerp_(grad, 1 - beta1)
        v.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        bc1 = 1 - beta1 ** step
        bc2 = 1 - beta2 ** step
        m_hat = m / bc1
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * beta2 ** step / bc2
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                    / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            adaptive = bc2 ** 0.5 / v.sqrt().add_(g["eps"])
            p.add_(m_hat * lr * adaptive * rect, alpha=-1.0)
        else:
            p.add_(m_hat * lr, alpha=-1.0)
