#!/usr/bin/env python
"""DLPack micro-benchmarks (issue 3): moving a tensor between torch and tapegrad costs no more
than torch.from_dlpack of a torch tensor, and does not grow with the tensor's size (no copy).

Cases for benchmarks/run.py (``build_cases(Case)``), in its convention: ``setup(m)`` gets the
library under test and the same statement runs for both. The "tapegrad" column times the
conversion under test; the "torch" column always times torch.from_dlpack(torch tensor), the
baseline the issue names; 1e2 and 1e7 elements show that the cost is per call, not per byte.

    python benchmarks/bench_dlpack.py [--quick]    # this module alone, same table format"""
import argparse
import os
import sys
import timeit

HERE = os.path.dirname(os.path.abspath(__file__))

SIZES = (10**2, 10**7)
# name -> (what the tapegrad column calls, on which kind of tensor)
CONVERSIONS = {
    "import tapegrad.from_torch(t)": ("from_torch", "torch"),
    "import tapegrad.from_dlpack(t)": ("from_dlpack", "torch"),
    "export x.to_torch()": ("to_torch", "tapegrad"),
    "export torch.from_dlpack(x)": ("torch.from_dlpack", "tapegrad"),
}


def _fmt_n(n):
    return f"1e{len(str(n)) - 1}"


def _setup(kind, n):
    def setup(m):
        import torch
        import tapegrad
        t = torch.ones(n)  # float32, contiguous
        if m is torch:  # the baseline: torch importing its own tensor through DLPack
            return {"f": torch.from_dlpack, "a": t}
        fn, src = CONVERSIONS[kind]
        a = t if src == "torch" else tapegrad.ones(n)
        f = {"from_torch": tapegrad.from_torch, "from_dlpack": tapegrad.from_dlpack,
             "to_torch": tapegrad.Tensor.to_torch, "torch.from_dlpack": torch.from_dlpack}[fn]
        out = f(a)
        if out.data_ptr() != a.data_ptr():  # a copy would make the timing meaningless
            raise RuntimeError(f"{kind} copied the tensor")
        return {"f": f, "a": a}
    return setup


def build_cases(Case):
    """The DLPack cases as ``Case`` objects of benchmarks/run.py (target: ratio <= 1)."""
    cases = []
    for kind in CONVERSIONS:
        for n in SIZES:
            cases.append(Case(f"dlpack {kind} n={_fmt_n(n)}", 1.0, _setup(kind, n), "f(a)",
                              quick=n <= 10**6))
    return cases


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="short rounds, 1e2 elements only")
    args = p.parse_args(argv)
    sys.path.insert(0, HERE)
    import run  # the runner's Case, timing and table format
    import torch  # torch first, as run.py's worker does
    import tapegrad
    torch.set_num_threads(1)
    round_s, rounds, budget = (0.01, 3, 2.0) if args.quick else (0.05, 11, 6.0)
    print(run.HEADER)
    for c in build_cases(run.Case):
        if args.quick and not c.quick:
            continue
        timers = [timeit.Timer(c.stmt, globals=c.setup(m)) for m in (tapegrad, torch)]
        (t_tg, t_th), n_rounds = run.time_pair(timers, round_s, rounds, budget)
        print(run.format_row({"case": c.name, "target": c.target, "tapegrad": t_tg,
                              "torch": t_th, "ratio": t_tg / t_th}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
