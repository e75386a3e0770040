"""The activation, loss and distance modules with arguments against torch (helper A's block):
forward values and grad_fn names, input and parameter gradients (PReLU's weight) and the forward
after an SGD step in float64/float32 (test_nn_modules.check_module); reprs equal to torch's;
in-place forms (identity, leaf errors, torch's in-place backward errors); torch's errors (type
and message) for bad arguments; kl_div's 'mean' warning. The functional forms are op cases in
tests/opcases/activations.py. Dry-run on torch with TAPEGRAD_TEST_BACKEND=torch.
"""
import warnings

import numpy as np
import pytest

pytest.importorskip("torch", reason="the cross-checks compare against torch, which is missing")

import crosscheck as cc  # noqa: E402
from crosscheck import pos, randn  # noqa: E402
from test_errors import assert_same_error  # noqa: E402
from test_nn_modules import check_module  # noqa: E402


def nn(m):
    return m.nn


TARGET_SIGNS = cc.const([[1.0, -1.0, 1.0, -1.0], [-1.0, -1.0, 1.0, 1.0],
                         [1.0, 1.0, -1.0, 1.0]], rg=False)

MODULE_CASES = [
    ("LeakyReLU", lambda m: nn(m).LeakyReLU(), [randn(3, 4)]),
    ("LeakyReLU/slope_inplace", lambda m: nn(m).Sequential(nn(m).Linear(4, 4),
                                                           nn(m).LeakyReLU(0.2, True)),
     [randn(3, 4)]),
    ("ELU", lambda m: nn(m).ELU(alpha=0.5), [randn(3, 4)]),
    ("ELU/inplace", lambda m: nn(m).Sequential(nn(m).Linear(4, 4), nn(m).ELU(inplace=True)),
     [randn(3, 4)]),
    ("SELU", lambda m: nn(m).SELU(), [randn(3, 4)]),
    ("CELU", lambda m: nn(m).CELU(1.5), [randn(3, 4)]),
    ("Hardtanh", lambda m: nn(m).Hardtanh(-0.5, 0.5), [randn(3, 4)]),
    ("ReLU6", lambda m: nn(m).Sequential(nn(m).Linear(4, 5), nn(m).ReLU6(inplace=True)),
     [randn(3, 4)]),
    ("Hardsigmoid", lambda m: nn(m).Hardsigmoid(), [randn(3, 4)]),
    ("Hardswish", lambda m: nn(m).Sequential(nn(m).Linear(4, 4), nn(m).Hardswish(True)),
     [randn(3, 4)]),
    ("Mish", lambda m: nn(m).Mish(), [randn(3, 4)]),
    ("LogSigmoid", lambda m: nn(m).LogSigmoid(), [randn(3, 4)]),
    ("Softsign", lambda m: nn(m).Softsign(), [randn(3, 4)]),
    ("Tanhshrink", lambda m: nn(m).Tanhshrink(), [randn(3, 4)]),
    ("Softshrink", lambda m: nn(m).Softshrink(0.3), [randn(3, 4)]),
    ("Hardshrink", lambda m: nn(m).Hardshrink(), [randn(3, 4)]),
    ("Threshold", lambda m: nn(m).Threshold(0.1, 20), [randn(3, 4)]),
    ("GLU", lambda m: nn(m).GLU(dim=1), [randn(3, 4)]),
    ("PReLU/shared", lambda m: nn(m).PReLU(), [randn(2, 3, 4)]),
    ("PReLU/channels", lambda m: nn(m).Sequential(nn(m).Linear(4, 3), nn(m).PReLU(3, 0.1)),
     [randn(5, 4)]),
    ("SmoothL1Loss", lambda m: nn(m).SmoothL1Loss(beta=0.5), [randn(3, 4), randn(3, 4)]),
    ("SmoothL1Loss/sum", lambda m: nn(m).SmoothL1Loss(reduction="sum"),
     [randn(3, 4), randn(3, 4)]),
    ("HuberLoss", lambda m: nn(m).HuberLoss(delta=0.5), [randn(3, 4), randn(3, 4)]),
    ("KLDivLoss", lambda m: nn(m).KLDivLoss(reduction="batchmean", log_target=True),
     [randn(3, 4), randn(3, 4)]),
    ("SoftMarginLoss", lambda m: nn(m).SoftMarginLoss(), [randn(3, 4), TARGET_SIGNS]),
    ("MarginRankingLoss", lambda m: nn(m).MarginRankingLoss(0.5),
     [randn(4), randn(4), cc.const([1.0, -1.0, -1.0, 1.0], rg=False)]),
    ("HingeEmbeddingLoss", lambda m: nn(m).HingeEmbeddingLoss(2.0), [randn(3, 4), TARGET_SIGNS]),
    ("CosineEmbeddingLoss", lambda m: nn(m).CosineEmbeddingLoss(0.2, reduction="sum"),
     [randn(3, 4), randn(3, 4), cc.const([1.0, -1.0, 1.0], rg=False)]),
    ("PoissonNLLLoss", lambda m: nn(m).PoissonNLLLoss(), [randn(3, 4), pos(3, 4, rg=False)]),
    ("PoissonNLLLoss/full", lambda m: nn(m).PoissonNLLLoss(log_input=False, full=True),
     [pos(3, 4), pos(3, 4, rg=False)]),
    ("GaussianNLLLoss", lambda m: nn(m).GaussianNLLLoss(full=True),
     [randn(3, 4), randn(3, 4), pos(3, 4)]),
    ("TripletMarginLoss", lambda m: nn(m).TripletMarginLoss(margin=0.5, p=1, swap=True),
     [randn(3, 4), randn(3, 4), randn(3, 4)]),
    ("PairwiseDistance", lambda m: nn(m).PairwiseDistance(p=3, keepdim=True),
     [randn(3, 4), randn(3, 4)]),
    ("CosineSimilarity", lambda m: nn(m).CosineSimilarity(dim=0), [randn(3, 4), randn(3, 4)]),
]


