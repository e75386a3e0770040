"""tapegrad.linalg's compositions: matrix_norm, pinv, matrix_rank, cond, lstsq, matrix_power,
matrix_exp, multi_dot, vecdot, diagonal, vander, tensorinv, tensorsolve. They reuse the
decompositions (_linalg_decomp / _linalg_spectral) and ordinary differentiable ops, as torch
composes most of them; pinv and matrix_exp have their own Functions (torch's grad_fn names)."""
import builtins as _builtins
import math as _math

from . import return_types as _rt
from ._linalg_core import (back, check_cpu, check_dtype, check_matrix, check_tensor, f64,
                           grad_on, is_int, named, save_attrs, type_name)
from ._linalg_decomp import inv, inv_ex, solve
from ._linalg_spectral import _Eigh, _Svd, svdvals
from .autograd.function import Function

__all__ = ["matrix_norm", "pinv", "matrix_rank", "cond", "lstsq", "matrix_power", "matrix_exp",
           "multi_dot", "vecdot", "diagonal", "vander", "tensorinv", "tensorsolve"]

_INF = float("inf")


def _eps(dtype):
    from . import float32
    return 1.1920928955078125e-07 if dtype == float32 else 2.220446049250313e-16


# ---- norms ----

def _wrap_dim(d, nd):
    """torch's maybe_wrap_dim: d in [-nd, nd) (a 0-d tensor counts as 1-d), else IndexError."""
    n = _builtins.max(nd, 1)
    if not -n <= d < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {d})")
    return d % n if nd else d


def _norm_dims(A, dim, fname="linalg.matrix_norm"):
    if isinstance(dim, _builtins.int) or len(dim) != 2:
        raise RuntimeError(f"{fname}: dim must be a 2-tuple. Got "
                           f"{dim if isinstance(dim, _builtins.int) else ' '.join(map(str, dim))}")
    d0, d1 = (_wrap_dim(d, A.dim()) for d in dim)
    if d0 == d1:
        raise RuntimeError(f"{fname}: dims must be different. Got ({dim[0]}, {dim[1]})")
    return d0, d1


def _spectral(A, d0, d1, keepdim, reduce):
    s = svdvals(A.movedim((d0, d1), (-2, -1)))
    if not keepdim:
        return getattr(s, reduce)(-1)
    # torch keeps the two dims at the end and moves them back
    return getattr(s, reduce)(-1, True).unsqueeze(-1).movedim((-2, -1), (d0, d1))


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """linalg.matrix_norm(A, ord='fro', dim=(-2, -1), keepdim=False, *, dtype=None)."""
    if out is not None:
        raise NotImplementedError("tapegrad.linalg.matrix_norm: out= is not supported")
    from .linalg import vector_norm
    check_tensor(A, "linalg_matrix_norm")
    if A.dim() < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    low = type_name(A.dtype) in ("Half", "BFloat16")
    if not low:
        check_dtype(A, "linalg.matrix_norm", "linalg_matrix_norm")
    d0, d1 = _norm_dims(A, dim)
    # half/bfloat16: the entrywise norms (fro, +-1, +-inf) run as in torch; the singular-value
    # ones (nuc, +-2) raise torch's low-precision error
    if low and (ord == "nuc" or (not isinstance(ord, (str, _builtins.bool)) and abs(ord) == 2)):
        raise RuntimeError("linalg.matrix_norm: Low precision dtypes not supported. Got "
                           f"{type_name(A.dtype)}")
    if dtype is not None:
        A = A.to(dtype)
    if isinstance(ord, str):
        if ord == "fro":
            return vector_norm(A, 2, (d0, d1), keepdim)
        if ord == "nuc":
            check_cpu(A, "linalg.matrix_norm")
            return _spectral(A, d0, d1, keepdim, "sum")
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if isinstance(ord, _builtins.bool) or abs(ord) not in (1, 2, _INF):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if ord > 0 and A.numel() == 0:
        # torch: the positive (max-type) norms of an empty matrix are 0 (the negative ones
        # raise from amin below); the Frobenius norm gives those zeros, shape and graph
        return vector_norm(A, 2, (d0, d1), keepdim)
    if abs(ord) == 2:
        check_cpu(A, "linalg.matrix_norm")
        return _spectral(A, d0, d1, keepdim, "amax" if ord > 0 else "amin")
    if abs(ord) == _INF:
        d0, d1 = d1, d0
    if not keepdim and d0 < d1:
        d1 -= 1
    sums = vector_norm(A, 1, (d0,), keepdim)
    return sums.amax(d1, keepdim) if ord > 0 else sums.amin(d1, keepdim)


