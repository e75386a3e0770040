"""torch's memory formats: tapegrad.contiguous_format / preserve_format / channels_last /
channels_last_3d, the Python-facing values of the `memory_format=` keyword.

The keyword itself is handled in the C++ bindings (python/src/bind_layout.cpp: clone,
contiguous, is_contiguous, to, float/double/... and torch.clone), with the layouts in
lib/ops/factory.cpp: channels_last copies get torch's NHWC / NDHWC strides, preserve_format keeps
a dense input's strides (any order of the dims) and otherwise orders the dims as the input does;
.to()/.float()/... return the tensor itself when nothing would change, as torch's do. The four
objects below are handed to the bindings once and compared by identity."""
from . import _C


_KEY = object()


class memory_format:
    """One of torch's four memory formats (compared by identity, as torch's are)."""
    __slots__ = ("_name",)

    def __init__(self, name=None, _key=None):
        if _key is not _KEY:  # torch's are made by the library only
            raise TypeError("cannot create 'torch.memory_format' instances")
        self._name = name

    def __repr__(self):
        return f"torch.{self._name}"

    def __reduce__(self):
        return self._name


contiguous_format = memory_format("contiguous_format", _KEY)
preserve_format = memory_format("preserve_format", _KEY)
channels_last = memory_format("channels_last", _KEY)
channels_last_3d = memory_format("channels_last_3d", _KEY)

# the order of MemoryFormat in include/tapegrad/ops/memory_format.h
_C._set_memory_formats(contiguous_format, preserve_format, channels_last, channels_last_3d)
