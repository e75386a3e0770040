"""Cases for the activations with arguments (leaky_relu elu selu celu hardtanh relu6
hardsigmoid hardswish mish logsigmoid softsign tanhshrink softshrink hardshrink threshold glu
prelu, and their in-place forms), the pointwise losses (smooth_l1 huber soft_margin kl_div
margin_ranking hinge_embedding cosine_embedding poisson_nll gaussian_nll triplet_margin) and the
distances (pairwise_distance cosine_similarity normalize), through torch.nn.functional / the
torch.* and Tensor forms, so the public signatures are checked too. Samples: batch, 0-d,
size-0, non-contiguous and broadcast inputs, arguments as ints and as floats.
"""
from crosscheck import const, pos, randn, uniform
from opcases.base import case

REDUCTIONS = ("none", "mean", "sum")


def nnf(m):
    return m.nn.functional


# (name, call, sample, extra kwargs for case): every one gets /fn (gradgrad), /0d, /empty, /nc
POINTWISE = [
    ("leaky_relu", lambda F, x: F.leaky_relu(x), randn),
    ("elu", lambda F, x: F.elu(x), randn),
    ("selu", lambda F, x: F.selu(x), randn),
    ("celu", lambda F, x: F.celu(x), randn),
    ("hardtanh", lambda F, x: F.hardtanh(x), randn),
    ("relu6", lambda F, x: F.relu6(x * 4), randn),
    ("hardsigmoid", lambda F, x: F.hardsigmoid(x * 4), randn),
    ("hardswish", lambda F, x: F.hardswish(x * 4), randn),
    ("mish", lambda F, x: F.mish(x), randn),
    ("logsigmoid", lambda F, x: F.logsigmoid(x), randn),
    ("softsign", lambda F, x: F.softsign(x), randn),
    ("tanhshrink", lambda F, x: F.tanhshrink(x), randn),
    ("softshrink", lambda F, x: F.softshrink(x), randn),
    ("hardshrink", lambda F, x: F.hardshrink(x), randn),
    ("threshold", lambda F, x: F.threshold(x, 0.1, 20.0), randn),
]
OP_OF = {"selu": "elu", "relu6": "hardtanh", "logsigmoid": "log_sigmoid", "softsign": "div",
         "tanhshrink": "sub"}


def _pointwise():
    out = []
    for name, call, d in POINTWISE:
        ops = (OP_OF.get(name, name),)
        out += [
            case(f"{name}/fn", lambda m, x, c=call: c(nnf(m), x), d(5, 5), ops=ops,
                 gradgrad=True),
            case(f"{name}/0d", lambda m, x, c=call: c(nnf(m), x), d(), ops=ops),
            case(f"{name}/empty", lambda m, x, c=call: c(nnf(m), x), d(0, 3), ops=ops),
            case(f"{name}/nc", lambda m, x, c=call: c(nnf(m), x), d(3, 4, nc=True), ops=ops),
        ]
    return out


