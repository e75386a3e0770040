"""Row reductions on their vector paths (lib/cpu/reduce.cpp): prod in double lanes (float rows
multiplied in pairs first; eight double partials without a vector path) and max/min rows through the vector table's extreme_lanes (kernels/vmath_impl.h), against torch for
every row length up to 40 (all the lane tails) and around the unrolled vector block (64 floats
on AVX-512), NaN and infinities anywhere in the row, float32 and float64; the max/min rows also
on every vector-math path (TAPEGRAD_VMATH) in a subprocess, prod rows too; the 2-norm's one-pass sum of
squares over trailing dims (norms.cpp) against torch, gradients included; amax/amin/sum/mean
over a leading dim (the vector table's column folds) with the same specials, every path too."""
import sys

import numpy as np
import pytest
import torch
from isa_worker import report, run_worker

import tapegrad

LENGTHS = list(range(1, 41)) + [63, 64, 65, 95, 127, 128, 129, 200, 1000, 1031]


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


def _prod_mismatches(tg, dtype):
    """prod over rows of every length in LENGTHS (the vector path's pair loads, its 4-vector
    unroll and every tail) against torch, and rows whose product does not depend on the order
    of the multiplications (a NaN, inf times 0, signed infinities, signed zeros) exactly."""
    torch.manual_seed(4)
    bad = []
    rtol = 2e-6 if dtype == "float32" else 1e-13
    for n in LENGTHS:
        a = (1 + 0.05 * torch.randn(9, n, dtype=torch.float64)).to(getattr(torch, dtype))
        a[1, n - 1] = float("nan")
        a[2, n // 2] = float("inf")
        a[3, 0], a[3, n - 1] = float("inf"), 0.0
        a[4, n // 3] = -float("inf")
        a[4, 0] = -a[4, 0]
        a[5, n // 2] = -0.0
        a[6, 0] = 0.0
        a[6, n - 1] = -a[6, n - 1]
        a[7] = -a[7]
        got = np.array(tg.tensor(a.tolist(), dtype=getattr(tg, dtype)).prod(1).tolist())
        want = a.prod(1).double().numpy()
        if not np.allclose(got, want, rtol=rtol, atol=0, equal_nan=True):
            bad.append(("prod", dtype, n))
        if str(got[1:7]) != str(want[1:7]) or np.signbit(got[1:7]).tolist() != np.signbit(
                want[1:7]).tolist():
            bad.append(("prod specials", dtype, n))
    return bad


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_prod_rows_every_length(dtype):
    assert _prod_mismatches(tapegrad, dtype) == []


def _extreme_mismatches(tg, dtype, op):
    """Rows of every length in LENGTHS with a NaN at the end, in the middle or first, an inf,
    a -inf, all -0.0, all -inf, all inf: tapegrad's amax/amin/softmax against torch's."""
    torch.manual_seed(1)
    bad = []
    for n in LENGTHS:
        a = torch.randn(10, n, dtype=getattr(torch, dtype))
        a[1, n - 1] = float("nan")
        a[2, n // 2] = float("inf")
        a[3, 0] = -float("inf")
        a[4, :] = -0.0
        a[5, n // 3] = float("nan")
        a[6, :] = -float("inf")
        a[7, :] = float("inf")
        a[8, 0] = float("nan")
        got = getattr(tg.tensor(a.tolist(), dtype=getattr(tg, dtype)), op)(1)
        want = getattr(a, op)(1)
        if str(np.array(got.tolist())) != str(want.double().numpy()):
            bad.append((op, dtype, n))
        b = torch.randn(3, n, dtype=getattr(torch, dtype)) * 10
        got = tg.tensor(b.tolist(), dtype=getattr(tg, dtype)).softmax(1)
        if not np.allclose(np.array(got.tolist()), b.softmax(1).double().numpy(), rtol=1e-5,
                           atol=1e-7):
            bad.append(("softmax", dtype, n))
    return bad


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op", ["amax", "amin"])
def test_extreme_rows_match_torch(dtype, op):
    assert _extreme_mismatches(tapegrad, dtype, op) == []


NORM_CASES = [((1000,), None, False), ((7, 300), 1, False), ((7, 300), -1, True),
              ((3, 4, 65), (1, 2), False), ((3, 4, 65), (-2, -1), True), ((), None, False),
              ((5, 0), 1, False), ((2, 3, 1031), None, False), ((70001,), 0, True)]


def _norm_mismatches(tg, dtype):
    torch.manual_seed(2)
    bad = []
    for shape, dim, keepdim in NORM_CASES:
        a = torch.randn(shape, dtype=getattr(torch, dtype)) * 3
        if a.numel() > 10:
            a.view(-1)[5] = 1e3
        for name, f in (("linalg", lambda m, t: m.linalg.vector_norm(t, 2, dim, keepdim)),
                        ("norm", lambda m, t: t.norm(2, dim, keepdim) if dim is not None
                         else t.norm())):
            x = tg.tensor(a.tolist(), dtype=getattr(tg, dtype), requires_grad=True)
            # the reference in float64: torch's float32 norm accumulates in float (at 7e4
            # elements 3e-6 off), tapegrad's in double
            ta = a.double().clone().requires_grad_()
            got, want = f(tg, x), f(torch, ta)
            rtol = 1e-6 if dtype == "float32" else 1e-13
            if (tuple(got.shape) != tuple(want.shape) or not np.allclose(
                    np.array(got.tolist()), want.detach().double().numpy(), rtol=rtol, atol=0)):
                bad.append((name, dtype, shape, dim, "value"))
                continue
            g = torch.randn(want.shape, dtype=a.dtype).double()
            got.backward(tg.tensor(g.tolist(), dtype=getattr(tg, dtype)))
            want.backward(g)
            if not np.allclose(np.array(x.grad.tolist()), ta.grad.double().numpy(),
                               rtol=10 * rtol, atol=1e-12):
                bad.append((name, dtype, shape, dim, "grad"))
    # NaN and inf anywhere in a row; a transposed (non-contiguous) input
    a = torch.randn(4, 100, dtype=getattr(torch, dtype))
    a[1, 50] = float("nan")
    a[2, 99] = float("inf")
    for t_tg, t_torch in ((tg.tensor(a.tolist(), dtype=getattr(tg, dtype)), a),
                          (tg.tensor(a.tolist(), dtype=getattr(tg, dtype)).t(), a.t())):
        got = np.array(t_tg.norm(dim=-1).tolist())
        want = t_torch.norm(dim=-1).double().numpy()
        if not np.allclose(got, want, rtol=1e-6, equal_nan=True):
            bad.append(("special", dtype, tuple(t_torch.shape)))
    return bad


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_norm_rows_match_torch(dtype):
    assert _norm_mismatches(tapegrad, dtype) == []


def _column_mismatches(tg, dtype):
    """amax/amin/sum/mean over dim 0 of [rows, cols] for every width in LENGTHS (the column
    folds' vector tails) and over dim 0 of a 3-D tensor (columns spanning two dims), with NaN in
    the first, a middle and the last row, +-inf, +0/-0 ties: against torch."""
    torch.manual_seed(3)
    bad = []
    for cols in LENGTHS:
        for rows in (1, 2, 5):
            a = torch.randn(rows, cols, dtype=getattr(torch, dtype))
            a[0, cols // 2] = float("nan")
            a[rows - 1, cols - 1] = float("nan")
            a[rows // 2, 0] = float("inf")
            if cols > 2:
                a[:, 1] = -float("inf")
            if cols > 3:
                a[:, 2] = 0.0
                a[rows // 2, 2] = -0.0
            x = tg.tensor(a.tolist(), dtype=getattr(tg, dtype))
            for op in ("amax", "amin"):
                if str(np.array(getattr(x, op)(0).tolist())) != str(getattr(a, op)(0).double().numpy()):
                    bad.append((op, dtype, rows, cols))
    for shape in ((7, 3, 65), (300, 1031), (2, 5, 1000)):
        a = torch.randn(shape, dtype=getattr(torch, dtype)) * 4
        x = tg.tensor(a.tolist(), dtype=getattr(tg, dtype))
        for op in ("amax", "amin"):
            if str(np.array(getattr(x, op)(0).tolist())) != str(getattr(a, op)(0).double().numpy()):
                bad.append((op, dtype, shape))
        for op in ("sum", "mean"):
            # the reference in float64: tapegrad accumulates in double, torch's float32 in float
            want = getattr(a.double(), op)(0).numpy()
            rtol = 1e-6 if dtype == "float32" else 1e-13
            if not np.allclose(np.array(getattr(x, op)(0).tolist()), want, rtol=rtol, atol=1e-6):
                bad.append((op, dtype, shape))
    return bad


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_column_folds_match_torch(dtype):
    assert _column_mismatches(tapegrad, dtype) == []


def worker():
    bad = []
    for dtype in ("float32", "float64"):
        bad += _column_mismatches(tapegrad, dtype)
        bad += _prod_mismatches(tapegrad, dtype)
        for op in ("amax", "amin"):
            bad += _extreme_mismatches(tapegrad, dtype, op)
        bad += _norm_mismatches(tapegrad, dtype)
    report(bad)


@pytest.mark.parametrize("vmath", ["avx512", "avx2", "generic"])
def test_extreme_rows_every_vector_path(vmath):
    run_worker(__file__, vmath, 1)


if __name__ == "__main__" and "--worker" in sys.argv:
    worker()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
def test_softmax_over_leading_dims_matches_torch(dtype, fn):
    """softmax / log_softmax over a dim before the last (kern::softmax_cols, no transposed
    copies): values, strides and gradients as torch's, with -inf, inf and NaN in a column,
    size-1 and empty dims, and transposed inputs (the permuted path)."""
    torch.manual_seed(3)
    cases = [((5, 7), 0), ((3, 4, 5), 1), ((3, 4, 5), 0), ((2, 1, 6), 1), ((1, 9), 0),
             ((4, 3, 2, 2), 2), ((6, 1), 0), ((0, 3), 0), ((3, 0, 2), 2), ((70, 33), 0)]
    for shape, d in cases:
        a = torch.randn(shape, dtype=getattr(torch, dtype)) * 5
        if a.numel() > 8:
            a.view(-1)[2], a.view(-1)[3], a.view(-1)[7] = -float("inf"), float("inf"), float("nan")
        for transposed in (False, True):
            x = a.clone()
            tx = tapegrad.tensor(a.numpy())
            if transposed and x.dim() >= 2:
                x, tx = x.transpose(0, 1), tx.transpose(0, 1)
            x.requires_grad_()
            tx.requires_grad_()
            want, got = getattr(torch, fn)(x, d), getattr(tapegrad, fn)(tx, d)
            assert got.stride() == want.stride(), (shape, d, transposed)
            np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-5,
                                       atol=1e-6)
            if want.numel():
                up = torch.randn(want.shape, dtype=x.dtype)
                want.backward(up)
                got.backward(tapegrad.tensor(up.numpy()))
                np.testing.assert_allclose(tx.grad.numpy(), x.grad.numpy(), rtol=1e-4, atol=1e-6)
