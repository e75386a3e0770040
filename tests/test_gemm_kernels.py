"""The CPU GEMM behind mm/bmm/mv/dot/matmul (lib/cpu/gemm_*.cpp): every instruction-set path
this machine can run (TAPEGRAD_GEMM=avx2|generic forces a lesser one; the kernel set is chosen
once per process, so each runs in a subprocess), 1 and 2 OpenMP threads (the work split along M
and along N), against torch on shapes that cross the register tile (avx512: 6x64, and 12x32
up to N = 64; 6x16 / 4x4), the k-blocks (K split into equal blocks of at most KC, or 4*KC with
A read in place), the wide-N packing switch (N > 256), the swapped product for 32 or 64 rows against
a transposed B, the dot-product paths for 1 to 4 rows against a transposed B, edge rows and columns, and operands that are transposed, sliced with steps, or
expanded (stride 0)."""
import os
import subprocess
import sys

import pytest
from crosscheck import cpu_flags

torch = pytest.importorskip("torch")

SHAPES = [  # (M, K, N)
    (1, 1, 1), (1, 7, 1), (5, 1, 3), (4, 0, 3), (0, 5, 3), (3, 5, 0),
    (12, 16, 32), (13, 17, 33), (11, 31, 31), (25, 600, 70), (70, 520, 25),
    (1, 300, 45), (45, 300, 1), (40, 1030, 530), (130, 70, 1100), (64, 784, 256),
    # A read in place (N <= 256) with K in 2 balanced blocks (> 4*KC), A packed from N = 257
    # with K in 5 balanced blocks; a leading dimension of 1024 floats (4 KiB: A packed).
    (27, 2100, 256), (26, 1100, 257), (15, 1024, 40), (33, 1100, 200),
    # x @ W.t() computed as (W @ x.t()).t() up to M = 64 rows (the "nt" layouts here),
    # 130 rows against 700 columns (not swapped), the square product that 2 threads split along
    # M rather than N, and N = 65: one column past the 12x32 tile's range into the 6x64 one.
    (64, 130, 300), (65, 130, 300), (130, 200, 700), (512, 512, 512), (7, 40, 65),
    # the same swap for at most 16 columns (a classifier layer x @ W.t(), W of 10 rows)
    (300, 70, 10), (64, 256, 16), (40, 33, 3), (17, 20, 17),
    # x @ W.t() of one row (a dot per column), of 2-4 rows with K >= 256 (dots), K < 256 (packed),
    # 32 rows swapped (K > 256), 48 rows and K <= 256 not swapped
    (1, 1024, 1024), (1, 300, 37), (2, 1024, 300), (3, 257, 65), (4, 256, 7), (4, 255, 100),
    (32, 520, 256), (48, 784, 256), (64, 256, 256),
]


def _tg(tg, x):
    """A tapegrad copy of a contiguous torch tensor (its own memory, so torch cannot alias it)."""
    return tg.from_dlpack(x.clone())


def _case(tg, dt, M, K, N, layout, gen):
    """torch operands a [M,K], b [K,N] in the given layout, and the same views in tapegrad."""
    def make(rows, cols, how):
        if how == "t":       # a transposed view of a contiguous [cols, rows]
            base = torch.randn(cols, rows, dtype=dt, generator=gen)
            return base.t(), _tg(tg, base).t()
        if how == "step":    # every other column and row of a bigger matrix
            base = torch.randn(2 * rows, 2 * cols, dtype=dt, generator=gen)
            return base[::2, ::2], _tg(tg, base)[::2, ::2]
        if how == "bcast":   # a row expanded down (row stride 0)
            base = torch.randn(1, cols, dtype=dt, generator=gen)
            return base.expand(rows, cols), _tg(tg, base).expand(rows, cols)
        base = torch.randn(rows, cols, dtype=dt, generator=gen)
        return base, _tg(tg, base)
    ta, a = make(M, K, layout[0])
    tb, b = make(K, N, layout[1])
    return ta, tb, a, b


def _close(got, want, K, dt):
    got = torch.from_dlpack(got.detach()).clone()
    assert got.dtype == want.dtype and got.shape == want.shape
    tol = (2e-5 if dt == torch.float32 else 1e-12) * (K + 1) ** 0.5 * 4
    err = (got - want).abs().max().item() if want.numel() else 0.0
    scale = want.abs().max().item() if want.numel() else 1.0
    return err <= tol * (1 + scale), err


