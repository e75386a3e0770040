"""nn.functional's pooling beyond max_pool2d, conv1d and conv_transpose2d: avg_pool1d/2d
(window sums by a depthwise conv2d with a ones kernel, divided by torch's per-window divisor),
max_pool1d and the 1-d forms over the 2-d ops (unsqueeze, 2-d op, squeeze: torch's own
composition), conv_transpose2d as a conv2d of the spread-out input, and the adaptive pools
(averages and maxima window by window). Composites record primitive nodes
where torch shows AvgPool2DBackward0 / AdaptiveAvgPool2DBackward0 / AdaptiveMaxPool2DBackward0 /
ConvolutionBackward0 (conv1d ends in a squeeze)."""
from .. import _C, _pynode
from .._grad_mode import no_grad as _no_grad
from .._factories import ones as _ones, tensor as _tensor, zeros as _zeros
from .._out_arg import call as _out_call


def _tuple(v, n, name, what):
    if isinstance(v, int):
        return (v,) * n
    v = tuple(v)
    if len(v) == 1 and n > 1:
        return v * n
    if len(v) != n:
        raise RuntimeError(f"{what}: {name} must either be a single int, or a tuple of "
                           f"{'two' if n == 2 else 'one'} int{'s' if n == 2 else ''}")
    return v


def _out_len(size, k, s, p, ceil_mode):
    # torch's pooling_output_shape (dilation 1): a ceil-mode window must start inside the input
    # or the left padding.
    num = size + 2 * p - k + ((s - 1) if ceil_mode else 0)
    out = num // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _window_mean(sums, div):
    """sums / div; integer inputs stay integer, divided as C++ does (toward zero), as torch's
    integer avg_pool kernels."""
    if sums.dtype.is_floating_point:
        return sums / div
    return _C.floor_divide(sums - _C.fmod(sums, div), div)


