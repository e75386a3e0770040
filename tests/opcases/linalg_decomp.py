"""torch.linalg decompositions and solvers (helper L): inv / det / slogdet / solve / cholesky /
triangular and LU solves / qr / eigh / svd / pinv / lstsq / norms / powers / matrix_exp and the
small compositions. Square inputs are shifted by a multiple of I (well conditioned, so float32
and finite differences agree); symmetric positive-definite ones are a a^T + n I. Eigenvectors
and singular vectors are sign-ambiguous: cases compare gauge-invariant functions of them
(v * v, reconstructions), as torch's own tests do.
"""
from crosscheck import randn
from opcases.base import case


def _wc(m, a, k=3.0):
    """a + k I: well-conditioned square (batched) matrices."""
    return a + k * m.eye(a.size(-1), dtype=a.dtype)


def _spd(m, a):
    return a @ a.mT + a.size(-1) * m.eye(a.size(-1), dtype=a.dtype)


def _sym(m, a):
    return a + a.mT


def _tri(m, a, upper):
    t = a.triu() if upper else a.tril()
    return t + 3 * m.eye(a.size(-1), dtype=a.dtype)


def _inverse_family():
    return [
        case("linalg_inv/3x3", lambda m, a: m.linalg.inv(_wc(m, a)), randn(3, 3),
             gradgrad=True),
        case("linalg_inv/plain", lambda m, a: m.linalg.inv(a), randn(4, 4), rtol=1e-3),
        case("linalg_inv/batched", lambda m, a: m.linalg.inv(_wc(m, a)), randn(2, 3, 3)),
        case("linalg_inv/empty_batch", lambda m, a: m.linalg.inv(a), randn(0, 3, 3)),
        case("linalg_inv/0x0", lambda m, a: m.linalg.inv(a), randn(0, 0)),
        case("linalg_inv/1x1", lambda m, a: m.linalg.inv(_wc(m, a)), randn(1, 1)),
        case("linalg_inv/nc", lambda m, a: m.linalg.inv(a * 1 + 3 * m.eye(3, dtype=a.dtype)),
             randn(3, 3, nc=True)),
        case("linalg_inv_ex/fn", lambda m, a: tuple(m.linalg.inv_ex(_wc(m, a))),
             randn(2, 3, 3)),
        case("linalg_inv/inverse", lambda m, a: m.inverse(_wc(m, a)), randn(3, 3)),
        case("linalg_inv/method", lambda m, a: _wc(m, a).inverse(), randn(3, 3)),
        case("linalg_det/3x3", lambda m, a: m.linalg.det(a), randn(3, 3), gradgrad=True),
        case("linalg_det/batched", lambda m, a: m.linalg.det(a), randn(2, 4, 4)),
        case("linalg_det/1x1", lambda m, a: m.linalg.det(a), randn(1, 1)),
        case("linalg_det/empty_batch", lambda m, a: m.linalg.det(a), randn(0, 2, 2)),
        case("linalg_det/nc", lambda m, a: m.linalg.det(a), randn(3, 3, nc=True)),
        case("linalg_det/torch_det", lambda m, a: m.det(a), randn(3, 3)),
        case("linalg_det/method", lambda m, a: a.det(), randn(2, 3, 3)),
        case("linalg_slogdet/fn", lambda m, a: tuple(m.linalg.slogdet(a)), randn(3, 3),
             gradgrad=True),
        case("linalg_slogdet/batched", lambda m, a: tuple(m.linalg.slogdet(a)), randn(3, 2, 2)),
        case("linalg_slogdet/torch", lambda m, a: tuple(m.slogdet(a)), randn(3, 3)),
        case("linalg_slogdet/method", lambda m, a: tuple(a.slogdet()), randn(3, 3)),
        case("logdet/spd", lambda m, a: m.logdet(_spd(m, a)), randn(3, 3), ops=("logdet",)),
        case("logdet/method", lambda m, a: _spd(m, a).logdet(), randn(2, 3, 3)),
    ]


