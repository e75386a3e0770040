"""torch's top-level utilities (python/tapegrad/_runtime.py): thread count, dtype facts,
numpy interop, the generator state, typename, constants, set_printoptions, each compared
with torch."""
import math

import numpy as np
import pytest
import torch

import tapegrad
from test_errors import assert_same_error

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
          "float64"]


@pytest.fixture
def restore_threads():
    before = tapegrad.get_num_threads()
    yield
    tapegrad.set_num_threads(before)


def test_num_threads(restore_threads):
    tapegrad.set_num_threads(1)
    assert tapegrad.get_num_threads() == 1
    x = tapegrad.randn(300, 300)
    np.testing.assert_allclose((x @ x).numpy(), x.numpy() @ x.numpy(), rtol=1e-4, atol=1e-3)
    tapegrad.set_num_threads(2)
    assert tapegrad.get_num_threads() == 2
    for bad in (0, -1, "a", 2.0, True):
        assert_same_error(lambda m, bad=bad: m.set_num_threads(bad))


def test_num_threads_seen_by_other_threads(restore_threads):
    import threading
    tapegrad.set_num_threads(1)
    seen = []
    t = threading.Thread(target=lambda: seen.append(tapegrad.get_num_threads()))
    t.start()
    t.join()
    assert seen == [1]


@pytest.mark.parametrize("name", DTYPES)
def test_finfo_iinfo(name):
    tdt, gdt = getattr(torch, name), getattr(tapegrad, name)
    if tdt.is_floating_point:
        a, b = torch.finfo(tdt), tapegrad.finfo(gdt)
        for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution",
                     "dtype"):
            assert getattr(a, attr) == getattr(b, attr), attr
        assert repr(a) == repr(b) and str(a) == str(b)
        assert_same_error(lambda m: m.iinfo(getattr(m, name)))
    elif name != "bool":
        a, b = torch.iinfo(tdt), tapegrad.iinfo(gdt)
        for attr in ("bits", "max", "min", "dtype"):
            assert getattr(a, attr) == getattr(b, attr), attr
        assert repr(a) == repr(b)
        assert_same_error(lambda m: m.finfo(getattr(m, name)))


def test_finfo_default_dtype():
    assert repr(torch.finfo()) == repr(tapegrad.finfo())


def test_promotion_tables():
    for a in DTYPES:
        for b in DTYPES:
            ta, tb, ga, gb = getattr(torch, a), getattr(torch, b), getattr(tapegrad, a), getattr(tapegrad, b)
            assert str(torch.promote_types(ta, tb)) == str(tapegrad.promote_types(ga, gb)), (a, b)
            assert torch.can_cast(ta, tb) == tapegrad.can_cast(ga, gb), (a, b)
            for shape in ((), (2,)):
                for other in (True, 3, 2.5):
                    r = torch.result_type(torch.zeros(shape, dtype=ta), other)
                    g = tapegrad.result_type(tapegrad.zeros(shape, dtype=ga), other)
                    assert str(r) == str(g), (a, shape, other)
                r = torch.result_type(torch.zeros(shape, dtype=ta), torch.zeros((), dtype=tb))
                g = tapegrad.result_type(tapegrad.zeros(shape, dtype=ga),
                                         tapegrad.zeros((), dtype=gb))
                assert str(r) == str(g), (a, b, shape)
    for pair in ((1, 2.0), (1, 2), (True, False)):
        assert str(torch.result_type(*pair)) == str(tapegrad.result_type(*pair))


@pytest.mark.parametrize("np_dtype", [np.float64, np.float32, np.int64, np.int32, np.int16,
                                      np.int8, np.uint8, np.bool_])
def test_from_numpy_shares_memory(np_dtype):
    a = (np.arange(12) % 3).astype(np_dtype).reshape(3, 4)
    t, g = torch.from_numpy(a), tapegrad.from_numpy(a)
    assert str(t.dtype) == str(g.dtype) and t.tolist() == g.tolist()
    a[0, 0] = 1
    assert g[0, 0].item() == t[0, 0].item() == 1
    nc = a[:, ::2]
    assert torch.from_numpy(nc).tolist() == tapegrad.from_numpy(nc).tolist()
    assert torch.from_numpy(nc).stride() == tapegrad.from_numpy(nc).stride()


def test_from_numpy_errors():
    assert_same_error(lambda m: m.from_numpy([1, 2]))
    assert_same_error(lambda m: m.from_numpy(np.arange(4)[::-1]))


