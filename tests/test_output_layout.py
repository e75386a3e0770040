"""Elementwise results (float_power, the Bessel functions and glu too) take torch's layout (ops/output_layout.h): strides and is_contiguous()
as torch's for transposed, permuted, channels-last, broadcast and sliced inputs, with the values
(and gradients) of torch; the loops walk such operands in memory order (kernels/loops.h)."""
import numpy as np
import pytest
import torch

import tapegrad

EXPRS = [
    "x.t() + 1", "x.t() * x.t()", "x.t().exp()", "x.t() + x.t().contiguous()",
    "x.t().contiguous() + x.t()", "q + q.t()", "q.t() + q.t()[:, :1]", "x.t() > 0", "m.where(x.t() > 0, x.t(), 0.0)",
    "x.t().clamp(-0.5, 0.5)", "1 - x.t()", "x.t() ** 2", "2 ** x.t()", "x.t().neg()",
    "x.t().abs().sqrt()", "x.t().sigmoid()", "x.t() / 3", "x.t().relu()", "~(x.t() > 0)",
    "p.sin()", "p * 2", "p + r", "r + p", "c + 1", "c * c", "c.sin()", "c * w",
    "x[:, ::2] + 1", "x[::2].t() * 2", "x.t()[:1] + x.t()", "x.t() + b", "b + x.t()",
    "x.t().unsqueeze(0) + x.t().unsqueeze(1)", "s.t() + 1", "s.t().sin()", "e.t() + 1", "e.t().sin()",
    "F.gelu(x.t())", "F.gelu(x.t(), approximate='tanh')", "F.gelu(x[:, ::2])", "F.softplus(x.t())",
    "F.elu(x.t())", "F.hardtanh(x.t())", "F.mish(x.t())", "F.logsigmoid(x.t())", "F.silu(c)",
    "m.lerp(q.t(), q, 0.3)", "m.lerp(q.t(), q.t(), q.t().sigmoid())", "m.addcmul(q.t(), q.t(), q.t())",
    "x.t().clamp_min(0.1)", "x.t().clamp_max(0.1)",
    "m.zeros(2, 3, 1, 1) + 1", "m.zeros(2, 3, 1, 1).sin()", "c[:, :, ::2] + 1", "c + c.contiguous()",
    "m.float_power(x.t().abs(), 2.5)", "m.float_power(q.t(), q)", "m.float_power(c, 2)",
    "m.special.i0(x.t())", "m.special.i0e(c)", "m.special.i1(p)", "F.glu(x.t(), 1)",
    "F.glu(c, 2)", "F.glu(p, 0)", "F.glu(x.t().t(), 0)",
]


def _env(m):
    g = m.Generator().manual_seed(0) if m is torch else None
    torch.manual_seed(0)
    base = torch.randn(2 * 3 * 4 * 5)
    mk = lambda t: m.tensor(t.tolist()) if m is tapegrad else t.clone()  # noqa: E731
    x = mk(base[:20]).reshape(4, 5)
    p = mk(base[:24]).reshape(2, 3, 4).permute(2, 0, 1)
    r = mk(base[:24]).reshape(4, 2, 3)
    c = mk(base[:120]).reshape(2, 3, 4, 5).contiguous(memory_format=m.channels_last)
    w = mk(base[:3]).reshape(3, 1, 1)
    b = mk(base[:4])
    s = mk(base[:5]).reshape(1, 5)
    e = m.zeros(0, 3)
    q = mk(base[:25]).reshape(5, 5)
    del g
    return {"m": m, "F": m.nn.functional, "x": x, "p": p, "r": r, "c": c, "w": w, "b": b, "s": s, "e": e, "q": q}


@pytest.mark.parametrize("expr", EXPRS)
def test_strides_and_values_match_torch(expr):
    got = eval(expr, _env(tapegrad))
    want = eval(expr, _env(torch))
    assert tuple(got.shape) == tuple(want.shape)
    assert got.stride() == want.stride(), (expr, got.stride(), want.stride())
    assert got.is_contiguous() == want.is_contiguous()
    np.testing.assert_allclose(np.array(got.tolist(), dtype=float),
                               want.double().numpy(), rtol=1e-6, atol=1e-7)


def test_large_transposed_ops_and_in_place():
    torch.manual_seed(1)
    a = torch.randn(300, 200)
    t = tapegrad.tensor(a.tolist())
    for f in (lambda v: v.t() + 1, lambda v: v.t() * v.t(), lambda v: v.t().exp(),
              lambda v: v.t().erf(), lambda v: (v.t() - v.t().mean()).tanh()):
        np.testing.assert_allclose(np.array(f(t).tolist()), f(a).numpy(), rtol=1e-5, atol=1e-6)
    u, ua = t.clone(), a.clone()
    u.t().mul_(2).add_(u.t())
    ua.t().mul_(2).add_(ua.t())
    np.testing.assert_allclose(np.array(u.tolist()), ua.numpy(), rtol=1e-6)


def test_gradient_through_transposed_results():
    torch.manual_seed(2)
    a = torch.randn(6, 7, dtype=torch.float64)
    g = torch.randn(7, 6, dtype=torch.float64)
    ta = tapegrad.tensor(a.tolist(), dtype=tapegrad.float64, requires_grad=True)
    ((ta.t() * ta.t()).sin() + ta.t()).backward(tapegrad.tensor(g.tolist(), dtype=tapegrad.float64))
    wa = a.clone().requires_grad_()
    ((wa.t() * wa.t()).sin() + wa.t()).backward(g)
    np.testing.assert_allclose(np.array(ta.grad.tolist()), wa.grad.numpy(), rtol=1e-12)
    assert ta.grad.stride() == wa.grad.stride()


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
@pytest.mark.parametrize("dims", [(0,), (0, 1), (-3,)])
def test_amax_amin_over_leading_dims(dtype, dims):
    torch.manual_seed(3)
    a = torch.randn(5, 4, 700)
    a[2, 1, 3] = float("nan")
    a[0, 0, 10] = float("nan")
    a[4, 3, 10] = float("inf")
    for op in ("amax", "amin"):
        for keepdim in (False, True):
            w = getattr(a.to(getattr(torch, dtype)), op)(dims, keepdim=keepdim)
            t = tapegrad.tensor(a.tolist()).to(getattr(tapegrad, dtype))
            got = getattr(t, op)(dims, keepdim=keepdim)
            assert tuple(got.shape) == tuple(w.shape)
            assert str(np.array(got.float().tolist(), dtype=np.float32)) == str(w.float().numpy())


def test_amax_leading_dims_gradient():
    torch.manual_seed(4)
    a = torch.randn(6, 5, dtype=torch.float64)
    a[3, 2] = a[1, 2]  # a tie: the gradient is shared
    ta = tapegrad.tensor(a.tolist(), dtype=tapegrad.float64, requires_grad=True)
    ta.amax(0).sum().backward()
    wa = a.clone().requires_grad_()
    wa.amax(0).sum().backward()
    np.testing.assert_allclose(np.array(ta.grad.tolist()), wa.grad.numpy())
