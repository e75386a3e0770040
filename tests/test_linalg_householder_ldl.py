"""Cross-checks with torch for the linalg pieces of helper A (session 8): geqrf / ormqr /
householder_product (values and gradients), ldl_factor / ldl_solve on indefinite matrices that
need 2x2 pivots (beyond the OpInfo samples), the LU derivatives of non-square inputs and of
lu_solve wrt LU, svd's full_matrices=True gradient, svd_lowrank under the same seed, and the
max-type norms of empty matrices."""
import pytest

torch = pytest.importorskip("torch")

import tapegrad as tg  # noqa: E402


def _tg(t, rg=False):
    x = tg.from_torch(t.detach().clone())
    return x.requires_grad_(True) if rg else x


def _t(x):
    return torch.tensor(x.detach().tolist(), dtype=torch.float64)


def _close(a, b, tol=1e-9):
    assert tuple(a.shape) == tuple(b.shape)
    assert torch.allclose(_t(a) if not isinstance(a, torch.Tensor) else a,
                          _t(b) if not isinstance(b, torch.Tensor) else b, atol=tol, rtol=tol)


def _grads(fn_t, fn_g, inputs, seed=0):
    """Compare the gradients of sum(out * R) of torch's and tapegrad's fn."""
    ti = [t.detach().clone().requires_grad_(True) for t in inputs]
    gi = [_tg(t, True) for t in inputs]
    out_t = fn_t(*ti)
    g = torch.Generator().manual_seed(seed)
    R = torch.randn(out_t.shape, generator=g, dtype=torch.float64)
    gt = torch.autograd.grad((out_t * R).sum(), ti)
    out_g = fn_g(*gi)
    gg = tg.autograd.grad((out_g * _tg(R)).sum(), gi)
    _close(out_t, out_g)
    for a, b in zip(gt, gg):
        _close(a, b, 1e-8)


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (3, 5, 5), (1, 1)])
def test_geqrf_matches_torch(shape):
    A = torch.randn(shape, dtype=torch.float64)
    a, tau = torch.geqrf(A)
    r = tg.geqrf(_tg(A))
    _close(a, r.a)
    _close(tau, r.tau)


def test_householder_product_and_ormqr_grads():
    torch.manual_seed(3)
    A = torch.randn(2, 6, 4, dtype=torch.float64)
    tau = torch.rand(2, 3, dtype=torch.float64) + 0.5
    _grads(torch.linalg.householder_product, tg.linalg.householder_product, [A, tau])
    tau = torch.rand(2, 4, dtype=torch.float64) + 0.5  # torch.ormqr wants min(m, n) reflectors
    C = torch.randn(2, 6, 3, dtype=torch.float64)
    for left, tr in ((True, False), (True, True)):
        _grads(lambda a, t, c: torch.ormqr(a, t, c, left, tr),
               lambda a, t, c: tg.ormqr(a, t, c, left, tr), [A, tau, C])
    D = torch.randn(2, 3, 6, dtype=torch.float64)
    for tr in (False, True):
        _grads(lambda a, t, c: torch.ormqr(a, t, c, False, tr),
               lambda a, t, c: tg.ormqr(a, t, c, False, tr), [A, tau, D])


@pytest.mark.parametrize("n", [2, 5, 9, 70])
def test_ldl_factor_2x2_pivots_and_solve(n):
    torch.manual_seed(n)
    A = torch.randn(n, n, dtype=torch.float64)
    A = A + A.mT
    A[0, 0] = 0.0  # forces a 2x2 pivot at the start
    LD, piv = torch.linalg.ldl_factor(A)
    r = tg.linalg.ldl_factor(_tg(A))
    assert r.pivots.tolist() == piv.tolist()
    _close(LD, r.LD)
    B = torch.randn(n, 3, dtype=torch.float64)
    _close(torch.linalg.ldl_solve(LD, piv, B),
           tg.linalg.ldl_solve(_tg(LD), _tg(piv), _tg(B)), 1e-8)


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (2, 4, 6), (2, 6, 4)])
def test_lu_grads_non_square(shape):
    torch.manual_seed(1)
    A = torch.randn(shape, dtype=torch.float64)
    _grads(lambda a: torch.linalg.lu_factor(a)[0], lambda a: tg.linalg.lu_factor(a)[0], [A])
    for i in (1, 2):
        _grads(lambda a: torch.linalg.lu(a)[i], lambda a: tg.linalg.lu(a)[i], [A])


