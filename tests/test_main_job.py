"""The README's first command: `python -m tapegrad` trains the seed's logistic regression and
its loss falls; the same model trained in torch from the same data reaches the same loss."""
import re
import subprocess
import sys

import pytest


def _losses(out):
    return [float(v) for v in re.findall(r"loss (\d+\.\d+)", out)]


def test_main_job_trains():
    r = subprocess.run([sys.executable, "-m", "tapegrad", "--epochs", "100"], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    losses = _losses(r.stdout)
    assert len(losses) >= 3
    assert losses[-1] < 0.5 * losses[0]
    acc = float(re.search(r"training accuracy = (\d\.\d+)", r.stdout).group(1))
    assert acc > 0.9


def test_main_job_matches_torch():
    torch = pytest.importorskip("torch")
    import tapegrad as tg
    from tapegrad.__main__ import make_data

    x, y = make_data(256, 0)
    xt, yt = torch.tensor(x.tolist()), torch.tensor(y.tolist())
    params = {}
    for m, xs, ys in ((tg, x, y), (torch, xt, yt)):
        w = m.zeros(2, requires_grad=True)
        b = m.zeros((), requires_grad=True)
        opt = m.optim.SGD([w, b], lr=0.5, momentum=0.9)
        for _ in range(50):
            loss = m.nn.functional.binary_cross_entropy_with_logits(xs @ w + b, ys)
            opt.zero_grad()
            loss.backward()
            opt.step()
        params[m.__name__] = (w.tolist(), b.item(), loss.item())
    (w1, b1, l1), (w2, b2, l2) = params["tapegrad"], params["torch"]
    assert w1 == pytest.approx(w2, rel=1e-4, abs=1e-5)
    assert b1 == pytest.approx(b2, rel=1e-4, abs=1e-5)
    assert l1 == pytest.approx(l2, rel=1e-4, abs=1e-6)
