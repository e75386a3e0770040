"""tapegrad.nn.functional: torch's signatures over the C++ ops (losses and layers record the
dedicated nodes torch shows, e.g. BinaryCrossEntropyWithLogitsBackward0, ConvolutionBackward0).
Only where torch's own graph is a composite of primitives is the op composed here."""
import warnings

from .. import _C
from .._factories import ones_like as _ones_like
from .._grad_mode import no_grad

__all__ = ["relu", "sigmoid", "tanh", "linear", "softmax", "softmin", "log_softmax", "mse_loss",
           "l1_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
           "cross_entropy", "nll_loss", "gelu", "silu", "softplus", "layer_norm", "embedding",
           "conv2d", "max_pool2d", "max_pool2d_with_indices", "dropout", "one_hot", "flatten",
           "unflatten", "pad"]

# Normalisation, pooling, conv1d, attention (nn/_norm_functional.py, _pool_functional.py,
# _attention_functional.py).
from ._norm_functional import batch_norm, group_norm, instance_norm, rms_norm  # noqa: E402
from ._pool_functional import (  # noqa: E402
    adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_max_pool1d,
    adaptive_max_pool1d_with_indices, adaptive_max_pool2d, adaptive_max_pool2d_with_indices,
    avg_pool1d, avg_pool2d, conv1d, conv_transpose2d, max_pool1d, max_pool1d_with_indices)
from ._attention_functional import scaled_dot_product_attention  # noqa: E402

__all__ += ["batch_norm", "group_norm", "instance_norm", "rms_norm", "avg_pool1d", "avg_pool2d",
            "max_pool1d", "max_pool1d_with_indices", "adaptive_avg_pool1d",
            "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool1d_with_indices",
            "adaptive_max_pool2d", "adaptive_max_pool2d_with_indices", "conv1d",
            "scaled_dot_product_attention", "conv_transpose2d"]


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
    return _C.relu_(input) if inplace else _C.relu(input)


def sigmoid(input):
    return _C.sigmoid(input)


def tanh(input):
    return _C.tanh(input)


def linear(input, weight, bias=None):
    return _C._linear(input, weight, bias)


