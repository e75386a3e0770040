"""The remaining torch.nn layers against torch (helper N), part 3: RReLU, alpha dropout,
ChannelShuffle, LocalResponseNorm, pdist, gumbel_softmax, EmbeddingBag, the margin losses,
grid_sample / affine_grid and CTCLoss; values, gradients, gradcheck, reprs and errors.
"""
import numpy as np
import pytest

pytest.importorskip("torch", reason="the cross-checks compare against torch, which is missing")

import crosscheck as cc  # noqa: E402
from crosscheck import pos, randn  # noqa: E402
from test_nn_modules import check_module  # noqa: E402
from test_nn_more import F, _accept_node, _calling, nn  # noqa: E402


# ------------------------------------------- small layers, embedding bags and margin losses

def _ints(shape, high):
    return cc.ints(*shape, low=0, high=high)


def _bag(mode, offsets, **kw):
    def fn(m, w, *rest):
        idx = m.tensor([1, 2, 4, 5, 4, 3, 0, 2])
        psw = rest[0] if rest else None
        return F(m).embedding_bag(idx, w, m.tensor(offsets), mode=mode,
                                  per_sample_weights=psw, **kw)
    return fn


def _bag2d(mode, **kw):
    def fn(m, w):
        return F(m).embedding_bag(m.tensor([[1, 2, 0], [4, 4, 3]]), w, mode=mode, **kw)
    return fn


def _mlm_target(m, n, c):
    rows = [[1, 3, -1, 0, 2][:c], [0, -1, 2, 2, 2][:c], [2, 2, 1, -1, 0][:c]]
    return m.tensor(rows[:n])


_PDIST = ("PdistBackward0", "LinalgVectorNormBackward0")

SMALL_CASES = [
    ("rrelu/eval", lambda m, x: F(m).rrelu(x, 0.1, 0.3), randn(3, 4),
     ("RreluWithNoiseBackward0", "LeakyReluBackward0")),
    ("channel_shuffle", lambda m, x: F(m).channel_shuffle(x, 3), randn(2, 6, 3, 2),
     ("ChannelShuffleBackward0", "UnsafeViewBackward0")),
    ("channel_shuffle/3d_nc", lambda m, x: F(m).channel_shuffle(x, 2), randn(1, 4, 5, nc=True),
     ("ChannelShuffleBackward0", "UnsafeViewBackward0")),
    ("local_response_norm/3d", lambda m, x: F(m).local_response_norm(x, 3), randn(2, 5, 6), None),
    ("local_response_norm/5d", lambda m, x: F(m).local_response_norm(x, 2, 1e-2, 0.5, 2.0),
     randn(1, 4, 3, 2, 3), None),
    ("pdist", lambda m, x: F(m).pdist(x), randn(5, 3), _PDIST),
    ("pdist/p1", lambda m, x: F(m).pdist(x, 1), randn(4, 3), _PDIST),
    ("pdist/p3_single_row", lambda m, x: F(m).pdist(x, 3), randn(1, 3), _PDIST),
    ("multi_margin_loss", lambda m, x: F(m).multi_margin_loss(x, m.tensor([1, 0, 4])),
     randn(3, 5), ("MultiMarginLossBackward0", "MeanBackward0")),
    ("multi_margin_loss/p2_weight_none", lambda m, x, w: F(m).multi_margin_loss(
        x, m.tensor([1, 0, 4]), p=2, margin=0.7, weight=w, reduction="none"), randn(3, 5),
     pos(5, rg=False), ("MultiMarginLossBackward0", "DivBackward0")),
    ("multi_margin_loss/1d_sum", lambda m, x: F(m).multi_margin_loss(
        x, m.tensor(2), reduction="sum"), randn(4), ("MultiMarginLossBackward0", "SumBackward0")),
    ("multilabel_margin_loss", lambda m, x: F(m).multilabel_margin_loss(x, _mlm_target(m, 3, 5)),
     randn(3, 5), ("MultilabelMarginLossBackward0", "MeanBackward0")),
    ("multilabel_margin_loss/none_1d", lambda m, x: F(m).multilabel_margin_loss(
        x, _mlm_target(m, 1, 4)[0], reduction="none"), randn(4),
     ("MultilabelMarginLossBackward0", "ViewBackward0")),
    ("multilabel_soft_margin_loss", lambda m, x, t: F(m).multilabel_soft_margin_loss(x, t),
     randn(3, 5), cc.prob(3, 5), None),
    ("multilabel_soft_margin_loss/weight_none", lambda m, x, t, w:
     F(m).multilabel_soft_margin_loss(x, t, w, reduction="none"), randn(2, 4), cc.prob(2, 4),
     pos(4), None),
    ("triplet_margin_with_distance_loss", lambda m, a, p, n:
     F(m).triplet_margin_with_distance_loss(a, p, n), randn(3, 4), randn(3, 4), randn(3, 4),
     None),
    ("triplet_margin_with_distance_loss/cosine_swap", lambda m, a, p, n:
     F(m).triplet_margin_with_distance_loss(
         a, p, n, distance_function=lambda x, y: 1.0 - F(m).cosine_similarity(x, y),
         margin=0.5, swap=True, reduction="none"), randn(3, 4), randn(3, 4), randn(3, 4), None),
    ("embedding_bag/mean", _bag("mean", [0, 2, 2, 5]), randn(6, 3),
     ("EmbeddingBagBackward0", "DivBackward0")),
    ("embedding_bag/sum_psw", _bag("sum", [0, 3]), randn(6, 3), randn(8),
     ("EmbeddingBagBackward0", "IndexAddBackward0")),
    ("embedding_bag/max", _bag("max", [0, 2, 2, 6]), randn(6, 3),
     ("EmbeddingBagBackward0", "WhereBackward0")),
    ("embedding_bag/include_last_offset_padding", _bag("mean", [0, 3, 8],
                                                       include_last_offset=True, padding_idx=4),
     randn(6, 3), ("EmbeddingBagBackward0", "DivBackward0")),
    ("embedding_bag/max_padding", _bag("max", [0, 4], padding_idx=2), randn(6, 3),
     ("EmbeddingBagBackward0", "WhereBackward0")),
    ("embedding_bag/2d_sum", _bag2d("sum"), randn(5, 2),
     ("EmbeddingBagBackward0", "IndexAddBackward0")),
    ("embedding_bag/2d_mean_padding", _bag2d("mean", padding_idx=0), randn(5, 2),
     ("EmbeddingBagBackward0", "DivBackward0")),
]


