"""Normalisation, pooling and conv1d layers against torch: BatchNorm1d/2d/3d (train and eval,
running statistics, momentum=None, track_running_stats=False), InstanceNorm, GroupNorm,
RMSNorm, AvgPool1d/2d, MaxPool1d, the adaptive pools and Conv1d. Modules go through
test_nn_modules.check_module (forward, input and parameter gradients for a random upstream
gradient, an SGD step; float64 and float32); functionals through crosscheck.check; plus reprs,
state_dict keys (a torch state_dict loads), and torch's errors for bad input."""
import numpy as np
import pytest

pytest.importorskip("torch", reason="the cross-checks compare against torch, which is missing")

import crosscheck as cc  # noqa: E402
from crosscheck import pos, randn  # noqa: E402
from test_nn_modules import check_module, copy_params  # noqa: E402


def nn(m):
    return m.nn


def F(m):
    return m.nn.functional


# ----------------------------------------------------------------------------- module cases

MODULE_CASES = [
    ("BatchNorm1d", lambda m: nn(m).BatchNorm1d(3), [randn(5, 3)]),
    ("BatchNorm1d/3d_input", lambda m: nn(m).BatchNorm1d(4), [randn(3, 4, 5)]),
    ("BatchNorm1d/no_affine", lambda m: nn(m).BatchNorm1d(3, affine=False), [randn(4, 3)]),
    ("BatchNorm1d/no_bias", lambda m: nn(m).BatchNorm1d(3, bias=False), [randn(4, 3)]),
    ("BatchNorm2d", lambda m: nn(m).BatchNorm2d(2), [randn(3, 2, 4, 5)]),
    ("BatchNorm2d/no_track", lambda m: nn(m).BatchNorm2d(2, track_running_stats=False,
                                                         eps=1e-3), [randn(2, 2, 3, 3)]),
    ("BatchNorm2d/noncontiguous", lambda m: nn(m).BatchNorm2d(3), [randn(2, 3, 4, 3, nc=True)]),
    ("BatchNorm3d", lambda m: nn(m).BatchNorm3d(2, momentum=None), [randn(2, 2, 2, 3, 2)]),
    ("InstanceNorm1d", lambda m: nn(m).InstanceNorm1d(3), [randn(2, 3, 5)]),
    ("InstanceNorm1d/unbatched_affine", lambda m: nn(m).InstanceNorm1d(3, affine=True),
     [randn(3, 6)]),
    ("InstanceNorm2d/affine_track", lambda m: nn(m).InstanceNorm2d(
        2, affine=True, track_running_stats=True), [randn(3, 2, 3, 4)]),
    ("InstanceNorm3d", lambda m: nn(m).InstanceNorm3d(2), [randn(1, 2, 2, 2, 3)]),
    ("GroupNorm", lambda m: nn(m).GroupNorm(2, 4), [randn(3, 4, 5)]),
    ("GroupNorm/one_group_4d", lambda m: nn(m).GroupNorm(1, 3, eps=1e-3), [randn(2, 3, 2, 3)]),
    ("GroupNorm/per_channel_no_affine", lambda m: nn(m).GroupNorm(3, 3, affine=False),
     [randn(2, 3, 4)]),
    ("GroupNorm/no_bias_2d", lambda m: nn(m).GroupNorm(2, 6, bias=False), [randn(4, 6)]),
    ("RMSNorm", lambda m: nn(m).RMSNorm(4), [randn(3, 4)]),
    ("RMSNorm/two_dims_eps", lambda m: nn(m).RMSNorm([3, 4], eps=1e-3), [randn(2, 3, 4)]),
    ("RMSNorm/no_affine", lambda m: nn(m).RMSNorm(5, elementwise_affine=False),
     [randn(2, 5, nc=True)]),
    ("AvgPool1d", lambda m: nn(m).AvgPool1d(2), [randn(2, 3, 7)]),
    ("AvgPool1d/stride_pad_ceil", lambda m: nn(m).AvgPool1d(3, 2, 1, ceil_mode=True),
     [randn(2, 2, 8)]),
    ("AvgPool1d/exclude_pad_unbatched", lambda m: nn(m).AvgPool1d(
        3, 2, 1, count_include_pad=False), [randn(3, 6)]),
    ("AvgPool2d", lambda m: nn(m).AvgPool2d(2), [randn(2, 3, 6, 5)]),
    ("AvgPool2d/stride_pad", lambda m: nn(m).AvgPool2d((3, 2), stride=(2, 1), padding=1),
     [randn(1, 2, 7, 6)]),
    ("AvgPool2d/ceil_exclude_pad", lambda m: nn(m).AvgPool2d(
        3, 2, 1, ceil_mode=True, count_include_pad=False), [randn(2, 1, 6, 7)]),
    ("AvgPool2d/ceil_include_pad", lambda m: nn(m).AvgPool2d(3, 2, 1, ceil_mode=True),
     [randn(1, 2, 6, 6)]),
    ("AvgPool2d/divisor_override", lambda m: nn(m).AvgPool2d(2, divisor_override=3),
     [randn(1, 2, 4, 4)]),
    ("AvgPool2d/unbatched_nc", lambda m: nn(m).AvgPool2d(2, 1), [randn(2, 4, 5, nc=True)]),
    ("AvgPool2d/empty_batch", lambda m: nn(m).AvgPool2d(2), [randn(0, 2, 4, 4)]),
    ("MaxPool1d", lambda m: nn(m).MaxPool1d(2), [randn(2, 3, 8)]),
    ("MaxPool1d/stride_pad_dilation", lambda m: nn(m).MaxPool1d(3, 2, 1, dilation=2),
     [randn(2, 2, 9)]),
    ("MaxPool1d/indices_ceil_unbatched", lambda m: nn(m).MaxPool1d(
        2, return_indices=True, ceil_mode=True), [randn(3, 7)]),
    ("AdaptiveAvgPool1d", lambda m: nn(m).AdaptiveAvgPool1d(3), [randn(2, 3, 7)]),
    ("AdaptiveAvgPool1d/unbatched_up", lambda m: nn(m).AdaptiveAvgPool1d(5), [randn(2, 3)]),
    ("AdaptiveAvgPool2d", lambda m: nn(m).AdaptiveAvgPool2d((2, 3)), [randn(2, 3, 5, 7)]),
    ("AdaptiveAvgPool2d/one_none", lambda m: nn(m).AdaptiveAvgPool2d((1, None)),
     [randn(2, 2, 4, 3)]),
    ("AdaptiveAvgPool2d/global_unbatched", lambda m: nn(m).AdaptiveAvgPool2d(1),
     [randn(3, 4, 4, nc=True)]),
    ("AdaptiveMaxPool1d", lambda m: nn(m).AdaptiveMaxPool1d(3), [randn(2, 3, 8)]),
    ("AdaptiveMaxPool1d/indices", lambda m: nn(m).AdaptiveMaxPool1d(4, return_indices=True),
     [randn(2, 7)]),
    ("AdaptiveMaxPool2d", lambda m: nn(m).AdaptiveMaxPool2d((2, 3)), [randn(2, 2, 5, 7)]),
    ("AdaptiveMaxPool2d/indices_unbatched", lambda m: nn(m).AdaptiveMaxPool2d(
        (3, None), return_indices=True), [randn(2, 7, 4)]),
    ("Conv1d", lambda m: nn(m).Conv1d(2, 4, 3), [randn(2, 2, 7)]),
    ("Conv1d/stride_pad_dilation_groups", lambda m: nn(m).Conv1d(
        4, 6, 3, stride=2, padding=2, dilation=2, groups=2, bias=False), [randn(2, 4, 9)]),
    ("Conv1d/same_unbatched", lambda m: nn(m).Conv1d(3, 2, 4, padding="same"),
     [randn(3, 8)]),
    ("Conv1d/padding_mode_reflect", lambda m: nn(m).Conv1d(2, 2, 3, padding=1,
                                                           padding_mode="reflect"),
     [randn(2, 2, 6)]),
    ("Conv1d/circular_nc", lambda m: nn(m).Conv1d(2, 3, 3, padding=1,
                                                  padding_mode="circular"),
     [randn(1, 2, 5, nc=True)]),
    ("ConvTranspose2d", lambda m: nn(m).ConvTranspose2d(2, 3, 3), [randn(2, 2, 4, 5)]),
    ("ConvTranspose2d/stride_pad_outpad", lambda m: nn(m).ConvTranspose2d(
        2, 4, (3, 2), stride=2, padding=1, output_padding=1), [randn(1, 2, 3, 4)]),
    ("ConvTranspose2d/groups_dilation_no_bias", lambda m: nn(m).ConvTranspose2d(
        4, 2, 3, stride=(1, 2), padding=(2, 0), groups=2, dilation=2, bias=False),
     [randn(2, 4, 4, 3)]),
    ("ConvTranspose2d/unbatched_nc", lambda m: nn(m).ConvTranspose2d(2, 2, 2, stride=2),
     [randn(2, 3, 3, nc=True)]),
    ("cnn1d_bn", lambda m: nn(m).Sequential(
        nn(m).Conv1d(2, 4, 3, padding=1), nn(m).BatchNorm1d(4), nn(m).ReLU(),
        nn(m).MaxPool1d(2), nn(m).AdaptiveAvgPool1d(1), nn(m).Flatten(), nn(m).Linear(4, 3)),
     [randn(3, 2, 8)]),
    ("cnn2d_bn_gn", lambda m: nn(m).Sequential(
        nn(m).Conv2d(1, 4, 3, padding=1), nn(m).BatchNorm2d(4), nn(m).ReLU(),
        nn(m).AvgPool2d(2), nn(m).GroupNorm(2, 4), nn(m).AdaptiveMaxPool2d(1), nn(m).Flatten()),
     [randn(2, 1, 6, 6)]),
]


