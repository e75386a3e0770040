"""tapegrad.special: torch.special's names and signatures (helper S's block).

The functions that exist at the top level (erf, digamma, sigmoid as expit, lgamma as gammaln,
...) are re-exported; the others are compiled ops (lib/ops/special_ops.cpp) with torch's
grad_fn nodes, or, where torch gives no gradient (Bessel J/Y/K, Airy, the orthogonal
polynomials), results that never require grad. ``out=`` writes the result into a tensor of the
same shape (tapegrad does not resize out= tensors).
"""
import functools as _functools
import math as _math
import numbers as _numbers

from . import _C
from ._C import Tensor

__all__ = [
    "airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "chebyshev_polynomial_t",
    "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w", "digamma",
    "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1", "gammainc", "gammaincc",
    "gammaln", "hermite_polynomial_h", "hermite_polynomial_he", "i0", "i0e", "i1", "i1e",
    "laguerre_polynomial_l", "legendre_polynomial_p", "log1p", "log_ndtr", "log_softmax",
    "logit", "logsumexp", "modified_bessel_i0", "modified_bessel_i1", "modified_bessel_k0",
    "modified_bessel_k1", "multigammaln", "ndtr", "ndtri", "polygamma", "psi", "round",
    "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "shifted_chebyshev_polynomial_t",
    "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
    "shifted_chebyshev_polynomial_w", "sinc", "softmax", "spherical_bessel_j0", "xlog1py",
    "xlogy", "zeta",
]


def _type_name(x):
    return type(x).__name__


def _tensor(name, x, arg="input", pos=1):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be Tensor, "
                        f"not {_type_name(x)}")


def _write_out(name, result, out):
    if out is None:
        return result
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {_type_name(out)}")
    if tuple(out.shape) != tuple(result.shape):
        raise NotImplementedError(f"{name}(): out= has shape {list(out.shape)} but the result has "
                                  f"shape {list(result.shape)}; tapegrad does not resize out= "
                                  "tensors")
    return out.copy_(result)


def _unary(torch_name, fn):
    """fn(input) with torch's argument check and out=."""
    def f(input, *, out=None):
        _tensor(torch_name, input)
        return _write_out(torch_name, fn(input), out)
    return f


def _binary(torch_name, fn, numbers):
    """fn(input, other); numbers: which operands may be Python numbers ('self', 'other')."""
    def f(input, other, *, out=None):
        a_num = isinstance(input, _numbers.Number) and not isinstance(input, bool)
        b_num = isinstance(other, _numbers.Number) and not isinstance(other, bool)
        ok_a = isinstance(input, Tensor) or (a_num and "self" in numbers and not b_num)
        ok_b = isinstance(other, Tensor) or (b_num and "other" in numbers and not a_num)
        if not ok_a:
            _tensor(torch_name, input)
            raise TypeError(f"{torch_name}() received an invalid combination of arguments - got "
                            f"({_type_name(input)}, {_type_name(other)})")
        if not ok_b:
            _tensor(torch_name, other, "other", 2)
        return _write_out(torch_name, fn(input, other), out)
    return f


def _no_grad_unary(name):
    def f(input, *, out=None):
        _tensor(f"special_{name}", input)
        return _write_out(f"special_{name}", _C._special_no_grad(name, input), out)
    f.__name__ = name
    f.__doc__ = f"torch.special.{name} (no gradient, as torch's)."
    return f


def _polynomial(name):
    def f(input, n, *, out=None):
        full = f"special_{name}"
        if not isinstance(input, Tensor) and not isinstance(n, Tensor):
            raise TypeError(f"{full}() received an invalid combination of arguments - got "
                            f"({_type_name(input)}, {_type_name(n)})")
        return _write_out(full, _C._special_polynomial(name, input, n), out)
    f.__name__ = name
    f.__doc__ = f"torch.special.{name}(input, n) (no gradient; n truncated to an integer)."
    return f


# ---- aliases of top-level functions ----
erf = _unary("special_erf", _C.erf)
erfc = _unary("special_erfc", _C.erfc)
erfinv = _unary("special_erfinv", _C.erfinv)
expm1 = _unary("special_expm1", _C.expm1)
exp2 = _unary("special_exp2", _C.exp2)
log1p = _unary("special_log1p", _C.log1p)
expit = _unary("special_expit", _C.sigmoid)
gammaln = _unary("special_gammaln", _C.lgamma)
digamma = _unary("special_digamma", _C.digamma)
psi = _unary("special_psi", _C.digamma)
sinc = _unary("special_sinc", _C.sinc)


