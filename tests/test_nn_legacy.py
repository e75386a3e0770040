"""torch's older module and criterion tables (common_nn; tests/nn_legacy_sweep.py): every entry
that builds a torch.nn module gives torch's output and gradients (input and parameters) in
tapegrad, from torch's parameters and the same input."""
import pytest

torch = pytest.importorskip("torch")

import nn_legacy_sweep as sweep  # noqa: E402

# entry -> why it cannot match
KNOWN = {"Embedding_sparse": "sparse=True gradients (sparse layouts)",
         "EmbeddingBag_sparse": "sparse=True gradients (sparse layouts)"}

ENTRIES = sweep.entries()


@pytest.mark.parametrize("d", [pytest.param(d, id=n, marks=[pytest.mark.xfail(
    reason=KNOWN[n], strict=True)] if n in KNOWN else []) for n, d in ENTRIES])
def test_matches_torch(d):
    r = sweep.check(d)
    if r is not None and r.startswith("skip"):
        pytest.skip(r)
    assert r is None, r
