"""torch's own OpInfo samples and error inputs through tapegrad, one test per OpInfo.

The harness is tests/opinfo_sweep.py (values and dtypes in float64/float32/int64/bool, float64
gradients for a random upstream gradient, error type and message for torch's error_inputs).
KNOWN lists the OpInfos that still differ from torch, with what differs; they are strict
xfails, so an op that starts to pass must leave the list. OpInfos that name no tapegrad function
(complex numbers, fft, torch internals) are not collected: `python tests/opinfo_sweep.py` lists
them as 'unresolved'.
"""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
import opinfo_sweep as sweep  # noqa: E402

from crosscheck import tg  # noqa: E402

# OpInfo key -> what still differs from torch (from `python tests/opinfo_sweep.py`).
KNOWN: dict[str, str] = {
}

# Ops that take the process down: run=False until fixed.
CRASHES: set[str] = set()


def _ops():
    import tapegrad
    out = []
    for op in sweep.op_db():
        key = sweep._key(op)
        if sweep.resolve(tapegrad, op) is None:
            continue
        marks = []
        if key in KNOWN or key in CRASHES:
            marks.append(pytest.mark.xfail(strict=True, run=key not in CRASHES,
                                           reason=KNOWN.get(key, "crashes")))
        out.append(pytest.param(op, id=key, marks=marks))
    return out


@pytest.mark.parametrize("op", _ops())
def test_opinfo(op):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = sweep.run_op(tg(), op)
    bad = {k: v for k, v in r.counts.items()
           if k not in ("ok", "error-input ok") and not k.startswith("skip")}
    assert not bad, "; ".join(f"{k} x{v}: {r.first.get(k, '')}" for k, v in bad.items())
