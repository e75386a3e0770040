"""DLPack both ways, zero-copy: capsules (legacy and versioned), the C exchange tables (torch's
and ours), numpy, every shared dtype, 0-d / size-0 / non-contiguous / offset views, read-only
producers, deleter ownership (exactly once, on another thread, without the GIL), and torch's
argument rules and errors for __dlpack__ / from_dlpack."""
import ctypes
import gc
import threading

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="DLPack interop is checked against torch")
import tapegrad  # noqa: E402
from tapegrad.utils import dlpack as tg_dlpack  # noqa: E402

DTYPES = ["float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64",
          "uint8", "bool"]


def _th_sample(dtype, shape=(3, 4)):
    g = torch.Generator().manual_seed(0)
    t = torch.randn(shape, generator=g, dtype=torch.float64) * 10
    if dtype == "bool":
        return t > 0
    return t.to(getattr(torch, dtype))


def _ptr_tg(x):
    return x.data_ptr()


# ---- torch -> tapegrad ----

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("path", ["protocol", "capsule_legacy", "capsule_versioned",
                                  "from_torch"])
def test_import_from_torch_shares_memory(dtype, path):
    t = _th_sample(dtype)
    if path == "protocol":
        x = tapegrad.from_dlpack(t)
    elif path == "capsule_legacy":
        x = tapegrad.from_dlpack(torch.utils.dlpack.to_dlpack(t))
    elif path == "capsule_versioned":
        x = tapegrad.from_dlpack(t.__dlpack__(max_version=(1, 0)))
    else:
        x = tapegrad.from_torch(t)
    assert str(x.dtype) == str(t.dtype)
    assert tuple(x.shape) == tuple(t.shape)
    assert x.data_ptr() == t.data_ptr()
    assert torch.equal(torch.from_dlpack(x), t)
    # A write on either side is seen by the other.
    t[0, 0] = 1
    assert x[0, 0].item() == t[0, 0].item()


@pytest.mark.parametrize("view", ["transpose", "step_slice", "offset", "expand", "0d",
                                  "size0", "size0_nc", "column"])
def test_import_views_keep_strides_and_offset(view):
    base = torch.arange(60, dtype=torch.float32).reshape(3, 4, 5)
    t = {"transpose": lambda: base.transpose(0, 2), "step_slice": lambda: base[:, ::2, 1::2],
         "offset": lambda: base[1:, 2:], "expand": lambda: base[0, 0].expand(4, 5),
         "0d": lambda: base[1, 2, 3], "size0": lambda: torch.empty(0, 3),
         "size0_nc": lambda: base[:, :0].transpose(0, 2),
         "column": lambda: base[:, 1, 2]}[view]()
    x = tapegrad.from_dlpack(t)
    assert tuple(x.shape) == tuple(t.shape)
    assert x.stride() == t.stride()
    assert x.tolist() == t.tolist()
    if t.numel():
        assert x.data_ptr() == t.data_ptr()


def test_import_honours_byte_offset():
    # A producer that reports the view's start through byte_offset instead of the pointer.
    arr = np.arange(10, dtype=np.float64)
    m = _Producer(arr, byte_offset=3 * 8, shape=(4,), strides=(2,))
    x = tapegrad.from_dlpack(m.capsule())
    assert x.tolist() == [3.0, 5.0, 7.0, 9.0]
    del x
    gc.collect()
    assert m.deleted == 1


def test_torch_neg_and_conj_bits_resolved():
    z = torch.tensor([1 + 2j, 3 - 4j])
    v = z.conj().imag  # a neg-bit view: torch would export it with the wrong sign
    assert v.is_neg()
    x = tapegrad.from_dlpack(v)
    assert x.tolist() == v.tolist() == [-2.0, 4.0]


def test_import_torch_requires_grad_is_buffer_error():
    t = torch.ones(3, requires_grad=True)
    with pytest.raises(BufferError, match="Can't export tensors that require gradient"):
        tapegrad.from_dlpack(t)
    assert tapegrad.from_dlpack(t.detach()).tolist() == [1.0, 1.0, 1.0]


