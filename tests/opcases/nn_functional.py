"""torch.nn.functional cases: relu, linear (with/without bias; 1-D/2-D/3-D input), mse_loss,
binary_cross_entropy, binary_cross_entropy_with_logits (weight, pos_weight), cross_entropy
(class indices, ignore_index, probabilities, label_smoothing, weight) and nll_loss, each with
reduction none/mean/sum.
"""
import numpy as np

from crosscheck import away, const, ints, pos, prob, randn
from opcases.base import case

REDUCTIONS = ("none", "mean", "sum")
GG_REDUCTION = "mean"  # gradgradcheck the losses once, with the default reduction


def nnf(m):
    return m.nn.functional


def _probabilities(n, c, seed):
    rows = np.random.default_rng(seed).dirichlet(np.ones(c), size=n)
    return const(rows)


def _relu_linear():
    return [
        case("relu/f_3d", lambda m, x: nnf(m).relu(x), away(2, 3, 4)),
        case("linear/1d", lambda m, x, w, b: nnf(m).linear(x, w, b), randn(4), randn(5, 4),
             randn(5)),
        case("linear/2d", lambda m, x, w, b: nnf(m).linear(x, w, b), randn(3, 4), randn(5, 4),
             randn(5)),
        case("linear/3d", lambda m, x, w, b: nnf(m).linear(x, w, b), randn(2, 3, 4), randn(5, 4),
             randn(5)),
        case("linear/1d_no_bias", lambda m, x, w: nnf(m).linear(x, w), randn(4), randn(5, 4)),
        case("linear/2d_no_bias", lambda m, x, w: nnf(m).linear(x, w), randn(3, 4), randn(5, 4)),
        case("linear/3d_bias_none", lambda m, x, w: nnf(m).linear(x, w, None), randn(2, 3, 4),
             randn(5, 4)),
        case("linear/empty_batch", lambda m, x, w, b: nnf(m).linear(x, w, b), randn(0, 4),
             randn(5, 4), randn(5)),
        case("linear/nc", lambda m, x, w, b: nnf(m).linear(x, w, b), randn(3, 4, nc=True),
             randn(5, 4, nc=True), randn(5)),
        case("linear/bias_no_grad", lambda m, x, w, b: nnf(m).linear(x, w, b), randn(3, 4),
             randn(2, 4), randn(2, rg=False)),
    ]


def _regression_losses():
    out = []
    for r in REDUCTIONS:
        gg = r == GG_REDUCTION
        out += [
            case(f"mse_loss/{r}", lambda m, x, y, r=r: nnf(m).mse_loss(x, y, reduction=r),
                 randn(3, 4), randn(3, 4), gradgrad=gg),
            case(f"mse_loss/{r}/0d", lambda m, x, y, r=r: nnf(m).mse_loss(x, y, reduction=r),
                 randn(), randn()),
            case(f"mse_loss/{r}/nc", lambda m, x, y, r=r: nnf(m).mse_loss(x, y, reduction=r),
                 randn(3, 4, nc=True), randn(3, 4)),
            case(f"mse_loss/{r}/empty", lambda m, x, y, r=r: nnf(m).mse_loss(x, y, reduction=r),
                 randn(0, 3), randn(0, 3)),
            case(f"binary_cross_entropy/{r}",
                 lambda m, p, t, r=r: nnf(m).binary_cross_entropy(p, t, reduction=r),
                 prob(3, 4), prob(3, 4, rg=False)),
            case(f"binary_cross_entropy/{r}/weight",
                 lambda m, p, t, w, r=r: nnf(m).binary_cross_entropy(p, t, w, reduction=r),
                 prob(3, 4), prob(3, 4), pos(4, rg=False)),
            case(f"binary_cross_entropy/{r}/0d",
                 lambda m, p, t, r=r: nnf(m).binary_cross_entropy(p, t, reduction=r),
                 prob(), prob(rg=False)),
            case(f"binary_cross_entropy_with_logits/{r}",
                 lambda m, x, t, r=r: nnf(m).binary_cross_entropy_with_logits(x, t, reduction=r),
                 randn(3, 4), prob(3, 4), gradgrad=gg),
            case(f"binary_cross_entropy_with_logits/{r}/weight",
                 lambda m, x, t, w, r=r: nnf(m).binary_cross_entropy_with_logits(
                     x, t, weight=w, reduction=r),
                 randn(3, 4), prob(3, 4), pos(3, 1, rg=False)),
            case(f"binary_cross_entropy_with_logits/{r}/pos_weight",
                 lambda m, x, t, pw, r=r: nnf(m).binary_cross_entropy_with_logits(
                     x, t, pos_weight=pw, reduction=r),
                 randn(3, 4), prob(3, 4), pos(4, rg=False)),
            case(f"binary_cross_entropy_with_logits/{r}/both_weights",
                 lambda m, x, t, w, pw, r=r: nnf(m).binary_cross_entropy_with_logits(
                     x, t, w, reduction=r, pos_weight=pw),
                 randn(2, 3, 4), prob(2, 3, 4, rg=False), pos(3, 4, rg=False),
                 pos(4, rg=False)),
            case(f"binary_cross_entropy_with_logits/{r}/nc",
                 lambda m, x, t, r=r: nnf(m).binary_cross_entropy_with_logits(x, t, reduction=r),
                 randn(3, 4, nc=True), prob(3, 4, nc=True)),
        ]
    return out


