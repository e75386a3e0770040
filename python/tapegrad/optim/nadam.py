"""NAdam: Adam with Nesterov momentum and the momentum schedule
mu_t = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay)); L2 or decoupled weight decay.
State: 'step', 'mu_product' (a float32 0-d tensor, as in torch, so the product rounds the
same way), 'exp_avg', 'exp_avg_sq'."""
from .. import _factories
from .adam import _check_hyper
from .optimizer import Optimizer, _check_capturable, _decayed_grad, _step_tensor


class NAdam(Optimizer):
    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
        _check_hyper(lr, betas, eps, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        super().__init__(params, dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
            momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize, foreach=foreach, capturable=capturable,
            differentiable=differentiable))

    def step(self, closure=None):
        return self._loop_step(closure)

    def _update(self, p, g):
        st = self.state[p]
        if len(st) == 0:
            st["step"] = _factories.zeros(())
            st["mu_product"] = _factories.ones(())
            st["exp_avg"] = _factories.zeros_like(p)
            st["exp_avg_sq"] = _factories.zeros_like(p)
        _check_capturable(g, p, "params, mu_products and state_steps")
        lr, (beta1, beta2), md = g["lr"], g["betas"], g["momentum_decay"]
        step = _step_tensor(st)
        bc2 = 1 - beta2 ** step
        grad = _decayed_grad(p, g, g["decoupled_weight_decay"])
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * md))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * md))
        mu_prod = st["mu_product"].mul_(mu).item()
        m, v = st["exp_avg"], st["exp_avg_sq"]
        m.lerp_(grad, 1 - beta1)
        v.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        denom = v.div(bc2).sqrt().add_(g["eps"])
        # the gradient's share (1 - mu) and the momentum's share mu_next, each
        # bias-corrected by its own running product
        p.addcdiv_(grad, denom, value=float(-lr * (1.0 - mu) / (1.0 - mu_prod)))
        p.addcdiv_(m, denom, value=float(-lr * mu_next / (1.0 - mu_prod * mu_next)))
