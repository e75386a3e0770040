"""tapegrad.linalg's LU-family ops: inv(_ex), det, slogdet, logdet, solve(_ex), cholesky(_ex),
solve_triangular, cholesky_solve, lu_factor(_ex), lu, lu_solve, lu_unpack. The numerics are the
C++ kernels (_C._linalg_*, float64 inside); each differentiable result is an autograd.Function
named after torch's grad_fn, whose backward is written in differentiable tapegrad ops (so
create_graph works: under grad mode the backward recomputes its factors from the inputs)."""
from . import _C
from . import return_types as _rt
from ._linalg_core import (back, batch_broadcast, check_cpu, check_dtype, check_matrix,
                           check_tensor, eye_like, f64, fortran, grad_on, named, raise_info,
                           save_attrs, type_name)
from .autograd.function import Function

__all__ = ["inv", "inv_ex", "det", "slogdet", "logdet", "solve", "solve_ex", "cholesky",
           "cholesky_ex", "solve_triangular", "cholesky_solve", "lu_factor", "lu_factor_ex", "lu",
           "lu_solve", "lu_unpack", "cholesky_inverse", "triangular_solve"]


def _lu_det_parts(A):
    """(diagonal of U, permutation sign, LU, pivots) of the float64 LU of A, or of A^T when A is
    row-major contiguous: torch factors the column-major view (det A^T = det A), and its nodes
    keep that LU."""
    from . import arange, int32
    a = f64(A.mT if A.is_contiguous() else A)
    lu, piv, _ = _C._linalg_lu_factor(a)
    k = piv.size(-1)
    swaps = (piv != arange(1, k + 1, dtype=int32)).sum(-1)
    sign = 1 - 2 * (swaps % 2)
    return lu.diagonal(0, -2, -1), sign, lu, piv


@named("LinalgInvExBackward0")
class _InvEx(Function):
    @staticmethod
    def forward(ctx, A):
        a = f64(A)
        lu, piv, info = _C._linalg_lu_factor(a)
        eye = eye_like(a.size(-1), a).expand(tuple(a.shape)).contiguous()
        inverse = fortran(back(_C._linalg_lu_solve(lu, piv, eye, False), A.dtype))
        ctx.save_for_backward(A, inverse)
        save_attrs(ctx, inverse=inverse)
        return inverse, info

    @staticmethod
    def backward(ctx, g, _g_info):
        A, inverse = ctx.saved_tensors
        if grad_on():
            inverse = _InvEx.apply(A)[0]
        it = inverse.mT
        return -(it @ g @ it)


def inv_ex(A, *, check_errors=False, out=None):
    """linalg.inv_ex(A, *, check_errors=False) -> (inverse, info)."""
    _no_out(out, "inv_ex")
    check_matrix(A, "linalg.inv", low_precision="linalg.inv")
    inverse, info = _InvEx.apply(A)
    if check_errors:
        _raise_inv(info, A.dim() > 2, "linalg.inv_ex")
    return _rt.linalg_inv_ex(inverse, info)


def _raise_inv(info, batched, fname="linalg.inv"):
    raise_info(info, batched, lambda c: f"{fname}: The diagonal element {c} is zero, the "
               "inversion could not be completed because the input matrix is singular.")


def inv(A, *, out=None):
    """linalg.inv(A): raises LinAlgError for singular input."""
    _no_out(out, "inv")
    check_matrix(A, "linalg.inv", low_precision="linalg.inv")
    inverse, info = _InvEx.apply(A)
    _raise_inv(info, A.dim() > 2)
    return inverse


def _no_out(out, name):
    if out is not None:
        raise NotImplementedError(f"tapegrad.linalg.{name}: out= is not supported")


@named("LinalgDetBackward0")
class _Det(Function):
    @staticmethod
    def forward(ctx, A):
        diag, sign, lu, piv = _lu_det_parts(A)
        det = back(diag.prod(-1) * sign, A.dtype)
        ctx.save_for_backward(A, det)
        save_attrs(ctx, A=A, LU=back(lu, A.dtype), pivots=piv, result=det)
        return det

    @staticmethod
    def backward(ctx, g):
        A, det = ctx.saved_tensors
        if grad_on():
            det = _Det.apply(A)
        # d det / dA = det * A^{-T} for invertible A; adj(A)^T (from an SVD) where det is 0
        gA = (g * det).unsqueeze(-1).unsqueeze(-1) * _InvEx.apply(A)[0].mT
        singular = det == 0
        if A.numel() and bool(singular.any()):
            from . import where
            mask = singular.unsqueeze(-1).unsqueeze(-1)
            gA = where(mask, g.unsqueeze(-1).unsqueeze(-1) * _adjugate_t(A), gA)
        return gA