# ---- pseudo-inverse, rank, condition number ----

def _tolerance(S_max, m, n, dtype, atol, rtol):
    """torch's max(atol, rtol * sigma_max), with rtol = eps * max(m, n) when both are None."""
    if rtol is None:
        rtol = _eps(dtype) * _builtins.max(m, n) if atol is None else 0.0
    if atol is None:
        atol = 0.0
    from . import maximum, tensor
    t_r = rtol * S_max if not hasattr(rtol, "shape") else rtol.unsqueeze(-1) * S_max
    t_a = atol if hasattr(atol, "shape") else tensor(atol, dtype=S_max.dtype)
    if hasattr(atol, "shape"):
        t_a = atol.unsqueeze(-1)
    return maximum(t_r, t_a)


def _pinv_value(A, atol, rtol, hermitian):
    from . import where, zeros
    m, n = A.size(-2), A.size(-1)
    if A.numel() == 0:
        return zeros(tuple(A.shape[:-2]) + (n, m), dtype=A.dtype)
    if hermitian:
        w, V = _Eigh.apply(A, True)
        tol = _tolerance(w.abs().amax(-1, True), m, n, A.dtype, atol, rtol)
        w_inv = where(w.abs() > tol, 1 / w, 0.0)
        return (V * w_inv.unsqueeze(-2)) @ V.mT
    U, S, Vh = _Svd.apply(A, False)
    tol = _tolerance(S[..., :1], m, n, A.dtype, atol, rtol)
    s_inv = where(S > tol, 1 / S, 0.0)
    return (Vh.mT * s_inv.unsqueeze(-2)) @ U.mT


@named("LinalgPinvBackward0")
class _Pinv(Function):
    @staticmethod
    def forward(ctx, A, atol, rtol, hermitian):
        P = _pinv_value(A, atol, rtol, hermitian)
        ctx.save_for_backward(A, P)
        ctx.args = (atol, rtol, hermitian)
        save_attrs(ctx, result=P, self=A)
        return P

    @staticmethod
    def backward(ctx, g):
        A, P = ctx.saved_tensors
        if grad_on():
            P = _Pinv.apply(A, *ctx.args)
        return _pinv_grad(A, P, g), None, None, None


def _pinv_grad(A, P, g):
    """d(A+) = -A+ dA A+ + A+ A+^T dA^T (I - A A+) + (I - A+ A) dA^T A+^T A+ (Golub-Pereyra),
    transposed into the gradient on A for the gradient g on A+."""
    from . import eye
    m, n = A.size(-2), A.size(-1)
    gA = -(P.mT @ g @ P.mT)
    gA = gA + (eye(m, dtype=A.dtype) - A @ P) @ g.mT @ (P @ P.mT)
    return gA + (P.mT @ P) @ g.mT @ (eye(n, dtype=A.dtype) - P @ A)


@named("LinalgLstsqBackward0")
class _Lstsq(Function):
    """(solution, residuals); torch's node differentiates the solution only."""

    @staticmethod
    def forward(ctx, A, B, rtol, vector, want_residuals):
        from . import empty
        b = B.unsqueeze(-1) if vector else B
        x = _pinv_value(A, None, rtol, False) @ b
        residuals = empty(0, dtype=A.dtype)
        if want_residuals:
            r = A @ x - b
            residuals = (r * r).sum(-2)
            residuals = residuals.squeeze(-1) if vector else residuals
        x = x.squeeze(-1) if vector else x.mT.contiguous().mT  # column-major, as torch's
        ctx.save_for_backward(A, B)
        ctx.args = (rtol, vector, want_residuals)
        save_attrs(ctx, b=B, self=A, solution=x)
        return x, residuals

    @staticmethod
    def backward(ctx, g, g_res):
        A, B = ctx.saved_tensors
        rtol, vector, want_residuals = ctx.args
        P = _Pinv.apply(A, None, rtol, False) if grad_on() else _pinv_value(A, None, rtol, False)
        b = B.unsqueeze(-1) if vector else B
        gx = g.unsqueeze(-1) if vector else g
        gB = P.mT @ gx
        gA = _pinv_grad(A, P, gx @ b.mT)
        if want_residuals:
            # residuals = |A x - b|^2 at the minimiser (A^T r = 0, full column rank): only the
            # explicit dependence on A and b remains
            x = P @ b
            r = A @ x - b
            gr = 2 * r * (g_res.unsqueeze(-1) if vector else g_res).unsqueeze(-2)
            gA = gA + gr @ x.mT
            gB = gB - gr
        gB = gB.squeeze(-1) if vector else gB
        return (gA.sum_to_size(tuple(A.shape)), gB.sum_to_size(tuple(B.shape)), None, None,
                None)


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """linalg.pinv(A, *, atol=None, rtol=None, hermitian=False)."""
    if out is not None:
        raise NotImplementedError("tapegrad.linalg.pinv: out= is not supported")
    check_tensor(A, "linalg_pinv")
    if A.dim() < 2 or type_name(A.dtype) not in ("Float", "Double"):
        raise RuntimeError(f"linalg.pinv({type_name(A.dtype)}{{{list(A.shape)}}}): expected a "
                           "tensor with 2 or more dimensions of float, double, cfloat or "
                           "cdouble types")
    check_cpu(A, "linalg.pinv")
    return _Pinv.apply(A, atol, rtol, bool(hermitian))