def _arguments():
    F = nnf
    return [
        case("leaky_relu/slope", lambda m, x: F(m).leaky_relu(x, 0.2), randn(4, 5)),
        case("leaky_relu/int_slope", lambda m, x: F(m).leaky_relu(x, 2), randn(4, 5)),
        case("leaky_relu/negative_slope", lambda m, x: F(m).leaky_relu(x, negative_slope=-0.3),
             randn(4, 5), gradgrad=True),
        case("elu/alpha", lambda m, x: F(m).elu(x, alpha=0.5), randn(4, 5), gradgrad=True),
        case("elu/wide", lambda m, x: F(m).elu(x), uniform(4, 6, low=-20, high=5)),
        case("celu/alpha", lambda m, x: F(m).celu(x, 2.0), randn(4, 5), gradgrad=True),
        case("celu/int_alpha", lambda m, x: F(m).celu(x, 3), randn(4, 5)),
        case("selu/wide", lambda m, x: F(m).selu(x), uniform(3, 7, low=-10, high=10)),
        case("hardtanh/bounds", lambda m, x: F(m).hardtanh(x, -0.5, 2), randn(4, 5)),
        case("hardtanh/kw", lambda m, x: F(m).hardtanh(x, min_val=-2.0, max_val=0.25),
             randn(4, 5)),
        case("hardsigmoid/wide", lambda m, x: F(m).hardsigmoid(x),
             uniform(4, 6, low=-5, high=5)),
        case("hardswish/wide", lambda m, x: F(m).hardswish(x), uniform(4, 6, low=-5, high=5),
             gradgrad=True),
        case("mish/wide", lambda m, x: F(m).mish(x), uniform(4, 6, low=-30, high=30)),
        case("logsigmoid/wide", lambda m, x: F(m).logsigmoid(x),
             uniform(4, 6, low=-60, high=60)),
        case("softshrink/lambd", lambda m, x: F(m).softshrink(x, 1), randn(4, 5)),
        case("hardshrink/lambd", lambda m, x: F(m).hardshrink(x, lambd=0.25), randn(4, 5)),
        case("hardshrink/torch_fn", lambda m, x: m.hardshrink(x, 0.3), randn(3, 4)),
        case("hardshrink/method", lambda m, x: x.hardshrink(0.3), randn(3, 4)),
        case("threshold/int_args", lambda m, x: F(m).threshold(x, 0, 2), randn(4, 5)),
        case("threshold/torch_fn", lambda m, x: m.threshold(x, -0.5, 1.5), randn(4, 5)),
        case("selu/torch_fn", lambda m, x: m.selu(x), randn(4, 5)),
        case("celu/torch_fn", lambda m, x: m.celu(x, 0.5), randn(4, 5)),
        # integer inputs where torch computes in the input's type
        case("hardtanh/int", lambda m, i: F(m).hardtanh(i, -1, 2), const([[-3, 0, 1, 5]])),
        case("hardtanh/int_float_bounds", lambda m, i: F(m).hardtanh(i, -1.5, 2.5),
             const([[-3, -1, 0, 2, 5]])),
        case("threshold/int", lambda m, i: F(m).threshold(i, 1, 2.5), const([[0, 1, 2, 3]])),
    ]


def _inplace():
    F = nnf
    # (id, call on a non-leaf copy, op-table row it records)
    rows = [
        ("leaky_relu_/inplace", lambda m, x: F(m).leaky_relu(x * 1, 0.2, inplace=True),
         "leaky_relu_"),
        ("leaky_relu_/fn", lambda m, x: F(m).leaky_relu_(x * 1, 0.3), "leaky_relu_"),
        ("elu_/inplace", lambda m, x: F(m).elu(x * 1, 0.7, inplace=True), "elu_"),
        ("elu_/fn", lambda m, x: F(m).elu_(x * 1), "elu_"),
        ("selu_/inplace", lambda m, x: F(m).selu(x * 1, inplace=True), "elu_"),
        ("selu_/torch_fn", lambda m, x: m.selu_(x * 1), "elu_"),
        ("celu_/inplace", lambda m, x: F(m).celu(x * 1, 1.5, inplace=True), "celu_"),
        ("celu_/torch_fn", lambda m, x: m.celu_(x * 1), "celu_"),
        ("hardtanh_/inplace", lambda m, x: F(m).hardtanh(x * 1, inplace=True), "hardtanh"),
        ("hardtanh_/fn", lambda m, x: F(m).hardtanh_(x * 1, -0.5, 0.5), "hardtanh"),
        ("relu6_/inplace", lambda m, x: F(m).relu6(x * 4, inplace=True), "hardtanh"),
        ("hardsigmoid_/inplace", lambda m, x: F(m).hardsigmoid(x * 4, inplace=True),
         "hardsigmoid"),
        ("hardswish_/inplace", lambda m, x: F(m).hardswish(x * 4, inplace=True), "hardswish"),
        ("mish_/inplace", lambda m, x: F(m).mish(x * 1, inplace=True), "mish"),
        ("threshold_/inplace", lambda m, x: F(m).threshold(x * 1, 0.2, -1.0, inplace=True),
         "threshold_"),
        ("threshold_/torch_fn", lambda m, x: m.threshold_(x * 1, 0.2, -1.0), "threshold_"),
        ("relu_/F_inplace", lambda m, x: F(m).relu(x * 1, inplace=True), "relu"),
        ("relu_/fn", lambda m, x: F(m).relu_(x * 1), "relu"),
    ]
    out = []
    for cid, fn, op in rows:
        out.append(case(cid, fn, randn(3, 4), ops=(op,)))
    out += [
        case("leaky_relu_/nc_no_grad", lambda m, x: F(m).leaky_relu(x.t(), 0.2, inplace=True),
             randn(4, 3, rg=False), ops=("leaky_relu_",)),
        case("elu_/view", lambda m, x: (F(m).elu((x * 1)[1:], inplace=True)), randn(3, 4),
             ops=("elu_",)),
    ]
    return out


