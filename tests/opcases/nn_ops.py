"""Cases for the ops models need (issue 4): exp2 rsqrt erf silu gelu softplus, the in-place
unary forms, logsumexp var std prod, argmax/argmin, index_select masked_fill tril triu one_hot,
addcmul addcdiv lerp, layer_norm embedding conv2d (im2col/col2im) pad max_pool2d dropout (the
deterministic cases; the random ones are in tests/test_nn_ops.py). Sample shapes follow torch's
OpInfo samples: batch, broadcast, 0-d, size-0 and non-contiguous inputs.

The nn ops are called as torch._C._nn.<name> / torch.<name> in torch and as tapegrad._C.<name>
here, so the bound signatures are checked against torch's.
"""
import numpy as np

from crosscheck import away, const, ints, mask, pos, randn, ties, uniform
from opcases.base import case


def nn_(m):
    """torch._C._nn (gelu, silu, softplus, one_hot, max_pool2d_with_indices, pad, im2col, col2im)
    or the module under test's _C, which binds them under the same names."""
    return m._C._nn if m.__name__ == "torch" else m._C


def _cols(m, name):
    # tapegrad binds im2col / col2im privately (F.unfold / F.fold wrap them)
    return getattr(m._C._nn, name) if m.__name__ == "torch" else getattr(m._C, "_" + name)


# ----------------------------------------------------------------------------- unary

UNARY_DOMAIN = {"rsqrt": pos, "log": pos, "sqrt": pos, "log1p": pos, "reciprocal": away,
                "abs": away, "relu": away, "sign": away}
NEW_UNARY = ("exp2", "rsqrt", "erf")
# every unary row of ops.def with a torch in-place method
INPLACE_UNARY = ("neg", "abs", "sign", "relu", "exp", "log", "sin", "cos", "tanh", "sigmoid",
                 "sqrt", "reciprocal", "log1p", "expm1", "exp2", "rsqrt", "erf")


def _unary():
    out = []
    for n in NEW_UNARY:
        d = UNARY_DOMAIN.get(n, randn)
        out += [
            case(f"{n}/fn", lambda m, x, n=n: getattr(m, n)(x), d(5, 5), gradgrad=True),
            case(f"{n}/method", lambda m, x, n=n: getattr(x, n)(), d(2, 3, 4)),
            case(f"{n}/0d", lambda m, x, n=n: getattr(m, n)(x), d()),
            case(f"{n}/empty", lambda m, x, n=n: getattr(m, n)(x), d(0, 3)),
            case(f"{n}/nc", lambda m, x, n=n: getattr(m, n)(x), d(3, 4, nc=True)),
            case(f"{n}/int", lambda m, i, n=n: getattr(m, n)(i), ints(3, 4, low=1, high=5)),
        ]
    for n in INPLACE_UNARY:
        d = UNARY_DOMAIN.get(n, randn)
        out += [
            case(f"{n}_/inplace", lambda m, x, n=n: getattr(x * 1, n + "_")(), d(3, 4),
                 ops=(n,)),
            case(f"{n}_/inplace_nc", lambda m, x, n=n: getattr(x.t() * 1, n + "_")(),
                 d(4, 3), ops=(n,), grad=False),
        ]
    out += [
        case("exp_/no_grad_leaf", lambda m, x: (x.exp_(), x)[1], randn(3, 4, rg=False),
             ops=("exp",)),
        case("neg_/int", lambda m, i: i.neg_(), ints(3, 4), ops=("neg",)),
        case("silu/fn", lambda m, x: nn_(m).silu(x), randn(5, 5), gradgrad=True),
        case("silu/0d", lambda m, x: nn_(m).silu(x), randn()),
        case("silu/empty", lambda m, x: nn_(m).silu(x), randn(0, 2)),
        case("silu/nc", lambda m, x: nn_(m).silu(x), randn(3, 4, nc=True)),
        case("silu_/inplace", lambda m, x: nn_(m).silu_(x * 1), randn(3, 4), ops=("silu",)),
    ]
    for approx in ("none", "tanh"):
        out += [
            case(f"gelu/{approx}", lambda m, x, a=approx: nn_(m).gelu(x, approximate=a),
                 randn(5, 5), gradgrad=True),
            case(f"gelu/{approx}/wide", lambda m, x, a=approx: nn_(m).gelu(x, approximate=a),
                 uniform(4, 6, low=-6, high=6)),
            case(f"gelu/{approx}/0d", lambda m, x, a=approx: nn_(m).gelu(x, approximate=a),
                 randn()),
            case(f"gelu/{approx}/nc", lambda m, x, a=approx: nn_(m).gelu(x, approximate=a),
                 randn(3, 4, nc=True)),
        ]
    out += [
        case("gelu/default", lambda m, x: nn_(m).gelu(x), randn(2, 3, 4)),
        case("gelu/empty", lambda m, x: nn_(m).gelu(x), randn(0, 4)),
        case("softplus/default", lambda m, x: nn_(m).softplus(x), randn(5, 5), gradgrad=True),
        case("softplus/beta_threshold", lambda m, x: nn_(m).softplus(x, 2, 1),
             uniform(4, 5, low=-3, high=3), gradgrad=True),
        case("softplus/kw", lambda m, x: nn_(m).softplus(x, beta=0.5, threshold=3.0),
             uniform(4, 5, low=-8, high=8)),
        case("softplus/0d", lambda m, x: nn_(m).softplus(x), randn()),
        case("softplus/empty", lambda m, x: nn_(m).softplus(x), randn(0, 3)),
        case("softplus/nc", lambda m, x: nn_(m).softplus(x), randn(3, 4, nc=True)),
    ]
    return out


