"""Contiguous copies of transposed and permuted tensors (lib/cpu/copy.cpp copy_transposed: 8 x 8
tiles when the source's unit-stride dim is not its last) give torch's values exactly, for 1-,
2-, 4- and 8-byte dtypes, ragged sizes, outer dims, sliced sources and 1 or 2 threads; and the
ops built on that copy (a reduction or softmax over a leading dim) still match torch."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

import tapegrad as tg  # noqa: E402

EXPRS = ["x.t()", "x[1:-2, ::1].t()", "x.t()[3:]", "x3.permute(0, 2, 1)", "x3.permute(2, 0, 1)",
         "x3.permute(1, 2, 0)", "x3.transpose(0, 2)", "x[:, 2:9].t()", "x[::2].t()"]


@pytest.fixture(params=[1, 2], ids=["1thread", "2threads"])
def threads(request):
    old = tg.get_num_threads()
    tg.set_num_threads(request.param)
    yield
    tg.set_num_threads(old)


@pytest.mark.parametrize("dtype", ["bool", "uint8", "float16", "bfloat16", "float32", "int64",
                                   "float64"])
@pytest.mark.parametrize("expr", EXPRS)
def test_contiguous_matches_torch(threads, dtype, expr):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((203, 77)) * 50
    a3 = rng.standard_normal((5, 37, 130)) * 50
    out = []
    for m in (tg, torch):
        dt = getattr(m, dtype)
        env = {"x": m.tensor(a).to(dt), "x3": m.tensor(a3).to(dt)}
        r = eval(expr, env).contiguous()  # noqa: S307
        out.append((tuple(r.shape), r.float().tolist() if dtype in ("float16", "bfloat16")
                    else r.tolist()))
    assert out[0] == out[1]


@pytest.mark.parametrize("expr", ["x.amax(0)", "x.max(0).values", "x.cumsum(0)",
                                  "x.softmax(0)", "x.log_softmax(0)", "x.sum(0)", "x.var(0)"])
def test_leading_dim_ops_match_torch(threads, expr):
    a = np.random.default_rng(1).standard_normal((300, 129))
    got = eval(expr, {"x": tg.tensor(a)})  # noqa: S307
    ref = eval(expr, {"x": torch.tensor(a)})  # noqa: S307
    np.testing.assert_allclose(np.asarray(got.tolist()), ref.numpy(), rtol=1e-12, atol=1e-12)
