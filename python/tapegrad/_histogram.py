"""torch.histogram, torch.histogramdd and Tensor.histogram, vectorised over tapegrad ops.

One computation serves both functions: histogram(x) is histogramdd of x.reshape(-1, 1). All
points are binned at once, one dimension at a time, with tensor ops (no Python loop over
elements), the way torch's CPU kernel bins them:

- A value's bin comes from std::upper_bound over the edges, replayed step for step on whole
  columns (_upper_bound), so that unsorted edges (torch takes them unchecked, and its OpInfo
  samples use them) put values where torch puts them. With bins given as counts (equal widths)
  torch guesses the bin by division and searches only the edges around the guess; so do we.
- Each bin includes its left edge; only the last one includes its right edge. Values outside
  [first edge, last edge] and NaNs count nowhere.
- Counts (or weights) are summed with index_add_ into the flattened histogram; density divides
  by the total, then by each dimension's bin widths, in torch's order.

Checks run in torch's order, which differs between histogram and histogramdd and between count
bins and edge bins, with torch's messages (some name the other function: they come from code
the two share in torch). Arguments are parsed as torch's overload parser does, with its
TypeErrors. Results carry torch's NotImplemented grad_fn when an input requires grad: torch
defines no derivative for either function."""
import builtins as _builtins
import inspect as _inspect
import math as _math
import numbers as _numbers

from . import _C, _pynode
from ._C import Tensor
from ._dtype_names import c_type_name as _ctype, type_name as _legacy
from ._grad_mode import no_grad as _no_grad

__all__ = ["histogram", "histogramdd"]

# ---- argument parsing: torch's overloads and its parser's TypeErrors -------------------------
_OVERLOADS = {
    "histogram": (
        "(Tensor input, Tensor bins, *, Tensor weight = None, bool density = False, "
        "tuple of Tensors out = None)",
        "(Tensor input, int bins = 100, *, tuple of floats range = None, Tensor weight = None, "
        "bool density = False, tuple of Tensors out = None)"),
    "Tensor.histogram": (
        "(Tensor bins, *, Tensor weight = None, bool density = False)",
        "(int bins = 100, *, tuple of floats range = None, Tensor weight = None, "
        "bool density = False)"),
    "histogramdd": tuple(
        f"(Tensor input, {b} bins, tuple of floats range = None, Tensor weight = None, "
        "bool density = False)" for b in ("int", "tuple of ints", "tuple of Tensors")),
}


def _signature(positional, keyword_only=()):
    P = _inspect.Parameter
    return _inspect.Signature(
        [P(n, P.POSITIONAL_OR_KEYWORD, default=d) for n, d in positional]
        + [P(n, P.KEYWORD_ONLY, default=d) for n, d in keyword_only])


_REQUIRED = _inspect.Parameter.empty
_KW = (("range", None), ("weight", None), ("density", False))
_SIGNATURES = {
    "histogram": _signature((("input", _REQUIRED), ("bins", 100)), _KW + (("out", None),)),
    "Tensor.histogram": _signature((("self", _REQUIRED), ("bins", 100)), _KW),
    "histogramdd": _signature((("input", _REQUIRED), ("bins", _REQUIRED)) + _KW),
}


def _label(v):
    """How torch's parser names an argument's type ("Tensor", "int", "numpy.float64")."""
    if isinstance(v, Tensor):
        return "Tensor"
    t = type(v)
    mod = t.__module__
    if mod == "builtins":
        return t.__name__
    return f"torch.{t.__name__}" if mod.startswith("tapegrad") else f"{mod}.{t.__name__}"


def _invalid(key, args, kwargs):
    method = key.startswith("Tensor.")
    got = [_label(a) for a in args[int(method):]]
    got += [f"{k}={_label(v)}" for k, v in kwargs.items()]
    return TypeError(f"{key.rsplit('.', 1)[-1]}() received an invalid combination of arguments "
                     f"- got ({', '.join(got)}), but expected one of:\n"
                     + "".join(f" * {s}\n" for s in _OVERLOADS[key]))


