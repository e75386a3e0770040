"""torch.nn.utils.weight_norm / remove_weight_norm (the forward-pre-hook form torch deprecates in
favour of parametrizations.weight_norm), and the two functions both forms compute with:
norm_except_dim and _weight_norm (torch.norm_except_dim, torch._weight_norm)."""
from __future__ import annotations

import warnings

from ..modules.lazy import UninitializedParameter
from ..parameter import Parameter

__all__ = ["WeightNorm", "weight_norm", "remove_weight_norm", "norm_except_dim"]


def norm_except_dim(v, pow=2, dim=0):
    """The pow-norm of v over every dim but `dim`, shaped to broadcast against v (dim=-1: the
    norm of the whole tensor)."""
    if dim == -1:
        return v.norm(pow)
    if dim == 0:
        out = [v.size(0)] + [1] * (v.dim() - 1)
        return v.contiguous().view(v.size(0), -1).norm(pow, 1).view(out)
    if dim == v.dim() - 1:
        out = [1] * (v.dim() - 1) + [v.size(-1)]
        return v.contiguous().view(-1, v.size(-1)).norm(pow, 0).view(out)
    return norm_except_dim(v.transpose(0, dim), pow, 0).transpose(0, dim)


def _weight_norm(v, g, dim=0):
    """v scaled to the norm g along `dim`: v * (g / ||v||). Along the first or last dim torch
    runs its fused kernel, whose node is WeightNormInterfaceBackward0; so does tapegrad (the
    composite's node, with torch's saved attributes)."""
    if dim not in (0, v.dim() - 1):
        return v * (g / norm_except_dim(v, 2, dim))
    from ... import _pynode
    from ..._grad_mode import no_grad
    with no_grad():
        norms = norm_except_dim(v, 2, dim)
    return _pynode.composite("WeightNormInterfaceBackward0",
                             lambda v_, g_: v_ * (g_ / norm_except_dim(v_, 2, dim)), [v, g],
                             {"dim": dim, "g": g, "v": v, "result1": norms})


class WeightNorm:
    """The forward pre-hook: recomputes module.<name> from <name>_g and <name>_v."""

    def __init__(self, name, dim):
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module):
        g = getattr(module, self.name + "_g")
        v = getattr(module, self.name + "_v")
        return _weight_norm(v, g, self.dim)

    @staticmethod
    def apply(module, name, dim):
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two weight_norm hooks on the same "
                                   f"parameter {name}")
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        if isinstance(weight, UninitializedParameter):
            raise ValueError("The module passed to `WeightNorm` can't have uninitialized "
                             "parameters. Make sure to run the dummy forward before applying "
                             "weight normalization")
        del module._parameters[name]
        module.register_parameter(name + "_g", Parameter(norm_except_dim(weight, 2, fn.dim).data))
        module.register_parameter(name + "_v", Parameter(weight.data))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module):
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight.data))

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module, name="weight", dim=0):
    """Splits module.<name> into a magnitude <name>_g and a direction <name>_v, recombined
    before every forward (deprecated in torch: see parametrizations.weight_norm)."""
    warnings.warn("`torch.nn.utils.weight_norm` is deprecated in favor of "
                  "`torch.nn.utils.parametrizations.weight_norm`.", FutureWarning, stacklevel=2)
    WeightNorm.apply(module, name, dim)
    return module


def _remove_hook_form(module, cls, name, label):
    """Undoes a hook form (weight_norm, spectral_norm) on module.<name>."""
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, cls) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"{label} of '{name}' not found in {module}")


def remove_weight_norm(module, name="weight"):
    return _remove_hook_form(module, WeightNorm, name, "weight_norm")
