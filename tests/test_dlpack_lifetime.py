"""DLPack lifetime and torch's own DLPack checklist, beyond tests/test_dlpack.py: memory stays
valid and values intact whichever side is deleted first (torch, numpy, tapegrad, gradients);
1e5 round trips torch -> tapegrad -> torch leave memory and reference counts flat; the ideas of
torch's test/test_dlpack.py (capsule and protocol paths, protocol-only producers, shared storage
both ways, non-contiguous, normalized strides, requires_grad refusal, consumed once, max_version,
copy, devices, unsupported dtypes and layouts, numpy, torch.asarray); DLPack after either import
order of torch and tapegrad."""
import gc
import os
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="DLPack interop is checked against torch")
import tapegrad  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _churn(n, lib):
    """Allocate and fill tensors of ``n`` float64s, so freed memory would be reused and
    overwritten if a view still pointed into it."""
    junk = [lib.full((n,), -7.0, dtype=lib.float64) for _ in range(8)]
    del junk
    gc.collect()


class _ProtocolOnly:
    """Exposes only __dlpack__ / __dlpack_device__ (no exchange table, no torch type), so the
    consumer must take the protocol path."""

    def __init__(self, t):
        self.t = t

    def __dlpack__(self, **kwargs):
        return self.t.__dlpack__(**kwargs)

    def __dlpack_device__(self):
        return self.t.__dlpack_device__()


class _LegacyProducer(_ProtocolOnly):
    """A producer from before DLPack 1.0: no keyword arguments at all."""

    def __dlpack__(self, stream=None):
        return self.t.__dlpack__()


IMPORTS = {
    "from_torch": lambda t: tapegrad.from_torch(t),
    "from_dlpack": lambda t: tapegrad.from_dlpack(t),
    "legacy_capsule": lambda t: tapegrad.from_dlpack(torch.utils.dlpack.to_dlpack(t)),
    "versioned_capsule": lambda t: tapegrad.from_dlpack(t.__dlpack__(max_version=(1, 0))),
    "protocol_only": lambda t: tapegrad.from_dlpack(_ProtocolOnly(t)),
}
EXPORTS = {
    "to_torch": lambda x: x.to_torch(),
    "torch.from_dlpack": lambda x: torch.from_dlpack(x),
    "to_dlpack": lambda x: torch.from_dlpack(tapegrad.utils.dlpack.to_dlpack(x)),
    "protocol_only": lambda x: torch.from_dlpack(_ProtocolOnly(x)),
    "torch.asarray": lambda x: torch.asarray(x),
}


# ---- lifetime: either side deleted first ----

@pytest.mark.parametrize("path", IMPORTS)
def test_torch_deleted_before_tapegrad_view(path):
    n = 1 << 16
    t = torch.arange(n, dtype=torch.float64)
    x = IMPORTS[path](t)[1::2]  # a view of the import: it too must keep the memory
    ptr = t.data_ptr()
    del t
    gc.collect()
    _churn(n, torch)
    assert x.data_ptr() == ptr + 8
    assert x[:3].tolist() == [1.0, 3.0, 5.0] and x[-1].item() == n - 1
    x.add_(1)  # still writable, still ours
    assert x[0].item() == 2.0


@pytest.mark.parametrize("path", EXPORTS)
def test_tapegrad_deleted_before_torch_view(path):
    n = 1 << 16
    x = tapegrad.arange(n, dtype=tapegrad.float64)
    t = EXPORTS[path](x[2:])
    ptr = x.data_ptr()
    del x
    gc.collect()
    _churn(n, tapegrad)
    assert t.data_ptr() == ptr + 16
    assert t[:2].tolist() == [2.0, 3.0] and t[-1].item() == n - 1
    t.mul_(2)
    assert t[0].item() == 4.0


def test_chain_deleted_in_every_order():
    # torch -> tapegrad -> torch -> tapegrad over one buffer; drop the links in a scrambled order
    t0 = torch.arange(1000, dtype=torch.float32)
    x1 = tapegrad.from_torch(t0)
    t2 = torch.from_dlpack(x1)
    x3 = tapegrad.from_dlpack(t2)
    assert x3.data_ptr() == t0.data_ptr()
    del t0, t2
    gc.collect()
    _churn(1000, torch)
    x1[0] = 42.0
    assert x3[0].item() == 42.0
    del x1
    gc.collect()
    assert x3[999].item() == 999.0


