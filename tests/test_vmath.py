"""The vectorised math kernels (lib/cpu/vmath_*.cpp: exp, sigmoid, tanh, sin, cos, log, silu, abs,
neg, relu and the float sum): every instruction-set path this machine runs (TAPEGRAD_VMATH=avx512|avx2|generic forces
one; the table is chosen once per process, so each runs in a subprocess), 1 and 2 OpenMP
threads, float32 and float64, against numpy evaluated in higher precision (errors in units in
the last place) and against torch (special values: signed zeros, infinities, NaN, denormals,
overflow and underflow edges, bit for bit where both round the same way), on lengths that cross
the vector width, the pack of vectors computed in lockstep, and the OpenMP chunking, and on strided and in-place inputs."""
import sys

import numpy as np
import pytest
from isa_worker import report, run_worker

torch = pytest.importorskip("torch")

# Max error in ulps of the result's dtype, against the exact value rounded to that dtype
# (libm, the generic path, is held to the same bounds).
# (glibc's tanhf, on the generic path, reaches 2 ulps; float32 sin/cos in float lanes 1.5)
ULPS = {"exp": 1.0, "sigmoid": 3.0, "tanh": 2.0, "sin": 1.5, "cos": 1.5, "log": 1.0, "silu": 3.0}
# Ranges per op (uniform) where the result neither overflows nor flushes: the ulp check's domain.
RANGES = {
    "float32": {"exp": (-103.0, 88.7), "sigmoid": (-87.0, 87.0), "tanh": (-12.0, 12.0),
                "sin": (-70000.0, 70000.0), "cos": (-100.0, 100.0), "log": (1e-6, 50.0),
                "silu": (-87.0, 87.0)},
    "float64": {"exp": (-744.0, 709.7), "sigmoid": (-700.0, 700.0), "silu": (-700.0, 700.0)},
}
LENGTHS = (0, 1, 7, 8, 15, 16, 17, 31, 33, 63, 64, 65, 129, 1000, 70001)
# Inputs outside an op's domain for the strided and in-place checks are mapped into it.
DOMAIN = {"log": lambda a: np.abs(a) + 1e-3}


def _ref(op, x):
    """The exact-ish value in long double (80-bit on x86-64: 11 more bits than double)."""
    xl = x.astype(np.longdouble)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        if op == "exp":
            return np.exp(xl)
        if op == "sigmoid":
            return 1 / (1 + np.exp(-xl))
        if op == "silu":
            return xl / (1 + np.exp(-xl))
        return getattr(np, op)(xl)


def _ulp_err(got, ref, dt):
    """|got - ref| in ulps of ref rounded to dt (denormal spacing at the bottom)."""
    r = ref.astype(dt)
    spacing = np.spacing(np.abs(r)).astype(np.longdouble)
    spacing = np.maximum(spacing, np.finfo(dt).smallest_subnormal)
    return np.abs(got.astype(np.longdouble) - ref) / spacing


def _special(dt):
    fi = np.finfo(dt)
    vals = [0.0, -0.0, np.inf, -np.inf, np.nan, fi.smallest_subnormal, -fi.smallest_subnormal,
            fi.tiny, -fi.tiny, fi.max, -fi.max, 1e-30, -1e-30, 0.5, -0.5, 3.0, -3.0]
    if dt == np.float32:
        vals += [86.9, 87.0, 87.1, 88.72, 88.7228, 88.73, -87.33, -87.34, -103.9, -104.0, -105.0, 1e5, 1048575.0,
                 1048577.0, 3e7, -3e7, 1e30]
    else:
        vals += [707.9, 708.0, 708.1, 709.78, 709.79, -708.39, -708.4, -745.1, -745.2, -746.0, 1e5, 1e15, -1e300]
    return np.array(vals, dtype=dt)


FNS = {"sigmoid": lambda m, t: m.sigmoid(t), "silu": lambda m, t: m.nn.functional.silu(t)}