# ------------------------------------------------------------------------ reductions

def _reductions():
    one_zero = const([[1.5, 0.0, -2.0, 0.5], [0.7, 1.2, -0.9, 1.1], [0.0, 2.0, 0.0, 1.3]])
    return [
        case("logsumexp/dim", lambda m, x: m.logsumexp(x, 1), randn(3, 4), gradgrad=True),
        case("logsumexp/method_neg", lambda m, x: x.logsumexp(-1), randn(2, 3, 4)),
        case("logsumexp/tuple", lambda m, x: m.logsumexp(x, (0, 2)), randn(2, 3, 4)),
        case("logsumexp/all_dims", lambda m, x: m.logsumexp(x, (0, 1)), randn(3, 4)),
        case("logsumexp/keepdim", lambda m, x: m.logsumexp(x, 0, keepdim=True), randn(3, 4)),
        case("logsumexp/large", lambda m, x: m.logsumexp(x * 300, 1), randn(3, 4)),
        case("logsumexp/inf", lambda m, x: m.logsumexp(x, 1),
             const([[float("inf"), 1.0], [float("-inf"), float("-inf")], [2.0, 3.0]]),
             gradcheck=False),
        case("logsumexp/0d", lambda m, x: m.logsumexp(x, 0), randn()),
        case("logsumexp/empty_kept", lambda m, x: m.logsumexp(x, 1), randn(0, 3)),
        case("logsumexp/empty_reduced", lambda m, x: m.logsumexp(x, 0), randn(0, 3)),
        case("logsumexp/nc", lambda m, x: m.logsumexp(x, 0), randn(3, 4, nc=True)),
        case("logsumexp/int", lambda m, i: m.logsumexp(i, 1), ints(3, 4)),
        case("var/all", lambda m, x: m.var(x), randn(3, 4), gradgrad=True),
        case("var/dim", lambda m, x: x.var(1), randn(3, 4), gradgrad=True),
        case("var/dim_tuple_keepdim", lambda m, x: m.var(x, (0, 2), keepdim=True),
             randn(2, 3, 4)),
        case("var/unbiased_false", lambda m, x: m.var(x, 0, False), randn(3, 4)),
        case("var/bool_positional", lambda m, x: m.var(x, False), randn(3, 4)),
        case("var/correction", lambda m, x: x.var(dim=-1, correction=2), randn(3, 5)),
        case("var/correction0_all", lambda m, x: m.var(x, correction=0), randn(2, 3)),
        case("var/dim_none_keepdim", lambda m, x: m.var(x, None, keepdim=True), randn(2, 3)),
        case("var/single", lambda m, x: m.var(x, 0), randn(1, 3), gradcheck=False),
        case("var/0d", lambda m, x: m.var(x, correction=0), randn()),
        case("var/empty_kept", lambda m, x: m.var(x, 0), randn(3, 0), gradcheck=False),
        case("var/nc", lambda m, x: m.var(x, 1), randn(3, 4, nc=True)),
        case("std/all", lambda m, x: m.std(x), randn(3, 4), gradgrad=True),
        case("std/dim", lambda m, x: x.std(0), randn(3, 4), gradgrad=True),
        case("std/keepdim_unbiased", lambda m, x: m.std(x, 1, True, True), randn(3, 4)),
        case("std/correction", lambda m, x: x.std((0, 1), correction=0), randn(2, 3, 2)),
        case("std/nc", lambda m, x: m.std(x, -1), randn(3, 4, nc=True)),
        case("prod/all", lambda m, x: m.prod(x), away(3, 4), gradgrad=True),
        case("prod/dim", lambda m, x: x.prod(1), away(3, 4), gradgrad=True),
        case("prod/keepdim", lambda m, x: m.prod(x, 0, keepdim=True), away(3, 4)),
        case("prod/neg_dim", lambda m, x: x.prod(-1), away(2, 3, 4)),
        case("prod/one_zero_all", lambda m, x: m.prod(x), const([[1.5, 0.0], [-2.0, 0.5]]),
             gradgrad=True),
        case("prod/two_zeros_all", lambda m, x: m.prod(x), one_zero),
        case("prod/zeros_dim", lambda m, x: m.prod(x, 1), one_zero, gradgrad=True),
        case("prod/zeros_dim0", lambda m, x: m.prod(x, 0, True), one_zero),
        case("prod/0d", lambda m, x: m.prod(x), randn()),
        case("prod/0d_dim", lambda m, x: m.prod(x, 0), randn()),
        case("prod/empty", lambda m, x: m.prod(x), randn(0, 3)),
        case("prod/empty_dim", lambda m, x: m.prod(x, 0), randn(0, 3)),
        case("prod/nc", lambda m, x: m.prod(x, 0), away(3, 4, nc=True)),
        case("prod/dtype", lambda m, x: m.prod(x, dtype=m.float64), away(3, 4),
             dtypes=("float32",)),
        case("prod/int", lambda m, i: i.prod(), ints(2, 3, low=1, high=4)),
        case("prod/int_dim", lambda m, i: m.prod(i, 1), ints(2, 3)),
        case("prod/bool", lambda m, x: (x > 0).prod(), randn(3)),
        case("argmax/all", lambda m, x: m.argmax(x), randn(3, 4)),
        case("argmax/dim", lambda m, x: x.argmax(1), randn(3, 4)),
        case("argmax/keepdim", lambda m, x: m.argmax(x, -1, keepdim=True), randn(2, 3, 4)),
        case("argmax/none_keepdim", lambda m, x: m.argmax(x, keepdim=True), randn(2, 3)),
        case("argmax/ties", lambda m, x: x.argmax(0), ties(5, 4)),
        case("argmax/0d", lambda m, x: m.argmax(x, 0, True), randn()),
        case("argmax/empty_kept", lambda m, x: m.argmax(x, 1), randn(0, 3)),
        case("argmax/nc", lambda m, x: x.argmax(0), randn(3, 4, nc=True)),
        case("argmin/all", lambda m, x: m.argmin(x), randn(3, 4)),
        case("argmin/dim", lambda m, x: x.argmin(dim=0), randn(3, 4)),
        case("argmin/none_keepdim", lambda m, x: x.argmin(keepdim=True), randn(3)),
        case("argmin/ties", lambda m, x: m.argmin(x, 1), ties(4, 5)),
        case("argmin/int", lambda m, i: m.argmin(i, 1), ints(3, 4)),
    ]


