"""linalg.ldl_factor(_ex) and linalg.ldl_solve: the Bunch-Kaufman factorization A = P L D L^T P^T
of a symmetric matrix in LAPACK's sytrf layout (lower triangle: D's 1x1 and 2x2 blocks on and
next to the diagonal, L's multipliers below; pivots 1-based, negative for a 2x2 block), and the
solve with it (sytrs). torch has no derivatives for these, so they run in numpy (float64) with
LAPACK's unblocked pivoting rule (dsytf2, alpha = (1 + sqrt(17)) / 8), so that LD and the
pivots equal torch's for the matrices LAPACK factors unblocked (n < 64)."""
import math

import numpy as _np

from ._linalg_core import check_cpu, check_dtype, check_matrix, check_tensor

_ALPHA = (1.0 + math.sqrt(17.0)) / 8.0


def _sytf2_lower(a):
    """(LD, ipiv, info) of one symmetric (n, n) float64 matrix (its lower triangle is read)."""
    a = _np.tril(a).copy()
    n = a.shape[0]
    ipiv = _np.zeros(n, dtype=_np.int32)
    info = 0
    k = 0
    while k < n:
        kstep = 1
        absakk = abs(a[k, k])
        if k < n - 1:
            imax = k + 1 + int(_np.argmax(_np.abs(a[k + 1:, k])))
            colmax = abs(a[imax, k])
        else:
            imax, colmax = k, 0.0
        if max(absakk, colmax) == 0.0 or math.isnan(absakk):
            if info == 0:
                info = k + 1
            kp = k
        else:
            if absakk >= _ALPHA * colmax:
                kp = k
            else:
                # the largest off-diagonal entry in row/column imax of the trailing matrix
                row = _np.abs(a[imax, k:imax])
                rowmax = row.max() if row.size else 0.0
                if imax < n - 1:
                    rowmax = max(rowmax, _np.abs(a[imax + 1:, imax]).max())
                if absakk >= _ALPHA * colmax * (colmax / rowmax):
                    kp = k
                elif abs(a[imax, imax]) >= _ALPHA * rowmax:
                    kp = imax
                else:
                    kp, kstep = imax, 2
            kk = k + kstep - 1
            if kp != kk:  # symmetric interchange of kk and kp in the trailing lower triangle
                if kp < n - 1:
                    t = a[kp + 1:, kk].copy()
                    a[kp + 1:, kk] = a[kp + 1:, kp]
                    a[kp + 1:, kp] = t
                t = a[kk + 1:kp, kk].copy()
                a[kk + 1:kp, kk] = a[kp, kk + 1:kp]
                a[kp, kk + 1:kp] = t
                a[kk, kk], a[kp, kp] = a[kp, kp], a[kk, kk]
                if kstep == 2:
                    a[k + 1, k], a[kp, k] = a[kp, k], a[k + 1, k]
            if kstep == 1:
                if k < n - 1:
                    d11 = 1.0 / a[k, k]
                    x = a[k + 1:, k].copy()
                    a[k + 1:, k + 1:] -= d11 * _np.tril(_np.outer(x, x))
                    a[k + 1:, k] = x * d11
            elif k < n - 2:
                d21 = a[k + 1, k]
                d11 = a[k + 1, k + 1] / d21
                d22 = a[k, k] / d21
                t = 1.0 / (d11 * d22 - 1.0)
                d21 = t / d21
                for j in range(k + 2, n):
                    wk = d21 * (d11 * a[j, k] - a[j, k + 1])
                    wkp1 = d21 * (d22 * a[j, k + 1] - a[j, k])
                    a[j:, j] -= a[j:, k] * wk + a[j:, k + 1] * wkp1
                    a[j, k] = wk
                    a[j, k + 1] = wkp1
        if kstep == 1:
            ipiv[k] = kp + 1
        else:
            ipiv[k] = ipiv[k + 1] = -(kp + 1)
        k += kstep
    return _np.tril(a), ipiv, info


def _sytrs_lower(a, ipiv, b):
    """X with A X = B from _sytf2_lower's (a, ipiv); b (n, nrhs) float64."""
    b = b.copy()
    n = a.shape[0]
    k = 0
    while k < n:  # P L D Y = B
        if ipiv[k] > 0:
            kp = ipiv[k] - 1
            b[[k, kp]] = b[[kp, k]]
            b[k + 1:] -= _np.outer(a[k + 1:, k], b[k])
            b[k] /= a[k, k]
            k += 1
        else:
            kp = -ipiv[k] - 1
            b[[k + 1, kp]] = b[[kp, k + 1]]
            if k < n - 2:
                b[k + 2:] -= _np.outer(a[k + 2:, k], b[k])
                b[k + 2:] -= _np.outer(a[k + 2:, k + 1], b[k + 1])
            akm1k = a[k + 1, k]
            akm1 = a[k, k] / akm1k
            ak = a[k + 1, k + 1] / akm1k
            denom = akm1 * ak - 1.0
            bkm1 = b[k] / akm1k
            bk = b[k + 1] / akm1k
            b[k] = (ak * bkm1 - bk) / denom
            b[k + 1] = (akm1 * bk - bkm1) / denom
            k += 2
    k = n - 1
    while k >= 0:  # L^T P^T X = Y
        if ipiv[k] > 0:
            if k < n - 1:
                b[k] -= a[k + 1:, k] @ b[k + 1:]
            kp = ipiv[k] - 1
            b[[k, kp]] = b[[kp, k]]
            k -= 1
        else:
            if k < n - 1:
                b[k] -= a[k + 1:, k] @ b[k + 1:]
                b[k - 1] -= a[k + 1:, k - 1] @ b[k + 1:]
            kp = -ipiv[k] - 1
            b[[k, kp]] = b[[kp, k]]
            k -= 2
    return b


