"""Bulk conversions (lib/cpu/bulk_convert.cpp: F16C and branch-free loops for float32 <->
float16 / bfloat16, AVX-512 for bfloat16 and float -> int64, on contiguous tensors) against
torch's bits, and the strided per-element path beside them; every instruction-set path in a
worker of its own (TAPEGRAD_VMATH), at 1 and 2 threads."""
import sys

import numpy as np
import pytest
import torch
from isa_worker import report, run_worker

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


def _int64_sources(dt, n, rng):
    """Values whose truncation torch and tapegrad must agree on: fractions of both signs, exact
    integers, +-2^63 and beyond (INT64_MIN, the instruction's out-of-range answer), inf, NaN."""
    vals = [0.5, -0.5, 1.9999, -1.9999, -0.0, 2.0 ** 62, -(2.0 ** 63), 2.0 ** 63, 1e19, -1e19,
            float("inf"), -float("inf"), float("nan"), 9.007199254740993e15, 3e9, -3e9]
    x = np.concatenate([np.array(vals), rng.standard_normal(n) * 10.0 ** rng.integers(0, 12, n)])
    return x.astype(dt)[:max(n, 1)]


def worker():
    rng = np.random.default_rng(0)
    bad = []
    for n in (1, 7, 8, 9, 15, 16, 17, 31, 33, 1000, 70001):
        vals = np.concatenate([np.array(SPECIALS + [float("nan"), -float("nan")], dtype=np.float32),
                               (rng.standard_normal(n) * 10.0 ** rng.integers(-40, 38, n))
                               .astype(np.float32)])[:n]
        for dt in ("float16", "bfloat16"):
            got = tapegrad.from_numpy(vals.copy()).to(getattr(tapegrad, dt))
            want = torch.from_numpy(vals.copy()).to(getattr(torch, dt))
            g, w = got.view(tapegrad.int16).numpy(), want.view(torch.int16).numpy()
            # NaN: any NaN (torch's AVX512 bfloat16 loop writes 0xffff for every NaN, its scalar
            # loop 0x7fc0; tapegrad keeps the sign and the payload's top bits, quieted)
            nan = np.isnan(vals)
            top = 0x7c00 if dt == "float16" else 0x7f80
            if not np.array_equal(g[~nan], w[~nan]) or not all(
                    (int(a) & 0x7fff) > top for a in g[nan].view(np.uint16)):
                bad.append((dt, n))
        for src in ("float32", "float64"):
            x = _int64_sources(src, n, rng)
            got = tapegrad.from_numpy(x.copy()).long().numpy()
            want = torch.from_numpy(x.copy()).long().numpy()
            if not np.array_equal(got, want):
                bad.append(("int64", src, n, [(a, b, c) for a, b, c in zip(x, got, want) if b != c][:5]))
    report(bad)


@pytest.mark.parametrize("vmath", ["", "avx512", "avx2", "generic"])
def test_bulk_paths(vmath):
    run_worker(__file__, vmath, 1)


def test_bulk_two_threads():
    run_worker(__file__, "", 2)


if __name__ == "__main__" and "--worker" in sys.argv:
    worker()