def _solves():
    return [
        case("linalg_solve/matrix", lambda m, a, b: m.linalg.solve(_wc(m, a), b), randn(3, 3),
             randn(3, 2), gradgrad=True),
        case("linalg_solve/vector", lambda m, a, b: m.linalg.solve(_wc(m, a), b), randn(3, 3),
             randn(3)),
        case("linalg_solve/batch_vector", lambda m, a, b: m.linalg.solve(_wc(m, a), b),
             randn(2, 3, 3), randn(2, 3)),
        case("linalg_solve/bcast_A", lambda m, a, b: m.linalg.solve(_wc(m, a), b),
             randn(2, 3, 3), randn(3, 4)),
        case("linalg_solve/bcast_B", lambda m, a, b: m.linalg.solve(_wc(m, a), b), randn(3, 3),
             randn(2, 3, 1)),
        case("linalg_solve/left_false", lambda m, a, b: m.linalg.solve(_wc(m, a), b, left=False),
             randn(3, 3), randn(2, 3), gradgrad=True),
        case("linalg_solve/nc", lambda m, a, b: m.linalg.solve(a + 3 * m.eye(3, dtype=a.dtype),
                                                              b), randn(3, 3, nc=True),
             randn(3, 2, nc=True)),
        case("linalg_solve/empty_batch", lambda m, a, b: m.linalg.solve(a, b), randn(0, 3, 3),
             randn(0, 3, 2)),
        case("linalg_solve_ex/fn", lambda m, a, b: tuple(m.linalg.solve_ex(_wc(m, a), b)),
             randn(2, 3, 3), randn(2, 3, 2)),
        case("linalg_solve_triangular/upper",
             lambda m, a, b: m.linalg.solve_triangular(_tri(m, a, True), b, upper=True),
             randn(3, 3), randn(3, 2), gradgrad=True),
        case("linalg_solve_triangular/lower",
             lambda m, a, b: m.linalg.solve_triangular(_tri(m, a, False), b, upper=False),
             randn(2, 3, 3), randn(2, 3, 4)),
        case("linalg_solve_triangular/right",
             lambda m, a, b: m.linalg.solve_triangular(_tri(m, a, True), b, upper=True,
                                                       left=False), randn(3, 3), randn(2, 3)),
        case("linalg_solve_triangular/unit",
             lambda m, a, b: m.linalg.solve_triangular(a, b, upper=False, unitriangular=True),
             randn(3, 3), randn(3, 2)),
        case("linalg_solve_triangular/full_input",
             lambda m, a, b: m.linalg.solve_triangular(_wc(m, a), b, upper=True), randn(3, 3),
             randn(3, 2)),
        case("linalg_solve_triangular/bcast",
             lambda m, a, b: m.linalg.solve_triangular(_tri(m, a, False), b, upper=False),
             randn(3, 3), randn(2, 3, 2)),
        case("triangular_solve/fn",
             lambda m, b, a: tuple(m.triangular_solve(b, _tri(m, a, True))), randn(3, 2),
             randn(3, 3)),
        case("triangular_solve/transpose",
             lambda m, b, a: tuple(m.triangular_solve(b, _tri(m, a, False), upper=False,
                                                      transpose=True)), randn(3, 2),
             randn(3, 3)),
        case("cholesky_solve/lower", lambda m, b, a: m.cholesky_solve(
            b, m.linalg.cholesky(_spd(m, a))), randn(3, 2), randn(3, 3), gradgrad=True),
        case("cholesky_solve/upper", lambda m, b, a: m.cholesky_solve(
            b, m.linalg.cholesky(_spd(m, a), upper=True), upper=True), randn(2, 3, 2),
             randn(2, 3, 3)),
        case("cholesky_inverse/fn", lambda m, a: m.cholesky_inverse(
            m.linalg.cholesky(_spd(m, a))), randn(3, 3)),
    ]


