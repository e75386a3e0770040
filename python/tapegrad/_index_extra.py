"""Helper I's Python-level indexing fixes: nonzero's as_tuple form (the C++ binding does not
take it)."""
from . import _C
from ._C import Tensor

_c_nonzero = _C.nonzero


def nonzero(input, *, as_tuple=False):
    """Indices of the nonzero elements: an (n, ndim) int64 tensor, or with as_tuple=True one
    1-D index tensor per dimension (a 0-d input counts as 1-D, as in torch)."""
    if not as_tuple:
        return _c_nonzero(input)
    x = input.reshape(1) if input.dim() == 0 else input
    nz = _c_nonzero(x)
    return tuple(nz[:, k] for k in range(x.dim()))


Tensor.nonzero = lambda self, *, as_tuple=False: nonzero(self, as_tuple=as_tuple)


_c_index_put, _c_index_put_ = _C.index_put, _C.index_put_
_c_tensor_index_put, _c_tensor_index_put_ = Tensor.index_put, Tensor.index_put_


def _index_put_indices(indices, arg):
    """torch parses index_put's indices as a list of Tensors: None (which the compiled binding
    would take as a full slice) or a number in it is a TypeError."""
    if isinstance(indices, (tuple, list)):
        for k, t in enumerate(indices):
            if not isinstance(t, Tensor):
                raise TypeError(f"expected Tensor as element {k} in argument {arg}, but got "
                                f"{type(t).__name__}")


def index_put(input, indices, values, accumulate=False):
    _index_put_indices(indices, 1)
    return _c_index_put(input, indices, values, accumulate)


def index_put_(input, indices, values, accumulate=False):
    _index_put_indices(indices, 1)
    return _c_index_put_(input, indices, values, accumulate)


def _tensor_index_put(self, indices, values, accumulate=False):
    _index_put_indices(indices, 0)
    return _c_tensor_index_put(self, indices, values, accumulate)


def _tensor_index_put_(self, indices, values, accumulate=False):
    _index_put_indices(indices, 0)
    return _c_tensor_index_put_(self, indices, values, accumulate)


Tensor.index_put = _tensor_index_put
Tensor.index_put_ = _tensor_index_put_


_c_narrow = _C.narrow
_INTEGRAL = (_C.uint8, _C.int8, _C.int16, _C.int32, _C.int64)


def _narrow_args(input, dim, start, length, copy):
    """torch's checks of narrow / narrow_copy (which word two of them differently); returns
    (dim, start) wrapped."""
    if input.dim() == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    if isinstance(start, Tensor):
        if start.dim() != 0 or start.dtype not in _INTEGRAL:
            raise RuntimeError("start must be an 0-dim integral Tensor.")
        start = int(start.item())
    n = input.dim()
    if copy and dim >= n:
        raise RuntimeError("Expected dim < static_cast<int64_t>(self_sizes.size()) to be true, "
                           "but got false.  (Could this error message be improved?  If so, "
                           "please report an enhancement request to PyTorch.)")
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    size = input.shape[dim]
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], "
                         f"but got {start})")
    if start < 0:
        start += size
    if length < 0 and not copy:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > size or length < 0:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                           f"({size}).")
    return dim % n, start


def narrow(input, dim, start, length):
    """input's `length` elements along dim from `start` (a view), with torch's argument checks
    (start may be negative or a 0-d integral tensor)."""
    dim, start = _narrow_args(input, dim, start, length, False)
    return _c_narrow(input, dim, start, length)


def narrow_copy(input, dim, start, length, *, out=None):
    """narrow's slice as a new tensor (narrow_copy's own wording of two errors)."""
    if out is not None:
        raise NotImplementedError("narrow_copy(out=...) is not supported by tapegrad")
    dim, start = _narrow_args(input, dim, start, length, True)
    return _c_narrow(input, dim, start, length).clone()


Tensor.narrow = narrow
Tensor.narrow_copy = lambda self, dim, start, length: narrow_copy(self, dim, start, length)


_c_sum_to_size = Tensor.sum_to_size


def _sum_to_size(self, *size):
    """self summed down to `size` (which must expand to self's shape); an integral or bool
    input that is actually summed gives int64, as torch's sum."""
    if not size:
        raise TypeError('sum_to_size() missing 1 required positional arguments: "size"')
    shape = tuple(size[0]) if len(size) == 1 and not isinstance(size[0], int) else tuple(size)
    have = tuple(self.shape)
    if len(shape) > len(have) or any(a != 1 and a != b for a, b in
                                     zip(reversed(shape), reversed(have))):
        raise RuntimeError(f"size {{{list(shape)}}} is not expandable to size {{{list(have)}}}.")
    # torch sums whenever the shapes differ, and always for the empty target shape
    if (shape != have or not shape) and not self.is_floating_point() and self.dtype in _INTEGRAL + (_C.bool,):
        return _c_sum_to_size(self.to(_C.int64), shape)
    return _c_sum_to_size(self, shape)


Tensor.sum_to_size = _sum_to_size


# masked_fill with a Python complex: torch takes it when its imaginary part is 0 and otherwise
# refuses it for any non-bool dtype (the C++ binding only knows real scalars)
_FILL_CNAMES = {_C.float64: "double", _C.float32: "float", _C.float16: "c10::Half",
                _C.bfloat16: "c10::BFloat16", _C.int64: "int64_t", _C.int32: "int",
                _C.int16: "int16_t", _C.int8: "int8_t", _C.uint8: "uint8_t"}


def _real_fill_value(self, value):
    if type(value) is not complex:
        return value
    if value.imag != 0 and self.dtype is not _C.bool:
        raise RuntimeError(f"value cannot be converted to type {_FILL_CNAMES[self.dtype]} "
                           "without overflow")
    return value.real if self.dtype is not _C.bool else bool(value)


def _wrap_fill(orig):
    def fill(self, mask, value):
        return orig(self, mask, _real_fill_value(self, value))
    fill.__name__ = orig.__name__
    fill.__doc__ = orig.__doc__
    return fill


Tensor.masked_fill = _wrap_fill(Tensor.masked_fill)
Tensor.masked_fill_ = _wrap_fill(Tensor.masked_fill_)
masked_fill = _wrap_fill(_C.masked_fill)
