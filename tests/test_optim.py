"""Optimizers and lr schedulers against torch: from the same initial weights and the same batches,
100 steps of each optimizer configuration give torch's weights (float64 tightly, float32 within
float32 tolerance); state_dict layout, save/resume, param groups, zero_grad and errors match."""
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

STEPS = 100
CONFIGS = [
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.02)),
    ("SGD", dict(lr=0.01, momentum=0.5, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.9), eps=1e-6, weight_decay=0.05)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, maximize=True, weight_decay=0.01)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("AdamW", dict(lr=0.01, maximize=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-6, centered=True)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, weight_decay=0.01)),
    ("RMSprop", dict(lr=0.005, momentum=0.5, centered=True, maximize=True)),
]
TOL = {"float64": dict(rtol=1e-9, atol=1e-11), "float32": dict(rtol=1e-4, atol=2e-5)}


def _init(seed=0):
    """Weights of a 5-8-3 MLP and STEPS batches, as numpy arrays (shared by both libraries)."""
    rng = np.random.default_rng(seed)
    w = {"w1": rng.normal(size=(5, 8)) * 0.5, "b1": rng.normal(size=8) * 0.1,
         "w2": rng.normal(size=(8, 3)) * 0.5, "b2": rng.normal(size=3) * 0.1}
    data = [(rng.normal(size=(16, 5)), rng.normal(size=(16, 3))) for _ in range(STEPS)]
    return w, data


def _params(m, w, dtype):
    dt = getattr(m, dtype)
    return [m.tensor(w[k], dtype=dt).requires_grad_() for k in ("w1", "b1", "w2", "b2")]


def _loss(m, ps, x, y):
    w1, b1, w2, b2 = ps
    h = m.tanh(x @ w1 + b1)
    return ((h @ w2 + b2 - y) ** 2).mean()


def _train(m, name, kw, dtype, steps=STEPS, groups=False, sched=None, opt_state=None):
    w, data = _init()
    ps = _params(m, w, dtype)
    dt = getattr(m, dtype)
    params = ps if not groups else [{"params": ps[:2]},
                                    {"params": ps[2:], "lr": kw["lr"] * 0.5}]
    opt = getattr(m.optim, name)(params, **kw)
    if opt_state is not None:
        opt.load_state_dict(opt_state)
    sch = sched(m, opt) if sched else None
    for x, y in data[:steps]:
        loss = _loss(m, ps, m.tensor(x, dtype=dt), m.tensor(y, dtype=dt))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if sch:
            sch.step()
    return ps, opt, sch


def _np(t):
    return np.array(t.detach().tolist(), dtype=np.float64)


def _assert_weights(a, b, dtype):
    for x, y in zip(a, b):
        np.testing.assert_allclose(_np(x), _np(y), **TOL[dtype])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name,kw", CONFIGS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CONFIGS)])
def test_100_steps_match_torch(tg, name, kw, dtype):
    ours, _, _ = _train(tg, name, kw, dtype)
    ref, _, _ = _train(torch, name, kw, dtype)
    _assert_weights(ours, ref, dtype)
    w0 = _init()[0]["w1"]
    assert np.abs(_np(ours[0]) - w0).max() > 1e-3  # the weights really moved


@pytest.mark.parametrize("name,kw", [CONFIGS[2], CONFIGS[7], CONFIGS[11], CONFIGS[16]])
def test_param_groups_match_torch(tg, name, kw):
    ours, opt, _ = _train(tg, name, kw, "float64", groups=True)
    ref, topt, _ = _train(torch, name, kw, "float64", groups=True)
    _assert_weights(ours, ref, "float64")
    assert [g["lr"] for g in opt.param_groups] == [g["lr"] for g in topt.param_groups]