def worker():
    import tapegrad as tg
    gen = torch.Generator().manual_seed(0)
    bad = []
    for dt in (torch.float32, torch.float64):
        for (M, K, N) in SHAPES:
            for layout in ("nn", "tn", "nt", "tt", ("step", "n"), ("n", "step"), ("bcast", "t")):
                ta, tb, a, b = _case(tg, dt, M, K, N, layout, gen)
                ok, err = _close(tg.mm(a, b), ta @ tb, K, dt)
                if not ok:
                    bad.append(("mm", dt, M, K, N, layout, err))
        # matrix @ vector, vector @ matrix, dot (the N == 1 and M == 1 paths)
        m = torch.randn(70, 600, dtype=dt, generator=gen)
        v = torch.randn(600, dtype=dt, generator=gen)
        tm, tv = _tg(tg, m), _tg(tg, v)
        for name, got, want in (("mv", tm @ tv, m @ v), ("vm", tv @ tm.t(), v @ m.t()),
                                ("mv_t", tm.t().t() @ tv, m @ v),
                                ("vm_t", tv[::2] @ tm.t()[::2], v[::2] @ m.t()[::2]),
                                # a transposed matrix @ vector (columns contiguous), and with
                                # a strided vector
                                ("tmv", tm.t() @ tv[:70], m.t() @ v[:70]),
                                ("tmv_step", tm.t() @ tv[:140:2], m.t() @ v[:140:2]),
                                ("tmv_out", tg.mv(tm.t(), tv[:70]), torch.mv(m.t(), v[:70])),
                                ("dot", tg.dot(tv, tv), v @ v)):
            ok, err = _close(got, want, 600, dt)
            if not ok:
                bad.append((name, dt, err))
        # bmm: contiguous, transposed per batch, and a batch-strided slice
        x = torch.randn(6, 40, 33, dtype=dt, generator=gen)
        y = torch.randn(6, 33, 50, dtype=dt, generator=gen)
        tx, ty = _tg(tg, x), _tg(tg, y)
        for name, got, want in (("bmm", tg.bmm(tx, ty), torch.bmm(x, y)),
                                ("bmm_t", tg.bmm(ty.transpose(1, 2), tx.transpose(1, 2)),
                                 torch.bmm(y.transpose(1, 2), x.transpose(1, 2))),
                                ("bmm_step", tg.bmm(tx[::2], ty[::2]), torch.bmm(x[::2], y[::2]))):
            ok, err = _close(got, want, 33, dt)
            if not ok:
                bad.append((name, dt, err))
    # The result of a big product stays right when it feeds autograd (grad of both operands).
    a = torch.randn(130, 600, dtype=torch.float64, generator=gen, requires_grad=True)
    b = torch.randn(600, 90, dtype=torch.float64, generator=gen, requires_grad=True)
    g = torch.randn(130, 90, dtype=torch.float64, generator=gen)
    ta = _tg(tg, a.detach()).requires_grad_()
    tb = _tg(tg, b.detach()).requires_grad_()
    (a @ b).backward(g)
    (ta @ tb).backward(_tg(tg, g))
    for name, got, want in (("grad_a", ta.grad, a.grad), ("grad_b", tb.grad, b.grad)):
        ok, err = _close(got, want, 600, torch.float64)
        if not ok:
            bad.append((name, err))
    print("BAD", bad) if bad else print("OK")


def _isas():
    fl = cpu_flags()
    out = ["generic"]
    if {"avx2", "fma"} <= fl:
        out.append("avx2")
    if {"avx512f", "avx512dq", "avx512vl", "avx512bw"} <= fl:
        out.append("avx512")
    return out


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("isa", _isas())
def test_gemm_matches_torch(isa, threads):
    import tapegrad
    env = dict(os.environ)
    env["TAPEGRAD_GEMM"] = isa
    env["OMP_NUM_THREADS"] = str(threads)
    pkg_parent = os.path.dirname(os.path.dirname(tapegrad.__file__))
    env["PYTHONPATH"] = os.pathsep.join([pkg_parent] + [p for p in [env.get("PYTHONPATH")] if p])
    p = subprocess.run([sys.executable, os.path.abspath(__file__)], env=env, capture_output=True,
                       text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-3000:]
    assert p.stdout.strip().splitlines()[-1] == "OK", p.stdout[-3000:]


if __name__ == "__main__":
    worker()
