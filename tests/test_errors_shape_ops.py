"""Error parity with torch (type and message) for split / chunk / unbind / tensor_split /
h-v-dsplit, flip / roll / repeat / tile, cumsum / cumprod, rounding, all / any and isnan & co;
and torch's rule for in-place writes into the outputs of split / chunk / unbind (views that
share one multi-output node), with the cases that stay allowed.
"""
import pytest

torch = pytest.importorskip("torch", reason="the error checks compare against torch")

from conftest import tg  # noqa: E402
from test_errors import assert_same_error, assert_same_error_type, nonleaf, ones_t  # noqa: E402


_t, _y = ones_t, nonleaf


def _no_grad_split_then_write(m):
    y = _y(m, 4)
    with m.no_grad():
        a = y.split(2)[1]
    a.mul_(2)


def _write_other_alias_then_use(m):
    y = _y(m, 4)
    a = y.split(2)[1]
    y.add_(1)
    return a * 2  # a's history has to be regenerated: refused


def _detached_write_then_use_piece(m):
    u = _y(m, 3, 2).unbind()
    u[1].detach().fill_(5)
    return u[0].grad_fn


def _write_under_no_grad_then_use(m):
    y = _y(m, 4)
    a = y.unbind()[2]
    with m.no_grad():
        a.mul_(2)
    return a.grad_fn


