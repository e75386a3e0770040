"""tapegrad.cuda: torch.cuda's device queries on tapegrad's runtime. Without a CUDA build every
call that needs a GPU raises torch's AssertionError("Torch not compiled with CUDA enabled"); in a
CUDA build on a machine without a usable GPU it raises torch's RuntimeError (no driver / no GPU).
is_available(), device_count() and the seeding functions never raise."""
from .. import _C

__all__ = [
    "is_available", "device_count", "is_initialized", "init", "synchronize", "current_device",
    "set_device", "get_device_name", "manual_seed", "manual_seed_all", "empty_cache",
    "memory_allocated", "memory_reserved",
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
