"""torch's top-level aten forms that op_db tests and tapegrad lacked: the native_* norms with
their saved statistics (native_layer_norm, native_group_norm, native_batch_norm and the
_native_batch_norm_legit family), grid_sampler(_2d/_3d) with integer modes, segment_reduce,
_chunk_cat and the _unsafe_masked_index pair.

Each one is composed from tapegrad's differentiable ops, so autograd works without new
kernels. The normalised output comes from the compiled norm ops (their shape checks and
NativeXxxBackward0 nodes); the statistics are recomputed next to it. torch marks layer norm's
and batch norm's statistics as not differentiable (they are detached here), but group norm's
are (its backward takes gradients for mean and rstd), so those stay in the graph.

Being aten functions in torch, these parse their arguments as torch's binding does (_parsed:
the TypeError naming a wrongly typed argument) and follow the CPU norms' dtype rules
(_check_norm_dtypes) before any work."""
import functools

from .. import _C, _out_arg
from .._dtype_names import type_name as _type_name
from .._factories import arange as _arange, empty as _empty, zeros_like as _zeros_like
from .._grad_mode import no_grad as _no_grad
from .._memory_format import channels_last as _channels_last
from .._runtime import can_cast as _can_cast
from ..autograd.function import Function as _Function
from . import _grid_functional as _grid
from . import functional as _F
from ._norm_functional import _ONE_STAT

__all__ = ["native_layer_norm", "native_group_norm", "native_batch_norm",
           "_native_batch_norm_legit", "_native_batch_norm_legit_no_training",
           "grid_sampler", "grid_sampler_2d", "grid_sampler_3d", "segment_reduce",
           "_segment_reduce", "_chunk_cat", "_unsafe_masked_index",
           "_unsafe_masked_index_put_accumulate"]

_HALF = (_C.float16, _C.bfloat16)
_IMPROVE = ("  (Could this error message be improved?  If so, please report an enhancement "
            "request to PyTorch.)")


def _wrap_dim(dim, ndim):
    # aten's maybe_wrap_dim: a 0-d tensor takes dims as if it had one
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim % n


def _stat_dtype(input, *params):
    """aten's param_scalar_type: a half input with float32 parameters (the CPU's mixed-dtype
    path) keeps its statistics in float32; otherwise they take the input's dtype."""
    if input.dtype in _HALF and any(p is not None and p.dtype == _C.float32 for p in params):
        return _C.float32
    return input.dtype


def _moments(x, dims, eps, dtype):
    """(mean, 1/sqrt(biased var + eps)) over dims, kept as reductions of x (so differentiable
    where x is); half inputs are reduced in float32 and rounded once, as torch's kernels do."""
    xf = x.float() if x.dtype in _HALF else x
    if any(x.shape[d] == 0 for d in dims):
        # nothing to normalise over: torch's kernels leave mean at 0 (and rstd at 1/sqrt(nan))
        mean = xf.sum(dims, keepdim=True)
    else:
        mean = xf.mean(dims, keepdim=True)
    rstd = (xf.var(dims, correction=0, keepdim=True) + eps).rsqrt()
    return mean.to(dtype), rstd.to(dtype)


# ---------------------------------------------------------------- torch's argument parsing

# aten argument kind -> (torch's word for it, whether a Python value fits)
_KINDS = {
    "Tensor": ("Tensor", lambda v: isinstance(v, _C.Tensor)),
    "int": ("int", lambda v: isinstance(v, int) and not isinstance(v, bool)),
    "float": ("float", lambda v: isinstance(v, (int, float))),  # a bool passes, as in torch
    "bool": ("bool", lambda v: isinstance(v, bool)),
    "str": ("str", lambda v: isinstance(v, str)),
    "Number": ("Number", lambda v: isinstance(v, (int, float)) or (
        isinstance(v, _C.Tensor) and v.dim() == 0)),
    "int[]": ("tuple of ints", lambda v: isinstance(v, (list, tuple))),
    "Tensor[]": ("tuple of Tensors", lambda v: isinstance(v, (list, tuple))),
}


def _bad_type(kind, v):
    """torch's word for `kind` when v does not fit it, else None."""
    want, fits = _KINDS[kind.rstrip("?")]
    if v is None:
        return None if kind.endswith("?") else want
    return None if fits(v) else want