@pytest.mark.parametrize("label,ctor,inputs", [pytest.param(*c, id=c[0]) for c in MODULE_CASES])
def test_module_against_torch(label, ctor, inputs):
    check_module(ctor, *inputs, label=label)


REPR_CASES = [c[1] for c in MODULE_CASES] + [
    lambda m: nn(m).LeakyReLU(0.2, inplace=True),
    lambda m: nn(m).ELU(2, inplace=True),
    lambda m: nn(m).SELU(inplace=True),
    lambda m: nn(m).CELU(),
    lambda m: nn(m).Hardtanh(),
    lambda m: nn(m).Hardtanh(-2, 3, True),
    lambda m: nn(m).ReLU6(),
    lambda m: nn(m).Hardsigmoid(inplace=True),
    lambda m: nn(m).Hardswish(inplace=True),
    lambda m: nn(m).Mish(inplace=True),
    lambda m: nn(m).Softshrink(1),
    lambda m: nn(m).Threshold(1, 2, inplace=True),
    lambda m: nn(m).GLU(),
    lambda m: nn(m).PReLU(3),
    lambda m: nn(m).KLDivLoss(),
    lambda m: nn(m).GaussianNLLLoss(),
    lambda m: nn(m).TripletMarginLoss(),
    lambda m: nn(m).PairwiseDistance(),
    lambda m: nn(m).CosineSimilarity(),
]


@pytest.mark.parametrize("ctor", REPR_CASES)
def test_repr_matches_torch(ctor):
    assert repr(ctor(cc.tg())) == repr(ctor(cc.reference()))


def test_prelu_parameter_matches_torch():
    torch, m = cc.reference(), cc.tg()
    for args in ((), (4,), (2, 0.5)):
        got, ref = m.nn.PReLU(*args), torch.nn.PReLU(*args)
        assert repr(got.weight) == repr(ref.weight)
        assert [n for n, _ in got.named_parameters()] == [n for n, _ in ref.named_parameters()]
    assert m.nn.PReLU(dtype=m.float64).weight.dtype == m.float64


INPLACE_FNS = [
    ("leaky_relu", lambda F, x: F.leaky_relu(x, inplace=True)),
    ("leaky_relu_", lambda F, x: F.leaky_relu_(x)),
    ("elu", lambda F, x: F.elu(x, inplace=True)),
    ("selu", lambda F, x: F.selu(x, inplace=True)),
    ("celu", lambda F, x: F.celu(x, inplace=True)),
    ("hardtanh", lambda F, x: F.hardtanh(x, inplace=True)),
    ("relu6", lambda F, x: F.relu6(x, inplace=True)),
    ("hardsigmoid", lambda F, x: F.hardsigmoid(x, inplace=True)),
    ("hardswish", lambda F, x: F.hardswish(x, inplace=True)),
    ("mish", lambda F, x: F.mish(x, inplace=True)),
    ("threshold", lambda F, x: F.threshold(x, 0.0, 1.0, inplace=True)),
    ("relu", lambda F, x: F.relu(x, inplace=True)),
]


