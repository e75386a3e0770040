"""nn.init: in-place weight initialisers with torch's names, arguments and formulas (gains,
fan computation, kaiming/xavier bounds). Every fill runs under no_grad, as torch's do, so
initialising a Parameter records nothing on the tape."""
import math
import warnings

from .. import _C, _factories
from .._grad_mode import no_grad

__all__ = ["calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_",
           "zeros_", "eye_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
           "kaiming_normal_",
           # helper S: orthogonal_ / dirac_ / sparse_ and torch's deprecated no-underscore names
           "orthogonal_", "dirac_", "sparse_", "uniform", "normal", "constant", "eye", "dirac",
           "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal", "orthogonal",
           "sparse"]


def calculate_gain(nonlinearity, param=None):
    """The recommended gain for a nonlinearity (torch.nn.init.calculate_gain)."""
    linear_fns = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                  "conv_transpose2d", "conv_transpose3d"]
    if nonlinearity in linear_fns or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, (int, float)):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor):
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 "
                         "dimensions")
    receptive = 1
    for s in tuple(tensor.shape)[2:]:
        receptive *= s
    return tensor.size(1) * receptive, tensor.size(0) * receptive


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    valid_modes = ["fan_in", "fan_out"]
    if mode not in valid_modes:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid_modes}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _no_grad_uniform_(tensor, a, b, generator=None):
    with no_grad():
        if generator is None:
            return tensor.uniform_(a, b)
        return tensor.uniform_(a, b, generator=generator)


