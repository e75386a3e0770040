"""Adafactor and Muon against torch 2.13's: from the same parameters and the same random
gradients, every configuration of torch's own optim_db samples (optim_inputs_func) and a few more
give torch's parameters and state after several steps (float64 tightly, float32 within float32
tolerance); every optim_error_inputs_func entry raises (or warns) as torch's does; signature,
repr, hyper-parameter messages, state_dict layout and resume (from ours or torch's state dict),
param groups and closures match."""
import inspect
import re

import numpy as np
import pytest

torch = pytest.importorskip("torch")
common_optimizers = pytest.importorskip("torch.testing._internal.common_optimizers")

from conftest import backend_name  # noqa: E402
from test_optim import _np  # noqa: E402

STEPS = 7
TOL = {"float64": dict(rtol=1e-9, atol=1e-12), "float32": dict(rtol=1e-5, atol=1e-6)}
# Adafactor: 2-D and 3-D parameters take the factored row/col second moments, 0-d and 1-D the
# full one. Muon takes 2-D parameters only (wide, tall and square).
SHAPES = {"Adafactor": [(5, 8), (8,), (8, 3), (), (2, 3, 4)],
          "Muon": [(5, 8), (8, 3), (4, 4)]}
OPTIM_INPUTS = {"Adafactor": common_optimizers.optim_inputs_func_adafactor,
                "Muon": common_optimizers.optim_inputs_func_muon}
ERROR_INPUTS = {"Adafactor": common_optimizers.optim_error_inputs_func_adafactor,
                "Muon": common_optimizers.optim_error_inputs_func_muon}
# configurations beyond torch's samples
EXTRA = {
    "Adafactor": [
        ("Tensor lr", dict(lr=torch.tensor(0.05), weight_decay=0.1)),
        ("1-element Tensor lr", dict(lr=torch.tensor([0.02]))),
        ("foreach", dict(foreach=True, weight_decay=0.2, maximize=True)),
        ("eps1 given", dict(eps=(1e-3, 1e-2), d=2.0, beta2_decay=-0.5)),
        ("zero eps", dict(eps=(0.0, 0.0), lr=0.5)),
        ("lr above 1/sqrt(step)", dict(lr=1.0, weight_decay=0.05)),
    ],
    "Muon": [
        ("match_rms_adamw", dict(adjust_lr_fn="match_rms_adamw", lr=0.02)),
        ("original, no nesterov", dict(adjust_lr_fn="original", nesterov=False, momentum=0.5)),
        ("1-element Tensor lr", dict(lr=torch.tensor([0.01]), weight_decay=0.3)),
        ("no momentum, no iterations", dict(momentum=0.0, eps=1e-3, ns_steps=0)),
        ("no weight decay", dict(weight_decay=0.0, lr=0.05, ns_steps=3)),
    ],
}


def _configs(name):
    out = [(oi.desc, oi.kwargs) for oi in OPTIM_INPUTS[name]("cpu")]
    assert all(oi.params is None for oi in OPTIM_INPUTS[name]("cpu"))
    return out + EXTRA[name]


CASES = [(name, desc, kw) for name in ("Adafactor", "Muon") for desc, kw in _configs(name)]
CASE_IDS = [f"{name}-{desc.replace(' ', '_')}" for name, desc, _ in CASES]


def _conv(m, obj, memo=None):
    """torch tensors (Parameters with their grads) inside kwargs, lists and dicts as m's; the
    same torch object maps to the same converted one (duplicate-parameter inputs)."""
    memo = {} if memo is None else memo
    if id(obj) in memo:
        return memo[id(obj)]
    if isinstance(obj, torch.Tensor):
        if obj.is_complex() and not hasattr(m, "complex64"):
            pytest.skip("tapegrad has no complex dtypes")
        data = m.tensor(obj.detach().tolist(), dtype=getattr(m, str(obj.dtype)[6:]))
        if isinstance(obj, torch.nn.Parameter):
            out = m.nn.Parameter(data, requires_grad=obj.requires_grad)
        else:
            out = data.requires_grad_(obj.requires_grad)
        if obj.grad is not None:
            out.grad = _conv(m, obj.grad, memo)
        memo[id(obj)] = out
        return out
    if isinstance(obj, dict):
        out = {k: _conv(m, v, memo) for k, v in obj.items()}
    elif isinstance(obj, (list, tuple)):
        out = type(obj)(_conv(m, v, memo) for v in obj)
    else:
        return obj
    memo[id(obj)] = out
    return out


