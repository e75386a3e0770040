"""The remaining torch.nn layers against torch (helper N), part 1 (parts 2-4:
test_nn_more_conv_pool.py, test_nn_more_layers.py, test_nn_more_modules.py, which import the
helpers below): Transformer and its encoder/decoder layers (post- and pre-norm, batch_first,
activations by name, function or module, masks bool and float, key padding masks, the
is_causal hint, unbatched input). Modules go through test_nn_modules.check_module (weights
copied from torch; forward, input and parameter gradients for a random upstream gradient, an
SGD step; float64 and float32), plus reprs, seeded init equal to torch's, state_dict keys and
torch's errors."""
import warnings

import numpy as np
import pytest

pytest.importorskip("torch", reason="the cross-checks compare against torch, which is missing")

import crosscheck as cc  # noqa: E402
from crosscheck import randn  # noqa: E402
from test_nn_modules import check_module  # noqa: E402


def nn(m):
    return m.nn


def F(m):
    return m.nn.functional


def _quiet(ctor):
    # TransformerEncoder warns about torch's nested-tensor fast path in both libraries
    def make(m):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return ctor(m)
    return make


def _calling(ctor, call, eval_mode=False):
    """A module wrapping ctor(m) whose forward is call(m, inner, *inputs): masks and keyword
    arguments are built inside, per library."""
    def make(m):
        inner = _quiet(ctor)(m)

        class Wrap(m.nn.Module):
            def __init__(self):
                super().__init__()
                self.inner = inner

            def forward(self, *xs):
                return call(m, self.inner, *xs)
        w = Wrap()
        return w.eval() if eval_mode else w
    return make


def _causal(m, n):
    return m.nn.Transformer.generate_square_subsequent_mask(n)


def _enc_layer(m, **kw):
    kw.setdefault("dropout", 0.0)
    return nn(m).TransformerEncoderLayer(8, 2, 16, **kw)


def _dec_layer(m, **kw):
    kw.setdefault("dropout", 0.0)
    return nn(m).TransformerDecoderLayer(8, 2, 12, **kw)


def _kpm(m, n, s):
    # bool key padding mask: the last key of the second sequence is padding
    keep = np.zeros((n, s), dtype=bool)
    keep[-1, -1] = True
    return m.tensor(keep.tolist())


