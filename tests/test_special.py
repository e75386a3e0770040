"""tapegrad.special against torch.special: every name exists; values over wide float64 ranges
and at special points (0, negatives, large, inf, NaN) match torch, or mpmath where torch's own
float64 kernel is the less accurate one (Airy and Bessel J/Y near their zeros, the incomplete
gamma functions for large arguments); result dtypes; grad_fn names and _saved_* attributes;
the functions torch does not differentiate (no history, or torch's NotImplementedError in
backward); argument errors; out=. Op-level cross-checks (gradients, gradcheck, broadcasting)
are in tests/opcases/special_fns.py. Dry-run on torch with TAPEGRAD_TEST_BACKEND=torch.
"""
import math

import numpy as np
import pytest

pytest.importorskip("torch", reason="the cross-checks compare against torch, which is missing")

import crosscheck as cc  # noqa: E402

INF, NAN = math.inf, math.nan
SKIP_NAMES = {"Tensor", "common_args", "multi_dim_common", "torch"}


def test_every_torch_special_name_exists():
    torch, m = cc.reference(), cc.tg()
    names = {n for n in dir(torch.special) if not n.startswith("_")} - SKIP_NAMES
    missing = sorted(n for n in names if not hasattr(m.special, n))
    assert not missing
    assert set(m.special.__all__) >= names


def _grid():
    lin = np.linspace(-40, 40, 801)
    logs = np.logspace(-300, 300, 121)
    pts = [0.0, -0.0, 1e-300, 1e-10, 0.5, 1.0, 2.0, 5.0, 29.9, 30.1, 50.0, 100.0, 500.0, 700.0,
           713.0, 800.0, 1e5, INF, -INF, NAN]
    return np.concatenate([lin, logs, -logs, pts, -np.array(pts)])


GRID = _grid()
# (name, relative tolerance, absolute tolerance) over GRID, float64, against torch
UNARY = [
    ("i0", 1e-13, 0), ("i0e", 1e-13, 0), ("i1", 1e-13, 0), ("i1e", 1e-13, 0),
    ("modified_bessel_i0", 1e-13, 0), ("modified_bessel_i1", 1e-13, 0),
    ("modified_bessel_k0", 1e-13, 0), ("modified_bessel_k1", 1e-13, 0),
    ("scaled_modified_bessel_k0", 1e-13, 0), ("scaled_modified_bessel_k1", 1e-13, 0),
    ("erfcx", 1e-12, 0), ("log_ndtr", 1e-12, 0), ("ndtr", 1e-14, 1e-300), ("entr", 1e-14, 0),
    ("spherical_bessel_j0", 1e-14, 1e-300),
    # J0/J1/Y0/Y1 come from libm; torch's float64 Cephes forms are off by up to ~5e-7 for
    # 5 < |x| < 8 (test_bessel_j_y_match_mpmath checks tapegrad's against mpmath)
    ("bessel_j0", 1e-6, 1e-6), ("bessel_j1", 1e-6, 1e-6), ("bessel_y0", 1e-6, 1e-6),
    ("bessel_y1", 1e-6, 1e-6),
    ("expit", 1e-15, 0), ("gammaln", 1e-13, 1e-13), ("erf", 1e-15, 0), ("erfc", 1e-15, 0),
    ("expm1", 1e-15, 0), ("exp2", 1e-15, 0), ("sinc", 1e-14, 1e-300),
]


def _run(lib, name, *args, dtype="float64"):
    dt = getattr(lib, dtype)
    ts = [lib.tensor(a, dtype=dt) if isinstance(a, np.ndarray) else a for a in args]
    return np.array(getattr(lib.special, name)(*ts).tolist(), dtype=np.float64)


def _assert_close(got, ref, rtol, atol, what):
    np.testing.assert_allclose(got, ref, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)
    # infinities and signed zeros at the same places
    assert np.array_equal(np.isposinf(got), np.isposinf(ref)), what
    assert np.array_equal(np.isneginf(got), np.isneginf(ref)), what


@pytest.mark.parametrize("name,rtol,atol", UNARY, ids=[u[0] for u in UNARY])
def test_unary_wide_range_float64_matches_torch(name, rtol, atol):
    torch, m = cc.reference(), cc.tg()
    _assert_close(_run(m, name, GRID), _run(torch, name, GRID), rtol, atol, name)


