"""tapegrad.load: reads torch's zip format (files from tapegrad.save or torch.save) without torch,
mapping torch's pickled names to tapegrad's; weights_only restricts the pickle to tensors,
containers and plain values. Legacy (pre-zip) torch files go through torch.load when torch is
installed and are converted through numpy."""
import ctypes
import math
import os
import pickle
import zipfile
from collections import OrderedDict

import numpy as np

from . import _C, _factories, _grad_mode
from .serialization import _STORAGE_DTYPES

_DTYPE_NAMES = ("float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8",
                "uint8", "bool", "float", "double", "half", "long", "int", "short")
_SAFE_BUILTINS = {("collections", "OrderedDict"), ("builtins", "set"), ("builtins", "frozenset"),
                  ("builtins", "complex"), ("builtins", "slice"), ("builtins", "bytearray"),
                  ("builtins", "range"), ("_codecs", "encode")}


class _StorageType:
    def __init__(self, dtype_name):
        self.dtype = getattr(_C, dtype_name)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False,
                       backward_hooks=None, metadata=None):
    with _grad_mode.no_grad():
        t = _view_of(storage, storage_offset, tuple(size), tuple(stride))
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_parameter(data, requires_grad, backward_hooks=None, *state):
    from .nn import Parameter
    return Parameter(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    p = _rebuild_parameter(data, requires_grad)
    for k, v in (state or {}).items():
        setattr(p, k, v)
    return p


def _contiguous_strides(size):
    out, acc = [], 1
    for n in reversed(size):
        out.append(acc)
        acc *= max(n, 1)
    return tuple(reversed(out))


def _same_layout(size, stride, want):
    return all(n == 1 or s == w for n, s, w in zip(size, stride, want))


def _view_of(flat, offset, size, stride):
    """A tensor of `size`/`stride` at `offset` into the 1-D storage tensor `flat`: a view that
    shares its memory when the layout is a (permuted) contiguous block, else a gathered copy."""
    numel = math.prod(size)
    if numel == 0:
        return _factories.empty(size, dtype=flat.dtype, device=flat.device)
    if offset + sum((n - 1) * s for n, s in zip(size, stride)) >= flat.numel() or offset < 0:
        raise RuntimeError(f"storage of size {flat.numel()} is too small for a tensor of size "
                           f"{list(size)}, stride {list(stride)} and offset {offset}")
    block = flat.narrow(0, offset, numel)
    if _same_layout(size, stride, _contiguous_strides(size)):
        return block.view(size)
    order = sorted(range(len(size)), key=lambda d: -stride[d])
    psize = tuple(size[d] for d in order)
    if _same_layout(psize, tuple(stride[d] for d in order), _contiguous_strides(psize)):
        inverse = [order.index(d) for d in range(len(size))]
        return block.view(psize).permute(inverse)
    # Gapped or overlapping strides: gather the elements' bytes (works for every dtype);
    # the copy has contiguous strides.
    idx = np.full((), offset, dtype=np.int64)
    for d, (n, s) in enumerate(zip(size, stride)):
        shape = [1] * len(size)
        shape[d] = n
        idx = idx + (np.arange(n, dtype=np.int64) * s).reshape(shape)
    src = flat if flat.device.type == "cpu" else flat.cpu()
    item = src.element_size()
    raw = np.frombuffer(ctypes.string_at(src.data_ptr(), src.numel() * item), dtype=f"u{item}")
    picked = np.ascontiguousarray(raw[idx.reshape(-1)])
    out = _factories.empty(size, dtype=flat.dtype)
    ctypes.memmove(out.data_ptr(), picked.ctypes.data, picked.nbytes)
    return out if flat.device.type == "cpu" else out.to(flat.device)


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, archive, prefix, map_location, weights_only, **kw):
        super().__init__(file, **kw)
        self.archive, self.prefix = archive, prefix
        self.map_location, self.weights_only = map_location, weights_only
        self.loaded = {}

    def find_class(self, module, name):
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return _rebuild_tensor_v2
        if module == "torch._utils" and name == "_rebuild_parameter":
            return _rebuild_parameter
        if module == "torch._utils" and name == "_rebuild_parameter_with_state":
            return _rebuild_parameter_with_state
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(_STORAGE_DTYPES[name])
        if module == "torch" and name == "UntypedStorage":
            return _StorageType("uint8")
        if module == "torch" and name in _DTYPE_NAMES:
            return getattr(_C, name) if hasattr(_C, name) else getattr(_top(), name)
        if module == "torch" and name in ("Size", "device"):
            from . import _tensor
            return getattr(_tensor, name)
        if (module, name) in _SAFE_BUILTINS:
            return super().find_class(module, name)
        if self.weights_only:
            raise pickle.UnpicklingError(
                "Weights only load failed. In PyTorch 2.6, we changed the default value of the "
                "`weights_only` argument in `torch.load` from `False` to `True`. Re-running "
                "`torch.load` with `weights_only` set to `False` will likely succeed, but it can "
                "result in arbitrary code execution. Do it only if you got the file from a "
                f"trusted source.\nPlease file an issue with the following so that we can make "
                f"`weights_only=True` compatible with your use case: WeightsUnpickler error: "
                f"Unsupported global: GLOBAL {module}.{name} was not an allowed global by "
                "default.")
        return super().find_class(module, name)

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and pid and pid[0] == "storage"):
            raise pickle.UnpicklingError(f"Unsupported persistent id {pid!r}")
        _, stype, key, location, numel = pid
        if key not in self.loaded:
            data = self.archive.read(f"{self.prefix}data/{key}")
            flat = _factories.empty(len(data) // _itemsize(stype.dtype), dtype=stype.dtype)
            if data:
                ctypes.memmove(flat.data_ptr(), data, len(data))
            self.loaded[key] = _place(flat, location, self.map_location)
        return self.loaded[key]


def _top():
    import tapegrad
    return tapegrad


def _itemsize(dt):
    return _factories.empty(0, dtype=dt).element_size()


def _place(flat, location, map_location):
    """Move a loaded storage where map_location says (torch's rules: None keeps the saved
    device; a str/device maps everything; a dict maps location names; a callable decides)."""
    target = location
    if callable(map_location):
        r = map_location(flat, location)
        return flat if r is None else r
    if isinstance(map_location, dict):
        target = map_location.get(location, location)
    elif map_location is not None:
        target = str(map_location)
    if target.startswith("cpu"):
        return flat
    try:
        return flat.to(target)
    except Exception as e:
        if target.startswith("cuda"):
            raise RuntimeError(
                "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() "
                "is False. If you are running on a CPU-only machine, please use torch.load with "
                "map_location=torch.device('cpu') to map your storages to the CPU.") from e
        raise


def _prefix(zf):
    names = [n for n in zf.namelist() if n.endswith("data.pkl")]
    if not names:
        raise RuntimeError("PytorchStreamReader failed locating file data.pkl: file not found")
    return names[0][:-len("data.pkl")]


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None,
         **pickle_load_args):
    """Load an object saved by tapegrad.save or torch.save (zip format). Tensors come back as
    tapegrad tensors with their dtype, shape, strides and storage sharing; `weights_only`
    (default True, as in torch >= 2.6) allows only tensors, containers and plain values."""
    if weights_only is None:
        weights_only = True
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:  # a missing file raises FileNotFoundError, as in torch
            return load(fh, map_location, pickle_module, weights_only=weights_only, mmap=mmap,
                        **pickle_load_args)
    if hasattr(f, "seek"):
        pos = f.tell()
    if not zipfile.is_zipfile(f):
        if hasattr(f, "seek"):
            f.seek(pos)
        return _load_legacy(f, map_location, weights_only)
    if hasattr(f, "seek"):
        f.seek(pos)
    with zipfile.ZipFile(f) as zf:
        prefix = _prefix(zf)
        order = zf.read(prefix + "byteorder").decode() if prefix + "byteorder" in \
            zf.namelist() else "little"
        if order != "little":
            raise RuntimeError(f"tapegrad.load: byte order {order!r} is not supported")
        import io
        up = _Unpickler(io.BytesIO(zf.read(prefix + "data.pkl")), zf, prefix, map_location,
                        weights_only, **pickle_load_args)
        return up.load()


