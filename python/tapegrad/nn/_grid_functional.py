"""nn.functional.affine_grid and grid_sample (4-d and 5-d input; bilinear / nearest, and
bicubic for 4-d; zeros, border and reflection padding; align_corners), composed from one
row gather (index_select over a pixels x channels view) and elementwise ops.

grid_sample maps each normalised grid coordinate to pixel space, applies the padding rule to
the coordinate (border clamps, reflection folds it back into range), then mixes the 2^d
neighbouring pixels with (bi/tri)linear weights, or picks the nearest one (round half to even,
as torch's nearbyint). Out-of-range corners contribute zero. Gradients reach the input through
the gathers and the grid through the weights, as torch's GridSampler2DBackward0 computes them.
Bicubic (4-d only) mixes a 4x4 neighbourhood with Keys' cubic convolution weights (A = -0.75);
as in torch, the padding rule then applies to each tap's integer coordinate."""
import itertools
import warnings

from .. import _C
from .._factories import (arange as _arange, linspace as _linspace, ones as _ones,
                          tensor as _tensor)

_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed to "
                  "align_corners=False since 1.3.0. Please specify align_corners=True if the "
                  "old behavior is desired. See the documentation of grid_sample for details.")


def _legacy(dtype):
    from ._conv3d_functional import _legacy as name
    return name(dtype)


# ---------------------------------------------------------------------------- affine_grid


def _base_coords(n, align_corners, dtype, device):
    # torch's linspace_from_neg_one: a single step is the centre, 0
    if n <= 1:
        return _tensor([0.0] * n, dtype=dtype, device=device)
    coords = _linspace(-1.0, 1.0, n, dtype=dtype, device=device)
    return coords if align_corners else coords * ((n - 1) / n)


def affine_grid(theta, size, align_corners=None):
    """The sampling grid (N, H, W, 2) or (N, D, H, W, 3) of the affine maps theta."""
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = list(size)
    if len(size) == 4:
        if theta.dim() != 3 or theta.shape[-2] != 2 or theta.shape[-1] != 3:
            raise ValueError("Expected a batch of 2D affine matrices of shape Nx2x3 for size "
                             f"{size}. Got {theta.shape}.")
        spatial = size[-2:]
    elif len(size) == 5:
        if theta.dim() != 3 or theta.shape[-2] != 3 or theta.shape[-1] != 4:
            raise ValueError("Expected a batch of 3D affine matrices of shape Nx3x4 for size "
                             f"{size}. Got {theta.shape}.")
        spatial = size[-3:]
    else:
        raise NotImplementedError("affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {size}.")
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size "
                      "grids when align_corners=True. This is not an intended use case of "
                      "affine_grid. See the documentation of affine_grid for details.",
                      stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    n, nd = size[0], len(spatial)
    dt, dev = theta.dtype, theta.device
    # base[..., k]: x (last spatial dim) first, then y, (z), then 1
    axes = [_base_coords(s, align_corners, dt, dev) for s in spatial]
    cols = []
    for k in range(nd):
        dim = nd - 1 - k  # x varies along the last spatial dim
        shape = [1] * nd
        shape[dim] = spatial[dim]
        cols.append(axes[dim].reshape(shape).expand(spatial))
    cols.append(_ones(spatial, dtype=dt, device=dev))
    base = _C.stack(cols, -1).reshape(1, -1, nd + 1).expand(n, -1, nd + 1)
    grid = _C.matmul(base, theta.transpose(1, 2))
    return grid.reshape([n] + spatial + [nd])


# ---------------------------------------------------------------------------- grid_sample


def _unnormalize(coord, size, align_corners):
    if align_corners:
        return (coord + 1) / 2 * (size - 1)
    return ((coord + 1) * size - 1) / 2


def _reflect(coord, twice_low, twice_high):
    if twice_low == twice_high:
        return coord * 0
    lo, span = twice_low / 2, (twice_high - twice_low) / 2
    dist = (coord - lo).abs()
    flips = (dist / span).floor()
    extra = dist - flips * span  # fmod for non-negative values
    even = (flips - 2 * (flips / 2).floor()) == 0
    return _C.where(even, extra + lo, (span - extra) + lo)


def _source_index(coord, size, padding_mode, align_corners):
    return _pad_coord(_unnormalize(coord, size, align_corners), size, padding_mode,
                      align_corners)


def _pad_coord(x, size, padding_mode, align_corners):
    if padding_mode == "border":
        x = x.clamp(0, size - 1)
    elif padding_mode == "reflection":
        x = _reflect(x, 0, 2 * (size - 1)) if align_corners else _reflect(x, -1, 2 * size - 1)
        x = x.clamp(0, size - 1)
    return x


