"""Cases for isclose / allclose / equal (bool results, no gradient), count_nonzero (int64
counts) and diff (n, dim, prepend / append; its gradient flows through slices and SubBackward0).
"""
from crosscheck import const, ints, mask, randn
from opcases.base import case

A = [1.0, 1.0, 1.0, float("inf"), float("inf"), float("nan"), float("nan"), 0.0, 100.0, -1e-9]
B = [1.0, 1.00001, 1.1, float("inf"), float("-inf"), float("nan"), 1.0, 1e-9, 100.001, 1e-9]
NOGRAD = dict(grad=False, gradcheck=False)


def _closeness():
    return [
        case("isclose/fn", lambda m, a, b: m.isclose(a, b), const(A), const(B), **NOGRAD),
        case("isclose/equal_nan", lambda m, a, b: m.isclose(a, b, equal_nan=True), const(A),
             const(B), **NOGRAD),
        case("isclose/tols", lambda m, a, b: a.isclose(b, rtol=0.05, atol=0.01), const(A),
             const(B), **NOGRAD),
        case("isclose/zero_tols", lambda m, a, b: m.isclose(a, b, 0.0, 0.0), const(A),
             const(B), **NOGRAD),
        case("isclose/random", lambda m, a, b: m.isclose(a, a + b * 1e-6), randn(3, 4),
             randn(3, 4), **NOGRAD),
        case("isclose/broadcast", lambda m, a, b: m.isclose(a, b, atol=0.5), randn(3, 1),
             randn(4), **NOGRAD),
        case("isclose/int", lambda m, i, j: m.isclose(i, j, rtol=0.5), ints(3, 4), ints(3, 4),
             **NOGRAD),
        case("isclose/bool", lambda m, p, q: m.isclose(p, q), mask(3, 4), mask(3, 4), **NOGRAD),
        case("isclose/0d_empty", lambda m, a, b: m.isclose(a, b), randn(), randn(0, 2),
             **NOGRAD),
        case("isclose/nc", lambda m, a: m.isclose(a, a * 1.000001), randn(3, 4, nc=True),
             **NOGRAD),
        case("isclose/requires_grad", lambda m, a, b: m.isclose(a, b), randn(3), randn(3)),
        case("allclose/values", lambda m, a, b: m.tensor(
            [m.allclose(a, a), m.allclose(a, b), m.allclose(a, a + 1e-7),
             a.allclose(b, atol=10.0), m.allclose(a, a * float("nan"), equal_nan=True),
             m.allclose(a, a * float("nan"))]), randn(3, 4), randn(3, 4), **NOGRAD),
        case("equal/values", lambda m, a, b: m.tensor(
            [m.equal(a, a), m.equal(a, b), a.equal(a.clone()), m.equal(a, a[:2]),
             m.equal(a, a.double()), m.equal(a * float("nan"), a * float("nan")),
             m.equal(a[:0], b[:0])]), randn(3, 4), randn(3, 4), **NOGRAD),
    ]


def _count_nonzero():
    zs = const([[0.0, 1.5, 0.0, -2.0], [0.0, 0.0, 0.0, 0.0], [3.0, float("nan"), -0.0, 1.0]])
    return [
        case("count_nonzero/all", lambda m, x: m.count_nonzero(x), zs, **NOGRAD),
        case("count_nonzero/dim", lambda m, x: m.count_nonzero(x, 1), zs, **NOGRAD),
        case("count_nonzero/dim_kw", lambda m, x: x.count_nonzero(dim=0), zs, **NOGRAD),
        case("count_nonzero/dims", lambda m, x: m.count_nonzero(x, dim=(0, 1)), zs, **NOGRAD),
        case("count_nonzero/neg_dim", lambda m, x: m.count_nonzero(x, -1), zs, **NOGRAD),
        case("count_nonzero/int", lambda m, i: m.count_nonzero(i, 0), ints(4, 3, high=2),
             **NOGRAD),
        case("count_nonzero/bool", lambda m, b: b.count_nonzero(), mask(4, 3), **NOGRAD),
        case("count_nonzero/0d_empty", lambda m, x, e: m.stack(
            [m.count_nonzero(x), m.count_nonzero(e)]), randn(), randn(0, 3), **NOGRAD),
        case("count_nonzero/empty_dim", lambda m, e: m.count_nonzero(e, 0), randn(0, 3),
             **NOGRAD),
        case("count_nonzero/nc", lambda m, x: m.count_nonzero(x.relu(), 1), randn(3, 4, nc=True),
             **NOGRAD),
    ]


def _diff():
    return [
        case("diff/fn", lambda m, x: m.diff(x), randn(3, 5), gradgrad=True),
        case("diff/method", lambda m, x: x.diff(), randn(6)),
        case("diff/n2", lambda m, x: m.diff(x, n=2), randn(3, 5)),
        case("diff/dim0", lambda m, x: m.diff(x, dim=0), randn(4, 3)),
        case("diff/n_dim", lambda m, x: x.diff(2, 1), randn(2, 5, 3)),
        case("diff/n_past_len", lambda m, x: m.diff(x, n=5), randn(2, 3)),
        case("diff/prepend", lambda m, x, p: m.diff(x, prepend=p), randn(3, 4), randn(3, 2)),
        case("diff/append", lambda m, x, a: x.diff(dim=0, append=a), randn(3, 4), randn(1, 4)),
        case("diff/both", lambda m, x, p, a: m.diff(x, 2, -1, p, a), randn(2, 4), randn(2, 1),
             randn(2, 3)),
        case("diff/n0", lambda m, x: m.diff(x, n=0), randn(3, 4), **NOGRAD),
        case("diff/empty", lambda m, x: m.diff(x), randn(0, 3)),
        case("diff/empty_dim", lambda m, x: m.diff(x, dim=0), randn(0, 3)),
        case("diff/len1", lambda m, x: m.diff(x), randn(3, 1)),
        case("diff/nc", lambda m, x: m.diff(x, dim=0), randn(4, 3, nc=True)),
        case("diff/int", lambda m, i: m.diff(i), ints(3, 5, high=10)),
        case("diff/bool", lambda m, b: m.diff(b, n=2), mask(3, 5)),
    ]


CASES = _closeness() + _count_nonzero() + _diff()