def _glu_prelu():
    F = nnf
    return [
        case("glu/last", lambda m, x: F(m).glu(x), randn(4, 6), gradgrad=True),
        case("glu/dim0", lambda m, x: F(m).glu(x, 0), randn(4, 3)),
        case("glu/3d", lambda m, x: F(m).glu(x, dim=1), randn(2, 4, 3)),
        case("glu/nc", lambda m, x: F(m).glu(x, -1), randn(3, 4, nc=True)),
        case("glu/empty", lambda m, x: F(m).glu(x, -1), randn(0, 4)),
        case("prelu/channels", lambda m, x, w: F(m).prelu(x, w), randn(2, 3, 4), randn(3),
             ops=("_prelu_kernel",), gradgrad=True),
        case("prelu/shared", lambda m, x, w: F(m).prelu(x, w), randn(2, 3, 4), randn(1),
             ops=("_prelu_kernel",)),
        case("prelu/2d", lambda m, x, w: F(m).prelu(x, w), randn(5, 3), randn(3),
             ops=("_prelu_kernel",)),
        case("prelu/1d", lambda m, x, w: F(m).prelu(x, w), randn(5), randn(1),
             ops=("_prelu_kernel",)),
        case("prelu/0d", lambda m, x, w: F(m).prelu(x, w), randn(), randn(1),
             ops=("_prelu_kernel",)),
        case("prelu/nc", lambda m, x, w: F(m).prelu(x, w), randn(3, 4, nc=True), randn(4),
             ops=("_prelu_kernel",)),
        case("prelu/torch_fn", lambda m, x, w: m.prelu(x, w), randn(2, 3), randn(3),
             ops=("_prelu_kernel",)),
        case("prelu/method", lambda m, x, w: x.prelu(w), randn(2, 3, 2), randn(3),
             ops=("_prelu_kernel",)),
        case("prelu/weight_no_grad", lambda m, x, w: F(m).prelu(x, w), randn(2, 3),
             randn(3, rg=False), ops=("_prelu_kernel",)),
    ]


def _sign(m, t):
    # targets in {-1, 1} (0 never occurs in a continuous sample)
    return t.sign()


