"""nn.Conv3d, nn.ConvTranspose1d, nn.ConvTranspose3d: conv.py's _ConvNd (arguments, padding
modes, init, repr) with the 3-d / 1-d functionals, and the transposed layers' output_size
argument (which picks the output padding) for any number of spatial dims."""
from .. import _conv3d_functional as CF
from ._utils import _ntuple, _single
from .conv import _ConvNd

__all__ = ["Conv3d", "ConvTranspose1d", "ConvTranspose3d"]


_triple = _ntuple(3)


class Conv3d(_ConvNd):
    """3-d convolution over (N, C, D, H, W) or unbatched (C, D, H, W) input."""

    _tuple = staticmethod(_triple)
    _conv = staticmethod(CF.conv3d)


class _ConvTransposeMore(_ConvNd):
    """What ConvTranspose1d / 3d share: zeros padding only, (in, out / groups, k...) weights,
    output_padding and forward(input, output_size=None)."""

    _nd = 0
    _transposed_fn = None

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                 device=None, dtype=None):
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype)
        self.transposed = True
        self.output_padding = self._tuple(output_padding)

    @staticmethod
    def _weight_shape(in_channels, out_channels, groups, kernel_size):
        return (in_channels, out_channels // groups, *kernel_size)

    def _output_padding(self, input, output_size):
        if output_size is None:
            return self.output_padding
        n = self._nd
        lead = 2 if input.dim() == n + 2 else 1
        output_size = list(output_size)
        if len(output_size) == lead + n:
            output_size = output_size[lead:]
        if len(output_size) != n:
            raise ValueError(f"ConvTranspose{n}D: for {input.dim()}D input, output_size must "
                             f"have {n} or {lead + n} elements (got {len(output_size)})")
        lows = [(input.shape[d + lead] - 1) * self.stride[d] - 2 * self.padding[d]
                + self.dilation[d] * (self.kernel_size[d] - 1) + 1 for d in range(n)]
        highs = [lo + self.stride[d] - 1 for d, lo in enumerate(lows)]
        if any(not lo <= o <= hi for o, lo, hi in zip(output_size, lows, highs)):
            raise ValueError(f"requested an output size of {output_size}, but valid sizes range "
                             f"from {lows} to {highs} (for an input of {input.size()[2:]})")
        return tuple(o - lo for o, lo in zip(output_size, lows))

    def forward(self, input, output_size=None):
        return type(self)._transposed_fn(input, self.weight, self.bias, self.stride,
                                         self.padding, self._output_padding(input, output_size),
                                         self.groups, self.dilation)


class ConvTranspose1d(_ConvTransposeMore):
    """The adjoint of Conv1d (weight (in, out / groups, k))."""

    _nd = 1
    _tuple = staticmethod(_single)
    _transposed_fn = staticmethod(CF.conv_transpose1d)


class ConvTranspose3d(_ConvTransposeMore):
    """The adjoint of Conv3d (weight (in, out / groups, kd, kh, kw))."""

    _nd = 3
    _tuple = staticmethod(_triple)
    _transposed_fn = staticmethod(CF.conv_transpose3d)
