"""The fused multi-tensor optimizer steps (tapegrad._C._fused_sgd_ / _fused_adam_, used by
optim.SGD/Adam/AdamW) against torch.optim's single-tensor (foreach=False) and fused (fused=True)
implementations: several steps over parameters of assorted shapes (0-d, empty, one above the
OpenMP grain), float32 and float64, every option that changes the update, gradients missing on
some steps, the learning rate changed between steps, state_dict save/load; the per-tensor loop
that stands in when a tensor does not qualify; the portable (non-AVX2) loop and one thread."""
import os
import sys

import numpy as np
import pytest

from isa_worker import run_worker

torch = pytest.importorskip("torch")

SHAPES = [(5, 8), (8,), (3, 4, 2), (), (0, 3), (40000,)]  # 40000: above the OpenMP grain
STEPS = 6
MISSING = {(2, 1), (3, 3), (4, 0)}  # (step, parameter) pairs without a gradient

SGD_CONFIGS = [
    dict(lr=0.1),
    dict(lr=0.1, weight_decay=0.1),
    dict(lr=0.1, maximize=True, weight_decay=0.05),
    dict(lr=0.1, momentum=0.9),
    dict(lr=0.1, momentum=0.9, dampening=0.3),
    dict(lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.1, maximize=True),
    dict(lr=0.1, momentum=0.8, nesterov=True),
    dict(lr=0.1, momentum=0.8, nesterov=True, weight_decay=0.01, maximize=True),
]
ADAM_CONFIGS = [
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.02, betas=(0.3, 0.5), eps=1e-3)),  # 1 - beta1 >= 0.5: lerp's other end
    ("Adam", dict(lr=0.01, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, maximize=True, amsgrad=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True, maximize=True)),
    ("AdamW", dict(lr=0.02, betas=(0.3, 0.5))),
]
CONFIGS = [("SGD", kw) for kw in SGD_CONFIGS] + ADAM_CONFIGS
IDS = [f"{n}-{i}" for i, (n, _) in enumerate(CONFIGS)]
# against torch's single-tensor loop, which rounds op by op as the fused kernel does
TOL = {"float64": dict(rtol=1e-12, atol=1e-14), "float32": dict(rtol=2e-6, atol=1e-7)}
# torch's fused kernels round in a different order (float32 drifts by a few ulp)
TOL_FUSED = {"float64": dict(rtol=1e-12, atol=1e-14), "float32": dict(rtol=2e-5, atol=1e-6)}


def _schedule(seed=0):
    rng = np.random.default_rng(seed)
    init = [rng.normal(size=s) for s in SHAPES]
    grads = [[None if (t, k) in MISSING else rng.normal(size=s) for k, s in enumerate(SHAPES)]
             for t in range(STEPS)]
    return init, grads


def _t(m, a, dt):
    # an empty array through zeros: tapegrad's tensor() gives it all-zero strides, which no
    # in-place op accepts (a gap outside the optimizers)
    return m.tensor(a, dtype=dt) if a.size else m.zeros(a.shape, dtype=dt)


def _params(m, dtype, init, noncontig=False):
    dt = getattr(m, dtype)
    ps = [_t(m, a, dt).requires_grad_() for a in init]
    if noncontig:  # the first parameter as a transposed leaf
        ps[0] = m.tensor(init[0].T.copy(), dtype=dt).t().detach().requires_grad_()
        assert not ps[0].is_contiguous()
    return ps


def _train(m, name, kw, dtype, steps=range(STEPS), ps=None, opt=None, lrs=None, sched=None,
           noncontig=False):
    init, grads = _schedule()
    dt = getattr(m, dtype)
    if ps is None:
        ps = _params(m, dtype, init, noncontig)
    if opt is None:
        opt = getattr(m.optim, name)(ps, **kw)
    s = sched(m, opt) if sched else None
    for t in steps:
        for p, g in zip(ps, grads[t]):
            p.grad = None if g is None else _t(m, g, dt)
        if lrs is not None:
            for group in opt.param_groups:
                group["lr"] = lrs[t]
        opt.step()
        if s is not None:
            s.step()
    return ps, opt


def _np(t):
    return np.array(t.detach().tolist(), dtype=np.float64)


def _state_arrays(opt, ps):
    """Each parameter's state tensors, by key, as numpy arrays (step included)."""
    return [{k: _np(v) for k, v in opt.state[p].items() if v is not None} for p in ps]


