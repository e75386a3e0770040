"""Gradients when the upstream gradient holds inf or NaN, against torch: torch selects (zeros,
then the gradient written where it belongs: max/min/median of a whole tensor, trace, relu and
the other piecewise ops), where a product with a 0/1 mask would turn 0 * inf into NaN on the
elements that do not take part. Also the one float constant of torch's hardsigmoid backward
(1.0f / 6.0f, even for double), and cdist's dtype message.

Also the forward values these gradients use: digamma in float64 (it was off in the 11th digit,
which lgamma's gradient showed) and sin(-0) = -0.

cumprod with zeros in the input: the positions after the first zero get +0 (they were -0 for a
negative gradient, printed "-0."), and those before it sum only the terms before the zero.

Left out, for infinite or NaN gradients only: linear interpolation at scale 1, layer_norm and multi_margin_loss (which elements turn NaN differs); huber_loss, whose
backward torch refuses for a float64 input beside a float32 target; and digamma's gradient,
where torch's trigamma is off by about 1e-10 and tapegrad's is not."""
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from crosscheck import tg  # noqa: E402

INF = math.inf
NAN = math.nan


def F(m):
    return m.nn.functional


# name -> f(module, x) for a 4-element float64 x
OPS = {
 "relu": lambda m,x: m.relu(x), "clamp": lambda m,x: x.clamp(-0.5, 0.5), "clamp_min": lambda m,x: x.clamp(min=0),
 "hardtanh": lambda m,x: m.nn.functional.hardtanh(x), "relu6": lambda m,x: m.nn.functional.relu6(x),
 "threshold": lambda m,x: m.nn.functional.threshold(x, 0.1, 2.0), "leaky": lambda m,x: m.nn.functional.leaky_relu(x),
 "max2": lambda m,x: m.maximum(x, m.zeros_like(x)), "min2": lambda m,x: m.minimum(x, m.zeros_like(x)),
 "where": lambda m,x: m.where(x > 0, x, m.zeros_like(x)), "masked_fill": lambda m,x: x.masked_fill(x < 0, 0.),
 "abs": lambda m,x: x.abs(), "amax": lambda m,x: x.amax(0, keepdim=True).expand(4), "max": lambda m,x: x.max().expand(4),
 "sort": lambda m,x: x.sort()[0], "idx": lambda m,x: x[m.tensor([0, 2, 2, 1])], "gather": lambda m,x: x.gather(0, m.tensor([3,3,0,1])),
 "hardsigmoid": lambda m,x: m.nn.functional.hardsigmoid(x), "hardswish": lambda m,x: m.nn.functional.hardswish(x),
 "elu": lambda m,x: m.nn.functional.elu(x), "softplus": lambda m,x: m.nn.functional.softplus(x, threshold=0.5),
 "sigmoid": lambda m,x: x.sigmoid(), "tanh": lambda m,x: x.tanh(), "log_softmax": lambda m,x: x.log_softmax(0), "softmax": lambda m,x: x.softmax(0),
 "cumsum": lambda m,x: x.cumsum(0), "cumprod": lambda m,x: x.cumprod(0),
 "cumprod_zeros": lambda m,x: (x * m.tensor([1.0, 0.0, 1.0, 0.0], dtype=m.float64)).cumprod(0), "prod": lambda m,x: x.prod().expand(4),
 "norm": lambda m,x: x.norm().expand(4), "dropout0": lambda m,x: m.nn.functional.dropout(x, 0.0),
 "pad": lambda m,x: m.nn.functional.pad(x, (1,1))[1:5], "kthvalue": lambda m,x: x.kthvalue(2)[0].expand(4),
 "median": lambda m,x: x.median().expand(4), "topk": lambda m,x: x.topk(2)[0].repeat(2), "maxpool": lambda m,x: m.nn.functional.max_pool1d(x.view(1,1,4), 2).view(2).repeat(2),
 "smooth_l1": lambda m,x: m.nn.functional.smooth_l1_loss(x, m.zeros(4), reduction='none'),
 "l1": lambda m,x: m.nn.functional.l1_loss(x, m.zeros(4), reduction='none'), "sign": lambda m,x: x.sign(), "round": lambda m,x: x.round(),
 "frac": lambda m,x: x.frac(), "fmod": lambda m,x: x.fmod(0.3), "remainder": lambda m,x: x.remainder(0.3),
 "atan2": lambda m,x: m.atan2(x, m.ones(4)), "hypot": lambda m,x: m.hypot(x, m.zeros(4)), "xlogy": lambda m,x: m.xlogy(m.zeros(4), x),
 "lerp": lambda m,x: m.lerp(x, m.zeros(4), 0.0), "addcmul": lambda m,x: m.addcmul(x, m.zeros(4), x),
 "mul0": lambda m,x: x * 0, "pow0": lambda m,x: x ** 0, "pow2": lambda m,x: x**2, "sqrt": lambda m,x: x.sqrt(), "nan_to_num": lambda m,x: x.nan_to_num(),
 "logsumexp": lambda m,x: x.logsumexp(0).expand(4), "mse": lambda m,x: m.nn.functional.mse_loss(x, m.zeros(4), reduction='none'),
 "glu": lambda m,x: m.nn.functional.glu(x.repeat(2)), "mish": lambda m,x: m.nn.functional.mish(x), "silu": lambda m,x: m.nn.functional.silu(x),
 "softshrink": lambda m,x: m.nn.functional.softshrink(x), "hardshrink": lambda m,x: m.nn.functional.hardshrink(x), "celu": lambda m,x: m.nn.functional.celu(x),
 "logsigmoid": lambda m,x: m.nn.functional.logsigmoid(x), "selu": lambda m,x: m.nn.functional.selu(x), "gelu": lambda m,x: m.nn.functional.gelu(x),
 "clamp_t": lambda m,x: x.clamp(m.full((4,), -0.5), m.full((4,), 0.5)), "index_put": lambda m,x: x.index_put((m.tensor([1]),), m.tensor(5.)),
 "scatter": lambda m,x: x.scatter(0, m.tensor([1]), 5.), "masked_scatter": lambda m,x: x.masked_scatter(m.tensor([True,False,False,False]), m.zeros(4)),
 "std": lambda m,x: x.std().expand(4), "var": lambda m,x: x.var().expand(4), "trace": lambda m,x: x.view(2,2).trace().expand(4),
 "tril": lambda m,x: x.view(2,2).tril().view(4), "diag": lambda m,x: x.view(2,2).diag().repeat(2), "roll": lambda m,x: x.roll(1),
 "flip": lambda m,x: x.flip(0), "unfold": lambda m,x: x.unfold(0,2,2).reshape(4), "narrow": lambda m,x: m.cat([x.narrow(0,1,2), x.narrow(0,1,2)]),
 "dist": lambda m,x: m.dist(x, m.zeros(4)).expand(4), "cdist": lambda m,x: m.cdist(x.view(4,1), m.zeros(1,1)).view(4),
 "renorm": lambda m,x: x.view(2,2).renorm(2, 0, 0.5).view(4), "normalize": lambda m,x: m.nn.functional.normalize(x, dim=0),

 "bce": lambda m,x: F(m).binary_cross_entropy(x.sigmoid(), m.tensor([0.,1.,1.,0.], dtype=m.float64), reduction='none'),
 "bcel": lambda m,x: F(m).binary_cross_entropy_with_logits(x, m.tensor([0.,1.,1.,0.], dtype=m.float64), reduction='none'),
 "kl": lambda m,x: F(m).kl_div(x, m.tensor([0.,1.,0.5,0.], dtype=m.float64), reduction='none'),
 "poisson": lambda m,x: F(m).poisson_nll_loss(x, m.tensor([0.,1.,2.,0.], dtype=m.float64), reduction='none'),
 "sl1b0": lambda m,x: F(m).smooth_l1_loss(x, m.zeros(4, dtype=m.float64), reduction='none', beta=0.0),
 "avgpool": lambda m,x: F(m).avg_pool1d(x.view(1,1,4), 2).view(2).repeat(2),
 "adapmax": lambda m,x: F(m).adaptive_max_pool1d(x.view(1,1,4), 2).view(2).repeat(2),
 "embedding": lambda m,x: F(m).embedding(m.tensor([0, 1, 1, 3]), x.view(4,1)).view(4),
 "conv1d": lambda m,x: F(m).conv1d(x.view(1,1,4), m.tensor([[[1., 0.]]], dtype=m.float64), padding=1).view(5)[:4],
 "mv": lambda m,x: m.mv(m.eye(4, dtype=m.float64), x),
 "matmul0": lambda m,x: m.matmul(x.view(4,1), m.zeros(1,1, dtype=m.float64)).view(4),
 "masked_select": lambda m,x: m.cat([x.masked_select(x > 0), x.masked_select(x > 0)])[:4] if (x>0).sum()>=2 else x,
 "take": lambda m,x: x.take(m.tensor([0,0,1,3])),
 "index_select": lambda m,x: x.index_select(0, m.tensor([3,3,0,1])),
 "scatter_add": lambda m,x: m.zeros(4, dtype=m.float64).scatter_add(0, m.tensor([0,0,1,1]), x),
 "repeat_interleave": lambda m,x: x[:2].repeat_interleave(2),
 "clamp_zero": lambda m,x: x.clamp(min=0.0, max=0.0),
 "maxdim": lambda m,x: x.view(2,2).max(1)[0].repeat(2), "mindim": lambda m,x: x.view(2,2).min(0)[0].repeat(2),
 "logcumsumexp": lambda m,x: x.logcumsumexp(0), "cummax": lambda m,x: x.cummax(0)[0], "cummin": lambda m,x: x.cummin(0)[0],
 "norminf": lambda m,x: x.norm(p=INF).expand(4), "norm1": lambda m,x: x.norm(p=1).expand(4), "norm0": lambda m,x: x.norm(p=0).expand(4) * 1,
 "nansum": lambda m,x: x.nansum().expand(4), "nanmean": lambda m,x: x.nanmean().expand(4),
 "prelu": lambda m,x: F(m).prelu(x, m.tensor([0.25], dtype=m.float64)), "softmin": lambda m,x: F(m).softmin(x, 0),
 "log1p": lambda m,x: x.log1p(), "expm1": lambda m,x: x.expm1(), "sinc": lambda m,x: x.sinc(), "xlogy2": lambda m,x: m.xlogy(x, m.zeros(4, dtype=m.float64)),
 "erfinv": lambda m,x: (x/3).erfinv(), "lgamma": lambda m,x: x.lgamma(),
 "rsqrt": lambda m,x: x.rsqrt(), "reciprocal": lambda m,x: x.reciprocal(), "log": lambda m,x: x.log(), "div0": lambda m,x: x / m.zeros(4, dtype=m.float64),
 "powx0": lambda m,x: m.pow(m.zeros(4, dtype=m.float64), x), "pow_t": lambda m,x: m.pow(x, m.tensor([0., 1., 2., 0.5], dtype=m.float64)),
 "copysign": lambda m,x: m.copysign(x, m.tensor([-1., 1., -1., 1.], dtype=m.float64)), "fmax": lambda m,x: m.fmax(x, m.zeros(4, dtype=m.float64)),
 "fmin": lambda m,x: m.fmin(x, m.zeros(4, dtype=m.float64)), "logaddexp": lambda m,x: m.logaddexp(x, m.full((4,), -INF, dtype=m.float64)),
 "asin": lambda m,x: x.asin(), "acosh": lambda m,x: x.acosh(), "atanh": lambda m,x: x.atanh(),
 "var_mean": lambda m,x: m.var_mean(x)[0].expand(4),
 "dist_inf": lambda m,x: m.dist(x, m.zeros(4, dtype=m.float64), p=INF).expand(4),
 "cosine": lambda m,x: F(m).cosine_similarity(x.view(1,4), m.ones(1,4, dtype=m.float64)).expand(4),
 "pdist": lambda m,x: F(m).pdist(x.view(2,2)).expand(4), "cross": lambda m,x: m.cross(x[:3], m.tensor([1.,0.,0.], dtype=m.float64), dim=0).repeat(2)[:4],
 "einsum": lambda m,x: m.einsum('i,i->i', x, m.zeros(4, dtype=m.float64)),
 "kron": lambda m,x: m.kron(x[:2], m.zeros(2, dtype=m.float64)), "outer": lambda m,x: m.outer(x[:2], m.zeros(2, dtype=m.float64)).view(4),
 "baddbmm": lambda m,x: m.baddbmm(x.view(1,2,2), m.zeros(1,2,2, dtype=m.float64), m.zeros(1,2,2, dtype=m.float64), beta=0.0).view(4),
 "addmm_b0": lambda m,x: m.addmm(x.view(2,2), m.ones(2,2, dtype=m.float64), m.ones(2,2, dtype=m.float64), beta=0.0).view(4),
 "addmm_a0": lambda m,x: m.addmm(m.ones(2,2, dtype=m.float64), x.view(2,2), m.ones(2,2, dtype=m.float64), alpha=0.0).view(4),
 "add_a0": lambda m,x: m.add(m.ones(4, dtype=m.float64), x, alpha=0), "lerp_w": lambda m,x: m.lerp(m.zeros(4, dtype=m.float64), m.ones(4, dtype=m.float64), x),
 "where_nan": lambda m,x: m.where(x > 0, x.log(), m.zeros(4, dtype=m.float64)),
 "mse_mean": lambda m,x: F(m).mse_loss(x, m.zeros(4, dtype=m.float64)).expand(4),
 "margin": lambda m,x: F(m).margin_ranking_loss(x, m.zeros(4, dtype=m.float64), m.ones(4, dtype=m.float64), reduction='none'),
 "hinge": lambda m,x: F(m).hinge_embedding_loss(x, m.tensor([1.,-1.,1.,-1.], dtype=m.float64), reduction='none'),
 "softmargin": lambda m,x: F(m).soft_margin_loss(x, m.tensor([1.,-1.,1.,-1.], dtype=m.float64), reduction='none'),
 "triplet": lambda m,x: F(m).triplet_margin_loss(x.view(1,4), m.zeros(1,4, dtype=m.float64), m.ones(1,4, dtype=m.float64)).expand(4),
 "gauss_nll": lambda m,x: F(m).gaussian_nll_loss(x, m.zeros(4, dtype=m.float64), m.ones(4, dtype=m.float64), reduction='none'),
 "ctc_like_lse": lambda m,x: m.logsumexp(m.stack([x, m.full((4,), -INF, dtype=m.float64)]), 0),
}

