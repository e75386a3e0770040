"""tapegrad.fft: the part of torch.fft that needs no complex numbers, fftshift and ifftshift.

The transforms themselves (fft, ifft, rfft, fftn, ...) produce or take complex tensors, and
tapegrad has no complex dtypes, so they are absent rather than approximated. The shifts only
reorder elements: each is one roll over the chosen dimensions (all of them for dim=None), as in
torch, so the result's grad_fn is torch's RollBackward0 and the gradient rolls back."""
import numbers as _numbers

from . import _C
from ._C import Tensor

__all__ = ["fftshift", "ifftshift"]


def _label(v):
    t = type(v)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__name__}"


def _is_int(v):
    if isinstance(v, Tensor):  # torch's parser takes a 0-d integer tensor as an int
        return v.dim() == 0 and not v.is_floating_point() and v.dtype != _C.bool
    return isinstance(v, _numbers.Integral) and not isinstance(v, bool)


def _dims(name, input, dim):
    """The dims torch's parser makes of dim (an int or a sequence of ints; None: all), with
    its TypeErrors; range checks are left to roll, which words them as torch does."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{_label(input)}")
    if dim is None:
        return list(range(input.dim()))
    if _is_int(dim):
        return [int(dim)]
    if not isinstance(dim, (list, tuple)):
        raise TypeError(f"{name}(): argument 'dim' (position 2) must be tuple of ints, not "
                        f"{_label(dim)}")
    for k, d in enumerate(dim):
        if not _is_int(d):
            raise TypeError(f"{name}(): argument 'dim' (position 2) must be tuple of ints, but "
                            f"found element of type {_label(d)} at pos {k}")
    return [int(d) for d in dim]


def _size(input, d):
    n = input.dim()
    if n == 0:
        raise IndexError(f"Dimension specified as {d} but tensor has no dimensions")
    if not -n <= d < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {d})")
    return input.shape[d]


# Defined under torch's own names (fft_fftshift, ...), which Python's errors for a wrong call
# ("fft_fftshift() takes from 1 to 2 positional arguments but 3 were given") then show, as
# torch's do; exported as fftshift / ifftshift below.
def fft_fftshift(input, dim=None):
    """Moves the zero-frequency term to the centre: rolls each dim by size // 2."""
    dims = _dims("fft_fftshift", input, dim)
    return input.roll([_size(input, d) // 2 for d in dims], dims)


def fft_ifftshift(input, dim=None):
    """The inverse of fftshift: rolls each dim by (size + 1) // 2."""
    dims = _dims("fft_ifftshift", input, dim)
    return input.roll([(_size(input, d) + 1) // 2 for d in dims], dims)


fftshift, ifftshift = fft_fftshift, fft_ifftshift
del fft_fftshift, fft_ifftshift
