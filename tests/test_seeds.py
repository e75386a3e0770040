"""The seed tutorials (tests/seeds/*.py, random inputs fixed) run with real torch and with
tapegrad installed as `torch`; their stdouts must match line by line (object addresses masked).
"""
import difflib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from crosscheck import backend_name

SEEDS = Path(__file__).resolve().parent / "seeds"
RUNNER = SEEDS / "_run_as_tapegrad.py"
SCRIPTS = sorted(p for p in SEEDS.glob("seed*.py"))
ADDRESS = re.compile(r"at 0x[0-9a-fA-F]+")
TIMEOUT_S = 300


def _start(argv):
    return subprocess.Popen([sys.executable, *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONHASHSEED="0"))


def _finish(proc):
    """(exit status, stdout lines with object addresses masked, stderr)."""
    try:
        out, err = proc.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        err += f"\n(killed after {TIMEOUT_S} s)"
    return proc.returncode, ADDRESS.sub("at 0x...", out).splitlines(), err


def _tail(text, n=25):
    return "\n".join(text.strip().splitlines()[-n:])


def test_seed_scripts_found():
    assert len(SCRIPTS) == 5, [p.name for p in SCRIPTS]


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_seed_matches_torch(script):
    pytest.importorskip("torch", reason="the seeds are compared against torch, which is missing")
    # Both at once: each run spends most of its time importing.
    procs = _start([str(script)]), _start([str(RUNNER), str(script)])
    (rc_ref, ref, err_ref), (rc, out, err) = map(_finish, procs)
    assert rc_ref == 0, f"{script.name} fails under real torch:\n{_tail(err_ref)}"
    diff = list(difflib.unified_diff(ref, out, "torch", backend_name(), n=3, lineterm=""))
    msg = []
    if diff:
        msg.append(f"{script.name}: stdout differs ({len(ref)} lines from torch, {len(out)} "
                   f"from {backend_name()}):\n" + "\n".join(diff[:200]))
    if rc != 0:
        msg.append(f"{script.name} exited with {rc} under {backend_name()}:\n{_tail(err)}")
    if msg:
        pytest.fail("\n\n".join(msg), pytrace=False)
