"""Every nn module and loss against torch: the same layer built in both libraries with torch's
weights copied across, then forward values (and grad_fn names), gradients of the inputs and of
every parameter for a random upstream gradient, and the forward after one SGD step, in float64
and float32. Also: reprs equal to torch's, Dropout in train/eval. Module behaviour
(state_dict, hooks, registration) is in test_nn_module_api.py, nn.init in test_nn_init.py.
Dry-run on torch with TAPEGRAD_TEST_BACKEND=torch.
"""
import math
from collections import OrderedDict

import numpy as np
import pytest

pytest.importorskip("torch", reason="the cross-checks compare against torch, which is missing")

import crosscheck as cc  # noqa: E402
from crosscheck import away, ints, prob, randn  # noqa: E402

LR = 0.1


# ---------------------------------------------------------------------------------- harness


def copy_params(src, dst, m, dtype):
    """Copies src's (torch) parameter values into dst (module under test), name by name."""
    src_named = dict(src.named_parameters())
    dst_named = dict(dst.named_parameters())
    assert list(src_named) == list(dst_named), "parameter names differ from torch's"
    for name, p in src_named.items():
        q = dst_named[name]
        assert tuple(q.shape) == tuple(p.shape), f"{name}: shape {tuple(q.shape)}"
        with m.no_grad():
            q.copy_(cc.make_tensor(m, cc.to_numpy(p), dtype))


def build(ctor, m, dtype):
    mod = ctor(m)
    return mod.to(getattr(m, dtype))


def run_module(ctor, specs, samples, m, dtype, ref=None):
    mod = build(ctor, m, dtype)
    if ref is not None:
        copy_params(ref, mod, m, dtype)
    xs = cc.build_inputs(m, specs, samples, dtype, True)
    return mod, xs, cc.as_outputs(mod(*xs))


def backward(m, outs, upstream, dtype):
    ts = [o for o in outs if isinstance(o, m.Tensor) and o.requires_grad]
    ups = [cc.make_tensor(m, u, dtype) for u in upstream[:len(ts)]]
    m.autograd.backward(ts, ups)


def sgd_step(m, mod):
    params = list(mod.parameters())
    if params:
        m.optim.SGD(params, lr=LR, momentum=0.9, weight_decay=0.01).step()


def compare_grads(got_mod, ref_mod, got_xs, ref_xs, what, dtype):
    for i, (g, r) in enumerate(zip(got_xs, ref_xs)):
        if hasattr(r, "requires_grad") and r.requires_grad:
            assert (g.grad is None) == (r.grad is None), f"{what}: grad of input {i}"
            if r.grad is not None:
                cc.assert_close(cc.to_numpy(g.grad), cc.to_numpy(r.grad), dtype,
                                f"{what}: grad of input {i}")
    got_named = dict(got_mod.named_parameters())
    for name, p in ref_mod.named_parameters():
        q = got_named[name]
        assert (q.grad is None) == (p.grad is None), f"{what}: grad of {name}"
        if p.grad is not None:
            cc.assert_close(cc.to_numpy(q.grad), cc.to_numpy(p.grad), dtype,
                            f"{what}: grad of {name}")


def check_module(ctor, *inputs, label, dtypes=cc.DTYPES, seed=0):
    """ctor(m) builds the module with library m; inputs are crosscheck Args."""
    torch, m = cc.reference(), cc.tg()
    specs = [cc.as_arg(x) for x in inputs]
    for dtype in dtypes:
        rng = np.random.default_rng(seed)
        samples = cc.draw(specs, rng)
        what = f"{label} [{dtype}]"
        # torch draws the weights (copied across): seeded, so a case is the same every run.
        torch.manual_seed(seed)
        ref_mod, ref_xs, ref_outs = run_module(ctor, specs, samples, torch, dtype)
        got_mod, got_xs, got_outs = run_module(ctor, specs, samples, m, dtype, ref=ref_mod)
        cc.compare_outputs(m, got_outs, ref_outs, f"{what} forward")
        diff = [o for o in ref_outs if isinstance(o, torch.Tensor) and o.requires_grad]
        if not diff:
            continue
        upstream = [rng.standard_normal(tuple(o.shape)) for o in diff]
        backward(torch, ref_outs, upstream, dtype)
        backward(m, got_outs, upstream, dtype)
        compare_grads(got_mod, ref_mod, got_xs, ref_xs, what, dtype)
        sgd_step(torch, ref_mod)
        sgd_step(m, got_mod)
        with torch.no_grad():
            ref_after = cc.as_outputs(ref_mod(*ref_xs))
        with m.no_grad():
            got_after = cc.as_outputs(got_mod(*got_xs))
        # Values only: whether a no_grad view of a leaf reports requires_grad is an engine
        # question (test_engine.py), not a property of the module.
        for k, (g, r) in enumerate(zip(got_after, ref_after)):
            cc.assert_close(cc.to_numpy(g), cc.to_numpy(r), cc.dtype_name(r),
                            f"{what} forward after an SGD step, output {k}")


