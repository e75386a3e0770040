"""cdist as torch records it (lib/ops/cdist.cpp): the direct kernel (_cdist_forward,
CdistBackward0; kern::cdist_fwd / cdist_bwd on CPU floats) and, for p = 2 with more than 25 rows
or compute_mode='use_mm_for_euclid_dist', the matrix-product form (_euclidean_dist,
EuclideanDistBackward0) under torch's expand / clone / view nodes. Against torch: values
(torch's sequential sums, NaN and inf included), the recorded graph, gradients for a random
upstream gradient, saved attributes and errors; gradcheck and gradgradcheck in float64."""
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import crosscheck as cc  # noqa: E402
from crosscheck import tg  # noqa: E402

PS = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, math.inf]
DTYPES = ["float64", "float32"]


def _np(t):
    return np.asarray(t.detach().tolist(), dtype=float)


def _inputs(m, shape1, shape2, dtype, seed):
    rng = np.random.default_rng(seed)
    # whole numbers and repeats in a column make ties and zero differences (inf / p < 1 paths)
    a = np.round(rng.standard_normal(shape1) * 2, 1)
    b = np.round(rng.standard_normal(shape2) * 2, 1)
    x1 = m.tensor(a.ravel().tolist(), dtype=getattr(m, dtype)).reshape(shape1)
    x2 = m.tensor(b.ravel().tolist(), dtype=getattr(m, dtype)).reshape(shape2)
    return x1.requires_grad_(), x2.requires_grad_()


def _graph(fn):
    """the recorded graph as nested (name, children) tuples, leaves as 'AccumulateGrad'"""
    if fn is None:
        return None
    return (type(fn).__name__, tuple(_graph(f) for f, _ in fn.next_functions))


def _run(m, shape1, shape2, p, dtype, mode, seed=0):
    x1, x2 = _inputs(m, shape1, shape2, dtype, seed)
    kw = {} if mode is None else {"compute_mode": mode}
    d = m.cdist(x1, x2, p=p, **kw)
    rng = np.random.default_rng(seed + 1)
    g = m.tensor(rng.standard_normal(tuple(d.shape)).ravel().tolist(),
                 dtype=getattr(m, dtype)).reshape(tuple(d.shape))
    d.backward(g)
    return d, x1.grad, x2.grad