def _data(name, seed=0, steps=STEPS):
    rng = np.random.default_rng(seed)
    shapes = SHAPES[name]
    init = [rng.normal(size=s) for s in shapes]
    grads = [[rng.normal(size=s) for s in shapes] for _ in range(steps)]
    return init, grads


def _lr(name, kw):
    return float(kw.get("lr", inspect.signature(getattr(torch.optim, name)).parameters["lr"]
                        .default))


def _run(m, name, kw, dtype, steps=STEPS, groups=False, seed=0):
    """steps of the optimizer, each from the same random gradients (set as .grad); with groups,
    the parameters after the first two in a second group at half the lr."""
    init, grads = _data(name, seed, steps)
    dt = getattr(m, dtype)
    ps = [m.tensor(w, dtype=dt).requires_grad_() for w in init]
    params = ps if not groups else [{"params": ps[:2]},
                                    {"params": ps[2:], "lr": 0.5 * _lr(name, kw)}]
    opt = getattr(m.optim, name)(params, **_conv(m, kw))
    for gs in grads:
        for p, g in zip(ps, gs):
            p.grad = m.tensor(g, dtype=dt)
        opt.step()
    return ps, opt


def _assert_close(a, b, dtype):
    np.testing.assert_allclose(_np(a), _np(b), **TOL[dtype])


def _assert_params(name, kw, ours, ref, dtype):
    """Parameters within TOL (Muon's bfloat16 Newton-Schulz included: tapegrad's half addmm
    rounds beta * self + alpha * acc once, as torch's, see test_bfloat16_addmm_rounds_as_torch)."""
    for a, b in zip(ours, ref):
        np.testing.assert_allclose(_np(a), _np(b), **TOL[dtype])