TRANSFORMER_CASES = [
    ("TransformerEncoderLayer", lambda m: _enc_layer(m), [randn(5, 3, 8)]),
    ("TransformerEncoderLayer/norm_first_gelu_str", lambda m: _enc_layer(
        m, norm_first=True, activation="gelu"), [randn(5, 3, 8)]),
    ("TransformerEncoderLayer/batch_first_unbatched", lambda m: _enc_layer(
        m, batch_first=True, layer_norm_eps=1e-3), [randn(4, 8)]),
    ("TransformerEncoderLayer/module_activation_no_bias", lambda m: _enc_layer(
        m, activation=nn(m).Tanh(), bias=False, batch_first=True), [randn(2, 4, 8)]),
    ("TransformerEncoderLayer/callable_activation", lambda m: _enc_layer(
        m, activation=F(m).silu), [randn(3, 2, 8, nc=True)]),
    ("TransformerEncoderLayer/causal_mask", _calling(
        _enc_layer, lambda m, mod, x: mod(x, src_mask=_causal(m, 4), is_causal=True)),
     [randn(4, 2, 8)]),
    ("TransformerEncoderLayer/bool_mask_and_padding", _calling(
        lambda m: _enc_layer(m, batch_first=True), lambda m, mod, x: mod(
            x, src_mask=m.tensor([[False, True, False], [False, False, True],
                                  [True, False, False]]),
            src_key_padding_mask=_kpm(m, 2, 3))), [randn(2, 3, 8)]),
    ("TransformerEncoderLayer/eval_dropout", _calling(
        lambda m: _enc_layer(m, dropout=0.3), lambda m, mod, x: mod(x), eval_mode=True),
     [randn(3, 2, 8)]),
    ("TransformerDecoderLayer", lambda m: _dec_layer(m), [randn(4, 2, 8), randn(5, 2, 8)]),
    ("TransformerDecoderLayer/norm_first_batch_first", lambda m: _dec_layer(
        m, norm_first=True, batch_first=True, activation="gelu"),
     [randn(2, 4, 8), randn(2, 3, 8)]),
    ("TransformerDecoderLayer/unbatched_no_bias", lambda m: _dec_layer(m, bias=False),
     [randn(3, 8), randn(5, 8)]),
    ("TransformerDecoderLayer/masks", _calling(
        _dec_layer, lambda m, mod, t, mem: mod(
            t, mem, tgt_mask=_causal(m, 4), memory_mask=m.zeros(4, 3),
            tgt_key_padding_mask=_kpm(m, 2, 4), memory_key_padding_mask=_kpm(m, 2, 3),
            tgt_is_causal=True)), [randn(4, 2, 8), randn(3, 2, 8)]),
    ("TransformerEncoder", _quiet(lambda m: nn(m).TransformerEncoder(
        _enc_layer(m), 2, nn(m).LayerNorm(8))), [randn(4, 2, 8)]),
    ("TransformerEncoder/no_norm_batch_first_mask", _calling(
        lambda m: nn(m).TransformerEncoder(_enc_layer(m, batch_first=True), 2),
        lambda m, mod, x: mod(x, mask=_causal(m, 3), src_key_padding_mask=_kpm(m, 2, 3))),
     [randn(2, 3, 8)]),
    ("TransformerDecoder", lambda m: nn(m).TransformerDecoder(
        _dec_layer(m, norm_first=True), 2, nn(m).LayerNorm(8)),
     [randn(3, 2, 8), randn(4, 2, 8)]),
    ("TransformerDecoder/causal_detected", _calling(
        lambda m: nn(m).TransformerDecoder(_dec_layer(m), 1),
        lambda m, mod, t, mem: mod(t, mem, tgt_mask=_causal(m, 3))),
     [randn(3, 2, 8), randn(4, 2, 8)]),
    ("Transformer", _quiet(lambda m: nn(m).Transformer(8, 2, 1, 2, 16, 0.0)),
     [randn(5, 2, 8), randn(3, 2, 8)]),
    ("Transformer/batch_first_norm_first_masks", _calling(
        lambda m: nn(m).Transformer(8, 2, 2, 1, 12, 0.0, "gelu", batch_first=True,
                                    norm_first=True),
        lambda m, mod, s, t: mod(s, t, tgt_mask=_causal(m, 3),
                                 src_key_padding_mask=_kpm(m, 2, 4),
                                 memory_key_padding_mask=_kpm(m, 2, 4))),
     [randn(2, 4, 8), randn(2, 3, 8)]),
    ("Transformer/unbatched", _quiet(lambda m: nn(m).Transformer(8, 4, 1, 1, 8, 0.0)),
     [randn(4, 8), randn(2, 8)]),
]


@pytest.mark.parametrize("label,ctor,inputs",
                         [pytest.param(c[0], c[1], c[2:], id=c[0]) for c in TRANSFORMER_CASES])
def test_transformer_modules_against_torch(label, ctor, inputs):
    check_module(ctor, *inputs[0], label=label)


TRANSFORMER_REPRS = [
    lambda m: nn(m).TransformerEncoderLayer(8, 2),
    lambda m: nn(m).TransformerEncoderLayer(8, 2, 16, 0.2, nn(m).GELU(), 1e-3, True, True,
                                            False),
    lambda m: nn(m).TransformerDecoderLayer(6, 3, 10, activation="gelu"),
    lambda m: nn(m).TransformerEncoder(nn(m).TransformerEncoderLayer(4, 2, 8), 2,
                                       nn(m).LayerNorm(4), enable_nested_tensor=False),
    lambda m: nn(m).TransformerDecoder(nn(m).TransformerDecoderLayer(4, 2, 8), 3),
    lambda m: nn(m).Transformer(8, 2, 1, 2, 16),
    lambda m: nn(m).Transformer(4, 1, 1, 1, 4, bias=False, activation=nn(m).ReLU()),
]


@pytest.mark.parametrize("ctor", TRANSFORMER_REPRS)
def test_transformer_repr_state_dict_and_seeded_init(ctor):
    torch, m = cc.reference(), cc.tg()
    ctor = _quiet(ctor)
    assert repr(ctor(m)) == repr(ctor(torch))
    torch.manual_seed(3)
    ref = ctor(torch)
    m.manual_seed(3)
    got = ctor(m)
    ref_sd, got_sd = ref.state_dict(), got.state_dict()
    assert list(got_sd) == list(ref_sd)
    # Linear's kaiming/uniform draws and xavier_uniform_ follow torch's stream: seeded weights
    # equal torch's
    for k, v in ref_sd.items():
        np.testing.assert_allclose(cc.to_numpy(got_sd[k]), cc.to_numpy(v), rtol=1e-6,
                                   atol=1e-7, err_msg=k)


