"""a[idx] with one integer index on the first dim (lib/ops/index.cpp index_rows: whole rows
copied, the path embedding's lookup takes too) against torch: negative indices, index tensors of
any shape, 1-d and 3-d sources, empty indices and rows, bool and int32 indices, non-contiguous
sources (the index-plan path), out-of-range errors with torch's message, and the gradient."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

from crosscheck import tg  # noqa: E402

CASES = [
    ("x2[i]", [0, 5, 2, 5, 9]), ("x2[i]", [-1, -10, 3]), ("x2[i]", [[1, 2], [3, -4]]),
    ("x2[i]", []), ("x1[i]", [3, -2, 0]), ("x3[i]", [1, 0, -1, 1]), ("x2[i, 1:3]", [2, 7]),
    ("x2.t()[i]", [1, 2]), ("x2[::2][i]", [0, 4, -1]), ("x0[i]", [0, 1]),
    ("x2[i]", [10]), ("x2[i]", [-11]), ("x1[i]", [3, 100]),
]


def _run(m, expr, idx, dtype="int64"):
    rng = np.random.default_rng(0)
    env = {"x1": m.tensor(rng.standard_normal(10)), "x2": m.tensor(rng.standard_normal((10, 4))),
           "x3": m.tensor(rng.standard_normal((3, 2, 5))), "x0": m.ones(5, 0)}
    i = m.tensor(idx, dtype=getattr(m, dtype)) if idx != [] else m.zeros(0, dtype=m.int64)
    try:
        r = eval(expr, dict(env, i=i))  # noqa: S307
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e)
    return str(r.dtype), tuple(r.shape), r.tolist()


@pytest.mark.parametrize("expr,idx", CASES, ids=[f"{e}-{i}" for e, i in CASES])
def test_matches_torch(expr, idx):
    assert _run(tg(), expr, idx) == _run(torch, expr, idx)


def test_int32_and_bool_indices_match_torch():
    assert _run(tg(), "x2[i]", [1, -2], "int32") == _run(torch, "x2[i]", [1, -2], "int32")
    assert _run(tg(), "x2[i]", [True, False] * 5, "bool") == \
        _run(torch, "x2[i]", [True, False] * 5, "bool")


def test_gradient_matches_torch():
    def run(m):
        x = m.tensor(np.arange(40.0).reshape(10, 4), requires_grad=True)
        y = x[m.tensor([3, -1, 3, 0])]
        y.backward(m.tensor(np.linspace(-1, 1, 16).reshape(4, 4)))
        return x.grad.tolist(), type(y.grad_fn).__name__
    assert run(tg()) == run(torch)


def test_embedding_matches_torch():
    def run(m):
        w = m.tensor(np.arange(24.0).reshape(6, 4), requires_grad=True)
        out = m.nn.functional.embedding(m.tensor([[0, 5], [2, 2]]), w, padding_idx=2)
        out.sum().backward()
        return out.tolist(), w.grad.tolist()
    assert run(tg()) == run(torch)


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int16", "float16", "float32", "int64",
                                   "float64"])
def test_index_select_every_width_and_length(dtype):
    """index_select along every dim (lib/cpu/index.cpp index_select_rows: one element per index
    in groups of four where the selected dim is innermost, whole rows otherwise), index lengths around the
    group of four, repeated and negative-free indices, a transposed source: bit for bit."""
    def run(m, n, d, transposed):
        rng = np.random.default_rng(n)
        a = m.tensor(rng.standard_normal((6, 7, 9)) * 40)
        a = a.to(getattr(m, dtype))
        if transposed:
            a = a.transpose(0, 2)
        idx = m.tensor(rng.integers(0, a.shape[d], n), dtype=m.int64)
        r = a.index_select(d, idx)
        return tuple(r.shape), r.tolist()
    for n in (0, 1, 3, 4, 5, 7, 8, 9, 17):
        for d in (0, 1, 2, -1):
            for transposed in (False, True):
                assert run(tg(), n, d, transposed) == run(torch, n, d, transposed), (n, d)