@pytest.mark.parametrize("label,fn,inputs,nodes",
                         [pytest.param(c[0], c[1], c[2:-1], c[-1], id=c[0])
                          for c in SMALL_CASES])
def test_small_functionals_against_torch(label, fn, inputs, nodes, monkeypatch):
    _accept_node(monkeypatch, nodes)
    cc.check(fn, *inputs, label=label)


@pytest.mark.parametrize("label,fn,inputs",
                         [pytest.param(c[0], c[1], c[2:-1], id=c[0]) for c in SMALL_CASES
                          if not c[0].startswith(("embedding_bag/max", "pdist/p1"))])
def test_small_functionals_gradcheck(label, fn, inputs):
    cc.gradcheck(fn, *inputs, label=label)


@pytest.mark.xfail(strict=True, reason="torch 2.13's embedding_bag scales the gradient of an "
                   "index by another index's frequency (here index 5, seen once, gets 1/2); "
                   "tapegrad scales by the index's own frequency, as F.embedding does")
def test_embedding_bag_scale_grad_by_freq_matches_torch():
    cc.check(_bag("sum", [0, 2], scale_grad_by_freq=True), randn(6, 3))


def test_embedding_bag_scale_grad_by_freq_is_per_index_frequency():
    m = cc.tg()
    w = m.ones(6, 1, requires_grad=True)
    F(m).embedding_bag(m.tensor([1, 2, 4, 5, 4, 3]), w, m.tensor([0, 2]), mode="sum",
                       scale_grad_by_freq=True).sum().backward()
    assert w.grad.reshape(-1).tolist() == [0.0, 1.0, 1.0, 1.0, 1.0, 1.0]


