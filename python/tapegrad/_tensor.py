"""Python glue on the compiled Tensor class: shape/device objects, printing, indexing,
conversions (to/float/numpy), backward and hooks. Per-op math is bound in C++ directly."""
import operator as _operator
import builtins

from . import _C, _layout, _tensor_str
from ._C import Tensor

_bool = builtins.bool


class Size(tuple):
    """torch.Size: a tuple of ints that prints as ``torch.Size([2, 3])``."""

    def __new__(cls, seq=()):
        # torch's check of the items: ints or __index__ objects (a 0-d integer tensor); the
        # library's own sizes skip it (tuple.__new__(Size, sizes), Tensor.shape)
        items = tuple(seq)
        if all(v.__class__ is int for v in items):
            return tuple.__new__(cls, items)
        out = []
        for k, v in enumerate(items):
            try:
                out.append(_operator.index(v))  # refuses floats and multi-element tensors
            except TypeError:
                raise TypeError(f"torch.Size() takes an iterable of 'int' (item {k} is "
                                f"'{type(v).__name__}')") from None
        return tuple.__new__(cls, out)

    def __repr__(self):
        return f"torch.Size([{', '.join(str(d) for d in self)}])"

    __str__ = __repr__

    def numel(self):
        n = 1
        for d in self:
            n *= d
        return n

    def __getitem__(self, k):
        r = tuple.__getitem__(self, k)
        return Size(r) if isinstance(k, slice) else r


_tuple_new = tuple.__new__

_DEVICE_TYPES = ("cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, maia, xla, "
                 "lazy, vulkan, mps, meta, hpu, mtia, privateuseone")


class device:
    """torch.device: a device type and optional index, parsed and validated as torch does."""

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        elif isinstance(type, int) and not isinstance(type, bool):
            if not _C._cuda_built or _C._cuda_getDeviceCount() == 0:
                raise RuntimeError("Cannot access accelerator device when none is available.")
            type, index = "cuda", type
        elif not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got "
                            f"({builtins.type(type).__name__})")
        else:
            if type == "":
                raise RuntimeError("Device string must not be empty")
            if ":" in type:
                kind, idx = type.split(":", 1)
                if index is not None or not idx.isdigit() or (len(idx) > 1 and idx[0] == "0"):
                    raise RuntimeError(f"Invalid device string: '{type}'")
                type, index = kind, int(idx)
        if index is not None:
            if not isinstance(index, int) or isinstance(index, bool):
                raise TypeError(f"device(): argument 'index' (position 2) must be int, not "
                                f"{builtins.type(index).__name__}")
            if index < 0:
                raise RuntimeError("Device index must not be negative")
        if type not in ("cpu", "cuda"):
            raise RuntimeError(
                f"Expected one of {_DEVICE_TYPES} device type at start of device string: {type}")
        self.type = type
        self.index = index

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index) if self.index is not None else (self.type,))


def _check_device(dev):
    """Validate a device argument; returns the device string the C++ core takes ('cpu' or
    'cuda:N'), after raising torch's error when CUDA is not built or has no usable GPU."""
    if dev is None:
        return "cpu"
    d = dev if isinstance(dev, device) else device(dev)
    if d.type == "cpu":
        return "cpu"
    from . import cuda
    cuda._lazy_init()
    return f"cuda:{cuda.current_device() if d.index is None else d.index}"


class RemovableHandle:
    """What register_hook returns: ``handle.remove()`` unregisters the hook."""

    def __init__(self, remove):
        self._remove = remove

    def remove(self):
        if self._remove is not None:
            self._remove()
            self._remove = None


# ---- properties and conversions ----

Tensor.shape = property(lambda self: _tuple_new(Size, self._sizes))
Tensor.device = property(lambda self: device(self._device_str))
_T_WARNED = set()  # which of x.T's two warnings were given: torch's TORCH_WARN_ONCE


