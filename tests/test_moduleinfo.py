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


@pytest.mark.parametrize("mi", opinfo_sweep.param_list(sweep.module_db, sweep.key, sweep.resolve,
                                                        KNOWN))
def test_moduleinfo(mi):
    opinfo_sweep.check_entry(sweep.run_module, tg(), mi)