SMALL_MODULES = [
    ("RReLU/eval", lambda m: nn(m).RReLU(0.2, 0.4).eval(), [randn(3, 4)],
     ("RreluWithNoiseBackward0", "LeakyReluBackward0")),
    ("AlphaDropout/eval", lambda m: nn(m).AlphaDropout(0.3).eval(), [randn(3, 4)], None),
    ("ChannelShuffle", lambda m: nn(m).ChannelShuffle(2), [randn(2, 4, 3)],
     ("ChannelShuffleBackward0", "UnsafeViewBackward0")),
    ("LocalResponseNorm", lambda m: nn(m).LocalResponseNorm(3, k=2.0), [randn(2, 5, 4, 3)],
     None),
    ("EmbeddingBag", _calling(lambda m: nn(m).EmbeddingBag(6, 3, mode="sum"),
                              lambda m, mod, x: mod(m.tensor([[0, 5], [1, 1]])) * x),
     [randn(2, 3)], ("MulBackward0", "MulBackward0")),
    ("EmbeddingBag/offsets_psw", _calling(
        lambda m: nn(m).EmbeddingBag(6, 2, mode="sum", padding_idx=1),
        lambda m, mod, psw: mod(m.tensor([0, 1, 2, 5]), m.tensor([0, 1]), psw)),
     [randn(4)], ("EmbeddingBagBackward0", "IndexAddBackward0")),
    ("MultiMarginLoss", _calling(lambda m: nn(m).MultiMarginLoss(2, 0.5),
                                 lambda m, mod, x: mod(x, m.tensor([0, 3]))), [randn(2, 4)],
     ("MultiMarginLossBackward0", "MeanBackward0")),
    ("MultiLabelMarginLoss", _calling(lambda m: nn(m).MultiLabelMarginLoss(reduction="sum"),
                                      lambda m, mod, x: mod(x, _mlm_target(m, 2, 4))),
     [randn(2, 4)], ("MultilabelMarginLossBackward0", "SumBackward0")),
    ("MultiLabelSoftMarginLoss", lambda m: nn(m).MultiLabelSoftMarginLoss(),
     [randn(2, 4), cc.prob(2, 4)], None),
    ("TripletMarginWithDistanceLoss", lambda m: nn(m).TripletMarginWithDistanceLoss(
        margin=2.0, swap=True), [randn(3, 5), randn(3, 5), randn(3, 5)], None),
]


@pytest.mark.parametrize("label,ctor,inputs,nodes",
                         [pytest.param(*c, id=c[0]) for c in SMALL_MODULES])
def test_small_modules_against_torch(label, ctor, inputs, nodes, monkeypatch):
    _accept_node(monkeypatch, nodes)
    check_module(ctor, *inputs, label=label)


SMALL_REPRS = [
    lambda m: nn(m).ChannelShuffle(2), lambda m: nn(m).RReLU(),
    lambda m: nn(m).RReLU(0.1, 0.3, True), lambda m: nn(m).AlphaDropout(0.2),
    lambda m: nn(m).FeatureAlphaDropout(), lambda m: nn(m).LocalResponseNorm(3),
    lambda m: nn(m).LocalResponseNorm(2, 1e-3, 0.5, 2), lambda m: nn(m).MultiMarginLoss(),
    lambda m: nn(m).MultiLabelMarginLoss(reduction="sum"),
    lambda m: nn(m).MultiLabelSoftMarginLoss(), lambda m: nn(m).TripletMarginWithDistanceLoss(),
    lambda m: nn(m).TripletMarginWithDistanceLoss(distance_function=nn(m).CosineSimilarity()),
    lambda m: nn(m).EmbeddingBag(4, 3),
    lambda m: nn(m).EmbeddingBag(4, 3, max_norm=1.0, mode="max", padding_idx=0),
    lambda m: nn(m).EmbeddingBag(4, 3, norm_type=1, scale_grad_by_freq=True, mode="sum",
                                 padding_idx=-1),
]


@pytest.mark.parametrize("ctor", SMALL_REPRS)
def test_small_reprs(ctor):
    assert repr(ctor(cc.tg())) == repr(ctor(cc.reference()))


def test_embedding_bag_seeded_init_padding_and_state_dict():
    torch, m = cc.reference(), cc.tg()
    torch.manual_seed(2)
    ref = torch.nn.EmbeddingBag(5, 3, padding_idx=1)
    m.manual_seed(2)
    got = m.nn.EmbeddingBag(5, 3, padding_idx=1)
    assert list(got.state_dict()) == ["weight"]
    np.testing.assert_allclose(cc.to_numpy(got.weight), cc.to_numpy(ref.weight), rtol=1e-6)
    assert got.weight[1].abs().sum().item() == 0
    pre = m.nn.EmbeddingBag.from_pretrained(m.ones(3, 2), mode="max")
    assert not pre.weight.requires_grad and pre.mode == "max"


