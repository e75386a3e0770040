"""Data-movement cases: reshape view flatten transpose t .T permute unsqueeze squeeze expand,
indexing (ints, negative ints, stepped slices, None, Ellipsis, bool masks, combinations), index
assignment (index_put), the backward ops of select/slice/index under create_graph, gather,
scatter_add, dtype casts (_to_copy), cat, stack. Forward values must be bit-exact (exact=True).
"""
from functools import partial

from crosscheck import const, ints, mask, randn
from opcases.base import case as _case

case = partial(_case, exact=True)


def _shape_ops():
    return [
        case("reshape/method", lambda m, x: x.reshape(4, 3), randn(3, 4)),
        case("reshape/fn_tuple", lambda m, x: m.reshape(x, (2, -1)), randn(3, 4)),
        case("reshape/flat", lambda m, x: x.reshape(-1), randn(2, 3, 2)),
        case("reshape/0d_to_1d", lambda m, x: x.reshape(1), randn()),
        case("reshape/to_0d", lambda m, x: x.reshape(()), randn(1, 1)),
        case("reshape/empty", lambda m, x: x.reshape(3, 0, 2), randn(0, 6)),
        case("reshape/nc_copy", lambda m, x: x.reshape(12), randn(3, 4, nc=True)),
        case("reshape/int", lambda m, i: i.reshape(2, 6), ints(3, 4)),
        case("view/method", lambda m, x: x.view(4, 3), randn(3, 4)),
        case("view/infer", lambda m, x: x.view(-1, 2), randn(3, 4)),
        case("view/split_dim", lambda m, x: x.view(2, 2, 3), randn(4, 3)),
        case("view/0d", lambda m, x: x.view(1, 1), randn()),
        case("view/empty", lambda m, x: x.view(0, 2), randn(0, 3, 2)),
        case("flatten/method", lambda m, x: x.flatten(), randn(2, 3, 4)),
        case("flatten/fn_start", lambda m, x: m.flatten(x, 1), randn(2, 3, 4)),
        case("flatten/range", lambda m, x: x.flatten(0, 1), randn(2, 3, 4)),
        case("flatten/neg", lambda m, x: x.flatten(start_dim=-2), randn(2, 3, 4)),
        case("flatten/0d", lambda m, x: x.flatten(), randn()),
        case("flatten/empty", lambda m, x: x.flatten(), randn(2, 0, 3)),
        case("flatten/nc", lambda m, x: x.flatten(), randn(3, 4, nc=True)),
        case("transpose/method", lambda m, x: x.transpose(0, 1), randn(3, 4)),
        case("transpose/fn_neg", lambda m, x: m.transpose(x, -1, 0), randn(2, 3, 4)),
        case("transpose/same_dim", lambda m, x: x.transpose(1, 1), randn(2, 3)),
        case("transpose/nc", lambda m, x: x.transpose(0, 2), randn(2, 3, 4, nc=True)),
        case("t/method", lambda m, x: x.t(), randn(3, 4)),
        case("t/fn", lambda m, x: m.t(x), randn(2, 5)),
        case("t/1d", lambda m, x: x.t(), randn(4)),
        case("t/0d", lambda m, x: x.t(), randn()),
        case("T/2d", lambda m, x: x.T, randn(3, 4), ops=("permute",)),
        case("T/nc", lambda m, x: x.T, randn(3, 4, nc=True), ops=("permute",)),
        case("permute/method", lambda m, x: x.permute(2, 0, 1), randn(2, 3, 4)),
        case("permute/fn_tuple", lambda m, x: m.permute(x, (1, 0)), randn(3, 4)),
        case("permute/neg", lambda m, x: x.permute(-1, 0, 1), randn(2, 3, 4)),
        case("permute/0d", lambda m, x: m.permute(x, ()), randn()),
        case("permute/empty", lambda m, x: x.permute(1, 0), randn(0, 3)),
        case("unsqueeze/front", lambda m, x: x.unsqueeze(0), randn(3, 4)),
        case("unsqueeze/fn_neg", lambda m, x: m.unsqueeze(x, -1), randn(3, 4)),
        case("unsqueeze/middle", lambda m, x: x.unsqueeze(1), randn(3, 4)),
        case("unsqueeze/0d", lambda m, x: x.unsqueeze(0), randn()),
        case("unsqueeze/nc", lambda m, x: x.unsqueeze(1), randn(3, 4, nc=True)),
        case("squeeze/all", lambda m, x: x.squeeze(), randn(3, 1, 4, 1)),
        case("squeeze/dim", lambda m, x: x.squeeze(1), randn(3, 1, 4, 1)),
        case("squeeze/fn_neg", lambda m, x: m.squeeze(x, -1), randn(3, 1, 4, 1)),
        case("squeeze/tuple", lambda m, x: x.squeeze((1, 3)), randn(3, 1, 4, 1)),
        case("squeeze/not_one", lambda m, x: x.squeeze(0), randn(3, 1, 4)),
        case("squeeze/0d", lambda m, x: x.squeeze(), randn()),
        case("squeeze/empty", lambda m, x: x.squeeze(), randn(0, 1, 3)),
        case("expand/method", lambda m, x: x.expand(3, 4), randn(3, 1)),
        case("expand/new_dims", lambda m, x: x.expand(2, 3, 4), randn(1, 4)),
        case("expand/minus_one", lambda m, x: x.expand(-1, 4), randn(3, 1)),
        case("expand/0d", lambda m, x: x.expand(2, 3), randn()),
        case("expand/to_empty", lambda m, x: x.expand(0, 3), randn(1, 3)),
        case("expand/nc", lambda m, x: x.expand(2, 4, 3), randn(4, 1, nc=True)),
    ]