def test_as_tensor_and_asarray():
    a = np.arange(3.0)
    for m in (torch, tapegrad):
        t = m.as_tensor(a)
        a[1] = 7.0
        assert t[1].item() == 7.0  # shares the array
        a[1] = 1.0
    for fn in (lambda m: m.as_tensor([1, 2], dtype=m.float32),
               lambda m: m.as_tensor(np.arange(3), dtype=m.float64),
               lambda m: m.asarray([1.5, 2]),
               lambda m: m.asarray(m.ones(2), dtype=m.int64),
               lambda m: m.as_tensor(3.5)):
        r, g = fn(torch), fn(tapegrad)
        assert str(r.dtype) == str(g.dtype) and r.tolist() == g.tolist()
    x = tapegrad.ones(2)
    assert tapegrad.as_tensor(x) is x
    assert tapegrad.asarray(x, copy=True) is not x


def test_typename_and_constants():
    assert torch.typename(torch.ones(2)) == tapegrad.typename(tapegrad.ones(2))
    assert torch.typename(torch.ones(2, dtype=torch.int64)) == \
        tapegrad.typename(tapegrad.ones(2, dtype=tapegrad.int64))
    assert torch.typename(3) == tapegrad.typename(3)
    assert torch.typename(torch.nn.Linear(1, 1)) == tapegrad.typename(tapegrad.nn.Linear(1, 1))
    assert tapegrad.inf == torch.inf and math.isnan(tapegrad.nan)
    assert tapegrad.pi == torch.pi and tapegrad.e == torch.e and tapegrad.newaxis is None


def test_rng_state_layout_and_exchange_with_torch():
    torch.manual_seed(5)
    tapegrad.manual_seed(5)
    assert torch.get_rng_state().tolist() == tapegrad.get_rng_state().tolist()
    for n in (1, 3, 20):  # scalar normals leave a cached value; blocks of 16 do not
        torch.randn(n)
        tapegrad.randn(n)
        assert torch.get_rng_state().tolist() == tapegrad.get_rng_state().tolist(), n
    # a torch state restores in tapegrad and draws the same numbers, and the other way round
    torch.manual_seed(11)
    torch.rand(700)
    torch.randn(1)
    state = torch.get_rng_state()
    tapegrad.set_rng_state(tapegrad.tensor(state.tolist(), dtype=tapegrad.uint8))
    assert torch.randn(5).tolist() == tapegrad.randn(5).tolist()
    assert torch.randint(0, 100, (9,)).tolist() == tapegrad.randint(0, 100, (9,)).tolist()
    saved = tapegrad.get_rng_state()
    first = tapegrad.rand(4).tolist()
    tapegrad.set_rng_state(saved)
    assert tapegrad.rand(4).tolist() == first
    torch.set_rng_state(torch.tensor(saved.tolist(), dtype=torch.uint8))
    assert torch.rand(4).tolist() == first


def test_rng_state_errors():
    assert_same_error(lambda m: m.set_rng_state(m.zeros(10, dtype=m.uint8)))

    def bad_left(m):
        s = m.get_rng_state()
        s[8:12] = 0
        m.set_rng_state(s)
    assert_same_error(bad_left)
    with pytest.raises(TypeError):
        tapegrad.set_rng_state(tapegrad.zeros(5056))


def test_set_printoptions_like_torch():
    try:
        for m in (torch, tapegrad):
            m.set_printoptions(precision=2, linewidth=40)
        x = [[1.23456, -2.5, 3.0, 1e-3] * 3]
        assert str(torch.tensor(x)) == str(tapegrad.tensor(x))
        for m in (torch, tapegrad):
            m.set_printoptions(profile="default", sci_mode=True)
        assert str(torch.tensor(x)) == str(tapegrad.tensor(x))
        for m in (torch, tapegrad):
            m.set_printoptions(threshold=5, edgeitems=1)
        assert str(torch.arange(10.)) == str(tapegrad.arange(10.))
    finally:
        for m in (torch, tapegrad):
            m.set_printoptions(profile="default")


@pytest.mark.parametrize("nbytes", [4 << 10, 100 << 10, 128 << 10, 150 << 10, 200 << 10,
                                    256 << 10, 300 << 10, 1 << 20])
def test_cpu_allocator_reuses_blocks_of_every_size(nbytes):
    """A result freed and made again comes back from the caching allocator: no fresh pages (the
    128-256 KiB range once bypassed the cache, and every such result page-faulted anew)."""
    import resource
    x = tapegrad.ones(nbytes // 4)
    for _ in range(5):
        y = x + 1
        del y
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(200):
        y = x + 1
        del y
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    pages = max(1, nbytes // 4096)
    assert faults < 200 * pages // 10, f"{faults} page faults in 200 allocations of {nbytes} bytes"