# Layers composed from primitives (by design only batch and group norm have op rows) end in
# another node than torch's dedicated one; values and gradients are still compared, with
# exactly this name pair accepted for the output: label prefix -> (torch's, tapegrad's).
COMPOSITE_NODES = {
    "RMSNorm/no_affine": ("CloneBackward0", "MulBackward0"),
    "AvgPool2d/unbatched": ("AvgPool2DBackward0", "SqueezeBackward1"),
    "AvgPool2d": ("AvgPool2DBackward0", "ViewBackward0"),
    "AdaptiveMaxPool2d": ("AdaptiveMaxPool2DBackward0", "ViewBackward0"),
    "ConvTranspose2d/unbatched": ("SqueezeBackward1", "ConvolutionBackward0"),
    "conv_transpose2d/unbatched": ("SqueezeBackward1", "ConvolutionBackward0"),
    "Conv1d/same_unbatched": ("SqueezeBackward1", "ConvolutionBackward0"),
    "Conv1d": ("ConvolutionBackward0", "SqueezeBackward1"),
    "avg_pool2d": ("AvgPool2DBackward0", "ViewBackward0"),
    "adaptive_max_pool2d": ("AdaptiveMaxPool2DBackward0", "ViewBackward0"),
    "conv1d": ("ConvolutionBackward0", "SqueezeBackward1"),
}


