"""The ops of issue 4 beyond the value cross-checks in opcases/nn_ops.py: errors (type and
message as torch), the random ops (dropout, uniform_/normal_/bernoulli_) checked by their
distribution and by the structure torch gives them (grad_fn, identity, gradient = mask), and
in-place forms returning self.
"""
import numpy as np
import pytest

pytest.importorskip("torch", reason="the checks compare against torch, which is missing")

import crosscheck as cc  # noqa: E402
from crosscheck import const, ints, randn  # noqa: E402


def nn_(m):
    return m._C._nn if m.__name__ == "torch" else m._C


ERRORS = [
    ("exp_int", lambda m, i: i.exp_(), ints(3)),
    ("sqrt_int", lambda m, i: i.sqrt_(), ints(3)),
    ("silu_int", lambda m, i: nn_(m).silu(i), ints(3)),
    ("gelu_int", lambda m, i: nn_(m).gelu(i), ints(3)),
    ("gelu_approximate", lambda m, x: nn_(m).gelu(x, approximate="fast"), randn(3)),
    ("softplus_int", lambda m, i: nn_(m).softplus(i), ints(3)),
    ("var_int", lambda m, i: m.var(i), ints(3)),
    ("std_int", lambda m, i: i.std(0), ints(3)),
    ("logsumexp_bad_dim", lambda m, x: m.logsumexp(x, 2), randn(3, 4)),
    ("index_select_float_index", lambda m, x: x.index_select(1, m.tensor([0.0])), randn(3, 4)),
    ("index_select_2d_index", lambda m, x: x.index_select(1, m.tensor([[0]])), randn(3, 4)),
    ("index_select_oob", lambda m, x: x.index_select(1, m.tensor([7])), randn(3, 4)),
    ("index_select_negative", lambda m, x: x.index_select(0, m.tensor([-1])), randn(3, 4)),
    ("masked_fill_long_mask", lambda m, x, i: x.masked_fill(i, 1.0), randn(3, 4), ints(3, 4)),
    ("masked_fill_1d_value", lambda m, x: x.masked_fill(x > 0, m.ones(2)), randn(3, 4)),
    ("masked_fill__bcast", lambda m, x: (x * 1).masked_fill_(m.ones(2, 3, dtype=m.bool), 1.0),
     randn(3)),
    ("tril_1d", lambda m, x: m.tril(x), randn(3)),
    ("triu_0d", lambda m, x: x.triu(), randn()),
    ("one_hot_too_big", lambda m, i: nn_(m).one_hot(i, 3), const([0, 5])),
    ("one_hot_negative", lambda m, i: nn_(m).one_hot(i), const([0, -1])),
    ("one_hot_float", lambda m, x: nn_(m).one_hot(x), randn(3)),
    ("one_hot_empty_infer", lambda m: nn_(m).one_hot(m.zeros(0, dtype=m.int64))),
    ("one_hot_zero_classes", lambda m, i: nn_(m).one_hot(i, 0), const([1])),
    ("layer_norm_shape", lambda m, x: m.layer_norm(x, (3,)), randn(3, 4)),
    ("layer_norm_weight", lambda m, x, w: m.layer_norm(x, (4,), w), randn(3, 4), randn(3)),
    ("layer_norm_bias", lambda m, x, b: m.layer_norm(x, (4,), None, b), randn(3, 4), randn(2)),
    ("embedding_oob", lambda m, w: m.embedding(w, m.tensor([5])), randn(5, 3)),
    ("embedding_negative", lambda m, w: m.embedding(w, m.tensor([-1])), randn(5, 3)),
    ("embedding_float_idx", lambda m, w: m.embedding(w, m.tensor([0.0])), randn(5, 3)),
    ("embedding_1d_weight", lambda m, w: m.embedding(w, m.tensor([1])), randn(5)),
    ("conv2d_channels", lambda m, x, w: m.conv2d(x, w), randn(1, 3, 5, 5), randn(3, 2, 3, 3)),
    ("conv2d_2d_input", lambda m, x, w: m.conv2d(x, w), randn(5, 5), randn(3, 2, 3, 3)),
    ("conv2d_groups", lambda m, x, w: m.conv2d(x, w, groups=2), randn(1, 4, 5, 5),
     randn(3, 2, 3, 3)),
    ("conv2d_small", lambda m, x, w: m.conv2d(x, w), randn(1, 2, 2, 2), randn(3, 2, 3, 3)),
    ("conv2d_dtype", lambda m, x, w: m.conv2d(x.double(), w), randn(1, 2, 5, 5),
     randn(3, 2, 3, 3)),
    ("conv2d_bias", lambda m, x, w, b: m.conv2d(x, w, b), randn(1, 2, 5, 5), randn(3, 2, 3, 3),
     randn(2)),
    ("conv2d_stride0", lambda m, x, w: m.conv2d(x, w, stride=0), randn(1, 2, 5, 5),
     randn(3, 2, 3, 3)),
    ("conv2d_negative_padding", lambda m, x, w: m.conv2d(x, w, padding=-1), randn(1, 2, 5, 5),
     randn(3, 2, 3, 3)),
    ("conv2d_stride_len", lambda m, x, w: m.conv2d(x, w, stride=(1, 2, 3)), randn(1, 2, 5, 5),
     randn(3, 2, 3, 3)),
    ("conv2d_padding_len", lambda m, x, w: m.conv2d(x, w, padding=(1, 1, 1)),
     randn(1, 2, 5, 5), randn(3, 2, 3, 3)),
    ("conv2d_padding_string", lambda m, x, w: m.conv2d(x, w, padding="full"),
     randn(1, 2, 5, 5), randn(3, 2, 3, 3)),
    ("conv2d_same_strided", lambda m, x, w: m.conv2d(x, w, stride=2, padding="same"),
     randn(1, 2, 5, 5), randn(3, 2, 3, 3)),
    ("pad_odd", lambda m, x: nn_(m).pad(x, [1]), randn(2, 3)),
    ("pad_too_long", lambda m, x: nn_(m).pad(x, [1, 1, 1, 1, 1, 1]), randn(2, 3)),
    ("pad_crop_too_much", lambda m, x: nn_(m).pad(x, [-5, 1]), randn(2, 4)),
    ("pad_mode", lambda m, x: nn_(m).pad(x, [1, 1], "foo"), randn(2, 3)),
    ("max_pool2d_padding", lambda m, x: m.max_pool2d(x, 3, padding=2), randn(1, 1, 4, 4)),
    ("max_pool2d_2d", lambda m, x: m.max_pool2d(x, 2), randn(4, 4)),
    ("max_pool2d_too_small", lambda m, x: m.max_pool2d(x, 2), randn(1, 1, 1, 1)),
    ("max_pool2d_stride0", lambda m, x: m.max_pool2d(x, 2, 0), randn(1, 1, 4, 4)),
    ("dropout_p_high", lambda m, x: m.dropout(x, 1.5, True), randn(3)),
    ("dropout_p_negative_eval", lambda m, x: m.dropout(x, -0.1, False), randn(3)),
    ("dropout_int", lambda m, i: m.dropout(i, 0.5, True), ints(3)),
    ("uniform_range", lambda m, x: x.uniform_(2, 1), randn(3, rg=False)),
    ("uniform_int", lambda m, i: i.uniform_(), ints(3)),
    ("normal_std", lambda m, x: x.normal_(0, -1), randn(3, rg=False)),
    ("normal_int", lambda m, i: i.normal_(), ints(3)),
    ("bernoulli_p", lambda m, x: x.bernoulli_(1.5), randn(3, rg=False)),
    ("uniform_leaf", lambda m, x: x.uniform_(), randn(3)),
    ("embedding_renorm__leaf", lambda m, w: m.embedding_renorm_(w, m.tensor([1]), 1.0, 2.0),
     randn(5, 3)),
    ("lerp_int", lambda m, i: m.lerp(i, i, 0.5), ints(3)),
    ("lerp_int_tensor_weight", lambda m, i: m.lerp(i, i, i), ints(3)),
    ("addcdiv_int", lambda m, i: m.addcdiv(i, i, i), ints(3, low=1)),
    ("layer_norm_weight_dtype", lambda m, x: m.layer_norm(x, [3], x[0].double()), randn(2, 3)),
    ("layer_norm_input_dtype", lambda m, x: m.layer_norm(x.double(), [3], x[0]), randn(2, 3)),
    ("conv2d_bias_dtype", lambda m, x, w, b: m.conv2d(x, w, b.double()), randn(1, 1, 3, 3),
     randn(1, 1, 2, 2), randn(1)),
    ("lerp_dtype", lambda m, x: m.lerp(x, x.double(), 0.5), randn(3)),
    ("lerp_weight_dtype", lambda m, x: m.lerp(x, x, x.double()), randn(3)),
    ("addcmul__bcast", lambda m, x, y: (x * 1).addcmul_(y, y), randn(3), randn(2, 3)),
    ("argmax_empty", lambda m, x: m.argmax(x), randn(0)),
    ("argmin_empty_dim", lambda m, x: x.argmin(0), randn(0, 3)),
    # F.pad's non-constant modes
    ("pad_reflect_too_wide", lambda m, x: m._C._nn.pad(x, [5, 5], "reflect") if m.__name__ ==
     "torch" else m._C.pad(x, [5, 5], "reflect"), randn(1, 2, 5)),
] + [(f"pad_{mode}_{i}", (lambda m, x, p=p, mode=mode, v=v: m.nn.functional.pad(x, p, mode, *v)),
      randn(*shape))
     for mode in ("reflect", "replicate", "circular")
     for i, (shape, p, v) in enumerate([
         ((1, 2, 5), [1, 2, 3, 4], ()), ((1, 2, 5, 5), [1, 1, 5, 1], ()), ((1, 2, 5), [1], ()),
         ((5,), [1, 1], ()), ((1, 2, 5, 5), [1, 1], ()), ((1, 2, 5), [6, 1], ()),
         ((1, 2, 5), [1, 1, 1, 1, 1, 1], ()), ((1, 2, 5), [-3, -3], ()),
         ((1, 2, 5), [-6, 1], ()), ((1, 0, 5), [1, 1], ()), ((2, 0, 3, 3), [1, 1, 1, 1], ()),
         ((1, 2, 5), [1, 1], (1.0,)), ((3,), [1, 1, 1, 1, 1, 1], ()),
         ((2, 3), [-3, -1], ()), ((2, 3), [0, 6], ())])] + [
    ("pad_unknown_mode", lambda m, x: m.nn.functional.pad(x, [1, 1], "foo"), randn(1, 2, 5)),
]