def test_numpy_deleted_first_and_tapegrad_deleted_first():
    a = np.arange(5.0)
    x = tapegrad.from_dlpack(a)
    del a
    gc.collect()
    assert x.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
    b = np.from_dlpack(x)
    del x
    gc.collect()
    _churn(5, tapegrad)
    assert b.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_gradient_outlives_its_tensor_in_torch():
    w = tapegrad.ones(1000, dtype=tapegrad.float64, requires_grad=True)
    (w * 3).sum().backward()
    g = w.grad.to_torch()
    assert g.data_ptr() == w.grad.data_ptr()
    del w
    gc.collect()
    _churn(1000, tapegrad)
    assert torch.equal(g, torch.full((1000,), 3.0, dtype=torch.float64))
    # and the other way: a torch gradient held by tapegrad after torch's tensor is gone
    p = torch.ones(1000, dtype=torch.float64, requires_grad=True)
    (p * 5).sum().backward()
    x = tapegrad.from_torch(p.grad)
    del p
    gc.collect()
    _churn(1000, torch)
    assert x.tolist() == [5.0] * 1000


def test_unconsumed_capsule_keeps_memory_and_frees_it():
    x = tapegrad.arange(1 << 16, dtype=tapegrad.float64)
    cap = x.__dlpack__(max_version=(1, 0))
    del x
    gc.collect()
    _churn(1 << 16, tapegrad)
    t = torch.from_dlpack(cap)  # the capsule alone kept the memory alive
    assert t[:3].tolist() == [0.0, 1.0, 2.0] and t[-1].item() == (1 << 16) - 1


# ---- many round trips: flat memory and reference counts ----

def _rss_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


TRIPS = {
    "fast": lambda u: tapegrad.from_torch(u).to_torch(),
    "protocol": lambda u: torch.from_dlpack(tapegrad.from_dlpack(_ProtocolOnly(u))),
}


@pytest.mark.parametrize("path,rounds", [("fast", 100_000), ("protocol", 20_000)])
def test_round_trips_leave_memory_flat(path, rounds):
    t = torch.arange(1024, dtype=torch.float32)  # 4 KiB: a leaked buffer per trip would show
    trip = TRIPS[path]
    for _ in range(2000):  # warm-up: allocator pools, lazy imports
        trip(t)
    gc.collect()
    refs = sys.getrefcount(t)
    before = _rss_kb()
    for _ in range(rounds):
        u = trip(t)
    assert u.data_ptr() == t.data_ptr() and torch.equal(u, t)
    del u
    gc.collect()
    grown = _rss_kb() - before
    # A leaked manager or capsule per trip is >= 64 bytes: >= 6 MiB over 1e5 trips.
    assert grown < 3 * 1024, f"resident set grew by {grown} KiB over {rounds} round trips"
    assert sys.getrefcount(t) == refs


@pytest.mark.parametrize("path", TRIPS)
def test_chained_round_trips_are_released(path):
    # u = trip(u): each hop's tensor holds the previous one, so the chain grows while it lives;
    # once dropped it must be freed (a second chain reuses the memory), deep as it is.
    t = torch.arange(256, dtype=torch.float32)
    refs = sys.getrefcount(t)

    def chain():
        u = t
        for _ in range(20_000):
            u = TRIPS[path](u)
        assert u.data_ptr() == t.data_ptr() and torch.equal(u, t)

    chain()
    gc.collect()
    assert sys.getrefcount(t) == refs
    before = _rss_kb()
    chain()
    gc.collect()
    grown = _rss_kb() - before
    assert grown < 3 * 1024, f"a second chain grew the resident set by {grown} KiB"
    assert sys.getrefcount(t) == refs


# ---- torch's DLPack checklist ----

@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32, torch.float64,
                                   torch.int8, torch.int16, torch.int32, torch.int64,
                                   torch.uint8, torch.bool])
def test_protocol_and_capsule_paths_agree(dtype):
    t = (torch.randn(4, 3, dtype=torch.float64) * 5).to(dtype)
    xs = {name: imp(t) for name, imp in IMPORTS.items()}
    for name, x in xs.items():
        assert x.data_ptr() == t.data_ptr(), name
        assert str(x.dtype) == str(t.dtype), name
        for ename, exp in EXPORTS.items():
            back = exp(x)
            assert back.data_ptr() == t.data_ptr() and back.dtype == t.dtype, (name, ename)
            assert torch.equal(back, t), (name, ename)