def _accept_composite(monkeypatch, label):
    entry = next((v for k, v in COMPOSITE_NODES.items() if label.startswith(k)), None)
    if entry is None:
        return
    theirs, ours = entry
    real = cc.grad_fn_name

    def name(t):
        n = real(t)
        return theirs if isinstance(t, cc.tg().Tensor) and n == ours else n
    monkeypatch.setattr(cc, "grad_fn_name", name)


@pytest.mark.parametrize("label,ctor,inputs",
                         [pytest.param(*c, id=c[0]) for c in MODULE_CASES])
def test_module_against_torch(label, ctor, inputs, monkeypatch):
    _accept_composite(monkeypatch, label)
    check_module(ctor, *inputs, label=label)


@pytest.mark.parametrize("label,ctor,inputs",
                         [pytest.param(*c, id=c[0]) for c in MODULE_CASES
                          if c[0].startswith(("BatchNorm", "InstanceNorm", "cnn"))])
def test_module_eval_against_torch(label, ctor, inputs):
    """Eval mode: the running statistics (fresh ones here; after training forwards in
    test_batchnorm_running_stats_then_eval) instead of the batch's."""
    def ctor_eval(m):
        return ctor(m).eval()
    check_module(ctor_eval, *inputs, label=label + "/eval")


# ------------------------------------------------------- batch norm running statistics