def _adjugate_t(A):
    """adj(A)^T = det(U) det(V) U diag(prod_{j != i} s_j) V^T for A = U diag(s) V^T."""
    from . import cat, ones_like
    from ._linalg_spectral import _Svd
    U, S, Vh = _Svd.apply(A, False)
    one = ones_like(S.narrow(-1, 0, 1))
    before = cat([one, S.cumprod(-1).narrow(-1, 0, S.size(-1) - 1)], -1)
    after = cat([S.flip(-1).cumprod(-1).flip(-1).narrow(-1, 1, S.size(-1) - 1), one], -1)
    sign = (_Det.apply(U) * _Det.apply(Vh)).unsqueeze(-1).unsqueeze(-1)
    return sign * ((U * (before * after).unsqueeze(-2)) @ Vh)


def det(A, *, out=None):
    """linalg.det(A) (and torch.det, Tensor.det)."""
    _no_out(out, "det")
    check_matrix(A, "linalg.det")
    return _Det.apply(A)


@named("LinalgSlogdetBackward0")
class _Slogdet(Function):
    @staticmethod
    def forward(ctx, A):
        diag, sign, lu, piv = _lu_det_parts(A)
        s = back(diag.sign().prod(-1) * sign, A.dtype)
        logabs = back(diag.abs().log().sum(-1), A.dtype)
        ctx.save_for_backward(A)
        save_attrs(ctx, A=A, LU=back(lu, A.dtype), pivots=piv, sign=s)
        return s, logabs

    @staticmethod
    def backward(ctx, _g_sign, g):  # the sign is piecewise constant: no gradient (as torch)
        A, = ctx.saved_tensors
        return g.unsqueeze(-1).unsqueeze(-1) * _InvEx.apply(A)[0].mT


def slogdet(A, *, out=None):
    """linalg.slogdet(A) -> (sign, logabsdet)."""
    _no_out(out, "slogdet")
    check_matrix(A, "linalg.slogdet", low_precision="linalg.slogdet")
    return _rt.linalg_slogdet(*_Slogdet.apply(A))


def _torch_slogdet(A):
    check_matrix(A, "linalg.slogdet", low_precision="linalg.slogdet")
    return _rt.slogdet(*_Slogdet.apply(A))


def logdet(A):
    """torch.logdet: log det A, nan for a negative determinant (torch's where over slogdet)."""
    from . import where
    check_matrix(A, "logdet", low_precision="logdet")
    sign, logabs = _Slogdet.apply(A)
    return where(sign == -1, float("nan"), logabs)


# ---- solve ----

@named("LinalgSolveExBackward0")
class _SolveEx(Function):
    @staticmethod
    def forward(ctx, A, B, left, vector):
        a, b = f64(A), f64(B)
        # X A = B  <=>  A^T X^T = B^T: the LU of A serves both (adjoint solve); a vector B
        # is a column either way
        b = b.unsqueeze(-1) if vector else (b if left else b.mT)
        lu, piv, info = _C._linalg_lu_factor(a)
        lu_b, b = batch_broadcast(lu, b)
        piv_b = piv.expand(tuple(lu_b.shape[:-1])).contiguous()
        x = _C._linalg_lu_solve(lu_b.contiguous(), piv_b, b.contiguous(), not left)
        x = x.squeeze(-1) if vector else (fortran(x) if left else x.mT.contiguous())
        x = back(x, A.dtype)
        ctx.save_for_backward(A, B, x)
        ctx.left, ctx.vector = left, vector
        save_attrs(ctx, A=A, LU=back(lu, A.dtype), left=left, pivots=piv, result=x)
        return x, info

    @staticmethod
    def backward(ctx, g, _g_info):
        A, B, x = ctx.saved_tensors
        left, vector = ctx.left, ctx.vector
        if grad_on():
            x = _SolveEx.apply(A, B, left, vector)[0]
        if vector:  # columns: x = A^{-1} b (left) or A^{-T} b (right)
            g, x = g.unsqueeze(-1), x.unsqueeze(-1)
            gB = _SolveEx.apply(A.mT if left else A, g, True, False)[0]
            gA = -(gB @ x.mT) if left else -(x @ gB.mT)
            gB = gB.squeeze(-1)
        else:
            gB = _SolveEx.apply(A.mT, g, left, False)[0]
            gA = -(gB @ x.mT) if left else -(x.mT @ gB)
        return gA.sum_to_size(tuple(A.shape)), gB.sum_to_size(tuple(B.shape)), None, None


