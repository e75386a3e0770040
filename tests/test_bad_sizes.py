"""Sizes, values and scale arguments that used to crash, hang or answer wrongly, each run in
torch and in tapegrad: the exception type (and torch's wording where tapegrad copies it) or the
same result. Covers the overflow checks of fresh tensors and views (no tensor whose sizes
overrun its buffer), allocation failure as torch's RuntimeError, integer MIN // -1 (a SIGFPE
before), the alpha/beta scale checks (a float alpha on integers was silently truncated),
tril_indices/repeat_interleave without Python loops, index_select's row-copy path, LAPACK's
refusal of NaN in svd/eigh, numbers that do not fit a dtype (c10's checked convert, integer and
floating), numpy
integers as data and indices, and a few nn argument checks."""
from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from crosscheck import tg  # noqa: E402

T = tg()


def _outcome(lib, code):
    try:
        r = eval(code, {"torch": lib})  # noqa: S307  (test expressions written here)
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e)
    return "ok", r


ERRORS = {
    # expression: the exception type both raise (and a piece of torch's message tapegrad keeps)
    "torch.empty(2**62)": ("RuntimeError", "Storage size calculation overflowed"),
    "torch.empty(2**31, 2**31)": ("RuntimeError", "Storage size calculation overflowed"),
    "torch.empty(2**61)": ("RuntimeError", "Storage size calculation overflowed"),
    "torch.zeros(2**62, 2**62, 0)": ("RuntimeError", "Storage size calculation overflowed"),
    "torch.randn(3).new_empty((2**62,))": ("RuntimeError", "Storage size calculation overflowed"),
    "torch.randn(5).as_strided((3,), (2**62,))": ("RuntimeError", "Storage size calculation "
                                                   "overflowed with sizes=[3] and strides="),
    "torch.randn(3).expand(2**62, 3)": ("RuntimeError", "overflow"),
    "torch.eye(2**40)": ("RuntimeError", "overflow"),
    "torch.randn(3).resize_(2**62)": ("RuntimeError", "Storage size calculation overflowed"),
    "torch.zeros(10**12)": ("RuntimeError", "can't allocate memory"),
    "torch.ones(3).expand(2**40, 3).contiguous()": ("RuntimeError", "can't allocate memory"),
    "torch.empty(2**63 - 1, dtype=torch.uint8)": ("RuntimeError", "can't allocate memory"),
    "torch.tril_indices(2**20, 2**20)": ("RuntimeError", "can't allocate memory"),
    "torch.randperm(2**40)": ("RuntimeError", "allocate memory"),
    "torch.randn(0).kthvalue(1)": ("IndexError", "Expected reduction dim 0 to have non-zero "
                                                 "size."),
    "torch.randn(2, 0).kthvalue(1, 1)": ("IndexError", "Expected reduction dim 1 to have "
                                                       "non-zero size."),
    # scale arguments: torch's alpha_check
    "torch.add(torch.tensor([1]), torch.tensor([2]), alpha=1.5)":
        ("RuntimeError", "For integral input tensors, argument alpha must not be a floating "
                         "point number."),
    "torch.sub(torch.tensor([1]), 2, alpha=1.5)": ("RuntimeError", "argument alpha must not"),
    "torch.rsub(torch.tensor([1]), 2, alpha=1.5)": ("RuntimeError", "argument alpha must not"),
    "torch.tensor([1]).add_(torch.tensor([1]), alpha=1.5)": ("RuntimeError",
                                                             "argument alpha must not"),
    "torch.add(torch.tensor([True]), torch.tensor([True]), alpha=1.5)":
        ("RuntimeError", "argument alpha must not"),
    "torch.randn(2).add(torch.randn(2), alpha=True)":
        ("RuntimeError", "Boolean alpha only supported for Boolean results."),
    "torch.tensor([1.]).sub_(torch.tensor([1.]), alpha=True)": ("RuntimeError",
                                                                "Boolean alpha only"),
    "torch.add(torch.tensor([1]), 2, alpha=True)": ("RuntimeError", "Boolean alpha only"),
    "torch.addr(torch.ones(2, 2, dtype=torch.long), torch.ones(2, dtype=torch.long), "
    "torch.ones(2, dtype=torch.long), beta=1.5)":
        ("RuntimeError", "For integral input tensors, argument beta must not be a floating "
                         "point number."),
    "torch.addr(torch.ones(2, 2), torch.ones(2), torch.ones(2), alpha=True)":
        ("RuntimeError", "Boolean alpha only supported for Boolean results."),
    # a Python number converted into a dtype that cannot hold it (c10's checked convert)
    "torch.full((2,), 300, dtype=torch.uint8)": ("RuntimeError", "value cannot be converted to "
                                                 "type uint8_t without overflow"),
    "torch.full((2,), float('nan'), dtype=torch.int64)": ("RuntimeError", "type int64_t without"),
    "torch.zeros(2, dtype=torch.int32).fill_(2**40)": ("RuntimeError", "type int without"),
    "torch.zeros(2, dtype=torch.int64).fill_(1e19)": ("RuntimeError", "type int64_t without"),
    "torch.zeros(2, dtype=torch.uint8).fill_(-0.5)": ("RuntimeError", "type uint8_t without"),
    "torch.zeros(2, dtype=torch.int8).fill_(float('inf'))": ("RuntimeError", "type int8_t"),
    "torch.zeros(2, dtype=torch.int8).masked_fill(torch.tensor([True, False]), 300)":
        ("RuntimeError", "type int8_t without overflow"),
    "torch.zeros(2, dtype=torch.int8).index_fill(0, torch.tensor([0]), 300)":
        ("RuntimeError", "type int8_t without overflow"),
    "torch.zeros(2, dtype=torch.int8).clamp(max=300)": ("RuntimeError", "type int8_t without"),
    "torch.zeros(2, dtype=torch.int8).scatter(0, torch.tensor([0]), 300)":
        ("RuntimeError", "type int8_t without overflow"),
    "torch.where(torch.tensor([True]), torch.zeros(1, dtype=torch.int8), 300)":
        ("RuntimeError", "type int8_t without overflow"),
    "torch.full_like(torch.zeros(2, dtype=torch.int8), 300)": ("RuntimeError", "type int8_t"),
    "torch.zeros(2, dtype=torch.int8).new_full((2,), 300)": ("RuntimeError", "type int8_t"),
    "torch.tensor([256, 1], dtype=torch.uint8)": ("RuntimeError", "value cannot be converted "
                                                  "to type uint8 without overflow"),
    "torch.tensor([1.5e10], dtype=torch.int32)": ("RuntimeError", "type int32 without"),
    "torch.tensor(float('nan'), dtype=torch.int64)": ("RuntimeError", "type int64 without"),
    "torch.tensor([2**70])": ("ValueError", "Overflow when unpacking long long"),
    "torch.tensor([1, 2], dtype=torch.uint8).__setitem__(0, 300)": ("RuntimeError",
                                                                    "without overflow"),
    # requires_grad takes a Python bool only
    "torch.ones(2).requires_grad_(5)": ("TypeError", "requires_grad_(): argument "
                                                     "'requires_grad' (position 1) must be "
                                                     "bool, not int"),
    "torch.ones(2).requires_grad_(requires_grad=None)": ("TypeError", "argument "
                                                                      "'requires_grad' must "
                                                                      "be bool, not NoneType"),
    "torch.ones(2).requires_grad_(True, 1)": ("TypeError", "takes from 0 to 1 positional"),
    "torch.ones(2).requires_grad_(foo=True)": ("TypeError", "unexpected keyword argument "
                                                            "'foo'"),
    "setattr(torch.ones(2), 'requires_grad', 1)": ("RuntimeError", "requires_grad must be a "
                                                                   "bool"),
    "torch.nn.Linear(2, 2).requires_grad_(5)": ("TypeError", "must be bool, not int"),
    # an output size that is not a number
    "torch.nn.functional.interpolate(torch.ones(1, 1, 4), scale_factor=float('nan'))":
        ("RuntimeError", "value cannot be converted to type int64_t without overflow"),
    "torch.nn.functional.interpolate(torch.ones(1, 1, 4), scale_factor=float('inf'))":
        ("RuntimeError", "value cannot be converted to type int64_t without overflow"),
    # floating dtypes: a finite number beyond the largest finite value (inf and NaN pass)
    "torch.zeros(2, dtype=torch.float16).fill_(1e10)": ("RuntimeError", "value cannot be "
                                                        "converted to type c10::Half without "
                                                        "overflow"),
    "torch.full((2,), 65519., dtype=torch.float16)": ("RuntimeError", "type c10::Half without"),
    "torch.zeros(2).fill_(1e39)": ("RuntimeError", "type float without overflow"),
    "torch.zeros(2, dtype=torch.bfloat16).fill_(-1e39)": ("RuntimeError", "c10::BFloat16"),
    "torch.zeros(2, dtype=torch.float16).clamp(max=1e10)": ("RuntimeError", "c10::Half"),
    "torch.zeros(2, dtype=torch.float16).clamp_min(-1e5)": ("RuntimeError", "c10::Half"),
    "torch.zeros(2, dtype=torch.float16).masked_fill(torch.tensor([True, False]), 1e6)":
        ("RuntimeError", "c10::Half"),
    "torch.zeros(2, dtype=torch.float16).masked_fill(torch.tensor([True, False]), "
    "torch.tensor(1e6))": ("RuntimeError", "c10::Half"),
    "torch.zeros(2, dtype=torch.float16).index_fill(0, torch.tensor([0]), 1e10)":
        ("RuntimeError", "c10::Half"),
    "torch.zeros(2, dtype=torch.float16).scatter(0, torch.tensor([0]), 1e10)":
        ("RuntimeError", "c10::Half"),
    "torch.full_like(torch.zeros(2, dtype=torch.float16), 1e10)": ("RuntimeError", "c10::Half"),
    "torch.nn.init.trunc_normal_(torch.empty(3), a=2.0, b=-2.0)": ("RuntimeError", "uniform_ "
                                                                  "expects to return a [from, "
                                                                  "to) range, but found from=2"),
    # indexing
    "torch.randn(2, 3)[{0}]": ("IndexError", "only integers, slices (`:`), ellipsis (`...`), "
                                             "None and long or byte Variables are valid indices "
                                             "(got set)"),
    "torch.randn(2, 3)[[0, 1], [0, 1, 2]]": ("IndexError", "shape mismatch: indexing tensors "
                                                           "could not be broadcast together with "
                                                           "shapes [2], [3]"),
    "torch.randn(2, 3).__setitem__(([0, 1], [0, 1, 2]), 1.0)": ("IndexError", "shape mismatch"),
    "torch.randn(2, 3).__setitem__(0, [1, 2, 3])": ("TypeError", "can't assign a list to a "
                                                                 "torch.FloatTensor"),
    "torch.randn(2, 3).__setitem__(0, None)": ("TypeError", "can't assign a NoneType to a "
                                                            "torch.FloatTensor"),
    "torch.randn(2, 3).__setitem__(0, __import__('numpy').ones(3))":
        ("TypeError", "can't assign a numpy.ndarray to a torch.FloatTensor"),
    # nn argument checks
    "torch.nn.functional.dropout2d(torch.randn(2))": ("RuntimeError", "Feature dropout requires "
                                                      "at least 2 dimensions in the input"),
    "torch.nn.functional.conv_transpose2d(torch.randn(1, 2, 3, 3), torch.randn(2, 1, 2, 2), "
    "stride=0)": ("RuntimeError", "non-positive stride is not supported"),
    "torch.nn.functional.conv_transpose1d(torch.randn(1, 2, 3), torch.randn(2, 1, 2), "
    "dilation=0)": ("RuntimeError", "dilation should be greater than zero, but got "
                                    "dilation_height: 1, dilation_width: 0"),
    "torch.nn.functional.conv_transpose3d(torch.randn(1, 2, 3, 3, 3), torch.randn(2, 1, 2, 2, 2),"
    " dilation=0)": ("RuntimeError", "dilation_depth: 0, dilation_height: 0, dilation_width: 0"),
    "torch.nn.functional.binary_cross_entropy(torch.tensor([0.5]), torch.tensor([1.5]))":
        ("RuntimeError", "all elements of target should be between 0 and 1"),
    "torch.nn.functional.binary_cross_entropy(torch.tensor([float('nan')]), torch.tensor([0.5]))":
        ("RuntimeError", "all elements of input should be between 0 and 1"),
    "torch.randn(2).mT": ("RuntimeError", "tensor.mT is only supported on matrices or batches "
                                          "of matrices. Got 1-D tensor."),
    "torch.randn(2).mH": ("RuntimeError", "tensor.mH is only supported on matrices"),
    "[1] in torch.randn(2)": ("RuntimeError", "Tensor.__contains__ only supports Tensor or "
                                              "scalar, but you passed in a <class 'list'>."),
    "torch.save(torch.randn(2), '/nonexistent_dir_tg/x.pt')": ("RuntimeError", "Parent directory "
                                                              "/nonexistent_dir_tg does not "
                                                              "exist."),
    # LAPACK refuses NaN (inf passes)
    "torch.linalg.svd(torch.full((3, 3), float('nan')))":
        ("_LinAlgError", "linalg.svd: The algorithm failed to converge because the input "
                         "matrix contained non-finite values."),
    "torch.linalg.svdvals(torch.ones(3, 3, 3).index_fill(0, torch.tensor([1]), float('nan')))":
        ("_LinAlgError", "linalg.svd: (Batch element 1): The algorithm failed to converge"),
    "torch.linalg.pinv(torch.full((2, 2), float('nan')))": ("_LinAlgError", "linalg.svd"),
    "torch.linalg.eigh(torch.full((3, 3), float('nan')))":
        ("_LinAlgError", "linalg.eigh: The algorithm failed to converge"),
    "torch.linalg.eigvalsh(torch.full((3, 3), float('nan')))": ("_LinAlgError", "linalg.eigh"),
}