# ------------------------------------------------------------------------------------ cases


def nn(m):
    return m.nn


class _Block(object):
    """A small model exercising ModuleList/ModuleDict registration inside a custom Module."""

    @staticmethod
    def make(m):
        class Block(m.nn.Module):
            def __init__(self):
                super().__init__()
                self.layers = m.nn.ModuleList([m.nn.Linear(4, 4) for _ in range(2)])
                self.heads = m.nn.ModuleDict({"a": m.nn.Linear(4, 3), "b": m.nn.Tanh()})

            def forward(self, x):
                for layer in self.layers:
                    x = m.nn.functional.relu(layer(x))
                return self.heads["b"](self.heads["a"](x))
        return Block()


def _conv_net(m):
    n = m.nn
    return n.Sequential(n.Conv2d(1, 4, 3, padding=1), n.ReLU(), n.MaxPool2d(2), n.Flatten(),
                        n.Linear(4 * 3 * 3, 5), n.LogSoftmax(dim=1))


def _mlp(m):
    n = m.nn
    return n.Sequential(OrderedDict([("fc1", n.Linear(4, 8)), ("act", n.GELU()),
                                     ("norm", n.LayerNorm(8)), ("fc2", n.Linear(8, 3))]))


MODULE_CASES = [
    ("Linear", lambda m: nn(m).Linear(5, 3), [randn(4, 5)]),
    ("Linear/no_bias_3d", lambda m: nn(m).Linear(5, 3, bias=False), [randn(2, 4, 5)]),
    ("Linear/1d_input", lambda m: nn(m).Linear(5, 2), [randn(5)]),
    ("Identity", lambda m: nn(m).Identity(3, unused=True), [randn(2, 3)]),
    ("Sequential/mlp", lambda m: nn(m).Sequential(nn(m).Linear(4, 8), nn(m).ReLU(),
                                                  nn(m).Linear(8, 3)), [randn(6, 4)]),
    ("Sequential/ordered_dict_gelu_layernorm", _mlp, [randn(5, 4)]),
    ("ModuleList_ModuleDict", _Block.make, [randn(3, 4)]),
    ("ReLU", lambda m: nn(m).ReLU(), [away(3, 4)]),
    ("Tanh", lambda m: nn(m).Tanh(), [randn(3, 4)]),
    ("Sigmoid", lambda m: nn(m).Sigmoid(), [randn(3, 4)]),
    ("GELU", lambda m: nn(m).GELU(), [randn(3, 4)]),
    ("GELU/tanh", lambda m: nn(m).GELU(approximate="tanh"), [randn(3, 4)]),
    ("SiLU", lambda m: nn(m).SiLU(), [randn(3, 4)]),
    ("Softplus", lambda m: nn(m).Softplus(), [randn(3, 4)]),
    ("Softplus/beta_threshold", lambda m: nn(m).Softplus(beta=2.0, threshold=1.0),
     [randn(4, 5)]),
    ("Softmax", lambda m: nn(m).Softmax(dim=1), [randn(3, 4)]),
    ("Softmax/dim0_3d", lambda m: nn(m).Softmax(dim=0), [randn(2, 3, 4)]),
    ("LogSoftmax", lambda m: nn(m).LogSoftmax(dim=-1), [randn(3, 4)]),
    ("Flatten", lambda m: nn(m).Flatten(), [randn(2, 3, 4)]),
    ("Flatten/0_1", lambda m: nn(m).Flatten(0, 1), [randn(2, 3, 4)]),
    ("Embedding", lambda m: nn(m).Embedding(10, 4), [ints(3, 5, high=10)]),
    ("Embedding/padding_idx", lambda m: nn(m).Embedding(6, 3, padding_idx=0),
     [ints(4, 5, high=6)]),
    ("LayerNorm", lambda m: nn(m).LayerNorm(6), [randn(3, 6)]),
    ("LayerNorm/2d_no_affine", lambda m: nn(m).LayerNorm([4, 6], elementwise_affine=False),
     [randn(2, 4, 6)]),
    ("LayerNorm/no_bias", lambda m: nn(m).LayerNorm(6, bias=False), [randn(2, 3, 6)]),
    ("Conv2d", lambda m: nn(m).Conv2d(2, 4, 3), [randn(2, 2, 7, 7)]),
    ("Conv2d/stride_padding", lambda m: nn(m).Conv2d(2, 3, 3, stride=2, padding=1),
     [randn(2, 2, 7, 6)]),
    ("Conv2d/same_dilation_groups", lambda m: nn(m).Conv2d(4, 6, (3, 2), padding="same",
                                                           dilation=2, groups=2, bias=False),
     [randn(1, 4, 6, 7)]),
    ("Conv2d/valid", lambda m: nn(m).Conv2d(1, 2, 3, padding="valid"), [randn(2, 1, 5, 5)]),
    ("MaxPool2d", lambda m: nn(m).MaxPool2d(2), [randn(2, 3, 6, 6)]),
    ("MaxPool2d/stride_padding", lambda m: nn(m).MaxPool2d(3, stride=2, padding=1),
     [randn(2, 2, 7, 7)]),
    ("MaxPool2d/return_indices", lambda m: nn(m).MaxPool2d((2, 3), return_indices=True),
     [randn(1, 2, 6, 6)]),
    ("MaxPool2d/ceil_mode", lambda m: nn(m).MaxPool2d(2, ceil_mode=True), [randn(1, 1, 5, 5)]),
    ("conv_net", _conv_net, [randn(2, 1, 6, 6)]),
    # non-contiguous inputs, empty batches, unbatched images
    ("Linear/noncontiguous", lambda m: nn(m).Linear(5, 3), [randn(4, 5, nc=True)]),
    ("Linear/empty_batch", lambda m: nn(m).Linear(5, 3), [randn(0, 5)]),
    ("LayerNorm/noncontiguous", lambda m: nn(m).LayerNorm(4), [randn(3, 4, nc=True)]),
    ("Conv2d/noncontiguous", lambda m: nn(m).Conv2d(2, 3, 3, padding=1),
     [randn(2, 2, 5, 4, nc=True)]),
    ("Conv2d/unbatched", lambda m: nn(m).Conv2d(2, 3, 2), [randn(2, 5, 5)]),
    ("MaxPool2d/unbatched", lambda m: nn(m).MaxPool2d(2), [randn(3, 4, 4)]),
    ("GELU/noncontiguous", lambda m: nn(m).GELU(), [randn(3, 4, nc=True)]),
    ("Embedding/max_norm", lambda m: nn(m).Embedding(6, 3, max_norm=1.2),
     [ints(3, 4, high=6)]),
    ("Embedding/max_norm_l1_padding", lambda m: nn(m).Embedding(
        6, 3, padding_idx=2, max_norm=2.0, norm_type=1.0), [ints(5, high=6)]),
    ("Softmin", lambda m: nn(m).Softmin(dim=1), [randn(3, 4)]),
    ("Unflatten", lambda m: nn(m).Unflatten(1, (2, -1)), [randn(3, 6, 2)]),
    ("Unflatten/last_dim_list", lambda m: nn(m).Unflatten(-1, [2, 2, 1]), [randn(3, 4)]),
    ("ZeroPad2d", lambda m: nn(m).ZeroPad2d((1, 2, 0, 3)), [randn(2, 2, 3, 4)]),
    ("ConstantPad2d/int", lambda m: nn(m).ConstantPad2d(1, 3.5), [randn(1, 3, 3)]),
    ("ConstantPad1d/crop", lambda m: nn(m).ConstantPad1d((2, -1), -1.0), [randn(2, 5)]),
    ("ZeroPad1d", lambda m: nn(m).ZeroPad1d(2), [randn(3, 4, nc=True)]),
    ("ZeroPad3d", lambda m: nn(m).ZeroPad3d((1, 0, 0, 1, 2, 0)), [randn(1, 2, 2, 3, 2)]),
    ("ConstantPad3d", lambda m: nn(m).ConstantPad3d(1, -2.0), [randn(2, 2, 2, 2)]),
    ("ReflectionPad1d", lambda m: nn(m).ReflectionPad1d((2, 1)), [randn(2, 3, 4)]),
    ("ReflectionPad2d", lambda m: nn(m).ReflectionPad2d(2), [randn(1, 2, 4, 3)]),
    ("ReflectionPad3d/unbatched", lambda m: nn(m).ReflectionPad3d((1, 0, 1, 1, 0, 1)),
     [randn(2, 2, 3, 3)]),
    ("ReplicationPad1d/unbatched", lambda m: nn(m).ReplicationPad1d(3), [randn(2, 2)]),
    ("ReplicationPad2d", lambda m: nn(m).ReplicationPad2d((1, 2, 0, 3)),
     [randn(2, 1, 3, 3, nc=True)]),
    ("ReplicationPad3d", lambda m: nn(m).ReplicationPad3d(1), [randn(1, 1, 2, 2, 3)]),
    ("CircularPad1d", lambda m: nn(m).CircularPad1d((1, 3)), [randn(2, 2, 4)]),
    ("CircularPad2d", lambda m: nn(m).CircularPad2d(1), [randn(1, 2, 3, 3)]),
    ("CircularPad3d/unbatched", lambda m: nn(m).CircularPad3d((0, 1, 1, 0, 1, 1)),
     [randn(1, 2, 2, 2)]),
    ("Conv2d/padding_mode_reflect", lambda m: nn(m).Conv2d(2, 3, 3, padding=1,
                                                           padding_mode="reflect"),
     [randn(2, 2, 5, 4)]),
    ("Conv2d/padding_mode_replicate", lambda m: nn(m).Conv2d(2, 2, (3, 2), padding=(2, 1),
                                                             padding_mode="replicate"),
     [randn(1, 2, 4, 4)]),
    ("Conv2d/padding_mode_circular", lambda m: nn(m).Conv2d(1, 2, 3, stride=2, padding=1,
                                                            padding_mode="circular"),
     [randn(2, 1, 5, 5)]),
    ("Conv2d/padding_mode_reflect_same", lambda m: nn(m).Conv2d(2, 2, 4, padding="same",
                                                                padding_mode="reflect"),
     [randn(1, 2, 6, 5)]),
    ("Conv2d/zero_padded_input", lambda m: nn(m).Sequential(nn(m).ZeroPad2d((0, 1, 1, 0)),
                                                            nn(m).Conv2d(1, 2, 2)),
     [randn(1, 1, 4, 4)]),
    ("Embedding/2d_weight_grad_repeats", lambda m: nn(m).Embedding(3, 2),
     [ints(4, 6, high=3)]),
]

