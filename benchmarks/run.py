#!/usr/bin/env python
"""tapegrad against torch, side by side (issue 5).

    python benchmarks/run.py [--threads 1 2] [--quick] [--filter REGEX] [--output PATH]

Each thread count runs in a fresh subprocess (an OpenMP runtime fixes its thread count at first
use) with OMP_NUM_THREADS=N and torch.set_num_threads(N), so tapegrad and torch share one process
and one thread count. A case's statement runs in a timeit loop (no per-call Python wrapper);
rounds alternate which library goes first, and the table shows the median time per call over the
rounds, the ratio tapegrad/torch and the issue's target for that ratio. The MLP step's peak memory
is measured separately, one library per subprocess (see mem_worker). A full, unfiltered run writes
benchmarks/RESULTS.md; --quick or --filter runs write only where --output says."""
import argparse
import datetime
import json
import math
import os
import platform
import re
import subprocess
import sys
import tempfile
import timeit

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


# ---------------------------------------------------------------------------------------------
# Cases. A case is (name, target ratio or None, setup(m) -> namespace, statement, quick?).
# setup receives the library module (tapegrad or torch: the same API) and builds the inputs.

class Case:
    def __init__(self, name, target, setup, stmt, quick=True):
        self.name, self.target, self.setup, self.stmt, self.quick = name, target, setup, stmt, quick


def _fmt_n(n):
    return f"1e{int(round(math.log10(n)))}" if n >= 1000 else str(n)


def _tiny(n, grad):
    def setup(m):
        x = m.randn(n, requires_grad=grad)
        y = m.randn(n, requires_grad=grad)
        return {"x": x, "y": y}
    return setup


def _vec(n, kind):
    def setup(m):
        x = m.randn(n)
        # mul_ multiplies by ones: repeated in-place products of random values would decay into
        # denormals, whose slow path would measure the CPU, not the library.
        y = m.ones(n) if kind == "mul_" else m.randn(n)
        return {"x": x, "y": y, "m": m}
    return setup


def _sinsum(n):
    def setup(m):
        return {"x": m.randn(n, requires_grad=True), "y": m.randn(n, requires_grad=True)}
    return setup


def _mm(n, grad):
    def setup(m):
        a = m.randn(n, n, requires_grad=grad)
        b = m.randn(n, n, requires_grad=grad)
        return {"a": a, "b": b, "g": m.randn(n, n)}
    return setup


def _linear(batch, n):
    def setup(m):
        return {"x": m.randn(batch, n), "w": m.randn(n, n), "F": m.nn.functional}
    return setup


def _mlp(batch, optim="SGD"):
    def setup(m):
        step, _ = make_mlp(m, batch, optim)
        return {"step": step}
    return setup


def make_mlp(m, batch, optim="SGD"):
    """784-256-256-10 MLP with ReLU, cross-entropy and SGD (or Adam), written with plain
    tensors and nn.functional (the same code for both libraries). Returns (step, params)."""
    F = m.nn.functional
    m.manual_seed(0)
    shapes = [(256, 784), (256, 256), (10, 256)]
    params = []
    for out_f, in_f in shapes:
        bound = 1.0 / math.sqrt(in_f)
        w = ((m.rand(out_f, in_f) * 2 - 1) * bound).requires_grad_()
        b = ((m.rand(out_f) * 2 - 1) * bound).requires_grad_()
        params += [w, b]
    w1, b1, w2, b2, w3, b3 = params
    x = m.randn(batch, 784)
    y = m.randint(0, 10, (batch,))
    opt = m.optim.SGD(params, lr=0.01) if optim == "SGD" else m.optim.Adam(params, lr=1e-3)

    def step():
        opt.zero_grad()
        h = F.relu(F.linear(x, w1, b1))
        h = F.relu(F.linear(h, w2, b2))
        loss = F.cross_entropy(F.linear(h, w3, b3), y)
        loss.backward()
        opt.step()
        return loss
    return step, params


