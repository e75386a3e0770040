"""Adafactor with torch's single-tensor update: second moments factored into a row and a column
mean of grad**2 for tensors of 2 or more dims (over the last two), a full running average for
0-d and 1-D ones; beta2_t = 1 - step**beta2_decay, relative step min(lr, 1/sqrt(step)) scaled by
the parameter's RMS (at least eps2), update clipped to RMS d, decoupled weight decay lr * wd.
State: 'step' (a float32 0-d tensor) and 'row_var'/'col_var' or 'variance'."""
from .. import _factories
from .._C import Tensor
from .._runtime import finfo
from .optimizer import Optimizer, _step_tensor


def _as_scalar(lr):
    """A 1-element Tensor lr as a 0-d one (torch's _to_scalar); kept a Tensor so that the
    scalar arithmetic on it rounds in its dtype as torch's does."""
    return lr.squeeze() if isinstance(lr, Tensor) and lr.dim() != 0 else lr


class Adafactor(Optimizer):
    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0,
                 weight_decay=0.0, *, foreach=None, maximize=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        super().__init__(params, dict(
            lr=lr, beta2_decay=beta2_decay, eps=eps, d=d, weight_decay=weight_decay,
            foreach=foreach, maximize=maximize))

    def step(self, closure=None):
        return self._loop_step(closure)

    @staticmethod
    def _init_state(st, p):
        grad = p.grad
        st["step"] = _factories.zeros(())
        if grad.dim() > 1:
            shape = list(grad.shape)
            st["row_var"] = grad.new_zeros(shape[:-1] + [1])
            st["col_var"] = grad.new_zeros(shape[:-2] + [1, shape[-1]])
        else:
            st["variance"] = _factories.zeros_like(grad)

    @staticmethod
    def _eps1(g):
        """eps[0], or when None the machine epsilon of the group's first parameter with a
        gradient: torch picks it once per group and step, so every parameter of a mixed-dtype
        group uses that one."""
        eps1 = g["eps"][0]
        if eps1 is None:
            eps1 = finfo(next(q for q in g["params"] if q.grad is not None).dtype).eps
        return eps1

    def _update(self, p, g):
        if p.is_complex():
            raise RuntimeError("Adafactor does not support complex parameters")
        st = self.state[p]
        if len(st) == 0:
            self._init_state(st, p)
        grad = p.grad if not g["maximize"] else -p.grad
        lr, wd, eps2 = _as_scalar(g["lr"]), g["weight_decay"], g["eps"][1]
        eps1 = self._eps1(g)
        step = _step_tensor(st)
        one_minus_beta2 = step ** g["beta2_decay"]
        rho = min(lr, 1 / (step ** 0.5))
        alpha = max(eps2, p.norm(2).item() / (p.numel() ** 0.5)) * rho  # from p before decay
        if wd != 0:
            p.mul_(float(1 - lr * wd))
        if grad.dim() > 1:
            row_var, col_var = st["row_var"], st["col_var"]
            # mean of grad**2 over the last dim, then over the one before, each as a norm
            row_var.lerp_(grad.norm(dim=-1, keepdim=True).square_().div_(grad.size(-1)),
                          one_minus_beta2)
            col_var.lerp_(grad.norm(dim=-2, keepdim=True).square_().div_(grad.size(-2)),
                          one_minus_beta2)
            var = row_var @ col_var
            var.div_(row_var.mean(dim=-2, keepdim=True).clamp_(min=eps1))
        else:
            variance = st["variance"]
            variance.lerp_(grad * grad, one_minus_beta2)
            var = variance.clone()
        # eps1 squared: the root is taken next
        update = var.clamp_(min=eps1 * eps1).rsqrt_().mul_(grad)
        denom = max(1.0, update.norm(2).item() / ((update.numel() ** 0.5) * g["d"]))
        p.add_(update, alpha=float(-alpha / denom))
