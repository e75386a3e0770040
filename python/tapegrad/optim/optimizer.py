"""The Optimizer base: param groups with defaults, per-parameter state, zero_grad, and
state_dict/load_state_dict in torch's layout (state keyed by the parameter's index across all
groups, 'param_groups' holding the hyper-parameters and those index lists)."""
from collections import defaultdict
from copy import deepcopy
from itertools import chain

from .._C import Tensor
from ._hooks import OptimizerHooks
from ._hooks import register_optimizer_step_post_hook  # noqa: F401 (torch.optim.optimizer's)
from ._hooks import register_optimizer_step_pre_hook  # noqa: F401


class _RequiredParameter:
    """Marks a hyper-parameter with no default (torch's `optim.optimizer.required`)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


class Optimizer(OptimizerHooks):
    def __init__(self, params, defaults):
        self.defaults = defaults
        self._init_hooks()
        self.state = defaultdict(dict)
        self.param_groups = []
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + _typename(params))
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]  # tensors or (name, tensor) pairs
        for g in groups:
            self.add_param_group(g)

    def add_param_group(self, param_group):
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        group = param_group  # torch keeps (and fills in) the caller's dict
        ps = group["params"]
        if isinstance(ps, Tensor):
            group["params"] = [ps]
        elif isinstance(ps, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        else:
            group["params"] = list(ps)
        names = [p[0] for p in group["params"] if isinstance(p, tuple)]  # (name, tensor) pairs
        group["params"] = [p[1] if isinstance(p, tuple) else p for p in group["params"]]
        if names:
            if len(names) != len(group["params"]):
                raise ValueError("all optimizer params should be with/without names. Some param "
                                 "names are missing")
            group["param_names"] = names
        for p in group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + _typename(p))
            if not self.defaults.get("differentiable") and not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for k, v in self.defaults.items():
            if v is required and k not in group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {k}")
            group.setdefault(k, v)
        if len({id(p) for p in group["params"]}) != len(group["params"]):
            import warnings
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        for g in self.param_groups:
            if ("param_names" in group) != ("param_names" in g):
                raise ValueError("all optimizer param groups should be with/without names. "
                                 "cannot add param group "
                                 f"{'with' if 'param_names' in group else 'without'} names to "
                                 "the optimizer")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none=True):
        for g in self.param_groups:
            for p in g["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.detach_()
                    p.grad.zero_()

    def _index_map(self):
        """Each parameter's position counted across all groups, torch's state_dict key."""
        ids, k = {}, 0
        for g in self.param_groups:
            for p in g["params"]:
                if id(p) not in ids:
                    ids[id(p)] = k
                    k += 1
        return ids

    def state_dict(self):
        """{'state': {index: {...}}, 'param_groups': [{hyper-parameters..., 'params': [index]}]}.
        State tensors are returned by reference, as torch does."""
        for hook in self._optimizer_state_dict_pre_hooks.values():
            hook(self)
        ids = self._index_map()
        groups = [{**{a: b for a, b in g.items() if a != "params"},
                   "params": [ids[id(p)] for p in g["params"]]} for g in self.param_groups]
        state = {}
        for g in self.param_groups:
            for p in g["params"]:
                if p in self.state and ids[id(p)] not in state:
                    state[ids[id(p)]] = self.state[p]
        out = {"state": state, "param_groups": groups}
        for hook in self._optimizer_state_dict_post_hooks.values():
            result = hook(self, out)
            if result is not None:
                out = result
        return out

    def load_state_dict(self, state_dict):
        state_dict = state_dict.copy()  # shallow, as torch (a hook may replace it)
        for hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))
        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                state[id_map[k]] = _cast_state(id_map[k], v)
            else:
                state[k] = v
        for g, s in zip(groups, saved_groups):
            s["params"] = g["params"]
            if "param_names" in g and "param_names" not in s:
                s["param_names"] = g["param_names"]
        self.state = state
        self.param_groups = saved_groups
        for hook in self._optimizer_load_state_dict_post_hooks.values():
            hook(self)

    def step(self, closure=None):
        raise NotImplementedError

    def _loop_step(self, closure):
        """The single-tensor step the Python optimizers share: the closure (if any) under
        enable_grad, then self._update(p, group) under no_grad for each parameter that has a
        gradient. Returns the closure's loss."""
        from .. import _grad_mode
        loss = _call_closure(closure)
        with _grad_mode.no_grad():
            for g in self.param_groups:
                for p in g["params"]:
                    if p.grad is not None:
                        self._update(p, g)
        return loss

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._init_hooks()
        self.defaults.setdefault("differentiable", False)

    def __repr__(self):
        lines = [self.__class__.__name__ + " ("]
        for i, g in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for k in sorted(g):
                if k != "params":
                    lines.append(f"    {k}: {g[k]}")
        lines.append(")")
        return "\n".join(lines)


