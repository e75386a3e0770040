"""tapegrad.nn.functional: torch's signatures over the C++ ops (losses record the dedicated
nodes torch shows, e.g. BinaryCrossEntropyWithLogitsBackward0)."""
from .. import _C

__all__ = ["relu", "sigmoid", "tanh", "linear", "softmax", "log_softmax", "mse_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy",
           "nll_loss"]


def _reduction(size_average, reduce, reduction):
    # torch's legacy arguments: both default to None; either False changes the reduction.
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def relu(input, inplace=False):
    if inplace:
        return input.clamp_(min=0)
    return _C.relu(input)


def sigmoid(input):
    return _C.sigmoid(input)


def tanh(input):
    return _C.tanh(input)


def linear(input, weight, bias=None):
    return _C._linear(input, weight, bias)


def _softmax_dim(ndim):
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim(input.dim())
    return _C.softmax(input, dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim(input.dim())
    return _C.log_softmax(input, dim, dtype)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    return _C._mse_loss(input, target, _reduction(size_average, reduce, reduction))


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    return _C._binary_cross_entropy(input, target, weight,
                                    _reduction(size_average, reduce, reduction))


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    return _C._binary_cross_entropy_with_logits(input, target, weight, pos_weight,
                                                _reduction(size_average, reduce, reduction))


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    return _C._nll_loss(input, target, weight, _reduction(size_average, reduce, reduction),
                        ignore_index)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    return _C._cross_entropy(input, target, weight, _reduction(size_average, reduce, reduction),
                             ignore_index, float(label_smoothing))
