"""The benchmark runner (benchmarks/run.py) works end to end: its quick mode on a few cases, in a
subprocess per thread count, prints and writes a well-formed table with finite ratios. Not a
speed test: the ratios are checked to be numbers, never against the targets."""
import json
import math
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUN = os.path.join(ROOT, "benchmarks", "run.py")

pytest.importorskip("torch")

CASES = r"^op x\+y n=3 grad$|^seed example|^matmul fp32 n=64 fwd$"
EXPECTED = {"op x+y n=3 grad": 0.30, "seed example (y*y*2).mean() backward": 0.15,
            "matmul fp32 n=64 fwd": None, "MLP step peak memory b=64": 1.0,
            "MLP step peak memory b=512": 1.0}


def _rows(text):
    return [line for line in text.splitlines() if line.startswith("|")]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bench")
    md, js = tmp / "RESULTS.md", tmp / "results.json"
    env = dict(os.environ)
    # The runner's subprocesses must import the tapegrad under test, as this process does.
    import tapegrad
    pkg_parent = os.path.dirname(os.path.dirname(tapegrad.__file__))
    env["PYTHONPATH"] = os.pathsep.join([pkg_parent] + [p for p in
                                        [env.get("PYTHONPATH")] if p])
    p = subprocess.run([sys.executable, RUN, "--quick", "--threads", "1",
                        "--filter", CASES + r"|peak memory", "--output", str(md),
                        "--json", str(js)],
                       env=env, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    return p.stdout, md.read_text(), json.loads(js.read_text())


def test_json_records_have_finite_positive_ratios(run):
    _, _, recs = run
    assert {r["case"] for r in recs} == set(EXPECTED)
    for r in recs:
        assert r["threads"] == 1
        assert r["target"] == EXPECTED[r["case"]]
        for key in ("tapegrad", "torch", "ratio"):
            assert isinstance(r[key], (int, float)) and math.isfinite(r[key]) and r[key] > 0, r
        assert r["ratio"] == pytest.approx(r["tapegrad"] / r["torch"])


def test_markdown_table_is_well_formed(run):
    stdout, md, recs = run
    assert re.search(r"^- date: \d{4}-\d\d-\d\d", md, re.M)
    assert re.search(r"^- CPU: \S", md, re.M)
    assert re.search(r"^- threads: 1\b", md, re.M)
    assert "## 1 thread" in md
    rows = _rows(md)
    header, rule, body = rows[0], rows[1], rows[2:]
    ncol = header.count("|")
    assert "ratio" in header and "target" in header
    assert rule.count("|") == ncol
    assert len(body) == len(recs)
    by_name = {r["case"]: r for r in recs}
    for row in body:
        assert row.count("|") == ncol, row
        cells = [c.strip() for c in row.strip("|").split("|")]
        name, t_tg, t_th, ratio, target = cells[:5]
        assert name in by_name
        assert re.fullmatch(r"[\d.]+(e[+-]?\d+)? (us|ms|s|MiB)", t_tg), row
        assert re.fullmatch(r"[\d.]+(e[+-]?\d+)? (us|ms|s|MiB)", t_th), row
        assert math.isfinite(float(ratio))
        assert float(ratio) == pytest.approx(by_name[name]["ratio"], abs=0.006)
        if by_name[name]["target"] is not None:
            assert target == f"<= {by_name[name]['target']:.2f}"
    # What the run printed is the same table.
    assert _rows(stdout)[2:] == body
