"""The remaining torch.nn layers against torch (helper N), part 2: Conv3d, ConvTranspose1d/3d,
3-d / LP / fractional max pools, MaxUnpool, Fold / Unfold (modules and functionals), torch's
top-level (aten) forms; values, gradients, gradcheck, reprs, seeded init and errors.
"""
import warnings

import numpy as np
import pytest

pytest.importorskip("torch", reason="the cross-checks compare against torch, which is missing")

import crosscheck as cc  # noqa: E402
from crosscheck import pos, randn  # noqa: E402
from test_nn_modules import check_module  # noqa: E402
from test_nn_more import F, _accept_node, _calling, nn  # noqa: E402


# --------------------------------------------- 3-d and transposed convolutions, fold, 3-d pools
# These are composites over conv2d / max_pool2d / matmul / scatter, so the output's node is
# not torch's dedicated one: each case names the exact (torch's, tapegrad's) pair accepted.

_CONV = ("ConvolutionBackward0", "CloneBackward0")
_CONV_B = ("ConvolutionBackward0", "AddBackward0")
_CONV_SQ = ("ConvolutionBackward0", "SqueezeBackward1")

LAYER_CASES = [
    ("Conv3d", lambda m: nn(m).Conv3d(2, 4, 3), [randn(2, 2, 4, 5, 4)], _CONV_B),
    ("Conv3d/stride_pad_dilation_groups", lambda m: nn(m).Conv3d(
        4, 6, (2, 3, 1), stride=(2, 1, 2), padding=(1, 2, 0), dilation=(2, 1, 1), groups=2,
        bias=False), [randn(2, 4, 5, 4, 5)], _CONV),
    ("Conv3d/same_unbatched", lambda m: nn(m).Conv3d(2, 3, (2, 3, 4), padding="same"),
     [randn(2, 4, 5, 6)], ("SqueezeBackward1", "SqueezeBackward1")),
    ("Conv3d/valid_nc", lambda m: nn(m).Conv3d(3, 2, 2, padding="valid"),
     [randn(1, 3, 3, 4, 3, nc=True)], _CONV_B),
    ("Conv3d/padding_mode_reflect", lambda m: nn(m).Conv3d(2, 2, 3, padding=1,
                                                           padding_mode="reflect"),
     [randn(1, 2, 4, 4, 5)], _CONV_B),
    ("Conv3d/circular", lambda m: nn(m).Conv3d(1, 2, (1, 2, 3), padding=(0, 1, 2),
                                               padding_mode="circular"),
     [randn(2, 1, 2, 3, 4)], _CONV_B),
    ("Conv3d/empty_batch", lambda m: nn(m).Conv3d(2, 2, 2), [randn(0, 2, 3, 3, 3)], _CONV_B),
    ("ConvTranspose1d", lambda m: nn(m).ConvTranspose1d(2, 3, 3), [randn(2, 2, 5)],
     ("ConvolutionBackward0", "SqueezeBackward1")),
    ("ConvTranspose1d/stride_pad_outpad_groups", lambda m: nn(m).ConvTranspose1d(
        4, 6, 3, stride=3, padding=1, output_padding=2, groups=2, dilation=2),
     [randn(2, 4, 4)], _CONV_SQ),
    ("ConvTranspose1d/unbatched_no_bias", lambda m: nn(m).ConvTranspose1d(2, 2, 2, stride=2,
                                                                         bias=False),
     [randn(2, 5)], ("SqueezeBackward1", "SqueezeBackward1")),
    ("ConvTranspose3d", lambda m: nn(m).ConvTranspose3d(2, 3, 2), [randn(2, 2, 3, 4, 3)],
     _CONV_B),
    ("ConvTranspose3d/all_args", lambda m: nn(m).ConvTranspose3d(
        4, 2, (2, 3, 2), stride=(2, 1, 3), padding=(1, 1, 0), output_padding=(1, 0, 2),
        groups=2, dilation=(1, 2, 1), bias=False), [randn(1, 4, 3, 3, 2)], _CONV),
    ("ConvTranspose3d/unbatched_nc", lambda m: nn(m).ConvTranspose3d(2, 2, 2, stride=2),
     [randn(2, 2, 3, 2, nc=True)], ("SqueezeBackward1", "SqueezeBackward1")),
    ("ConvTranspose3d/output_size", _calling(
        lambda m: nn(m).ConvTranspose3d(2, 2, 3, stride=2, padding=1),
        lambda m, mod, x: mod(x, output_size=[1, 2, 6, 5, 6])), [randn(1, 2, 3, 3, 3)],
     _CONV_B),
    ("ConvTranspose1d/output_size", _calling(
        lambda m: nn(m).ConvTranspose1d(2, 2, 3, stride=3),
        lambda m, mod, x: mod(x, output_size=[14])), [randn(2, 2, 4)], _CONV_SQ),
    ("MaxPool3d", lambda m: nn(m).MaxPool3d(2), [randn(2, 3, 4, 5, 4)],
     ("MaxPool3DWithIndicesBackward0", "ViewBackward0")),
    ("MaxPool3d/all_args_indices", lambda m: nn(m).MaxPool3d(
        (3, 2, 3), (2, 1, 2), (1, 1, 1), (1, 2, 1), True, True), [randn(2, 2, 6, 7, 5)],
     ("MaxPool3DWithIndicesBackward0", "ViewBackward0")),
    ("MaxPool3d/unbatched_dilation", lambda m: nn(m).MaxPool3d(2, 1, 1, 2),
     [randn(2, 4, 5, 4, nc=True)], ("MaxPool3DWithIndicesBackward0", "SqueezeBackward1")),
    ("AvgPool3d", lambda m: nn(m).AvgPool3d(2), [randn(2, 3, 4, 5, 4)],
     ("AvgPool3DBackward0", "ViewBackward0")),
    ("AvgPool3d/ceil_exclude_pad", lambda m: nn(m).AvgPool3d(
        (3, 2, 3), (2, 1, 2), (1, 1, 1), True, False), [randn(1, 2, 6, 5, 7)],
     ("AvgPool3DBackward0", "ViewBackward0")),
    ("AvgPool3d/ceil_include_pad_unbatched", lambda m: nn(m).AvgPool3d(3, 2, 1, True),
     [randn(2, 5, 4, 6)], ("AvgPool3DBackward0", "SqueezeBackward1")),
    ("AvgPool3d/divisor_override", lambda m: nn(m).AvgPool3d(2, divisor_override=3),
     [randn(1, 2, 4, 4, 4)], ("AvgPool3DBackward0", "ViewBackward0")),
    ("AdaptiveAvgPool3d", lambda m: nn(m).AdaptiveAvgPool3d((2, None, 3)),
     [randn(2, 2, 5, 4, 7)], None),
    ("AdaptiveAvgPool3d/global_unbatched", lambda m: nn(m).AdaptiveAvgPool3d(1),
     [randn(3, 3, 4, 2)], None),
    ("AdaptiveMaxPool3d/indices", lambda m: nn(m).AdaptiveMaxPool3d((2, 4, 3), True),
     [randn(2, 2, 5, 6, 4)], ("AdaptiveMaxPool3DBackward0", "ViewBackward0")),
    ("AdaptiveMaxPool3d/unbatched_none", lambda m: nn(m).AdaptiveMaxPool3d((3, None, 2)),
     [randn(2, 4, 3, 5)], ("AdaptiveMaxPool3DBackward0", "ViewBackward0")),
    ("LPPool1d", lambda m: nn(m).LPPool1d(2, 3, 2), [pos(2, 3, 8)], None),
    ("LPPool2d", lambda m: nn(m).LPPool2d(3, (2, 3), ceil_mode=True), [pos(1, 2, 5, 7)], None),
    ("LPPool3d", lambda m: nn(m).LPPool3d(1.5, 2), [pos(2, 1, 4, 4, 5)], None),
    ("LPPool2d/inf", lambda m: nn(m).LPPool2d(float("inf"), 2), [randn(1, 2, 4, 4)], None),
    ("Fold", lambda m: nn(m).Fold((5, 6), (2, 3), 1, 1, (2, 1)), [randn(2, 12, 18)], None),
    ("Fold/unbatched_dilation", lambda m: nn(m).Fold(4, 2, dilation=2), [randn(8, 4)], None),
    ("Unfold", lambda m: nn(m).Unfold((2, 3), (1, 2), 1, (2, 1)), [randn(2, 3, 6, 7)], None),
    ("Unfold/unbatched_nc", lambda m: nn(m).Unfold(2), [randn(2, 4, 3, nc=True)], None),
    ("cnn3d", lambda m: nn(m).Sequential(
        nn(m).Conv3d(1, 4, 3, padding=1), nn(m).ReLU(), nn(m).MaxPool3d(2),
        nn(m).Conv3d(4, 2, 2), nn(m).AdaptiveAvgPool3d(1), nn(m).Flatten()),
     [randn(2, 1, 5, 6, 5)], None),
]