# -------------------------------------------------------------------------- indexing

def _indexing():
    idx = const([0, 2, 2, 1])
    return [
        case("index_select/dim0", lambda m, x, i: m.index_select(x, 0, i), randn(3, 4), idx,
             gradgrad=True),
        case("index_select/dim1", lambda m, x, i: x.index_select(1, i), randn(3, 4), idx),
        case("index_select/neg_dim", lambda m, x, i: x.index_select(-1, i), randn(2, 3, 4), idx),
        case("index_select/int32", lambda m, x, i: x.index_select(0, i), randn(3, 4),
             const([2, 0], dtype="int32")),
        case("index_select/0d_index", lambda m, x, i: x.index_select(1, i), randn(3, 4),
             const(1)),
        case("index_select/empty_index", lambda m, x, i: x.index_select(0, i), randn(3, 4),
             const(np.zeros(0, dtype=np.int64))),
        case("index_select/1d", lambda m, x, i: m.index_select(x, 0, i), randn(5), idx),
        case("index_select/nc", lambda m, x, i: x.index_select(0, i), randn(3, 4, nc=True), idx),
        case("index_select/int_input", lambda m, x, i: x.index_select(1, i), ints(3, 4), idx),
        case("masked_fill/scalar", lambda m, x, k: x.masked_fill(k, 0.5), randn(3, 4),
             mask(3, 4), gradgrad=True),
        case("masked_fill/fn_int_value", lambda m, x, k: m.masked_fill(x, k, 2), randn(3, 4),
             mask(3, 4)),
        case("masked_fill/tensor_value", lambda m, x, k, v: x.masked_fill(k, v), randn(3, 4),
             mask(3, 4), randn(), ops=("masked_fill",), gradgrad=True),
        case("masked_fill/tensor_value_no_grad", lambda m, x, k, v: m.masked_fill(x, k, v),
             randn(3, 4), mask(3, 4), randn(rg=False)),
        case("masked_fill/tensor_value_only_grad", lambda m, x, k, v: m.masked_fill(x, k, v),
             randn(3, 4, rg=False), mask(3, 4), randn()),
        case("masked_fill/mask_bcast", lambda m, x, k: x.masked_fill(k, -1.0), randn(3, 4),
             mask(4)),
        case("masked_fill/self_bcast", lambda m, x, k, v: x.masked_fill(k, v), randn(3, 4),
             mask(2, 3, 4), randn()),
        case("masked_fill/0d", lambda m, x, k: x.masked_fill(k, 1.0), randn(), mask()),
        case("masked_fill/empty", lambda m, x, k: x.masked_fill(k, 1.0), randn(0, 4), mask(0, 4)),
        case("masked_fill/nc", lambda m, x, k: x.masked_fill(k, 3.0), randn(3, 4, nc=True),
             mask(3, 4, nc=True)),
        case("masked_fill/int_self_float_value", lambda m, i, k: i.masked_fill(k, 1.5),
             ints(3, 4), mask(3, 4)),
        case("masked_fill_/scalar", lambda m, x, k: (x * 1).masked_fill_(k, 2.0), randn(3, 4),
             mask(3, 4), ops=("masked_fill",)),
        case("masked_fill_/tensor", lambda m, x, k, v: (x * 1).masked_fill_(k, v), randn(3, 4),
             mask(4), randn(), ops=("masked_fill",)),
        case("tril/default", lambda m, x: m.tril(x), randn(5, 5), gradgrad=True),
        case("tril/pos_diag", lambda m, x: x.tril(1), randn(3, 5)),
        case("tril/neg_diag", lambda m, x: m.tril(x, diagonal=-1), randn(5, 3)),
        case("tril/batch", lambda m, x: x.tril(), randn(2, 3, 4)),
        case("tril/empty", lambda m, x: x.tril(), randn(0, 3)),
        case("tril/nc", lambda m, x: x.tril(), randn(3, 4, nc=True)),
        case("tril/int", lambda m, i: i.tril(), ints(3, 3)),
        case("triu/default", lambda m, x: m.triu(x), randn(5, 5), gradgrad=True),
        case("triu/pos_diag", lambda m, x: x.triu(2), randn(4, 5)),
        case("triu/neg_diag", lambda m, x: m.triu(x, -1), randn(2, 4, 3)),
        case("triu/nc", lambda m, x: x.triu(1), randn(3, 4, nc=True)),
        case("tril_/inplace", lambda m, x: (x * 1).tril_(), randn(3, 4), ops=("tril",)),
        case("triu_/inplace", lambda m, x: (x * 1).triu_(-1), randn(3, 4), ops=("triu",)),
        case("one_hot/infer", lambda m, i: nn_(m).one_hot(i), const([0, 3, 1, 1])),
        case("one_hot/num_classes", lambda m, i: nn_(m).one_hot(i, 6), ints(2, 3)),
        case("one_hot/kw", lambda m, i: nn_(m).one_hot(i, num_classes=4), const(2)),
        case("one_hot/empty", lambda m, i: nn_(m).one_hot(i, 3),
             const(np.zeros((0, 2), dtype=np.int64))),
    ]


