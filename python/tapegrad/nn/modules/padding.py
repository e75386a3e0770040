"""Padding modules over F.pad: ConstantPad1d/2d/3d and ZeroPad1d/2d/3d (constant mode, torch's
ConstantPadNdBackward0), ReflectionPad1d/2d/3d, ReplicationPad1d/2d/3d and CircularPad1d/2d/3d.
padding is an int or a (left, right[, top, bottom[, front, back]]) tuple, stored expanded as
torch stores it."""
from .. import functional as F
from ._utils import _ntuple
from .module import Module

__all__ = ["ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "ZeroPad1d", "ZeroPad2d",
           "ZeroPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
           "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d",
           "CircularPad2d", "CircularPad3d"]


class _ConstantPadNd(Module):
    __constants__ = ["padding", "value"]
    _n = 1

    def __init__(self, padding, value):
        super().__init__()
        self.padding = _ntuple(2 * self._n)(padding)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pads the last dim with `value` ((left, right))."""

    _n = 1


class ConstantPad2d(_ConstantPadNd):
    """Pads the last two dims with `value` ((left, right, top, bottom))."""

    _n = 2


class ConstantPad3d(_ConstantPadNd):
    """Pads the last three dims with `value` ((left, right, top, bottom, front, back))."""

    _n = 3


class ZeroPad1d(ConstantPad1d):
    """Pads the last dim with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pads the last two dims with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    """Pads the last three dims with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class _ModePadNd(Module):
    """F.pad in a non-constant mode over the last _n dims."""
    __constants__ = ["padding"]
    _n = 1
    _mode = "reflect"

    def __init__(self, padding):
        super().__init__()
        self.padding = _ntuple(2 * self._n)(padding)

    def forward(self, input):
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class ReflectionPad1d(_ModePadNd):
    """Pads the last dim with its mirror image (edge not repeated)."""
    _n, _mode = 1, "reflect"


class ReflectionPad2d(_ModePadNd):
    """Pads the last two dims with their mirror image (edge not repeated)."""
    _n, _mode = 2, "reflect"


class ReflectionPad3d(_ModePadNd):
    """Pads the last three dims with their mirror image (edge not repeated)."""
    _n, _mode = 3, "reflect"


class ReplicationPad1d(_ModePadNd):
    """Pads the last dim by repeating its edge values."""
    _n, _mode = 1, "replicate"


class ReplicationPad2d(_ModePadNd):
    """Pads the last two dims by repeating their edge values."""
    _n, _mode = 2, "replicate"


class ReplicationPad3d(_ModePadNd):
    """Pads the last three dims by repeating their edge values."""
    _n, _mode = 3, "replicate"


class _CircularPadNd(_ModePadNd):
    _mode = "circular"

    def forward(self, input):
        # torch's modules check the rank themselves (ValueError), before F.pad's own checks
        if input.dim() not in (self._n + 1, self._n + 2):
            raise ValueError(f"expected {self._n + 1}D or {self._n + 2}D input "
                             f"(got {input.dim()}D input)")
        return super().forward(input)


class CircularPad1d(_CircularPadNd):
    """Pads the last dim by wrapping around."""
    _n = 1


class CircularPad2d(_CircularPadNd):
    """Pads the last two dims by wrapping around."""
    _n = 2


class CircularPad3d(_CircularPadNd):
    """Pads the last three dims by wrapping around."""
    _n = 3
