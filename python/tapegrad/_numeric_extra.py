"""torch's numeric helpers composed in Python: trapezoid / trapz / cumulative_trapezoid,
gradient, vander, combinations, renorm, ldexp, frexp, nextafter, unravel_index (histogram is in
_histogram.py, with histogramdd).

Where torch composes an op from other ops, the same ops run here in the same order, so the graph
(and the output's grad_fn) is torch's: trapezoid's DivBackward1 / MulBackward1 are scalar
products (`_scalar_node`), vander's CopySlices and FlipBackward0 come from the same in-place
writes. Where torch records one node (RenormBackward0, LdexpBackward0, FrexpBackward0) the
composite is recorded under that name (_pynode.composite)."""
import builtins as _builtins
from collections.abc import Sequence as _Sequence

from . import _C, _pynode
from ._C import Tensor
from ._grad_mode import no_grad as _no_grad
from ._tensor_aliases import apply_inplace as _apply_inplace

__all__ = ["trapezoid", "trapz", "cumulative_trapezoid", "gradient", "vander", "combinations",
           "renorm", "ldexp", "frexp", "nextafter", "unravel_index"]

_DTYPE_NAMES = {_C.int64: "Long", _C.int32: "Int", _C.int16: "Short", _C.int8: "Char",
                _C.uint8: "Byte", _C.bool: "Bool"}


def _wrap(dim, n):
    m = max(n, 1)
    if n == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    if not -m <= dim < m:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-m}, {m - 1}], "
                         f"but got {dim})")
    return dim % m


def _scalar_node(op, t, s):
    """t * s or t / s for a number s, recorded as torch's Scalar overloads (MulBackward1,
    DivBackward1: what torch's own C++ compositions show)."""
    name = "MulBackward1" if op == "mul" else "DivBackward1"
    with _no_grad():
        out = t * s if op == "mul" else t / s
    if not out.is_floating_point():
        return out
    return _pynode.record(name, lambda g: [g * s if op == "mul" else g / s], [t], out,
                          {"other": s})


def _slice(t, dim, start, end=None):
    return t[(slice(None),) * dim + (slice(start, end),)]


def _zeros_except(y, dim):
    shape = list(y.shape)
    del shape[dim]
    dtype = y.dtype if y.is_floating_point() else _C.get_default_dtype()
    return _C._full(shape, 0, y.dtype if y.dtype != _C.bool else dtype, y._device_str)


def _check_bool(name, *ts):
    if any(t.dtype == _C.bool for t in ts):
        which = "`x` or `y`" if len(ts) > 1 else "`y`"
        raise RuntimeError(f"{name}: received a bool input for {which}, but bool is not "
                           "supported")


def _check_dx(name, dx):
    if isinstance(dx, (_builtins.bool, complex)):
        raise RuntimeError(f"{name}: Currently, we only support dx as a real number.")


def _x_diff(name, y, x, dim):
    if x.dim() == 1:
        if x.shape[0] != y.shape[dim]:
            raise RuntimeError(f"{name}: There must be one `x` value for each sample point")
        shape = [1] * y.dim()
        shape[dim] = x.shape[0]
        xv = x.view(shape)
    elif x.dim() < y.dim():
        xv = x.view([1] * (y.dim() - x.dim()) + list(x.shape))
    else:
        xv = x
    return _slice(xv, dim, 1) - _slice(xv, dim, 0, -1)