def _torch_pinverse(A, rcond=1e-15):
    """torch.pinverse(A, rcond=1e-15)."""
    return pinv(A, rtol=rcond)


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, tol=None, out=None):
    """linalg.matrix_rank(A, *, atol=None, rtol=None, hermitian=False): int64 ranks."""
    if out is not None:
        raise NotImplementedError("tapegrad.linalg.matrix_rank: out= is not supported")
    from . import int64, zeros
    check_tensor(A, "linalg_matrix_rank")
    if A.dim() < 2:
        raise RuntimeError("torch.linalg.matrix_rank: The input tensor input must have at least "
                           "2 dimensions.")
    name = type_name(A.dtype)
    if name not in ("Float", "Double"):
        # torch: an explicit rtol (or tol) goes straight to the decomposition, whose check speaks
        if (rtol is not None or tol is not None) and (hermitian or name in ("Half", "BFloat16")):
            kernel = "linalg_eigh_cpu" if hermitian else "linalg_svd_cpu"
            raise NotImplementedError(f'"{kernel}" not implemented for \'{name}\'')
        if rtol is not None or tol is not None:
            raise RuntimeError(f"linalg.svd: Expected a floating point or complex tensor as "
                               f"input. Got {name}")
        raise RuntimeError("This function doesn't handle types other than float and double")
    check_cpu(A, "linalg.matrix_rank")
    if tol is not None:
        atol, rtol = tol, 0.0
    m, n = A.size(-2), A.size(-1)
    if _builtins.min(m, n) == 0:
        return zeros(tuple(A.shape[:-2]), dtype=int64)
    with _nograd():
        if hermitian:
            S = _Eigh.apply(A.detach(), True)[0].abs()
        else:
            S = _Svd.apply(A.detach(), False)[1]
        tol_v = _tolerance(S.amax(-1, True), m, n, A.dtype, atol, rtol)
        return (S > tol_v).sum(-1).to(int64)


def _nograd():
    from ._grad_mode import no_grad
    return no_grad()


def cond(A, p=None, *, out=None):
    """linalg.cond(A, p=None): sigma_max / sigma_min for p in (None, 2, -2), else
    norm(A, p) * norm(A^{-1}, p) (inf for singular A)."""
    if out is not None:
        raise NotImplementedError("tapegrad.linalg.cond: out= is not supported")
    check_tensor(A, "linalg_cond")
    if A.dim() < 2:
        raise RuntimeError("linalg.cond: The input tensor must have at least 2 dimensions.")
    if p is None or (not isinstance(p, str) and p in (2, -2)):
        s = svdvals(A)
        big, small = s.narrow(-1, 0, 1), s.narrow(-1, s.size(-1) - 1, 1)
        r = small / big if p == -2 else big / small
        return r.squeeze(-1)
    if not (p in ("fro", "nuc") or (not isinstance(p, str) and abs(p) in (1, _INF))):
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    if A.size(-1) != A.size(-2):
        raise RuntimeError(f"linalg.cond(ord={p}): A must be batches of square matrices, but "
                           f"they are {A.size(-2)} by {A.size(-1)} matrices")
    from . import where
    inverse, info = inv_ex(A)
    singular = info > 0
    if A.numel() and bool(singular.any()):  # their (non-finite) inverses are not looked at
        inverse = where(singular.unsqueeze(-1).unsqueeze(-1), 0.0, inverse)
    r = matrix_norm(A, p) * matrix_norm(inverse, p)
    return where(info > 0, _INF, r)


