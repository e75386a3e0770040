"""Shared pytest set-up: which module the suites test.

TAPEGRAD_TEST_BACKEND=torch makes `tg()` return torch itself, so every cross-check can be
validated torch-against-torch before tapegrad exists; unset (or "tapegrad") tests tapegrad.
"""
import importlib
import os

import pytest

BACKEND_ENV = "TAPEGRAD_TEST_BACKEND"
# Set to 1 by tests/test_index_plans.py's subprocess run: CPU tensors build their indexing
# offsets as a CUDA tensor's are (Note [Index plans on the device]).
INDEX_PLANS_ENV = "TAPEGRAD_TEST_INDEX_PLANS_ON_DEVICE"


def pytest_configure(config):
    if os.environ.get(INDEX_PLANS_ENV) == "1" and backend_name() == "tapegrad":
        import tapegrad
        tapegrad._C._set_index_plans_on_device(True)


def backend_name() -> str:
    """'tapegrad' (default) or 'torch' (torch standing in for tapegrad)."""
    name = os.environ.get(BACKEND_ENV, "tapegrad").strip().lower() or "tapegrad"
    if name not in ("tapegrad", "torch"):
        raise ValueError(f"{BACKEND_ENV} must be 'tapegrad' or 'torch', not {name!r}")
    return name


def tg():
    """The module under test, imported under whatever name the backend switch selects."""
    return importlib.import_module(backend_name())


@pytest.fixture(name="tg")
def tg_fixture():
    return tg()


def pytest_report_header(config):
    return f"tapegrad test backend: {backend_name()} (set {BACKEND_ENV}=torch to dry-run on torch)"


# Known differences from torch that tapegrad has not closed yet. Each is a strict xfail: the
# test keeps asserting torch's behaviour, and a fix turns it into an XPASS that fails the run
# until the entry is removed here. Applied only when the backend under test is tapegrad.
KNOWN_GAPS = {
}


def pytest_collection_modifyitems(config, items):
    import pytest
    if backend_name() == "torch":
        return
    everywhere = ()  # keys of gaps that fail in every test that runs them (not only the
    # cross-check); none at present
    # gaps where tapegrad records a different node: its saved attributes differ as well
    name_gaps = ()
    for item in items:
        for key, reason in KNOWN_GAPS.items():
            # The other gaps are about forward values or grad_fn names, which only the
            # torch cross-check compares; gradcheck/gradgradcheck of those cases pass.
            saved = key in name_gaps and ("test_saved_attrs_match_torch[" in item.nodeid or
                                          "test_module_against_torch[" in item.nodeid)
            if key in item.nodeid and (key in everywhere or "test_crosscheck[" in item.nodeid
                                       or saved):
                item.add_marker(pytest.mark.xfail(strict=True, reason="known gap: " + reason))
