"""Constant padding modules: ConstantPad1d/2d and ZeroPad1d/2d (F.pad in constant mode, which
records torch's ConstantPadNdBackward0). padding is an int or a (left, right[, top, bottom])
tuple, stored expanded as torch stores it."""
from .. import functional as F
from ._utils import _ntuple
from .module import Module

__all__ = ["ConstantPad1d", "ConstantPad2d", "ZeroPad1d", "ZeroPad2d"]


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
