"""nn.functional's conv3d, conv_transpose1d, conv_transpose3d, unfold and fold.

conv3d runs as ONE conv2d: the kD depth slices each output depth reads are stacked into the
channel axis (group-major, so groups still line up), the depth folded into the batch, and the
kernel's depth moved beside its input channels. conv_transpose3d is conv3d's adjoint written as
a conv3d (input spread out by the stride, padded by dilation*(k-1) - padding, kernel flipped and
its in/out channels swapped per group), as conv_transpose2d is; conv_transpose1d is
conv_transpose2d over a height-1 image. unfold / fold are the im2col / col2im op rows."""
from .. import _C
from .._factories import zeros as _zeros
from ._pool_functional import conv_transpose2d
from ._pool_functional import _check_transposed_steps, _string_padding_bias

_ORD = ("depth", "height", "width")


def _ntuple(v, n, what):
    if isinstance(v, int):
        return (v,) * n
    v = tuple(v)
    if len(v) == 1:
        return v * n
    if len(v) != n:
        raise RuntimeError(f"expected {what} to be a single integer value or a list of {n} "
                           f"values to match the convolution dimensions, but got "
                           f"{what}={list(v)}")
    return v


def _check_common(x, weight, bias, s, d, groups, transposed):
    if any(v <= 0 for v in s):
        raise RuntimeError("non-positive stride is not supported")
    if any(v <= 0 for v in d):
        raise RuntimeError("dilation should be greater than zero")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if x.dtype != weight.dtype:
        raise RuntimeError(f"expected scalar type {_legacy(x.dtype)} but found "
                           f"{_legacy(weight.dtype)}")
    ws = list(weight.shape)
    # torch's check_shape_forward order: groups against the weight, then the channels
    if not transposed and ws[0] < groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be at least {groups} at "
                           f"dimension 0, but got weight of size {ws} instead")
    if not transposed and ws[0] % groups != 0:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{ws}] instead")
    want = ws[0] if transposed else ws[1] * groups
    if x.shape[1] != want:
        tag = "transposed=1" if transposed else f"groups={groups}"
        raise RuntimeError(f"Given {tag}, weight of size {ws}, expected input{list(x.shape)} "
                           f"to have {want} channels, but got {x.shape[1]} channels instead")
    if bias is not None:
        nout = ws[1] * groups if transposed else ws[0]
        if bias.dim() != 1 or bias.shape[0] != nout:
            raise RuntimeError(f"Given {'transposed=1, ' if transposed else ''}weight of size "
                               f"{ws}, expected bias to be 1-dimensional with {nout} elements, "
                               f"but got bias of size {list(bias.shape)} instead")
        if bias.dtype != x.dtype:
            from .._dtype_names import c_type_name
            raise RuntimeError(f"Input type ({c_type_name(x.dtype)}) and bias type "
                               f"({c_type_name(bias.dtype)}) should be the same")


def _legacy(dtype):
    from .functional import _LEGACY_NAMES  # functional imports this module at its end
    floats = {_C.float32: "Float", _C.float64: "Double", _C.float16: "Half",
              _C.bfloat16: "BFloat16"}
    return floats.get(dtype) or _LEGACY_NAMES.get(dtype, str(dtype))


