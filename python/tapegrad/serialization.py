"""tapegrad.save / tapegrad.load: tensors and (nested) containers of them, in torch's zip format.

Format (the one torch.save writes since torch 1.6, so each library reads the other's files):
a zip archive, entries stored uncompressed, all under one folder `<name>/` (the file's stem, or
`archive` for file objects):

  <name>/data.pkl            the object, pickled with protocol 2; each tensor is the call
                             `torch._utils._rebuild_tensor_v2(storage, storage_offset, size,
                             stride, requires_grad, OrderedDict())`, a Parameter is
                             `torch._utils._rebuild_parameter(tensor, requires_grad,
                             OrderedDict())`, and `storage` is the persistent id
                             ('storage', torch.<Dtype>Storage, '<key>', '<device>', numel)
  <name>/data/<key>          the raw little-endian bytes of that storage, aligned to 64 bytes
  <name>/byteorder           'little';  <name>/version '3\\n'; <name>/.format_version '1';
  <name>/.storage_alignment  '64';      <name>/.data/serialization_id (random digits)

Tensors that are views of one storage are written once and come back sharing memory (as in
torch, saving a view writes its whole base). Dtype, shape and strides are kept. The names in
the pickle are torch's, but reading needs no torch: tapegrad maps them to its own classes.
weights_only=True (the default, as in torch >= 2.6) refuses any other global.
"""
import ctypes
import os
import pickle
import random
import struct
import zipfile
from collections import OrderedDict


from ._C import Tensor, dtype as _dtype_cls

__all__ = ["save", "load"]

# dtype name <-> torch's legacy storage class name in the pickle.
_STORAGE_NAMES = {"float32": "FloatStorage", "float64": "DoubleStorage",
                  "float16": "HalfStorage", "bfloat16": "BFloat16Storage",
                  "int64": "LongStorage", "int32": "IntStorage", "int16": "ShortStorage",
                  "int8": "CharStorage", "uint8": "ByteStorage", "bool": "BoolStorage"}
_STORAGE_DTYPES = {v: k for k, v in _STORAGE_NAMES.items()}
_ALIGN = 64


def _dtype_name(dt):
    return str(dt).split(".")[-1]


# --------------------------------------------------------------------------------- saving

class _Global:
    """A module-level name written into the pickle as a GLOBAL without importing it (the
    names are torch's; torch need not be installed)."""
    _cache = {}

    def __new__(cls, module, name):
        key = (module, name)
        if key not in cls._cache:
            obj = super().__new__(cls)
            obj.module, obj.name = module, name
            cls._cache[key] = obj
        return cls._cache[key]

    def __call__(self, *args):  # pickle insists that a reduce function be callable
        raise TypeError(f"{self.module}.{self.name} is only a name in a pickle")


class _StorageRef:
    """One storage being written: its key, dtype, device and bytes."""

    def __init__(self, key, base, location):
        self.key, self.base, self.location = key, base, location


class _ParamData:
    """The data tensor inside a pickled Parameter (pickled without requires_grad)."""

    def __init__(self, t):
        self.t = t


class _Pickler(pickle._Pickler):
    # The pure-Python pickler: its dispatch table lets _Global write a GLOBAL opcode directly.
    dispatch = dict(pickle._Pickler.dispatch)

    def __init__(self, file, protocol):
        super().__init__(file, protocol)
        self.storages = {}     # storage address -> _StorageRef
        self.order = []

    def _save_global_name(self, obj):
        self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode("utf-8"))
        self.memoize(obj)

    dispatch[_Global] = _save_global_name

    def _save_dtype(self, obj):
        self._save_global_name(_Global("torch", _dtype_name(obj)))

    dispatch[_dtype_cls] = _save_dtype

    def persistent_id(self, obj):
        if isinstance(obj, _StorageRef):
            dt = _dtype_name(obj.base.dtype)
            return ("storage", _Global("torch", _STORAGE_NAMES[dt]), obj.key, obj.location,
                    obj.base.numel())
        return None

    def reducer_override(self, obj):
        from ._tensor import Size, device
        if isinstance(obj, Tensor):
            if type(obj) is not Tensor and type(obj).__name__ == "Parameter":
                return (_Global("torch._utils", "_rebuild_parameter"),
                        (_ParamData(obj), obj.requires_grad, OrderedDict()))
            return (_Global("torch._utils", "_rebuild_tensor_v2"), self._tensor_args(obj))
        if isinstance(obj, _ParamData):
            return (_Global("torch._utils", "_rebuild_tensor_v2"),
                    self._tensor_args(obj.t, False))
        if isinstance(obj, Size):
            return (_Global("torch", "Size"), (tuple(obj),))
        if isinstance(obj, device):
            return (_Global("torch", "device"), (str(obj),))
        return NotImplemented

    def _tensor_args(self, t, requires_grad=None):
        if requires_grad is None:
            requires_grad = t.requires_grad
            if requires_grad and not t.is_leaf:
                raise RuntimeError("Cowardly refusing to serialize non-leaf tensor which "
                                   "requires_grad, since autograd does not support crossing "
                                   "process boundaries.  If you just want to transfer the data, "
                                   "call detach() on the tensor before serializing (e.g., "
                                   "putting it on the queue).")
        # The view's base before detaching: detach() returns a tensor with no _base, as torch's.
        base, offset, stride = _storage_of(t)
        t, base = t.detach(), base.detach()
        loc = str(t.device)
        addr = base.data_ptr() if base.numel() else ("empty", id(base))
        ref = self.storages.get((addr, _dtype_name(base.dtype)))
        if ref is None:
            ref = _StorageRef(str(len(self.order)), base, loc)
            self.storages[(addr, _dtype_name(base.dtype))] = ref
            self.order.append(ref)
        return (ref, offset, tuple(t.shape), stride, requires_grad, OrderedDict())