def test_import_copy_true_does_not_share():
    t = torch.arange(3.0)
    x = tapegrad.from_dlpack(t, copy=True)
    t[0] = 7
    assert x.tolist() == [0.0, 1.0, 2.0]


def test_capsule_consumed_once():
    cap = torch.utils.dlpack.to_dlpack(torch.arange(3.0))
    tapegrad.from_dlpack(cap)
    assert "used_dltensor" in repr(cap)
    with pytest.raises(RuntimeError, match="consumed only once"):
        tapegrad.from_dlpack(cap)
    with pytest.raises(RuntimeError, match="consumed only once"):
        torch.from_dlpack(cap)


def test_from_dlpack_rejects_other_objects():
    with pytest.raises(TypeError):
        tapegrad.from_dlpack([1, 2, 3])
    with pytest.raises(AssertionError):
        tapegrad.from_dlpack(torch.utils.dlpack.to_dlpack(torch.ones(1)), copy=True)


# ---- tapegrad -> torch / numpy ----

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("path", ["torch.from_dlpack", "to_torch", "to_dlpack",
                                  "numpy.from_dlpack"])
def test_export_shares_memory(dtype, path):
    x = tapegrad.from_dlpack(_th_sample(dtype).clone())
    if path == "torch.from_dlpack":
        t = torch.from_dlpack(x)
    elif path == "to_torch":
        t = x.to_torch()
    elif path == "to_dlpack":
        t = torch.from_dlpack(tg_dlpack.to_dlpack(x))
    else:
        if dtype == "bfloat16":
            pytest.skip("numpy has no bfloat16")
        a = np.from_dlpack(x)
        assert a.ctypes.data == x.data_ptr()
        assert a.tolist() == x.tolist()
        return
    assert t.data_ptr() == x.data_ptr()
    assert str(t.dtype) == str(x.dtype)
    t[0, 0] = 0
    assert x[0, 0].item() == t[0, 0].item()


@pytest.mark.parametrize("make", [lambda x: x.t(), lambda x: x[1:, ::2], lambda x: x[2, 1],
                                  lambda x: x[:0], lambda x: x[1].expand(3, 4)])
def test_export_views(make):
    x = make(tapegrad.arange(12.0).reshape(3, 4))
    t = torch.from_dlpack(x)
    assert t.tolist() == x.tolist()
    assert t.stride() == x.stride()
    if x.numel():
        assert t.data_ptr() == x.data_ptr()


def test_dunder_dlpack_arguments():
    x = tapegrad.arange(3.0)
    assert x.__dlpack_device__() == (1, 0)
    assert isinstance(x.__dlpack_device__()[0], tg_dlpack.DLDeviceType)
    assert "dltensor" in repr(x.__dlpack__()) and "versioned" not in repr(x.__dlpack__())
    assert "dltensor_versioned" in repr(x.__dlpack__(max_version=(1, 0)))
    assert "dltensor_versioned" in repr(x.__dlpack__(max_version=(1, 5)))
    assert "versioned" not in repr(x.__dlpack__(max_version=(0, 8)))
    x.__dlpack__(dl_device=(1, 0), copy=False)
    with pytest.raises(BufferError):
        x.__dlpack__(dl_device=(2, 0))
    with pytest.raises(TypeError, match="stream must be"):
        x.__dlpack__(stream="a")
    with pytest.raises(AssertionError, match="stream should be None on cpu"):
        x.__dlpack__(stream=5)
    x.__dlpack__(stream=-1)
    x.requires_grad_()
    with pytest.raises(BufferError, match="Can't export tensors that require gradient, use "
                                          "tensor.detach()"):
        x.__dlpack__()
    with pytest.raises(BufferError):
        torch.from_dlpack(x)
    with pytest.raises(BufferError):
        x.to_torch()


