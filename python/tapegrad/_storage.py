"""Tensor.untyped_storage() and Tensor.storage(): torch's handles on the memory block a tensor
and its views share. They answer what code asks of a storage (where it starts, how many bytes
it holds, its device, whether two tensors share it) and keep the block alive; reading elements
through them, resizing and sharing across processes are not provided (torch's storages are
mostly reached for the first, and tapegrad's memory is owned by its tensors)."""
import warnings

from . import _C

__all__ = ["UntypedStorage", "TypedStorage"]


class UntypedStorage:
    """The bytes of a tensor's storage (torch.UntypedStorage)."""

    def __init__(self, tensor):
        self._owner = tensor.detach()  # keeps the block alive, as torch's storage refcount does
        self._ptr, self._nbytes = tensor._storage_info()

    def data_ptr(self):
        return self._ptr

    def nbytes(self):
        return self._nbytes

    def size(self):
        return self._nbytes

    def __len__(self):
        return self._nbytes

    def element_size(self):
        return 1

    @property
    def device(self):
        return self._owner.device

    @property
    def is_cuda(self):
        return self._owner.is_cuda

    def is_shared(self):
        return False

    def is_pinned(self, device="cuda"):
        return False

    def untyped(self):
        return self

    def __repr__(self):
        return (f"[torch.storage.UntypedStorage(device={self.device}) of size "
                f"{self._nbytes}]")


class TypedStorage:
    """A storage seen in elements of the tensor's dtype (torch.TypedStorage, deprecated)."""

    def __init__(self, tensor):
        self._untyped = UntypedStorage(tensor)
        self.dtype = tensor.dtype

    def data_ptr(self):
        return self._untyped.data_ptr()

    def nbytes(self):
        return self._untyped.nbytes()

    def element_size(self):
        return self.dtype.itemsize

    def size(self):
        return self._untyped.nbytes() // self.dtype.itemsize

    def __len__(self):
        return self.size()

    @property
    def device(self):
        return self._untyped.device

    @property
    def is_cuda(self):
        return self._untyped.is_cuda

    def untyped(self):
        return self._untyped

    def _untyped_storage(self):
        return self._untyped

    def __repr__(self):
        return (f"[torch.storage.TypedStorage(dtype={self.dtype}, device={self.device}) of size "
                f"{self.size()}]")


def _untyped_storage(self):
    return UntypedStorage(self)


_warned = []


def _storage(self):
    if not _warned:  # once per process, as torch's warning
        _warned.append(True)
        warnings.warn("TypedStorage is deprecated. It will be removed in the future and "
                      "UntypedStorage will be the only storage class. This should only matter to "
                      "you if you are using storages directly.  To access UntypedStorage "
                      "directly, use tensor.untyped_storage() instead of tensor.storage()",
                      UserWarning, stacklevel=2)
    return TypedStorage(self)


_C.Tensor.untyped_storage = _untyped_storage
_C.Tensor.storage = _storage
