"""Error parity with torch for misuse: broadcast and matmul shape errors, bad dims and indices,
view/reshape/cat size errors, item()/numpy()/bool()/len() misuse, wrong argument types.
The exception type must always match torch's; the message must match too, except where a known
difference is listed in MESSAGE_XFAIL (a strict xfail, so a fix shows up as XPASS).
"""
import re

import pytest

torch = pytest.importorskip("torch", reason="the error checks compare against torch")

from conftest import backend_name, tg  # noqa: E402


def _t(m, *shape, rg=False):
    return m.ones(tuple(shape), dtype=m.float32, requires_grad=rg)


def _scatter_add_src_larger_backward(m):
    x, src = _t(m, 3, 4, rg=True), _t(m, 3, 5, rg=True)
    out = x.scatter_add(1, m.zeros(3, 2, dtype=m.int64), src)
    return m.autograd.grad(out.sum(), [x, src])


# id -> fn(m) that raises in torch
CASES = {
    "add_broadcast": lambda m: _t(m, 3) + _t(m, 4),
    "mm_shapes": lambda m: m.mm(_t(m, 2, 3), _t(m, 4, 5)),
    "mm_dtypes_float_double": lambda m: m.mm(_t(m, 2, 2), m.ones(2, 2, dtype=m.float64)),
    "mm_dtypes_long_int": lambda m: m.mm(m.ones(2, 2, dtype=m.int64), m.ones(2, 2, dtype=m.int32)),
    "mm_dtypes_half_bf16": lambda m: m.mm(m.ones(2, 2, dtype=m.float16),
                                          m.ones(2, 2, dtype=m.bfloat16)),
    "zeros_negative": lambda m: m.zeros(-1),
    "ones_negative": lambda m: m.ones(2, -1),
    "randn_float_size": lambda m: m.randn(2.5),
    "zeros_float_in_size": lambda m: m.zeros(2, 2.5),
    "empty_str_size": lambda m: m.empty("a"),
    "rand_list_with_str": lambda m: m.rand([2, "x"]),
    "bmm_batch": lambda m: m.bmm(_t(m, 2, 3, 4), _t(m, 3, 4, 5)),
    "sum_bad_dim": lambda m: _t(m, 2, 3).sum(dim=5),
    "index_out_of_range": lambda m: _t(m, 3)[10],
    "index_0d": lambda m: _t(m)[0],
    "too_many_indices": lambda m: _t(m, 3)[0, 0],
    "view_incompatible": lambda m: _t(m, 2, 3).t().view(6),
    "reshape_bad_size": lambda m: _t(m, 2, 3).reshape(4, 2),
    "cat_mismatch": lambda m: m.cat([_t(m, 2, 3), _t(m, 3, 4)], dim=0),
    "cat_empty_list": lambda m: m.cat([]),
    "item_multi": lambda m: _t(m, 2).item(),
    "float_multi": lambda m: float(_t(m, 2)),
    "bool_multi": lambda m: bool(_t(m, 2)),
    "len_0d": lambda m: len(_t(m)),
    "numpy_requires_grad": lambda m: _t(m, 2).requires_grad_().numpy(),
    "int_requires_grad": lambda m: m.tensor([1, 2], requires_grad=True),
    "transpose_bad_dim": lambda m: _t(m, 2, 3).transpose(0, 3),
    "expand_bad": lambda m: _t(m, 2, 3).expand(4, 3),
    "stack_mismatch": lambda m: m.stack([_t(m, 2), _t(m, 3)]),
    "backward_non_scalar": lambda m: (_t(m, 2).requires_grad_() * 2).backward(),
    "backward_no_grad_fn": lambda m: _t(m, 2).sum().backward(),
    "scatter_add_src_larger_backward": _scatter_add_src_larger_backward,
    "setitem_index_shape": lambda m: _t(m, 3, 4).__setitem__(m.tensor([0, 1]), _t(m, 3, 4)),
    "setitem_slice_shape": lambda m: _t(m, 3, 4).__setitem__(slice(1, None), _t(m, 2, 3)),
    "inplace_view_of_leaf": lambda m: _t(m, 3, 4, rg=True)[0].mul_(2),
    "index_float": lambda m: _t(m, 3)[1.5],
    "cat_not_tensors": lambda m: m.cat([1, 2]),
    "cat_second_not_tensor": lambda m: m.cat([_t(m, 2), 1]),
    "cat_not_sequence": lambda m: m.cat(5),
    "cat_string": lambda m: m.cat("ab"),
    "cat_dim_string": lambda m: m.cat([_t(m, 2)], dim="a"),
    "stack_not_tensor": lambda m: m.stack([_t(m, 2), "a"]),
    "exp_list": lambda m: m.exp([1.0]),
    "tanh_float": lambda m: m.tanh(1.0),
    "abs_none": lambda m: m.abs(None),
    "index_complex": lambda m: _t(m, 3)[1j],
    "setitem_index_float": lambda m: _t(m, 3).__setitem__(1.5, 2.0),
}