def _cholesky_lu():
    return [
        case("linalg_cholesky/fn", lambda m, a: m.linalg.cholesky(_spd(m, a)), randn(3, 3),
             gradgrad=True),
        case("linalg_cholesky/upper", lambda m, a: m.linalg.cholesky(_spd(m, a), upper=True),
             randn(3, 3)),
        case("linalg_cholesky/batched", lambda m, a: m.linalg.cholesky(_spd(m, a)),
             randn(2, 4, 4)),
        case("linalg_cholesky/lower_triangle_only",
             lambda m, a, b: m.linalg.cholesky(_spd(m, a) + b.triu(1)), randn(3, 3),
             randn(3, 3), gradcheck=False),  # torch's gradient assumes symmetric input
        case("linalg_cholesky/empty_batch", lambda m, a: m.linalg.cholesky(_spd(m, a)),
             randn(0, 3, 3)),
        case("linalg_cholesky_ex/fn", lambda m, a: tuple(m.linalg.cholesky_ex(_spd(m, a))),
             randn(2, 3, 3)),
        case("linalg_cholesky/torch", lambda m, a: m.cholesky(_spd(m, a)), randn(3, 3)),
        case("linalg_cholesky/method", lambda m, a: _spd(m, a).cholesky(upper=True),
             randn(3, 3)),
        case("linalg_lu_factor/fn", lambda m, a: tuple(m.linalg.lu_factor(a)), randn(4, 4),
             gradgrad=True),
        case("linalg_lu_factor/batched", lambda m, a: tuple(m.linalg.lu_factor(a)),
             randn(2, 3, 3)),
        case("linalg_lu_factor/wide", lambda m, a: tuple(m.linalg.lu_factor(a)), randn(3, 5),
             grad=False),
        case("linalg_lu_factor/tall", lambda m, a: tuple(m.linalg.lu_factor(a)), randn(5, 3),
             grad=False),
        case("linalg_lu_factor_ex/fn", lambda m, a: tuple(m.linalg.lu_factor_ex(a)),
             randn(3, 3)),
        case("linalg_lu/fn", lambda m, a: tuple(m.linalg.lu(a)), randn(4, 4)),
        case("linalg_lu/batched", lambda m, a: tuple(m.linalg.lu(a)), randn(2, 3, 3)),
        case("linalg_lu/tall", lambda m, a: tuple(m.linalg.lu(a)), randn(4, 2), grad=False),
        case("lu_unpack/fn", lambda m, a: tuple(m.lu_unpack(*m.linalg.lu_factor(a))),
             randn(3, 3, rg=False)),
        case("linalg_lu_solve/fn", lambda m, a, b: m.linalg.lu_solve(
            *m.linalg.lu_factor(_wc(m, a)), b), randn(3, 3, rg=False), randn(3, 2),
             gradgrad=True),
        case("linalg_lu_solve/adjoint", lambda m, a, b: m.linalg.lu_solve(
            *m.linalg.lu_factor(_wc(m, a)), b, adjoint=True), randn(2, 3, 3, rg=False),
             randn(2, 3, 2)),
        case("linalg_lu_solve/right", lambda m, a, b: m.linalg.lu_solve(
            *m.linalg.lu_factor(_wc(m, a)), b, left=False), randn(3, 3, rg=False),
             randn(4, 3)),
    ]


def _orthogonal():
    return [
        case("linalg_qr/tall", lambda m, a: tuple(m.linalg.qr(a)), randn(5, 3), gradgrad=True),
        case("linalg_qr/square", lambda m, a: tuple(m.linalg.qr(a)), randn(2, 3, 3)),
        case("linalg_qr/wide", lambda m, a: tuple(m.linalg.qr(a)), randn(3, 5)),
        case("linalg_qr/complete_wide", lambda m, a: tuple(m.linalg.qr(a, "complete")),
             randn(3, 4)),
        case("linalg_qr/complete_tall", lambda m, a: tuple(m.linalg.qr(a, mode="complete")),
             randn(4, 2), grad=False),
        case("linalg_qr/r", lambda m, a: m.linalg.qr(a, mode="r")[1], randn(4, 3), grad=False),
        case("linalg_qr/nc", lambda m, a: tuple(m.linalg.qr(a)), randn(4, 3, nc=True)),
        case("linalg_qr/torch_qr", lambda m, a: tuple(m.qr(a)), randn(4, 3)),
        case("linalg_eigh/values", lambda m, a: m.linalg.eigh(_sym(m, a))[0], randn(4, 4),
             gradgrad=True),
        case("linalg_eigh/invariant", lambda m, a: (lambda r: (r[0], r[1] * r[1]))(
            m.linalg.eigh(_sym(m, a))), randn(2, 3, 3)),
        case("linalg_eigh/reconstruct", lambda m, a: (lambda w, v: v @ (w.unsqueeze(-1) * v.mT))(
            *m.linalg.eigh(_sym(m, a))), randn(3, 3)),
        case("linalg_eigh/upper", lambda m, a: (lambda r: (r[0], r[1] * r[1]))(
            m.linalg.eigh(a, UPLO="U")), randn(3, 3), gradcheck=False),
        # a non-symmetric input: torch's gradient is the symmetric one (not finite differences)
        case("linalg_eigh/lower_only", lambda m, a: m.linalg.eigh(a)[0], randn(3, 3),
             gradcheck=False),
        case("linalg_eigvalsh/fn", lambda m, a: m.linalg.eigvalsh(_sym(m, a)), randn(2, 4, 4)),
        case("linalg_eigvalsh/upper", lambda m, a: m.linalg.eigvalsh(a, UPLO="U"), randn(3, 3),
             gradcheck=False),
        case("linalg_svd/values", lambda m, a: m.linalg.svd(a, full_matrices=False)[1],
             randn(4, 3), gradgrad=True),
        case("linalg_svd/invariant_tall", lambda m, a: (lambda r: (r[0] * r[0], r[1],
                                                                   r[2] * r[2]))(
            m.linalg.svd(a, full_matrices=False)), randn(5, 3)),
        case("linalg_svd/invariant_wide", lambda m, a: (lambda r: (r[0] * r[0], r[1],
                                                                   r[2] * r[2]))(
            m.linalg.svd(a, full_matrices=False)), randn(2, 3, 4)),
        case("linalg_svd/reconstruct", lambda m, a: (lambda u, s, vh: u @ m.diag_embed(s) @ vh)(
            *m.linalg.svd(a, full_matrices=False)), randn(4, 4)),
        case("linalg_svd/full_square", lambda m, a: (lambda r: (r[0] * r[0], r[1],
                                                                r[2] * r[2]))(m.linalg.svd(a)),
             randn(3, 3)),
        # the last m - k columns of a full U are any orthonormal basis of the complement (checked
        # in test_linalg.py): compared are the first k
        case("linalg_svd/full_tall", lambda m, a: (lambda r: (r[0][:, :2].abs(), r[1],
                                                              r[0].shape[1]))(m.linalg.svd(a)),
             randn(4, 2), grad=False),
        case("linalg_svdvals/fn", lambda m, a: m.linalg.svdvals(a), randn(2, 3, 5)),
        case("linalg_svdvals/empty", lambda m, a: m.linalg.svdvals(a), randn(0, 3, 2)),
        case("linalg_svd/torch_svd", lambda m, a: (lambda r: (r[0] * r[0], r[1], r[2] * r[2]))(
            m.svd(a)), randn(4, 3)),
    ]


