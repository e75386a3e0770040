"""cat along a dim past the first (lib/cpu/cat.cpp writes the result row by row when every input
is contiguous and of the result's dtype): the same expression in torch and tapegrad, values bit
for bit and gradients for a random upstream gradient, with inputs that take the row path
(rows of 128 bytes and more, several inputs, one empty along the dim, 3-D and 4-D) and inputs
that leave it (short rows, a transposed input, mixed dtypes, the legacy 1-D empty), at 1 and 2
threads."""
import numpy as np
import pytest
import torch

import tapegrad

CASES = [
    # (shapes, dim, dtypes)
    ([(64, 40), (64, 32)], 1, ["float32", "float32"]),
    ([(3, 5, 40), (3, 7, 40), (3, 0, 40), (3, 1, 40)], 1, ["float64"] * 4),
    ([(2, 3, 4, 64), (2, 3, 4, 33)], 3, ["float32", "float32"]),
    ([(100, 300), (100, 300), (100, 300)], -1, ["float32"] * 3),
    ([(200, 3), (200, 5)], 1, ["float32", "float32"]),           # short rows
    ([(64, 40), (64, 40)], 1, ["float32", "float64"]),           # promotion
    ([(5, 70), (0,), (5, 2)], 1, ["float64", "float64", "float64"]),  # legacy empty, mixed rows
    ([(40000, 40), (40000, 8)], 1, ["float32", "float32"]),      # above the OpenMP grain
    ([(4, 64), (4, 64)], 1, ["int64", "int64"]),
]


def _inputs(shapes, dtypes, rng, transpose_first=False):
    outs = []
    for k, (s, dt) in enumerate(zip(shapes, dtypes)):
        a = rng.standard_normal(s).astype(dt)
        if k == 0 and transpose_first:
            a = np.ascontiguousarray(a.T).T  # same values, transposed strides
        outs.append(a)
    return outs


# every case as given, and the 2-D ones again with the first input transposed (not contiguous)
VARIANTS = [(k, False) for k in range(len(CASES))] + \
    [(k, True) for k, c in enumerate(CASES) if len(c[0][0]) == 2]


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("case,transpose_first", VARIANTS)
def test_cat_matches_torch(case, threads, transpose_first):
    shapes, dim, dtypes = CASES[case]
    rng = np.random.default_rng(case)
    arrays = _inputs(shapes, dtypes, rng, transpose_first)
    old = tapegrad.get_num_threads()
    tapegrad.set_num_threads(threads)
    try:
        floating = all(dt.startswith("float") for dt in dtypes)
        tt = [torch.from_numpy(a.copy()) if not transpose_first or k else
              torch.from_numpy(np.ascontiguousarray(a.T)).t() for k, a in enumerate(arrays)]
        gt = [tapegrad.from_numpy(a.copy()) if not transpose_first or k else
              tapegrad.from_numpy(np.ascontiguousarray(a.T)).t() for k, a in enumerate(arrays)]
        if floating:
            for t in tt + gt:
                t.requires_grad_(True)
        want = torch.cat(tt, dim)
        got = tapegrad.cat(gt, dim)
        assert got.dtype == getattr(tapegrad, str(want.dtype).split(".")[1])
        assert tuple(got.shape) == tuple(want.shape)
        np.testing.assert_array_equal(got.detach().numpy(), want.detach().numpy())
        if floating:
            up = rng.standard_normal(tuple(want.shape)).astype(str(want.dtype).split(".")[1])
            want.backward(torch.from_numpy(up.copy()))
            got.backward(tapegrad.from_numpy(up.copy()))
            for a, b in zip(gt, tt):
                np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())
    finally:
        tapegrad.set_num_threads(old)