def _args(name, y, x, dx):
    if x is not None and dx is not None:
        raise TypeError(f"{name}() received an invalid combination of arguments - got (Tensor, "
                        "Tensor, dx=...), but expected one of:\n * (Tensor y, Tensor x, *, int "
                        "dim = -1)\n * (Tensor y, *, Number dx = 1, int dim = -1)\n")
    if x is not None and not isinstance(x, Tensor):
        dx, x = x, None  # trapz(y, 2.0): a number in x's place is the spacing
    return x, 1 if dx is None else dx


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The trapezoidal rule along dim, with sample points x or a constant spacing dx."""
    x, dx = _args("trapezoid", y, x, dx)
    dim = _wrap(dim, y.dim())
    if y.shape[dim] == 0:
        return _zeros_except(y, dim)
    if x is not None:
        _check_bool("trapezoid", y, x)
        d = _x_diff("trapezoid", y, x, dim)
        return _scalar_node("div", ((_slice(y, dim, 0, -1) + _slice(y, dim, 1)) * d).sum(dim),
                            2.)
    _check_bool("trapezoid", y)
    _check_dx("trapezoid", dx)
    ends = _scalar_node("mul", y.select(dim, 0) + y.select(dim, -1), 0.5)
    return _scalar_node("mul", y.sum(dim) - ends, _builtins.float(dx))


def trapz(y, x=None, *, dx=None, dim=-1):
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """The running trapezoidal integral along dim (one fewer element than y there)."""
    x, dx = _args("cumulative_trapezoid", y, x, dx)
    dim = _wrap(dim, y.dim())
    sums = _slice(y, dim, 0, -1) + _slice(y, dim, 1)
    if x is not None:
        _check_bool("cumulative_trapezoid", y, x)
        d = _x_diff("cumulative_trapezoid", y, x, dim)
        return _scalar_node("div", (sums * d).cumsum(dim), 2.)
    _check_bool("cumulative_trapezoid", y)
    _check_dx("cumulative_trapezoid", dx)
    return _scalar_node("mul", sums, _builtins.float(dx) / 2.).cumsum(dim)


# ---- gradient ----------------------------------------------------------------------------------
def _gradient_uniform(a, dim, h, edge_order):
    # torch's order of operations (its slices written with negative bounds, as its nodes show)
    def s(lo, hi=None):
        return _slice(a, dim, lo, hi)

    def div(t, d):
        return _scalar_node("div", t, d)

    def mul(t, f):
        return _scalar_node("mul", t, f)
    center = div(s(2) - s(0, -2), h)
    if edge_order == 1:
        first = div(s(1, 2) - s(0, 1), h)
        last = div(s(-1) - s(-2, -1), h)
    else:
        first = div(mul(s(0, 1), -1.5) + mul(s(1, 2), 2) - mul(s(2, 3), 0.5), h)
        last = div(mul(s(-3, -2), 0.5) - mul(s(-2, -1), 2) + mul(s(-1), 1.5), h)
    return _C.cat([first, div(center, 2), last], dim)


def _gradient_coords(a, dim, x, edge_order):
    # non-uniform samples: the second-order accurate central formula, one-sided at the ends
    n = a.shape[dim]
    shape = [1] * a.dim()
    shape[dim] = n - 2 if n > 2 else 0
    dx = x[1:] - x[:-1]
    dx1, dx2 = dx[:-1].reshape(shape), dx[1:].reshape(shape)
    ca = -dx2 / (dx1 * (dx1 + dx2))
    cb = (dx2 - dx1) / (dx1 * dx2)
    cc = dx1 / (dx2 * (dx1 + dx2))

    def s(lo, hi=None):
        return _slice(a, dim, lo, hi)
    inner = ca * s(0, n - 2) + cb * s(1, n - 1) + cc * s(2)
    if edge_order == 1:
        first = (s(1, 2) - s(0, 1)) / dx[0]
        last = (s(n - 1, n) - s(n - 2, n - 1)) / dx[-1]
    else:
        d1, d2 = dx[0], dx[1]
        first = (-(2. * d1 + d2) / (d1 * (d1 + d2)) * s(0, 1) + (d1 + d2) / (d1 * d2) * s(1, 2)
                 - d1 / (d2 * (d1 + d2)) * s(2, 3))
        d1, d2 = dx[-2], dx[-1]
        last = (d2 / (d1 * (d1 + d2)) * s(n - 3, n - 2) - (d2 + d1) / (d1 * d2) * s(n - 2, n - 1)
                + (2. * d2 + d1) / (d2 * (d1 + d2)) * s(n - 1, n))
    return _C.cat([first, inner, last], dim)


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """Estimates of the derivative along each dim (second-order central differences inside,
    first- or second-order one-sided at the edges), one tensor per dim."""
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    if dim is None:
        dims = list(range(input.dim()))
    elif isinstance(dim, int):
        dims = [_wrap(dim, input.dim())]
    else:
        dims = [_wrap(d, input.dim()) for d in dim]
    for k, d in enumerate(dims):
        if d in dims[:k]:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    if spacing is None:  # torch: None is unit spacing
        spacing = 1
    if isinstance(spacing, (list, tuple)):
        if len(spacing) != len(dims) and dim is None:
            raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar, or "
                               f"a list of length equal to 'self.dim() = {input.dim()}', since dim "
                               f"argument was not given, but got a list of length "
                               f"{len(spacing)}")
        if len(spacing) != len(dims):
            raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar or "
                               f"it's spacing and dim arguments to have the same length, but got "
                               f"a spacing argument of length {len(spacing)} and a dim argument "
                               f"of length {len(dims)}.")
        spacings = list(spacing)
    else:
        spacings = [spacing] * len(dims)
    for d in dims:
        if input.shape[d] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least "
                               "edge_order+1")
    if input.dtype == _C.bool and dims:  # torch's differences subtract in the input's dtype
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    a = input if input.is_floating_point() else input.to(_C.get_default_dtype())
    out = []
    for d, h in zip(dims, spacings):
        if isinstance(h, Tensor) and h.dim() == 1:
            out.append(_gradient_coords(a, d, h, edge_order))
        else:
            h = _builtins.float(h.item() if isinstance(h, Tensor) else h)
            out.append(_gradient_uniform(a, d, h, edge_order))
    return tuple(out)


# ---- vander, combinations ------------------------------------------------------------------
def vander(x, N=None, increasing=False):
    """Columns x^0 .. x^(N-1) (decreasing powers unless increasing), as torch builds it:
    ones, x written into columns 1.., their cumulative product, then a flip."""
    if x.dim() != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    dtype = x.dtype if x.is_floating_point() else _C.int64
    result = _C._full([x.shape[0], n], 0, dtype, x._device_str)
    if n > 0:
        result.fill_(1)
        if n > 1:
            result[:, 1:].copy_(x.unsqueeze(1))
            result[:, 1:].copy_(result[:, 1:].cumprod(1))
    return result if increasing else result.flip([1])


def combinations(input, r=2, with_replacement=False):
    """All length-r combinations of the elements of a 1-D tensor (itertools' order)."""
    if input.dim() != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return _C._full([0], 0, input.dtype, input._device_str)
    n = input.numel()
    import tapegrad as _tg
    grids = _tg.meshgrid(*([input] * r), indexing="ij")
    idx = _tg.arange(n, device=input.device)
    mask = None
    for k in range(r - 1):  # i_k < i_(k+1) (<= with replacement) along every pair of axes
        shape_a, shape_b = [1] * r, [1] * r
        shape_a[k], shape_b[k + 1] = n, n
        a, b = idx.reshape(shape_a), idx.reshape(shape_b)
        m = (a <= b) if with_replacement else (a < b)
        mask = m if mask is None else mask & m
    if mask is None:
        mask = _C._full([n], 1, _C.bool, input._device_str)
    mask = mask.expand([n] * r)
    return _C.stack([g.masked_select(mask) for g in grids], 1)


# ---- renorm, ldexp, frexp, nextafter -------------------------------------------------------
def _renorm_value(x, p, dim, maxnorm):
    import tapegrad as _tg
    other = [d for d in range(x.dim()) if d != dim]
    norms = x.abs().pow(p).sum(other, keepdim=True).pow(1.0 / p) if other else x.abs()
    if p == 2 and other:
        norms = (x * x).sum(other, keepdim=True).sqrt()
    if p == float("inf") and other:  # |x|**inf overflows: the inf-norm is the largest |x|
        norms = x.abs().amax(other, keepdim=True)
    factor = _C.where(norms > maxnorm, maxnorm / (norms + 1e-7), _tg.ones_like(norms))
    return x * factor


def renorm(input, p, dim, maxnorm):
    """Each slice along dim rescaled to p-norm at most maxnorm (torch's 1e-7 guard)."""
    if not input.is_floating_point():
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_DTYPE_NAMES.get(input.dtype, input.dtype)}")
    if input.dim() <= 1:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {input.dim()} "
                           "dimensions")
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm:g}")
    d = _wrap(dim, input.dim())
    return _pynode.composite("RenormBackward0",
                             lambda x: _renorm_value(x, p, d, maxnorm), [input],
                             {"dim": dim & 0xFFFF_FFFF_FFFF_FFFF, "maxnorm": maxnorm, "p": p,
                              "self": input})


