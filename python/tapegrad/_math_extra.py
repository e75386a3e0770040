"""torch's Python-level functions over helper M's compiled ops: unique / unique_consecutive
(tensor or tuple by flags), quantile / nanquantile (sort, gather and lerp, as torch), logspace
and the deprecated range (factories)."""
import builtins as _builtins
import warnings as _warnings

from ._grad_mode import no_grad as _no_grad

from . import _C
from ._factories import _finish, _default, arange as _arange
from ._factories import _check_linspace_args
from ._factories import full_like as _full_like, zeros as _zeros, zeros_like as _zeros_like
from ._factories import tensor as _tensor
from ._tensor import _check_device

__all__ = ["unique", "unique_consecutive", "logspace", "range", "quantile", "nanquantile",
           "randperm", "normal", "cdist"]


def _pack(values, inverse, counts, return_inverse, return_counts):
    if not return_inverse and not return_counts:
        return values
    out = (values,)
    if return_inverse:
        out += (inverse,)
    if return_counts:
        out += (counts,)
    return out


def _no_derivative(values, input, node, op):
    """torch records unique's values with a node whose backward is not implemented: the result
    requires grad when the input does, and backward through it raises."""
    def backward(g):
        raise NotImplementedError(f"the derivative for '{op}' is not implemented.")
    from . import _pynode
    return _pynode.record(node, backward, [input], values)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values (or slices along dim), always sorted here (torch's CPU result for
    sorted=False is sorted too); inverse maps each element / slice to its position."""
    v, inv, cnt = _C._unique_impl(input, False, dim)
    v = _no_derivative(v, input, *(("Unique2Backward0", "_unique2") if dim is None
                                   else ("UniqueDimBackward0", "unique_dim")))
    return _pack(v, inv, cnt, return_inverse, return_counts)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Collapses runs of equal consecutive values (or slices along dim)."""
    v, inv, cnt = _C._unique_impl(input, True, dim)
    v = _no_derivative(v, input, "UniqueConsecutiveBackward0", "unique_consecutive")
    return _pack(v, inv, cnt, return_inverse, return_counts)


def _tensor_unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
    return unique(self, sorted, return_inverse, return_counts, dim)


def _tensor_unique_consecutive(self, return_inverse=False, return_counts=False, dim=None):
    return unique_consecutive(self, return_inverse, return_counts, dim)


_C.Tensor.unique = _tensor_unique
_C.Tensor.unique_consecutive = _tensor_unique_consecutive


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False,
             out=None, layout=None, pin_memory=None):
    """base ** (start ... end) in steps, as torch's kernel computes it (lib/ops/factory.cpp)."""
    from ._layout import check_factory_kwargs
    check_factory_kwargs("logspace", layout, pin_memory)
    if out is not None:
        raise NotImplementedError("tapegrad.logspace: out= is not supported")
    dt = _default(dtype)
    _check_linspace_args("logspace", start, end, steps)
    start, end = (v.item() if isinstance(v, _C.Tensor) else v for v in (start, end))
    t = _C._logspace(_builtins.float(start), _builtins.float(end), steps, _builtins.float(base), dt)
    return _finish(t, requires_grad, device)


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False,  # noqa: A001
          out=None, layout=None, pin_memory=None):
    """Deprecated torch.range: like arange but including end; float32 (the default dtype) unless
    dtype is given."""
    from ._layout import check_factory_kwargs
    if end is None:  # torch.range(start, end, step=1): both bounds are required
        raise TypeError('range() missing 1 required positional arguments: "end"')
    check_factory_kwargs("range", layout, pin_memory)
    _warnings.warn("torch.range is deprecated and will be removed in a future release because "
                   "its behavior is inconsistent with Python's range builtin. Instead, use "
                   "torch.arange, which produces values in [start, end).", UserWarning,
                   stacklevel=2)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = _builtins.int((end - start) // step) + 1 if (end - start) * step >= 0 else 0
    t = _arange(n, dtype=_C.float64) * step + start if n > 0 else _arange(0, dtype=_C.float64)
    return _finish(t.to(_default(dtype)), requires_grad, device)


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(name, input, q, dim, keepdim, interpolation, ignore_nan):
    # sorted values along dim (NaN last), the rank q * (count - 1) per slice and quantile,
    # values gathered below/above it and interpolated: torch's algorithm, so the gradient
    # flows through sort, gather and lerp as in torch
    if input.dtype in (_C.float16, _C.bfloat16):  # torch names quantile() for both here
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    if not input.is_floating_point():
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest, but got {interpolation}")
    if input.numel() == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    scalar_q = not isinstance(q, _C.Tensor)
    if scalar_q:
        if not 0 <= q <= 1:
            raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {q}")
        qt = _tensor(_builtins.float(q), dtype=input.dtype, device=input.device)
    else:
        if q.dim() > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        if q.dtype != input.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        if q.numel() and not _builtins.bool(((q >= 0) & (q <= 1)).all()):
            raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
        qt = q  # torch's weights (rank - floor(rank)) carry q's gradient
    q_vector = not scalar_q and q.dim() == 1
    x = input.reshape(-1) if dim is None else input
    nd = x.dim()
    d = 0 if dim is None else (dim % nd if nd else 0)
    if nd == 0:
        x = x.reshape(1)
        nd = 1
    # movedim, not transpose: the other dims keep their order in the result
    xs = x.permute(*[k for k in _builtins.range(nd) if k != d], d) if d != nd - 1 else x
    srt = xs.sort(dim=-1).values
    n = srt.shape[-1]
    qv = qt.reshape(-1)
    if ignore_nan:
        cnt = _C.logical_not(srt.isnan()).sum(-1, keepdim=True)
        ranks = qv * (cnt - 1)
        ranks = _C.where(ranks < 0, _zeros_like(ranks), ranks)
    else:
        ranks = qv * (n - 1) + _zeros(list(srt.shape[:-1]) + [1], dtype=srt.dtype,
                                            device=srt.device)
        ranks = _C.where(srt.isnan().any(-1, keepdim=True), _full_like(ranks, n - 1), ranks)
    if interpolation == "nearest":
        lo = hi = ranks.round().long()
    else:
        lo, hi = ranks.floor().long(), ranks.ceil().long()
    lo_v = srt.gather(-1, lo)
    if interpolation in ("lower", "nearest"):
        out = lo_v
    elif interpolation == "higher":
        out = srt.gather(-1, hi)
    else:
        w = (_full_like(ranks, 0.5) if interpolation == "midpoint"
             else ranks - lo.to(ranks.dtype))
        out = _C.lerp(lo_v, srt.gather(-1, hi), w)
    # out: (..., Q) with the reduced dim gone; Q first, keepdim puts size-1 dims back
    if out.dim() > 1:
        out = out.permute(out.dim() - 1, *_builtins.range(out.dim() - 1))
    if keepdim and input.dim() > 0:  # a 0-d input has no dim to keep
        if dim is None:
            out = out.reshape([out.shape[0]] + [1] * input.dim())
        else:
            out = out.unsqueeze(d + 1)
    if not q_vector:
        out = out.squeeze(0)
    return out


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """The q-th quantiles along dim (of the flattened input when None); NaN in a slice gives
    NaN. q: a number or a 0-d / 1-D tensor (its quantiles come first in the result)."""
    return _quantile("quantile", input, q, dim, keepdim, interpolation, False)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """quantile ignoring NaNs (NaN only for an all-NaN slice)."""
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, True)