def test_rrelu_training_slopes_lie_in_bounds():
    m = cc.tg()
    m.manual_seed(0)
    x = -m.ones(2000)
    y = F(m).rrelu(x, 0.1, 0.3, training=True)
    slopes = np.array((-y).tolist())
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and len(set(slopes.tolist())) > 100
    assert abs(slopes.mean() - 0.2) < 0.01
    pos_x = m.ones(5)
    assert F(m).rrelu(pos_x, training=True).tolist() == [1.0] * 5
    z = -m.ones(4)
    assert F(m).rrelu_(z, 0.25, 0.25, training=True) is z and z.tolist() == [-0.25] * 4


@pytest.mark.parametrize("feature", [False, True])
def test_alpha_dropout_keeps_selu_moments(feature):
    m = cc.tg()
    m.manual_seed(0)
    x = m.randn(400, 50, 4) if feature else m.randn(200000)
    fn = F(m).feature_alpha_dropout if feature else F(m).alpha_dropout
    y = fn(x, 0.3, training=True)
    arr = np.array(y.reshape(-1).tolist())
    assert abs(arr.mean()) < 0.03 and abs(arr.std() - 1.0) < 0.03
    if feature:  # one draw per (N, C): a dropped channel is constant along the last dim
        const = (y.amax(-1) == y.amin(-1)).reshape(-1).tolist()
        assert 0.2 < sum(const) / len(const) < 0.4
    assert fn(x, 0.3, training=False) is x
    zeros = fn(x, 1.0, training=True)
    assert zeros.abs().sum().item() == 0


def test_gumbel_softmax_soft_and_hard():
    m = cc.tg()
    m.manual_seed(0)
    logits = m.tensor([[0.0, 2.0, -1.0]], requires_grad=True).expand(3000, 3)
    soft = F(m).gumbel_softmax(logits, tau=0.5)
    np.testing.assert_allclose(np.array(soft.sum(-1).tolist()), 1.0, rtol=1e-5)
    hard = F(m).gumbel_softmax(logits, hard=True)
    counts = np.array(hard.sum(0).tolist())
    assert set(np.unique(np.array(hard.tolist()))) <= {0.0, 1.0}
    probs = np.exp([0.0, 2.0, -1.0]) / np.exp([0.0, 2.0, -1.0]).sum()
    np.testing.assert_allclose(counts / 3000, probs, atol=0.03)
    hard.mul(m.tensor([1.0, 2.0, 3.0])).sum().backward()  # straight-through gradient exists
    with pytest.warns(UserWarning, match="deprecated"):
        F(m).gumbel_softmax(logits, eps=1e-5)