@functools.lru_cache(maxsize=None)
def _schema(schema):
    """aten's "Tensor input, int[] shape, Tensor? weight, *, bool flag" as ((kind, name,
    keyword-only), ...)."""
    head, _, tail = schema.partition("*, ")
    return tuple((*part.split(" "), kwonly) for text, kwonly in ((head, False), (tail, True))
                 for part in text.split(", ") if part)


def _check_args(fname, schema, args, kwargs):
    """torch's parser for aten's `schema`: the TypeError naming an argument of the wrong Python
    type (with its position when given positionally), before anything runs; Python's own call
    rules (missing or unknown arguments) stay Python's."""
    params = _schema(schema)
    for i, (kind, name, kwonly) in enumerate(params):
        if not kwonly and i < len(args):
            v, where = args[i], f" (position {i + 1})"
        elif name in kwargs:
            v, where = kwargs[name], ""
        else:
            continue
        want = _bad_type(kind, v)
        if want is not None:
            raise TypeError(f"{fname}(): argument '{name}'{where} must be {want}, not "
                            f"{type(v).__name__}")
        if kind == "int[]":
            for k, e in enumerate(v):
                if not isinstance(e, int) or isinstance(e, bool):
                    raise TypeError(f"{fname}(): argument '{name}'{where} must be tuple of ints, "
                                    f"but found element of type {type(e).__name__} at pos {k}")
        elif kind.startswith("Tensor["):
            for k, e in enumerate(v):
                if not isinstance(e, _C.Tensor):
                    raise TypeError(f"expected Tensor as element {k} in argument {i}, but got "
                                    f"{type(e).__name__}")


def _parsed(schema):
    """Decorator: _check_args with the function's own name and `schema` before each call."""
    def deco(fn):
        name = fn.__name__

        @functools.wraps(fn)
        def parsed(*args, **kwargs):
            _check_args(name, schema, args, kwargs)
            return fn(*args, **kwargs)
        return parsed
    return deco


def _check_norm_dtypes(input, kernel, *params):
    """The CPU norms' dtype rules, in their order: mixed precision (aten's is_mixed_type: the
    first parameter given differs from the input) needs float32 parameters and a half input;
    otherwise the kernel refuses a non-float input, then any parameter of another dtype."""
    params = [p for p in params if p is not None]
    if params and params[0].dtype != input.dtype:
        if any(p.dtype != _C.float32 for p in params):
            raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of Float")
        if input.dtype not in _HALF:
            raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")
        return
    if not input.is_floating_point():
        raise NotImplementedError(f"\"{kernel}\" not implemented for "
                                  f"'{_type_name(input.dtype)}'")
    for p in params:
        if p.dtype != input.dtype:
            raise RuntimeError(f"expected scalar type {_type_name(input.dtype)} but found "
                               f"{_type_name(p.dtype)}")


# -------------------------------------------------------------------------------- layer norm


def _layer_norm_shapes_ok(input, shape, weight, bias):
    k = len(shape)
    return (k > 0 and all(p is None or list(p.shape) == shape for p in (weight, bias))
            and input.dim() >= k and list(input.shape[input.dim() - k:]) == shape)


@_parsed("Tensor input, int[] normalized_shape, Tensor? weight, Tensor? bias, float eps")
def native_layer_norm(input, normalized_shape, weight, bias, eps):
    """(out, mean, rstd); mean and rstd have the input's leading dims and a 1 for each
    normalised dim, and do not require grad (torch's output_differentiability)."""
    shape = list(normalized_shape)
    if _layer_norm_shapes_ok(input, shape, weight, bias):  # torch checks the shapes first
        _check_norm_dtypes(input, "LayerNormKernelImpl", weight, bias)
    out = _F.layer_norm(input, shape, weight, bias, eps)  # the shape checks and wording
    dims = list(range(input.dim() - len(shape), input.dim()))
    with _no_grad():
        mean, rstd = _moments(input.detach(), dims, eps, _stat_dtype(input, weight, bias))
    return out, mean, rstd


# -------------------------------------------------------------------------------- group norm