@pytest.mark.parametrize("left,adjoint", [(True, False), (True, True), (False, False),
                                          (False, True)])
def test_lu_solve_grad_wrt_lu(left, adjoint):
    torch.manual_seed(2)
    LU, piv = torch.linalg.lu_factor(torch.randn(2, 4, 4, dtype=torch.float64))
    B = torch.randn(2, 4, 3, dtype=torch.float64)
    if not left:
        B = B.mT
    _grads(lambda lu, b: torch.linalg.lu_solve(lu, piv, b, left=left, adjoint=adjoint),
           lambda lu, b: tg.linalg.lu_solve(lu, _tg(piv), b, left=left, adjoint=adjoint),
           [LU, B])


def test_svd_full_matrices_grad_non_square():
    # torch ignores the gradients of the extra columns: compare on gauge-invariant outputs
    A = torch.randn(5, 3, dtype=torch.float64)

    def f(lib):
        def g(a):
            U, S, Vh = lib.linalg.svd(a, full_matrices=True)
            return (U[:, :3] * S.unsqueeze(-2)) @ Vh + U[:, :3] @ Vh
        return g
    _grads(f(torch), f(tg), [A])


def test_svd_lowrank_same_seed():
    A = torch.randn(4, 3, dtype=torch.float64)
    M = torch.randn(4, 3, dtype=torch.float64)
    torch.manual_seed(42)
    U, S, V = torch.svd_lowrank(A, q=2, M=M)
    tg.manual_seed(42)
    u, s, v = tg.svd_lowrank(_tg(A), q=2, M=_tg(M))
    _close(S, s, 1e-10)
    _close((U * S) @ V.mT, (u * s) @ v.mT, 1e-6)


@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (2, 0, 0)])
@pytest.mark.parametrize("ord", [1, 2, float("inf")])
def test_matrix_norm_empty_positive_orders(shape, ord):
    r = torch.linalg.matrix_norm(torch.zeros(shape, dtype=torch.float64), ord)
    _close(r, tg.linalg.matrix_norm(tg.zeros(shape, dtype=tg.float64), ord))


def test_vander_zero_dim():
    _close(torch.linalg.vander(torch.tensor(3.0, dtype=torch.float64), N=3),
           tg.linalg.vander(tg.tensor(3.0, dtype=tg.float64), N=3))


_ERRORS = {
    "ormqr_tau_dtype": lambda m: m.ormqr(m.ones(3, 2, dtype=m.float64), m.ones(2),
                                         m.ones(3, 2, dtype=m.float64)),
    "ormqr_int": lambda m: m.ormqr(m.ones(3, 2, dtype=m.long), m.ones(2, dtype=m.long),
                                   m.ones(3, 2, dtype=m.long)),
    "orgqr_tau_dtype": lambda m: m.linalg.householder_product(m.ones(3, 2, dtype=m.float64),
                                                              m.ones(2)),
    "geqrf_int": lambda m: m.geqrf(m.ones(2, 2, dtype=m.long)),
    "ldl_solve_dtype": lambda m: m.linalg.ldl_solve(m.eye(2, dtype=m.float64),
                                                    m.ones(2, dtype=m.int32), m.ones(2, 2)),
    "ldl_solve_1d_b": lambda m: m.linalg.ldl_solve(m.eye(2, dtype=m.float64),
                                                   m.ones(2, dtype=m.int32),
                                                   m.ones(2, dtype=m.float64)),
    "ldl_solve_sizes": lambda m: m.linalg.ldl_solve(m.eye(2, dtype=m.float64),
                                                    m.ones(2, dtype=m.int32),
                                                    m.ones(3, 2, dtype=m.float64)),
}


@pytest.mark.parametrize("case", sorted(_ERRORS))
def test_errors_match_torch(case):
    with pytest.raises(Exception) as et:
        _ERRORS[case](torch)
    with pytest.raises(Exception) as eg:
        _ERRORS[case](tg)
    assert type(eg.value).__name__ == type(et.value).__name__
    assert str(eg.value) == str(et.value)


def test_torch_lu_singular_does_not_raise():
    A = [[1.0, 2.0], [2.0, 4.0]]
    LU, piv, info = torch.lu(torch.tensor(A, dtype=torch.float64), get_infos=True)
    r = tg.lu(tg.tensor(A, dtype=tg.float64), get_infos=True)
    _close(LU, r[0])
    assert r[2].item() == info.item() == 2
    tg.lu(tg.tensor(A, dtype=tg.float64))