SMALL_ERRORS = [
    (lambda m, x: F(m).rrelu(x, 0.5, 0.2, True), randn(3)),
    (lambda m, x: F(m).alpha_dropout(x, 1.5), randn(3)),
    (lambda m, x: F(m).feature_alpha_dropout(x, 0.5, True), randn(3)),
    (lambda m, x: F(m).local_response_norm(x, 2), randn(3, 4)),
    (lambda m, x: F(m).channel_shuffle(x, 2), randn(1, 3, 5)),
    (lambda m, x: F(m).channel_shuffle(x, 3), randn(1, 15)),
    (lambda m, x: F(m).channel_shuffle(x, 0), randn(1, 3, 5)),
    (lambda m, x: F(m).pdist(x), randn(4)),
    (lambda m, x: F(m).pdist(x, -1), randn(2, 3)),
    (lambda m, x: F(m).pdist(x.int()), randn(2, 3)),
    (lambda m, x: F(m).multi_margin_loss(x, m.tensor([1, 2])), randn(3, 5)),
    (lambda m, x: F(m).multi_margin_loss(x, m.tensor([1, 2, 7])), randn(3, 5)),
    (lambda m, x: F(m).multi_margin_loss(x, m.tensor([1, 2, -1])), randn(3, 5)),
    (lambda m, x: F(m).multi_margin_loss(x, m.tensor([1, 2, 3]), p=3), randn(3, 5)),
    (lambda m, x: F(m).multi_margin_loss(x, m.tensor([1, 2, 3]), weight=m.ones(2, 2)),
     randn(3, 5)),
    (lambda m, x: F(m).multi_margin_loss(x, m.tensor([1, 2, 3]), weight=m.ones(3)),
     randn(3, 5)),
    (lambda m, x: F(m).multi_margin_loss(x, m.tensor([1, 2, 3])), randn(3, 5, 1)),
    (lambda m, x: F(m).multi_margin_loss(x, m.tensor([1.0, 2, 3])), randn(3, 5)),
    (lambda m, x: F(m).multi_margin_loss(x, m.tensor([1, 2, 3]), reduction="foo"),
     randn(3, 5)),
    (lambda m, x: F(m).multilabel_margin_loss(x, m.tensor([[1, 2, -1, 0]] * 3)), randn(3, 5)),
    (lambda m, x: F(m).multilabel_margin_loss(x, m.tensor([[1, 7, -1, 0, 0]] * 3)),
     randn(3, 5)),
    (lambda m, x: F(m).multilabel_margin_loss(x, m.tensor([[1, 2, -1, 0, 0]] * 3).float()),
     randn(3, 5)),
    (lambda m, x: F(m).multilabel_soft_margin_loss(x, m.ones(3, 5), reduction="foo"),
     randn(3, 5)),
    (lambda m, x: F(m).triplet_margin_with_distance_loss(x, x, x[0]), randn(3, 5)),
    (lambda m, x: F(m).triplet_margin_with_distance_loss(x, x, x, margin=0), randn(3, 5)),
    (lambda m, x: nn(m).TripletMarginWithDistanceLoss(margin=-1.0), randn(1)),
    (lambda m, x: nn(m).MultiMarginLoss(weight=m.ones(2, 2)), randn(1)),
    (lambda m, x, w: F(m).multi_margin_loss(x, m.tensor([0, 1]), weight=w), randn(2, 3),
     randn(3)),
    (lambda m, w: F(m).embedding_bag(m.tensor([1, 2, 4]), w, m.tensor([1, 3])), randn(6, 3)),
    (lambda m, w: F(m).embedding_bag(m.tensor([1, 2, 4]), w, m.tensor([0, 7])), randn(6, 3)),
    (lambda m, w: F(m).embedding_bag(m.tensor([1, 9]), w, m.tensor([0])), randn(6, 3)),
    (lambda m, w: F(m).embedding_bag(m.tensor([1, 2.0]), w, m.tensor([0])), randn(6, 3)),
    (lambda m, w: F(m).embedding_bag(m.tensor([1, 2]), w, m.tensor([0]), mode="foo"),
     randn(6, 3)),
    (lambda m, w: F(m).embedding_bag(m.tensor([1, 2]), w, m.tensor([0]), mode="max",
                                     per_sample_weights=m.ones(2)), randn(6, 3)),
    (lambda m, w: F(m).embedding_bag(m.tensor([1, 2]), w, m.tensor([0]), mode="sum",
                                     per_sample_weights=m.ones(3)), randn(6, 3)),
    (lambda m, w: F(m).embedding_bag(m.tensor([1, 2]), w, m.tensor([0]), mode="sum",
                                     per_sample_weights=m.ones(2).double()), randn(6, 3)),
    (lambda m, w: F(m).embedding_bag(m.tensor([1, 2]), w), randn(6, 3)),
    (lambda m, w: F(m).embedding_bag(m.tensor([[1, 2]]), w, m.tensor([0])), randn(6, 3)),
    (lambda m, w: F(m).embedding_bag(m.tensor([[[1, 2]]]), w), randn(6, 3)),
    (lambda m, w: F(m).embedding_bag(m.tensor([1, 2]), w[0], m.tensor([0])), randn(6, 3)),
    (lambda m, w: F(m).embedding_bag(m.tensor([1, 2]), w, m.tensor([[0]])), randn(6, 3)),
    (lambda m, w: F(m).embedding_bag(m.tensor([1, 2]), w, m.tensor([0]), padding_idx=7),
     randn(6, 3)),
    (lambda m, w: F(m).embedding_bag(m.tensor([1, 2]), w, m.tensor([0]), mode="max",
                                     scale_grad_by_freq=True), randn(6, 3)),
    (lambda m, w: nn(m).EmbeddingBag(3, 2, padding_idx=3), randn(1)),
]


