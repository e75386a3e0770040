"""Data-movement cases: reshape view flatten transpose t .T permute unsqueeze squeeze expand,
indexing (ints, negative ints, stepped slices, None, Ellipsis, bool masks, combinations), cat,
stack. Forward values must be bit-exact here (exact=True).
"""
from functools import partial

from crosscheck import ints, mask, randn
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


CASES = _shape_ops() + _indexing() + _join()
