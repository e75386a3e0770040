"""Adam and AdamW with torch's single-tensor update: L2 or decoupled weight decay, bias-corrected
moments, amsgrad (running max of the second moment), maximize. State per parameter: 'step' (a
float32 0-d tensor), 'exp_avg', 'exp_avg_sq' and, with amsgrad, 'max_exp_avg_sq'."""
from .. import _factories, _grad_mode
from .._C import maximum
from .optimizer import Optimizer, _step_tensor


def _check_hyper(lr, betas, eps, weight_decay):
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


class Adam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        _check_hyper(lr, betas, eps, weight_decay)
        super().__init__(params, dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
            maximize=maximize, foreach=foreach, capturable=capturable,
            differentiable=differentiable, fused=fused,
            decoupled_weight_decay=decoupled_weight_decay))

    def step(self, closure=None):
        loss = None
        if closure is not None:
            with _grad_mode.enable_grad():
                loss = closure()
        with _grad_mode.no_grad():
            for g in self.param_groups:
                for p in g["params"]:
                    if p.grad is not None:
                        self._update(p, g)
        return loss

    def _update(self, p, g):
        lr, (beta1, beta2), eps, wd = g["lr"], g["betas"], g["eps"], g["weight_decay"]
        grad = p.grad if not g["maximize"] else -p.grad
        st = self.state[p]
        if "exp_avg" not in st:
            st["step"] = _factories.zeros(())
            st["exp_avg"] = _factories.zeros_like(p)
            st["exp_avg_sq"] = _factories.zeros_like(p)
            if g["amsgrad"]:
                st["max_exp_avg_sq"] = _factories.zeros_like(p)
        if wd != 0:
            if g.get("decoupled_weight_decay", False):
                p.mul_(1 - lr * wd)
            else:
                grad = grad.add(p, alpha=wd)
        step = _step_tensor(st)
        m, v = st["exp_avg"], st["exp_avg_sq"]
        m.add_(grad - m, alpha=1 - beta1)               # lerp toward grad
        v.mul_(beta2).add_(grad * grad, alpha=1 - beta2)
        step_size = lr / (1 - beta1 ** step)
        bc2_sqrt = (1 - beta2 ** step) ** 0.5
        if g["amsgrad"]:
            vmax = st["max_exp_avg_sq"]
            vmax.copy_(maximum(vmax, v))
            v = vmax
        denom = (v.sqrt() / bc2_sqrt).add_(eps)
        p.add_(m / denom, alpha=-step_size)


class AdamW(Adam):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