@pytest.mark.parametrize("name", ["i0", "i0e", "i1", "i1e", "erfcx", "log_ndtr", "ndtri", "entr",
                                  "modified_bessel_k0", "scaled_modified_bessel_k1",
                                  "bessel_j0", "airy_ai", "spherical_bessel_j0"])
def test_unary_float32_and_integer_inputs(name):
    torch, m = cc.reference(), cc.tg()
    x = np.linspace(0.01 if "k" in name else -5, 0.99 if name == "ndtri" else 5, 41)
    got = getattr(m.special, name)(m.tensor(x, dtype=m.float32))
    ref = getattr(torch.special, name)(torch.tensor(x, dtype=torch.float32))
    assert got.dtype == m.float32
    np.testing.assert_allclose(got.tolist(), ref.tolist(), rtol=2e-5, atol=2e-6)
    i = getattr(m.special, name)(m.tensor([0, 1, 2]))
    j = getattr(torch.special, name)(torch.tensor([0, 1, 2]))
    assert str(i.dtype) == str(j.dtype).replace("torch", "tapegrad") or \
        str(i.dtype) == str(j.dtype)
    np.testing.assert_allclose(i.tolist(), j.tolist(), rtol=2e-6, atol=1e-7, equal_nan=True)


@pytest.mark.parametrize("name,order,kind", [("bessel_j0", 0, "j"), ("bessel_j1", 1, "j"),
                                             ("bessel_y0", 0, "y"), ("bessel_y1", 1, "y")])
def test_bessel_j_y_match_mpmath(name, order, kind):
    mpmath = pytest.importorskip("mpmath")
    m = cc.tg()
    if cc.backend_name() == "torch":
        pytest.skip("torch's own kernels are the less accurate ones here")
    x = np.concatenate([np.linspace(0.05, 40, 400), [1e-5, 100.0, 1e4]])
    if kind == "j":
        x = np.concatenate([x, -x])
    f = mpmath.besselj if kind == "j" else mpmath.bessely
    exact = np.array([float(f(order, v)) for v in x])
    np.testing.assert_allclose(_run(m, name, x), exact, rtol=1e-10, atol=1e-15)


def test_ndtri_wide_range_matches_torch():
    torch, m = cc.reference(), cc.tg()
    p = np.concatenate([np.linspace(0, 1, 1001), np.logspace(-300, -1, 300),
                        1 - np.logspace(-16, -1, 50), [0.5 - 1e-12, 0.5 + 1e-12, -1, 2, NAN,
                                                       INF, -INF]])
    _assert_close(_run(m, "ndtri", p), _run(torch, "ndtri", p), 1e-12, 0, "ndtri")


def test_airy_ai_matches_mpmath_and_torch():
    mpmath = pytest.importorskip("mpmath")
    torch, m = cc.reference(), cc.tg()
    x = np.concatenate([np.linspace(-30, 30, 601), [0.0, 1e-8, -1e-8, 104.0, 110.0]])
    got = _run(m, "airy_ai", x)
    exact = np.array([float(mpmath.airyai(v)) for v in x])
    if cc.backend_name() != "torch":  # the dry run shows torch's own error here
        np.testing.assert_allclose(got, exact, rtol=1e-9, atol=1e-13)
    # torch's Cephes form loses digits near the zeros of Ai (x < -2): absolute agreement
    np.testing.assert_allclose(got, _run(torch, "airy_ai", x), rtol=1e-5, atol=2e-6)
    edge = np.array([INF, -INF, NAN])
    assert np.isnan(_run(m, "airy_ai", edge)).all() and np.isnan(_run(torch, "airy_ai", edge)).all()


@pytest.mark.parametrize("name", ["gammainc", "gammaincc"])
def test_incomplete_gamma_matches_torch_and_mpmath(name):
    mpmath = pytest.importorskip("mpmath")
    torch, m = cc.reference(), cc.tg()
    rng = np.random.default_rng(3)
    a = np.concatenate([rng.uniform(0, 20, 300), np.exp(rng.uniform(-5, 7, 300))])
    x = np.concatenate([rng.uniform(0, 30, 300), np.exp(rng.uniform(-5, 7, 300))])
    got = _run(m, name, a, x)
    np.testing.assert_allclose(got, _run(torch, name, a, x), rtol=1e-7, atol=1e-12)
    lower = name == "gammainc"
    exact = np.array([float(mpmath.gammainc(ai, 0 if lower else xi, xi if lower else mpmath.inf,
                                            regularized=True)) for ai, xi in zip(a[:80], x[:80])])
    if cc.backend_name() != "torch":  # tapegrad's series / continued fraction: 1e-10
        np.testing.assert_allclose(got[:80], exact, rtol=1e-10, atol=1e-14)
    # torch's edge values
    ea = np.array([0.0, 0.0, 1.0, -1.0, 1.0, 2.0, INF, INF, NAN, 1.0])
    ex = np.array([0.0, 1.0, 0.0, 1.0, -1.0, INF, 1.0, INF, 1.0, NAN])
    _assert_close(_run(m, name, ea, ex), _run(torch, name, ea, ex), 0, 0, f"{name} edges")