@pytest.mark.parametrize("fn,inputs", [pytest.param(c[0], c[1:], id=str(i))
                                       for i, c in enumerate(SMALL_ERRORS)])
def test_small_errors_match_torch(fn, inputs):
    cc.check_raises(fn, *inputs)



# ------------------------------------------------------------------ affine_grid, grid_sample

def _grid(*shape):
    # grid coordinates in [-1.5, 1.5): some samples fall outside the input, exercising padding
    return cc.uniform(*shape, low=-1.5, high=1.5)


GRID_CASES = [
    (f"grid_sample/{nd}d_{mode}_{pad}_{'ac' if ac else 'noac'}",
     (lambda mode, pad, ac: lambda m, x, g: F(m).grid_sample(x, g, mode, pad, ac))(mode, pad, ac),
     randn(2, 2, 4, 5) if nd == 2 else randn(1, 2, 3, 4, 3),
     _grid(2, 3, 4, 2) if nd == 2 else _grid(1, 2, 3, 2, 3),
     (f"GridSampler{nd}DBackward0", "ViewBackward0"))
    for nd in (2, 3) for mode in ("bilinear", "nearest")
    for pad in ("zeros", "border", "reflection") for ac in (False, True)
] + [
    (f"grid_sample/2d_bicubic_{pad}_{'ac' if ac else 'noac'}",
     (lambda pad, ac: lambda m, x, g: F(m).grid_sample(x, g, "bicubic", pad, ac))(pad, ac),
     randn(2, 2, 4, 5), _grid(2, 3, 4, 2), ("GridSampler2DBackward0", "ViewBackward0"))
    for pad in ("zeros", "border", "reflection") for ac in (False, True)
] + [
    ("affine_grid/2d", lambda m, t: F(m).affine_grid(t, [2, 3, 4, 5], False), randn(2, 2, 3),
     ("AffineGridGeneratorBackward0", "ViewBackward0")),
    ("affine_grid/2d_align", lambda m, t: F(m).affine_grid(t, [1, 1, 3, 2], True),
     randn(1, 2, 3), ("AffineGridGeneratorBackward0", "ViewBackward0")),
    ("affine_grid/3d", lambda m, t: F(m).affine_grid(t, [2, 1, 2, 3, 4], False),
     randn(2, 3, 4), ("AffineGridGeneratorBackward0", "ViewBackward0")),
    ("affine_grid/unit_size", lambda m, t: F(m).affine_grid(t, [1, 1, 1, 3], False),
     randn(1, 2, 3), ("AffineGridGeneratorBackward0", "ViewBackward0")),
    ("spatial_transformer", lambda m, x, t: F(m).grid_sample(
        x, F(m).affine_grid(t, [2, 2, 3, 3], False), align_corners=False), randn(2, 2, 4, 4),
     randn(2, 2, 3), ("GridSampler2DBackward0", "ViewBackward0")),
]


@pytest.mark.parametrize("label,fn,inputs,nodes",
                         [pytest.param(c[0], c[1], c[2:-1], c[-1], id=c[0]) for c in GRID_CASES])
def test_grid_functionals_against_torch(label, fn, inputs, nodes, monkeypatch):
    _accept_node(monkeypatch, nodes)
    cc.check(fn, *inputs, label=label)


@pytest.mark.parametrize("label,fn,inputs",
                         [pytest.param(c[0], c[1], c[2:-1], id=c[0]) for c in GRID_CASES
                          if "nearest" not in c[0] and "reflection" not in c[0]
                          and "border" not in c[0]])
def test_grid_functionals_gradcheck(label, fn, inputs):
    # border/reflection clamp and fold at kinks, nearest is piecewise constant: finite
    # differences there are checked against torch above instead
    cc.gradcheck(fn, *inputs, label=label)


def test_grid_sample_warns_without_align_corners():
    m = cc.tg()
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        F(m).grid_sample(m.zeros(1, 1, 2, 2), m.zeros(1, 1, 1, 2))
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        F(m).affine_grid(m.zeros(1, 2, 3), [1, 1, 2, 2])