def _divisors(size, k, s, p, out, count_include_pad):
    """Per-output-position window sizes along one dim (torch's avg_pool divisor)."""
    res = []
    for i in range(out):
        start = i * s - p
        end = min(start + k, size + p)
        if count_include_pad:
            res.append(end - start)
        else:
            res.append(min(end, size) - max(start, 0))
    return res


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None, _what="avg_pool2d", *, out=None):
    if out is not None:
        return _out_call("avg_pool2d", out, avg_pool2d, input, kernel_size, stride, padding,
                         ceil_mode, count_include_pad, divisor_override)
    if input.dim() not in (3, 4):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    k = _tuple(kernel_size, 2, "kernel_size", _what)
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else \
        _tuple(stride, 2, "stride", _what)
    p = _tuple(padding, 2, "padding", _what)
    if any(v == 0 for v in s):
        raise RuntimeError("stride should not be zero")
    if any(v <= 0 for v in k):
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: {k[0]} "
                           f"kW: {k[1]}")
    if any(v < 0 for v in p):
        raise RuntimeError(f"pad must be non-negative, but got pad: {min(p)}")
    if any(2 * pp > kk for pp, kk in zip(p, k)):
        pp, kk = next((a, b) for a, b in zip(p, k) if 2 * a > b)
        raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                           f"pad={pp}, kernel_size={kk} and dilation=1")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    batched = input.dim() == 4
    x = input if batched else input.unsqueeze(0)
    n, c, h, w = x.shape
    if c == 0 or (n != 0 and (h == 0 or w == 0)):
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with optional 0 dim batch "
                           f"size for input, but got:{list(input.shape)}")
    oh, ow = (_out_len(h, k[0], s[0], p[0], ceil_mode), _out_len(w, k[1], s[1], p[1], ceil_mode))
    if oh < 1 or ow < 1:
        raise RuntimeError(f"Given input size: ({c}x{h}x{w}). Calculated output size: "
                           f"({c}x{oh}x{ow}). Output size is too small")
    # Zero padding: torch's left padding, and on the right whatever the last window reads.
    extra = [max(0, (o - 1) * st + kk - (sz + pp)) for o, st, kk, sz, pp
             in ((oh, s[0], k[0], h, p[0]), (ow, s[1], k[1], w, p[1]))]
    xp = x.reshape(n * c, 1, h, w)
    pads = [p[1], extra[1], p[0], extra[0]]
    if any(pads):
        xp = _C.pad(xp, pads, "constant", 0.0)
    ones = _ones(1, 1, k[0], k[1], dtype=input.dtype, device=input.device)
    sums = _C.conv2d(xp, ones, None, list(s), [0, 0], [1, 1], 1)
    if divisor_override is not None:
        res = _window_mean(sums, divisor_override)
    else:
        dh = _divisors(h, k[0], s[0], p[0], oh, count_include_pad)
        dw = _divisors(w, k[1], s[1], p[1], ow, count_include_pad)
        if input.dtype.is_floating_point and min(dh) == max(dh) and min(dw) == max(dw):
            # every window the same size: one divisor (the same quotients; the oh x ow table
            # built from Python lists was most of avg_pool2d's time)
            res = _window_mean(sums, dh[0] * dw[0])
        else:
            # the outer product of the two (small exact integers: the same values as a*b)
            div = (_tensor(dh, dtype=input.dtype, device=input.device).reshape(oh, 1)
                   * _tensor(dw, dtype=input.dtype, device=input.device))
            res = _window_mean(sums, div)
    res = res.reshape(n, c, oh, ow)
    return res if batched else res.squeeze(0)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional tensor "
                           "for argument #1 'self' (while checking arguments for avg_pool1d)")
    k = _tuple(kernel_size, 1, "kernel_size", "avg_pool1d")
    s = k if stride is None else _tuple(stride, 1, "stride", "avg_pool1d")
    p = _tuple(padding, 1, "padding", "avg_pool1d")
    out = avg_pool2d(input.unsqueeze(-2), (1, k[0]), (1, s[0]), (0, p[0]), ceil_mode,
                     count_include_pad, None, "avg_pool1d")
    return out.squeeze(-2)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    if input.dim() not in (2, 3):
        raise RuntimeError("max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 "
                           f"dim batch size for input, but got:{list(input.shape)}")
    k = _tuple(kernel_size, 1, "kernel_size", "max_pool1d")
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else \
        _tuple(stride, 1, "stride", "max_pool1d")
    p = _tuple(padding, 1, "padding", "max_pool1d")
    d = _tuple(dilation, 1, "dilation", "max_pool1d")
    out, idx = _C.max_pool2d_with_indices(input.unsqueeze(-2), [1, k[0]], [1, s[0]], [0, p[0]],
                                          [1, d[0]], ceil_mode)
    return out.squeeze(-2), idx.squeeze(-2)


def _check_max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode):
    """torch's max_pool1d (the form without indices) checks its arguments itself, in its own
    words, before it runs the indices kernel."""
    nd, sh = input.dim(), list(input.shape)
    if not ((nd == 2 and sh[0] != 0 and sh[1] != 0) or (nd == 3 and sh[1] != 0 and sh[2] != 0)):
        raise RuntimeError("max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 "
                           f"dim batch size for input, but got:{sh}")
    k = _tuple(kernel_size, 1, "kernel_size", "max_pool1d")[0]
    empty = stride is None or (not isinstance(stride, int) and len(stride) == 0)
    s = k if empty else _tuple(stride, 1, "stride", "max_pool1d")[0]
    p = _tuple(padding, 1, "padding", "max_pool1d")[0]
    d = _tuple(dilation, 1, "dilation", "max_pool1d")[0]
    if k <= 0:
        raise RuntimeError(f"max_pool1d() kernel_size must be greater than zero, but got {k}")
    if s <= 0:
        raise RuntimeError(f"max_pool1d() stride must be greater than zero, but got {s}")
    if p < 0:
        raise RuntimeError(f"max_pool1d() padding must be non-negative, but got {p}")
    if p > k // 2:
        raise RuntimeError("max_pool1d() padding should be at most half of kernel size, but got "
                           f"padding={p} and kernel_size={k}")
    if d <= 0:
        raise RuntimeError(f"max_pool1d() dilation must be greater than zero, but got {d}")
    w = sh[-1]
    num = w + 2 * p - d * (k - 1) - 1 + ((s - 1) if ceil_mode else 0)
    ow = num // s + 1
    if ceil_mode and (ow - 1) * s >= w + p:
        ow -= 1
    if ow <= 0:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {ow}")


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    if not return_indices:
        _check_max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode)
    out, idx = max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return (out, idx) if return_indices else out


