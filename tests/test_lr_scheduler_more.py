"""The lr schedulers beyond StepLR/CosineAnnealingLR/LambdaLR against torch: the same
scheduler built on both libraries gives exactly torch's lr (and momentum/beta1 where it cycles
them) after every step, over two param groups; last_epoch, state_dict keys and a save/load
resume match; step(epoch) uses torch's closed form; bad arguments raise torch's errors."""
import math
import warnings

import pytest

torch = pytest.importorskip("torch")

from test_optim import _assert_weights, _train  # noqa: E402


def _ls(m):
    return m.optim.lr_scheduler


class _Half:
    """A callable object (its __dict__ is saved by state_dict, unlike a lambda's)."""

    def __init__(self):
        self.k = 0.5

    def __call__(self, e):
        return 1.0 - self.k / (e + 2)


SCHEDS = [
    ("MultiplicativeLR", lambda m, o: _ls(m).MultiplicativeLR(o, lambda e: 0.95)),
    ("MultiplicativeLR-list", lambda m, o: _ls(m).MultiplicativeLR(
        o, [lambda e: 0.9, lambda e: 1.0 - 0.01 * (e % 3)])),
    ("MultiStepLR", lambda m, o: _ls(m).MultiStepLR(o, milestones=[3, 8, 8, 20], gamma=0.3)),
    ("ExponentialLR", lambda m, o: _ls(m).ExponentialLR(o, gamma=0.93)),
    ("LinearLR", lambda m, o: _ls(m).LinearLR(o)),
    ("LinearLR-down", lambda m, o: _ls(m).LinearLR(o, start_factor=1.0, end_factor=0.1,
                                                  total_iters=17)),
    ("ConstantLR", lambda m, o: _ls(m).ConstantLR(o, factor=0.25, total_iters=6)),
    ("PolynomialLR", lambda m, o: _ls(m).PolynomialLR(o, total_iters=25, power=2.0)),
    ("PolynomialLR-default", lambda m, o: _ls(m).PolynomialLR(o)),
    ("CyclicLR", lambda m, o: _ls(m).CyclicLR(o, base_lr=0.01, max_lr=0.2, step_size_up=5)),
    ("CyclicLR-tri2", lambda m, o: _ls(m).CyclicLR(
        o, base_lr=[0.01, 0.02], max_lr=0.3, step_size_up=4, step_size_down=7,
        mode="triangular2", base_momentum=0.7, max_momentum=[0.95, 0.9])),
    ("CyclicLR-exp", lambda m, o: _ls(m).CyclicLR(o, 0.01, 0.1, step_size_up=6,
                                                 mode="exp_range", gamma=0.97)),
    ("CyclicLR-fn", lambda m, o: _ls(m).CyclicLR(o, 0.01, 0.1, step_size_up=3,
                                                scale_fn=lambda x: 1 / x, scale_mode="cycle",
                                                cycle_momentum=False)),
    ("OneCycleLR", lambda m, o: _ls(m).OneCycleLR(o, max_lr=0.5, total_steps=70)),
    ("OneCycleLR-linear3", lambda m, o: _ls(m).OneCycleLR(
        o, max_lr=[0.5, 0.8], epochs=7, steps_per_epoch=10, pct_start=0.25,
        anneal_strategy="linear", three_phase=True, div_factor=10.0)),
    ("OneCycleLR-nomom", lambda m, o: _ls(m).OneCycleLR(o, max_lr=0.5, total_steps=80,
                                                       cycle_momentum=False)),
    ("CosineAnnealingWarmRestarts", lambda m, o: _ls(m).CosineAnnealingWarmRestarts(o, T_0=9)),
    ("CosineAnnealingWarmRestarts-mult", lambda m, o: _ls(m).CosineAnnealingWarmRestarts(
        o, T_0=3, T_mult=2, eta_min=1e-3)),
    ("SequentialLR", lambda m, o: _ls(m).SequentialLR(
        o, [_ls(m).LinearLR(o, start_factor=0.1, total_iters=5),
            _ls(m).ExponentialLR(o, gamma=0.9)], milestones=[5])),
    ("SequentialLR-3", lambda m, o: _ls(m).SequentialLR(
        o, [_ls(m).ConstantLR(o, factor=0.5, total_iters=4),
            _ls(m).StepLR(o, step_size=4, gamma=0.5),
            _ls(m).CosineAnnealingLR(o, T_max=20)], milestones=[6, 30])),
    ("ChainedScheduler", lambda m, o: _ls(m).ChainedScheduler(
        [_ls(m).ConstantLR(o, factor=0.1, total_iters=3), _ls(m).ExponentialLR(o, gamma=0.95)])),
    ("ChainedScheduler-opt", lambda m, o: _ls(m).ChainedScheduler(
        [_ls(m).MultiStepLR(o, [10, 20]), _ls(m).LinearLR(o, total_iters=8)], optimizer=o)),
]
IDS = [s[0] for s in SCHEDS]