# id -> fn(m) whose message is the binding layer's (pybind11 vs torch's parser): type only
TYPE_ONLY = {
    "add_string": lambda m: m.add(_t(m, 2), "a"),
    "sum_dim_string": lambda m: _t(m, 2).sum(dim="x"),
    "reshape_float_size": lambda m: _t(m, 4).reshape(2.0, 2),
    "mm_list": lambda m: m.mm([[1.0]], _t(m, 1, 1)),
    "ones_bad_shape": lambda m: m.ones("3"),
    "transpose_float_dim": lambda m: _t(m, 2, 3).transpose(0.5, 1),
}

# id -> how tapegrad's message differs from torch's (strict xfail of the message comparison)
MESSAGE_XFAIL = {}


def _error(fn, m):
    try:
        fn(m)
    except Exception as err:  # noqa: BLE001 - the exception is what is compared
        return type(err), re.sub(r"\btapegrad\b", "torch", str(err))
    return None


def _both(fn):
    ref = _error(fn, torch)
    assert ref is not None, "torch does not raise; the case is wrong"
    return ref, _error(fn, tg())


# Shared by the per-family error files (test_errors_shape_ops.py, test_errors_math_ops.py).
def ones_t(m, *shape, rg=False, dtype=None):
    return m.ones(tuple(shape), dtype=dtype or m.float32, requires_grad=rg)


def nonleaf(m, *shape):
    """A non-leaf that requires grad."""
    return ones_t(m, *shape, rg=True) * 2


def assert_same_error_type(fn):
    ref, got = _both(fn)
    assert got is not None, f"tapegrad does not raise; torch raises {ref[0].__name__}: {ref[1]}"
    assert got[0].__name__ == ref[0].__name__, f"tapegrad: {got}\n  torch: {ref}"


def assert_same_error(fn):
    ref, got = _both(fn)
    assert got is not None, f"tapegrad does not raise; torch raises {ref[0].__name__}: {ref[1]}"
    assert got[0].__name__ == ref[0].__name__, (
        f"tapegrad raises {got[0].__name__}: {got[1]}\n  torch raises {ref[0].__name__}: {ref[1]}")
    assert got[1] == ref[1], f"tapegrad: {got[1]!r}\n  torch:    {ref[1]!r}"


@pytest.mark.parametrize("fn", [pytest.param(f, id=i) for i, f in {**CASES, **TYPE_ONLY}.items()])
def test_error_type(fn):
    ref, got = _both(fn)
    assert got is not None, f"tapegrad does not raise; torch raises {ref[0].__name__}: {ref[1]}"
    assert got[0].__name__ == ref[0].__name__, (
        f"tapegrad raises {got[0].__name__}: {got[1]}\n  torch raises {ref[0].__name__}: {ref[1]}")
    builtin = next(c for c in ref[0].__mro__ if c.__module__ == "builtins")
    assert issubclass(got[0], builtin), f"{got[0]} is not a {builtin.__name__}"


def _message_param(i, f):
    marks = ()
    if i in MESSAGE_XFAIL:
        # the torch dry run compares torch with itself: no difference to expect there
        marks = pytest.mark.xfail(backend_name() != "torch", strict=True,
                                  reason=MESSAGE_XFAIL[i])
    return pytest.param(f, id=i, marks=marks)


@pytest.mark.parametrize("fn", [_message_param(i, f) for i, f in CASES.items()])
def test_error_message(fn):
    ref, got = _both(fn)
    assert got is not None and got[1] == ref[1], (
        f"tapegrad: {got and got[1]!r}\n  torch:    {ref[1]!r}")