def _check_op(tg, op, dt_name, gen, bad):
    dt = np.dtype(dt_name).type
    fn = FNS.get(op, lambda m, t: getattr(t, op)())
    lo, hi = RANGES[dt_name].get(op, (-30.0, 30.0))
    for n in LENGTHS:
        x = gen.uniform(lo, hi, n).astype(dt)
        got = fn(tg, tg.tensor(x)).numpy()
        if got.dtype != dt or got.shape != x.shape:
            bad.append((op, dt_name, n, "dtype/shape", got.dtype, got.shape))
            continue
        if n and op in ULPS and (dt_name == "float32" or op in RANGES["float64"]):
            err = _ulp_err(got, _ref(op, x), dt)
            worst = float(err.max())
            if worst > ULPS[op]:
                bad.append((op, dt_name, n, "ulp", worst, float(x[int(err.argmax())])))
    if op == "log" and dt_name == "float32":
        # every binade of the normal range (log-uniform), and the neighbourhood of 1, where the
        # result is smallest and an error relative to it shows most
        x = np.concatenate([np.exp(gen.uniform(-87.3, 88.7, 200_000)),
                            1 + gen.uniform(-0.3, 0.45, 100_000),
                            1 + np.arange(-3000, 3000) * 2.0 ** -23]).astype(dt)
        err = _ulp_err(fn(tg, tg.tensor(x)).numpy(), _ref(op, x), dt)
        if float(err.max()) > ULPS[op]:
            bad.append((op, dt_name, "binades", float(err.max()), float(x[int(err.argmax())])))
    # special values, length not a multiple of any vector width; compared with torch
    x = _special(dt)
    got = fn(tg, tg.tensor(x)).numpy()
    want = fn(torch, torch.from_numpy(x.copy())).numpy()
    same_nan = np.isnan(got) == np.isnan(want)
    finite = ~np.isnan(want)
    close = np.isclose(got[finite], want[finite], rtol=4 * np.finfo(dt).eps, atol=0)
    # signed zeros and infinities must match exactly
    signs = np.signbit(got[finite]) == np.signbit(want[finite])
    if not (same_nan.all() and close.all() and signs.all()):
        bad.append((op, dt_name, "special", list(zip(x.tolist(), got.tolist(), want.tolist()))))
    # strided (every other element of a 2-D block, and a transpose) and in-place
    base = DOMAIN.get(op, lambda a: a)(gen.uniform(-5, 5, (37, 66))).astype(dt)
    tb = tg.tensor(base)
    for name, t_tg, x_np in (("step", tb[:, ::2], base[:, ::2]), ("t", tb.t(), base.T)):
        got = fn(tg, t_tg).numpy()
        want = fn(torch, torch.from_numpy(np.ascontiguousarray(x_np))).numpy()
        if not np.allclose(got, want, rtol=8 * np.finfo(dt).eps, atol=0):
            bad.append((op, dt_name, name))
    t_in = tg.tensor(base)
    if op == "silu":
        tg.nn.functional.silu(t_in, inplace=True)
    else:
        getattr(t_in, op + "_")()
    want = fn(torch, torch.from_numpy(base.copy())).numpy()
    if not np.allclose(t_in.numpy(), want, rtol=8 * np.finfo(dt).eps, atol=0):
        bad.append((op, dt_name, "inplace"))