def _opt(m, name="SGD"):
    ps = [m.zeros(2, requires_grad=True), m.zeros(2, requires_grad=True)]
    if name == "SGD":
        return m.optim.SGD([{"params": ps[:1]}, {"params": ps[1:], "lr": 0.3}], lr=0.1,
                           momentum=0.9)
    return m.optim.Adam([{"params": ps[:1]}, {"params": ps[1:], "lr": 0.3}], lr=0.1)


def _run(m, make, steps=69, opt_name="SGD"):
    """lr, momentum/beta1 of each group after construction and every step, and last_epoch."""
    opt = _opt(m, opt_name)
    sch = make(m, opt)
    key = "momentum" if opt_name == "SGD" else "betas"

    def now():  # ChainedScheduler has no last_epoch, in torch too
        return (sch.get_last_lr(), [g[key] for g in opt.param_groups],
                getattr(sch, "last_epoch", None))
    seq = [now()]
    for _ in range(steps):
        opt.step()
        sch.step()
        seq.append(now())
        assert [g["lr"] for g in opt.param_groups] == seq[-1][0]
    return seq, opt, sch


@pytest.mark.parametrize("name,make", SCHEDS, ids=IDS)
def test_trajectory_matches_torch(tg, name, make):
    ours, opt, sch = _run(tg, make)
    ref, topt, tsch = _run(torch, make)
    assert ours == ref
    assert len({tuple(lrs) for lrs, _, _ in ref}) >= 2  # the schedule really moves
    # the keys a scheduler adds to the groups ('initial_lr', 'max_lr', ...) are torch's
    assert [sorted(g) for g in opt.param_groups] == [sorted(g) for g in topt.param_groups]
    assert sorted(sch.state_dict()) == sorted(tsch.state_dict())


@pytest.mark.parametrize("name,make", [s for s in SCHEDS if s[0].startswith(("Cyclic", "One"))],
                         ids=[s[0] for s in SCHEDS if s[0].startswith(("Cyclic", "One"))])
def test_beta1_cycles_on_adam(tg, name, make):
    assert _run(tg, make, opt_name="Adam")[0] == _run(torch, make, opt_name="Adam")[0]


@pytest.mark.parametrize("name,make", SCHEDS[::3], ids=IDS[::3])
def test_training_with_scheduler_matches_torch(tg, name, make):
    ours, _, _ = _train(tg, "SGD", dict(lr=0.05, momentum=0.9), "float64", steps=60,
                        groups=True, sched=make)
    ref, _, _ = _train(torch, "SGD", dict(lr=0.05, momentum=0.9), "float64", steps=60,
                       groups=True, sched=make)
    _assert_weights(ours, ref, "float64")


def _plain(sd):
    """A state dict with the values compared by equality (children's dicts recursed; objects
    without __eq__ such as bound methods reduced to their type name)."""
    out = {}
    for k, v in sd.items():
        if k == "_schedulers":
            v = [_plain(c) for c in v]
        elif callable(v):
            v = type(v).__name__
        out[k] = v
    return out