def _renorm_(self, p, dim, maxnorm):
    return _apply_inplace(self, lambda old: renorm(old, p, dim, maxnorm))


def ldexp(input, other, *, out=None):
    """input * 2 ** other (a float result for integer inputs)."""
    if out is not None:
        raise NotImplementedError("ldexp(out=...) is not supported by tapegrad")
    if not isinstance(other, Tensor):
        raise TypeError(f"ldexp(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")
    if isinstance(input, Tensor) and input.is_floating_point() and other.dtype == _C.bool:
        # torch's float-input kernel has no case for a bool exponent (its composite path, for
        # integer inputs, takes one)
        raise NotImplementedError("\"ldexp_cpu_exp\" not implemented for 'Bool'")

    def f(a, b):
        return a * _C.pow(2.0, b.to(_C.float64) if not b.is_floating_point() else b).to(
            _C.result_type(a, b) if (a.is_floating_point() or b.is_floating_point())
            else _C.get_default_dtype())
    def saved(out):
        return {"other": other, "result": out.detach()}
    if other.is_floating_point():
        return _pynode.composite("LdexpBackward0", f, [input, other], saved)
    with _no_grad():
        out = f(input, other)
    # torch's input gradient for integer exponents is grad * 2 ** other in integer arithmetic:
    # 0 where other < 0 (kept, so gradients agree with torch's)
    return _pynode.record(
        "LdexpBackward0",
        lambda g: [g * _C.where(other >= 0, _C.pow(2.0, other.to(g.dtype)),
                                _C.pow(2.0, other.to(g.dtype)) * 0), None],
        [input, other], out, saved(out))