def _is_index(v, first=True):
    """An int for torch's parser: a Python / numpy int (a bool only past a list's first
    element, which is what picks the overload) or a 0-d integer tensor."""
    if isinstance(v, Tensor):
        return v.dim() == 0 and not v.is_floating_point() and v.dtype != _C.bool
    return isinstance(v, _numbers.Integral) and not (first and isinstance(v, bool))


def _parse(key, args, kwargs):
    """The arguments by name, checked as torch's parser checks them (everything but bins)."""
    try:
        a = _SIGNATURES[key].bind(*args, **kwargs)
    except TypeError:
        raise _invalid(key, args, kwargs) from None
    a.apply_defaults()
    a = a.arguments
    if "self" in a:  # Tensor.histogram
        a["input"] = a.pop("self")
    if not isinstance(a["input"], Tensor) or not isinstance(a["density"], bool) or not (
            a["weight"] is None or isinstance(a["weight"], Tensor)):
        raise _invalid(key, args, kwargs)
    rng = a["range"]
    if rng is not None:
        if not isinstance(rng, (list, tuple)):
            raise _invalid(key, args, kwargs)
        for k, v in enumerate(rng):
            if not (isinstance(v, _numbers.Real) or (isinstance(v, Tensor) and v.numel() == 1)):
                raise TypeError(f"{key.rsplit('.', 1)[-1]}(): argument 'range' must be tuple of "
                                f"floats, but found element of type {_label(v)} at pos {k + 1}")
        a["range"] = [float(v) for v in rng]
    return a


def _histogramdd_bins(bins, args, kwargs):
    """("counts", [int, ...]) or ("edges", [Tensor, ...]) or, for one int, ("count", int)."""
    if _is_index(bins):
        return "count", int(bins)
    if not isinstance(bins, (list, tuple)):
        raise _invalid("histogramdd", args, kwargs)
    if not bins or _is_index(bins[0]):
        for v in bins:
            if not _is_index(v, first=False):
                raise TypeError("histogramdd(): argument 'bins' failed to unpack the object at "
                                f"pos 2 with error \"type must be tuple of ints,but got "
                                f"{_label(v)}\"")
        return "counts", [int(v) for v in bins]
    for k, v in enumerate(bins):
        if not isinstance(v, Tensor):
            raise TypeError(f"expected Tensor as element {k} in argument 1, but got {_label(v)}")
    return "edges", list(bins)


# ---- torch's checks, in the words of aten/src/ATen/native/Histogram.cpp ----------------------
def _g(v):
    return f"{v:g}"  # C++'s default formatting of a double (6 significant digits)


def _shape(t):
    return "[" + ", ".join(str(s) for s in t.shape) + "]"


def _check_inputs(input, edges, weight):
    """histogramdd_check_inputs: one 1-d, non-empty edge tensor of input's dtype per dimension,
    and a weight of input's dtype shaped as input without its last dimension."""
    n = input.shape[-1]
    if len(edges) != n:
        raise RuntimeError(f"torch.histogramdd: expected {n} sequences of bin edges for a "
                           f"{n}-dimensional histogram but got {len(edges)}")
    for d, e in enumerate(edges):
        if e.dtype != input.dtype:
            raise RuntimeError(f"torch.histogramdd: input tensor and bins tensors should have "
                               f"the same dtype, but got input with dtype {_ctype(input.dtype)} "
                               f"and bins for dimension {d} with dtype {_ctype(e.dtype)}")
        if e.dim() != 1:
            raise RuntimeError(f"torch.histogramdd: bins tensor should have one dimension, but "
                               f"got {e.dim()} dimensions in the bins tensor for dimension {d}")
        if e.numel() == 0:
            raise RuntimeError("torch.histogramdd: bins tensor should have at least 1 element, "
                               f"but got 0 elements in the bins tensor for dimension {d}")
    if weight is None:
        return
    if weight.dtype != input.dtype:
        raise RuntimeError(f"torch.histogramdd: if weight tensor is provided, input tensor and "
                           f"weight tensor should have the same dtype, but got "
                           f"input({_ctype(input.dtype)}), and weight({_ctype(weight.dtype)})")
    if list(input.shape[:-1]) != (list(weight.shape) or [1]):  # a 0-d weight counts as [1]
        raise RuntimeError("torch.histogramdd: if weight tensor is provided it should have the "
                           "same shape as the input tensor excluding its innermost dimension, "
                           f"but got input with shape {_shape(input)} and weight with shape "
                           f"{_shape(weight)}")