@pytest.mark.parametrize("name,make", SCHEDS, ids=IDS)
def test_state_dict_resume(tg, name, make):
    """After 23 steps the state dicts agree with torch's, and a fresh scheduler that loads
    ours continues exactly as the uninterrupted one."""
    ours, opt, sch = _run(tg, make, steps=23)
    ref, topt, tsch = _run(torch, make, steps=23)
    assert _plain(sch.state_dict()) == _plain(tsch.state_dict())
    sd = sch.state_dict()
    # the groups' hyper-parameters at step 23 (lr, momentum, the keys the scheduler added)
    snap = [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups]
    more = []
    for _ in range(20):
        opt.step()
        sch.step()
        more.append(sch.get_last_lr())
    opt2 = _opt(tg)
    sch2 = make(tg, opt2)
    for g2, g in zip(opt2.param_groups, snap):
        g2.update(g)
    sch2.load_state_dict(sd)
    got = []
    for _ in range(20):
        opt2.step()
        sch2.step()
        got.append(sch2.get_last_lr())
    assert got == more


CLOSED = [s for s in SCHEDS if s[0] in ("MultiStepLR", "ExponentialLR", "LinearLR",
                                        "LinearLR-down", "ConstantLR", "PolynomialLR",
                                        "MultiplicativeLR", "CyclicLR",
                                        "CosineAnnealingWarmRestarts",
                                        "CosineAnnealingWarmRestarts-mult")]


@pytest.mark.parametrize("name,make", CLOSED, ids=[s[0] for s in CLOSED])
@pytest.mark.parametrize("epoch", [0, 4, 8, 13, 40, 200])
def test_step_with_epoch(tg, name, make, epoch):
    """step(epoch): the closed form where torch has one (else get_lr at that epoch), with
    torch's deprecation warning (none from CosineAnnealingWarmRestarts, which takes epochs)."""
    got = []
    for m in (tg, torch):
        opt = _opt(m)
        sch = make(m, opt)
        for _ in range(3):
            opt.step()
            sch.step()
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            sch.step(epoch)
        got.append((sch.get_last_lr(), sch.last_epoch,
                           sorted(str(x.message)[:40] for x in w)))
    assert got[0] == got[1]


def test_warm_restarts_fractional_epochs(tg):
    got = []
    for m in (tg, torch):
        opt = _opt(m)
        sch = _ls(m).CosineAnnealingWarmRestarts(opt, T_0=4, T_mult=3, eta_min=0.01)
        seq = []
        for e in (0.5, 1.25, 3.99, 4.0, 7.5, 15.9, 16.0, 30.2, 2.0):
            sch.step(e)
            seq.append((sch.get_last_lr(), sch.last_epoch, sch.T_i, sch.T_cur))
        got.append(seq)
    assert got[0] == got[1]


def _plateau_run(m, metrics, **kw):
    opt = _opt(m)
    sch = _ls(m).ReduceLROnPlateau(opt, **kw)
    seq = []
    for v in metrics:
        opt.step()
        sch.step(v)
        seq.append((sch.get_last_lr(), sch.last_epoch, sch.best, sch.num_bad_epochs,
                    sch.cooldown_counter))
    return seq, sch


PLATEAU = [
    dict(),
    dict(mode="max", factor=0.5, patience=2, cooldown=3),
    dict(threshold=0.05, threshold_mode="abs", patience=1, min_lr=[0.02, 0.05]),
    dict(mode="max", threshold_mode="abs", patience=0, factor=0.3, min_lr=0.01, eps=1e-3),
]