@pytest.mark.parametrize("label,ctor,inputs,nodes",
                         [pytest.param(*c, id=c[0]) for c in LAYER_CASES])
def test_conv_pool_layers_against_torch(label, ctor, inputs, nodes, monkeypatch):
    _accept_node(monkeypatch, nodes)
    check_module(ctor, *inputs, label=label)


def _unpool(nd, **kw):
    def fn(m, x):
        f = F(m)
        pool = (f.max_pool1d, f.max_pool2d, f.max_pool3d)[nd - 1]
        unpool = (f.max_unpool1d, f.max_unpool2d, f.max_unpool3d)[nd - 1]
        y, i = pool(x, 2, return_indices=True)
        return unpool(y * 2, i, 2, **kw)
    return fn


FUNCTIONAL_CASES = [
    ("conv3d", lambda m, x, w, b: F(m).conv3d(x, w, b, 2, 1), randn(2, 2, 5, 4, 5),
     randn(3, 2, 2, 3, 2), randn(3), _CONV_B),
    ("conv3d/groups_dilation", lambda m, x, w: F(m).conv3d(x, w, None, 1, (0, 1, 1),
                                                          (2, 1, 2), 2),
     randn(1, 4, 5, 3, 5), randn(2, 2, 2, 2, 2), None, _CONV),
    ("conv3d/same_even_kernel", lambda m, x, w: F(m).conv3d(x, w, padding="same"),
     randn(1, 2, 3, 4, 5), randn(2, 2, 2, 3, 4), None, _CONV),
    ("conv_transpose1d", lambda m, x, w, b: F(m).conv_transpose1d(x, w, b, 2, 1, 1, 1, 2),
     randn(2, 3, 5), randn(3, 2, 3), randn(2), _CONV_SQ),
    ("conv_transpose3d", lambda m, x, w, b: F(m).conv_transpose3d(x, w, b, (1, 2, 2), 1,
                                                                  (0, 1, 0), 1, 1),
     randn(2, 2, 3, 3, 2), randn(2, 3, 2, 3, 2), randn(3), _CONV_B),
    ("unfold", lambda m, x: F(m).unfold(x, 2, padding=1, stride=2), randn(2, 3, 5, 4), None),
    ("fold", lambda m, x: F(m).fold(x, (4, 5), 2, padding=1), randn(1, 8, 30), None),
    ("max_pool3d_with_indices", lambda m, x: F(m).max_pool3d(x, 2, 2, 1, 1, True, True),
     randn(1, 2, 5, 4, 5), ("MaxPool3DWithIndicesBackward0", "ViewBackward0")),
    ("avg_pool3d", lambda m, x: F(m).avg_pool3d(x, (2, 3, 2), 1, (1, 1, 0), False, False),
     randn(2, 1, 4, 5, 3), ("AvgPool3DBackward0", "ViewBackward0")),
    ("adaptive_avg_pool3d", lambda m, x: F(m).adaptive_avg_pool3d(x, (3, 2, 4)),
     randn(1, 2, 5, 5, 6), None),
    ("adaptive_max_pool3d", lambda m, x: F(m).adaptive_max_pool3d(x, 2, True),
     randn(1, 2, 5, 3, 4), ("AdaptiveMaxPool3DBackward0", "ViewBackward0")),
    ("lp_pool1d", lambda m, x: F(m).lp_pool1d(x, 2, 2), pos(2, 6), None),
    ("lp_pool3d/neg_inf", lambda m, x: F(m).lp_pool3d(x, -float("inf"), 2),
     randn(1, 1, 4, 4, 4), ("NegBackward0", "NegBackward0")),
    ("max_unpool1d", _unpool(1), randn(2, 3, 8), ("SqueezeBackward1", "SqueezeBackward1")),
    ("max_unpool2d", _unpool(2), randn(2, 2, 4, 6), ("MaxUnpool2DBackward0", "ViewBackward0")),
    ("max_unpool2d/output_size_unbatched", _unpool(2, output_size=(5, 7)), randn(2, 5, 7),
     ("MaxUnpool2DBackward0", "ViewBackward0")),
    ("max_unpool3d", _unpool(3, output_size=[1, 2, 5, 4, 5]), randn(1, 2, 5, 4, 5),
     ("MaxUnpool3DBackward0", "ViewBackward0")),
]