def _assert_same(ours, ref, tol):
    (ps, opt), (tps, topt) = ours, ref
    for p, q in zip(ps, tps):
        np.testing.assert_allclose(_np(p), _np(q), **tol)
    for a, b in zip(_state_arrays(opt, ps), _state_arrays(topt, tps)):
        assert sorted(a) == sorted(b)
        for k in a:
            np.testing.assert_allclose(a[k], b[k], **tol, err_msg=k)


@pytest.fixture
def calls(monkeypatch, tg):
    """Records each fused call's result (True: the step ran fused; False: it fell back)."""
    rec = []
    if tg is torch:
        return None
    for name in ("_fused_sgd_", "_fused_adam_"):
        orig = getattr(tg._C, name)

        def wrap(*a, _orig=orig, _name=name):
            r = _orig(*a)
            rec.append(r)
            return r
        monkeypatch.setattr(tg._C, name, wrap)
    return rec


def _expect(calls, results):
    if calls is not None:
        assert calls == results


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name,kw", CONFIGS, ids=IDS)
def test_matches_torch_single_tensor(tg, calls, name, kw, dtype):
    ours = _train(tg, name, kw, dtype)
    _expect(calls, [True] * STEPS)
    ref = _train(torch, name, dict(kw, foreach=False), dtype)
    _assert_same(ours, ref, TOL[dtype])
    assert np.abs(_np(ours[0][0]) - _schedule()[0][0]).max() > 1e-3  # the weights moved


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name,kw", CONFIGS, ids=IDS)
def test_fused_flag_matches_torch_fused(tg, calls, name, kw, dtype):
    ours = _train(tg, name, dict(kw, fused=True), dtype)
    _expect(calls, [True] * STEPS)
    ref = _train(torch, name, dict(kw, fused=True), dtype)
    _assert_same(ours, ref, TOL_FUSED[dtype])


@pytest.mark.parametrize("name,kw", [CONFIGS[5], CONFIGS[7], ADAM_CONFIGS[4], ADAM_CONFIGS[7]])
def test_lr_changed_between_steps(tg, calls, name, kw):
    lrs = [kw["lr"] * f for f in (1.0, 0.5, 2.0, 0.0, 0.1, 1.0)]
    ours = _train(tg, name, kw, "float64", lrs=lrs)
    _expect(calls, [True] * STEPS)
    _assert_same(ours, _train(torch, name, dict(kw, foreach=False), "float64", lrs=lrs),
                 TOL["float64"])

    def sched(m, opt):
        return m.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.3)
    ours = _train(tg, name, kw, "float32", sched=sched)
    _assert_same(ours, _train(torch, name, dict(kw, foreach=False), "float32", sched=sched),
                 TOL["float32"])


@pytest.mark.parametrize("name,kw", [CONFIGS[5], CONFIGS[7], ADAM_CONFIGS[4], ADAM_CONFIGS[8]])
def test_state_dict_roundtrip(tg, calls, name, kw):
    """3 fused steps, the state dict into a fresh optimizer, 3 more: as 6 uninterrupted steps
    of torch's; the state dict's layout (keys, dtypes, shapes) is torch's fused one."""
    ps, opt = _train(tg, name, kw, "float64", steps=range(3))
    tps, topt = _train(torch, name, dict(kw, fused=True), "float64", steps=range(3))
    sd, tsd = opt.state_dict(), topt.state_dict()
    assert sorted(sd["state"]) == sorted(tsd["state"])
    for k, st in tsd["state"].items():
        assert list(sd["state"][k]) == list(st)
        for key, v in st.items():
            o = sd["state"][k][key]
            assert repr(o.dtype) == repr(v.dtype) and tuple(o.shape) == tuple(v.shape), key
    ps2 = [_t(tg, _np(p).reshape(tuple(p.shape)), tg.float64).requires_grad_() for p in ps]
    opt2 = getattr(tg.optim, name)(ps2, **dict(kw, lr=123.0))
    opt2.load_state_dict(sd)
    ours = _train(tg, name, kw, "float64", steps=range(3, STEPS), ps=ps2, opt=opt2)
    _expect(calls, [True] * STEPS)
    ref = _train(torch, name, dict(kw, foreach=False), "float64")
    _assert_same(ours, ref, TOL["float64"])


