"""Averaged SGD: SGD with the step eta = lr / (1 + lambd * lr * step) ** alpha and weight
shrinkage lambd * eta, keeping in 'ax' the average of the iterates from step t0 on. State:
'step', 'eta' and 'mu' (float32 0-d tensors, as in torch, so their values round the same
way), 'ax'."""
from .. import _factories
from .._C import Tensor
from .optimizer import (Optimizer, _check_capturable, _check_lr, _decayed_grad,
                        _step_tensor)


class ASGD(Optimizer):
    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False, capturable=False):
        _check_lr(lr)
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        super().__init__(params, dict(
            lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
            foreach=foreach, maximize=maximize, differentiable=differentiable,
            capturable=capturable))

    def step(self, closure=None):
        return self._loop_step(closure)

    def _update(self, p, g):
        st = self.state[p]
        if len(st) == 0:
            st["step"] = _factories.zeros(())
            st["eta"] = _factories.full((), float(g["lr"]))
            st["mu"] = _factories.ones(())
            st["ax"] = _factories.zeros_like(p)
        _check_capturable(g, p, "params, mus, etas, and state_steps")
        lr, lambd = g["lr"], g["lambd"]
        step = _step_tensor(st)
        grad = _decayed_grad(p, g)
        eta, mu, ax = st["eta"], st["mu"], st["ax"]
        e = eta.item()
        if g["foreach"]:  # torch's multi-tensor form rounds differently: p -= eta * (g + lambd p)
            p.addcmul_(grad.add(p, alpha=lambd), eta, value=-1)
            ax.addcmul_(p.sub(ax), mu)
        else:
            p.mul_(1 - lambd * e)
            p.add_(grad, alpha=-e)
            if mu.item() != 1:
                ax.add_(p.sub(ax).mul_(mu))
            else:
                ax.copy_(p)
        # the new values go through a default-dtype (float32) 0-d tensor, as torch's
        # as_tensor does, so they round the same way even once a load made eta/mu float64
        if g["foreach"]:  # torch's multi-tensor form computes eta from the float32 step tensor
            new_eta = ((lambd * lr) * st["step"] + 1).pow(g["alpha"]).reciprocal().mul(lr)
        else:
            new_eta = lr / (1 + lambd * lr * step) ** g["alpha"]  # 0-d tensor for a Tensor lr
        eta.copy_(new_eta if isinstance(new_eta, Tensor) else _factories.full((), new_eta))
        mu.copy_(_factories.full((), 1 / max(1, step - g["t0"])))
