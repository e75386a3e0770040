"""Householder-reflector ops in LAPACK's compact form: torch.geqrf (A -> (a, tau), R on and above
the diagonal, the reflectors' vectors below it), linalg.householder_product (orgqr: the first n
columns of H_1 ... H_k) and torch.ormqr (op(Q) C or C op(Q) with the full m x m Q).
geqrf has no derivative in torch, so it is computed in numpy (float64, LAPACK's dlarfg sign
convention, so that the values equal torch's). householder_product and ormqr apply the reflectors
H_i = I - tau_i v_i v_i^T with differentiable tapegrad ops, so their gradients (wrt the
reflectors, tau and C) come from autograd and create_graph works."""
import numpy as _np

from ._linalg_core import check_cpu, check_tensor, eye_like


def _geqrf_np(a):
    """One matrix (m, n) float64 -> (a, tau) as LAPACK's dgeqrf (unblocked dgeqr2 + dlarfg)."""
    a = a.copy()
    m, n = a.shape
    k = min(m, n)
    tau = _np.zeros(k)
    for j in range(k):
        alpha = a[j, j]
        x = a[j + 1:, j]
        xnorm = _np.linalg.norm(x) if x.size else 0.0
        if xnorm == 0.0:
            continue  # H = I (tau = 0), also for alpha < 0 as LAPACK
        beta = -_np.copysign(_np.hypot(alpha, xnorm), alpha)
        tau[j] = (beta - alpha) / beta
        a[j + 1:, j] = x / (alpha - beta)
        a[j, j] = beta
        v = _np.concatenate(([1.0], a[j + 1:, j]))
        w = v @ a[j:, j + 1:]
        a[j:, j + 1:] -= tau[j] * _np.outer(v, w)
    return a, tau


def geqrf(input, *, out=None):
    """torch.geqrf(A) -> (a, tau): QR as LAPACK's geqrf (Householder reflectors, not Q)."""
    from . import from_numpy
    from . import return_types as _rt
    if out is not None:
        raise NotImplementedError("tapegrad.geqrf: out= is not supported")
    check_tensor(input, "geqrf", "input")
    if input.dim() < 2:
        raise RuntimeError("torch.geqrf: input must have at least 2 dimensions.")
    _check_float(input, "geqrf_cpu")
    check_cpu(input, "torch.geqrf")
    m, n = input.size(-2), input.size(-1)
    batch = tuple(input.shape[:-2])
    nb = 1
    for d in batch:
        nb *= d
    src = input.detach().to(dtype=_f64()).contiguous().numpy().reshape((nb, m, n))
    outs_a = _np.empty(src.shape)
    outs_t = _np.empty((src.shape[0], min(m, n)))
    for b in range(src.shape[0]):
        outs_a[b], outs_t[b] = _geqrf_np(src[b])
    a = from_numpy(_np.ascontiguousarray(outs_a.reshape(batch + (m, n)))).to(input.dtype)
    tau = from_numpy(outs_t.reshape(batch + (min(m, n),))).to(input.dtype)
    a = a.mT.contiguous().mT  # column-major, as LAPACK's result in torch
    return _rt.geqrf(a, tau)


def _check_float(A, kernel):
    """geqrf/orgqr/ormqr have no dtype check of their own in torch: the CPU kernel's dispatch
    raises NotImplementedError for non-float dtypes."""
    from ._dtype_names import type_name
    name = type_name(A.dtype)
    if name not in ("Float", "Double"):
        raise NotImplementedError(f'"{kernel}" not implemented for \'{name}\'')


def _f64():
    from . import float64
    return float64


def _apply_reflectors(A, tau, X, reverse):
    """H_1 ... H_k X (reverse=True: applied from H_k inwards) or H_k ... H_1 X (reverse=False),
    H_i = I - tau_i v_i v_i^T, v_i = [0 .. 0, 1, A[i+1:, i]]."""
    m, k = A.size(-2), tau.size(-1)
    V = A[..., :, :k].tril(-1) + eye_like(m, A)[:, :k]
    order = range(k - 1, -1, -1) if reverse else range(k)
    for i in order:
        v = V[..., :, i:i + 1]
        X = X - (tau[..., i:i + 1].unsqueeze(-1) * v) @ (v.mT @ X)
    return X


def _check_same_dtype(fname, input, tau, name2="tau"):
    if tau.dtype != input.dtype:  # torch's wording, without the space after the first "dtype"
        from ._dtype_names import type_name
        raise RuntimeError(f"{fname}: Expected input and {name2} to have the same dtype, but "
                           f"input has dtype{type_name(input.dtype)} and {name2} has dtype "
                           f"{type_name(tau.dtype)}")