def _check_counts(counts):
    for d, c in enumerate(counts):
        if c <= 0:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {c} for "
                               f"dimension {d}")


def _check_kernel_dtype(input):
    if input.dtype not in (_C.float32, _C.float64, _C.float16, _C.bfloat16):
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for "
                                  f"'{_legacy(input.dtype)}'")


def _outer_edges(x2, rng):
    """select_outer_bin_edges: (lows, highs) per dimension from range, else from the data's
    min and max (0 and 1 for no data), an empty range widened by 0.5 each way (numpy's)."""
    n = x2.shape[1]
    lo, hi = [0.0] * n, [1.0] * n
    if rng is not None:
        if len(rng) != 2 * n:
            raise RuntimeError(f"torch.histogramdd: for a {n}-dimensional histogram range "
                               f"should have {2 * n} elements, but got {len(rng)}")
        lo, hi = list(rng[0::2]), list(rng[1::2])
    elif x2.numel() > 0:
        if x2.dtype not in (_C.float32, _C.float64):  # torch infers edges in these only
            raise NotImplementedError(f"\"histogramdd\" not implemented for "
                                      f"'{_legacy(x2.dtype)}'")
        lo, hi = x2.amin(0).tolist(), x2.amax(0).tolist()  # NaN propagates: refused below
    for d in _builtins.range(n):
        if not (_math.isfinite(lo[d]) and _math.isfinite(hi[d])):
            raise RuntimeError(f"torch.histogramdd: dimension {d}'s range [{_g(lo[d])}, "
                               f"{_g(hi[d])}] is not finite")
        if lo[d] > hi[d]:
            raise RuntimeError(f"torch.histogramdd: min should not exceed max, but got min "
                               f"{_g(lo[d])} max {_g(hi[d])} for dimension {d}")
        if lo[d] == hi[d]:
            lo[d], hi[d] = lo[d] - 0.5, hi[d] + 0.5
    return lo, hi


def _linear_edges(x2, lo, hi, counts):
    return [_linspace(a, b, c + 1, x2.dtype, x2.device) for a, b, c in zip(lo, hi, counts)]


def _linspace(start, end, steps, dtype, device):
    """torch's CPU linspace, bit for bit: it computes in the dtype itself, the first half as
    fma(step, i, start) and the second as fma(-step, steps - 1 - i, end) (its compiler fuses
    them), where tapegrad.linspace rounds once from double. An edge one ulp off moves a value
    that sits on it into the next bin, so the edges must be torch's."""
    import tapegrad as _tg
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    if steps <= 1 or not dtype.is_floating_point:  # (other dtypes fail the kernel's check)
        return _tg.linspace(start, end, steps, dtype=dtype, device=device)
    s = _tg.tensor(start, dtype=dtype, device=device)
    e = _tg.tensor(end, dtype=dtype, device=device)
    step = (e - s) / _tg.tensor(steps - 1, dtype=dtype, device=device)  # (C++ casts it)
    i = _tg.arange(steps, dtype=_C.float64, device=device)
    first_half = i < steps // 2
    k = _C.where(first_half, i, steps - 1 - i)  # whole numbers, exact in double
    if dtype in (_C.float16, _C.bfloat16):  # no fusing: c10::Half's operators round each step
        kk = k.to(dtype)
        return _C.where(first_half, s + step * kk, e - step * kk)
    st = _C.where(first_half, step, -step).to(_C.float64)
    base = _C.where(first_half, s, e).to(_C.float64)
    p = st * k
    if dtype == _C.float32:  # p is exact in double (24 + 29 bits): one more rounding is all
        return (p + base).to(dtype)
    # float64: fma from error-free transformations; Dekker's product error (k has < 27 bits,
    # so each partial product is exact), then Knuth's two-sum of p and base
    big = st * 134217729.0  # 2**27 + 1: splits st into two 26-bit halves
    hi_ = big - (big - st)
    err = (hi_ * k - p) + (st - hi_) * k
    total = p + base
    back = total - p
    tail = (p - (total - back)) + (base - back)
    return total + (tail + err)


