"""The remaining torch.nn layers against torch (helper N), part 4: Lazy modules and their
placeholders, multi_head_attention_forward / conv_tbc, AdaptiveLogSoftmaxWithLoss,
SyncBatchNorm, DataParallel and the contiguity of composite results.
"""
import numpy as np
import pytest

pytest.importorskip("torch", reason="the cross-checks compare against torch, which is missing")

import crosscheck as cc  # noqa: E402
from crosscheck import randn  # noqa: E402
from test_nn_modules import check_module  # noqa: E402
from test_nn_more import F, _accept_node, _calling, nn  # noqa: E402


# ------------------------------------------------------------------------------ lazy modules

LAZY_CASES = [
    ("LazyLinear", lambda m: nn(m).LazyLinear(3), randn(2, 4)),
    ("LazyLinear/no_bias_3d", lambda m: nn(m).LazyLinear(2, bias=False), randn(2, 3, 5)),
    ("LazyConv1d", lambda m: nn(m).LazyConv1d(4, 3, padding=1), randn(2, 3, 6)),
    ("LazyConv2d/groups", lambda m: nn(m).LazyConv2d(4, 2, groups=2), randn(1, 4, 4, 5)),
    ("LazyConv3d/unbatched", lambda m: nn(m).LazyConv3d(2, 2, bias=False), randn(3, 3, 4, 3)),
    ("LazyConvTranspose1d", lambda m: nn(m).LazyConvTranspose1d(4, 3, groups=2), randn(2, 6, 5)),
    ("LazyConvTranspose2d", lambda m: nn(m).LazyConvTranspose2d(3, 2, stride=2),
     randn(1, 2, 3, 3)),
    ("LazyConvTranspose3d", lambda m: nn(m).LazyConvTranspose3d(2, 2), randn(1, 3, 2, 3, 2)),
    ("LazyBatchNorm1d", lambda m: nn(m).LazyBatchNorm1d(), randn(4, 3)),
    ("LazyBatchNorm2d/no_affine", lambda m: nn(m).LazyBatchNorm2d(affine=False),
     randn(2, 3, 4, 4)),
    ("LazyBatchNorm3d/no_track", lambda m: nn(m).LazyBatchNorm3d(track_running_stats=False),
     randn(2, 2, 3, 2, 2)),
    ("LazyInstanceNorm1d/affine", lambda m: nn(m).LazyInstanceNorm1d(), randn(2, 3, 5)),
    ("LazyInstanceNorm2d", lambda m: nn(m).LazyInstanceNorm2d(affine=False), randn(2, 3, 4, 4)),
    ("LazyInstanceNorm3d", lambda m: nn(m).LazyInstanceNorm3d(), randn(1, 2, 3, 2, 2)),
]


@pytest.mark.parametrize("label,ctor,x", [pytest.param(*c, id=c[0]) for c in LAZY_CASES])
def test_lazy_modules_become_torchs_eager_module(label, ctor, x):
    torch, m = cc.reference(), cc.tg()
    assert repr(ctor(m)) == repr(ctor(torch))
    (sample,) = cc.draw([x], np.random.default_rng(0))
    outs, mods = [], []
    for lib in (torch, m):
        lib.manual_seed(4)
        mod = ctor(lib)
        assert mod.has_uninitialized_params()
        out = mod(cc.make_tensor(lib, sample, "float32"))
        outs.append(out)
        mods.append(mod)
    ref, got = mods
    assert type(got).__name__ == type(ref).__name__ and repr(got) == repr(ref)
    assert not got._forward_pre_hooks
    ref_sd, got_sd = ref.state_dict(), got.state_dict()
    assert list(got_sd) == list(ref_sd)
    for k, v in ref_sd.items():  # seeded materialization draws torch's values
        np.testing.assert_allclose(cc.to_numpy(got_sd[k]), cc.to_numpy(v), rtol=1e-5,
                                   atol=1e-6, err_msg=k)
    np.testing.assert_allclose(cc.to_numpy(outs[1]), cc.to_numpy(outs[0]), rtol=1e-4,
                               atol=1e-5)


def test_uninitialized_placeholders():
    torch, m = cc.reference(), cc.tg()
    for lib in (torch, m):
        p = lib.nn.UninitializedParameter()
        assert repr(p) == "<UninitializedParameter>"
        assert repr(lib.nn.UninitializedBuffer()) == "<UninitializedBuffer>"
        with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized"):
            p.shape
        p.materialize((2, 3))
        assert type(p) is lib.nn.Parameter and tuple(p.shape) == (2, 3) and p.requires_grad
        lazy = lib.nn.LazyLinear(3)
        assert isinstance(lazy.weight, lib.nn.UninitializedParameter)