def householder_product(A, tau, *, out=None):
    """linalg.householder_product(A, tau): the first n columns of H_1 ... H_k (orgqr)."""
    if out is not None:
        raise NotImplementedError("tapegrad.linalg.householder_product: out= is not supported")
    fname = "torch.linalg.householder_product"
    check_tensor(A, "linalg_householder_product", "input")
    check_tensor(tau, "linalg_householder_product", "tau")
    if A.dim() < 2:
        raise RuntimeError(f"{fname}: input must have at least 2 dimensions.")
    if A.size(-2) < A.size(-1):
        raise RuntimeError(f"{fname}: input.shape[-2] must be greater than or equal to "
                           "input.shape[-1]")
    if A.size(-1) < tau.size(-1):
        raise RuntimeError(f"{fname}: input.shape[-1] must be greater than or equal to "
                           "tau.shape[-1]")
    if A.dim() - tau.dim() != 1:
        raise RuntimeError(f"{fname}: Expected tau to have one dimension less than input, but "
                           f"got tau.ndim equal to {tau.dim()} and input.ndim is equal to "
                           f"{A.dim()}")
    if tuple(tau.shape[:-1]) != tuple(A.shape[:-2]):
        raise RuntimeError(f"{fname}: Expected batch dimensions of tau to be equal to "
                           f"input.shape[:-2], but got {list(tau.shape[:-1])}")
    if tau.dtype != A.dtype:
        from ._dtype_names import type_name
        raise RuntimeError(f"{fname}: tau dtype {type_name(tau.dtype)} does not match input "
                           f"dtype {type_name(A.dtype)}")
    _check_float(A, "orgqr_cpu")
    check_cpu(A, fname)
    m, n = A.size(-2), A.size(-1)
    X = eye_like(m, A)[:, :n].expand(tuple(A.shape[:-2]) + (m, n))
    if tau.size(-1) == 0:  # Q = I, still a function of A (zero gradient) as in torch
        X = X + A * 0
    return _apply_reflectors(A, tau, X, reverse=True)


def ormqr(input, tau, other, left=True, transpose=False, *, out=None):
    """torch.ormqr(A, tau, C, left=True, transpose=False): op(Q) C (left) or C op(Q), Q the full
    product H_1 ... H_k of geqrf's reflectors, op = transpose if transpose."""
    if out is not None:
        raise NotImplementedError("tapegrad.ormqr: out= is not supported")
    fname = "torch.ormqr"
    for t, nm in ((input, "input"), (tau, "tau"), (other, "other")):
        check_tensor(t, "ormqr", nm)
    if input.dim() < 2:
        raise RuntimeError(f"{fname}: input must have at least 2 dimensions.")
    if other.dim() < 2:
        raise RuntimeError(f"{fname}: other must have at least 2 dimensions.")
    left_size = -2 if left else -1
    if other.dim() != input.dim():
        raise RuntimeError(f"{fname}: Expected other to have the same number of dimensions as "
                           f"input, but got other.ndim equal to {other.dim()} and input.ndim "
                           f"is equal to {input.dim()}")
    if other.size(left_size) != input.size(-2):
        raise RuntimeError(f"{fname}: other.shape[{left_size}] must be equal to "
                           "input.shape[-2]")
    if tau.size(-1) != min(other.size(left_size), input.size(-1)):
        raise RuntimeError(f"{fname}: tau.shape[-1] must be equal to min(other.shape[-2], "
                           "input.shape[-1])")
    if tau.dim() != input.dim() - 1:
        raise RuntimeError(f"{fname}: Expected tau to have one dimension less than input, but "
                           f"got tau.ndim equal to {tau.dim()} and input.ndim is equal to "
                           f"{input.dim()}")
    for t, nm in ((tau, "tau"), (other, "other")):
        if tuple(t.shape[:input.dim() - 2]) != tuple(input.shape[:-2]):
            raise RuntimeError(f"{fname}: Expected batch dimensions of {nm} to be equal to "
                               f"input.shape[:-2], but got {list(t.shape[:input.dim() - 2])}")
    _check_same_dtype(fname, input, tau)
    _check_same_dtype(fname, input, other, "other")
    _check_float(input, "ormqr_cpu")
    check_cpu(input, fname)
    # op(Q) C = H_1 ... H_k C; Q^T C = H_k ... H_1 C; C Q = (Q^T C^T)^T; C Q^T = (Q C^T)^T
    if left:
        return _apply_reflectors(input, tau, other, reverse=not transpose)
    return _apply_reflectors(input, tau, other.mT, reverse=transpose).mT


# ---- deprecated torch-level LU forms ----

_WARNED = set()


def _deprecated(name, text):
    # torch warns once per process (TORCH_WARN_ONCE)
    if name not in _WARNED:
        import warnings
        _WARNED.add(name)
        warnings.warn(text, UserWarning, stacklevel=3)


def _torch_lu(A, pivot=True, get_infos=False, out=None):
    """torch.lu(A, pivot=True, get_infos=False) -> (LU, pivots[, infos])."""
    from . import linalg
    _deprecated("lu", "torch.lu is deprecated in favor of torch.linalg.lu_factor / "
                "torch.linalg.lu_factor_ex and will be removed in a future PyTorch release.\n"
                "LU, pivots = torch.lu(A, compute_pivots)\nshould be replaced with\n"
                "LU, pivots = torch.linalg.lu_factor(A, compute_pivots)\nand\n"
                "LU, pivots, info = torch.lu(A, compute_pivots, get_infos=True)\n"
                "should be replaced with\n"
                "LU, pivots, info = torch.linalg.lu_factor_ex(A, compute_pivots)")
    if out is not None:
        raise NotImplementedError("tapegrad.lu: out= is not supported")
    # torch.lu does not raise for a singular input (its info only reports it)
    LU, piv, info = linalg.lu_factor_ex(A, pivot=pivot)
    return (LU, piv, info) if get_infos else (LU, piv)


def _torch_lu_solve(b, LU_data, LU_pivots, *, out=None):
    """torch.lu_solve(b, LU, pivots) = linalg.lu_solve(LU, pivots, b)."""
    from . import linalg
    _deprecated("lu_solve", "torch.lu_solve is deprecated in favor of torch.linalg.lu_solve"
                "and will be removed in a future PyTorch release.\n"
                "Note that torch.linalg.lu_solve has its arguments reversed.\n"
                "X = torch.lu_solve(B, LU, pivots)\nshould be replaced with\n"
                "X = torch.linalg.lu_solve(LU, pivots, B)")
    return linalg.lu_solve(LU_data, LU_pivots, b, out=out)
