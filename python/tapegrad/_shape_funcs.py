"""Shape helpers torch builds from views, cat and expand (movedim, ravel, atleast_*d, the
*stack family, meshgrid, broadcast_tensors/shapes, cartesian_prod, tril/triu_indices): composed
from the compiled ops, so the grad_fn chain is the one torch shows."""
import builtins as _b
import warnings as _warnings

from . import _C
from ._C import Tensor
from ._tensor import Size

__all__ = ["movedim", "moveaxis", "swapdims", "ravel", "atleast_1d", "atleast_2d", "atleast_3d",
           "hstack", "vstack", "row_stack", "dstack", "column_stack", "meshgrid",
           "broadcast_tensors", "broadcast_shapes", "cartesian_prod", "tril_indices",
           "triu_indices", "roll"]


def _dims_list(d):
    return [d] if isinstance(d, _b.int) else list(d)


def _one_dim(d):
    """An int for torch's movedim(int, int) form: an int (not a bool) or a 0-d integer tensor."""
    if isinstance(d, Tensor):
        return d.dim() == 0 and not d.is_floating_point() and d.dtype != _C.bool
    return isinstance(d, _b.int) and not isinstance(d, _b.bool)


def movedim(input, source, destination):
    # torch's two forms: (int, int) and (tuple of ints, tuple of ints); a mix is refused
    ints = _one_dim(source), _one_dim(destination)
    if ints[0] != ints[1] or (not ints[0] and not all(
            isinstance(v, (list, tuple, Tensor)) for v in (source, destination))):
        raise TypeError(f"movedim() received an invalid combination of arguments - got "
                        f"({type(source).__name__}, {type(destination).__name__}), but expected "
                        "one of:\n * (tuple of ints source, tuple of ints destination)\n"
                        " * (int source, int destination)\n")
    if ints[0]:
        source, destination = _b.int(source), _b.int(destination)
    src, dst = _dims_list(source), _dims_list(destination)
    nd = input.dim()
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) "
                           f"should contain the same number of dims as destination ({dst} dims)")
    for name, ds in (("source", src), ("destination", dst)):
        w = [_wrap(d, nd) for d in ds]
        if len(set(w)) != len(w):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({ds})")
    src, dst = [_wrap(d, nd) for d in src], [_wrap(d, nd) for d in dst]
    order = [-1] * nd
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(d for d in range(nd) if d not in src)
    order = [o if o != -1 else next(rest) for o in order]
    return input.permute(*order)


def _wrap(d, nd):
    lo, hi = -_b.max(nd, 1), _b.max(nd, 1) - 1
    if d < lo or d > hi:
        raise IndexError(f"Dimension out of range (expected to be in range of [{lo}, {hi}], "
                         f"but got {d})")
    return d % _b.max(nd, 1)


moveaxis = movedim


def swapdims(input, dim0, dim1):
    return input.transpose(dim0, dim1)


def ravel(input):
    return input.contiguous().view(-1)


def _atleast(args, n):
    single = len(args) == 1 and isinstance(args[0], Tensor)
    ts = args[0] if len(args) == 1 and isinstance(args[0], (list, tuple)) else args
    out = []
    for t in ts:
        if t.dim() == 0:
            t = t.reshape([1] * n)
        elif n >= 2 and t.dim() == 1:
            t = t.unsqueeze(0)
            if n == 3:
                t = t.unsqueeze(-1)
        elif n == 3 and t.dim() == 2:
            t = t.unsqueeze(-1)
        out.append(t)
    return out[0] if single else tuple(out)


def atleast_1d(*tensors):
    return _atleast(tensors, 1)


def atleast_2d(*tensors):
    return _atleast(tensors, 2)


def atleast_3d(*tensors):
    return _atleast(tensors, 3)


def _seq(tensors, fn):
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{fn}(): argument 'tensors' (position 1) must be tuple of Tensors, "
                        f"not {type(tensors).__name__}")
    if not tensors:
        raise RuntimeError(f"{fn} expects a non-empty TensorList")
    return list(tensors)


def hstack(tensors):
    ts = [atleast_1d(t) for t in _seq(tensors, "hstack")]
    return _C.cat(ts, 0 if ts and ts[0].dim() == 1 else 1)


def vstack(tensors):
    return _C.cat([atleast_2d(t) for t in _seq(tensors, "vstack")], 0)


row_stack = vstack


def dstack(tensors):
    return _C.cat([atleast_3d(t) for t in _seq(tensors, "dstack")], 2)


def column_stack(tensors):
    ts = [t.reshape(t.numel(), 1) if t.dim() <= 1 else t for t in _seq(tensors, "column_stack")]
    return _C.cat(ts, 1)


