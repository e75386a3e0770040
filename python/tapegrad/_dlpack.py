"""The DLPack protocol on tapegrad tensors: ``Tensor.__dlpack__`` / ``__dlpack_device__``,
``tapegrad.from_dlpack`` (exchange table first, then versioned and legacy capsules),
``Tensor.to_torch()`` / ``tapegrad.from_torch()``. The ABI work is in C++
(include/tapegrad/interop/dlpack.h, python/src/bind_dlpack.cpp); this file holds the argument
rules, which follow torch 2.13 and the array API's ``__dlpack__`` specification."""
import enum
import sys

from . import _C
from ._C import Tensor

__all__ = ["DLDeviceType", "from_dlpack", "from_torch", "to_dlpack"]


class DLDeviceType(enum.IntEnum):
    """Device codes of the DLPack spec (torch.utils.dlpack.DLDeviceType has the same values)."""
    kDLCPU = 1
    kDLCUDA = 2
    kDLCUDAHost = 3
    kDLOpenCL = 4
    kDLVulkan = 7
    kDLMetal = 8
    kDLVPI = 9
    kDLROCM = 10
    kDLROCMHost = 11
    kDLExtDev = 12
    kDLCUDAManaged = 13
    kDLOneAPI = 14
    kDLWebGPU = 15
    kDLHexagon = 16
    kDLMAIA = 17


def _dlpack_device(self):
    d = self.device
    if d.type == "cuda":
        return (DLDeviceType.kDLCUDA, d.index or 0)
    return (DLDeviceType.kDLCPU, 0)


def _sync_for_consumer(self, stream):
    """The stream handshake of the DLPack spec, with torch's rules: None and 1 name the legacy
    default stream, where tapegrad already queues its work (ordered without an event); -1 asks
    for no synchronisation; 2 (per-thread default) and 0 (ambiguous) are refused; any other
    integer is the consumer's cudaStream_t, made to wait on an event recorded after our work."""
    if stream is None or stream == 1:
        return
    if stream == 2:
        raise BufferError("per-thread default stream is not supported.")
    if stream == 0:
        raise AssertionError(f"unsupported stream on CUDA: {stream}.")
    _C._cuda_waitForConsumer(stream, self.device.index or 0)


def _dlpack(self, *, stream=None, max_version=None, dl_device=None, copy=None):
    if self.requires_grad:
        raise BufferError("Can't export tensors that require gradient, use tensor.detach()")
    if stream is not None and type(stream) is not int:
        raise TypeError("stream must be ``int`` or ``none``")
    if self.device.type == "cuda" and stream != -1:
        _sync_for_consumer(self, stream)
    elif self.device.type == "cpu" and stream is not None and stream != -1:
        raise AssertionError("stream should be None on cpu.")  # torch's type and wording
    if dl_device is not None:
        want = (int(dl_device[0]), int(dl_device[1]))
        have = tuple(int(v) for v in _dlpack_device(self))
        if want != have and not (want[0] == DLDeviceType.kDLCUDAHost and have[0] == 1):
            raise BufferError(f"tapegrad cannot export a tensor on {self.device} to DLPack "
                              f"device {want}")
    if copy is not None and not isinstance(copy, bool):
        raise TypeError("copy must be a bool or None")
    versioned = max_version is not None and tuple(max_version)[0] >= 1
    src = self.clone() if copy else self
    return _C._to_dlpack(src, versioned, bool(copy) and versioned)


Tensor.__dlpack__ = _dlpack
Tensor.__dlpack_device__ = _dlpack_device
# Our own C exchange table, looked up on the type by consumers that know the 1.3 protocol.
Tensor.__dlpack_c_exchange_api__ = _C._dlpack_exchange_api


def _resolve_torch_bits(obj):
    """torch exports neg-bit views with the wrong sign and refuses conj-bit ones: resolve both
    first (no copy when neither bit is set). Non-strided layouts are refused as torch does."""
    if type(obj).__module__.startswith("torch") and hasattr(obj, "is_neg"):
        # The exchange table would reach for a sparse tensor's missing storage: refuse first,
        # with torch.from_dlpack's error.
        if getattr(obj, "layout", None) is not _torch().strided:
            raise BufferError("Can't export tensors with layout other than torch.strided")
        if obj.is_conj():
            obj = obj.resolve_conj()
        if obj.is_neg():
            obj = obj.resolve_neg()
    return obj


def _exchange_api(tp):
    api = getattr(tp, "__dlpack_c_exchange_api__", None)
    if api is None or type(api).__name__ != "PyCapsule":
        return None
    return api


def _target_device(device):
    if device is None:
        return None
    from ._tensor import device as _device
    d = device if isinstance(device, _device) else _device(str(device))
    if d.type == "cuda" and not _C._cuda_built:
        raise BufferError(f"from_dlpack: tapegrad cannot place the tensor on {device}")
    return d