_W4 = [0.2, 1.0, 0.5, 2.0]

LOSS_CASES = [
    ("MSELoss", lambda m: nn(m).MSELoss(), [randn(3, 4), randn(3, 4, rg=False)]),
    ("MSELoss/sum", lambda m: nn(m).MSELoss(reduction="sum"), [randn(3, 4), randn(3, 4)]),
    ("MSELoss/none", lambda m: nn(m).MSELoss(reduction="none"), [randn(3, 4), randn(3, 4)]),
    ("L1Loss", lambda m: nn(m).L1Loss(), [randn(3, 4), randn(3, 4)]),
    ("L1Loss/sum_broadcast_rows", lambda m: nn(m).L1Loss(reduction="sum"),
     [randn(3, 4), randn(1, 4)]),
    ("L1Loss/none", lambda m: nn(m).L1Loss(reduction="none"), [randn(2, 3), randn(2, 3)]),
    ("BCELoss", lambda m: nn(m).BCELoss(), [prob(3, 4), prob(3, 4, rg=False)]),
    ("BCELoss/weight_sum", lambda m: nn(m).BCELoss(weight=m.tensor(_W4), reduction="sum"),
     [prob(3, 4), prob(3, 4, rg=False)]),
    ("BCEWithLogitsLoss", lambda m: nn(m).BCEWithLogitsLoss(), [randn(3, 4), prob(3, 4)]),
    ("BCEWithLogitsLoss/pos_weight", lambda m: nn(m).BCEWithLogitsLoss(
        pos_weight=m.tensor(_W4), reduction="none"), [randn(3, 4), prob(3, 4, rg=False)]),
    ("CrossEntropyLoss", lambda m: nn(m).CrossEntropyLoss(), [randn(5, 4), ints(5, high=4)]),
    ("CrossEntropyLoss/ignore_index", lambda m: nn(m).CrossEntropyLoss(ignore_index=1),
     [randn(8, 4), ints(8, high=4)]),
    ("CrossEntropyLoss/label_smoothing", lambda m: nn(m).CrossEntropyLoss(label_smoothing=0.1),
     [randn(6, 4), ints(6, high=4)]),
    ("CrossEntropyLoss/weight_smoothing_sum", lambda m: nn(m).CrossEntropyLoss(
        weight=m.tensor(_W4), label_smoothing=0.2, reduction="sum"),
     [randn(6, 4), ints(6, high=4)]),
    ("CrossEntropyLoss/ignore_smoothing_weight", lambda m: nn(m).CrossEntropyLoss(
        weight=m.tensor(_W4), ignore_index=2, label_smoothing=0.3),
     [randn(8, 4), ints(8, high=4)]),
    ("NLLLoss", lambda m: nn(m).NLLLoss(), [randn(5, 4), ints(5, high=4)]),
    ("NLLLoss/ignore_sum", lambda m: nn(m).NLLLoss(ignore_index=2, reduction="sum"),
     [randn(8, 4), ints(8, high=4)]),
    ("NLLLoss/weight_none", lambda m: nn(m).NLLLoss(weight=m.tensor(_W4), reduction="none"),
     [randn(6, 4), ints(6, high=4)]),
]