# ---- the binning kernel ---------------------------------------------------------------------
def _upper_bound(edges, v, first, length, steps):
    """std::upper_bound(edges + first, edges + first + length, v) for every element of v,
    libstdc++'s loop run on all of them at once (elements whose range is exhausted stay)."""
    last = edges.numel() - 1
    for _ in _builtins.range(steps):
        half = length // 2
        mid = first + half
        active = length > 0
        # libstdc++ asks `v < *mid`, which `v >= *mid` is not where an edge is NaN
        right = active & ~(v < edges.take(mid.clamp(max=last)))
        first = _C.where(right, mid + 1, first)
        length = _C.where(active, _C.where(right, length - half - 1, half), length)
    return first


def _bin(x2, edges, weight, density, linear):
    """The histogram of the (M, N) points x2 over the N edge tensors (torch's
    histogramdd_cpu_contiguous); linear: the edges are equal-width (guess, then search)."""
    import tapegrad as _tg
    sizes = [e.numel() - 1 for e in edges]
    dtype, dev = x2.dtype, x2.device
    hist = _tg.zeros(_math.prod(sizes), dtype=dtype, device=dev)
    if x2.numel() > 0:  # torch's kernel returns at once for no data (or no dimensions)
        m = x2.shape[0]
        flat = _tg.zeros(m, dtype=_C.int64, device=dev)
        keep = _tg.ones(m, dtype=_C.bool, device=dev)
        for d, e in enumerate(edges):
            e = e.contiguous()
            n = e.numel()
            col = x2[:, d]
            lo, hi = e[0], e[n - 1]
            inside = (col >= lo) & (col <= hi)  # NaN is neither
            keep = keep & inside
            v = _C.where(inside, col, lo)  # the others get a harmless value; they are dropped
            if linear:
                # torch's guess, in input's dtype: (elt - lo) * (n - 1) / (hi - lo), truncated;
                # hi == lo (edges that collapsed in float) gives 0/0 there, taken as bin 0
                guess = ((v - lo) * (n - 1) / (hi - lo)).nan_to_num(0.0).to(_C.int64)
                guess = guess.clamp(0, n - 1)  # (an overflow, undefined in torch's C++)
                first = (guess - 1).clamp(min=0)
                length = (guess + 2).clamp(max=n) - first
                steps = 2  # a window of at most 3 edges
            else:
                first = _tg.zeros(m, dtype=_C.int64, device=dev)
                length = _tg.full((m,), n, dtype=_C.int64, device=dev)
                steps = n.bit_length()
            pos = (_upper_bound(e, v, first, length, steps) - 1).clamp(min=0)
            pos = _C.where(pos == n - 1, pos - 1, pos)  # the last bin keeps its right edge
            flat = flat * sizes[d] + pos
        w = (_tg.ones(m, dtype=dtype, device=dev) if weight is None
             else weight.reshape(m).to(dtype))
        hist.index_add_(0, flat[keep], w[keep])
    hist = hist.reshape(sizes)
    if density:
        hist = hist / hist.sum()
        for d, e in enumerate(edges):
            shape = [1] * len(edges)
            shape[d] = sizes[d]
            hist = hist / (e[1:] - e[:-1]).reshape(shape)
    return hist


def _no_derivative(op, output, inputs):
    """output as torch gives it: with a NotImplemented grad_fn when an input requires grad."""
    def backward(g):
        raise RuntimeError(f"derivative for aten::{op} is not implemented")
    return _pynode.record("torch::autograd::NotImplemented", backward, inputs, output,
                          cls_name="NotImplemented")