def _torch_raises(fn, inputs):
    """The pad cases above are a grid over modes; keep the ones torch rejects."""
    try:
        cc.run_in(cc.reference(), fn, [cc.as_arg(x) for x in inputs],
                  cc.draw([cc.as_arg(x) for x in inputs], np.random.default_rng(0)), "float32",
                  True)
    except Exception:  # noqa: BLE001
        return True
    return False


ERRORS = [e for e in ERRORS if not e[0].startswith("pad_") or _torch_raises(e[1], e[2:])]


@pytest.mark.parametrize("fn,inputs", [pytest.param(f, i, id=n) for n, f, *i in ERRORS])
def test_errors_match_torch(fn, inputs):
    cc.check_raises(fn, *inputs, label="error")


# ------------------------------------------------------------------------------ random ops


def _np(t):
    return np.array(t.detach().tolist(), dtype=np.float64)


@pytest.mark.parametrize("p", [0.5, 0.2])
def test_dropout_mask_scale_and_gradient(p):
    tg = cc.tg()
    tg.manual_seed(0)
    x = tg.randn(200, 100, dtype=tg.float64, requires_grad=True)
    h = x * 1
    y = tg.dropout(h, p, True)
    assert type(y.grad_fn).__name__ == "MulBackward0"
    xs, ys = _np(x), _np(y)
    kept = ys != 0
    np.testing.assert_allclose(ys[kept], xs[kept] / (1 - p), rtol=1e-12)
    assert abs((~kept).mean() - p) < 0.02, (~kept).mean()
    up = tg.randn(200, 100, dtype=tg.float64)
    (g,) = tg.autograd.grad(y, x, up)
    np.testing.assert_allclose(_np(g), np.where(kept, _np(up) / (1 - p), 0.0), rtol=1e-12)