@pytest.mark.parametrize("kw", PLATEAU, ids=[str(i) for i in range(len(PLATEAU))])
def test_reduce_on_plateau_matches_torch(tg, kw):
    metrics = [1.0 / (1 + i) if i < 8 else 0.2 + 0.01 * math.sin(i) for i in range(60)]
    ours, sch = _plateau_run(tg, metrics, **kw)
    ref, tsch = _plateau_run(torch, metrics, **kw)
    assert ours == ref
    assert len({tuple(s[0]) for s in ref}) > 1
    assert sch.state_dict() == tsch.state_dict()
    # resume: a fresh scheduler loading the state dict carries on identically
    opt2 = _opt(tg)
    for g, lr in zip(opt2.param_groups, sch.get_last_lr()):
        g["lr"] = lr
    sch2 = _ls(tg).ReduceLROnPlateau(opt2, **kw)
    sch2.load_state_dict(sch.state_dict())
    for v in metrics[:20]:
        opt2.step()
        sch2.step(v)
        tsch.optimizer.step()
        tsch.step(v)
        assert sch2.get_last_lr() == tsch.get_last_lr()


def test_reduce_on_plateau_tensor_metric_and_epoch(tg):
    got = []
    for m in (tg, torch):
        opt = _opt(m)
        sch = _ls(m).ReduceLROnPlateau(opt, patience=0)
        sch.step(m.tensor(1.0))
        with pytest.warns(UserWarning, match="epoch parameter in `scheduler.step\\(\\)`"):
            sch.step(m.tensor(2.0), epoch=7)
        got.append((sch.get_last_lr(), sch.last_epoch))
    assert got[0] == got[1]


def test_reduce_on_plateau_new_group(tg):
    for m in (tg, torch):
        opt = _opt(m)
        sch = _ls(m).ReduceLROnPlateau(opt, patience=0, min_lr=[0.0, 0.0])
        opt.add_param_group({"params": [m.zeros(1, requires_grad=True)]})
        sch.step(1.0)
        with pytest.raises(RuntimeError, match=r"The number of param groups in the `optimizer` "
                                               r"\(3\) differs from when `ReduceLROnPlateau` "
                                               r"was initialized \(2\)"):
            sch.step(2.0)


def _step_n(sch, n):
    for _ in range(n):
        sch.step()


