"""torch.linalg decompositions and solvers (helper L) beyond the value/gradient cross-checks of
tests/opcases/linalg_decomp.py: errors (type and message) for non-square, low-rank-dimension,
integer, singular and non-positive-definite input; LinAlgError; the info codes of the *_ex
forms; named results; grad_fn names and saved attributes; invariants of the factorizations on
larger and rank-deficient matrices; eig / eigvals (complex results: not available)."""
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the linalg checks compare against torch")

from crosscheck import backend_name, tg  # noqa: E402
from test_errors import assert_same_error  # noqa: E402

def _m(m, data, dtype="float64", rg=False):
    return m.tensor(data, dtype=getattr(m, dtype), requires_grad=rg)


def _np(t):
    return np.array(t.detach().tolist(), dtype=np.float64)


def _singular(m, batched=False):
    s = _m(m, [[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [4.0, 5.0, 6.0]])  # LU meets an exact zero
    if batched:
        return m.stack([m.eye(3, dtype=m.float64), s])
    return s


def _not_pd(m, batched=False):
    a = _m(m, [[1.0, 2.0], [2.0, 1.0]])
    if batched:
        return m.stack([m.eye(2, dtype=m.float64), a])
    return a


def _rect(m):
    return m.ones(2, 3)


def _vec(m):
    return m.ones(3)


def _long(m):
    return m.ones(3, 3, dtype=m.int64)


ERRORS = {
    # shape and dtype checks, in torch's order
    "inv_rect": lambda m: m.linalg.inv(_rect(m)),
    "inv_1d": lambda m: m.linalg.inv(_vec(m)),
    "inv_long": lambda m: m.linalg.inv(_long(m)),
    "inv_half": lambda m: m.linalg.inv(m.ones(2, 2, dtype=m.float16)),
    "inverse_int": lambda m: m.inverse(m.ones(3, 3, dtype=m.int32)),
    "det_rect": lambda m: m.linalg.det(_rect(m)),
    "det_1d": lambda m: m.linalg.det(_vec(m)),
    "det_long": lambda m: m.linalg.det(_long(m)),
    "det_half": lambda m: m.linalg.det(m.ones(2, 2, dtype=m.float16)),
    "slogdet_rect": lambda m: m.linalg.slogdet(_rect(m)),
    "logdet_long": lambda m: m.logdet(_long(m)),
    "cholesky_rect": lambda m: m.linalg.cholesky(_rect(m)),
    "cholesky_long": lambda m: m.linalg.cholesky(_long(m)),
    "cholesky_half": lambda m: m.linalg.cholesky(m.ones(2, 2, dtype=m.float16)),
    "eigh_rect": lambda m: m.linalg.eigh(_rect(m)),
    "eigh_1d": lambda m: m.linalg.eigh(_vec(m)),
    "eigh_long": lambda m: m.linalg.eigh(_long(m)),
    "eigh_uplo": lambda m: m.linalg.eigh(m.eye(3), UPLO="X"),
    "eigvalsh_rect": lambda m: m.linalg.eigvalsh(_rect(m)),
    "qr_1d": lambda m: m.linalg.qr(_vec(m)),
    "qr_long": lambda m: m.linalg.qr(_long(m)),
    "qr_mode": lambda m: m.linalg.qr(m.eye(3), mode="x"),
    "svd_1d": lambda m: m.linalg.svd(_vec(m)),
    "svd_long": lambda m: m.linalg.svd(_long(m)),
    "svdvals_1d": lambda m: m.linalg.svdvals(_vec(m)),
    "pinv_1d": lambda m: m.linalg.pinv(m.ones(3, dtype=m.float64)),
    "pinv_long": lambda m: m.linalg.pinv(_long(m)),
    "matrix_rank_1d": lambda m: m.linalg.matrix_rank(_vec(m)),
    "matrix_rank_long": lambda m: m.linalg.matrix_rank(_long(m)),
    "cond_1d": lambda m: m.linalg.cond(_vec(m), 1),
    "cond_rect_p1": lambda m: m.linalg.cond(m.ones(3, 2), 1),
    "matrix_power_rect": lambda m: m.linalg.matrix_power(_rect(m), 2),
    "matrix_power_1d": lambda m: m.linalg.matrix_power(_vec(m), 2),
    "matrix_power_float_n": lambda m: m.linalg.matrix_power(m.eye(3), 1.5),
    "matrix_power_long_negative": lambda m: m.linalg.matrix_power(_long(m), -1),
    "matrix_exp_rect": lambda m: m.linalg.matrix_exp(_rect(m)),
    "matrix_exp_long": lambda m: m.linalg.matrix_exp(_long(m)),
    "lu_factor_1d": lambda m: m.linalg.lu_factor(_vec(m)),
    "lu_1d": lambda m: m.linalg.lu(_vec(m)),
    "lu_factor_no_pivot": lambda m: m.linalg.lu_factor(m.eye(3), pivot=False),
    "matrix_norm_order": lambda m: m.linalg.matrix_norm(m.eye(3), "abc"),
    "matrix_norm_order_3": lambda m: m.linalg.matrix_norm(m.eye(3), 3),
    "matrix_norm_1d": lambda m: m.linalg.matrix_norm(_vec(m)),
    "matrix_norm_long": lambda m: m.linalg.matrix_norm(_long(m)),
    "matrix_norm_dim_int": lambda m: m.linalg.matrix_norm(m.eye(3), dim=(0,)),
    "matrix_norm_same_dims": lambda m: m.linalg.matrix_norm(m.eye(3), dim=(0, 0)),
    # solves
    "solve_dtype": lambda m: m.linalg.solve(m.eye(3), m.ones(3, dtype=m.float64)),
    "solve_shape": lambda m: m.linalg.solve(m.eye(3), m.ones(4)),
    "solve_shape_right": lambda m: m.linalg.solve(m.eye(3), m.ones(3, 2), left=False),
    "solve_rect": lambda m: m.linalg.solve(_rect(m), m.ones(2)),
    "solve_triangular_1d_B": lambda m: m.linalg.solve_triangular(m.eye(3), m.ones(3),
                                                                 upper=True),
    "solve_triangular_shape": lambda m: m.linalg.solve_triangular(m.eye(3), m.ones(2, 2),
                                                                  upper=True),
    "cholesky_solve_dtype": lambda m: m.cholesky_solve(m.ones(3, 1),
                                                       m.eye(3, dtype=m.float64)),
    "lu_solve_1d_B": lambda m: m.linalg.lu_solve(*m.linalg.lu_factor(m.eye(3)), m.ones(3)),
    "lstsq_driver": lambda m: m.linalg.lstsq(m.eye(3), m.ones(3, 3), driver="x"),
    "lstsq_shape": lambda m: m.linalg.lstsq(m.eye(3), m.ones(2)),
    "multi_dot_one": lambda m: m.linalg.multi_dot([m.eye(3)]),
    "multi_dot_empty": lambda m: m.linalg.multi_dot([]),
    "multi_dot_3d_first": lambda m: m.linalg.multi_dot([m.ones(2, 2, 2), m.ones(2, 2)]),
    "multi_dot_3d_last": lambda m: m.linalg.multi_dot([m.ones(2, 2), m.ones(2, 2, 2)]),
    "multi_dot_3d_middle": lambda m: m.linalg.multi_dot([m.ones(2, 2), m.ones(2, 2, 2),
                                                          m.ones(2, 2)]),
    "multi_dot_shapes": lambda m: m.linalg.multi_dot([m.ones(2, 2), m.ones(3, 2)]),
    "multi_dot_dtypes": lambda m: m.linalg.multi_dot([m.ones(2, 2),
                                                       m.ones(2, 2, dtype=m.float64)]),
    "vecdot_dtypes": lambda m: m.linalg.vecdot(m.ones(3), m.ones(3, dtype=m.float64)),
    "vander_N": lambda m: m.linalg.vander(m.ones(3), N=1),
    "vander_0d": lambda m: m.linalg.vander(m.tensor(1.0)),
    "tensorinv_ind": lambda m: m.linalg.tensorinv(m.ones(4, 6, 8, 3), ind=0),
    "tensorsolve_shape": lambda m: m.linalg.tensorsolve(m.ones(2, 3, 6), m.ones(4)),
    # singular / not positive-definite input: LinAlgError (a RuntimeError)
    "inv_singular": lambda m: m.linalg.inv(_singular(m)),
    "inv_singular_batched": lambda m: m.linalg.inv(_singular(m, True)),
    "inv_ex_check_errors": lambda m: m.linalg.inv_ex(_singular(m), check_errors=True),
    "solve_singular": lambda m: m.linalg.solve(_singular(m), m.ones(3, dtype=m.float64)),
    "cholesky_not_pd": lambda m: m.linalg.cholesky(_not_pd(m)),
    "cholesky_not_pd_batched": lambda m: m.linalg.cholesky(_not_pd(m, True)),
    "cholesky_ex_check_errors": lambda m: m.linalg.cholesky_ex(-m.eye(2), check_errors=True),
    "lu_factor_singular": lambda m: m.linalg.lu_factor(_singular(m)),
    "lu_factor_singular_batched": lambda m: m.linalg.lu_factor(_singular(m, True)),
    "lu_factor_ex_check_errors": lambda m: m.linalg.lu_factor_ex(_singular(m),
                                                                 check_errors=True),
    "solve_ex_check_errors": lambda m: m.linalg.solve_ex(_singular(m), m.ones(3, dtype=m.float64),
                                                         check_errors=True),
    "solve_singular_batched": lambda m: m.linalg.solve(_singular(m, True),
                                                       m.ones(3, dtype=m.float64)),
    "solve_vector_right": lambda m: m.linalg.solve(m.eye(3), m.ones(3), left=False),
    # backward refusals
    "qr_r_backward": lambda m: m.linalg.qr(m.ones(4, 3, requires_grad=True),
                                          mode="r")[1].sum().backward(),
    "qr_complete_tall_backward": lambda m: m.linalg.qr(
        m.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]], requires_grad=True),
        mode="complete")[0].sum().backward(),
}


