"""Adam and AdamW with torch's single-tensor update: L2 or decoupled weight decay, bias-corrected
moments, amsgrad (running max of the second moment), maximize. State per parameter: 'step' (a
float32 0-d tensor), 'exp_avg', 'exp_avg_sq' and, with amsgrad, 'max_exp_avg_sq'. A group's
update is one fused multi-tensor call when its tensors qualify (_fused_allowed, optim/fused.h),
else a loop of tensor ops per parameter."""
from .. import _C, _factories, _grad_mode
from .._C import Tensor, maximum
from .optimizer import (Optimizer, _call_closure, _check_capturable, _check_fused, _check_lr,
                        _fused_allowed, _step_tensor)


def _check_hyper(lr, betas, eps, weight_decay):
    _check_lr(lr)
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


def _check_tensor_lr(lr, foreach, capturable):
    """Adam refuses a Tensor lr with foreach (checked before the ranges, as in torch)."""
    if isinstance(lr, Tensor) and foreach and not capturable:
        raise ValueError("lr as a Tensor is not supported for capturable=False and foreach=True")


def _check_betas_kind(betas, foreach, capturable):
    if not (all(isinstance(b, float) for b in betas[:2])
            or all(isinstance(b, Tensor) for b in betas[:2])):
        raise ValueError("betas must be either both floats or both Tensors")
    for i, b in enumerate(betas[:2]):
        if isinstance(b, Tensor):
            if foreach and not capturable:
                raise ValueError(f"betas[{i}] as a Tensor is not supported for capturable=False "
                                 "and foreach=True")
            if b.numel() != 1:
                raise ValueError(f"Tensor betas[{i}] must be 1-element")
    return tuple(b.squeeze() if isinstance(b, Tensor) and b.dim() else b for b in betas)


class Adam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        _check_tensor_lr(lr, foreach, capturable)
        _check_hyper(lr, betas, eps, weight_decay)
        betas = _check_betas_kind(betas, foreach, capturable)
        super().__init__(params, dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
            maximize=maximize, foreach=foreach, capturable=capturable,
            differentiable=differentiable, fused=fused,
            decoupled_weight_decay=decoupled_weight_decay))
        _check_fused(fused, foreach, differentiable)

    def step(self, closure=None):
        loss = _call_closure(closure)
        with _grad_mode.no_grad():
            for g in self.param_groups:
                for p in g["params"]:
                    if p.grad is not None:
                        _check_capturable(g, p)
                if _fused_allowed(g) and self._fused_step(g):
                    continue
                for p in g["params"]:
                    if p.grad is not None:
                        self._update(p, g)
        return loss

    @staticmethod
    def _init_state(st, p, amsgrad):
        st["step"] = _factories.zeros(())
        st["exp_avg"] = _factories.zeros_like(p)
        st["exp_avg_sq"] = _factories.zeros_like(p)
        if amsgrad:
            st["max_exp_avg_sq"] = _factories.zeros_like(p)

    def _fused_step(self, g):
        """The group in one _C call; False (nothing changed but the state's creation, which the
        per-tensor loop would do the same way) when a tensor does not qualify."""
        amsgrad = g["amsgrad"]
        ps, gs, ms, vs, vmax, steps = [], [], [], [], [], []
        for p in g["params"]:
            grad = p.grad
            if grad is None:
                continue
            st = self.state[p]
            if "exp_avg" not in st:
                self._init_state(st, p, amsgrad)
            ps.append(p)
            gs.append(grad)
            ms.append(st["exp_avg"])
            vs.append(st["exp_avg_sq"])
            steps.append(st["step"])
            if amsgrad:
                vmax.append(st["max_exp_avg_sq"])
        if not ps:
            return True
        beta1, beta2 = g["betas"]
        return _C._fused_adam_(ps, gs, ms, vs, vmax, steps, float(g["lr"]), float(beta1),
                               float(beta2), float(g["eps"]), float(g["weight_decay"]),
                               bool(amsgrad), bool(g["maximize"]),
                               bool(g.get("decoupled_weight_decay", False)))

    def _update(self, p, g):
        lr, (beta1, beta2), eps, wd = g["lr"], g["betas"], g["eps"], g["weight_decay"]
        grad = p.grad if not g["maximize"] else -p.grad
        st = self.state[p]
        if "exp_avg" not in st:
            self._init_state(st, p, g["amsgrad"])
        if wd != 0:
            if g.get("decoupled_weight_decay", False):
                p.mul_(1 - lr * wd)
            else:
                grad = grad.add(p, alpha=wd)
        step = _step_tensor(st)
        m, v = st["exp_avg"], st["exp_avg_sq"]
        m.lerp_(grad, 1 - beta1)
        v.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        step_size = lr / (1 - beta1 ** step)
        bc2_sqrt = (1 - beta2 ** step) ** 0.5
        if g["amsgrad"]:
            vmax = st["max_exp_avg_sq"]
            vmax.copy_(maximum(vmax, v))
            v = vmax
        denom = (v.sqrt() / bc2_sqrt).add_(eps)
        p.addcdiv_(m, denom, value=-step_size)


class AdamW(Adam):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