# ---------------------------------------------------------------------- optimizer math

def _optimizer_math():
    return [
        case("addcmul/default", lambda m, x, a, b: m.addcmul(x, a, b), randn(3, 4), randn(3, 4),
             randn(3, 4), gradgrad=True),
        case("addcmul/value_bcast", lambda m, x, a, b: x.addcmul(a, b, value=0.5), randn(3, 4),
             randn(4), randn(3, 1)),
        case("addcmul/0d", lambda m, x, a, b: m.addcmul(x, a, b, value=-2), randn(), randn(),
             randn()),
        case("addcmul/nc", lambda m, x, a, b: m.addcmul(x, a, b), randn(3, 4, nc=True),
             randn(3, 4), randn(3, 4, nc=True)),
        case("addcmul/int", lambda m, x, a, b: m.addcmul(x, a, b, value=3), ints(3), ints(3),
             ints(3)),
        case("addcdiv/default", lambda m, x, a, b: m.addcdiv(x, a, b), randn(3, 4), randn(3, 4),
             away(3, 4), gradgrad=True),
        case("addcdiv/value_bcast", lambda m, x, a, b: x.addcdiv(a, b, value=0.1), randn(2, 3),
             randn(3), away(2, 1)),
        case("addcdiv/nc", lambda m, x, a, b: m.addcdiv(x, a, b, value=2), randn(3, 4),
             randn(3, 4, nc=True), away(3, 4, nc=True)),
        case("addcmul_/inplace", lambda m, x, a, b: (x * 1).addcmul_(a, b, value=2), randn(3, 4),
             randn(3, 4), randn(4), ops=("addcmul",)),
        case("addcdiv_/inplace", lambda m, x, a, b: (x * 1).addcdiv_(a, b, value=-1),
             randn(3, 4), randn(3, 4), away(3, 4), ops=("addcdiv",)),
        case("lerp/scalar", lambda m, x, y: m.lerp(x, y, 0.3), randn(3, 4), randn(3, 4),
             gradgrad=True),
        case("lerp/scalar_bcast", lambda m, x, y: x.lerp(y, 0.75), randn(3, 4), randn(4)),
        case("lerp/tensor", lambda m, x, y, w: m.lerp(x, y, w), randn(3, 4), randn(3, 4),
             uniform(3, 4), gradgrad=True),
        case("lerp/tensor_bcast", lambda m, x, y, w: x.lerp(y, w), randn(3, 4), randn(3, 1),
             uniform(4)),
        case("lerp/0d_weight", lambda m, x, y, w: m.lerp(x, y, w), randn(3, 4), randn(3, 4),
             uniform()),
        case("lerp/nc", lambda m, x, y: m.lerp(x, y, 0.5), randn(3, 4, nc=True), randn(3, 4)),
        case("lerp_/scalar", lambda m, x, y: (x * 1).lerp_(y, 0.1), randn(3, 4), randn(3, 4),
             ops=("lerp",)),
        case("lerp_/tensor", lambda m, x, y, w: (x * 1).lerp_(y, w), randn(3, 4), randn(3, 4),
             uniform(3, 4), ops=("lerp",)),
        # bit-equal float32 forwards (torch rounds addcmul and lerp once, with an fma)
        case("addcmul/exact_f32", lambda m, x, a, b: m.addcmul(x, a, b, value=0.1), randn(999),
             randn(999), randn(999), exact=True, dtypes=("float32",), grad=False),
        case("addcdiv/exact_f32", lambda m, x, a, b: m.addcdiv(x, a, b, value=-0.01),
             randn(999), randn(999), away(999), exact=True, dtypes=("float32",), grad=False),
        case("lerp/exact_f32_small", lambda m, x, y: m.lerp(x, y, 0.3), randn(999), randn(999),
             exact=True, dtypes=("float32",), grad=False),
        case("lerp/exact_f32_large", lambda m, x, y: m.lerp(x, y, 0.9), randn(999), randn(999),
             exact=True, dtypes=("float32",), grad=False),
        case("lerp/exact_f32_tensor", lambda m, x, y, w: m.lerp(x, y, w), randn(999),
             randn(999), uniform(999), exact=True, dtypes=("float32",), grad=False),
        case("add/alpha_exact_f32", lambda m, x, y: m.add(x, y, alpha=-0.01), randn(999),
             randn(999), exact=True, dtypes=("float32",), grad=False, ops=("add",)),
        case("sub_/alpha_exact_f32", lambda m, x, y: x.clone().sub_(y, alpha=0.3), randn(999),
             randn(999), exact=True, dtypes=("float32",), grad=False, ops=("sub",)),
        case("add_/alpha_kw", lambda m, x, y: (x * 1).add_(y, alpha=-0.5), randn(3, 4),
             randn(3, 4), ops=("add",)),
        case("sub_/alpha_kw", lambda m, x, y: (x * 1).sub_(y, alpha=2), randn(3, 4), randn(4),
             ops=("sub",)),
    ]