@pytest.mark.filterwarnings("ignore:Using a target size")  # the broadcast L1Loss case
@pytest.mark.parametrize("label,ctor,inputs",
                         [pytest.param(*c, id=c[0]) for c in MODULE_CASES + LOSS_CASES])
def test_module_against_torch(label, ctor, inputs):
    check_module(ctor, *inputs, label=label)


# ----------------------------------------------------------------------------------- reprs

REPR_CASES = [c[1] for c in MODULE_CASES + LOSS_CASES] + [
    lambda m: nn(m).ReLU(inplace=True),
    lambda m: nn(m).SiLU(inplace=True),
    lambda m: nn(m).Softplus(2, 10),
    lambda m: nn(m).Softmax(),
    lambda m: nn(m).Dropout(),
    lambda m: nn(m).Dropout(0.2, inplace=True),
    lambda m: nn(m).Embedding(10, 3, padding_idx=-1),
    lambda m: nn(m).Embedding(10, 3, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True),
    lambda m: nn(m).Conv2d(2, 4, (3, 5), stride=2, padding=1, dilation=2, groups=2,
                           bias=False, padding_mode="reflect"),
    lambda m: nn(m).ZeroPad1d((1, 0)),
    lambda m: nn(m).ConstantPad1d(2, 0.5),
    lambda m: nn(m).ReflectionPad2d((1, 2, 3, 4)),
    lambda m: nn(m).CircularPad1d(2),
    lambda m: nn(m).Conv2d(1, 1, 3, padding_mode="circular"),
    lambda m: nn(m).Module(),
    lambda m: nn(m).Sequential(),
    lambda m: nn(m).ModuleList(),
    lambda m: nn(m).ModuleList([nn(m).ReLU(), nn(m).Tanh(), nn(m).Tanh(), nn(m).ReLU()]),
    lambda m: nn(m).ModuleList([nn(m).Sequential(nn(m).Linear(2, 2), nn(m).ReLU())] * 3),
    lambda m: nn(m).ModuleDict({"a": nn(m).ReLU(), "b": nn(m).Linear(1, 2)}),
    lambda m: nn(m).Sequential(nn(m).Linear(2, 2), nn(m).Sequential(
        nn(m).ReLU(), nn(m).Sequential(nn(m).Dropout(), nn(m).Identity()))),
]


