"""examples/mixed_training.py: a model that is part torch, part tapegrad (both ways round)
trains to the same losses, step by step, and the same final weights as the all-torch model from
the same initial weights; the script itself runs and reports agreement."""
import importlib.util
import os
import subprocess
import sys

import pytest

torch = pytest.importorskip("torch")
import tapegrad  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "examples", "mixed_training.py")
STEPS = 12


@pytest.fixture(scope="module")
def ex():
    spec = importlib.util.spec_from_file_location("mixed_training", EXAMPLE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def reference(ex):
    return ex.train_all_torch(STEPS)


def _assert_trained(losses):
    assert losses[-1] < 0.8 * losses[0], losses  # it learns: equality is not of a still model


def _assert_same_weights(tg_seq, th_seq):
    tg_lin = [m for m in tg_seq if isinstance(m, tapegrad.nn.Linear)]
    th_lin = [m for m in th_seq if isinstance(m, torch.nn.Linear)]
    assert len(tg_lin) == len(th_lin) > 0
    for a, b in zip(tg_lin, th_lin):
        for pa, pb in ((a.weight, b.weight), (a.bias, b.bias)):
            torch.testing.assert_close(pa.detach().to_torch(), pb.detach(), rtol=1e-10,
                                       atol=1e-12)


def test_torch_front_tapegrad_middle_torch_loss(ex, reference):
    ref_losses, _, ref_middle = reference
    losses, tg_middle = ex.train_torch_tapegrad_torch(STEPS)
    _assert_trained(ref_losses)
    assert losses == pytest.approx(ref_losses, rel=1e-10, abs=1e-12)
    _assert_same_weights(tg_middle, ref_middle)  # torch's optimizer moved tapegrad's weights


def test_tapegrad_front_torch_middle_tapegrad_loss(ex, reference):
    ref_losses, ref_front, _ = reference
    losses, tg_front = ex.train_tapegrad_torch_tapegrad(STEPS)
    assert losses == pytest.approx(ref_losses, rel=1e-10, abs=1e-12)
    _assert_same_weights(tg_front, ref_front)


def test_initial_weights_are_copies_not_shared(ex):
    # The mixed models start from copies: training them leaves a fresh torch model untouched.
    front, middle = ex.torch_parts(0)
    tg = ex.to_tapegrad(middle)
    assert tg[0].weight.data_ptr() != middle[0].weight.data_ptr()
    _assert_same_weights(tg, middle)


def test_script_runs_and_reports_agreement():
    pkg_parent = os.path.dirname(os.path.dirname(os.path.abspath(tapegrad.__file__)))
    env = {**os.environ, "PYTHONPATH": pkg_parent}
    p = subprocess.run([sys.executable, EXAMPLE, "--steps", "4"], env=env, capture_output=True,
                       text=True, timeout=180, cwd=ROOT)
    assert p.returncode == 0, p.stderr[-2000:]
    worst = float(p.stdout.strip().splitlines()[-1].rsplit(":", 1)[1])
    assert worst < 1e-9
