"""Elementwise binary ops and comparisons with a large operand laid out across the output
(lib/cpu/elementwise.cpp reads_across: x * x.t(), a permuted 3-d operand, an in-place op on a
contiguous tensor with a transposed other): the operand is copied dense first, and values,
dtypes, strides and gradients stay torch's, for float32/float64/float16/int64 and bool results."""
import numpy as np
import pytest
import torch

import tapegrad


def _tg(t):
    return tapegrad.tensor(t.numpy()) if t.dtype != torch.float16 else \
        tapegrad.tensor(t.float().numpy()).half()


def _np(t):
    return np.array(t.float().tolist() if t.dtype in (torch.float16, tapegrad.float16) else t.tolist())


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64"])
def test_values_and_layout_match_torch(dtype):
    torch.manual_seed(0)
    a = (torch.randn(300, 257) * 8).to(getattr(torch, dtype))
    b = (torch.randn(257, 300) * 8).to(getattr(torch, dtype))
    c = (torch.randn(5, 90, 160) * 8).to(getattr(torch, dtype))
    ta, tb, tc = _tg(a), _tg(b), _tg(c)
    cases = [
        (lambda m, x, y, z: x * y.t()), (lambda m, x, y, z: y.t() - x),
        (lambda m, x, y, z: x + y.t()), (lambda m, x, y, z: z * z.permute(0, 2, 1).transpose(1, 2)),
        (lambda m, x, y, z: z.permute(2, 0, 1).contiguous().permute(1, 2, 0) + z),
        (lambda m, x, y, z: x > y.t()), (lambda m, x, y, z: m.eq(y.t(), x)),
        (lambda m, x, y, z: m.maximum(x, y.t())),
    ]
    for k, f in enumerate(cases):
        want, got = f(torch, a, b, c), f(tapegrad, ta, tb, tc)
        assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1], k
        assert tuple(got.stride()) == tuple(want.stride()), k
        assert np.array_equal(_np(got), _np(want)), k
    # in place: a contiguous destination and a transposed other
    want, got = a.clone(), ta.clone()
    want.mul_(b.t())
    got.mul_(tb.t())
    assert np.array_equal(_np(got), _np(want))


def test_gradient_matches_torch():
    torch.manual_seed(1)
    a = torch.randn(260, 270, dtype=torch.float64, requires_grad=True)
    b = torch.randn(270, 260, dtype=torch.float64, requires_grad=True)
    ta = tapegrad.tensor(a.detach().numpy(), requires_grad=True)
    tb = tapegrad.tensor(b.detach().numpy(), requires_grad=True)
    g = torch.randn(260, 270, dtype=torch.float64)
    (a * b.t() / (1 + b.t() ** 2)).backward(g)
    (ta * tb.t() / (1 + tb.t() ** 2)).backward(tapegrad.tensor(g.numpy()))
    np.testing.assert_allclose(np.array(ta.grad.tolist()), a.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(np.array(tb.grad.tolist()), b.grad.numpy(), rtol=1e-12)
