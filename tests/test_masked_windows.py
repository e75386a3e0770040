"""tapegrad.masked and tapegrad.signal.windows against torch, beyond torch's OpInfo samples
(tests/opinfo_sweep.py covers those): broadcast and non-bool masks, fully masked-out rows (nan /
-inf results and their gradients), dtype= and integer promotion, dim=None with keepdim, argument
errors (type and wording), periodic windows and the lazy import of both packages."""
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="compared against torch")

import tapegrad  # noqa: E402


def _tg(t, requires_grad=False):
    x = tapegrad.from_torch(t.detach().clone())
    return x.requires_grad_(True) if requires_grad else x


def _to_torch(x):
    return torch.from_dlpack(x.detach().contiguous()).clone()


def _check(fn_t, fn_g, x, grad=True):
    """fn(x) in both libraries: same dtype, shape, values (nan where torch has nan) and, for a
    float64 x, the same gradient for a random upstream gradient."""
    xt = x.detach().clone().requires_grad_(grad)
    xg = _tg(x, grad)
    et, eg = fn_t(xt), fn_g(xg)
    ag = _to_torch(eg)
    assert str(ag.dtype) == str(et.dtype) and ag.shape == et.shape
    torch.testing.assert_close(ag, et.detach(), rtol=1e-7, atol=1e-7, equal_nan=True)
    if grad and et.requires_grad:
        up = torch.randn(et.shape, dtype=et.dtype)
        (gt,) = torch.autograd.grad(et, xt, up, allow_unused=True)
        (gg,) = tapegrad.autograd.grad(eg, xg, tapegrad.from_torch(up.clone()),
                                       allow_unused=True)
        # None (no dependence, e.g. ord=0 norms) and zeros mean the same
        gt = torch.zeros_like(x) if gt is None else gt
        gg = torch.zeros_like(x) if gg is None else _to_torch(gg)
        torch.testing.assert_close(gg, gt, rtol=1e-7, atol=1e-7, equal_nan=True)


@pytest.fixture
def data():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(3, 4, 5, dtype=torch.float64, generator=g)
    mask = torch.rand(3, 4, 5, generator=g) > 0.4
    mask[1, 2] = False          # one fully masked-out row along the last dim
    mask[:, :, 0] = False       # and a fully masked-out column along dim 0 / 1
    return x, mask


REDUCTIONS = ["sum", "prod", "amax", "amin", "mean", "norm", "var", "std", "logsumexp"]


@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("dim,keepdim", [(None, False), (None, True), (-1, False),
                                         ((0, 2), True), ([1], False)])
def test_reductions_fully_masked(name, dim, keepdim, data):
    x, mask = data
    kw = dict(dim=dim, keepdim=keepdim, mask=mask)
    _check(lambda t: getattr(torch.masked, name)(t, **kw),
           lambda t: getattr(tapegrad.masked, name)(t, **_kw_tg(kw)), x)


def _kw_tg(kw):
    return {k: (_tg(v) if isinstance(v, torch.Tensor) else v) for k, v in kw.items()}


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin", "cumsum", "cumprod",
                                  "median"])
@pytest.mark.parametrize("dim", [0, -1])
def test_dim_ops_fully_masked(name, dim, data):
    x, mask = data
    _check(lambda t: getattr(torch.masked, name)(t, dim, mask=mask),
           lambda t: getattr(tapegrad.masked, name)(t, dim, mask=_tg(mask)), x)


@pytest.mark.parametrize("mask_shape", [(5,), (1, 5), (4, 1), ()])
@pytest.mark.parametrize("mask_dtype", [torch.bool, torch.int64, torch.float64])
def test_broadcast_and_non_bool_masks(mask_shape, mask_dtype, data):
    x, _ = data
    m = (torch.arange(int(np.prod(mask_shape)) or 1).reshape(mask_shape) % 3 != 1).to(mask_dtype)
    for name in ("sum", "mean", "amax", "std"):
        _check(lambda t: getattr(torch.masked, name)(t, 1, mask=m),
               lambda t: getattr(tapegrad.masked, name)(t, 1, mask=_tg(m)), x)
    _check(lambda t: torch.masked.softmax(t, 2, mask=m),
           lambda t: tapegrad.masked.softmax(t, 2, mask=_tg(m)), x)