# ------------------------------------------------------------------------- nn layers

def _layer_norm_embedding():
    # padding_idx and scale_grad_by_freq change the gradient on purpose (not the derivative of
    # the forward), so finite differences do not apply to them (gradcheck=False)
    ln = "native_layer_norm"
    return [
        case("layer_norm/last", lambda m, x: m.layer_norm(x, (4,)), randn(2, 3, 4), ops=(ln,),
             gradgrad=True),
        case("layer_norm/affine", lambda m, x, w, b: m.layer_norm(x, [4], w, b), randn(3, 4),
             randn(4), randn(4), ops=(ln,), gradgrad=True),
        case("layer_norm/two_dims", lambda m, x, w, b: m.layer_norm(x, (3, 4), w, b, 1e-3),
             randn(2, 3, 4), randn(3, 4), randn(3, 4), ops=(ln,)),
        case("layer_norm/weight_only", lambda m, x, w: m.layer_norm(x, (5,), w), randn(2, 5),
             randn(5), ops=(ln,)),
        case("layer_norm/bias_only", lambda m, x, b: m.layer_norm(x, (5,), None, b),
             randn(2, 5), randn(5), ops=(ln,)),
        case("layer_norm/params_no_grad", lambda m, x, w, b: m.layer_norm(x, (4,), w, b),
             randn(3, 4), randn(4, rg=False), randn(4, rg=False), ops=(ln,)),
        case("layer_norm/data_input", lambda m, x, w, b: m.layer_norm(x, (4,), w, b),
             randn(3, 4, rg=False), randn(4), randn(4), ops=(ln,)),
        case("layer_norm/1d", lambda m, x: m.layer_norm(x, (6,)), randn(6), ops=(ln,)),
        case("layer_norm/eps_kw", lambda m, x: m.layer_norm(x, (4,), eps=0.5), randn(3, 4),
             ops=(ln,)),
        case("layer_norm/empty_batch", lambda m, x, w: m.layer_norm(x, (4,), w), randn(0, 4),
             randn(4), ops=(ln,)),
        case("layer_norm/nc", lambda m, x, w, b: m.layer_norm(x, (3,), w, b),
             randn(4, 3, nc=True), randn(3, nc=True), randn(3), ops=(ln,)),
        case("embedding/2d", lambda m, w, i: m.embedding(w, i), randn(6, 3), ints(2, 4, high=6),
             gradgrad=True),
        case("embedding/repeats", lambda m, w, i: m.embedding(w, i), randn(5, 2),
             const([1, 1, 3, 1, 0])),
        case("embedding/padding_idx", lambda m, w, i: m.embedding(w, i, 1), randn(5, 3),
             const([[1, 2, 1], [0, 4, 1]]),
             gradcheck=False),
        case("embedding/scale_grad", lambda m, w, i: m.embedding(w, i, -1, True), randn(5, 3),
             const([1, 1, 3, 1, 0]),
             gradcheck=False),
        case("embedding/scale_grad_padding", lambda m, w, i: m.embedding(w, i, 0, True),
             randn(5, 3), const([1, 0, 3, 1, 0]),
             gradcheck=False),
        case("embedding/int32", lambda m, w, i: m.embedding(w, i), randn(4, 3),
             const([3, 0], dtype="int32")),
        case("embedding/0d_index", lambda m, w, i: m.embedding(w, i), randn(4, 3), const(2)),
        case("embedding/empty", lambda m, w, i: m.embedding(w, i), randn(4, 3),
             const(np.zeros((2, 0), dtype=np.int64))),
        case("embedding_renorm_/l2", lambda m, w, i: m.embedding_renorm_(w, i, 1.0, 2.0),
             randn(6, 3, rg=False), const([0, 2, 2, 5]), grad=False, ops=("embedding",)),
        case("embedding_renorm_/l1", lambda m, w, i: m.embedding_renorm_(w, i, 0.5, 1.0),
             randn(6, 3, rg=False), const([[1, 4], [4, 3]]), grad=False, ops=("embedding",)),
        case("embedding_renorm_/inf_norm", lambda m, w, i: m.embedding_renorm_(w, i, 0.3,
                                                                              float("inf")),
             randn(6, 3, rg=False), const([1, 3]), grad=False, ops=("embedding",)),
        case("embedding_renorm_/p3", lambda m, w, i: m.embedding_renorm_(w, i, 0.8, 3.0),
             randn(6, 3, rg=False), const([0, 1, 2, 3]), grad=False, ops=("embedding",)),
        case("embedding/nc_weight", lambda m, w, i: m.embedding(w, i), randn(5, 3, nc=True),
             ints(3, high=5)),
    ]


