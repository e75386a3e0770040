"""tapegrad.bridge: gradients across the torch/tapegrad boundary, both ways, with no copies.

- ``to_torch_function(fn)``: a tapegrad function as a torch function that torch's autograd
  differentiates (a ``torch.autograd.Function`` whose backward runs tapegrad's engine).
- ``from_torch_function(fn)``: a torch function or ``torch.nn.Module`` as a tapegrad function
  (a ``tapegrad.autograd.Function`` whose backward runs torch's engine).
- ``TorchModule(m)``: a ``torch.nn.Module`` over a tapegrad module (or a list of tapegrad
  parameters and a forward function) whose torch Parameters share memory with tapegrad's.

Tensors cross by DLPack (zero-copy). Only top-level positional tensor arguments and outputs
(a tensor or a tuple/list of tensors) carry gradients; other arguments pass through unchanged.
torch is imported on first use, never when tapegrad is imported."""
import functools

from . import _C
from ._C import Tensor
from ._dlpack import from_torch, _torch
from ._grad_mode import enable_grad

__all__ = ["to_torch_function", "from_torch_function", "TorchModule"]


def _tg(t):
    """A tapegrad tensor on the memory of torch tensor ``t`` (history dropped)."""
    return from_torch(t.detach())


def _th(x):
    """A torch tensor on the memory of tapegrad tensor ``x`` (history dropped)."""
    return x.detach().to_torch()


def _as_list(out):
    if isinstance(out, (tuple, list)):
        return list(out), type(out)
    return [out], None


def _rebuild(kind, items, return_types):
    """The output container on the other side: list/tuple as is; a named tuple such as
    ``return_types.max`` becomes the other library's type of the same name when it has one."""
    if getattr(kind, "_fields", None) is not None:
        kind = getattr(return_types, kind.__name__, kind)
        return kind(items) if kind.__module__.startswith("torch") else kind(*items)
    return kind(items)


def _export_outputs(ctx, outs, tensor_type, convert, who):
    """Converts a function's outputs for the other side; outputs that need no gradient are
    marked non-differentiable there."""
    result, non_diff = [], []
    for o in outs:
        if not isinstance(o, tensor_type):
            raise TypeError(f"{who}: the wrapped function must return "
                            f"{'torch' if who == 'from_torch_function' else 'tapegrad'} "
                            f"tensors, got {type(o).__name__}")
        r = convert(o)
        if not o.requires_grad:
            non_diff.append(r)
        result.append(r)
    if non_diff:
        ctx.mark_non_differentiable(*non_diff)
    return tuple(result)


def _split_call(apply, args, kwargs, tensor_type, spec, return_types):
    """Calls ``apply`` with the tensor arguments as its own positional inputs (so the autograd
    Function tracks them) and everything else in ``spec``; rebuilds the output container."""
    tensor_pos = [k for k, a in enumerate(args) if isinstance(a, tensor_type)]
    spec.update({"args": [None if k in tensor_pos else a for k, a in enumerate(args)],
                 "tensor_pos": tensor_pos, "kwargs": kwargs})
    out = apply(spec, [args[k] for k in tensor_pos])
    kind = spec.get("out_kind")
    return out[0] if kind is None else _rebuild(kind, out, return_types)


# ---- tapegrad -> torch ----

_TorchFn = None


def _torch_fn_class():
    global _TorchFn
    if _TorchFn is not None:
        return _TorchFn
    torch = _torch()

    class TapegradFunction(torch.autograd.Function):
        """Forward runs a tapegrad function on shared memory; backward runs tapegrad's engine
        over the recorded tapegrad graph."""

        @staticmethod
        def forward(ctx, fn, spec, *flat):
            args = list(spec["args"])
            tg_inputs = []
            subst = spec.get("subst", {})
            for pos, t in zip(spec["tensor_pos"], flat):
                if pos in subst:
                    x = subst[pos]  # a tapegrad leaf on the same memory (TorchModule params)
                else:
                    x = _tg(t)
                    if t.requires_grad and x.is_floating_point():
                        x.requires_grad_(True)
                args[pos] = x
                tg_inputs.append(x)
            with enable_grad():
                out = fn(*args, **spec["kwargs"])
            outs, kind = _as_list(out)
            spec["out_kind"] = kind
            ctx.tg_inputs = tg_inputs
            ctx.tg_outputs = outs
            return _export_outputs(ctx, outs, Tensor, _th, "to_torch_function")

        @staticmethod
        def backward(ctx, *grads):
            outs, gouts = [], []
            for o, g in zip(ctx.tg_outputs, grads):
                if o.requires_grad and g is not None:
                    outs.append(o)
                    gouts.append(_tg(g))
            need = [x for x in ctx.tg_inputs if x.requires_grad]
            res = {}
            if outs and need:
                from . import autograd
                gs = autograd.grad(outs, need, gouts, retain_graph=True, allow_unused=True)
                res = {id(x): g for x, g in zip(need, gs)}
            tgrads = []
            for x in ctx.tg_inputs:
                g = res.get(id(x))
                tgrads.append(None if g is None else _th(g))
            return (None, None, *tgrads)

    _TorchFn = TapegradFunction
    return _TorchFn


