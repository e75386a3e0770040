"""torch.svd_lowrank and torch.pca_lowrank: randomized range finder (Halko, Martinsson and Tropp
2009, algorithm 4.4: power iterations with a QR after each product) followed by the SVD of the
small projected matrix. Written in differentiable tapegrad ops (matmul, linalg.qr, linalg.svd),
so gradients come from autograd. Dense inputs only (tapegrad has no sparse tensors)."""


def _basis(A, q, niter, M):
    """Q (*, m, q) with orthonormal columns approximating the range of A - M."""
    from . import linalg, randn
    n = A.size(-1)
    R = randn(n, q, dtype=A.dtype)

    def prod(X, T=False):
        Y = (A.mT if T else A) @ X
        return Y if M is None else Y - (M.mT if T else M) @ X

    Q = linalg.qr(prod(R)).Q
    for _ in range(niter):
        Q = linalg.qr(prod(Q, T=True)).Q
        Q = linalg.qr(prod(Q)).Q
    return Q


def svd_lowrank(A, q=6, niter=2, M=None):
    """torch.svd_lowrank(A, q=6, niter=2, M=None) -> (U, S, V): approximate SVD of A - M of
    rank q; V, not Vh, as torch."""
    from . import linalg
    q = 6 if q is None else q
    m, n = A.size(-2), A.size(-1)
    if M is not None:
        M = M.broadcast_to(tuple(A.shape))
    if m < n:  # work on the tall form
        A = A.mT
        M = None if M is None else M.mT
    Q = _basis(A, q, niter, M)
    B = Q.mT @ A
    if M is not None:
        B = B - Q.mT @ M
    U, S, Vh = linalg.svd(B, full_matrices=False)
    U, V = Q @ U, Vh.mT
    if m < n:
        U, V = V, U
    return U, S, V


def pca_lowrank(A, q=None, center=True, niter=2):
    """torch.pca_lowrank(A, q=min(6, m, n), center=True, niter=2) -> (U, S, V) of the (column-
    centered) A."""
    m, n = A.size(-2), A.size(-1)
    if q is None:
        q = min(6, m, n)
    elif not (q >= 0 and q <= min(m, n)):
        raise ValueError(f"q(={q}) must be non-negative integer and not greater than "
                         f"min(m, n)={min(m, n)}")
    if not (niter >= 0):
        raise ValueError(f"niter(={niter}) must be non-negative integer")
    if center:
        A = A - A.mean(dim=-2, keepdim=True)
    return svd_lowrank(A, q, niter=niter)
