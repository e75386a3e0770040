"""Shared pytest set-up: which module the suites test.

TAPEGRAD_TEST_BACKEND=torch makes `tg()` return torch itself, so every cross-check can be
validated torch-against-torch before tapegrad exists; unset (or "tapegrad") tests tapegrad.
"""
import importlib
import os

import pytest

BACKEND_ENV = "TAPEGRAD_TEST_BACKEND"


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