# id -> fn(m) that raises in torch
CASES = {
    # split / split_with_sizes / chunk / unbind
    "split_bad_dim": lambda m: _t(m, 2, 3).split(2, 2),
    "split_zero_size": lambda m: _t(m, 2, 3).split(0),
    "split_negative_size": lambda m: _t(m, 2, 3).split(-1),
    "split_0d": lambda m: m.split(_t(m), 1),
    "split_sizes_sum": lambda m: _t(m, 2, 3).split([1, 2]),
    "split_sizes_negative": lambda m: _t(m, 2, 3).split([1, -1, 2], 1),
    "split_with_sizes_sum": lambda m: m.split_with_sizes(_t(m, 4), [1, 1]),
    "split_sizes_bad_dim": lambda m: _t(m, 2, 3).split([1, 1], -3),
    "chunk_zero": lambda m: _t(m, 2, 3).chunk(0),
    "chunk_negative": lambda m: m.chunk(_t(m, 2, 3), -1),
    "chunk_bad_dim": lambda m: _t(m, 2, 3).chunk(2, 2),
    "chunk_0d": lambda m: m.chunk(_t(m), 1),
    "unbind_bad_dim": lambda m: _t(m, 2, 3).unbind(2),
    "unbind_0d": lambda m: _t(m).unbind(),
    # tensor_split and the directional forms
    "tensor_split_zero": lambda m: _t(m, 2, 3).tensor_split(0),
    "tensor_split_negative": lambda m: _t(m, 2, 3).tensor_split(-1),
    "tensor_split_bad_dim": lambda m: _t(m, 2, 3).tensor_split(2, 2),
    "tensor_split_0d": lambda m: _t(m).tensor_split(1),
    "tensor_split_float_tensor": lambda m: _t(m, 2, 3).tensor_split(m.tensor([1.0]), 1),
    # torch checks self's rank before the index tensor's dtype
    "tensor_split_0d_int32_tensor": lambda m: m.tensor_split(_t(m), m.tensor([1], dtype=m.int32)),
    "hsplit_not_divisible": lambda m: _t(m, 2, 3).hsplit(2),
    "hsplit_0d": lambda m: m.hsplit(_t(m), 1),
    "vsplit_1d": lambda m: _t(m, 4).vsplit(2),
    "vsplit_not_divisible": lambda m: m.vsplit(_t(m, 2, 3), 3),
    "dsplit_2d": lambda m: _t(m, 2, 2).dsplit(1),
    # flip / roll / repeat / tile
    "flip_bad_dim": lambda m: _t(m, 2, 3).flip(2),
    "flip_repeated_dim": lambda m: m.flip(_t(m, 2, 3), (0, -2)),
    "flip_fn_int_dims": lambda m: m.flip(_t(m, 2, 3), 0),
    "fliplr_1d": lambda m: _t(m, 3).fliplr(),
    "flipud_0d": lambda m: m.flipud(_t(m)),
    "roll_misaligned": lambda m: _t(m, 2, 3).roll((1, 2), (0,)),
    "roll_no_shifts": lambda m: _t(m, 2, 3).roll((), ()),
    "roll_one_shift_two_dims": lambda m: m.roll(_t(m, 2, 3), 1, (0, 1)),
    "roll_bad_dim": lambda m: _t(m, 2, 3).roll(1, 2),
    "roll_0d_dim": lambda m: _t(m).roll(1, 0),
    "repeat_too_few": lambda m: _t(m, 2, 3).repeat(2),
    "repeat_negative": lambda m: _t(m, 2, 3).repeat(-1, 1),
    "repeat_missing": lambda m: _t(m, 2, 3).repeat(),
    "tile_negative": lambda m: _t(m, 2, 3).tile((-1,)),
    # scans
    "cumsum_bad_dim": lambda m: _t(m, 2, 3).cumsum(2),
    "cumsum_bad_neg_dim": lambda m: m.cumsum(_t(m, 2, 3), dim=-3),
    "cumsum_0d_bad_dim": lambda m: _t(m).cumsum(1),
    "cumprod_bool_dtype": lambda m: m.cumprod(_t(m, 2, 3), 0, dtype=m.bool),
    "cumsum_int_dtype_requires_grad": lambda m: m.cumsum(_y(m, 2, 3), 1, dtype=m.int64),
    "cumprod_int_dtype_requires_grad": lambda m: _y(m, 3).cumprod(0, dtype=m.int32),
    # rounding
    "floor_bool": lambda m: m.floor(_t(m, 2, dtype=m.bool)),
    "ceil_bool": lambda m: _t(m, 2, dtype=m.bool).ceil(),
    "round_bool": lambda m: m.round(_t(m, 2, dtype=m.bool)),
    "trunc_bool": lambda m: m.trunc(_t(m, 2, dtype=m.bool)),
    "frac_int": lambda m: m.frac(_t(m, 2, dtype=m.int64)),
    "frac_bool": lambda m: _t(m, 2, dtype=m.bool).frac(),
    "round_decimals_int": lambda m: m.round(_t(m, 2, dtype=m.int64), decimals=1),
    "round_decimals_float": lambda m: _t(m, 2).round(decimals=1.5),
    "floor_float": lambda m: m.floor(1.0),
    # wrong argument types
    "split_float_size": lambda m: _t(m, 4, 2).split(2.5),
    "split_float_sizes": lambda m: m.split(_t(m, 4, 2), [1.5, 2.5]),
    "flip_float_dim": lambda m: _t(m, 4, 2).flip(0.5),
    "roll_float_shift": lambda m: _t(m, 4, 2).roll(1.5),
    "tile_fn_int": lambda m: m.tile(_t(m, 4, 2), 2),
    # truth reductions and tests
    "all_bad_dim": lambda m: _t(m, 2, 3).all(2),
    "any_bad_dims": lambda m: m.any(_t(m, 2, 3), (0, 3)),
    "isnan_float": lambda m: m.isnan(1.0),
    "isfinite_list": lambda m: m.isfinite([1.0]),
    # in-place writes into multi-output views
    "inplace_split_output": lambda m: _y(m, 4).split(2)[0].mul_(2),
    "inplace_split_sizes_output": lambda m: _y(m, 4).split([1, 3])[1].add_(1),
    "inplace_chunk_output": lambda m: _y(m, 4, 2).chunk(2)[1].zero_(),
    "inplace_unbind_output": lambda m: _y(m, 3, 2).unbind()[2].mul_(2),
    "inplace_view_of_split_output": lambda m: _y(m, 4).split(2)[1].view(2).mul_(2),
    "inplace_slice_of_unbind_output": lambda m: _y(m, 3, 4).unbind(1)[0][0:1].mul_(2),
    "inplace_split_of_leaf": lambda m: _t(m, 4, rg=True).split(1)[0].mul_(2),
    "inplace_split_other_requires_grad": lambda m: _t(m, 4).split(2)[1].mul_(_t(m, 2, rg=True)),
    "inplace_split_copy": lambda m: _y(m, 4).split(2)[0].copy_(_t(m, 2)),
    "inplace_split_operator": lambda m: _y(m, 4).split(2)[0].__iadd__(1),
    "inplace_no_grad_split": _no_grad_split_then_write,
    "setitem_into_split_output": lambda m: _y(m, 4, 3).split(2)[0].__setitem__(0, 5),
    "setitem_slice_into_chunk_output":
        lambda m: _y(m, 4, 3).chunk(2)[1].__setitem__((slice(None), 1), m.zeros(2)),
    "setitem_index_into_unbind_output":
        lambda m: _y(m, 4, 3).unbind()[1].__setitem__(m.tensor([0, 2]), 1.0),
    "fill_split_output": lambda m: _y(m, 4, 3).split(2)[0].fill_(3),
    "exp_split_output": lambda m: _y(m, 4, 3).split(2)[0].exp_(),
    "detach_split_output": lambda m: _y(m, 4, 3).split(2)[0].detach_(),
    "split_view_after_base_write": _write_other_alias_then_use,
    "unbind_view_after_no_grad_write": _write_under_no_grad_then_use,
    "unbind_piece_after_detached_write": _detached_write_then_use_piece,
    "inplace_iterated_row": lambda m: list(_y(m, 2, 3))[1].add_(1),
    "iterate_0d": lambda m: iter(_t(m)),
}