def _storage_of(t):
    """(base, offset, strides): the contiguous base whose memory `t` views, where `t` lies
    inside it; else a contiguous copy of `t` (its strides then become contiguous ones)."""
    base = t._base
    if base is not None and base.is_contiguous() and base.storage_offset() == 0:
        size = t.element_size()
        off = (t.data_ptr() - base.data_ptr()) // size if t.numel() else 0
        last = off + sum((n - 1) * s for n, s in zip(t.shape, t.stride()) if n > 0)
        if t.numel() and 0 <= off and last < base.numel() and min(t.stride(), default=0) >= 0:
            return base, off, tuple(t.stride())
    if not t.is_contiguous() or t.storage_offset() != 0:
        t = t.contiguous().clone() if t.is_contiguous() else t.contiguous()
    return t, 0, tuple(t.stride())


def _storage_bytes(base):
    base = base.cpu() if base.device.type != "cpu" else base
    n = base.numel() * base.element_size()
    return ctypes.string_at(base.data_ptr(), n) if n else b""


def _record_name(f):
    if isinstance(f, (str, os.PathLike)):
        stem = os.path.splitext(os.path.basename(os.fspath(f)))[0]
        return stem or "archive"
    return "archive"


def _write_aligned(zf, name, data):
    """Store `data` uncompressed with its first byte on a 64-byte boundary (torch pads the
    local header's extra field the same way, so readers can map storages in place)."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    try:
        start = zf.fp.tell() + 30 + len(name.encode("utf-8"))
        pad = (-start) % _ALIGN
        if 0 < pad < 4:
            pad += _ALIGN
        if pad:
            info.extra = b"FB" + struct.pack("<H", pad - 4) + b"Z" * (pad - 4)
    except (OSError, AttributeError):  # unseekable stream: skip alignment
        pass
    zf.writestr(info, data)


def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Save `obj` (a tensor, or dicts/lists/tuples/OrderedDicts of tensors and plain Python
    values, such as a state dict) to the path or binary file object `f` in torch's zip format
    (see this module's docstring). torch.load reads the file, and so does tapegrad.load."""
    import io
    import os
    if isinstance(f, (str, os.PathLike)):
        parent = os.path.dirname(os.path.abspath(os.fspath(f)))
        if not os.path.isdir(parent):  # torch's check, before anything is pickled
            raise RuntimeError(f"Parent directory {parent} does not exist.")
    buf = io.BytesIO()
    pickler = _Pickler(buf, pickle_protocol)
    pickler.dump(obj)
    name = _record_name(f)
    with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as zf:
        _write_aligned(zf, f"{name}/data.pkl", buf.getvalue())
        _write_aligned(zf, f"{name}/.format_version", b"1")
        _write_aligned(zf, f"{name}/.storage_alignment", str(_ALIGN).encode())
        if not _disable_byteorder_record:
            _write_aligned(zf, f"{name}/byteorder", b"little")
        for ref in pickler.order:
            _write_aligned(zf, f"{name}/data/{ref.key}", _storage_bytes(ref.base))
        _write_aligned(zf, f"{name}/version", b"3\n")
        sid = "".join(random.choice("0123456789") for _ in range(40))
        _write_aligned(zf, f"{name}/.data/serialization_id", sid.encode())


# -------------------------------------------------------------------------------- loading
from ._serialization_load import load  # noqa: E402,F401  (kept in its own file for size)
