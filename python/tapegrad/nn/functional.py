"""tapegrad.nn.functional: torch's signatures over the C++ ops (losses and layers record the
dedicated nodes torch shows, e.g. BinaryCrossEntropyWithLogitsBackward0, ConvolutionBackward0).
Only where torch's own graph is a composite of primitives is the op composed here."""
import warnings

from .. import _C
from .._factories import ones_like as _ones_like
from .._grad_mode import no_grad
from .._out_arg import call as _out_call

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
    avg_pool1d, avg_pool2d, conv1d, conv_transpose2d, max_pool1d, max_pool1d_with_indices,
    _string_padding_bias)
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


def linear(input, weight, bias=None, *, out=None):
    if out is None:
        return _C._linear(input, weight, bias)
    return _out_call("linear", out, _C._linear, input, weight, bias)


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


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-input): torch builds it the same way (Neg, then Softmax nodes)."""
    if not isinstance(input, _C.Tensor):  # torch's (-input).softmax(dim), in Python
        if isinstance(input, (int, float)):
            raise AttributeError(f"'{type(input).__name__}' object has no attribute 'softmax'")
        raise TypeError(f"bad operand type for unary -: '{type(input).__name__}'")
    if dim is None:
        dim = _softmax_dim("softmin", input.dim(), _stacklevel)
    return _C.softmax(-input, dim, dtype)


def _promote_bool_operand(input, target):
    """torch's mse / smooth_l1 / huber kernels run in the promoted dtype of input and target: a
    bool operand beside another dtype is converted (no subtraction of bools), and a bool or
    integer promoted dtype is then the kernel's own refusal."""
    if (isinstance(input, _C.Tensor) and isinstance(target, _C.Tensor)
            and input.dtype != target.dtype and _C.bool in (input.dtype, target.dtype)):
        dt = _C.result_type(input, target)
        input, target = input.to(dt), target.to(dt)
    return input, target


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    _warn_target_size(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    if weight is not None:  # torch's Python: the weighted sum over the weights' sum
        input, target = _expand_pair(input, target)
        return _weighted_loss((input - target).pow(2), weight, input, reduction, True)
    input, target = _promote_bool_operand(input, target)
    return _C._mse_loss(input, target, reduction)


def _weighted_loss(errors, weight, input, reduction, mean_over_weights):
    """torch's weight= for mse_loss / l1_loss (mean: sum(w * e) / sum(w)) and huber_loss
    (mean: mean(w * e))."""
    if not isinstance(weight, _C.Tensor):
        raise TypeError(f"weight must be a Tensor, not {type(weight).__name__}")
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = errors * weight
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.sum() / weight.sum() if mean_over_weights else loss.mean()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', "
                     "'sum'.")


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
    if reduction not in ("none", "mean", "sum") and weight is None:  # (weighted: see below)
        raise ValueError(f"{reduction} is not a valid value for reduction")
    shape = _broadcast_shape(input.shape, target.shape)
    if list(input.shape) != shape:
        input = input.expand(shape)
    if list(target.shape) != shape:
        target = target.expand(shape)
    diff = (input - target).abs()
    if weight is not None:
        return _weighted_loss(diff, weight, input, reduction, True)
    if reduction == "none":
        return diff
    return diff.mean() if reduction == "mean" else diff.sum()


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    reduction = _reduction(size_average, reduce, reduction)
    if isinstance(input, _C.Tensor) and isinstance(target, _C.Tensor):
        _check_reduction(reduction)  # torch's order: the reduction, the sizes, the dtypes
        if target.shape != input.shape:
            raise ValueError(f"Using a target size ({target.shape}) that is different to the "
                             f"input size ({input.shape}) is deprecated. Please ensure they have "
                             "the same size.")
        _loss_dtypes("binary_cross_entropy", input, target)
        # torch's kernel checks every element (NaN included): a probability outside [0, 1]
        # would give a finite-looking, meaningless loss
        for name, t in (("input", input), ("target", target)):
            if t.numel() and t.is_floating_point() and not ((t >= 0) & (t <= 1)).all():
                raise RuntimeError(f"all elements of {name} should be between 0 and 1")
    return _C._binary_cross_entropy(input, target, weight, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    if (isinstance(target, _C.Tensor) and isinstance(input, _C.Tensor)
            and input.is_floating_point() and not target.is_floating_point()):
        _cannot_cast(target.dtype)
    return _C._binary_cross_entropy_with_logits(input, target, weight, pos_weight,
                                                _reduction(size_average, reduce, reduction))


def _cannot_cast(dtype):
    from .._dtype_names import type_name
    raise RuntimeError(f"result type Float can't be cast to the desired output type "
                       f"{type_name(dtype)}")


def _loss_dtypes(name, input, target):
    """torch's binary_cross_entropy: target in input's dtype, then a floating kernel."""
    from .._dtype_names import type_name
    if target.dtype != input.dtype:
        raise RuntimeError(f"Found dtype {type_name(target.dtype)} but expected "
                           f"{type_name(input.dtype)}")
    if not input.is_floating_point():
        raise NotImplementedError(f"\"{name}\" not implemented for '{type_name(input.dtype)}'")


def _tensor_operands(name, input, target, weight):
    """torch's parser TypeError for a non-tensor operand (the binding's own message lists its
    signature instead); returns quietly if all are tensors."""
    from .._argcheck import _type_name
    for pos, (arg, v) in enumerate((("input", input), ("target", target), ("weight", weight))):
        if not isinstance(v, _C.Tensor) and not (arg == "weight" and v is None):
            raise TypeError(f"{name}(): argument '{arg}' (position {pos + 1}) must be Tensor, "
                            f"not {_type_name(v)}")


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    # the target checks (torch's order and error types) are in C++ (lib/ops/nn.cpp)
    try:
        return _C._nll_loss(input, target, weight, _reduction(size_average, reduce, reduction),
                            ignore_index)
    except TypeError:
        _tensor_operands("nll_loss_nd", input, target, weight)
        raise


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    try:
        return _C._cross_entropy(input, target, weight,
                                 _reduction(size_average, reduce, reduction), ignore_index,
                                 float(label_smoothing))
    except TypeError:
        _tensor_operands("cross_entropy_loss", input, target, weight)
        raise


def gelu(input, *, approximate="none", out=None):
    if out is None:
        return _C.gelu(input, approximate=approximate)
    return _out_call("gelu", out, _C.gelu, input, approximate=approximate)


def silu(input, inplace=False):
    return _C.silu_(input) if inplace else _C.silu(input)


def softplus(input, beta=1, threshold=20, *, out=None):
    if out is None:
        return _C.softplus(input, beta, threshold)
    return _out_call("softplus", out, _C.softplus, input, beta, threshold)


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
    bias = _string_padding_bias(input, bias, padding)
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
    if not isinstance(input, _C.Tensor):  # the early return below would hand it back
        raise TypeError(f"dropout(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
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
    if isinstance(pad, _C.Tensor):  # torch's parser: an int list, never a tensor
        raise TypeError("pad(): argument 'pad' (position 2) must be tuple of ints, not Tensor")
    return _C.pad(input, list(pad), mode, value)


# ---- activations with arguments, extra losses, distances (torch.nn.functional's names) ----
# The pointwise activations are op-table rows (lib/ops/activation.cpp) recording torch's nodes
# (LeakyReluBackward0, EluBackward0, ...); softsign/tanhshrink and the losses torch itself
# composes (kl_div, margin/hinge/cosine-embedding/poisson/gaussian/triplet losses,
# cosine_similarity, normalize) are composed here the way torch builds them.
import math as _math  # noqa: E402

from .._factories import full_like as _full_like  # noqa: E402
from .._factories import zeros_like as _zeros_like  # noqa: E402

__all__ += ["leaky_relu", "leaky_relu_", "elu", "elu_", "selu", "selu_", "celu", "celu_",
            "hardtanh", "hardtanh_", "relu6", "relu_", "hardsigmoid", "hardswish", "mish",
            "logsigmoid", "softsign", "tanhshrink", "softshrink", "hardshrink", "threshold",
            "threshold_", "glu", "prelu", "smooth_l1_loss", "huber_loss", "kl_div",
            "soft_margin_loss", "margin_ranking_loss", "hinge_embedding_loss",
            "cosine_embedding_loss", "poisson_nll_loss", "gaussian_nll_loss",
            "triplet_margin_loss", "cosine_similarity", "pairwise_distance", "normalize"]

relu_ = _C.relu_
leaky_relu_ = _C.leaky_relu_
elu_ = _C.elu_
selu_ = _C.selu_
celu_ = _C.celu_
hardtanh_ = _C.hardtanh_
threshold_ = _C.threshold_


# torch's builtins with out= (torch._C._nn): the compiled op itself when out= is not given
def logsigmoid(input, *, out=None):
    if out is None:
        return _C.log_sigmoid(input)
    return _out_call("log_sigmoid_forward", out, _C.log_sigmoid, input,
                     _parsed_as="log_sigmoid")


def softshrink(input, lambd=0.5, *, out=None):
    if out is None:
        return _C.softshrink(input, lambd)
    return _out_call("softshrink", out, _C.softshrink, input, lambd)


def hardshrink(input, lambd=0.5, *, out=None):
    if out is None:
        return _C.hardshrink(input, lambd)
    return _out_call("hardshrink", out, _C.hardshrink, input, lambd)


# the compiled ops' own TypeErrors already name a wrong argument type (no _argcheck wrapper)
logsigmoid._tapegrad_argcheck = softshrink._tapegrad_argcheck = True
hardshrink._tapegrad_argcheck = True


def leaky_relu(input, negative_slope=0.01, inplace=False):
    if inplace:
        return _C.leaky_relu_(input, negative_slope)
    return _C.leaky_relu(input, negative_slope)


def elu(input, alpha=1.0, inplace=False):
    return _C.elu_(input, alpha) if inplace else _C.elu(input, alpha)


def selu(input, inplace=False):
    return _C.selu_(input) if inplace else _C.selu(input)


def celu(input, alpha=1.0, inplace=False):
    return _C.celu_(input, alpha) if inplace else _C.celu(input, alpha)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if inplace:
        return _C.hardtanh_(input, min_val, max_val)
    return _C.hardtanh(input, min_val, max_val)


def relu6(input, inplace=False):
    """hardtanh(input, 0, 6): torch records HardtanhBackward0 with int bounds."""
    return _C.hardtanh_(input, 0, 6) if inplace else _C.hardtanh(input, 0, 6)


def hardsigmoid(input, inplace=False):
    return _C.hardsigmoid_(input) if inplace else _C.hardsigmoid(input)


def hardswish(input, inplace=False):
    return _C.hardswish_(input) if inplace else _C.hardswish(input)


def mish(input, inplace=False):
    return _C.mish_(input) if inplace else _C.mish(input)


def softsign(input):
    """input / (1 + |input|), composed as torch does (DivBackward0 over AddBackward0)."""
    return input / (input.abs() + 1)


def tanhshrink(input):
    """input - tanh(input), composed as torch does (SubBackward0)."""
    return input - input.tanh()


def threshold(input, threshold, value, inplace=False):
    if inplace:
        return _C.threshold_(input, threshold, value)
    return _C.threshold(input, threshold, value)


def glu(input, dim=-1):
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    return _C.glu(input, dim)


def prelu(input, weight):
    """where(input > 0, input, weight * input), weight per channel (dim 1; dim 0 has one
    channel for 1-D input). torch views the weight to broadcast (ViewBackward0) and records
    PreluKernelBackward0."""
    if weight.dim() > 1:
        raise RuntimeError("prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
                           f"ndim = {weight.dim()}")
    n = weight.numel()
    if input.dim() == 0:
        if n != 1:
            raise RuntimeError("Not allow zero-dim input tensor.")
        return _C._prelu_kernel(input, weight.view(()))
    channels = input.size(1) if input.dim() >= 2 else 1
    if n != 1 and n != channels:
        raise RuntimeError("Mismatch of parameter numbers and input channel size. Found "
                           f"parameter numbers = {n} and channel size = {channels}.")
    shape = [1] * input.dim()
    if n != 1:
        shape[1] = n
    return _C._prelu_kernel(input, weight.view(shape))


def _check_reduction(reduction, extra=()):
    if reduction not in ("none", "mean", "sum") + tuple(extra):
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _reduce(loss, reduction):
    if reduction == "none":
        return loss
    return loss.mean() if reduction == "mean" else loss.sum()


def _expand_pair(input, target):
    # torch.broadcast_tensors: each side expanded to the common shape (ExpandBackward0).
    shape = _broadcast_shape(input.shape, target.shape)
    if list(input.shape) != shape:
        input = input.expand(shape)
    if list(target.shape) != shape:
        target = target.expand(shape)
    return input, target


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    _warn_target_size(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if beta == 0.0:  # torch hands beta 0 to l1_loss
        return l1_loss(input, target, reduction=reduction)
    input, target = _expand_pair(*_promote_bool_operand(input, target))
    return _C._smooth_l1_loss(input, target, reduction, float(beta))


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    if (isinstance(input, _C.Tensor) and isinstance(target, _C.Tensor)
            and not input.is_floating_point() and target.is_floating_point()):
        _cannot_cast(input.dtype)  # torch's result takes input's dtype
    _warn_target_size(input, target)
    if weight is None:
        _check_reduction(reduction)
    input, target = _expand_pair(*_promote_bool_operand(input, target))
    if weight is None:
        return _C._huber_loss(input, target, reduction, float(delta))
    return _weighted_loss(_C._huber_loss(input, target, "none", float(delta)), weight, input,
                          reduction, False)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    reduction = _reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    # torch forms -input * target: input is tensor "a" when the shapes do not broadcast
    a, b = list(input.shape), list(target.shape)
    nd = max(len(a), len(b))
    a, b = [1] * (nd - len(a)) + a, [1] * (nd - len(b)) + b
    for i in reversed(range(nd)):  # from the last dim, as torch's infer_size
        x, y = a[i], b[i]
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b "
                               f"({y}) at non-singleton dimension {i}")
    shape = [max(x, y) if min(x, y) != 0 else 0 for x, y in zip(a, b)]
    if shape != list(input.shape):  # torch's kernel writes into an input-shaped output
        raise RuntimeError(f"output with shape {list(input.shape)} doesn't match the broadcast "
                           f"shape {shape}")
    if input.dtype == _C.bool:  # torch's -input * target
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                           "you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    if not input.is_floating_point():
        _cannot_cast(input.dtype)  # torch's log1p(exp(...)) written into input's dtype
    return _C._soft_margin_loss(input, target, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Pointwise target * (log target - input) (exp(target) * (target - input) for log-space
    targets), composed as torch does; 'batchmean' divides the sum by the batch size."""
    if size_average is not None or reduce is not None:
        reduction = _reduction(size_average, reduce, reduction)
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", stacklevel=2)
    _check_reduction(reduction, ("batchmean",))
    return _kl_div(input, target, reduction, log_target)


def _kl_div(input, target, reduction, log_target):
    """torch.kl_div's checks (after F.kl_div's reduction checks), then its composition."""
    for k, (arg, v) in enumerate((("input", input), ("target", target))):
        if not isinstance(v, _C.Tensor):
            raise TypeError(f"kl_div(): argument '{arg}' (position {k + 1}) must be Tensor, not "
                            f"{type(v).__name__}")
    if not (input.is_floating_point() and target.is_floating_point()):
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = _C.xlogy(target, target) - target * input
    if reduction == "batchmean":
        total = loss.sum()
        return total / input.size(0) if input.dim() != 0 else total
    return _reduce(loss, reduction)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                        reduction="mean"):
    reduction = _reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError("margin_ranking_loss : All input tensors should have same dimension "
                           f"but got sizes: input1: {input1.size()}, input2: {input2.size()}, "
                           f"target: {target.size()} ")
    # torch's margin is a double: integer inputs give a float loss
    return _reduce((-target * (input1 - input2) + float(margin)).clamp_min(0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    """input where target is 1, max(0, margin - input) where it is -1 (torch's where-sum)."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if input.dtype == _C.bool:  # torch's margin - input, the margin as a bool tensor
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    zeros = _zeros_like(input)
    margin_clamp = (margin - input).clamp_min(0)
    if not input.is_floating_point():  # torch keeps an integer input's dtype throughout
        margin_clamp = margin_clamp.to(input.dtype)
    output_margin = _C.where(target != 1, margin_clamp, zeros)
    output_self = _C.where(target != -1, input, zeros)
    return _reduce(output_margin + output_self, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction="mean"):
    """1 - cos(x1, x2) where target is 1, max(0, cos - margin) where it is -1; cos over the
    last dim with torch's 1e-12 added to each squared magnitude."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if input1.dim() != input2.dim():
        raise RuntimeError(f"cosine_embedding_loss : All input tensors should have same "
                           f"dimension but got sizes: input1: {input1.size()}, input2: "
                           f"{input2.size()}, target: {target.size()} ")
    if target.dim() > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if target.dim() == 0 and input1.dim() != 1:
        raise RuntimeError("0D target tensor expects 1D input tensors, but found inputs with "
                           f"sizes {list(input1.shape)} and {list(input2.shape)}.")
    if target.dim() == 1 and input1.dim() != 2:
        raise RuntimeError("1D target tensor expects 2D input tensors, but found inputs with "
                           f"sizes {list(input1.shape)} and {list(input2.shape)}.")
    d = input1.dim() - 1
    eps = 1e-12
    prod_sum = (input1 * input2).sum(d)
    mag1 = (input1 * input1).sum(d) + eps
    mag2 = (input2 * input2).sum(d) + eps
    cos = prod_sum / (mag1 * mag2).sqrt()
    zeros = _zeros_like(cos)
    pos = 1 - cos
    neg = (cos - margin).clamp_min(0)
    out = _C.where(target == 1, pos, zeros) + _C.where(target == -1, neg, zeros)
    return _reduce(out, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    reduction = _reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        stirling = target * target.log() - target + 0.5 * (2 * _math.pi * target).log()
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """0.5 * (log(var) + (input - target)^2 / var) (+ 0.5 log(2 pi) when full); var is
    clamped to eps without recording, as torch does."""
    if isinstance(var, (int, float)):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = _full_like(input, var)
    elif bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    if var.size() != input.size():
        if input.size()[:-1] == var.size():
            var = var.unsqueeze(-1)
        # torch's rule: same rank, and the sizes that differ add up to exactly 1 (one
        # broadcast dimension of var, anywhere: (4, 1, 32, 32) against (4, 3, 32, 32))
        elif (input.dim() == var.dim()
              and sum(v for i, v in zip(input.size(), var.size()) if i != v) == 1):
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    if not var.is_floating_point():  # torch clamps var in place to eps (a float)
        from .._dtype_names import c_type_name
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{c_type_name(var.dtype)}")
    var = var.clone()
    with no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * _math.log(2 * _math.pi)
    return _reduce(loss, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    reduction = _reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if margin <= 0:  # the functional form checks; torch.triplet_margin_loss (aten) does not
        raise ValueError(f"margin must be greater than 0, got {margin}")
    return _triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap, reduction)


def _triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap, reduction):
    a, pd, nd = anchor.dim(), positive.dim(), negative.dim()
    if not (a == pd == nd):
        raise RuntimeError("The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {a}D, positive {pd}D, "
                           f"and negative {nd}D inputs")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = _C.minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce((margin + d_pos - d_neg).clamp_min(0), reduction)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p over the last dim (NormBackward1, as torch's at::norm)."""
    d = max(x1.dim(), x2.dim())
    if d == 0:
        return _C._norm_dim((x1 - x2 + eps).reshape(1), float(p), [0], keepdim).reshape(())
    return _C._norm_dim(x1 - x2 + eps, float(p), [d - 1], keepdim)


_LEGACY_NAMES = {_C.int64: "Long", _C.int32: "Int", _C.int16: "Short", _C.int8: "Char",
                 _C.uint8: "Byte", _C.bool: "Bool"}


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum over dim of (x1 / max(||x1||, eps)) * (x2 / max(||x2||, eps)) (SumBackward1)."""
    x1.dtype, x2.dtype  # a non-tensor: the AttributeError _argcheck words as torch does
    if not eps >= 0:  # NaN too
        raise RuntimeError(f"eps must be non-negative, got: {eps:g}")
    common = _C.result_type(x1, x2)
    if not common.is_floating_point:
        raise RuntimeError("expected common dtype to be floating point, yet common dtype is "
                           f"{_LEGACY_NAMES.get(common, common)}")
    # torch converts an integer or bool operand to the common dtype (vector_norm takes no
    # integers); a floating operand keeps its own dtype
    if not x1.is_floating_point():
        x1 = x1.to(common)
    if not x2.is_floating_point():
        x2 = x2.to(common)
    shape = _broadcast_shape(x1.shape, x2.shape)
    if list(x1.shape) != shape:
        x1 = x1.expand(shape)
    if list(x2.shape) != shape:
        x2 = x2.expand(shape)
    n1 = _C._norm_dim(x1, 2.0, [dim], True).clamp_min(eps)
    n2 = _C._norm_dim(x2, 2.0, [dim], True).clamp_min(eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(||input||_p, eps) along dim (DivBackward0 over an expanded norm)."""
    if p is None:
        p = 2.0
    if isinstance(p, str) or not isinstance(dim, int):  # 'fro' / 'nuc' / a tuple of dims
        denom = input.norm(p, dim, keepdim=True)
    else:
        denom = _C._norm_dim(input, float(p), [dim], True)
    denom = denom.clamp_min(eps).expand_as(input)
    if out is None:
        return input / denom
    if not isinstance(out, _C.Tensor):
        raise TypeError("div() received an invalid combination of arguments - got (Tensor, "
                        f"Tensor, out={type(out).__name__}), but expected one of:\n"
                        " * (Tensor input, Tensor other, *, Tensor out = None)\n")
    from .._out_arg import write_out
    return write_out("div", input / denom, out, (input,))

# --- channel dropout, pixel shuffle, bilinear, interpolate (nn/_extra_functional.py) ---
from ._extra_functional import (bilinear, dropout1d, dropout2d, dropout3d,  # noqa: E402,F401
                                interpolate, pixel_shuffle, pixel_unshuffle, upsample,
                                upsample_bilinear, upsample_nearest)
__all__ += ["bilinear", "dropout1d", "dropout2d", "dropout3d", "interpolate", "pixel_shuffle",
            "pixel_unshuffle", "upsample", "upsample_bilinear", "upsample_nearest"]

# --- the remaining layers (helper N, seventh session): 3-d / transposed convolutions, fold,
# 3-d / LP pools, max unpooling (nn/_conv3d_functional.py, _pool3d_functional.py) ---
from ._conv3d_functional import (conv3d, conv_transpose1d, conv_transpose3d,  # noqa: E402,F401
                                 fold, unfold)
from ._pool3d_functional import (  # noqa: E402,F401
    adaptive_avg_pool3d, adaptive_max_pool3d, adaptive_max_pool3d_with_indices, avg_pool3d,
    lp_pool1d, lp_pool2d, lp_pool3d, max_pool3d, max_pool3d_with_indices, max_unpool1d,
    max_unpool2d, max_unpool3d)
__all__ += ["conv3d", "conv_transpose1d", "conv_transpose3d", "fold", "unfold",
            "adaptive_avg_pool3d", "adaptive_max_pool3d", "adaptive_max_pool3d_with_indices",
            "avg_pool3d", "lp_pool1d", "lp_pool2d", "lp_pool3d", "max_pool3d",
            "max_pool3d_with_indices", "max_unpool1d", "max_unpool2d", "max_unpool3d"]
from ._more_functional import (  # noqa: E402,F401
    alpha_dropout, channel_shuffle, feature_alpha_dropout, gumbel_softmax, local_response_norm,
    multi_margin_loss, multilabel_margin_loss, multilabel_soft_margin_loss,
    native_channel_shuffle, pdist, rrelu, rrelu_, triplet_margin_with_distance_loss)
from ._embedding_bag import embedding_bag  # noqa: E402,F401
__all__ += ["alpha_dropout", "channel_shuffle", "feature_alpha_dropout", "gumbel_softmax",
            "local_response_norm", "multi_margin_loss", "multilabel_margin_loss",
            "multilabel_soft_margin_loss", "native_channel_shuffle", "pdist", "rrelu", "rrelu_",
            "triplet_margin_with_distance_loss", "embedding_bag"]
from ._grid_functional import affine_grid, grid_sample  # noqa: E402,F401
__all__ += ["affine_grid", "grid_sample"]
from ._ctc import ctc_loss  # noqa: E402,F401
__all__ += ["ctc_loss"]
from ._fractional_pool import (  # noqa: E402,F401
    fractional_max_pool2d, fractional_max_pool2d_with_indices, fractional_max_pool3d,
    fractional_max_pool3d_with_indices)
__all__ += ["fractional_max_pool2d", "fractional_max_pool2d_with_indices",
            "fractional_max_pool3d", "fractional_max_pool3d_with_indices"]
from ._mha_functional import conv_tbc, multi_head_attention_forward  # noqa: E402,F401
__all__ += ["conv_tbc", "multi_head_attention_forward"]
from ._linear_cross_entropy import linear_cross_entropy  # noqa: E402,F401
__all__ += ["linear_cross_entropy"]
