"""nn.CrossMapLRN2d: torch's legacy local response norm (from Lua torch's SpatialCrossMapLRN)
as the custom Function torch runs. The forward keeps a running sum of squares over the channel
window (which, as in torch, never drops channel 0 once it is in). The backward is torch's
hand-written one over a symmetric window, not the exact gradient of that forward. Both are
reproduced so values and gradients equal torch's."""
from ... import _C
from ..._factories import zeros as _zeros
from ..._grad_mode import no_grad
from ...autograd.function import Function
from .module import Module

__all__ = ["CrossMapLRN2d"]


class _CrossMapLRN2dFn(Function):
    """torch.nn.modules._functions.CrossMapLRN2d (grad_fn CrossMapLRN2dBackward)."""

    @staticmethod
    def forward(ctx, input, size, alpha=1e-4, beta=0.75, k=1):
        if input.dim() != 4:
            raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D "
                             "instead.")
        ctx.size, ctx.alpha, ctx.beta, ctx.k = size, alpha, beta, k
        channels = input.shape[1]
        sq = input * input
        pre_pad = int((size - 1) / 2 + 1)
        first = sq[:, :min(pre_pad, channels)].sum(1)
        scales = [first]
        for c in range(1, channels):
            cur = scales[-1]
            if c < channels - pre_pad + 1:
                cur = cur + sq[:, c + pre_pad - 1]
            if c > pre_pad:
                cur = cur - sq[:, c - pre_pad]
            scales.append(cur)
        scale = _C.stack(scales, 1) * (alpha / size) + k
        output = scale.pow(-beta) * input
        ctx.scale = scale
        ctx.save_for_backward(input, output)
        return output

    @staticmethod
    def backward(ctx, grad_output):
        input, output = ctx.saved_tensors
        size, scale = ctx.size, ctx.scale
        n, channels, h, w = input.shape
        with no_grad():
            grad_input = scale.pow(-ctx.beta) * grad_output
            inverse_pre_pad = int(size - (size - 1) / 2)
            padded = _zeros(n, channels + size - 1, h, w, dtype=input.dtype,
                            device=input.device)
            padded[:, inverse_pre_pad:inverse_pre_pad + channels] = grad_output * output / scale
            accum = padded[:, :size - 1].sum(1)
            coef = 2 * ctx.alpha * ctx.beta / size
            cols = []
            for c in range(channels):
                accum = accum + padded[:, c + size - 1]
                cols.append(input[:, c] * accum * -coef)
                accum = accum - padded[:, c]
            grad_input = grad_input + _C.stack(cols, 1)
        return grad_input, None, None, None, None


# torch's Function is called CrossMapLRN2d, so its node is CrossMapLRN2dBackward
_CrossMapLRN2dFn._backward_name = "CrossMapLRN2dBackward"
_CrossMapLRN2dFn._backward_cls = type("CrossMapLRN2dBackward", (_CrossMapLRN2dFn._backward_cls,),
                                      {"__slots__": (), "__qualname__": "CrossMapLRN2dBackward"})


class CrossMapLRN2d(Module):
    """Legacy cross-channel local response norm over (N, C, H, W)."""

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1):
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input):
        return _CrossMapLRN2dFn.apply(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