def _conv():
    conv = ("convolution", "im2col", "col2im")

    def c(id, fn, *inputs, **kw):
        return case(f"conv2d/{id}", fn, *inputs, ops=conv, **kw)

    return [
        c("basic", lambda m, x, w: m.conv2d(x, w), randn(2, 3, 6, 5), randn(4, 3, 3, 3),
          gradgrad=True),
        c("bias", lambda m, x, w, b: m.conv2d(x, w, b), randn(2, 3, 5, 5), randn(4, 3, 3, 3),
          randn(4), gradgrad=True),
        c("stride", lambda m, x, w, b: m.conv2d(x, w, b, 2), randn(1, 2, 7, 6),
          randn(3, 2, 3, 3), randn(3)),
        c("stride_pair_pad", lambda m, x, w: m.conv2d(x, w, None, (2, 1), (1, 2)),
          randn(2, 2, 5, 5), randn(3, 2, 3, 2)),
        c("padding", lambda m, x, w: m.conv2d(x, w, padding=1), randn(1, 2, 4, 4),
          randn(2, 2, 3, 3)),
        c("dilation", lambda m, x, w: m.conv2d(x, w, dilation=2, padding=1), randn(1, 2, 7, 7),
          randn(2, 2, 3, 3)),
        c("dilation_pair", lambda m, x, w: m.conv2d(x, w, dilation=(1, 2)), randn(1, 1, 6, 7),
          randn(2, 1, 2, 3)),
        c("groups", lambda m, x, w, b: m.conv2d(x, w, b, groups=2), randn(2, 4, 5, 5),
          randn(6, 2, 3, 3), randn(6), gradgrad=True),
        c("depthwise", lambda m, x, w: m.conv2d(x, w, groups=3, padding=1), randn(1, 3, 4, 4),
          randn(3, 1, 3, 3)),
        c("same_odd", lambda m, x, w: m.conv2d(x, w, padding="same"), randn(1, 2, 5, 6),
          randn(3, 2, 3, 3)),
        c("same_even", lambda m, x, w, b: m.conv2d(x, w, b, padding="same"), randn(2, 2, 5, 5),
          randn(3, 2, 2, 4), randn(3)),
        c("same_dilated", lambda m, x, w: m.conv2d(x, w, padding="same", dilation=2),
          randn(1, 1, 6, 6), randn(2, 1, 2, 3)),
        c("valid", lambda m, x, w: m.conv2d(x, w, padding="valid"), randn(1, 2, 5, 5),
          randn(3, 2, 3, 3)),
        c("1x1", lambda m, x, w: m.conv2d(x, w), randn(2, 3, 4, 4), randn(5, 3, 1, 1)),
        c("unbatched", lambda m, x, w, b: m.conv2d(x, w, b, padding=1), randn(2, 5, 5),
          randn(3, 2, 3, 3), randn(3)),
        c("empty_batch", lambda m, x, w: m.conv2d(x, w), randn(0, 2, 5, 5), randn(3, 2, 3, 3)),
        c("nc", lambda m, x, w: m.conv2d(x, w, stride=2), randn(2, 2, 5, 5, nc=True),
          randn(3, 2, 3, 3, nc=True)),
        c("int", lambda m, x, w: m.conv2d(x, w), ints(1, 2, 4, 4), ints(2, 2, 3, 3)),
        c("data_input", lambda m, x, w, b: m.conv2d(x, w, b, padding=1),
          randn(2, 1, 5, 5, rg=False), randn(3, 1, 3, 3), randn(3)),
        c("weight_only_grad", lambda m, x, w, b: m.conv2d(x, w, b, groups=2),
          randn(1, 4, 4, 4, rg=False), randn(4, 2, 2, 2), randn(4, rg=False)),
        c("input_only_grad", lambda m, x, w: m.conv2d(x, w, stride=2), randn(1, 2, 5, 5),
          randn(3, 2, 3, 3, rg=False)),
        case("im2col/basic", lambda m, x: _cols(m, "im2col")(x, (2, 3), (1, 1), (1, 0), (1, 2)),
             randn(2, 3, 4, 5), gradgrad=True),
        case("im2col/dilated", lambda m, x: _cols(m, "im2col")(x, 2, 2, 1, 2), randn(1, 2, 5, 5)),
        case("im2col/unbatched", lambda m, x: _cols(m, "im2col")(x, 2, 1, 0, 1), randn(2, 4, 5)),
        case("col2im/unbatched", lambda m, c: _cols(m, "col2im")(c, (4, 5), 2, 1, 0, 1),
             randn(8, 12)),
        case("col2im/basic", lambda m, c: _cols(m, "col2im")(c, (4, 5), (2, 3), 1, (1, 0),
                                                              (1, 2)),
             randn(2, 18, 10), gradgrad=True),
    ]


def _pad():
    cp = ("constant_pad_nd",)

    def p(id, fn, *inputs, **kw):
        return case(f"pad/{id}", fn, *inputs, ops=cp, **kw)

    return [
        p("last", lambda m, x: nn_(m).pad(x, [1, 2]), randn(2, 3, 4), gradgrad=True),
        p("two_dims_value", lambda m, x: nn_(m).pad(x, [1, 0, 2, 1], "constant", 0.5),
          randn(2, 3, 4)),
        p("crop", lambda m, x: nn_(m).pad(x, [-1, 2, 0, -1]), randn(2, 3, 4), gradgrad=True),
        p("all_dims", lambda m, x: nn_(m).pad(x, [1, 1, 0, 2, 1, 0]), randn(2, 3, 4)),
        p("to_size_zero", lambda m, x: nn_(m).pad(x, [-2, -2]), randn(3, 4)),
        p("zeros", lambda m, x: nn_(m).pad(x, [0, 0]), randn(3, 4)),
        p("empty_input", lambda m, x: nn_(m).pad(x, [1, 1]), randn(0, 3)),
        p("0d_no_pad", lambda m, x: nn_(m).pad(x, []), randn()),
        p("nc", lambda m, x: nn_(m).pad(x, [2, 1, 1, 1]), randn(3, 4, nc=True)),
        p("int_float_value", lambda m, i: nn_(m).pad(i, [1, 1], value=2.5), ints(2, 3)),
        p("constant_pad_nd", lambda m, x: m.constant_pad_nd(x, [1, 1], 2), randn(3, 4)),
    ] + _pad_modes()