def _solve_args(A, B, left, fname):
    check_tensor(A, fname.replace(".", "_"))
    check_tensor(B, fname.replace(".", "_"), "B")
    if A.dtype != B.dtype:
        raise RuntimeError(f"{fname}: Expected A and B to have the same dtype, but found A of "
                           f"type {type_name(A.dtype)} and B of type {type_name(B.dtype)} "
                           "instead")
    check_matrix(A, fname)
    check_cpu(B, fname)
    vector = B.dim() == 1 or (B.dim() == A.dim() - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    if B.dim() == 0:
        raise RuntimeError(f"{fname}: The input tensor B must have at least 1 dimensions.")
    n = A.size(-1)
    # a vector B is the column (n, 1) for both sides (so XA = B needs n == 1, as in torch)
    rows, cols = (B.size(-1), 1) if vector else (B.size(-2), B.size(-1))
    if (rows if left else cols) != n:
        eq = "AX = B" if left else "XA = B"
        shown = (f"{B.size(-1)}x1" if vector else f"{B.size(-2)}x{B.size(-1)}")
        raise RuntimeError(f"{fname}: Incompatible shapes of A and B for the equation {eq} "
                           f"({n}x{n} and {shown})")
    return vector


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    """linalg.solve_ex(A, B, *, left=True, check_errors=False) -> (result, info)."""
    _no_out(out, "solve_ex")
    vector = _solve_args(A, B, left, "linalg.solve")
    x, info = _SolveEx.apply(A, B, left, vector)
    if check_errors:
        _raise_solve(info, A.dim() > 2, "torch.linalg.solve_ex")
    return _rt.linalg_solve_ex(x, info)


def _raise_solve(info, batched, fname="torch.linalg.solve"):
    raise_info(info, batched, lambda c: f"{fname}: The solver failed because the input matrix "
               "is singular.")


def solve(A, B, *, left=True, out=None):
    """linalg.solve(A, B, *, left=True): X with AX = B (or XA = B)."""
    _no_out(out, "solve")
    vector = _solve_args(A, B, left, "linalg.solve")
    x, info = _SolveEx.apply(A, B, left, vector)
    _raise_solve(info, A.dim() > 2)
    return x


# ---- triangular ----

@named("LinalgSolveTriangularBackward0")
class _SolveTriangular(Function):
    @staticmethod
    def forward(ctx, A, B, upper, left, unit):
        a, b = f64(A), f64(B)
        up = upper
        if not left:
            a, b, up = a.mT, b.mT, not upper
        a, b = batch_broadcast(a, b)
        x = _C._linalg_trsm(a.contiguous(), b.contiguous(), up, unit)
        x = fortran(back(x.mT if not left else x, A.dtype))
        ctx.save_for_backward(A, B, x)
        ctx.args = (upper, left, unit)
        save_attrs(ctx, left=left, result=x, self=A, unitriangular=unit, upper=upper)
        return x

    @staticmethod
    def backward(ctx, g):
        A, B, x = ctx.saved_tensors
        upper, left, unit = ctx.args
        if grad_on():
            x = _SolveTriangular.apply(A, B, upper, left, unit)
        gB = _SolveTriangular.apply(A.mT, g, not upper, left, unit)
        gA = -(gB @ x.mT) if left else -(x.mT @ gB)
        gA = gA.triu(1 if unit else 0) if upper else gA.tril(-1 if unit else 0)
        return gA.sum_to_size(tuple(A.shape)), gB.sum_to_size(tuple(B.shape)), None, None, None


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """linalg.solve_triangular(A, B, *, upper, left=True, unitriangular=False)."""
    _no_out(out, "solve_triangular")
    fname = "linalg.solve_triangular"
    check_matrix(A, fname, kernel="triangular_solve_cpu", float_check=False)
    check_tensor(B, "linalg_solve_triangular", "B")
    if B.dim() < 2:
        raise RuntimeError(f"{fname}: The input tensor B must have at least 2 dimensions.")
    check_cpu(B, fname)
    n = A.size(-1)
    if (B.size(-2) if left else B.size(-1)) != n:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"{fname}: Incompatible shapes of A and B for the equation {eq} "
                           f"({n}x{n} and {B.size(-2)}x{B.size(-1)})")
    if A.dtype != B.dtype:  # torch solves in A's dtype, B of any dtype copied into it
        B = B.to(A.dtype)
    return _SolveTriangular.apply(A, B, bool(upper), bool(left), bool(unitriangular))