def _no_grad_normal_(tensor, mean, std, generator=None):
    with no_grad():
        if generator is None:
            return tensor.normal_(mean, std)
        return tensor.normal_(mean, std, generator=generator)


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fills `tensor` with samples from U(a, b)."""
    return _no_grad_uniform_(tensor, a, b, generator)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fills `tensor` with samples from N(mean, std**2)."""
    return _no_grad_normal_(tensor, mean, std, generator)


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Fills `tensor` with N(mean, std**2) samples restricted to [a, b], drawn as torch 2.13
    draws them (the same values for the same seed): when [a, b] holds more than 0.3 of the
    mass, normal draws with the ones outside redrawn; otherwise uniform proposals on [a, b]
    accepted with probability pdf / (pdf at the mode), the rejected ones proposed again."""
    def norm_cdf(x):
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The "
                      "distribution of values may be incorrect.", stacklevel=2)
    with no_grad():
        p = norm_cdf((b - mean) / std) - norm_cdf((a - mean) / std)
        if p > 0.3:
            # bounds rounded to the tensor's dtype, so the test agrees with what it holds
            lo = tensor.new_tensor(a, device="cpu").item()
            hi = tensor.new_tensor(b, device="cpu").item()
            result = _no_grad_normal_(tensor, mean, std, generator)
            while True:
                mask = (result < lo).logical_or(result > hi)
                if not mask.any():
                    break
                fresh = _no_grad_normal_(_factories.empty_like(result), mean, std, generator)
                result = fresh.where(mask, result)
            if result is not tensor:
                tensor.copy_(result)
            return tensor
        mode = max(a, min(mean, b))
        log_peak = -0.5 * ((mode - mean) / std) ** 2
        candidates = _factories.empty_like(tensor)
        accept_buf = _factories.empty_like(tensor)

        def log_ratio(c):  # log(pdf(c) / pdf(mode)), in place
            return c.sub_(mean).div_(std).pow_(2).mul_(-0.5).sub_(log_peak)

        _no_grad_uniform_(tensor, a, b, generator)  # a > b raises uniform_'s error, as torch
        log_ratio(candidates.copy_(tensor))
        pending = _no_grad_uniform_(accept_buf, 0.0, 1.0, generator).log_().gt(candidates)
        if pending.any():
            result = tensor
            while True:
                _no_grad_uniform_(candidates, a, b, generator)
                result = candidates.where(pending, result)
                log_ratio(candidates)
                accepted = _no_grad_uniform_(accept_buf, 0.0, 1.0, generator).log_()
                pending = accepted.gt(candidates).where(pending, pending)
                if not pending.any():
                    break
            tensor.copy_(result)
        return tensor


def eye_(tensor):
    """Fills a 2-d tensor with the identity (ones on the main diagonal)."""
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    with no_grad():
        rows, cols = tensor.shape
        return tensor.copy_(_C._eye(rows, cols, tensor.dtype))


def constant_(tensor, val):
    with no_grad():
        return tensor.fill_(val)


def ones_(tensor):
    with no_grad():
        return tensor.fill_(1.0)


def zeros_(tensor):
    with no_grad():
        return tensor.zero_()


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Glorot uniform: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    return _no_grad_uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Glorot normal: N(0, std**2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return _no_grad_normal_(tensor, 0.0, std, generator)


def _zero_element(tensor):
    if 0 in tuple(tensor.shape):
        warnings.warn("Initializing zero-element tensors is a no-op")
        return True
    return False


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He uniform: U(-bound, bound) with bound = gain * sqrt(3 / fan)."""
    if _zero_element(tensor):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    bound = math.sqrt(3.0) * gain / math.sqrt(fan)
    return _no_grad_uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He normal: N(0, std**2) with std = gain / sqrt(fan)."""
    if _zero_element(tensor):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    return _no_grad_normal_(tensor, 0.0, std, generator)


# ---- helper S: orthogonal_, dirac_, sparse_ and the deprecated names ----

def _orthonormal_columns(a):
    """Q of the reduced QR factorisation a = QR (a tall, full column rank) with R's diagonal
    positive: classical Gram-Schmidt with one reorthogonalisation per column, in float64.
    With R's signs fixed Q is unique, so this is torch's q * sign(diag(r)) up to rounding."""
    a = a.to(_C.float64)
    cols = []
    for j in range(a.shape[1]):
        v = a[:, j]
        if cols:
            q = _C.stack(cols, 1)
            for _ in range(2):
                v = v - q.mv(q.t().mv(v))
        cols.append(v / v.norm())
    return _C.stack(cols, 1)


def orthogonal_(tensor, gain=1, generator=None):
    """Fills `tensor` (flattened to rows x rest) with a (semi-)orthogonal matrix: the Q factor of
    a standard normal draw (torch's draw, so the same values under the same seed), times gain."""
    if tensor.dim() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.size(0)
    cols = tensor.numel() // rows
    with no_grad():
        flat = _no_grad_normal_(tensor.new_empty((rows, cols)), 0.0, 1.0, generator)
        q = _orthonormal_columns(flat.t() if rows < cols else flat)
        if rows < cols:
            q = q.t()
        tensor.view_as(q).copy_(q.to(tensor.dtype))
        tensor.mul_(gain)
    return tensor


def dirac_(tensor, groups=1):
    """Fills a 3-, 4- or 5-d convolution weight with the Dirac delta (identity convolution),
    per group: channel d of each group's outputs reads input channel d at the kernel centre."""
    dims = tensor.dim()
    if dims not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    sizes = tuple(tensor.shape)
    if sizes[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    per_group = sizes[0] // groups
    centre = tuple(s // 2 for s in sizes[2:])
    with no_grad():
        tensor.zero_()
        for g in range(groups):
            for d in range(min(per_group, sizes[1])):
                tensor[(g * per_group + d, d) + centre] = 1
    return tensor


def sparse_(tensor, sparsity, std=0.01, generator=None):
    """Fills a 2-d tensor with N(0, std**2) draws, then zeroes ceil(sparsity * rows) entries of
    each column (rows chosen by a random permutation per column, as torch draws them)."""
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tuple(tensor.shape)
    num_zeros = int(math.ceil(sparsity * rows))
    with no_grad():
        _no_grad_normal_(tensor, 0.0, std, generator)
        from .. import randperm
        for col in range(cols):
            zero_rows = randperm(rows)[:num_zeros]
            tensor[zero_rows, col] = 0
    return tensor


def _deprecated(new):
    old = new.__name__[:-1]

    def deprecated_init(*args, **kwargs):
        warnings.warn(f"`nn.init.{old}` is now deprecated in favor of `nn.init.{new.__name__}`.",
                      FutureWarning, stacklevel=2)
        return new(*args, **kwargs)
    deprecated_init.__name__ = old
    deprecated_init.__qualname__ = old
    deprecated_init.__doc__ = f"Deprecated: use nn.init.{new.__name__}."
    return deprecated_init


uniform = _deprecated(uniform_)
normal = _deprecated(normal_)
constant = _deprecated(constant_)
eye = _deprecated(eye_)
dirac = _deprecated(dirac_)
xavier_uniform = _deprecated(xavier_uniform_)
xavier_normal = _deprecated(xavier_normal_)
kaiming_uniform = _deprecated(kaiming_uniform_)
kaiming_normal = _deprecated(kaiming_normal_)
orthogonal = _deprecated(orthogonal_)
sparse = _deprecated(sparse_)