def _place(out, target, copy):
    """from_dlpack(device=...): a cross-device import is a copy, refused when copy=False."""
    if target is None:
        return out
    want = "cpu" if target.type == "cpu" else f"cuda:{target.index or 0}"
    if out._device_str == want:
        return out
    if copy is False:
        raise ValueError(f"cannot move DLPack tensor from device {out.device} to {target} "
                         "without copying. Set copy=None or copy=True.")
    return out.to(want)


def from_dlpack(ext_tensor, *, device=None, copy=None):
    """Import a tensor from any DLPack producer without copying (unless ``copy=True``).

    ``ext_tensor`` is an object with ``__dlpack__`` (torch, numpy, tapegrad, ...) or a DLPack
    capsule. The producer's C exchange table (``__dlpack_c_exchange_api__`` on its type) is used
    when it has one; else a versioned capsule is requested, falling back to a legacy one."""
    target = _target_device(device)
    if copy is not None and not isinstance(copy, bool):
        raise TypeError("copy must be a bool or None")
    if hasattr(ext_tensor, "__dlpack__"):
        ext_tensor = _resolve_torch_bits(ext_tensor)
        api = _exchange_api(type(ext_tensor))
        # The exchange table's import does no stream synchronisation: device tensors take the
        # protocol path, which passes our stream to the producer.
        # (a torch/tapegrad tensor's .device answers in ~0.1 us; torch's __dlpack_device__
        # takes ~7 us, more than the whole import)
        on_gpu = (api is not None and getattr(getattr(ext_tensor, "device", None), "type", None)
                  != "cpu" and int(ext_tensor.__dlpack_device__()[0]) != DLDeviceType.kDLCPU)
        if api is not None and not copy and not on_gpu:
            if getattr(ext_tensor, "requires_grad", False):
                raise BufferError("Can't export tensors that require gradient, use "
                                  "tensor.detach()")
            out = _C._from_dlpack_exchange(api, ext_tensor)
        else:
            out = _from_protocol(ext_tensor, copy)
    else:
        if copy is not None:
            raise AssertionError("device and copy kwargs not supported when ext_tensor is "
                                 "already a DLPack capsule.")
        out = _C._from_dlpack_capsule(ext_tensor)
    return _place(out, target, copy)


def _from_protocol(ext, copy):
    kwargs = {"max_version": (1, 0)}
    if copy is not None:
        kwargs["copy"] = copy
    dev = ext.__dlpack_device__()
    if int(dev[0]) in (DLDeviceType.kDLCPU, DLDeviceType.kDLCUDAHost):
        kwargs["dl_device"] = (DLDeviceType.kDLCPU, 0)
    elif int(dev[0]) == DLDeviceType.kDLCUDA:
        # tapegrad consumes on the legacy default stream: 1 in the spec's numbering.
        kwargs["stream"] = 1
    # Producers that predate a keyword reject it with TypeError: retry with fewer, as torch does.
    capsule = None
    producer_copied = copy is not None
    for drop in (None, "max_version", "copy", "dl_device"):
        if drop is not None:
            kwargs.pop(drop, None)
            if drop == "copy":
                producer_copied = False
        try:
            capsule = ext.__dlpack__(**kwargs)
            break
        except TypeError:
            if drop == "dl_device":
                raise
    out = _C._from_dlpack_capsule(capsule)
    if copy and not producer_copied:
        out = out.clone()
    return out


def to_dlpack(tensor):
    """A legacy ``dltensor`` capsule, as ``torch.utils.dlpack.to_dlpack`` returns."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"to_dlpack: expected a tapegrad.Tensor, got {type(tensor).__name__}")
    return tensor.__dlpack__()


def _torch():
    torch = sys.modules.get("torch")
    if torch is None:
        import torch  # noqa: PLC0415  (interop only: never imported at tapegrad import time)
    return torch


def _to_torch(self):
    """The same memory as a ``torch.Tensor`` (zero-copy, through torch's C exchange table when
    it has one). Like DLPack, this carries no autograd history: use tapegrad.bridge for that."""
    torch = _torch()
    if self.requires_grad:
        raise BufferError("Can't export tensors that require gradient, use tensor.detach()")
    api = _exchange_api(torch.Tensor)
    if api is not None:
        return _C._to_dlpack_exchange(api, self)
    return torch.from_dlpack(self)


def from_torch(t):
    """A tapegrad tensor sharing the memory of the ``torch.Tensor`` ``t`` (zero-copy)."""
    torch = _torch()
    if not isinstance(t, torch.Tensor):
        raise TypeError(f"from_torch: expected a torch.Tensor, got {type(t).__name__}")
    # The common case (a plain strided CPU tensor) straight through torch's exchange table:
    # from_dlpack's generic checks cost more than the import itself.
    if (t.device.type == "cpu" and not t.requires_grad and t.layout is torch.strided
            and not t.is_conj() and not t.is_neg()):
        api = _exchange_api(torch.Tensor)
        if api is not None:
            return _C._from_dlpack_exchange(api, t)
    return from_dlpack(t)


Tensor.to_torch = _to_torch