def meshgrid(*tensors, indexing=None):
    ts = list(tensors[0]) if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) \
        else list(tensors)
    for k, t in enumerate(ts):  # torch parses the list before it warns about indexing
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {k} in argument 0, but got "
                            f"{type(t).__name__}")
    for t in ts[1:]:  # before indexing is looked at, as torch
        if t.dtype != ts[0].dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
        if t.device != ts[0].device:
            raise RuntimeError("meshgrid expects all tensors to have the same device")
    if indexing is None:
        _warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                       "indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if not ts:  # after the warning, as torch's _VF.meshgrid
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    if indexing not in ("ij", "xy"):
        raise RuntimeError("torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                           f"received: {indexing}")
    for t in ts:
        if t.dim() > 1:
            raise RuntimeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got: {t}")
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    shape = [t.numel() for t in ts]
    out = []
    for k, t in enumerate(ts):
        view = [1] * len(ts)
        view[k] = -1
        out.append(t.view(view).expand(shape))
    if swap:  # the grids of the first two inputs, in the callers' order
        out[0], out[1] = out[1], out[0]
    return tuple(out)


def broadcast_shapes(*shapes):
    for s in shapes:
        if not isinstance(s, (_b.int, _b.tuple, _b.list)):  # torch.Size is a tuple
            raise RuntimeError("Input shapes should be of type ints, a tuple of ints, or a list "
                               f"of ints, got {s}")
    shapes = [[s] if isinstance(s, _b.int) else list(s) for s in shapes]
    n = _b.max([len(s) for s in shapes], default=0)
    result = [1] * n
    for s in shapes:
        for d in s:
            if d < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension {d}: {s}")
        for j, d in enumerate(s):
            k = n - len(s) + j
            result[k] = d if result[k] == 1 else result[k]
    for k, s in enumerate(shapes):
        for j, d in enumerate(s):
            if d != 1 and d != result[n - len(s) + j]:
                raise RuntimeError(
                    f"Attempting to broadcast a dimension of length {d} at {j - len(s)}! "
                    f"Mismatching argument at index {k} had {tuple(s)}; but expected shape "
                    f"should be broadcastable to {result}")
    return Size(result)


def broadcast_tensors(*tensors):
    ts = list(tensors)
    for k, t in enumerate(ts):  # tensors only, as torch's parser (a list of them is refused)
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {k} in argument 0, but got "
                            f"{type(t).__name__}")
    shape = []
    for k, t in enumerate(ts):
        s = list(t.shape)
        n = _b.max(len(shape), len(s))
        a, b = [1] * (n - len(shape)) + shape, [1] * (n - len(s)) + s
        for j in range(n):
            if a[j] != b[j] and a[j] != 1 and b[j] != 1:
                raise RuntimeError(f"The size of tensor a ({a[j]}) must match the size of "
                                   f"tensor b ({b[j]}) at non-singleton dimension {j}")
            a[j] = b[j] if a[j] == 1 else a[j]
        shape = a
    return tuple(t if list(t.shape) == shape else t.expand(shape) for t in ts)


def cartesian_prod(*tensors):
    for t in tensors:
        if t.dim() != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return _C.stack([g.flatten() for g in grids], 1)


def _tri_indices(row, col, offset, lower, dtype, device):
    from ._factories import arange, empty, zeros_like
    if row < 0:
        raise RuntimeError(f"row must be non-negative, got{row}")
    if col < 0:
        raise RuntimeError(f"col must be non-negative, got{col}")
    # Per row r, the columns [start_r, start_r + n_r): computed with tensor ops in O(result),
    # so a huge request fails at its allocation (as torch's does) instead of looping for ever.
    offset = _b.max(-row - 1, _b.min(offset, col + 1))  # no int64 overflow in r + offset
    r = arange(row, dtype=_C.int64)
    if lower:
        n = (r + (offset + 1)).clamp(0, col)
        start = zeros_like(r)
    else:
        start = (r + offset).clamp(0, col)
        n = col - start
    total = _b.int(n.sum().item()) if row else 0
    out = empty([2, total], dtype=_C.int64 if dtype is None else dtype)
    if total:
        first = _C.cumsum(n, 0) - n  # where each row's run begins in the result
        out[0] = r.repeat_interleave(n)
        out[1] = (arange(total, dtype=_C.int64) - first.repeat_interleave(n)
                  + start.repeat_interleave(n))
    return out if device is None else out.to(device)


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    from ._layout import check_factory_kwargs
    check_factory_kwargs("tril_indices", layout, None)
    return _tri_indices(row, col, offset, True, dtype, device)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    from ._layout import check_factory_kwargs
    check_factory_kwargs("triu_indices", layout, None)
    return _tri_indices(row, col, offset, False, dtype, device)


Tensor.movedim = movedim
Tensor.moveaxis = movedim
Tensor.swapdims = swapdims
Tensor.ravel = ravel


def _int_list(v):
    """v as a list of ints (an int or a sequence of ints), or None for anything else."""
    if isinstance(v, _b.int) and not isinstance(v, _b.bool):
        return [v]
    if isinstance(v, (tuple, list)) and all(isinstance(x, _b.int) and not isinstance(x, _b.bool)
                                            for x in v):
        return list(v)
    return None


def _roll_empty(input, shifts, dims):
    """torch.roll of an empty input: it comes back (RollBackward0) without its dims checked,
    as torch's roll returns before reading them; None where the compiled op decides."""
    if isinstance(input, Tensor) and input.numel() == 0:
        sh = _int_list(shifts)
        dm = [] if dims is None else _int_list(dims)
        if sh is not None and dm is not None:
            if len(sh) != 1 or len(dm) != 1:
                if not sh:
                    raise RuntimeError("`shifts` required")
                if dm and len(sh) != len(dm):
                    raise RuntimeError(f"shifts and dimensions must align. shifts: {len(sh)}, "
                                       f"dims:{len(dm)}")
            n = max(input.dim(), 1)
            if all(-n <= d < n for d in dm):
                return None  # valid dims: the compiled op (and its saved shifts / dims)
            return _C.roll(input, 0, 0)
    return None


def roll(input, shifts, dims=None):
    """torch.roll (an empty input's dims are never checked, as in torch)."""
    r = _roll_empty(input, shifts, dims)
    return _C.roll(input, shifts, dims) if r is None else r


_compiled_tensor_roll = Tensor.roll


def _tensor_roll(self, shifts, dims=None):
    r = _roll_empty(self, shifts, dims)
    return _compiled_tensor_roll(self, shifts, dims) if r is None else r


_tensor_roll.__name__ = _tensor_roll.__qualname__ = "roll"
Tensor.roll = _tensor_roll