@pytest.mark.parametrize("fn", [pytest.param(f, id=i) for i, f in ERRORS.items()])
def test_error_matches_torch(fn):
    assert_same_error(fn)


def test_linalg_error_is_runtime_error():
    m = tg()
    assert issubclass(m.linalg.LinAlgError, RuntimeError)
    with pytest.raises(m.linalg.LinAlgError):
        m.linalg.inv(_singular(m))
    with pytest.raises(RuntimeError):
        m.linalg.cholesky(_not_pd(m))


def test_info_codes_match_torch():
    m = tg()
    cases = [
        (lambda l: l.linalg.inv_ex(_singular(l, True)).info),
        (lambda l: l.linalg.cholesky_ex(_not_pd(l, True)).info),
        (lambda l: l.linalg.solve_ex(_singular(l, True), l.ones(2, 3, dtype=l.float64)).info),
        (lambda l: l.linalg.lu_factor_ex(_singular(l)).info),
    ]
    for f in cases:
        got, ref = f(m), f(torch)
        assert str(got.dtype).endswith("int32") and got.tolist() == ref.tolist()


def test_named_results():
    m = tg()
    a = _m(m, [[4.0, 1.0], [1.0, 3.0]])
    checks = [
        (m.linalg.slogdet(a), "linalg_slogdet", ("sign", "logabsdet")),
        (m.slogdet(a), "slogdet", ("sign", "logabsdet")),
        (m.linalg.inv_ex(a), "linalg_inv_ex", ("inverse", "info")),
        (m.linalg.cholesky_ex(a), "linalg_cholesky_ex", ("L", "info")),
        (m.linalg.solve_ex(a, a), "linalg_solve_ex", ("result", "info")),
        (m.linalg.lu_factor(a), "linalg_lu_factor", ("LU", "pivots")),
        (m.linalg.lu_factor_ex(a), "linalg_lu_factor_ex", ("LU", "pivots", "info")),
        (m.linalg.lu(a), "linalg_lu", ("P", "L", "U")),
        (m.linalg.qr(a), "linalg_qr", ("Q", "R")),
        (m.linalg.eigh(a), "linalg_eigh", ("eigenvalues", "eigenvectors")),
        (m.linalg.svd(a), "linalg_svd", ("U", "S", "Vh")),
        (m.svd(a), "svd", ("U", "S", "V")),
        (m.linalg.lstsq(a, a), "linalg_lstsq", ("solution", "residuals", "rank",
                                                "singular_values")),
    ]
    for r, name, fields in checks:
        assert type(r).__name__ == name and len(r) == len(fields)
        for k, f in enumerate(fields):
            assert getattr(r, f) is r[k]
    assert repr(m.linalg.slogdet(a)).startswith("torch.return_types.linalg_slogdet(")


