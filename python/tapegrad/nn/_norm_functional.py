"""nn.functional's normalisations beyond layer_norm: batch_norm and group_norm (the
native_batch_norm / native_group_norm ops, NativeBatchNormBackward0 / NativeGroupNormBackward0
as torch), instance_norm (batch norm of a (1, N*C, *) view) and rms_norm (primitives), with
torch's argument checks and wording."""
import warnings

from .. import _C

# torch.finfo(dtype).eps, rms_norm's default eps (tapegrad has no finfo).
_EPS = {"float32": 1.1920928955078125e-07, "float64": 2.220446049250313e-16}


def _verify_batch_size(size):
    prod = size[0]
    for s in size[2:]:
        prod *= s
    if prod == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                         f"{size}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    if training and eps <= 0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    if eps < 0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    if training:
        _verify_batch_size(input.size())
    if input.numel() == 0:
        # torch's empty-input path (any rank, before its shape checks): a copy scaled by the first weight / shifted by the first
        # bias, which keeps the parameters in the graph (MulBackward0 / AddBackward0)
        out = input.clone()
        if weight is not None:
            out = out * weight[0]
        if bias is not None:
            out = out + bias[0]
        return out
    if training and (running_mean is None) != (running_var is None):
        raise ValueError(_ONE_STAT)
    return _C.batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps)


_ONE_STAT = "running_mean and running_var must either both be None or neither be None"


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Batch norm of the (1, N*C, *) view: each (sample, channel) pair is its own channel.
    Running statistics (when given) are updated with the mean over the batch, as torch does."""
    if use_input_stats:
        size = input.size()
        prod = 1
        for s in size[2:]:
            prod *= s
        if prod == 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                             f"{size}")
    if not use_input_stats and (running_mean is None or running_var is None):
        raise RuntimeError("Expected running_mean and running_var to be defined when "
                           "use_input_stats is false")
    if (running_mean is None) != (running_var is None):
        raise ValueError(_ONE_STAT)
    shape = list(input.shape)
    n, c = shape[0], shape[1]
    x = input.reshape([1, n * c] + shape[2:])
    w = weight.repeat(n) if weight is not None else None
    b = bias.repeat(n) if bias is not None else None
    rm = running_mean.repeat(n) if running_mean is not None else None
    rv = running_var.repeat(n) if running_var is not None else None
    out = _C.batch_norm(x, w, b, rm, rv, use_input_stats, momentum, eps)
    if use_input_stats and n > 0:
        from .._grad_mode import no_grad
        with no_grad():
            if running_mean is not None:
                running_mean.copy_(rm.view(n, c).mean(0))
            if running_var is not None:
                running_var.copy_(rv.view(n, c).mean(0))
    return out.view(shape)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """The native_group_norm op (NativeGroupNormBackward0), after torch's Python-side checks."""
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{input.dim()}")
    shape = list(input.shape)
    _verify_batch_size([shape[0] * shape[1] // num_groups, num_groups] + shape[2:])
    return _C.group_norm(input, num_groups, weight, bias, eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """input * rsqrt(mean(input**2 over the normalized dims) + eps) * weight."""
    shape = [normalized_shape] if isinstance(normalized_shape, int) else list(normalized_shape)
    k = len(shape)
    if k == 0:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., "
                           "containing at least one element, but got normalized_shape = []")
    if weight is not None and list(weight.shape) != shape:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got "
                           f"weight of shape {list(weight.shape)} and normalized_shape = {shape}")
    if input.dim() < k or list(input.shape[input.dim() - k:]) != shape:
        want = "".join(f", {s}" for s in shape)[2:]
        raise RuntimeError(f"Given normalized_shape={shape}, expected input with shape "
                           f"[*{want}], but got input of size{list(input.shape)}")
    dims = list(range(input.dim() - k, input.dim()))
    if weight is not None and weight.dtype != input.dtype:
        from .._dtype_names import c_type_name
        warnings.warn(f"Mismatch dtype between input and weight: input dtype = "
                      f"{c_type_name(input.dtype)}, weight dtype = {c_type_name(weight.dtype)}, "
                      "Cannot dispatch to fused implementation.", UserWarning, stacklevel=2)
    if (input.dtype in (_C.float16, _C.bfloat16) and weight is not None
            and weight.dtype != input.dtype):
        # torch's unfused path for a half input with another weight dtype: everything in
        # float32 (its eps too), the weight product included, rounded once to the input's dtype
        x = input.float()
        e = _EPS["float32"] if eps is None else eps
        return (x * (x * x).mean(dims, keepdim=True).add(e).rsqrt() * weight).to(input.dtype)
    if eps is None:
        eps = _EPS.get(str(input.dtype).rsplit(".", 1)[-1], _EPS["float32"])
    if input.dtype in (_C.float16, _C.bfloat16) and (weight is None or
                                                      weight.dtype == input.dtype):
        # torch computes half/bfloat16 in float32 (weight product included) and rounds once
        x = input.float()
        out = x * (x * x).mean(dims, keepdim=True).add(eps).rsqrt()
        if weight is not None:
            out = out * weight.float()
        return out.to(input.dtype)
    out = input * (input * input).mean(dims, keepdim=True).add(eps).rsqrt()
    if weight is None:
        return out
    # another weight dtype: the product in the promoted dtype, rounded to the input's (torch's
    # unfused path keeps the input's dtype)
    return out * weight if weight.dtype == input.dtype else (out * weight).to(input.dtype)