def _ldexp_(self, other):
    return _apply_inplace(self, lambda old: ldexp(old, other), other)


def frexp(input, *, out=None):
    """(mantissa, exponent) with input = mantissa * 2 ** exponent, |mantissa| in [0.5, 1)."""
    import numpy as np
    import tapegrad as _tg
    from .return_types import frexp as _frexp_t
    if out is not None:
        raise NotImplementedError("frexp(out=...) is not supported by tapegrad")
    if not input.is_floating_point():
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    with _no_grad():
        # bfloat16 (which numpy lacks) goes through float32: both parts are exact there
        bf16 = input.dtype == _C.bfloat16
        arr = (input.detach().float() if bf16 else input.detach()).cpu().contiguous().numpy()
        m, e = np.frexp(arr)
        mant = _tg.from_numpy(np.ascontiguousarray(m)).clone() if arr.ndim else \
            _C.tensor(float(m), dtype=input.dtype)
        if bf16:
            mant = mant.to(_C.bfloat16)
        expo = _tg.from_numpy(np.ascontiguousarray(e.astype(np.int32))).clone() if arr.ndim \
            else _C.tensor(int(e), dtype=_C.int32)
        if input.is_cuda:  # computed on the host (numpy); both parts live on input's device
            mant, expo = mant.to(input.device), expo.to(input.device)
    exp_saved = expo
    mant = _pynode.record("FrexpBackward0",
                          lambda g: [g / _C.pow(2.0, exp_saved.to(g.dtype))], [input], mant,
                          {"exponent": exp_saved})
    return _frexp_t(mant, expo)


def _nextafter_bf16(input, other):
    """nextafter in bfloat16 (numpy has no such dtype): a bfloat16 is the top 16 bits of its
    float32 value, so step those bits as a sign-magnitude integer."""
    import numpy as np
    import tapegrad as _tg
    a, b = np.broadcast_arrays(input.detach().float().cpu().contiguous().numpy(),
                               other.float().cpu().contiguous().numpy())
    a, b = np.array(a, dtype=np.float32), np.array(b, dtype=np.float32)
    bits = (np.atleast_1d(a).view(np.uint32) >> 16).astype(np.int64)
    a1, b1 = np.atleast_1d(a), np.atleast_1d(b)
    up = (b1 > a1) == (a1 > 0)  # away from zero when moving towards b's side of a
    step = np.where(up, 1, -1)
    out_bits = np.where(a1 == 0, np.where(np.signbit(b1), 0x8001, 0x0001), bits + step)
    r = ((out_bits.astype(np.uint32) & 0xFFFF) << 16).view(np.float32)
    r = np.where(a1 == b1, b1, r)
    r = np.where(np.isnan(a1) | np.isnan(b1), np.float32("nan"), r)
    r = np.array(r.reshape(a.shape), dtype=np.float32)
    return _tg.from_numpy(r).to(_C.bfloat16).to(input.device)


