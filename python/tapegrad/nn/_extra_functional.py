"""Functionals behind nn/modules/extra.py, composed from existing ops so autograd follows:
channel dropout, pixel_shuffle / pixel_unshuffle, bilinear and interpolate ('nearest',
'nearest-exact', 'linear', 'bilinear', 'trilinear', 'area' (adaptive average pooling, 3D/4D);
bicubic, lanczos, antialias raise NotImplementedError naming the mode)."""
import math
import warnings

import numpy as np

from ._pool_functional import adaptive_avg_pool1d, adaptive_avg_pool2d

__all__ = ["dropout1d", "dropout2d", "dropout3d",
           "pixel_shuffle", "pixel_unshuffle", "bilinear", "interpolate", "upsample",
           "upsample_nearest", "upsample_bilinear"]


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _channel_dropout(input, p, inplace):
    """Zeroes whole channels: one Bernoulli(1-p) draw per (batch, channel), broadcast over the
    spatial dims and scaled by 1/(1-p), so the product records a MulBackward0."""
    import tapegrad
    shape = list(input.shape[:2]) + [1] * (input.dim() - 2)
    mask = tapegrad.empty(shape, dtype=input.dtype, device=input.device)
    if p == 1:
        mask.zero_()
    else:
        mask.bernoulli_(1 - p).div_(1 - p)
    return input.mul_(mask) if inplace else input * mask


def _feature_dropout(input, p, training, inplace, batched):
    if not batched:
        # torch draws an unbatched input with a leading batch dim of 1, so even in eval mode
        # the result is a new (squeezed) view, not the input itself
        out = _feature_dropout(input.unsqueeze(0), p, training, inplace, True)
        return input if inplace else out.squeeze(0)
    if not training or p == 0 or input.numel() == 0:
        return input
    if input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    return _channel_dropout(input, p, inplace)


def dropout1d(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    if input.dim() not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.dim()}D input. Note "
            "that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            "inputs).")
    return _feature_dropout(input, p, training, inplace, input.dim() == 3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    n = input.dim()
    if n not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {n}-D input to dropout2d, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            "warning, please use dropout instead. Note that dropout2d exists to provide "
            "channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, and "
            "an optional batch dimension (i.e. 3D or 4D inputs).", stacklevel=2)
    if n == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2)
    return _feature_dropout(input, p, training, inplace, True)


def dropout3d(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    n = input.dim()
    if n not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {n}-D input to dropout3d, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            "warning, please use dropout instead. Note that dropout3d exists to provide "
            "channel-wise dropout on inputs with 3 spatial dimensions, a channel dimension, and "
            "an optional batch dimension (i.e. 4D or 5D inputs).", stacklevel=2)
    return _feature_dropout(input, p, training, inplace, n == 5)  # torch: only 5-d is batched


# ------------------------------------------------------------------------- pixel shuffle


