"""nn.functional's remaining small layers and losses, composed from existing ops: rrelu(_),
alpha_dropout / feature_alpha_dropout, channel_shuffle, local_response_norm (torch's own
composition), pdist, gumbel_softmax, multi_margin_loss, multilabel_margin_loss,
multilabel_soft_margin_loss, triplet_margin_with_distance_loss. rrelu records torch's
RreluWithNoiseBackward0 node; where torch records another dedicated node (ChannelShuffleBackward0,
PdistBackward0, MultiMarginLossBackward0, MultilabelMarginLossBackward0, and rrelu_'s
RreluWithNoiseBackward1) the values and gradients are torch's, the node names are not."""
import math
import struct
import warnings

from .. import _C
from .._factories import (arange as _arange, empty as _empty, ones as _ones, rand as _rand,
                          zeros as _zeros)
from .._grad_mode import no_grad

_ALPHA = 1.7580993408473766  # SELU's alpha * scale: the value alpha dropout drops to (negated)


def _legacy(dtype):
    from ._conv3d_functional import _legacy as name
    return name(dtype)


def _reduction_of(size_average, reduce, reduction):
    from .functional import _reduction
    return _reduction(size_average, reduce, reduction)


# ------------------------------------------------------------------------------ activations


def _rrelu_backward(ctx, g):
    """Both rrelu nodes' backward: the noise while training, else leaky_relu's backward, the
    slope where the saved tensor is not > 0 (NaN included). The in-place node saved the result,
    which is > 0 exactly where the input was (a positive slope keeps the sign)."""
    from .. import where
    x, noise = ctx.saved_tensors
    lower, upper, training = ctx.bounds
    if training and upper - lower > 1e-6:
        return g * noise, None, None, None, None
    return where(x > 0, g, g * ((lower + upper) / 2.0)), None, None, None, None


def _rrelu_node():
    """The Functions behind rrelu, made on first use (the autograd modules import this
    package): (out of place, in place). torch's rrelu_with_noise, node RreluWithNoiseBackward0
    with its saved attributes (self, noise, lower, upper, training), a contiguous result; and
    rrelu_with_noise_, node RreluWithNoiseBackward1 (result, noise, lower, upper, training)."""
    global _RreluWithNoise
    if _RreluWithNoise is not None:
        return _RreluWithNoise
    from .._linalg_core import named, save_attrs
    from ..autograd.function import Function

    @named("RreluWithNoiseBackward0")
    class RreluWithNoise(Function):
        @staticmethod
        def forward(ctx, input, noise, lower, upper, training):
            from .functional import leaky_relu
            x = input.contiguous()
            out = x * noise if training else leaky_relu(x, (lower + upper) / 2.0)
            ctx.save_for_backward(input, noise)
            ctx.bounds = (lower, upper, training)
            save_attrs(ctx, self=input, noise=noise, lower=lower, upper=upper, training=training)
            return out.contiguous()

        backward = staticmethod(_rrelu_backward)

    @named("RreluWithNoiseBackward1")
    class RreluWithNoiseInplace(Function):
        """rrelu_: torch's rrelu_with_noise_, which saves the result (self, overwritten)."""
        @staticmethod
        def forward(ctx, input, noise, lower, upper, training):
            from .functional import leaky_relu_
            if training:
                input.mul_(noise)
            else:
                leaky_relu_(input, (lower + upper) / 2.0)
            ctx.mark_dirty(input)
            ctx._bump_dirty = False  # torch's native rrelu_ bumps the version once, by its write
            ctx.save_for_backward(input, noise)
            ctx.bounds = (lower, upper, training)
            save_attrs(ctx, noise=noise, lower=lower, upper=upper, training=training, result=input)
            return input

        backward = staticmethod(_rrelu_backward)

    _RreluWithNoise = (RreluWithNoise, RreluWithNoiseInplace)
    return _RreluWithNoise


