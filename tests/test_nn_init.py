"""nn.init against torch: exact gains and fan computations, error messages, and the statistics
of each random initialiser on large tensors (bounds exact, moments within sampling tolerance,
since the two libraries draw from different generators); layer default initialisation.
Dry-run on torch with TAPEGRAD_TEST_BACKEND=torch.
"""
import math
import warnings

import numpy as np
import pytest

pytest.importorskip("torch", reason="the cross-checks compare against torch, which is missing")

import crosscheck as cc  # noqa: E402

SHAPES = [(3, 4), (5, 3, 2, 2), (2, 3, 4, 5, 6), (7, 1)]


@pytest.fixture(autouse=True)
def _seeded():
    # Fixed draws: the statistical bounds below are 5 sigma, so a seed makes them repeatable.
    cc.tg().manual_seed(1234)


def values(t):
    return np.array(t.detach().tolist(), dtype=np.float64).ravel()


@pytest.mark.parametrize("shape", SHAPES)
def test_fan_in_and_fan_out_match_torch(shape):
    torch, m = cc.reference(), cc.tg()
    assert m.nn.init._calculate_fan_in_and_fan_out(m.empty(shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


@pytest.mark.parametrize("args", [("linear",), ("conv2d",), ("sigmoid",), ("tanh",), ("relu",),
                                  ("leaky_relu",), ("leaky_relu", 0.2), ("leaky_relu", 3),
                                  ("selu",), ("conv_transpose3d",)])
def test_calculate_gain_matches_torch(args):
    torch, m = cc.reference(), cc.tg()
    assert m.nn.init.calculate_gain(*args) == torch.nn.init.calculate_gain(*args)


@pytest.mark.parametrize("call", [
    lambda m: m.nn.init.calculate_gain("softsign2"),
    lambda m: m.nn.init.calculate_gain("leaky_relu", True),
    lambda m: m.nn.init._calculate_fan_in_and_fan_out(m.empty(4)),
    lambda m: m.nn.init.kaiming_uniform_(m.empty(3, 4), mode="fan_avg"),
    lambda m: m.nn.init.xavier_normal_(m.empty(5)),
])
def test_init_errors_match_torch(call):
    torch, m = cc.reference(), cc.tg()
    with pytest.raises(Exception) as ref:
        call(torch)
    with pytest.raises(type(ref.value)) as got:
        call(m)
    assert str(got.value) == str(ref.value)


def _uniform_stats(v, low, high):
    n = v.size
    assert v.min() >= low and v.max() <= high
    width = high - low
    # The extremes of n uniform draws lie within a few widths/n of the bounds.
    assert v.min() - low < 20 * width / n and high - v.max() < 20 * width / n
    assert abs(v.mean() - (low + high) / 2) < 5 * width / math.sqrt(12 * n)
    # The sample variance of a uniform has relative sd sqrt(0.8 / n): allow 5 of them.
    assert abs(v.var() / (width**2 / 12) - 1) < 5 * math.sqrt(0.8 / n)


def _normal_stats(v, mean, std):
    n = v.size
    assert abs(v.mean() - mean) < 5 * std / math.sqrt(n)
    assert abs(v.std() / std - 1) < 5 * math.sqrt(0.5 / n)


SIZE = (300, 200)  # fan_in 200, fan_out 300


@pytest.mark.parametrize("a,mode,nl", [(math.sqrt(5), "fan_in", "leaky_relu"),
                                       (0, "fan_out", "relu"), (0.1, "fan_in", "leaky_relu"),
                                       (0, "FAN_IN", "tanh")])
def test_kaiming_uniform_bounds(a, mode, nl):
    m, torch = cc.tg(), cc.reference()
    gain = torch.nn.init.calculate_gain(nl, a)
    fan = 200 if mode.lower() == "fan_in" else 300
    bound = math.sqrt(3) * gain / math.sqrt(fan)
    t = m.empty(SIZE)
    out = m.nn.init.kaiming_uniform_(t, a=a, mode=mode, nonlinearity=nl)
    assert out is t
    _uniform_stats(values(t), -bound, bound)


@pytest.mark.parametrize("mode,fan", [("fan_in", 200), ("fan_out", 300)])
def test_kaiming_normal_std(mode, fan):
    m = cc.tg()
    t = m.empty(SIZE, dtype=m.float64)
    m.nn.init.kaiming_normal_(t, mode=mode, nonlinearity="relu")
    _normal_stats(values(t), 0.0, math.sqrt(2) / math.sqrt(fan))


@pytest.mark.parametrize("gain", [1.0, 2.5])
def test_xavier(gain):
    m = cc.tg()
    a = gain * math.sqrt(6 / 500)
    t = m.empty(SIZE)
    m.nn.init.xavier_uniform_(t, gain=gain)
    _uniform_stats(values(t), -a, a)
    m.nn.init.xavier_normal_(t, gain)
    _normal_stats(values(t), 0.0, gain * math.sqrt(2 / 500))


def test_uniform_normal_constant_fills():
    m = cc.tg()
    t = m.empty(SIZE, dtype=m.float64)
    assert m.nn.init.uniform_(t, a=-2.0, b=5.0) is t
    _uniform_stats(values(t), -2.0, 5.0)
    assert m.nn.init.normal_(t, mean=2.0, std=3.0) is t
    _normal_stats(values(t), 2.0, 3.0)
    m.nn.init.uniform_(t)
    _uniform_stats(values(t), 0.0, 1.0)
    assert m.nn.init.constant_(t, 0.25) is t and set(values(t)) == {0.25}
    assert m.nn.init.ones_(t) is t and set(values(t)) == {1.0}
    assert m.nn.init.zeros_(t) is t and set(values(t)) == {0.0}


def test_init_on_parameter_records_nothing():
    m = cc.tg()
    p = m.nn.Parameter(m.empty(4, 5))
    for fn in (m.nn.init.kaiming_uniform_, m.nn.init.xavier_normal_, m.nn.init.zeros_,
               lambda t: m.nn.init.constant_(t, 3.0), m.nn.init.normal_):
        out = fn(p)
        assert out is p and p.is_leaf and p.grad_fn is None and p.requires_grad
        assert isinstance(out, m.nn.Parameter)


def test_zero_element_warns_like_torch():
    torch, m = cc.reference(), cc.tg()
    msgs = []
    for lib in (torch, m):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lib.nn.init.kaiming_uniform_(lib.empty(0, 3))
        msgs.append([str(x.message) for x in w])
    assert msgs[0] == msgs[1] == ["Initializing zero-element tensors is a no-op"]


def test_manual_seed_makes_init_reproducible():
    m = cc.tg()
    m.manual_seed(3)
    a = m.nn.Linear(6, 4)
    m.manual_seed(3)
    b = m.nn.Linear(6, 4)
    assert a.weight.tolist() == b.weight.tolist() and a.bias.tolist() == b.bias.tolist()


# ------------------------------------------------------------------ default layer init


def test_linear_default_init():
    m = cc.tg()
    lin = m.nn.Linear(400, 300)
    _uniform_stats(values(lin.weight), -1 / 20, 1 / 20)
    b = values(lin.bias)
    assert b.min() >= -1 / 20 and b.max() <= 1 / 20 and b.std() > 0.02
    assert lin.weight.dtype == m.float32 and lin.weight.requires_grad
    assert m.nn.Linear(3, 2, dtype=m.float64).weight.dtype == m.float64


def test_conv2d_default_init():
    m = cc.tg()
    conv = m.nn.Conv2d(8, 64, 5, groups=2)  # fan_in = 4 * 25 = 100
    assert tuple(conv.weight.shape) == (64, 4, 5, 5)
    _uniform_stats(values(conv.weight), -0.1, 0.1)
    b = values(conv.bias)
    assert b.min() >= -0.1 and b.max() <= 0.1


def test_embedding_default_init_and_padding_row():
    m = cc.tg()
    emb = m.nn.Embedding(500, 64, padding_idx=3)
    v = np.array(emb.weight.tolist())
    assert (v[3] == 0).all()
    _normal_stats(np.delete(v, 3, axis=0).ravel(), 0.0, 1.0)
    assert m.nn.Embedding(5, 2, padding_idx=-2).padding_idx == 3


def test_layernorm_default_init():
    m = cc.tg()
    ln = m.nn.LayerNorm((3, 4))
    assert ln.weight.tolist() == [[1.0] * 4] * 3 and ln.bias.tolist() == [[0.0] * 4] * 3
    assert m.nn.LayerNorm(4, elementwise_affine=False).weight is None


def _phi(x):
    return math.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def _Phi(x):
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


@pytest.mark.parametrize("mean,std,a,b", [(0.0, 1.0, -2.0, 2.0), (0.5, 1.0, -1.0, 1.5),
                                          (0.0, 0.02, -0.04, 0.04)])
def test_trunc_normal_moments(mean, std, a, b):
    m = cc.tg()
    t = m.empty(SIZE, dtype=m.float64)
    assert m.nn.init.trunc_normal_(t, mean=mean, std=std, a=a, b=b) is t
    v = values(t)
    assert v.min() >= a and v.max() <= b
    # Moments of the normal truncated to [a, b].
    lo, hi = (a - mean) / std, (b - mean) / std
    z = _Phi(hi) - _Phi(lo)
    mu = mean + std * (_phi(lo) - _phi(hi)) / z
    var = std**2 * (1 + (lo * _phi(lo) - hi * _phi(hi)) / z - ((_phi(lo) - _phi(hi)) / z) ** 2)
    n = v.size
    assert abs(v.mean() - mu) < 5 * math.sqrt(var / n)
    assert abs(v.var() / var - 1) < 5 * math.sqrt(2 / n)


def test_eye_matches_torch():
    torch, m = cc.reference(), cc.tg()
    for shape in [(2, 3), (4, 2), (3, 3)]:
        p = m.nn.Parameter(m.empty(shape))
        assert m.nn.init.eye_(p) is p and p.requires_grad and p.is_leaf
        assert p.tolist() == torch.nn.init.eye_(torch.empty(shape)).tolist()


def test_eye_and_trunc_normal_messages_match_torch():
    import warnings
    results = []
    for lib in (cc.reference(), cc.tg()):
        with pytest.raises(ValueError) as info:
            lib.nn.init.eye_(lib.empty(3))
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lib.nn.init.trunc_normal_(lib.empty(10), mean=5.0, std=1.0, a=-1.0, b=1.0)
        results.append((str(info.value), [str(x.message) for x in w]))
    assert results[1] == results[0]


# ---- orthogonal_ / dirac_ / sparse_ and the deprecated names (helper S) ----
# tapegrad's generator reproduces torch's normal_ / randperm streams, so under the same seed
# these initialisers give torch's values (orthogonal_: up to the rounding of the QR step).

def _seeded_pair(fn, shape, *args):
    torch, m = cc.reference(), cc.tg()
    torch.manual_seed(7)
    ref = fn(torch)(torch.empty(shape), *args)
    m.manual_seed(7)
    got = fn(m)(m.empty(shape), *args)
    return np.array(got.tolist()), ref.numpy()


@pytest.mark.parametrize("shape,gain", [((3, 5), 1.0), ((5, 3), 2.0), ((4, 2, 3), 1.0),
                                        ((6, 6), 0.5), ((1, 4), 1.0), ((4, 1), 1.0),
                                        ((2, 3, 2, 2), 3.0)])
def test_orthogonal_matches_torch_under_same_seed(shape, gain):
    got, ref = _seeded_pair(lambda lib: lib.nn.init.orthogonal_, shape, gain)
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-6)
    flat = got.reshape(shape[0], -1) / gain
    small = min(flat.shape)
    gram = flat @ flat.T if flat.shape[0] == small else flat.T @ flat
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-5)