def test_lazy_sequential_trains_after_first_call():
    m = cc.tg()
    net = m.nn.Sequential(m.nn.LazyLinear(4), m.nn.ReLU(), m.nn.LazyLinear(2))
    twin = __import__("copy").deepcopy(net)
    assert repr(twin) == repr(net) and twin[0].has_uninitialized_params()
    net(m.randn(3, 5))
    assert [type(c).__name__ for c in net] == ["Linear", "ReLU", "Linear"]
    before = net[0].weight.detach().clone()
    opt = m.optim.SGD(net.parameters(), lr=0.1)
    net(m.randn(3, 5)).sum().backward()
    opt.step()
    assert not bool((net[0].weight == before).all())


LAZY_ERRORS = [
    (lambda m, x: nn(m).LazyConv1d(4, 3)(x), randn(3, 5, 6, 7)),
    (lambda m, x: nn(m).LazyConv1d(4, 3, groups=2)(x), randn(2, 3, 7)),
]


@pytest.mark.parametrize("fn,inputs", [pytest.param(c[0], c[1:], id=str(i))
                                       for i, c in enumerate(LAZY_ERRORS)])
def test_lazy_errors_match_torch(fn, inputs):
    cc.check_raises(fn, *inputs)



# ----------------------------------------------- multi_head_attention_forward and conv_tbc

def _mha_fn(sep=False, bias_kv=False, zero_attn=False, **kw):
    def fn(m, q, k, v, ipw, ipb, opw, opb, *extra):
        bk = bv = None
        if bias_kv:
            bk, bv, extra = extra[0], extra[1], extra[2:]
        seps = dict(use_separate_proj_weight=True, q_proj_weight=extra[0],
                    k_proj_weight=extra[1], v_proj_weight=extra[2]) if sep else {}
        return F(m).multi_head_attention_forward(
            q, k, v, 8, 2, None if sep else ipw, ipb, bk, bv, zero_attn, 0.0, opw, opb,
            training=False, **seps, **kw)
    return fn


_MHA_W = [randn(24, 8), randn(24), randn(8, 8), randn(8)]
MHA_CASES = [
    ("mha_forward", _mha_fn(), randn(3, 2, 8), randn(4, 2, 8), randn(4, 2, 8), *_MHA_W,
     ("ViewBackward0", "ViewBackward0")),
    ("mha_forward/separate_bias_kv_zero_attn", _mha_fn(True, True, True), randn(3, 2, 8),
     randn(4, 2, 8), randn(4, 2, 8), *_MHA_W, randn(1, 1, 8), randn(1, 1, 8), randn(8, 8),
     randn(8, 8), randn(8, 8), ("ViewBackward0", "ViewBackward0")),
    ("mha_forward/unbatched_mask_no_avg", _mha_fn(
        attn_mask=None, average_attn_weights=False), randn(3, 8), randn(5, 8), randn(5, 8),
     *_MHA_W, ("SqueezeBackward1", "SqueezeBackward1")),
    ("conv_tbc", lambda m, x, w, b: F(m).conv_tbc(x, w, b, 1), randn(5, 2, 3), randn(2, 3, 4),
     randn(4), ("ConvTbcBackward0", "CloneBackward0")),
]


@pytest.mark.parametrize("label,fn,inputs,nodes",
                         [pytest.param(c[0], c[1], c[2:-1], c[-1], id=c[0]) for c in MHA_CASES])
def test_mha_forward_and_conv_tbc_against_torch(label, fn, inputs, nodes, monkeypatch):
    _accept_node(monkeypatch, nodes)
    # the key bias's gradient is zero in exact arithmetic (softmax ignores a constant shift):
    # both libraries return float32 rounding noise of ~1e-5 there
    cc.check(fn, *inputs, label=label, atol=1e-4 if label.startswith("mha") else None)


