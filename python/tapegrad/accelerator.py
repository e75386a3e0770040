"""tapegrad.accelerator: torch.accelerator's device-agnostic API over tapegrad's one accelerator,
CUDA (tapegrad.cuda). PyTorch's Quickstart picks its device with
`torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"`.

current_accelerator() names CUDA whenever tapegrad was built with it (as torch's CUDA build does
without a GPU); every call that needs a device raises torch's RuntimeError when none is usable.
"""
from __future__ import annotations

from . import _C
from . import cuda as _cuda

__all__ = [
    "current_accelerator", "current_device_idx", "current_device_index", "current_stream",
    "device_count", "device_index", "empty_cache", "get_device_capability", "get_memory_info",
    "is_available", "max_memory_allocated", "max_memory_reserved", "memory_allocated",
    "memory_reserved", "memory_stats", "reset_accumulated_memory_stats",
    "reset_peak_memory_stats", "set_device_idx", "set_device_index", "set_stream", "synchronize",
]

_NONE = "Cannot access accelerator device when none is available."


def _require():
    if not _cuda.is_available():
        raise RuntimeError(_NONE)


def _index(device) -> int:
    """A device index from an int, a 'cuda[:i]' string/device, or None (the current one)."""
    _require()
    if device is None:
        return _cuda.current_device()
    if isinstance(device, int) and not isinstance(device, bool):
        return device
    from ._tensor import device as _device
    d = _device(device)
    if d.type != "cuda":
        raise ValueError(f"{d.type} doesn't match the current accelerator cuda.")
    return _cuda.current_device() if d.index is None else d.index


def is_available() -> bool:
    """Whether a usable accelerator (a CUDA GPU) is present."""
    return _cuda.is_available()


def current_accelerator(check_available: bool = False):
    """device('cuda') in a CUDA build (None when check_available and no GPU), else None."""
    from ._tensor import device as _device
    if not _C._cuda_built or (check_available and not is_available()):
        return None
    return _device("cuda")


def device_count() -> int:
    return _cuda.device_count()


def current_device_index() -> int:
    _require()
    return _cuda.current_device()


def set_device_index(device, /) -> None:
    _cuda.set_device(_index(device))


def current_device_idx() -> int:
    """Deprecated name of current_device_index (torch's FutureWarning)."""
    import warnings
    warnings.warn("Use `current_device_index` instead.", FutureWarning, stacklevel=2)
    return current_device_index()


def set_device_idx(device, /) -> None:
    """Deprecated name of set_device_index (torch's FutureWarning)."""
    import warnings
    warnings.warn("Use `set_device_index` instead.", FutureWarning, stacklevel=2)
    set_device_index(device)


def current_stream(device=None, /):
    return _cuda.current_stream(_index(device))


def set_stream(stream) -> None:
    _require()
    _cuda.set_stream(stream)


def synchronize(device=None, /) -> None:
    _cuda.synchronize(_index(device))


class device_index:
    """`with tapegrad.accelerator.device_index(i):` makes device i current, then restores the
    previous one; None is a no-op."""

    def __init__(self, device, /):
        self.idx = device
        self.prev_idx = -1

    def __enter__(self):
        if self.idx is None:
            return None
        _require()
        self.prev_idx = _cuda.current_device()
        if self.prev_idx != self.idx:
            _cuda.set_device(self.idx)
        return None

    def __exit__(self, *exc):
        if self.idx is not None and self.prev_idx != self.idx:
            _cuda.set_device(self.prev_idx)
        return False


def empty_cache() -> None:
    _require()
    _cuda.empty_cache()


def memory_allocated(device_index=None, /) -> int:
    return _cuda.memory_allocated(_index(device_index))


def max_memory_allocated(device_index=None, /) -> int:
    return _cuda.max_memory_allocated(_index(device_index))


def memory_reserved(device_index=None, /) -> int:
    return _cuda.memory_reserved(_index(device_index))


def max_memory_reserved(device_index=None, /) -> int:
    return _cuda.max_memory_reserved(_index(device_index))


def memory_stats(device_index=None, /):
    return _cuda.memory_stats(_index(device_index))


def reset_peak_memory_stats(device_index=None, /) -> None:
    _cuda.reset_peak_memory_stats(_index(device_index))


def reset_accumulated_memory_stats(device_index=None, /) -> None:
    """Checks the device: tapegrad's allocator keeps no accumulated (allocation-count) counters
    to reset, only current and peak figures."""
    _index(device_index)


def get_memory_info(device_index=None, /) -> tuple:
    """(free, total) bytes of the device."""
    return _cuda.mem_get_info(_index(device_index))


def get_device_capability(device=None, /) -> dict:
    """The dtypes the device supports, as torch reports them."""
    import tapegrad
    _index(device)
    names = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
             "float32", "float64"]
    return {"supported_dtypes": [getattr(tapegrad, n) for n in names]}
