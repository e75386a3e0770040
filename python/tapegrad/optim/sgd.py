"""SGD with torch's update rule: weight decay, momentum (first step copies the gradient),
dampening, nesterov, maximize. A group's update is one fused multi-tensor call when its tensors
qualify (_fused_allowed, optim/fused.h), else a loop of tensor ops per parameter."""
from .. import _C, _grad_mode
from .optimizer import Optimizer, _call_closure, _check_fused, _check_lr, _fused_allowed


class SGD(Optimizer):
    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                 *, maximize=False, foreach=None, differentiable=False, fused=None):
        _check_lr(lr)
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=maximize, foreach=foreach,
                                      differentiable=differentiable, fused=fused))
        _check_fused(fused, foreach, differentiable)

    def step(self, closure=None):
        loss = _call_closure(closure)
        with _grad_mode.no_grad():
            for g in self.param_groups:
                if not (_fused_allowed(g) and self._fused_step(g)):
                    self._loop_step(g)
        return loss

    def _fused_step(self, g):
        """The group in one _C call; False (nothing changed) when a tensor does not qualify."""
        ps, gs = [], []
        for p in g["params"]:
            grad = p.grad
            if grad is not None:
                ps.append(p)
                gs.append(grad)
        if not ps:
            return True
        momentum = g["momentum"]
        bufs = [self.state[p].get("momentum_buffer") for p in ps] if momentum != 0 else []
        if not _C._fused_sgd_(ps, gs, bufs, float(g["lr"]), float(momentum),
                              float(g["dampening"]), float(g["weight_decay"]),
                              bool(g["nesterov"]), bool(g["maximize"])):
            return False
        for p, buf in zip(ps, bufs):  # the buffers a first step created
            self.state[p]["momentum_buffer"] = buf
        return True

    def _loop_step(self, g):
        for p in g["params"]:
            if p.grad is None:
                continue
            d = p.grad if not g["maximize"] else -p.grad
            if g["weight_decay"] != 0:
                d = d.add(p, alpha=g["weight_decay"])
            if g["momentum"] != 0:
                st = self.state[p]
                buf = st.get("momentum_buffer")
                if buf is None:
                    buf = st["momentum_buffer"] = d.clone()
                else:
                    buf.mul_(g["momentum"]).add_(d, alpha=1 - g["dampening"])
                d = d.add(buf, alpha=g["momentum"]) if g["nesterov"] else buf
            p.add_(d, alpha=-g["lr"])
