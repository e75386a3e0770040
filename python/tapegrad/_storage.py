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

    def __init__(self, *args, device=None):
        # torch's public forms: (), (int size), (sequence of byte values); a new block of bytes
        self._init_from(_new_block("UntypedStorage", args, device, _C.uint8))

    @classmethod
    def _of(cls, tensor):
        """The storage of an existing tensor (Tensor.untyped_storage())."""
        self = cls.__new__(cls)
        self._init_from(tensor)
        return self

    def _init_from(self, tensor):
        self._owner = tensor.detach()  # keeps the block alive, as torch's storage refcount does
        self._ptr, self._nbytes = tensor._storage_info()

    def _elements(self, dtype):
        """The whole block as a flat tensor of dtype (the storage's elements, for printing)."""
        flat = self._owner.as_strided((self._nbytes // self._owner.element_size(),), (1,), 0)
        return flat if dtype == flat.dtype else flat.view(dtype)

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
        return _with_elements(self._elements(_C.uint8),
                              f"[torch.storage.UntypedStorage(device={self.device}) of size "
                              f"{self._nbytes}]")


class TypedStorage:
    """A storage seen in elements of the tensor's dtype (torch.TypedStorage, deprecated)."""

    def __init__(self, *args, device=None, dtype=None, wrap_storage=None):
        # torch's public forms: (), (int size), (sequence data), (wrap_storage=..., dtype=...)
        if wrap_storage is not None:
            if args or not isinstance(wrap_storage, UntypedStorage):
                raise TypeError("TypedStorage.__init__ received an invalid combination of "
                                "arguments: wrap_storage must be an UntypedStorage, alone")
            dt = _C.get_default_dtype() if dtype is None else dtype
            self._untyped, self.dtype = wrap_storage, dt
            return
        dt = _C.get_default_dtype() if dtype is None else dtype
        block = _new_block("TypedStorage", args, device, dt)
        self._untyped, self.dtype = UntypedStorage._of(block), block.dtype

    @classmethod
    def _of(cls, tensor):
        """The storage of an existing tensor (Tensor.storage())."""
        self = cls.__new__(cls)
        self._untyped, self.dtype = UntypedStorage._of(tensor), tensor.dtype
        return self

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
        return _with_elements(self._untyped._elements(self.dtype),
                              f"[torch.storage.TypedStorage(dtype={self.dtype}, "
                              f"device={self.device}) of size {self.size()}]")


def _with_elements(flat, header):
    # torch's storage printing: each element on its own line, one space in, then the header
    return " " + "\n ".join(str(v) for v in flat.tolist()) + "\n" + header


def _new_block(cls, args, device, dtype):
    """A fresh tensor holding a new storage for the public constructors' three forms."""
    import operator
    from . import _factories as f
    if len(args) > 1:
        raise TypeError(f"{cls}.__init__ received an invalid combination of arguments: "
                        f"expected at most one positional argument, got {len(args)}")
    if not args:
        return f.empty(0, dtype=dtype, device=device)
    a = args[0]
    if isinstance(a, (list, tuple)):
        return f.tensor(list(a), dtype=dtype, device=device)
    if isinstance(a, bool) or not hasattr(a, "__index__") or isinstance(a, _C.Tensor):
        raise TypeError(f"{cls}.__init__ received an invalid combination of arguments: "
                        f"expected an int size or a sequence, got {type(a).__name__}")
    return f.zeros(operator.index(a), dtype=dtype, device=device)


def _untyped_storage(self):
    return UntypedStorage._of(self)


_warned = []


def _storage(self):
    if not _warned:  # once per process, as torch's warning
        _warned.append(True)
        warnings.warn("TypedStorage is deprecated. It will be removed in the future and "
                      "UntypedStorage will be the only storage class. This should only matter to "
                      "you if you are using storages directly.  To access UntypedStorage "
                      "directly, use tensor.untyped_storage() instead of tensor.storage()",
                      UserWarning, stacklevel=2)
    return TypedStorage._of(self)


_C.Tensor.untyped_storage = _untyped_storage
_C.Tensor.storage = _storage
