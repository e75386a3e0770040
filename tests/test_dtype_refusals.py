"""Dtypes and dtype mixes: tapegrad refuses what torch refuses, with the same exception type,
and computes what torch computes, in the same result dtype and shape.

Each line of tests/data/dtype_refusals.txt is one expression (mixed-dtype matrix products, the
kernels' "not implemented for 'Bool'" refusals, out= dtype rules, random_ bounds, the nn losses'
and pools' dtypes, ...), evaluated with torch and with tapegrad. The gated nn functions
(python/tapegrad/nn/_dtype_gates.py) are also swept over every dtype, so a gate that no longer
matches torch's kernel fails here.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from crosscheck import tg  # noqa: E402

LINES = [ln for ln in (Path(__file__).with_name("data") / "dtype_refusals.txt").read_text()
         .splitlines() if ln.strip() and not ln.startswith("#")]


def _outcome(lib, expr):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            r = eval(expr, {"torch": lib, "F": lib.nn.functional})  # noqa: S307
        except Exception as e:  # noqa: BLE001  (the type is what is compared)
            return type(e).__name__, str(e)
    if hasattr(r, "dtype"):
        return "ok", (str(r.dtype).split(".")[-1], tuple(r.shape))
    return "ok", type(r).__name__


def _same(expr):
    want, got = _outcome(torch, expr), _outcome(tg(), expr)
    assert want[0] == got[0], f"{expr}\n torch: {want}\n tapegrad: {got}"
    if want[0] == "ok":
        assert want[1] == got[1], f"{expr}\n torch: {want}\n tapegrad: {got}"


@pytest.mark.parametrize("expr", LINES)
def test_expression(expr):
    _same(expr)


DTYPES = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
          "float64")

# one call per gated function, the input in {dt}
GATED = [
    "F.adaptive_avg_pool1d(torch.ones(1,2,4,dtype=torch.{dt}), 2)",
    "F.adaptive_avg_pool2d(torch.ones(1,2,4,4,dtype=torch.{dt}), 2)",
    "F.adaptive_avg_pool2d(torch.ones(1,2,4,4,dtype=torch.{dt}), 1)",
    "F.adaptive_avg_pool3d(torch.ones(1,2,4,4,4,dtype=torch.{dt}), 2)",
    "F.adaptive_max_pool1d(torch.ones(1,2,4,dtype=torch.{dt}), 2)",
    "F.adaptive_max_pool2d(torch.ones(1,2,4,4,dtype=torch.{dt}), 2)",
    "F.adaptive_max_pool3d(torch.ones(1,2,4,4,4,dtype=torch.{dt}), 2)",
    "F.avg_pool1d(torch.ones(1,2,4,dtype=torch.{dt}), 2)",
    "F.avg_pool2d(torch.ones(1,2,4,4,dtype=torch.{dt}), 2)",
    "F.avg_pool3d(torch.ones(1,2,4,4,4,dtype=torch.{dt}), 2)",
    "F.max_pool1d(torch.ones(1,2,4,dtype=torch.{dt}), 2)",
    "F.max_pool1d(torch.ones(1,2,4,dtype=torch.{dt}), 2, return_indices=True)",
    "F.max_pool2d(torch.ones(1,2,4,4,dtype=torch.{dt}), 2)",
    "F.max_pool3d(torch.ones(1,2,4,4,4,dtype=torch.{dt}), 2)",
    "F.lp_pool1d(torch.ones(1,2,4,dtype=torch.{dt}), 2, 2)",
    "F.lp_pool2d(torch.ones(1,2,4,4,dtype=torch.{dt}), 2, 2)",
    "F.max_unpool1d(torch.ones(1,2,2,dtype=torch.{dt}), torch.zeros(1,2,2).long(), 2)",
    "F.max_unpool2d(torch.ones(1,2,2,2,dtype=torch.{dt}), torch.zeros(1,2,2,2).long(), 2)",
    "F.max_unpool3d(torch.ones(1,2,2,2,2,dtype=torch.{dt}), torch.zeros(1,2,2,2,2).long(), 2)",
    "F.conv1d(torch.ones(1,2,4,dtype=torch.{dt}), torch.ones(3,2,2,dtype=torch.{dt}))",
    "F.conv2d(torch.ones(1,2,4,4,dtype=torch.{dt}), torch.ones(3,2,2,2,dtype=torch.{dt}))",
    "F.conv3d(torch.ones(1,2,4,4,4,dtype=torch.{dt}), torch.ones(3,2,2,2,2,dtype=torch.{dt}))",
    "F.conv_transpose1d(torch.ones(1,2,4,dtype=torch.{dt}), torch.ones(2,3,2,dtype=torch.{dt}))",
    "F.conv_transpose2d(torch.ones(1,2,4,4,dtype=torch.{dt}), "
    "torch.ones(2,3,2,2,dtype=torch.{dt}))",
    "F.conv_transpose3d(torch.ones(1,2,4,4,4,dtype=torch.{dt}), "
    "torch.ones(2,3,2,2,2,dtype=torch.{dt}))",
    "F.binary_cross_entropy_with_logits(torch.ones(3,dtype=torch.{dt}), "
    "torch.ones(3,dtype=torch.{dt}))",
    "F.binary_cross_entropy(torch.zeros(3,dtype=torch.{dt}), torch.ones(3,dtype=torch.{dt}))",
    "F.ctc_loss(torch.ones(5,1,3,dtype=torch.{dt}), torch.ones(1,2).long(), torch.tensor([5]), "
    "torch.tensor([2]))",
    "F.unfold(torch.ones(1,2,4,4,dtype=torch.{dt}), 2)",
    "F.fold(torch.ones(1,8,9,dtype=torch.{dt}), (4,4), 2)",
    "F.interpolate(torch.ones(1,2,4,4,dtype=torch.{dt}), size=(2,2), mode='area')",
    "F.pad(torch.ones(1,2,4,dtype=torch.{dt}), (1,1), mode='reflect')",
    "F.pad(torch.ones(1,2,4,4,dtype=torch.{dt}), (1,1,1,1), mode='replicate')",
    "F.multi_margin_loss(torch.ones(2,3,dtype=torch.{dt}), torch.zeros(2).long())",
    "F.multilabel_margin_loss(torch.ones(2,3,dtype=torch.{dt}), torch.zeros(2,3).long())",
    "F.rrelu(torch.ones(3,dtype=torch.{dt}), training=True)",
    "F.nll_loss(torch.ones(2,3,dtype=torch.{dt}), torch.zeros(2).long())",
    "F.nll_loss(torch.ones(2,3,2,2,dtype=torch.{dt}), torch.zeros(2,2,2).long())",
    "F.grid_sample(torch.ones(1,1,3,3,dtype=torch.{dt}), torch.zeros(1,2,2,2,dtype=torch.{dt}), "
    "align_corners=False)",
    "F.rms_norm(torch.ones(2,3,dtype=torch.{dt}), (3,))",
    "F.layer_norm(torch.ones(2,3,dtype=torch.{dt}), (3,))",
    "F.group_norm(torch.ones(2,4,dtype=torch.{dt}), 2)",
    "F.local_response_norm(torch.ones(1,2,3,dtype=torch.{dt}), 2)",
    "F.pdist(torch.ones(2,3,dtype=torch.{dt}))",
    "F.mse_loss(torch.ones(3,dtype=torch.{dt}), torch.ones(3,dtype=torch.{dt}))",
    "F.mse_loss(torch.ones(3,dtype=torch.{dt}), torch.ones(3))",
    "F.smooth_l1_loss(torch.ones(3,dtype=torch.{dt}), torch.ones(3,dtype=torch.{dt}))",
    "F.huber_loss(torch.ones(3,dtype=torch.{dt}), torch.ones(3,dtype=torch.{dt}))",
    "F.kl_div(torch.ones(3,dtype=torch.{dt}), torch.ones(3,dtype=torch.{dt}))",
    "F.hinge_embedding_loss(torch.ones(3,dtype=torch.{dt}), torch.ones(3,dtype=torch.{dt}))",
    "F.margin_ranking_loss(torch.ones(3,dtype=torch.{dt}), torch.ones(3,dtype=torch.{dt}), "
    "torch.ones(3,dtype=torch.{dt}))",
    "F.gaussian_nll_loss(torch.ones(3,dtype=torch.{dt}), torch.ones(3,dtype=torch.{dt}), "
    "torch.ones(3,dtype=torch.{dt}))",
    "F.soft_margin_loss(torch.ones(3,dtype=torch.{dt}), torch.ones(3,dtype=torch.{dt}))",
    "F.embedding_bag(torch.ones(1,3).long(), torch.ones(5,2,dtype=torch.{dt}))",
    "F.alpha_dropout(torch.ones(3,dtype=torch.{dt}), training=True)",
    "F.gumbel_softmax(torch.ones(3,dtype=torch.{dt}))",
    "F.scaled_dot_product_attention(torch.ones(1,2,3,dtype=torch.{dt}), "
    "torch.ones(1,2,3,dtype=torch.{dt}), torch.ones(1,2,3,dtype=torch.{dt}))",
    "F.relu(torch.ones(3,dtype=torch.{dt}))",
    "F.hardtanh(torch.ones(3,dtype=torch.{dt}))",
]


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("expr", GATED, ids=lambda e: e.split("(")[0])
def test_gated_dtype(expr, dt):
    _same(expr.format(dt=dt))


# ---- mixed dtype norms: a half / bfloat16 input with float32 parameters (torch's CPU "mixed
# type"), as autocast leaves a LayerNorm: the result in the input's dtype, the parameters'
# gradients in float32; values and gradients against torch's
MIXED = {
    "layer_norm": lambda F, x, w, b: F.layer_norm(x, (6,), w, b),
    "group_norm": lambda F, x, w, b: F.group_norm(x, 3, w, b),
    "batch_norm": lambda F, x, w, b: F.batch_norm(x, None, None, w, b, training=True),
    "rms_norm": lambda F, x, w, b: F.rms_norm(x, (6,), w),
}


@pytest.mark.parametrize("low", ("float16", "bfloat16"))
@pytest.mark.parametrize("name", sorted(MIXED))
def test_mixed_dtype_norm(name, low):
    import numpy as np
    rng = np.random.default_rng(0)
    xs, ws, bs = (rng.standard_normal(s).astype(np.float32) for s in ((4, 6), (6,), (6,)))
    g = rng.standard_normal((4, 6)).astype(np.float32)
    res = {}
    for lib in (torch, tg()):
        x = lib.tensor(xs).to(getattr(lib, low)).requires_grad_()
        w, b = lib.tensor(ws).requires_grad_(), lib.tensor(bs).requires_grad_()
        y = MIXED[name](lib.nn.functional, x, w, b)
        y.backward(lib.tensor(g).to(y.dtype))
        used = [t for t in (x, w, b) if t.grad is not None]
        res[lib.__name__] = (str(y.dtype).split(".")[-1], y.float().detach().numpy(),
                             [(str(t.grad.dtype).split(".")[-1], t.grad.float().numpy())
                              for t in used])
    want, got = res["torch"], res[tg().__name__]
    assert want[0] == got[0]
    tol = 2e-2 if low == "bfloat16" else 2e-3
    np.testing.assert_allclose(got[1], want[1], rtol=tol, atol=tol)
    assert [d for d, _ in got[2]] == [d for d, _ in want[2]]
    for (_, a), (_, b) in zip(got[2], want[2]):
        np.testing.assert_allclose(a, b, rtol=5 * tol, atol=5 * tol)
