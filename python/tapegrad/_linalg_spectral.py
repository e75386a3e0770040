"""tapegrad.linalg's orthogonal decompositions: qr, eigh / eigvalsh, svd / svdvals (and torch.qr,
torch.svd), plus eig / eigvals, which need complex results tapegrad does not have. Kernels are
C++ (_C._linalg_qr / _eigh / _svd, float64 inside); the gradients are the published formulas
written in differentiable tapegrad ops (recomputing the factors under grad mode, so
create_graph works)."""
from . import _C
from ._C import Tensor
from . import return_types as _rt
from ._linalg_core import (LinAlgError, back, check_matrix, f64, fortran, grad_on, named,
                           save_attrs)
from ._linalg_decomp import _SolveTriangular
from .autograd.function import Function

__all__ = ["qr", "eigh", "eigvalsh", "svd", "svdvals", "eig", "eigvals"]


def _offdiag_inverse(E):
    """1 / E off the diagonal, 0 on it (the spectral gaps of the eigh/svd backward)."""
    from . import eye, where
    on_diag = eye(E.size(-1), dtype=E.dtype) > 0
    return where(on_diag, 0.0, 1 / where(on_diag, 1.0, E))


def _refuse_nan(A, name, reason, lower=None):
    """LAPACK refuses a matrix holding a NaN (eigh reads only its UPLO triangle): torch's
    LinAlgError, naming the first batch element that holds one. CUDA solvers return NaNs."""
    if A.is_cuda or A.numel() == 0 or not A.is_floating_point():
        return
    M = A.detach()
    if lower is not None:
        M = M.tril() if lower else M.triu()
    bad = M.isnan().flatten(-2).any(-1).reshape(-1)
    if not bad.any():
        return
    where = f"(Batch element {int(bad.nonzero()[0, 0])}): " if A.dim() > 2 else ""
    raise LinAlgError(f"linalg.{name}: {where}The algorithm failed to converge because the "
                      f"input matrix {reason}")


def _eigh_nan(A, lower, code):
    if A.size(-1) < 3:  # LAPACK's 1 x 1 and 2 x 2 eigh finish without the failing iteration
        return
    _refuse_nan(A, "eigh", "is ill-conditioned or has too many repeated eigenvalues (error "
                f"code: {code}).", lower)


# ---- QR ----

def _copyltu(M):
    # the symmetric matrix with M's lower triangle
    return M.tril(-1) + M.tril(-1).mT + M.diagonal(0, -2, -1).diag_embed()


def _qr_square_backward(gQ, gR, Q, R):
    """A = QR with m >= n (Q m x n, R n x n): gA = (gQ + Q copyltu(M)) R^{-T},
    M = R gR^T - gQ^T Q."""
    M = R @ gR.mT - gQ.mT @ Q
    b = gQ + Q @ _copyltu(M)
    return _SolveTriangular.apply(R.mT, b, False, False, False)


@named("LinalgQrBackward0")
class _Qr(Function):
    @staticmethod
    def forward(ctx, A, mode):
        Q, R = _C._linalg_qr(f64(A), mode == "complete")
        Q, R = fortran(back(Q, A.dtype)), fortran(back(R, A.dtype))
        if mode == "r":
            from . import empty
            Q = empty(0, dtype=A.dtype)
        ctx.save_for_backward(A, Q, R)
        ctx.mode = mode
        save_attrs(ctx, Q=Q, R=R, mode=mode)
        return Q, R

    @staticmethod
    def backward(ctx, gQ, gR):
        A, Q, R = ctx.saved_tensors
        mode = ctx.mode
        m, n = A.size(-2), A.size(-1)
        if mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed "
                               "when mode='r'. Please use linalg.qr(A, mode='reduced') if you "
                               "are going to differentiate through linalg.qr.")
        if mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when "
                               "mode='complete' and nrows > ncols.")
        if grad_on():
            Q, R = _Qr.apply(A, mode)
        if m >= n:
            return _qr_square_backward(gQ, gR, Q, R), None
        # m < n: A = Q [X | Y] with R = [U | V]; Y = Q V contributes through Q
        from . import cat
        U, V = R[..., :, :m], R[..., :, m:]
        gU, gV = gR[..., :, :m], gR[..., :, m:]
        Y = A[..., :, m:]
        gX = _qr_square_backward(gQ + Y @ gV.mT, gU, Q, U)
        return cat([gX, Q @ gV], -1), None


