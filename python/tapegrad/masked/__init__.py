"""tapegrad.masked: torch.masked's reductions and normalizations on a strided tensor with a
boolean `mask=` (masked-out elements are replaced by the operation's identity before the plain
operation runs, so values, dtypes and gradients follow the plain tapegrad ops). MaskedTensor
and sparse layouts are not provided. Loaded on first use of `tapegrad.masked`."""
from ._ops import (sum, prod, cumsum, cumprod, amax, amin, argmax, argmin, mean,  # noqa: A004
                   median, logsumexp, logaddexp, norm, var, std, softmax, log_softmax,
                   softmin, normalize)

__all__ = ["sum", "prod", "cumsum", "cumprod", "amax", "amin", "argmax", "argmin", "mean",
           "median", "logsumexp", "logaddexp", "norm", "var", "std", "softmax", "log_softmax",
           "softmin", "normalize"]