SHAPES = [((3, 4), (5, 4)), ((2, 3, 4), (2, 5, 4)), ((2, 1, 3, 4), (3, 5, 4)), ((4, 1), (2, 1)),
          ((1, 3, 2), (6, 2)), ((30, 3), (27, 3)), ((2, 30, 3), (4, 3)),
          ((2, 1, 26, 3), (3, 5, 3))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("p", PS)
@pytest.mark.parametrize("shapes", SHAPES, ids=str)
def test_values_graph_and_grads_match_torch(shapes, p, dtype):
    (a, ga1, ga2), (b, gb1, gb2) = (_run(m, *shapes, p, dtype, None) for m in (tg(), torch))
    assert _graph(a.grad_fn) == _graph(b.grad_fn)
    assert tuple(a.shape) == tuple(b.shape) and str(a.dtype)[-7:] == str(b.dtype)[-7:]
    mm = p == 2 and max(shapes[0][-2], shapes[1][-2]) > 25
    # the direct kernel sums as torch's (same values up to pow's last bit); the matrix-product
    # form differs by the products' summation order, relative to the norms (cancellation)
    tol = dict(rtol=1e-4, atol=1e-3) if mm and dtype == "float32" else (
        dict(rtol=1e-9, atol=1e-9) if dtype == "float64" else dict(rtol=2e-6, atol=1e-6))
    np.testing.assert_allclose(_np(a), _np(b), equal_nan=True, **tol)
    gtol = dict(rtol=1e-4, atol=1e-4) if dtype == "float32" else dict(rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(_np(ga1), _np(gb1), **gtol)
    np.testing.assert_allclose(_np(ga2), _np(gb2), **gtol)


@pytest.mark.parametrize("mode", ["use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist",
                                  "use_mm_for_euclid_dist_if_necessary"])
@pytest.mark.parametrize("shapes", [((3, 4), (5, 4)), ((30, 2), (3, 2)), ((2, 4, 3), (1, 6, 3))],
                         ids=str)
def test_compute_modes(shapes, mode):
    (a, ga1, ga2), (b, gb1, gb2) = (_run(m, *shapes, 2.0, "float64", mode) for m in (tg(), torch))
    assert _graph(a.grad_fn) == _graph(b.grad_fn)
    for u, v in ((a, b), (ga1, gb1), (ga2, gb2)):
        np.testing.assert_allclose(_np(u), _np(v), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("p", [1.0, 2.0, math.inf])
@pytest.mark.parametrize("shapes", [((0, 3), (4, 3)), ((3, 0), (4, 0)), ((30, 0), (4, 0)),
                                    ((2, 3, 4), (2, 0, 4)), ((0, 3, 4), (1, 5, 4))], ids=str)
def test_empty(shapes, p):
    (a, ga1, ga2), (b, gb1, gb2) = (_run(m, *shapes, p, "float32", None) for m in (tg(), torch))
    assert _graph(a.grad_fn) == _graph(b.grad_fn)
    assert tuple(a.shape) == tuple(b.shape)
    for u, v in ((a, b), (ga1, gb1), (ga2, gb2)):
        assert tuple(u.shape) == tuple(v.shape)
        np.testing.assert_array_equal(_np(u), _np(v))


def test_non_contiguous_inputs():
    def run(m):
        x1, x2 = _inputs(m, (4, 3, 2), (3, 2, 5), "float64", 7)
        d = m.cdist(x1.transpose(0, 1), x2.transpose(1, 2)[:, ::2], p=1.5)
        d.sum().backward()
        return d, x1.grad, x2.grad
    for u, v in zip(run(tg()), run(torch)):
        np.testing.assert_allclose(_np(u), _np(v), rtol=1e-12, atol=1e-12)


NAN, INF = math.nan, math.inf


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("p", PS)
def test_special_values(p, dtype):
    # torch's infinity norm passes over a NaN column (std::max from 0); the sums propagate it
    rows1 = [[1.0, NAN, 3.0], [0.0, 2.0, INF], [1.0, 1.0, 1.0]]
    rows2 = [[1.0, 1.0, 1.0], [0.0, 2.0, -INF]]

    def run(m):
        return m.cdist(m.tensor(rows1, dtype=getattr(m, dtype)),
                       m.tensor(rows2, dtype=getattr(m, dtype)), p=p)
    np.testing.assert_array_equal(_np(run(tg())), _np(run(torch)))


@pytest.mark.parametrize("p", [0.5, 1.0, 1.5, 2.0, 3.0, math.inf])
def test_gradcheck_gradgradcheck(p):
    # torch leaves the second derivative of _cdist_backward unimplemented; tapegrad's is the
    # differentiable form of the same terms, checked here against finite differences
    m = tg()
    x1, x2 = _inputs(m, (3, 4), (5, 4), "float64", 3)
    x1 = (x1.detach() + 0.05).requires_grad_()  # no ties or zero differences: smooth there
    for mode in ("donot_use_mm_for_euclid_dist", "use_mm_for_euclid_dist"):
        if p != 2 and mode == "use_mm_for_euclid_dist":
            continue
        f = lambda a, b: m.cdist(a, b, p=p, compute_mode=mode)  # noqa: E731
        assert m.autograd.gradcheck(f, (x1, x2))
        if p != math.inf:
            assert m.autograd.gradgradcheck(f, (x1, x2))


def test_zero_distance_subgradient():
    def run(m):
        x = m.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=m.float64, requires_grad=True)
        d = m.cdist(x, x.detach())
        d.sum().backward()
        return d, x.grad
    for u, v in zip(run(tg()), run(torch)):
        np.testing.assert_array_equal(_np(u), _np(v))


def test_saved_attributes():
    for m in (tg(), torch):
        x1, x2 = _inputs(m, (3, 2), (4, 2), "float64", 0)
        d = m.cdist(x1, x2, p=3)
        assert type(d.grad_fn).__name__ == "CdistBackward0"
        assert d.grad_fn._saved_p == 3.0
        assert d.grad_fn._saved_x1.equal(x1) and d.grad_fn._saved_x2.equal(x2)
        assert d.grad_fn._saved_result.equal(d)
        e = m.cdist(x1, x2, compute_mode="use_mm_for_euclid_dist").grad_fn.next_functions[0][0]
        assert type(e).__name__ == "EuclideanDistBackward0"
        assert e._saved_x1.equal(x1) and e._saved_x2.equal(x2)
    x = torch.randn(3, 2)
    assert tg()._euclidean_dist(tg().tensor(x.tolist()), tg().tensor(x.tolist())).shape == (3, 3)


ERRORS = [
    ("1-d", lambda m: m.cdist(m.ones(3), m.ones(3, 3))),
    ("1-d x2", lambda m: m.cdist(m.ones(3, 3), m.ones(3))),
    ("columns", lambda m: m.cdist(m.ones(3, 2), m.ones(3, 3))),
    ("int", lambda m: m.cdist(m.ones(3, 2, dtype=m.int64), m.ones(3, 2))),
    ("int x2", lambda m: m.cdist(m.ones(3, 2), m.ones(3, 2, dtype=m.int64))),
    ("int 1-d", lambda m: m.cdist(m.ones(3, dtype=m.int64), m.ones(3, 2))),
    ("negative p", lambda m: m.cdist(m.ones(3, 2), m.ones(3, 2), p=-1)),
    ("mode", lambda m: m.cdist(m.ones(3, 2), m.ones(3, 2), compute_mode="x")),
    ("dtypes", lambda m: m.cdist(m.ones(3, 2), m.ones(3, 2, dtype=m.float64))),
    ("batch", lambda m: m.cdist(m.ones(2, 3, 2), m.ones(3, 3, 2))),
    ("batch mm", lambda m: m.cdist(m.ones(2, 30, 2), m.ones(3, 3, 2))),
    ("half", lambda m: m.cdist(m.ones(3, 2, dtype=m.float16), m.ones(3, 2, dtype=m.float16))),
    ("half x2", lambda m: m.cdist(m.ones(3, 2), m.ones(3, 2, dtype=m.float16))),
]


@pytest.mark.parametrize("name,f", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_match_torch(name, f):
    cc.check_raises(f, label=name)


def test_half_matrix_product_path():
    # torch's CPU kernel refuses half; its matrix-product form computes in half
    def run(m):
        x1, x2 = _inputs(m, (30, 3), (4, 3), "float32", 5)
        return m.cdist(x1.detach().half(), x2.detach().half())
    a, b = run(tg()), run(torch)
    assert str(a.dtype) == str(b.dtype)
    np.testing.assert_allclose(_np(a), _np(b), rtol=2e-2, atol=2e-2)


def test_large_does_not_materialise_differences():
    # the old form built a [P, R, M] tensor of differences (1 GB here); the kernel needs none
    m = tg()
    x1 = m.randn(1000, 128, dtype=m.float64)
    x2 = m.randn(1000, 128, dtype=m.float64)
    d = m.cdist(x1, x2, p=1)
    ref = (x1[:3].unsqueeze(1) - x2[:5].unsqueeze(0)).abs().sum(-1)
    np.testing.assert_allclose(_np(d[:3, :5]), _np(ref), rtol=1e-12)
