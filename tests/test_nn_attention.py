"""scaled_dot_product_attention against torch: forward and gradients of q, k, v (and a float
mask) for a random upstream gradient, float64 and float32; bool and float masks (broadcast),
is_causal with L != S, explicit scale, fully masked rows (zeros, as torch), grouped-query heads;
finite-difference gradcheck; dropout statistics; torch's errors."""
import numpy as np
import pytest

pytest.importorskip("torch", reason="the cross-checks compare against torch, which is missing")

import crosscheck as cc  # noqa: E402
from crosscheck import mask, randn  # noqa: E402


def sdpa(m, *args, **kw):
    return m.nn.functional.scaled_dot_product_attention(*args, **kw)


def _bool_mask(m, x):
    return x > 0


CASES = [
    ("plain", lambda m, q, k, v: sdpa(m, q, k, v), randn(2, 3, 4), randn(2, 5, 4),
     randn(2, 5, 6)),
    ("heads_4d", lambda m, q, k, v: sdpa(m, q, k, v), randn(2, 2, 3, 4), randn(2, 2, 3, 4),
     randn(2, 2, 3, 4)),
    ("unbatched_2d", lambda m, q, k, v: sdpa(m, q, k, v), randn(3, 4), randn(5, 4),
     randn(5, 2)),
    ("causal_square", lambda m, q, k, v: sdpa(m, q, k, v, is_causal=True), randn(2, 4, 3),
     randn(2, 4, 3), randn(2, 4, 3)),
    ("causal_l_lt_s", lambda m, q, k, v: sdpa(m, q, k, v, is_causal=True), randn(1, 2, 3),
     randn(1, 5, 3), randn(1, 5, 3)),
    ("scale", lambda m, q, k, v: sdpa(m, q, k, v, scale=0.3), randn(2, 3, 4), randn(2, 3, 4),
     randn(2, 3, 4)),
    ("float_mask_broadcast", lambda m, q, k, v, a: sdpa(m, q, k, v, attn_mask=a),
     randn(2, 2, 3, 4), randn(2, 2, 5, 4), randn(2, 2, 5, 4), randn(3, 5)),
    ("bool_mask", lambda m, q, k, v, b: sdpa(m, q, k, v, attn_mask=b | (m.arange(5) == 0)),
     randn(2, 3, 4), randn(2, 5, 4), randn(2, 5, 4), mask(2, 3, 5)),
    ("bool_mask_fully_masked_row", lambda m, q, k, v: sdpa(
        m, q, k, v, attn_mask=m.tensor([[True, False, True], [False, False, False]])),
     randn(1, 2, 4), randn(1, 3, 4), randn(1, 3, 4)),
    ("nc_inputs", lambda m, q, k, v: sdpa(m, q, k, v), randn(2, 3, 4, nc=True),
     randn(2, 3, 4, nc=True), randn(2, 3, 4)),
    ("gqa", lambda m, q, k, v: sdpa(m, q, k, v, enable_gqa=True), randn(1, 4, 3, 2),
     randn(1, 2, 3, 2), randn(1, 2, 3, 2)),
    ("empty_batch", lambda m, q, k, v: sdpa(m, q, k, v), randn(0, 3, 4), randn(0, 5, 4),
     randn(0, 5, 4)),
]


@pytest.mark.parametrize("label,fn,inputs", [pytest.param(c[0], c[1], c[2:], id=c[0])
                                             for c in CASES])
def test_sdpa_against_torch(label, fn, inputs, monkeypatch):
    # torch records its fused CPU kernel (_scaled_dot_product_flash_attention_for_cpu), whose
    # node tapegrad's composite cannot be; values and gradients are compared in full.
    monkeypatch.setattr(cc, "grad_fn_name", lambda t: None)
    cc.check(fn, *inputs, label=label)


@pytest.mark.parametrize("label,fn,inputs", [pytest.param(c[0], c[1], c[2:], id=c[0])
                                             for c in CASES if c[0] != "empty_batch"])