@pytest.mark.parametrize("code", list(ERRORS))
def test_refused_like_torch(code):
    kind, piece = ERRORS[code]
    got_t = _outcome(torch, code)
    assert got_t[0] == kind and piece in got_t[1], f"the table is stale for torch: {got_t}"
    got = _outcome(T, code)
    assert got[0] == kind, f"tapegrad: {got}"
    assert piece in got[1], f"tapegrad's message: {got[1]!r}"


SAME = [
    # integer MIN / -1 wraps in torch; it trapped (SIGFPE) here. (torch's own div with a
    # rounding_mode still traps on it: test_div_rounding_min_by_minus_one.)
    "torch.tensor([-2**63, 7, -7]) // torch.tensor([-1, -1, -1])",
    "torch.tensor([-2**63, 7]).floor_divide(-1)",
    "torch.tensor([-2**63, 7]).remainder(torch.tensor([-1, -1]))",
    "torch.tensor([-2**63, 7]).fmod(torch.tensor([-1, -1]))",
    "torch.tensor([-2**31, 5], dtype=torch.int32) // torch.tensor([-1, 2], dtype=torch.int32)",
    "torch.tensor([-2**31, 5], dtype=torch.int32) % torch.tensor([-1, 2], dtype=torch.int32)",
    "torch.tensor([-128, 5], dtype=torch.int8) // torch.tensor([-1, 2], dtype=torch.int8)",
    # an integer gemm converts beta and alpha to the integer type (truncating)
    "torch.addmm(torch.ones(2, 2, dtype=torch.long), torch.ones(2, 2, dtype=torch.long), "
    "torch.ones(2, 2, dtype=torch.long), beta=1.5, alpha=2.7)",
    "torch.addmm(torch.ones(2, 2, dtype=torch.long), torch.ones(2, 2, dtype=torch.long), "
    "torch.ones(2, 2, dtype=torch.long), alpha=1.5)",
    "torch.addmv(torch.ones(2, dtype=torch.long), torch.ones(2, 2, dtype=torch.long), "
    "torch.ones(2, dtype=torch.long), beta=1.5)",
    "torch.add(torch.tensor([True]), torch.tensor([True]), alpha=True)",
    "torch.add(torch.tensor([1]), torch.tensor([1.5]), alpha=1.5)",
    "torch.addr(torch.ones(2, 2, dtype=torch.bool), torch.ones(2, dtype=torch.bool), "
    "torch.ones(2, dtype=torch.bool), beta=2)",
    # a NaN outside the triangle eigh reads: no error, the same eigenvalues
    "torch.linalg.eigvalsh(torch.tensor([[2., float('nan'), 0.], [1., 2., 0.], [0., 0., 3.]]))",
    "torch.linalg.eigvalsh(torch.tensor([[2., 1., 0.], [float('nan'), 2., 0.], [0., 0., 3.]]),"
    " 'U')",
    "torch.randn(0, 2).kthvalue(1, 1)[0].shape",
    # what does fit (or wraps, or saturates to inf) as in torch
    "torch.zeros(2, dtype=torch.uint8).fill_(-1)",
    "torch.zeros(2, dtype=torch.int64).fill_(-2**63)",
    "torch.zeros(2, dtype=torch.bool).fill_(5)",
    "torch.full((2,), float('inf'), dtype=torch.float16)",
    "torch.tensor([-1], dtype=torch.uint8)",
    "torch.tensor([1e10], dtype=torch.float16)",
    "torch.zeros(2, dtype=torch.int8) + 300",
    "torch.where(torch.tensor([True]), torch.zeros(1, dtype=torch.int8), 3)",
    # numpy values: integers stay integers, as index and as data
    "torch.tensor(__import__('numpy').array([1, 2]))",
    "torch.tensor([__import__('numpy').int64(1), __import__('numpy').int32(2)])",
    "torch.tensor([__import__('numpy').bool_(True)])",
    "torch.arange(6.).reshape(2, 3)[__import__('numpy').array([1, 0])]",
    "torch.arange(6.).reshape(2, 3)[[]].shape",
    "2.0 in torch.arange(6.)",
    "torch.tensor(7.) in torch.arange(6.)",
    "torch.arange(6.).view(dtype=torch.int32)",
    "torch.arange(6.).view(size=(2, 3))",
    "torch.arange(6.).reshape(2, 3).mT",
    # where a number only rounds: where() with a Python number, scalar_tensor, tensor(),
    # nan_to_num's replacement values, inf and NaN fills
    "torch.where(torch.tensor([True, False]), torch.zeros(2, dtype=torch.float16), 1e10)",
    "torch.scalar_tensor(1e10, dtype=torch.float16)",
    "torch.tensor([1e10], dtype=torch.float16)",
    "torch.nan_to_num(torch.tensor([float('inf'), 1.], dtype=torch.float16), posinf=1e10)",
    "torch.zeros(2, dtype=torch.float16).fill_(float('-inf'))",
    "torch.full((2,), 65504., dtype=torch.float16)",
    "torch.zeros(2, dtype=torch.bool).fill_(1e10)",
]