def _call_closure(closure):
    """step(closure)'s first move in every optimizer: the closure's loss, computed with grad
    mode on (None without a closure)."""
    if closure is None:
        return None
    from .. import _grad_mode
    with _grad_mode.enable_grad():
        return closure()


def _cast_state(param, value, key=None):
    """torch's load policy: floating state follows the parameter's dtype, 'step' is kept."""
    if isinstance(value, Tensor):
        if key == "step":
            return value
        if param.is_floating_point() and value.is_floating_point():
            return value.to(dtype=param.dtype)
        return value
    if isinstance(value, dict):
        return {k: _cast_state(param, v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast_state(param, v) for v in value)
    return value


def _typename(o):
    if isinstance(o, Tensor):
        return "torch." + {"torch.float32": "FloatTensor", "torch.float64": "DoubleTensor",
                           "torch.int64": "LongTensor", "torch.int32": "IntTensor",
                           "torch.bool": "BoolTensor"}.get(str(o.dtype), "Tensor")
    return type(o).__name__


def _check_fused(fused, foreach, differentiable):
    """torch's constructor checks of the implementation flags."""
    if fused and differentiable:
        raise RuntimeError("`fused` does not support `differentiable`")
    if fused and foreach:
        raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


def _fused_allowed(group):
    """Whether a group may take the fused multi-tensor step (tapegrad._C._fused_*_): asked for
    with fused=True, or left to the library (foreach and fused not False) and not
    differentiable. The step itself still falls back to the per-tensor loop when a tensor does
    not qualify (see optim/fused.h)."""
    fused = group.get("fused")
    if fused:
        return True
    return (group.get("foreach") is not False and fused is not False
            and not group.get("differentiable", False))


def _decayed_grad(p, group, decoupled=False):
    """The gradient the update uses: negated for maximize, plus weight_decay * p (L2), or with
    decoupled weight decay p itself shrunk by lr * weight_decay first (AdamW-style)."""
    grad = p.grad if not group["maximize"] else -p.grad
    wd = group["weight_decay"]
    if wd != 0:
        if decoupled:
            p.mul_(1 - group["lr"] * wd)
        else:
            grad = grad.add(p, alpha=wd)
    return grad


def _check_capturable(group, p, what="params and state_steps", xla=True):
    """torch's capturable=True (for CUDA graph capture) refuses tensors on other devices, with
    this AssertionError; the update itself is the same either way."""
    if group.get("capturable") and p.device.type != "cuda":
        devices = ["cuda", "xpu", "hpu", "privateuseone"] + (["xla"] if xla else [])
        raise AssertionError(f"If capturable=True, {what} must be on supported devices: "
                             f"{devices}.")


def _check_lr(lr):
    """torch's learning-rate check; a Tensor lr (used as its value) must have one element."""
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def _step_tensor(state):
    """The per-parameter step counter: a float32 0-d tensor, as torch keeps it."""
    from .. import _factories
    st = state.get("step")
    if st is None:
        st = state["step"] = _factories.zeros(())
    elif not isinstance(st, Tensor):  # an old-style float step from a loaded state dict
        st = state["step"] = _factories.full((), float(st))
    st.add_(1)
    return st.item()
