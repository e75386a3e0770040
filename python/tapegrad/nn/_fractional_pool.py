"""nn.functional.fractional_max_pool2d / 3d (Graham, "Fractional Max-Pooling"): max over
windows of kernel_size whose starts follow torch's pseudo-random sequence
    start[i] = int((i + u) * alpha) - int(u * alpha),  alpha = (in - k) / (out - 1),
    start[out - 1] = in - k,
with u drawn per (sample, channel, spatial dim) (or given as _random_samples). The arithmetic
runs in the input's dtype, as torch's kernel does, so the same samples give the same windows.
Windows are gathered as flat indices, then reduced with max (values and flat indices)."""
from .. import _C
from .._factories import arange as _arange, rand as _rand, tensor as _tensor

_NAMES = {2: ("height", "width"), 3: ("time", "height", "width")}


def _starts(u, size, k, out, dtype):
    """u (N, C) samples for one spatial dim -> (N, C, out) int64 window starts."""
    n, c = u.shape
    last = _tensor([size - k], dtype=_C.int64, device=u.device).expand(n, c, 1)
    if out <= 1:
        return last.contiguous()
    alpha = (_tensor(float(size - k), dtype=dtype, device=u.device)
             / _tensor(float(out - 1), dtype=dtype, device=u.device))
    i = _arange(out - 1, device=u.device).to(dtype).reshape(1, 1, -1)
    uu = u.unsqueeze(2)
    seq = ((i + uu) * alpha).to(_C.int64) - (uu * alpha).to(_C.int64)
    return _C.cat([seq, last], 2)


def _fractional(input, kernel_size, output_size, output_ratio, samples, nd, what):
    lo = nd + 1
    k = (kernel_size,) * nd if isinstance(kernel_size, int) else tuple(kernel_size)
    sizes = list(input.shape[-nd:])
    if output_size is None and output_ratio is None:
        raise ValueError(f"fractional_max_pool{nd}d requires specifying either an output_size "
                         "or an output_ratio")
    if output_size is None:
        ratio = (output_ratio,) * nd if isinstance(output_ratio, (int, float)) else \
            tuple(output_ratio)
        output_size = [int(s * r) for s, r in zip(sizes, ratio)]
    out = [output_size] * nd if isinstance(output_size, int) else list(output_size)
    batched = input.dim() == lo + 1
    x = input if batched else input.unsqueeze(0)
    n, c = x.shape[:2]
    if samples is None:
        samples = _rand(n, c, nd, dtype=input.dtype, device=input.device)
    if samples.shape[2] != nd:
        raise RuntimeError(f"Expect _random_samples.size(2) equals to {nd}; got "
                           f"{samples.shape[2]}.")
    if samples.shape[0] < n:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    # torch's 3-d kernel demands strictly less room, and checks time, width, then height
    order = range(nd) if nd == 2 else (0, 2, 1)
    for d in order:
        if out[d] + k[d] - 1 > sizes[d] - (nd == 3):
            name = _NAMES[nd][d]
            raise RuntimeError(f"{what}(): pool {name} {k[d]} too large relative to input "
                               f"{name} {sizes[d]}")
    # flat input index of every window element: (N, C, *out, *k)
    flat, stride = None, 1
    for d in reversed(range(nd)):
        # torch's 2-d kernel reads the width's sample first, its 3-d kernel time's
        which = nd - 1 - d if nd == 2 else d
        starts = _starts(samples[:n, :, which], sizes[d], k[d], out[d], input.dtype)
        pos = starts.unsqueeze(-1) + _arange(k[d], device=input.device)  # (N, C, out_d, k_d)
        shape = [n, c] + [1] * (2 * nd)
        shape[2 + d], shape[2 + nd + d] = out[d], k[d]
        term = pos.reshape(shape) * stride
        flat = term if flat is None else flat + term
        stride *= sizes[d]
    win, cells, total = 1, 1, 1
    for v in k:
        win *= v
    for v in out:
        cells *= v
    for v in sizes:
        total *= v
    # explicit sizes: an empty batch leaves nothing to infer a -1 from
    flat = flat.expand([n, c] + out + list(k)).reshape(n, c, cells * win)
    vals = x.reshape(n, c, total).gather(2, flat).reshape(n, c, cells, win)
    best, arg = vals.max(-1)
    idx = flat.reshape(n, c, cells, win).gather(3, arg.unsqueeze(-1)).squeeze(-1)
    best, idx = best.reshape([n, c] + out), idx.reshape([n, c] + out)
    if not batched:
        best, idx = best.squeeze(0), idx.squeeze(0)
    return best, idx


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    return _fractional(input, kernel_size, output_size, output_ratio, _random_samples, 2,
                       "fractional_max_pool2d")


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    out, idx = fractional_max_pool2d_with_indices(input, kernel_size, output_size, output_ratio,
                                                  return_indices, _random_samples)
    return (out, idx) if return_indices else out


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    return _fractional(input, kernel_size, output_size, output_ratio, _random_samples, 3,
                       "fractional_max_pool3d_out")


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    out, idx = fractional_max_pool3d_with_indices(input, kernel_size, output_size, output_ratio,
                                                  return_indices, _random_samples)
    return (out, idx) if return_indices else out