def _train_steps(m, mod, batches, dtype):
    outs = []
    for b in batches:
        outs.append(cc.to_numpy(mod(cc.make_tensor(m, b, dtype))))
    return outs


@pytest.mark.parametrize("dtype", cc.DTYPES)
@pytest.mark.parametrize("kwargs", [{}, {"momentum": None}, {"momentum": 0.5, "eps": 1e-3},
                                    {"affine": False}, {"track_running_stats": False}],
                         ids=["default", "cumulative", "momentum_eps", "no_affine", "no_track"])
def test_batchnorm_running_stats_then_eval(kwargs, dtype):
    torch, m = cc.reference(), cc.tg()
    rng = np.random.default_rng(0)
    batches = [rng.standard_normal((6, 3, 4)) * (k + 1) + k for k in range(3)]
    ref = torch.nn.BatchNorm1d(3, **kwargs).to(getattr(torch, dtype))
    got = m.nn.BatchNorm1d(3, **kwargs).to(getattr(m, dtype))
    for r, g in zip(_train_steps(torch, ref, batches, dtype), _train_steps(m, got, batches, dtype)):
        cc.assert_close(g, r, dtype, "train forward")
    for name, buf in ref.named_buffers():
        mine = dict(got.named_buffers())[name]
        assert cc.dtype_name(mine) == cc.dtype_name(buf), name
        cc.assert_close(cc.to_numpy(mine), cc.to_numpy(buf), dtype, f"buffer {name}")
    assert [n for n, _ in got.named_buffers()] == [n for n, _ in ref.named_buffers()]
    ref.eval()
    got.eval()
    x = rng.standard_normal((2, 3, 4))
    xr, xg = (cc.make_tensor(lib, x, dtype, True) for lib in (torch, m))
    yr, yg = ref(xr), got(xg)
    cc.assert_close(cc.to_numpy(yg), cc.to_numpy(yr), dtype, "eval forward")
    assert cc.grad_fn_name(yg) == cc.grad_fn_name(yr)
    up = rng.standard_normal((2, 3, 4))
    yr.backward(cc.make_tensor(torch, up, dtype))
    yg.backward(cc.make_tensor(m, up, dtype))
    cc.assert_close(cc.to_numpy(xg.grad), cc.to_numpy(xr.grad), dtype, "eval input grad")
    # eval leaves the running statistics alone
    for name, buf in ref.named_buffers():
        cc.assert_close(cc.to_numpy(dict(got.named_buffers())[name]), cc.to_numpy(buf), dtype,
                        f"buffer {name} after eval")


def test_batchnorm_grad_fn_and_saved_attrs():
    torch, m = cc.reference(), cc.tg()
    x = np.random.default_rng(0).standard_normal((4, 3))
    for train in (True, False):
        fns = []
        for lib in (torch, m):
            bn = lib.nn.BatchNorm1d(3).double().train(train)
            fns.append(bn(cc.make_tensor(lib, x, "float64", True)).grad_fn)
        ref, got = fns
        assert type(got).__name__ == type(ref).__name__ == "NativeBatchNormBackward0"
        assert got._saved_training is ref._saved_training is train
        assert got._saved_eps == ref._saved_eps
        for a in ("_saved_result1", "_saved_result2", "_saved_input", "_saved_weight"):
            cc.assert_close(cc.to_numpy(getattr(got, a)), cc.to_numpy(getattr(ref, a)),
                            "float64", a)


def test_batchnorm_double_forward_then_backward():
    """Two training forwards before backward: torch allows it (running stats change in place
    in between), so must we."""
    m = cc.tg()
    bn = m.nn.BatchNorm1d(3)
    x = m.randn(4, 3, requires_grad=True)
    y1 = bn(x)
    bn(x)
    y1.sum().backward()
    assert x.grad is not None


# ------------------------------------------------------------------------ functional cases

