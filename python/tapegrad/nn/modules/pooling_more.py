"""3-d pooling layers (MaxPool3d, AvgPool3d, AdaptiveAvgPool3d, AdaptiveMaxPool3d), LPPool1d/2d/3d,
MaxUnpool1d/2d/3d and Fold / Unfold, with torch's arguments kept as torch keeps them (as given,
or as tuples for the unpooling layers), so reprs match."""
from .. import _conv3d_functional as CF
from .. import _fractional_pool as FRP
from .. import _pool3d_functional as PF
from ._utils import _pair, _single
from .conv_more import _triple
from .module import Module
from .pooling import _AdaptiveMaxPool, _AdaptivePool, _AvgPoolNd, _MaxPoolNd

__all__ = ["MaxPool3d", "AvgPool3d", "AdaptiveAvgPool3d", "AdaptiveMaxPool3d", "LPPool1d",
           "LPPool2d", "LPPool3d", "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d", "Fold", "Unfold"]


class MaxPool3d(_MaxPoolNd):
    """Max over sliding 3-d windows."""

    def forward(self, input):
        return PF.max_pool3d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                             ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class AvgPool3d(_AvgPoolNd):
    """Average over sliding 3-d windows."""

    def forward(self, input):
        return PF.avg_pool3d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                             self.count_include_pad, self.divisor_override)


class AdaptiveAvgPool3d(_AdaptivePool):
    """Average over 3-d windows chosen to give output_size."""

    def forward(self, input):
        return PF.adaptive_avg_pool3d(input, self.output_size)


class AdaptiveMaxPool3d(_AdaptiveMaxPool):
    """Max over 3-d windows chosen to give output_size (and the flat indices if asked)."""

    def forward(self, input):
        return PF.adaptive_max_pool3d(input, self.output_size, self.return_indices)


class _LPPoolNd(Module):
    """The p-norm over sliding windows (torch's: (sum x^p)^(1/p))."""

    __constants__ = ["norm_type", "kernel_size", "stride", "ceil_mode"]
    _fn = None

    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode=False):
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def forward(self, input):
        return type(self)._fn(input, float(self.norm_type), self.kernel_size, self.stride,
                              self.ceil_mode)

    def extra_repr(self):
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, ceil_mode={self.ceil_mode}")


class LPPool1d(_LPPoolNd):
    """p-norm over sliding 1-d windows."""

    _fn = staticmethod(PF.lp_pool1d)


class LPPool2d(_LPPoolNd):
    """p-norm over sliding 2-d windows."""

    _fn = staticmethod(PF.lp_pool2d)


class LPPool3d(_LPPoolNd):
    """p-norm over sliding 3-d windows."""

    _fn = staticmethod(PF.lp_pool3d)


class _MaxUnpoolNd(Module):
    """Puts each value back at its max-pool index in a zero image."""

    _tuple = None
    _fn = None

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        nt = type(self)._tuple
        self.kernel_size = nt(kernel_size)
        self.stride = nt(stride if stride is not None else kernel_size)
        self.padding = nt(padding)

    def forward(self, input, indices, output_size=None):
        return type(self)._fn(input, indices, self.kernel_size, self.stride, self.padding,
                              output_size)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """The partial inverse of MaxPool1d."""

    _tuple = staticmethod(_single)
    _fn = staticmethod(PF.max_unpool1d)


class MaxUnpool2d(_MaxUnpoolNd):
    """The partial inverse of MaxPool2d."""

    _tuple = staticmethod(_pair)
    _fn = staticmethod(PF.max_unpool2d)


class MaxUnpool3d(_MaxUnpoolNd):
    """The partial inverse of MaxPool3d."""

    _tuple = staticmethod(_triple)
    _fn = staticmethod(PF.max_unpool3d)


class Fold(Module):
    """Sums sliding-block columns back into an image (F.fold)."""

    __constants__ = ["output_size", "kernel_size", "dilation", "padding", "stride"]

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.output_size = output_size
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input):
        return CF.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding,
                       self.stride)

    def extra_repr(self):
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, "
                f"dilation={self.dilation}, padding={self.padding}, stride={self.stride}")


class Unfold(Module):
    """Extracts sliding blocks of an image as columns (F.unfold)."""

    __constants__ = ["kernel_size", "dilation", "padding", "stride"]

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input):
        return CF.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")


class _FractionalMaxPoolNd(Module):
    """Max over pseudo-randomly placed windows giving output_size (or output_ratio of the
    input); _random_samples, when given, is a buffer that fixes the placement."""

    _nd = 0
    _fn = None

    def __init__(self, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                 _random_samples=None):
        super().__init__()
        nt = _pair if self._nd == 2 else _triple
        self.kernel_size = nt(kernel_size)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = nt(output_size) if output_size is not None else None
        self.output_ratio = nt(output_ratio) if output_ratio is not None else None
        name = type(self).__name__
        if output_size is None and output_ratio is None:
            raise ValueError(f"{name} requires specifying either an output size, or a pooling "
                             "ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not all(0 < r < 1 for r in self.output_ratio):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def forward(self, input):
        return type(self)._fn(input, self.kernel_size, self.output_size, self.output_ratio,
                              self.return_indices, _random_samples=self._random_samples)


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """Fractional max pooling over (H, W)."""

    _nd = 2
    _fn = staticmethod(FRP.fractional_max_pool2d)


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """Fractional max pooling over (D, H, W)."""

    _nd = 3
    _fn = staticmethod(FRP.fractional_max_pool3d)


__all__ += ["FractionalMaxPool2d", "FractionalMaxPool3d"]