def _check_group_norm(input, weight, bias, C, group):
    # aten's check_group_norm_inputs, which quotes the input's own sizes
    size = list(input.shape)
    if group <= 0:
        raise RuntimeError(f"Expected num groups to be greater than 0, got {group}")
    if C % group != 0:
        raise RuntimeError("Expected number of channels in input to be divisible by num_groups, "
                           f"but got input of shape {size} and num_groups={group}")
    for name, p in (("weight", weight), ("bias", bias)):
        # torch's bias message prints the weight's shape ([0] when there is none): an
        # upstream slip, kept so that the messages agree
        shown = list(weight.shape) if weight is not None else [0]
        if p is not None and (p.dim() != 1 or p.numel() != C):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of "
                               f"channels in input, but got {name} of shape {shown} and input "
                               f"of shape {size}")


@_parsed("Tensor input, Tensor? weight, Tensor? bias, int N, int C, int HxW, int group, "
         "float eps")
def native_group_norm(input, weight, bias, N, C, HxW, group, eps):
    """(out, mean, rstd) of group norm over input viewed as (N, C, HxW); mean and rstd are
    (N, group) and carry gradients, as torch's infinitely differentiable backward does."""
    _check_group_norm(input, weight, bias, C, group)
    if not (input.is_contiguous() or (input.dim() == 4 and
                                      input.is_contiguous(memory_format=_channels_last))):
        raise RuntimeError("Expected X.is_contiguous(memory_format) to be true, but got false."
                           + _IMPROVE)
    _check_norm_dtypes(input, "GroupNormKernelImpl", weight, bias)
    if N < 0:  # aten allocates the (N, group) statistics before the kernel's own checks
        raise RuntimeError(f"Trying to create tensor with negative dimension {N}: [{N}, {group}]")
    if input.numel() != N * C * HxW:
        raise RuntimeError("Expected X.numel() == N * C * HxW to be true, but got false."
                           + _IMPROVE)
    out = _C.group_norm(input.reshape(N, C, HxW), group, weight, bias, eps)
    x = input.reshape(N, group, (C // group) * HxW)
    mean, rstd = _moments(x, [2], eps, _stat_dtype(input, weight, bias))
    return out.reshape(input.shape), mean.reshape(N, group), rstd.reshape(N, group)


# -------------------------------------------------------------------------------- batch norm


def _batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps):
    """native_batch_norm's (out, save_mean, save_invstd): the batch statistics of each channel
    when training (the running stats, if given, updated in place by the compiled op), empty
    tensors in evaluation."""
    if (running_mean is None) != (running_var is None):
        raise ValueError(_ONE_STAT)
    if input.dim() < 2:
        _wrap_dim(1, input.dim())  # torch reads size(1) first: its IndexError
    if training and input.numel() == 0:
        raise RuntimeError(f"input tensor must have at least one element, but got input_sizes = "
                           f"{list(input.shape)}")
    if not input.is_floating_point():  # batch norm's kernel dispatch comes before the rest
        raise NotImplementedError(f"\"batch_norm\" not implemented for "
                                  f"'{_type_name(input.dtype)}'")
    _check_norm_dtypes(input, "batch_norm", weight, bias, running_mean, running_var)
    out = _C.batch_norm(input, weight, bias, running_mean, running_var, training, momentum,
                        eps)
    dtype = _stat_dtype(input, weight, bias, running_mean, running_var)
    if not training:
        empty = _empty(0, dtype=dtype, device=input.device)
        return out, empty, empty.clone()
    dims = [0] + list(range(2, input.dim()))
    with _no_grad():
        mean, invstd = _moments(input.detach(), dims, eps, dtype)
    return out, mean.reshape(-1), invstd.reshape(-1)


_BN = "Tensor input, Tensor? weight, Tensor? bias, "
_BN_TAIL = "bool training, float momentum, float eps"


@_parsed(_BN + "Tensor? running_mean, Tensor? running_var, " + _BN_TAIL)
def native_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps):
    return _batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps)


