"""RMSprop with torch's update: squared-gradient running average (alpha), optional centering
(subtracting the squared running mean), momentum, weight decay, maximize. State per parameter:
'step', 'square_avg', and 'momentum_buffer' / 'grad_avg' when momentum / centered are on."""
from .. import _factories
from .optimizer import Optimizer, _check_capturable, _check_lr, _step_tensor


class RMSprop(Optimizer):
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        _check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        super().__init__(params, dict(
            lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
            weight_decay=weight_decay, capturable=capturable, foreach=foreach,
            maximize=maximize, differentiable=differentiable))

    def step(self, closure=None):
        return self._loop_step(closure)

    def _update(self, p, g):
        lr, alpha, eps, mom = g["lr"], g["alpha"], g["eps"], g["momentum"]
        grad = p.grad if not g["maximize"] else -p.grad
        st = self.state[p]
        if "square_avg" not in st:
            st["step"] = _factories.zeros(())
            st["square_avg"] = _factories.zeros_like(p)
            if mom > 0:
                st["momentum_buffer"] = _factories.zeros_like(p)
            if g["centered"]:
                st["grad_avg"] = _factories.zeros_like(p)
        _check_capturable(g, p)
        _step_tensor(st)
        if g["weight_decay"] != 0:
            grad = grad.add(p, alpha=g["weight_decay"])
        sq = st["square_avg"]
        sq.mul_(alpha).add_(grad * grad, alpha=1 - alpha)
        if g["centered"]:
            ga = st["grad_avg"]
            ga.add_(grad - ga, alpha=1 - alpha)          # lerp toward grad
            avg = sq.sub(ga * ga).sqrt()
        else:
            avg = sq.sqrt()
        avg = avg.add_(eps)
        if mom > 0:
            buf = st["momentum_buffer"]
            buf.mul_(mom).add_(grad / avg)
            p.add_(buf, alpha=-lr)
        else:
            p.add_(grad / avg, alpha=-lr)