# id -> fn(m) whose message is the binding layer's (pybind11 vs torch's parser): type only
TYPE_ONLY = {
    "chunk_float": lambda m: _t(m, 4, 2).chunk(2.0),
    "repeat_float": lambda m: _t(m, 4, 2).repeat(2.0, 1),
    "tensor_split_float": lambda m: _t(m, 4, 2).tensor_split(2.0),
    "cumsum_float_dim": lambda m: _t(m, 4, 2).cumsum(0.5),
    "all_float_dim": lambda m: _t(m, 4, 2).all(0.5),
    "unbind_float_dim": lambda m: _t(m, 4, 2).unbind(1.0),
    "cumsum_missing_dim": lambda m: m.cumsum(_t(m, 2)),
    "tensor_split_doc_keyword": lambda m: _t(m, 4, 2).tensor_split(indices_or_sections=2),
}


@pytest.mark.parametrize("fn", [pytest.param(f, id=i) for i, f in TYPE_ONLY.items()])
def test_error_type(fn):
    assert_same_error_type(fn)


@pytest.mark.parametrize("fn", [pytest.param(f, id=i) for i, f in CASES.items()])
def test_error_type_and_message(fn):
    assert_same_error(fn)


def _values(t):
    return t.detach().tolist()


# In-place writes into multi-output views that torch allows: nothing requires grad, grad mode
# off, or a detached alias. fn(m) returns tensors whose values (and grad_fn names) must match.
def _plain_write(m):
    z = m.zeros(4)
    a, b = z.split(2)
    a.add_(1)
    return z, a, b


def _no_grad_write(m):
    y = _y(m, 4)
    with m.no_grad():
        y.split(2)[1].mul_(3)
    return (y,)


def _detached_write(m):
    y = _y(m, 3, 2)
    u = y.unbind()
    u[1].detach().fill_(5)
    return (y,)


def _rows_of_graph_tensor(m):
    rows = list(_y(m, 2, 3))  # iteration is unbind(0), as torch's
    return rows[0] * 2, rows[1]


ALLOWED = {"no_grad_anywhere": _plain_write, "under_no_grad": _no_grad_write,
           "detached_alias": _detached_write, "iterate_rows": _rows_of_graph_tensor}


@pytest.mark.parametrize("fn", [pytest.param(f, id=i) for i, f in ALLOWED.items()])
def test_allowed_inplace_writes(fn):
    ref = fn(torch)
    got = fn(tg())
    for r, g in zip(ref, got):
        assert _values(g) == _values(r)
        assert type(g.grad_fn).__name__ == type(r.grad_fn).__name__


@pytest.mark.parametrize("name,call", [
    ("split", lambda x: x.split(2)), ("split_sizes", lambda x: x.split([1, 3])),
    ("chunk", lambda x: x.chunk(2)), ("unbind", lambda x: x.unbind()),
    ("tensor_split", lambda x: x.tensor_split(3)), ("hsplit", lambda x: x.hsplit(2))])
def test_pieces_are_views(name, call):
    """Pieces share the input's storage and version counter, have it as _base, and see writes
    made through the input, as torch's."""
    m = tg()
    shape = (2, 4) if name == "hsplit" else (4, 2)
    base, ref = (lib.arange(8.0).reshape(shape).clone() for lib in (m, torch))
    pieces, ref_pieces = call(base), call(ref)
    assert isinstance(pieces, tuple) and len(pieces) == len(ref_pieces)
    for p, r in zip(pieces, ref_pieces):
        assert r._base is ref and p._base is base and p._is_view() == r._is_view()
    base.mul_(10)
    ref.mul_(10)
    for p, r in zip(pieces, ref_pieces):
        assert _values(p) == _values(r)
        assert p._version == r._version


def test_unused_pieces_get_zero_gradient():
    """Only some pieces reach the loss: the others' part of the gradient is zero, in one
    backward call of the shared node."""
    for m in (torch, tg()):
        x = m.arange(6.0).reshape(3, 2).requires_grad_()
        a, b, c = x.unbind()
        (b * 3).sum().backward()
        assert _values(x.grad) == [[0.0, 0.0], [3.0, 3.0], [0.0, 0.0]]
        p = x.split([1, 2])
        assert p[0].grad_fn is p[1].grad_fn
        assert [type(p[k].grad_fn).__name__ for k in (0, 1)] == ["SplitWithSizesBackward0"] * 2


def test_pieces_in_separate_backward_calls():
    """Split's node saves no tensor, so (as in torch) each piece can go through its own backward
    without retain_graph; a node that saved tensors still refuses a second pass."""
    for m in (torch, tg()):
        x = m.arange(6.0).reshape(3, 2).requires_grad_()
        a, b = x.split([1, 2])
        (a * 2).sum().backward()
        (b * 3).sum().backward()
        assert _values(x.grad) == [[2.0, 2.0], [3.0, 3.0], [3.0, 3.0]]
        y = x + 1
        y.sum().backward()
        y.sum().backward()  # AddBackward0 and SumBackward0 saved nothing either
        assert _values(x.grad) == [[4.0, 4.0], [5.0, 5.0], [5.0, 5.0]]
        s = (x * x).sum()
        s.backward()
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            s.backward()