def _softmax_dim(name, ndim, stacklevel):
    # torch's legacy choice when dim is omitted, with its deprecation warning.
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  "to include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("softmax", input.dim(), _stacklevel)
    return _C.softmax(input, dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("log_softmax", input.dim(), _stacklevel)
    return _C.log_softmax(input, dim, dtype)


def _warn_target_size(input, target):
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", stacklevel=3)


def _check_class_target(input, target):
    # torch checks these before the kernel and raises ValueError (the kernels' RuntimeError
    # would have the right words but the wrong type).
    if target.is_floating_point():
        return
    if input.dim() == 1 and target.dim() == 1 and target.size(0) != 1:
        raise ValueError("For 1D input, 1D target must have size 1, but got target size: "
                         f"{target.size(0)}")
    if input.dim() >= 2 and target.dim() >= 1 and input.size(0) != target.size(0):
        raise ValueError(f"Expected input batch_size ({input.size(0)}) to match target "
                         f"batch_size ({target.size(0)}).")


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-input): torch builds it the same way (Neg, then Softmax nodes)."""
    if dim is None:
        dim = _softmax_dim("softmin", input.dim(), _stacklevel)
    return _C.softmax(-input, dim, dtype)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    _warn_target_size(input, target)
    return _C._mse_loss(input, target, _reduction(size_average, reduce, reduction))


def _broadcast_shape(a, b):
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    out = []
    for x, y in zip(a, b):
        if x != y and 1 not in (x, y):
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b "
                               f"({y}) at non-singleton dimension {len(out)}")
        out.append(y if x == 1 else x)
    return out


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean/sum of |input - target|; torch composes it the same way (Sub, Abs, Mean nodes)."""
    _warn_target_size(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    shape = _broadcast_shape(input.shape, target.shape)
    if list(input.shape) != shape:
        input = input.expand(shape)
    if list(target.shape) != shape:
        target = target.expand(shape)
    diff = (input - target).abs()
    if reduction == "none":
        return diff
    return diff.mean() if reduction == "mean" else diff.sum()


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
    _check_class_target(input, target)
    return _C._nll_loss(input, target, weight, _reduction(size_average, reduce, reduction),
                        ignore_index)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    _check_class_target(input, target)
    return _C._cross_entropy(input, target, weight, _reduction(size_average, reduce, reduction),
                             ignore_index, float(label_smoothing))


def gelu(input, approximate="none"):
    return _C.gelu(input, approximate=approximate)


def silu(input, inplace=False):
    return _C.silu_(input) if inplace else _C.silu(input)


def softplus(input, beta=1, threshold=20):
    return _C.softplus(input, beta, threshold)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    return _C.layer_norm(input, list(normalized_shape), weight, bias, eps)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    if padding_idx is not None:
        if padding_idx > 0:
            assert padding_idx < weight.size(0), "Padding_idx must be within num_embeddings"
        elif padding_idx < 0:
            assert padding_idx >= -weight.size(0), "Padding_idx must be within num_embeddings"
            padding_idx = weight.size(0) + padding_idx
    else:
        padding_idx = -1
    if max_norm is not None:
        _embedding_renorm_(weight, input, max_norm, norm_type)
    if sparse:
        raise NotImplementedError("embedding: sparse gradients are not supported by tapegrad")
    return _C.embedding(weight, input, padding_idx, scale_grad_by_freq, sparse)


def _embedding_renorm_(weight, input, max_norm, norm_type):
    # torch rescales, in place and unrecorded, each looked-up row whose norm exceeds max_norm.
    rows = sorted(set(input.reshape(-1).tolist()))
    if not rows:
        return
    with no_grad():
        idx = _C.tensor(rows, dtype=_C.int64)
        w = weight.index_select(0, idx)
        if norm_type == float("inf"):
            norms = w.abs().amax(1)
        else:
            norms = w.abs().pow(norm_type).sum(1).pow(1.0 / norm_type)
        scale = _C.where(norms > max_norm, max_norm / (norms + 1e-7), _ones_like(norms))
        weight[idx] = w * scale.unsqueeze(1)


def _pair_list(v):
    return [v, v] if isinstance(v, int) else list(v)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    if not isinstance(padding, str):
        padding = _pair_list(padding)
    return _C.conv2d(input, weight, bias, _pair_list(stride), padding, _pair_list(dilation),
                     groups)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    stride = [] if stride is None else _pair_list(stride)
    return _C.max_pool2d_with_indices(input, _pair_list(kernel_size), stride,
                                      _pair_list(padding), _pair_list(dilation), ceil_mode)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    out, indices = max_pool2d_with_indices(input, kernel_size, stride, padding, dilation,
                                           ceil_mode)
    return (out, indices) if return_indices else out


def dropout(input, p=0.5, training=True, inplace=False):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return input  # torch hands back the input itself here
    return _C.dropout_(input, p, training) if inplace else _C.dropout(input, p, training)


def one_hot(tensor, num_classes=-1):
    return _C.one_hot(tensor, num_classes)


def flatten(input, start_dim=0, end_dim=-1):
    return input.flatten(start_dim, end_dim)


def unflatten(input, dim, sizes):
    """Tensor.unflatten as a view: dim becomes `sizes` (one entry may be -1)."""
    shape = list(input.shape)
    d = dim + len(shape) if dim < 0 else dim
    if not 0 <= d < max(len(shape), 1):
        n = max(len(shape), 1)
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    given, sizes = list(sizes), list(sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    if sizes.count(-1) > 1:
        # torch's wording (its C++ frames after these two lines are left out)
        raise RuntimeError("unflatten got an unexpected error:\nonly one dimension can be "
                           "inferred")
    known = 1
    for k in sizes:
        known *= k if k != -1 else 1
    if -1 in sizes and known:
        sizes[sizes.index(-1)] = shape[d] // known
    prod = 1
    for k in sizes:
        prod *= k
    if prod != shape[d] or -1 in sizes:
        raise RuntimeError(f"unflatten: Provided sizes {given} don't multiply up to the size of "
                           f"dim {dim} ({shape[d]}) in the input tensor")
    return input.view(shape[:d] + sizes + shape[d + 1:])


def pad(input, pad, mode="constant", value=None):
    if not hasattr(_C, "pad"):
        raise NotImplementedError(f"pad (mode={mode!r}) is not implemented in tapegrad yet")
    return _C.pad(input, list(pad), mode, value)