@pytest.mark.parametrize("name,fn", INPLACE_FNS)
def test_inplace_returns_input_and_bumps_version(name, fn):
    m = cc.tg()
    x = m.randn(3, 4)
    v = x._version
    assert fn(m.nn.functional, x) is x
    assert x._version > v


@pytest.mark.parametrize("name,fn", INPLACE_FNS)
def test_inplace_on_leaf_requiring_grad_raises_like_torch(name, fn):
    assert_same_error(lambda m: fn(m.nn.functional, m.randn(3, 4, requires_grad=True)))


@pytest.mark.parametrize("name,fn", INPLACE_FNS)
def test_inplace_under_no_grad_on_leaf_matches_torch(name, fn):
    torch, m = cc.reference(), cc.tg()
    vals = [[-2.5, -0.5, 0.0, 0.25], [1.0, 3.5, -4.0, 7.0]]
    outs = []
    for lib in (torch, m):
        x = lib.tensor(vals, requires_grad=True)
        with lib.no_grad():
            fn(lib.nn.functional, x)
        outs.append(sum(x.detach().tolist(), []))
    assert outs[1] == pytest.approx(outs[0], rel=1e-6, abs=1e-6)


def _negative_inplace_backward(kind):
    def run(m):
        x = m.randn(3, 4, requires_grad=True)
        y = x * 1
        if kind == "leaky":
            m.nn.functional.leaky_relu_(y, -0.2)
        elif kind == "elu":
            m.nn.functional.elu_(y, -0.5)
        else:
            m.nn.functional.celu(y, -0.5, inplace=True)
        y.sum().backward()
    return run


@pytest.mark.parametrize("kind", ["leaky", "elu", "celu"])
def test_inplace_negative_slope_backward_raises_like_torch(kind):
    assert_same_error(_negative_inplace_backward(kind))


def _F(m):
    return m.nn.functional