def _check_grid_args(input, grid, mode):
    nd = input.dim() - 2
    if input.dim() not in (4, 5) or grid.dim() != input.dim():
        raise RuntimeError(f"grid_sampler(): expected {input.dim()}D input and grid with same "
                           "number of dimensions, but got input with sizes "
                           f"{list(input.shape)} and grid with sizes {list(grid.shape)}")
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError("grid_sampler(): expected grid and input to have same batch size, "
                           f"but got input with sizes {list(input.shape)} and grid with sizes "
                           f"{list(grid.shape)}")
    if grid.shape[-1] != nd:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {nd} in last dimension, "
                           f"but got grid with sizes {list(grid.shape)}")
    for d in range(2, input.dim()):
        if input.shape[d] == 0:
            raise RuntimeError("grid_sampler(): expected input to have non-empty spatial "
                               f"dimensions, but input has sizes {list(input.shape)} with "
                               f"dimension {d} being empty")
    if grid.dtype != input.dtype:
        raise RuntimeError(f"expected scalar type {_legacy(input.dtype)} but found "
                           f"{_legacy(grid.dtype)}")
    if mode == "bicubic" and nd != 2:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Samples input (N, C, [D,] H, W) at the normalised locations grid (N, [D',] H', W', d)."""
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    _check_grid_args(input, grid, mode)
    n, c = input.shape[:2]
    sizes = list(input.shape[2:])  # (D,) H, W
    nd = len(sizes)
    out_sp = list(grid.shape[1:-1])
    g = grid.reshape(n, _prod(out_sp), nd)  # sizes spelled out: n or the grid may be empty
    # coordinate k of the grid addresses spatial dim nd-1-k (x -> W, y -> H, z -> D)
    src = [_source_index(g[:, :, nd - 1 - d], sizes[d], padding_mode, align_corners)
           for d in range(nd)]
    rows = input.reshape(n, c, _prod(sizes)).transpose(1, 2).reshape(-1, c)  # row per pixel
    if mode == "bicubic":
        out = _bicubic(rows, g, sizes, padding_mode, align_corners)
    elif mode == "nearest":
        idx = [s.round() for s in src]
        # torch's grid gradient is zeros here (not None): keep the grid in the graph at weight 0
        link = sum(i for i in idx) * 0.0
        out = _mix(rows, [(idx, None)], sizes) + link.unsqueeze(-1)
    else:
        lows = [s.floor() for s in src]
        taps = []
        for corner in itertools.product((0, 1), repeat=nd):
            pos, w = [], None
            for d, bit in enumerate(corner):
                p = lows[d] + bit
                f = (src[d] - lows[d]) if bit else (lows[d] + 1 - src[d])
                pos.append(p)
                w = f if w is None else w * f
            taps.append((pos, w))
        out = _mix(rows, taps, sizes)
    return out.transpose(1, 2).reshape([n, c] + out_sp)  # (N, P, C) -> (N, C, *out_sp)


def _prod(xs):
    out = 1
    for x in xs:
        out *= x
    return out


def _mix(rows, taps, sizes):
    """sum over taps (pos, weight) of weight * the input's channels at pos: pos[d] (N, P) are
    integer-valued float positions, weight (N, P) or None for 1; a tap outside the input
    contributes zero. rows is the input as (N * prod(sizes), C). All taps share one
    index_select of whole channel rows: a gather per element and per tap was several times
    slower (torch's 3-d OpInfo samples ran past the sweep's time limit). Returns (N, P, C)."""
    lins, ws = [], []
    for pos, w in taps:
        inside, lin = None, None
        for p, s in zip(pos, sizes):
            ok = (p >= 0) & (p <= s - 1)
            inside = ok if inside is None else inside & ok
            pc = p.detach().clamp(0, s - 1).to(_C.int64)
            lin = pc if lin is None else lin * s + pc
        mask = inside.to(rows.dtype)
        lins.append(lin)
        ws.append(mask if w is None else w * mask)
    n, p_count = lins[0].shape
    c = rows.shape[1]
    first = _arange(n, dtype=_C.int64, device=rows.device).reshape(n, 1, 1) * _prod(sizes)
    lin = (_C.stack(lins, 1) + first).reshape(-1)  # (N * taps * P,) rows of `rows`
    vals = rows.index_select(0, lin).reshape(n, len(taps), p_count, c)
    return (vals * _C.stack(ws, 1).unsqueeze(-1)).sum(1)


_A = -0.75  # the cubic convolution constant torch (and OpenCV) use


def _cubic_weights(t):
    """Keys' kernel at distances 1 + t, t, 1 - t, 2 - t from the four taps."""
    def near(x):  # |x| <= 1
        return ((_A + 2) * x - (_A + 3)) * x * x + 1

    def far(x):  # 1 < |x| < 2
        return ((_A * x - 5 * _A) * x + 8 * _A) * x - 4 * _A
    return [far(t + 1.0), near(t), near(1.0 - t), far(2.0 - t)]


def _bicubic(rows, g, sizes, padding_mode, align_corners):
    h, w = sizes
    ix = _unnormalize(g[:, :, 0], w, align_corners)
    iy = _unnormalize(g[:, :, 1], h, align_corners)
    x0, y0 = ix.floor(), iy.floor()
    wx, wy = _cubic_weights(ix - x0), _cubic_weights(iy - y0)
    taps = []
    for j in range(4):
        ty = _pad_coord(y0 + (j - 1), h, padding_mode, align_corners)
        for i in range(4):
            tx = _pad_coord(x0 + (i - 1), w, padding_mode, align_corners)
            # reflection/border taps are whole numbers again after the fold; round guards
            # the float arithmetic before they become indices
            taps.append(([ty.round(), tx.round()], wy[j] * wx[i]))
    return _mix(rows, taps, sizes)
