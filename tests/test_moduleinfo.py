"""torch's own ModuleInfo samples and error inputs through tapegrad.nn, one test per module.

The harness is tests/moduleinfo_sweep.py (both libraries build the module from the same
arguments, torch's state is copied, forward outputs in train/eval mode are compared in float64
and float32, float64 input and parameter gradients for a random upstream gradient, error type
and message at construction or forward). KNOWN lists the modules that still differ from torch;
they are strict xfails, so a module that starts to pass must leave the list.
"""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
import moduleinfo_sweep as sweep  # noqa: E402

import opinfo_sweep  # noqa: E402
from crosscheck import tg  # noqa: E402

# ModuleInfo name -> what still differs from torch (`python tests/moduleinfo_sweep.py --known`).
KNOWN: dict[str, str] = {
}


def _modules():
    import tapegrad
    out = []
    for mi in sweep.module_db():
        name = sweep.key(mi)
        if sweep.resolve(tapegrad, mi) is None:
            continue
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN[name])] if name in KNOWN else []
        out.append(pytest.param(mi, id=name, marks=marks))
    return out


@pytest.mark.parametrize("mi", _modules())
def test_moduleinfo(mi):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = sweep.run_module(tg(), mi)
    bad = opinfo_sweep.failures(r)
    assert not bad, "; ".join(bad)