def _T(self):
    """torch's x.T: the dims reversed, with its deprecation warnings off 2-d (a 0-d tensor comes
    back as it is)."""
    if self.dim() != 2:
        kind = "0-d" if self.dim() == 0 else "other"
        if kind not in _T_WARNED:
            import warnings
            _T_WARNED.add(kind)
            warnings.warn(
                "Tensor.T is deprecated on 0-D tensors. This function is the identity in these "
                "cases." if kind == "0-d" else
                "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
                "deprecated and it will throw an error in a future release. Consider `x.mT` to "
                "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` "
                "to reverse the dimensions of a tensor.", UserWarning, stacklevel=2)
        if kind == "0-d":
            return self
    return self.permute(*reversed(range(self.dim())))


Tensor.T = property(_T)
Tensor.is_sparse = False
Tensor.is_quantized = False
Tensor.layout = _layout.strided  # every tapegrad tensor is strided
Tensor.__repr__ = lambda self, *, tensor_contents=None: _tensor_str._str(self)
Tensor.__str__ = Tensor.__repr__


def _format(self, spec):
    """A plain tensor formats as the printer says (a 0-d one as its value); a subclass such as
    Parameter goes through object.__format__, as in torch: its str, and no format spec."""
    if type(self) is Tensor:
        return _tensor_str._format(self, spec)
    if spec:
        raise TypeError(f"unsupported format string passed to {type(self).__name__}.__format__")
    return str(self)


Tensor.__format__ = _format


def _size(self, dim=None):
    s = self._sizes
    if dim is None:
        return _tuple_new(Size, s)
    if dim.__class__ is bool:
        raise TypeError("size(): argument 'dim' must be int, not bool")
    dim = _operator.index(dim)  # an int or a 0-d integer tensor, as torch's parser takes
    if not s:  # torch's words for a 0-d tensor, whatever the dim
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    if not -len(s) <= dim < len(s):
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-len(s)}, {len(s) - 1}], but got {dim})")
    return s[dim]


Tensor.size = _size


def _to(self, *args, **kwargs):
    """Tensor.to with a device: the bindings' .to (python/src/bind_layout.cpp) handles every
    call that stays on the tensor's device and comes here for the rest."""
    dtype = kwargs.pop("dtype", None)
    dev = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    fmt = kwargs.pop("memory_format", None)
    flags = []  # torch's positional non_blocking, copy after the dtype / device / tensor
    for a in args:
        if isinstance(a, _C.dtype):
            dtype = a
        elif isinstance(a, _bool):
            flags.append(a)
        elif isinstance(a, (str, device, int)):
            dev = a
        elif isinstance(a, Tensor):
            dtype, dev = a.dtype, a.device
    if len(flags) > 1:
        copy = flags[1]
    if dev is not None:
        target = _check_device(dev)
        if target != self._device_str:
            out = self._to_device(target, self.dtype if dtype is None else dtype, copy)
            # the copy is contiguous; another format asked for is made on the new device
            return out if fmt is None else out.to(memory_format=fmt)
    return self._to_dtype(self.dtype if dtype is None else dtype, copy, fmt)


def _cuda(self, device=None, non_blocking=False, memory_format=None):
    """Copy to a GPU (the current one unless `device` says otherwise); no copy when already there."""
    if device is None:
        device = "cuda"
    elif isinstance(device, int) and not isinstance(device, _bool):
        device = f"cuda:{device}"
    d = device if isinstance(device, globals()["device"]) else globals()["device"](device)
    if d.type != "cuda":
        raise RuntimeError(f"Invalid device, must be cuda device")
    return _to(self, d, memory_format=memory_format)


# Tensor.to, .float(), .double(), ... are bound in C++ (bind_layout.cpp), .to calling _to for a
# change of device
Tensor._to_fallback = _to
Tensor.type_as = lambda self, other: self.to(other.dtype)
Tensor.cpu = lambda self, *, memory_format=None: (
    (self if memory_format is None else self.to(memory_format=memory_format))
    if self._device_str == "cpu" else _to(self, "cpu", memory_format=memory_format))