def _np_batch(t, tail):
    from . import float64
    nb = 1
    for d in t.shape[:len(t.shape) - tail]:
        nb *= d
    return t.detach().to(dtype=float64).contiguous().numpy().reshape((nb,) + tuple(
        t.shape[len(t.shape) - tail:]))


def ldl_factor_ex(A, *, hermitian=False, check_errors=False, out=None):
    """linalg.ldl_factor_ex(A, *, hermitian=False, check_errors=False) -> (LD, pivots, info)."""
    from . import from_numpy, int32
    from . import return_types as _rt
    if out is not None:
        raise NotImplementedError("tapegrad.linalg.ldl_factor_ex: out= is not supported")
    check_matrix(A, "torch.linalg.ldl_factor_ex", kernel="ldl_factor_kernel_cpu")
    check_cpu(A, "torch.linalg.ldl_factor_ex")
    n = A.size(-1)
    batch = tuple(A.shape[:-2])
    src = _np_batch(A, 2)
    LD = _np.zeros(src.shape)
    piv = _np.zeros(src.shape[:2], dtype=_np.int32)
    info = _np.zeros(src.shape[0], dtype=_np.int32)
    for b in range(src.shape[0]):
        LD[b], piv[b], info[b] = _sytf2_lower(src[b])
    ld = from_numpy(LD.reshape(batch + (n, n))).to(A.dtype).mT.contiguous().mT
    p = from_numpy(piv.reshape(batch + (n,))).to(int32)
    inf = from_numpy(info.reshape(batch)).to(int32)
    if check_errors:
        _raise_ldl(inf, "torch.linalg.ldl_factor")
    return _rt.linalg_ldl_factor_ex(ld, p, inf)


def _raise_ldl(info, fname):
    bad = [i for i in info.reshape(-1).tolist() if i != 0]
    if bad:  # torch reports sytrf's info > 0 (an exactly zero pivot) this way
        raise RuntimeError(f"{fname}: Unknown error code: {bad[0]}. (the factorization met an "
                           "exactly zero pivot: the input is singular)")


def ldl_factor(A, *, hermitian=False, out=None):
    """linalg.ldl_factor(A, *, hermitian=False) -> (LD, pivots)."""
    from . import return_types as _rt
    if out is not None:
        raise NotImplementedError("tapegrad.linalg.ldl_factor: out= is not supported")
    r = ldl_factor_ex(A, hermitian=hermitian)
    _raise_ldl(r[2], "torch.linalg.ldl_factor")
    return _rt.linalg_ldl_factor(r[0], r[1])


def ldl_solve(LD, pivots, B, *, hermitian=False, out=None):
    """linalg.ldl_solve(LD, pivots, B, *, hermitian=False): X with A X = B."""
    from . import from_numpy
    if out is not None:
        raise NotImplementedError("tapegrad.linalg.ldl_solve: out= is not supported")
    fname = "torch.linalg.ldl_solve"
    check_matrix(LD, fname, kernel=None)
    check_tensor(B, "linalg_ldl_solve", "B")
    if B.dim() < 2:
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-max(B.dim(), 1)}, {max(B.dim(), 1) - 1}], but got -2)")
    if LD.dtype != B.dtype:
        from ._dtype_names import type_name
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                           f"{type_name(B.dtype)} and A of type {type_name(LD.dtype)} instead.")
    if LD.size(-1) != B.size(-2):
        raise RuntimeError(f"Incompatible matrix sizes for {fname}: each A matrix is "
                           f"{LD.size(-2)} by {LD.size(-1)} but each b matrix is {B.size(-2)} "
                           f"by {B.size(-1)}")
    check_dtype(LD, fname, "ldl_solve_kernel_cpu")
    check_cpu(LD, fname)
    from . import broadcast_shapes
    batch = tuple(broadcast_shapes(tuple(LD.shape[:-2]), tuple(pivots.shape[:-1]),
                                   tuple(B.shape[:-2])))
    n, k = LD.size(-1), B.size(-1)
    ld = _np_batch(LD.expand(batch + (n, n)), 2)
    pv = pivots.expand(batch + (n,)).contiguous().numpy().reshape((-1, n)) if n else \
        _np.zeros((ld.shape[0], 0), dtype=_np.int32)
    b = _np_batch(B.expand(batch + (n, k)), 2)
    X = _np.zeros(b.shape)
    for i in range(b.shape[0]):
        X[i] = _sytrs_lower(ld[i], pv[i], b[i])
    return from_numpy(X.reshape(batch + (n, k))).to(B.dtype).mT.contiguous().mT