def _assert_states(opt, ref, dtype):
    """Same state entries per parameter, in torch's key order, dtypes, shapes and values."""
    sd, tsd = opt.state_dict(), ref.state_dict()
    assert sorted(sd["state"]) == sorted(tsd["state"])
    for k, st in tsd["state"].items():
        assert list(sd["state"][k]) == list(st)
        for key, v in st.items():
            o = sd["state"][k][key]
            assert repr(o.dtype) == repr(v.dtype) and tuple(o.shape) == tuple(v.shape), key
            _assert_close(o, v, dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name,desc,kw", CASES, ids=CASE_IDS)
def test_steps_match_torch(tg, name, desc, kw, dtype):
    ours, opt = _run(tg, name, kw, dtype)
    ref, topt = _run(torch, name, kw, dtype)
    _assert_params(name, kw, ours, ref, dtype)
    _assert_states(opt, topt, dtype)
    init = _data(name)[0]
    assert max(np.abs(_np(p) - w).max() for p, w in zip(ours, init)) > 1e-3  # they moved


@pytest.mark.parametrize("name,desc,kw", CASES[::2], ids=CASE_IDS[::2])
def test_param_groups_match_torch(tg, name, desc, kw):
    ours, opt = _run(tg, name, kw, "float64", groups=True)
    ref, topt = _run(torch, name, kw, "float64", groups=True)
    _assert_params(name, kw, ours, ref, "float64")
    strip = [{k: v for k, v in g.items() if k not in ("params", "lr")} for g in opt.param_groups]
    tstrip = [{k: v for k, v in g.items() if k not in ("params", "lr")}
              for g in topt.param_groups]
    assert strip == tstrip
    assert [float(g["lr"]) for g in opt.param_groups] == \
        [float(g["lr"]) for g in topt.param_groups]


@pytest.mark.parametrize("name", ["Adafactor", "Muon"])
def test_signature_and_defaults_match_torch(tg, name):
    ours = inspect.signature(getattr(tg.optim, name))
    ref = inspect.signature(getattr(torch.optim, name))
    assert [(p.name, p.kind, p.default) for p in ours.parameters.values()] == \
        [(p.name, p.kind, p.default) for p in ref.parameters.values()]
    assert name in tg.optim.__all__


@pytest.mark.parametrize("name", ["Adafactor", "Muon"])
def test_repr_and_param_groups_match_torch(tg, name):
    for _, kw in _configs(name):
        if any(isinstance(v, torch.Tensor) for v in kw.values()):
            continue
        ours = getattr(tg.optim, name)([tg.zeros(2, 3, requires_grad=True)], **kw)
        ref = getattr(torch.optim, name)([torch.zeros(2, 3, requires_grad=True)], **kw)
        assert repr(ours) == repr(ref)
        assert ours.state_dict()["param_groups"] == ref.state_dict()["param_groups"]


def _error_inputs(name):
    return [(name, e) for e in ERROR_INPUTS[name]("cpu", torch.float32)]


ERRORS = _error_inputs("Adafactor") + _error_inputs("Muon")


@pytest.mark.parametrize("name,err", ERRORS, ids=[
    f"{n}-{e.optimizer_error_input.desc.replace(' ', '_')}" for n, e in ERRORS])
def test_error_inputs_match_torch(tg, name, err):
    """torch's optim_error_inputs_func entries: the same error type (or warning) matching the
    same regex, at construction or at step as listed."""
    inp = err.optimizer_error_input
    params, kwargs = _conv(tg, inp.params), _conv(tg, inp.kwargs)
    cls = getattr(tg.optim, name)
    construction = err.error_on == common_optimizers.OptimizerErrorEnum.CONSTRUCTION_ERROR
    if issubclass(err.error_type, Warning):
        with pytest.warns(err.error_type, match=err.error_regex):
            cls(params, **kwargs)
        return
    if construction:
        with pytest.raises(err.error_type, match=err.error_regex):
            cls(params, **kwargs)
    else:
        opt = cls(params, **kwargs)
        with pytest.raises(err.error_type, match=err.error_regex):
            opt.step()


BAD_HYPER = [
    ("Adafactor", dict(lr=-0.5)),
    ("Adafactor", dict(beta2_decay=0.1)),
    ("Adafactor", dict(eps=(-1e-30, 1e-3))),
    ("Adafactor", dict(eps=(None, -1.0))),
    ("Adafactor", dict(d=0.5)),
    ("Adafactor", dict(weight_decay=-1e-2)),
    ("Adafactor", dict(lr=-1, beta2_decay=1.0)),  # the first check wins
    ("Muon", dict(lr=-1e-3)),
    ("Muon", dict(momentum=-0.9)),
    ("Muon", dict(weight_decay=-0.1)),
    ("Muon", dict(adjust_lr_fn="arbitrary")),
    ("Muon", dict(momentum=-1, adjust_lr_fn="x")),
]


@pytest.mark.parametrize("name,kw", BAD_HYPER, ids=[f"{n}-{i}" for i, (n, _) in
                                                    enumerate(BAD_HYPER)])
def test_hyperparameter_messages_match_torch(tg, name, kw):
    msgs = []
    for m in (tg, torch):
        with pytest.raises(ValueError) as info:
            getattr(m.optim, name)([m.zeros(2, 2, requires_grad=True)], **kw)
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]