def _versioned_flags(cap):
    ctypes.pythonapi.PyCapsule_GetPointer.restype = ctypes.c_void_p
    ctypes.pythonapi.PyCapsule_GetPointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
    p = ctypes.pythonapi.PyCapsule_GetPointer(cap, b"dltensor_versioned")
    m = _DLManagedTensorVersioned.from_address(p)
    return m.version.major, m.version.minor, m.flags


def test_copy_true_copies_and_says_so():
    x = tapegrad.arange(3.0)
    cap = x.__dlpack__(max_version=(1, 0), copy=True)
    major, minor, flags = _versioned_flags(cap)
    assert (major, minor) == (1, 3)
    assert flags & 2  # IS_COPIED
    t = torch.from_dlpack(cap)
    t[0] = 5
    assert x.tolist() == [0.0, 1.0, 2.0]
    cap = x.__dlpack__(max_version=(1, 0))
    assert _versioned_flags(cap)[2] == 0
    t = torch.from_dlpack(x, copy=True)
    t[1] = 9
    assert x.tolist() == [0.0, 1.0, 2.0]


# ---- read-only producers ----

def test_read_only_numpy_stays_read_only():
    a = np.arange(4.0)
    a.flags.writeable = False
    x = tapegrad.from_dlpack(a)
    assert x.tolist() == [0.0, 1.0, 2.0, 3.0]
    assert x.data_ptr() == a.ctypes.data
    for write in [lambda: x.add_(1), lambda: x.mul_(2), lambda: x.zero_(), lambda: x.fill_(3),
                  lambda: x.copy_(tapegrad.ones(4)), lambda: x.__setitem__(0, 5.0),
                  lambda: x[1:].add_(1), lambda: x.clamp_(0, 1)]:
        with pytest.raises(RuntimeError, match="read-only"):
            write()
    assert a.tolist() == [0.0, 1.0, 2.0, 3.0]
    # Out-of-place results are ordinary writable tensors; the flag goes out with re-exports.
    y = x + 1
    y.add_(1)
    cap = x.__dlpack__(max_version=(1, 0))
    assert _versioned_flags(cap)[2] & 1  # READ_ONLY
    z = tapegrad.from_dlpack(cap)
    with pytest.raises(RuntimeError, match="read-only"):
        z.add_(1)


def test_numpy_round_trip_and_negative_strides():
    a = np.arange(6, dtype=np.int32).reshape(2, 3)
    x = tapegrad.from_dlpack(a)
    assert x.data_ptr() == a.ctypes.data and x.dtype == tapegrad.int32
    x[0, 0] = 42
    assert a[0, 0] == 42
    with pytest.raises(BufferError, match="negative strides"):
        tapegrad.from_dlpack(np.arange(3.0)[::-1])


def test_unsupported_dtype_is_buffer_error_and_frees():
    m = _Producer(np.zeros(3, dtype=np.complex128), code=5, bits=128)
    with pytest.raises(BufferError, match="unsupported dtype"):
        tapegrad.from_dlpack(m.capsule())
    gc.collect()
    assert m.deleted == 1
    m = _Producer(np.zeros(3), major=2)
    with pytest.raises(BufferError, match="major version 2"):
        tapegrad.from_dlpack(m.capsule())
    assert m.deleted == 1


# ---- ownership: the deleter runs exactly once, any thread, no GIL needed ----

class _DLPackVersion(ctypes.Structure):
    _fields_ = [("major", ctypes.c_uint32), ("minor", ctypes.c_uint32)]


class _DLDevice(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int32), ("device_id", ctypes.c_int32)]


class _DLDataType(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8), ("lanes", ctypes.c_uint16)]


class _DLTensor(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("device", _DLDevice), ("ndim", ctypes.c_int32),
                ("dtype", _DLDataType), ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("strides", ctypes.POINTER(ctypes.c_int64)), ("byte_offset", ctypes.c_uint64)]


_Deleter = ctypes.CFUNCTYPE(None, ctypes.c_void_p)