def to_torch_function(fn):
    """Wraps ``fn`` (tapegrad tensors in, tapegrad tensor(s) out) as a function over torch
    tensors that torch's autograd differentiates. Gradients flow through tapegrad's engine."""
    return _to_torch(fn, {})


def _to_torch(fn, subst):
    cls = _torch_fn_class()
    torch = _torch()

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return _split_call(lambda spec, ts: cls.apply(fn, spec, *ts), args, kwargs,
                           torch.Tensor, {"subst": subst}, torch.return_types)

    return wrapper


# ---- torch -> tapegrad ----

def from_torch_function(fn):
    """Wraps a torch function or ``torch.nn.Module`` (torch tensors in, torch tensor(s) out) as a
    function over tapegrad tensors usable inside a tapegrad graph; its backward runs torch's
    engine. A module's own parameters are trained by torch (their .grad is torch's)."""
    from .autograd import Function

    class TorchFunction(Function):
        @staticmethod
        def forward(ctx, spec, *flat):
            torch = _torch()
            args = list(spec["args"])
            th_inputs = []
            for pos, x, need in zip(spec["tensor_pos"], flat, spec["needs"]):
                t = _th(x)
                if need:
                    t.requires_grad_(True)
                args[pos] = t
                th_inputs.append(t)
            with torch.enable_grad():
                out = fn(*args, **spec["kwargs"])
            outs, kind = _as_list(out)
            spec["out_kind"] = kind
            ctx.th_inputs, ctx.th_outputs = th_inputs, outs
            ctx.set_materialize_grads(False)
            return _export_outputs(ctx, outs, torch.Tensor, _tg, "from_torch_function")

        @staticmethod
        def backward(ctx, *grads):
            torch = _torch()
            outs, gouts = [], []
            for o, g in zip(ctx.th_outputs, grads):
                if o.requires_grad and g is not None:
                    outs.append(o)
                    gouts.append(_th(g))
            need = [t for t in ctx.th_inputs if t.requires_grad]
            # A module's own parameters get their gradient from the same torch backward.
            params = [p for p in _module_params(fn) if p.requires_grad]
            res = {}
            if outs and (need or params):
                gs = torch.autograd.grad(outs, need + params, gouts, retain_graph=True,
                                         allow_unused=True)
                res = {id(t): g for t, g in zip(need, gs)}
                for p, g in zip(params, gs[len(need):]):
                    if g is not None:
                        p.grad = g if p.grad is None else p.grad + g
            out = [None]
            for t in ctx.th_inputs:
                g = res.get(id(t))
                out.append(None if g is None else _tg(g))
            return tuple(out)

    TorchFunction.__name__ = "TorchFunction"
    TorchFunction._backward_name = "TorchFunctionBackward"

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from . import return_types
        needs = [a.requires_grad and a.is_floating_point() for a in args
                 if isinstance(a, Tensor)]
        return _split_call(lambda spec, ts: TorchFunction.apply(spec, *ts), args, kwargs,
                           Tensor, {"needs": needs}, return_types)

    return wrapper


def _module_params(fn):
    params = getattr(fn, "parameters", None)
    return list(params()) if callable(params) else []


# ---- a tapegrad model as a torch.nn.Module ----

def TorchModule(module_or_params, forward=None):
    """A ``torch.nn.Module`` that runs a tapegrad model. ``module_or_params`` is a tapegrad
    module (with ``parameters()`` / ``named_parameters()`` and ``__call__``) or a list of tapegrad
    parameters used by ``forward``. Its torch Parameters share memory with the tapegrad ones, so a
    torch optimizer updates the tapegrad model in place; gradients flow through tapegrad's
    engine into both the torch parameters' .grad and the inputs."""
    torch = _torch()
    if forward is None:
        if not callable(module_or_params):
            raise TypeError("TorchModule: pass a tapegrad module, or a list of parameters and a "
                            "forward function")
        forward = module_or_params
    named = getattr(module_or_params, "named_parameters", None)
    if callable(named):
        items = list(named())
    else:
        items = [(f"p{k}", p) for k, p in enumerate(module_or_params)]
    return _make_torch_module(torch, items, forward)


def _make_torch_module(torch, items, forward):
    n = len(items)

    class _TorchModule(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self._names = []
            for name, p in items:
                key = name.replace(".", "_")
                self.register_parameter(key, torch.nn.Parameter(_th(p),
                                                                requires_grad=p.requires_grad))
                self._names.append(key)
            # Inside, the tapegrad parameters themselves stand for the torch ones (same memory),
            # so `forward` needs no change and their gradients reach the torch Parameters.
            self._fn = _to_torch(lambda *a: forward(*a[n:]), {k: p for k, (_, p) in
                                                              enumerate(items)})

        def forward(self, *args):
            return self._fn(*[getattr(self, k) for k in self._names], *args)

    return _TorchModule()
