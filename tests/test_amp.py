"""Autocast and GradScaler against torch on the CPU: the dtype every listed op returns under
autocast (bfloat16 and float16; lower-precision matrix products and convolutions, float32
losses, untouched elementwise ops, float64 left alone), values and gradients within the lower
precision's rounding, the recorded casts, nesting / enabled=False / decorator / state
restored after errors, torch's warnings and errors, the state functions; GradScaler's scaling,
unscaling, skipped steps on inf/NaN, backoff and growth, state_dict and misuse errors;
custom_fwd / custom_bwd."""
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import tapegrad  # noqa: E402
from test_errors import assert_same_error  # noqa: E402

EXPRS = {
    "linear": lambda m, x, w: m.nn.functional.linear(x, w),
    "matmul": lambda m, x, w: x @ w.t(),
    "mm_addmm": lambda m, x, w: m.addmm(w[:, 0], x, w.t()) + m.mm(x, w.t()),
    "bmm_baddbmm": lambda m, x, w: (m.bmm(x.unsqueeze(0), w.t().unsqueeze(0)),
                                    m.baddbmm(m.zeros(1, 2, 4), x.unsqueeze(0),
                                              w.t().unsqueeze(0))),
    "einsum": lambda m, x, w: m.einsum("ij,kj->ik", x, w),
    "conv2d": lambda m, x, w: m.nn.functional.conv2d(x.reshape(1, 1, 2, 3),
                                                     w[:2, :2].reshape(1, 1, 2, 2)),
    "conv1d": lambda m, x, w: m.nn.functional.conv1d(x.reshape(1, 2, 3), w[:3, :2].reshape(3, 2, 1)),
    "conv_transpose2d": lambda m, x, w: m.nn.functional.conv_transpose2d(
        x.reshape(1, 1, 2, 3), w[:2, :2].reshape(1, 1, 2, 2)),
    "prelu": lambda m, x, w: m.nn.functional.prelu(x, w[0, :1]),
    "sdpa": lambda m, x, w: m.nn.functional.scaled_dot_product_attention(
        x.unsqueeze(0), w[:, :3].unsqueeze(0)[:, :2], w[:, :3].unsqueeze(0)[:, :2]),
    "mse_loss": lambda m, x, w: m.nn.functional.mse_loss(x @ w.t(), (x @ w.t()).detach() * 0.5),
    "cross_entropy": lambda m, x, w: m.nn.functional.cross_entropy(x @ w.t(), m.tensor([0, 3])),
    "bce_logits": lambda m, x, w: m.nn.functional.binary_cross_entropy_with_logits(
        x @ w.t(), m.ones(2, 4)),
    "l1_smooth_huber": lambda m, x, w: (m.nn.functional.l1_loss(x @ w.t(), m.zeros(2, 4)) +
                                        m.nn.functional.smooth_l1_loss(x @ w.t(), m.zeros(2, 4)) +
                                        m.nn.functional.huber_loss(x @ w.t(), m.zeros(2, 4))),
    "prod_trace_cdist": lambda m, x, w: (m.prod(x @ w.t()), m.trace(x @ w.t()),
                                         m.cdist(x, w), (x @ w.t()).prod()),
    "elementwise_after": lambda m, x, w: ((x @ w.t()).relu() + 1, (x @ w.t()).softmax(-1),
                                          (x @ w.t()).sum(), m.cat([x @ w.t(), x[:, :4]], 1)),
    "float64_untouched": lambda m, x, w: x.double() @ w.double().t(),
    "mv_dot_not_listed": lambda m, x, w: (m.mv(x, w[0]), m.dot(x[0], w[0]), x @ w[0]),
    "layer_norm": lambda m, x, w: m.nn.functional.layer_norm(x @ w.t(), (4,)),
}


def _run(m, name, dtype, rng_inputs):
    x = m.tensor(rng_inputs[0], dtype=m.float32, requires_grad=True)
    w = m.tensor(rng_inputs[1], dtype=m.float32, requires_grad=True)
    with m.autocast("cpu", dtype=getattr(m, dtype)):
        out = EXPRS[name](m, x, w)
    outs = out if isinstance(out, tuple) else (out,)
    total = sum(o.float().sum() * (k + 1) for k, o in enumerate(outs) if o.requires_grad)
    total.backward()
    return outs, x.grad, w.grad


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("name", list(EXPRS))
def test_autocast_dtypes_values_and_gradients_like_torch(name, dtype):
    rng = np.random.default_rng(0)
    inputs = [rng.standard_normal((2, 3)), rng.standard_normal((4, 3))]
    ref = _run(torch, name, dtype, inputs)
    got = _run(tapegrad, name, dtype, inputs)
    tol = 3e-2 if dtype == "bfloat16" else 4e-3
    for r, g in zip(ref[0], got[0]):
        assert str(g.dtype) == str(r.dtype), f"{name}: {g.dtype} vs torch {r.dtype}"
        assert tuple(g.shape) == tuple(r.shape)
        np.testing.assert_allclose(g.detach().double().numpy(), r.detach().double().numpy(),
                                   rtol=tol, atol=tol)
    for r, g in zip(ref[1:], got[1:]):
        assert (r is None) == (g is None)
        if r is not None:
            assert str(g.dtype) == str(r.dtype)
            np.testing.assert_allclose(g.double().numpy(), r.double().numpy(), rtol=5 * tol,
                                       atol=5 * tol)