def test_legacy_producer_without_keywords():
    # The consumer asks for max_version first and falls back when the producer rejects it.
    t = torch.arange(6.0).reshape(2, 3)
    x = tapegrad.from_dlpack(_LegacyProducer(t))
    assert x.data_ptr() == t.data_ptr() and x.tolist() == t.tolist()
    y = tapegrad.arange(4.0)
    back = torch.from_dlpack(_LegacyProducer(y))
    assert back.data_ptr() == y.data_ptr()


def test_shared_storage_writes_both_ways():
    t = torch.zeros(3, 4)
    x = tapegrad.from_dlpack(t)
    x[1].fill_(2.0)
    t[:, 3] = 5.0
    assert torch.equal(torch.from_dlpack(x), t)
    assert x[1, 3].item() == 5.0 and x[1, 0].item() == 2.0
    back = torch.from_dlpack(x)
    back.add_(1)
    assert t[0, 0].item() == 1.0 and x[0, 0].item() == 1.0


@pytest.mark.parametrize("make", [lambda m, b: b[:, ::2], lambda m, b: b.t(),
                                  lambda m, b: b[1:, 1:3], lambda m, b: b[:, 2],
                                  lambda m, b: b.unsqueeze(1).expand(4, 3, 5)[:, 1]])
def test_noncontiguous_both_ways_match_torch(make):
    tb = torch.arange(20.0).reshape(4, 5)
    t = make(torch, tb)
    x = tapegrad.from_dlpack(t)
    assert x.stride() == t.stride() and x.tolist() == t.tolist()
    assert x.data_ptr() == t.data_ptr()
    # Exported from tapegrad, the view looks to torch as torch's own view does.
    xb = tapegrad.arange(20.0).reshape(4, 5)
    xv = make(tapegrad, xb)
    back, ref = torch.from_dlpack(xv), torch.from_dlpack(t)
    assert back.stride() == ref.stride() and back.tolist() == ref.tolist()
    assert back.data_ptr() == xv.data_ptr()


def test_size_one_dims_strides_like_torch():
    # torch normalizes (or not) the stride of size-1 dims on export; ours must look the same.
    t = torch.rand(16)[::3][:1]
    x = tapegrad.from_dlpack(t)[None, :]
    ref = torch.from_dlpack(t)[None, :]
    assert torch.from_dlpack(x).stride() == torch.from_dlpack(ref).stride()
    assert torch.from_dlpack(x).item() == t.item()


def test_requires_grad_refused_both_ways_with_torch_wording():
    t = torch.ones(2, requires_grad=True)
    x = tapegrad.ones(2, requires_grad=True)
    with pytest.raises(BufferError) as th_err:
        torch.from_dlpack(t)
    for f in (lambda: tapegrad.from_dlpack(t), lambda: tapegrad.from_torch(t),
              lambda: torch.from_dlpack(x), lambda: x.to_torch(), lambda: x.__dlpack__()):
        with pytest.raises(BufferError) as err:
            f()
        assert str(err.value) == str(th_err.value)


def test_capsules_consumed_once_by_either_consumer():
    for make in (lambda: torch.utils.dlpack.to_dlpack(torch.ones(2)),
                 lambda: tapegrad.ones(2).__dlpack__(),
                 lambda: tapegrad.ones(2).__dlpack__(max_version=(1, 0))):
        for first, second in ((tapegrad.from_dlpack, torch.from_dlpack),
                              (torch.from_dlpack, tapegrad.from_dlpack)):
            cap = make()
            assert first(cap).tolist() == [1.0, 1.0]
            assert "used_" in repr(cap)
            with pytest.raises(RuntimeError):
                second(cap)


def test_max_version_choices_match_torch():
    t, x = torch.ones(2), tapegrad.ones(2)
    for mv in (None, (0, 8), (1, 0), (1, 3), (2, 0), (99, 99)):
        kind = repr(t.__dlpack__(max_version=mv)).split('"')[1]
        assert repr(x.__dlpack__(max_version=mv)).split('"')[1] == kind, mv


def test_copy_false_and_copy_true():
    t = torch.arange(3.0)
    x = tapegrad.from_dlpack(t, copy=False)
    assert x.data_ptr() == t.data_ptr()
    y = tapegrad.from_dlpack(t, copy=True)
    assert y.data_ptr() != t.data_ptr() and y.tolist() == t.tolist()
    z = tapegrad.from_dlpack(_ProtocolOnly(t), copy=True)
    t[0] = 9
    assert z.tolist() == [0.0, 1.0, 2.0] and x[0].item() == 9.0
    back = torch.from_dlpack(x, copy=False)
    assert back.data_ptr() == t.data_ptr()