def _native_batch_norm_legit(input, weight, bias, *args, **kwargs):
    """Two aten overloads: (input, weight, bias, running_mean, running_var, training, momentum,
    eps), whose running stats are Tensors (not None), and no_stats (input, weight, bias,
    training, momentum, eps)."""
    # torch picks the overload by arity (6 or 8 arguments), or by a running-stat keyword
    given = len(args) + len(kwargs)
    with_stats = ("running_mean" in kwargs or "running_var" in kwargs or given >= 5 or
                  (given == 4 and isinstance(args[0] if args else None, _C.Tensor)))
    names = (("running_mean", "running_var") if with_stats else ()) + (
        "training", "momentum", "eps")
    if len(args) > len(names):
        raise TypeError(f"_native_batch_norm_legit() takes {3 + len(names)} positional "
                        f"arguments but {3 + len(args)} were given")
    vals = dict(zip(names, args))
    for k, v in kwargs.items():
        if k not in names or k in vals:
            raise TypeError(f"_native_batch_norm_legit() got an unexpected keyword argument "
                            f"'{k}'")
        vals[k] = v
    missing = [n for n in names if n not in vals]
    if missing:
        raise TypeError(f"_native_batch_norm_legit() missing {len(missing)} required "
                        f"positional arguments: {', '.join(repr(m) for m in missing)}")
    stats = "Tensor running_mean, Tensor running_var, " if with_stats else ""
    _check_args("_native_batch_norm_legit", _BN + stats + _BN_TAIL, (input, weight, bias) + args,
                kwargs)
    if not with_stats and not vals["training"]:
        # torch reads the absent running stats here (a crash); say what is missing instead
        raise RuntimeError("_native_batch_norm_legit(): running_mean and running_var must be "
                           "defined in evaluation mode")
    return _batch_norm(input, weight, bias, vals.get("running_mean"), vals.get("running_var"),
                       vals["training"], vals["momentum"], vals["eps"])


@_parsed(_BN + "Tensor running_mean, Tensor running_var, float momentum, float eps")
def _native_batch_norm_legit_no_training(input, weight, bias, running_mean, running_var,
                                         momentum, eps):
    return _batch_norm(input, weight, bias, running_mean, running_var, False, momentum, eps)


# ------------------------------------------------------------------------------ grid sampler

_MODES = ("bilinear", "nearest", "bicubic")
_PADDINGS = ("zeros", "border", "reflection")


def _check_grid_sampler(input, grid, nd, mode):
    """aten's check_grid_sampler_common, then the 2-d / 3-d rank check, in torch's order."""
    for t in (input, grid):
        if t.dim() == 0:
            raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    sizes = f"input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}"
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, "
                           f"but got {sizes}")
    if grid.shape[-1] != input.dim() - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {input.dim() - 2} in "
                           f"last dimension, but got grid with sizes {list(grid.shape)}")
    for d in range(2, input.dim()):
        if input.shape[d] <= 0:
            raise RuntimeError("grid_sampler(): expected input to have non-empty spatial "
                               f"dimensions, but input has sizes {list(input.shape)} with "
                               f"dimension {d} being empty")
    if input.dim() != nd + 2 or grid.dim() != input.dim():
        raise RuntimeError(f"grid_sampler(): expected {nd + 2}D input and grid with same number "
                           f"of dimensions, but got {sizes}")
    if nd == 3 and mode == 2:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")


def _grid_sampler(fname, nd, input, grid, interpolation_mode, padding_mode, align_corners):
    _check_grid_sampler(input, grid, nd, interpolation_mode)
    if not input.is_floating_point():
        kernel = "grid_sampler_2d_cpu_kernel_impl" if nd == 2 else "grid_sampler3d_cpu"
        raise NotImplementedError(f"\"{kernel}\" not implemented for "
                                  f"'{_type_name(input.dtype)}'")
    if grid.dtype != input.dtype:
        raise RuntimeError(f"expected scalar type {_type_name(input.dtype)} but found "
                           f"{_type_name(grid.dtype)}")
    # torch leaves the output uninitialised for other codes; an error is the honest answer
    if not 0 <= interpolation_mode < 3:
        raise RuntimeError(f"{fname}(): expected interpolation_mode 0 (bilinear), 1 (nearest) "
                           f"or 2 (bicubic), but got {interpolation_mode}")
    if not 0 <= padding_mode < 3:
        raise RuntimeError(f"{fname}(): expected padding_mode 0 (zeros), 1 (border) or "
                           f"2 (reflection), but got {padding_mode}")
    return _grid.grid_sample(input, grid, _MODES[interpolation_mode], _PADDINGS[padding_mode],
                             align_corners)


_GRID = "Tensor input, Tensor grid, int interpolation_mode, int padding_mode, bool align_corners"