def _indexing():
    i = "index"
    return [
        case("index/int", lambda m, x: x[1], randn(3, 4), ops=(i, "select")),
        case("index/neg_int", lambda m, x: x[-1], randn(3, 4), ops=(i, "select")),
        case("index/int_int", lambda m, x: x[1, -2], randn(3, 4), ops=(i, "select")),
        case("index/slice", lambda m, x: x[1:3], randn(4, 3), ops=(i, "slice")),
        case("index/slice_step", lambda m, x: x[::2], randn(5, 3), ops=(i, "slice")),
        case("index/slice_start_step", lambda m, x: x[:, 1::2], randn(3, 6), ops=(i, "slice")),
        case("index/slice_neg", lambda m, x: x[-3:-1], randn(5), ops=(i, "slice")),
        case("index/slice_past_end", lambda m, x: x[2:10], randn(4), ops=(i, "slice")),
        case("index/slice_empty", lambda m, x: x[3:1], randn(4), ops=(i, "slice")),
        case("index/none", lambda m, x: x[None], randn(3, 4), ops=(i, "unsqueeze")),
        case("index/ellipsis", lambda m, x: x[..., 1], randn(2, 3, 4), ops=(i, "select")),
        case("index/ellipsis_only", lambda m, x: x[...], randn(2, 3), ops=(i, "alias")),
        case("index/mask", lambda m, x, b: x[b], randn(3, 4), mask(3, 4)),
        case("index/mask_rows", lambda m, x, b: x[b], randn(4, 3), mask(4, p=0.6)),
        case("index/mask_cols", lambda m, x, b: x[:, b], randn(3, 5), mask(5, p=0.6)),
        case("index/mask_computed", lambda m, x: x[x > 0], randn(3, 4)),
        case("index/mask_none_true", lambda m, x, b: x[b], randn(3), mask(3, p=0.0)),
        case("index/combo", lambda m, x: x[1, ::2, None, ...], randn(3, 4, 2),
             ops=(i, "select", "slice", "unsqueeze")),
        case("index/combo_3d", lambda m, x: x[:, -1, 1:], randn(2, 3, 4), ops=(i, "select")),
        case("index/combo_none_ellipsis", lambda m, x: x[None, ..., -1], randn(2, 3)),
        case("index/chained", lambda m, x: x[0][1:], randn(3, 4), ops=(i, "select")),
        case("index/0d_none", lambda m, x: x[None], randn()),
        case("index/0d_ellipsis", lambda m, x: x[...], randn()),
        case("index/empty", lambda m, x: x[:, 1], randn(0, 3), ops=(i, "select")),
        case("index/nc", lambda m, x: x[1:, ::2], randn(3, 4, nc=True), ops=(i, "slice")),
        case("index/nc_int", lambda m, x: x[:, 2], randn(3, 4, nc=True), ops=(i, "select")),
        case("index/nc_mask", lambda m, x, b: x[b], randn(3, 4, nc=True), mask(3, 4)),
        case("index/int_tensor_input", lambda m, x: x[1:, 0], ints(3, 4), ops=(i, "select")),
    ]