@pytest.mark.parametrize("label,fn,inputs,nodes",
                         [pytest.param(c[0], c[1], c[2:-1], c[-1], id=c[0])
                          for c in FUNCTIONAL_CASES])
def test_conv_pool_functionals_against_torch(label, fn, inputs, nodes, monkeypatch):
    _accept_node(monkeypatch, nodes)
    cc.check(fn, *[i for i in inputs if i is not None], label=label)


@pytest.mark.parametrize("label,fn,inputs",
                         [pytest.param(c[0], c[1], c[2:-1], id=c[0]) for c in FUNCTIONAL_CASES
                          if not c[0].startswith(("lp_pool3d", "max_pool", "adaptive_max"))])
def test_conv_pool_functionals_gradcheck(label, fn, inputs):
    cc.gradcheck(fn, *[i for i in inputs if i is not None], label=label)


LAYER_REPRS = [c[1] for c in LAYER_CASES if not c[0].endswith("output_size")] + [
    lambda m: nn(m).Conv3d(4, 4, (1, 2, 3), stride=2, padding=1, dilation=2, groups=2,
                           bias=False, padding_mode="circular"),
    lambda m: nn(m).ConvTranspose1d(2, 3, 3, stride=2, output_padding=1),
    lambda m: nn(m).ConvTranspose3d(4, 2, 2, groups=2, dilation=2, bias=False),
    lambda m: nn(m).MaxPool3d((1, 2, 3), 1, 0, 2, True, True),
    lambda m: nn(m).AvgPool3d(3, 2, 1, True, False, 2),
    lambda m: nn(m).LPPool2d(1.5, (2, 3), 1, True),
    lambda m: nn(m).MaxUnpool1d(2),
    lambda m: nn(m).MaxUnpool2d(2, 1, 1),
    lambda m: nn(m).MaxUnpool3d((1, 2, 3)),
]