@_parsed(_GRID)
def grid_sampler_2d(input, grid, interpolation_mode, padding_mode, align_corners):
    return _grid_sampler("grid_sampler_2d", 2, input, grid, interpolation_mode, padding_mode,
                         align_corners)


@_parsed(_GRID)
def grid_sampler_3d(input, grid, interpolation_mode, padding_mode, align_corners):
    return _grid_sampler("grid_sampler_3d", 3, input, grid, interpolation_mode, padding_mode,
                         align_corners)


@_parsed(_GRID)
def grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners):
    """aten's dispatcher: 4-d input to grid_sampler_2d, anything else to grid_sampler_3d."""
    nd = 2 if input.dim() == 4 else 3
    return _grid_sampler("grid_sampler", nd, input, grid, interpolation_mode, padding_mode,
                         align_corners)


# ---------------------------------------------------------------------------- segment_reduce

# reduce name -> (scatter_reduce kind, value of an empty segment without `initial`)
_SEGMENT = {"sum": ("sum", 0.0), "mean": ("sum", 0.0), "prod": ("prod", 1.0),
            "max": ("amax", float("-inf")), "amax": ("amax", float("-inf")),
            "min": ("amin", float("inf")), "amin": ("amin", float("inf"))}
_INDEX_DTYPES = (_C.int64, _C.int32)


def _check_segments(data, seg, name, axis, unsafe):
    if data.dim() < seg.dim():
        raise RuntimeError(f"Expected data.dim() >= {name}_value.dim() to be true, but got "
                           "false." + _IMPROVE)
    if axis != seg.dim() - 1:
        raise RuntimeError(f"segment_reduce(): Expected axis to be the last dimension of {name} "
                           f"but got {axis}.")
    if name == "lengths" and not unsafe:
        if seg.numel() == 0:
            raise RuntimeError("min(): Expected reduction dim to be specified for input.numel() "
                               "== 0. Specify the reduction dim with the 'dim' argument.")
        if int(seg.min().item()) < 0:
            raise RuntimeError("lengths contains negative value!")
        if not bool((seg.sum(-1) == data.shape[axis]).all().item()):
            raise RuntimeError("segment_reduce(): Expected all rows of lengths along axis to sum "
                               "to data.size(lengths.dim()-1) when !unsafe.")
    if seg.dtype not in _INDEX_DTYPES:
        raise NotImplementedError(f"\"_segment_reduce_{name}_cpu_kernel1\" not implemented for "
                                  f"'{_type_name(seg.dtype)}'")
    if not data.is_floating_point():
        raise NotImplementedError(f"\"_segment_reduce_cpu\" not implemented for "
                                  f"'{_type_name(data.dtype)}'")
    if list(seg.shape[:-1]) != list(data.shape[:axis]):
        # torch reads out of bounds here; the shapes must agree for the result to mean anything
        raise RuntimeError(f"segment_reduce(): expected {name} of shape "
                           f"{list(data.shape[:axis])} + [S], but got {list(seg.shape)}")


@_parsed("Tensor data, str reduce, *, Tensor? lengths, Tensor? indices, Tensor? offsets, "
         "int axis, bool unsafe, Number? initial")
