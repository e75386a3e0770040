"""The masked operations of torch.masked for strided tensors.

Each operation canonicalises the mask (broadcast to the input's shape, cast to bool), replaces
the masked-out elements by the identity of the underlying reduction (0 for sums, 1 for
products, -inf / the integer minimum for maxima, ...) with `where`, and runs the plain op; the
gradient of `where` is what zeroes the gradient of masked-out elements. The dtype rules are
torch.masked's: sum/prod promote integers and bool to int64, most others cast the result to
`dtype` (default the input's dtype, so e.g. argmax of a float tensor gives float indices)."""
import builtins as _b
import math as _math

import tapegrad as _tg

_INT_PROMOTE = ("uint8", "bool", "int8", "int16", "int32")


def _dname(dtype):
    return str(dtype).split(".")[-1]


def _strided_only(name, t):
    layout = getattr(t, "layout", "torch.strided")
    if str(layout) != "torch.strided":
        raise ValueError(f"masked {name} expects strided tensor (got {layout} tensor)")


def _canonical_dim(dim, ndim):
    """dim as a sorted tuple of non-negative dims; None or () mean every dim."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(_b.range(ndim))
    ndim = _b.max(ndim, 1)
    dims = []
    for d in ((dim,) if isinstance(dim, int) else dim):
        if d in dims:
            raise RuntimeError(f"dim={d} appears multiple times in the list of dims")
        if d >= ndim or d < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of "
                             f"[{-ndim}, {ndim - 1}], but got {d})")
        dims.append(d % ndim)
    return tuple(sorted(dims))


def _input_mask(input, mask):
    """The mask broadcast to input's shape, as bool."""
    if mask is None:
        raise ValueError("_input_mask requires explicit mask")
    if tuple(mask.shape) != tuple(input.shape):
        if mask.dim() > input.dim():
            raise IndexError("_input_mask expected broadcastable mask (got mask dimensionality "
                             "higher than of the input)")
        mask = _tg.broadcast_to(mask, tuple(input.shape))
    if mask.dtype != _tg.bool:
        mask = mask.to(dtype=_tg.bool)
    return mask


def _identity(op, input, ord=2.0):
    dtype = input.dtype
    name = _dname(dtype)
    fp = dtype.is_floating_point
    signed = name in ("int8", "int16", "int32", "int64", "uint8")
    if op in ("sum", "cumsum"):
        return 0
    if op in ("prod", "cumprod"):
        return 1
    if op in ("amax", "argmax", "logaddexp", "logsumexp"):
        if fp:
            return -_math.inf
        if signed:
            return _tg.iinfo(dtype).min
    elif op in ("amin", "argmin"):
        if fp:
            return _math.inf
        if signed:
            return _tg.iinfo(dtype).max
    elif op == "norm":
        if ord == -_math.inf:
            if not fp:
                raise AssertionError(f"input must be floating point, got {dtype}")
            return _math.inf
        return 0
    elif op == "median":
        return _math.nan
    raise NotImplementedError(f"identity of {op} on {dtype} input")


def _combine(op, input, mask, ord=2.0):
    """input with its masked-out elements replaced by op's identity."""
    if mask is None:
        return input
    m = _input_mask(input, mask)
    fill = _tg.tensor(_identity(op, input, ord), dtype=input.dtype, device=input.device)
    return _tg.where(m, input, fill)


def _reduce(fn, x, dims, keepdim, **kw):
    # an empty dims tuple (a 0-d input) reduces everything, as torch's dim=()
    return fn(x, dims if dims else None, bool(keepdim), **kw)


def _int_to_long(input, dtype):
    if dtype is None:
        dtype = input.dtype
        if _dname(dtype) in _INT_PROMOTE:
            dtype = _tg.int64
    return dtype


def sum(input, dim=None, *, keepdim=False, dtype=None, mask=None):  # noqa: A001
    _strided_only("sum", input)
    dtype = _int_to_long(input, dtype)
    dims = _canonical_dim(dim, input.dim())
    x = _combine("sum", input, mask)
    return _reduce(_tg.sum, x, dims, keepdim, dtype=dtype)


