"""nn.Parameter and nn.Buffer: marker subclasses of the compiled Tensor class.

The bound Tensor has no Python constructor, so a Parameter is made by detaching the data (a new
tensor sharing its storage, as torch's Parameter does) and retagging that object's class; the
layouts match because the subclass declares no slots. The compiled module hands back the same
Python object for the same tensor, so methods returning self (requires_grad_) keep the class."""
from .. import _C
from .._C import Tensor

__all__ = ["Parameter", "Buffer"]


def _retag(data, cls):
    t = data.detach()
    t.__class__ = cls
    return t


class Parameter(Tensor):
    """A Tensor that a Module registers as a parameter when assigned as an attribute."""

    __slots__ = ()

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = _C._empty([0], _C.get_default_dtype())
        if not isinstance(data, Tensor):
            # What torch's constructor ends up raising for non-tensors.
            raise AttributeError(f"'{type(data).__name__}' object has no attribute 'detach'")
        if requires_grad and not data.is_floating_point():
            # torch's Parameter constructor words this differently from requires_grad_().
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients")
        p = _retag(data, cls)
        p.requires_grad_(requires_grad)
        return p

    def __init__(self, data=None, requires_grad=True):
        # The object is complete after __new__; the compiled base has no constructor to run.
        pass

    def __repr__(self):
        return "Parameter containing:\n" + Tensor.__repr__(self)

    __str__ = __repr__

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.data.clone(), self.requires_grad)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter, (self.detach().clone(), self.requires_grad))


def _rebuild_parameter(data, requires_grad):
    return Parameter(data, requires_grad)


class _BufferMeta(type):
    # torch's Buffer is a marker too: isinstance() reads the flag set at construction.
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and getattr(obj, "_is_buffer", False)


class Buffer(metaclass=_BufferMeta):
    """nn.Buffer(data, persistent=True): assigning one to a Module attribute registers a buffer.

    Construction returns a plain tensor (as torch's does) tagged with the flags Module reads."""

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = _C._empty([0], _C.get_default_dtype())
        t = data.detach().requires_grad_(data.requires_grad)
        t._is_buffer = True
        t.persistent = persistent
        return t
