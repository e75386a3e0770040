"""Bulk float32 <-> float16 / bfloat16 conversion (lib/cpu/half_convert.cpp: F16C / branch-free
loops for contiguous tensors) against torch's bits, and the strided per-element path beside it."""
import numpy as np
import pytest
import torch

import tapegrad

SPECIALS = [float("inf"), -float("inf"), 65504.0, 65519.99, 65520.0, 1e-8, 6e-8, -0.0, 0.0,
            3.4e38, -3.4e38, 1.0000001, 2.0 ** -24, 2.0 ** -25, 3 * 2.0 ** -26, 1e-45, 1e-40,
            0.1, -2.5, 1.00390625, 1.001953125, 1.005859375]


@pytest.mark.parametrize("dt", ["float16", "bfloat16"])
@pytest.mark.parametrize("n", [1, 7, 8, 9, 1000, 70001])
def test_to_half_bits_match_torch(dt, n):
    rng = np.random.default_rng(n)
    vals = np.concatenate([np.array(SPECIALS, dtype=np.float32),
                           (rng.standard_normal(n) * 10.0 ** rng.integers(-9, 6, n))
                           .astype(np.float32)])[:max(n, 1)]
    t = tapegrad.tensor(vals.tolist(), dtype=tapegrad.float32)
    w = torch.from_numpy(vals)
    got = t.to(getattr(tapegrad, dt))
    want = w.to(getattr(torch, dt))
    assert got.view(tapegrad.int16).tolist() == want.view(torch.int16).tolist()
    # and back: exact widening
    assert got.float().tolist() == want.float().tolist()
    # the strided path (per element) gives the same bits
    t2 = tapegrad.tensor(np.stack([vals, vals]).tolist(), dtype=tapegrad.float32).t()
    assert t2.to(getattr(tapegrad, dt))[:, 0].view(tapegrad.int16).tolist() == \
        want.view(torch.int16).tolist()


@pytest.mark.parametrize("dt", ["float16", "bfloat16"])
def test_nan_stays_nan(dt):
    t = tapegrad.tensor([float("nan")] * 20 + [-float("nan")] * 20)
    back = t.to(getattr(tapegrad, dt)).float()
    assert all(v != v for v in back.tolist())