Tensor.cuda = _cuda
Tensor.get_device = lambda self: self.device.index if self.is_cuda else -1
Tensor.__array__ = lambda self, dtype=None, copy=None: (
    self.numpy() if dtype is None else self.numpy().astype(dtype))



def _len(self):
    if self.dim() == 0:
        raise TypeError("len() of a 0-d tensor")
    return self._sizes[0]


def _iter(self):
    if self.dim() == 0:
        raise TypeError("iteration over a 0-d tensor")
    # torch iterates through unbind(0): the rows are its multi-output views (UnbindBackward0)
    return iter(self.unbind(0))


def _scalar_conv(kind):
    def conv(self):
        if self.numel() != 1:
            if kind is _bool:
                raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
            raise ValueError("only one element tensors can be converted to Python scalars")
        return kind(self.item())
    return conv


Tensor.__len__ = _len
Tensor.__iter__ = _iter
Tensor.__bool__ = _scalar_conv(_bool)
Tensor.__float__ = _scalar_conv(float)
Tensor.__int__ = _scalar_conv(int)


def _index(self):
    if self.dtype.is_floating_point or self.numel() != 1:
        raise TypeError("only integer tensors of a single element can be converted to an index")
    return int(self.item())


Tensor.__index__ = _index
Tensor.__rdiv__ = Tensor.__rtruediv__
Tensor.__div__ = Tensor.__truediv__
# `[1] @ t`, `None @ t`: Python's TypeError ("unsupported operand type(s) for @"), as in torch
Tensor.__rmatmul__ = lambda self, other: (other.matmul(self) if isinstance(other, Tensor)
                                          else NotImplemented)
def _reduce_ex(self, proto):
    """pickle (and copy.copy): the tensor's data, dtype, shape, strides and device go through
    tapegrad.save's format; a non-leaf comes back as a leaf, and .grad is not kept, as in torch."""
    import io
    from .serialization import save
    buf = io.BytesIO()
    save(self.detach(), buf)
    return (_rebuild_pickled, (buf.getvalue(), self.requires_grad))


def _rebuild_pickled(data, requires_grad):
    import io
    from .serialization import load
    t = load(io.BytesIO(data), weights_only=True)
    return t.requires_grad_() if requires_grad else t


Tensor.__reduce_ex__ = _reduce_ex
Tensor.__deepcopy__ = lambda self, memo: self.detach().clone().requires_grad_(self.requires_grad) \
    if self.is_leaf else self.clone()


def _new_tensor_like(fill):
    def make(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
             pin_memory=False):
        from . import _factories
        _layout.check_factory_kwargs(make.__name__, layout, pin_memory)
        if not size:
            raise TypeError(f'{make.__name__}() missing 1 required positional arguments: "size"')
        shape = size[0] if len(size) == 1 and not isinstance(size[0], int) else size
        t = _factories.full(shape, fill, dtype=dtype or self.dtype,
                            device=self.device if device is None else device)
        return t.requires_grad_(requires_grad) if requires_grad else t
    return make


Tensor.new_zeros = _new_tensor_like(0)
Tensor.new_zeros.__name__ = "new_zeros"
Tensor.new_ones = _new_tensor_like(1)
Tensor.new_ones.__name__ = "new_ones"


# ---- autograd ----

def _backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    from .autograd import backward
    backward(self, gradient, retain_graph, create_graph, inputs=inputs)


def _register_hook(self, hook):
    hid = _C._register_tensor_hook(self, hook)
    return RemovableHandle(lambda: _C._remove_tensor_hook(self, hid))