def _pad_modes():
    """reflect / replicate / circular over 1-3 dims, batched and unbatched (torch's
    ReflectionPad{1,2,3}DBackward0 and ReplicationPad...; circular is a composite in both)."""
    out = []
    shapes = {1: ((2, 3, 5), (3, 5)), 2: ((2, 2, 4, 5), (2, 4, 5)), 3: ((1, 2, 3, 4, 4),
                                                                     (2, 3, 4, 4))}
    pads = {1: [2, 3], 2: [1, 3, 2, 0], 3: [1, 2, 0, 3, 2, 1]}
    ops = {"reflect": "reflection_pad{}d", "replicate": "replication_pad{}d", "circular": "pad"}
    for mode in ("reflect", "replicate", "circular"):
        for n in (1, 2, 3):
            for b, shape in zip(("batched", "unbatched"), shapes[n]):
                out.append(case(f"pad/{mode}{n}d_{b}",
                                lambda m, x, mode=mode, n=n: nn_(m).pad(x, pads[n], mode),
                                randn(*shape), ops=(ops[mode].format(n),),
                                gradgrad=(b == "batched" and n == 2)))
        out += [
            case(f"pad/{mode}_crop", lambda m, x, mode=mode: nn_(m).pad(x, [-1, 2, 1, -2], mode),
                 randn(2, 4, 5), ops=(ops[mode].format(2),)),
            case(f"pad/{mode}_nc", lambda m, x, mode=mode: nn_(m).pad(x, [1, 1, 2, 1], mode),
                 randn(2, 5, 6, nc=True), ops=(ops[mode].format(2),)),
            case(f"pad/{mode}_empty_batch", lambda m, x, mode=mode: nn_(m).pad(x, [1, 2], mode),
                 randn(0, 2, 4), ops=(ops[mode].format(1),)),
            case(f"pad/int_{mode}", lambda m, i, mode=mode: nn_(m).pad(i, [1, 2], mode),
                 ints(2, 4), ops=(ops[mode].format(1),)),
        ]
    out += [
        case("pad/replicate_wide", lambda m, x: nn_(m).pad(x, [6, 7], "replicate"),
             randn(2, 3), ops=("replication_pad1d",)),
        case("pad/circular_full_wrap", lambda m, x: nn_(m).pad(x, [3, 3], "circular"),
             randn(2, 3), ops=("pad",)),
        case("pad/reflect_edge", lambda m, x: nn_(m).pad(x, [2, 2], "reflect"), randn(2, 3),
             ops=("reflection_pad1d",)),
    ]
    return out


def _max_pool():
    mp = ("max_pool2d_with_indices",)

    def p(id, fn, *inputs, **kw):
        return case(f"max_pool2d/{id}", fn, *inputs, ops=mp, **kw)

    return [
        p("k2", lambda m, x: m.max_pool2d(x, 2), randn(2, 3, 4, 6), gradgrad=True),
        p("k3s2p1", lambda m, x: m.max_pool2d(x, 3, 2, 1), randn(1, 2, 7, 7)),
        p("rect", lambda m, x: m.max_pool2d(x, (2, 3), (1, 2)), randn(1, 1, 5, 7)),
        p("dilation", lambda m, x: m.max_pool2d(x, 2, 1, 0, 2), randn(1, 2, 6, 6)),
        p("ceil", lambda m, x: m.max_pool2d(x, 2, ceil_mode=True), randn(1, 2, 5, 5)),
        p("ceil_pad", lambda m, x: m.max_pool2d(x, 3, 2, 1, 1, True), randn(1, 1, 6, 6)),
        p("unbatched", lambda m, x: m.max_pool2d(x, 2), randn(3, 4, 4)),
        p("indices", lambda m, x: nn_(m).max_pool2d_with_indices(x, 3, 2, 1), randn(2, 2, 6, 5)),
        p("indices_kw", lambda m, x: nn_(m).max_pool2d_with_indices(x, kernel_size=2),
          randn(1, 3, 4, 4)),
        p("ties", lambda m, x: m.max_pool2d(x, 2, 1), ties(1, 2, 4, 4), gradcheck=False),
        p("nan", lambda m, x: m.max_pool2d(x, 2),
          const([[[[1.0, float("nan")], [2.0, 0.0]]]]), gradcheck=False),
        p("nc", lambda m, x: m.max_pool2d(x, 2), randn(2, 2, 4, 4, nc=True)),
        p("int", lambda m, i: m.max_pool2d(i, 2), ints(1, 1, 4, 4, high=50)),
        p("empty_batch", lambda m, x: m.max_pool2d(x, 2), randn(0, 2, 4, 4)),
    ]