def round(input, *, decimals=0, out=None):  # noqa: A001
    _tensor("special_round", input)
    from . import round as _round
    return _write_out("special_round", _round(input, decimals=decimals), out)


def logit(input, eps=None, *, out=None):
    _tensor("special_logit", input)
    return _write_out("special_logit", _C.logit(input, eps), out)


def polygamma(n, input, *, out=None):
    _tensor("special_polygamma", input, "input", 2)
    return _write_out("special_polygamma", _C.polygamma(n, input), out)


def softmax(input, dim, *, dtype=None):
    return _C.softmax(input, dim, dtype)


def log_softmax(input, dim, *, dtype=None):
    return _C.log_softmax(input, dim, dtype)


def logsumexp(input, dim, keepdim=False, *, out=None):
    return _write_out("special_logsumexp", _C.logsumexp(input, dim, keepdim), out)


def xlogy(input, other, *, out=None):
    return _write_out("special_xlogy", _C.xlogy(input, other), out)


# ---- compiled ops with gradients ----
i0 = _unary("special_i0", _C.i0)
i0e = _unary("special_i0e", _C._special_i0e)
i1 = _unary("special_i1", _C._special_i1)
i1e = _unary("special_i1e", _C._special_i1e)
ndtri = _unary("special_ndtri", _C._special_ndtri)
log_ndtr = _unary("special_log_ndtr", _C._special_log_ndtr)
erfcx = _unary("special_erfcx", _C._special_erfcx)
entr = _unary("special_entr", _C._special_entr)
xlog1py = _binary("special_xlog1py", _C._special_xlog1py, ("self", "other"))
zeta = _binary("special_zeta", _C._special_zeta, ("self", "other"))
gammainc = _binary("special_gammainc", _C.igamma, ())
gammaincc = _binary("special_gammaincc", _C.igammac, ())


def ndtr(input, *, out=None):
    """The standard normal CDF, written as torch writes it: (1 + erf(x / sqrt(2))) * 0.5."""
    _tensor("special_ndtr", input)
    return _write_out("special_ndtr", (1 + _C.erf(input * _math.sqrt(0.5))) * 0.5, out)


def multigammaln(input, p, *, out=None):
    _tensor("special_multigammaln", input)
    return _write_out("special_multigammaln", _C.mvlgamma(input, p), out)


# ---- no gradient in torch ----
bessel_j0 = _no_grad_unary("bessel_j0")
bessel_j1 = _no_grad_unary("bessel_j1")
bessel_y0 = _no_grad_unary("bessel_y0")
bessel_y1 = _no_grad_unary("bessel_y1")
modified_bessel_i0 = _no_grad_unary("modified_bessel_i0")
modified_bessel_i1 = _no_grad_unary("modified_bessel_i1")
modified_bessel_k0 = _no_grad_unary("modified_bessel_k0")
modified_bessel_k1 = _no_grad_unary("modified_bessel_k1")
scaled_modified_bessel_k0 = _no_grad_unary("scaled_modified_bessel_k0")
scaled_modified_bessel_k1 = _no_grad_unary("scaled_modified_bessel_k1")
spherical_bessel_j0 = _no_grad_unary("spherical_bessel_j0")
airy_ai = _no_grad_unary("airy_ai")
chebyshev_polynomial_t = _polynomial("chebyshev_polynomial_t")
chebyshev_polynomial_u = _polynomial("chebyshev_polynomial_u")
chebyshev_polynomial_v = _polynomial("chebyshev_polynomial_v")
chebyshev_polynomial_w = _polynomial("chebyshev_polynomial_w")
shifted_chebyshev_polynomial_t = _polynomial("shifted_chebyshev_polynomial_t")
shifted_chebyshev_polynomial_u = _polynomial("shifted_chebyshev_polynomial_u")
shifted_chebyshev_polynomial_v = _polynomial("shifted_chebyshev_polynomial_v")
shifted_chebyshev_polynomial_w = _polynomial("shifted_chebyshev_polynomial_w")
hermite_polynomial_h = _polynomial("hermite_polynomial_h")
hermite_polynomial_he = _polynomial("hermite_polynomial_he")
laguerre_polynomial_l = _polynomial("laguerre_polynomial_l")
legendre_polynomial_p = _polynomial("legendre_polynomial_p")

for _name in __all__:
    _f = globals()[_name]
    if getattr(_f, "__name__", _name) in ("f", "<lambda>"):
        _f.__name__ = _name
        _f.__qualname__ = _name
del _name, _f, _functools
