"""Kernels that split independent lanes across threads (cpu::parallel_lanes in
kernels/loops.h, copy.cpp's block moves, conv.cpp's im2col): cumsum/cumprod along the last and
a leading dim, sort/topk/argmax/argmin along rows and columns, a 2-D and a batched transpose
copy, im2col of one image by channel ranges, and cat / contiguous copies above 1 MiB, against
torch bit for bit, at 1 and 2 threads (each in its own process: OpenMP fixes its thread count at
first use), with sizes above the grain so the shares are real, odd counts so they are unequal,
and outer sizes below the thread count."""
import sys

import numpy as np
import pytest
import torch
from isa_worker import report, run_worker

import tapegrad


def _same(got, want):
    return tuple(got.shape) == tuple(want.shape) and np.array_equal(
        np.array(got.tolist()), want.numpy(), equal_nan=True)


def _mismatches():
    torch.manual_seed(0)
    bad = []
    for dtype in ("float32", "float64", "int64"):
        for shape in ((301, 257), (3, 701, 33), (1, 40001), (40001, 1), (2, 20000)):
            a = torch.randn(shape, dtype=torch.float64) * 3
            a = a.to(getattr(torch, dtype)) if dtype != "int64" else (a * 10).long()
            x = tapegrad.tensor(a.numpy())
            for d in range(a.dim()):
                for name in ("cumsum", "cumprod"):
                    src = a if name == "cumsum" or dtype == "int64" else 1 + a / 100
                    xs = x if src is a else tapegrad.tensor(src.numpy())
                    if not _same(getattr(xs, name)(d), getattr(src, name)(d)):
                        bad.append((name, dtype, shape, d))
                if dtype == "int64":
                    continue
                for name in ("argmax", "argmin"):
                    if not _same(getattr(x, name)(d), getattr(a, name)(d)):
                        bad.append((name, dtype, shape, d))
                got, want = x.sort(d, descending=True), a.sort(d, descending=True)
                if not (_same(got[0], want[0]) and _same(got[1], want[1])):
                    bad.append(("sort", dtype, shape, d))
                k = min(5, a.shape[d])
                got, want = x.topk(k, d), a.topk(k, d)
                if not (_same(got[0], want[0]) and _same(got[1], want[1])):
                    bad.append(("topk", dtype, shape, d))
    for shape in ((1031, 517), (5, 300, 77), (9, 8)):
        a = torch.randn(shape)
        x = tapegrad.tensor(a.numpy())
        if not _same(x.transpose(-1, -2).contiguous(), a.transpose(-1, -2).contiguous()):
            bad.append(("transpose copy", shape))
    a = torch.randn(700, 1000)  # 2.8 MB: the block moves split across threads
    x = tapegrad.tensor(a.numpy())
    if not _same(tapegrad.cat([x, x[:301]]), torch.cat([a, a[:301]])):
        bad.append("cat")
    if not _same(tapegrad.stack([x, x]), torch.stack([a, a])):
        bad.append("stack")
    # im2col of one image: its channels split across threads (odd count: unequal shares)
    for c, hw, kw in ((5, 40, dict(padding=1, stride=2)), (16, 32, {}), (3, 64, dict(dilation=2))):
        img = torch.randn(1, c, hw, hw)
        if not _same(tapegrad.nn.functional.unfold(tapegrad.tensor(img.numpy()), 3, **kw),
                     torch.nn.functional.unfold(img, 3, **kw)):
            bad.append(("unfold", c, hw))
    y = tapegrad.empty(700, 1000)
    y.copy_(x)
    if not _same(y, a):
        bad.append("copy_")
    return bad


def test_parallel_lanes_match_torch():
    assert _mismatches() == []


def worker():
    report(_mismatches())


@pytest.mark.parametrize("threads", [1, 2])
def test_parallel_lanes_every_thread_count(threads):
    run_worker(__file__, None, threads)


if __name__ == "__main__" and "--worker" in sys.argv:
    worker()