def test_sdpa_gradcheck(label, fn, inputs):
    cc.gradcheck(fn, *inputs, label=label)


def test_sdpa_dropout_keeps_expectation():
    m = cc.tg()
    m.manual_seed(0)
    q = m.zeros(1, 1, 4)  # uniform weights 1/4 over four values of 1: output 1 on average
    v = m.ones(1, 4, 1)
    outs = m.stack([sdpa(m, q, q.expand(1, 4, 4), v, dropout_p=0.5) for _ in range(4000)])
    vals = np.array(outs.reshape(-1).tolist())
    assert set(np.round(vals * 4 / 2, 6)) <= {0.0, 1.0, 2.0, 3.0, 4.0}
    assert abs(vals.mean() - 1.0) < 0.05


ERRORS = [
    (lambda m, q, k, v: sdpa(m, q, k, v, attn_mask=m.ones(3, 5, dtype=m.bool), is_causal=True),
     randn(2, 3, 4), randn(2, 5, 4), randn(2, 5, 6)),
    (lambda m, q, k, v: sdpa(m, q, k, v), randn(2, 3, 4), randn(2, 5, 4), randn(2, 4, 6)),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_sdpa_errors_like_torch(k):
    fn, *inputs = ERRORS[k]
    cc.check_raises(fn, *inputs, label=f"error case {k}")


# ------------------------------------------------------------------- MultiheadAttention

from test_nn_modules import check_module  # noqa: E402


def _mha(ctor_kw, call_kw=None, masks=()):
    """MultiheadAttention(**ctor_kw) called as (q, k, v, **call_kw); masks names the extra
    inputs (key_padding_mask / attn_mask; bool ones arrive as > 0 of a random tensor)."""
    def make(m):
        class W(m.nn.Module):
            def __init__(self):
                super().__init__()
                self.mha = m.nn.MultiheadAttention(**ctor_kw)

            def forward(self, q, k, v, *extra):
                kw = dict(call_kw or {})
                for (name, kind), t in zip(masks, extra):
                    kw[name] = (t > 0) if kind == "bool" else t
                out, weights = self.mha(q, k, v, **kw)
                # need_weights=False: weights None (torch's too, or the output counts differ)
                return out if weights is None else (out, weights)
        return W()
    return make


MHA_CASES = [
    ("self", _mha({"embed_dim": 8, "num_heads": 2}), [randn(3, 2, 8)] * 3),
    ("qkv", _mha({"embed_dim": 6, "num_heads": 3}), [randn(3, 2, 6), randn(4, 2, 6),
                                                     randn(4, 2, 6)]),
    ("kdim_vdim_no_bias", _mha({"embed_dim": 4, "num_heads": 2, "kdim": 3, "vdim": 5,
                                "bias": False}),
     [randn(2, 3, 4), randn(5, 3, 3), randn(5, 3, 5)]),
    ("bias_kv_zero_attn", _mha({"embed_dim": 4, "num_heads": 1, "add_bias_kv": True,
                                "add_zero_attn": True}),
     [randn(2, 2, 4), randn(3, 2, 4), randn(3, 2, 4)]),
    ("batch_first_heads_weights", _mha({"embed_dim": 4, "num_heads": 2, "batch_first": True},
                                       {"average_attn_weights": False}),
     [randn(2, 3, 4), randn(2, 5, 4), randn(2, 5, 4)]),
    ("no_weights", _mha({"embed_dim": 4, "num_heads": 2}, {"need_weights": False}),
     [randn(3, 2, 4), randn(3, 2, 4), randn(3, 2, 4)]),
    ("unbatched", _mha({"embed_dim": 4, "num_heads": 2}),
     [randn(3, 4), randn(5, 4), randn(5, 4)]),
    ("key_padding_bool", _mha({"embed_dim": 4, "num_heads": 2}, None,
                              [("key_padding_mask", "bool")]),
     [randn(3, 2, 4), randn(4, 2, 4), randn(4, 2, 4), randn(2, 4, rg=False)]),
    ("attn_mask_float_and_padding_bias_kv", _mha(
        {"embed_dim": 4, "num_heads": 2, "add_bias_kv": True}, None,
        [("attn_mask", "float"), ("key_padding_mask", "float")]),
     [randn(3, 2, 4), randn(4, 2, 4), randn(4, 2, 4), randn(3, 4, rg=False),
      randn(2, 4, rg=False)]),
    ("attn_mask_bool_3d", _mha({"embed_dim": 4, "num_heads": 2}, None,
                               [("attn_mask", "bool")]),
     [randn(3, 2, 4), randn(4, 2, 4), randn(4, 2, 4), randn(4, 3, 4, rg=False)]),
]


@pytest.mark.parametrize("label,ctor,inputs", [pytest.param(*c, id=c[0]) for c in MHA_CASES])
def test_multihead_attention_against_torch(label, ctor, inputs, monkeypatch):
    # composite graph: output node names differ from torch's (values and grads compared)
    monkeypatch.setattr(cc, "grad_fn_name", lambda t: None)
    check_module(ctor, *inputs, label=label)


MHA_CTORS = [
    lambda m: m.nn.MultiheadAttention(8, 2),
    lambda m: m.nn.MultiheadAttention(8, 2, kdim=3, vdim=5, bias=False, add_bias_kv=True),
    lambda m: m.nn.MultiheadAttention(4, 4, dropout=0.1, add_zero_attn=True, batch_first=True),
]


@pytest.mark.parametrize("ctor", MHA_CTORS)
def test_multihead_attention_repr_and_parameters(ctor):
    torch, m = cc.reference(), cc.tg()
    ref, got = ctor(torch), ctor(m)
    assert repr(got) == repr(ref)
    assert list(got.state_dict()) == list(ref.state_dict())
    for k, v in ref.state_dict().items():
        assert tuple(got.state_dict()[k].shape) == tuple(v.shape), k
    assert [type(x).__name__ for x in got.modules()] == [type(x).__name__ for x in ref.modules()]
    if got.in_proj_bias is not None:
        assert got.in_proj_bias.abs().sum().item() == 0
        assert got.out_proj.bias.abs().sum().item() == 0


@pytest.mark.parametrize("fn", [
    lambda m, x: m.nn.MultiheadAttention(6, 4),
    lambda m, x: m.nn.MultiheadAttention(0, 2),
    lambda m, x: m.nn.MultiheadAttention(4, 2)(x, x, x, is_causal=True),
    lambda m, x: m.nn.MultiheadAttention(4, 2)(x, x, x, key_padding_mask=m.ones(
        2, 5, dtype=m.bool)),
    lambda m, x: m.nn.MultiheadAttention(4, 2)(x, x, x, key_padding_mask=m.ones(
        3, 3, dtype=m.bool)),
    lambda m, x: m.nn.MultiheadAttention(4, 2)(x, x, x, attn_mask=m.ones(3, 4, dtype=m.bool)),
    lambda m, x: m.nn.MultiheadAttention(4, 2)(x, x, x, attn_mask=m.ones(5, 3, 3)),
    lambda m, x: m.nn.MultiheadAttention(4, 2)(x, x, x, attn_mask=m.ones(3, 3, dtype=m.int64)),
    lambda m, x: m.nn.MultiheadAttention(4, 2)(x, m.ones(4, 2, 4), x),
    lambda m, x: m.nn.MultiheadAttention(4, 2)(m.ones(3, 2, 5), x, x),
    lambda m, x: m.nn.MultiheadAttention(4, 2)(x.unsqueeze(0), x, x),
])
def test_multihead_attention_errors_like_torch(fn):
    cc.check_raises(fn, randn(3, 2, 4))
