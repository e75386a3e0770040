"""Unary ops on the special values (+-0.0, +-inf, NaN, denormals, negatives) against torch: the
value, where NaN appears, and the sign of every zero (abs(-0.0) printed -0.0000 and relu(-0.0)
gave 0. before, where torch prints 0.0000 and -0.)."""
import math

import pytest
import torch

import tapegrad

VALS = [-0.0, 0.0, float("nan"), float("inf"), -float("inf"), -1.5, 2.0, 0.5, -0.5, 1e-40, -3.0]
METHODS = ["abs", "neg", "relu", "sign", "sgn", "floor", "ceil", "round", "trunc", "frac", "sqrt",
           "rsqrt", "exp", "expm1", "log", "log1p", "log2", "log10", "sin", "cos", "tan", "tanh",
           "sinh", "asinh", "atan", "sigmoid", "erf", "erfc", "erfinv", "reciprocal", "square",
           "nan_to_num", "signbit", "isnan", "isinf", "isfinite", "isneginf", "isposinf", "exp2",
           "deg2rad", "rad2deg", "positive", "fix", "angle", "logit", "lgamma", "digamma", "i0",
           "sinc", "asin", "acos", "acosh", "atanh", "cosh"]
FUNCTIONAL = ["relu6", "hardtanh", "elu", "selu", "celu", "silu", "mish", "softplus",
              "hardswish", "hardsigmoid", "leaky_relu", "logsigmoid", "softsign", "tanhshrink",
              "hardshrink"]


def _key(v):
    if isinstance(v, bool) or math.isnan(v):
        return "nan" if not isinstance(v, bool) else v
    return (v, math.copysign(1.0, v))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op", METHODS + FUNCTIONAL)
def test_specials_match_torch(op, dtype):
    out = []
    for m in (tapegrad, torch):
        x = m.tensor(VALS, dtype=getattr(m, dtype))
        out.append((getattr(m.nn.functional, op)(x) if op in FUNCTIONAL else getattr(x, op)())
                   .tolist())
    got, want = out
    for v, g, w in zip(VALS, got, want):
        if _key(g) == _key(w):
            continue
        # finite nonzero values: equal up to a few ulp of float32 (digamma's float path, the
        # vector exp), but never a sign or a NaN apart
        assert isinstance(g, float) and math.isfinite(w) and w != 0 and g == pytest.approx(
            w, rel=2e-6), (op, dtype, v, g, w)