@pytest.mark.parametrize("ctor", LAYER_REPRS)
def test_conv_pool_reprs(ctor):
    assert repr(ctor(cc.tg())) == repr(ctor(cc.reference()))


@pytest.mark.parametrize("ctor", [
    lambda m: nn(m).Conv3d(2, 3, (2, 3, 1), groups=1),
    lambda m: nn(m).ConvTranspose3d(4, 2, 2, groups=2, bias=False),
    lambda m: nn(m).ConvTranspose1d(3, 6, 4, groups=3)])
def test_conv_seeded_init_and_state_dict(ctor):
    torch, m = cc.reference(), cc.tg()
    torch.manual_seed(5)
    ref = ctor(torch)
    m.manual_seed(5)
    got = ctor(m)
    assert list(got.state_dict()) == list(ref.state_dict())
    for (k, v), g in zip(ref.state_dict().items(), got.state_dict().values()):
        np.testing.assert_allclose(cc.to_numpy(g), cc.to_numpy(v), rtol=1e-6, atol=1e-7,
                                   err_msg=k)


CONV_POOL_ERRORS = [
    (lambda m, x, w: F(m).conv3d(x, w), randn(3, 5, 5), randn(4, 3, 2, 2, 2)),
    (lambda m, x, w: F(m).conv3d(x, w), randn(2, 3, 5, 5, 5), randn(4, 2, 2, 2, 2)),
    (lambda m, x, w: F(m).conv3d(x, w), randn(2, 3, 5, 5, 5), randn(4, 3, 6, 2, 2)),
    (lambda m, x, w: F(m).conv3d(x, w, stride=0), randn(2, 3, 5, 5, 5), randn(4, 3, 2, 2, 2)),
    (lambda m, x, w: F(m).conv3d(x, w, stride=(1, 2)), randn(2, 3, 5, 5, 5),
     randn(4, 3, 2, 2, 2)),
    (lambda m, x, w: F(m).conv3d(x, w, padding=-1), randn(2, 3, 5, 5, 5), randn(4, 3, 2, 2, 2)),
    (lambda m, x, w: F(m).conv3d(x, w, padding="same", stride=2), randn(2, 3, 5, 5, 5),
     randn(4, 3, 2, 2, 2)),
    (lambda m, x, w: F(m).conv3d(x, w, padding="foo"), randn(2, 3, 5, 5, 5),
     randn(4, 3, 2, 2, 2)),
    (lambda m, x, w, b: F(m).conv3d(x, w, b), randn(2, 3, 5, 5, 5), randn(4, 3, 2, 2, 2),
     randn(3)),
    (lambda m, x, w: F(m).conv3d(x, w, groups=2), randn(2, 3, 5, 5, 5), randn(4, 3, 2, 2, 2)),
    (lambda m, x, w: F(m).conv3d(x.double(), w), randn(2, 3, 5, 5, 5), randn(4, 3, 2, 2, 2)),
    (lambda m, x, w: F(m).conv_transpose3d(x, w), randn(2, 3, 5, 5, 5), randn(4, 3, 2, 2, 2)),
    (lambda m, x, w: F(m).conv_transpose3d(x, w, output_padding=1), randn(2, 4, 3, 3, 3),
     randn(4, 3, 2, 2, 2)),
    (lambda m, x, w: F(m).conv_transpose1d(x, w), randn(2, 4, 3, 3, 3), randn(4, 3, 2)),
    (lambda m, x, w: F(m).conv_transpose1d(x, w), randn(2, 4, 3), randn(3, 4, 2)),
    (lambda m, x, w: F(m).conv_transpose1d(x, w, output_padding=2), randn(2, 4, 3),
     randn(4, 4, 2)),
    (lambda m, x, w: F(m).conv_transpose1d(x, w), randn(2, 4, 3), randn(4, 4, 2, 2)),
    (lambda m, x: F(m).unfold(x, 0), randn(1, 2, 3, 4)),
    (lambda m, x: F(m).unfold(x, 2, stride=0), randn(1, 2, 3, 4)),
    (lambda m, x: F(m).unfold(x, 2, padding=-1), randn(1, 2, 3, 4)),
    (lambda m, x: F(m).unfold(x, 2, dilation=0), randn(1, 2, 3, 4)),
    (lambda m, x: F(m).unfold(x, 5), randn(1, 2, 3, 4)),
    (lambda m, x: F(m).unfold(x, 2), randn(1, 2, 3, 4, 4)),
    (lambda m, x: F(m).fold(x, (3, 4), 2), randn(1, 8, 3)),
    (lambda m, x: F(m).fold(x, (3, 4), 2), randn(1, 7, 6)),
    (lambda m, x: F(m).fold(x, (4, 4), 2), randn(1, 2, 3, 4)),
    (lambda m, x: F(m).max_pool3d(x, 2), randn(2, 3, 5)),
    (lambda m, x: F(m).max_pool3d(x, 0), randn(1, 2, 4, 4, 4)),
    (lambda m, x: F(m).max_pool3d(x, 2, padding=2), randn(1, 2, 4, 4, 4)),
    (lambda m, x: F(m).max_pool3d(x, 2, dilation=0), randn(1, 2, 4, 4, 4)),
    (lambda m, x: F(m).max_pool3d(x, 6), randn(1, 2, 4, 4, 4)),
    (lambda m, x: F(m).max_pool3d(x, (2, 2)), randn(1, 2, 4, 4, 4)),
    (lambda m, x: F(m).avg_pool3d(x, 2, stride=0), randn(1, 2, 4, 4, 4)),
    (lambda m, x: F(m).avg_pool3d(x, 2, padding=2), randn(1, 2, 4, 4, 4)),
    (lambda m, x: F(m).avg_pool3d(x, 6), randn(1, 2, 4, 4, 4)),
    (lambda m, x: F(m).avg_pool3d(x, 2, divisor_override=0), randn(1, 2, 4, 4, 4)),
    (lambda m, x: F(m).avg_pool3d(x, (2, 2)), randn(1, 2, 4, 4, 4)),
    (lambda m, x: F(m).adaptive_avg_pool3d(x, (2, 3)), randn(1, 2, 4, 4, 4)),
    (lambda m, x: F(m).adaptive_avg_pool3d(x, 2), randn(2, 3, 5)),
    (lambda m, x: F(m).adaptive_avg_pool3d(x, 2), randn(2, 3, 0, 2, 2)),
    (lambda m, x: F(m).adaptive_max_pool3d(x, (2, 3)), randn(1, 2, 4, 4, 4)),
    (lambda m, x: F(m).adaptive_max_pool3d(x, 2), randn(2, 3, 5)),
    (lambda m, x: F(m).adaptive_max_pool3d(x, 2), randn(2, 3, 0, 2, 2)),
    # one offending index only: which of several torch names depends on its thread layout
    (lambda m, x: _unpool_bad(m, x, lambda i: m.cat([i.reshape(-1)[:-1],
                                                     i.reshape(-1)[-1:] + 100]).reshape(
        i.shape)), randn(1, 2, 4, 4)),
    (lambda m, x: _unpool_bad(m, x, lambda i: i.float()), randn(1, 2, 4, 4)),
    (lambda m, x: _unpool_bad(m, x, lambda i: i[:, :1]), randn(1, 2, 4, 4)),
    (lambda m, x: _unpool_bad(m, x, lambda i: i, output_size=(9, 9)), randn(1, 2, 4, 4)),
    (lambda m, x: _unpool_bad(m, x, lambda i: i, output_size=(1, 2, 3)), randn(1, 2, 4, 4)),
    (lambda m, x: F(m).max_unpool2d(x[0, 0], x[0, 0].long(), 2), randn(1, 2, 4, 4)),
    (lambda m, x: F(m).max_unpool1d(*F(m).max_pool1d(x, 2, return_indices=True)[:1],
                                    F(m).max_pool1d(x, 2, return_indices=True)[1] - 10, 2),
     randn(1, 1, 2)),
    (lambda m, x: nn(m).ConvTranspose3d(2, 2, 3, stride=2)(x, output_size=[9, 9, 9]),
     randn(1, 2, 3, 3, 3)),
    (lambda m, x: nn(m).ConvTranspose1d(2, 2, 3, stride=2)(x, output_size=[1, 2]),
     randn(1, 2, 3)),
    (lambda m, x: nn(m).ConvTranspose1d(2, 2, 3, padding_mode="reflect"), randn(1)),
    (lambda m, x: nn(m).Conv3d(2, 3, 3, groups=2), randn(1)),
]


