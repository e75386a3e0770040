"""Error parity with torch (type and message) for the ops of tests/opcases/math_extra.py,
closeness_diff.py and sorting_selection.py: integer division by zero in fmod / remainder /
floor_divide, hypot of integers, Tensor-only arguments of atan2 / hypot, in-place results that
do not fit, isclose / count_nonzero / diff / sort / topk / masked_select arguments, in-place
ops on leaves, and floor_divide's missing derivative.
"""
import pytest

torch = pytest.importorskip("torch", reason="the error checks compare against torch")

from test_errors import assert_same_error, assert_same_error_type, nonleaf, ones_t  # noqa: E402


def _i(m, *vals):
    return m.tensor(list(vals))


_t, _y = ones_t, nonleaf


def _floor_divide_backward(m):
    x = _t(m, 3, rg=True)
    m.floor_divide(x, 2.0).sum().backward()


# id -> fn(m) that raises in torch
CASES = {
    # integer division by zero
    "fmod_int_zero": lambda m: m.fmod(_i(m, 5, -5, 7), _i(m, 2, 0, 3)),
    "fmod_int_zero_number": lambda m: _i(m, 5, -5).fmod(0),
    "remainder_int_zero": lambda m: m.remainder(_i(m, 5, -5, 7), _i(m, 2, 0, 3)),
    "remainder_int_zero_operator": lambda m: _i(m, 5, -5) % 0,
    "floor_divide_int_zero": lambda m: m.floor_divide(_i(m, 5, -5, 7), _i(m, 2, 0, 3)),
    "floor_divide_int_zero_operator": lambda m: _i(m, 5, -5) // 0,
    "floor_divide_int_zero_inplace": lambda m: _i(m, 5, -5).floor_divide_(_i(m, 0, 1)),
    # dtypes
    "hypot_int": lambda m: m.hypot(_i(m, 3, 4), _i(m, 4, 3)),
    "atan2_inplace_int": lambda m: _i(m, 3, 4).atan2_(_t(m, 2)),
    "xlogy_inplace_int": lambda m: _i(m, 3, 4).xlogy_(_t(m, 2)),
    "fmod_inplace_int_float": lambda m: _i(m, 3, 4).fmod_(1.5),
    "logit_inplace_int": lambda m: _i(m, 0, 1).logit_(),
    "tan_inplace_int": lambda m: _i(m, 0, 1).tan_(),
    # shapes
    "atan2_shapes": lambda m: m.atan2(_t(m, 2, 3), _t(m, 4)),
    "fmod_inplace_broadcast": lambda m: _t(m, 3).fmod_(_t(m, 2, 3)),
    "clamp_max_inplace_broadcast": lambda m: _t(m, 3).clamp_max_(_t(m, 2, 3)),
    "hypot_inplace_broadcast": lambda m: _t(m, 3).hypot_(_t(m, 2, 3)),
    # Tensor-only parameters
    "atan2_number": lambda m: m.atan2(_t(m, 2), 2.0),
    "atan2_method_number": lambda m: _t(m, 2).atan2(2.0),
    "hypot_number": lambda m: m.hypot(_t(m, 2), 1),
    "hypot_method_number": lambda m: _t(m, 2).hypot(1.5),
    "floor_divide_backward": _floor_divide_backward,
    # in-place on a leaf that requires grad
    "clamp_min_inplace_leaf": lambda m: _t(m, 3, rg=True).clamp_min_(0.5),
    "fmod_inplace_leaf": lambda m: _t(m, 3, rg=True).fmod_(0.5),
    "logit_inplace_leaf": lambda m: _t(m, 3, rg=True).logit_(),
    # isclose / allclose / count_nonzero / diff
    "isclose_dtypes": lambda m: m.isclose(_t(m, 3), _t(m, 3, dtype=m.float64)),
    "allclose_dtypes": lambda m: m.allclose(_t(m, 3), _t(m, 3, dtype=m.float64)),
    "isclose_rtol_negative": lambda m: m.isclose(_t(m, 3), _t(m, 3), rtol=-1),
    "isclose_atol_negative": lambda m: _t(m, 3).isclose(_t(m, 3), atol=-0.5),
    "isclose_shapes": lambda m: m.isclose(_t(m, 3), _t(m, 2)),
    "count_nonzero_repeated_dim": lambda m: m.count_nonzero(_t(m, 2, 3), dim=(0, 0)),
    "count_nonzero_bad_dim": lambda m: _t(m, 2, 3).count_nonzero(2),
    "diff_negative_n": lambda m: m.diff(_t(m, 2, 3), n=-1),
    "diff_0d": lambda m: m.diff(_t(m)),
    "diff_bad_dim": lambda m: _t(m, 2, 3).diff(dim=2),
    "diff_prepend_dims": lambda m: m.diff(_t(m, 2, 3), prepend=_t(m, 3)),
    "diff_append_sizes": lambda m: m.diff(_t(m, 2, 3), append=_t(m, 3, 3)),
    # sort / topk / masked_select
    "sort_bad_dim": lambda m: m.sort(_t(m, 2, 3), 2),
    "argsort_bad_dim": lambda m: _t(m, 2, 3).argsort(dim=-3),
    "topk_k_too_big": lambda m: m.topk(_t(m, 2, 3), 4),
    "topk_k_negative": lambda m: _t(m, 2, 3).topk(-1),
    "topk_bad_dim": lambda m: _t(m, 2, 3).topk(1, 2),
    "topk_bool": lambda m: m.topk(_t(m, 3, dtype=m.bool), 1),
    "masked_select_float_mask": lambda m: m.masked_select(_t(m, 3), _t(m, 3)),
    "masked_select_shapes": lambda m: _t(m, 6).masked_select(_t(m, 2, dtype=m.bool)),
}


# id -> fn(m) whose message differs in wording we do not control: type only
TYPE_ONLY = {
    # torch names the dtype "long int" here (its clamp_min_ kernel's C++ type name)
    "clamp_min_inplace_int_float": lambda m: _i(m, 3, 4).clamp_min_(1.5),
    "clamp_min_none": lambda m: m.clamp_min(_t(m, 2), None),
    "xlogy_two_numbers": lambda m: m.xlogy(2.0, 3.0),
    "logit_eps_str": lambda m: _t(m, 2).logit(eps="a"),
}


@pytest.mark.parametrize("fn", [pytest.param(f, id=i) for i, f in TYPE_ONLY.items()])
def test_error_type(fn):
    assert_same_error_type(fn)


@pytest.mark.parametrize("fn", [pytest.param(f, id=i) for i, f in CASES.items()])
def test_error_type_and_message(fn):
    assert_same_error(fn)
