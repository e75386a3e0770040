"""The CPU fast paths added for speed give torch's results: SIMD add/sub/mul/div on contiguous
float tensors (same shape, or a one-element operand; streaming stores for large outputs), add/sub
with alpha through FMA lanes (SGD's update), sums over leading dims without a transposed copy,
addmm adding its bias in place, the weight gradient of linear computed in the weight's layout
and kept by AccumulateGrad, the one-pass relu/sigmoid/tanh/sin/mul backward kernels (and the
composite formulas they replace under create_graph), whole-tensor sums at least as accurate as
torch's at 1e7 elements, and the caching allocator reusing freed blocks.
Each check runs on every vector-math path (TAPEGRAD_VMATH) in a subprocess, 1 and 2 threads."""
import sys

import numpy as np
import pytest
from isa_worker import report, run_worker

torch = pytest.importorskip("torch")

SIZES = (1, 7, 33, 1000, 70001)


def _np(t):
    return t.detach().numpy()


def _check_binary(tg, dt, gen, bad):
    for n in SIZES + (4_200_001,):  # the last one crosses the streaming-store size
        a = gen.standard_normal(n).astype(dt)
        b = gen.standard_normal(n).astype(dt) + 3.0
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        xa, xb = tg.tensor(a), tg.tensor(b)
        for name, f in (("add", lambda m, x, y: x + y), ("sub", lambda m, x, y: x - y),
                        ("mul", lambda m, x, y: x * y), ("div", lambda m, x, y: x / y),
                        ("scalar_mul", lambda m, x, y: x * 1.7),
                        ("scalar_div", lambda m, x, y: x / 3.0),
                        ("one_elem", lambda m, x, y: x - y[:1]),
                        ("alpha", lambda m, x, y: m.add(x, y, alpha=-0.01)),
                        ("sub_alpha", lambda m, x, y: m.sub(x, y, alpha=2.5))):
            got, want = _np(f(tg, xa, xb)), f(torch, ta, tb).numpy()
            if not np.array_equal(got, want):  # one rounding per element in both: bit-exact
                bad.append((name, dt.__name__, n, float(np.abs(got - want).max())))
        # in place, as SGD does
        p = tg.tensor(a)
        p.add_(xb, alpha=-0.1)
        want = ta.clone().add_(tb, alpha=-0.1).numpy()
        if not np.array_equal(_np(p), want):
            bad.append(("add_ alpha", dt.__name__, n))
        p = tg.tensor(a)
        p.mul_(xb)
        if not np.array_equal(_np(p), (ta * tb).numpy()):
            bad.append(("mul_", dt.__name__, n))
    # special values pass through unchanged
    a = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-40, 3.0] * 5, dtype=dt)
    b = np.array([-0.0, 0.0, np.inf, np.inf, 1.0, 1e-40, 0.0] * 5, dtype=dt)
    for name in ("add", "sub", "mul", "div"):
        got = _np(getattr(tg, name)(tg.tensor(a), tg.tensor(b)))
        want = getattr(torch, name)(torch.from_numpy(a), torch.from_numpy(b)).numpy()
        same = (got == want) | (np.isnan(got) & np.isnan(want))
        if not (same.all() and (np.signbit(got) == np.signbit(want))[~np.isnan(want)].all()):
            bad.append(("special", name, dt.__name__))


def _check_sum_rows(tg, dt, gen, bad):
    for shape, dims in (((64, 256), 0), ((3, 5, 70), (0, 1)), ((2, 3, 4), 0), ((1000, 3), 0),
                        ((5, 1), 0), ((7, 1030), 0)):
        x = gen.standard_normal(shape).astype(dt)
        for keep in (False, True):
            for fn in ("sum", "mean"):
                got = _np(getattr(tg.tensor(x), fn)(dims, keepdim=keep))
                want = getattr(torch.from_numpy(x), fn)(dims, keepdim=keep).numpy()
                # against the sum in long double
                exact = getattr(np, fn)(x.astype(np.longdouble), axis=dims, keepdims=keep)
                mag = np.sum(np.abs(x.astype(np.float64)), axis=dims, keepdims=keep)
                if fn == "mean":
                    mag = mag / (x.size / max(exact.size, 1))
                # the final rounding to dt, plus a running double sum's error over the rows
                rows = x.size // max(exact.size, 1)
                tol = 2 * np.finfo(dt).eps * np.abs(exact) + rows * np.finfo(np.float64).eps * mag
                if got.shape != want.shape or not (np.abs(got - exact) <= tol).all():
                    bad.append(("sum_rows", fn, shape, dims, keep, dt.__name__))