@named("TriangularSolveBackward0")
class _TriangularSolve(Function):
    @staticmethod
    def forward(ctx, b, A, upper, transpose, unit):
        a, bb = f64(A), f64(b)
        up = upper
        if transpose:
            a, up = a.mT, not upper
        a, bb = batch_broadcast(a, bb)
        x = fortran(back(_C._linalg_trsm(a.contiguous(), bb.contiguous(), up, unit), b.dtype))
        ctx.save_for_backward(b, A, x)
        ctx.args = (upper, transpose, unit)
        save_attrs(ctx, A=A, self=b, solution=x, transpose=transpose, unitriangular=unit,
                   upper=upper)
        return x, fortran(A)

    @staticmethod
    def backward(ctx, g, g_clone):
        b, A, x = ctx.saved_tensors
        upper, transpose, unit = ctx.args
        if grad_on():
            x = _TriangularSolve.apply(b, A, upper, transpose, unit)[0]
        gb = _TriangularSolve.apply(g, A, upper, not transpose, unit)[0]
        gA = -(x @ gb.mT) if transpose else -(gb @ x.mT)
        gA = gA.triu(1 if unit else 0) if upper else gA.tril(-1 if unit else 0)
        gA = gA + g_clone
        return gb.sum_to_size(tuple(b.shape)), gA.sum_to_size(tuple(A.shape)), None, None, None


def _check_batches(a, b):
    """torch's broadcast of two batch shapes ("tensor a" the first)."""
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y and 1 not in (x, y):
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b "
                               f"({y}) at non-singleton dimension {i}")


def triangular_solve(b, A, upper=True, transpose=False, unitriangular=False, *, out=None):
    """torch.triangular_solve (deprecated in torch): (solution, cloned_coefficient)."""
    _no_out(out, "triangular_solve")
    for t, arg, pos in ((b, "input", 1), (A, "A", 2)):
        if not isinstance(t, _C.Tensor):
            raise TypeError(f"triangular_solve(): argument '{arg}' (position {pos}) must be "
                            f"Tensor, not {type(t).__name__}")
    # torch's order: both ranks, b and A's dtypes (linearSolveCheckInputs: the same dtype, A
    # square, the sizes matching, the batches broadcasting), then the kernel's dtypes
    for t, arg in ((b, "b"), (A, "A")):
        if t.dim() < 2:
            raise RuntimeError(f"torch.triangular_solve: Expected {arg} to have at least 2 "
                               f"dimensions, but it has {t.dim()} dimensions instead")
    if b.dtype != A.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                           f"{type_name(b.dtype)} and A of type {type_name(A.dtype)} instead.")
    if A.size(-1) != A.size(-2):
        raise RuntimeError(f"A must be batches of square matrices, but they are {A.size(-2)} by "
                           f"{A.size(-1)} matrices")
    if A.size(-1) != b.size(-2):
        raise RuntimeError(f"Incompatible matrix sizes for triangular_solve: each A matrix is "
                           f"{A.size(-1)} by {A.size(-1)} but each b matrix is {b.size(-2)} by "
                           f"{b.size(-1)}")
    _check_batches(tuple(b.shape[:-2]), tuple(A.shape[:-2]))
    check_matrix(A, "torch.triangular_solve", kernel="triangular_solve_cpu",
                 float_check=False)
    return _rt.triangular_solve(*_TriangularSolve.apply(b, A, bool(upper), bool(transpose),
                                                        bool(unitriangular)))


# ---- Cholesky ----

@named("LinalgCholeskyExBackward0")
class _CholeskyEx(Function):
    @staticmethod
    def forward(ctx, A, upper):
        a = f64(A)
        if upper:  # U from A's upper triangle: the L of A^T's lower one
            a = a.mT.contiguous()
        L, info = _C._linalg_cholesky(a)
        L = fortran(back(L.mT if upper else L, A.dtype))
        ctx.save_for_backward(A, L)
        ctx.upper = upper
        save_attrs(ctx, L=L, upper=upper)
        return L, info

    @staticmethod
    def backward(ctx, gL, _g_info):
        A, L = ctx.saved_tensors
        upper = ctx.upper
        if grad_on():
            L = _CholeskyEx.apply(A, upper)[0]
        if upper:
            L, gL = L.mT, gL.mT
        # A = L L^T: gA = L^{-T} Phi(L^T gL) L^{-1}, Phi = lower triangle with half the diagonal,
        # then the symmetric part (A is symmetric)
        P = (L.mT @ gL).tril()
        P = P - 0.5 * P.diagonal(0, -2, -1).diag_embed()
        gA = _SolveTriangular.apply(L.mT, P, True, True, False)
        gA = _SolveTriangular.apply(L, gA, False, False, False)
        return 0.5 * (gA + gA.mT), None


def _raise_chol(info, batched, fname="linalg.cholesky"):
    raise_info(info, batched, lambda c: f"{fname}: The factorization could not be completed "
               "because the input is not positive-definite (the leading minor of order "
               f"{c} is not positive-definite).")


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """linalg.cholesky_ex(A, *, upper=False, check_errors=False) -> (L, info)."""
    _no_out(out, "cholesky_ex")
    check_matrix(A, "linalg.cholesky", kernel="cholesky_cpu")
    L, info = _CholeskyEx.apply(A, bool(upper))
    if check_errors:
        _raise_chol(info, A.dim() > 2, "linalg.cholesky_ex")
    return _rt.linalg_cholesky_ex(L, info)


