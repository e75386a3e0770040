"""Unary and binary ops on special values against torch, float32 and float64: signed zeros,
infinities, NaN, subnormals, values near overflow. Each value must match torch's within a few
ulps, and a zero must carry torch's sign (`-0.` prints differently).

Expected differences, where torch's value is the worse one or depends on its vector width, are
listed in KNOWN with the reason; every other element of every op is compared."""
import itertools
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from crosscheck import tg  # noqa: E402

INF, NAN = math.inf, math.nan
UNARY_VALS = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.5, 1e-30, -1e-30, 1e30, -1e30, INF, -INF,
              NAN, 3.0, 100.0, -100.0, 1e-310, 0.9999999, 710.0, -710.0, 89.0, -89.0]
UNARY = ("abs neg sign sgn sqrt rsqrt exp exp2 expm1 log log2 log10 log1p sin cos tan asin acos "
         "atan sinh cosh tanh asinh acosh atanh sigmoid erf erfc erfinv lgamma digamma ceil floor "
         "round trunc frac reciprocal square relu sinc deg2rad rad2deg nan_to_num logit i0 "
         "signbit isnan isinf isfinite isposinf isneginf angle").split()
FUNCTIONAL = ("relu6 hardtanh hardsigmoid hardswish silu mish gelu elu selu celu softplus "
              "logsigmoid softsign tanhshrink leaky_relu softshrink hardshrink").split()
BIN_VALS = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 1e-30, 1e30, -1e30, INF, -INF, NAN, 7.0, -7.0,
            1e-310]
BINARY = ("add sub mul div pow atan2 fmod remainder hypot copysign maximum minimum fmax fmin "
          "logaddexp logaddexp2 xlogy floor_divide nextafter true_divide").split()

# (dtype, op) -> (input values whose result may differ, why)
KNOWN = {
    ("float32", "i0"): ({89.0, -89.0}, "torch overflows float to inf; tapegrad computes in double"),
    ("float32", "F.gelu"): ({INF}, "torch's float vector path gives NaN at inf"),
    ("float32", "F.logsigmoid"): ({100.0}, "a subnormal result, rounded differently"),
    ("float32", "F.softshrink"): ({-0.0, -0.5, -1e-30},
                                  "torch's zero sign depends on its vector width"),
    ("float64", "F.softshrink"): ({-0.0, -0.5, -1e-30},
                                  "torch's zero sign depends on its vector width"),
    ("float64", "log1p"): ({1e-310}, "a subnormal argument: torch's log1p is off"),
}
# binary: (dtype, op) -> predicate on (a, b) for the pairs that may differ
KNOWN_BIN = {
    "fmod": lambda a, b: abs(b) < 1e-300 or (b != 0 and abs(a / b) > 1e30),
    "remainder": lambda a, b: abs(b) < 1e-300 or (b != 0 and abs(a / b) > 1e30),
    "logaddexp2": lambda a, b: a == b and math.isfinite(a),  # torch: Sleef's log1p, 1 ulp
}


def _values(m, name, x, dtype):
    t = m.tensor(x, dtype=getattr(m, dtype))
    try:
        if name.startswith("F."):
            y = getattr(m.nn.functional, name[2:])(t)
        else:
            y = getattr(m, name)(t)
    except Exception as e:  # noqa: BLE001 - the type and words are compared
        return f"{type(e).__name__}: {e}"
    return np.asarray(y.tolist(), dtype=float)


def _compare(a, b, dtype, skip):
    if isinstance(a, str) or isinstance(b, str):
        assert a == b
        return
    keep = ~np.asarray(skip, dtype=bool)
    a, b = a[keep], b[keep]
    np.testing.assert_allclose(a, b, rtol=2e-6 if dtype == "float32" else 1e-14, atol=0,
                               equal_nan=True)
    both = ~np.isnan(a) & ~np.isnan(b)
    np.testing.assert_array_equal(np.signbit(a[both]), np.signbit(b[both]))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", UNARY + ["F." + f for f in FUNCTIONAL])
def test_unary_special_values(name, dtype):
    skip_vals = KNOWN.get((dtype, name), (set(), ""))[0]
    skip = [any(v == s and math.copysign(1, v) == math.copysign(1, s) for s in skip_vals)
            for v in UNARY_VALS]
    _compare(_values(tg(), name, UNARY_VALS, dtype), _values(torch, name, UNARY_VALS, dtype),
             dtype, skip)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", BINARY)
