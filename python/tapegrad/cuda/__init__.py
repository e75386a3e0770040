"""tapegrad.cuda: torch.cuda's device queries on tapegrad's runtime. Without a CUDA build every
call that needs a GPU raises torch's AssertionError("Torch not compiled with CUDA enabled"); in a
CUDA build on a machine without a usable GPU it raises torch's RuntimeError (no driver / no GPU).
is_available(), device_count() and the seeding functions never raise."""
from .. import _C

__all__ = [
    "is_available", "device_count", "is_initialized", "init", "synchronize", "current_device",
    "set_device", "get_device_name", "manual_seed", "manual_seed_all", "empty_cache",
    "memory_allocated", "memory_reserved", "max_memory_allocated", "max_memory_reserved",
    "reset_peak_memory_stats", "reset_max_memory_allocated", "memory_stats", "mem_get_info",
    "get_device_properties", "get_device_capability", "is_bf16_supported", "device", "device_of",
    "Stream", "ExternalStream", "Event", "StreamContext", "stream", "current_stream",
    "default_stream", "set_stream",
]

_initialized = False


def _lazy_init():
    """Raise torch's error unless a GPU can be used (CUDA kernels are launched lazily)."""
    global _initialized
    if _initialized:
        return
    if not _C._cuda_built:
        raise AssertionError("Torch not compiled with CUDA enabled")
    _C._cuda_init()
    _initialized = True


def is_available() -> bool:
    """True when tapegrad was built with CUDA and a GPU is present."""
    return bool(_C._cuda_built) and _C._cuda_getDeviceCount() > 0


def device_count() -> int:
    """Number of visible GPUs (0 without a CUDA build, driver or GPU)."""
    return _C._cuda_getDeviceCount() if _C._cuda_built else 0


def is_initialized() -> bool:
    return _initialized


def init():
    _lazy_init()


def _index(device):
    if device is None:
        return current_device()
    if isinstance(device, int):
        return device
    from .._tensor import device as _device
    d = _device(device)
    if d.type != "cuda":
        raise ValueError(f"Expected a cuda device, but got: {d}")
    return current_device() if d.index is None else d.index


def current_device() -> int:
    _lazy_init()
    return _C._cuda_getDevice()


def set_device(device):
    _lazy_init()
    idx = _index(device)
    if idx >= 0:
        _C._cuda_setDevice(idx)


def get_device_name(device=None) -> str:
    _lazy_init()
    return _C._cuda_getDeviceName(_index(device))


def synchronize(device=None):
    """Wait for all kernels queued on the device."""
    _lazy_init()
    _C._cuda_synchronize(_index(device))


def manual_seed(seed):
    """Seed the CUDA generator; silently ignored without CUDA, as in torch."""
    _C._cuda_manual_seed(int(seed) & 0xFFFFFFFFFFFFFFFF)


def manual_seed_all(seed):
    manual_seed(seed)  # one generator state serves every device


def empty_cache():
    """Give cached, unused device blocks back to the driver."""
    _C._cuda_emptyCache()


def memory_allocated(device=None) -> int:
    """Bytes held by live tensors on the device (rounded to the allocator's size classes)."""
    if not is_available():
        return 0
    return _C._cuda_memoryStats(_index(device))["allocated_bytes"]


def memory_reserved(device=None) -> int:
    """Bytes obtained from cudaMalloc and kept by the caching allocator."""
    if not is_available():
        return 0
    return _C._cuda_memoryStats(_index(device))["reserved_bytes"]


def max_memory_allocated(device=None) -> int:
    """The highest memory_allocated() since the start or reset_peak_memory_stats()."""
    if not is_available():
        return 0
    return _C._cuda_memoryStats(_index(device))["peak_allocated_bytes"]


def max_memory_reserved(device=None) -> int:
    if not is_available():
        return 0
    return _C._cuda_memoryStats(_index(device))["peak_reserved_bytes"]


def reset_peak_memory_stats(device=None):
    """Make the peaks start again from the current values."""
    if is_available():
        _C._cuda_resetPeakMemoryStats(_index(device))


def reset_max_memory_allocated(device=None):
    reset_peak_memory_stats(device)


def memory_stats(device=None) -> dict:
    """torch's memory_stats keys that tapegrad's allocator tracks (empty without a GPU)."""
    from collections import OrderedDict
    if not is_available():
        return OrderedDict()
    s = _C._cuda_memoryStats(_index(device))
    return OrderedDict({"allocated_bytes.all.current": s["allocated_bytes"],
            "allocated_bytes.all.peak": s["peak_allocated_bytes"],
            "reserved_bytes.all.current": s["reserved_bytes"],
            "reserved_bytes.all.peak": s["peak_reserved_bytes"],
            "num_device_alloc": s["num_device_mallocs"]})


def mem_get_info(device=None):
    """(free, total) bytes of device memory, as the driver reports them."""
    _lazy_init()
    return tuple(_C._cuda_memGetInfo(_index(device)))


class _CudaDeviceProperties:
    def __init__(self, d):
        self.__dict__.update(d)

    def __repr__(self):
        return (f"_CudaDeviceProperties(name='{self.name}', major={self.major}, "
                f"minor={self.minor}, total_memory={self.total_memory // (1024 * 1024)}MB, "
                f"multi_processor_count={self.multi_processor_count}, uuid={self.uuid}, "
                f"L2_cache_size={self.L2_cache_size // (1024 * 1024)}MB)")


def get_device_properties(device=None):
    _lazy_init()
    return _CudaDeviceProperties(_C._cuda_getDeviceProperties(_index(device)))


def get_device_capability(device=None):
    p = get_device_properties(device)
    return p.major, p.minor


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """bfloat16 kernels run on every GPU tapegrad builds for; natively from compute capability 8."""
    if not is_available():
        return False
    return bool(including_emulation) or get_device_capability()[0] >= 8


class device:
    """`with tapegrad.cuda.device(i):` makes GPU i current and restores the previous one; -1 (or
    a device_of a CPU tensor) is a no-op."""

    def __init__(self, device):
        self.idx = -1 if device is None else (_index(device) if not isinstance(device, int)
                                               else device)
        self.prev_idx = -1

    def __enter__(self):
        if self.idx < 0:
            return
        if not _C._cuda_built:
            raise RuntimeError("PyTorch was compiled without CUDA support")
        self.prev_idx = current_device()
        if self.prev_idx != self.idx:
            set_device(self.idx)

    def __exit__(self, *exc):
        if self.idx >= 0 and self.prev_idx != self.idx:
            set_device(self.prev_idx)
        return False


class device_of(device):
    """The device context of a tensor: its GPU, or a no-op for a CPU tensor."""

    def __init__(self, obj):
        super().__init__(obj.get_device() if obj.is_cuda else -1)


from .streams import (Event, ExternalStream, Stream, StreamContext, current_stream,  # noqa: E402
                      default_stream, set_stream, stream)
from . import amp  # noqa: E402,F401  (torch.cuda.amp's deprecated spellings)