def _join():
    return [
        case("cat/dim0", lambda m, x, y: m.cat([x, y]), randn(2, 3), randn(4, 3)),
        case("cat/dim1", lambda m, x, y: m.cat((x, y), dim=1), randn(2, 3), randn(2, 1)),
        case("cat/neg_dim", lambda m, x, y, z: m.cat([x, y, z], -1), randn(2, 2, 1),
             randn(2, 2, 3), randn(2, 2, 2)),
        case("cat/single", lambda m, x: m.cat([x]), randn(2, 3)),
        case("cat/1d", lambda m, x, y: m.cat([x, y]), randn(3), randn(2)),
        case("cat/empty_piece", lambda m, x, y: m.cat([x, y]), randn(0, 3), randn(2, 3)),
        case("cat/all_empty", lambda m, x, y: m.cat([x, y], 1), randn(0, 3), randn(0, 2)),
        case("cat/nc", lambda m, x, y: m.cat([x, y], 1), randn(3, 2, nc=True),
             randn(3, 4, nc=True)),
        case("cat/no_grad_piece", lambda m, x, y: m.cat([x, y]), randn(2, 3),
             randn(1, 3, rg=False)),
        case("cat/int", lambda m, i, j: m.cat([i, j]), ints(2, 3), ints(1, 3)),
        case("stack/dim0", lambda m, x, y: m.stack([x, y]), randn(2, 3), randn(2, 3)),
        case("stack/dim1", lambda m, x, y: m.stack((x, y), dim=1), randn(2, 3), randn(2, 3)),
        case("stack/neg_dim", lambda m, x, y, z: m.stack([x, y, z], -1), randn(4), randn(4),
             randn(4)),
        case("stack/0d", lambda m, x, y: m.stack([x, y]), randn(), randn()),
        case("stack/empty", lambda m, x, y: m.stack([x, y], 1), randn(0, 3), randn(0, 3)),
        case("stack/nc", lambda m, x, y: m.stack([x, y]), randn(3, 4, nc=True), randn(3, 4)),
    ]


def _grad_of(m, y, x, g):
    """The vector-Jacobian product of y(x) with create_graph=True: its graph holds the
    backward op of whatever made y (SelectBackwardBackward0, SliceBackwardBackward0...)."""
    return m.autograd.grad(y, x, g, create_graph=True)[0]


def _set_index(m, x, i, v):
    y = x.clone()
    y[i] = v
    return y


def _diagonal_ops():
    return [
        case("diagonal/method", lambda m, x: x.diagonal(), randn(3, 4), gradgrad=True),
        case("diagonal/fn_offset", lambda m, x: m.diagonal(x, 1), randn(3, 4)),
        case("diagonal/neg_offset", lambda m, x: m.diagonal(x, offset=-2), randn(4, 3)),
        case("diagonal/dims", lambda m, x: x.diagonal(0, 2, 0), randn(2, 3, 4)),
        case("diagonal/neg_dims", lambda m, x: x.diagonal(dim1=-1, dim2=-2), randn(2, 3, 3)),
        case("diagonal/empty", lambda m, x: x.diagonal(5), randn(3, 4)),
        case("diagonal/nc", lambda m, x: x.diagonal(), randn(3, 4, nc=True)),
        case("unfold/overlap", lambda m, x: x.unfold(1, 3, 1), randn(2, 5), gradgrad=True),
        case("unfold/neg_dim_step", lambda m, x: x.unfold(-2, 2, 3), randn(7, 3)),
        case("unfold/0d", lambda m, x: x.unfold(0, 1, 1), randn()),
        case("unfold/empty", lambda m, x: x.unfold(1, 0, 2), randn(2, 4)),
        case("unfold/nc", lambda m, x: x.unfold(0, 2, 2), randn(4, 3, nc=True)),
        case("repeat_interleave/int", lambda m, x: x.repeat_interleave(2, dim=1), randn(2, 3)),
        case("repeat_interleave/flat", lambda m, x: m.repeat_interleave(x, 3), randn(2, 2)),
        case("repeat_interleave/tensor", lambda m, x, r: x.repeat_interleave(r, dim=0),
             randn(3, 2), const([2, 0, 1])),
        case("as_strided/overlap", lambda m, x: x.as_strided((3, 2), (1, 1)), randn(4),
             gradgrad=True),
        case("as_strided/offset", lambda m, x: m.as_strided(x, (2, 2), (3, 1), 1), randn(3, 3)),
    ]