def _sd_equal(ours, ref):
    assert ours["param_groups"] == ref["param_groups"]
    assert sorted(ours["state"]) == sorted(ref["state"])
    for k, st in ref["state"].items():
        assert list(ours["state"][k]) == list(st)
        for key, v in st.items():
            o = ours["state"][k][key]
            assert o.dtype.__repr__() == v.dtype.__repr__() and tuple(o.shape) == tuple(v.shape)
            np.testing.assert_allclose(_np(o), _np(v), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name,kw", CONFIGS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CONFIGS)])
def test_state_dict_layout_matches_torch(tg, name, kw):
    _, opt, _ = _train(tg, name, kw, "float64", steps=5, groups=True)
    _, topt, _ = _train(torch, name, kw, "float64", steps=5, groups=True)
    _sd_equal(opt.state_dict(), topt.state_dict())


def _to_ours(tg, obj):
    """A torch optimizer state dict with its tensors converted to tapegrad tensors."""
    if isinstance(obj, torch.Tensor):
        return tg.tensor(obj.tolist(), dtype=getattr(tg, str(obj.dtype)[6:]))
    if isinstance(obj, dict):
        return {k: _to_ours(tg, v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_to_ours(tg, v) for v in obj]
    return obj


@pytest.mark.parametrize("name,kw", [CONFIGS[1], CONFIGS[7], CONFIGS[11], CONFIGS[15]])
def test_resume_from_state_dict(tg, name, kw):
    """50 steps, then a fresh optimizer loading the state dict (ours, and torch's converted)
    continues exactly as an uninterrupted run would."""
    w, data = _init()
    full, _, _ = _train(tg, name, kw, "float64")
    for source in ("ours", "torch"):
        m = tg if source == "ours" else torch
        ps = _params(m, w, "float64")
        opt = getattr(m.optim, name)(ps, **kw)
        for x, y in data[:50]:
            opt.zero_grad()
            _loss(m, ps, m.tensor(x, dtype=m.float64), m.tensor(y, dtype=m.float64)).backward()
            opt.step()
        sd = opt.state_dict() if source == "ours" else _to_ours(tg, opt.state_dict())
        ps2 = [tg.tensor(_np(p), dtype=tg.float64).requires_grad_() for p in ps]
        opt2 = getattr(tg.optim, name)(ps2, lr=123.0)
        opt2.load_state_dict(sd)
        assert opt2.param_groups[0]["lr"] == kw["lr"] and opt2.param_groups[0]["params"] == ps2
        for x, y in data[50:]:
            opt2.zero_grad()
            _loss(tg, ps2, tg.tensor(x, dtype=tg.float64), tg.tensor(y, dtype=tg.float64)).backward()
            opt2.step()
        _assert_weights(ps2, full, "float64")


def test_load_state_dict_errors(tg):
    a, b = tg.zeros(2, requires_grad=True), tg.zeros(3, requires_grad=True)
    sd = tg.optim.SGD([a, b], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="different number of parameter groups"):
        tg.optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1).load_state_dict(sd)
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        tg.optim.SGD([a], lr=0.1).load_state_dict(sd)


def test_add_param_group_and_named_params(tg):
    for m in (tg, torch):
        a, b = m.zeros(2, requires_grad=True), m.zeros(3, requires_grad=True)
        opt = m.optim.Adam([a], lr=0.1)
        opt.add_param_group({"params": b, "betas": (0.5, 0.6)})
        g = opt.param_groups[1]
        assert g["params"][0] is b and g["betas"] == (0.5, 0.6) and g["lr"] == 0.1
        with pytest.raises(ValueError, match="some parameters appear in more than one"):
            opt.add_param_group({"params": [a]})
        named = m.optim.SGD([("a", a), ("b", b)], lr=0.1)
        assert named.param_groups[0]["param_names"] == ["a", "b"]
        assert named.state_dict()["param_groups"][0]["param_names"] == ["a", "b"]


def test_zero_grad(tg):
    for m in (tg, torch):
        a = m.ones(3, requires_grad=True)
        opt = m.optim.SGD([a], lr=0.1)
        (a * 2).sum().backward()
        opt.zero_grad(set_to_none=False)
        assert a.grad is not None and a.grad.tolist() == [0.0, 0.0, 0.0]
        opt.zero_grad()
        assert a.grad is None


@pytest.mark.parametrize("name,kw,msg", [
    ("SGD", dict(lr=-1.0), "Invalid learning rate: -1.0"),
    ("SGD", dict(lr=0.1, momentum=-0.5), "Invalid momentum value: -0.5"),
    ("SGD", dict(lr=0.1, nesterov=True), "Nesterov momentum requires a momentum and zero"),
    ("Adam", dict(eps=-1.0), "Invalid epsilon value: -1.0"),
    ("Adam", dict(betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
    ("AdamW", dict(betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
    ("AdamW", dict(weight_decay=-1), "Invalid weight_decay value: -1"),
    ("RMSprop", dict(alpha=-0.1), "Invalid alpha value: -0.1"),
])
def test_hyperparameter_errors(tg, name, kw, msg):
    for m in (tg, torch):
        with pytest.raises(ValueError, match=msg.replace("(", r"\(")):
            getattr(m.optim, name)([m.zeros(2, requires_grad=True)], **kw)


def test_param_errors(tg):
    for m in (tg, torch):
        with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
            m.optim.Adam([])
        with pytest.raises(TypeError, match="should be an iterable of Tensors or dicts, but got "
                                            "torch.FloatTensor"):
            m.optim.Adam(m.zeros(2, requires_grad=True))
        with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
            m.optim.Adam([m.zeros(2, requires_grad=True) * 2])


def test_repr_matches_torch(tg):
    for name, kw in CONFIGS[::3]:
        ours = getattr(tg.optim, name)([tg.zeros(2, requires_grad=True)], **kw)
        ref = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **kw)
        assert repr(ours) == repr(ref)


SCHEDULERS = [
    ("StepLR", lambda m, o: m.optim.lr_scheduler.StepLR(o, step_size=7, gamma=0.5)),
    ("CosineAnnealingLR", lambda m, o: m.optim.lr_scheduler.CosineAnnealingLR(o, T_max=30)),
    ("CosineAnnealingLR-min",
     lambda m, o: m.optim.lr_scheduler.CosineAnnealingLR(o, T_max=13, eta_min=1e-3)),
    ("LambdaLR", lambda m, o: m.optim.lr_scheduler.LambdaLR(o, lambda e: 0.97 ** e)),
    ("LambdaLR-list", lambda m, o: m.optim.lr_scheduler.LambdaLR(
        o, [lambda e: 1 / (1 + e), lambda e: math.cos(e / 10) ** 2])),
]


@pytest.mark.parametrize("name,make", SCHEDULERS, ids=[s[0] for s in SCHEDULERS])
def test_scheduler_matches_torch(tg, name, make):
    """The lr after every step equals torch's exactly (same recursive formulas), and the
    scheduled training ends at torch's weights."""
    lrs = {}
    for m in (tg, torch):
        ps = [m.zeros(2, requires_grad=True), m.zeros(2, requires_grad=True)]
        opt = m.optim.SGD([{"params": ps[:1]}, {"params": ps[1:], "lr": 0.3}], lr=0.1)
        sch = make(m, opt)
        seq = [sch.get_last_lr()]
        for _ in range(70):
            opt.step()
            sch.step()
            seq.append(sch.get_last_lr())
        lrs[m.__name__] = seq
        assert sch.last_epoch == 70
        assert [g["lr"] for g in opt.param_groups] == seq[-1]
        assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.3]
        sd = sch.state_dict()
        assert "optimizer" not in sd
        lrs[m.__name__ + "-sd"] = sorted(sd)
    assert lrs["tapegrad"] == lrs["torch"]
    assert lrs["tapegrad-sd"] == lrs["torch-sd"]
    ours, _, _ = _train(tg, "SGD", dict(lr=0.05, momentum=0.9), "float64", groups=True,
                        sched=make)
    ref, _, _ = _train(torch, "SGD", dict(lr=0.05, momentum=0.9), "float64", groups=True,
                       sched=make)
    _assert_weights(ours, ref, "float64")


@pytest.mark.parametrize("name,make", SCHEDULERS[:3], ids=[s[0] for s in SCHEDULERS[:3]])
def test_scheduler_closed_form_and_resume(tg, name, make):
    got = {}
    for m in (tg, torch):
        opt = m.optim.SGD([m.zeros(2, requires_grad=True)], lr=0.1)
        sch = make(m, opt)
        for _ in range(9):
            opt.step()
            sch.step()
        sd = sch.state_dict()
        opt2 = m.optim.SGD([m.zeros(2, requires_grad=True)], lr=0.1)
        sch2 = make(m, opt2)
        sch2.load_state_dict(sd)
        assert sch2.last_epoch == 9 and sch2.get_last_lr() == sch.get_last_lr()
        with pytest.warns(UserWarning, match="epoch parameter in `scheduler.step\\(\\)`"):
            sch.step(20)
        got[m.__name__] = (sch.get_last_lr(), sch.last_epoch)
    assert got["tapegrad"] == got["torch"]


def test_scheduler_errors(tg):
    for m in (tg, torch):
        opt = m.optim.SGD([m.zeros(2, requires_grad=True)], lr=0.1)
        with pytest.raises(KeyError, match="param 'initial_lr' is not specified in "
                                           "param_groups\\[0\\]"):
            m.optim.lr_scheduler.StepLR(opt, 3, last_epoch=4)
        with pytest.raises(TypeError, match="int is not an Optimizer"):
            m.optim.lr_scheduler.StepLR(3, 3)
        with pytest.raises(ValueError, match="Expected 1 lr_lambdas, but got 2"):
            m.optim.lr_scheduler.LambdaLR(opt, [lambda e: 1, lambda e: 2])


def test_scheduler_order_warning(tg):
    """Stepping the scheduler before the optimizer warns, as in torch; the right order does
    not."""
    import warnings
    for m in (tg, torch):
        opt = m.optim.SGD([m.zeros(2, requires_grad=True)], lr=0.1)
        sch = m.optim.lr_scheduler.StepLR(opt, 2)
        with pytest.warns(UserWarning, match="Detected call of `lr_scheduler.step\\(\\)` before"):
            sch.step()
        opt = m.optim.SGD([m.zeros(2, requires_grad=True)], lr=0.1)
        sch = m.optim.lr_scheduler.StepLR(opt, 2)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            opt.step()
            sch.step()
