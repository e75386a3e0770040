"""nn.functional's 3-d pools, LP pools and max unpooling, composed from existing ops.

max_pool3d pools (H, W) with the max_pool2d op, then takes the maximum over the depth windows
(stacked slices), so ties resolve in torch's (d, h, w) scan order and indices are flat over
D*H*W. avg_pool3d sums windows with conv3d and a ones kernel, then divides by torch's
per-window divisor. The adaptive pools use averaging matrices / window-by-window maxima.
lp_pool* follow torch's own composition; max_unpool* scatter into a zero image."""
from collections.abc import Iterable as _Iterable

from .. import _C
from .._grad_mode import no_grad as _no_grad
from .._factories import arange as _arange, ones as _ones, tensor as _tensor, zeros as _zeros
from .._out_arg import call as _out_call
from ._conv3d_functional import conv3d
from ._pool_functional import (_adaptive_avg, _adaptive_sizes, _list_with_default,
                               _negative_output, _record_adaptive_max, _divisors, _out_len, _windows,
                               _window_mean,
                               avg_pool1d, avg_pool2d, max_pool1d)

_WORDS = {1: "one", 2: "two", 3: "three"}


def _tuple3(v, name, what, word="either be"):
    if isinstance(v, int):
        return (v,) * 3
    v = tuple(v)
    if len(v) == 1:
        return v * 3
    if len(v) != 3:
        raise RuntimeError(f"{what}: {name} must {word} a single int, or a tuple of three ints")
    return v


def _pool_out_len(size, k, s, p, dil, ceil_mode):
    # torch's pooling_output_shape with dilation
    num = size + 2 * p - dil * (k - 1) - 1 + ((s - 1) if ceil_mode else 0)
    out = num // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _pool3d_args(input, kernel_size, stride, padding, what, word):
    if input.dim() not in (4, 5):
        raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")
    k = _tuple3(kernel_size, "kernel_size", what, word)
    empty = stride is None or (not isinstance(stride, int) and len(stride) == 0)
    s = k if empty else _tuple3(stride, "stride", what, word)
    p = _tuple3(padding, "padding", what, word)
    if any(v == 0 for v in s) or any(v == 0 for v in k):
        raise RuntimeError("stride should not be zero")
    return k, s, p


def _check_half_pad(k, p, d):
    # torch's pooling_output_shape per dim: a negative pad, then more than half the kernel
    for kk, pp, dd in zip(k, p, d):
        if pp < 0:
            raise RuntimeError(f"pad must be non-negative, but got pad: {pp}")
        if 2 * pp > kk:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={pp}, kernel_size={kk} and dilation={dd}")