def test_zeta_matches_torch():
    torch, m = cc.reference(), cc.tg()
    rng = np.random.default_rng(4)
    s = np.concatenate([rng.uniform(1.01, 12, 400), [1.0, 0.5, 2.0, 2.0, 2.5, 3.0, INF, INF, INF,
                                                     2.0, 2.0, 3.0, 1.0001, 50.0, NAN, 2.0]])
    q = np.concatenate([rng.uniform(-5, 30, 400), [1.0, 1.0, 0.0, -1.0, -1.5, -1.5, 2.0, 1.0,
                                                   0.5, INF, -INF, -20.5, 1.0, 0.1, 1.0, NAN]])
    _assert_close(_run(m, "zeta", s, q), _run(torch, "zeta", s, q), 1e-10, 0, "zeta")


def test_xlog1py_multigammaln_matches_torch():
    torch, m = cc.reference(), cc.tg()
    x = np.array([0.0, 0.0, 1.0, 2.0, 0.0, -1.0, 3.0, NAN, 0.0])
    y = np.array([NAN, -1.0, -1.0, INF, 5.0, 0.5, -2.0, 1.0, -INF])
    _assert_close(_run(m, "xlog1py", x, y), _run(torch, "xlog1py", x, y), 1e-15, 0, "xlog1py")
    v = np.array([0.1, 1.2, 3.5, 10.0, 100.0])
    for p in (1, 2, 5):
        _assert_close(_run(m, "multigammaln", v, p), _run(torch, "multigammaln", v, p), 1e-13,
                      1e-13, f"multigammaln p={p}")


POLYS = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
         "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t",
         "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
         "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
         "laguerre_polynomial_l", "legendre_polynomial_p"]


@pytest.mark.parametrize("name", POLYS)
def test_orthogonal_polynomials_match_torch(name):
    torch, m = cc.reference(), cc.tg()
    rng = np.random.default_rng(5)
    # no NaN here: torch's vectorised CPU loop returns a stale neighbour's value for a NaN x
    # (tapegrad returns NaN, checked below)
    x = np.concatenate([[1.0, -1.0, 0.0, 0.5, -0.5, 2.0, -3.0], rng.uniform(-1.5, 1.5, 60)])
    for n in [-1, 0, 1, 2, 3, 5, 7, 9, 10, 20, 33]:
        got, ref = _run(m, name, x, n), _run(torch, name, x, n)
        # recurrences and closed forms round differently where the value cancels to ~0
        np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-9 * max(1, np.nanmax(abs(ref))),
                                   equal_nan=True, err_msg=f"{name} n={n}")
    # a tensor degree is truncated toward zero, elementwise and broadcast
    n = np.array([2.7, -0.5, 3.0, 1.2])
    xs = x[:4]
    got = getattr(m.special, name)(m.tensor(xs), m.tensor(n))
    ref = getattr(torch.special, name)(torch.tensor(xs), torch.tensor(n))
    np.testing.assert_allclose(got.tolist(), ref.tolist(), rtol=1e-12, equal_nan=True)
    if cc.backend_name() != "torch":
        assert math.isnan(getattr(m.special, name)(m.tensor([NAN]), 3).item())
        assert getattr(m.special, name)(m.tensor([NAN]), -1).item() == 0  # n < 0: 0, as torch
    assert getattr(m.special, name)(m.tensor([0.5]), 2).dtype == m.float32
    assert getattr(m.special, name)(m.tensor([1, 2]), m.tensor([2, 3])).dtype == m.float32