_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def lstsq(A, B, rcond=None, *, driver=None):
    """linalg.lstsq(A, B, rcond=None, *, driver=None) -> (solution, residuals, rank,
    singular_values), by the pseudo-inverse; which extras are filled follows torch's CPU
    drivers (gelsy by default: rank only; residuals when m > n and A has full rank)."""
    from . import empty, int64
    check_tensor(A, "linalg_lstsq")
    check_tensor(B, "linalg_lstsq", "b")
    if driver is not None and driver not in _DRIVERS:
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of "
                           "(gels, gelsy, gelsd, gelss)")
    driver = driver or "gelsy"
    if A.dim() < 2:
        raise RuntimeError("torch.linalg.lstsq: input must have at least 2 dimensions.")
    if B.dim() < 1:
        raise RuntimeError("torch.linalg.lstsq: other must have at least 1 dimension.")
    if A.dtype != B.dtype:
        raise RuntimeError(f"torch.linalg.lstsq: Expected input and other to have the same "
                           f"dtype, but got input's dtype {type_name(A.dtype)} and other's "
                           f"dtype {type_name(B.dtype)}")
    if type_name(A.dtype) not in ("Float", "Double"):  # torch's CPU lstsq: LAPACK's two types
        raise RuntimeError("This function doesn't handle types other than float and double")
    check_cpu(A, "linalg.lstsq")
    vector = A.dim() - B.dim() == 1
    if not (0 <= A.dim() - B.dim() <= 1):
        raise RuntimeError("torch.linalg.lstsq: input.dim() must be greater or equal to "
                           "other.dim() and (input.dim() - other.dim()) <= 1")
    m, n = A.size(-2), A.size(-1)
    if (B.size(-1) if vector else B.size(-2)) != m:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-"
                           f"{1 if vector else 2})")
    rtol = rcond if rcond is not None and rcond >= 0 else None
    with _nograd():
        ranks = (matrix_rank(A, rtol=rtol) if driver != "gels" else empty(0, dtype=int64))
        sv = (_Svd.apply(A.detach(), False)[1] if driver in ("gelsd", "gelss")
              else empty(0, dtype=A.dtype))
        want = False
        if m > n and driver != "gelsy" and A.numel() > 0:
            full = matrix_rank(A) if driver == "gels" else ranks
            want = bool((full == n).all())
    X, residuals = _Lstsq.apply(A, B, rtol, vector, want)
    return _rt.linalg_lstsq(X, residuals, ranks, sv)


# ---- products and powers ----

def matrix_power(A, n, *, out=None):
    """linalg.matrix_power(A, n) (torch.matrix_power, Tensor.matrix_power): repeated squaring
    in torch's order; negative n inverts first."""
    if out is not None:
        raise NotImplementedError("tapegrad.linalg.matrix_power: out= is not supported")
    check_tensor(A, "linalg_matrix_power")
    if not is_int(n):
        raise TypeError(f"linalg_matrix_power(): argument 'n' (position 2) must be int, not "
                        f"{type(n).__name__}")
    if A.dim() < 2:
        raise RuntimeError("linalg.matrix_power: The input tensor A must have at least 2 "
                           "dimensions.")
    if A.size(-1) != A.size(-2):
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but "
                           f"they are {A.size(-2)} by {A.size(-1)} matrices")
    if n == 0:  # torch copies I into a clone of A: CopyBackwards, a zero gradient
        from . import eye
        return A.clone().copy_(eye(A.size(-1), dtype=A.dtype).expand(tuple(A.shape)))
    if n < 0:
        A, n = inv(A), -n
    if n == 1:
        return A.clone()
    if n == 2:
        return A @ A
    if n == 3:
        return (A @ A) @ A
    z = result = None
    while n > 0:
        z = A if z is None else z @ z
        if n & 1:
            result = z if result is None else result @ z
        n >>= 1
    return result