def qr(A, mode="reduced", *, out=None):
    """linalg.qr(A, mode='reduced'|'complete'|'r') -> (Q, R)."""
    if out is not None:
        raise NotImplementedError("tapegrad.linalg.qr: out= is not supported")
    check_matrix(A, "linalg.qr", square=False, kernel="geqrf_cpu")
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    return _rt.linalg_qr(*_Qr.apply(A, mode))


def _torch_qr(A, some=True, *, out=None):
    """torch.qr(A, some=True) (deprecated in torch)."""
    r = qr(A, "reduced" if some else "complete", out=out)
    return _rt.qr(r.Q, r.R)


# ---- eigh ----

@named("LinalgEighBackward0")
class _Eigh(Function):
    @staticmethod
    def forward(ctx, A, lower):
        w, V = _C._linalg_eigh(f64(A), lower)
        w, V = back(w, A.dtype), fortran(back(V, A.dtype))
        ctx.save_for_backward(A, w, V)
        ctx.lower = lower
        save_attrs(ctx, eigenvalues=w, eigenvectors=V)
        ctx.set_materialize_grads(False)
        return w, V

    @staticmethod
    def backward(ctx, gw, gV):
        A, w, V = ctx.saved_tensors
        if grad_on():
            w, V = _Eigh.apply(A, ctx.lower)
        # gA = sym(V (diag(gw) + F o (V^T gV)) V^T), F_ij = 1 / (w_j - w_i)
        from . import zeros_like
        inner = (gw if gw is not None else zeros_like(w)).diag_embed()
        if gV is not None:
            F = _offdiag_inverse(w.unsqueeze(-2) - w.unsqueeze(-1))
            inner = inner + F * (V.mT @ gV)
        gA = V @ inner @ V.mT
        return 0.5 * (gA + gA.mT), None  # torch returns the symmetric part


def _uplo(UPLO):
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return UPLO == "L"


def eigh(A, UPLO="L", *, out=None):
    """linalg.eigh(A, UPLO='L') -> (eigenvalues ascending, eigenvectors)."""
    if out is not None:
        raise NotImplementedError("tapegrad.linalg.eigh: out= is not supported")
    _eigh_dtype(A)
    lower = _uplo(UPLO)
    check_matrix(A, "linalg.eigh", kernel="linalg_eigh_cpu")
    _eigh_nan(A, lower, 2)  # LAPACK's info with eigenvectors (1 without), as torch reports it
    return _rt.linalg_eigh(*_Eigh.apply(A, lower))


def _eigh_dtype(A):
    # torch names the kernel for integer input (it skips the floating-point message)
    from ._linalg_core import check_tensor, type_name
    check_tensor(A, "linalg_eigh")
    name = type_name(A.dtype)
    if name in ("Half", "BFloat16") and A.numel() == 0:
        return  # torch returns an empty result without reaching the kernel
    if A.dim() >= 2 and A.size(-1) == A.size(-2) and name not in ("Float", "Double"):
        raise NotImplementedError(f'"linalg_eigh_cpu" not implemented for \'{name}\'')


def eigvalsh(A, UPLO="L", *, out=None):
    """linalg.eigvalsh(A, UPLO='L'): the eigenvalues (the gradient is eigh's)."""
    if out is not None:
        raise NotImplementedError("tapegrad.linalg.eigvalsh: out= is not supported")
    _eigh_dtype(A)
    lower = _uplo(UPLO)
    check_matrix(A, "linalg.eigh", kernel="linalg_eigh_cpu")
    _eigh_nan(A, lower, 1)
    return _Eigh.apply(A, lower)[0]


def _eig_args(name, A, out):
    """torch parses the arguments before anything else: a non-tensor input or out= is a
    TypeError, not the NotImplementedError about complex results."""
    if not isinstance(A, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(A).__name__}")
    want = Tensor if name == "linalg_eigvals" else (tuple, list)
    if out is not None and not isinstance(out, want):
        raise TypeError(f"{name}(): argument 'out' must be "
                        f"{'Tensor' if want is Tensor else 'tuple of Tensors'}, not "
                        f"{type(out).__name__}")
    if not A.is_floating_point():  # torch looks up the complex dtype of the result first
        from ._dtype_names import type_name
        raise RuntimeError(f"Unknown Complex ScalarType for {type_name(A.dtype)}")


def eig(A, *, out=None):
    _eig_args("linalg_eig", A, out)
    raise NotImplementedError("tapegrad.linalg.eig: eigenvalues of a general matrix are complex "
                              "and tapegrad has no complex dtypes; use linalg.eigh for "
                              "symmetric matrices")