def test_devices_we_cannot_serve():
    t, x = torch.ones(2), tapegrad.ones(2)
    if not tapegrad._C._cuda_built:
        with pytest.raises(BufferError):
            tapegrad.from_dlpack(t, device="cuda")
    elif not tapegrad.cuda.is_available():  # CUDA build, no GPU: torch's no-driver/no-GPU error
        with pytest.raises(RuntimeError, match="NVIDIA driver|No CUDA GPUs"):
            tapegrad.from_dlpack(t, device="cuda")
    else:  # a cross-device import is a copy onto the GPU, refused with copy=False
        assert tapegrad.from_dlpack(t, device="cuda").is_cuda
        with pytest.raises(ValueError, match="without copying"):
            tapegrad.from_dlpack(t, device="cuda", copy=False)
    assert tapegrad.from_dlpack(t, device="cpu").data_ptr() == t.data_ptr()
    assert tapegrad.from_dlpack(t, device=torch.device("cpu")).data_ptr() == t.data_ptr()
    with pytest.raises(BufferError):
        x.__dlpack__(dl_device=(torch.utils.dlpack.DLDeviceType.kDLCUDA, 0))
    assert x.__dlpack_device__() == t.__dlpack_device__()


@pytest.mark.parametrize("dtype", [torch.complex64, torch.complex128, torch.uint16,
                                   torch.uint32, torch.uint64, torch.float8_e4m3fn])
def test_unsupported_dtypes_refused(dtype):
    t = torch.zeros(3, dtype=torch.float32).to(dtype)
    refs = sys.getrefcount(t)
    for f in (tapegrad.from_dlpack, tapegrad.from_torch,
              lambda u: tapegrad.from_dlpack(_ProtocolOnly(u))):
        with pytest.raises(BufferError, match="unsupported dtype"):
            f(t)
    gc.collect()
    assert sys.getrefcount(t) == refs  # the refused capsule's deleter ran


def test_non_strided_layout_refused_like_torch():
    s = torch.zeros(3).to_sparse()
    with pytest.raises(BufferError) as th_err:
        torch.from_dlpack(s)
    with pytest.raises(BufferError) as err:
        tapegrad.from_dlpack(s)
    assert str(err.value) == str(th_err.value)


def test_numpy_both_ways_dtype_matrix():
    for dt in (np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64,
               np.uint8, np.bool_):
        a = (np.arange(6) % 3).astype(dt).reshape(2, 3)[:, ::2]
        x = tapegrad.from_dlpack(a)
        assert x.data_ptr() == a.ctypes.data and x.tolist() == a.tolist(), dt
        assert x.stride() == tuple(s // a.itemsize for s in a.strides)
        b = np.from_dlpack(x)
        assert b.dtype == a.dtype and b.strides == a.strides and b.ctypes.data == a.ctypes.data


# ---- both import orders ----

ORDER_CODE = """
import sys
{imports}
import numpy as np
# An OpenMP-parallel op on each side first: both libraries share one OpenMP runtime.
big_t = torch.ones(1 << 22); big_x = tapegrad.ones(1 << 22)
assert big_t.sum().item() == big_x.sum().item() == float(1 << 22)
t = torch.arange(1 << 20, dtype=torch.float64)
x = tapegrad.from_dlpack(t); y = tapegrad.from_torch(t)
assert x.data_ptr() == y.data_ptr() == t.data_ptr()
assert (x * 2).sum().item() == (t * 2).sum().item()
back = torch.from_dlpack(x * 3); back2 = (x + 1).to_torch()
assert torch.equal(back, t * 3) and torch.equal(back2, t + 1)
w = tapegrad.ones(4, requires_grad=True); (w * 2).sum().backward()
assert w.grad.to_torch().tolist() == [2.0] * 4
assert np.from_dlpack(x[:3]).tolist() == [0.0, 1.0, 2.0]
print("ok")
"""


@pytest.mark.parametrize("order", ["torch, tapegrad", "tapegrad, torch"])
def test_dlpack_after_either_import_order(order):
    pkg_parent = os.path.dirname(os.path.dirname(os.path.abspath(tapegrad.__file__)))
    env = {**os.environ, "PYTHONPATH": pkg_parent, "OMP_NUM_THREADS": "2"}
    code = ORDER_CODE.format(imports=f"import {order}")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                       timeout=120, cwd=ROOT)
    assert p.returncode == 0 and p.stdout.strip() == "ok", p.stderr[-2000:]
