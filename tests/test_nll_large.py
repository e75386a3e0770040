"""nll_loss / cross_entropy on large inputs (a 1000-class vocabulary, 40000 classes, 2 x 9 x 50
x 40), whose forward must read only each target's entry (kern::nll_loss_fwd; before it, a dense
N x C product): values and gradients against torch for 2-d, 1-d and 4-d inputs, every
reduction, class weights, ignore_index (also the default -100, and every target ignored),
label smoothing, and the out-of-bounds error naming the first bad target."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

from crosscheck import tg  # noqa: E402

CASES = [  # (input shape, kwargs)
    ((64, 1000), {}),
    ((64, 1000), dict(reduction="sum")),
    ((64, 1000), dict(reduction="none")),
    ((64, 1000), dict(weight=True, reduction="mean")),
    ((64, 1000), dict(weight=True, ignore_index=3, reduction="none")),
    ((64, 1000), dict(ignore=True)),
    ((64, 1000), dict(ignore=True, weight=True, reduction="mean")),
    ((40000,), {}),
    ((40000,), dict(reduction="none", weight=True)),
    ((2, 9, 50, 40), dict(weight=True, ignore_index=4)),
    ((2, 9, 50, 40), dict(reduction="none")),
]


def _run(m, shape, kw, fn, seed=0):
    rng = np.random.default_rng(seed)
    C = shape[0] if len(shape) == 1 else shape[1]
    tshape = () if len(shape) == 1 else (shape[0],) + shape[2:]
    t = rng.integers(0, C, size=tshape)
    if kw.get("ignore"):
        t = np.where(rng.random(tshape) < 0.3, -100, t)
    x = m.tensor(rng.standard_normal(shape), dtype=m.float64, requires_grad=True)
    args = {k: v for k, v in kw.items() if k not in ("weight", "ignore")}
    if kw.get("weight"):
        args["weight"] = m.tensor(rng.random(C), dtype=m.float64)
    inp = x.log_softmax(0 if len(shape) == 1 else 1) if fn == "nll_loss" else x
    out = getattr(m.nn.functional, fn)(inp, m.tensor(t), **args)
    g = m.tensor(rng.standard_normal(tuple(out.shape)), dtype=m.float64)
    out.backward(g)
    return np.asarray(out.tolist()), np.asarray(x.grad.tolist())


@pytest.mark.parametrize("fn", ["nll_loss", "cross_entropy"])
@pytest.mark.parametrize("shape,kw", CASES, ids=[f"{s}-{sorted(k)}" for s, k in CASES])
def test_matches_torch(fn, shape, kw):
    got, ref = _run(tg(), shape, kw, fn), _run(torch, shape, kw, fn)
    for a, b in zip(got, ref):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_label_smoothing_matches_torch():
    def run(m):
        rng = np.random.default_rng(1)
        x = m.tensor(rng.standard_normal((64, 1000)), requires_grad=True)
        t = m.tensor(np.where(rng.random(64) < 0.2, -100, rng.integers(0, 1000, 64)))
        out = m.nn.functional.cross_entropy(x, t, label_smoothing=0.1)
        out.backward()
        return out.item(), np.asarray(x.grad.tolist())
    (a, ga), (b, gb) = run(tg()), run(torch)
    np.testing.assert_allclose(a, b, rtol=1e-10)
    np.testing.assert_allclose(ga, gb, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("bad", [1000, -1, 5000])
def test_out_of_bounds_target_matches_torch(bad):
    def err(m):
        t = m.zeros(64, dtype=m.int64)
        t[10] = bad
        t[20] = 7000
        with pytest.raises(IndexError) as e:
            m.nn.functional.nll_loss(m.zeros(64, 1000), t)
        return str(e.value)
    assert err(tg()) == err(torch)
