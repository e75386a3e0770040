"""torch's functional view-scatters: select_scatter, slice_scatter, diagonal_scatter and
as_strided_scatter (a copy of input with src written into one view of it), functions and Tensor
methods, with torch's checks and its grad_fn nodes (SelectScatterBackward0, ...; _pynode.py).

Forward: a fresh copy of input, src copied into the view under no_grad. Backward, as torch's
formulas: input's gradient is grad with the view zeroed (the same scatter of zeros), src's is the
view of grad; both written with these ops, so gradients of gradients follow."""
from . import _C, _pynode
from ._C import Tensor
from ._grad_mode import no_grad as _no_grad

__all__ = ["select_scatter", "slice_scatter", "diagonal_scatter", "as_strided_scatter"]

_U64 = 0xFFFF_FFFF_FFFF_FFFF


def _u(v):
    # torch shows saved negative ints as their unsigned 64-bit pattern (-1 -> 2**64 - 1)
    return None if v is None else int(v) & _U64


def _check_tensors(fn, input, src):
    for pos, (name, t) in enumerate((("input", input), ("src", src)), 1):
        if not isinstance(t, Tensor):
            raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be Tensor, not "
                            f"{type(t).__name__}")


def _check_src(src, view):
    if tuple(src.shape) != tuple(view.shape):
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"{list(src.shape)}, slice size = {list(view.shape)}")


def _like_input(input):
    """A fresh copy of input laid out in input's own strides, gaps included (as torch's
    as_strided_scatter lays out its result): the view is addressed in that storage."""
    x = input.detach()
    if x.is_contiguous() or x.numel() == 0:
        return x.clone().contiguous()
    span = 1 + sum((n - 1) * st for n, st in zip(x.shape, x.stride()))
    buf = _C._empty([span], x.dtype, "cpu").zero_()
    out = buf.as_strided(tuple(x.shape), x.stride(), 0)
    out.copy_(x)
    return out


def _scatter(input, src, view_of, node, backward, saved):
    with _no_grad():
        out = _like_input(input) if node == "AsStridedScatterBackward0" else \
            input.detach().clone()
        view = view_of(out)
        _check_src(src, view)
        view.copy_(src.detach())
        out = out.clone() if out._base is not None else out  # no view of the buffer escapes
    if (not out.dtype.is_floating_point and _C.is_grad_enabled()
            and (input.requires_grad or src.requires_grad)):
        # torch's autograd refuses a history on an integer result (src cast into it)
        from ._dtype_names import type_name
        raise RuntimeError(f"Autograd not support dtype: {type_name(out.dtype)}")
    return _pynode.record(node, backward, [input, src], out, saved)


def select_scatter(input, src, dim, index):
    _check_tensors("select_scatter", input, src)

    def backward(g):
        return [select_scatter(g, g.new_zeros(src.shape), dim, index),
                g.select(dim, index).to(src.dtype)]
    return _scatter(input, src, lambda t: t.select(dim, index), "SelectScatterBackward0",
                    backward, {"dim": _u(dim), "index": _u(index)})


def _slice(t, dim, start, end, step):
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    if t.dim() == 0:
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    n = t.dim()
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return t[(slice(None),) * (dim % n) + (slice(start, end, step),)]


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    _check_tensors("slice_scatter", input, src)

    def backward(g):
        return [slice_scatter(g, g.new_zeros(src.shape), dim, start, end, step),
                _slice(g, dim, start, end, step).to(src.dtype)]
    return _scatter(input, src, lambda t: _slice(t, dim, start, end, step),
                    "SliceScatterBackward0", backward,
                    {"dim": _u(dim), "start": _u(start), "end": _u(end), "step": _u(step)})


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    _check_tensors("diagonal_scatter", input, src)

    def backward(g):
        return [diagonal_scatter(g, g.new_zeros(src.shape), offset, dim1, dim2),
                g.diagonal(offset, dim1, dim2).to(src.dtype)]
    return _scatter(input, src, lambda t: t.diagonal(offset, dim1, dim2),
                    "DiagonalScatterBackward0", backward,
                    {"offset": _u(offset), "dim1": _u(dim1), "dim2": _u(dim2)})


def as_strided_scatter(input, src, size, stride, storage_offset=None):
    _check_tensors("as_strided_scatter", input, src)
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)

    def view_of(t):
        # t is always a fresh tensor here (offset 0), as torch's clone of input is
        return t.as_strided(size, stride, 0 if storage_offset is None else storage_offset)

    def backward(g):
        # torch's formula (as_strided_scatter_backward): input's gradient is grad inside the
        # view and zero elsewhere (not grad with the view zeroed, as for the other scatters)
        g_view = view_of(g.contiguous() if g.storage_offset() == 0 else g.clone())
        return [as_strided_scatter(g.new_zeros(input.shape), g_view, size, stride,
                                   storage_offset),
                g_view.to(src.dtype)]
    if input.requires_grad and not input.is_contiguous() and _C.is_grad_enabled():
        raise RuntimeError("!self.requires_grad() || self.is_contiguous() INTERNAL ASSERT FAILED "
                           "at \"/__w/pytorch/pytorch/aten/src/ATen/native/TensorShape.cpp\":4754, "
                           "please report a bug to PyTorch. as_strided_scatter is currently only "
                           "supported for contiguous inputs")
    return _scatter(input, src, view_of, "AsStridedScatterBackward0", backward,
                    {"size": size, "stride": stride, "storage_offset": _u(storage_offset)})


Tensor.select_scatter = select_scatter
Tensor.slice_scatter = slice_scatter
Tensor.diagonal_scatter = diagonal_scatter
Tensor.as_strided_scatter = as_strided_scatter