def _errors(m):
    o = _opt(m)
    L = _ls(m)
    return [
        (ValueError, "Constant multiplicative factor expected to be between 0 and 1.",
         lambda: L.ConstantLR(o, factor=1.5)),
        (ValueError, "Starting multiplicative factor expected to be greater than 0 and less "
                     "or equal to 1.", lambda: L.LinearLR(o, start_factor=0)),
        (ValueError, "Ending multiplicative factor expected to be between 0 and 1.",
         lambda: L.LinearLR(o, end_factor=2)),
        (TypeError, "lr_lambda should be a function, but got int",
         lambda: L.MultiplicativeLR(o, 3)),
        (ValueError, "Expected 2 lr_lambdas, but got 1",
         lambda: L.MultiplicativeLR(o, [lambda e: 1])),
        (ValueError, "Factor should be < 1.0.", lambda: L.ReduceLROnPlateau(o, factor=1.0)),
        (ValueError, "mode avg is unknown!", lambda: L.ReduceLROnPlateau(o, mode="avg")),
        (ValueError, "threshold mode x is unknown!",
         lambda: L.ReduceLROnPlateau(o, threshold_mode="x")),
        (ValueError, "expected 2 min_lrs, got 3",
         lambda: L.ReduceLROnPlateau(o, min_lr=[0, 0, 0])),
        (TypeError, "int is not an Optimizer", lambda: L.ReduceLROnPlateau(3)),
        (TypeError, "int is not an Optimizer", lambda: L.CyclicLR(3, 0.1, 1.0)),
        (TypeError, "int is not an Optimizer", lambda: L.OneCycleLR(3, 0.1, 10)),
        (ValueError, "mode is invalid and scale_fn is None",
         lambda: L.CyclicLR(o, 0.1, 1.0, mode="zigzag")),
        (ValueError, "base_lr must have the same length as optimizer.param_groups. base_lr "
                     "has 3 values, param_groups has 2.",
         lambda: L.CyclicLR(o, [0.1] * 3, 1.0)),
        (ValueError, "optimizer must support momentum or beta1 with `cycle_momentum` option "
                     "enabled",
         lambda: L.CyclicLR(m.optim.Optimizer([m.zeros(1, requires_grad=True)], {"lr": 0.1}),
                            0.1, 1.0)),
        (ValueError, "Expected positive integer total_steps, but got 0",
         lambda: L.OneCycleLR(o, 0.1, total_steps=0)),
        (ValueError, "Expected positive integer epochs, but got 2.0",
         lambda: L.OneCycleLR(o, 0.1, epochs=2.0, steps_per_epoch=3)),
        (ValueError, "Expected positive integer steps_per_epoch, but got -3",
         lambda: L.OneCycleLR(o, 0.1, epochs=2, steps_per_epoch=-3)),
        (ValueError, "You must define either total_steps OR (epochs AND steps_per_epoch)",
         lambda: L.OneCycleLR(o, 0.1, epochs=2)),
        (ValueError, "Expected float between 0 and 1 pct_start, but got 1",
         lambda: L.OneCycleLR(o, 0.1, 10, pct_start=1)),
        (ValueError, "anneal_strategy must be one of 'cos' or 'linear', instead got exp",
         lambda: L.OneCycleLR(o, 0.1, 10, anneal_strategy="exp")),
        (ValueError, "Expected positive integer T_0, but got 0",
         lambda: L.CosineAnnealingWarmRestarts(o, 0)),
        (ValueError, "Expected integer T_mult >= 1, but got 1.5",
         lambda: L.CosineAnnealingWarmRestarts(o, 3, T_mult=1.5)),
        (ValueError, "Expected float or int eta_min, but got a of type <class 'str'>",
         lambda: L.CosineAnnealingWarmRestarts(o, 3, eta_min="a")),
        (ValueError, "Expected non-negative epoch, but got -1",
         lambda: L.CosineAnnealingWarmRestarts(o, 3).step(-1)),
        (ValueError, "SequentialLR expects at least one scheduler, but got no scheduler.",
         lambda: L.SequentialLR(o, [], [])),
        (ValueError, "Sequential Schedulers expects number of schedulers provided to be one "
                     "more than the number of milestone points, but got number of schedulers "
                     "1 and the number of milestones to be equal to 1",
         lambda: L.SequentialLR(o, [L.StepLR(o, 2)], [3])),
        (TypeError, "SequentialLR at index 0 should have `optimizer` as its attribute.",
         lambda: L.SequentialLR(o, [3], [])),
        (ValueError, "ChainedScheduler does not support `ReduceLROnPlateau` scheduler as it "
                     "requires additional kwargs to be specified when calling `step`, but got "
                     "one at index 1 in the given schedulers sequence.",
         lambda: L.ChainedScheduler([L.StepLR(o, 2), L.ReduceLROnPlateau(o)])),
        (ValueError, "ChainedScheduler expects at least one scheduler to be chained, but got "
                     "no scheduler.", lambda: L.ChainedScheduler([])),
        (ValueError, "Tried to step 4 times. The specified number of total steps is 3",
         lambda: _step_n(L.OneCycleLR(o, 0.1, 3), 4)),
    ]


def test_errors_match_torch(tg):
    ours, ref = _errors(tg), _errors(torch)
    for (etype, msg, fn), (_, _, tfn) in zip(ours, ref):
        for f in (fn, tfn):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with pytest.raises(etype, match="") as info:
                    f()
            assert str(info.value).strip("'\"") == msg


def test_different_optimizer_error(tg):
    for m in (tg, torch):
        o1, o2 = _opt(m), _opt(m)
        with pytest.raises(ValueError, match="SequentialLR expects all schedulers to belong to "
                                             "the same optimizer, but got scheduler StepLR at "
                                             "index 0 has"):
            _ls(m).SequentialLR(o1, [_ls(m).StepLR(o2, 2)], [])


def test_get_lr_outside_step_warns(tg):
    for m in (tg, torch):
        sch = _ls(m).ExponentialLR(_opt(m), 0.9)
        with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
            sch.get_lr()


class _Pow:
    """A callable scale_fn / lr_lambda object: state_dict keeps its __dict__."""

    def __init__(self):
        self.a = 0.7

    def __call__(self, x):
        return self.a ** x