def _list_with_default(output_size, input):
    """torch's Python-side check of a sized output_size (None entries keep the input's)."""
    if isinstance(output_size, int) or output_size is None:
        return
    if input.dim() <= len(tuple(output_size)):
        raise ValueError(f"Input dimension should be at least {len(tuple(output_size)) + 1}")


def _negative_output(sizes, lead):
    # the max pools allocate their (lead..., sizes) result first, as torch's kernels do
    if any(o < 0 for o in sizes):
        shape = list(lead) + list(sizes)
        raise RuntimeError(f"Trying to create tensor with negative dimension "
                           f"{next(o for o in sizes if o < 0)}: {shape}")


def _adaptive_sizes(output_size, input_sizes, n, what, empty_msg=None):
    if isinstance(output_size, int) or output_size is None:
        output_size = (output_size,) * n
    output_size = tuple(output_size)
    if len(output_size) == 0 and empty_msg:
        raise RuntimeError(empty_msg)
    if len(output_size) != n:
        raise RuntimeError(f"{what}() argument 'output_size' should contain "
                           f"{'one int' if n == 1 else 'two ints'} (got {len(output_size)})")
    sizes = tuple(i if o is None else o for o, i in zip(output_size, input_sizes))
    if any(o < 0 for o in sizes):
        raise RuntimeError(f"{what}: elements of output_size must be greater than or equal to "
                           f"0 but received {{{', '.join(str(o) for o in sizes)}}}")
    return sizes


def _adaptive_check(input, nd, what, nonzero_from=1):
    """torch's rank check, then (unless nonzero_from is None) its check that dims nonzero_from..
    are not empty: from dim 1 whether batched or not (the max pools, avg 3d), so an unbatched
    input may have no channels."""
    lo = nd + 1
    if input.dim() not in (lo, lo + 1):
        if nd == 1:
            raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional "
                               f"tensor for argument #1 'self' (while checking arguments for "
                               f"{what})")
        raise RuntimeError(f"{what}(): Expected 3D or 4D tensor, but got {list(input.shape)}")
    if nonzero_from is not None:
        _adaptive_nonzero(input, what, nonzero_from)


def _adaptive_nonzero(input, what, first):
    for d in range(first, input.dim()):
        if input.shape[d] == 0:
            raise RuntimeError(f"{what}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {list(input.shape)} with "
                               f"dimension {d} being empty")


