"""benchmarks/bench_dlpack.py: its cases build in benchmarks/run.py's Case form, every
conversion it times is zero-copy in both columns, and the module runs on its own (--quick) and
prints a well-formed table with finite ratios. Not a speed test: ratios are never compared to
the targets here."""
import importlib.util
import math
import os
import subprocess
import sys
import timeit

import pytest

torch = pytest.importorskip("torch")
import tapegrad  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "benchmarks", "bench_dlpack.py")


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_cases_follow_the_runner_and_share_memory():
    run = _load("bench_run", os.path.join(ROOT, "benchmarks", "run.py"))
    bench = _load("bench_dlpack", BENCH)
    cases = bench.build_cases(run.Case)
    names = [c.name for c in cases]
    assert len(names) == len(set(names)) == 8
    assert {c.target for c in cases} == {1.0}
    assert sorted(n.rsplit("=", 1)[1] for n in names) == ["1e2"] * 4 + ["1e7"] * 4
    for c in cases:
        if not c.quick:
            continue
        for m in (tapegrad, torch):
            ns = c.setup(m)
            out = eval(c.stmt, ns)
            assert out.data_ptr() == ns["a"].data_ptr(), (c.name, m.__name__)
            assert timeit.Timer(c.stmt, globals=ns).timeit(3) > 0


def test_module_runs_alone():
    pkg_parent = os.path.dirname(os.path.dirname(os.path.abspath(tapegrad.__file__)))
    env = {**os.environ, "PYTHONPATH": pkg_parent, "OMP_NUM_THREADS": "1"}
    p = subprocess.run([sys.executable, BENCH, "--quick"], env=env, capture_output=True,
                       text=True, timeout=300, cwd=ROOT)
    assert p.returncode == 0, p.stderr[-2000:]
    rows = [r for r in p.stdout.splitlines() if r.startswith("| dlpack")]
    assert len(rows) == 4
    for r in rows:
        cells = [c.strip() for c in r.strip("|").split("|")]
        assert math.isfinite(float(cells[3])) and float(cells[3]) > 0
        assert cells[4] == "<= 1.00"