def test_casts_are_recorded_like_torch():
    for m in (torch, tapegrad):
        x = m.randn(2, 3)
        w = m.randn(4, 3, requires_grad=True)
        with m.autocast("cpu"):
            y = m.nn.functional.linear(x, w)
            loss = m.nn.functional.mse_loss(y, m.zeros(2, 4))
        names = []
        fn = loss.grad_fn
        while fn is not None:
            names.append(type(fn).__name__)
            nxt = [f for f, _ in fn.next_functions if f is not None]
            fn = nxt[0] if nxt else None
        if m is torch:
            ref = names
        else:
            assert names == ref


def _state(m):
    return (m.is_autocast_enabled("cpu"), m.get_autocast_dtype("cpu"),
            m.is_autocast_enabled("cuda"), m.get_autocast_dtype("cuda"), m.is_autocast_enabled())


def test_nesting_disabling_decorator_and_restoring():
    for m in (torch, tapegrad):
        before = _state(m)
        x = m.randn(2, 2)
        with m.autocast("cpu"):
            a = (x @ x).dtype
            with m.autocast("cpu", enabled=False):
                b = (x @ x).dtype
            with m.autocast("cpu", dtype=m.float16):
                c = (x @ x).dtype
            d = (x @ x).dtype
            inside = _state(m)
        try:
            with m.amp.autocast("cpu"):
                raise KeyError
        except KeyError:
            pass

        @m.autocast("cpu")
        def f(t):
            return t @ t
        e = f(x).dtype
        after = _state(m)
        res = [str(v) for v in (a, b, c, d, e, *inside, *after, *before)]
        if m is torch:
            ref = res
        else:
            assert res == ref
            assert after == before


def test_backward_inside_autocast_keeps_forward_dtypes():
    start = np.random.default_rng(1).standard_normal((3, 3))
    for m in (torch, tapegrad):
        x = m.tensor(start, dtype=m.float32, requires_grad=True)
        with m.autocast("cpu"):
            y = (x @ x.t()).float().sum()
            y.backward()
        assert x.grad.dtype == m.float32
        if m is torch:
            ref = x.grad.numpy()
    np.testing.assert_allclose(x.grad.numpy(), ref, rtol=3e-2, atol=3e-2)