def test_muon_refuses_non_2d_as_torch(tg):
    """The constructor checks every parameter's shape, with torch's message; a group added
    later is not checked, and its non-2-D gradient stops the step (after the buffers of the
    whole group were created, and the parameters before it updated), as in torch."""
    for shape in [(3,), (2, 3, 4), ()]:
        msgs = []
        for m in (tg, torch):
            with pytest.raises(ValueError) as info:
                m.optim.Muon([m.zeros(2, 2, requires_grad=True),
                              m.zeros(shape, requires_grad=True)])
            msgs.append(str(info.value))
        assert msgs[0] == msgs[1]
    got = []
    for m in (tg, torch):
        a = m.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        b = m.tensor([1.0, -1.0], requires_grad=True)
        c = m.tensor([[0.5, -0.5]], requires_grad=True)
        opt = m.optim.Muon([a], lr=0.1)
        opt.add_param_group({"params": [c, b, m.ones(1, 2, requires_grad=True)]})
        for p in (a, b, c):
            p.grad = m.ones_like(p)
        with pytest.raises(ValueError, match="^Param gradient must be a 2D matrix$"):
            opt.step()
        got.append(([a.tolist(), b.tolist(), c.tolist()],
                    [sorted(opt.state[p]) for p in (a, b, c)]))
    assert got[0] == got[1]


@pytest.mark.parametrize("kw,msg", [
    (dict(ns_steps=100), "Number of steps must be less than 100 for computational efficiency"),
    (dict(ns_coefficients=(3.0, -4.0)), "Coefficients must be a tuple of exactly 3 values"),
])
def test_muon_step_errors_match_torch(tg, kw, msg):
    for m in (tg, torch):
        p = m.ones(2, 3, requires_grad=True)
        opt = m.optim.Muon([p], **kw)
        p.grad = m.ones(2, 3)
        with pytest.raises(ValueError, match=re.escape(msg)):
            opt.step()


def test_adafactor_eps1_from_first_param_of_group(tg):
    """eps=(None, ...): torch takes eps1 from the dtype of the group's first parameter with a
    gradient and uses it for the whole group, so a float64 parameter after a float32 one is
    clamped at float32's epsilon (tiny gradients make the difference visible)."""
    got = []
    for m in (tg, torch):
        first = [m.tensor([1.0, -1.0], dtype=m.float32, requires_grad=True),
                 m.tensor([0.5, 0.25, 2.0], dtype=m.float64, requires_grad=True),
                 m.tensor([[0.5, 0.25], [1.0, 2.0]], dtype=m.float64, requires_grad=True)]
        twin = m.tensor([0.5, 0.25, 2.0], dtype=m.float64, requires_grad=True)
        opt = m.optim.Adafactor([{"params": first}, {"params": [twin]}], lr=0.1)
        for step in range(4):
            for p in first + [twin]:
                p.grad = m.full(p.shape, 1e-9 * (step + 1), dtype=p.dtype)
            opt.step()
        got.append([_np(p) for p in first + [twin]])
    for a, b in zip(*got):
        np.testing.assert_allclose(a, b, **TOL["float32"])
    # the float64 parameter of the first group moved unlike its twin alone in a group
    assert np.abs(got[0][1] - got[0][3]).max() > 0.1


@pytest.mark.parametrize("name", ["Adafactor", "Muon"])
def test_closure_with_model_matches_torch(tg, name):
    """step(closure) returns the loss and the parameters follow torch's, on a small model
    trained from a loss (gradients from backward rather than set)."""
    rng = np.random.default_rng(1)
    w = {"w1": rng.normal(size=(5, 8)) * 0.5, "b1": rng.normal(size=8) * 0.1,
         "w2": rng.normal(size=(8, 3)) * 0.5, "s": np.array(0.3),
         "t": rng.normal(size=(2, 3, 3)) * 0.5}
    data = [(rng.normal(size=(16, 5)), rng.normal(size=(16, 3))) for _ in range(6)]
    got = []
    for m in (tg, torch):
        ps = {k: m.tensor(v, dtype=m.float64).requires_grad_() for k, v in w.items()}
        if name == "Adafactor":
            opt = m.optim.Adafactor(list(ps.values()), lr=0.05, weight_decay=0.01)
        else:
            opt = m.optim.Muon([ps["w1"], ps["w2"]], lr=0.02)
        losses = []
        for x, y in data:
            x, y = m.tensor(x, dtype=m.float64), m.tensor(y, dtype=m.float64)

            def closure():
                opt.zero_grad()
                h = m.tanh(x @ ps["w1"] + ps["b1"]) * ps["s"]
                out = (h @ ps["w2"]).reshape(16, 1, 3) @ ps["t"].sum(0)
                loss = ((out.reshape(16, 3) - y) ** 2).mean()
                loss.backward()
                return loss
            with m.no_grad():
                losses.append(float(opt.step(closure)))
        got.append((losses, list(ps.values())))
    assert got[0][0] == pytest.approx(got[1][0], rel=1e-9 if name == "Adafactor" else 1e-6)
    _assert_params(name, dict(lr=0.02), got[0][1], got[1][1], "float64")


