"""nll_loss / cross_entropy forward reading only each target's entry (kern::nll_loss_fwd on CPU
float32/float64, the gather path for half/bfloat16), log_softmax's short-row blocks, and the
target checks that moved from Python into lib/ops/nn.cpp: values, signs, gradients and errors
against torch.

The cases that motivated them: a masked logit (-inf) elsewhere in a row made the old dense
forward (input * coefficients) 0 * -inf = nan where torch gives a finite loss, and an ignored
target gave -0. for reduction='none'."""
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from crosscheck import tg  # noqa: E402

INF, NAN = math.inf, math.nan


def _vals(t):
    """values with the sign of zeros kept (tolist loses nothing; -0.0 compares equal to 0.0)"""
    a = np.asarray(t.detach().tolist(), dtype=float)
    return a, np.signbit(a)


def _same(a, b, rtol=1e-6):
    (va, sa), (vb, sb) = _vals(a), _vals(b)
    np.testing.assert_allclose(va, vb, rtol=rtol, atol=1e-7, equal_nan=True)
    np.testing.assert_array_equal(sa, sb)


ROWS = [  # (logits, targets): the non-target entries hold infinities and nans
    ([[0.0, -INF], [1.0, 2.0]], [0, 1]),
    ([[-INF, 3.0, -INF], [0.5, -INF, 0.25], [1.0, 1.0, -INF]], [1, 0, 1]),
    ([[0.0, -INF]], [-100]),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("rows,targets", ROWS)
def test_masked_logits_cross_entropy(rows, targets, reduction, dtype):
    def run(m):
        x = m.tensor(rows, dtype=getattr(m, dtype), requires_grad=True)
        out = m.nn.functional.cross_entropy(x, m.tensor(targets), reduction=reduction)
        g = m.ones(out.shape, dtype=out.dtype) * 0.75
        out.backward(g)
        return out, x.grad
    (a, ga), (b, gb) = run(tg()), run(torch)
    _same(a, b)
    _same(ga, gb)


@pytest.mark.parametrize("dtype", ["float32", "float64", "bfloat16", "float16"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weight", [False, True])
def test_nll_ignores_other_entries(dtype, reduction, weight):
    # inf / nan outside the targets, and at class 0 of an ignored row (the gather path's stand-in
    # index); ignored rows give +0 for 'none'
    x = [[INF, -1.0, NAN], [2.0, 3.0, -INF], [NAN, 0.5, 4.0], [-INF, 1.5, 2.5]]
    t = [1, -100, 1, 2]

    def run(m):
        kw = dict(reduction=reduction)
        if weight:
            kw["weight"] = m.tensor([0.5, 2.0, 0.25], dtype=getattr(m, dtype))
        return m.nn.functional.nll_loss(m.tensor(x, dtype=getattr(m, dtype)), m.tensor(t), **kw)
    a, b = run(tg()), run(torch)
    _same(a.float(), b.float(), rtol=1e-2 if dtype in ("bfloat16", "float16") else 1e-6)


@pytest.mark.parametrize("layout", ["transposed", "1d", "4d", "5d", "sliced"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_nll_layouts_values_and_grads(layout, dtype):
    rng = np.random.default_rng(7)

    def make(m):
        dt = getattr(m, dtype)
        if layout == "transposed":
            base = m.tensor(rng_vals((6, 9)), dtype=dt).requires_grad_()
            return base, base.t(), m.tensor([1, 5, 0, 2, 3, 5, 4, 0, 1])
        if layout == "1d":
            base = m.tensor(rng_vals((7,)), dtype=dt).requires_grad_()
            return base, base, m.tensor(4)
        if layout == "4d":
            base = m.tensor(rng_vals((2, 3, 4, 5)), dtype=dt).requires_grad_()
            return base, base, m.tensor(targets((2, 4, 5), 3))
        if layout == "5d":
            base = m.tensor(rng_vals((2, 3, 2, 2, 3)), dtype=dt).requires_grad_()
            return base, base, m.tensor(targets((2, 2, 2, 3), 3))
        base = m.tensor(rng_vals((8, 10)), dtype=dt).requires_grad_()
        return base, base[::2, 1::2], m.tensor([0, 4, 2, 1])

    vals_cache = {}

    def rng_vals(shape):
        if shape not in vals_cache:
            vals_cache[shape] = rng.standard_normal(shape).tolist()
        return vals_cache[shape]

    def targets(shape, c):
        key = ("t",) + shape
        if key not in vals_cache:
            vals_cache[key] = rng.integers(0, c, shape).tolist()
        return vals_cache[key]

    res = []
    for m in (tg(), torch):
        base, x, t = make(m)
        for reduction in ("mean", "sum", "none"):
            base.grad = None
            out = m.nn.functional.nll_loss(x, t, reduction=reduction)
            g = m.tensor(np.linspace(-1, 1, max(out.numel(), 1)).reshape(tuple(out.shape)).tolist(),
                         dtype=out.dtype)
            out.backward(g)
            res.append((out.detach(), base.grad))
    half = len(res) // 2
    for (a, ga), (b, gb) in zip(res[:half], res[half:]):
        _same(a, b)
        _same(ga, gb)


@pytest.mark.parametrize("inner", [1, 2, 3, 7, 10, 16, 31, 63, 64, 100])
@pytest.mark.parametrize("outer", [1, 2, 5, 64, 205, 3277])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("fn", ["log_softmax", "softmax"])
def test_softmax_short_rows(fn, dtype, outer, inner):
    rng = np.random.default_rng(outer * 1000 + inner)
    v = rng.standard_normal((outer, inner)) * 4
    if outer > 2:
        v[1, :] = -INF           # an all -inf row
        v[2, 0] = NAN            # a nan in a row
        v[0, inner // 2] = -INF  # a masked entry
    def run(m):
        return getattr(m, fn)(m.tensor(v.tolist(), dtype=getattr(m, dtype)), 1)
    a, b = run(tg()), run(torch)
    # absolute slack of a few ulps of 1: the row sums (about 1 after the max is taken out) are
    # added in another order, and torch adds float32 rows in float32 (tapegrad in double)
    np.testing.assert_allclose(np.asarray(a.tolist()), np.asarray(b.tolist()),
                               rtol=2e-6 if dtype == "float32" else 1e-13,
                               atol=1e-6 if dtype == "float32" else 2e-15, equal_nan=True)


def _err(f):
    try:
        f()
    except Exception as e:  # noqa: BLE001 - the type and words are what is compared
        return type(e).__name__, str(e)
    return None


MISUSE = [
    lambda m: m.nn.functional.cross_entropy(m.tensor(1.0), m.tensor(1.0)),
    lambda m: m.nn.functional.cross_entropy(m.tensor(1.0), m.tensor(1)),
    lambda m: m.nn.functional.cross_entropy(m.tensor(1.0), m.tensor([1])),
    lambda m: m.nn.functional.cross_entropy(m.tensor([1.0, 2.0]), m.tensor([1, 0])),
    lambda m: m.nn.functional.cross_entropy(m.ones(3, 2), m.tensor([1, 0])),
    lambda m: m.nn.functional.cross_entropy(m.ones(3, 2), m.tensor([1, 0, 1], dtype=m.int32)),
    lambda m: m.nn.functional.cross_entropy(m.ones(3, 2), m.ones(3)),
    lambda m: m.nn.functional.cross_entropy(m.ones(3, 2), m.ones(3, 2).long()),
    lambda m: m.nn.functional.cross_entropy(m.ones(3, 2), m.ones(3, 2), ignore_index=0),
    lambda m: m.nn.functional.cross_entropy(m.ones(3, 2), m.ones(3, 2), label_smoothing=1.5),
    lambda m: m.nn.functional.cross_entropy(m.ones(3, 2), m.tensor([1, 0, 1]),
                                            weight=m.ones(2, dtype=m.float64)),
    lambda m: m.nn.functional.cross_entropy(m.ones(3, 2, 4), m.ones(3, 4, dtype=m.uint8)),
    lambda m: m.nn.functional.cross_entropy([1.0, 2.0], m.tensor(1)),
    lambda m: m.nn.functional.nll_loss(m.ones(3, 2), m.tensor([1, 0, 5])),
    lambda m: m.nn.functional.nll_loss(m.ones(3, 2), m.tensor([1, 0, 1]), weight=m.ones(3)),
    lambda m: m.nn.functional.nll_loss(m.ones(3, 2), [1, 0, 1]),
    lambda m: m.nn.functional.nll_loss(m.ones(3, 2), m.tensor([1, 0, 1]), weight="w"),
    lambda m: m.nn.functional.nll_loss(m.tensor(1.0), m.tensor(1)),
    lambda m: m.nn.functional.nll_loss(m.tensor(1.0), m.tensor(1.0)),
    lambda m: m.nn.functional.nll_loss(m.ones(3), m.tensor([1, 0])),
    lambda m: m.nn.functional.nll_loss(m.ones(2, 3, 4), m.ones(2, 5).long()),
]


@pytest.mark.parametrize("case", range(len(MISUSE)))
def test_target_errors_match_torch(case):
    got, ref = _err(lambda: MISUSE[case](tg())), _err(lambda: MISUSE[case](torch))
    assert ref is not None
    assert got == ref


@pytest.mark.parametrize("rows", [1, 3, 70])
@pytest.mark.parametrize("inner", [2, 10, 100])
@pytest.mark.parametrize("dim", [0, 1])
def test_log_softmax_near_zero_keeps_digits(rows, inner, dim):
    # large logits with one dominant class: the dominant entry's log-probability is about
    # -exp(-7) * (inner - 1), and (x - max) - log(s) keeps its digits where x - (max + log(s))
    # rounds at the ulp of 100 (a relative error of 1e-3); torch takes the first order
    v = np.full((rows, inner), 93.0)
    v[:, 0] = 100.0
    v = v if dim == 1 else v.T.copy()
    want = torch.log_softmax(torch.tensor(v), dim)
    for m in (tg(), torch):
        got = m.log_softmax(m.tensor(v.tolist(), dtype=m.float32), dim)
        np.testing.assert_allclose(np.asarray(got.tolist()), np.asarray(want.tolist()),
                                   rtol=1e-4)