@pytest.mark.parametrize("dtype", [torch.int64, torch.bool])
@pytest.mark.parametrize("name", ["sum", "prod", "amax", "argmax", "argmin", "var", "std",
                                  "logsumexp"])
def test_integer_inputs_dtypes(name, dtype, data):
    if dtype == torch.bool and name not in ("sum", "prod"):
        pytest.skip("torch.masked has no identity for bool here")
    _, mask = data
    x = torch.arange(60).reshape(3, 4, 5).remainder(7).to(dtype)
    _check(lambda t: getattr(torch.masked, name)(t, 2, mask=mask),
           lambda t: getattr(tapegrad.masked, name)(t, 2, mask=_tg(mask)), x, grad=False)


def test_dtype_keyword(data):
    x, mask = data
    x32 = x.float()
    for name in ("sum", "prod", "mean", "norm", "amax", "logsumexp"):
        _check(lambda t: getattr(torch.masked, name)(t, 1, dtype=torch.float64, mask=mask),
               lambda t: getattr(tapegrad.masked, name)(t, 1, dtype=tapegrad.float64,
                                                        mask=_tg(mask)), x32, grad=False)
    _check(lambda t: torch.masked.cumsum(torch.arange(6).reshape(2, 3), 1, dtype=torch.float32),
           lambda t: tapegrad.masked.cumsum(tapegrad.arange(6).reshape(2, 3), 1,
                                            dtype=tapegrad.float32), x, grad=False)


@pytest.mark.parametrize("ord", [2.0, 1, 0, float("inf"), float("-inf"), 3.5])
def test_norm_normalize_orders(ord, data):
    x, mask = data
    _check(lambda t: torch.masked.norm(t, ord, 2, mask=mask),
           lambda t: tapegrad.masked.norm(t, ord, 2, mask=_tg(mask)), x)
    if ord != 0:
        _check(lambda t: torch.masked.normalize(t, ord, 1, mask=mask),
               lambda t: tapegrad.masked.normalize(t, ord, 1, mask=_tg(mask)), x)


def test_logaddexp_masks(data):
    x, mask = data
    y = torch.randn(4, 5, dtype=torch.float64)
    _check(lambda t: torch.masked.logaddexp(t, y, input_mask=mask, other_mask=mask[0]),
           lambda t: tapegrad.masked.logaddexp(t, _tg(y), input_mask=_tg(mask),
                                               other_mask=_tg(mask[0])), x)


def _same_error(fn_t, fn_g):
    with pytest.raises(Exception) as et:
        fn_t()
    with pytest.raises(Exception) as eg:
        fn_g()
    assert type(eg.value) is type(et.value)
    assert str(eg.value) == str(et.value)


def test_masked_errors(data):
    x, mask = data
    xg, mg = _tg(x), _tg(mask)
    i = torch.arange(6).reshape(2, 3)
    cases = [
        (lambda m, a, k: m.masked.sum(a, (1, 1), mask=k)),
        (lambda m, a, k: m.masked.sum(a, (1, -2), mask=k)),
        (lambda m, a, k: m.masked.amax(a, 3, mask=k)),
        (lambda m, a, k: m.masked.softmax(a, -4, mask=k)),
        (lambda m, a, k: m.masked.sum(a[0, 0], mask=k)),   # mask of higher dimension
        (lambda m, a, k: m.masked.var(a, 1, True, correction=1, mask=k)),
    ]
    for c in cases:
        _same_error(lambda: c(torch, x, mask), lambda: c(tapegrad, xg, mg))
    _same_error(lambda: torch.masked.mean(i), lambda: tapegrad.masked.mean(_tg(i)))
    _same_error(lambda: torch.masked.mean(x, dtype=torch.int64),
                lambda: tapegrad.masked.mean(xg, dtype=tapegrad.int64))
    im = torch.tensor([[True, True, False], [False, False, False]])
    _same_error(lambda: torch.masked.median(i, 1, mask=im),
                lambda: tapegrad.masked.median(_tg(i), 1, mask=_tg(im)))
    # an integer median without fully masked-out rows is fine, in the input's dtype
    im[1, 0] = True
    _check(lambda t: torch.masked.median(i, 1, mask=im),
           lambda t: tapegrad.masked.median(_tg(i), 1, mask=_tg(im)), x, grad=False)