def _same_pads(k, d):
    # torch's 'same': total dilation*(k-1), the odd one out on the right
    out = []
    for kk, dd in zip(k, d):
        total = dd * (kk - 1)
        out.append((total // 2, total - total // 2))
    return out


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    bias = _string_padding_bias(input, bias, padding)
    if input.dim() not in (4, 5):
        raise RuntimeError("Expected 4D (unbatched) or 5D (batched) input to conv3d, but got "
                           f"input of size: {list(input.shape)}")
    if weight.dim() != 5:
        raise RuntimeError(f"Expected {weight.dim()}-dimensional input for "
                           f"{weight.dim()}-dimensional weight {list(weight.shape)}, but got "
                           f"{input.dim()}-dimensional input of size {list(input.shape)} "
                           "instead")
    k = tuple(weight.shape[2:])
    s, d = _ntuple(stride, 3, "stride"), _ntuple(dilation, 3, "dilation")
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        if padding == "same" and any(v != 1 for v in s):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        pads = _same_pads(k, d) if padding == "same" else [(0, 0)] * 3
    else:
        p = _ntuple(padding, 3, "padding")
        if any(v < 0 for v in p):
            raise RuntimeError("negative padding is not supported")
        pads = [(v, v) for v in p]
    batched = input.dim() == 5
    x = input if batched else input.unsqueeze(0)
    _check_common(x, weight, bias, s, d, groups, False)
    n, c, D, H, W = x.shape
    padded = [sz + a + b for sz, (a, b) in zip((D, H, W), pads)]
    if any(dd * (kk - 1) + 1 > sz for dd, kk, sz in zip(d, k, padded)):
        ek = [dd * (kk - 1) + 1 for dd, kk in zip(d, k)]
        raise RuntimeError(f"Calculated padded input size per channel: "
                           f"({' x '.join(map(str, padded))}). Kernel size: "
                           f"({' x '.join(map(str, ek))}). Kernel size can't be greater than "
                           "actual input size")
    out = _conv3d_as_conv2d(x, weight, s, pads, d, groups)
    if bias is not None:
        out = out + bias.reshape(-1, 1, 1, 1)
    return out if batched else out.squeeze(0)


def _conv3d_as_conv2d(x, weight, s, pads, d, groups):
    n, c, D, H, W = x.shape
    o, cg, kd, kh, kw = weight.shape
    (dl, dr), (hl, hr), (wl, wr) = pads
    sym_hw = hl == hr and wl == wr
    amounts = [0, 0, 0, 0, dl, dr] if sym_hw else [wl, wr, hl, hr, dl, dr]
    if any(amounts):
        x = _C.pad(x, amounts, "constant", 0.0)
    Dp = x.shape[2]
    od = (Dp - d[0] * (kd - 1) - 1) // s[0] + 1
    xg = x.reshape(n, groups, c // groups, Dp, x.shape[3], x.shape[4])
    span = (od - 1) * s[0] + 1
    slices = [xg[:, :, :, j * d[0]:j * d[0] + span:s[0]] for j in range(kd)]
    cols = _C.stack(slices, 2)  # (n, g, kd, c/g, od, H', W')
    hp, wp = cols.shape[-2:]
    cols = cols.permute(0, 4, 1, 2, 3, 5, 6).reshape(n * od, groups * kd * (c // groups), hp, wp)
    w2 = weight.permute(0, 2, 1, 3, 4).reshape(o, kd * cg, kh, kw)
    hw_pad = [hl, wl] if sym_hw else [0, 0]
    y = _C.conv2d(cols, w2, None, [s[1], s[2]], hw_pad, [d[1], d[2]], groups)
    # torch's result is contiguous (callers .view() it): one copy out of the (n, od) layout
    return y.reshape(n, od, o, y.shape[2], y.shape[3]).transpose(1, 2).contiguous()


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    if input.dim() not in (4, 5):
        raise RuntimeError("Expected 4D (unbatched) or 5D (batched) input to conv_transpose3d, "
                           f"but got input of size: {list(input.shape)}")
    if weight.dim() < 3:  # torch's first weight check
        raise RuntimeError("weight should have at least three dimensions")
    if weight.dim() != 5:
        raise RuntimeError(f"Expected {weight.dim()}-dimensional input for "
                           f"{weight.dim()}-dimensional weight {list(weight.shape)}, but got "
                           f"{input.dim()}-dimensional input of size {list(input.shape)} "
                           "instead")
    s, p = _ntuple(stride, 3, "stride"), _ntuple(padding, 3, "padding")
    op, d = _ntuple(output_padding, 3, "output_padding"), _ntuple(dilation, 3, "dilation")
    if any(v < 0 for v in p):
        raise RuntimeError("negative padding is not supported")
    if any(v < 0 for v in op):
        raise RuntimeError("negative output_padding is not supported")
    _check_transposed_steps(s, d, ("depth", "height", "width"))
    if any(o >= st and o >= dl for o, st, dl in zip(op, s, d)):
        words = " ".join(f"output_padding_{a}: {v}" for a, v in zip(_ORD, op))
        words += " " + " ".join(f"stride_{a}: {v}" for a, v in zip(_ORD, s))
        words += " " + " ".join(f"dilation_{a}: {v}" for a, v in zip(_ORD, d))
        raise RuntimeError("output padding must be smaller than either stride or dilation, but "
                           f"got {words}")
    batched = input.dim() == 5
    x = input if batched else input.unsqueeze(0)
    from ._pool_functional import _transposed_bias
    bias = _transposed_bias(x, bias, strict=True)
    _check_common(x, weight, bias, s, d, groups, True)
    n, c, D, H, W = x.shape
    cin, cout_g, kd, kh, kw = weight.shape
    if cin % groups != 0:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{list(weight.shape)}] "
                           "instead")
    if any(v != 1 for v in s):
        up = _zeros(n, c, (D - 1) * s[0] + 1, (H - 1) * s[1] + 1, (W - 1) * s[2] + 1,
                    dtype=x.dtype, device=x.device)
        up[:, :, ::s[0], ::s[1], ::s[2]] = x
        x = up
    amounts = []
    for kk, dl, pp, o in ((kw, d[2], p[2], op[2]), (kh, d[1], p[1], op[1]),
                          (kd, d[0], p[0], op[0])):
        edge = dl * (kk - 1) - pp
        amounts += [edge, edge + o]
    if any(amounts):
        x = _C.pad(x, amounts, "constant", 0.0)  # negative amounts crop
    if any(v <= 0 for v in x.shape[2:]):
        raise RuntimeError(f"Given input size per channel: ({D} x {H} x {W}). Calculated output "
                           f"size per channel: ({' x '.join(str(v) for v in x.shape[2:])}). "
                           "Output size is too small")
    # (C_in, C_out/g, k...) -> (C_out, C_in/g, k...), flipped in space
    wt = weight.reshape(groups, cin // groups, cout_g, kd, kh, kw).transpose(1, 2)
    wt = wt.reshape(groups * cout_g, cin // groups, kd, kh, kw).flip([2, 3, 4])
    out = _conv3d_as_conv2d(x, wt, (1, 1, 1), [(0, 0)] * 3, d, groups)
    if bias is not None:
        out = out + bias.reshape(-1, 1, 1, 1)
    return out if batched else out.squeeze(0)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    if input.dim() not in (2, 3):
        raise RuntimeError("Expected 2D (unbatched) or 3D (batched) input to conv_transpose1d, "
                           f"but got input of size: {list(input.shape)}")
    if weight.dim() < 3:  # torch's first weight check
        raise RuntimeError("weight should have at least three dimensions")
    if weight.dim() != 3:
        raise RuntimeError(f"Expected {weight.dim()}-dimensional input for "
                           f"{weight.dim()}-dimensional weight {list(weight.shape)}, but got "
                           f"{input.dim()}-dimensional input of size {list(input.shape)} "
                           "instead")

    def one(v, what):
        v = (v,) if isinstance(v, int) else tuple(v)
        if len(v) != 1:
            raise RuntimeError(f"expected {what} to be a single integer value or a list of 1 "
                               f"values to match the convolution dimensions, but got "
                               f"{what}={list(v)}")
        return v[0]

    s, p = one(stride, "stride"), one(padding, "padding")
    op, d = one(output_padding, "output_padding"), one(dilation, "dilation")
    if p < 0:
        raise RuntimeError("negative padding is not supported")
    if op < 0:
        raise RuntimeError("negative output_padding is not supported")
    # torch runs the 1-d form as a 2-d one of height 1
    _check_transposed_steps((1, s), (1, d), ("height", "width"))
    if not (op < s or op < d):
        raise RuntimeError("output padding must be smaller than either stride or dilation, but "
                           f"got output_padding_height: 0 output_padding_width: {op} "
                           f"stride_height: 1 stride_width: {s} dilation_height: 1 "
                           f"dilation_width: {d}")
    x = input.unsqueeze(-2)
    batched_shape = list(input.shape) if input.dim() == 3 else [1] + list(input.shape)
    if batched_shape[1] != weight.shape[0]:
        raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected "
                           f"input{batched_shape} to have {weight.shape[0]} channels, but got "
                           f"{batched_shape[1]} channels instead")
    out = conv_transpose2d(x, weight.unsqueeze(-2), bias, (1, s), (0, p), (0, op), groups,
                           (1, d))
    return out.squeeze(-2)


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def _check_cols_args(k, d, p, s):
    if any(v <= 0 for v in k):
        raise RuntimeError(f"kernel size should be greater than zero, but got kernel_height: "
                           f"{k[0]} kernel_width: {k[1]}")
    if any(v <= 0 for v in s):
        raise RuntimeError(f"stride should be greater than zero, but got stride_height: {s[0]} "
                           f"stride_width: {s[1]}")
    if any(v < 0 for v in p):
        raise RuntimeError(f"padding should be non-negative, but got pad_height: {p[0]} "
                           f"pad_width: {p[1]}")
    if any(v <= 0 for v in d):
        raise RuntimeError(f"dilation should be greater than zero, but got dilation_height: "
                           f"{d[0]} dilation_width: {d[1]}")


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding local blocks of a (N, C, H, W) or (C, H, W) image as columns (torch's im2col)."""
    k, d, p, s = _pair(kernel_size), _pair(dilation), _pair(padding), _pair(stride)
    if input.dim() in (3, 4):
        _check_cols_args(k, d, p, s)
    elif input.dim() == 2:  # torch reads dim 2 before checking the rank
        raise IndexError("Dimension out of range (expected to be in range of [-2, 1], but got 2)")
    else:
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and "
                           "other non-zero dimensions for input, but got: "
                           f"{list(input.shape)}")
    if input.numel() == 0:  # the kernel returns early; torch checks the blocks' shape first
        H, W = input.shape[-2:]
        L = [(sz + 2 * pp - dd * (kk - 1) - 1) // ss + 1
             for sz, kk, dd, pp, ss in zip((H, W), k, d, p, s)]
        if min(L) < 1:
            raise RuntimeError(f"Given input with spatial size ({H}, {W}), kernel_size=({k[0]}, "
                               f"{k[1]}), dilation=({d[0]}, {d[1]}), padding=({p[0]}, {p[1]}), "
                               f"calculated shape of the array of sliding blocks as ({L[0]}, "
                               f"{L[1]}), but its components must be at least one.")
    return _C._im2col(input, list(k), list(d), list(p), list(s))


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sums columns of sliding blocks back into a (N, C, H, W) image (torch's col2im)."""
    k, d, p, s = _pair(kernel_size), _pair(dilation), _pair(padding), _pair(stride)
    if input.dim() in (2, 3):
        _check_cols_args(k, d, p, s)
        rows = input.shape[input.dim() - 2]
        if rows % (k[0] * k[1]) != 0:
            raise RuntimeError(f"Expected size of input's dimension {input.dim() - 2} to be "
                               "divisible by the product of kernel_size, but got "
                               f"input.size({input.dim() - 2})={rows} and "
                               f"kernel_size=({k[0]}, {k[1]}).")
    if input.dtype == _C.bool:  # torch's col2im ORs the overlapping blocks
        return _C._col2im(input.to(_C.int32), list(_pair(output_size)), list(k), list(d),
                          list(p), list(s)) != 0
    return _C._col2im(input, list(_pair(output_size)), list(k), list(d), list(p), list(s))
