"""Note [Index plans on the device]: a CUDA tensor's indexing offsets (advanced indexing,
index_put, gather/scatter) are built with tensor ops on its device instead of on the host.
tapegrad._C._set_index_plans_on_device(True) sends CPU tensors down that path too, so these
tests check, on any machine, the logic the GPU runs: against torch, values, gradients and
out-of-range errors, and the indexing suites re-run under the switch."""
import os
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import tapegrad  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def device_plans():
    assert not tapegrad._C._index_plans_on_device()  # the CPU's default: the host planner
    tapegrad._C._set_index_plans_on_device(True)
    assert tapegrad._C._index_plans_on_device()
    yield
    tapegrad._C._set_index_plans_on_device(False)


CASES = {
    "one_index": lambda m, x: x[m.tensor([1, 0, -1])],
    "middle_dim": lambda m, x: x[:, m.tensor([[2], [-3]])],
    "split_block": lambda m, x: x[m.tensor([1, 0]), :, m.tensor([[3], [-4]])],
    "adjacent_pair": lambda m, x: x[:, m.tensor([0, 2]), m.tensor([1, 3])],
    "ellipsis": lambda m, x: x[..., m.tensor([1, 1])],
    "mask": lambda m, x: x[x > 0.3],
    "scalar_index": lambda m, x: x[m.tensor(1), m.tensor([0, 2])],
    "non_contiguous": lambda m, x: x.transpose(0, 2)[m.tensor([3, 0]), 1],
    "empty_index": lambda m, x: x[m.tensor([], dtype=m.int64)],
    "gather": lambda m, x: m.gather(x, 2, m.tensor([[[1, 0], [3, 3], [0, 2]]] * 2)),
    "gather_nc": lambda m, x: m.gather(x.transpose(1, 2), 1, m.tensor([[[2, 0, 1]]] * 2)),
    "take_along_dim": lambda m, x: m.take_along_dim(x, m.tensor([[[0], [3], [1]]]), dim=2),
    "index_select": lambda m, x: m.index_select(x, 1, m.tensor([2, 2, 0])),
    "index_put_acc": lambda m, x: x.index_put((m.tensor([0, 0, 1]), m.tensor([1, 1, 2])),
                                              m.ones(3, 4, dtype=x.dtype) * 2, accumulate=True),
    "scatter_add": lambda m, x: m.zeros(2, 3, 5, dtype=x.dtype).scatter_add(
        2, m.tensor([[[4, 4, 0, 1]]] * 2), x[:, :1]),
    "embedding": lambda m, x: m.nn.functional.embedding(m.tensor([[3, 0], [1, 3]]),
                                                        x.reshape(6, 4)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_device_plans_match_torch(device_plans, name):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 4))
    g = None
    results = []
    for m in (tapegrad, torch):
        xi = m.tensor(x, requires_grad=True)
        out = CASES[name](m, xi)
        if g is None:
            g = rng.standard_normal(tuple(out.shape))
        out.backward(m.tensor(g, dtype=out.dtype))
        results.append((out.detach().numpy(), xi.grad.numpy()))
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


BAD = {
    "too_big": lambda m, x: x[m.tensor([0, 2])],
    "too_negative": lambda m, x: x[:, m.tensor([-4])],
    "second_indexed": lambda m, x: x[m.tensor([0]), :, m.tensor([9])],
    "empty_dim": lambda m, x: m.zeros(2, 0)[:, m.tensor([0])],
    "gather_negative": lambda m, x: m.gather(x, 1, m.tensor([[[-1]]])),
    "gather_too_big": lambda m, x: m.gather(x, 2, m.tensor([[[4]]])),
    "scatter_too_big": lambda m, x: m.zeros(2, 3).scatter_add(1, m.tensor([[3]]), m.ones(1, 1)),
}


@pytest.mark.parametrize("name", list(BAD))
def test_device_plans_raise_like_torch(device_plans, name):
    errors = []
    for m in (tapegrad, torch):
        with pytest.raises(Exception) as info:
            BAD[name](m, m.zeros(2, 3, 4))
        errors.append((type(info.value), str(info.value).split("\n")[0]))
    assert errors[0] == errors[1]


def test_indexing_suites_under_device_plans():
    """The indexing and error suites, and the op sweeps' indexing cases, with the switch on
    (tests/conftest.py sets it from the environment)."""
    env = dict(os.environ, TAPEGRAD_TEST_INDEX_PLANS_ON_DEVICE="1")
    k = ("index or gather or scatter or take or put or embedding or select or masked or "
         "nonzero or pad or getitem or setitem or diag or unique or nll or cross_entropy")
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x",
           "tests/test_index_edge_cases.py", "tests/test_errors_indexing.py",
           "tests/test_opinfo.py", "tests/test_ops_crosscheck.py", "tests/test_inplace_views.py",
           "-k", k]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout.splitlines()[-1]
