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


# Known differences from torch that tapegrad has not closed yet. Each is a strict xfail: the
# test keeps asserting torch's behaviour, and a fix turns it into an XPASS that fails the run
# until the entry is removed here. Applied only when the backend under test is tapegrad.
KNOWN_GAPS = {
    # (these two fail in every test that runs them)
    "inplace/view/": "in-place ops on a view of a tensor that requires grad need torch's "
                     "CopySlices; tapegrad raises NotImplementedError",
    "inplace/fill_/tensor": "fill_ with a 0-d tensor value records FillBackward2 (no gradient "
                            "to the value), torch records FillBackward3",
    "leaf/fill_/tensor": "fill_ with a tensor value: see inplace/fill_/tensor",
    "index_put/setitem_": "x[idx] = v with a tensor index records CopyBackwards; torch records "
                          "IndexPutBackward0 (an in-place index_put_)",
    "index/grad_of_": "the backward of indexing records IndexPutBackward0; torch shows "
                      "IndexPutImplBackward0",
    "index/ellipsis_only": "x[...] returns a Slice view; torch returns an alias "
                           "(AliasBackward0)",
    "index/0d_ellipsis": "see index/ellipsis_only",
    "matmul/fn/bcast_batch1": "matmul with a broadcast batch of 1 takes torch's folding path "
                              "in torch (CloneBackward0), a bmm path here",
    "cross_entropy/none/spatial": "cross_entropy on (N, C, d) inputs: torch's nll_loss2d path "
                                  "shows different grad_fn names",
    "cross_entropy/mean/spatial": "see cross_entropy/none/spatial",
    "cross_entropy/sum/spatial": "see cross_entropy/none/spatial",
    "cross_entropy/mean/all_ignored": "mean reduction with every target ignored: gradient "
                                      "differs from torch's nan handling",
    "scatter_add/src_bigger": "scatter_add with src larger than index: gradient shape of src",
    "pad/circular": "torch records circular padding as slice copies into a new tensor "
                    "(CopySlices); tapegrad's composite gathers, recording IndexSelectBackward0",
    "[CircularPad": "CircularPad1d/2d/3d: see pad/circular",
}


def pytest_collection_modifyitems(config, items):
    import pytest
    if backend_name() == "torch":
        return
    everywhere = ("inplace/view/", "inplace/fill_/tensor", "leaf/fill_/tensor")
    # gaps where tapegrad records a different node: its saved attributes differ as well
    name_gaps = ("index_put/setitem_", "index/grad_of_", "index/ellipsis_only",
                 "index/0d_ellipsis", "matmul/fn/bcast_batch1", "cross_entropy/none/spatial",
                 "cross_entropy/mean/spatial", "cross_entropy/sum/spatial", "pad/circular",
                 "[CircularPad")
    for item in items:
        for key, reason in KNOWN_GAPS.items():
            # The other gaps are about forward values or grad_fn names, which only the
            # torch cross-check compares; gradcheck/gradgradcheck of those cases pass.
            saved = key in name_gaps and ("test_saved_attrs_match_torch[" in item.nodeid or
                                          "test_module_against_torch[" in item.nodeid)
            if key in item.nodeid and (key in everywhere or "test_crosscheck[" in item.nodeid
                                       or saved):
                item.add_marker(pytest.mark.xfail(strict=True, reason="known gap: " + reason))