# ---- the functions --------------------------------------------------------------------------
def _histogram(key, args, kwargs):
    from .return_types import histogram as _result
    a = _parse(key, args, kwargs)
    input, bins, weight = a["input"], a["bins"], a["weight"]
    edge_bins = isinstance(bins, Tensor)
    if edge_bins and "range" in kwargs:  # only the count overload has range=
        raise _invalid(key, args, kwargs)
    if not edge_bins and not _is_index(bins):
        raise _invalid(key, args, kwargs)
    with _no_grad():
        x2 = input.detach().reshape(input.numel(), 1)
        w = None if weight is None else weight.detach().reshape(weight.numel())
        if edge_bins:  # histogramdd_out: the edges' checks, then the count's
            _check_inputs(x2, [bins], w)
            _check_counts([bins.numel() - 1])
            edges = bins.detach().clone()
        else:  # histogram_out_cpu: the count first, then the range and the edges' checks
            _check_counts([int(bins)])
            lo, hi = _outer_edges(x2, a["range"])
            edges = _linear_edges(x2, lo, hi, [int(bins)])[0]
            _check_inputs(x2, [edges], w)
        _check_kernel_dtype(x2)
        hist = _bin(x2, [edges], w, a["density"], linear=not edge_bins)
    inputs = [input, bins if edge_bins else None, weight]
    res = _result(_no_derivative("histogram", hist, inputs),
                  _no_derivative("histogram", edges, inputs))
    out = a.get("out")
    if out is not None:  # (tapegrad.histogram's out= wrapper handles it before we get here)
        from ._out_arg import write_out
        return write_out("histogram", res, out, (input, bins, weight))
    return res


def histogram(*args, **kwargs):
    """Counts (or weight sums) of input's values in bins: `bins` equal bins over range (the
    data's min..max by default) or the edges in a 1-d tensor. Returns (hist, bin_edges)."""
    return _histogram("histogram", args, kwargs)


def _tensor_histogram(*args, **kwargs):
    return _histogram("Tensor.histogram", args, kwargs)


def histogramdd(*args, **kwargs):
    """The histogram of the points in input's rows (its last dimension has their N
    coordinates): bins is one count for all dimensions, a count per dimension, or N edge
    tensors. Returns (hist, bin_edges), bin_edges a tuple of N tensors."""
    from .return_types import histogramdd as _result
    a = _parse("histogramdd", args, kwargs)
    input, weight = a["input"], a["weight"]
    kind, bins = _histogramdd_bins(a["bins"], args, kwargs)
    if kind == "count":  # torch repeats the count input.size(-1) times
        if input.dim() == 0:
            raise IndexError("Dimension specified as -1 but tensor has no dimensions")
        kind, bins = "counts", [bins] * input.shape[-1]
    if input.dim() < 2:
        raise RuntimeError("torch.histogramdd: input tensor should have at least 2 dimensions")
    with _no_grad():
        x2 = input.detach().reshape(_math.prod(input.shape[:-1]), input.shape[-1])
        w = None if weight is None else weight.detach()
        if kind == "edges":  # _histogramdd_from_bin_tensors
            edges = [b.detach() for b in bins]
            _check_inputs(input, edges, w)
            _check_counts([e.numel() - 1 for e in edges])
        else:  # _histogramdd_bin_edges, then _histogramdd_from_bin_cts
            lo, hi = _outer_edges(x2, a["range"])
            if len(bins) != x2.shape[1]:
                raise RuntimeError("histogramdd: The size of bins must be equal to the innermost "
                                   "dimension of the input.")
            edges = _linear_edges(x2, lo, hi, bins)
            _check_inputs(input, edges, w)
            _check_counts(bins)
        _check_kernel_dtype(input)
        hist = _bin(x2, edges, w, a["density"], linear=kind == "counts")
    if kind == "edges":  # torch hands back the caller's own edge tensors
        hist = _no_derivative("_histogramdd_from_bin_tensors", hist, [input, weight] + bins)
        return _result(hist, tuple(bins))
    hist = _no_derivative("_histogramdd_from_bin_cts", hist, [input, weight])
    edges = [_no_derivative("_histogramdd_bin_edges", e, [input, weight]) for e in edges]
    return _result(hist, tuple(edges))


histogram.__signature__ = _SIGNATURES["histogram"]
histogramdd.__signature__ = _SIGNATURES["histogramdd"]
_tensor_histogram.__signature__ = _SIGNATURES["Tensor.histogram"]
_tensor_histogram.__name__ = _tensor_histogram.__qualname__ = "histogram"
# they parse their arguments as torch does: _argcheck's generic checks would only differ
for _f in (histogram, histogramdd, _tensor_histogram):
    _f._tapegrad_argcheck = True
Tensor.histogram = _tensor_histogram