def cholesky(A, *, upper=False, out=None):
    """linalg.cholesky(A, *, upper=False)."""
    _no_out(out, "cholesky")
    check_matrix(A, "linalg.cholesky", kernel="cholesky_cpu")
    L, info = _CholeskyEx.apply(A, bool(upper))
    _raise_chol(info, A.dim() > 2)
    return L


@named("CholeskyBackward0")
class _CholeskyLegacy(Function):
    @staticmethod
    def forward(ctx, A, upper):
        L, info = _CholeskyEx.forward(ctx, A, upper)
        for k in ("_saved_L", "_raw_saved_L"):
            delattr(ctx, k)
        save_attrs(ctx, result=L, upper=upper)
        return L, info

    @staticmethod
    def backward(ctx, gL, _g_info):
        return _CholeskyEx.backward(ctx, gL, None)


@named("CholeskyBackward0")
class _CholeskyEmpty(Function):
    """torch.cholesky of an empty input of any shape: an empty result, still recorded."""
    @staticmethod
    def forward(ctx, A):
        return A.new_empty(A.shape)

    @staticmethod
    def backward(ctx, g):
        return g.new_zeros(g.shape)


def _torch_cholesky(A, upper=False, *, out=None):
    """torch.cholesky (deprecated in torch, same factorization; CholeskyBackward0)."""
    _no_out(out, "cholesky")
    if isinstance(A, _C.Tensor) and A.numel() == 0:  # torch returns before its shape checks
        return _CholeskyEmpty.apply(A)
    check_matrix(A, "linalg.cholesky", kernel="cholesky_cpu", float_check=False)
    L, info = _CholeskyLegacy.apply(A, bool(upper))
    _raise_chol(info, A.dim() > 2)
    return L


def _chol_factor_grad(gA, L, upper):
    # A = L L^T (or U^T U): the gradient on the factor, torch's (not masked to the triangle)
    sym = gA + gA.mT
    return L @ sym if upper else sym @ L


@named("CholeskySolveBackward0")
class _CholeskySolve(Function):
    @staticmethod
    def forward(ctx, B, L, upper):
        lf, b = f64(L), f64(B)
        lf, b = batch_broadcast(lf, b)
        lower = lf.mT.contiguous() if upper else lf.contiguous()  # A = lower lower^T
        y = _C._linalg_trsm(lower, b.contiguous(), False, False)
        x = fortran(back(_C._linalg_trsm(lower.mT.contiguous(), y, True, False), B.dtype))
        ctx.save_for_backward(B, L, x)
        ctx.upper = upper
        save_attrs(ctx, input2=L, result=x, self=B, upper=upper)
        return x

    @staticmethod
    def backward(ctx, g):
        B, L, x = ctx.saved_tensors
        if grad_on():
            x = _CholeskySolve.apply(B, L, ctx.upper)
        gB = _CholeskySolve.apply(g, L, ctx.upper)
        gL = _chol_factor_grad(-(gB @ x.mT), L, ctx.upper)
        return gB.sum_to_size(tuple(B.shape)), gL.sum_to_size(tuple(L.shape)), None


def cholesky_solve(B, L, upper=False, *, out=None):
    """torch.cholesky_solve(B, L, upper=False): X with (L L^T) X = B."""
    _no_out(out, "cholesky_solve")
    check_tensor(B, "cholesky_solve", "input")
    check_tensor(L, "cholesky_solve", "input2")
    if B.dtype != L.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                           f"{type_name(B.dtype)} and A of type {type_name(L.dtype)} instead.")
    check_matrix(L, "torch.cholesky_solve", kernel="cholesky_solve_cpu", float_check=False)
    if B.dim() < 2:
        raise RuntimeError(f"b should have at least 2 dimensions, but has {B.dim()} dimensions "
                           "instead")
    return _CholeskySolve.apply(B, L, bool(upper))


@named("CholeskyInverseBackward0")
class _CholeskyInverse(Function):
    @staticmethod
    def forward(ctx, L, upper):
        lf = f64(L)
        lower = lf.mT.contiguous() if upper else lf
        eye = eye_like(L.size(-1), lf).expand(tuple(lf.shape)).contiguous()
        y = _C._linalg_trsm(lower, eye, False, False)
        r = fortran(back(_C._linalg_trsm(lower.mT.contiguous(), y, True, False), L.dtype))
        ctx.save_for_backward(L, r)
        ctx.upper = upper
        save_attrs(ctx, result=r, self=L, upper=upper)
        return r

    @staticmethod
    def backward(ctx, g):
        L, r = ctx.saved_tensors
        if grad_on():
            r = _CholeskyInverse.apply(L, ctx.upper)
        return _chol_factor_grad(-(r @ g @ r), L, ctx.upper), None