GRAD_FNS = [
    ("i0", lambda S, x: S.i0(x)), ("i0e", lambda S, x: S.i0e(x)), ("i1", lambda S, x: S.i1(x)),
    ("i1e", lambda S, x: S.i1e(x)), ("ndtri", lambda S, x: S.ndtri(x)),
    ("log_ndtr", lambda S, x: S.log_ndtr(x)), ("erfcx", lambda S, x: S.erfcx(x)),
    ("entr", lambda S, x: S.entr(x)), ("xlog1py", lambda S, x: S.xlog1py(x, x)),
    ("xlog1py_n1", lambda S, x: S.xlog1py(2.0, x)), ("xlog1py_n2", lambda S, x: S.xlog1py(x, 2)),
    ("zeta", lambda S, x: S.zeta(x + 1, x)), ("zeta_n1", lambda S, x: S.zeta(2.0, x)),
    ("zeta_n2", lambda S, x: S.zeta(x + 1, 2.0)), ("gammainc", lambda S, x: S.gammainc(x, x)),
    ("gammaincc", lambda S, x: S.gammaincc(x, x)),
    ("multigammaln", lambda S, x: S.multigammaln(x + 3, 2)),
    ("expit", lambda S, x: S.expit(x)), ("gammaln", lambda S, x: S.gammaln(x)),
    ("psi", lambda S, x: S.psi(x)), ("logit", lambda S, x: S.logit(x, eps=1e-6)),
    ("softmax", lambda S, x: S.softmax(x, 0)), ("log_softmax", lambda S, x: S.log_softmax(x, 0)),
    ("logsumexp", lambda S, x: S.logsumexp(x, 0)), ("polygamma", lambda S, x: S.polygamma(2, x)),
    ("sinc", lambda S, x: S.sinc(x)), ("xlogy", lambda S, x: S.xlogy(x, x)),
    ("round", lambda S, x: S.round(x)), ("log1p", lambda S, x: S.log1p(x)),
]


@pytest.mark.parametrize("label,fn", GRAD_FNS, ids=[g[0] for g in GRAD_FNS])
def test_grad_fn_names_and_saved_attributes_match_torch(label, fn):
    torch, m = cc.reference(), cc.tg()
    out = []
    for lib in (torch, m):
        x = lib.tensor([0.3, 0.6, 0.9], dtype=lib.float64, requires_grad=True)
        y = fn(lib.special, x)
        node = y.grad_fn
        saved = sorted(a for a in ("_saved_self", "_saved_other", "_saved_result", "_saved_p")
                       if hasattr(node, a))
        vals = []
        for a in saved:
            v = getattr(node, a)
            vals.append(v if isinstance(v, (int, float)) else np.array(v.tolist()))
        out.append((type(node).__name__, saved, vals))
    assert out[1][0] == out[0][0]
    if label in ("i0", "i0e", "i1", "i1e", "ndtri", "log_ndtr", "erfcx", "entr", "xlog1py",
                 "zeta", "gammainc", "gammaincc", "multigammaln"):
        assert out[1][1] == out[0][1]
        for a, b in zip(out[1][2], out[0][2]):
            np.testing.assert_allclose(a, b, rtol=1e-12)


@pytest.mark.parametrize("name", ["bessel_j0", "bessel_y1", "modified_bessel_k0", "airy_ai",
                                  "scaled_modified_bessel_k1", "spherical_bessel_j0"])
def test_functions_without_gradient_record_nothing(name):
    torch, m = cc.reference(), cc.tg()
    for lib in (torch, m):
        x = lib.tensor([0.5, 1.5], requires_grad=True)
        y = getattr(lib.special, name)(x)
        assert y.grad_fn is None and not y.requires_grad
        p = lib.special.hermite_polynomial_h(x, 3)
        assert p.grad_fn is None and not p.requires_grad


@pytest.mark.parametrize("call", [
    lambda m, x: m.special.zeta(x, m.tensor([2.0, 3.0], dtype=m.float64)),
    lambda m, x: m.special.zeta(x, 2.0),
    lambda m, x: m.special.gammainc(x, m.tensor([2.0, 3.0], dtype=m.float64)),
    lambda m, x: m.special.gammaincc(x, m.tensor([2.0, 3.0], dtype=m.float64)),
])
def test_backward_of_undifferentiated_arguments_raises_like_torch(call):
    torch, m = cc.reference(), cc.tg()
    msgs = []
    for lib in (torch, m):
        x = lib.tensor([1.5, 2.5], dtype=lib.float64, requires_grad=True)
        y = call(lib, x)
        with pytest.raises(NotImplementedError) as info:
            y.sum().backward()
        msgs.append(str(info.value))
    assert msgs[1] == msgs[0]