def _compositions():
    return [
        case("linalg_pinv/wide", lambda m, a: m.linalg.pinv(a), randn(3, 5), gradgrad=True),
        case("linalg_pinv/tall_batched", lambda m, a: m.linalg.pinv(a), randn(2, 4, 3)),
        case("linalg_pinv/hermitian", lambda m, a: m.linalg.pinv(_spd(m, a), hermitian=True),
             randn(3, 3)),
        case("linalg_pinv/pinverse", lambda m, a: m.pinverse(a), randn(3, 4)),
        case("linalg_matrix_rank/fn", lambda m, a, b: m.linalg.matrix_rank(a @ b), randn(4, 2),
             randn(2, 4), grad=False),
        case("linalg_matrix_rank/hermitian", lambda m, a: m.linalg.matrix_rank(
            a @ a.mT, hermitian=True), randn(2, 4, 2), grad=False),
        case("linalg_matrix_rank/atol", lambda m, a: m.linalg.matrix_rank(a, atol=1.0, rtol=0.0),
             randn(4, 4), grad=False),
        case("linalg_cond/2", lambda m, a: m.linalg.cond(a), randn(3, 3)),
        # torch's backward of cond for these orders fails (an in-place write on inv_ex's
        # saved result): forward only
        case("linalg_cond/1", lambda m, a: m.linalg.cond(_wc(m, a), 1), randn(3, 3),
             grad=False),
        case("linalg_cond/inf", lambda m, a: m.linalg.cond(_wc(m, a), float("inf")),
             randn(3, 3), grad=False),
        case("linalg_cond/fro", lambda m, a: m.linalg.cond(_wc(m, a), "fro"), randn(2, 3, 3),
             grad=False),
        case("linalg_cond/-2", lambda m, a: m.linalg.cond(a, -2), randn(3, 4)),
        case("linalg_matrix_norm/fro", lambda m, a: m.linalg.matrix_norm(a), randn(2, 3, 4)),
        case("linalg_matrix_norm/nuc", lambda m, a: m.linalg.matrix_norm(a, "nuc"), randn(3, 4)),
        case("linalg_matrix_norm/2", lambda m, a: m.linalg.matrix_norm(a, 2), randn(2, 3, 3)),
        case("linalg_matrix_norm/-2", lambda m, a: m.linalg.matrix_norm(a, -2), randn(3, 3)),
        case("linalg_matrix_norm/1", lambda m, a: m.linalg.matrix_norm(a, 1), randn(3, 4)),
        case("linalg_matrix_norm/-1", lambda m, a: m.linalg.matrix_norm(a, -1), randn(3, 4)),
        case("linalg_matrix_norm/inf_keepdim", lambda m, a: m.linalg.matrix_norm(
            a, float("inf"), keepdim=True), randn(2, 3, 4)),
        case("linalg_matrix_norm/-inf_dims", lambda m, a: m.linalg.matrix_norm(
            a, -float("inf"), dim=(0, 2)), randn(3, 2, 4)),
        case("linalg_matrix_norm/nuc_dims_keepdim", lambda m, a: m.linalg.matrix_norm(
            a, "nuc", dim=(2, 0), keepdim=True), randn(3, 2, 4)),
        case("linalg_norm/matrix_2", lambda m, a: m.linalg.norm(a, 2), randn(3, 4)),
        case("linalg_norm/matrix_1_dim", lambda m, a: m.linalg.norm(a, 1, dim=(0, 1)),
             randn(3, 4, 2)),
        case("norm/nuc", lambda m, a: m.norm(a, p="nuc"), randn(3, 4)),
        case("linalg_lstsq/tall", lambda m, a, b: m.linalg.lstsq(a, b).solution, randn(5, 3),
             randn(5, 2)),
        case("linalg_lstsq/gelsd", lambda m, a, b: tuple(m.linalg.lstsq(a, b, driver="gelsd")),
             randn(5, 3), randn(5, 2)),
        case("linalg_lstsq/square_vector", lambda m, a, b: tuple(m.linalg.lstsq(_wc(m, a), b)),
             randn(3, 3), randn(3)),
        case("linalg_lstsq/batched", lambda m, a, b: m.linalg.lstsq(a, b)[0], randn(2, 4, 3),
             randn(2, 4, 1)),
        case("linalg_matrix_power/0", lambda m, a: m.linalg.matrix_power(a, 0), randn(3, 3)),
        case("linalg_matrix_power/1", lambda m, a: m.linalg.matrix_power(a, 1), randn(3, 3)),
        case("linalg_matrix_power/3", lambda m, a: m.linalg.matrix_power(a, 3), randn(3, 3)),
        case("linalg_matrix_power/6", lambda m, a: m.linalg.matrix_power(a, 6), randn(2, 3, 3)),
        case("linalg_matrix_power/-2", lambda m, a: m.linalg.matrix_power(_wc(m, a), -2),
             randn(3, 3)),
        case("linalg_matrix_power/method", lambda m, a: a.matrix_power(2), randn(3, 3)),
        case("linalg_matrix_power/torch", lambda m, a: m.matrix_power(a, 5), randn(2, 2)),
        case("linalg_matrix_exp/fn", lambda m, a: m.linalg.matrix_exp(a), randn(3, 3),
             gradgrad=True),
        case("linalg_matrix_exp/large_norm", lambda m, a: m.linalg.matrix_exp(3 * a),
             randn(2, 3, 3)),
        case("linalg_matrix_exp/torch", lambda m, a: m.matrix_exp(a), randn(1, 1)),
        case("linalg_matrix_exp/method", lambda m, a: a.matrix_exp(), randn(4, 4)),
        case("linalg_multi_dot/two", lambda m, a, b: m.linalg.multi_dot([a, b]), randn(2, 3),
             randn(3, 4)),
        case("linalg_multi_dot/three", lambda m, a, b, c: m.linalg.multi_dot([a, b, c]),
             randn(5, 2), randn(2, 6), randn(6, 3)),
        case("linalg_multi_dot/four_vectors", lambda m, a, b, c, d: m.linalg.multi_dot(
            [a, b, c, d]), randn(3), randn(3, 4), randn(4, 2), randn(2)),
        case("linalg_multi_dot/first_vector", lambda m, a, b, c: m.linalg.multi_dot([a, b, c]),
             randn(3), randn(3, 4), randn(4, 2)),
        case("linalg_vecdot/fn", lambda m, a, b: m.linalg.vecdot(a, b), randn(2, 3),
             randn(2, 3)),
        case("linalg_vecdot/dim", lambda m, a, b: m.linalg.vecdot(a, b, dim=0), randn(3, 2),
             randn(3, 1)),
        case("linalg_diagonal/fn", lambda m, a: m.linalg.diagonal(a, offset=1), randn(2, 3, 4)),
        case("linalg_vander/fn", lambda m, a: m.linalg.vander(a), randn(4)),
        case("linalg_vander/N", lambda m, a: m.linalg.vander(a, N=3), randn(2, 3)),
        # torch's result is a ReshapeAliasBackward0 (a node tapegrad's reshape does not make):
        # compared after one more op
        case("linalg_tensorinv/fn", lambda m, a: m.linalg.tensorinv(
            a + 3 * m.eye(6, dtype=a.dtype).reshape(2, 3, 6), ind=2) * 1.0, randn(2, 3, 6)),
        case("linalg_tensorsolve/fn", lambda m, a, b: m.linalg.tensorsolve(
            a + 3 * m.eye(6, dtype=a.dtype).reshape(6, 2, 3), b), randn(6, 2, 3), randn(6)),
    ]


CASES = _inverse_family() + _solves() + _cholesky_lu() + _orthogonal() + _compositions()