def cholesky_inverse(L, upper=False, *, out=None):
    """torch.cholesky_inverse(L, upper=False): (L L^T)^{-1}."""
    _no_out(out, "cholesky_inverse")
    check_matrix(L, "cholesky_inverse", kernel="cholesky_inverse_out_cpu",
                 float_check=False)
    return _CholeskyInverse.apply(L, bool(upper))


# ---- LU ----

def _perm_matrices(piv, m, dtype):
    """P (*, m, m) with A = P L U from getrf's 1-based row swaps."""
    from . import tensor
    batch = tuple(piv.shape[:-1])
    mats = []
    for row in piv.reshape(-1, piv.size(-1)).tolist() if piv.numel() else [[]] * _numel(batch):
        perm = list(range(m))
        for i, p in enumerate(row):
            perm[i], perm[p - 1] = perm[p - 1], perm[i]
        P = [[0.0] * m for _ in range(m)]
        for i in range(m):
            P[perm[i]][i] = 1.0
        mats.append(P)
    return tensor(mats, dtype=dtype).reshape(batch + (m, m))


def _numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _unpack(LU, piv, want_p=True, want_lu=True):
    m, n = LU.size(-2), LU.size(-1)
    k = min(m, n)
    P = _perm_matrices(piv, m, LU.dtype) if want_p else None
    L = U = None
    if want_lu:
        L = LU[..., :, :k].tril(-1) + eye_like(m, LU)[:, :k]
        U = LU[..., :k, :].triu()
    return P, L, U


@named("LinalgLuFactorExBackward0")
class _LuFactorEx(Function):
    @staticmethod
    def forward(ctx, A):
        lu, piv, info = _C._linalg_lu_factor(f64(A))
        LU = fortran(back(lu, A.dtype))
        ctx.save_for_backward(A, LU)
        ctx.piv = piv
        save_attrs(ctx, LU=LU, pivot=True, pivots=piv)
        return LU, piv, info

    @staticmethod
    def backward(ctx, gLU, _g_piv, _g_info):
        A, LU = ctx.saved_tensors
        if grad_on():
            LU = _LuFactorEx.apply(A)[0]
        P, L, U = _unpack(LU, ctx.piv)
        k = min(A.size(-2), A.size(-1))
        return _lu_backward(P, L, U, gLU[..., :, :k].tril(-1), gLU[..., :k, :].triu())


def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    """linalg.lu_factor_ex(A, *, pivot=True, check_errors=False) -> (LU, pivots, info)."""
    _no_out(out, "lu_factor_ex")
    _lu_checks(A, pivot, "torch.lu_factor")
    LU, piv, info = _LuFactorEx.apply(A)
    if check_errors:
        _raise_lu(info, A.dim() > 2, "torch.linalg.lu_factor_ex")
    return _rt.linalg_lu_factor_ex(LU, piv, info)


def _raise_lu(info, batched, fname):
    raise_info(info, batched, lambda c: f"{fname}: U[{c},{c}] is zero and using it on lu_solve "
               "would result in a division by zero. If you still want to perform the "
               "factorization, consider calling linalg.lu(A, pivot) or "
               "linalg.lu_factor_ex(A, pivot)", RuntimeError)


def _lu_checks(A, pivot, fname):
    check_tensor(A, "linalg_lu_factor")
    if A.dim() < 2:
        raise RuntimeError(f"{fname}: Expected tensor with 2 or more dimensions. Got size: "
                           f"{list(A.shape)} instead")
    check_dtype(A, fname, "lu_cpu", float_check=False)
    check_cpu(A, "linalg.lu_factor")
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")


def lu_factor(A, *, pivot=True, out=None):
    """linalg.lu_factor(A, *, pivot=True) -> (LU, pivots); singular input raises."""
    _no_out(out, "lu_factor")
    _lu_checks(A, pivot, "torch.lu_factor")
    LU, piv, info = _LuFactorEx.apply(A)
    _raise_lu(info, A.dim() > 2, "torch.linalg.lu_factor")
    return _rt.linalg_lu_factor(LU, piv)


