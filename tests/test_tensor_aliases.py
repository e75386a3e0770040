"""torch's aliases, in-place forms and metadata queries (python/tapegrad/_tensor_aliases.py),
each run in torch and in tapegrad and compared: values, dtypes, grad_fn names, gradients,
errors."""
import numpy as np
import pytest
import torch

import tapegrad
from crosscheck import check, randn, ints, ties
from test_errors import assert_same_error


def _same(a, b):
    if isinstance(a, (tuple, list)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
        return
    if isinstance(a, (torch.dtype, torch.Size)):
        assert str(a) == str(b)
        return
    if not isinstance(a, torch.Tensor):
        assert a == b
        return
    assert str(a.dtype) == str(b.dtype) and tuple(a.shape) == tuple(b.shape)
    np.testing.assert_allclose(np.asarray(b.detach().tolist(), dtype=np.float64),
                               np.asarray(a.detach().tolist(), dtype=np.float64), rtol=1e-6)
    assert a.requires_grad == b.requires_grad
    assert (type(a.grad_fn).__name__ if a.grad_fn else None) == \
        (type(b.grad_fn).__name__ if b.grad_fn else None)


def both(fn):
    _same(fn(torch), fn(tapegrad))


@pytest.mark.parametrize("name", ["greater", "greater_equal", "less", "less_equal", "not_equal"])
def test_comparison_aliases(name):
    check(lambda m, x, y: getattr(m, name)(x, y), ties(3, 4), ties(4), grad=False)
    check(lambda m, x, y: getattr(x, name)(y), ties(3, 4), ties(3, 4, nc=True), grad=False)


@pytest.mark.parametrize("name", ["eq_", "ne_", "lt_", "le_", "gt_", "ge_", "greater_",
                                  "less_equal_", "not_equal_"])
def test_inplace_comparisons(name):
    def fn(m):
        x = m.tensor([[1., 2., 3.], [0., -1., 2.]])
        y = m.tensor([1., 0., 3.])
        r = getattr(x, name)(y)
        return r, x, m.tensor([1, 5, 2]).__getattribute__(name)(2)
    both(fn)


def test_aliases_values_and_grads():
    check(lambda m, x: m.absolute(x), randn(2, 3))
    check(lambda m, x: x.absolute(), randn(3, nc=True) if False else randn(2, 3, nc=True))
    check(lambda m, x: m.fix(x), randn(5), grad=False)
    check(lambda m, x: x.fix(), randn(2, 3), grad=False)
    check(lambda m, x: m.msort(x), randn(4, 3))
    check(lambda m, x: m.narrow_copy(x, 1, 1, 2), randn(3, 4), grad=False)  # grad_fn differs
    check(lambda m, x: x.positive() * 2, randn(3))


def test_inplace_pow_square_cumsum_grad():
    def fn(m, x):
        y = x * 1
        y.pow_(3)
        z = x + 1
        z.square_()
        w = x - 1
        w.cumsum_(1)
        v = x * 2
        v.cumprod_(0)
        return y, z, w, v
    check(fn, randn(3, 4))


def test_inplace_tensor_exponent_and_dtype_errors():
    check(lambda m, x, e: (x * 1).pow_(e), randn(2, 3), randn(3, rg=False))
    assert_same_error(lambda m: m.tensor([1, 2]).pow_(0.5))
    assert_same_error(lambda m: m.ones(2, requires_grad=True).pow_(2))
    assert_same_error(lambda m: m.ones(2, 3).eq_(m.ones(4, 2, 3)))


def test_python_operator_dunders():
    """+x is positive (x itself); x **= e is the in-place pow_ (an alias of x sees it, and the
    grad_fn is PowBackward0); __idiv__ and __long__ are torch's Python-2 names."""
    def fn(m, x):
        y = x * 1
        view = y[1:]
        alias = y
        alias **= 2
        z = x * 1
        z.__idiv__(4)
        return +x, y, view, z, (+x) is x
    check(fn, randn(3, 4))

    def ints_fn(m):
        a = m.tensor([3, 4])
        a **= 2
        return a, m.tensor(3.7).__long__(), m.tensor(-2.5).__long__()
    both(ints_fn)
    assert_same_error(lambda m: +m.tensor([True]))
    assert_same_error(lambda m: m.ones(2, requires_grad=True).__ipow__(2))

    def int_pow_float(m):
        a = m.tensor([1, 2])
        a **= 2.5
    assert_same_error(int_pow_float)


def test_complex_api_on_real_tensors():
    def fn(m):
        x = m.tensor([1., -2.])
        return (x.conj(), m.conj(x), x.resolve_conj(), x.resolve_neg(), x.real, x.is_conj(),
                x.is_neg(), x.is_complex(), m.is_complex(x), x.conj_physical())
    both(fn)
    assert_same_error(lambda m: m.ones(2).imag)
    assert_same_error(lambda m: m.tensor([True]).positive())


def test_matrix_adjoints():
    check(lambda m, x: (x.H, x.mH, x.adjoint()), randn(2, 3))
    check(lambda m, x: (x.mH, x.adjoint()), randn(4, 2, 3))
    assert_same_error(lambda m: m.ones(2, 3, 4).H)
    assert_same_error(lambda m: m.ones(3).H)


def test_metadata():
    def fn(m):
        x = m.ones(3, 4, dtype=m.float64)
        return (x.itemsize, x.nbytes, m.ones(5, dtype=m.int16).nbytes, x.is_cpu,
                x.is_signed(), m.ones(1, dtype=m.uint8).is_signed(), m.is_signed(x),
                x.is_same_size(m.zeros(3, 4)), x.is_same_size(m.zeros(4, 3)),
                x.t().dim_order(), m.ones(2, 3, 4).permute(2, 0, 1).dim_order(),
                x.is_inference(), x.is_pinned(), m.tensor([0.]).is_nonzero(),
                m.tensor(3).is_nonzero())
    both(fn)
    assert_same_error(lambda m: m.ones(2).is_nonzero())
    assert_same_error(lambda m: m.ones(0).is_nonzero())


def test_type_and_casts():
    def fn(m):
        x = m.tensor([1.5, -2.5, 300.])
        return (x.type(), m.ones(2, dtype=m.int64).type(), x.type(m.int32),
                x.type("torch.DoubleTensor"), x.byte(), x.char(), x.short(),
                m.tensor([1, 2]).type(m.float64))
    both(fn)
    assert_same_error(lambda m: m.ones(2).type("torch.NoSuchTensor"))


def test_new_constructors():
    def fn(m):
        x = m.ones(2, 3, dtype=m.float64)
        a = x.new_full((2, 2), 7)
        b = x.new_empty(3, 1).shape, x.new_empty((2,)).dtype, x.new_empty(2, dtype=m.int32).dtype
        c = x.new_tensor([[1, 2], [3, 4]])
        d = x.new_tensor([1, 2], dtype=m.int64, requires_grad=False)
        e = x.new_full((2,), 1.5, requires_grad=True)
        return a, b, c, d, e
    both(fn)


@pytest.mark.parametrize("shape,dim,size,step", [((10,), 0, 3, 2), ((3, 7), 1, 2, 3),
                                                 ((3, 4), 0, 3, 1), ((4, 5), -1, 5, 1),
                                                 ((2, 6), 1, 0, 4), ((), 0, 1, 1)])
def test_unfold(shape, dim, size, step):
    check(lambda m, x: x.unfold(dim, size, step), randn(*shape))
    check(lambda m, x: x.unfold(dim, size, step) * 2, randn(*shape, nc=len(shape) == 2))


def test_unfold_errors():
    assert_same_error(lambda m: m.ones(3, 4).unfold(1, 5, 1))
    assert_same_error(lambda m: m.ones(3, 4).unfold(1, 2, 0))
    assert_same_error(lambda m: m.ones(3, 4).unfold(2, 2, 1))


def test_repeat_interleave():
    check(lambda m, x: x.repeat_interleave(2), randn(2, 3))
    check(lambda m, x: m.repeat_interleave(x, 3, dim=1), randn(2, 3))
    check(lambda m, x: x.repeat_interleave(m.tensor([1, 0, 2]), dim=-1), randn(2, 3))
    check(lambda m, x: x.repeat_interleave(m.tensor([2]), dim=0), randn(2, 3, nc=True))
    check(lambda m, x: x.repeat_interleave(2), randn())
    both(lambda m: (m.repeat_interleave(m.tensor([2, 0, 3])), m.tensor([4, 5]).repeat_interleave(2)))
    assert_same_error(lambda m: m.ones(3).repeat_interleave(m.tensor([1, 2])))
    assert_same_error(lambda m: m.ones(3).repeat_interleave(-1))
    assert_same_error(lambda m: m.ones(3).repeat_interleave(2, dim=1))
    assert_same_error(lambda m: m.ones(3).repeat_interleave(m.tensor([1, -1, 2])))
    assert_same_error(lambda m: m.ones(3).repeat_interleave(2, output_size=5))
    assert_same_error(lambda m: m.ones(3).repeat_interleave(m.tensor([1, 1, 1]), output_size=5))
    assert_same_error(lambda m: m.ones(3).repeat_interleave(m.tensor([1., 1, 1])))
    assert_same_error(lambda m: m.ones(3).repeat_interleave(m.tensor([[1, 1, 1]])))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int16", "uint8", "bool"])
def test_random_matches_torch_stream(dtype):
    def fn(m):
        m.manual_seed(7)
        dt = getattr(m, dtype)
        return (m.empty(5, dtype=dt).random_(), m.empty(6, dtype=dt).random_(2),
                m.empty(2, 3, dtype=dt).random_(0, 2) if dtype == "bool" else
                m.empty(2, 3, dtype=dt).random_(1, 100))
    both(fn)
    assert_same_error(lambda m: m.ones(3).random_(5, 2))


def test_module_functions_exist_like_torch():
    for name in ("absolute", "fix", "greater", "less_equal", "not_equal", "positive", "conj",
                 "resolve_conj", "resolve_neg", "is_nonzero", "is_same_size", "msort",
                 "narrow_copy", "repeat_interleave", "concatenate", "abs_", "clip_"):
        assert hasattr(torch, name) and hasattr(tapegrad, name), name
    both(lambda m: m.concatenate([m.ones(2), m.zeros(1)]))


def test_view_dtype():
    def fn(m):
        x = m.arange(12.).reshape(2, 6)
        y = x[:, 2:]
        out = (x.view(m.int32), x.view(m.int16), x.view(m.float64), x.view(m.uint8).shape,
               y.view(m.int16).stride(), y.view(m.int16).storage_offset(),
               m.tensor(1.).view(m.int32), m.ones(2, 3, requires_grad=True).view(m.float32),
               m.tensor([1, 2], dtype=m.int64).view(m.float64).view(m.int64))
        v = x.view(m.int32)
        v[0, 0] = 7  # shares x's memory
        return out + (x[0, 0].view(m.int32),)
    both(fn)
    assert_same_error(lambda m: m.ones(3).view(m.float64))
    assert_same_error(lambda m: m.ones(2, 4).t().view(m.float64))
    assert_same_error(lambda m: m.tensor(1.).view(m.float64))
    assert_same_error(lambda m: m.arange(8.)[1:7].view(m.float64))
    assert_same_error(lambda m: m.ones(4, 3)[:, :2].view(m.float64))