def _check_linear(tg, dt, gen, bad):
    w0 = gen.standard_normal((9, 13)).astype(dt)
    b0 = gen.standard_normal(9).astype(dt)
    x0 = gen.standard_normal((6, 13)).astype(dt)
    g0 = gen.standard_normal((6, 9)).astype(dt)
    res = {}
    for name, m in (("tg", tg), ("torch", torch)):
        conv = (lambda a: tg.tensor(a)) if m is tg else (lambda a: torch.from_numpy(a.copy()))
        w, b = conv(w0).requires_grad_(), conv(b0).requires_grad_()
        x = conv(x0).requires_grad_()
        y = m.nn.functional.linear(x, w, b)
        y.backward(conv(g0))
        # twice: the second accumulates into the kept gradient
        m.nn.functional.linear(x, w, b).backward(conv(g0))
        # mm with a transposed operand, and its double backward through the same formula
        w2 = conv(w0).requires_grad_()
        z = (x @ w2.t()).pow(2).sum()
        (gw,) = m.autograd.grad(z, w2, create_graph=True)
        (ggw,) = m.autograd.grad(gw.sum(), w2)
        res[name] = [w.grad, b.grad, x.grad, gw, ggw]
        if name == "tg":
            if not (w.grad.is_contiguous() and w.grad._base is None and w.grad.shape == (9, 13)):
                bad.append(("linear weight grad layout", dt.__name__))
    tol = 1e-5 if dt == np.float32 else 1e-12
    for k, (got, want) in enumerate(zip(res["tg"], res["torch"])):
        if not np.allclose(_np(got), want.detach().numpy(), rtol=tol, atol=tol):
            bad.append(("linear grads", k, dt.__name__))


def _check_act_backward(tg, dt, gen, bad):
    x0 = np.concatenate([gen.standard_normal(1001) * 4, [0.0, -0.0, 50.0, -50.0]]).astype(dt)
    g0 = gen.standard_normal(x0.shape).astype(dt)
    for fn in ("relu", "sigmoid", "tanh"):
        grads = {}
        for name, m in (("tg", tg), ("torch", torch)):
            conv = (lambda a: tg.tensor(a)) if m is tg else (lambda a: torch.from_numpy(a.copy()))
            x = conv(x0).requires_grad_()
            y = getattr(m, fn)(x)
            y.backward(conv(g0))
            # an expanded upstream gradient (stride 0), as after sum()
            x2 = conv(x0).requires_grad_()
            getattr(m, fn)(x2).sum().backward()
            grads[name] = [x.grad, x2.grad]
            if fn != "relu":  # (relu's second derivative is 0: no graph to differentiate)
                # create_graph: the composite formula, differentiable again
                x3 = conv(x0).requires_grad_()
                (gx,) = m.autograd.grad(getattr(m, fn)(x3).sum(), x3, create_graph=True)
                (ggx,) = m.autograd.grad((gx * conv(g0)).sum(), x3)
                grads[name] += [gx, ggx]
        tol = 1e-5 if dt == np.float32 else 1e-13
        for k, (got, want) in enumerate(zip(grads["tg"], grads["torch"])):
            if not np.allclose(_np(got), want.detach().numpy(), rtol=tol, atol=tol):
                bad.append(("act backward", fn, k, dt.__name__))
        # The one-pass kernels round as torch's do: from tapegrad's own forward result the
        # gradient is bit-exact (the forward itself may differ from torch's by an ulp).
        y = _np(getattr(tg, fn)(tg.tensor(x0)))
        x = tg.tensor(x0).requires_grad_()
        getattr(tg, fn)(x).backward(tg.tensor(g0))
        if fn == "relu":
            want = np.where(y <= 0, dt(0), g0)
        elif fn == "sigmoid":
            want = g0 * (dt(1) - y) * y
        elif dt == np.float32:  # fma(-y, y, 1) exactly: the product is exact in double
            want = g0 * (1 - y.astype(np.float64) ** 2).astype(np.float32)
        else:
            want = None
        if want is not None and not np.array_equal(_np(x.grad), want):
            bad.append(("act backward rounding", fn, dt.__name__))


