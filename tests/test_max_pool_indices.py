"""max_pool2d's values, indices and gradient against torch on windows with several NaNs (torch
takes every NaN it meets: the last one's index wins), all -inf windows (the first element's
index), ties (the first), padding, dilation, strides and ceil_mode; float32, float64 and half
(whose gradient sums round differently where windows overlap)."""
import numpy as np
import pytest
import torch

import tapegrad

CONFIGS = [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
           dict(kernel_size=3, dilation=2, stride=1),
           dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 1), ceil_mode=True)]


def _input(dtype):
    rng = np.random.default_rng(0)
    a = rng.integers(-3, 4, (2, 3, 9, 11)).astype(np.float64)  # many ties
    a[0, 0, 0, 0] = a[0, 0, 1, 1] = np.nan
    a[0, 1, 3, 3] = a[0, 1, 3, 4] = a[0, 1, 4, 3] = np.nan
    a[1, 1, 2:5, 2:5] = -np.inf
    a[1, 2, 6, 7] = np.inf
    return a.astype(dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("cfg", range(len(CONFIGS)))
def test_max_pool2d_matches_torch(dtype, cfg):
    a = _input(dtype)
    g = np.random.default_rng(1)
    res = []
    for m in (torch, tapegrad):
        x = m.from_numpy(a.copy()).requires_grad_(True)
        out, idx = m.nn.functional.max_pool2d(x, return_indices=True, **CONFIGS[cfg])
        up = g.standard_normal(tuple(out.shape)).astype(dtype) if m is torch else up
        out.backward(m.from_numpy(up.copy()))
        res.append((out.detach().numpy(), idx.numpy(), x.grad.numpy()))
    (vt, it, gt), (vg, ig, gg) = res
    np.testing.assert_array_equal(vg, vt)
    np.testing.assert_array_equal(ig, it)
    if dtype == "float16":
        # overlapping windows add into one input's gradient: torch rounds each sum to half,
        # tapegrad adds in float and rounds once (within an ulp of half)
        np.testing.assert_allclose(gg.astype(np.float64), gt.astype(np.float64), rtol=2e-3, atol=1e-3)
    else:
        np.testing.assert_array_equal(gg, gt)


@pytest.mark.parametrize("cfg", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                 dict(kernel_size=(3, 2, 2), dilation=(2, 1, 1)),
                                 dict(kernel_size=2, stride=2, ceil_mode=True)])
def test_max_pool3d_matches_torch(cfg):
    """max_pool3d (2-D pools per depth slice, then a max along depth): the last NaN over the
    whole 3-D window, the first of tied maxima otherwise, as torch's kernel."""
    rng = np.random.default_rng(2)
    b = rng.integers(-2, 3, (2, 2, 5, 6, 7)).astype(np.float32)
    b[rng.random(b.shape) < 0.08] = np.nan
    res = []
    for m in (torch, tapegrad):
        out, idx = m.nn.functional.max_pool3d(m.from_numpy(b.copy()), return_indices=True, **cfg)
        res.append((out.numpy(), idx.numpy()))
    np.testing.assert_array_equal(res[1][0], res[0][0])
    np.testing.assert_array_equal(res[1][1], res[0][1])