def test_dropout_identity_and_in_place():
    tg = cc.tg()
    x = tg.randn(3, 4, requires_grad=True)
    assert tg.dropout(x, 0.0, True) is x
    assert tg.dropout(x, 0.7, False) is x
    h = x * 1
    assert tg.dropout_(h, 0.5, True) is h
    assert type(h.grad_fn).__name__ == "MulBackward0"
    v = _np(h)
    assert np.all((v == 0) | np.isclose(v, 2 * _np(x)))


def test_dropout_float32_keeps_dtype():
    tg = cc.tg()
    y = tg.dropout(tg.ones(1000), 0.25, True)
    assert y.dtype == tg.float32
    assert set(np.unique(_np(y)).round(6)) <= {0.0, round(1 / 0.75, 6)}


def test_uniform_normal_bernoulli_distributions():
    tg = cc.tg()
    tg.manual_seed(1)
    t = tg.empty(100000, dtype=tg.float64)
    assert t.uniform_(-2, 3) is t
    v = _np(t)
    assert v.min() >= -2 and v.max() < 3 and abs(v.mean() - 0.5) < 0.03
    assert t.normal_(1.0, 2.0) is t
    v = _np(t)
    assert abs(v.mean() - 1.0) < 0.03 and abs(v.std() - 2.0) < 0.03
    assert t.bernoulli_(0.3) is t
    v = _np(t)
    assert set(np.unique(v)) <= {0.0, 1.0} and abs(v.mean() - 0.3) < 0.01
    i = tg.zeros(1000, dtype=tg.int64).bernoulli_(0.5)
    assert i.dtype == tg.int64 and set(np.unique(_np(i))) <= {0.0, 1.0}