def _classification_losses():
    out = []
    idx = ints(4, high=5)
    ignored = const([0, -100, 3, 1])  # -100: the default ignore_index
    all_ignored = const([-100, -100])
    for r in REDUCTIONS:
        gg = r == GG_REDUCTION

        def ce(r=r, **kw):
            return lambda m, x, t: nnf(m).cross_entropy(x, t, reduction=r, **kw)

        def ce_w(r=r, **kw):
            return lambda m, x, t, w: nnf(m).cross_entropy(x, t, weight=w, reduction=r, **kw)

        def nll(r=r, **kw):
            return lambda m, x, t: nnf(m).nll_loss(x, t, reduction=r, **kw)

        def nll_w(r=r, **kw):
            return lambda m, x, t, w: nnf(m).nll_loss(x, t, w, reduction=r, **kw)

        weight = pos(5, rg=False)
        out += [
            case(f"cross_entropy/{r}/indices", ce(), randn(4, 5), idx, gradgrad=gg),
            case(f"cross_entropy/{r}/ignore_default", ce(), randn(4, 5), ignored),
            case(f"cross_entropy/{r}/ignore_index", ce(ignore_index=3), randn(4, 5),
                 const([3, 1, 3, 0])),
            case(f"cross_entropy/{r}/all_ignored", ce(), randn(2, 5), all_ignored,
                 gradcheck=r != "mean"),  # mean over no targets: nan
            case(f"cross_entropy/{r}/weight", ce_w(), randn(4, 5), idx, weight),
            case(f"cross_entropy/{r}/weight_ignore", ce_w(), randn(4, 5), ignored, weight),
            case(f"cross_entropy/{r}/probs", ce(), randn(4, 5), _probabilities(4, 5, 1),
                 gradgrad=gg),
            case(f"cross_entropy/{r}/probs_weight", ce_w(), randn(4, 5),
                 _probabilities(4, 5, 2), weight),
            case(f"cross_entropy/{r}/smoothing", ce(label_smoothing=0.1), randn(4, 5), idx),
            case(f"cross_entropy/{r}/smoothing_weight_ignore", ce_w(label_smoothing=0.2),
                 randn(4, 5), ignored, weight),
            case(f"cross_entropy/{r}/smoothing_probs", ce(label_smoothing=0.1), randn(4, 5),
                 _probabilities(4, 5, 3)),
            case(f"cross_entropy/{r}/unbatched", ce(), randn(5), const(2)),
            case(f"cross_entropy/{r}/spatial", ce(), randn(2, 5, 3), ints(2, 3, high=5),
                 ops=("cross_entropy", "nll_loss2d")),
            case(f"cross_entropy/{r}/spatial_4d", ce(), randn(2, 5, 2, 3),
                 ints(2, 2, 3, high=5)),
            case(f"cross_entropy/{r}/spatial_5d", ce(), randn(2, 3, 2, 1, 2),
                 ints(2, 2, 1, 2, high=3)),
            case(f"nll_loss/{r}/spatial_4d_ignore", nll(), randn(2, 4, 2, 2),
                 const([[[0, -100], [3, 1]], [[2, 2], [-100, 0]]])),
            case(f"cross_entropy/{r}/nc", ce(), randn(4, 5, nc=True), idx),
            case(f"nll_loss/{r}", nll(), randn(4, 5), idx),
            case(f"nll_loss/{r}/of_log_softmax",
                 lambda m, x, t, r=r: nnf(m).nll_loss(nnf(m).log_softmax(x, 1), t, reduction=r),
                 randn(4, 5), idx),
            case(f"nll_loss/{r}/ignore_default", nll(), randn(4, 5), ignored),
            case(f"nll_loss/{r}/ignore_index", nll(ignore_index=0), randn(4, 5),
                 const([0, 2, 0, 4])),
            case(f"nll_loss/{r}/weight", nll_w(), randn(4, 5), idx, weight),
            case(f"nll_loss/{r}/weight_ignore", nll_w(), randn(4, 5), ignored, weight),
            case(f"nll_loss/{r}/unbatched", nll(), randn(5), const(4)),
            case(f"nll_loss/{r}/nc", nll(), randn(4, 5, nc=True), idx),
        ]
    return out


CASES = _relu_linear() + _regression_losses() + _classification_losses()
