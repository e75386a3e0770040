"""tapegrad.autograd.Function: custom ops with a Python forward and backward, as in torch.

``MyFn.apply(*args)`` runs ``forward`` without recording, then records one graph node (named
``MyFnBackward``) over the tensor arguments whose backward calls ``MyFn.backward``. The node
itself is C++ (python/src/bind_function.cpp); this file holds torch's rules: the context object,
needs_input_grad, non-differentiable outputs, materialized gradients, the gradient count check."""
from .. import _C
from .._C import Tensor
from .._grad_mode import no_grad

__all__ = ["Function", "FunctionCtx", "once_differentiable"]


class FunctionCtx:
    """The ``ctx`` passed to forward/backward: save_for_backward, saved_tensors,
    needs_input_grad, mark_non_differentiable, set_materialize_grads, and free attributes."""

    def save_for_backward(self, *tensors):
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError("save_for_backward can only save variables, but argument "
                                f"{tensors.index(t)} is of type {type(t).__name__}")
        self._to_save = tensors

    @property
    def saved_tensors(self):
        if getattr(self, "_freed", False):
            raise RuntimeError(_FREED)
        packed = getattr(self, "_packed", None)
        if packed is not None:
            out = []
            for p in packed:
                t = None if p is None else p[0](p[1])
                if p is not None and not isinstance(t, Tensor):
                    raise TypeError("Output of saved tensor unpack_hook expected to be a Tensor "
                                    f"but got result of type {type(t).__name__}")
                out.append(t)
            return tuple(out)
        return tuple(getattr(self, "_to_save", ()))

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable = {id(t) for t in tensors}

    def mark_dirty(self, *tensors):
        # The inputs forward wrote in place: returned, they take the node as their own history
        # (the same Python object, as in torch) instead of a new alias carrying it.
        self._dirty = {id(t) for t in tensors}
        self._dirty_tensors = tensors

    def set_materialize_grads(self, value):
        self.materialize_grads = bool(value)


_FREED = ("Trying to backward through the graph a second time (or directly access saved "
          "tensors after they have already been freed). Saved intermediate values of the "
          "graph are freed when you call .backward() or autograd.grad(). Specify "
          "retain_graph=True if you need to backward through the graph a second time or "
          "if you need to access saved tensors after calling backward.")


def _ctx_getattr(node, name):
    # torch's grad_fn of a custom Function is its ctx: saved_tensors, needs_input_grad and
    # whatever forward stored on ctx read through it
    ctx = node._ctx
    try:
        value = getattr(ctx, name)
    except AttributeError:
        raise AttributeError(f"'{type(node).__name__}' object has no attribute "
                             f"'{name}'") from None
    # a node's saved tensor (save_attrs: _saved_<k> with its _raw_saved_<k>) is freed by a
    # backward without retain_graph, as torch's are; its numbers and flags stay readable
    if (getattr(ctx, "_freed", False) and name.startswith("_saved_")
            and hasattr(ctx, "_raw" + name)):
        raise RuntimeError(_FREED)
    return value


class _FunctionMeta(type):
    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls._backward_name = name + "Backward"
        # torch's grad_fn class for this Function: type(y.grad_fn).__name__ == "MyFnBackward"
        cls._backward_cls = type(cls._backward_name, (_C._FunctionBackward,),
                                 {"__slots__": (), "__module__": __name__,
                                  "__qualname__": cls._backward_name,
                                  "__repr__": object.__repr__, "__getattr__": _ctx_getattr})


