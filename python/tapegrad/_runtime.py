"""torch's top-level utilities that are not tensor ops: thread count, dtype facts (finfo, iinfo,
promote_types, result_type, can_cast), numpy interop (from_numpy, as_tensor, asarray), the
CPU generator's state (get_rng_state / set_rng_state), typename, and the math constants.
Re-exported by tapegrad/__init__.py."""
import builtins
import math

from . import _C
from ._C import Tensor

_bool, _int, _float = builtins.bool, builtins.int, builtins.float

set_num_threads = _C.set_num_threads
get_num_threads = _C.get_num_threads

inf, nan, pi, e = math.inf, math.nan, math.pi, math.e
newaxis = None


def get_num_interop_threads():
    return 1  # tapegrad runs no inter-op thread pool


def set_num_interop_threads(num):
    if not isinstance(num, _int) or isinstance(num, _bool):
        raise RuntimeError(f"set_num_interop_threads expects an int, but got "
                           f"{type(num).__name__}")
    if num <= 0:
        raise RuntimeError("Expected num_threads to be positive")


# ---- dtype facts ------------------------------------------------------------------------------
# (bits, eps, max, smallest normal, resolution) of the floating dtypes, from IEEE 754 / bfloat16.
_FLOAT_FACTS = {
    _C.float32: (32, 2.0 ** -23, 3.4028234663852886e38, 2.0 ** -126, 1e-06),
    _C.float64: (64, 2.0 ** -52, 1.7976931348623157e308, 2.0 ** -1022, 1e-15),
    _C.float16: (16, 2.0 ** -10, 65504.0, 2.0 ** -14, 0.001),
    _C.bfloat16: (16, 2.0 ** -7, 3.3895313892515355e38, 2.0 ** -126, 0.01),
}
_INT_FACTS = {_C.uint8: (8, 0, 255), _C.int8: (8, -128, 127), _C.int16: (16, -2 ** 15, 2 ** 15 - 1),
              _C.int32: (32, -2 ** 31, 2 ** 31 - 1), _C.int64: (64, -2 ** 63, 2 ** 63 - 1)}


def _short(x):
    return f"{x:g}"


_DEFAULT = object()  # finfo() with no argument: the default dtype (None is a TypeError)
# Python's types, as torch reads them (complex: torch's complex128, whose limits are float64's)
_PY_TYPES = {float: _C.float64, complex: _C.float64, int: _C.int64, bool: _C.bool}


def _info_dtype(fn, v):
    """finfo/iinfo's argument as torch's parser reads it: a dtype, or Python's float/int/bool."""
    if isinstance(v, _C.dtype):
        return v
    if v in _PY_TYPES:
        return _PY_TYPES[v]
    from ._argcheck import _type_name
    raise TypeError(f"{fn}(): argument 'type' (position 1) must be torch.dtype, not "
                    f"{_type_name(v)}")


class finfo:
    """torch.finfo: machine limits of a floating dtype (the default dtype when none is given)."""

    def __init__(self, type=_DEFAULT):
        dt = _C.get_default_dtype() if type is _DEFAULT else _info_dtype("finfo", type)
        if dt not in _FLOAT_FACTS:
            raise TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo "
                            "to handle 'torch.finfo'")
        self.bits, self.eps, self.max, self.smallest_normal, self.resolution = _FLOAT_FACTS[dt]
        self.min = -self.max
        self.tiny = self.smallest_normal
        self.dtype = str(dt).split(".")[-1]

    def __eq__(self, other):
        return isinstance(other, finfo) and self.dtype == other.dtype

    def __hash__(self):
        return hash(("finfo", self.dtype))

    def __repr__(self):
        return (f"finfo(resolution={_short(self.resolution)}, min={_short(self.min)}, "
                f"max={_short(self.max)}, eps={_short(self.eps)}, "
                f"smallest_normal={_short(self.smallest_normal)}, tiny={_short(self.tiny)}, "
                f"dtype={self.dtype})")

    __str__ = __repr__


class iinfo:
    """torch.iinfo: the range of an integer dtype."""

    def __init__(self, type):
        type = _info_dtype("iinfo", type)
        if type == _C.bool:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if type not in _INT_FACTS:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to "
                            "handle 'torch.iinfo'")
        self.bits, self.min, self.max = _INT_FACTS[type]
        self.dtype = str(type).split(".")[-1]

    def __eq__(self, other):
        return isinstance(other, iinfo) and self.dtype == other.dtype

    def __hash__(self):
        return hash(("iinfo", self.dtype))

    def __repr__(self):
        return f"iinfo(min={_short(self.min)}, max={_short(self.max)}, dtype={self.dtype})"

    __str__ = __repr__


promote_types = _C.promote_types
result_type = _C.result_type