MHA_ERRORS = [
    (lambda m, x, w: F(m).conv_tbc(x, w, m.zeros(4)), randn(5, 2, 3), randn(2, 4, 4)),
    (lambda m, x, w: F(m).conv_tbc(x[0], w, m.zeros(4)), randn(5, 2, 3), randn(2, 3, 4)),
    (lambda m, x, w: F(m).conv_tbc(x, w[0], m.zeros(4)), randn(5, 2, 3), randn(2, 3, 4)),
    (lambda m, x, w: F(m).conv_tbc(x, w, m.zeros(3)), randn(5, 2, 3), randn(2, 3, 4)),
    (lambda m, x, w: F(m).conv_tbc(x, w, m.zeros(4)), randn(5, 2, 3), randn(7, 3, 4)),
]


@pytest.mark.parametrize("fn,inputs", [pytest.param(c[0], c[1:], id=str(i))
                                       for i, c in enumerate(MHA_ERRORS)])
def test_conv_tbc_errors_match_torch(fn, inputs):
    cc.check_raises(fn, *inputs)



# ------------------------------------------------------------------ adaptive softmax

def _asm(call):
    return _calling(lambda m: nn(m).AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6], div_value=2.0,
                                                               head_bias=True), call)


ASM_CASES = [
    ("AdaptiveLogSoftmaxWithLoss/forward", _asm(
        lambda m, mod, x: tuple(mod(x, m.tensor([0, 4, 9, 2, 7])))), [randn(5, 8)]),
    ("AdaptiveLogSoftmaxWithLoss/head_only_unbatched", _asm(
        lambda m, mod, x: tuple(mod(x, m.tensor(1)))), [randn(8)]),
    ("AdaptiveLogSoftmaxWithLoss/log_prob", _asm(lambda m, mod, x: mod.log_prob(x)),
     [randn(4, 8)]),
]


@pytest.mark.parametrize("label,ctor,inputs", [pytest.param(*c, id=c[0]) for c in ASM_CASES])
def test_adaptive_log_softmax_against_torch(label, ctor, inputs, monkeypatch):
    # torch's own module is a composite of the same ops in another order (index_copy_ into a
    # zeros buffer, tapegrad's index_add): the output nodes differ, values and gradients agree
    monkeypatch.setattr(cc, "grad_fn_name", lambda t: None)
    check_module(ctor, *inputs, label=label)


def test_adaptive_log_softmax_repr_init_predict():
    torch, m = cc.reference(), cc.tg()
    mods = []
    for lib in (torch, m):
        lib.manual_seed(1)
        mods.append(lib.nn.AdaptiveLogSoftmaxWithLoss(6, 12, (2, 5, 9), div_value=2.0))
    assert repr(mods[1]) == repr(mods[0])
    for (k, v), g in zip(mods[0].state_dict().items(), mods[1].state_dict().values()):
        np.testing.assert_allclose(cc.to_numpy(g), cc.to_numpy(v), rtol=1e-6, err_msg=k)
    x = np.random.default_rng(3).standard_normal((20, 6)) * 3
    preds = [mod.predict(cc.make_tensor(lib, x, "float32")).tolist()
             for mod, lib in zip(mods, (torch, m))]
    assert preds[1] == preds[0]


ASM_ERRORS = [
    (lambda m, x: nn(m).AdaptiveLogSoftmaxWithLoss(4, 10, []), randn(1)),
    (lambda m, x: nn(m).AdaptiveLogSoftmaxWithLoss(4, 10, [5, 3]), randn(1)),
    (lambda m, x: nn(m).AdaptiveLogSoftmaxWithLoss(4, 10, [3, 10]), randn(1)),
    (lambda m, x: nn(m).AdaptiveLogSoftmaxWithLoss(4, 10, [3])(x, m.tensor([1, 2])),
     randn(3, 4)),
    (lambda m, x: nn(m).AdaptiveLogSoftmaxWithLoss(4, 10, [3])(x, m.tensor([1, 12, 2])),
     randn(3, 4)),
    (lambda m, x: nn(m).AdaptiveLogSoftmaxWithLoss(4, 10, [3])(x, m.tensor(1)), randn(3, 4)),
    (lambda m, x: nn(m).AdaptiveLogSoftmaxWithLoss(4, 10, [3])(x, m.tensor([[1]])),
     randn(3, 4)),
]


@pytest.mark.parametrize("fn,inputs", [pytest.param(c[0], c[1:], id=str(i))
                                       for i, c in enumerate(ASM_ERRORS)])
def test_adaptive_log_softmax_errors_match_torch(fn, inputs):
    cc.check_raises(fn, *inputs)



# ------------------------------------------------------------------------------ SyncBatchNorm