def prod(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    _strided_only("prod", input)
    dtype = _int_to_long(input, dtype)
    dims = _canonical_dim(dim, input.dim())
    r = _combine("prod", input, mask).to(dtype=dtype)
    for d in reversed(dims):
        r = r.prod(dim=d, keepdim=bool(keepdim))
    return r


def cumsum(input, dim, *, dtype=None, mask=None):
    _strided_only("cumsum", input)
    dtype = input.dtype if dtype is None else dtype
    d = _canonical_dim(dim, input.dim())[0]
    return _tg.cumsum(_combine("sum", input, mask), d, dtype=dtype).to(dtype=dtype)


def cumprod(input, dim, *, dtype=None, mask=None):
    _strided_only("cumprod", input)
    dtype = input.dtype if dtype is None else dtype
    d = _canonical_dim(dim, input.dim())[0]
    return _tg.cumprod(_combine("prod", input, mask), d, dtype=dtype).to(dtype=dtype)


def _extremum(op, fn, input, dim, keepdim, dtype, mask):
    _strided_only(op, input)
    dtype = input.dtype if dtype is None else dtype
    x = _combine(op, input, mask)
    dims = _canonical_dim(dim, x.dim())
    return _reduce(fn, x, dims, keepdim).to(dtype=dtype)


def amax(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    return _extremum("amax", _tg.amax, input, dim, keepdim, dtype, mask)


def amin(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    return _extremum("amin", _tg.amin, input, dim, keepdim, dtype, mask)


def argmax(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    _strided_only("argmax", input)
    dtype = input.dtype if dtype is None else dtype
    x = _combine("argmax", input, mask)
    return _tg.argmax(x, dim, bool(keepdim)).to(dtype=dtype)


def argmin(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    _strided_only("argmin", input)
    dtype = input.dtype if dtype is None else dtype
    x = _combine("argmin", input, mask)
    return _tg.argmin(x, dim, bool(keepdim)).to(dtype=dtype)


def _count(input, mask, dims, keepdim):
    """How many elements each reduction sees (int64)."""
    if mask is None:
        ones = _tg.ones(tuple(input.shape), dtype=_tg.int64, device=input.device)
        return _reduce(_tg.sum, ones, dims, keepdim)
    return _reduce(_tg.sum, mask, dims, keepdim, dtype=_tg.int64)


def mean(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    source = "Optional"
    if dtype is None:
        dtype, source = input.dtype, "Input"
    if not dtype.is_floating_point:
        raise ValueError(f"mean(): Could not infer output dtype. {source} dtype must be either "
                         f"a floating point or complex dtype. Got: {dtype}")
    _strided_only("mean", input)
    dims = _canonical_dim(dim, input.dim())
    inmask = None if mask is None else _input_mask(input, mask)
    count = _count(input, inmask, dims, keepdim)
    total = sum(input, dim, keepdim=keepdim, dtype=dtype, mask=inmask)
    return total / count


def median(input, dim=-1, *, keepdim=False, dtype=None, mask=None):
    _strided_only("median", input)
    dtype = input.dtype if dtype is None else dtype
    d = _canonical_dim(dim, input.dim())[0]
    is_float = input.dtype.is_floating_point
    if not is_float:
        input = input.to(dtype=_tg.float32)
    out = _tg.nanmedian(_combine("median", input, mask), d, bool(keepdim)).values
    if is_float:
        return out
    if not bool(_tg.isnan(out).any()):
        return out.to(dtype=dtype)
    raise ValueError("masked median expects no fully masked out rows if dtype is not "
                     "floating point")


def logsumexp(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    _strided_only("logsumexp", input)
    dtype = input.dtype if dtype is None else dtype
    dims = _canonical_dim(dim, input.dim())
    x = _combine("logsumexp", input, mask)
    return _tg.logsumexp(x, dims, keepdim=bool(keepdim)).to(dtype=dtype)


def logaddexp(input, other, *, dtype=None, input_mask=None, other_mask=None):
    dtype = input.dtype if dtype is None else dtype
    for t in (input, other):
        if str(getattr(t, "layout", "torch.strided")) != "torch.strided":
            raise ValueError(f"masked logaddexp expects strided tensors (got {input.layout} "
                             f"tensor for input, {other.layout} for other)")
    a = _combine("logaddexp", input, input_mask)
    b = _combine("logaddexp", other, other_mask)
    return _tg.logaddexp(a, b).to(dtype=dtype)


def norm(input, ord=2.0, dim=None, *, keepdim=False, dtype=None, mask=None):
    _strided_only("norm", input)
    dtype = input.dtype if dtype is None else dtype
    x = _combine("norm", input, mask, ord)
    dims = _canonical_dim(dim, input.dim())
    return _tg.linalg.vector_norm(x, ord, dims if dims else None, bool(keepdim), dtype=dtype)


def _std_var(input, dim, unbiased, correction_opt, keepdim, dtype, mask, take_sqrt):
    if unbiased is not None and correction_opt is not None:
        raise AssertionError("Only one of unbiased and correction may be given")
    correction = 1.0
    if unbiased is not None:
        correction = 1.0 if unbiased else 0.0
    if correction_opt is not None:
        correction = float(correction_opt)
    if dtype is None:
        dtype = input.dtype
        if not dtype.is_floating_point:
            dtype = _tg.float32
    compute_dtype = dtype if dtype.is_floating_point else _tg.float32
    _strided_only("std/var", input)
    dims = _canonical_dim(dim, input.dim())
    inmask = None if mask is None else _input_mask(input, mask)
    count = _count(input, inmask, dims, True)
    sample_total = sum(input, dim, keepdim=True, dtype=dtype, mask=inmask)
    x = _tg.subtract(input, _tg.divide(sample_total, count))
    total = sum(x * x, dim, keepdim=keepdim, dtype=compute_dtype, mask=inmask)
    if not keepdim:
        count = count.reshape(tuple(total.shape))
    if correction != 0:
        count = _tg.subtract(count.to(compute_dtype), correction)
        count = _tg.maximum(count, count.new_zeros([]))
    out = _tg.divide(total, count).to(dtype=dtype)
    return _tg.sqrt(out) if take_sqrt else out


def var(input, dim=None, unbiased=None, *, correction=None, keepdim=False, dtype=None,
        mask=None):
    return _std_var(input, dim, unbiased, correction, keepdim, dtype, mask, False)


def std(input, dim=None, unbiased=None, *, correction=None, keepdim=False, dtype=None,
        mask=None):
    return _std_var(input, dim, unbiased, correction, keepdim, dtype, mask, True)


def _normalization(name, fn, ident, input, dim, dtype, mask):
    _strided_only(name, input)
    dtype = input.dtype if dtype is None else dtype
    d = _canonical_dim(dim, input.dim())[0]
    return fn(_combine(ident, input, mask), d, dtype=dtype)


def softmax(input, dim, *, dtype=None, mask=None):
    return _normalization("softmax", _tg.nn.functional.softmax, "amax", input, dim, dtype, mask)


def log_softmax(input, dim, *, dtype=None, mask=None):
    return _normalization("log_softmax", _tg.nn.functional.log_softmax, "amax", input, dim,
                          dtype, mask)


def softmin(input, dim, *, dtype=None, mask=None):
    return _normalization("softmin", _tg.nn.functional.softmin, "amin", input, dim, dtype, mask)


def normalize(input, ord, dim, *, eps=1e-12, dtype=None, mask=None):
    _strided_only("normalize", input)
    dtype = input.dtype if dtype is None else dtype
    x = _combine("sum", input, mask)
    nrm = norm(input, ord, dim, keepdim=True, dtype=dtype, mask=mask)
    denom = _tg.maximum(nrm, nrm.new_full([], eps))
    return _tg.divide(x, denom)
