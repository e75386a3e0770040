"""matmul of a matrix against a batch (lib/ops/linalg.cpp) folds into one mm only where torch
does (the matrix needs a gradient: CloneBackward0), else expands the matrix over the batch
(UnsafeViewBackward0), values and gradients as torch's; conv2d, which runs its [O, K] weight
against the [N, K, L] columns that way, and im2col's run-at-a-time fill (lib/cpu/conv.cpp),
against torch over strides, paddings and dilations."""
import random

import numpy as np
import pytest
import torch

import tapegrad


@pytest.mark.parametrize("ra,rb", [(True, False), (False, True), (True, True), (False, False)])
def test_matrix_at_batch_matches_torch(ra, rb):
    torch.manual_seed(0)
    a = torch.randn(4, 5, dtype=torch.float64, requires_grad=ra)
    b = torch.randn(3, 5, 6, dtype=torch.float64, requires_grad=rb)
    ta = tapegrad.tensor(a.detach().numpy(), requires_grad=ra)
    tb = tapegrad.tensor(b.detach().numpy(), requires_grad=rb)
    want, got = a @ b, ta @ tb
    assert type(got.grad_fn).__name__ == type(want.grad_fn).__name__
    assert got.stride() == want.stride()
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-13)
    if ra or rb:
        up = torch.randn(3, 4, 6, dtype=torch.float64)
        want.backward(up)
        got.backward(tapegrad.tensor(up.numpy()))
        for t, tt in ((a, ta), (b, tb)):
            if t.requires_grad:
                np.testing.assert_allclose(tt.grad.numpy(), t.grad.numpy(), rtol=1e-12)


def test_matrix_at_expanded_and_transposed_batch():
    torch.manual_seed(1)
    a = torch.randn(7, 9)
    for b in (torch.randn(9, 11).expand(4, 9, 11), torch.randn(4, 11, 9).transpose(1, 2),
              torch.randn(2, 3, 9, 5)):
        got = tapegrad.tensor(a.numpy()) @ tapegrad.tensor(b.contiguous().numpy())
        np.testing.assert_allclose(got.numpy(), (a @ b).numpy(), rtol=1e-5, atol=1e-5)


def test_conv2d_and_unfold_match_torch():
    rng = random.Random(0)
    checked = 0
    while checked < 60:
        N, C = rng.randint(1, 3), rng.randint(1, 4)
        H, W = rng.randint(1, 12), rng.randint(1, 12)
        kh, kw = rng.randint(1, 4), rng.randint(1, 4)
        s = (rng.randint(1, 3), rng.randint(1, 3))
        d = (rng.randint(1, 2), rng.randint(1, 2))
        p = (rng.randint(0, 3), rng.randint(0, 3))
        if H + 2 * p[0] - d[0] * (kh - 1) - 1 < 0 or W + 2 * p[1] - d[1] * (kw - 1) - 1 < 0:
            continue
        checked += 1
        x = torch.randn(N, C, H, W, dtype=torch.float64, requires_grad=True)
        w = torch.randn(3, C, kh, kw, dtype=torch.float64, requires_grad=True)
        tx = tapegrad.tensor(x.detach().numpy(), requires_grad=True)
        tw = tapegrad.tensor(w.detach().numpy(), requires_grad=True)
        want = torch.nn.functional.conv2d(x, w, stride=s, padding=p, dilation=d)
        got = tapegrad.nn.functional.conv2d(tx, tw, stride=s, padding=p, dilation=d)
        np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-12,
                                   atol=1e-12)
        up = torch.randn(want.shape, dtype=torch.float64)
        want.backward(up)
        got.backward(tapegrad.tensor(up.numpy()))
        np.testing.assert_allclose(tx.grad.numpy(), x.grad.numpy(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(tw.grad.numpy(), w.grad.numpy(), rtol=1e-12, atol=1e-12)
        u = torch.nn.functional.unfold(x.detach(), (kh, kw), dilation=d, padding=p, stride=s)
        tu = tapegrad.nn.functional.unfold(tapegrad.tensor(x.detach().numpy()), (kh, kw),
                                           dilation=d, padding=p, stride=s)
        assert np.array_equal(tu.numpy(), u.numpy())