def test_orthogonal_float64_parameter_and_empty():
    torch, m = cc.reference(), cc.tg()
    torch.manual_seed(3)
    ref = torch.nn.init.orthogonal_(torch.empty(4, 6, dtype=torch.float64))
    m.manual_seed(3)
    p = m.nn.Parameter(m.empty(4, 6, dtype=m.float64))
    assert m.nn.init.orthogonal_(p) is p and p.requires_grad and p.grad_fn is None
    np.testing.assert_allclose(np.array(p.tolist()), ref.numpy(), rtol=1e-10, atol=1e-12)
    e = m.empty(0, 3)
    assert m.nn.init.orthogonal_(e) is e


@pytest.mark.parametrize("shape,groups", [((4, 3, 3), 1), ((6, 3, 3, 3), 2), ((2, 2, 1, 2, 3), 1),
                                          ((3, 5, 4), 3), ((4, 2, 5, 5), 1), ((2, 4, 3), 2)])
def test_dirac_matches_torch(shape, groups):
    torch, m = cc.reference(), cc.tg()
    ref = torch.nn.init.dirac_(torch.empty(shape), groups)
    got = m.nn.init.dirac_(m.empty(shape), groups)
    assert got.tolist() == ref.tolist()


@pytest.mark.parametrize("shape,sparsity,std", [((6, 4), 0.3, 0.01), ((10, 3), 0.5, 1.0),
                                                ((5, 5), 0.0, 0.02), ((3, 7), 1.0, 0.1)])