def _exp_value(A):
    """exp(A) by scaling and squaring around a degree-18 Taylor polynomial (|A / 2^s|_1 <= 1/2,
    truncation far below float64 rounding), in differentiable ops."""
    from . import eye
    n = A.size(-1)
    if A.numel() == 0:
        return A.clone()
    norm1 = float(A.detach().abs().sum(-2).amax(-1).amax()) if A.dim() > 2 else \
        float(A.detach().abs().sum(-2).amax())
    s = 0 if norm1 <= 0.5 or not _math.isfinite(norm1) else \
        int(_math.ceil(_math.log2(norm1 / 0.5)))
    X = A / (2.0 ** s) if s else A
    I_ = eye(n, dtype=A.dtype).expand(tuple(A.shape))
    result = I_ + X
    term = X
    for k in range(2, 19):
        term = (term @ X) / k
        result = result + term
    for _ in range(s):
        result = result @ result
    return result


@named("LinalgMatrixExpBackward0")
class _MatrixExp(Function):
    @staticmethod
    def forward(ctx, A):
        ctx.save_for_backward(A)
        save_attrs(ctx, self=A)
        return back(_exp_value(f64(A)), A.dtype)

    @staticmethod
    def backward(ctx, g):
        A, = ctx.saved_tensors
        from . import cat, zeros_like
        # the Frechet derivative's adjoint: exp([[A^T, g], [0, A^T]]) holds it top right
        n = A.size(-1)
        At = A.mT.expand(tuple(g.shape))
        top = cat([At, g], -1)
        bottom = cat([zeros_like(At), At], -1)
        big = _MatrixExp.apply(cat([top, bottom], -2))
        return big[..., :n, n:]


def matrix_exp(A):
    """linalg.matrix_exp(A) (torch.matrix_exp, Tensor.matrix_exp)."""
    # half/bfloat16 compute in float64 and round once. (torch's CPU half kernel evaluates its
    # polynomial in half and gives inf/NaN or garbage even for small matrices, e.g.
    # [[0.5, 0.1], [0.2, 0.3]] -> -2.1e4 on the diagonal: tapegrad returns the rounded value.)
    low = type_name(A.dtype) in ("Half", "BFloat16")
    check_matrix(A.detach().float() if low else A, "linalg.matrix_exp",
                 kernel="linalg_matrix_exp")
    return _MatrixExp.apply(A)


def multi_dot(tensors, *, out=None):
    """linalg.multi_dot(tensors): the chain product in the cheapest order (first / last may be
    vectors)."""
    if out is not None:
        raise NotImplementedError("tapegrad.linalg.multi_dot: out= is not supported")
    ts = list(tensors)
    if len(ts) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(ts)}")
    first_vec, last_vec = ts[0].dim() == 1, ts[-1].dim() == 1
    if ts[0].dim() not in (1, 2):
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got "
                           f"{ts[0].dim()}D")
    if ts[-1].dim() not in (1, 2):
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got "
                           f"{ts[-1].dim()}D")
    for i in range(1, len(ts) - 1):
        if ts[i].dim() != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {ts[i].dim()}D")
    names = {"float32": "float", "float64": "double", "int64": "long int", "int32": "int"}
    for i in range(1, len(ts)):
        if ts[i].dtype != ts[0].dtype:
            def nm(t):
                return names.get(str(t.dtype).replace("torch.", ""), str(t.dtype))
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but tensor "
                               f"0 is {nm(ts[0])} and tensor {i} {nm(ts[i])}")
    if first_vec:
        ts[0] = ts[0].unsqueeze(0)
    if last_vec:
        ts[-1] = ts[-1].unsqueeze(-1)
    for i in range(len(ts) - 1):
        if ts[i].size(-1) != ts[i + 1].size(0):
            a = list(ts[i].shape)[1:] if (i == 0 and first_vec) else list(ts[i].shape)
            b = (list(ts[i + 1].shape)[:1] if (i + 1 == len(ts) - 1 and last_vec)
                 else list(ts[i + 1].shape))
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes {a} and {b} "
                               "cannot be multiplied")
    r = _chain(ts)
    shape = ((() if first_vec else (ts[0].size(0),))
             + (() if last_vec else (ts[-1].size(1),)))
    return r.view(shape)  # torch ends with a view to the result's shape