def test_binary_special_values(name, dtype):
    pairs = list(itertools.product(BIN_VALS, BIN_VALS))
    a_vals, b_vals = [p[0] for p in pairs], [p[1] for p in pairs]
    known = KNOWN_BIN.get(name)
    skip = [bool(known and known(a, b)) for a, b in pairs]

    def run(m):
        a = m.tensor(a_vals, dtype=getattr(m, dtype))
        b = m.tensor(b_vals, dtype=getattr(m, dtype))
        try:
            return np.asarray(getattr(m, name)(a, b).tolist(), dtype=float)
        except Exception as e:  # noqa: BLE001
            return f"{type(e).__name__}: {e}"
    _compare(run(tg()), run(torch), dtype, skip)


@pytest.mark.parametrize("invert", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("test_vals", [[0.0, NAN], [NAN, 2.0, NAN, 1.0], [NAN], [-0.0, INF, NAN, -INF],
                                       [3.0, 1.0, 2.0] * 40 + [NAN] * 7])
def test_isin_with_nan_test_elements(test_vals, dtype, invert):
    # NaN matches nothing; NaN among the test elements used to break their sort and with it
    # the search for every other value
    x = [1.0, NAN, 3.0, -0.0, 0.0, 2.0, INF, -INF, 5.0]

    def run(m):
        dt = getattr(m, dtype)
        return m.isin(m.tensor(x, dtype=dt), m.tensor(test_vals, dtype=dt), invert=invert).tolist()
    assert run(tg()) == run(torch)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "int16", "uint8"])
def test_linspace_bits_match_torch(dtype):
    # torch's kernel is one fused multiply-add per value, from the nearer end; linspace(-1, 1, 7)
    # in float64 has 5.5511e-17 in the middle (it prints in scientific notation), not 0
    rng = np.random.default_rng(11)
    for _ in range(150):
        start = float(rng.choice([-1.0, 0.0, -3.7, 2.5, 2.7, rng.uniform(-10, 10)]))
        end = float(rng.choice([1.0, 10.0, 0.3, rng.uniform(-10, 100), 7.0]))
        if dtype == "uint8":
            start, end = abs(start), abs(end)
        steps = int(rng.choice([0, 1, 2, 3, 5, 7, 9, 11, 15, 16, 17, 21, 33, 50, 64, 101, 1000]))
        a = tg().linspace(start, end, steps, dtype=getattr(tg(), dtype)).tolist()
        b = torch.linspace(start, end, steps, dtype=getattr(torch, dtype)).tolist()
        assert a == b, (start, end, steps)
    assert repr(tg().linspace(-1, 1, 7, dtype=tg().float64)) == \
        repr(torch.linspace(-1, 1, 7, dtype=torch.float64))


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16", "int64", "int32",
                                   "uint8"])
def test_logspace_bits_match_torch(dtype):
    # torch's kernel: start, end and their difference in the dtype, a float64 step, exponents
    # from the nearer end without a fused multiply-add, std::pow in float64 rounded once. The old
    # base ** linspace(...) differed in the last bit for half the float32 values and 7% of float64
    rng = np.random.default_rng(12)
    for _ in range(150):
        start = float(rng.choice([-1.0, 0.0, -3.7, 2.5, rng.uniform(-5, 5)]))
        end = float(rng.choice([1.0, 3.0, 0.3, rng.uniform(-5, 5)]))
        base = float(rng.choice([10.0, 2.0, 3.5, 1.1, 0.5]))
        if dtype in ("uint8", "int32", "int64"):
            start, end = abs(start), abs(end)
        steps = int(rng.choice([0, 1, 2, 3, 5, 7, 11, 16, 17, 33, 101]))
        def run(m):
            try:
                return m.logspace(start, end, steps, base=base, dtype=getattr(m, dtype)).tolist()
            except RuntimeError as e:  # one step whose value overflows the integer dtype
                return str(e)
        a, b = run(tg()), run(torch)
        assert a == b, (start, end, steps, base)
    assert repr(tg().logspace(-1, 1, 11, dtype=tg().float64)) == \
        repr(torch.logspace(-1, 1, 11, dtype=torch.float64))