def _check_bits(tg, op, dt_name, gen, bad):
    """abs, neg, relu: every bit as torch's (signed zeros, NaNs of both signs) on every length,
    a strided view and in place."""
    dt = np.dtype(dt_name).type
    ity = np.int32 if dt == np.float32 else np.int64
    fn = lambda m, t: getattr(m, op)(t)
    for n in LENGTHS:
        x = gen.uniform(-3, 3, n).astype(dt)
        sp = np.concatenate([_special(dt), -_special(dt)])
        x[: min(n, sp.size)] = sp[: min(n, sp.size)]
        got = fn(tg, tg.tensor(x)).numpy()
        want = fn(torch, torch.from_numpy(x.copy())).numpy()
        if got.dtype != dt or not np.array_equal(got.view(ity), want.view(ity)):
            bad.append((op, dt_name, n, "bits"))
    base = gen.uniform(-5, 5, (37, 66)).astype(dt)
    base[3, ::5] = -0.0
    got = fn(tg, tg.tensor(base)[:, ::2]).numpy()
    want = fn(torch, torch.from_numpy(base)[:, ::2]).numpy()
    if not np.array_equal(got.view(ity), want.view(ity)):
        bad.append((op, dt_name, "strided"))
    t_in = tg.tensor(base)
    getattr(t_in, op + "_")()
    if not np.array_equal(t_in.numpy().view(ity), fn(torch, torch.from_numpy(base)).numpy().view(ity)):
        bad.append((op, dt_name, "inplace"))


def _check_sum(tg, dt_name, gen, bad):
    dt = np.dtype(dt_name).type
    for n in LENGTHS + (300007,):
        x = gen.standard_normal(n).astype(dt) + 1.0
        exact = float(np.sum(x.astype(np.longdouble)))
        mag = float(np.sum(np.abs(x.astype(np.longdouble))))
        for name, got in (("sum", tg.tensor(x).sum()), ("mean", tg.tensor(x).mean())):
            want = exact if name == "sum" else (exact / n if n else float("nan"))
            g = float(got.item())
            # float32: the double accumulator leaves only the final rounding; float64: a
            # summation error bound growing like sqrt(n) (blocked or lane-wise partial sums)
            if dt == np.float32:
                tol = 2 * np.finfo(dt).eps * max(abs(want), 1.0)
            else:
                tol = 4 * np.finfo(dt).eps * np.sqrt(n + 1) * max(mag / max(n, 1) if name == "mean" else mag, 1.0)
            if not (abs(g - want) <= tol or (np.isnan(want) and np.isnan(g))):
                bad.append((name, dt_name, n, g, want))
    # rows of a 2-D tensor (the per-row path) and a strided view
    x = gen.standard_normal((9, 1003)).astype(dt)
    got = tg.tensor(x).sum(1).numpy()
    want = np.sum(x.astype(np.longdouble), axis=1)
    if not np.allclose(got, want.astype(dt), rtol=4 * np.finfo(dt).eps, atol=1e-5):
        bad.append(("sum rows", dt_name))
    got = float(tg.tensor(x)[:, ::3].sum().item())
    want = float(np.sum(x[:, ::3].astype(np.longdouble)))
    if abs(got - want) > 1e-5 * max(1.0, abs(want)):
        bad.append(("sum strided", dt_name, got, want))
    # special values propagate
    for v in (np.nan, np.inf, -np.inf):
        x = np.ones(1000, dtype=dt)
        x[517] = v
        got = float(tg.tensor(x).sum().item())
        want = float(torch.from_numpy(x).sum().item())
        if not (got == want or (np.isnan(got) and np.isnan(want))):
            bad.append(("sum special", dt_name, v, got, want))


def worker():
    import tapegrad as tg
    gen = np.random.default_rng(0)
    bad = []
    for dt_name in ("float32", "float64"):
        for op in ULPS:
            _check_op(tg, op, dt_name, gen, bad)
        for op in ("abs", "neg", "relu"):
            _check_bits(tg, op, dt_name, gen, bad)
        _check_sum(tg, dt_name, gen, bad)
    report(bad)


def _run(vmath, threads):
    run_worker(__file__, vmath, threads)


@pytest.mark.parametrize("vmath", ["", "avx512", "avx2", "generic"])
def test_vmath_paths(vmath):
    _run(vmath, 1)


def test_vmath_two_threads():
    _run("", 2)


if __name__ == "__main__" and "--worker" in sys.argv:
    worker()