_C.Tensor.quantile = (lambda self, q, dim=None, keepdim=False, *, interpolation="linear":
                      quantile(self, q, dim, keepdim, interpolation=interpolation))
_C.Tensor.nanquantile = (lambda self, q, dim=None, keepdim=False, *, interpolation="linear":
                         nanquantile(self, q, dim, keepdim, interpolation=interpolation))


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False, out=None,
             layout=None, pin_memory=False):
    """A random permutation of 0..n-1: the same permutation as torch's for the same seed."""
    from ._layout import check_factory_kwargs
    check_factory_kwargs("randperm", layout, pin_memory)
    if generator is not None:
        from ._generator import _use
        with _use(generator, "randperm", _check_device(device)):
            return randperm(n, dtype=dtype, device=device, requires_grad=requires_grad, out=out)
    return _finish(_C._randperm(n, dtype or _C.int64), requires_grad, device)


def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, device=None,
           requires_grad=False, out=None, layout=None, pin_memory=False):
    """torch.normal's forms: numbers and a size (a normal_ fill), or tensor mean and/or std
    (standard normals of the broadcast shape scaled by std and shifted by mean, as torch draws
    them). The tensor forms carry no history here (torch records NormalBackward1-3)."""
    if generator is not None:
        from ._generator import _use
        ref = mean if isinstance(mean, _C.Tensor) else std
        with _use(generator, "normal", getattr(ref, "device", _check_device(device))):
            return normal(mean, std, size, dtype=dtype, device=device,
                          requires_grad=requires_grad, out=out)
    from ._layout import check_factory_kwargs
    check_factory_kwargs("normal", layout, pin_memory)
    mt, st = isinstance(mean, _C.Tensor), isinstance(std, _C.Tensor)
    if not mt and not st:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments - got "
                            "(float, float), but expected a size")
        t = _C._empty(list(size), _default(dtype), "cpu").normal_(_builtins.float(mean),
                                                                  _builtins.float(std))
        return _finish(t, requires_grad, device)
    with _no_grad():
        ref = mean if mt else std
        if not st and isinstance(std, (int, float)) and std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
        if st and bool((std < 0).any()):
            raise RuntimeError("normal expects all elements of std >= 0.0")
        shape = (mean + std).shape if mt and st else ref.shape
        draws = _C._empty(list(shape), ref.dtype, "cpu").normal_(0, 1)
        return draws * std + mean


_CDIST_MODES = {"use_mm_for_euclid_dist_if_necessary": None, "use_mm_for_euclid_dist": 1,
                "donot_use_mm_for_euclid_dist": 2}


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """p-norm distances between the rows of x1 (..., P, M) and x2 (..., R, M), recorded as
    torch's: CdistBackward0, or for p = 2 with more than 25 rows (compute_mode
    'use_mm_for_euclid_dist' always, 'donot_use_mm_for_euclid_dist' never) the matrix-product
    form EuclideanDistBackward0 under a view (lib/ops/cdist.cpp)."""
    if compute_mode not in _CDIST_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    return _C._cdist(x1, x2, p, _CDIST_MODES[compute_mode])