def _register_post_accumulate_grad_hook(self, hook):
    """hook(tensor) runs after backward has accumulated this leaf's .grad (an optimizer step
    per parameter inside backward, as in torch's tutorial)."""
    if not self.requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if self.grad_fn is not None:
        raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
    import weakref
    ref = weakref.ref(self)  # the hook gets this very object (dict keys, optimizers)

    def run():
        t = ref()
        if t is not None:
            hook(t)
    hid = _C._register_post_accumulate_hook(self, run)
    return RemovableHandle(lambda: _C._remove_post_accumulate_hook(self, hid))


_C._install_fast_backward(_backward)  # backward() with no arguments skips Python
Tensor.register_hook = _register_hook
Tensor.register_post_accumulate_grad_hook = _register_post_accumulate_grad_hook


# ---- indexing ----

def _expand_index(self, idx, bool_view=False):
    """Applies basic indexing (ints, slices, None, Ellipsis) with views and collects the
    advanced indices (tensors, lists, bool masks) per dim, as torch does. A bool is an advanced
    index too (torch's [0] or [] on a new dim), except for bool_view (x[True] = v: a view)."""
    if not isinstance(idx, tuple):
        idx = (idx,)
    consumed = 0
    for i in idx:
        if i is None or i is Ellipsis or isinstance(i, _bool):
            continue
        if isinstance(i, Tensor) and i.dtype in (_C.bool, _C.uint8):
            consumed += max(i.dim(), 1) if i.dim() else 0
        else:
            consumed += 1
    if self.dim() == 0 and any(isinstance(i, int) and not isinstance(i, _bool) for i in idx):
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                         "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
    if consumed > self.dim():
        raise IndexError(
            f"too many indices for tensor of dimension {self.dim()}")
    bool_adv = not bool_view
    result, dim, adv = self, 0, {}
    for i in idx:
        if isinstance(i, Tensor) and i.dtype == _C.bool and i.dim() == 0:
            i = _bool(i)  # a 0-d bool tensor indexes as the Python bool, as in torch
        if i is None:
            result = result.unsqueeze(dim)
            dim += 1
        elif i is Ellipsis:
            dim += self.dim() - consumed
        elif isinstance(i, _bool):
            result = result.unsqueeze(dim)
            if bool_adv:
                adv[dim] = _C.tensor([0] if i else [], dtype=_C.int64)
            elif not i:
                result = _C._slice(result, dim, 0, 0, 1)
            dim += 1
        elif isinstance(i, int) or (isinstance(i, Tensor) and i.dim() == 0
                                    and not i.dtype.is_floating_point and i.dtype != _C.bool):
            i = int(i)
            if result.dim() == 0:
                raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python "
                                 "or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a "
                                 "number")
            n = result.shape[dim]
            if not -n <= i < n:
                raise IndexError(f"index {i} is out of bounds for dimension {dim} with size {n}")
            result = result.select(dim, i)
        elif isinstance(i, slice):
            if i.step is not None and i.step <= 0:
                raise ValueError("step must be greater than zero")
            if not (i.start in (None, 0) and i.stop is None and i.step in (None, 1)):
                result = _C._slice(result, dim, i.start, i.stop, 1 if i.step is None else i.step)
            dim += 1
        else:
            if isinstance(i, (float, complex, set, dict, frozenset)):
                raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long "
                                 f"or byte Variables are valid indices (got {type(i).__name__})")
            if isinstance(i, (list, tuple)) and len(i) == 0:
                t = _C.tensor([], dtype=_C.int64)  # selects nothing, as torch's empty index
            else:
                t = i if isinstance(i, Tensor) else _C.tensor(i)
            if t.dtype.is_floating_point:
                raise IndexError(
                    "tensors used as indices must be long, int, byte or bool tensors")
            adv[dim] = t
            dim += t.dim() if t.dtype in (_C.bool, _C.uint8) else 1
    return result, adv


def _adv_list(adv):
    out = [None] * (max(adv) + 1)
    for d, t in adv.items():
        out[d] = t
    return out


