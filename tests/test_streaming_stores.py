"""Outputs large enough to be written with streaming stores (Note [Streaming stores] in
include/tapegrad/kernels/vmath.h: products/sums and the fused mul/sin backward kernels from
2 MiB, exp/sigmoid/sin/cos from 16 MiB) hold exactly the values of the ordinary path: against
torch bit for bit where both round the same way (+ - * /, the backward products), and for the
transcendental maps against the same kernel run on pieces small enough not to stream. Lengths
leave tails that are not a multiple of the vector width or of the L1 bounce buffer; in-place
and unaligned outputs (which must not stream) are covered too, at 1 and 2 threads."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

import tapegrad as tg  # noqa: E402

N_BIN = (2 << 20) // 4 + 37          # float32 elements just over 2 MiB, with a ragged tail
N_MAP = (16 << 20) // 4 + 1000 + 5   # just over 16 MiB, a partial bounce block at the end


@pytest.fixture(params=[1, 2], ids=["1thread", "2threads"])
def threads(request):
    old = tg.get_num_threads()
    tg.set_num_threads(request.param)
    yield request.param
    tg.set_num_threads(old)


def _pair(n, dtype, seed):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(n).astype(dtype)
    b = rng.standard_normal(n).astype(dtype) + 3.0  # away from 0 for the division
    return a, b


def _eq(got, ref):
    g = got.detach().numpy() if hasattr(got, "detach") else np.asarray(got)
    r = ref.detach().numpy()
    assert g.dtype == r.dtype and g.shape == r.shape
    np.testing.assert_array_equal(g, r)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
def test_binary_large_outputs_match_torch(threads, dtype, op):
    a, b = _pair(N_BIN, dtype, 1)
    f = {"add": lambda x, y: x + y, "sub": lambda x, y: x - y,
         "mul": lambda x, y: x * y, "div": lambda x, y: x / y}[op]
    ta, tb = torch.from_numpy(a), torch.from_numpy(b)
    ga, gb = tg.tensor(a), tg.tensor(b)
    _eq(f(ga, gb), f(ta, tb))
    _eq(f(ga, 1.75), f(ta, 1.75))          # tensor op scalar
    # in place (out is an input: the ordinary stores), also on a view one element in (not
    # 64-byte aligned), and unaligned inputs into a fresh (streamed) output
    gi, ti = ga.clone(), ta.clone()
    getattr(gi, op + "_")(gb)
    getattr(ti, op + "_")(tb)
    _eq(gi, ti)
    gv, tv = tg.tensor(np.concatenate([b[:1], a])), torch.from_numpy(np.concatenate([b[:1], a]))
    getattr(gv[1:], op + "_")(gb)
    getattr(tv[1:], op + "_")(tb)
    _eq(gv, tv)
    _eq(f(gv[1:], gb), f(tv[1:], tb))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_mul_backward_pair_large(threads, dtype):
    a, b = _pair(N_BIN, dtype, 2)
    up = np.random.default_rng(3).standard_normal(N_BIN).astype(dtype)
    res = []
    for m in (tg, torch):
        x = m.tensor(a, requires_grad=True)
        y = m.tensor(b, requires_grad=True)
        (x * y).backward(m.tensor(up))     # a full upstream gradient
        gx1, gy1 = x.grad.clone(), y.grad.clone()
        x.grad = None
        y.grad = None
        (x * y).sum().backward()           # an expanded (one-value) upstream gradient
        res.append((gx1, gy1, x.grad, y.grad))
    for got, ref in zip(res[0], res[1]):
        _eq(got, ref)


def test_sin_backward_large(threads):
    a, _ = _pair(N_BIN, np.float32, 4)
    up = np.random.default_rng(5).standard_normal(N_BIN).astype(np.float32)
    x = tg.tensor(a, requires_grad=True)
    x.sin().backward(tg.tensor(up))
    # the same kernel on pieces below the streaming size: identical values expected
    pieces = []
    for s in range(0, N_BIN, 100_000):
        xp = tg.tensor(a[s:s + 100_000], requires_grad=True)
        xp.sin().backward(tg.tensor(up[s:s + 100_000]))
        pieces.append(xp.grad.numpy())
    np.testing.assert_array_equal(x.grad.numpy(), np.concatenate(pieces))
    # and against torch within the kernels' documented accuracy (tests/test_vmath.py)
    t = torch.tensor(a, requires_grad=True)
    t.sin().backward(torch.tensor(up))
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=3e-6, atol=1e-6)


@pytest.mark.parametrize("op", ["exp", "sigmoid", "sin", "cos", "tanh"])
def test_maps_large_equal_small_pieces(threads, op):
    a = (np.random.default_rng(6).standard_normal(N_MAP) * 4).astype(np.float32)
    x = tg.tensor(a)
    big = getattr(x, op)().numpy()
    step = 200_000
    small = np.concatenate([getattr(tg.tensor(a[s:s + step]), op)().numpy()
                            for s in range(0, N_MAP, step)])
    np.testing.assert_array_equal(big, small)
    ref = getattr(torch.tensor(a), op)().numpy()
    np.testing.assert_allclose(big, ref, rtol=4e-7, atol=1e-7)
    # in place: out is the input, no streaming, the same values
    y = x.clone()
    getattr(y, op + "_")()
    np.testing.assert_array_equal(y.numpy(), big)