SYNC_CASES = [
    ("SyncBatchNorm/2d", lambda m: nn(m).SyncBatchNorm(3), [randn(4, 3)]),
    ("SyncBatchNorm/4d_momentum_none", lambda m: nn(m).SyncBatchNorm(2, momentum=None),
     [randn(2, 2, 3, 3)]),
    ("SyncBatchNorm/eval_no_bias", lambda m: nn(m).SyncBatchNorm(2, bias=False).eval(),
     [randn(3, 2, 5)]),
]


@pytest.mark.parametrize("label,ctor,inputs", [pytest.param(*c, id=c[0]) for c in SYNC_CASES])
def test_sync_batch_norm_against_torch(label, ctor, inputs):
    check_module(ctor, *inputs, label=label)


def test_convert_sync_batchnorm_shares_parameters():
    torch, m = cc.reference(), cc.tg()
    for lib in (torch, m):
        net = lib.nn.Sequential(lib.nn.Conv2d(2, 3, 1), lib.nn.BatchNorm2d(3, affine=True))
        bn = net[1]
        out = lib.nn.SyncBatchNorm.convert_sync_batchnorm(net)
        assert type(out[1]).__name__ == "SyncBatchNorm"
        assert out[1].weight is bn.weight and out[1].running_mean is bn.running_mean
    assert repr(m.nn.SyncBatchNorm.convert_sync_batchnorm(m.nn.BatchNorm1d(4, eps=1e-3))) == \
        repr(torch.nn.SyncBatchNorm.convert_sync_batchnorm(torch.nn.BatchNorm1d(4, eps=1e-3)))


@pytest.mark.parametrize("fn,inputs", [
    pytest.param(lambda m, x: nn(m).SyncBatchNorm(3)(x), (randn(3),), id="1d"),
    pytest.param(lambda m, x: nn(m).SyncBatchNorm(0)(x), (randn(2, 0, 3),), id="no_channels")])
def test_sync_batch_norm_errors_match_torch(fn, inputs):
    cc.check_raises(fn, *inputs)


def test_data_parallel_without_gpus_runs_the_module():
    torch, m = cc.reference(), cc.tg()
    if m.cuda.is_available() or torch.cuda.is_available():
        pytest.skip("compares the CPU-only wrapper")
    for lib in (torch, m):
        lib.manual_seed(0)
        dp = lib.nn.DataParallel(lib.nn.Linear(3, 2))
        assert dp.device_ids == [] and list(dict(dp.named_parameters())) == ["module.weight",
                                                                             "module.bias"]
    assert repr(m.nn.DataParallel(m.nn.Linear(3, 2))) == \
        repr(torch.nn.DataParallel(torch.nn.Linear(3, 2)))
    cc.check(lambda lib, x: lib.nn.DataParallel(lib.nn.Tanh())(x), randn(2, 3))


def test_composite_results_are_contiguous_like_torchs():
    # callers .view() these results; torch's are contiguous
    m = cc.tg()
    f = F(m)
    x = m.randn(1, 2, 4, 4, 4)
    assert f.conv3d(x, m.randn(3, 2, 2, 2, 2)).view(-1).numel() == 3 * 27
    assert f.conv_transpose3d(x, m.randn(2, 3, 2, 2, 2)).is_contiguous()
    assert f.conv_tbc(m.randn(5, 2, 3), m.randn(2, 3, 4), m.randn(4)).is_contiguous()


def test_lazy_module_loads_a_state_dict_into_its_placeholders():
    # torch's _lazy_load_hook: the placeholders take the loaded shapes (the module stays lazy,
    # in_channels stays 0, until its first call)
    torch, m = cc.reference(), cc.tg()
    ref = torch.nn.Conv1d(4, 2, 3)
    sd = {k: cc.make_tensor(m, cc.to_numpy(v), "float32") for k, v in ref.state_dict().items()}
    results = []
    for lib, state in ((torch, ref.state_dict()), (m, sd)):
        lazy = lib.nn.LazyConv1d(2, 3)
        lazy.load_state_dict(state)
        assert not lazy.has_uninitialized_params()
        before = repr(lazy)
        x = cc.make_tensor(lib, np.ones((1, 4, 5)), "float32")
        results.append((before, repr(lazy(x).shape), repr(lazy), cc.to_numpy(lazy(x))))
    assert results[1][:3] == results[0][:3]
    np.testing.assert_allclose(results[1][3], results[0][3], rtol=1e-5)
