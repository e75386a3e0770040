"""F.linear_cross_entropy (torch 2.13): cross_entropy(linear(input, linear_weight, linear_bias),
target), with torch's argument checks and its K-dimensional form (linear_weight (C, d1.., dK,
in_features) gives logits (N, C, d1.., dK)).

torch's `options` (LinearCrossEntropyOptions) picks a batch-chunked kernel that saves memory; the
loss it computes is the reference one, so tapegrad accepts the options and runs the reference
composite (its gradients are ordinary recorded nodes, so higher-order AD works as well)."""
import math

__all__ = ["linear_cross_entropy"]


def linear_cross_entropy(input, linear_weight, target, *, linear_bias=None, weight=None,
                         reduction="mean", ignore_index=None, label_smoothing=0.0,
                         options=None):
    from .functional import cross_entropy, linear
    if input.dim() < 1 or input.dim() > 2:
        raise RuntimeError(f"expected input with dimensionality 1 or 2, got {input.dim()}")
    if linear_weight.dim() < 2:
        raise RuntimeError("expected linear_weight with dimensionality at least 2, got "
                           f"{linear_weight.dim()}")
    num_batches = tuple(input.shape[:-1])
    in_features = input.shape[-1]
    if in_features != linear_weight.shape[-1]:
        raise RuntimeError("expected equal input and linear_weight last dimensions "
                           f"(in_features), got {input.shape[-1]} and "
                           f"{linear_weight.shape[-1]}, respectively")
    num_classes = linear_weight.shape[0]
    out_features = tuple(linear_weight.shape[1:-1])
    if linear_bias is not None and tuple(linear_bias.shape) != (num_classes, *out_features):
        raise RuntimeError(f"expected linear_bias shape {(num_classes, *out_features)}, got "
                           f"{tuple(linear_bias.shape)}")
    if out_features and not num_batches:
        raise RuntimeError(f"K-dimensional loss defined by linear_weight shape "
                           f"{tuple(linear_weight.shape)} requires batched input, "
                           f"(N, {in_features}), got unbatched input with shape "
                           f"{tuple(input.shape)}")
    logits_shape = (*num_batches, num_classes, *out_features)
    # as torch: a target shaped like the logits holds class probabilities
    if tuple(target.shape) == logits_shape and ignore_index is not None:
        raise RuntimeError("ignore_index cannot be specified when target contains probabilities")
    ignore_index = -100 if ignore_index is None else ignore_index
    if options is not None:
        _check_chunked_acc_dtype(input, target, reduction, label_smoothing, out_features,
                                 options)
    if out_features:
        rows = math.prod(out_features, start=num_classes)
        linear_weight = linear_weight.reshape(rows, in_features)
        if linear_bias is not None:
            linear_bias = linear_bias.reshape(rows)
    logits = linear(input, linear_weight, linear_bias).reshape(logits_shape)
    return cross_entropy(logits, target, weight=weight, reduction=reduction,
                         ignore_index=ignore_index, label_smoothing=label_smoothing)


def _check_chunked_acc_dtype(input, target, reduction, label_smoothing, out_features, options):
    """torch's chunked path (options given, reduction mean/sum/none, no label smoothing, int64
    target, no K dims) resolves acc_dtype (None: the input's dtype) and refuses a non-floating
    one with options' ValueError."""
    import tapegrad
    if (reduction not in ("mean", "sum", "none") or label_smoothing != 0.0
            or target.dtype != tapegrad.int64 or out_features):
        return
    acc = getattr(options, "acc_dtype", None)
    acc = input.dtype if acc is None else acc
    # by name: options built for torch (torch.float32) name the same dtypes
    if str(acc).rsplit(".", 1)[-1] not in ("float16", "bfloat16", "float32",
                                                          "float64"):
        raise ValueError("acc_dtype must be one of {None, torch.float16, torch.bfloat16, "
                         f"torch.float32, torch.float64}}, got {acc!r}. Pass acc_dtype=None to "
                         "let the op pick automatically.")