def _unpool_bad(m, x, mangle, output_size=None):
    y, i = F(m).max_pool2d(x, 2, return_indices=True)
    return F(m).max_unpool2d(y, mangle(i), 2, output_size=output_size)


@pytest.mark.parametrize("fn,inputs", [pytest.param(c[0], c[1:], id=str(i))
                                       for i, c in enumerate(CONV_POOL_ERRORS)])
def test_conv_pool_errors_match_torch(fn, inputs):
    cc.check_raises(fn, *inputs)



# ------------------------------------------- fractional max pooling, deprecated aliases

def _frac(nd, k, out, ratio=None, batch=2, channels=3):
    def fn(m, x):
        f = F(m).fractional_max_pool2d if nd == 2 else F(m).fractional_max_pool3d
        rng = np.random.default_rng(7)
        samples = cc.make_tensor(m, rng.random((batch, channels, nd)), cc.dtype_name(x))
        return f(x, k, out, ratio, return_indices=True, _random_samples=samples)
    return fn


FRACTIONAL_CASES = [
    ("fractional_max_pool2d", _frac(2, 2, (4, 5)), randn(2, 3, 9, 11),
     ("FractionalMaxPool2DBackward0", "ViewBackward0")),
    ("fractional_max_pool2d/ratio_rect_kernel", _frac(2, (3, 2), None, (0.5, 0.5), 1, 2),
     randn(1, 2, 8, 9), ("FractionalMaxPool2DBackward0", "ViewBackward0")),
    ("fractional_max_pool2d/unbatched_out1", _frac(2, 2, 1, None, 1, 3), randn(3, 5, 5),
     ("FractionalMaxPool2DBackward0", "SqueezeBackward1")),
    ("fractional_max_pool3d", _frac(3, 2, (3, 4, 2), None, 1, 2), randn(1, 2, 5, 7, 8),
     ("FractionalMaxPool3DBackward0", "ViewBackward0")),
]