def _lu_backward(P, L, U, gL, gU):
    """A = P L U, L (m, k) unit lower, U (k, n) upper, k = min(m, n). With G = triu(gU) and
    gL strictly lower:
    square: gA = P L^-T (tril_{-1}(L^T gL) + triu(G U^T)) U^-T
    wide (m < n, U = [U1 U2]): gX = [tril_{-1}(L^T gL - G U^T) U1^-T + G1, G2], gA = P L^-T gX
    tall (m > n, L = [L1; L2]): gY = gL + [L1^-T triu(G U^T - L^T gL); 0], gA = P gY U^-T"""
    gL, gU = gL.tril(-1), gU.triu()
    m, n = L.size(-2), U.size(-1)
    if m == n:
        inner = (L.mT @ gL).tril(-1) + (gU @ U.mT).triu()
        gA = _SolveTriangular.apply(L.mT, inner, True, True, True)
        gA = _SolveTriangular.apply(U.mT, gA, False, False, False)
        return P @ gA
    from . import cat, zeros
    if m < n:
        B = (L.mT @ gL - gU @ U.mT).tril(-1)
        T = _SolveTriangular.apply(U[..., :, :m].mT, B, False, False, False)
        gX = cat([T + gU[..., :, :m], gU[..., :, m:]], -1)
        return P @ _SolveTriangular.apply(L.mT, gX, True, True, True)
    B = (gU @ U.mT - L.mT @ gL).triu()
    C = _SolveTriangular.apply(L[..., :n, :].mT, B, True, True, True)
    pad = zeros(tuple(C.shape[:-2]) + (m - n, n), dtype=C.dtype)
    gY = gL + cat([C, pad], -2)
    return P @ _SolveTriangular.apply(U.mT, gY, False, False, False)


@named("LinalgLuBackward0")
class _Lu(Function):
    @staticmethod
    def forward(ctx, A):
        lu, piv, _ = _C._linalg_lu_factor(f64(A))
        P, L, U = (back(t, A.dtype) for t in _unpack(lu, piv))
        ctx.save_for_backward(A, P, L, U)
        ctx.mark_non_differentiable(P)
        save_attrs(ctx, L=L, P=P, U=U, pivot=True)
        return P, L, U

    @staticmethod
    def backward(ctx, _gP, gL, gU):
        A, P, L, U = ctx.saved_tensors
        if grad_on():
            P, L, U = _Lu.apply(A)
        return _lu_backward(P, L, U, gL, gU)


def lu(A, *, pivot=True, out=None):
    """linalg.lu(A, *, pivot=True) -> (P, L, U)."""
    _no_out(out, "lu")
    _lu_checks(A, pivot, "linalg.lu")
    return _rt.linalg_lu(*_Lu.apply(A))


def _lu_unpack_pivots(LU, piv):
    """torch's lu_unpack reads the first min(m, n) pivots of each row (int32, each between 1
    and m); the pivots' batch follows LU's."""
    if piv.dtype != _C.int32:
        raise RuntimeError("torch.lu_unpack: LU_pivots is expected to be a contiguous tensor of "
                           "torch.int32 dtype.\nNote: this function is intended to be used "
                           "with the output produced by torch.linalg.lu_factor")
    m = LU.size(-2)
    k = min(m, LU.size(-1))
    bad = RuntimeError("pivots passed to lu_unpack must be between 1 and LU.size(-2) inclusive."
                       "Did you properly pass the result of lu_factor?")
    if piv.dim() == 0 or piv.size(-1) < k:
        if k and _numel(tuple(LU.shape[:-2])):
            raise bad
    else:
        piv = piv[..., :k]
    if piv.numel() and (bool((piv < 1).any()) or bool((piv > m).any())):
        raise bad
    batch = tuple(LU.shape[:-2])
    if tuple(piv.shape[:-1]) == batch or piv.dim() == 0 or piv.size(-1) < k:
        return piv
    # other batch shapes: torch's kernel walks the pivot rows and LU's matrices in step (row i
    # swaps matrix i's rows, the matrices after the last pivot row keep the identity); more
    # pivot rows than matrices would write past its permutations (no such call here)
    rows, mats = _numel(tuple(piv.shape[:-1])), _numel(batch)
    if rows > mats:
        raise RuntimeError(f"torch.lu_unpack: LU_pivots has {rows} rows of pivots for "
                           f"{mats} LU matrices")
    from . import arange, cat
    flat = piv.reshape(rows, k)
    if rows < mats:
        ident = arange(1, k + 1, dtype=piv.dtype).expand(mats - rows, k)
        flat = cat([flat, ident])
    return flat.reshape(batch + (k,))


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    """torch.lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True)."""
    _no_out(out, "lu_unpack")
    from . import empty
    if LU_data.dim() < 2:
        raise RuntimeError("torch.lu_unpack: Expected tensor with 2 or more dimensions. Got "
                           f"size: {list(LU_data.shape)} instead")
    if unpack_pivots:
        LU_pivots = _lu_unpack_pivots(LU_data, LU_pivots)
    P, L, U = _unpack(LU_data, LU_pivots, unpack_pivots, unpack_data)
    none = empty(0, dtype=LU_data.dtype)
    return _rt.lu_unpack(P if unpack_pivots else none, L if unpack_data else none,
                         U if unpack_data else none)