@pytest.mark.parametrize("name,kw", [CONFIGS[5], CONFIGS[7], ADAM_CONFIGS[4], ADAM_CONFIGS[7]])
def test_per_tensor_fallback(tg, calls, name, kw):
    """foreach=False and differentiable=True keep the per-tensor loop (no fused call); a
    non-contiguous parameter makes the fused call decline (False) and the loop run; a fused
    step after a loop step continues the same state."""
    ref = _train(torch, name, dict(kw, foreach=False), "float64")
    for extra in (dict(foreach=False), dict(differentiable=True)):
        ours = _train(tg, name, dict(kw, **extra), "float64")
        _expect(calls, [])
        _assert_same(ours, ref, TOL["float64"])
    ours = _train(tg, name, kw, "float64", noncontig=True)
    # fused only at step 4, where the non-contiguous parameter has no gradient
    _expect(calls, [(t, 0) in MISSING for t in range(STEPS)])
    _assert_same(ours, _train(torch, name, dict(kw, foreach=False), "float64", noncontig=True),
                 TOL["float64"])
    calls and calls.clear()
    ps, opt = _train(tg, name, dict(kw, foreach=False), "float64", steps=range(3))
    opt.param_groups[0]["foreach"] = None
    ours = _train(tg, name, kw, "float64", steps=range(3, STEPS), ps=ps, opt=opt)
    _expect(calls, [True] * 3)
    _assert_same(ours, ref, TOL["float64"])


@pytest.mark.parametrize("name,kw", [CONFIGS[7], ADAM_CONFIGS[4]])
def test_grad_with_history_falls_back(tg, calls, name, kw):
    """A gradient from backward(create_graph=True) has a grad_fn: the loop handles it."""
    for m in (tg, torch):
        p = m.tensor([0.5, -1.0, 2.0], dtype=m.float64, requires_grad=True)
        opt = getattr(m.optim, name)([p], **(kw if m is tg else dict(kw, foreach=False)))
        for _ in range(3):
            opt.zero_grad()
            (p ** 3).sum().backward(create_graph=True)
            assert p.grad.grad_fn is not None
            opt.step()
        if m is tg:
            ours = _np(p)
            _expect(calls, [False] * 3)
        else:
            np.testing.assert_allclose(ours, _np(p), **TOL["float64"])


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW"])
def test_fused_flag_errors_match_torch(tg, name):
    for kw in (dict(fused=True, foreach=True), dict(fused=True, differentiable=True),
               dict(fused=True, foreach=True, differentiable=True)):
        msgs = []
        for m in (tg, torch):
            with pytest.raises(RuntimeError) as e:
                getattr(m.optim, name)([m.zeros(2, requires_grad=True)], lr=0.1, **kw)
            msgs.append(str(e.value))
        assert msgs[0] == msgs[1]


def test_mixed_dtypes_in_one_group(tg, calls):
    """float32 and float64 parameters in one group: one fused call, each in its own dtype."""
    init, grads = _schedule()
    res = []
    for m in (tg, torch):
        ps = [m.tensor(init[0], dtype=m.float32, requires_grad=True),
              m.tensor(init[1], dtype=m.float64, requires_grad=True)]
        opt = m.optim.Adam(ps, lr=0.01, amsgrad=True, **({} if m is tg else dict(foreach=False)))
        for t in range(STEPS):
            for p, g in zip(ps, grads[t][:2]):
                p.grad = None if g is None else m.tensor(g, dtype=p.dtype)
            opt.step()
        res.append([_np(p) for p in ps])
    _expect(calls, [True] * STEPS)
    np.testing.assert_allclose(res[0][0], res[1][0], **TOL["float32"])
    np.testing.assert_allclose(res[0][1], res[1][1], **TOL["float64"])


def _worker_results():
    import tapegrad as tg
    out = {}
    for name, kw in CONFIGS:
        for dtype in ("float32", "float64"):
            ps, opt = _train(tg, name, kw, dtype)
            for i, p in enumerate(ps):
                out[f"{name}{sorted(kw.items())}{dtype}{i}"] = np.array(p.detach().tolist())
    return out


@pytest.mark.parametrize("vmath,threads", [("generic", 1), ("", 1)])
def test_portable_loop_and_one_thread_agree(tmp_path, vmath, threads):
    """The portable build of the loops (TAPEGRAD_VMATH=generic) and a single thread give the
    AVX2 build's two-thread results: float64 bit for bit (FMA either way); float32 within an
    ulp (plain SGD takes vmath's float FMA lanes, the portable loop rounds through double)."""
    path = str(tmp_path / "res.npz")
    run_worker(__file__, vmath, threads, TG_OPTIM_OUT=path)
    got = np.load(path)
    want = _worker_results()
    assert sorted(got.files) == sorted(want)
    for k, v in want.items():
        if "float32" in k:
            np.testing.assert_allclose(got[k], v, rtol=3e-7, atol=0, err_msg=k)
        else:
            assert np.array_equal(got[k], v, equal_nan=True), k


if __name__ == "__main__" and "--worker" in sys.argv:
    np.savez(os.environ["TG_OPTIM_OUT"], **_worker_results())
    print("OK")