@pytest.mark.parametrize("label,fn,inputs,nodes",
                         [pytest.param(c[0], c[1], c[2:-1], c[-1], id=c[0])
                          for c in FRACTIONAL_CASES])
def test_fractional_max_pool_against_torch(label, fn, inputs, nodes, monkeypatch):
    _accept_node(monkeypatch, nodes)
    cc.check(fn, *inputs, label=label)


def test_fractional_modules_repr_and_random_windows():
    torch, m = cc.reference(), cc.tg()
    for ctor in (lambda n: n.FractionalMaxPool2d(2, output_size=3),
                 lambda n: n.FractionalMaxPool3d((2, 2, 1), output_ratio=0.5,
                                                 return_indices=True)):
        assert repr(ctor(m.nn)) == repr(ctor(torch.nn))
    pool = m.nn.FractionalMaxPool2d(2, output_ratio=(0.5, 0.5), return_indices=True)
    out, idx = pool(m.randn(2, 3, 8, 8))
    assert tuple(out.shape) == (2, 3, 4, 4) and cc.dtype_name(idx) == "int64"
    assert list(pool.state_dict()) == []


FRACTIONAL_ERRORS = [
    (lambda m, x: F(m).fractional_max_pool2d(x, 3, output_size=4), randn(2, 3, 5, 6)),
    (lambda m, x: F(m).fractional_max_pool2d(x, 2, output_size=(3, 7)), randn(2, 3, 5, 6)),
    (lambda m, x: F(m).fractional_max_pool2d(x, 2), randn(2, 3, 5, 6)),
    (lambda m, x: F(m).fractional_max_pool2d(x, 2, output_size=2,
                                             _random_samples=m.rand(2, 3, 3)), randn(2, 3, 5, 6)),
    (lambda m, x: F(m).fractional_max_pool2d(x, 2, output_size=2,
                                             _random_samples=m.rand(1, 3, 2)), randn(2, 3, 5, 6)),
    (lambda m, x: F(m).fractional_max_pool3d(x, 2, output_size=3), randn(1, 2, 4, 5, 6)),
    (lambda m, x: F(m).fractional_max_pool3d(x, 2, output_size=(2, 4, 5)), randn(1, 2, 4, 5, 6)),
    (lambda m, x: nn(m).FractionalMaxPool2d(2), randn(1)),
    (lambda m, x: nn(m).FractionalMaxPool2d(2, output_size=2, output_ratio=0.5), randn(1)),
    (lambda m, x: nn(m).FractionalMaxPool2d(2, output_ratio=1.5), randn(1)),
]