def _lowest(dt):
    # the depth padding of max_pool3d: -inf, or an integral dtype's minimum (-inf converted to
    # int8/int16 is not their minimum)
    if dt.is_floating_point:
        return float("-inf")
    if dt == _C.bool:
        return False
    from .._runtime import iinfo
    return iinfo(dt).min


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    k, s, p = _pool3d_args(input, kernel_size, stride, padding, "max_pool3d", "either be")
    d = _tuple3(dilation, "dilation", "max_pool3d")
    if any(v <= 0 for v in d):
        raise RuntimeError(f"dilation should be greater than zero, but got dilationT: {d[0]} "
                           f"dilationH: {d[1]} dilationW: {d[2]}")
    _check_half_pad(k, p, d)
    batched = input.dim() == 5
    x = input if batched else input.unsqueeze(0)
    n, c, D, H, W = x.shape
    out = [_pool_out_len(sz, kk, st, pp, dd, ceil_mode)
           for sz, kk, st, pp, dd in zip((D, H, W), k, s, p, d)]
    for i in range(1 if batched else 0, input.dim()):
        if input.shape[i] <= 0:  # torch names the dim by its size (0), not its position
            raise RuntimeError(
                "max_pool3d_with_indices_out_cpu_template(): Expected input's non-batch "
                f"dimensions to have positive length, but input has a shape of "
                f"{list(input.shape)} and non-batch dimension {input.shape[i]} has length zero!")
    if any(o < 1 for o in out):
        raise RuntimeError(f"Given input size: ({c}x{D}x{H}x{W}). Calculated output size: "
                           f"({c}x{out[0]}x{out[1]}x{out[2]}). Output size is too small")
    od, oh, ow = out
    # (H, W) first, one depth slice at a time
    v2, i2 = _C.max_pool2d_with_indices(x.reshape(n * c * D, 1, H, W), list(k[1:]),
                                        list(s[1:]), list(p[1:]), list(d[1:]), ceil_mode)
    v2 = v2.reshape(n, c, D, oh * ow)
    i2 = i2.reshape(n, c, D, oh * ow)
    right = max(0, (od - 1) * s[0] + d[0] * (k[0] - 1) + 1 - (D + p[0]))
    if p[0] or right:
        v2 = _C.pad(v2, [0, 0, p[0], right], "constant", _lowest(v2.dtype))
        i2 = _C.pad(i2, [0, 0, p[0], right], "constant", 0)
    span = (od - 1) * s[0] + 1
    take = [slice(j * d[0], j * d[0] + span, s[0]) for j in range(k[0])]
    stacked = _C.stack([v2[:, :, t] for t in take], 2)  # (n, c, k[0], od, oh*ow)
    vals, j = stacked.max(2)  # (n, c, od, oh*ow): the first of tied maxima, as torch
    if stacked.is_floating_point():
        # torch's kernel takes every NaN it meets: a window with NaNs keeps the last one's
        # index (the 2-D pools above already do so within each depth slice)
        nan = stacked.isnan()
        last_nan = (k[0] - 1) - nan.flip([2]).to(_C.int64).argmax(2)
        j = _C.where(nan.any(2), last_nan, j)
    hw = _C.stack([i2[:, :, t] for t in take], 2).gather(2, j.unsqueeze(2)).squeeze(2)
    start = _arange(od, device=x.device).reshape(od, 1) * s[0] - p[0]
    idx = (start + j * d[0]) * (H * W) + hw
    vals, idx = vals.reshape(n, c, od, oh, ow), idx.reshape(n, c, od, oh, ow)
    if not batched:
        vals, idx = vals.squeeze(0), idx.squeeze(0)
    return vals, idx


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    out, idx = max_pool3d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return (out, idx) if return_indices else out


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None, *, out=None):
    if out is not None:
        return _out_call("avg_pool3d", out, avg_pool3d, input, kernel_size, stride, padding,
                         ceil_mode, count_include_pad, divisor_override)
    k, s, p = _pool3d_args(input, kernel_size, stride, padding, "avg_pool3d", "be")
    _check_half_pad(k, p, (1, 1, 1))
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    batched = input.dim() == 5
    x = input if batched else input.unsqueeze(0)
    n, c, D, H, W = x.shape
    # torch's pool3d_shape_check: strides, then the input against the kernel (padding aside)
    if any(v <= 0 for v in s):
        raise RuntimeError(f"stride should be greater than zero, but got dT: {s[0]} dH: {s[1]} "
                           f"dW: {s[2]}")
    for i in range(int(batched), input.dim()):
        if input.shape[i] == 0:
            raise RuntimeError(
                "avg_pool3d(): Expected input's non-batch dimensions to have positive length, "
                f"but input has a shape of {list(input.shape)} and non-batch dimension 0 has "
                "length zero!")
    if any(sz < kk for sz, kk in zip((D, H, W), k)):
        raise RuntimeError(f"input image (T: {D} H: {H} W: {W}) smaller than kernel size "
                           f"(kT: {k[0]} kH: {k[1]} kW: {k[2]})")
    size = [_out_len(sz, kk, st, pp, ceil_mode) for sz, kk, st, pp in zip((D, H, W), k, s, p)]
    if any(o < 1 for o in size):
        raise RuntimeError(f"Given input size: ({c}x{D}x{H}x{W}). Calculated output size: "
                           f"({c}x{size[0]}x{size[1]}x{size[2]}). Output size is too small")
    # zero padding: torch's left padding, and on the right whatever the last window reads
    pads = []
    for o, st, kk, sz, pp in reversed(list(zip(size, s, k, (D, H, W), p))):
        pads += [pp, max(0, (o - 1) * st + kk - (sz + pp))]
    xp = x.reshape(n * c, 1, D, H, W)
    if any(pads):
        xp = _C.pad(xp, pads, "constant", 0.0)
    sums = conv3d(xp, _ones(1, 1, *k, dtype=x.dtype, device=x.device), None, s)
    if divisor_override is not None:
        res = _window_mean(sums, divisor_override)
    else:
        dd, dh, dw = (_divisors(sz, kk, st, pp, o, count_include_pad)
                      for sz, kk, st, pp, o in zip((D, H, W), k, s, p, size))
        div = _tensor([[[a * b * e for e in dw] for b in dh] for a in dd], dtype=x.dtype,
                      device=x.device)
        res = _window_mean(sums, div)
    res = res.reshape(n, c, *size)
    return res if batched else res.squeeze(0)


def _adaptive3d_check(input, what, sep="", nonzero=True):
    if input.dim() not in (4, 5):
        raise RuntimeError(f"{what}(): Expected 4D or 5D tensor, but got{sep} "
                           f"{list(input.shape)}")
    if nonzero:
        _adaptive3d_nonzero(input, what)