WINDOWS = [("hamming", {}), ("hann", {}), ("bartlett", {}), ("blackman", {}), ("cosine", {}),
           ("exponential", {"tau": 0.7}), ("gaussian", {"std": 2.5}), ("kaiser", {"beta": 3.0}),
           ("general_cosine", {"a": (0.5, 0.3, 0.2)}), ("general_hamming", {"alpha": 0.6}),
           ("nuttall", {})]


@pytest.mark.parametrize("name,kw", WINDOWS)
@pytest.mark.parametrize("M", [0, 1, 2, 7, 10])
@pytest.mark.parametrize("sym", [True, False])
def test_windows_default_dtype_and_grad_flag(name, kw, M, sym):
    wt = getattr(torch.signal.windows, name)(M, sym=sym, requires_grad=True, **kw)
    wg = getattr(tapegrad.signal.windows, name)(M, sym=sym, requires_grad=True, **kw)
    assert str(wg.dtype) == str(wt.dtype) and tuple(wg.shape) == tuple(wt.shape)
    assert wg.requires_grad == wt.requires_grad
    torch.testing.assert_close(_to_torch(wg), wt.detach(), rtol=1e-5, atol=1e-6)


def test_exponential_center_periodic():
    for M in (1, 4, 9):
        wt = torch.signal.windows.exponential(M, center=1.5, tau=2.0, sym=False,
                                              dtype=torch.float64)
        wg = tapegrad.signal.windows.exponential(M, center=1.5, tau=2.0, sym=False,
                                                 dtype=tapegrad.float64)
        torch.testing.assert_close(_to_torch(wg), wt)


def test_window_errors():
    for name, kw in WINDOWS:
        for bad in ({"dtype": torch.int32}, {"dtype": torch.float16}):
            _same_error(lambda: getattr(torch.signal.windows, name)(4, **kw, **bad),
                        lambda: getattr(tapegrad.signal.windows, name)(
                            4, **kw, dtype=getattr(tapegrad, str(bad["dtype"])[6:])))
        _same_error(lambda: getattr(torch.signal.windows, name)(-2, **kw),
                    lambda: getattr(tapegrad.signal.windows, name)(-2, **kw))
    _same_error(lambda: torch.signal.windows.general_cosine(4, a=3),
                lambda: tapegrad.signal.windows.general_cosine(4, a=3))


def test_lazy_import():
    code = ("import sys, tapegrad\n"
            "assert 'tapegrad.masked' not in sys.modules\n"
            "assert 'tapegrad.signal' not in sys.modules\n"
            "assert tapegrad.masked.sum is sys.modules['tapegrad.masked'].sum\n"
            "assert callable(tapegrad.signal.windows.hann)\n"
            "try:\n    tapegrad.no_such_thing\nexcept AttributeError as e:\n"
            "    assert 'no_such_thing' in str(e)\nelse:\n    raise SystemExit(1)\n")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("name,args", [(n, ()) for n in REDUCTIONS + ["argmax", "argmin"]] +
                         [(n, (1,)) for n in ("softmax", "log_softmax", "softmin", "cumsum",
                                              "cumprod", "median")] +
                         [("normalize", (2.0, 0))])
def test_without_mask(name, args, data):
    x, _ = data
    _check(lambda t: getattr(torch.masked, name)(t, *args),
           lambda t: getattr(tapegrad.masked, name)(t, *args), x,
           grad=name not in ("argmax", "argmin"))
    if not args:    # a 0-d input: every dim reduced, nothing to reduce
        _check(lambda t: getattr(torch.masked, name)(t[0, 0, 0]),
               lambda t: getattr(tapegrad.masked, name)(t[0, 0, 0]), x,
               grad=name not in ("argmax", "argmin"))