ERRORS = {
    "leaky_relu_int": lambda m: _F(m).leaky_relu(m.arange(4)),
    "elu_bool": lambda m: _F(m).elu(m.ones(3, dtype=m.bool)),
    "selu_int": lambda m: _F(m).selu(m.arange(4)),
    "celu_zero_alpha": lambda m: _F(m).celu(m.randn(3), 0.0),
    "hardsigmoid_int": lambda m: _F(m).hardsigmoid(m.arange(4)),
    "hardswish_int": lambda m: _F(m).hardswish(m.arange(4)),
    "mish_int": lambda m: _F(m).mish(m.arange(4)),
    "logsigmoid_int": lambda m: _F(m).logsigmoid(m.arange(4)),
    "softshrink_int": lambda m: _F(m).softshrink(m.arange(4)),
    "softshrink_negative": lambda m: _F(m).softshrink(m.randn(3), -1.0),
    "softshrink_negative_double": lambda m: _F(m).softshrink(m.randn(3, dtype=m.float64), -2),
    "hardshrink_int": lambda m: _F(m).hardshrink(m.arange(4)),
    "hardtanh_bounds": lambda m: _F(m).hardtanh(m.randn(3), 2.0, 1.0),
    "Hardtanh_bounds": lambda m: m.nn.Hardtanh(2, 1),
    "glu_0d": lambda m: _F(m).glu(m.tensor(1.0)),
    "glu_odd": lambda m: _F(m).glu(m.randn(3, 5)),
    "glu_bad_dim": lambda m: _F(m).glu(m.randn(4, 4), dim=2),
    "glu_int": lambda m: _F(m).glu(m.arange(4)),
    "prelu_channels": lambda m: _F(m).prelu(m.randn(2, 3, 4), m.randn(4)),
    "prelu_weight_2d": lambda m: _F(m).prelu(m.randn(2, 3, 4), m.randn(3, 1)),
    "prelu_0d_input": lambda m: _F(m).prelu(m.tensor(1.0), m.randn(2)),
    "prelu_1d_channels": lambda m: _F(m).prelu(m.randn(3), m.randn(3)),
    "prelu_dtypes": lambda m: _F(m).prelu(m.randn(3, 2), m.randn(2, dtype=m.float64)),
    "smooth_l1_bad_reduction": lambda m: _F(m).smooth_l1_loss(m.randn(3), m.randn(3),
                                                              reduction="bad"),
    "smooth_l1_negative_beta": lambda m: _F(m).smooth_l1_loss(m.randn(3), m.randn(3), beta=-1),
    "smooth_l1_int": lambda m: _F(m).smooth_l1_loss(m.arange(3), m.arange(3)),
    "smooth_l1_shapes": lambda m: _F(m).smooth_l1_loss(m.randn(4, 5), m.randn(3)),
    "huber_bad_reduction": lambda m: _F(m).huber_loss(m.randn(3), m.randn(3), reduction="x"),
    "huber_zero_delta": lambda m: _F(m).huber_loss(m.randn(3), m.randn(3), delta=0),
    "huber_int": lambda m: _F(m).huber_loss(m.arange(3), m.arange(3)),
    "soft_margin_bad_reduction": lambda m: _F(m).soft_margin_loss(m.randn(3), m.randn(3),
                                                                  reduction="avg"),
    "soft_margin_target_grad": lambda m: _F(m).soft_margin_loss(
        m.randn(3), m.randn(3, requires_grad=True)),
    "kl_div_bad_reduction": lambda m: _F(m).kl_div(m.randn(3), m.rand(3), reduction="avg"),
    "margin_ranking_dims": lambda m: _F(m).margin_ranking_loss(m.randn(3), m.randn(3),
                                                               m.randn(1, 3)),
    "margin_ranking_bad_reduction": lambda m: _F(m).margin_ranking_loss(
        m.randn(3), m.randn(3), m.randn(3), reduction="avg"),
    "hinge_bad_reduction": lambda m: _F(m).hinge_embedding_loss(m.randn(3), m.randn(3),
                                                                reduction="avg"),
    "cosine_embedding_target_dims": lambda m: _F(m).cosine_embedding_loss(
        m.randn(3, 4), m.randn(3, 4), m.randn(3, 1)),
    "cosine_embedding_0d_target": lambda m: _F(m).cosine_embedding_loss(
        m.randn(3, 4), m.randn(3, 4), m.tensor(1.0)),
    "cosine_embedding_1d_target": lambda m: _F(m).cosine_embedding_loss(
        m.randn(4), m.randn(4), m.ones(4)),
    "poisson_bad_reduction": lambda m: _F(m).poisson_nll_loss(m.randn(3), m.rand(3),
                                                              reduction="avg"),
    "gaussian_var_size": lambda m: _F(m).gaussian_nll_loss(m.randn(3, 4), m.randn(3, 4),
                                                           m.rand(2)),
    "gaussian_var_negative": lambda m: _F(m).gaussian_nll_loss(m.randn(3), m.randn(3),
                                                               -m.rand(3) - 1),
    "gaussian_bad_reduction": lambda m: _F(m).gaussian_nll_loss(m.randn(3), m.randn(3),
                                                                m.rand(3), reduction="avg"),
    "triplet_dims": lambda m: _F(m).triplet_margin_loss(m.randn(3, 4), m.randn(4),
                                                        m.randn(3, 4)),
    "triplet_bad_reduction": lambda m: _F(m).triplet_margin_loss(
        m.randn(3, 4), m.randn(3, 4), m.randn(3, 4), reduction="avg"),
    "TripletMarginLoss_margin": lambda m: m.nn.TripletMarginLoss(margin=0),
    "threshold_bool": lambda m: _F(m).threshold(m.ones(3, dtype=m.bool), 0, 1),
    "hardtanh_bool": lambda m: _F(m).hardtanh(m.ones(3, dtype=m.bool)),
    "cosine_similarity_int": lambda m: _F(m).cosine_similarity(m.ones(3, 4, dtype=m.int64),
                                                               m.ones(3, 4, dtype=m.int64)),
    "normalize_int": lambda m: _F(m).normalize(m.ones(3, 4, dtype=m.int64)),
    "pairwise_distance_shapes": lambda m: _F(m).pairwise_distance(m.randn(3, 4), m.randn(3, 5)),
    "cosine_similarity_shapes": lambda m: _F(m).cosine_similarity(m.randn(3, 4), m.randn(2, 4)),
}


