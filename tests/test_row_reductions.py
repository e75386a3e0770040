"""Row reductions on their vector paths (lib/cpu/reduce.cpp): prod in eight double partials and
max/min rows compiled per instruction set, against torch for every row length up to 40 (all the
lane tails), NaN and infinities included, float32 and float64."""
import numpy as np
import pytest
import torch

import tapegrad


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_prod_rows_match_torch(dtype):
    torch.manual_seed(0)
    for n in list(range(1, 41)) + [1000, 1023]:
        a = (1 + 0.05 * torch.randn(7, n, dtype=torch.float64)).to(getattr(torch, dtype))
        a[3, 0] = 0.0
        got = tapegrad.tensor(a.tolist(), dtype=getattr(tapegrad, dtype)).prod(1)
        rtol = 2e-6 if dtype == "float32" else 1e-13
        np.testing.assert_allclose(np.array(got.tolist()), a.prod(1).double().numpy(), rtol=rtol)


def test_prod_rows_specials():
    a = torch.tensor([[1.0, float("nan"), 2.0] * 4, [float("inf"), 0.0, 1.0] * 4,
                      [-1.0, 2.0, -3.0] * 4, [1e30, 1e30, 1e-30] * 4])
    got = tapegrad.tensor(a.tolist()).prod(1)
    assert str(np.array(got.tolist(), dtype=np.float32)) == str(a.prod(1).numpy())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op", ["amax", "amin"])
def test_extreme_rows_match_torch(dtype, op):
    torch.manual_seed(1)
    for n in range(1, 41):
        a = torch.randn(6, n, dtype=getattr(torch, dtype))
        a[1, n - 1] = float("nan")
        a[2, n // 2] = float("inf")
        a[3, 0] = -float("inf")
        a[4, :] = -0.0
        got = getattr(tapegrad.tensor(a.tolist(), dtype=getattr(tapegrad, dtype)), op)(1)
        want = getattr(a, op)(1)
        assert str(np.array(got.tolist())) == str(want.double().numpy()), n
