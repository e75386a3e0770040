"""tapegrad.autograd: backward() and grad() over the C++ engine, and the grad-mode helpers."""
import contextlib
import threading

from .. import _C
from .._C import Tensor
from .._grad_mode import enable_grad, no_grad, set_grad_enabled, inference_mode  # noqa: F401
from ._saved_attrs import install as _install_saved_attrs
from . import anomaly_mode as _anomaly

_install_saved_attrs(_C.Node)  # grad_fn._saved_* under torch's names (Note [Saved attributes])

__all__ = ["backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode"]


def _as_list(x):
    if x is None:
        return []
    if isinstance(x, Tensor):
        return [x]
    return list(x)


# grad() and backward(inputs=...) compute only some gradients: a reentrant checkpoint, whose
# backward runs a full inner backward, refuses to run under them (torch's rule)
_partial = threading.local()


def _is_checkpoint_valid():
    return not getattr(_partial, "depth", 0)


@contextlib.contextmanager
def _partial_backward():
    _partial.depth = getattr(_partial, "depth", 0) + 1
    try:
        yield
    finally:
        _partial.depth -= 1


def _outputs(x):
    if x is None or not isinstance(x, (Tensor, list, tuple)):
        raise TypeError(f"'{type(x).__name__}' object is not iterable")  # torch's wording
    return _as_list(x)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulates d(tensors)/d(leaf) into each leaf's .grad."""
    outs = _outputs(tensors)
    grads = _as_list(grad_tensors) or [None] * len(outs)
    if retain_graph is None:
        retain_graph = create_graph
    ins = _as_list(inputs)
    if inputs is not None and not ins:
        raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    hooks = _anomaly.nan_check_hooks([o.grad_fn for o in outs])
    try:
        if ins:
            with _partial_backward():
                _C._run_backward(outs, grads, retain_graph, create_graph, ins, True, True)
        else:
            _C._run_backward(outs, grads, retain_graph, create_graph, ins, True, True)
    finally:
        _anomaly.remove_hooks(hooks)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Returns the gradients of outputs with respect to inputs (leaves' .grad untouched)."""
    outs = _outputs(outputs)
    ins = _as_list(inputs)
    if not ins:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    for t in ins:
        if not isinstance(t, Tensor):
            raise RuntimeError(f"all inputs have to be Tensors or GradientEdges, but got "
                               f"{type(t).__name__}")
    grads = _as_list(grad_outputs) or [None] * len(outs)
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    for t in ins:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    hooks = _anomaly.nan_check_hooks([o.grad_fn for o in outs])
    try:
        with _partial_backward():
            res = _C._run_backward(outs, grads, retain_graph, create_graph, ins, allow_unused,
                                   False)
    finally:
        _anomaly.remove_hooks(hooks)
    if materialize_grads:
        res = [_C._full(list(i.shape), 0, i.dtype, i._device_str) if r is None else r
               for r, i in zip(res, ins)]
    return tuple(res)


from .function import Function, FunctionCtx, once_differentiable  # noqa: E402
from .gradcheck import gradcheck, gradgradcheck  # noqa: E402
from . import function  # noqa: E402,F401

__all__ += ["Function", "FunctionCtx", "once_differentiable", "gradcheck", "gradgradcheck"]

from . import functional  # noqa: E402,F401
from . import graph  # noqa: E402,F401
from .anomaly_mode import (detect_anomaly, set_detect_anomaly, is_anomaly_enabled,  # noqa: E402
                           is_anomaly_check_nan_enabled)
from .variable import Variable  # noqa: E402

__all__ += ["functional", "detect_anomaly", "set_detect_anomaly", "Variable"]
