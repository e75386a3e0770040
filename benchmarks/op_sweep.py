#!/usr/bin/env python
"""Every common op at one moderate size against torch: a standing check for slow paths.

    python benchmarks/op_sweep.py [--threads N] [--size 1024] [--filter REGEX] [--warn 2.0]

The issue-5 table (run.py) times a few dozen cases chosen up front; this sweep times ~60 ops on
one size x size float32 tensor (1024 x 1024 by default) in the same process as torch, with the
same thread count, alternating which library goes first, and prints each op's ratio
tapegrad / torch, slowest first, marking those above --warn. A 90x gemv and a 17x softmax hid
from the table until a sweep like this one found them. It asserts nothing; the README keeps the
last run's slow list."""
import argparse
import os
import re
import statistics
import sys
import time

CASES = [
    # reductions
    ("sum dim0", "x.sum(0)"), ("sum dim1", "x.sum(1)"), ("mean dim0", "x.mean(0)"),
    ("max dim0", "x.max(0)"), ("argmax dim1", "x.argmax(1)"), ("amax dim0", "x.amax(0)"),
    ("amax dim1", "x.amax(1)"), ("norm", "x.norm()"), ("var dim0", "x.var(0)"),
    ("std dim1", "x.std(1)"), ("cumsum dim0", "x.cumsum(0)"), ("cumsum dim1", "x.cumsum(1)"),
    ("logsumexp dim1", "x.logsumexp(1)"), ("prod dim1", "x.prod(1)"),
    # softmax family, normalisation, losses
    ("softmax dim0", "F.softmax(x, 0)"), ("softmax dim1", "F.softmax(x, 1)"),
    ("log_softmax dim1", "F.log_softmax(x, 1)"), ("layer_norm", "F.layer_norm(x, (x.shape[1],))"),
    ("cross_entropy", "F.cross_entropy(x, tgt)"), ("mse_loss", "F.mse_loss(x, y)"),
    # elementwise
    ("x + 1", "x + 1"), ("x * y", "x * y"), ("relu", "m.relu(x)"), ("abs", "x.abs()"),
    ("clamp", "x.clamp(-0.5, 0.5)"), ("where", "m.where(x > 0, x, 0.0)"),
    ("masked_fill", "x.masked_fill(x > 0, 0.0)"), ("exp", "x.exp()"), ("tanh", "x.tanh()"),
    ("sigmoid", "x.sigmoid()"), ("erf", "x.erf()"), ("gelu", "F.gelu(x)"),
    ("gelu tanh", "F.gelu(x, approximate='tanh')"), ("silu", "F.silu(x)"),
    ("pow 2.5", "xa ** 2.5"), ("pow 3", "xa ** 3"), ("pow -0.5", "xa ** -0.5"),
    ("rsqrt", "xa.rsqrt()"), ("reciprocal", "xa.reciprocal()"), ("neg", "x.neg()"),
    ("sqrt", "xa.sqrt()"), ("log", "xa.log()"),
    # layouts
    ("x.t() + 1", "x.t() + 1"), ("x * x.t()", "x * x.t()"), ("x.t().contiguous()", "x.t().contiguous()"),
    ("expand + contiguous", "x[:1].expand(x.shape[0], x.shape[1]).contiguous()"),
    ("flip dim0", "x.flip(0)"), ("roll dim1", "x.roll(3, 1)"), ("repeat", "x[:256].repeat(2, 2)"),
    ("cat dim0", "m.cat([x, x], 0)"), ("cat dim1", "m.cat([x, x], 1)"), ("stack", "m.stack([x, x])"),
    # indexing
    ("x[idx]", "x[idx]"), ("index_select dim1", "x.index_select(1, idx)"),
    ("gather dim1", "x.gather(1, gidx)"), ("embedding", "F.embedding(eidx, x)"),
    # sorting
    ("sort dim1", "x.sort(1)"), ("topk 10", "x.topk(10, 1)"),
    # products, convolution, pooling
    ("linear b=64", "F.linear(x[:64], x)"), ("bmm 16x64x64", "m.bmm(b3, b3)"),
    ("conv2d 1x16x32x32 k3", "F.conv2d(cimg, cw)"),
    ("max_pool2d", "F.max_pool2d(img, 2)"), ("avg_pool2d", "F.avg_pool2d(img, 2)"),
]


def setup(m, n):
    m.manual_seed(0)
    x = m.randn(n, n)
    return {
        "m": m, "F": m.nn.functional, "x": x, "y": m.randn(n, n), "xa": x.abs() + 0.1,
        "tgt": m.zeros(n, dtype=m.int64), "idx": m.arange(0, n, 3),
        "gidx": m.zeros(n, 10, dtype=m.int64), "eidx": m.zeros(512, dtype=m.int64),
        "b3": x.reshape(-1)[:16 * 64 * 64].reshape(16, 64, 64),
        "cimg": x.reshape(-1)[:16 * 32 * 32].reshape(1, 16, 32, 32),
        "cw": x.reshape(-1)[:16 * 16 * 9].reshape(16, 16, 3, 3),
        "img": x.reshape(1, 1, n, n),
    }


def time_call(f, rounds):
    f()
    t = time.perf_counter()
    f()
    dt = time.perf_counter() - t
    number = max(2, int(0.02 / max(dt, 1e-7)))
    out = []
    for _ in range(rounds):
        t = time.perf_counter()
        for _ in range(number):
            f()
        out.append((time.perf_counter() - t) / number)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--size", type=int, default=1024)
    ap.add_argument("--filter", default=None)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--warn", type=float, default=2.0)
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    import torch
    import tapegrad
    torch.set_num_threads(args.threads)
    tapegrad.set_num_threads(args.threads)
    libs = (tapegrad, torch)
    envs = {lib: setup(lib, args.size) for lib in libs}
    rows = []
    for name, stmt in CASES:
        if args.filter and not re.search(args.filter, name):
            continue
        times = {lib: [] for lib in libs}
        try:
            fns = {lib: eval("lambda: " + stmt, envs[lib]) for lib in libs}
            for r in range(args.rounds):  # alternate which library goes first
                order = libs if r % 2 == 0 else libs[::-1]
                for lib in order:
                    times[lib] += time_call(fns[lib], 1)
        except Exception as e:  # an op one library lacks: report it, go on
            print(f"{name}: {type(e).__name__}: {e}", file=sys.stderr)
            continue
        a, b = statistics.median(times[tapegrad]), statistics.median(times[torch])
        rows.append((a / b, name, a, b))
    print(f"# op sweep: {args.size} x {args.size} float32, {args.threads} thread(s), "
          f"torch {torch.__version__}")
    print(f"{'ratio':>7}  {'tapegrad':>10}  {'torch':>10}  op")
    for ratio, name, a, b in sorted(rows, reverse=True):
        flag = "  <-- slower than torch by more than %.1fx" % args.warn if ratio > args.warn else ""
        print(f"{ratio:7.2f}  {a * 1e6:8.1f}us  {b * 1e6:8.1f}us  {name}{flag}")


if __name__ == "__main__":
    main()