def _load_legacy(f, map_location, weights_only):
    """Files in torch's pre-1.6 format: read by torch (if installed), converted via numpy."""
    try:
        import torch
    except ImportError:
        raise RuntimeError("tapegrad.load: not a zip archive written by tapegrad.save or "
                           "torch.save (torch's legacy format needs torch installed)") from None
    obj = torch.load(f, map_location="cpu", weights_only=weights_only)
    return _from_torch(obj, torch)


def _from_torch(obj, torch):
    if isinstance(obj, torch.Tensor):
        dt = getattr(_C, str(obj.dtype).split(".")[-1])
        src = obj.detach()
        if dt == _C.bfloat16:
            src = src.float()
        t = _C.tensor(np.ascontiguousarray(src.numpy()).reshape(-1), dtype=dt).reshape(
            tuple(obj.shape))
        if isinstance(obj, torch.nn.Parameter):
            from .nn import Parameter
            return Parameter(t, obj.requires_grad)
        return t.requires_grad_(obj.requires_grad)
    if isinstance(obj, OrderedDict):
        return OrderedDict((k, _from_torch(v, torch)) for k, v in obj.items())
    if isinstance(obj, dict):
        return {k: _from_torch(v, torch) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_from_torch(v, torch) for v in obj)
    return obj