class _DLManagedTensorVersioned(ctypes.Structure):
    _fields_ = [("version", _DLPackVersion), ("manager_ctx", ctypes.c_void_p),
                ("deleter", _Deleter), ("flags", ctypes.c_uint64), ("dl_tensor", _DLTensor)]


class _Producer:
    """A DLPack producer written with ctypes, counting deleter calls (and their threads)."""

    def __init__(self, arr, byte_offset=0, shape=None, strides=None, code=2, bits=None,
                 major=1, flags=0):
        self.arr = arr
        self.deleted = 0
        self.threads = []
        shape = arr.shape if shape is None else shape
        self._shape = (ctypes.c_int64 * len(shape))(*shape)
        self._strides = None if strides is None else (ctypes.c_int64 * len(strides))(*strides)
        self._deleter = _Deleter(self._on_delete)
        m = _DLManagedTensorVersioned()
        m.version = _DLPackVersion(major, 0)
        m.deleter = self._deleter
        m.flags = flags
        m.dl_tensor.data = arr.ctypes.data
        m.dl_tensor.device = _DLDevice(1, 0)
        m.dl_tensor.ndim = len(shape)
        m.dl_tensor.dtype = _DLDataType(code, bits or arr.dtype.itemsize * 8, 1)
        m.dl_tensor.shape = self._shape
        m.dl_tensor.strides = self._strides
        m.dl_tensor.byte_offset = byte_offset
        self.m = m

    def _on_delete(self, _ptr):
        self.deleted += 1
        self.threads.append(threading.get_ident())

    def capsule(self):
        ctypes.pythonapi.PyCapsule_New.restype = ctypes.py_object
        ctypes.pythonapi.PyCapsule_New.argtypes = [ctypes.c_void_p, ctypes.c_char_p,
                                                   ctypes.c_void_p]
        return ctypes.pythonapi.PyCapsule_New(ctypes.addressof(self.m), b"dltensor_versioned",
                                              None)


def test_deleter_once_when_last_view_dies_on_another_thread():
    p = _Producer(np.arange(6.0).reshape(2, 3))
    x = tapegrad.from_dlpack(p.capsule())
    views = [x.t(), x[1], x.reshape(6)]
    del x
    gc.collect()
    assert p.deleted == 0  # views keep the memory alive
    holder = [views]
    del views

    def drop():
        holder.clear()
        gc.collect()

    th = threading.Thread(target=drop)
    th.start()
    th.join()
    assert p.deleted == 1
    assert p.threads == [th.ident]


def test_exported_deleter_runs_without_gil_on_another_thread():
    # Consume our own capsule by hand, then call its deleter through a ctypes function pointer
    # (CFUNCTYPE calls release the GIL) from another thread.
    x = tapegrad.arange(5.0)
    cap = x.__dlpack__(max_version=(1, 0))
    ctypes.pythonapi.PyCapsule_GetPointer.restype = ctypes.c_void_p
    ctypes.pythonapi.PyCapsule_GetPointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
    ctypes.pythonapi.PyCapsule_SetName.argtypes = [ctypes.py_object, ctypes.c_char_p]
    ptr = ctypes.pythonapi.PyCapsule_GetPointer(cap, b"dltensor_versioned")
    ctypes.pythonapi.PyCapsule_SetName(cap, b"used_dltensor_versioned")
    m = _DLManagedTensorVersioned.from_address(ptr)
    data = ctypes.cast(m.dl_tensor.data, ctypes.POINTER(ctypes.c_float))
    assert [data[k] for k in range(5)] == [0.0, 1.0, 2.0, 3.0, 4.0]
    deleter = ctypes.cast(ctypes.cast(ptr + 8 + 8, ctypes.POINTER(ctypes.c_void_p))[0],
                          ctypes.CFUNCTYPE(None, ctypes.c_void_p))
    del x
    th = threading.Thread(target=lambda: deleter(ptr))
    th.start()
    th.join()
    del cap  # renamed: the capsule destructor must not call the deleter a second time
    gc.collect()