@pytest.mark.parametrize("x_shape", [(5,), (2, 3), (2, 3, 3, 3, 3, 3)])
def test_circular_pad_module_rank_error_like_torch(x_shape):
    cc.check_raises(lambda m, x: nn(m).CircularPad2d(1)(x), randn(*x_shape))


@pytest.mark.parametrize("ctor", REPR_CASES)
def test_repr_matches_torch(ctor):
    assert repr(ctor(cc.tg())) == repr(ctor(cc.reference()))


def test_parameter_repr_matches_torch():
    torch, m = cc.reference(), cc.tg()
    vals = [[0.5, -1.25], [3.0, 0.125]]
    for rg in (True, False):
        assert repr(m.nn.Parameter(m.tensor(vals), requires_grad=rg)) == \
            repr(torch.nn.Parameter(torch.tensor(vals), requires_grad=rg))
    assert str(m.nn.Parameter(m.tensor([1.0]))) == str(torch.nn.Parameter(torch.tensor([1.0])))


# --------------------------------------------------------------------------------- dropout


def _dropout_pattern(m, p, training):
    m.manual_seed(7)  # the bounds below are 5 sigma; a fixed seed keeps them repeatable
    x = m.ones(2000, dtype=m.float64) * 3
    x.requires_grad_()
    d = m.nn.Dropout(p)
    d.train(training)
    y = d(x)
    up = m.arange(2000, dtype=m.float64)
    y.backward(up)
    return x, y, up


