"""Tensor.untyped_storage() / storage() (python/tapegrad/_storage.py) against torch: sizes in
bytes and elements, the start address shared by views, the device, and TypedStorage's
deprecation warning."""
import warnings

import pytest

torch = pytest.importorskip("torch")
from crosscheck import tg  # noqa: E402

T = tg()

MAKERS = {
    "contiguous": lambda m: m.arange(6.0).reshape(2, 3),
    "row view": lambda m: m.arange(6.0).reshape(2, 3)[1:],
    "transposed": lambda m: m.arange(12, dtype=m.int16).reshape(3, 4).t(),
    "0-d": lambda m: m.tensor(3.0, dtype=m.float64),
    "empty": lambda m: m.empty(0),
    "expanded half": lambda m: m.ones(2, dtype=m.float16).expand(4, 2),
}


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_untyped_storage_like_torch(name):
    want, got = MAKERS[name](torch), MAKERS[name](T)
    ws, gs = want.untyped_storage(), got.untyped_storage()
    assert gs.nbytes() == ws.nbytes() and len(gs) == len(ws) and gs.size() == ws.size()
    assert gs.element_size() == ws.element_size() == 1
    assert str(gs.device) == str(ws.device)
    # a view starts storage_offset elements into its storage
    if want.numel():
        assert (got.data_ptr() - gs.data_ptr() == want.data_ptr() - ws.data_ptr()
                == want.storage_offset() * want.element_size())
    else:
        assert gs.data_ptr() == ws.data_ptr() == 0


def test_views_share_one_storage_and_copies_do_not():
    x = T.arange(6.0).reshape(2, 3)
    assert x[1].untyped_storage().data_ptr() == x.untyped_storage().data_ptr()
    assert x.t().untyped_storage().data_ptr() == x.untyped_storage().data_ptr()
    assert x.clone().untyped_storage().data_ptr() != x.untyped_storage().data_ptr()


def test_storage_keeps_memory_alive():
    s = T.arange(1000.0)[10:].untyped_storage()
    assert s.nbytes() == 4000
    T.ones(1000)  # would reuse the freed block if the storage did not hold it
    assert s.nbytes() == 4000


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_typed_storage_like_torch(name):
    want, got = MAKERS[name](torch), MAKERS[name](T)
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter("always")
        ws = want.storage()
    with warnings.catch_warnings(record=True) as wg:
        warnings.simplefilter("always")
        gs = got.storage()
    # both warn once per process (whichever test runs first sees it)
    assert len(wg) <= 1 and len(wt) <= 1
    assert all(w.category is UserWarning and str(w.message).startswith(
        "TypedStorage is deprecated. It will be removed in the future") for w in wg + wt)
    assert gs.size() == ws.size() and len(gs) == len(ws) and gs.nbytes() == ws.nbytes()
    assert gs.element_size() == ws.element_size() and str(gs.dtype) == str(ws.dtype)
    assert gs.untyped().nbytes() == ws.untyped().nbytes()
