"""Adagrad with torch's update: per-element sum of squared gradients, lr decayed as
lr / (1 + (step - 1) * lr_decay), weight decay, maximize. Like torch, the state ('step', 'sum'
filled with initial_accumulator_value) exists for every parameter from construction on."""
from .. import _factories
from .optimizer import Optimizer, _check_fused, _check_lr, _decayed_grad, _step_tensor


class Adagrad(Optimizer):
    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None):
        _check_lr(lr)
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError("Invalid initial_accumulator_value value: "
                             f"{initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        super().__init__(params, dict(
            lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value, foreach=foreach,
            maximize=maximize, differentiable=differentiable, fused=fused))
        _check_fused(fused, foreach, differentiable)
        for g in self.param_groups:
            for p in g["params"]:
                self._init_state(self.state[p], p)

    def _init_state(self, st, p):
        st["step"] = _factories.zeros(())
        st["sum"] = _factories.full_like(p, self.defaults["initial_accumulator_value"])

    def step(self, closure=None):
        return self._loop_step(closure)

    def _update(self, p, g):
        st = self.state[p]
        if len(st) == 0:  # a parameter added by add_param_group after construction
            self._init_state(st, p)
        step = _step_tensor(st)
        grad = _decayed_grad(p, g)
        clr = g["lr"] / (1 + (step - 1) * g["lr_decay"])
        s = st["sum"]
        s.addcmul_(grad, grad, value=1)
        p.addcdiv_(grad, s.sqrt().add_(g["eps"]), value=-float(clr))