def _check_sin_mul_backward(tg, dt, gen, bad):
    """sin's backward (g * cos x) and mul's backward for both operands run in one pass when
    nothing records the backward: torch's gradients, and bit for bit the values of the composite
    formulas (the create_graph path)."""
    for n in (1, 33, 1000, 70001):
        x0 = (gen.standard_normal(n) * 20).astype(dt)
        y0 = gen.standard_normal(n).astype(dt)
        g0 = gen.standard_normal(n).astype(dt)
        res = {}
        for name, m in (("tg", tg), ("torch", torch)):
            conv = (lambda a: tg.tensor(a)) if m is tg else (lambda a: torch.from_numpy(a.copy()))
            out = []
            # full upstream gradient; expanded scalar gradient (after sum); x*x (one operand twice)
            for mode in ("g", "sum", "square", "strided"):
                x = conv(x0).requires_grad_()
                y = conv(y0).requires_grad_()
                if mode == "g":
                    (x * y).sin().backward(conv(g0))
                elif mode == "sum":
                    (x * y).sin().sum().backward()
                elif mode == "square":
                    (x * x).sin().sum().backward()
                else:  # a non-contiguous input: the strided fallbacks
                    xs = x.reshape(1, n).expand(2, n).t()
                    (xs * xs).sin().sum().backward()
                out += [x.grad] + ([y.grad] if mode in ("g", "sum") else [])
            res[name] = out
        tol = 2e-5 if dt == np.float32 else 1e-12
        for k, (got, want) in enumerate(zip(res["tg"], res["torch"])):
            if not np.allclose(_np(got), want.numpy(), rtol=tol, atol=tol):
                bad.append(("sin/mul backward", k, n, dt.__name__))
        # one-pass values == composite values
        x = tg.tensor(x0).requires_grad_()
        y = tg.tensor(y0).requires_grad_()
        z = (x * y).sin()
        fused = tg.autograd.grad(z, (x, y), tg.tensor(g0), retain_graph=True)
        comp = tg.autograd.grad(z, (x, y), tg.tensor(g0), create_graph=True)
        for a, b in zip(fused, comp):
            if not np.array_equal(_np(a), _np(b)):
                bad.append(("sin/mul backward rounding", n, dt.__name__))


def _check_sum_accuracy(tg, gen, bad):
    """Whole-tensor sums and means at 1e7 elements: at least as accurate as torch's cascade sum
    against an exact reference (errors averaged over a few samples: on one sample either of two
    good sums may be the luckier), and exact for ones."""
    n = 10_000_000
    for dt in (np.float32, np.float64):
        for name, shift in (("normal", 0.0), ("normal+1", 1.0)):
            err = {"sum": [0.0, 0.0], "mean": [0.0, 0.0]}
            for _ in range(4):
                x = (gen.standard_normal(n) + shift).astype(dt)
                exact = float(np.sum(x.astype(np.longdouble)))
                for op, want in (("sum", exact), ("mean", exact / n)):
                    got = float(getattr(tg.tensor(x), op)().item())
                    ref = float(getattr(torch.from_numpy(x), op)().item())
                    err[op][0] += abs(got - want)
                    err[op][1] += abs(ref - want)
            for op, (e_tg, e_torch) in err.items():
                if e_tg > e_torch:
                    bad.append(("sum accuracy", op, name, dt.__name__, e_tg / 4, e_torch / 4))
        x = np.ones(n, dtype=dt)
        if float(tg.tensor(x).sum().item()) != n or float(tg.tensor(x).mean().item()) != 1.0:
            bad.append(("sum of ones", dt.__name__))


def _check_allocator(tg, bad):
    # freed large blocks come back from the cache: results stay right when they are reused
    for _ in range(3):
        a = tg.ones(300_000)
        b = a * 2
        del a
        c = tg.full((300_000,), 5.0)
        if not (float(b.sum()) == 600_000.0 and float(c.sum()) == 1_500_000.0):
            bad.append(("allocator reuse",))


def worker():
    import tapegrad as tg
    gen = np.random.default_rng(0)
    bad = []
    for dt in (np.float32, np.float64):
        _check_binary(tg, dt, gen, bad)
        _check_sum_rows(tg, dt, gen, bad)
        _check_linear(tg, dt, gen, bad)
        _check_act_backward(tg, dt, gen, bad)
        _check_sin_mul_backward(tg, dt, gen, bad)
    _check_sum_accuracy(tg, gen, bad)
    _check_allocator(tg, bad)
    report(bad)


def _run(vmath, threads, cache="1"):
    run_worker(__file__, vmath, threads, TAPEGRAD_CPU_CACHE=cache)


@pytest.mark.parametrize("vmath", ["", "avx512", "avx2", "generic"])
def test_fast_paths(vmath):
    _run(vmath, 1)


def test_fast_paths_two_threads_no_cache():
    _run("", 2, cache="0")


if __name__ == "__main__" and "--worker" in sys.argv:
    worker()