def test_generate_square_subsequent_mask():
    torch, m = cc.reference(), cc.tg()
    for n, dtype in ((1, None), (4, "float64"), (0, None)):
        kw = {} if dtype is None else {"dtype": getattr(m, dtype)}
        got = m.nn.Transformer.generate_square_subsequent_mask(n, **kw)
        kw = {} if dtype is None else {"dtype": getattr(torch, dtype)}
        ref = torch.nn.Transformer.generate_square_subsequent_mask(n, **kw)
        assert cc.dtype_name(got) == cc.dtype_name(ref)
        np.testing.assert_array_equal(cc.to_numpy(got), cc.to_numpy(ref))


def test_encoder_nested_tensor_warning_matches_torch():
    torch, m = cc.reference(), cc.tg()
    msgs = []
    for lib in (torch, m):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(4, 2, 8), 1)
            lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(4, 2, 8, batch_first=True,
                                                                     activation=lib.tanh), 1)
            lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(4, 2, 8, batch_first=True),
                                      1)
        msgs.append([str(x.message) for x in w if issubclass(x.category, UserWarning)])
    assert msgs[0] == msgs[1] and len(msgs[0]) == 2


def test_transformer_eval_dropout_is_deterministic_train_is_not():
    m = cc.tg()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = m.nn.Transformer(8, 2, 1, 1, 16, dropout=0.5)
    s, t = m.randn(4, 2, 8), m.randn(3, 2, 8)
    a, b = model(s, t), model(s, t)
    assert not bool((a == b).all())
    model.eval()
    with m.no_grad():
        assert bool((model(s, t) == model(s, t)).all())


TRANSFORMER_ERRORS = [
    (lambda m, s, t: _quiet(lambda m: m.nn.Transformer(8, 2, 1, 1, 8))(m)(s, t),
     randn(3, 2, 8), randn(3, 4, 8)),
    (lambda m, s, t: _quiet(lambda m: m.nn.Transformer(8, 2, 1, 1, 8, batch_first=True))(m)(
        s, t), randn(2, 3, 8), randn(3, 3, 8)),
    (lambda m, s, t: _quiet(lambda m: m.nn.Transformer(8, 2, 1, 1, 8))(m)(s, t),
     randn(3, 2, 8), randn(3, 2, 6)),
    (lambda m, x: m.nn.TransformerEncoderLayer(8, 2, activation="tanh"), randn(1)),
    (lambda m, x: _enc_layer(m)(x, src_mask=m.ones(3, 3, dtype=m.int64)), randn(3, 2, 8)),
    (lambda m, x: _enc_layer(m)(x, src_mask=m.zeros(2, 2)), randn(3, 2, 8)),
    (lambda m, x: _enc_layer(m)(x), randn(3, 2, 6)),
    (lambda m, x: m.nn.TransformerEncoderLayer(8, 3), randn(1)),
]


@pytest.mark.parametrize("fn,inputs", [pytest.param(c[0], c[1:], id=str(i))
                                       for i, c in enumerate(TRANSFORMER_ERRORS)])
def test_transformer_errors_match_torch(fn, inputs):
    cc.check_raises(fn, *inputs)


def test_mismatched_mask_types_warn_as_torch():
    torch, m = cc.reference(), cc.tg()
    msgs = []
    for lib in (torch, m):
        lib.manual_seed(0)
        layer = lib.nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            layer(lib.randn(3, 2, 4), src_mask=lib.zeros(3, 3),
                  src_key_padding_mask=lib.zeros(2, 3, dtype=lib.bool))
        msgs.append({str(x.message) for x in w})
    assert "Support for mismatched src_key_padding_mask and src_mask is deprecated. Use same " \
        "type for both instead." in msgs[1]
    assert msgs[1] <= msgs[0]


def _accept_node(monkeypatch, pair):
    if pair is None:
        return
    theirs, ours = pair
    real = cc.grad_fn_name

    def name(t):
        n = real(t)
        return theirs if isinstance(t, cc.tg().Tensor) and n == ours else n
    monkeypatch.setattr(cc, "grad_fn_name", name)