STATE_CASES = [c for c in CASES if not any(isinstance(v, torch.Tensor) for v in c[2].values())]


@pytest.mark.parametrize("name,desc,kw", STATE_CASES[::2], ids=[
    f"{n}-{d.replace(' ', '_')}" for n, d, _ in STATE_CASES[::2]])
def test_state_dict_layout_matches_torch(tg, name, desc, kw):
    _, opt = _run(tg, name, kw, "float64", steps=3, groups=True)
    _, topt = _run(torch, name, kw, "float64", steps=3, groups=True)
    sd, tsd = opt.state_dict(), topt.state_dict()
    assert sd["param_groups"] == tsd["param_groups"]
    _assert_states(opt, topt, "float64")


@pytest.mark.parametrize("name,kw", [
    ("Adafactor", dict(weight_decay=0.1, lr=0.02)),
    ("Adafactor", dict(beta2_decay=-0.6, maximize=True)),
    ("Muon", dict(lr=0.02, momentum=0.9)),
    ("Muon", dict(nesterov=False, adjust_lr_fn="match_rms_adamw")),
])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_resume_from_state_dict(tg, name, kw, dtype):
    """4 steps, then a fresh optimizer on copies of the parameters loads the state dict (ours,
    or torch's converted) and takes 4 more: it ends where torch's resumed run does."""
    init, grads = _data(name, seed=2, steps=8)

    def run(m, ps, opt, gs):
        for step in gs:
            for p, g in zip(ps, step):
                p.grad = m.tensor(g, dtype=getattr(m, dtype))
            opt.step()

    def first_half(m):
        ps = [m.tensor(w, dtype=getattr(m, dtype)).requires_grad_() for w in init]
        opt = getattr(m.optim, name)(ps, **kw)
        run(m, ps, opt, grads[:4])
        return ps, opt.state_dict()

    def second_half(m, ps, sd):
        ps2 = [m.tensor(_np(p), dtype=getattr(m, dtype)).requires_grad_() for p in ps]
        opt2 = getattr(m.optim, name)(ps2, lr=0.123)
        opt2.load_state_dict(sd)
        default_lr = inspect.signature(getattr(m.optim, name)).parameters["lr"].default
        assert opt2.param_groups[0]["lr"] == kw.get("lr", default_lr)
        assert opt2.param_groups[0]["params"] == ps2
        run(m, ps2, opt2, grads[4:])
        return ps2, opt2

    tps, tsd = first_half(torch)
    converted = _conv(tg, tsd)  # before torch's resume updates the shared state tensors
    ref, _ = second_half(torch, tps, tsd)
    ours, opt = second_half(tg, *first_half(tg))
    from_torch, _ = second_half(tg, tps, converted)
    _assert_params(name, kw, ours, ref, dtype)
    _assert_params(name, kw, from_torch, ref, dtype)
    if name == "Adafactor":
        assert all(repr(st["step"].dtype) == "torch.float32" and float(st["step"]) == 8.0
                   for st in opt.state.values())


def test_bfloat16_addmm_rounds_as_torch(tg):
    """The case Muon met with ns_coefficients (3.4, -4.7, 2.0) on a 1-row parameter:
    3.4 * 0.9765625 - 2.75 * 0.9765625 is 0.634765625 + 9e-8 with the fused product, just above
    the tie between two bfloat16 values."""
    got = []
    for m in (tg, torch):
        c = m.tensor([[0.9765625]]).bfloat16()
        out = m.addmm(c, m.tensor([[-2.75]]).bfloat16(), c, beta=3.4)
        got.append(out.float().item())
    assert got[0] == got[1]