def nextafter(input, other, *, out=None):
    """The next representable value after input towards other (elementwise), in the two
    tensors' promoted dtype (torch's binary-op promotion: nextafter(half, float) is float32);
    a bool or integer promoted dtype is refused, as torch's kernel refuses it."""
    import numpy as np
    import tapegrad as _tg
    if out is not None:
        raise NotImplementedError("nextafter(out=...) is not supported by tapegrad")
    input.dtype, other.dtype  # a non-tensor: the AttributeError _argcheck words as torch does
    if input.shape != other.shape:  # torch's broadcast error (shapes before dtypes, as torch)
        input.detach().new_zeros(()).expand(input.shape) + \
            other.detach().new_zeros(()).expand(other.shape)
    dtype = _tg.result_type(input, other)
    if not dtype.is_floating_point:
        raise NotImplementedError(f"\"nextafter_cpu\" not implemented for "
                                  f"'{_DTYPE_NAMES.get(dtype, dtype)}'")
    a_t, b_t = input.detach().to(dtype), other.detach().to(dtype)
    if dtype == _C.bfloat16:
        res = _nextafter_bf16(a_t, b_t)
    else:
        a = a_t.cpu().contiguous().numpy()
        b = b_t.cpu().contiguous().numpy()
        r = np.nextafter(a, b)
        # np.array(...) copies into a C-contiguous array and keeps a 0-d result 0-d
        # (np.ascontiguousarray would make it 1-d)
        res = _tg.from_numpy(np.array(r, dtype=a.dtype))
    if res.device != input.device:
        res = res.to(input.device)

    def backward(g):
        # torch: the result moves with input (gradient 1, 0 where input == other and the
        # result is other itself), not with other (gradient 0)
        gi = g * (a_t != b_t)
        gi = gi.sum_to_size(input.shape) if tuple(gi.shape) != tuple(input.shape) else gi
        if gi.dtype != input.dtype:
            gi = gi.to(input.dtype)
        return [gi, _tg.zeros_like(other)]
    return _pynode.record("NextafterBackward0", backward, [input, other], res)


# ---- unravel_index ------------------------------------------------------------------------
def unravel_index(indices, shape):
    """The coordinates of flat indices in a tensor of `shape` (one tensor per dim)."""
    if isinstance(indices, _builtins.int):
        indices = _C.tensor(indices)
    if not isinstance(indices, Tensor):
        raise TypeError(f"expected 'indices' to be integer dtype, but got "
                        f"{type(indices).__name__}")
    if indices.is_floating_point() or indices.dtype == _C.bool:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    if isinstance(shape, _builtins.int):
        shape = (shape,)
    elif isinstance(shape, _Sequence):  # torch's own checks (a str is a sequence of strs)
        for s in shape:
            if not isinstance(s, _builtins.int):
                raise TypeError("expected 'shape' sequence to only contain ints, but got "
                                f"{type(s)}")
    else:
        raise TypeError(f"expected 'shape' to be int or sequence of ints, but got {type(shape)}")
    shape = tuple(int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError("'shape' cannot have negative values, but got "
                         f"{tuple(shape)}")
    if 0 in shape:
        raise RuntimeError("ZeroDivisionError")
    idx = indices.to(_C.int64)
    out = []
    for s in reversed(shape):  # floor division and modulo: out-of-range indices wrap, as torch
        out.append(idx.remainder(s))
        idx = idx // s
    return tuple(reversed(out))


Tensor.renorm = renorm
Tensor.renorm_ = _renorm_
Tensor.ldexp = ldexp
Tensor.ldexp_ = _ldexp_
Tensor.frexp = frexp
Tensor.nextafter = nextafter
Tensor.nextafter_ = lambda self, other: self.copy_(nextafter(self, other))