@pytest.mark.parametrize("code", SAME)
def test_same_result(code):
    kt, rt = _outcome(torch, code)
    kg, rg = _outcome(T, code)
    assert kt == "ok", rt
    assert kg == "ok", rg
    if isinstance(rt, torch.Tensor):
        assert rg.dtype.itemsize == rt.dtype.itemsize and str(rg.dtype) == str(rt.dtype)
        assert rg.tolist() == rt.tolist() or torch.allclose(rt, torch.tensor(rg.tolist(),
                                                                              dtype=rt.dtype))
    else:
        assert rg == rt


def test_div_rounding_min_by_minus_one():
    # torch 2.13's div(rounding_mode=...) dies of SIGFPE here; its floor_divide gives MIN
    want = torch.floor_divide(torch.tensor([-2**63, 9]), torch.tensor([-1, 2])).tolist()
    for mode in ("trunc", "floor"):
        got = T.tensor([-2**63, 9]).div(T.tensor([-1, 2]), rounding_mode=mode)
        assert got.tolist() == want


@pytest.mark.parametrize("row,col", [(0, 0), (1, 4), (4, 1), (5, 5), (3, 7), (7, 3)])
@pytest.mark.parametrize("offset", [-9, -2, 0, 1, 4, 10, 2**62, -2**62])
@pytest.mark.parametrize("name", ["tril_indices", "triu_indices"])
def test_tri_indices(name, row, col, offset):
    a = getattr(T, name)(row, col, offset)
    b = getattr(torch, name)(row, col, offset)
    assert a.dtype == T.int64 and tuple(a.shape) == tuple(b.shape)
    assert a.tolist() == b.tolist()
    a32 = getattr(T, name)(row, col, offset, dtype=T.int32)
    assert a32.dtype == T.int32 and a32.tolist() == b.tolist()