@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
def test_dropout_training_zeroes_and_rescales(p):
    m = cc.tg()
    x, y, up = _dropout_pattern(m, p, True)
    out = np.array(y.tolist())
    kept = out != 0
    # Survivors are scaled by 1/(1-p); dropped fraction close to p (2000 draws: 5 sigma).
    np.testing.assert_allclose(out[kept], 3.0 / (1 - p))
    assert abs((~kept).mean() - p) < 5 * math.sqrt(p * (1 - p) / 2000)
    np.testing.assert_allclose(np.array(x.grad.tolist()),
                               np.where(kept, np.arange(2000) / (1 - p), 0.0))
    assert type(y.grad_fn).__name__ == type(cc.reference().nn.functional.dropout(
        cc.reference().ones(3, requires_grad=True), p).grad_fn).__name__


def test_dropout_eval_and_edge_probabilities():
    torch, m = cc.reference(), cc.tg()
    for lib in (torch, m):
        x = lib.randn(4, 5, requires_grad=True)
        d = lib.nn.Dropout(0.5).eval()
        assert d(x) is x, "eval-mode Dropout returns its input"
        assert d.train()(x) is not x
        z = lib.nn.functional.dropout(x, 1.0)
        assert z.tolist() == [[0.0] * 5] * 4
        assert lib.nn.functional.dropout(x, 0.5, training=False) is x
    for lib in (torch, m):
        with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, "
                                             "but got 1.5"):
            lib.nn.Dropout(1.5)


def test_dropout_follows_module_train_eval():
    m = cc.tg()
    m.manual_seed(7)
    model = m.nn.Sequential(m.nn.Linear(50, 50), m.nn.Dropout(0.5))
    x = m.randn(8, 50)
    model.eval()
    a, b = model(x), model(x)
    assert a.tolist() == b.tolist()
    assert not model[1].training
    model.train()
    assert model[1].training
    c = model(x)
    assert (np.array(c.tolist()) == 0).mean() > 0.3


def test_dropout_inplace_returns_input():
    m = cc.tg()
    x = m.ones(100)
    y = m.nn.functional.dropout(x, 0.5, inplace=True)
    assert y is x
    assert set(x.tolist()) <= {0.0, 2.0}


# ------------------------------------------------------------------ functional extras