class Function(metaclass=_FunctionMeta):
    """Base class of custom autograd functions: define static ``forward(ctx, *args)`` (or
    ``forward(*args)`` with ``setup_context(ctx, inputs, output)``) and ``backward(ctx, *grads)``,
    then call ``apply``."""

    @staticmethod
    def forward(*args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode "
                                  "AD.")

    vjp = backward

    def __init__(self, *args, **kwargs):
        raise RuntimeError("Legacy autograd function with non-static forward method is "
                           "deprecated. Please use new-style autograd function with static "
                           "forward method.")

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = FunctionCtx()
        ctx.materialize_grads = True
        grad_on = _C.is_grad_enabled()
        tensor_args = [a if isinstance(a, Tensor) else None for a in args]
        ctx.needs_input_grad = tuple(a is not None and a.requires_grad and grad_on
                                     for a in tensor_args)
        custom_setup = cls.setup_context is not Function.setup_context
        with no_grad():
            out = cls.forward(*args, **kwargs) if custom_setup else cls.forward(ctx, *args,
                                                                                **kwargs)
        if custom_setup:
            cls.setup_context(ctx, args, out)
        if getattr(ctx, "_bump_dirty", True):  # torch bumps a dirty tensor's version once more
            for t in getattr(ctx, "_dirty_tensors", ()):
                _C._bump_version(t)
        if not any(ctx.needs_input_grad):
            return out
        is_tuple = isinstance(out, tuple)
        outs = list(out) if is_tuple else [out]
        non_diff = getattr(ctx, "_non_differentiable", set())
        input_ids = {id(a) for a in tensor_args if a is not None}
        dirty = getattr(ctx, "_dirty", ())
        for k, o in enumerate(outs):
            if isinstance(o, Tensor) and id(o) in input_ids:
                # a view written in place would need its base's history rebased (torch's
                # CopySlices): it still gets a new alias, as an input returned as is does
                if id(o) in dirty and o._base is None:
                    if o.is_leaf and o.requires_grad:
                        raise RuntimeError("a leaf Variable that requires grad is being used in "
                                           "an in-place operation.")
                    continue
                outs[k] = o.detach()  # an input returned as is: a new alias carries the history
        positions = [k for k, o in enumerate(outs) if isinstance(o, Tensor)]
        recorded = [outs[k] for k in positions]
        flags = [id(o) not in non_diff and o.is_floating_point() for o in recorded]
        meta = {k: (list(outs[k].shape), outs[k].dtype, outs[k]._device_str) for k in positions}
        n_inputs = len(args)
        name = cls._backward_name

        def backward(*grads):
            full = [None] * len(outs)
            for k, g in zip(positions, grads):
                full[k] = g
            if ctx.materialize_grads:
                for k, (shape, dt, dev) in meta.items():
                    if full[k] is None:
                        full[k] = _C._full(shape, 0, dt, dev)
            res = cls.backward(ctx, *full)
            if not isinstance(res, tuple):
                res = (res,)
            if len(res) != n_inputs:
                if len(res) > n_inputs and all(r is None for r in res[n_inputs:]):
                    res = res[:n_inputs]
                else:
                    raise RuntimeError(f"function {name} returned an incorrect number of "
                                       f"gradients (expected {n_inputs}, got {len(res)})")
            for k, (r, a) in enumerate(zip(res, args)):
                if r is not None and not isinstance(a, Tensor):
                    raise RuntimeError(f"function {name} returned a gradient different than "
                                       f"None at position {k + 1}, but the corresponding "
                                       "forward input was not a Variable")
            return [r if isinstance(a, Tensor) and a.requires_grad else None
                    for r, a in zip(res, args)]

        _C._record_function(name, cls._backward_cls, ctx, backward, tensor_args, recorded, flags)
        # Saved outputs would hold their own node (a cycle through C++ that Python's GC cannot
        # see): keep detached aliases instead.
        out_ids = {id(o) for o in recorded}
        saved = getattr(ctx, "_to_save", None)
        if saved:
            ctx._to_save = tuple(t.detach() if t is not None and id(t) in out_ids else t
                                 for t in saved)
            hooks = _C._current_saved_tensors_hooks()
            if hooks is not None:
                # saved_tensors_hooks (autograd/graph.py): keep only what pack returns
                pack, unpack = hooks
                ctx._packed = tuple(None if t is None else (unpack, pack(t))
                                    for t in ctx._to_save)
                del ctx._to_save
        return tuple(outs) if is_tuple else outs[0]


def once_differentiable(fn):
    """Marks a backward as not differentiable twice (tapegrad records nothing under it)."""
    def wrapper(ctx, *args):
        with no_grad():
            return fn(ctx, *args)
    wrapper.__name__ = getattr(fn, "__name__", "backward")
    wrapper.__doc__ = fn.__doc__
    return wrapper