@pytest.mark.parametrize("fn", [pytest.param(f, id=i) for i, f in ERRORS.items()])
def test_errors_match_torch(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same_error(fn)


def test_kl_div_mean_warns_like_torch():
    torch, m = cc.reference(), cc.tg()
    msgs = []
    for lib in (torch, m):
        with pytest.warns(UserWarning) as rec:
            lib.nn.functional.kl_div(lib.randn(2, 3), lib.rand(2, 3))
        msgs.append(str(rec[0].message))
    assert msgs[1] == msgs[0]


def test_smooth_l1_target_size_warns_like_torch():
    torch, m = cc.reference(), cc.tg()
    msgs = []
    for lib in (torch, m):
        with pytest.warns(UserWarning) as rec:
            lib.nn.functional.smooth_l1_loss(lib.randn(2, 3), lib.randn(3))
        msgs.append(str(rec[0].message))
    assert msgs[1] == msgs[0]


def test_names_exist_where_torch_has_them():
    torch, m = cc.reference(), cc.tg()
    for n in ("selu", "selu_", "celu", "celu_", "hardshrink", "threshold", "threshold_",
              "prelu", "relu_", "cosine_similarity", "pairwise_distance"):
        assert hasattr(m, n), n
    for n in ("leaky_relu", "elu", "hardtanh", "hardsigmoid", "hardswish", "mish", "glu",
              "softshrink", "log_sigmoid"):
        assert hasattr(torch, n) == hasattr(m, n), n
    for n in ("hardshrink", "prelu"):
        assert hasattr(m.Tensor, n), n


@pytest.mark.parametrize("kw", ["min_value", "max_value"])
def test_hardtanh_deprecated_keywords_warn_like_torch(kw):
    torch, m = cc.reference(), cc.tg()
    out = []
    for lib in (torch, m):
        with pytest.warns(FutureWarning) as rec:
            mod = lib.nn.Hardtanh(**{kw: 0.5 if kw == "max_value" else -2.0})
        out.append((str(rec[0].message), repr(mod)))
    assert out[1] == out[0]


def _z(m, *shape, dtype=None):
    return m.zeros(shape, dtype=dtype or m.float32)


# nll_loss / cross_entropy checks in torch's order: batch size (ValueError), class-index dtype
# (int64 or uint8), weight dtype, uint8 only below 3-D; cross_entropy's class-probability
# target (same shape as the input): floating point, no ignore_index.
CLASS_TARGET_ERRORS = {
    "nll_float_target": lambda m: m.nn.functional.nll_loss(_z(m, 2, 3), _z(m, 2)),
    "nll_int32_target": lambda m: m.nn.functional.nll_loss(_z(m, 2, 3), _z(m, 2, dtype=m.int32)),
    "nll_uint8_3d": lambda m: m.nn.functional.nll_loss(_z(m, 2, 3, 4),
                                                       _z(m, 2, 4, dtype=m.uint8)),
    "nll_weight_dtype": lambda m: m.nn.functional.nll_loss(
        _z(m, 2, 3), _z(m, 2, dtype=m.int64), weight=_z(m, 3, dtype=m.float64)),
    "nll_weight_int": lambda m: m.nn.functional.nll_loss(
        _z(m, 2, 3), _z(m, 2, dtype=m.int64), weight=_z(m, 3, dtype=m.int64)),
    "nll_weight_size_first": lambda m: m.nn.functional.nll_loss(
        _z(m, 2, 3), _z(m, 2, dtype=m.int64), weight=_z(m, 2, dtype=m.float64)),
    "ce_weight_dtype_smoothing": lambda m: m.nn.functional.cross_entropy(
        _z(m, 2, 3), _z(m, 2, dtype=m.int64), weight=_z(m, 3, dtype=m.float64),
        label_smoothing=0.2),
    "ce_prob_target_int": lambda m: m.nn.functional.cross_entropy(_z(m, 2, 3),
                                                                  _z(m, 2, 3, dtype=m.int32)),
    "ce_prob_target_1d": lambda m: m.nn.functional.cross_entropy(_z(m, 3),
                                                                 _z(m, 3, dtype=m.int64)),
    "ce_prob_ignore_index": lambda m: m.nn.functional.cross_entropy(_z(m, 2, 3), _z(m, 2, 3),
                                                                    ignore_index=0),
    "ce_float_index_target": lambda m: m.nn.functional.cross_entropy(_z(m, 2, 3), _z(m, 2)),
    "huber_complex_delta": lambda m: m.nn.HuberLoss(delta=1j),
    "gaussian_nll_var_two_dims": lambda m: m.nn.functional.gaussian_nll_loss(
        _z(m, 4, 3, 5), _z(m, 4, 3, 5), m.ones((4, 1, 1))),
}


@pytest.mark.parametrize("case", sorted(CLASS_TARGET_ERRORS))
def test_class_target_errors_like_torch(case):
    assert_same_error(CLASS_TARGET_ERRORS[case])


@pytest.mark.parametrize("var_shape", [(4, 1, 6), (1, 3, 6), (4, 3), (4, 3, 1)])
def test_gaussian_nll_var_broadcast_like_torch(var_shape):
    # torch accepts a var with one broadcast dimension anywhere (or one dimension short)
    torch, m = cc.reference(), cc.tg()
    rng = np.random.default_rng(0)
    x, t = rng.standard_normal((2, 4, 3, 6))
    v = rng.uniform(0.5, 2.0, var_shape)
    out = []
    for lib in (torch, m):
        xs = lib.tensor(x, dtype=lib.float64, requires_grad=True)
        vs = lib.tensor(v, dtype=lib.float64, requires_grad=True)
        loss = lib.nn.functional.gaussian_nll_loss(xs, lib.tensor(t, dtype=lib.float64), vs)
        loss.backward()
        out.append([loss.item(), np.array(xs.grad.tolist()), np.array(vs.grad.tolist())])
    for a, b in zip(*out):
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-12)