def _chain(ts):
    if len(ts) == 2:
        return ts[0].mm(ts[1])
    if len(ts) == 3:  # torch compares the two orders directly
        a, b = ts[0].size(0), ts[1].size(0)
        c, d = ts[2].size(0), ts[2].size(1)
        if a * c * (b + d) < b * d * (a + c):
            return ts[0].mm(ts[1]).mm(ts[2])
        return ts[0].mm(ts[1].mm(ts[2]))
    dims = [t.size(0) for t in ts] + [ts[-1].size(1)]
    k = len(ts)
    cost = [[0] * k for _ in range(k)]
    split = [[0] * k for _ in range(k)]
    for length in range(1, k):
        for i in range(k - length):
            j = i + length
            cost[i][j] = None
            for s in range(i, j):
                c = cost[i][s] + cost[s + 1][j] + dims[i] * dims[s + 1] * dims[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, s

    def build(i, j):
        if i == j:
            return ts[i]
        s = split[i][j]
        return build(i, s).mm(build(s + 1, j))
    return build(0, k - 1)


def vecdot(x, y, *, dim=-1, out=None):
    """linalg.vecdot(x, y, *, dim=-1): sum(x * y, dim) (real dtypes: no conjugation)."""
    if out is not None:
        raise NotImplementedError("tapegrad.linalg.vecdot: out= is not supported")
    check_tensor(x, "linalg_vecdot", "x")
    check_tensor(y, "linalg_vecdot", "y")
    if not hasattr(dim, "__index__"):
        raise TypeError(f"linalg_vecdot(): argument 'dim' must be int, not {type(dim).__name__}")
    if not x.is_floating_point():  # torch's checkFloatingOrComplex, of x alone
        raise RuntimeError("linalg.vecdot: Expected a floating point or complex tensor as input. "
                           f"Got {type_name(x.dtype)}")
    if x.dtype != y.dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found "
                           f"x of type {type_name(x.dtype)} and y of type {type_name(y.dtype)} "
                           "instead")
    if x.dim() == 1 and y.dim() == 1:  # torch's vdot, whatever dim says (VdotBackward0)
        from . import vdot
        return vdot(x, y)
    return (x * y).sum(dim)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """linalg.diagonal(A, *, offset=0, dim1=-2, dim2=-1)."""
    return A.diagonal(offset, dim1, dim2)


def vander(x, *, N=None):
    """linalg.vander(x, *, N=None): powers x^0 .. x^(N-1) along a new last dim."""
    from . import cat, ones_like
    check_tensor(x, "linalg_vander", "x")
    if type_name(x.dtype) in ("Bool", "Half", "BFloat16"):
        raise RuntimeError("linalg.vander supports floating point, complex, and integer "
                           f"tensors, but got {type_name(x.dtype)}")
    if x.dim() < 1:
        if N is None:
            raise RuntimeError("N must be greater than 1.")
        x = x.reshape(1)  # torch: a 0-d x is one point, giving a (1, N) result
    if N is None:
        N = x.size(-1)
    if N <= 1:
        raise RuntimeError("N must be greater than 1.")
    xs = x.unsqueeze(-1)
    powers = xs.expand(tuple(x.shape) + (N - 1,)).cumprod(-1)
    return cat([ones_like(xs), powers], -1)


def tensorinv(A, ind=2, *, out=None):
    """linalg.tensorinv(A, ind=2)."""
    if out is not None:
        raise NotImplementedError("tapegrad.linalg.tensorinv: out= is not supported")
    if not is_int(ind) or ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    out_shape = tuple(A.shape[ind:]) + tuple(A.shape[:ind])
    p_left = _math.prod(A.shape[:ind])
    p_right = _math.prod(A.shape[ind:])
    if p_left != p_right:
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {p_right} != {p_left}")
    return inv(A.reshape(p_left, p_right)).reshape(out_shape)


def tensorsolve(A, B, dims=None, *, out=None):
    """linalg.tensorsolve(A, B, dims=None)."""
    if out is not None:
        raise NotImplementedError("tapegrad.linalg.tensorsolve: out= is not supported")
    if dims is not None:
        nd = A.dim()
        src = [_wrap_dim(d, nd) for d in dims]
        A = A.movedim(src, list(range(nd - len(src), nd)))
    res_shape = tuple(A.shape[B.dim():])
    p_res = _math.prod(res_shape)
    p_b = B.numel()
    if p_res != p_b:
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[other.ndim:]) "
                           f"== prod(self.shape[:other.ndim]), but got {p_res} != {p_b}")
    return solve(A.reshape(p_b, p_res), B.reshape(p_b)).reshape(res_shape)