GRID_ERRORS = [
    (lambda m, x, g: F(m).grid_sample(x, g, "cubic", align_corners=False), randn(1, 1, 3, 3),
     randn(1, 2, 2, 2)),
    (lambda m, x, g: F(m).grid_sample(x, g, padding_mode="wrap", align_corners=False),
     randn(1, 1, 3, 3), randn(1, 2, 2, 2)),
    (lambda m, x, g: F(m).grid_sample(x, g.reshape(1, 2, 2, 1, 2), align_corners=False),
     randn(1, 1, 3, 3), randn(1, 2, 2, 2)),
    (lambda m, x, g: F(m).grid_sample(x, g, align_corners=False), randn(2, 1, 3, 3),
     randn(1, 2, 2, 2)),
    (lambda m, x, g: F(m).grid_sample(x, g, align_corners=False), randn(1, 1, 3, 3),
     randn(1, 2, 2, 3)),
    (lambda m, x, g: F(m).grid_sample(x, g.double(), align_corners=False), randn(1, 1, 3, 3),
     randn(1, 2, 2, 2)),
    (lambda m, x, g: F(m).grid_sample(x, g, align_corners=False), randn(1, 1, 0, 3),
     randn(1, 2, 2, 2)),
    (lambda m, x, g: F(m).grid_sample(x, g, align_corners=False), randn(1, 1, 2, 3, 3),
     randn(1, 1, 1, 1, 2)),
    (lambda m, x, g: F(m).grid_sample(x, g, "bicubic", align_corners=False),
     randn(1, 1, 2, 3, 3), randn(1, 1, 1, 1, 3)),
    (lambda m, t: F(m).affine_grid(t.long(), [1, 1, 2, 2], False), randn(1, 2, 3)),
    (lambda m, t: F(m).affine_grid(t, [1, 1, 2, 2], False), randn(1, 3, 3)),
    (lambda m, t: F(m).affine_grid(t, [1, 1, 2, 2, 2], False), randn(1, 2, 3)),
    (lambda m, t: F(m).affine_grid(t, [1, 1, 2], False), randn(1, 2, 3)),
    (lambda m, t: F(m).affine_grid(t, [1, 1, 0, 2], False), randn(1, 2, 3)),
]


@pytest.mark.parametrize("fn,inputs", [pytest.param(c[0], c[1:], id=str(i))
                                       for i, c in enumerate(GRID_ERRORS)])
def test_grid_errors_match_torch(fn, inputs):
    cc.check_raises(fn, *inputs)



# -------------------------------------------------------------------------------- CTC loss

def _ctc(reduction="mean", lengths=((7, 5, 6), (3, 2, 0)), targets=((1, 2, 2), (3, 1, 1),
                                                                     (4, 4, 4)),
         normalise=True, **kw):
    def fn(m, x):
        lp = x.log_softmax(2) if normalise else x
        return F(m).ctc_loss(lp, m.tensor([list(t) for t in targets]), m.tensor(lengths[0]),
                             m.tensor(lengths[1]), reduction=reduction, **kw)
    return fn


CTC_CASES = [
    ("ctc_loss/mean", _ctc(), randn(7, 3, 5), None),
    ("ctc_loss/none", _ctc("none"), randn(7, 3, 5), None),
    ("ctc_loss/sum_raw_log_probs", _ctc("sum", normalise=False), randn(7, 3, 5), None),
    ("ctc_loss/blank_last_repeats", _ctc("none", blank=4, targets=((1, 1, 0), (2, 2, 2),
                                                                 (3, 0, 3)),
                                          lengths=((7, 7, 6), (3, 3, 3))), randn(7, 3, 5), None),
    ("ctc_loss/zero_infinity", _ctc("none", lengths=((2, 5, 6), (3, 2, 1)),
                                    zero_infinity=True), randn(7, 3, 5), None),
    ("ctc_loss/concatenated_targets", lambda m, x: F(m).ctc_loss(
        x.log_softmax(2), m.tensor([1, 2, 3, 3, 1]), (6, 5), [2, 3], reduction="none"),
     randn(6, 2, 4), None),
    ("ctc_loss/unbatched", lambda m, x: F(m).ctc_loss(
        x.log_softmax(1), m.tensor([1, 2]), m.tensor(6), m.tensor(2)), randn(6, 4), None),
]


@pytest.mark.parametrize("label,fn,inputs,nodes",
                         [pytest.param(c[0], c[1], c[2:-1], c[-1], id=c[0]) for c in CTC_CASES])
def test_ctc_loss_against_torch(label, fn, inputs, nodes):
    cc.check(fn, *inputs, label=label)