FUNCTIONAL_CASES = [
    ("batch_norm/train_running", lambda m, x, w, b: _bn_running(m, x, w, b), randn(4, 3, 2),
     randn(3), randn(3)),
    ("batch_norm/eval", lambda m, x, rm, rv: F(m).batch_norm(x, rm, rv), randn(3, 2),
     randn(2, rg=False), pos(2, rg=False)),
    ("instance_norm/running", lambda m, x, w: _in_running(m, x, w), randn(2, 3, 4), randn(3)),
    ("instance_norm/eval_stats", lambda m, x, rm, rv: F(m).instance_norm(
        x, rm, rv, use_input_stats=False), randn(2, 3, 4), randn(3, rg=False),
     pos(3, rg=False)),
    ("group_norm/affine", lambda m, x, w, b: F(m).group_norm(x, 3, w, b, 1e-3),
     randn(2, 6, 2, 2), randn(6), randn(6)),
    ("group_norm/empty_batch", lambda m, x: F(m).group_norm(x, 2), randn(0, 4, 3)),
    ("rms_norm/weight", lambda m, x, w: F(m).rms_norm(x, (4,), w), randn(3, 4), randn(4)),
    ("rms_norm/default_eps_zeros", lambda m, x: F(m).rms_norm(x * 0, [3]), randn(2, 3)),
    ("avg_pool2d/kw", lambda m, x: F(m).avg_pool2d(x, kernel_size=(2, 3), stride=1,
                                                  padding=(1, 0)), randn(1, 2, 4, 5)),
    ("avg_pool1d/kw", lambda m, x: F(m).avg_pool1d(x, 3, stride=1, count_include_pad=False,
                                                  padding=1), randn(2, 2, 5)),
    ("max_pool1d/indices", lambda m, x: F(m).max_pool1d(x, 3, 1, return_indices=True),
     randn(2, 6)),
    ("adaptive_avg_pool2d/int", lambda m, x: F(m).adaptive_avg_pool2d(x, 2), randn(1, 2, 5, 3)),
    ("adaptive_max_pool2d/indices", lambda m, x: F(m).adaptive_max_pool2d(x, (2, 2), True),
     randn(2, 5, 5)),
    ("conv1d/kw", lambda m, x, w, b: F(m).conv1d(x, w, b, stride=2, padding=1),
     randn(2, 3, 7), randn(4, 3, 3), randn(4)),
    ("conv_transpose2d/kw", lambda m, x, w, b: F(m).conv_transpose2d(
        x, w, b, stride=2, padding=(1, 0), output_padding=(0, 1), dilation=(1, 2)),
     randn(1, 2, 3, 3), randn(2, 3, 2, 3), randn(3)),
    ("conv_transpose2d/unbatched_crop", lambda m, x, w: F(m).conv_transpose2d(
        x, w, padding=2), randn(2, 4, 4), randn(2, 1, 3, 3)),
    ("conv1d/valid_groups", lambda m, x, w: F(m).conv1d(x, w, None, 1, "valid", 1, 2),
     randn(1, 4, 5), randn(2, 2, 2)),
]


def _bn_running(m, x, w, b):
    rm, rv = m.zeros(3, dtype=x.dtype), m.ones(3, dtype=x.dtype)
    return F(m).batch_norm(x, rm, rv, w, b, True, 0.2), rm, rv


def _in_running(m, x, w):
    rm, rv = m.zeros(3, dtype=x.dtype), m.ones(3, dtype=x.dtype)
    return F(m).instance_norm(x, rm, rv, w, momentum=0.3), rm, rv


@pytest.mark.parametrize("label,fn,inputs",
                         [pytest.param(c[0], c[1], c[2:], id=c[0]) for c in FUNCTIONAL_CASES])
def test_functional_against_torch(label, fn, inputs, monkeypatch):
    _accept_composite(monkeypatch, label)
    cc.check(fn, *inputs, label=label)


@pytest.mark.parametrize("label,fn,inputs",
                         [pytest.param(c[0], c[1], c[2:], id=c[0]) for c in FUNCTIONAL_CASES
                          if not c[0].startswith(("max_pool", "adaptive_max", "rms_norm/def",
                                                  "group_norm/empty"))])
def test_functional_gradcheck(label, fn, inputs):
    cc.gradcheck(fn, *inputs, label=label)


@pytest.mark.parametrize("label,fn,inputs",
                         [pytest.param(c[0], c[1], c[2:], id=c[0]) for c in FUNCTIONAL_CASES
                          if c[0].startswith(("batch_norm", "group_norm/affine", "rms_norm/w"))])
def test_functional_gradgradcheck(label, fn, inputs):
    cc.gradgradcheck(fn, *inputs, label=label)