def eigvals(A, *, out=None):
    _eig_args("linalg_eigvals", A, out)
    raise NotImplementedError("tapegrad.linalg.eigvals: eigenvalues of a general matrix are "
                              "complex and tapegrad has no complex dtypes; use "
                              "linalg.eigvalsh for symmetric matrices")


# ---- SVD ----

def _svd_backward(gU, gS, gVh, U, S, Vh):
    """A = U diag(S) Vh (reduced, k = min(m, n)):
    gA = U [ (F o (U^T gU - gU^T U)) S + diag(gS) + S (F o (V^T gV - gV^T V)) ] Vh
         + (I - U U^T) gU S^{-1} Vh + U S^{-1} gV^T (I - V V^T),  F_ij = 1 / (s_j^2 - s_i^2)."""
    inner = gS.diag_embed()
    if gU is None and gVh is None:
        return U @ inner @ Vh
    S2 = S * S
    F = _offdiag_inverse(S2.unsqueeze(-2) - S2.unsqueeze(-1))
    m, n, k = U.size(-2), Vh.size(-1), S.size(-1)
    gA = None
    if gU is not None:
        UtgU = U.mT @ gU
        inner = inner + (F * (UtgU - UtgU.mT)) * S.unsqueeze(-2)
    if gVh is not None:
        VtgV = Vh @ gVh.mT
        inner = inner + S.unsqueeze(-1) * (F * (VtgV - VtgV.mT))
    gA = U @ inner @ Vh
    if gU is not None and m > k:
        gA = gA + ((gU - U @ UtgU) / S.unsqueeze(-2)) @ Vh
    if gVh is not None and n > k:
        gV = gVh.mT
        gA = gA + U @ ((gV - Vh.mT @ VtgV) / S.unsqueeze(-2)).mT
    return gA


@named("LinalgSvdBackward0")
class _Svd(Function):
    @staticmethod
    def forward(ctx, A, full_matrices):
        _refuse_nan(A, "svd", "contained non-finite values.")
        U, S, Vh = _C._linalg_svd(f64(A), full_matrices)
        U, S, Vh = fortran(back(U, A.dtype)), back(S, A.dtype), fortran(back(Vh, A.dtype))
        ctx.save_for_backward(A, U, S, Vh)
        ctx.full = full_matrices
        save_attrs(ctx, S=S, S_sym_argsize_minus_1=S.size(-1), U=U, Vh=Vh,
                   full_matrices=full_matrices)
        ctx.set_materialize_grads(False)  # None: skip the singular-vector terms
        return U, S, Vh

    @staticmethod
    def backward(ctx, gU, gS, gVh):
        A, U, S, Vh = ctx.saved_tensors
        if grad_on():
            U, S, Vh = _Svd.apply(A, ctx.full)
        k = S.size(-1)
        if ctx.full:
            # as torch: the gradients of the extra (non-unique) columns of U and rows of Vh
            # of a non-square input are ignored
            U, Vh = U[..., :, :k], Vh[..., :k, :]
            gU = None if gU is None else gU[..., :, :k]
            gVh = None if gVh is None else gVh[..., :k, :]
        if gS is None:
            from . import zeros_like
            gS = zeros_like(S)
        return _svd_backward(gU, gS, gVh, U, S, Vh), None


def svd(A, full_matrices=True, *, driver=None, out=None):
    """linalg.svd(A, full_matrices=True, *, driver=None) -> (U, S, Vh), S descending."""
    if out is not None:
        raise NotImplementedError("tapegrad.linalg.svd: out= is not supported")
    check_matrix(A, "linalg.svd", square=False, kernel="linalg_svd_cpu")
    return _rt.linalg_svd(*_Svd.apply(A, bool(full_matrices)))


def svdvals(A, *, driver=None, out=None):
    """linalg.svdvals(A): the singular values, descending."""
    if out is not None:
        raise NotImplementedError("tapegrad.linalg.svdvals: out= is not supported")
    check_matrix(A, "linalg.svd", square=False, kernel="linalg_svd_cpu")
    return _Svd.apply(A, False)[1]


def _torch_svd(A, some=True, compute_uv=True, *, out=None):
    """torch.svd (deprecated in torch): (U, S, V) with V, not Vh."""
    check_matrix(A, "linalg.svd", square=False, kernel="linalg_svd_cpu")
    U, S, Vh = _Svd.apply(A, not some)
    if not compute_uv:
        from . import zeros
        m, n = A.size(-2), A.size(-1)
        batch = tuple(A.shape[:-2])
        return _rt.svd(zeros(batch + (m, m), dtype=A.dtype), S,
                       zeros(batch + (n, n), dtype=A.dtype))
    return _rt.svd(U, S, Vh.mT)