def test_random_fills_reproducible_and_strided():
    tg = cc.tg()
    tg.manual_seed(7)
    a = _np(tg.empty(50).uniform_())
    tg.manual_seed(7)
    assert np.array_equal(a, _np(tg.empty(50).uniform_()))
    t = tg.zeros(4, 6).t()  # non-contiguous: every element must be written
    t.normal_()
    assert np.all(_np(t) != 0)
    assert t.uniform_(0, 1, generator=None) is t  # nn.init passes generator=
    w = tg.zeros(3, 3, requires_grad=True)
    with tg.no_grad():  # nn.init's pattern on a parameter
        w.uniform_(-1, 1)
    assert w.requires_grad and w.grad_fn is None and np.all(np.abs(_np(w)) <= 1)


@pytest.mark.parametrize("name,args", [("uniform_", ()), ("normal_", ()), ("bernoulli_", (0.5,))])
def test_random_fill_records_zero_gradient(name, args):
    torch, tg = cc.reference(), cc.tg()
    names, grads = [], []
    for m in (torch, tg):
        x = m.ones(2, 3, requires_grad=True)
        h = x * 2
        getattr(h, name)(*args)
        names.append(type(h.grad_fn).__name__)
        (h * 3).sum().backward()
        grads.append(_np(x.grad))
    assert names[0] == names[1]
    np.testing.assert_array_equal(grads[0], grads[1])


@pytest.mark.parametrize("name,args", [
    ("exp_", ()), ("sigmoid_", ()), ("tanh_", ()), ("masked_fill_", "mask"), ("tril_", ()),
    ("triu_", (1,)), ("addcmul_", "two"), ("addcdiv_", "two"), ("lerp_", "lerp"),
    ("uniform_", ()), ("normal_", ()), ("bernoulli_", ()),
])
def test_inplace_returns_self(name, args):
    tg = cc.tg()
    h = tg.ones(3, 3, requires_grad=True) * 2
    if args == "mask":
        args = (h > 5, 0.0)
    elif args == "two":
        args = (tg.ones(3, 3), tg.ones(3, 3))
    elif args == "lerp":
        args = (tg.zeros(3, 3), 0.5)
    assert getattr(h, name)(*args) is h


# ------------------------------------------------------------------------------ top level


def test_top_level_functional_names_like_torch():
    """torch re-exports some functional ops at its top level (torch.conv2d, torch.layer_norm)
    but not others (gelu, silu, pad, one_hot stay in torch.nn.functional): the same split."""
    if cc.backend_name() == "torch":
        pytest.skip("compares tapegrad's top level with torch's")
    torch, tg = cc.reference(), cc.tg()
    names = set(tg.nn.functional.__all__) | {n for n in dir(tg._C) if n[0].islower()}
    differ = sorted(n for n in names if hasattr(torch, n) != hasattr(tg, n))
    assert not differ


def test_top_level_binary_cross_entropy_with_logits():
    """torch.binary_cross_entropy_with_logits is the aten form: reduction is an int."""
    def run(m, r):
        x, t = m.tensor([0.5, -1.0, 2.0]), m.tensor([1.0, 0.0, 0.5])
        f = m.binary_cross_entropy_with_logits
        return (f(x, t) if r is None else f(x, t, None, None, r)).tolist()
    for r in (None, 0, 1, 2, 3):
        np.testing.assert_allclose(run(cc.tg(), r), run(cc.reference(), r), rtol=1e-6)
    cc.check_raises(lambda m, x: m.binary_cross_entropy_with_logits(x, x, reduction="mean"),
                    randn(3))
    x = cc.tg().ones(2, 6)
    assert cc.tg().unflatten(x, 1, (2, 3)).shape == (2, 2, 3)