def _losses():
    F = nnf
    out = []
    for r in REDUCTIONS:
        gg = r == "mean"
        out += [
            case(f"smooth_l1_loss/{r}", lambda m, x, y, r=r: F(m).smooth_l1_loss(x, y, reduction=r),
                 randn(3, 4), randn(3, 4), gradgrad=gg),
            case(f"smooth_l1_loss/{r}/beta", lambda m, x, y, r=r: F(m).smooth_l1_loss(
                x, y, reduction=r, beta=0.5), randn(3, 4), randn(3, 4)),
            case(f"smooth_l1_loss/{r}/beta0", lambda m, x, y, r=r: F(m).smooth_l1_loss(
                x, y, reduction=r, beta=0.0), randn(3, 4), randn(3, 4), ops=("abs",)),
            case(f"huber_loss/{r}", lambda m, x, y, r=r: F(m).huber_loss(x, y, reduction=r),
                 randn(3, 4), randn(3, 4), gradgrad=gg),
            case(f"huber_loss/{r}/delta", lambda m, x, y, r=r: F(m).huber_loss(
                x, y, reduction=r, delta=0.3), randn(3, 4), randn(3, 4)),
            case(f"soft_margin_loss/{r}", lambda m, x, y, r=r: F(m).soft_margin_loss(
                x, _sign(m, y), reduction=r), randn(3, 4), randn(3, 4, rg=False), gradgrad=gg),
            case(f"kl_div/{r}", lambda m, x, t, r=r: F(m).kl_div(
                x.log_softmax(-1), t.softmax(-1), reduction=r) if r != "mean" else
                F(m).kl_div(x.log_softmax(-1), t.softmax(-1), reduction="batchmean"),
                randn(3, 4), randn(3, 4), ops=("xlogy",)),
            case(f"kl_div/{r}/log_target", lambda m, x, t, r=r: F(m).kl_div(
                x.log_softmax(-1), t.log_softmax(-1), reduction=r if r != "mean" else "sum",
                log_target=True), randn(3, 4), randn(3, 4), ops=("exp",)),
            case(f"margin_ranking_loss/{r}", lambda m, a, b, t, r=r: F(m).margin_ranking_loss(
                a, b, _sign(m, t), margin=0.2, reduction=r), randn(6), randn(6),
                randn(6, rg=False), ops=("clamp_min",)),
            case(f"hinge_embedding_loss/{r}", lambda m, x, t, r=r: F(m).hinge_embedding_loss(
                x, _sign(m, t), reduction=r), randn(3, 4), randn(3, 4, rg=False),
                ops=("where",)),
            case(f"cosine_embedding_loss/{r}", lambda m, a, b, t, r=r:
                 F(m).cosine_embedding_loss(a, b, _sign(m, t), margin=0.1, reduction=r),
                 randn(4, 5), randn(4, 5), randn(4, rg=False), ops=("where",)),
            case(f"poisson_nll_loss/{r}", lambda m, x, y, r=r: F(m).poisson_nll_loss(
                x, y, reduction=r), randn(3, 4), pos(3, 4, rg=False), ops=("exp",)),
            case(f"gaussian_nll_loss/{r}", lambda m, x, y, v, r=r: F(m).gaussian_nll_loss(
                x, y, v, reduction=r), randn(3, 4), randn(3, 4), pos(3, 4), ops=("log",)),
            case(f"triplet_margin_loss/{r}", lambda m, a, p, n, r=r: F(m).triplet_margin_loss(
                a, p, n, reduction=r), randn(4, 5), randn(4, 5), randn(4, 5),
                ops=("clamp_min",)),
        ]
    out += [
        case("smooth_l1_loss/0d", lambda m, x, y: F(m).smooth_l1_loss(x, y), randn(), randn()),
        case("smooth_l1_loss/empty_none", lambda m, x, y: F(m).smooth_l1_loss(
            x, y, reduction="none"), randn(0, 3), randn(0, 3)),
        case("smooth_l1_loss/nc", lambda m, x, y: F(m).smooth_l1_loss(x, y),
             randn(3, 4, nc=True), randn(3, 4)),
        case("huber_loss/weight", lambda m, x, y, w: F(m).huber_loss(x, y, weight=w),
             randn(3, 4), randn(3, 4), pos(3, 4)),
        case("huber_loss/nc", lambda m, x, y: F(m).huber_loss(x, y, reduction="sum"),
             randn(3, 4, nc=True), randn(3, 4, nc=True)),
        case("soft_margin_loss/0d", lambda m, x, y: F(m).soft_margin_loss(x, _sign(m, y)),
             randn(), randn(rg=False)),
        case("kl_div/batchmean_0d", lambda m, x, t: F(m).kl_div(x, t, reduction="batchmean"),
             randn(), pos(rg=False), ops=("xlogy",)),
        case("poisson_nll_loss/not_log", lambda m, x, y: F(m).poisson_nll_loss(
            x, y, log_input=False), pos(3, 4), pos(3, 4, rg=False), ops=("log",)),
        case("poisson_nll_loss/full", lambda m, x, y: F(m).poisson_nll_loss(
            x, y * 2, full=True, reduction="sum"), randn(3, 4), pos(3, 4, rg=False),
            ops=("masked_fill",)),
        case("gaussian_nll_loss/var_per_row", lambda m, x, y, v: F(m).gaussian_nll_loss(
            x, y, v, full=True), randn(3, 4), randn(3, 4), pos(3), ops=("log",)),
        case("gaussian_nll_loss/var_col", lambda m, x, y, v: F(m).gaussian_nll_loss(
            x, y, v, reduction="sum"), randn(3, 4), randn(3, 4), pos(3, 1), ops=("log",)),
        case("gaussian_nll_loss/clamped_var", lambda m, x, y, v: F(m).gaussian_nll_loss(
            x, y, v * 1e-8, eps=1e-3), randn(3, 4), randn(3, 4), pos(3, 4), ops=("log",),
            gradcheck=False),  # torch clamps var untracked: its gradient is not the slope
        case("triplet_margin_loss/swap_p1", lambda m, a, p, n: F(m).triplet_margin_loss(
            a, p, n, margin=2.0, p=1, swap=True), randn(4, 5), randn(4, 5), randn(4, 5),
            ops=("minimum",)),
        case("triplet_margin_loss/1d", lambda m, a, p, n: F(m).triplet_margin_loss(
            a, p, n), randn(5), randn(5), randn(5), ops=("clamp_min",)),
        case("cosine_embedding_loss/1d", lambda m, a, b, t: F(m).cosine_embedding_loss(
            a, b, t), randn(5), randn(5), const(-1.0, rg=False), ops=("where",)),
    ]
    return out