@pytest.mark.parametrize("fn,inputs", [pytest.param(c[0], c[1:], id=str(i))
                                       for i, c in enumerate(FRACTIONAL_ERRORS)])
def test_fractional_errors_match_torch(fn, inputs):
    cc.check_raises(fn, *inputs)


def test_deprecated_nllloss2d_and_container_warn_like_torch():
    torch, m = cc.reference(), cc.tg()
    for lib in (torch, m):
        with pytest.warns(FutureWarning, match="`NLLLoss2d` has been deprecated"):
            loss = lib.nn.NLLLoss2d(ignore_index=1)
        assert repr(loss) == "NLLLoss2d()" and isinstance(loss, lib.nn.NLLLoss)
        with pytest.warns(FutureWarning, match="`nn.Container` is deprecated"):
            box = lib.nn.Container(a=lib.nn.ReLU(), b=lib.nn.Tanh())
        assert list(dict(box.named_children())) == ["a", "b"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        cc.check(lambda m, x: m.nn.NLLLoss2d()(x.log_softmax(1), m.tensor([[[0, 1], [2, 0]]])),
                 randn(1, 3, 2, 2))



# ------------------------------------------------------------- torch's top-level (aten) forms

TOPLEVEL_CASES = [
    ("torch.conv3d", lambda m, x, w: m.conv3d(x, w, None, 1, 1), randn(1, 2, 3, 4, 3),
     randn(2, 2, 2, 2, 2), ("ConvolutionBackward0", "CloneBackward0")),
    ("torch.conv_transpose1d", lambda m, x, w: m.conv_transpose1d(x, w, None, 2),
     randn(1, 2, 4), randn(2, 3, 2), ("ConvolutionBackward0", "SqueezeBackward1")),
    ("torch.pdist", lambda m, x: m.pdist(x, 2), randn(4, 3),
     ("PdistBackward0", "LinalgVectorNormBackward0")),
    ("torch.channel_shuffle", lambda m, x: m.channel_shuffle(x, 2), randn(1, 4, 3),
     ("ChannelShuffleBackward0", "UnsafeViewBackward0")),
    ("torch.max_pool3d", lambda m, x: m.max_pool3d(x, 2), randn(1, 2, 4, 4, 4),
     ("MaxPool3DWithIndicesBackward0", "ViewBackward0")),
    ("torch.ctc_loss/sum", lambda m, x: m.ctc_loss(x.log_softmax(2), m.tensor([[1, 2]]), [4],
                                                   [2], 0, 2), randn(4, 1, 3), None),
    ("torch.alpha_dropout/eval", lambda m, x: m.alpha_dropout(x, 0.5, False), randn(3), None),
    ("torch.rrelu/eval", lambda m, x: m.rrelu(x, 0.1, 0.2), randn(5),
     ("RreluWithNoiseBackward0", "LeakyReluBackward0")),
]


@pytest.mark.parametrize("label,fn,inputs,nodes",
                         [pytest.param(c[0], c[1], c[2:-1], c[-1], id=c[0])
                          for c in TOPLEVEL_CASES])
def test_toplevel_forms_against_torch(label, fn, inputs, nodes, monkeypatch):
    _accept_node(monkeypatch, nodes)
    cc.check(fn, *inputs, label=label)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("args", [(0,), (1,), (2,), (1, False, None, False, 4),
                                  (2, False, None, False, 4), (2, False, None, True)])
def test_toplevel_embedding_bag_returns_torchs_four_results(args, dtype):
    torch, m = cc.reference(), cc.tg()
    w = np.random.default_rng(0).standard_normal((6, 2))
    offsets = [0, 2, 2, 6] if len(args) > 3 and args[3] else [0, 2, 2]
    res = []
    for lib in (torch, m):
        res.append(lib.embedding_bag(cc.make_tensor(lib, w, dtype),
                                     lib.tensor([1, 2, 4, 5, 4, 3]), lib.tensor(offsets),
                                     False, *args))
    np.testing.assert_allclose(cc.to_numpy(res[1][0]), cc.to_numpy(res[0][0]), rtol=1e-6)
    for k in (1, 2, 3):
        assert res[1][k].tolist() == res[0][k].tolist(), k


def test_fractional_max_pool_empty_batch():
    cc.check(lambda m, x: F(m).fractional_max_pool3d(
        x, (2, 2, 1), output_size=(2, 3, 2), return_indices=True,
        _random_samples=m.zeros(0, 1, 3, dtype=x.dtype) + 0.5), randn(0, 1, 4, 5, 4), grad=False)