RESUMED = [
    ("LinearLR", lambda L, o: L.LinearLR(o, total_iters=10, last_epoch=4)),
    ("ExponentialLR", lambda L, o: L.ExponentialLR(o, 0.9, last_epoch=4)),
    ("PolynomialLR", lambda L, o: L.PolynomialLR(o, 10, last_epoch=4)),
    ("OneCycleLR", lambda L, o: L.OneCycleLR(o, 1.0, 20, last_epoch=4)),
    ("CyclicLR", lambda L, o: L.CyclicLR(o, 0.01, 0.1, 4, last_epoch=4)),
    ("CyclicLR-obj", lambda L, o: L.CyclicLR(o, 0.01, 0.1, 4, scale_fn=_Pow())),
    ("CosineAnnealingWarmRestarts",
     lambda L, o: L.CosineAnnealingWarmRestarts(o, 3, 2, last_epoch=4)),
    ("MultiplicativeLR", lambda L, o: L.MultiplicativeLR(o, _Pow(), last_epoch=4)),
]


@pytest.mark.parametrize("name,make", RESUMED, ids=[r[0] for r in RESUMED])
def test_constructed_with_last_epoch(tg, name, make):
    """Built with last_epoch >= 0 on groups that carry initial_lr (and OneCycleLR's/CyclicLR's
    keys), as when resuming: the trajectory and the plain state-dict entries (a callable
    object's __dict__ included) are torch's."""
    got = []
    for m in (tg, torch):
        o = m.optim.SGD([m.zeros(2, requires_grad=True)], lr=0.1, momentum=0.9)
        o.param_groups[0].update(initial_lr=0.2, max_lr=1.0, min_lr=1e-4, max_momentum=0.95,
                                 base_momentum=0.85)
        s = make(m.optim.lr_scheduler, o)
        seq = [s.get_last_lr()]
        for _ in range(8):
            o.step()
            s.step()
            seq.append((s.get_last_lr(), o.param_groups[0]["momentum"]))
        sd = s.state_dict()
        got.append((seq, _plain(sd)))
    assert got[0] == got[1]


TENSOR_LR = [("StepLR", lambda L, o: L.StepLR(o, 3, 0.5)),
             ("ExponentialLR", lambda L, o: L.ExponentialLR(o, 0.9)),
             ("LinearLR", lambda L, o: L.LinearLR(o, total_iters=6)),
             ("OneCycleLR", lambda L, o: L.OneCycleLR(o, 0.5, 30, cycle_momentum=False)),
             ("SequentialLR", lambda L, o: L.SequentialLR(
                 o, [L.ConstantLR(o, 0.5, 3), L.ExponentialLR(o, 0.8)], [4])),
             ("ChainedScheduler", lambda L, o: L.ChainedScheduler(
                 [L.ConstantLR(o, 0.5, 3), L.ExponentialLR(o, 0.8)])),
             ("ReduceLROnPlateau", None)]


@pytest.mark.parametrize("name,make", TENSOR_LR, ids=[t[0] for t in TENSOR_LR])
def test_tensor_lr_updated_in_place(tg, name, make):
    """A Tensor lr stays the same tensor, filled in place with torch's values; get_last_lr
    returns copies that do not alias it."""
    got = []
    for m in (tg, torch):
        lr = m.tensor(0.1)
        o = m.optim.Adagrad([m.zeros(2, requires_grad=True)], lr=lr)
        L = m.optim.lr_scheduler
        s = L.ReduceLROnPlateau(o, patience=1) if make is None else make(L, o)
        seq = []
        for i in range(12):
            o.step()
            s.step(1.0) if make is None else s.step()
            last = s.get_last_lr()
            assert o.param_groups[0]["lr"] is lr
            assert isinstance(last[0], type(lr)) and last[0] is not lr
            seq.append(float(last[0]))
        got.append(seq)
    assert got[0] == got[1] and len(set(got[1])) > 1
