"""nn.LinearCrossEntropyLoss: a Linear projection to class logits fused with cross entropy.

The projection's weight is stored flat in an nn.Linear (C * prod(out_features), in_features),
as torch stores it, so a torch state_dict loads as is; forward reshapes it to
(C, *out_features, in_features) and hands it to nn.functional.linear_cross_entropy. That
functional lives in its own module and is looked up when forward runs (not at import), so this
class imports even where the functional is missing and starts working once it is there."""
import math

from .linear import Linear
from .loss import _WeightedLoss

__all__ = ["LinearCrossEntropyLoss"]


class LinearCrossEntropyLoss(_WeightedLoss):
    """Cross entropy of Linear(input) against target, with torch's arguments and checks."""

    __constants__ = ["num_classes", "out_features", "reduction", "ignore_index",
                     "label_smoothing"]

    def __init__(self, in_features, num_classes, *, out_features=(), bias=False, device=None,
                 dtype=None, reduction="mean", weight=None, ignore_index=None,
                 label_smoothing=0.0, options=None):
        if weight is not None and tuple(weight.shape) != (num_classes,):
            raise RuntimeError(f"expected weight shape to be {(num_classes,)}, got "
                               f"{tuple(weight.shape)}")
        if label_smoothing < 0 or label_smoothing > 1.0:
            raise RuntimeError("expected label_smoothing to be in range [0, 1], got "
                               f"{label_smoothing}")
        super().__init__(weight=weight, size_average=None, reduce=None, reduction=reduction)
        self.num_classes = num_classes
        self.out_features = out_features
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing
        self.linear = Linear(in_features, math.prod(out_features, start=num_classes), bias=bias,
                             device=device, dtype=dtype)
        self.options = options

    def forward(self, input, target):
        from .. import functional as F
        fn = getattr(F, "linear_cross_entropy", None)
        if fn is None:
            raise NotImplementedError("LinearCrossEntropyLoss needs "
                                      "tapegrad.nn.functional.linear_cross_entropy, which this "
                                      "build does not have")
        w = self.linear.weight.reshape((self.num_classes, *self.out_features,
                                        self.linear.in_features))
        b = (self.linear.bias.reshape((self.num_classes, *self.out_features))
             if self.linear.bias is not None else None)
        return fn(input, w, target, linear_bias=b, weight=self.weight,
                  reduction=self.reduction, ignore_index=self.ignore_index,
                  label_smoothing=self.label_smoothing, options=self.options)

    def extra_repr(self):
        return (f"in_features={self.linear.in_features}, num_classes={self.num_classes}, "
                f"out_features={self.out_features}, bias={self.linear.bias is not None}, "
                f"reduction={self.reduction}, ignore_index={self.ignore_index}, "
                f"label_smoothing={self.label_smoothing}, options={self.options}")
