"""Error parity with torch (type and message) for the scatter-style indexing ops (scatter,
scatter_reduce, index_add / copy / fill, masked_scatter, take, take_along_dim), the diagonals and
products (diag, trace, vdot, addmv, addr, addbmm, baddbmm, outer, inner, tensordot, einsum) and
the shape helpers (rot90, block_diag, movedim, meshgrid, broadcast_shapes / tensors).
"""
import warnings

import pytest

torch = pytest.importorskip("torch", reason="the error checks compare against torch")

from test_errors import assert_same_error, assert_same_error_type, ones_t  # noqa: E402

_t = ones_t


def _i(m, *v):
    return m.tensor(list(v), dtype=m.int64)


def _idx(m):
    return m.tensor([[0, 1, 2, 0]])


def _scatter_reduce_max_backward(m):
    x = _t(m, 3, 4, rg=True)
    x.scatter_reduce(0, _idx(m), _t(m, 3, 4), "max").sum().backward()


# id -> fn(m) that raises in torch
CASES = {
    # scatter / scatter_reduce
    "scatter_index_oob": lambda m: _t(m, 3, 4).scatter(0, m.tensor([[5]]), _t(m, 3, 4)),
    "scatter_index_negative": lambda m: _t(m, 3, 4).scatter(0, m.tensor([[-1]]), _t(m, 3, 4)),
    "scatter_src_dtype": lambda m: _t(m, 3, 4).scatter(0, _idx(m), _t(m, 3, 4,
                                                                     dtype=m.float64)),
    "scatter_index_dims": lambda m: _t(m, 3, 4).scatter(0, _i(m, 0, 1), _t(m, 3, 4)),
    "scatter_index_too_big": lambda m: _t(m, 3, 4).scatter(
        0, m.zeros(4, 4, dtype=m.int64), _t(m, 3, 4)),
    "scatter_bad_dim": lambda m: _t(m, 3, 4).scatter(2, _idx(m), _t(m, 3, 4)),
    "scatter_bad_reduce": lambda m: _t(m, 3, 4).scatter(0, _idx(m), _t(m, 3, 4), reduce="max"),
    "scatter_index_float": lambda m: _t(m, 3, 4).scatter(0, _idx(m).float(), _t(m, 3, 4)),
    "scatter_reduce_bad_reduce": lambda m: _t(m, 3, 4).scatter_reduce(0, _idx(m), _t(m, 3, 4),
                                                                      "foo"),
    "scatter_reduce_dtype": lambda m: _t(m, 3, 4).scatter_reduce(
        0, _idx(m), _t(m, 3, 4, dtype=m.float64), "sum"),
    "scatter_reduce_max_backward": _scatter_reduce_max_backward,
    "scatter_add_inplace_leaf": lambda m: _t(m, 3, 4, rg=True).scatter_add_(0, _idx(m),
                                                                            _t(m, 3, 4)),
    # index_add / index_copy / index_fill
    "index_add_oob": lambda m: _t(m, 3, 4).index_add(0, _i(m, 5), _t(m, 1, 4)),
    "index_add_count": lambda m: _t(m, 3, 4).index_add(0, _i(m, 0), _t(m, 2, 4)),
    "index_add_index_2d": lambda m: _t(m, 3, 4).index_add(0, m.tensor([[0]]), _t(m, 1, 4)),
    "index_add_dtype": lambda m: _t(m, 3, 4).index_add(0, _i(m, 0), _t(m, 1, 4,
                                                                       dtype=m.float64)),
    "index_add_index_float": lambda m: _t(m, 3, 4).index_add(0, m.tensor([0.0]), _t(m, 1, 4)),
    "index_copy_oob": lambda m: _t(m, 3, 4).index_copy(0, _i(m, 5), _t(m, 1, 4)),
    "index_copy_count": lambda m: _t(m, 3, 4).index_copy(0, _i(m, 0), _t(m, 2, 4)),
    "index_copy_dtype": lambda m: _t(m, 3, 4).index_copy(0, _i(m, 0), _t(m, 1, 4,
                                                                         dtype=m.float64)),
    "index_copy_int32": lambda m: _t(m, 3, 4).index_copy(0, _i(m, 0).int(), _t(m, 1, 4)),
    "index_fill_oob": lambda m: _t(m, 3, 4).index_fill(0, _i(m, 5), 1.0),
    "index_fill_int32": lambda m: _t(m, 3, 4).index_fill(0, _i(m, 0).int(), 1.0),
    "index_fill_value_1d": lambda m: _t(m, 3, 4).index_fill(0, _i(m, 0), m.tensor([1.0])),
    "index_fill_inplace_leaf": lambda m: _t(m, 3, 4, rg=True).index_fill_(0, _i(m, 0), 1.0),
    # masked_scatter / take / take_along_dim
    "masked_scatter_dtype": lambda m: _t(m, 3, 4).masked_scatter(_t(m, 3, 4) > 0,
                                                                 _t(m, 3, 4, dtype=m.float64)),
    "masked_scatter_int_mask": lambda m: _t(m, 3, 4).masked_scatter((_t(m, 3, 4) > 0).int(),
                                                                    _t(m, 3, 4)),
    "masked_scatter_short_source": lambda m: _t(m, 3, 4).masked_scatter(_t(m, 3, 4) > 0,
                                                                        _t(m, 2, 4)),
    "index_put_dtype": lambda m: _t(m, 3, 4).index_put((_i(m, 0),), m.tensor(5)),
    "take_oob": lambda m: _t(m, 3, 4).take(_i(m, 12)),
    "take_int32": lambda m: _t(m, 3, 4).take(_i(m, 1).int()),
    "take_along_dim_dims": lambda m: _t(m, 3, 4).take_along_dim(_i(m, 0, 0, 0), 0),
    # diagonals and products
    "diag_3d": lambda m: m.diag(_t(m, 2, 2, 2)),
    "trace_3d": lambda m: m.trace(_t(m, 2, 2, 2)),
    "vdot_sizes": lambda m: m.vdot(_t(m, 3), _t(m, 4)),
    "vdot_2d": lambda m: m.vdot(_t(m, 3, 1), _t(m, 3)),
    "vdot_dtype": lambda m: m.vdot(_t(m, 3), _t(m, 3, dtype=m.float64)),
    "addmv_sizes": lambda m: m.addmv(_t(m, 3), _t(m, 3, 4), _t(m, 3)),
    "addmv_bias": lambda m: m.addmv(_t(m, 2), _t(m, 3, 4), _t(m, 4)),
    "addr_2d_vec": lambda m: m.addr(_t(m, 3, 4), _t(m, 3, 1), _t(m, 4)),
    "addr_bias": lambda m: m.addr(_t(m, 2, 4), _t(m, 3), _t(m, 4)),
    "addbmm_batches": lambda m: m.addbmm(_t(m, 3, 4), _t(m, 2, 3, 4), _t(m, 3, 4, 4)),
    "addbmm_bias": lambda m: m.addbmm(_t(m, 2, 4), _t(m, 2, 3, 4), _t(m, 2, 4, 4)),
    "baddbmm_bias": lambda m: m.baddbmm(_t(m, 2, 4), _t(m, 2, 3, 4), _t(m, 2, 4, 4)),
    "baddbmm_sizes": lambda m: m.baddbmm(_t(m, 3, 4), _t(m, 2, 3, 4), _t(m, 2, 5, 4)),
    "outer_2d": lambda m: m.outer(_t(m, 2, 2), _t(m, 3)),
    "inner_sizes": lambda m: m.inner(_t(m, 3, 4), _t(m, 3, 5)),
    "tensordot_sizes": lambda m: m.tensordot(_t(m, 3, 4), _t(m, 3, 4), dims=1),
    "einsum_sizes": lambda m: m.einsum("ij,jk", _t(m, 3, 4), _t(m, 3, 4)),
    "einsum_too_many_operands": lambda m: m.einsum("ij", _t(m, 3, 4), _t(m, 3, 4)),
    "einsum_too_few_operands": lambda m: m.einsum("ij,jk", _t(m, 3, 4)),
    "einsum_subscripts": lambda m: m.einsum("ijk", _t(m, 3, 4)),
    "einsum_output_unknown": lambda m: m.einsum("ij->k", _t(m, 3, 4)),
    "einsum_output_repeated": lambda m: m.einsum("ij->ii", _t(m, 3, 3)),
    # shape helpers
    "rot90_same_dims": lambda m: m.rot90(_t(m, 3, 4), 1, [0, 0]),
    "rot90_one_dim": lambda m: m.rot90(_t(m, 3, 4), 1, [0]),
    "rot90_1d": lambda m: m.rot90(_t(m, 3), 1, [0, 1]),
    "block_diag_3d": lambda m: m.block_diag(_t(m, 2, 2, 2)),
    "movedim_lengths": lambda m: m.movedim(_t(m, 3, 4), (0, 1), (0,)),
    "movedim_repeated": lambda m: m.movedim(_t(m, 3, 4), (0, 0), (0, 1)),
    "movedim_bad_dim": lambda m: m.movedim(_t(m, 3, 4), 2, 0),
    "meshgrid_bad_indexing": lambda m: m.meshgrid(_t(m, 2), _t(m, 2), indexing="ji"),
    "broadcast_shapes": lambda m: m.broadcast_shapes((3, 1), (2, 4)),
    "broadcast_tensors": lambda m: m.broadcast_tensors(_t(m, 3, 1), _t(m, 2, 4)),
    "cartesian_prod_2d": lambda m: m.cartesian_prod(_t(m, 2, 2), _t(m, 2)),
}

# torch's message prints the tensor in its legacy format: the type only
TYPE_ONLY = {
    "meshgrid_2d": lambda m: m.meshgrid(_t(m, 2, 2), _t(m, 2), indexing="ij"),
}


@pytest.mark.parametrize("fn", [pytest.param(f, id=i) for i, f in CASES.items()])
def test_error(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same_error(fn)


@pytest.mark.parametrize("fn", [pytest.param(f, id=i) for i, f in TYPE_ONLY.items()])
def test_error_type(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same_error_type(fn)