def test_sparse_matches_torch_under_same_seed(shape, sparsity, std):
    got, ref = _seeded_pair(lambda lib: lib.nn.init.sparse_, shape, sparsity, std)
    np.testing.assert_array_equal(got == 0, ref == 0)
    np.testing.assert_allclose(got, ref, rtol=1e-6, atol=0)


@pytest.mark.parametrize("call", [
    lambda m: m.nn.init.orthogonal_(m.empty(3)),
    lambda m: m.nn.init.dirac_(m.empty(3, 3)),
    lambda m: m.nn.init.dirac_(m.empty(3, 3, 3, 3, 3, 3)),
    lambda m: m.nn.init.dirac_(m.empty(3, 3, 3), 2),
    lambda m: m.nn.init.sparse_(m.empty(3, 3, 3), 0.2),
    lambda m: m.nn.init.sparse_(m.empty(3), 0.2),
])
def test_new_init_errors_match_torch(call):
    torch, m = cc.reference(), cc.tg()
    with pytest.raises(Exception) as ref:
        call(torch)
    with pytest.raises(type(ref.value)) as got:
        call(m)
    assert str(got.value) == str(ref.value)


@pytest.mark.parametrize("name,args", [
    ("uniform", (0.0, 1.0)), ("normal", (0.0, 1.0)), ("constant", (0.5,)), ("eye", ()),
    ("dirac", ()), ("xavier_uniform", ()), ("xavier_normal", ()), ("kaiming_uniform", ()),
    ("kaiming_normal", ()), ("orthogonal", ()), ("sparse", (0.5,)),
])
def test_deprecated_aliases_warn_like_torch_and_fill_like_the_new_names(name, args):
    torch, m = cc.reference(), cc.tg()
    shape = (3, 4, 3) if name == "dirac" else (3, 4)
    out = []
    for lib in (torch, m):
        lib.manual_seed(11)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            t = getattr(lib.nn.init, name)(lib.empty(shape), *args)
        out.append(([(x.category, str(x.message)) for x in w], np.array(t.tolist())))
    assert out[1][0] == out[0][0]
    np.testing.assert_allclose(out[1][1], out[0][1], rtol=1e-5, atol=1e-6)