def _adaptive3d_nonzero(input, what):
    # from dim 1 whether batched or not, as torch (an unbatched input may have no channels)
    for dim in range(1, input.dim()):
        if input.shape[dim] == 0:
            raise RuntimeError(f"{what}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {list(input.shape)} with "
                               f"dimension {dim} being empty")


def _adaptive3d_sizes(output_size, input, what, msg):
    if not isinstance(output_size, int) and output_size is not None \
            and len(tuple(output_size)) != 3:
        raise RuntimeError(msg)
    return _adaptive_sizes(output_size, tuple(input.shape[-3:]), 3, what)


def adaptive_avg_pool3d(input, output_size):
    _list_with_default(output_size, input)
    _adaptive3d_check(input, "adaptive_avg_pool3d", nonzero=False)
    od, oh, ow = _adaptive3d_sizes(output_size, input, "adaptive_avg_pool3d",
                                   "adaptive_avg_pool3d: output_size must be 3")
    if (od, oh, ow) == (1, 1, 1):  # global average: torch takes the mean (MeanBackward1)
        return input.mean((-3, -2, -1), keepdim=True)
    _adaptive3d_nonzero(input, "adaptive_avg_pool3d")
    return _adaptive_avg(input, (od, oh, ow), "AdaptiveAvgPool3DBackward0")


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    _list_with_default(output_size, input)
    _adaptive3d_check(input, "adaptive_max_pool3d", ":")
    given = (output_size,) * 3 if isinstance(output_size, int) else tuple(output_size or ())
    if len(given) == 3:
        _negative_output([o for o in given if o is not None], input.shape[:-3])
    od, oh, ow = _adaptive3d_sizes(
        output_size, input, "adaptive_max_pool3d",
        "adaptive_max_pool3d(): internal error: output_size.size() must be 3")
    D, H, W = input.shape[-3:]
    lead = list(input.shape[:-3])
    vals, idxs = [], []
    with _no_grad():
        for ds, de in _windows(D, od):
            for hs, he in _windows(H, oh):
                for ws, we in _windows(W, ow):
                    v, i = input[..., ds:de, hs:he, ws:we].reshape(
                        lead + [(de - ds) * (he - hs) * (we - ws)]).max(-1)  # lead may hold a 0
                    vals.append(v)
                    hw, w_len = (he - hs) * (we - ws), we - ws
                    idxs.append(((i // hw + ds) * H + (i % hw) // w_len + hs) * W
                                + i % w_len + ws)
        if not vals:
            v = _zeros(lead + [od, oh, ow], dtype=input.dtype, device=input.device)
            i = _zeros(lead + [od, oh, ow], dtype=_C.int64, device=input.device)
        else:
            v = _C.stack(vals, -1).reshape(lead + [od, oh, ow])
            i = _C.stack(idxs, -1).reshape(lead + [od, oh, ow])
    return _record_adaptive_max(input, v, i, 3, "AdaptiveMaxPool3DBackward0"), i


def adaptive_max_pool3d(input, output_size, return_indices=False):
    out, idx = adaptive_max_pool3d_with_indices(input, output_size)
    return (out, idx) if return_indices else out


# ------------------------------------------------------------------------- LP pooling


def _lp_finish(out, norm_type, window):
    # torch's: sign(out) * relu(|out|) * window, to the power 1/p
    return (_C.sign(out) * _C.relu(out.abs())).mul(window).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    if isinstance(norm_type, (int, float)):
        if norm_type == float("inf"):
            return max_pool1d(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
        if norm_type == -float("inf"):
            return -max_pool1d(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    out = avg_pool1d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return _lp_finish(out, norm_type, kernel_size)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    from .functional import max_pool2d
    kw, kh = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)
    if isinstance(norm_type, (int, float)):
        if norm_type == float("inf"):
            return max_pool2d(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
        if norm_type == -float("inf"):
            return -max_pool2d(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    out = avg_pool2d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return _lp_finish(out, norm_type, kw * kh)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    kd, kw, kh = _tuple3(kernel_size, "kernel_size", "lp_pool3d")
    if isinstance(norm_type, (int, float)):
        if norm_type == float("inf"):
            return max_pool3d(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
        if norm_type == -float("inf"):
            return -max_pool3d(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    out = avg_pool3d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return _lp_finish(out, norm_type, kd * kw * kh)


# ------------------------------------------------------------------------- max unpooling


def _unpool_output_size(input, kernel_size, stride, padding, output_size):
    n = len(kernel_size)
    default = [(input.shape[-n + d] - 1) * stride[d] + kernel_size[d] - 2 * padding[d]
               for d in range(n)]
    if output_size is None:
        ret = default
    else:
        if len(output_size) == n + 2:
            output_size = output_size[2:]
        if len(output_size) != n:
            raise ValueError(f"output_size should be a sequence containing {n} or {n + 2} "
                             f"elements, but it has a length of '{len(output_size)}'")
        for d in range(n):
            lo, hi = default[d] - stride[d], default[d] + stride[d]
            if not lo < output_size[d] < hi:
                raise ValueError(f'invalid output_size "{output_size}" (dim {d} must be '
                                 f"between {lo} and {hi})")
        ret = output_size
    for d in range(n):
        if ret[d] < 0:
            raise ValueError("max_unpooling: output_size must contain non-negative spatial "
                             f"dimensions, but got output_size[{d}]={ret[d]}")
    return list(ret)


def _unpool(input, indices, out_size, nd, name):
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"Input to {name} should be a {nd + 1}d or {nd + 2}d Tensor, but got "
                           f"a tensor with {input.dim()} dimensions.")
    if indices.dtype != _C.int64:
        from ._conv3d_functional import _legacy
        raise RuntimeError(f"elements in indices should be type int64 but got: "
                           f"{_legacy(indices.dtype)}")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({list(input.shape)}) but got indices tensor with shape: "
                           f"{list(indices.shape)}")
    for d in range(1, input.dim()):  # batched or not: an unbatched input needs channels
        if input.shape[d] == 0:
            raise RuntimeError(f"{name}_forward_out_cpu(): Expected input to have non-zero size "
                               f"for non-batch dimensions, but got {list(input.shape)} with "
                               f"dimension {d} being empty.")
    lead = list(input.shape[:-nd])
    total = 1
    for v in out_size:
        total *= v
    per_plane = 1
    for v in input.shape[len(lead):]:
        per_plane *= v
    flat_i = indices.reshape(lead + [per_plane])  # no -1: lead may hold a 0
    if total == 0:  # torch's kernel writes nothing, and so checks no index
        return _zeros(lead + list(out_size), dtype=input.dtype, device=input.device)
    if flat_i.numel():
        bad = (flat_i < 0) | (flat_i >= total)
        if bool(bad.any()):
            # torch's kernel reports the last offending index of the first plane with one
            planes = bad.reshape(-1, bad.shape[-1])
            plane = int(planes.any(-1).nonzero()[0, 0])
            row = flat_i.reshape(-1, bad.shape[-1])[plane]
            first = int(row[planes[plane].nonzero()[-1, 0]])
            raise RuntimeError(f"Found an invalid max index: {first} (output volumes are of "
                               f"size {'x'.join(str(v) for v in out_size)})")
    out = _zeros(lead + [total], dtype=input.dtype, device=input.device)
    out = out.scatter(-1, flat_i, input.reshape(lead + [per_plane]))
    return out.reshape(lead + list(out_size))


def _nt(v, n):
    """torch's _single / _pair / _triple: an iterable as a tuple, anything else repeated (a
    float kernel_size goes on into the size arithmetic, as in torch)."""
    return tuple(v) if isinstance(v, _Iterable) else (v,) * n


def _int_sizes(size, name, arg="output_size", pos=3):
    """The compiled max_unpool's int-list parsing of the computed output size (and of
    max_unpool3d's stride and padding)."""
    for k, v in enumerate(size):
        if isinstance(v, (float, str)):
            raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be tuple of "
                            f"ints, but found element of type {type(v).__name__} at pos {k}")
    return size


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    k = _nt(kernel_size, 1)
    s = k if stride is None else _nt(stride, 1)
    size = _int_sizes(_unpool_output_size(input, k, s, _nt(padding, 1), output_size) + [1],
                      "max_unpool2d")[:-1]
    if input.dim() not in (2, 3):
        raise RuntimeError("Input to max_unpooling2d should be a 3d or 4d Tensor, but got a "
                           f"tensor with {input.dim() + 1} dimensions.")
    return _unpool(input.unsqueeze(-1), indices.unsqueeze(-1), size + [1], 2,
                   "max_unpooling2d").squeeze(-1)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    k = _nt(kernel_size, 2)
    s = k if stride is None else _nt(stride, 2)
    size = _int_sizes(_unpool_output_size(input, k, s, _nt(padding, 2), output_size),
                      "max_unpool2d")
    return _unpool(input, indices, size, 2, "max_unpooling2d")


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    k = _nt(kernel_size, 3)
    s = k if stride is None else _nt(stride, 3)
    p = _nt(padding, 3)
    size = _int_sizes(_unpool_output_size(input, k, s, p, output_size), "max_unpool3d")
    _int_sizes(s, "max_unpool3d", "stride", 4)
    _int_sizes(p, "max_unpool3d", "padding", 5)
    return _unpool(input, indices, size, 3, "max_unpooling3d")
