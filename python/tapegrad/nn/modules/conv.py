"""nn.Conv1d / nn.Conv2d / nn.ConvTranspose2d: cross-correlation (and its adjoint) with torch's
arguments (stride, padding as ints, tuples or 'same'/'valid', dilation, groups, padding_mode)
and default init (kaiming_uniform_ with a=sqrt(5) for the weight, U(-1/sqrt(fan_in),
1/sqrt(fan_in)) for the bias)."""
import math

from .. import functional as F
from .. import init
from ..parameter import Parameter
from ._utils import _empty, _pair, _single
from .module import Module

__all__ = ["Conv1d", "Conv2d", "ConvTranspose2d"]

_VALID_PADDING_STRINGS = {"same", "valid"}
_VALID_PADDING_MODES = {"zeros", "reflect", "replicate", "circular"}


class _ConvNd(Module):
    """What Conv1d and Conv2d share: arguments, parameters, init, padding modes, repr."""

    __constants__ = ["stride", "padding", "dilation", "groups", "padding_mode",
                     "output_padding", "in_channels", "out_channels", "kernel_size"]
    # The subclasses differ only in these two: how int arguments become tuples, and the
    # functional.
    _tuple = staticmethod(_pair)
    _conv = staticmethod(F.conv2d)

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__()
        nt = self._tuple
        kernel_size, stride, dilation = nt(kernel_size), nt(stride), nt(dilation)
        padding = padding if isinstance(padding, str) else nt(padding)
        self._check_args(in_channels, out_channels, stride, padding, groups, padding_mode)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.transposed = False
        self.output_padding = nt(0)
        self.groups = groups
        self.padding_mode = padding_mode
        self.weight = Parameter(_empty(self._weight_shape(in_channels, out_channels, groups,
                                                          kernel_size), device, dtype))
        if bias:
            self.bias = Parameter(_empty((out_channels,), device, dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    @staticmethod
    def _weight_shape(in_channels, out_channels, groups, kernel_size):
        return (out_channels, in_channels // groups, *kernel_size)

    @staticmethod
    def _check_args(in_channels, out_channels, stride, padding, groups, padding_mode):
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if isinstance(padding, str):
            if padding not in _VALID_PADDING_STRINGS:
                raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                                 f"{_VALID_PADDING_STRINGS}")
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        if padding_mode not in _VALID_PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {_VALID_PADDING_MODES}, but got "
                             f"padding_mode='{padding_mode}'")

    def reset_parameters(self):
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        if self.padding_mode != "zeros":
            # Non-zero padding modes pad explicitly first, then convolve without padding.
            return self._conv(F.pad(input, self._reversed_padding_repeated_twice(),
                                    mode=self.padding_mode),
                              self.weight, self.bias, self.stride, self._tuple(0), self.dilation,
                              self.groups)
        return self._conv(input, self.weight, self.bias, self.stride, self.padding, self.dilation,
                          self.groups)

    def _reversed_padding_repeated_twice(self):
        # F.pad's order: last dim first, (left, right) each; 'same' puts the odd extra right.
        pad = []
        for k in reversed(range(len(self.kernel_size))):
            if self.padding == "valid":
                left = right = 0
            elif self.padding == "same":
                total = self.dilation[k] * (self.kernel_size[k] - 1)
                left, right = total // 2, total - total // 2
            else:
                left = right = self.padding[k]
            pad += [left, right]
        return pad

    def extra_repr(self):
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}"
             f", stride={self.stride}")
        if self.padding != (0,) * len(self.padding):
            s += f", padding={self.padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv2d(_ConvNd):
    """2-d convolution over (N, C, H, W) or unbatched (C, H, W) input."""


class Conv1d(_ConvNd):
    """1-d convolution over (N, C, L) or unbatched (C, L) input."""

    _tuple = staticmethod(_single)
    _conv = staticmethod(F.conv1d)


class ConvTranspose2d(_ConvNd):
    """The adjoint of Conv2d (weight (in, out / groups, kh, kw)); forward may name the
    output_size, which picks the output padding as torch does."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                 device=None, dtype=None):
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype)
        self.transposed = True
        self.output_padding = _pair(output_padding)

    @staticmethod
    def _weight_shape(in_channels, out_channels, groups, kernel_size):
        return (in_channels, out_channels // groups, *kernel_size)

    def _output_padding(self, input, output_size):
        if output_size is None:
            return self.output_padding
        output_size = list(output_size)[-2:]
        spatial = list(input.shape[-2:])
        lows, highs = [], []
        for d in range(2):
            low = ((spatial[d] - 1) * self.stride[d] - 2 * self.padding[d]
                   + self.dilation[d] * (self.kernel_size[d] - 1) + 1)
            lows.append(low)
            highs.append(low + self.stride[d] - 1)
        if any(not lo <= o <= hi for o, lo, hi in zip(output_size, lows, highs)):
            raise ValueError(f"requested an output size of {output_size}, but valid sizes range "
                             f"from {lows} to {highs} (for an input of "
                             f"{input.size()[-2:]})")
        return tuple(o - lo for o, lo in zip(output_size, lows))

    def forward(self, input, output_size=None):
        return F.conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding,
                                  self._output_padding(input, output_size), self.groups,
                                  self.dilation)