XS = [[-1.0, 0.0, 0.3, 2.0], [-1.0, 1e-30, 0.3, -0.0]]
GS = [[INF, 1.0, -INF, 2.0], [math.nan, 1.0, 2.0, 3.0], [1.0, INF, 1.0, 1.0], [0.5, -1.5, 2.0, 0.25]]


def _grad(m, name, xv, gv):
    try:
        x = m.tensor(xv, dtype=m.float64, requires_grad=True)
        y = OPS[name](m, x)
        y.backward(m.tensor(gv, dtype=m.float64)[:y.numel()].view(y.shape))
        return x.grad.tolist() if x.grad is not None else None
    except Exception as e:  # noqa: BLE001 - the type and words are compared
        return f"{type(e).__name__}: {e}"


@pytest.mark.parametrize("gi", range(len(GS)))
@pytest.mark.parametrize("xi", range(len(XS)))
@pytest.mark.parametrize("name", sorted(OPS))
def test_gradient_matches_torch(name, xi, gi):
    got, want = _grad(tg(), name, XS[xi], GS[gi]), _grad(torch, name, XS[xi], GS[gi])
    if isinstance(want, str) or want is None:
        assert got == want
        return
    got, want = np.asarray(got), np.asarray(want)
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-14, equal_nan=True)
    zeros = (want == 0) & (got == 0)  # a zero's sign shows when printed ("-0.")
    np.testing.assert_array_equal(np.signbit(got[zeros]), np.signbit(want[zeros]))