def test_kl_div_input_aliasing_target_grad_like_torch():
    # the same tensor as input and target: its gradient sums both uses
    torch, m = cc.reference(), cc.tg()
    grads = []
    for lib in (torch, m):
        for kw in ({"reduction": "sum"}, {"reduction": "batchmean"}, {"log_target": True}):
            x = lib.tensor([[0.9, 1.7], [2.5, 1.2]], dtype=lib.float64).log().detach()
            x.requires_grad_(True)
            lib.nn.KLDivLoss(**kw)(x, x).backward()
            grads.append(x.grad.tolist())
    np.testing.assert_allclose(grads[3:], grads[:3], rtol=1e-12, atol=1e-15)


def test_linear_cross_entropy_loss_construction_like_torch():
    # the module's parameters, repr and constructor checks; its forward needs
    # nn.functional.linear_cross_entropy (looked up when forward runs)
    torch, m = cc.reference(), cc.tg()
    mods = [lib.nn.LinearCrossEntropyLoss(5, 10, out_features=(4, 3), bias=True)
            for lib in (torch, m)]
    assert repr(mods[1]) == repr(mods[0])
    shapes = [{k: tuple(v.shape) for k, v in mod.state_dict().items()} for mod in mods]
    assert shapes[1] == shapes[0]
    assert_same_error(lambda lib: lib.nn.LinearCrossEntropyLoss(5, 10, weight=lib.ones(3)))
    assert_same_error(lambda lib: lib.nn.LinearCrossEntropyLoss(5, 10, label_smoothing=1.5))


@pytest.mark.parametrize("target", [1, [1, 2, -100]], ids=["unbatched", "batch_with_ignored"])
def test_cross_entropy_weight_label_smoothing_mean_matches_torch(target):
    # the mean of the smoothing term divides by the weights of the kept targets; an unbatched
    # (0-d) target used to fail there with an IndexError
    import torch
    tg = cc.tg()
    n = 1 if isinstance(target, int) else len(target)
    x = torch.randn(*(() if isinstance(target, int) else (n,)), 4, dtype=torch.float64,
                    requires_grad=True)
    t = torch.tensor(target)
    w = torch.tensor([1.3, 0.25, 0.15, 1.5], dtype=torch.float64)
    ref = torch.nn.functional.cross_entropy(x, t, weight=w, label_smoothing=0.1)
    xg = tg.from_torch(x.detach().clone()).requires_grad_(True)
    got = tg.nn.functional.cross_entropy(xg, tg.from_torch(t), weight=tg.from_torch(w),
                                         label_smoothing=0.1)
    ref.backward()
    got.backward()
    np.testing.assert_allclose(float(got), float(ref), rtol=1e-12)
    np.testing.assert_allclose(xg.grad.to_torch().numpy(), x.grad.numpy(), rtol=1e-10, atol=1e-12)