_KIND = {_C.bool: 0, _C.uint8: 1, _C.int8: 1, _C.int16: 1, _C.int32: 1, _C.int64: 1,
         _C.float16: 2, _C.bfloat16: 2, _C.float32: 2, _C.float64: 2}


def can_cast(from_, to):
    """torch.can_cast: whether an in-place op may write a result of dtype from_ into a tensor of
    dtype to (no demotion across kinds: float to integer, integer to bool)."""
    for pos, (name, v) in enumerate((("from_", from_), ("to", to))):
        if not isinstance(v, _C.dtype):
            from ._argcheck import _type_name
            raise TypeError(f"can_cast(): argument '{name}' (position {pos + 1}) must be "
                            f"torch.dtype, not {_type_name(v)}")
    return _KIND[from_] <= _KIND[to]


# ---- numpy interop ----------------------------------------------------------------------------
def from_numpy(ndarray):
    """A tensor sharing the array's memory (through DLPack)."""
    import numpy as np
    from ._dlpack import from_dlpack
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    if ndarray.dtype.byteorder not in "=|" and ndarray.dtype.itemsize > 1:
        raise ValueError("given numpy array has byte order different from the native byte order. "
                         "Conversion between byte orders is currently not supported.")
    if any(s % ndarray.itemsize for s in ndarray.strides) or any(s < 0 for s in ndarray.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors "
                         "with negative strides are not currently supported. (You can probably "
                         "work around this by making a copy of your array  with array.copy().) ")
    if not ndarray.flags.writeable:
        import warnings
        warnings.warn("The given NumPy array is not writable, and PyTorch does not support "
                      "non-writable tensors. This means writing to this tensor will result in "
                      "undefined behavior. You may want to copy the array to protect its data or "
                      "make it writable before converting it to a tensor. This type of warning "
                      "will be suppressed for the rest of this program.", UserWarning,
                      stacklevel=2)
        ndarray = ndarray.copy()
    try:
        return from_dlpack(ndarray)
    except (BufferError, TypeError, RuntimeError) as err:
        raise TypeError(f"can't convert np.ndarray of type numpy.{ndarray.dtype}. The only "
                        "supported types are: float64, float32, float16, complex64, complex128, "
                        "int64, int32, int16, int8, uint64, uint32, uint16, uint8, and bool.") \
            from err


def as_tensor(data, *, dtype=None, device=None):
    """The data as a tensor, sharing memory when it already is one (or a numpy array) of the
    requested dtype and device."""
    from . import _factories
    if isinstance(data, Tensor):
        t = data
        if dtype is not None and t.dtype != dtype:
            t = t.to(dtype)
        if device is not None:
            t = t.to(device)
        return t
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy is a test dependency
        np = None
    if np is not None and isinstance(data, np.ndarray) and data.dtype != object:
        try:
            t = from_numpy(data)
        except (TypeError, ValueError):
            t = _factories.tensor(data)
        if dtype is not None and t.dtype != dtype:
            t = t.to(dtype)
        return t.to(device) if device is not None else t
    return _factories.tensor(data, dtype=dtype, device=device)


def _data_address(obj):
    if isinstance(obj, Tensor):
        return obj.data_ptr()
    iface = getattr(obj, "__array_interface__", None)  # numpy arrays
    return iface["data"][0] if iface else None


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    t = as_tensor(obj, dtype=dtype, device=device)
    if copy and t.numel() and t.data_ptr() == _data_address(obj):
        t = t.clone()  # as_tensor shared the caller's memory
    return t.requires_grad_() if requires_grad and not t.requires_grad else t


# ---- misc -------------------------------------------------------------------------------------
def typename(obj):
    """torch.typename: 'torch.FloatTensor' for a tensor, else the object's qualified type name."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if name is None or not isinstance(obj, type):
        cls = type(obj)
        module, name = cls.__module__, cls.__qualname__
    if module in ("", "builtins"):
        return name
    return f"{module}.{name}".replace("tapegrad.", "torch.", 1) \
        if module.startswith("tapegrad") else f"{module}.{name}"


def get_rng_state():
    """The CPU generator's state as a uint8 tensor in torch's layout (5056 bytes): a state
    saved from torch restores here and the other way round."""
    return _C._get_rng_state()


def set_rng_state(new_state):
    if not isinstance(new_state, Tensor):
        raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
    if new_state.dtype != _C.uint8:
        raise TypeError(f"expected a torch.ByteTensor, but got {new_state.type()}")
    _C._set_rng_state(new_state.contiguous())


FUNCTIONS = {n: globals()[n] for n in (
    "set_num_threads", "get_num_threads", "get_num_interop_threads", "set_num_interop_threads",
    "inf", "nan", "pi", "e", "newaxis", "finfo", "iinfo", "promote_types", "result_type",
    "can_cast", "from_numpy", "as_tensor", "asarray", "typename", "get_rng_state",
    "set_rng_state")}