# ------------------------------------------------------------------- reprs and state_dict

REPR_CASES = [c[1] for c in MODULE_CASES] + [
    lambda m: nn(m).BatchNorm2d(3, momentum=None, affine=False, track_running_stats=False),
    lambda m: nn(m).BatchNorm1d(4, eps=0.1, bias=False),
    lambda m: nn(m).InstanceNorm2d(3, affine=True, track_running_stats=True),
    lambda m: nn(m).GroupNorm(1, 5, eps=1e-3, affine=False),
    lambda m: nn(m).RMSNorm([3, 4], eps=1e-3, elementwise_affine=False),
    lambda m: nn(m).AvgPool2d((2, 3), 1, 1, True, False, 2),
    lambda m: nn(m).AvgPool1d(3, 2, 1),
    lambda m: nn(m).MaxPool1d(3, return_indices=True, ceil_mode=True),
    lambda m: nn(m).AdaptiveAvgPool2d((3, None)),
    lambda m: nn(m).AdaptiveMaxPool2d((2, 3), True),
    lambda m: nn(m).Conv1d(2, 4, 3, padding=1, bias=False, padding_mode="replicate"),
    lambda m: nn(m).Conv1d(2, 4, (3,), stride=(2,), dilation=2, groups=2),
    lambda m: nn(m).ConvTranspose2d(2, 4, 3, stride=2, padding=1, output_padding=1, groups=2,
                                    bias=False, dilation=2),
]


@pytest.mark.parametrize("ctor", REPR_CASES)
def test_repr_matches_torch(ctor):
    assert repr(ctor(cc.tg())) == repr(ctor(cc.reference()))


STATE_CASES = [
    lambda m: nn(m).BatchNorm2d(3),
    lambda m: nn(m).BatchNorm1d(3, affine=False),
    lambda m: nn(m).BatchNorm1d(3, bias=False),
    lambda m: nn(m).BatchNorm3d(2, track_running_stats=False),
    lambda m: nn(m).InstanceNorm1d(3, affine=True, track_running_stats=True),
    lambda m: nn(m).GroupNorm(2, 4),
    lambda m: nn(m).RMSNorm(4),
    lambda m: nn(m).Conv1d(2, 3, 2),
    lambda m: nn(m).ConvTranspose2d(4, 2, 3, groups=2),
]


@pytest.mark.parametrize("ctor", STATE_CASES)
def test_state_dict_keys_and_load_from_torch(ctor):
    torch, m = cc.reference(), cc.tg()
    torch.manual_seed(0)
    ref, got = ctor(torch), ctor(m)
    ref_sd = ref.state_dict()
    assert list(got.state_dict()) == list(ref_sd)
    for k, v in got.state_dict().items():
        assert tuple(v.shape) == tuple(ref_sd[k].shape), k
        assert cc.dtype_name(v) == cc.dtype_name(ref_sd[k]), k
    # torch's values, moved (ints by 1) so that a load that kept ours would show
    new = {k: cc.to_numpy(v) + (0.25 if v.is_floating_point() else 1) for k, v in ref_sd.items()}
    got.load_state_dict({k: cc.make_tensor(m, a, cc.dtype_name(ref_sd[k]))
                         for k, a in new.items()})
    for k, v in got.state_dict().items():
        cc.assert_close(cc.to_numpy(v), new[k], cc.dtype_name(v), k)


def test_default_init_matches_torch_distribution():
    m = cc.tg()
    bn = m.nn.BatchNorm2d(4)
    assert bn.weight.tolist() == [1.0] * 4 and bn.bias.tolist() == [0.0] * 4
    assert bn.running_mean.tolist() == [0.0] * 4 and bn.running_var.tolist() == [1.0] * 4
    assert bn.num_batches_tracked.item() == 0 and bn.num_batches_tracked.dtype == m.int64
    conv = m.nn.Conv1d(3, 5, 4)
    bound = 1 / np.sqrt(3 * 4)
    w = np.array(conv.weight.tolist())
    assert w.shape == (5, 3, 4) and np.all(np.abs(w) <= bound) and w.std() > bound / 4


# ------------------------------------------------------------------------------- errors