_RreluWithNoise = None


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU: negative inputs scaled by U(lower, upper) while training, by
    (lower + upper) / 2 otherwise."""
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    if training:
        # torch's CPU kernel walks the elements in order and draws one float64 uniform in
        # [lower, upper) for each element <= 0 only (then rounded to the input's dtype), so a
        # seeded run draws the same slopes as torch's
        with no_grad():
            flat = input.detach().reshape(-1)
            neg = flat <= 0
            # u * (upper - lower) + lower in double, rounded twice (its kernel does not fuse
            # them, unlike uniform_'s), the bounds first rounded to the input's compute type
            # (float32 below float64)
            lo, hi = float(lower), float(upper)
            if input.dtype != _C.float64:
                lo, hi = (struct.unpack("f", struct.pack("f", v))[0] for v in (lo, hi))
            u = _empty((int(neg.sum()),), dtype=_C.float64, device=input.device).uniform_(0, 1)
            slopes = (u * (hi - lo) + lo).to(input.dtype)
            noise = _ones(flat.shape, dtype=input.dtype, device=input.device)
            noise[neg] = slopes
            noise = noise.reshape(tuple(input.shape))
        return _rrelu_node()[inplace].apply(input, noise, float(lower), float(upper), True)
    # torch's noise here is an uninitialized buffer, read by nothing
    noise = _empty(tuple(input.shape), dtype=input.dtype, device=input.device)
    return _rrelu_node()[inplace].apply(input, noise, float(lower), float(upper), False)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, inplace=True)


# ------------------------------------------------------------------------------- dropout


def _alpha_dropout(input, p, training, inplace, feature):
    if not isinstance(input, _C.Tensor):  # the early return below would hand it back
        name = "feature_alpha_dropout" if feature else "alpha_dropout"
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    # torch's order: the identity cases (eval mode included, even at p == 1), then p == 1, both
    # before the feature noise's rank check
    if p == 0 or not training or input.numel() == 0:
        return input
    if p == 1:
        zero = _zeros((), dtype=input.dtype, device=input.device)
        return input.mul_(zero) if inplace else input * zero
    if feature and input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    if not input.is_floating_point():  # torch's float noise multiplied into the input
        from .._dtype_names import type_name
        out_t = "Long" if input.dtype == _C.bool else type_name(input.dtype)
        raise RuntimeError(f"result type Float can't be cast to the desired output type {out_t}")
    shape = (tuple(input.shape[:2]) + (1,) * (input.dim() - 2)) if feature \
        else tuple(input.shape)
    with no_grad():
        keep = (_rand(shape, dtype=input.dtype, device=input.device) < (1 - p)).to(input.dtype)
        a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
        b = (keep - 1) * (_ALPHA * a) + _ALPHA * a * p
        noise = keep * a
    if inplace:
        return input.mul_(noise).add_(b)
    return input * noise + b


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps SELU's zero mean / unit variance: dropped units take SELU's negative
    saturation value, then an affine map restores the moments."""
    return _alpha_dropout(input, p, training, inplace, False)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """alpha_dropout of whole channels (one draw per (N, C))."""
    return _alpha_dropout(input, p, training, inplace, True)


# ------------------------------------------------------------------------- channel layers


