"""Gradients when the upstream gradient holds inf or NaN, against torch: torch selects (zeros,
then the gradient written where it belongs: max/min/median of a whole tensor, trace, relu and
the other piecewise ops), where a product with a 0/1 mask would turn 0 * inf into NaN on the
elements that do not take part. Also the one float constant of torch's hardsigmoid backward
(1.0f / 6.0f, even for double), and cdist's dtype message.

Left out: cumprod with a zero in the input (torch's special path for zeros gives finite values
where tapegrad's gives NaN, for infinite gradients only), and huber_loss, whose backward torch
refuses for a float64 input beside a float32 target."""
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from crosscheck import tg  # noqa: E402

INF = math.inf

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
 "cumsum": lambda m,x: x.cumsum(0), "prod": lambda m,x: x.prod().expand(4),
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
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-13, atol=1e-14,
                               equal_nan=True)


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