def _distances():
    F = nnf
    return [
        case("pairwise_distance/p2", lambda m, a, b: F(m).pairwise_distance(a, b), randn(4, 5),
             randn(4, 5), ops=("norm",), gradgrad=True),
        case("pairwise_distance/p1", lambda m, a, b: F(m).pairwise_distance(a, b, 1),
             randn(4, 5), randn(4, 5), ops=("norm",)),
        case("pairwise_distance/p3_keepdim", lambda m, a, b: F(m).pairwise_distance(
            a, b, p=3.0, keepdim=True), randn(4, 5), randn(4, 5), ops=("norm",),
            gradgrad=True),
        case("pairwise_distance/inf", lambda m, a, b: F(m).pairwise_distance(
            a, b, float("inf")), randn(4, 5), randn(4, 5), ops=("norm",)),
        case("pairwise_distance/broadcast", lambda m, a, b: F(m).pairwise_distance(a, b),
             randn(4, 5), randn(5), ops=("norm",)),
        case("pairwise_distance/1d", lambda m, a, b: F(m).pairwise_distance(a, b), randn(5),
             randn(5), ops=("norm",)),
        case("pairwise_distance/nc", lambda m, a, b: F(m).pairwise_distance(a, b),
             randn(4, 3, nc=True), randn(4, 3), ops=("norm",)),
        case("pairwise_distance/torch_fn", lambda m, a, b: m.pairwise_distance(a, b, 2.0, 1e-3),
             randn(3, 4), randn(3, 4), ops=("norm",)),
        case("cosine_similarity/dim1", lambda m, a, b: F(m).cosine_similarity(a, b),
             randn(4, 5), randn(4, 5), ops=("sum",), gradgrad=True),
        case("cosine_similarity/dim0", lambda m, a, b: F(m).cosine_similarity(a, b, dim=0),
             randn(4, 5), randn(4, 5), ops=("sum",)),
        case("cosine_similarity/broadcast", lambda m, a, b: F(m).cosine_similarity(a, b, -1),
             randn(3, 4, 5), randn(5), ops=("sum",)),
        case("cosine_similarity/torch_fn", lambda m, a, b: m.cosine_similarity(a, b, 1, 1e-6),
             randn(3, 4), randn(3, 4), ops=("sum",)),
        case("normalize/default", lambda m, x: F(m).normalize(x), randn(4, 5), ops=("div",),
             gradgrad=True),
        case("normalize/p1_dim0", lambda m, x: F(m).normalize(x, p=1, dim=0), randn(4, 5),
             ops=("div",)),
        case("normalize/nc", lambda m, x: F(m).normalize(x, dim=-1), randn(3, 4, nc=True),
             ops=("div",)),
    ]


CASES = _pointwise() + _arguments() + _inplace() + _glu_prelu() + _losses() + _distances()


def _aten_losses():
    """torch.<loss>: the aten forms (reduction as an int, default none)."""
    return [
        case("kl_div/torch_fn", lambda m, x, t: m.kl_div(x, t.softmax(-1)), randn(3, 4),
             randn(3, 4), ops=("xlogy",)),
        case("kl_div/torch_fn_mean_log", lambda m, x, t: m.kl_div(x, t, 1, log_target=True),
             randn(3, 4), randn(3, 4), ops=("exp",)),
        case("margin_ranking_loss/torch_fn", lambda m, a, b, t: m.margin_ranking_loss(
            a, b, _sign(m, t), 0.5, 2), randn(5), randn(5), randn(5, rg=False),
            ops=("clamp_min",)),
        case("hinge_embedding_loss/torch_fn", lambda m, x, t: m.hinge_embedding_loss(
            x, _sign(m, t)), randn(3, 4), randn(3, 4, rg=False), ops=("where",)),
        case("cosine_embedding_loss/torch_fn", lambda m, a, b, t: m.cosine_embedding_loss(
            a, b, _sign(m, t), 0.0, 1), randn(3, 4), randn(3, 4), randn(3, rg=False),
            ops=("where",)),
        case("poisson_nll_loss/torch_fn", lambda m, x, y: m.poisson_nll_loss(
            x, y, True, False, 1e-8, 1), randn(3, 4), pos(3, 4, rg=False), ops=("exp",)),
        case("triplet_margin_loss/torch_fn", lambda m, a, p, n: m.triplet_margin_loss(
            a, p, n), randn(3, 4), randn(3, 4), randn(3, 4), ops=("clamp_min",)),
    ]