GRAD_FNS = {
    "LinalgInvExBackward0": lambda m, x: m.linalg.inv(x),
    "LinalgDetBackward0": lambda m, x: m.linalg.det(x),
    "LinalgSlogdetBackward0": lambda m, x: m.linalg.slogdet(x)[1],
    "LinalgSolveExBackward0": lambda m, x: m.linalg.solve(x, m.ones(3, dtype=x.dtype)),
    "LinalgCholeskyExBackward0": lambda m, x: m.linalg.cholesky(
        (x @ x.mT + 3 * m.eye(3, dtype=x.dtype)).detach().requires_grad_()),
    "LinalgSolveTriangularBackward0": lambda m, x: m.linalg.solve_triangular(
        x, m.ones(3, 1, dtype=x.dtype), upper=True),
    "LinalgLuFactorExBackward0": lambda m, x: m.linalg.lu_factor(x)[0],
    "LinalgLuBackward0": lambda m, x: m.linalg.lu(x)[1],
    "LinalgQrBackward0": lambda m, x: m.linalg.qr(x)[0],
    "LinalgEighBackward0": lambda m, x: m.linalg.eigvalsh(x),
    "LinalgSvdBackward0": lambda m, x: m.linalg.svdvals(x),
    "LinalgPinvBackward0": lambda m, x: m.linalg.pinv(x),
    "LinalgMatrixExpBackward0": lambda m, x: m.linalg.matrix_exp(x),
    "LinalgLuSolveBackward0": lambda m, x: m.linalg.lu_solve(
        *m.linalg.lu_factor(m.eye(3, dtype=x.dtype)), x),
    "WhereBackward0": lambda m, x: m.logdet(x),
}