@pytest.mark.parametrize("counts", [[0], [2, 0, 3], [0, 0], [1], [3, 1, 0, 2], []])
def test_repeat_interleave_counts(counts):
    for dt in ("int64", "int32"):
        c_t = torch.tensor(counts, dtype=getattr(torch, dt))
        c = T.tensor(counts, dtype=getattr(T, dt))
        r, rt = T.repeat_interleave(c), torch.repeat_interleave(c_t)
        assert str(r.dtype) == str(rt.dtype) and r.tolist() == rt.tolist()
    if counts:
        xt = torch.randn(len(counts), 3, dtype=torch.float64, requires_grad=True)
        x = T.tensor(xt.tolist(), dtype=T.float64, requires_grad=True)
        yt = torch.repeat_interleave(xt, torch.tensor(counts), dim=0)
        y = T.repeat_interleave(x, T.tensor(counts), dim=0)
        assert y.tolist() == yt.tolist()
        g = np.random.default_rng(0).standard_normal(tuple(yt.shape))
        yt.backward(torch.tensor(g))
        y.backward(T.tensor(g.tolist(), dtype=T.float64).reshape(g.shape))
        assert np.allclose(x.grad.tolist(), xt.grad.tolist())


DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "uint8",
          "bool"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(5,), (4, 6), (3, 5, 7), (2, 0, 3), ()])