@pytest.mark.parametrize("fn", ["max", "min", "median", "nanmedian"])
@pytest.mark.parametrize("xv", [[1.0, math.nan, 3.0], [math.nan, math.nan, 1.0], [2.0, 2.0, 1.0],
                                [1.0, 3.0, 3.0]])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_whole_tensor_extremes_share_evenly(fn, xv, dtype):
    def run(m):
        x = m.tensor(xv, dtype=getattr(m, dtype), requires_grad=True)
        getattr(x, fn)().backward(m.tensor(2.5, dtype=getattr(m, dtype)))
        return np.asarray(x.grad.tolist())
    np.testing.assert_array_equal(run(tg()), run(torch))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("n", [1, 7, 16, 17, 40])
@pytest.mark.parametrize("far", [False, True])
def test_sin_keeps_negative_zero(dtype, n, far):
    # far: a lane beyond 2^16 sends float32 vectors through the double-lane kernel
    vals = [-0.0, 0.0, 1e-30, -1e-30, 1e30 if far else 0.5] * n
    a = np.asarray(tg().tensor(vals, dtype=getattr(tg(), dtype)).sin().tolist())
    b = np.asarray(torch.tensor(vals, dtype=getattr(torch, dtype)).sin().tolist())
    np.testing.assert_array_equal(np.signbit(a), np.signbit(b))
    np.testing.assert_allclose(a, b, rtol=2e-7 if dtype == "float32" else 1e-15, atol=0)


def test_digamma_float64_matches_torch():
    x = np.concatenate([np.linspace(-9.75, 30.0, 317), [1e-3, 0.5, 1.0, 2.0, 9.999, 10.0, 10.001,
                                                        1e5, 1e17, 1e300, -0.5, -1e-8]])
    a = np.asarray(tg().tensor(x.tolist(), dtype=tg().float64).digamma().tolist())
    b = np.asarray(torch.tensor(x, dtype=torch.float64).digamma().tolist())
    np.testing.assert_allclose(a, b, rtol=2e-13, atol=1e-14)  # poles: tan cancels
