"""Graph nodes with torch's own grad_fn names whose backward is written in Python: for ops the
Python layer composes (the *_scatter ops, random fills) where a composite would show the wrong
node (CopySlices, MulBackward0) instead of torch's (SelectScatterBackward0, ExponentialBackward0).

The node is the one custom autograd.Function records (_C._record_function); its class carries
torch's name, and `_saved_*` attributes read from the values given here. The backward is written
with differentiable tapegrad ops, so create_graph=True and double backward work through it."""
from . import _C

_classes = {}


class _Saved:
    """What grad_fn._saved_<name> reads (the node's ctx)."""

    def __init__(self, saved):
        from .autograd._saved_attrs import SavedTensor
        for k, v in (saved or {}).items():
            setattr(self, "_saved_" + k, v)
            if isinstance(v, _C.Tensor):  # torch lists a _raw_saved_ twin for saved tensors
                setattr(self, "_raw_saved_" + k, SavedTensor())


def _node_getattr(node, name):
    try:
        return getattr(node._ctx, name)
    except AttributeError:
        raise AttributeError(f"'{type(node).__name__}' object has no attribute "
                             f"'{name}'") from None


def _node_class(name):
    cls = _classes.get(name)
    if cls is None:
        cls = type(name, (_C._FunctionBackward,),
                   {"__slots__": (), "__module__": "builtins", "__qualname__": name,
                    "__repr__": object.__repr__, "__getattr__": _node_getattr})
        _classes[name] = cls
    return cls


def record(name, backward, inputs, output, saved=None, cls_name=None):
    """Makes `output` (computed without history) the result of a node `name` over `inputs`
    (tensors or None) when grad mode is on and one of them requires grad. backward(grad) returns
    one gradient (or None) per input. Returns output."""
    if not _C.is_grad_enabled() or not any(
            isinstance(t, _C.Tensor) and t.requires_grad for t in inputs):
        return output
    inputs = [t if isinstance(t, _C.Tensor) else None for t in inputs]

    def run(*grads):
        if grads[0] is None:  # no gradient reached the output: none for the inputs either
            return [None] * len(inputs)
        res = backward(grads[0])
        return [g if t is not None and t.requires_grad else None for g, t in zip(res, inputs)]

    _C._record_function(name, _node_class(cls_name or name), _Saved(saved), run, inputs,
                        [output], [True])
    return output


def composite(name, f, inputs, saved=None):
    """f(*inputs) computed without history, recorded as one node `name` (torch's; `saved` a
    dict or a function of the output giving one) whose
    backward is the vector-Jacobian product of the composite f, recomputed from the inputs with
    history (so it is differentiable again under create_graph=True)."""
    from .autograd import grad as _grad
    from ._grad_mode import enable_grad, no_grad
    with no_grad():
        out = f(*inputs)
    diff = [k for k, t in enumerate(inputs) if isinstance(t, _C.Tensor) and t.requires_grad]

    def backward(g):
        # Recomputed from detached copies unless a differentiable gradient is asked for: the
        # inner grad must not run (or free) the nodes that made the inputs, which the outer
        # backward still has to run
        create = _C.is_grad_enabled()
        ins = list(inputs) if create else [
            t.detach().requires_grad_(t.requires_grad) if isinstance(t, _C.Tensor) else t
            for t in inputs]
        with enable_grad():
            res = f(*ins)
            got = _grad([res], [ins[k] for k in diff], [g], create_graph=create,
                        retain_graph=True, allow_unused=True)
        full = [None] * len(inputs)
        for k, gk in zip(diff, got):
            full[k] = gk
        return full
    return record(name, backward, list(inputs), out, saved(out) if callable(saved) else saved)


def record_multi(name, backward, inputs, outputs, saved=None):
    """record() for a node with several outputs (torch's UnsafeSplitBackward0 & co):
    backward(grads) gets one gradient or None per output."""
    if not _C.is_grad_enabled() or not any(
            isinstance(t, _C.Tensor) and t.requires_grad for t in inputs):
        return outputs
    inputs = [t if isinstance(t, _C.Tensor) else None for t in inputs]

    def run(*grads):
        if all(g is None for g in grads):
            return [None] * len(inputs)
        res = backward(list(grads))
        return [g if t is not None and t.requires_grad else None for g, t in zip(res, inputs)]

    _C._record_function(name, _node_class(name), _Saved(saved), run, inputs, list(outputs),
                        [o.is_floating_point() for o in outputs])
    return outputs
