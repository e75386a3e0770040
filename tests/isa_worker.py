"""Runs a test file's `--worker` section in a fresh process with a chosen SIMD path
(TAPEGRAD_VMATH) and thread count: the kernels pick their instruction set and OpenMP its
thread count once per process, so each combination needs its own interpreter."""
import os
import subprocess
import sys


def run_worker(path, vmath, threads, **env_extra):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), **env_extra)
    if vmath:
        env["TAPEGRAD_VMATH"] = vmath
    p = subprocess.run([sys.executable, path, "--worker"], env=env, capture_output=True,
                       text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-3000:]
    assert p.stdout.strip().endswith("OK"), p.stdout[-3000:]


def report(bad):
    """A worker's last lines: each mismatch, then OK or FAILED (what run_worker reads)."""
    for b in bad:
        print("MISMATCH", b)
    print("OK" if not bad else f"FAILED {len(bad)}")