def segment_reduce(data, reduce, *, lengths=None, indices=None, offsets=None, axis=0,
                   unsafe=False, initial=None):
    """Reduces data along axis over consecutive segments given by lengths (B + (S,)) or
    offsets (B + (S+1,)), B being data's dims before axis; the result is B + (S,) + the dims
    after axis. Empty segments take `initial`, else 0 (sum), 1 (prod), -inf (max), inf (min),
    nan (mean); `initial` also joins every non-empty segment's reduction (mean adds it to the
    sum before dividing by the length), as in torch.

    Built as index_select + scatter_reduce onto `initial`, so the gradients are torch's:
    prod's is the exclusive product, elements outside every segment get zero; max/min have
    torch's own backward (_SegmentExtreme)."""
    axis = _wrap_dim(axis, data.dim())
    if indices is not None:
        raise RuntimeError("segment_reduce(): indices based reduction is not supported yet.")
    if lengths is None and offsets is None:
        raise RuntimeError("segment_reduce(): Either lengths or offsets must be defined.")
    if reduce not in _SEGMENT:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    name, seg = ("offsets", offsets) if offsets is not None else ("lengths", lengths)
    _check_segments(data, seg, name, axis, unsafe)
    if initial is not None and isinstance(initial, _C.Tensor):
        initial = initial.item()
    kind, identity = _SEGMENT[reduce]
    lead, size, trail = list(data.shape[:axis]), data.shape[axis], list(data.shape[axis + 1:])
    b = 1
    for s in lead:
        b *= s
    inner = 1
    for s in trail:
        inner *= s
    seg = seg.to(_C.int64).reshape(b, -1)
    if name == "offsets":
        starts, lens = seg[:, :-1], seg[:, 1:] - seg[:, :-1]
        if lens.numel() and int(lens.min().item()) < 0:
            raise RuntimeError("Expected segment_length >= 0 to be true, but got false."
                               + _IMPROVE)
    else:
        starts, lens = seg.cumsum(1) - seg, seg
    nseg = lens.shape[1]
    dev = data.device
    # starts within the flattened (b * size) rows; one (source row, segment) pair per element
    rows = _arange(b, dtype=_C.int64, device=dev).unsqueeze(1) * size
    lens, starts = lens.reshape(-1), (starts + rows).reshape(-1)
    total = int(lens.sum().item()) if lens.numel() else 0
    seg_ids = _arange(b * nseg, dtype=_C.int64, device=dev)
    target = seg_ids.repeat_interleave(lens)
    first = (lens.cumsum(0) - lens).repeat_interleave(lens)
    source = (starts.repeat_interleave(lens) + _arange(total, dtype=_C.int64, device=dev)
              - first)
    flat = data.reshape(b * size, inner)
    picked = flat.index_select(0, source)
    # torch's kernel starts each segment from `initial` and folds the elements in order (each
    # step rounded in half dtypes): scatter_reduce onto `initial` does the same
    base = data.new_full((b * nseg, inner), identity if initial is None else initial)
    index = target.unsqueeze(1).expand(total, inner)
    if kind in ("amax", "amin"):
        with _no_grad():
            out = base.scatter_reduce(0, index, picked.detach(), kind)
        return _SegmentExtreme.apply(picked, out, target).reshape(lead + [nseg] + trail)
    out = base.scatter_reduce(0, index, picked, kind)
    if reduce == "mean":
        # an empty segment without initial is 0/0 = nan, as in torch; with it, initial itself
        count = lens.to(data.dtype).unsqueeze(1)
        out = out / (count if initial is None else count.clamp(min=1))
    return out.reshape(lead + [nseg] + trail)


_segment_reduce = segment_reduce


class _SegmentExtreme(_Function):
    """The max/min result `out` (segments x inner, already computed) over the elements picked
    (elements x inner, the segment of each in `target`), with torch's backward: every element
    equal to its segment's result (or nan) receives the upstream gradient, which is divided by
    the number of such elements only where it is positive (torch's kernel tests
    `grad_input > 0` before averaging ties). An element equal only to `initial`'s value still
    counts; a segment won by `initial` has no such element, so nothing flows."""

    @staticmethod
    def forward(ctx, picked, out, target):
        ctx.save_for_backward(picked, out, target)
        return out.clone()

    @staticmethod
    def backward(ctx, grad):
        picked, out, target = ctx.saved_tensors
        hit = (picked == out.index_select(0, target)) | picked.isnan()
        ties = _zeros_like(out).index_add(0, target, hit.to(out.dtype))
        g = grad.index_select(0, target)
        g = _C.where(g > 0, g / ties.index_select(0, target).clamp(min=1), g)
        return _C.where(hit, g, _zeros_like(g)), None, None


# -------------------------------------------------------------------------------- _chunk_cat