def test_gradient_of_the_second_argument_of_zeta_and_igamma():
    torch, m = cc.reference(), cc.tg()
    res = []
    for lib in (torch, m):
        q = lib.tensor([0.7, 1.5, 3.0], dtype=lib.float64, requires_grad=True)
        s = lib.tensor([2.0, 3.5, 1.5], dtype=lib.float64)
        g = lib.autograd.grad((lib.special.zeta(s, q) + lib.special.gammainc(s, q)
                               + lib.special.gammaincc(s, q) * 2).sum(), q)[0]
        res.append(g.tolist())
    np.testing.assert_allclose(res[1], res[0], rtol=1e-9)


ERRORS = [
    lambda m: m.special.multigammaln(m.tensor([3.0]), 0),
    lambda m: m.mvlgamma(m.tensor([3.0]), -1),
    lambda m: m.special.gammainc(m.tensor([3.0]), 2.0),
    lambda m: m.special.gammaincc(2.0, m.tensor([3.0])),
    lambda m: m.special.i0e([1.0]),
    lambda m: m.special.ndtri(1.0),
    lambda m: m.special.zeta(2.0, 3.0),
    lambda m: m.special.xlog1py(2.0, 3.0),
    lambda m: m.special.xlog1py(m.ones(2), m.ones(3)),
    lambda m: m.igamma(m.ones(2), m.ones(3)),
    lambda m: m.special.polygamma(-1, m.ones(2)),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors_match_torch_type(k):
    torch, m = cc.reference(), cc.tg()
    with pytest.raises(Exception) as ref:
        ERRORS[k](torch)
    with pytest.raises(type(ref.value)):
        ERRORS[k](m)


def test_aliases_and_toplevel_forms():
    torch, m = cc.reference(), cc.tg()
    x = [0.2, 0.7, 1.9]
    for lib in (m,):
        t = lib.tensor(x, dtype=lib.float64)
        assert lib.special.expit(t).tolist() == lib.sigmoid(t).tolist()
        assert lib.special.gammaln(t).tolist() == lib.lgamma(t).tolist()
        assert lib.special.psi(t).tolist() == lib.digamma(t).tolist()
        assert lib.special.i0(t).tolist() == lib.i0(t).tolist() == t.i0().tolist()
        assert lib.special.gammainc(t, t).tolist() == lib.igamma(t, t).tolist() == \
            t.igamma(t).tolist()
        assert lib.special.multigammaln(t + 2, 2).tolist() == (t + 2).mvlgamma(2).tolist()
    a = m.tensor(x, dtype=m.float64)
    b = torch.tensor(x, dtype=torch.float64)
    for f in ("i0_", "igamma_", "igammac_"):
        args = () if f == "i0_" else (a * 2,)
        argsb = () if f == "i0_" else (b * 2,)
        r = getattr(a.clone(), f)(*args)
        np.testing.assert_allclose(r.tolist(), getattr(b.clone(), f)(*argsb).tolist(), rtol=1e-12)
    c = a.clone()
    assert c.mvlgamma_(1) is c


def test_out_argument():
    m = cc.tg()
    x = m.tensor([0.5, 1.0])
    out = m.empty(2)
    r = m.special.i0e(x, out=out)
    assert r is out and out.tolist() == m.special.i0e(x).tolist()
    r = m.special.zeta(m.tensor([2.0, 3.0]), m.tensor([1.0, 2.0]), out=out)
    assert r is out
    with pytest.raises(TypeError):
        m.special.i0(x, out=[1, 2])


def test_ndtr_matches_torch_including_its_composite_gradient():
    torch, m = cc.reference(), cc.tg()
    res = []
    for lib in (torch, m):
        x = lib.tensor([-3.0, -0.5, 0.0, 2.0], dtype=lib.float64, requires_grad=True)
        y = lib.special.ndtr(x)
        g = lib.autograd.grad(y, x, lib.tensor([1.0, -2.0, 0.5, 3.0], dtype=lib.float64))[0]
        res.append((y.tolist(), g.tolist()))
    np.testing.assert_allclose(res[1][0], res[0][0], rtol=1e-15)
    np.testing.assert_allclose(res[1][1], res[0][1], rtol=1e-14)
