"""Edge cases of the indexing and shape ops cross-checked against torch: 0-d selves and indices
of gather / scatter_add / index_reduce / index_select (once out-of-bounds reads), int32 and empty
indices, memory formats, nonzero(as_tuple=), narrow's argument checks, sum_to_size's dtype,
take_along_dim's negative indices, masked_scatter's broadcasting, tensordot's size-1 dims, and
the errors these ops raise (type and torch's message)."""
import re

import pytest

torch = pytest.importorskip("torch", reason="the checks compare against torch")
import tapegrad as tg  # noqa: E402


def _tg(x):
    return tg.from_torch(x.clone()) if isinstance(x, torch.Tensor) else x


def _back(y):
    return torch.from_dlpack(y.detach().contiguous()).clone() if y.numel() else \
        torch.empty(tuple(y.shape), dtype=getattr(torch, str(y.dtype).split(".")[1]))


def same(fn, *args):
    """fn(torch, *args) and fn(tapegrad, *tapegrad args) agree (values, dtype, shape) or raise
    the same exception type and message."""
    try:
        want = fn(torch, *args)
    except Exception as e:
        with pytest.raises(type(e), match=re.escape(str(e).splitlines()[0])):
            fn(tg, *[_tg(a) for a in args])
        return
    got = fn(tg, *[_tg(a) for a in args])
    if isinstance(want, tuple):
        assert len(want) == len(got)
        for w, g in zip(want, got):
            torch.testing.assert_close(_back(g), w, rtol=0, atol=0)
    else:
        torch.testing.assert_close(_back(got), want, rtol=0, atol=0)


F = torch.arange(5.0)
M = torch.arange(20.0).reshape(4, 5)

CASES = {
    "gather_0d_self_1elem_index": (lambda m, x, i: m.gather(x, 0, i), torch.tensor(3.0),
                                   torch.zeros(1, dtype=torch.int64)),
    "gather_0d_self_0d_index": (lambda m, x, i: m.gather(x, 0, i), torch.tensor(3.0),
                                torch.zeros((), dtype=torch.int64)),
    "gather_0d_self_oob": (lambda m, x, i: m.gather(x, 0, i), torch.tensor(3.0),
                           torch.ones(1, dtype=torch.int64)),
    "gather_1d_self_0d_index": (lambda m, x, i: m.gather(x, 0, i), F, torch.tensor(4)),
    "gather_1d_self_0d_index_oob": (lambda m, x, i: m.gather(x, 0, i), F, torch.tensor(7)),
    "gather_int32": (lambda m, x, i: m.gather(x, 1, i), M,
                     torch.tensor([[0, 4], [1, 1]], dtype=torch.int32)),
    "gather_empty_uint8": (lambda m, x, i: m.gather(x, 0, i), F, torch.zeros(2, 0,
                                                                             dtype=torch.uint8)),
    "gather_uint8": (lambda m, x, i: m.gather(x, 0, i), F, torch.zeros(2, dtype=torch.uint8)),
    "gather_index_too_big": (lambda m, x, i: m.gather(x, 0, i), M,
                             torch.zeros(2, 6, dtype=torch.int64)),
    "scatter_add_0d": (lambda m, x, i, s: m.scatter_add(x, 0, i, s), torch.tensor(1.0),
                       torch.zeros(1, dtype=torch.int64), torch.tensor(2.0)),
    "scatter_add_dtype": (lambda m, x, i, s: m.scatter_add(x, 0, i, s), M,
                          torch.zeros(1, 2, dtype=torch.int64), M.float()),
    "scatter_add_dims": (lambda m, x, i, s: m.scatter_add(x, 0, i, s), M,
                         torch.zeros(2, dtype=torch.int64), M),
    "scatter_add_src_small": (lambda m, x, i, s: m.scatter_add(x, 0, i, s), M,
                              torch.zeros(2, 5, dtype=torch.int64), M[:1]),
    "scatter_reduce_bool": (lambda m, x, i, s: m.scatter_reduce(x, 0, i, s, "amax"),
                            torch.tensor([False, True, False]), torch.tensor([0, 0, 2]),
                            torch.tensor([True, False, True])),
    "index_reduce_0d": (lambda m, x, i, s: m.index_reduce(x, 0, i, s, "prod"),
                        torch.tensor(2.0), torch.zeros(1, dtype=torch.int64), torch.tensor(3.0)),
    "index_select_0d": (lambda m, x, i: m.index_select(x, 0, i), torch.tensor(3.0),
                        torch.zeros(1, dtype=torch.int64)),
    "index_add_shape": (lambda m, x, i, s: m.index_add(x, 0, i, s), torch.zeros(3, 2),
                        torch.tensor([0, 1]), torch.ones(2)),
    "index_add_shape_dim1": (lambda m, x, i, s: m.index_add(x, 1, i, s), torch.zeros(3, 2),
                             torch.tensor([0, 1]), torch.ones(2)),
    "take_along_dim_negative": (lambda m, x, i: m.take_along_dim(x, i, 1), M,
                                torch.tensor([[-1, 0]])),
    "take_along_dim_flat_negative": (lambda m, x, i: m.take_along_dim(x, i), M,
                                     torch.tensor([-1, -20])),
    "masked_select_0d": (lambda m, x, k: m.masked_select(x, k), torch.tensor(3.0),
                         torch.tensor(True)),
    "masked_scatter_broadcast_self": (lambda m, x, k, s: m.masked_scatter(x, k, s), F,
                                      torch.eye(5, dtype=torch.bool), M.reshape(5, 4)),
    "tensordot_size1": (lambda m, a, b: m.tensordot(a, b, dims=([0, 1], [2, 0])),
                        torch.ones(1, 1, 1), torch.arange(4.0).reshape(2, 1, 2)),
    "diff_n0": (lambda m, x, p: m.diff(x, 0, 0, p), M, torch.ones(1, 5)),
    "nonzero_as_tuple": (lambda m, x: m.nonzero(x, as_tuple=True), torch.eye(3)),
    "nonzero_as_tuple_0d": (lambda m, x: x.nonzero(as_tuple=True), torch.tensor(2.0)),
    "sum_to_size_bool": (lambda m, x: x.sum_to_size(1, 5), torch.ones(4, 5, dtype=torch.bool)),
    "sum_to_size_bad": (lambda m, x: x.sum_to_size(4, 4), M),
    "narrow_0d": (lambda m, x: m.narrow(x, 0, 0, 1), torch.tensor(1.0)),
    "narrow_start_oob": (lambda m, x: x.narrow(1, 6, 0), M),
    "narrow_negative_start": (lambda m, x: x.narrow(1, -2, 2), M),
    "narrow_length": (lambda m, x: x.narrow(1, 2, 4), M),
    "narrow_tensor_start": (lambda m, x: x.narrow(1, torch.tensor(1) if m is torch else
                                                  tg.tensor(1), 2), M),
    "masked_fill_complex": (lambda m, x: x.masked_fill(m.tensor(True), 1j), M),
    "reshape_zero_infer": (lambda m, x: x.reshape(0, -1), torch.ones(1)),
    "renorm_inf": (lambda m, x: m.renorm(x, float("inf"), 0, 5.0), M),
    "hstack_empty": (lambda m: m.hstack([]),),
    "empty_permuted_dim": (lambda m: m.empty_permuted((1,), (3,)),),
}


