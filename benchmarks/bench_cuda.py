#!/usr/bin/env python
"""tapegrad against torch on a GPU (issue 6): elementwise ops as a fraction of the bandwidth of a
device-to-device copy, matmul time against torch's, and an MLP training step against torch eager
at batch 64 and 4096. Each timing synchronises the device before and after a timed loop.

    python benchmarks/bench_cuda.py [--quick]

Exits with a message (status 0) when tapegrad or torch cannot use a GPU here."""
import argparse
import sys
import time


def timed(sync, fn, reps):
    fn()
    sync()
    t0 = time.perf_counter()
    for _ in range(reps):
        fn()
    sync()
    return (time.perf_counter() - t0) / reps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    import tapegrad
    import torch
    if not (tapegrad.cuda.is_available() and torch.cuda.is_available()):
        print("bench_cuda: needs a GPU visible to both tapegrad and torch; nothing to do")
        return 0
    print(f"GPU: {tapegrad.cuda.get_device_name()} (cuBLAS: {tapegrad._C._cuda_has_cublas})")
    reps = 20 if args.quick else 100
    libs = {"tapegrad": (tapegrad, tapegrad.cuda.synchronize),
            "torch": (torch, torch.cuda.synchronize)}

    n = 1 << 26
    print(f"\nelementwise, {n} float32 elements: GB/s and fraction of a D2D copy's bandwidth")
    for name, (m, sync) in libs.items():
        a, b = m.rand(n, device="cuda"), m.rand(n, device="cuda")
        out = m.empty(n, device="cuda")
        copy_t = timed(sync, lambda: out.copy_(a), reps)
        copy_bw = 2 * 4 * n / copy_t
        for op, nbytes, fn in (("add", 12, lambda: a + b), ("mul", 12, lambda: a * b),
                               ("relu", 8, lambda: a.relu()), ("exp", 8, lambda: a.exp())):
            t = timed(sync, fn, reps)
            bw = nbytes * n / t
            print(f"  {name:9s} {op:5s} {bw / 1e9:8.1f} GB/s  {bw / copy_bw:5.2f} of copy")

    print("\nmatmul float32: ms, tapegrad / torch")
    for size in (512, 2048, 4096):
        times = {}
        for name, (m, sync) in libs.items():
            a, b = m.randn(size, size, device="cuda"), m.randn(size, size, device="cuda")
            times[name] = timed(sync, lambda: a @ b, max(reps // 4, 5))
        print(f"  {size:5d}  tapegrad {times['tapegrad'] * 1e3:8.3f}  torch "
              f"{times['torch'] * 1e3:8.3f}  ratio {times['tapegrad'] / times['torch']:.2f}")

    print("\nMLP training step (784-512-512-10, SGD): ms, tapegrad / torch")
    for batch in (64, 4096):
        times = {}
        for name, (m, sync) in libs.items():
            model = m.nn.Sequential(m.nn.Linear(784, 512), m.nn.ReLU(), m.nn.Linear(512, 512),
                                    m.nn.ReLU(), m.nn.Linear(512, 10)).cuda()
            opt = m.optim.SGD(model.parameters(), lr=0.01)
            x = m.randn(batch, 784, device="cuda")
            y = m.randint(0, 10, (batch,), device="cuda")

            def step():
                opt.zero_grad()
                m.nn.functional.cross_entropy(model(x), y).backward()
                opt.step()
            times[name] = timed(sync, step, reps)
        print(f"  batch {batch:5d}  tapegrad {times['tapegrad'] * 1e3:8.3f}  torch "
              f"{times['torch'] * 1e3:8.3f}  ratio {times['tapegrad'] / times['torch']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