def pixel_shuffle(input, upscale_factor):
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r): a reshape, a permute and a reshape (views where
    possible, so the gradient is the inverse permutation)."""
    r = int(upscale_factor)
    if input.dim() < 3:
        raise RuntimeError("pixel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with {input.dim()} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    *batch, c, h, w = input.shape
    if c % (r * r) != 0:
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be "
                           "divisible by the square of upscale_factor, but input.size(-3)="
                           f"{c} is not divisible by {r * r}")
    nb = len(batch)
    x = input.reshape(batch + [c // (r * r), r, r, h, w])
    b = list(range(nb))
    x = x.permute(b + [nb, nb + 3, nb + 1, nb + 4, nb + 2])
    return x.reshape(batch + [c // (r * r), h * r, w * r])


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W), the inverse of pixel_shuffle."""
    r = int(downscale_factor)
    if input.dim() < 3:
        raise RuntimeError("pixel_unshuffle expects input to have at least 3 dimensions, but "
                           f"got input with {input.dim()} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    *batch, c, h, w = input.shape
    if h % r != 0:
        raise RuntimeError("pixel_unshuffle expects height to be divisible by "
                           f"downscale_factor, but input.size(-2)={h} is not divisible by {r}")
    if w % r != 0:
        raise RuntimeError("pixel_unshuffle expects width to be divisible by "
                           f"downscale_factor, but input.size(-1)={w} is not divisible by {r}")
    nb = len(batch)
    x = input.reshape(batch + [c, h // r, r, w // r, r])
    b = list(range(nb))
    x = x.permute(b + [nb, nb + 2, nb + 4, nb + 1, nb + 3])
    return x.reshape(batch + [c * r * r, h // r, w // r])


# ----------------------------------------------------------------------------- bilinear


def bilinear(input1, input2, weight, bias=None):
    """y[..., o] = sum_ij x1[..., i] W[o, i, j] x2[..., j] + b[o], as one matmul of x1 with W
    laid out (i, o*j) followed by a product with x2 summed over j."""
    ts = (("input1", input1), ("input2", input2), ("weight", weight)) + \
        ((("bias", bias),) if bias is not None else ())
    if any(t.dtype != input1.dtype for _, t in ts):
        from .._dtype_names import c_type_name
        raise RuntimeError("All tensors must have the same dtype, got " +
                           ", ".join(f"{n}: {c_type_name(t.dtype)}" for n, t in ts))
    if input1.dim() != input2.dim():
        raise RuntimeError("bilinear(): input dimensions do not match: got "
                           f"{input1.dim()} and {input2.dim()}")
    for d in range(input1.dim() - 1):
        if input1.shape[d] != input2.shape[d]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {d}: "
                               f"got {input1.shape[d]} and {input2.shape[d]}")
    if weight.dim() != 3:
        raise RuntimeError(f"bilinear(): weight must be three-dimensional, got {weight.dim()}")
    o, i, j = weight.shape
    if input1.shape[-1] != i:
        raise RuntimeError("bilinear(): input1 size does not match weight size: got "
                           f"{input1.shape[-1]} but expected {i}")
    if input2.shape[-1] != j:
        raise RuntimeError("bilinear(): input2 size does not match weight size: got "
                           f"{input2.shape[-1]} but expected {j}")
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != o):
        raise RuntimeError("bilinear(): bias size does not match weight size: got "
                           f"{bias.shape[-1] if bias.dim() else 1} but expected {o}")
    batch = list(input1.shape[:-1])
    x1 = input1.reshape(-1, i)
    x2 = input2.reshape(-1, j)
    t = x1.matmul(weight.permute(1, 0, 2).reshape(i, o * j)).reshape(-1, o, j)
    y = t * x2.unsqueeze(1)
    # integral inputs keep their dtype (a plain sum promotes to int64)
    y = y.sum(-1) if y.is_floating_point() or y.is_complex() else y.sum(-1, dtype=y.dtype)
    if bias is not None:
        y = y + bias
    return y.reshape(batch + [o])


# -------------------------------------------------------------------------- interpolate

_ALL_MODES = ("lanczos", "nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")
# mode -> the input rank it needs (torch's pairing of modes and ranks)
_LINEAR_RANK = {"linear": 3, "bilinear": 4, "trilinear": 5}


def _spatial_tuple(value, n, what, input, fmt):
    # torch's wording: "Input and output ... output size of (..)" for size=, "Input and
    # scale_factor ... scale_factor of shape (..)" for scale_factor=
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            head, tail = (("output", "output size of") if what == "output size"
                          else ("scale_factor", "scale_factor of shape"))
            raise ValueError(
                f"Input and {head} must have the same number of spatial dimensions, but got "
                f"input with spatial dimensions of {list(input.shape[2:])} and {tail} {value}. "
                f"Please provide input tensor in (N, C, d1, d2, ...,dK) format and {what} in "
                f"{fmt} format.")
        return list(value)
    return [value] * n


def _scales(in_sizes, out_sizes, scale_factors):
    """The per-dim source/destination ratio the kernels use: 1/scale_factor when one was
    given (and not recomputed), else in/out."""
    return [1.0 / s if s is not None and s > 0 else i / o
            for i, o, s in zip(in_sizes, out_sizes, scale_factors)]


def _nearest_index(n_in, n_out, scale, exact):
    # torch computes nearest indices in float32: floor(dst * scale) (dst + 0.5 for -exact)
    dst = np.arange(n_out, dtype=np.float32)
    if exact:
        dst = dst + np.float32(0.5)
    src = np.floor(dst * np.float32(scale)).astype(np.int64)
    return np.minimum(src, n_in - 1)


def _linear_weights(n_in, n_out, scale, align_corners, np_dtype):
    """Left index, right index and right weight of each output position along one dim."""
    dst = np.arange(n_out, dtype=np_dtype)
    if align_corners:
        ratio = np_dtype((n_in - 1) / (n_out - 1)) if n_out > 1 else np_dtype(0)
        src = dst * ratio
    else:
        src = np.maximum(np_dtype(scale) * (dst + np_dtype(0.5)) - np_dtype(0.5), np_dtype(0))
    i0 = np.minimum(src.astype(np.int64), n_in - 1)
    i1 = i0 + (i0 < n_in - 1)
    lam = np.clip(src - i0.astype(np_dtype), 0, 1).astype(np_dtype)
    return i0, i1, lam


def _cubic_along(x, dim, trailing, n_in, n_out, scale, align_corners, np_dtype):
    """torch's bicubic resampling along one dim (the 2-D kernel is separable): four taps
    around floor(src), clamped to the border, weighted by Keys' cubic convolution (A = -0.75).
    Unlike the linear modes the source position is not clamped at 0."""
    import tapegrad
    A = np_dtype(-0.75)
    dst = np.arange(n_out, dtype=np_dtype)
    if align_corners:
        src = dst * (np_dtype((n_in - 1) / (n_out - 1)) if n_out > 1 else np_dtype(0))
    else:
        src = np_dtype(scale) * (dst + np_dtype(0.5)) - np_dtype(0.5)
    base = np.floor(src)
    t = (src - base).astype(np_dtype)
    base = base.astype(np.int64)
    one = np_dtype(1)

    def near(v):  # |v| <= 1
        return ((A + 2) * v - (A + 3)) * v * v + one

    def far(v):  # 1 < |v| < 2
        return ((A * v - 5 * A) * v + 8 * A) * v - 4 * A

    weights = (far(t + one), near(t), near(one - t), far(2 * one - t))
    shape = [n_out] + [1] * trailing
    out = None
    for j, w in enumerate(weights):
        idx = np.clip(base - 1 + j, 0, n_in - 1)
        term = x.index_select(dim, tapegrad.tensor(idx, device=x.device)) * tapegrad.tensor(
            w.astype(np_dtype).reshape(shape), dtype=x.dtype, device=x.device)
        out = term if out is None else out + term
    return out


def _uint8_taps(n_in, n_out, scale, align_corners, mode):
    """Per output position: the source indices and float64 weights of torch's uint8 resampler.
    bilinear: a triangle filter over the window [center - 1, center + 1) clipped to the image
    and renormalised; bicubic: Keys' cubic (A = -0.75) at the four clamped taps around
    floor(src), weights of a repeated (clamped) index merged."""
    taps = []
    for i in range(n_out):
        if mode == "bilinear":
            center = scale * i + 0.5 if align_corners else scale * (i + 0.5)
            lo = max(int(center - 1 + 0.5), 0)
            hi = min(int(center + 1 + 0.5), n_in)
            idx = list(range(lo, hi))
            ws = [max(0.0, 1 - abs(j - center + 0.5)) for j in idx]
            total = sum(ws)
            if total != 0:
                ws = [w / total for w in ws]
        else:
            A = -0.75
            src = scale * i if align_corners else scale * (i + 0.5) - 0.5
            base = math.floor(src)
            t = src - base
            near = lambda v: ((A + 2) * v - (A + 3)) * v * v + 1  # noqa: E731
            far = lambda v: ((A * v - 5 * A) * v + 8 * A) * v - 4 * A  # noqa: E731
            merged = {}
            for k, w in enumerate((far(t + 1), near(t), near(1 - t), far(2 - t))):
                j = min(max(base - 1 + k, 0), n_in - 1)
                merged[j] = merged.get(j, 0.0) + w
            idx = sorted(merged)
            ws = [merged[j] for j in idx]
        taps.append((idx, ws))
    return taps


def _resample_uint8(input, in_sizes, out_sizes, ratios, align_corners, mode):
    """torch's uint8 bilinear / bicubic: separable passes (width first, then height; a dim whose
    size does not change is skipped), each in fixed point: int16-range weights scaled by 2**p
    (the largest p whose doubled top weight stays below 2**15), a rounding half added, shifted
    back and clamped to 0..255 between passes."""
    import tapegrad
    a = input.detach().cpu().contiguous().numpy().astype(np.int64)
    for axis in (3, 2):
        n_in, n_out = in_sizes[axis - 2], out_sizes[axis - 2]
        if n_in == n_out:
            continue
        scale = ((n_in - 1) / (n_out - 1) if n_out > 1 else 0.0) if align_corners \
            else ratios[axis - 2]
        taps = _uint8_taps(n_in, n_out, scale, align_corners, mode)
        top = max((abs(w) for _, ws in taps for w in ws), default=0.0)
        p = 0
        for p in range(22):
            if int(0.5 + top * (1 << (p + 1))) >= (1 << 15):
                break
        x = np.moveaxis(a, axis, -1)
        out = np.empty(x.shape[:-1] + (n_out,), dtype=np.int64)
        for i, (idx, ws) in enumerate(taps):
            acc = np.full(x.shape[:-1], 1 << (p - 1) if p else 0, dtype=np.int64)
            for j, w in zip(idx, ws):
                fixed = math.floor(w * (1 << p) + 0.5) if w >= 0 else math.ceil(w * (1 << p) - 0.5)
                acc += x[..., j] * fixed
            out[..., i] = np.clip(acc >> p, 0, 255)
        a = np.moveaxis(out, -1, axis)
    res = tapegrad.from_numpy(np.ascontiguousarray(a.astype(np.uint8)))
    return res if input.device.type == "cpu" else res.to(input.device)


def _check_dtype(input, mode):
    # torch's CPU kernels: nearest modes take floats and uint8, the linear ones floats only
    # (uint8 bilinear has a fixed-point kernel of its own that tapegrad does not reproduce)
    import tapegrad
    dt = input.dtype
    if dt.is_floating_point:
        return
    nearest = mode in ("nearest", "nearest-exact")
    if nearest and dt == tapegrad.uint8:
        return
    if mode in ("bilinear", "bicubic") and dt == tapegrad.uint8:
        return
    kind = "nearest" if nearest else "linear"
    name = input.type().rsplit(".", 1)[-1][:-len("Tensor")]
    raise NotImplementedError(f'"compute_indices_weights_{kind}" not implemented for '
                              f"'{name}'")


def _align_corners_error(mode, ndim, antialias, size, recompute, align_corners):
    """torch's parser error of the upsample kernel interpolate hands a non-bool align_corners
    (interpolate itself lets any value through)."""
    n = ndim - 2
    kernel = f"upsample_{mode}{n}d"
    if antialias:
        kernel = f"_{kernel}_aa"
    if size is not None:
        got_size = type(size).__name__ if isinstance(size, (list, tuple)) else "list"
        got_scales = "NoneType"
    else:
        got_size, got_scales = ("list", "NoneType") if recompute else ("NoneType", "list")
    scales = ", ".join(f"float scales_{d} = None" for d in ("d", "h", "w")[3 - n:]) \
        if n > 1 else "float scales = None"
    return TypeError(
        f"{kernel}() received an invalid combination of arguments - got (Tensor, {got_size}, "
        f"{type(align_corners).__name__}, {got_scales}), but expected one of:\n"
        " * (Tensor input, tuple of ints output_size, bool align_corners, tuple of floats "
        "scale_factors)\n"
        f" * (Tensor input, tuple of ints output_size, bool align_corners, {scales}, *, "
        "Tensor out = None)\n")


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resizes the spatial dims of a (N, C, d1[, d2]) input with index_select gathers (nearest)
    or a weighted sum of two gathers per dim (linear / bilinear: separable), so autograd
    scatters the gradient back through IndexSelectBackward0."""
    import tapegrad
    if mode in ("nearest", "area", "nearest-exact") and align_corners is not None:
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    n = input.dim() - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    in_sizes = list(input.shape[2:])
    if size is not None:
        given = _spatial_tuple(size, n, "output size", input, "(o1, o2, ...,oK)")
        if isinstance(size, (list, tuple)) or isinstance(size, float):
            if not all(isinstance(v, int) for v in given):
                raise TypeError("expected size to be one of int or Tuple[int] or Tuple[int, "
                                "int] or Tuple[int, int, int], but got size with types "
                                f"{[type(v) for v in given]}")
        out_sizes = [int(v) for v in given]
        scales = [None] * n
    elif scale_factor is not None:
        scales = [float(s) for s in _spatial_tuple(scale_factor, n, "scale_factor", input,
                                                   "(s1, s2, ...,sK)")]
        if not all(math.isfinite(i * s) for i, s in zip(in_sizes, scales)):
            # torch converts the size to int64 checked (NaN and inf do not fit)
            raise RuntimeError("value cannot be converted to type int64_t without overflow")
        out_sizes = [math.floor(i * s) for i, s in zip(in_sizes, scales)]
        if recompute_scale_factor:
            scales = [None] * n
    else:
        raise ValueError("either size or scale_factor should be defined")
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.dim() == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos "
                         "modes and requires a 4-D tensor as input")
    if mode in _LINEAR_RANK and input.dim() != _LINEAR_RANK[mode]:
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs "
                                  f"{_LINEAR_RANK[mode]}D input")
    if mode not in _ALL_MODES or input.dim() not in (3, 4, 5):
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for "
            "the modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
            f"nearest-exact (got {mode})")
    if (mode in ("linear", "bilinear", "bicubic", "trilinear")
            and (mode != "bicubic" or input.dim() == 4)
            and not (align_corners is None or isinstance(align_corners, bool)
                     or type(align_corners).__name__ == "bool_")):
        raise _align_corners_error(mode, input.dim(), antialias, size, recompute_scale_factor,
                                   align_corners)
    if antialias:
        raise NotImplementedError(f"interpolate: antialias=True (mode '{mode}') is not "
                                  "supported by tapegrad")
    if mode == "area":
        # torch's 'area' mode is adaptive average pooling to the output size
        if not input.is_floating_point():
            from .._dtype_names import type_name
            kernel = "adaptive_avg_pool3d_cpu" if input.dim() == 5 else "adaptive_avg_pool2d"
            raise NotImplementedError(f"\"{kernel}\" not implemented for "
                                      f"'{type_name(input.dtype)}'")
        if input.dim() == 5:
            from ._pool3d_functional import adaptive_avg_pool3d
            return adaptive_avg_pool3d(input, out_sizes)
        pool = adaptive_avg_pool1d if input.dim() == 3 else adaptive_avg_pool2d
        return pool(input, out_sizes if n > 1 else out_sizes[0])
    if mode == "bicubic" and input.dim() != 4:
        raise NotImplementedError(f"Got {input.dim()}D input, but bicubic mode needs 4D input")
    if mode not in ("nearest", "nearest-exact", "linear", "bilinear", "trilinear", "bicubic"):
        raise NotImplementedError(f"interpolate: mode '{mode}' on a {input.dim()}D input is not "
                                  "supported by tapegrad (only 'nearest', 'nearest-exact', "
                                  "'linear', 'bilinear', 'trilinear' and 'area' on 3D/4D)")
    if any(o <= 0 for o in out_sizes) or any(i <= 0 for i in in_sizes):
        names = ("D", "H", "W")[3 - n:]
        ins = ", ".join(f"{k}: {v}" for k, v in zip(names, in_sizes))
        outs = ", ".join(f"{k}: {v}" for k, v in zip(names, out_sizes))
        sep = " and" if n == 1 else ""  # torch's 1-D wording has the "and"
        raise RuntimeError("Input and output sizes should be greater than 0, but got input "
                           f"({ins}){sep} output ({outs})")
    _check_dtype(input, mode)
    ratios = _scales(in_sizes, out_sizes, scales)
    if input.dtype == tapegrad.uint8 and mode in ("bilinear", "bicubic"):
        return _resample_uint8(input, in_sizes, out_sizes, ratios, bool(align_corners), mode)
    np_dtype = np.float64 if input.dtype == tapegrad.float64 else np.float32
    out = input
    for k in range(n):
        dim = 2 + k
        if mode in ("nearest", "nearest-exact"):
            idx = _nearest_index(in_sizes[k], out_sizes[k], ratios[k], mode == "nearest-exact")
            out = out.index_select(dim, tapegrad.tensor(idx, device=input.device))
            continue
        if mode == "bicubic":
            out = _cubic_along(out, dim, n - 1 - k, in_sizes[k], out_sizes[k], ratios[k],
                               bool(align_corners), np_dtype)
            continue
        i0, i1, lam = _linear_weights(in_sizes[k], out_sizes[k], ratios[k], bool(align_corners),
                                      np_dtype)
        shape = [out_sizes[k]] + [1] * (n - 1 - k)
        w1 = tapegrad.tensor(lam.reshape(shape), dtype=input.dtype, device=input.device)
        w0 = tapegrad.tensor((1 - lam).reshape(shape), dtype=input.dtype, device=input.device)
        a = out.index_select(dim, tapegrad.tensor(i0, device=input.device))
        b = out.index_select(dim, tapegrad.tensor(i1, device=input.device))
        out = a * w0 + b * w1
    return out


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` "
                  "instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use "
                  "`nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use "
                  "`nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