ERROR_CASES = [
    (lambda m, x: nn(m).BatchNorm2d(3)(x), randn(2, 3, 4)),
    (lambda m, x: nn(m).BatchNorm1d(3)(x), randn(2, 3, 4, 5)),
    (lambda m, x: nn(m).BatchNorm3d(3)(x), randn(2, 3, 4, 5)),
    (lambda m, x: nn(m).BatchNorm1d(3)(x), randn(1, 3)),
    (lambda m, x: nn(m).BatchNorm1d(4)(x), randn(2, 3)),
    (lambda m, x: F(m).batch_norm(x, None, None), randn(2, 3)),
    (lambda m, x: F(m).batch_norm(x, m.zeros(3), m.ones(3), m.ones(4)), randn(2, 3)),
    (lambda m, x: F(m).batch_norm(x, m.zeros(3), m.ones(3), training=True), randn(5)),
    (lambda m, x: F(m).batch_norm(x.double(), m.zeros(3), m.ones(3), training=True),
     randn(2, 3)),
    (lambda m, x: F(m).batch_norm(x, None, None, training=True, eps=0), randn(4, 3)),
    (lambda m, x: F(m).batch_norm(x, m.zeros(3), m.ones(3), eps=-1.0), randn(4, 3)),
    (lambda m, x: nn(m).BatchNorm1d(3)(x.long()), randn(4, 3)),
    (lambda m, x: nn(m).InstanceNorm1d(3)(x), randn(2, 3, 1)),
    (lambda m, x: nn(m).InstanceNorm2d(3)(x), randn(2, 3)),
    (lambda m, x: nn(m).InstanceNorm1d(4, affine=True)(x), randn(2, 3, 5)),
    (lambda m, x: F(m).group_norm(x, 2), randn(2, 5, 3)),
    (lambda m, x: F(m).group_norm(x, 1), randn(5)),
    (lambda m, x: F(m).group_norm(x, 2), randn(1, 2, 1)),
    (lambda m, x: F(m).group_norm(x, 2, m.ones(3)), randn(2, 4, 3)),
    (lambda m, x: F(m).rms_norm(x, (4,)), randn(2, 3, 5)),
    (lambda m, x: F(m).rms_norm(x, (4, 5)), randn(2, 3, 5)),
    (lambda m, x: F(m).rms_norm(x, (5,), m.ones(4)), randn(2, 3, 5)),
    (lambda m, x: F(m).avg_pool2d(x, 3, padding=2), randn(1, 2, 4, 4)),
    (lambda m, x: F(m).avg_pool2d(x, 3), randn(1, 2, 2, 2)),
    (lambda m, x: F(m).avg_pool2d(x, 2, divisor_override=0), randn(1, 2, 4, 4)),
    (lambda m, x: F(m).avg_pool2d(x, 2, 0), randn(1, 2, 4, 4)),
    (lambda m, x: F(m).avg_pool2d(x, 2, padding=-1), randn(1, 2, 4, 4)),
    (lambda m, x: F(m).avg_pool1d(x, 1), randn(2)),
    (lambda m, x: F(m).max_pool1d(x, 2), randn(2)),
    (lambda m, x: F(m).adaptive_avg_pool2d(x, 2), randn(5, 7)),
    (lambda m, x: F(m).adaptive_avg_pool1d(x, (2, 3)), randn(5, 7)),
    (lambda m, x: F(m).adaptive_max_pool2d(x, 2), randn(1, 2, 0, 5)),
    (lambda m, x: F(m).adaptive_avg_pool1d(x, 2), randn(5)),
    (lambda m, x: F(m).conv1d(x, m.ones(4, 3, 2)), randn(2, 3, 5, 5)),
    (lambda m, x: nn(m).GroupNorm(2, 5), randn(1)),
    (lambda m, x: F(m).conv_transpose2d(x, m.ones(2, 3, 3, 3), stride=2, output_padding=2),
     randn(1, 2, 4, 4)),
    (lambda m, x: nn(m).ConvTranspose2d(2, 3, 3, stride=2)(x, output_size=[12, 10]),
     randn(1, 2, 4, 4)),
    (lambda m, x: nn(m).ConvTranspose2d(2, 3, 3, padding_mode="reflect"), randn(1)),
]