def _logreg(m):
    """The seed tutorial's logistic regression (x @ w + b through BCE with logits), one SGD step."""
    F = m.nn.functional
    x = m.ones(3)
    w = m.randn(3, 2, requires_grad=True)
    b = m.randn(2, requires_grad=True)
    y = m.zeros(2)
    opt = m.optim.SGD([w, b], lr=0.1)

    def step():
        opt.zero_grad()
        z = m.matmul(x, w) + b
        loss = F.binary_cross_entropy_with_logits(z, y)
        loss.backward()
        opt.step()
    return {"step": step}


def _seed_loop(m):
    x = m.tensor(4.0, requires_grad=True)
    (x ** 2).backward()  # so that x.grad exists before the timed loop zeroes it
    return {"x": x}


def _seed_example(m):
    return {"x": m.randn(3, requires_grad=True)}


def build_cases():
    cases = []
    for op, stmt in (("x+y", "x + y"), ("x*y", "x * y"), ("x.sin()", "x.sin()"),
                     ("x.sum()", "x.sum()")):
        for n in (1, 3):
            for grad in (False, True):
                name = f"op {op} n={n}" + (" grad" if grad else "")
                cases.append(Case(name, 0.30 if grad else 0.35, _tiny(n, grad), stmt))
    cases.append(Case("seed loop y=x**2; backward; grad.zero_()", 0.10, _seed_loop,
                      "y = x ** 2; y.backward(); x.grad.zero_()"))
    cases.append(Case("seed example (y*y*2).mean() backward", 0.15, _seed_example,
                      "y = x + 2; z = (y * y * 2).mean(); z.backward()"))
    ew = {"add": "x + y", "mul": "x * y", "sigmoid": "m.sigmoid(x)", "exp": "x.exp()",
          "add_": "x.add_(y)", "mul_": "x.mul_(y)", "sigmoid_": "x.sigmoid_()",
          "exp_": "x.exp_()"}
    for kind, stmt in ew.items():
        for n in (10**3, 10**5, 10**6, 10**7):
            target = None
            if n >= 10**6:
                target = 1.0
                if kind in ("sigmoid", "exp", "sigmoid_", "exp_") and n == 10**6:
                    target = 0.60
                if kind == "add" and n == 10**7:
                    target = 0.40
            cases.append(Case(f"{kind} n={_fmt_n(n)}", target, _vec(n, kind), stmt,
                              quick=n <= 10**6))
    for kind in ("sum", "mean"):
        for n in (10**6, 10**7):
            cases.append(Case(f"{kind} n={_fmt_n(n)}", 1.0, _vec(n, kind), f"x.{kind}()",
                              quick=n <= 10**6))
    for n in (10**6, 10**7):
        cases.append(Case(f"(x*y).sin().sum() fwd+bwd n={_fmt_n(n)}", 0.50, _sinsum(n),
                          "x.grad = None; y.grad = None; (x * y).sin().sum().backward()",
                          quick=n <= 10**6))
    for n in (64, 128, 256, 512, 1024, 2048):
        target = 1.0 if n == 256 else (0.95 if n >= 512 else None)
        cases.append(Case(f"matmul fp32 n={n} fwd", target, _mm(n, False), "a @ b",
                          quick=n <= 512))
        cases.append(Case(f"matmul fp32 n={n} fwd+bwd", target, _mm(n, True),
                          "a.grad = None; b.grad = None; (a @ b).backward(g)", quick=n <= 512))
    for batch in (1, 4, 64):  # a linear layer's forward at small batch (inference)
        cases.append(Case(f"linear 1024->1024 fwd b={batch}", None, _linear(batch, 1024),
                          "F.linear(x, w)", quick=batch == 1))
    cases.append(Case("MLP 784-256-256-10 SGD step b=64", 0.75, _mlp(64), "step()"))
    cases.append(Case("MLP 784-256-256-10 SGD step b=512", 0.90, _mlp(512), "step()"))
    cases.append(Case("MLP 784-256-256-10 Adam step b=64", None, _mlp(64, "Adam"), "step()"))
    cases.append(Case("MLP 784-256-256-10 Adam step b=512", None, _mlp(512, "Adam"), "step()"))
    cases.append(Case("seed logistic regression SGD step", None, _logreg, "step()"))
    import bench_dlpack  # DLPack import/export (issue 3); benchmarks/ is on sys.path
    cases += bench_dlpack.build_cases(Case)
    return cases