def _getitem(self, idx):
    if not isinstance(self, Tensor):  # Tensor.__getitem__(None, 0)
        raise TypeError("descriptor '__getitem__' requires a 'torch._C.TensorBase' object but "
                        f"received a '{type(self).__name__}'")
    result, adv = _expand_index(self, idx)
    if not adv:
        return _C._alias(self) if result is self else result
    try:
        return _C._index(result, _adv_list(adv))
    except RuntimeError as e:
        _broadcast_error(adv, e)
        raise


def _broadcast_error(adv, err):
    """torch's IndexError for advanced indices whose shapes do not broadcast (a bool mask
    counts as one index per dim, of its number of True elements)."""
    if not str(err).startswith("The size of tensor a"):
        return
    shapes = []
    for t in adv.values():
        if t.dtype in (_C.bool, _C.uint8):
            shapes += [[int(t.count_nonzero())]] * max(t.dim(), 1)
        else:
            shapes.append(list(t.shape))
    raise IndexError("shape mismatch: indexing tensors could not be broadcast together with "
                     "shapes " + ", ".join(str(s) for s in shapes)) from None


def _setitem(self, idx, value):
    """torch's rules: advanced indices write with index_put_; otherwise the indexed view (the
    tensor itself when nothing was sliced) takes copy_, or fill_ for a 0-d value into a tensor
    of another shape. A write into a view of a tensor in the graph records CopySlices."""
    if not isinstance(value, Tensor):
        if not isinstance(value, (int, float, _bool)):
            # torch assigns only tensors and Python numbers (a numpy number counts as one)
            import numpy as _np
            if not isinstance(value, _np.generic):
                raise TypeError(f"can't assign a {_type_path(value)} to a {self.type()}")
            value = value.item()  # the Python number it holds
        # torch converts the number with its checked conversion (1e300 into float32, 300 into
        # int8: errors), except into half and bfloat16, where it rounds (1e10 is inf)
        value = (_C.tensor(value, dtype=self.dtype) if self.dtype in (_C.float16, _C.bfloat16)
                 else _C._full((), value, self.dtype, "cpu"))
    result, adv = _expand_index(self, idx, bool_view=isinstance(idx, _bool))
    if adv:
        if value.dim() and value.shape[0] == 1:
            value = value.view(_strip_leading_ones(value.shape))
        try:
            # a tensor value of another dtype is torch's index_put_ error (a number was made in
            # self's dtype above)
            _C._index_put_(result, _adv_list(adv), value, False)
        except RuntimeError as e:
            _broadcast_error(adv, e)
            raise
    elif value.shape == result.shape:
        result.copy_(value)
    elif value.dim() == 0:
        result.fill_(value)
    else:
        # numpy's rule, as torch applies it: leading 1-dims of the value are dropped (a view),
        # then it broadcasts to the target.
        value = value.view(_strip_leading_ones(value.shape))
        result.copy_(value if value.shape == result.shape else value.expand(result.shape))


def _type_path(value):
    """A value's type as torch names it: builtins bare ('list'), others with their module
    ('numpy.ndarray')."""
    t = type(value)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__name__}"


def _strip_leading_ones(shape):
    k = 0
    while k < len(shape) and shape[k] == 1:
        k += 1
    return tuple(shape[k:])


Tensor.__getitem__ = _getitem
Tensor.__setitem__ = _setitem
# torchviz and other graph drawers ask whether a tensor is a view.
Tensor._is_view = lambda self: self._base is not None

# torch's class is torch.Tensor, and Python's own messages name it 'Tensor' ("unsupported operand
# type(s) for +: 'Tensor' and 'str'", "'Tensor' object has no attribute ..."): setting __name__
# makes CPython point the type's tp_name (pybind11 set "tapegrad._C.Tensor") at the bare name.
Tensor.__name__ = "Tensor"
Tensor.__module__ = "tapegrad"