def _warns(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        fn()
    return [(c.category.__name__, str(c.message)) for c in w]


def test_warnings_and_errors_like_torch():
    calls = [
        lambda m: m.autocast("cpu", dtype=m.float32).__enter__().__exit__(None, None, None),
        lambda m: m.autocast("cpu", dtype=m.float64),
    ]
    if not tapegrad.cuda.is_available() and not torch.cuda.is_available():
        calls += [lambda m: m.autocast("cuda"), lambda m: m.amp.GradScaler(),
                  lambda m: m.cuda.amp.autocast(), lambda m: m.cuda.amp.GradScaler()]
    for call in calls:
        assert _warns(lambda: call(tapegrad)) == _warns(lambda: call(torch))
    # torch's C++ warning adds where it was raised inside torch: the message up to there
    (cat, msg), = _warns(lambda: tapegrad.is_autocast_cpu_enabled())
    (cat_t, msg_t), = _warns(lambda: torch.is_autocast_cpu_enabled())
    assert cat == cat_t and msg_t.startswith(msg)
    assert_same_error(lambda m: m.autocast(m.device("cpu")))
    assert_same_error(lambda m: m.autocast("xyz"))
    assert_same_error(lambda m: m.amp.is_autocast_available("xyz"))
    assert tapegrad.amp.is_autocast_available("cpu") and tapegrad.amp.is_autocast_available("cuda")


# ------------------------------------------------------------------------------- GradScaler


def _train(m, inject_inf_at=(), steps=6, **kw):
    m.manual_seed(0)
    net = m.nn.Linear(3, 2)
    opt = m.optim.SGD(net.parameters(), lr=0.1)
    scaler = m.amp.GradScaler("cpu", **kw)
    x = m.ones(4, 3)
    hist = []
    for i in range(steps):
        opt.zero_grad()
        with m.autocast("cpu"):
            loss = net(x).float().pow(2).mean()
        scaled = scaler.scale(loss)
        scaled.backward()
        if i in inject_inf_at:
            net.weight.grad[0, 0] = float("inf")
        scaler.step(opt)
        scaler.update()
        hist.append((scaled.item(), scaler.get_scale(), scaler._get_growth_tracker(),
                     net.weight.detach().clone().numpy().tolist()))
    return hist, scaler.state_dict()


def test_grad_scaler_training_like_torch():
    for kw in ({}, {"init_scale": 8.0, "growth_interval": 2, "growth_factor": 3.0},
               {"init_scale": 4.0, "backoff_factor": 0.25, "growth_interval": 3}):
        ref = _train(torch, inject_inf_at=(1, 4), **kw)
        got = _train(tapegrad, inject_inf_at=(1, 4), **kw)
        assert got[1] == ref[1]
        for (a, b, c, d), (a2, b2, c2, d2) in zip(ref[0], got[0]):
            assert (b, c) == (b2, c2)
            np.testing.assert_allclose(a2, a, rtol=3e-2)
            np.testing.assert_allclose(d2, d, rtol=3e-2, atol=1e-3)


def test_grad_scaler_api_like_torch():
    def fn(m):
        net = m.nn.Linear(2, 2)
        opt = m.optim.SGD(net.parameters(), lr=0.1)
        s = m.amp.GradScaler("cpu", init_scale=16.0)
        out = [s.get_scale(), s.is_enabled(), s.get_growth_factor(), s.get_backoff_factor(),
               s.get_growth_interval()]
        loss = net(m.ones(1, 2)).sum()
        scaled = s.scale([loss, (loss * 2,)])
        out.append([scaled[0].item(), scaled[1][0].item()])
        s.scale(loss).backward()
        s.unscale_(opt)
        out.append(net.weight.grad.tolist())
        s.step(opt)
        s.update(4.0)
        out.append(s.get_scale())
        d = s.state_dict()
        t = m.amp.GradScaler("cpu")
        t.load_state_dict(d)
        out += [t.get_scale(), t.state_dict(), m.amp.GradScaler("cpu", enabled=False).state_dict(),
                m.amp.GradScaler("cpu", enabled=False).get_scale()]
        return out
    assert fn(tapegrad) == fn(torch)


def _scaler_setup(m):
    net = m.nn.Linear(2, 2)
    opt = m.optim.SGD(net.parameters(), lr=0.1)
    s = m.amp.GradScaler("cpu")
    s.scale(net(m.ones(1, 2)).sum()).backward()
    return s, opt


SCALER_ERRORS = {
    "unscale_twice": lambda m: (lambda s, o: (s.unscale_(o), s.unscale_(o)))(*_scaler_setup(m)),
    "unscale_after_step": lambda m: (lambda s, o: (s.step(o), s.unscale_(o)))(
        *_scaler_setup(m)),
    "step_twice": lambda m: (lambda s, o: (s.step(o), s.step(o)))(*_scaler_setup(m)),
    "closure": lambda m: (lambda s, o: s.step(o, closure=lambda: 0))(*_scaler_setup(m)),
    "update_before_scale": lambda m: m.amp.GradScaler("cpu").update(),
    "update_without_steps": lambda m: (lambda s, o: s.update())(*_scaler_setup(m)),
    "load_empty": lambda m: m.amp.GradScaler("cpu").load_state_dict({}),
    "growth_factor": lambda m: m.amp.GradScaler("cpu", growth_factor=0.5),
    "scale_non_tensor": lambda m: m.amp.GradScaler("cpu").scale(3),
}


@pytest.mark.parametrize("name", list(SCALER_ERRORS))
def test_grad_scaler_errors_like_torch(name):
    assert_same_error(SCALER_ERRORS[name])


def test_custom_fwd_bwd():
    def run(m):
        class Mul(m.autograd.Function):
            @staticmethod
            @m.amp.custom_fwd(device_type="cpu", cast_inputs=m.float32)
            def forward(ctx, a, b):
                ctx.save_for_backward(a, b)
                return a @ b

            @staticmethod
            @m.amp.custom_bwd(device_type="cpu")
            def backward(ctx, g):
                a, b = ctx.saved_tensors
                return g @ b.t(), a.t() @ g
        a = m.ones(2, 2, requires_grad=True)
        with m.autocast("cpu"):
            y = Mul.apply(a, a)
            z = a @ a
        y.sum().backward()
        return str(y.dtype), str(z.dtype), a.grad.tolist()
    assert run(tapegrad) == run(torch)
