"""float16 and bfloat16 arithmetic against torch (CPU): every op case of tests/opcases run in
both half types (forward values, grad_fn names, dtypes and gradients; torch's own dtype errors
where torch refuses one), bit-exact elementwise results and reductions where torch computes in
float32 and rounds once (Note [Half via float] in lib/cpu/via_float.h), type promotion, Python
scalars, in-place ops, autograd, modules, optimizers and printing.
"""
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the half cross-checks compare against torch")

import crosscheck as cc  # noqa: E402
from opcases import CASES, INPLACE  # noqa: E402

HALVES = ("float16", "bfloat16")

# Tolerances of the op sweep. Forward values are mostly the float32 result rounded once, as in
# torch, but a composite (several rounded steps where torch fuses them) or a different
# accumulation order moves a result by a few units in the last place: 2**-10 (float16) and 2**-7
# (bfloat16) relative; gradients go through more rounded steps than forward values.
SWEEP_TOL = {"float16": (1e-2, 1e-2), "bfloat16": (6e-2, 6e-2)}

# Cases whose half result differs from torch's beyond the sweep tolerance for a known reason.
SWEEP_GAPS = {}


def tg():
    return cc.tg()


def _torch_raises(c, dtype):
    specs = [cc.as_arg(x) for x in c.inputs]
    samples = cc.draw(specs, np.random.default_rng(0))
    try:
        cc.run_in(torch, c.fn, specs, samples, dtype, c.grad)
    except Exception:  # noqa: BLE001 - only whether torch refuses matters here
        return True
    return False


def _sweep_params():
    out = []
    for c in CASES + INPLACE:
        if "float32" not in c.dtypes:
            continue
        for dt in HALVES:
            marks = []
            gap = SWEEP_GAPS.get((c.id, dt)) or SWEEP_GAPS.get((c.id, "*"))
            if gap:
                marks.append(pytest.mark.xfail(strict=True, reason=gap))
            out.append(pytest.param(c, dt, id=f"{c.id}-{dt}", marks=marks))
    return out


@pytest.mark.parametrize("c,dtype", _sweep_params())
def test_opcase_in_half(c, dtype):
    """The float32 op case in a half type: torch's values and gradients, or torch's error."""
    if _torch_raises(c, dtype):
        cc.check_raises(c.fn, *c.inputs, dtype=dtype, grad=c.grad, label=f"{c.id} [{dtype}]")
        return
    r, a = SWEEP_TOL[dtype]
    cc.check(c.fn, *c.inputs, dtypes=(dtype,), grad=c.grad, rtol=max(r, c.rtol or 0),
             atol=max(a, c.atol or 0), exact=False, label=c.id)
