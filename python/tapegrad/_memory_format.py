"""torch's memory formats (tapegrad.contiguous_format / preserve_format / channels_last /
channels_last_3d) and the `memory_format=` keyword of the conversions (.to, .float, ...),
.contiguous, .clone and .is_contiguous.

channels_last results get torch's real NHWC / NDHWC strides (a permuted contiguous copy), so
stride(), is_contiguous() and is_contiguous(memory_format=...) read as torch's do; every kernel
takes strided inputs, so values are unaffected. preserve_format keeps tapegrad's usual result
(contiguous strides for a fresh copy; torch would keep a dense input's strides)."""
from . import _C
from ._C import Tensor


class memory_format:
    """One of torch's four memory formats (compared by identity, as torch's are)."""
    __slots__ = ("_name",)

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return f"torch.{self._name}"

    def __reduce__(self):
        return self._name


contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")

# format -> (rank it needs, permutation that puts channels last)
_LAST = {channels_last: (4, (0, 2, 3, 1)), channels_last_3d: (5, (0, 2, 3, 4, 1))}
_FORMAT_OF_RANK = {rank: fmt for fmt, (rank, _) in _LAST.items()}


def _check(fmt):
    if fmt is not None and not isinstance(fmt, memory_format):
        raise TypeError(f"memory_format must be torch.memory_format, not {type(fmt).__name__}")


def _cl_strides(sizes):
    """torch's channels-last strides for NCHW / NCDHW sizes (channels innermost)."""
    n = len(sizes)
    strides = [0] * n
    acc = 1
    for k in [1] + list(range(n - 1, 1, -1)) + [0]:
        strides[k] = acc
        acc *= max(sizes[k], 1)
    return tuple(strides)


def _is_format(t, fmt):
    """torch's is_contiguous(memory_format=fmt): size-1 dims' strides do not matter."""
    sizes, strides = tuple(t.shape), t.stride()
    if fmt in _LAST:
        rank, _ = _LAST[fmt]
        if len(sizes) != rank:
            return False
        want = _cl_strides(sizes)
    else:
        want, acc = [0] * len(sizes), 1
        for k in range(len(sizes) - 1, -1, -1):
            want[k] = acc
            acc *= max(sizes[k], 1)
    if t.numel() == 0:
        return True
    return all(s == 1 or a == b for s, a, b in zip(sizes, strides, want))


def _to_format(t, fmt, copy=False):
    """t laid out in fmt (contiguous_format / channels_last*); preserve_format and None keep t.
    copy=True forces a new tensor even when t already has the layout."""
    _check(fmt)
    if fmt in _LAST:
        rank, perm = _LAST[fmt]
        if t.dim() != rank:
            name = "channels_last" if rank == 4 else "channels_last_3d"
            raise RuntimeError(f"required rank {rank} tensor to use {name} format")
        if _is_format(t, fmt) and not copy:
            return t
        inv = [0] * rank
        for i, p in enumerate(perm):
            inv[p] = i
        return _orig_contiguous(t.permute(*perm)).permute(*inv)
    if fmt is contiguous_format:
        out = _orig_contiguous(t)
        return out.clone() if copy and out is t else out
    return t.clone() if copy else t


_orig_contiguous = Tensor.contiguous
_orig_clone = Tensor.clone
_orig_is_contiguous = Tensor.is_contiguous


def _contiguous(self, memory_format=contiguous_format):
    if memory_format is contiguous_format:
        return _orig_contiguous(self)
    if memory_format is preserve_format:
        raise RuntimeError("preserve memory format is unsupported by the contiguous operator")
    return _to_format(self, memory_format)


def _clone(self, *, memory_format=preserve_format):
    out = _orig_clone(self)
    if memory_format is preserve_format or memory_format is None:
        # torch keeps a channels-last input's layout (only 4-d / 5-d inputs can have one)
        fmt = _FORMAT_OF_RANK.get(self.dim())
        if fmt is not None and not _orig_is_contiguous(self) and _is_format(self, fmt):
            return _to_format(out, fmt)
        return out
    return _to_format(out, memory_format)


def _is_contiguous(self, memory_format=contiguous_format):
    if memory_format is contiguous_format:
        return _orig_is_contiguous(self)
    if memory_format is preserve_format:
        raise RuntimeError("Unsupported memory format. Supports only ChannelsLast3d, ChannelsLast, "
                           "Contiguous")
    _check(memory_format)
    return _is_format(self, memory_format)


def _wrap_conversion(name):
    """Tensor.<name>(memory_format=...): the conversion, then the layout asked for."""
    orig = getattr(Tensor, name)

    def conv(self, *args, memory_format=preserve_format, **kwargs):
        out = orig(self, *args, **kwargs)
        if memory_format is preserve_format or memory_format is None:
            return out
        return _to_format(out, memory_format, copy=False)
    conv.__name__ = name
    conv.__doc__ = orig.__doc__
    return conv


def install():
    Tensor.contiguous = _contiguous
    Tensor.clone = _clone
    Tensor.is_contiguous = _is_contiguous
    for name in ("to", "float", "double", "half", "bfloat16", "long", "int", "bool", "byte",
                 "char", "short", "cpu", "cuda", "type_as"):
        if hasattr(Tensor, name) and name not in ("type_as",):
            setattr(Tensor, name, _wrap_conversion(name))
