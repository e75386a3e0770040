"""nn.functional's normalisations beyond layer_norm: batch_norm (the fused native_batch_norm op,
NativeBatchNormBackward0 as torch), and instance_norm / group_norm / rms_norm composed from it,
layer_norm and primitives, with torch's argument checks and wording."""
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
    if input.numel() == 0 and input.dim() >= 2:
        # torch's empty-input path: a copy scaled by the first weight / shifted by the first
        # bias, which keeps the parameters in the graph (MulBackward0 / AddBackward0)
        out = input.clone()
        if weight is not None:
            out = out * weight[0]
        if bias is not None:
            out = out + bias[0]
        return out
    return _C.batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps)


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
    """layer_norm of each group's (C/G * spatial) values, then the per-channel affine."""
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{input.dim()}")
    shape = list(input.shape)
    n, c = shape[0], shape[1]
    _verify_batch_size([n * c // num_groups, num_groups] + shape[2:])
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, "
                           f"but got input of shape {shape} and num_groups={num_groups}")
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and (p.dim() != 1 or p.numel() != c):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of "
                               f"channels in input, but got {name} of shape {list(p.shape)} and "
                               f"input of shape {shape}")
    per_group = 1
    for s in shape[1:]:
        per_group *= s
    per_group //= num_groups
    out = _C.layer_norm(input.reshape(n, num_groups, per_group), [per_group], None, None, eps)
    out = out.reshape(shape)
    pshape = [1, c] + [1] * (len(shape) - 2)
    if weight is not None:
        out = out * weight.reshape(pshape)
    if bias is not None:
        out = out + bias.reshape(pshape)
    return out


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """input * rsqrt(mean(input**2 over the normalized dims) + eps) * weight."""
    shape = list(normalized_shape)
    k = len(shape)
    if weight is not None and list(weight.shape) != shape:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got "
                           f"weight of shape {list(weight.shape)} and normalized_shape = {shape}")
    if input.dim() < k or list(input.shape[input.dim() - k:]) != shape:
        want = "".join(f", {s}" for s in shape)[2:]
        raise RuntimeError(f"Given normalized_shape={shape}, expected input with shape "
                           f"[*{want}], but got input of size{list(input.shape)}")
    if eps is None:
        eps = _EPS.get(str(input.dtype).rsplit(".", 1)[-1], _EPS["float32"])
    dims = list(range(input.dim() - k, input.dim()))
    out = input * (input * input).mean(dims, keepdim=True).add(eps).rsqrt()
    return out * weight if weight is not None else out