@pytest.mark.parametrize("k", range(len(ERROR_CASES)))
def test_error_like_torch(k):
    fn, *inputs = ERROR_CASES[k]
    cc.check_raises(fn, *inputs, label=f"error case {k}")


def test_conv_transpose2d_output_size_like_torch():
    torch, m = cc.reference(), cc.tg()
    torch.manual_seed(0)
    ref = torch.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    got = m.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    copy_params(ref, got, m, "float32")
    x = np.random.default_rng(0).standard_normal((1, 2, 4, 4))
    for size in ([7, 7], [8, 7], (1, 3, 8, 8)):
        r = ref(cc.make_tensor(torch, x, "float32"), output_size=size)
        g = got(cc.make_tensor(m, x, "float32"), output_size=size)
        cc.assert_close(cc.to_numpy(g), cc.to_numpy(r), "float32", f"output_size={size}")


def _cnn(m):
    n = m.nn
    return n.Sequential(n.Conv1d(2, 4, 3, padding=1), n.BatchNorm1d(4), n.ReLU(),
                        n.AvgPool1d(2), n.GroupNorm(2, 4), n.Conv1d(4, 3, 2), n.BatchNorm1d(3),
                        n.AdaptiveMaxPool1d(1), n.Flatten(), n.Linear(3, 2))


def test_torch_saved_model_loads_and_evaluates_alike(tmp_path):
    """A torch model trained a little (running statistics moved), saved with torch.save, loads
    through tapegrad.load into the same tapegrad model and evaluates alike."""
    torch, m = cc.reference(), cc.tg()
    torch.manual_seed(0)
    ref = _cnn(torch)
    rng = np.random.default_rng(0)
    with torch.no_grad():
        for _ in range(3):
            ref(torch.tensor(rng.standard_normal((5, 2, 8)), dtype=torch.float32))
    path = tmp_path / "cnn.pt"
    torch.save(ref.state_dict(), path)
    got = _cnn(m)
    got.load_state_dict(m.load(path))
    assert got[1].num_batches_tracked.item() == 3
    ref.eval()
    got.eval()
    x = rng.standard_normal((4, 2, 8))
    with torch.no_grad():
        r = ref(cc.make_tensor(torch, x, "float32"))
    g = got(cc.make_tensor(m, x, "float32"))
    cc.assert_close(cc.to_numpy(g), cc.to_numpy(r), "float32", "eval output")


TOP_LEVEL = [
    ("avg_pool1d", lambda m, x: m.avg_pool1d(x, 2, 1, 1, True, False), randn(2, 3, 5)),
    ("adaptive_avg_pool1d", lambda m, x: m.adaptive_avg_pool1d(x, 3), randn(2, 3, 5)),
    ("adaptive_max_pool1d", lambda m, x: m.adaptive_max_pool1d(x, 2), randn(2, 3, 5)),
    ("max_pool1d", lambda m, x: m.max_pool1d(x, 2), randn(2, 3, 5)),
    ("max_pool1d_with_indices", lambda m, x: m.max_pool1d_with_indices(x, 3, 2, 1),
     randn(2, 3, 6)),
    ("group_norm", lambda m, x, w: m.group_norm(x, 3, w, None, 1e-3, False), randn(2, 3, 5),
     randn(3)),
    ("instance_norm", lambda m, x, w, b: m.instance_norm(x, w, b, None, None, True, 0.1, 1e-5,
                                                         False), randn(2, 3, 5), randn(3),
     randn(3)),
    ("rms_norm", lambda m, x: m.rms_norm(x, [5]), randn(2, 3, 5)),
    ("conv1d", lambda m, x, w: m.conv1d(x, w, None, 1, 1), randn(2, 3, 5), randn(2, 3, 2)),
    ("conv_transpose2d", lambda m, x, w: m.conv_transpose2d(x, w, None, 2),
     randn(1, 2, 3, 3), randn(2, 2, 2, 2)),
]


@pytest.mark.parametrize("label,fn,inputs", [pytest.param(c[0], c[1], c[2:], id=c[0])
                                             for c in TOP_LEVEL])
def test_top_level_forms_against_torch(label, fn, inputs, monkeypatch):
    # values and gradients; node names as in the functional cases above
    monkeypatch.setattr(cc, "grad_fn_name", lambda t: None)
    cc.check(fn, *inputs, label=label)