def _backward_ops():
    idx = const([0, 2, 2])
    return [
        # relu/sigmoid/tanh backward as ops (ThresholdBackwardBackward0 ...): the second
        # derivative reaches x through the saved result, zero for relu (numeric: not exact)
        case("threshold_backward/relu", lambda m, x, g: _grad_of(m, m.relu(x), x, g),
             randn(3, 4), randn(3, 4), exact=False, gradgrad=True),
        case("sigmoid_backward/sigmoid", lambda m, x, g: _grad_of(m, x.sigmoid(), x, g),
             randn(3, 4), randn(3, 4), exact=False, gradgrad=True),
        case("tanh_backward/tanh", lambda m, x, g: _grad_of(m, m.tanh(x), x, g),
             randn(2, 3), randn(2, 3), exact=False, gradgrad=True),
        case("tanh_backward/nc", lambda m, x, g: _grad_of(m, m.tanh(x), x, g),
             randn(3, 4, nc=True), randn(3, 4), exact=False),
        case("select_backward/int", lambda m, x, g: _grad_of(m, x[1], x, g), randn(3, 4),
             randn(4), gradgrad=True),
        case("select_backward/dim1", lambda m, x, g: _grad_of(m, x[:, -1], x, g),
             randn(3, 4), randn(3)),
        case("select_backward/3d", lambda m, x, g: _grad_of(m, x[..., 2], x, g),
             randn(2, 3, 4), randn(2, 3)),
        case("slice_backward/slice", lambda m, x, g: _grad_of(m, x[1:3], x, g), randn(4, 3),
             randn(2, 3), gradgrad=True),
        case("slice_backward/step", lambda m, x, g: _grad_of(m, x[:, ::2], x, g),
             randn(3, 5), randn(3, 3)),
        case("slice_backward/empty", lambda m, x, g: _grad_of(m, x[3:1], x, g), randn(4),
             randn(0)),
        case("index/grad_of_index", lambda m, x, i, g: _grad_of(m, x[i], x, g), randn(3, 4),
             idx, randn(3, 4), ops=("index", "_index_put_impl_")),
        case("index/grad_of_mask", lambda m, x, b, g: _grad_of(m, x[b], x, g), randn(3, 4),
             const([True, False, True]), randn(2, 4), ops=("index", "_index_put_impl_")),
        case("index_put/setitem_index", _set_index, randn(4, 3), const([0, 2]), randn(2, 3)),
        case("index_put/setitem_mask", _set_index, randn(3, 4), mask(3, 4), 0.5),
        case("index_put/setitem_bcast", _set_index, randn(4, 3), const([3, 1]), randn(3)),
    ]


def _gather_scatter():
    g_idx = ints(3, 2, high=4)
    return [
        case("gather/fn", lambda m, x, i: m.gather(x, 1, i), randn(3, 4), g_idx,
             gradgrad=True),
        case("gather/method", lambda m, x, i: x.gather(1, i), randn(3, 4), g_idx),
        case("gather/dim0", lambda m, x, i: m.gather(x, 0, i), randn(4, 3), ints(2, 3, high=4)),
        case("gather/neg_dim", lambda m, x, i: m.gather(x, -1, i), randn(2, 3, 4),
             ints(2, 3, 5, high=4)),
        case("gather/kw", lambda m, x, i: m.gather(x, dim=1, index=i), randn(3, 4), g_idx),
        case("gather/empty", lambda m, x, i: m.gather(x, 1, i), randn(3, 4),
             ints(3, 0, high=4)),
        case("gather/nc", lambda m, x, i: m.gather(x, 1, i), randn(3, 4, nc=True), g_idx),
        case("scatter_add/method", lambda m, x, i, s: x.scatter_add(1, i, s), randn(3, 4),
             g_idx, randn(3, 2), exact=False, gradgrad=True),
        case("scatter_add/fn", lambda m, x, i, s: m.scatter_add(x, 0, i, s), randn(4, 3),
             ints(5, 3, high=4), randn(5, 3), exact=False),
        # forward only: torch's backward rejects src's gradient (tests/test_errors.py)
        case("scatter_add/src_bigger", lambda m, x, i, s: x.scatter_add(1, i, s),
             randn(3, 4), g_idx, randn(3, 5), exact=False, grad=False),
        case("scatter_add/nc", lambda m, x, i, s: x.scatter_add(1, i, s), randn(3, 4, nc=True),
             g_idx, randn(3, 2, nc=True), exact=False),
        case("scatter_add/no_grad_self", lambda m, x, i, s: x.scatter_add(1, i, s),
             randn(3, 4, rg=False), g_idx, randn(3, 2), exact=False),
    ]


def _casts():
    f32, f64 = {"dtype": "float32"}, {"dtype": "float64"}
    return [
        case("_to_copy/double", lambda m, x: x.double(), randn(3, 4, **f32)),
        # float32 output: finite differences in float64 would only measure the rounding
        case("_to_copy/float", lambda m, x: x.float(), randn(3, 4, **f64), gradcheck=False),
        case("_to_copy/to_dtype", lambda m, x: x.to(m.float64), randn(2, 3, **f32)),
        case("_to_copy/to_kw", lambda m, x: x.to(dtype=m.float64) * 2, randn(2, 3, **f32)),
        case("_to_copy/nc", lambda m, x: x.double(), randn(3, 4, nc=True, **f32)),
        case("_to_copy/from_int", lambda m, i: i.double(), ints(2, 3)),
        case("_unsafe_view/reshape_nc", lambda m, x: x.reshape(-1), randn(3, 4, nc=True),
             ops=("reshape", "_unsafe_view")),
        case("_unsafe_view/reshape_t", lambda m, x: (x * 2).t().reshape(2, 6), randn(3, 4),
             ops=("reshape", "_unsafe_view")),
    ]


CASES = (_shape_ops() + _indexing() + _join() + _diagonal_ops() + _backward_ops()
         + _gather_scatter() + _casts())
