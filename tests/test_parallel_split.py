"""Elementwise loops above the grain size are split into one equal share of the elements per
thread (cpu::parallel_parts, include/tapegrad/kernels/loops.h), and a share may begin and end in
the middle of a row. At 1, 2 and 3 threads, strided, broadcast and transposed operands with few
long rows, many short rows and ragged lengths give torch's values exactly (+ - * and the
maps round the same way in both libraries)."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

import tapegrad as tg  # noqa: E402


@pytest.fixture(params=[1, 2, 3], ids=["1thread", "2threads", "3threads"])
def threads(request):
    old = tg.get_num_threads()
    tg.set_num_threads(request.param)
    yield request.param
    tg.set_num_threads(old)


SHAPES = [(3, 20011), (7, 5003), (40961,), (1000, 37), (2, 3, 9001)]


def _pair(m, a, b):
    return m.tensor(a), m.tensor(b)


def _eq(got, ref):
    g, r = np.asarray(got.tolist()), ref.numpy()
    assert g.shape == r.shape
    np.testing.assert_array_equal(g, r)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_strided_binary_and_unary(threads, shape, dtype):
    rng = np.random.default_rng(len(shape) * 7 + shape[-1])
    a = rng.standard_normal(shape).astype(dtype)
    b = rng.standard_normal(shape[::-1]).astype(dtype)  # transposed below: a strided operand
    row = rng.standard_normal(shape[-1:]).astype(dtype)  # broadcast along every row
    for m in (tg, torch):
        x, y, r = m.tensor(a), m.tensor(b), m.tensor(row)
        yt = y.permute(*reversed(range(y.dim())))
        res = [x + yt, x * r, (x - yt).abs(), x.t().neg() if x.dim() == 2 else x.neg(),
               m.where(x > 0, yt, r), x.clamp(-0.5, 0.5), (x * 2).to(m.float64)]
        z = x.clone()
        z.mul_(yt)
        z[..., ::2].add_(1.5)  # an in-place op on a strided view
        res.append(z)
        if m is tg:
            got = res
        else:
            ref = res
    for g, r in zip(got, ref):
        _eq(g, r)


def test_int_and_bool_maps(threads):
    a = np.arange(3 * 20011, dtype=np.int64).reshape(3, 20011)
    for m in (tg, torch):
        x = m.tensor(a)
        res = [x * 3 - 7, (x % 5 == 0), x.t().contiguous(), (x.float() / 3).floor()]
        if m is tg:
            got = res
        else:
            ref = res
    for g, r in zip(got, ref):
        _eq(g, r)
