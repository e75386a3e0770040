"""The README's first command: `python -m tapegrad` trains the MLP digit classifier with a
progress bar (loss, samples/s), reports test accuracy, and prints the side-by-side with torch;
trained from the same initial weights on the same batches, tapegrad's loss curve, weights and
accuracy are torch's within float32 tolerance."""
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import tapegrad as tg
from tapegrad import __main__ as job
from tapegrad._demo_data import load, synthetic_digits


def _run(*args):
    # One OpenMP thread: on a shared CI machine, spinning worker threads make tiny matmuls slow
    # (behaviour, not speed, is what these tests check).
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    r = subprocess.run([sys.executable, "-m", "tapegrad", *args], capture_output=True, text=True,
                       timeout=300, env=env)
    assert r.returncode == 0, r.stderr
    return r.stdout, r.stderr


def test_main_command_trains_with_progress_bar():
    out, err = _run("--epochs", "3", "--data", "synthetic", "--samples", "500", "--no-tqdm",
                    "--lr", "0.1", "--batch-size", "16", "--no-torch")
    assert "synthetic 8x8 digits" in out and "400 train / 100 test" in out
    acc = float(re.search(r"tapegrad: test accuracy (\d\.\d+)", out).group(1))
    assert acc > 0.4  # 10 classes: chance is 0.1
    # The built-in bar: samples done, samples per second and the loss, per epoch.
    assert re.search(r"tapegrad epoch 3/3: 100%\|#{20}\| 400/400 \[[\d.]+s, [\d,]+ samples/s, "
                     r"loss=\d+\.\d{4}\]", err)


def test_side_by_side_with_torch(capsys):
    """In-process (torch's start-up is paid once per test session, not per subprocess)."""
    pytest.importorskip("torch")
    job.main(["--epochs", "3", "--data", "synthetic", "--samples", "500", "--lr", "0.1",
              "--batch-size", "16", "--no-progress"])
    out = capsys.readouterr().out
    rows = {m.group(1): m.groups()[1:] for m in re.finditer(
        r"^(test accuracy|final loss|time per epoch)\s+([\d.]+)(?: ms)?\s+([\d.]+)", out, re.M)}
    assert set(rows) == {"test accuracy", "final loss", "time per epoch"}
    assert float(rows["test accuracy"][0]) == pytest.approx(float(rows["test accuracy"][1]),
                                                            abs=0.011)
    assert float(rows["final loss"][0]) == pytest.approx(float(rows["final loss"][1]), abs=2e-4)
    assert float(rows["test accuracy"][0]) > 0.4
    diff = float(re.search(r"largest difference between the trained weights: (\S+)", out)[1])
    assert diff < 1e-3


def test_tqdm_bar_when_installed(capsys):
    pytest.importorskip("tqdm")
    job.main(["--epochs", "1", "--data", "synthetic", "--samples", "200", "--no-torch"])
    err = capsys.readouterr().err
    assert re.search(r"tapegrad epoch 1/1: 100%.*160/160.*sample/s, loss=\d+\.\d{4}", err)


def test_data_sets():
    x, y = synthetic_digits(300, seed=3)
    assert x.shape == (300, 64) and x.min() >= 0 and x.max() <= 16
    assert np.all(x == np.rint(x)) and np.bincount(y).tolist() == [30] * 10
    xtr, ytr, xte, yte, desc = load("synthetic", 300, 0)
    assert xtr.dtype == np.float32 and ytr.dtype == np.int64 and xtr.max() <= 1.0
    assert (len(ytr), len(yte)) == (240, 60)


def test_uci_digits_when_scikit_learn_is_installed():
    pytest.importorskip("sklearn")
    xtr, ytr, xte, yte, desc = load("digits")
    assert "UCI" in desc and len(ytr) + len(yte) == 1797 and xtr.shape[1] == 64


def test_loss_curve_matches_torch():
    """Same initial weights, same batches: every step's loss, the final weights and the test
    accuracy agree with torch's (float32 tolerances; the curve is 3 epochs of 25 steps)."""
    torch = pytest.importorskip("torch")
    xtr, ytr, xte, yte, _ = load("synthetic", 500, 1)
    tg.manual_seed(1)
    model, loss_fn = job.build(tg, 32)
    tmodel, tloss = job.build(torch, 32)
    job.copy_weights(model, tmodel, torch)
    curves = []
    for m, net, lf in ((tg, model, loss_fn), (torch, tmodel, tloss)):
        opt = job.make_optimizer(m, net, "sgd", 0.1)
        steps, epochs, _ = job.train(m, net, lf, opt, xtr, ytr, 3, 16, seed=1, bar=False)
        curves.append((steps, job.accuracy(m, net, xte, yte)))
    (ours, acc), (ref, tacc) = curves
    assert len(ours) == 75 and np.mean(ours[-10:]) < 0.7 * np.mean(ours[:10])
    np.testing.assert_allclose(ours, ref, rtol=1e-4, atol=1e-5)
    assert acc == tacc
    for k, v in tmodel.state_dict().items():
        np.testing.assert_allclose(model.state_dict()[k].detach().numpy(), v.numpy(),
                                   rtol=1e-4, atol=1e-5)