def test_index_select_matches_torch(dtype, shape):
    rng = np.random.default_rng(1)
    base = torch.randn(shape, generator=torch.Generator().manual_seed(2)).mul(3)
    src_t = base.to(getattr(torch, dtype))
    variants = [src_t]
    if len(shape) >= 2:
        variants.append(src_t.transpose(0, -1).contiguous().transpose(0, -1))  # non-contiguous
    for xt in variants:
        x = T.from_torch(xt.clone()) if xt.is_contiguous() else \
            T.from_torch(xt.transpose(0, -1).clone()).transpose(0, -1)
        for d in range(max(len(shape), 1)):
            n = shape[d] if shape else 1
            choices = [[]] if n == 0 else [[0], [n - 1, 0, n - 1],
                                           list(rng.integers(0, n, 40))]
            for idx in choices:
                for idt in ("int64", "int32"):
                    if not shape and len(idx) != 1:
                        continue
                    it = torch.tensor(idx, dtype=getattr(torch, idt))
                    i = T.tensor(idx, dtype=getattr(T, idt))
                    a, b = x.index_select(d, i), xt.index_select(d, it)
                    assert tuple(a.shape) == tuple(b.shape)
                    assert a.to_torch().equal(b), (dtype, shape, d, idx)


def test_index_select_grad_and_errors():
    xt = torch.randn(4, 5, dtype=torch.float64, requires_grad=True)
    x = T.tensor(xt.tolist(), dtype=T.float64, requires_grad=True)
    idx = [3, 0, 3, 1]
    yt, y = xt.index_select(1, torch.tensor(idx)), x.index_select(1, T.tensor(idx))
    g = np.random.default_rng(3).standard_normal((4, 4))
    yt.backward(torch.tensor(g))
    y.backward(T.tensor(g.tolist(), dtype=T.float64))
    assert np.allclose(x.grad.tolist(), xt.grad.tolist())
    assert y.grad_fn.name() == yt.grad_fn.name()
    for lib in (torch, T):
        with pytest.raises(IndexError, match="index out of range in self"):
            lib.ones(3).index_select(0, lib.tensor([3]))
        with pytest.raises(RuntimeError, match="INDICES element is out of DATA bounds, id=-1 "
                                               "axis_dim=2"):
            lib.ones(3, 2).index_select(1, lib.tensor([0, -1]))