def _windows(size, out):
    # torch's adaptive windows: [floor(i*size/out), ceil((i+1)*size/out))
    return [(i * size // out, -(-(i + 1) * size // out)) for i in range(out)]


def _adaptive_mean(x, dim, out):
    """Averages of x over torch's adaptive windows along dim (negative), one window per output.
    Window by window (not a matrix of 1/len weights, whose zeros turn an inf into NaN in every
    other window); equal windows that tile the dim are one reshape and mean."""
    size = x.shape[dim]
    if out > 0 and size % out == 0:
        shape = list(x.shape)
        shape[dim:dim + 1 if dim != -1 else None] = [out, size // out]
        return x.reshape(shape).mean(dim)
    parts = [x.narrow(dim, a, b - a).mean(dim, keepdim=True) for a, b in _windows(size, out)]
    return _C.cat(parts, dim) if parts else x.narrow(dim, 0, 0).clone()


def _adaptive_mean_grad(g, dim, size, out):
    """The gradient of _adaptive_mean: each output's gradient / its window's length, added into
    every member of the window (windows may overlap), with differentiable ops."""
    members, owners, lens = [], [], []
    for i, (a, b) in enumerate(_windows(size, out)):
        members += range(a, b)
        owners += [i] * (b - a)
        lens.append(b - a)
    shape = [1] * g.dim()
    shape[dim] = out
    scaled = g / _tensor(lens, dtype=g.dtype, device=g.device).reshape(shape)
    src = scaled.index_select(dim, _tensor(owners, dtype=_C.int64, device=g.device))
    full = list(g.shape)
    full[dim] = size
    return _zeros(full, dtype=g.dtype, device=g.device).index_add(
        dim, _tensor(members, dtype=_C.int64, device=g.device), src)


def _adaptive_avg(input, outs, name):
    """adaptive_avg_pool over the last len(outs) dims, recorded as torch's node `name`."""
    nd = len(outs)
    sizes = tuple(input.shape[-nd:])
    with _no_grad():
        y = input
        for k, o in enumerate(outs):
            y = _adaptive_mean(y, k - nd, o)

    def backward(g):
        for k in reversed(range(nd)):
            g = _adaptive_mean_grad(g, k - nd, sizes[k], outs[k])
        return [g]
    return _pynode.record(name, backward, [input], y, {"self": input})


def adaptive_avg_pool2d(input, output_size):
    _list_with_default(output_size, input)
    _adaptive_check(input, 2, "adaptive_avg_pool2d", None)
    h, w = input.shape[-2:]
    oh, ow = _adaptive_sizes(output_size, (h, w), 2, "adaptive_avg_pool2d",
                             "adaptive_avg_pool2d: output_size must be 2")
    if (oh, ow) == (1, 1):  # global average: torch takes the mean too (MeanBackward1)
        return input.mean((-2, -1), keepdim=True)
    # only the two pooled dims must be non-empty (channels and batch may be 0)
    _adaptive_nonzero(input, "adaptive_avg_pool2d", input.dim() - 2)
    return _adaptive_avg(input, (oh, ow), "AdaptiveAvgPool2DBackward0")


def adaptive_avg_pool1d(input, output_size):
    _adaptive_check(input, 1, "adaptive_avg_pool1d", None)  # the rest as the 2-d pool's
    (o,) = _adaptive_sizes(output_size, input.shape[-1:], 1, "adaptive_avg_pool1d")
    # through the 2-d pool, as torch (so the graph ends in a squeeze as torch's does)
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, o)).squeeze(-2)


def _adaptive_max2d(x, oh, ow):
    """x: (..., H, W) -> values and flat H*W indices, one window at a time, recorded as torch's
    AdaptiveMaxPool2DBackward0."""
    h, w = x.shape[-2:]
    lead = list(x.shape[:-2])
    vals, idxs = [], []
    with _no_grad():
        for hs, he in _windows(h, oh):
            for ws, we in _windows(w, ow):
                win = x[..., hs:he, ws:we].reshape(lead + [(he - hs) * (we - ws)])  # lead may hold a 0
                v, i = win.max(-1)
                vals.append(v)
                ww = we - ws
                idxs.append((i // ww + hs) * w + i % ww + ws)
        if not vals:
            v = _zeros(lead + [oh, ow], dtype=x.dtype, device=x.device)
            i = _zeros(lead + [oh, ow], dtype=_C.int64, device=x.device)
        else:
            v = _C.stack(vals, -1).reshape(lead + [oh, ow])
            i = _C.stack(idxs, -1).reshape(lead + [oh, ow])
    return _record_adaptive_max(x, v, i, 2, "AdaptiveMaxPool2DBackward0"), i


def _record_adaptive_max(x, vals, idxs, nd, name):
    """Records vals (computed without history) as torch's adaptive max pool node `name`: each
    output's gradient goes to its window's maximum, at the flat index (scatter_add, so the
    backward is differentiable again)."""
    lead = list(x.shape[:-nd])
    per, nout = 1, 1
    for k in range(1, nd + 1):
        per *= x.shape[-k]
        nout *= vals.shape[-k]

    def backward(g):
        gi = _zeros(lead + [per], dtype=g.dtype, device=g.device).scatter_add(
            -1, idxs.reshape(lead + [nout]), g.reshape(lead + [nout]))
        return [gi.reshape(x.shape)]
    return _pynode.record(name, backward, [x], vals, {"self": x, "result1": idxs})


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    _list_with_default(output_size, input)
    _adaptive_check(input, 2, "adaptive_max_pool2d")
    h, w = input.shape[-2:]
    given = (output_size,) * 2 if isinstance(output_size, int) else tuple(output_size or ())
    if len(given) == 2:
        _negative_output([o for o in given if o is not None], input.shape[:-2])
    oh, ow = _adaptive_sizes(output_size, (h, w), 2, "adaptive_max_pool2d",
                             "adaptive_max_pool2d(): internal error: output_size.size() must "
                             "be 2")
    return _adaptive_max2d(input, oh, ow)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    out, idx = adaptive_max_pool2d_with_indices(input, output_size)
    return (out, idx) if return_indices else out


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    _adaptive_check(input, 1, "adaptive_max_pool1d")
    given = (output_size,) if isinstance(output_size, int) else tuple(output_size)
    if len(given) == 1 and given[0] is not None:  # the kernel runs on a height-1 image
        _negative_output(given, list(input.shape[:-1]) + [1])
    (o,) = _adaptive_sizes(output_size, input.shape[-1:], 1, "adaptive_max_pool1d")
    out, idx = _adaptive_max2d(input.unsqueeze(-2), 1, o)
    return out.squeeze(-2), idx.squeeze(-2)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    out, idx = adaptive_max_pool1d_with_indices(input, output_size)
    return (out, idx) if return_indices else out


def _string_padding_bias(input, bias, padding):
    """torch's padding='same' / 'valid' path adds a bias of any dtype into a float64 result
    (the numeric-padding path refuses the mismatch; float32 inputs may go to its MKLDNN kernel,
    which refuses it too): the bias in input's dtype."""
    if (isinstance(padding, str) and isinstance(bias, _C.Tensor)
            and isinstance(input, _C.Tensor) and input.dtype == _C.float64
            and bias.dtype != input.dtype):
        return bias.to(input.dtype)
    return bias


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """conv2d over a height-1 image: (N, C, L) -> (N, C, 1, L), kernel (O, C/g, 1, k)."""
    bias = _string_padding_bias(input, bias, padding)
    if input.dim() not in (2, 3):
        raise RuntimeError("Expected 2D (unbatched) or 3D (batched) input to conv1d, but got "
                           f"input of size: {list(input.shape)}")
    # torch's checks in its order and words, on the 3-D shapes (the conv2d below sees 4-D ones)
    if weight.dim() < 3:
        raise RuntimeError("weight should have at least three dimensions")
    if isinstance(groups, int) and groups <= 0:
        raise RuntimeError("non-positive groups is not supported")

    def one(v):
        return v if isinstance(v, int) else tuple(v)[0]

    if not isinstance(padding, str) and one(padding) < 0:
        raise RuntimeError("negative padding is not supported")
    if one(stride) <= 0:
        raise RuntimeError("non-positive stride is not supported")
    if one(dilation) < 0:  # torch: a zero dilation gets past this check
        raise RuntimeError("dilation should be greater than zero")
    if padding == "same" and one(stride) != 1:
        raise RuntimeError("padding='same' is not supported for strided convolutions")
    batched = input if input.dim() == 3 else input.unsqueeze(0)
    ws = list(weight.shape)
    if weight.dim() != 3:
        sep = "" if isinstance(padding, str) else " "  # torch's two paths print it so
        raise RuntimeError(f"Expected {weight.dim()}-dimensional input for {weight.dim()}-"
                           f"dimensional weight{sep}{ws}, but got 3-dimensional input of size "
                           f"{list(batched.shape)} instead")
    if isinstance(groups, int) and groups > 0:
        if ws[0] < groups:
            raise RuntimeError(f"Given groups={groups}, expected weight to be at least {groups} "
                               f"at dimension 0, but got weight of size {ws} instead")
        if ws[0] % groups != 0:
            raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by "
                               f"{groups} at dimension 0, but got weight of size [{ws}] instead")
        if batched.shape[1] != ws[1] * groups:
            raise RuntimeError(f"Given groups={groups}, weight of size {ws}, expected input"
                               f"{list(batched.shape)} to have {ws[1] * groups} channels, but got "
                               f"{batched.shape[1]} channels instead")
    pad = padding if isinstance(padding, str) else [0, one(padding)]
    out = _C.conv2d(input.unsqueeze(-2), weight.unsqueeze(-2), bias, [1, one(stride)], pad,
                    [1, one(dilation)], groups)
    return out.squeeze(-2)


def _transposed_bias(x, bias, strict=False):
    """torch's conv_transpose1d/2d add the bias into the output in place: any bias dtype that
    casts to the input's works (a long or double bias on float input), but a half one meets
    the kernel's dtype check, as every other dtype does in conv_transpose3d (strict)."""
    if bias is None or not isinstance(bias, _C.Tensor) or bias.dtype == x.dtype:
        return bias
    if strict or bias.dtype in (_C.float16, _C.bfloat16):
        from .._dtype_names import type_name
        raise RuntimeError(f"expected scalar type {type_name(x.dtype)} but found "
                           f"{type_name(bias.dtype)}")
    return bias.to(x.dtype)


def _check_transposed_steps(stride, dilation, names):
    """torch's checks after the padding ones: a stride or dilation below 1 (a stride of 0 would
    spread the input over nothing)."""
    if any(v <= 0 for v in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(v <= 0 for v in dilation):
        raise RuntimeError("dilation should be greater than zero, but got " + ", ".join(
            f"dilation_{n}: {v}" for n, v in zip(names, dilation)))


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """The adjoint of conv2d, as a conv2d: the input spread out by the stride (zeros between),
    padded by dilation*(k-1) - padding each side (+ output_padding at the end), convolved with
    the spatially flipped kernel whose in/out channels are swapped within each group."""
    if input.dim() not in (3, 4):
        raise RuntimeError("Expected 3D (unbatched) or 4D (batched) input to conv_transpose2d, "
                           f"but got input of size: {list(input.shape)}")
    if weight.dim() < 3:  # torch's first weight check
        raise RuntimeError("weight should have at least three dimensions")
    if weight.dim() != 4:
        raise RuntimeError("expected stride to be a single integer value or a list of "
                           f"{weight.dim() - 2} values to match the convolution dimensions, but "
                           f"got stride={list(_tuple(stride, 2, 'stride', 'conv_transpose2d'))}")
    s, p = _tuple(stride, 2, "stride", "conv_transpose2d"), _tuple(padding, 2, "padding",
                                                                     "conv_transpose2d")
    op = _tuple(output_padding, 2, "output_padding", "conv_transpose2d")
    d = _tuple(dilation, 2, "dilation", "conv_transpose2d")
    if any(v < 0 for v in p):
        raise RuntimeError("negative padding is not supported")
    if any(v < 0 for v in op):
        raise RuntimeError("negative output_padding is not supported")
    _check_transposed_steps(s, d, ("height", "width"))
    if any(o >= st and o >= dl for o, st, dl in zip(op, s, d)):
        raise RuntimeError("output padding must be smaller than either stride or dilation, but "
                           f"got output_padding_height: {op[0]} output_padding_width: {op[1]} "
                           f"stride_height: {s[0]} stride_width: {s[1]} dilation_height: {d[0]} "
                           f"dilation_width: {d[1]}")
    batched = input.dim() == 4
    x = input if batched else input.unsqueeze(0)
    bias = _transposed_bias(x, bias)
    n, c, h, w = x.shape
    cin, cout_g, kh, kw = weight.shape
    if cin != c:
        raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected "
                           f"input{list(x.shape)} to have {cin} channels, but got {c} channels "
                           "instead")
    if s != (1, 1):
        up = _zeros(n, c, (h - 1) * s[0] + 1, (w - 1) * s[1] + 1, dtype=x.dtype,
                    device=x.device)
        up[:, :, ::s[0], ::s[1]] = x
        x = up
    pads = []
    for k, dl, pp, o in ((kw, d[1], p[1], op[1]), (kh, d[0], p[0], op[0])):
        edge = dl * (k - 1) - pp
        pads += [edge, edge + o]
    if any(pads):
        x = _C.pad(x, pads, "constant", 0.0)  # negative amounts crop
    # (C_in, C_out/g, kh, kw) -> (C_out, C_in/g, kh, kw), flipped in space
    wt = weight.reshape(groups, cin // groups, cout_g, kh, kw).transpose(1, 2)
    wt = wt.reshape(groups * cout_g, cin // groups, kh, kw).flip([2, 3])
    out = _C.conv2d(x, wt, bias, [1, 1], [0, 0], list(d), groups)
    return out if batched else out.squeeze(0)