@pytest.mark.parametrize("case", [pytest.param(v, id=k) for k, v in CASES.items()])
def test_matches_torch(case):
    same(*case)


def test_cat_of_empty_1d_records_grad():
    a = tg.zeros(0, requires_grad=True)
    out = tg.cat([a, a], 0)
    assert out.requires_grad
    (g,) = tg.autograd.grad(out.sum(), [a])
    assert tuple(g.shape) == (0,)


@pytest.mark.parametrize("fmt", ["contiguous_format", "channels_last", "preserve_format"])
def test_memory_format_conversions(fmt):
    x = torch.arange(2 * 3 * 4 * 5.0).reshape(2, 3, 4, 5)
    for conv in ("float", "double", "long", "contiguous", "clone"):
        if conv == "contiguous" and fmt == "preserve_format":
            continue
        want = getattr(x, conv)(memory_format=getattr(torch, fmt))
        got = getattr(_tg(x), conv)(memory_format=getattr(tg, fmt))
        torch.testing.assert_close(_back(got), want)
        assert got.stride() == want.stride()
        assert got.is_contiguous() == want.is_contiguous()
        assert got.is_contiguous(memory_format=tg.channels_last) == \
            want.is_contiguous(memory_format=torch.channels_last)
    with pytest.raises(RuntimeError, match="required rank 4 tensor to use channels_last format"):
        tg.ones(2, 3).float(memory_format=tg.channels_last)
    z = torch.ones(2, 3, 2, 2, 2)
    want = z.to(torch.float64, memory_format=torch.channels_last_3d)
    got = _tg(z).to(tg.float64, memory_format=tg.channels_last_3d)
    assert got.stride() == want.stride() and got.dtype == tg.float64
