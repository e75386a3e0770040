"""tapegrad.distributions against torch.distributions: log_prob / entropy / cdf / icdf values and
gradients (float64 and float32), moments, shapes, repr, expand, validation errors (type and
message), kl_divergence for the registered pairs, constraints, and samples: equal to torch's
under the same seed for the distributions whose draws use the shared generator streams
(Normal, Uniform, Exponential, Laplace, Bernoulli, MultivariateNormal), moment checks for the
others. Dry-run on torch with TAPEGRAD_TEST_BACKEND=torch.
"""
import math
import warnings

import numpy as np
import pytest

pytest.importorskip("torch", reason="the cross-checks compare against torch, which is missing")

import crosscheck as cc  # noqa: E402

RNG = np.random.default_rng(20261122)


def _a(shape, lo, hi):
    return RNG.uniform(lo, hi, size=shape)


def _spd(n, batch=()):
    a = RNG.normal(size=batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


SPD = _spd(3)
CHOL = np.linalg.cholesky(SPD)

# name -> (constructor(D, *params), params (arrays), value, attributes to compare)
MOMENTS = ("mean", "variance", "stddev", "mode")
DISTS = {
    "Normal": (lambda D, a, b: D.Normal(a, b), [_a((2, 3), -2, 2), _a((3,), 0.5, 2)],
               _a((4, 2, 3), -3, 3), MOMENTS),
    "Laplace": (lambda D, a, b: D.Laplace(a, b), [_a((3,), -2, 2), _a((2, 3), 0.5, 2)],
                _a((2, 3), -3, 3), MOMENTS),
    "Uniform": (lambda D, a, b: D.Uniform(a, a + b), [_a((3,), -2, -1), _a((3,), 2, 3)],
                _a((5, 3), -0.9, -0.1), ("mean", "variance", "stddev")),
    "Exponential": (lambda D, r: D.Exponential(r), [_a((3,), 0.5, 2)], _a((2, 3), 0.1, 3),
                    MOMENTS),
    "Gamma": (lambda D, c, r: D.Gamma(c, r), [_a((3,), 0.5, 3), _a((3,), 0.5, 2)],
              _a((2, 3), 0.1, 3), MOMENTS),
    "Beta": (lambda D, a, b: D.Beta(a, b), [_a((3,), 1.1, 3), _a((3,), 1.1, 3)],
             _a((2, 3), 0.05, 0.95), MOMENTS),
    "Dirichlet": (lambda D, c: D.Dirichlet(c), [_a((2, 4), 1.1, 3)],
                  RNG.dirichlet(np.ones(4), size=(3, 2)), ("mean", "variance", "mode")),
    "Poisson": (lambda D, r: D.Poisson(r), [_a((3,), 0.5, 4)],
                RNG.integers(0, 6, size=(2, 3)).astype(float), ("mean", "variance", "mode")),
    "BernoulliProbs": (lambda D, p: D.Bernoulli(probs=p), [_a((2, 3), 0.1, 0.9)],
                       RNG.integers(0, 2, size=(2, 3)).astype(float),
                       ("mean", "variance", "stddev", "mode")),
    "BernoulliLogits": (lambda D, z: D.Bernoulli(logits=z), [_a((3,), -2, 2)],
                        RNG.integers(0, 2, size=(4, 3)).astype(float), ("mean", "variance")),
    "CategoricalProbs": (lambda D, p: D.Categorical(probs=p), [_a((2, 5), 0.1, 1)],
                         RNG.integers(0, 5, size=(3, 2)), ("mode",)),
    "CategoricalLogits": (lambda D, z: D.Categorical(logits=z), [_a((5,), -2, 2)],
                          RNG.integers(0, 5, size=(4,)), ("mode", "mean", "variance")),
    "OneHotCategorical": (lambda D, p: D.OneHotCategorical(probs=p), [_a((2, 4), 0.1, 1)],
                          np.eye(4)[RNG.integers(0, 4, size=(3, 2))],
                          ("mean", "variance", "mode")),
    "MVNCovariance": (lambda D, m, c: D.MultivariateNormal(m, covariance_matrix=c),
                      [_a((2, 3), -1, 1), SPD], RNG.normal(size=(4, 2, 3)),
                      ("mean", "variance", "covariance_matrix", "scale_tril",
                       "precision_matrix")),
    "MVNScaleTril": (lambda D, m, L: D.MultivariateNormal(m, scale_tril=L),
                     [_a((3,), -1, 1), CHOL], RNG.normal(size=(2, 3)),
                     ("mean", "variance", "covariance_matrix", "precision_matrix")),
    "MVNPrecision": (lambda D, m, P: D.MultivariateNormal(m, precision_matrix=P),
                     [_a((3,), -1, 1), _spd(3, (2,))], RNG.normal(size=(2, 3)),
                     ("mean", "variance", "scale_tril")),
    "Binomial": (lambda D, p: D.Binomial(10, probs=p), [_a((2, 3), 0.1, 0.9)],
                 RNG.integers(0, 11, size=(2, 3)).astype(float), ("mean", "variance", "mode")),
    "BinomialLogits": (lambda D, z: D.Binomial(6, logits=z),
                       [_a((3,), -2, 2)], RNG.integers(0, 7, size=(4, 3)).astype(float),
                       ("mean", "variance", "mode")),
    "Independent": (lambda D, a, b: D.Independent(D.Normal(a, b), 1),
                    [_a((2, 3), -1, 1), _a((2, 3), 0.5, 2)], RNG.normal(size=(4, 2, 3)),
                    ("mean", "variance", "mode")),
}
INT_VALUES = {"CategoricalProbs", "CategoricalLogits"}
HAS_CDF = {"Normal", "Laplace", "Uniform", "Exponential", "Gamma"}
HAS_ICDF = {"Normal", "Laplace", "Uniform", "Exponential"}
NO_ENTROPY = {"Poisson"}
TOL = {"float64": dict(rtol=1e-7, atol=1e-9), "float32": dict(rtol=2e-4, atol=2e-5)}


def _build(lib, name, dtype, requires_grad=True):
    mk, params, _, _ = DISTS[name]
    dt = getattr(lib, dtype)
    ps = [lib.tensor(p, dtype=dt, requires_grad=requires_grad) for p in params]
    return mk(lib.distributions, *ps), ps


def _value(lib, name, dtype):
    v = DISTS[name][2]
    return lib.tensor(v, dtype=lib.int64 if name in INT_VALUES else getattr(lib, dtype))


def _np(t):
    return np.array(t.detach().tolist(), dtype=np.float64)


def _close(got, ref, dtype, what):
    assert tuple(got.shape) == tuple(ref.shape), what
    np.testing.assert_allclose(_np(got), _np(ref), equal_nan=True, err_msg=what, **TOL[dtype])


def _grads_match(out_m, ps_m, out_t, ps_t, dtype, what):
    torch, m = cc.reference(), cc.tg()
    up = RNG.normal(size=tuple(out_t.shape))
    g_t = torch.autograd.grad(out_t, ps_t, torch.tensor(up, dtype=out_t.dtype),
                              allow_unused=True, retain_graph=True)
    g_m = m.autograd.grad(out_m, ps_m, m.tensor(up, dtype=out_m.dtype), allow_unused=True,
                          retain_graph=True)
    for k, (a, b) in enumerate(zip(g_m, g_t)):
        if b is None:
            assert a is None or not _np(a).any(), f"{what}: grad {k} should be None"
        else:
            _close(a, b, dtype, f"{what}: grad {k}")


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", sorted(DISTS))
def test_log_prob_and_gradients_match_torch(name, dtype):
    torch, m = cc.reference(), cc.tg()
    d_t, ps_t = _build(torch, name, dtype)
    d_m, ps_m = _build(m, name, dtype)
    lp_t = d_t.log_prob(_value(torch, name, dtype))
    lp_m = d_m.log_prob(_value(m, name, dtype))
    assert lp_m.dtype == getattr(m, str(lp_t.dtype).split(".")[1])
    _close(lp_m, lp_t, dtype, f"{name}.log_prob")
    _grads_match(lp_m, ps_m, lp_t, ps_t, dtype, f"{name}.log_prob")


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", sorted(set(DISTS) - NO_ENTROPY))
def test_entropy_and_gradients_match_torch(name, dtype):
    torch, m = cc.reference(), cc.tg()
    d_t, ps_t = _build(torch, name, dtype)
    d_m, ps_m = _build(m, name, dtype)
    e_t, e_m = d_t.entropy(), d_m.entropy()
    _close(e_m, e_t, dtype, f"{name}.entropy")
    _grads_match(e_m, ps_m, e_t, ps_t, dtype, f"{name}.entropy")
    _close(d_m.perplexity(), d_t.perplexity(), dtype, f"{name}.perplexity")


@pytest.mark.parametrize("name", sorted(DISTS))
def test_moments_shapes_and_repr_match_torch(name):
    torch, m = cc.reference(), cc.tg()
    d_t, _ = _build(torch, name, "float64")
    d_m, _ = _build(m, name, "float64")
    assert tuple(d_m.batch_shape) == tuple(d_t.batch_shape)
    assert tuple(d_m.event_shape) == tuple(d_t.event_shape)
    assert isinstance(d_m.batch_shape, m.Size) and isinstance(d_m.event_shape, m.Size)
    assert repr(d_m) == repr(d_t)
    assert d_m.has_rsample == d_t.has_rsample
    assert d_m.has_enumerate_support == d_t.has_enumerate_support
    for attr in DISTS[name][3]:
        a, b = getattr(d_m, attr), getattr(d_t, attr)
        if b.dtype == torch.int64:
            assert a.tolist() == b.tolist(), attr
        else:
            _close(a, b, "float64", f"{name}.{attr}")


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", sorted(HAS_CDF))
def test_cdf_icdf_match_torch(name, dtype):
    torch, m = cc.reference(), cc.tg()
    d_t, ps_t = _build(torch, name, dtype)
    d_m, ps_m = _build(m, name, dtype)
    c_t = d_t.cdf(_value(torch, name, dtype))
    c_m = d_m.cdf(_value(m, name, dtype))
    _close(c_m, c_t, dtype, f"{name}.cdf")
    if name == "Gamma":  # torch: no derivative of igamma wrt the concentration
        return
    _grads_match(c_m, ps_m, c_t, ps_t, dtype, f"{name}.cdf")
    if name in HAS_ICDF:
        q = RNG.uniform(0.05, 0.95, size=(2, 3))
        i_t = d_t.icdf(torch.tensor(q, dtype=getattr(torch, dtype)))
        i_m = d_m.icdf(m.tensor(q, dtype=getattr(m, dtype)))
        _close(i_m, i_t, dtype, f"{name}.icdf")
        _grads_match(i_m, ps_m, i_t, ps_t, dtype, f"{name}.icdf")


@pytest.mark.parametrize("name", sorted(DISTS))
def test_expand_matches_torch(name):
    torch, m = cc.reference(), cc.tg()
    d_t, _ = _build(torch, name, "float64")
    d_m, _ = _build(m, name, "float64")
    shape = (5,) + tuple(d_t.batch_shape)
    e_t, e_m = d_t.expand(shape), d_m.expand(m.Size(shape))
    assert type(e_m).__name__ == type(e_t).__name__
    assert tuple(e_m.batch_shape) == tuple(e_t.batch_shape)
    assert tuple(e_m.event_shape) == tuple(e_t.event_shape)
    torch.manual_seed(0)
    v = np.array(e_t.sample().tolist())
    dt = "int64" if name in INT_VALUES else "float64"
    lp_t = e_t.log_prob(torch.tensor(v, dtype=getattr(torch, dt)))
    lp_m = e_m.log_prob(m.tensor(v, dtype=getattr(m, dt)))
    _close(lp_m, lp_t, "float64", f"{name}.expand.log_prob")


SAME_STREAM = ["Normal", "Laplace", "Uniform", "Exponential", "BernoulliProbs",
               "MVNScaleTril", "MVNCovariance", "Independent"]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", SAME_STREAM)
@pytest.mark.parametrize("sample_shape", [(), (4,), (2, 3)])
def test_samples_equal_torch_under_the_same_seed(name, dtype, sample_shape):
    torch, m = cc.reference(), cc.tg()
    d_t, _ = _build(torch, name, dtype)
    d_m, _ = _build(m, name, dtype)
    for method in ("sample", "rsample") if d_t.has_rsample else ("sample",):
        torch.manual_seed(123)
        s_t = getattr(d_t, method)(sample_shape)
        m.manual_seed(123)
        s_m = getattr(d_m, method)(sample_shape)
        assert s_m.dtype == getattr(m, str(s_t.dtype).split(".")[1])
        assert s_m.requires_grad == s_t.requires_grad
        _close(s_m, s_t, dtype, f"{name}.{method}{sample_shape}")


@pytest.mark.parametrize("name", ["Normal", "Laplace", "Uniform", "Exponential", "MVNScaleTril"])
def test_rsample_gradients_match_torch(name):
    torch, m = cc.reference(), cc.tg()
    d_t, ps_t = _build(torch, name, "float64")
    d_m, ps_m = _build(m, name, "float64")
    torch.manual_seed(9)
    s_t = d_t.rsample((3,))
    m.manual_seed(9)
    s_m = d_m.rsample((3,))
    _grads_match(s_m, ps_m, s_t, ps_t, "float64", f"{name}.rsample")


def _moment_check(samples, mean, var, n):
    samples = _np(samples)
    assert abs(samples.mean(0) - mean).max() < 6 * math.sqrt(var.max() / n)
    assert abs(samples.var(0) / var - 1).max() < 0.15


@pytest.mark.parametrize("name", ["Gamma", "Beta", "Poisson", "Dirichlet", "CategoricalProbs",
                                  "OneHotCategorical", "Binomial"])
def test_other_samplers_draw_the_right_law(name):
    m = cc.tg()
    m.manual_seed(5)
    d, _ = _build(m, name, "float64", requires_grad=False)
    n = 20000
    s = d.sample((n,))
    assert tuple(s.shape) == (n,) + tuple(d.batch_shape) + tuple(d.event_shape)
    assert bool(d.support.check(s).all())
    if name == "CategoricalProbs":
        probs = _np(d.probs)
        freq = np.stack([(_np(s) == k).mean(0) for k in range(probs.shape[-1])], -1)
        assert abs(freq - probs).max() < 0.02
        return
    _moment_check(s, _np(d.mean), _np(d.variance), n)


def test_gamma_family_rsample_refuses_concentration_gradients():
    m = cc.tg()
    c = m.tensor([1.5, 2.0], requires_grad=True)
    with pytest.raises(NotImplementedError, match="concentration"):
        m.distributions.Gamma(c, 1.0).rsample()
    r = m.tensor([1.5, 2.0], requires_grad=True)
    s = m.distributions.Gamma(m.tensor([1.5, 2.0]), r).rsample((3,))
    assert s.requires_grad  # the gradient to rate flows (value = standard gamma / rate)
    assert m.distributions.Gamma(c, 1.0).sample().requires_grad is False


def test_gradcheck_log_prob_float64():
    m = cc.tg()
    D = m.distributions
    x = m.tensor([0.3, -1.2, 2.0], dtype=m.float64)
    for fn, args in [
        (lambda a, b: D.Normal(a, b).log_prob(x), ([0.1, 0.2, -0.3], [1.1, 0.7, 2.0])),
        (lambda a, b: D.Laplace(a, b).log_prob(x), ([0.1, 0.2, -0.3], [1.1, 0.7, 2.0])),
        (lambda c, r: D.Gamma(c, r).log_prob(x.abs()), ([1.1, 0.7, 2.0], [0.5, 1.5, 1.0])),
        (lambda L: D.MultivariateNormal(m.zeros(2, dtype=m.float64), covariance_matrix=L @ L.t()
                                        + m.eye(2, dtype=m.float64)).log_prob(x[:2]),
         ([[1.0, 0.0], [0.3, 0.8]],)),
    ]:
        ins = tuple(m.tensor(a, dtype=m.float64, requires_grad=True) for a in args)
        assert m.autograd.gradcheck(fn, ins)


ERRORS = [
    lambda m, D: D.Normal(m.tensor([0.0, 1.0]), m.tensor([1.0, -1.0])),
    lambda m, D: D.Normal(0.0, 1.0).log_prob(1.0),
    lambda m, D: D.Normal(0.0, 1.0).log_prob(m.tensor(float("nan"))),
    lambda m, D: D.Exponential(m.tensor([1.0, 2.0])).log_prob(m.tensor([-1.0, 2.0])),
    lambda m, D: D.Normal(m.zeros(3), 1.0).log_prob(m.zeros(2)),
    lambda m, D: D.Normal(m.zeros(3), 1.0).log_prob(m.zeros(2, 2, 3)[..., :2]),
    lambda m, D: D.Uniform(m.tensor([0.0, 1.0]), m.tensor([1.0, 0.5])),
    lambda m, D: D.Uniform(0.0, 1.0).log_prob(m.tensor([0.5, 2.0])),
    lambda m, D: D.Bernoulli(probs=0.3, logits=0.1),
    lambda m, D: D.Bernoulli(),
    lambda m, D: D.Bernoulli(probs=m.tensor([1.3])),
    lambda m, D: D.Bernoulli(probs=m.tensor([0.3])).log_prob(m.tensor([0.5])),
    lambda m, D: D.Categorical(probs=m.tensor(0.3)),
    lambda m, D: D.Categorical(logits=m.tensor(0.3)),
    lambda m, D: D.Categorical(logits=m.tensor([0.3, float("nan")])),
    lambda m, D: D.Categorical(probs=m.tensor([0.3, 0.7])).log_prob(m.tensor([2])),
    lambda m, D: D.OneHotCategorical(probs=m.tensor([0.3, 0.7])).log_prob(m.tensor([1.0, 1.0])),
    lambda m, D: D.MultivariateNormal(m.zeros(2), covariance_matrix=m.tensor([[1.0, 2.0],
                                                                            [2.0, 1.0]])),
    lambda m, D: D.MultivariateNormal(m.zeros(2), covariance_matrix=m.tensor([[1.0, 0.5],
                                                                            [0.0, 1.0]])),
    lambda m, D: D.MultivariateNormal(m.zeros(2)),
    lambda m, D: D.MultivariateNormal(m.zeros(2), m.eye(2), scale_tril=m.eye(2)),
    lambda m, D: D.MultivariateNormal(m.tensor(0.0), m.eye(2)),
    lambda m, D: D.MultivariateNormal(m.zeros(2), m.ones(2)),
    lambda m, D: D.MultivariateNormal(m.zeros(2), scale_tril=m.ones(2)),
    lambda m, D: D.MultivariateNormal(m.zeros(2), precision_matrix=m.ones(2)),
    lambda m, D: D.MultivariateNormal(m.zeros(2), scale_tril=m.tensor([[1.0, 1.0], [0.0, 1.0]])),
    lambda m, D: D.MultivariateNormal(m.zeros(2), scale_tril=m.eye(2)).log_prob(m.zeros(3)),
    lambda m, D: D.Independent(D.Normal(m.zeros(3), 1.0), 2),
    lambda m, D: D.Independent(D.Normal(m.zeros(3), 1.0), 0).enumerate_support(),
    lambda m, D: D.Independent(D.Bernoulli(m.ones(3) / 2), 1).enumerate_support(),
    lambda m, D: D.Dirichlet(m.tensor(1.0)),
    lambda m, D: D.Dirichlet(m.tensor([1.0, -1.0])),
    lambda m, D: D.Dirichlet(m.tensor([1.0, 2.0])).log_prob(m.tensor([0.5, 0.6])),
    lambda m, D: D.Beta(1.0, -2.0),
    lambda m, D: D.Gamma(m.tensor([1.0]), 2.0).log_prob(m.tensor([-1.5])),
    lambda m, D: D.Poisson(m.tensor([1.0])).log_prob(m.tensor([1.5])),
    lambda m, D: D.Poisson(m.tensor([-1.0])),
    lambda m, D: D.Laplace(0.0, 0.0),
    lambda m, D: D.Normal(0.0, 1.0).enumerate_support(),
    lambda m, D: D.Normal(0.0, 1.0).cdf(m.tensor(float("nan"))),
    lambda m, D: D.Distribution(validate_args=False).mean,
    lambda m, D: D.Distribution(validate_args=False).mode,
    lambda m, D: D.Distribution(validate_args=False).rsample(),
    lambda m, D: D.Poisson(m.tensor([1.0])).rsample(),
    lambda m, D: D.kl_divergence(D.Normal(0.0, 1.0), D.Poisson(1.0)),
    lambda m, D: D.kl_divergence(D.MultivariateNormal(m.zeros(2), m.eye(2)),
                                 D.MultivariateNormal(m.zeros(3), m.eye(3))),
    lambda m, D: D.Distribution.set_default_validate_args(3),
    lambda m, D: D.Binomial(m.tensor([3.0, 4.0]), m.tensor([0.5, 0.5])).entropy(),
    lambda m, D: D.Binomial(m.tensor([3.0, 4.0]), m.tensor([0.5, 0.5])).enumerate_support(),
    lambda m, D: D.Binomial(2.5, m.tensor([0.5])),
    lambda m, D: D.Binomial(3, m.tensor([0.5])).log_prob(m.tensor([4.0])),
    lambda m, D: D.kl_divergence(D.Binomial(3, m.tensor([0.5])), D.Binomial(4, m.tensor([0.5]))),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors_match_torch(k):
    torch, m = cc.reference(), cc.tg()
    with pytest.raises(Exception) as ref:
        ERRORS[k](torch, torch.distributions)
    with pytest.raises(type(ref.value)) as got:
        ERRORS[k](m, m.distributions)
    assert str(got.value).replace("tapegrad", "torch") == str(ref.value)


def test_validate_args_false_and_default_switch():
    torch, m = cc.reference(), cc.tg()
    for lib in (torch, m):
        D = lib.distributions
        d = D.Normal(lib.tensor([0.0]), lib.tensor([-1.0]), validate_args=False)
        assert math.isnan(d.log_prob(lib.tensor([0.0])).item())
        D.Distribution.set_default_validate_args(False)
        try:
            D.Normal(0.0, -1.0)
            D.Normal(0.0, 1.0).log_prob(lib.tensor(float("nan")))
        finally:
            D.Distribution.set_default_validate_args(True)
        with pytest.raises(ValueError):
            D.Normal(0.0, -1.0)


def test_no_arg_constraints_warns_like_torch():
    torch, m = cc.reference(), cc.tg()
    msgs = []
    for lib in (torch, m):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lib.distributions.Distribution()
        msgs.append([str(x.message).replace("tapegrad", "torch") for x in w])
    assert msgs[1] == msgs[0] and msgs[0]


KL_PAIRS = [
    ("Normal", "Normal"), ("Laplace", "Laplace"), ("Exponential", "Exponential"),
    ("Gamma", "Gamma"), ("Beta", "Beta"), ("Dirichlet", "Dirichlet"), ("Poisson", "Poisson"),
    ("BernoulliProbs", "BernoulliProbs"), ("BernoulliLogits", "BernoulliLogits"),
    ("CategoricalProbs", "CategoricalProbs"), ("CategoricalLogits", "CategoricalProbs"),
    ("OneHotCategorical", "OneHotCategorical"), ("Uniform", "Uniform"),
    ("MVNScaleTril", "MVNCovariance"), ("MVNCovariance", "MVNPrecision"),
    ("Independent", "Independent"), ("Binomial", "Binomial"), ("Normal", "Laplace"), ("Laplace", "Normal"),
    ("Exponential", "Gamma"), ("Gamma", "Exponential"), ("Exponential", "Normal"),
    ("Gamma", "Normal"), ("Uniform", "Normal"), ("Uniform", "Exponential"),
    ("BernoulliProbs", "Poisson"), ("Normal", "Exponential"), ("Normal", "Uniform"),
    ("Laplace", "Beta"), ("Gamma", "Uniform"), ("Exponential", "Beta"),
]


def _second(lib, name, dtype):
    """A second instance of a family with other parameters (q of KL(p || q))."""
    mk, params, _, _ = DISTS[name]
    rng = np.random.default_rng(sum(map(ord, name)))  # stable across runs
    new = []
    for p in params:
        if p.ndim >= 2 and p.shape[-1] == p.shape[-2] and name.startswith("MVN"):
            new.append(p * 1.3)
        elif name.startswith("Uniform"):
            new.append(p + (-0.5 if len(new) == 0 else 1.0))
        elif name.startswith("Categorical") or name.startswith("OneHot"):
            new.append(p * rng.uniform(0.5, 1.5, size=p.shape))
        elif name in ("BernoulliProbs", "Binomial"):
            new.append(np.clip(p * rng.uniform(0.7, 1.3, size=p.shape), 0.05, 0.95))
        else:
            new.append(p * rng.uniform(0.7, 1.3, size=p.shape))
    dt = getattr(lib, dtype)
    ps = [lib.tensor(p, dtype=dt, requires_grad=True) for p in new]
    return mk(lib.distributions, *ps), ps


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("p_name,q_name", KL_PAIRS)
def test_kl_divergence_and_gradients_match_torch(p_name, q_name, dtype):
    torch, m = cc.reference(), cc.tg()
    p_t, pp_t = _build(torch, p_name, dtype)
    p_m, pp_m = _build(m, p_name, dtype)
    q_t, qp_t = _second(torch, q_name, dtype)
    q_m, qp_m = _second(m, q_name, dtype)
    k_t = torch.distributions.kl_divergence(p_t, q_t)
    k_m = m.distributions.kl_divergence(p_m, q_m)
    _close(k_m, k_t, dtype, f"KL({p_name} || {q_name})")
    if np.isfinite(_np(k_t)).all():
        _grads_match(k_m, pp_m + qp_m, k_t, pp_t + qp_t, dtype, f"KL({p_name} || {q_name})")


def test_register_kl_dispatches_to_the_most_specific_pair():
    m = cc.tg()
    D = m.distributions

    class MyNormal(D.Normal):
        pass

    @D.register_kl(MyNormal, D.Normal)
    def _kl(p, q):
        return m.zeros(())

    assert D.kl_divergence(MyNormal(0.0, 1.0), D.Normal(1.0, 2.0)).item() == 0.0
    assert D.kl_divergence(D.Normal(0.0, 1.0), MyNormal(0.0, 1.0)).item() == 0.0
    with pytest.raises(TypeError):
        D.register_kl(int, D.Normal)


CONSTRAINTS = [
    ("real", None, [0.0, -1.0, float("inf"), float("nan")]),
    ("positive", None, [0.0, 1.0, -1.0, float("inf")]),
    ("nonnegative", None, [0.0, 1.0, -1.0]),
    ("unit_interval", None, [0.0, 1.0, 0.5, 1.5, -0.1]),
    ("boolean", None, [0.0, 1.0, 0.5]),
    ("nonnegative_integer", None, [0.0, 1.0, 1.5, -1.0]),
    ("positive_integer", None, [0.0, 1.0, 2.0]),
    ("simplex", None, [[0.2, 0.8], [0.5, 0.6], [-0.1, 1.1]]),
    ("one_hot", None, [[0.0, 1.0], [1.0, 1.0], [0.5, 0.5]]),
    ("real_vector", None, [[0.0, float("nan")], [1.0, 2.0]]),
    ("lower_cholesky", None, [[[1.0, 0.0], [2.0, 1.0]], [[1.0, 1.0], [0.0, 1.0]],
                              [[-1.0, 0.0], [0.0, 1.0]]]),
    ("lower_triangular", None, [[[1.0, 0.0], [2.0, 1.0]], [[1.0, 1.0], [0.0, 1.0]]]),
    ("positive_definite", None, [[[2.0, 1.0], [1.0, 2.0]], [[1.0, 2.0], [2.0, 1.0]],
                                 [[1.0, 0.5], [0.0, 1.0]]]),
    ("positive_semidefinite", None, [[[1.0, 1.0], [1.0, 1.0]], [[1.0, 2.0], [2.0, 1.0]]]),
    ("symmetric", None, [[[1.0, 1.0], [1.0, 1.0]], [[1.0, 2.0], [0.0, 1.0]]]),
    ("square", None, [[[1.0, 1.0], [1.0, 1.0]]]),
    ("greater_than", (1.0,), [0.0, 1.0, 2.0]),
    ("greater_than_eq", (1.0,), [0.0, 1.0, 2.0]),
    ("less_than", (1.0,), [0.0, 1.0, 2.0]),
    ("interval", (0.0, 2.0), [0.0, 2.0, 2.5]),
    ("half_open_interval", (0.0, 2.0), [0.0, 2.0, 1.0]),
    ("integer_interval", (0, 3), [0.0, 3.0, 1.5, 4.0]),
]


@pytest.mark.parametrize("name,args,value", CONSTRAINTS, ids=[c[0] for c in CONSTRAINTS])
def test_constraints_check_and_repr_match_torch(name, args, value):
    torch, m = cc.reference(), cc.tg()
    results = []
    for lib in (torch, m):
        c = getattr(lib.distributions.constraints, name)
        if args is not None:
            c = c(*args)
        ok = c.check(lib.tensor(value))
        results.append((repr(c), ok.tolist(), c.is_discrete, c.event_dim))
    assert results[1] == results[0]


def test_dependent_constraints_and_supports_match_torch():
    torch, m = cc.reference(), cc.tg()
    out = []
    for lib in (torch, m):
        D, C = lib.distributions, lib.distributions.constraints
        sup = [repr(D.Uniform(0.0, 2.0).support),
               repr(D.Categorical(lib.tensor([0.2, 0.8])).support),
               repr(D.Independent(D.Normal(lib.zeros(3), 1.0), 1).support),
               repr(D.Normal(0.0, 1.0).support), repr(D.Beta(1.0, 2.0).support),
               repr(D.Dirichlet(lib.ones(3)).support), repr(C.independent(C.real, 2)),
               C.is_dependent(C.dependent), C.is_dependent(C.real),
               C.is_dependent(D.Uniform.support), repr(D.Uniform(0.0, 1.0).arg_constraints)]
        with pytest.raises(ValueError) as info:
            C.dependent.check(lib.zeros(1))
        sup.append(str(info.value))
        out.append(sup)
    assert out[1] == out[0]


def test_enumerate_support_matches_torch():
    torch, m = cc.reference(), cc.tg()
    for mk in [lambda L: L.distributions.Bernoulli(L.tensor([0.2, 0.7, 0.5])),
               lambda L: L.distributions.Categorical(L.ones(2, 4)),
               lambda L: L.distributions.OneHotCategorical(L.ones(2, 3))]:
        for expand in (True, False):
            a = mk(m).enumerate_support(expand)
            b = mk(torch).enumerate_support(expand)
            assert tuple(a.shape) == tuple(b.shape) and a.tolist() == b.tolist()


def test_lazy_probs_logits_keep_history():
    m = cc.tg()
    z = m.tensor([0.1, -0.4], requires_grad=True)
    d = m.distributions.Bernoulli(logits=z)
    assert "probs" not in d.__dict__
    with m.no_grad():
        p = d.probs  # computed with grad enabled, as torch's lazy_property
    assert p.requires_grad
    d2 = m.distributions.Categorical(logits=m.tensor([[0.0, 1.0]], requires_grad=True))
    assert d2.probs.grad_fn is not None


def test_straight_through_rsample_passes_the_gradient():
    torch, m = cc.reference(), cc.tg()
    for lib in (torch, m):
        p = lib.tensor([0.2, 0.3, 0.5], requires_grad=True)
        s = lib.distributions.OneHotCategoricalStraightThrough(probs=p).rsample((4,))
        (s * lib.arange(3.0)).sum().backward()
        assert sorted(s.sum(-1).tolist()) == [1.0] * 4
        if lib is torch:
            ref = p.grad.tolist()
        else:
            np.testing.assert_allclose(p.grad.tolist(), ref, rtol=1e-6)
