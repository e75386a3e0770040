"""The small dense linear algebra MultivariateNormal needs, written with differentiable tapegrad
ops over batches of matrices (tapegrad has no LAPACK binding yet): Cholesky factor, lower
triangular solve, and the precision-to-scale_tril conversion. O(n) tensor ops per call, fine for
the event sizes distributions use.
"""
import tapegrad as _tg


def _mask_from(n, j, dtype, device):
    """1 for rows >= j, 0 above (a column of a lower-triangular factor)."""
    return (_tg.arange(n, device=device) >= j).to(dtype)


def cholesky(a):
    """Lower Cholesky factor L (a = L L^T) of a batch of symmetric positive-definite matrices,
    column by column (Cholesky-Crout); differentiable. NaN where a is not positive definite.
    Reads the symmetric part (a + a^T) / 2, so the gradient is symmetric, as torch's."""
    a = (a + a.transpose(-2, -1)) * 0.5
    n = a.shape[-1]
    cols = []
    for j in range(n):
        v = a[..., :, j]
        if cols:
            prev = _tg.stack(cols, -1)                      # (..., n, j)
            v = v - (prev @ prev[..., j, :].unsqueeze(-1)).squeeze(-1)
        d = v[..., j:j + 1].sqrt()
        cols.append(v / d * _mask_from(n, j, a.dtype, a.device))
    return _tg.stack(cols, -1)


def cholesky_info(a):
    """0 where a (batch of symmetric matrices) is positive definite, else the order of the
    first non-positive leading minor (torch.linalg.cholesky_ex's info)."""
    with _tg.no_grad():
        n = a.shape[-1]
        info = _tg.zeros(tuple(a.shape)[:-2], dtype=_tg.int32, device=a.device)
        cols = []
        for j in range(n):
            v = a[..., :, j]
            if cols:
                prev = _tg.stack(cols, -1)
                v = v - (prev @ prev[..., j, :].unsqueeze(-1)).squeeze(-1)
            pivot = v[..., j]
            bad = (pivot <= 0) | (pivot != pivot)
            info = _tg.where(bad & (info == 0), _tg.full_like(info, j + 1), info)
            d = _tg.where(bad, _tg.ones_like(pivot), pivot).sqrt().unsqueeze(-1)
            cols.append(v / d * _mask_from(n, j, a.dtype, a.device))
        return info


def solve_lower(L, b):
    """x with L x = b for lower-triangular L (..., n, n) and b (..., n, k): forward
    substitution, differentiable in both."""
    n = L.shape[-1]
    rows = []
    for i in range(n):
        r = b[..., i, :]
        if rows:
            prev = _tg.stack(rows, -2)                      # (..., i, k)
            r = r - (L[..., i, :i].unsqueeze(-2) @ prev).squeeze(-2)
        rows.append(r / L[..., i, i:i + 1])
    return _tg.stack(rows, -2)


def precision_to_scale_tril(P):
    """The lower Cholesky factor of P^-1 without forming the inverse: with Lf the Cholesky
    factor of P reversed in both dims, P^-1 = L L^T for L = (flip(Lf)^T)^-1."""
    Lf = cholesky(P.flip(-2, -1))
    L_inv = Lf.flip(-2, -1).transpose(-2, -1)  # lower triangular, L_inv^T L_inv = P
    eye = _tg.eye(P.shape[-1], dtype=P.dtype, device=P.device).expand(tuple(L_inv.shape))
    return solve_lower(L_inv, eye)