def _dropout():
    return [
        case("dropout/p0", lambda m, x: m.dropout(x, 0.0, True), randn(3, 4), ops=("mul",)),
        case("dropout/eval", lambda m, x: m.dropout(x, 0.5, False), randn(3, 4), ops=("mul",)),
        case("dropout/p1", lambda m, x: m.dropout(x, 1.0, True), randn(3, 4), ops=("mul",)),
        case("dropout/empty", lambda m, x: m.dropout(x, 0.5, True), randn(0, 4), ops=("mul",)),
        case("dropout_/p1", lambda m, x: m.dropout_(x * 1, 1.0, True), randn(3, 4),
             ops=("mul",)),
    ]


def _random_fills():
    # Degenerate parameters make the fills deterministic, so values, grad_fn and the (zero)
    # gradient through them compare with torch; distributions are tested in test_nn_ops.py.
    return [
        case("uniform_/degenerate", lambda m, x: (x * 2).uniform_(1.5, 1.5), randn(3, 4),
             ops=("uniform_",)),
        case("normal_/zero_std", lambda m, x: (x * 2).normal_(-0.5, 0.0), randn(3, 4),
             ops=("normal_",)),
        case("normal_/zero_std_nc", lambda m, x: (x.t() * 1).normal_(2.0, 0.0), randn(3, 4),
             ops=("normal_",)),
        case("bernoulli_/p1", lambda m, x: (x * 2).bernoulli_(1.0), randn(3, 4),
             ops=("bernoulli_",)),
        case("bernoulli_/p0", lambda m, x: (x * 2).bernoulli_(0.0), randn(2, 3),
             ops=("bernoulli_",)),
    ]


# --------------------------------------------------------------------- batch / group norm

def _bn(m, x, rm=None, rv=None, w=None, b=None, training=True, momentum=0.1, eps=1e-5):
    """F.batch_norm; in training with running stats, fresh ones (zeros / ones) so that their
    in-place update is returned and compared too."""
    if rm == "fresh":
        c = x.shape[1]
        rm, rv = m.zeros(c, dtype=x.dtype), m.ones(c, dtype=x.dtype)
        out = m.nn.functional.batch_norm(x, rm, rv, w, b, training, momentum, eps)
        return out, rm, rv
    return m.nn.functional.batch_norm(x, rm, rv, w, b, training, momentum, eps)


def _batch_norm():  # and group norm
    bn = "native_batch_norm"
    return [
        case("batch_norm/train_2d", lambda m, x: _bn(m, x), randn(5, 3), ops=(bn,),
             gradgrad=True),
        case("batch_norm/train_affine_running", lambda m, x, w, b: _bn(m, x, "fresh", None, w, b),
             randn(4, 3, 2, 3), randn(3), randn(3), ops=(bn,), gradgrad=True),
        case("batch_norm/train_3d_momentum_eps", lambda m, x, w: _bn(
            m, x, "fresh", None, w, None, True, 0.3, 1e-3), randn(3, 2, 4), randn(2), ops=(bn,)),
        case("batch_norm/train_5d_nc", lambda m, x, b: _bn(m, x, None, None, None, b),
             randn(2, 3, 2, 2, 3, nc=True), randn(3), ops=(bn,)),
        case("batch_norm/eval", lambda m, x, rm, rv, w, b: _bn(m, x, rm, rv, w, b, False),
             randn(4, 3, 5), randn(3, rg=False), pos(3, rg=False), randn(3), randn(3),
             ops=(bn,), gradgrad=True),
        case("batch_norm/eval_no_affine", lambda m, x, rm, rv: _bn(m, x, rm, rv, training=False),
             randn(6, 2), randn(2, rg=False), pos(2, rg=False), ops=(bn,)),
        case("batch_norm/eval_empty_batch", lambda m, x, rm, rv, w: _bn(m, x, rm, rv, w,
                                                                         training=False),
             randn(0, 3), randn(3, rg=False), pos(3, rg=False), randn(3), ops=(bn,)),
        case("batch_norm/params_no_grad", lambda m, x, w, b: _bn(m, x, w=w, b=b), randn(4, 3),
             randn(3, rg=False), randn(3, rg=False), ops=(bn,)),
        case("group_norm/affine", lambda m, x, w, b: m.nn.functional.group_norm(x, 2, w, b),
             randn(3, 4, 5), randn(4), randn(4), ops=("native_group_norm",), gradgrad=True),
        case("group_norm/4d_eps_no_affine", lambda m, x: m.nn.functional.group_norm(
            x, 3, eps=1e-3), randn(2, 6, 2, 3), ops=("native_group_norm",), gradgrad=True),
        case("group_norm/weight_only_2d_nc", lambda m, x, w: m.group_norm(x, 1, w),
             randn(4, 3, nc=True), randn(3), ops=("native_group_norm",)),
        # forward only: torch's own backward raises here ("tensor does not have a device")
        case("group_norm/empty_batch", lambda m, x, b: m.nn.functional.group_norm(
            x, 2, None, b), randn(0, 4, 3), randn(4), ops=("native_group_norm",), grad=False),
        case("batch_norm/data_input", lambda m, x, w, b: _bn(m, x, w=w, b=b),
             randn(4, 3, rg=False), randn(3), randn(3), ops=(bn,)),
    ]


CASES = (_unary() + _reductions() + _indexing() + _optimizer_math() + _layer_norm_embedding()
         + _conv() + _pad() + _max_pool() + _dropout() + _random_fills() + _batch_norm())