@_parsed("Tensor[] tensors, int dim, int num_chunks, *, Tensor? out")
def _chunk_cat(tensors, dim, num_chunks, *, out=None):
    """Each tensor zero-padded along dim to a multiple of num_chunks, viewed as
    (leading dims, num_chunks, -1), and the views concatenated along dim + 1 (torch's FSDP
    helper). Differentiable here, where torch's backward is not implemented."""
    if num_chunks < 1:
        raise RuntimeError("_chunk_cat expects positive num_chunks")
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("_chunk_cat expects a non-empty input tensor list")
    first = tensors[0]
    for t in tensors:
        if t.numel() == 0:
            raise RuntimeError("_chunk_cat expects non-empty tensor")
        if t.dtype != first.dtype:
            raise RuntimeError("_chunk_cat expects all input tensors with the same dtype")
        if t.device != first.device:
            raise RuntimeError("_chunk_cat expects all inputs tensors on the same device")
    ndims = {t.dim() for t in tensors}
    if 0 in ndims:  # torch crashes on a 0-d tensor; it has no dim to chunk
        raise RuntimeError("_chunk_cat expects dim < ndim for all input tensors")
    if len(ndims) == 1:
        dim = _wrap_dim(dim, first.dim())
    else:
        if dim < 0:
            raise RuntimeError("_chunk_cat expects non-negative dim when input tensors have "
                               "different ndims")
        if any(dim >= t.dim() for t in tensors):
            raise RuntimeError("_chunk_cat expects dim < ndim for all input tensors")
    for t in tensors[1:]:
        if list(t.shape[:dim]) != list(first.shape[:dim]):
            raise RuntimeError("_chunk_cat expects same sizes of 0,...,dim-1 dimensions for all "
                               "tensors")
    views = []
    for t in tensors:
        size = t.shape[dim]
        padded = -(-size // num_chunks) * num_chunks
        if padded != size:
            shape = list(t.shape)
            shape[dim] = padded - size
            t = _C.cat([t, t.new_zeros(shape)], dim)
        views.append(t.reshape(list(t.shape[:dim]) + [num_chunks, -1]))
    result = _C.cat(views, dim + 1)
    if out is None:
        return result
    if not _can_cast(result.dtype, out.dtype):  # torch's cat into out says it so
        raise TypeError(f"torch.cat(): input types can't be cast to the desired output type "
                        f"{_type_name(out.dtype)}")
    return _out_arg.write_out("_chunk_cat", result, out, (tensors,))


# ---------------------------------------------------------------------- _unsafe_masked_index


def _clamped(x, indices):
    """The indices checked as aten does and clamped into [-size, size - 1]: the unsafe ops
    promise in-range indices only where the mask is set, so the others must not fault."""
    indices = list(indices)
    for i in indices:
        if i.dtype not in _INDEX_DTYPES:
            raise RuntimeError(f"_unsafe_masked_index found unexpected index type "
                               f"{_type_name(i.dtype)}")
    if not indices:
        raise IndexError("at least one index must be provided")
    if len(indices) > x.dim():
        raise IndexError(f"too many indices for tensor of dimension {x.dim()} (got "
                         f"{len(indices)})")
    return tuple(i.clamp(-s, s - 1) for i, s in zip(indices, x.shape))


def _check_mask_fits(mask, shape):
    # masked_fill's broadcast check in torch's wording: tensor a is the mask, b the target
    nd = max(mask.dim(), len(shape))
    for k in range(1, min(mask.dim(), len(shape)) + 1):
        a, b = mask.shape[-k], shape[-k]
        if a != b and a != 1 and b != 1:
            raise RuntimeError(f"The size of tensor a ({a}) must match the size of tensor b "
                               f"({b}) at non-singleton dimension {nd - k}")


@_parsed("Tensor input, Tensor mask, Tensor[] indices, Number fill")
def _unsafe_masked_index(input, mask, indices, fill):
    """where(mask, input[indices], fill), reading input only through clamped indices."""
    x = input
    if isinstance(fill, _C.Tensor):
        fill = fill.item()
    idx = _clamped(x, indices)
    if x.numel() == 0:
        # aten's trick for the result's shape: index a tensor of fill values with the indexed
        # empty dims grown to 1 (their clamped indices are all -1)
        sizes = [1 if (k < len(idx) and s == 0) else s for k, s in enumerate(x.shape)]
        return x.new_full(sizes, fill)[idx]
    out = x[idx]
    _check_mask_fits(mask, out.shape)
    return out.masked_fill(_C.logical_not(mask), fill)


@_parsed("Tensor input, Tensor mask, Tensor[] indices, Tensor values")
def _unsafe_masked_index_put_accumulate(input, mask, indices, values):
    """input.index_put(indices, where(mask, values, 0), accumulate=True), indices clamped."""
    x = input
    idx = _clamped(x, indices)
    if x.numel() == 0:
        return x.clone()
    _check_mask_fits(mask, values.shape)
    masked = values.masked_fill(_C.logical_not(mask), 0)
    return x.index_put(idx, masked, accumulate=True)