CASES += _aten_losses()


KINKS = [-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0, 6.0, 20.0, float("nan"), float("inf"),
         float("-inf")]


def _kinks():
    """Inputs on the boundaries where the formulas switch (and NaN / inf): forward values and
    the subgradient torch picks there (no finite differences across a kink)."""
    F = nnf
    calls = [
        ("leaky_relu", lambda m, x: F(m).leaky_relu(x, 0.1), "leaky_relu"),
        ("elu", lambda m, x: F(m).elu(x), "elu"),
        ("celu", lambda m, x: F(m).celu(x, 0.5), "celu"),
        ("hardtanh", lambda m, x: F(m).hardtanh(x), "hardtanh"),
        ("relu6", lambda m, x: F(m).relu6(x), "hardtanh"),
        ("hardsigmoid", lambda m, x: F(m).hardsigmoid(x), "hardsigmoid"),
        ("hardswish", lambda m, x: F(m).hardswish(x), "hardswish"),
        ("mish", lambda m, x: F(m).mish(x), "mish"),
        ("logsigmoid", lambda m, x: F(m).logsigmoid(x), "log_sigmoid"),
        ("softshrink", lambda m, x: F(m).softshrink(x, 0.5), "softshrink"),
        ("hardshrink", lambda m, x: F(m).hardshrink(x, 0.5), "hardshrink"),
        ("threshold", lambda m, x: F(m).threshold(x, 1.0, -2.0), "threshold"),
        ("smooth_l1_loss", lambda m, x: F(m).smooth_l1_loss(x, x.detach() * 0 + 0.5,
                                                            reduction="none"), "smooth_l1_loss"),
        ("huber_loss", lambda m, x: F(m).huber_loss(x, x.detach() * 0 - 0.5, reduction="none",
                                                    delta=0.5), "huber_loss"),
    ]
    calls += [
        ("leaky_relu_", lambda m, x: F(m).leaky_relu(x * 1, 0.1, inplace=True), "leaky_relu_"),
        ("elu_", lambda m, x: F(m).elu(x * 1, inplace=True), "elu_"),
        ("celu_", lambda m, x: F(m).celu(x * 1, 2.0, inplace=True), "celu_"),
        ("threshold_", lambda m, x: F(m).threshold(x * 1, 1.0, -2.0, inplace=True),
         "threshold_"),
        ("hardtanh_", lambda m, x: F(m).hardtanh(x * 1, inplace=True), "hardtanh"),
        ("prelu", lambda m, x: F(m).prelu(x, x.detach()[:1] * 0 + 0.25), "_prelu_kernel"),
    ]
    return [case(f"{n}/kinks", fn, const(KINKS), ops=(op,), gradcheck=False)
            for n, fn, op in calls]


CASES += _kinks()


def _mixed():
    """Mixed input/target dtypes (the result dtype is torch's) and the 0-norm (a count)."""
    F = nnf
    return [
        case("smooth_l1_loss/mixed_dtypes", lambda m, x, y: F(m).smooth_l1_loss(x, y),
             randn(3, 4), randn(3, 4, dtype="float64")),
        # forward only: torch's own backward raises "Found dtype Double but expected Float"
        case("huber_loss/mixed_dtypes", lambda m, x, y: F(m).huber_loss(x, y),
             randn(3, 4), randn(3, 4, dtype="float64"), grad=False),
        case("soft_margin_loss/mixed_dtypes", lambda m, x, y: F(m).soft_margin_loss(
            x, _sign(m, y)), randn(3, 4), randn(3, 4, dtype="float64", rg=False)),
        case("pairwise_distance/p0", lambda m, a, b: F(m).pairwise_distance(a, b, 0),
             randn(4, 5), randn(4, 5), ops=("norm",), gradcheck=False),
    ]


CASES += _mixed()