@pytest.mark.parametrize("versioned", [False, True])
def test_unconsumed_capsule_releases_its_tensor(versioned):
    # The producer's memory stays alive while our unconsumed capsule exists, and is released
    # exactly once when the capsule dies.
    p = _Producer(np.arange(4.0))
    x = tapegrad.from_dlpack(p.capsule())
    cap = x.__dlpack__(max_version=(1, 0) if versioned else None)
    del x
    gc.collect()
    assert p.deleted == 0
    del cap
    gc.collect()
    assert p.deleted == 1


def test_consumed_capsule_ownership_moves_to_consumer():
    p = _Producer(np.arange(4.0))
    x = tapegrad.from_dlpack(p.capsule())
    t = torch.from_dlpack(x.__dlpack__(max_version=(1, 0)))
    del x
    gc.collect()
    assert p.deleted == 0 and t.tolist() == [0.0, 1.0, 2.0, 3.0]
    del t
    gc.collect()
    assert p.deleted == 1


# ---- the C exchange tables ----

def test_exchange_api_tables():
    api = tapegrad.Tensor.__dlpack_c_exchange_api__
    assert "dlpack_exchange_api" in repr(api)
    ctypes.pythonapi.PyCapsule_GetPointer.restype = ctypes.c_void_p
    ctypes.pythonapi.PyCapsule_GetPointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
    p = ctypes.pythonapi.PyCapsule_GetPointer(api, b"dlpack_exchange_api")
    assert (ctypes.c_uint32 * 2).from_address(p)[:] == [1, 3]
    # from_dlpack of a tapegrad tensor goes through our own table and shares memory.
    x = tapegrad.arange(6.0).reshape(2, 3)[:, 1:]
    y = tapegrad.from_dlpack(x)
    assert y.data_ptr() == x.data_ptr() and y.stride() == x.stride()
    assert y.tolist() == x.tolist()


def test_to_torch_and_back_is_zero_copy_fast_path():
    x = tapegrad.randn(4, 5)
    t = x.to_torch()
    assert isinstance(t, torch.Tensor) and t.data_ptr() == x.data_ptr()
    y = tapegrad.from_torch(t)
    assert y.data_ptr() == x.data_ptr()
    with pytest.raises(TypeError):
        tapegrad.from_torch(np.ones(3))


# ---- gradients round-trip ----

def test_grad_round_trip_without_copies():
    x = tapegrad.randn(3, 4, requires_grad=True)
    (x * x).sum().backward()
    g = x.grad.to_torch()
    assert g.data_ptr() == x.grad.data_ptr()
    assert torch.allclose(g, 2 * torch.from_dlpack(x.detach()))
    # And back: a torch gradient becomes tapegrad's .grad without a copy.
    tg_grad = torch.full((3, 4), 0.5)
    x.grad = tapegrad.from_torch(tg_grad)
    assert x.grad.data_ptr() == tg_grad.data_ptr()
    (x * 2).sum().backward()  # accumulates into the shared buffer's tensor
    assert torch.allclose(torch.from_dlpack(x.grad), torch.full((3, 4), 2.5))


@pytest.mark.parametrize("data", [np.zeros((2, 3)), np.zeros(3, dtype=bool), np.array(3.0),
                                  np.float64(2.5), np.arange(4, dtype=np.int32).reshape(2, 2).T,
                                  np.ones(2, np.float16), np.arange(3, dtype=np.uint8)])
def test_tensor_from_numpy_keeps_dtype_and_copies(data):
    got, ref = tapegrad.tensor(data), torch.tensor(data)
    assert str(got.dtype) == str(ref.dtype)
    assert got.tolist() == ref.tolist()
    if isinstance(data, np.ndarray) and data.size:
        assert got.data_ptr() != data.ctypes.data  # torch.tensor always copies
    with pytest.raises(RuntimeError, match="Only Tensors of floating point"):
        tapegrad.tensor(np.arange(3), requires_grad=True)
    assert tapegrad.tensor(np.zeros(2), dtype=tapegrad.float32, requires_grad=True).requires_grad