MEM_BATCHES = (64, 512)


def mem_case_name(batch):
    return f"MLP step peak memory b={batch}"


# ---------------------------------------------------------------------------------------------
# Timing (runs inside a worker subprocess).

def _per_call(timer, budget_s):
    """Seconds per call, growing the loop until it runs for budget_s (or one call is longer)."""
    number = 1
    while True:
        t = timer.timeit(number)
        if t >= budget_s or number >= 1 << 24:
            return t / number, number
        number = max(number * 2, int(number * budget_s / max(t, 1e-9) * 1.1))


def time_pair(timers, round_s, rounds, case_budget_s):
    """Median seconds per call for each timer, rounds alternating which runs first."""
    est = []
    for t in timers:
        t.timeit(1)  # warm-up: first-call allocations, lazy initialisation
        est.append(_per_call(t, round_s / 4)[0])
    numbers = [max(1, int(round_s / e)) for e in est]
    round_cost = sum(n * e for n, e in zip(numbers, est))
    rounds = max(3, min(rounds, int(case_budget_s / max(round_cost, 1e-9))))
    samples = [[] for _ in timers]
    for r in range(rounds):
        order = range(len(timers)) if r % 2 == 0 else reversed(range(len(timers)))
        for i in order:
            samples[i].append(timers[i].timeit(numbers[i]) / numbers[i])
    med = []
    for s in samples:
        s = sorted(s)
        k = len(s)
        med.append(s[k // 2] if k % 2 else 0.5 * (s[k // 2 - 1] + s[k // 2]))
    return med, rounds


def worker(args):
    import torch  # torch first, as a user script would; both then share one OpenMP runtime
    import tapegrad
    torch.set_num_threads(args.threads)
    libs = {"tapegrad": tapegrad, "torch": torch}
    cases = select_cases(args)
    round_s, rounds, budget = (0.01, 3, 2.0) if args.quick else (0.05, 11, 12.0)
    out = open(args.json_out, "w")
    for c in cases:
        timers, errors = {}, {}
        for lib, m in libs.items():
            try:
                m.manual_seed(0)
                ns = c.setup(m)
                t = timeit.Timer(c.stmt, globals=ns)
                t.timeit(1)
                timers[lib] = t
            except Exception as e:  # a missing op in one library: report it, keep going
                errors[lib] = f"{type(e).__name__}: {e}".splitlines()[0][:120]
        rec = {"case": c.name, "threads": args.threads, "target": c.target}
        if len(timers) == 2:
            (t_tg, t_th), rounds_done = time_pair([timers["tapegrad"], timers["torch"]],
                                                  round_s, rounds, budget)
            rec.update(tapegrad=t_tg, torch=t_th, ratio=t_tg / t_th, rounds=rounds_done)
        else:
            rec.update(tapegrad=None, torch=None, ratio=None, error=errors)
        print(format_row(rec), flush=True)
        out.write(json.dumps(rec) + "\n")
        out.flush()
    out.close()


# ---------------------------------------------------------------------------------------------
# Peak memory of the MLP step: one library per subprocess, so neither's allocations count
# against the other. Baseline = resident set after building the model and data; the peak
# resident set is reset (/proc/self/clear_refs "5") right there, 5 steps run, and the result is
# VmHWM - baseline: the extra memory the steps needed at their peak, C++ allocations included.

def _status_kb(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{key} not in /proc/self/status")


def mem_worker(args):
    if args.mem_lib == "torch":
        import torch as m
        m.set_num_threads(args.threads)
    else:
        import tapegrad as m
    step, _ = make_mlp(m, args.mem_batch)
    base = _status_kb("VmRSS")
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    for _ in range(5):
        step()
    peak = _status_kb("VmHWM")
    print(json.dumps({"lib": args.mem_lib, "batch": args.mem_batch, "base_kb": base,
                      "peak_kb": peak, "delta_kb": peak - base}))


def measure_memory(args, env):
    recs = []
    for batch in MEM_BATCHES:
        name = mem_case_name(batch)
        if args.filter and not re.search(args.filter, name, re.I):
            continue
        res = {}
        for lib in ("tapegrad", "torch"):
            p = subprocess.run([sys.executable, __file__, "--mem-lib", lib, "--mem-batch",
                                str(batch), "--threads", str(args.threads_one)],
                               env=env, capture_output=True, text=True)
            if p.returncode != 0:
                res[lib] = None
                res.setdefault("error", {})[lib] = (p.stderr.strip().splitlines() or ["?"])[-1]
            else:
                res[lib] = json.loads(p.stdout.strip().splitlines()[-1])["delta_kb"] * 1024
        rec = {"case": name, "threads": args.threads_one, "target": 1.0, "unit": "bytes",
               "tapegrad": res["tapegrad"], "torch": res["torch"]}
        if res["tapegrad"] is not None and res["torch"]:
            rec["ratio"] = res["tapegrad"] / res["torch"]
        else:
            rec["ratio"] = None
            rec["error"] = res.get("error", {})
        print(format_row(rec), flush=True)
        recs.append(rec)
    return recs


# ---------------------------------------------------------------------------------------------
# Formatting.

def fmt_time(s):
    if s is None:
        return "n/a"
    if s < 1e-3:
        return f"{s * 1e6:.3g} us"
    if s < 1:
        return f"{s * 1e3:.3g} ms"
    return f"{s:.3g} s"


def fmt_value(rec, key):
    v = rec.get(key)
    if rec.get("unit") == "bytes":
        return "n/a" if v is None else f"{v / 2**20:.1f} MiB"
    return fmt_time(v)


def verdict(rec):
    if rec.get("ratio") is None:
        return "n/a"
    if rec.get("target") is None:
        return ""
    return "yes" if rec["ratio"] <= rec["target"] else "NO"


def format_row(rec):
    ratio = "n/a" if rec.get("ratio") is None else f"{rec['ratio']:.2f}"
    target = "" if rec.get("target") is None else f"<= {rec['target']:.2f}"
    note = ""
    if rec.get("error"):
        note = "; ".join(f"{k}: {v}" for k, v in rec["error"].items())
    cells = [rec["case"], fmt_value(rec, "tapegrad"), fmt_value(rec, "torch"), ratio, target,
             verdict(rec), note]
    return "| " + " | ".join(cells) + " |"


HEADER = ("| case | tapegrad | torch | ratio | target | met | note |\n"
          "|---|---:|---:|---:|---:|:-:|---|")


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    fl = set(line.split(":", 1)[1].split())
                    return " ".join(x for x in ("avx2", "fma", "avx512f") if x in fl)
    except OSError:
        pass
    return ""


def write_results(path, args, tables, versions, load, load_1min):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmark results: tapegrad against torch",
        "",
        f"Written by `python benchmarks/run.py{' ' + ' '.join(args.argv) if args.argv else ''}`.",
        "",
        f"- date: {now}",
        f"- CPU: {cpu_model()} ({os.cpu_count()} logical CPUs; {cpu_flags()})",
        f"- threads: {', '.join(str(t) for t in args.threads)} (OMP_NUM_THREADS and "
        "torch.set_num_threads, a fresh process per thread count)",
        f"- versions: {versions}",
        f"- load average when the run started: {load}; at its end: "
        f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}",
        "",
    ]
    if load_1min >= (os.cpu_count() or 1):
        lines += [
            "**The machine was oversubscribed when this ran (load average >= CPUs):** times "
            "include waiting for a CPU. Multi-thread figures suffer most: a parallel region ends "
            "only when its slowest thread does, and a descheduled thread costs a whole time slice "
            "(the entries near 8 ms are such stalls, in either library). Compare ratios, not "
            "absolute times, and rerun on a quiet machine for figures to quote.",
            "",
        ]
    lines += [
        "Times are medians over rounds of a timeit loop, per call; rounds alternate which "
        "library runs first. ratio = tapegrad / torch (below 1: tapegrad is faster); target is "
        "issue 5's bound on the ratio. In-place `exp_` overflows to inf after a few calls in "
        "both libraries alike; `mul_` multiplies by ones so values stay normal.",
        "",
        "Peak memory of the MLP step: each library alone in its own subprocess; after the model "
        "and data exist, the resident-set peak is reset (`/proc/self/clear_refs` = 5), five "
        "SGD steps run, and the figure is VmHWM minus the resident set before the steps "
        "(from /proc/self/status): C++ allocations count, unlike tracemalloc.",
        "",
    ]
    for threads, recs in tables:
        lines += [f"## {threads} thread{'s' if threads > 1 else ''}", "", HEADER]
        lines += [format_row(r) for r in recs]
        lines.append("")
    with open(path, "w") as f:
        f.write("\n".join(lines))


def select_cases(args):
    cases = build_cases()
    if args.quick:
        cases = [c for c in cases if c.quick]
    if args.filter:
        cases = [c for c in cases if re.search(args.filter, c.name, re.I)]
    return cases


def versions():
    code = ("import torch, tapegrad, sys; print(f'python {sys.version.split()[0]}, torch "
            "{torch.__version__}, tapegrad {tapegrad.__version__} ({tapegrad.__file__})')")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    v = p.stdout.strip() or p.stderr.strip().splitlines()[-1]
    try:
        rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True).stdout.strip()
        if rev:
            v += f", commit {rev}"
    except OSError:
        pass
    return v


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--quick", action="store_true",
                   help="short rounds, skip the 1e7-element and n>=1024 matmul cases (~1-2 min)")
    p.add_argument("--filter", help="regular expression: run only the cases whose name matches")
    p.add_argument("--output", help="markdown file for the table (default: benchmarks/RESULTS.md "
                   "for a full unfiltered run, none otherwise)")
    p.add_argument("--json", help="also write all records as JSON to this file")
    p.add_argument("--no-memory", action="store_true", help="skip the peak-memory subprocesses")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--json-out", help=argparse.SUPPRESS)
    p.add_argument("--mem-lib", help=argparse.SUPPRESS)
    p.add_argument("--mem-batch", type=int, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.argv = [a for a in argv]

    if args.mem_lib:
        args.threads = args.threads[0]
        return mem_worker(args)
    if args.worker:
        args.threads = args.threads[0]
        return worker(args)

    load_start = os.getloadavg()[0]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"CPU: {cpu_model()}; load average {load}")
    tables = []
    for threads in args.threads:
        env = dict(os.environ)
        for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            env[k] = str(threads)
        print(f"\n## {threads} thread{'s' if threads > 1 else ''}\n\n{HEADER}", flush=True)
        with tempfile.NamedTemporaryFile(suffix=".jsonl", delete=False) as tmp:
            path = tmp.name
        try:
            cmd = [sys.executable, __file__, "--worker", "--threads", str(threads),
                   "--json-out", path] + (["--quick"] if args.quick else [])
            if args.filter:
                cmd += ["--filter", args.filter]
            rc = subprocess.call(cmd, env=env)
            with open(path) as f:
                recs = [json.loads(line) for line in f if line.strip()]
        finally:
            os.unlink(path)
        if rc != 0:
            print(f"worker for {threads} threads exited with status {rc}", file=sys.stderr)
        if not args.no_memory:
            args.threads_one = threads
            recs += measure_memory(args, env)
        tables.append((threads, recs))
        if rc != 0:
            return rc

    output = args.output
    if output is None and not args.quick and not args.filter:
        output = os.path.join(HERE, "RESULTS.md")
    if output:
        write_results(output, args, tables, versions(), load,
                      max(load_start, os.getloadavg()[0]))
        print(f"\nwrote {output}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump([r for _, recs in tables for r in recs], f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