def channel_shuffle(input, groups):
    """(N, C, *) -> channels regrouped: (N, g, C/g, *) transposed to (N, C/g, g, *)."""
    if input.dim() <= 2:
        raise RuntimeError("channel_shuffle expects input with > 2 dims, but got input with "
                           f"sizes {list(input.shape)}")
    if groups <= 0:
        raise RuntimeError("Number of groups to divide channels in must be positive. Value of "
                           f"groups:{groups}")
    c = input.shape[1]
    if c % groups != 0:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels "
                           f"and {groups} groups.")
    n, rest = input.shape[0], list(input.shape[2:])
    out = input.reshape([n, groups, c // groups] + rest).transpose(1, 2)
    return out.reshape([n, c] + rest)


native_channel_shuffle = channel_shuffle


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Each element divided by (k + alpha * mean of squares over `size` neighbouring channels)
    to the power beta (torch's composition: pad, average pool)."""
    from .functional import pad
    from ._pool_functional import avg_pool2d
    from ._pool3d_functional import avg_pool3d
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input "
                         f"(got {dim} dimensions)")
    if input.numel() == 0:
        return input
    div = input.mul(input)
    if dim == 3:
        div = pad(div.unsqueeze(1), (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = list(input.shape)
        div = div.reshape(sizes[0], 1, sizes[1], sizes[2], -1)
        div = pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1)
        div = div.reshape(sizes)
    div = div.mul(alpha).add(k).pow(beta)
    return input / div


# ------------------------------------------------------------------------------ distances


def pdist(input, p=2):
    """p-norm distances between all row pairs i < j of an (N, M) matrix, row-major."""
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if not input.is_floating_point():
        raise RuntimeError("pdist only supports floating-point dtypes")
    if not p >= 0:  # NaN too
        raise RuntimeError("pdist only supports non-negative p values")
    n = input.shape[0]
    from .. import triu_indices
    ij = triu_indices(n, n, 1, device=input.device)
    diff = input.index_select(0, ij[0]) - input.index_select(0, ij[1])
    return _vector_norm_rows(diff, p)


def _vector_norm_rows(diff, p):
    from .. import linalg
    return linalg.vector_norm(diff, p, dim=1)


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """softmax((logits + Gumbel noise) / tau); hard=True returns one-hot samples whose gradient
    is the soft sample's (straight-through)."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    if not logits.is_floating_point():  # torch draws its noise with exponential_ on a copy
        from .._dtype_names import type_name
        raise RuntimeError("Exponential distribution is a continuous probability distribution. "
                           f"dtype must be a floating point but you specified "
                           f"{type_name(logits.dtype)}")
    with no_grad():
        # -log(Exp(1)) ~ Gumbel(0, 1); Exp(1) = -log(U), U in (0, 1]
        u = 1.0 - _rand(tuple(logits.shape), dtype=logits.dtype, device=logits.device)
        gumbels = -((-u.log()).log())
    y_soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = _zeros(tuple(logits.shape), dtype=logits.dtype,
                    device=logits.device).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft


# ---------------------------------------------------------------------------------- losses


def _check_reduction(reduction):
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _margin_input(input):
    if input.dim() > 2 or (input.dim() == 2 and input.shape[1] == 0) or \
            (input.dim() <= 1 and input.numel() == 0):
        raise RuntimeError("Expected non-empty vector or matrix with optional 0-dim batch "
                           f"size, but got: {list(input.shape)}")


def _long_target(target):
    if target.dtype != _C.int64:
        raise RuntimeError(f"expected scalar type Long but found {_legacy(target.dtype)}")


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction="mean"):
    """sum over i != y of max(0, margin - x[y] + x[i])^p (times weight[y]) / C per sample."""
    reduction = _reduction_of(size_average, reduce, reduction)
    _check_reduction(reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    _margin_input(input)
    x = input if input.dim() == 2 else input.reshape(1, -1)
    n, c = x.shape
    tgt = target.reshape(-1)
    if target.dim() > 1 or tgt.numel() != n:
        raise RuntimeError("multi_margin_loss: target tensor should be 1-D with size equal to "
                           "the number of input samples (batch size). Expected target size "
                           f"[{n}], but got {list(target.shape)}. Input has shape "
                           f"{list(input.shape)}.")
    if weight is not None and weight.requires_grad and _C.is_grad_enabled():
        raise RuntimeError("The function 'multi_margin_loss' is not differentiable with respect "
                           "to argument 'weight'. This input cannot have requires_grad True.")
    if weight is not None and weight.numel() != c:
        raise RuntimeError(f"inconsistent weight size, expected {c} but got "
                           f"{list(weight.shape)}")
    _long_target(target)  # torch checks the shapes first, the target's dtype after
    if n and weight is not None and weight.dtype != x.dtype:  # its kernel reads weight as x's
        raise RuntimeError(f"expected scalar type {_legacy(x.dtype)} but found "
                           f"{_legacy(weight.dtype)}")
    if n and bool(((tgt < 0) | (tgt >= c)).any()):
        raise RuntimeError("target out of range")
    idx = tgt.reshape(n, 1)
    z = (margin - x.gather(1, idx)) + x
    h = _C.relu(z)
    if p == 2:
        h = h * h
    if weight is not None:
        h = h * weight.index_select(0, tgt).reshape(n, 1)
    h = h * (_arange(c, device=x.device).reshape(1, c) != idx).to(x.dtype)
    loss = h.sum(1) / c
    if input.dim() < 2 and target.dim() == 0:
        loss = loss.reshape(())  # torch: one unbatched sample, a 0-d target, a 0-d loss
    return _reduce(loss, reduction)


def _reduce(loss, reduction):
    if reduction == "none":
        return loss
    return loss.mean() if reduction == "mean" else loss.sum()


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """For each sample: sum over target classes j (listed in target up to the first -1) and
    non-target classes i of max(0, 1 - (x[j] - x[i])), divided by C."""
    reduction = _reduction_of(size_average, reduce, reduction)
    _check_reduction(reduction)
    _margin_input(input)
    x = input if input.dim() == 2 else input.reshape(1, -1)
    n, c = x.shape
    if tuple(target.shape) != tuple(input.shape) and not (
            input.dim() <= 1 and target.numel() == c and target.dim() <= 1):
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: "
                           f"{list(input.shape)}")
    _long_target(target)  # torch checks the shapes first, the target's dtype after
    rows = target.reshape(n, c).tolist()
    counts = [[0] * c for _ in range(n)]
    for r, row in enumerate(rows):
        for v in row:
            if v == -1:
                break
            if v < 0 or v >= c:
                raise RuntimeError("argument #2 'target' is out of range")
            counts[r][v] += 1
    cnt = _C.tensor(counts, dtype=x.dtype).to(x.device) if n else \
        _zeros(0, c, dtype=x.dtype, device=x.device)
    is_t = (cnt > 0).to(x.dtype)
    # pair[n, j, i] = max(0, 1 - x[j] + x[i]) for target j, non-target i
    pair = _C.relu(1.0 - x.unsqueeze(2) + x.unsqueeze(1))
    weight = cnt.unsqueeze(2) * (1.0 - is_t).unsqueeze(1)
    loss = (pair * weight).sum((1, 2)) / c
    if input.dim() <= 1:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    """Mean over classes of the binary logistic loss per class (torch's composition)."""
    from .functional import logsigmoid
    if size_average is not None or reduce is not None:
        reduction = _reduction_of(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    loss = loss.sum(class_dim) / input.shape[class_dim]
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(reduction + " is not valid")


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean"):
    """max(0, margin + d(a, p) - d(a, n)) for any distance d (pairwise_distance by default)."""
    from .functional import pairwise_distance
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a, p, n = anchor.dim(), positive.dim(), negative.dim()
    if not (a == p == n):
        raise RuntimeError("The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {a}D, positive {p}D, "
                           f"and negative {n}D inputs")
    dist = distance_function if distance_function is not None else pairwise_distance
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        d_neg = _C.minimum(d_neg, dist(positive, negative))
    loss = (margin + d_pos - d_neg).clamp_min(0)
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.mean()
    return loss