@pytest.mark.parametrize("name", list(GRAD_FNS))
def test_grad_fn_names(name):
    m = tg()
    x = m.tensor([[3.0, 1.0, 0.5], [0.2, 4.0, 1.0], [0.1, 0.3, 5.0]], dtype=m.float64,
                 requires_grad=True)
    assert type(GRAD_FNS[name](m, x).grad_fn).__name__ == name


def test_saved_attributes():
    m = tg()
    x = m.tensor([[3.0, 1.0], [0.5, 4.0]], dtype=m.float64, requires_grad=True)
    y = m.linalg.inv(x)
    assert np.allclose(_np(y.grad_fn._saved_inverse), _np(y))
    s = m.linalg.solve_triangular(x, m.ones(2, 1, dtype=m.float64), upper=True, left=True)
    assert s.grad_fn._saved_upper is True and s.grad_fn._saved_left is True
    assert s.grad_fn._saved_unitriangular is False
    c = m.linalg.cholesky((x @ x.mT).detach().requires_grad_(), upper=True)
    assert c.grad_fn._saved_upper is True
    q = m.linalg.qr(x)
    assert q.Q.grad_fn._saved_mode == "reduced"


def _rand(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def test_large_decompositions_reconstruct():
    """40 x 40 and 30 x 50 inputs: every factorization reproduces its input to float64
    rounding, with orthonormal factors and torch's spectra."""
    m = tg()
    a = _rand((40, 40))
    ta, ma = torch.tensor(a), _m(m, a.tolist())
    # LU
    P, Lf, U = m.linalg.lu(ma)
    assert np.allclose(_np(P) @ _np(Lf) @ _np(U), a, atol=1e-11)
    # QR
    for shape in ((40, 40), (30, 50), (50, 30)):
        b = _rand(shape, 1)
        Q, R = m.linalg.qr(_m(m, b.tolist()))
        Qr, Rr = torch.linalg.qr(torch.tensor(b))
        assert np.allclose(_np(Q), Qr.numpy(), atol=1e-10)
        assert np.allclose(_np(R), Rr.numpy(), atol=1e-10)
        # SVD
        u, s, vh = m.linalg.svd(_m(m, b.tolist()), full_matrices=True)
        u, s, vh = _np(u), _np(s), _np(vh)
        k = min(shape)
        assert np.allclose((u[:, :k] * s) @ vh[:k], b, atol=1e-11)
        assert np.allclose(u.T @ u, np.eye(shape[0]), atol=1e-12)
        assert np.allclose(vh @ vh.T, np.eye(shape[1]), atol=1e-12)
        assert np.allclose(s, torch.linalg.svdvals(torch.tensor(b)).numpy(), atol=1e-11)
    # eigh
    sym = a + a.T
    w, v = m.linalg.eigh(_m(m, sym.tolist()))
    w, v = _np(w), _np(v)
    assert np.allclose(w, torch.linalg.eigvalsh(torch.tensor(sym)).numpy(), atol=1e-11)
    assert np.allclose(v @ np.diag(w) @ v.T, sym, atol=1e-11)
    assert np.allclose(v.T @ v, np.eye(40), atol=1e-12)
    # inverse, determinant
    assert np.allclose(_np(m.linalg.inv(ma)), torch.linalg.inv(ta).numpy(), atol=1e-9)
    assert math.isclose(m.linalg.det(ma).item(), torch.linalg.det(ta).item(), rel_tol=1e-9)


def test_rank_deficient_svd_and_pinv():
    m = tg()
    b = _rand((6, 2)) @ _rand((2, 5), 1)  # rank 2
    tb = torch.tensor(b)
    u, s, vh = m.linalg.svd(_m(m, b.tolist()), full_matrices=True)
    u, s, vh = _np(u), _np(s), _np(vh)
    assert np.allclose(u.T @ u, np.eye(6), atol=1e-12)
    assert np.allclose(vh @ vh.T, np.eye(5), atol=1e-12)
    assert np.allclose((u[:, :5] * s) @ vh, b, atol=1e-12)
    assert m.linalg.matrix_rank(_m(m, b.tolist())).item() == 2
    assert np.allclose(_np(m.linalg.pinv(_m(m, b.tolist()))), torch.linalg.pinv(tb).numpy(),
                       atol=1e-10)
    z = m.linalg.svd(m.zeros(3, 2, dtype=m.float64))
    assert np.allclose(_np(z.U).T @ _np(z.U), np.eye(3)) and _np(z.S).tolist() == [0.0, 0.0]


def test_eigh_repeated_eigenvalues():
    m = tg()
    q, _ = np.linalg.qr(_rand((5, 5)))
    d = np.array([1.0, 1.0, 2.0, 2.0, 2.0])
    a = (q * d) @ q.T
    w, v = m.linalg.eigh(_m(m, a.tolist()))
    assert np.allclose(_np(w), d, atol=1e-12)
    assert np.allclose(_np(v) @ np.diag(_np(w)) @ _np(v).T, a, atol=1e-12)


def test_singular_ex_results_do_not_raise():
    m = tg()
    r = m.linalg.inv_ex(_singular(m))
    assert r.info.item() == 3 and r.inverse.shape == (3, 3)
    c = m.linalg.cholesky_ex(_not_pd(m))
    assert c.info.item() == 2
    s, la = m.linalg.slogdet(_singular(m))
    assert s.item() == 0.0 and la.item() == -math.inf
    assert m.linalg.det(_singular(m)).item() == 0.0
    assert math.isnan(m.logdet(-m.eye(3, dtype=m.float64)).item())


def test_cond_of_singular_matrix_is_inf():
    m = tg()
    for p in (1, float("inf"), "fro", "nuc"):
        got = m.linalg.cond(_singular(m), p).item()
        ref = torch.linalg.cond(_singular(torch), p).item()
        assert got == math.inf
        # torch's nuclear-norm cond goes through an SVD whose smallest singular value is a
        # rounding residue on some CPUs (1e17 on AMD EPYC with torch 2.13, inf on Xeon)
        assert ref == math.inf or (p == "nuc" and ref > 1e15), (p, ref)


def test_empty_inputs_match_torch():
    m = tg()
    for f in (lambda l, x: l.linalg.inv(x), lambda l, x: l.linalg.det(x),
              lambda l, x: l.linalg.cholesky(x), lambda l, x: l.linalg.eigh(x)[0],
              lambda l, x: l.linalg.slogdet(x)[1]):
        for shape in ((0, 0), (2, 0, 0), (0, 3, 3)):
            got = f(m, m.zeros(shape, dtype=m.float64))
            ref = f(torch, torch.zeros(shape, dtype=torch.float64))
            assert tuple(got.shape) == tuple(ref.shape) and got.tolist() == ref.tolist()
    for shape in ((3, 0), (0, 3), (2, 0, 4)):
        x, tx = m.zeros(shape, dtype=m.float64), torch.zeros(shape, dtype=torch.float64)
        for f in (lambda l, x: l.linalg.svd(x), lambda l, x: l.linalg.qr(x, "complete")):
            for g, r in zip(f(m, x), f(torch, tx)):
                assert tuple(g.shape) == tuple(r.shape) and g.tolist() == r.tolist()
        assert tuple(m.linalg.pinv(x).shape) == tuple(torch.linalg.pinv(tx).shape)
        assert m.linalg.matrix_rank(x).tolist() == torch.linalg.matrix_rank(tx).tolist()


def test_double_backward_through_inverse():
    """create_graph: the gradient of an inverse is itself differentiable (Hessian-vector)."""
    m = tg()
    vals = [[3.0, 1.0], [0.5, 2.0]]
    res = []
    for lib in (torch, m):
        x = lib.tensor(vals, dtype=lib.float64, requires_grad=True)
        (g,) = lib.autograd.grad(lib.linalg.inv(x).sum(), x, create_graph=True)
        (h,) = lib.autograd.grad((g * g).sum(), x)
        res.append(_np(h))
    assert np.allclose(res[0], res[1], atol=1e-10)


@pytest.mark.xfail(backend_name() != "torch", strict=True, raises=NotImplementedError,
                   reason="eig/eigvals return complex tensors; tapegrad has no complex dtypes")
@pytest.mark.parametrize("name", ["eig", "eigvals"])
def test_eig_needs_complex(name):
    m = tg()
    a = [[2.0, 1.0], [0.0, 3.0]]
    got = getattr(m.linalg, name)(m.tensor(a))
    ref = getattr(torch.linalg, name)(torch.tensor(a))
    g = got[0] if name == "eig" else got
    r = ref[0] if name == "eig" else ref
    assert np.allclose(np.array(g.tolist()), r.numpy())


def test_cuda_input_raises_not_implemented():
    m = tg()
    if backend_name() == "torch" or not m.cuda.is_available():
        pytest.skip("needs a CUDA device")
    with pytest.raises(NotImplementedError, match="not implemented on CUDA"):
        m.linalg.inv(m.eye(3, device="cuda"))


@pytest.mark.parametrize("name", ["householder_product", "ldl_factor"])
def test_householder_product_ldl_factor(name):
    m = tg()
    a = [[4.0, 1.0], [1.0, 3.0]]
    args = {"householder_product": lambda l: (l.tensor(a), l.tensor([0.5, 0.0])),
            "ldl_factor": lambda l: (l.tensor(a),)}[name]
    got = getattr(m.linalg, name)(*args(m))
    ref = getattr(torch.linalg, name)(*args(torch))
    g = got[0] if isinstance(got, tuple) else got
    r = ref[0] if isinstance(ref, tuple) else ref
    assert np.allclose(np.array(g.tolist()), r.numpy())


def test_det_gradient_of_singular_matrix():
    """The det gradient stays finite at singular matrices (the transposed adjugate), as in
    torch. At an exactly zero row torch returns zeros; the derivative there is the row of
    cofactors (det is linear in that row), which is what tapegrad returns."""
    m = tg()
    rank2 = [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]]
    res = []
    for lib in (torch, m):
        x = lib.tensor(rank2, dtype=lib.float64, requires_grad=True)
        lib.linalg.det(x).backward()
        res.append(_np(x.grad))
    # the cofactor matrix of rank2, by hand: C_ij = (-1)^(i+j) M_ij
    cof = np.array([[4.0, 4.0, -4.0], [-2.0, -2.0, 2.0], [0.0, 0.0, 0.0]])
    assert np.allclose(res[1], cof, atol=1e-8)
    # torch's LU meets an exact zero pivot on some CPUs and then returns zeros (AMD EPYC,
    # torch 2.13); where it does not, it agrees
    assert np.allclose(res[0], cof, atol=1e-8) or not res[0].any()
    x = m.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [4.0, 5.0, 6.0]], dtype=m.float64,
                 requires_grad=True)
    m.linalg.det(x).backward()
    # the cofactors of the zero row: (-1)^(1+j) times the 2x2 minors (-3, -6, -3)
    expected = np.zeros((3, 3))
    expected[1] = [3.0, -6.0, 3.0]
    assert np.allclose(_np(x.grad), expected, atol=1e-10)