def test_implicit_softmax_dim_warns_like_torch():
    import warnings
    results = []
    for lib in (cc.reference(), cc.tg()):
        x = lib.randn(2, 3)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            outs = [lib.nn.functional.softmax(x), lib.nn.functional.log_softmax(x),
                    lib.nn.Softmax()(x), lib.nn.LogSoftmax()(x)]
        results.append(([str(a.message) for a in w], [tuple(o.shape) for o in outs]))
    assert results[1] == results[0]
    assert len(results[0][0]) == 4


def test_inplace_activations_match_torch():
    def run(m):
        x = m.tensor([[-1.0, 2.0, -0.5], [0.25, -3.0, 1.5]], requires_grad=True)
        outs = []
        for mod in (m.nn.ReLU(inplace=True), m.nn.SiLU(inplace=True)):
            h = x * 1
            y = mod(h)
            outs.append((y is h, type(y.grad_fn).__name__, [round(v, 5) for v in
                                                             y.flatten().tolist()]))
            g, = m.autograd.grad(y.sum(), x)
            outs.append([round(v, 5) for v in g.flatten().tolist()])
        return outs
    t, g = run(cc.reference()), run(cc.tg())
    assert g == t


@pytest.mark.parametrize("args", [((0, 2, 1),), ((3, 0),), ((1, 2), 5), (((0, 1), (2, 2)), 4)])
def test_one_hot_matches_torch(args):
    torch, m = cc.reference(), cc.tg()
    data, *rest = args
    ref = torch.nn.functional.one_hot(torch.tensor(data), *rest)
    got = m.nn.functional.one_hot(m.tensor(data), *rest)
    assert got.tolist() == ref.tolist()
    assert ref.dtype == torch.int64 and got.dtype == m.int64


LOSS_MISUSE = [
    lambda m: m.nn.functional.cross_entropy(m.randn(3, 4), m.tensor([0, 1])),
    lambda m: m.nn.functional.nll_loss(m.randn(3, 4), m.tensor([0, 1, 2, 3])),
    lambda m: m.nn.functional.cross_entropy(m.randn(4), m.tensor([1, 2])),
    lambda m: m.nn.functional.nll_loss(m.randn(2, 3, 4), m.tensor([[0, 1, 2, 0]])),
    lambda m: m.nn.functional.cross_entropy(m.randn(3, 4), m.tensor([0, 1, 7])),
    lambda m: m.nn.functional.mse_loss(m.randn(3), m.randn(3), reduction="avg"),
    lambda m: m.nn.functional.l1_loss(m.randn(3), m.randn(3), reduction="avg"),
    lambda m: m.nn.functional.l1_loss(m.randn(3), m.randn(2)),
    lambda m: m.nn.functional.binary_cross_entropy(m.rand(3, 4), m.rand(4)),
    lambda m: m.nn.functional.binary_cross_entropy_with_logits(m.rand(3, 4), m.rand(4)),
    lambda m: m.nn.Unflatten(1, (2, -1, -1))(m.randn(2, 6)),
    lambda m: m.nn.Unflatten(1, (4, -1))(m.randn(2, 6)),
    lambda m: m.nn.Unflatten(3, (2, 3))(m.randn(2, 6)),
    lambda m: m.nn.Unflatten(1, (2, 3.0)),
    lambda m: m.nn.functional.pad(m.randn(2, 3), (1, 2, 3)),
    lambda m: m.nn.functional.pad(m.randn(2, 3), (1, 1, 1, 1, 1, 1)),
]


@pytest.mark.parametrize("fn", LOSS_MISUSE)
def test_loss_and_layer_misuse_errors_match_torch(fn):
    import warnings
    results = []
    for lib in (cc.reference(), cc.tg()):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(Exception) as info:
                fn(lib)
        results.append((type(info.value).__name__, str(info.value).splitlines()[0]))
    assert results[1] == results[0]


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
def test_target_size_warning_matches_torch(name):
    import warnings
    results = []
    for lib in (cc.reference(), cc.tg()):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            out = getattr(lib.nn.functional, name)(lib.ones(3, 4), lib.zeros(4))
        results.append(([str(x.message) for x in w], out.item()))
    assert results[1] == results[0]
    assert len(results[0][0]) == 1