@named("LinalgLuSolveBackward0")
class _LuSolve(Function):
    @staticmethod
    def forward(ctx, LU, piv, B, left, adjoint):
        lu, b = f64(LU), f64(B)
        adj = adjoint
        if not left:  # X A = B  <=>  A^T X^T = B^T
            b, adj = b.mT, not adjoint
        lu, b = batch_broadcast(lu, b)
        p = piv.expand(tuple(lu.shape[:-1])).contiguous()
        x = _C._linalg_lu_solve(lu.contiguous(), p, b.contiguous(), adj)
        x = fortran(back(x.mT if not left else x, B.dtype))
        ctx.save_for_backward(LU, B)
        ctx.args = (piv, left, adjoint)
        save_attrs(ctx, LU=LU, adjoint=adjoint, left=left, pivots=piv, result=x)
        return x

    @staticmethod
    def backward(ctx, g):
        LU, B = ctx.saved_tensors
        piv, left, adjoint = ctx.args
        gB = gLU = None
        if ctx.needs_input_grad[2]:
            gB = _LuSolve.apply(LU, piv, g, left, not adjoint).sum_to_size(tuple(B.shape))
        if ctx.needs_input_grad[0]:
            X = _LuSolve.apply(LU, piv, B, left, adjoint)
            gLU = _lu_solve_lu_grad(LU, piv, X, g, left, adjoint).sum_to_size(tuple(LU.shape))
        return gLU, None, gB, None, None


def _lu_solve_lu_grad(LU, piv, X, gX, left, adjoint):
    """The gradient wrt the packed LU (A = P L U) of X = op(A)^-1 B. XA = B is A^T X^T = B^T.
    op(A) = A:   R = -U^-T gX X^T,  gU = triu(R),  gL = tril_{-1}(L^-T R U^T)
    op(A) = A^T: R = -(P^T X)(L^-1 P^T gX)^T,  gL = tril_{-1}(R),  gU = triu(L^T R U^-T)"""
    if not left:
        X, gX, adjoint = X.mT, gX.mT, not adjoint
    n = LU.size(-1)
    L = LU.tril(-1) + eye_like(n, LU)
    U = LU.triu()
    if not adjoint:
        R = -_SolveTriangular.apply(U.mT, gX @ X.mT, False, True, False)
        gL = _SolveTriangular.apply(L.mT, R @ U.mT, True, True, True).tril(-1)
        return gL + R.triu()
    P = _perm_matrices(piv, n, LU.dtype)
    H = _SolveTriangular.apply(L, P.mT @ gX, False, True, True)
    R = -((P.mT @ X) @ H.mT)
    gU = _SolveTriangular.apply(U.mT, L.mT @ R, False, False, False).triu()
    return R.tril(-1) + gU


def lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """linalg.lu_solve(LU, pivots, B, *, left=True, adjoint=False)."""
    _no_out(out, "lu_solve")
    fname = "linalg.lu_solve"
    # torch's order: LU's shape and a floating dtype (half included), then LU and B of one
    # dtype, then B's shape, and only then the kernel's dtype support (no half)
    check_tensor(LU, "linalg_lu_solve", "LU")
    if LU.dim() < 2:
        raise RuntimeError("torch.linalg.lu_solve: The input tensor A must have at least 2 "
                           "dimensions.")
    if LU.size(-1) != LU.size(-2):
        raise RuntimeError("torch.linalg.lu_solve: A must be batches of square matrices, but "
                           f"they are {LU.size(-2)} by {LU.size(-1)} matrices")
    if type_name(LU.dtype) not in ("Float", "Double", "Half", "BFloat16"):
        raise RuntimeError("torch.linalg.lu_solve: Expected a floating point or complex tensor "
                           f"as input. Got {type_name(LU.dtype)}")
    check_tensor(B, "linalg_lu_solve", "B")
    if LU.dtype != B.dtype:
        raise RuntimeError(f"{fname}: Expected LU and B to have the same dtype, but found LU "
                           f"of type {type_name(LU.dtype)} and B of type "
                           f"{type_name(B.dtype)} instead")
    if B.dim() < 2:
        raise RuntimeError(f"{fname}: The input tensor B must have at least 2 dimensions.")
    n = LU.size(-1)
    if (B.size(-2) if left else B.size(-1)) != n:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"{fname}: Incompatible shapes of A and B for the equation {eq} "
                           f"({n}x{n} and {B.size(-2)}x{B.size(-1)})")
    check_dtype(LU, fname, "linalg.lu_solve_cpu")
    check_cpu(LU, fname)
    from . import int32
    return _LuSolve.apply(LU, pivots.to(int32), B, bool(left), bool(adjoint))