@pytest.mark.parametrize("label,fn,inputs",
                         [pytest.param(c[0], c[1], c[2:-1], id=c[0]) for c in CTC_CASES
                          if "raw" not in c[0]])
def test_ctc_loss_gradcheck(label, fn, inputs):
    # through log_softmax torch's formula is the true gradient (its exp(lp) term cancels)
    cc.gradcheck(fn, *inputs, label=label)


def test_ctc_module_repr_and_call():
    torch, m = cc.reference(), cc.tg()
    for lib in (torch, m):
        assert repr(lib.nn.CTCLoss(blank=1, reduction="sum", zero_infinity=True)) == "CTCLoss()"
    cc.check(lambda m, x: m.nn.CTCLoss(blank=2)(x.log_softmax(2), m.tensor([[1, 0], [0, 1]]),
                                              [4, 3], [2, 1]), randn(4, 2, 3))


CTC_ERRORS = [
    (_ctc(lengths=((8, 5, 6), (3, 2, 0))), randn(7, 3, 5)),
    (_ctc(lengths=((7, 5, 6), (4, 2, 0))), randn(7, 3, 5)),
    (_ctc(blank=5), randn(7, 3, 5)),
    (_ctc(lengths=((7, 5), (3, 2, 0))), randn(7, 3, 5)),
    (_ctc(lengths=((7, 5, 6), (3, 2))), randn(7, 3, 5)),
    (_ctc(lengths=((-1, 5, 6), (3, 2, 0))), randn(7, 3, 5)),
    (_ctc(lengths=((7, 5, 6), (3, -2, 0))), randn(7, 3, 5)),
    (_ctc(reduction="foo"), randn(7, 3, 5)),
    (lambda m, x: F(m).ctc_loss(x, m.tensor([1, 2, 3]), [6, 5], [2, 2]), randn(6, 2, 4)),
    (lambda m, x: F(m).ctc_loss(x.reshape(6, 2, 4, 1), m.tensor([[1], [2]]), [6, 5], [1, 1]),
     randn(6, 2, 4)),
]


@pytest.mark.parametrize("fn,inputs", [pytest.param(c[0], c[1:], id=str(i))
                                       for i, c in enumerate(CTC_ERRORS)])
def test_ctc_errors_match_torch(fn, inputs):
    cc.check_raises(fn, *inputs)


def test_feature_alpha_dropout_checks_rank_only_when_it_drops():
    # torch returns the input (eval, p = 0) or zeros (p = 1) before the rank check
    torch, m = cc.reference(), cc.tg()
    for lib in (torch, m):
        x = lib.ones(5)
        assert F(lib).feature_alpha_dropout(x, 0.5, training=False) is x
        assert F(lib).feature_alpha_dropout(x, 1.0, training=True).tolist() == [0.0] * 5
    cc.check_raises(lambda m, x: F(m).feature_alpha_dropout(x, 0.5, training=True), randn(5))


# ------------------------------------------------------------------------------ CrossMapLRN2d

CROSSMAP_CASES = [
    ("CrossMapLRN2d", lambda m: nn(m).CrossMapLRN2d(3), [randn(2, 5, 3, 2)]),
    ("CrossMapLRN2d/even_size_args", lambda m: nn(m).CrossMapLRN2d(4, 1e-2, 0.6, 2),
     [randn(1, 7, 2, 3)]),
    ("CrossMapLRN2d/window_wider_than_channels", lambda m: nn(m).CrossMapLRN2d(5, 0.1),
     [randn(2, 3, 2, 2)]),
]


@pytest.mark.parametrize("label,ctor,inputs", [pytest.param(*c, id=c[0])
                                               for c in CROSSMAP_CASES])
def test_cross_map_lrn2d_against_torch(label, ctor, inputs):
    # torch's legacy Function: a custom backward (not its forward's exact gradient), copied
    check_module(ctor, *inputs, label=label)


def test_cross_map_lrn2d_repr_and_errors():
    torch, m = cc.reference(), cc.tg()
    assert repr(m.nn.CrossMapLRN2d(3, 1e-3, 0.5, 2)) == repr(torch.nn.CrossMapLRN2d(3, 1e-3,
                                                                                   0.5, 2))
    cc.check_raises(lambda m, x: m.nn.CrossMapLRN2d(3)(x), randn(2, 3, 4))
