"""The gradient bridge (tapegrad.bridge), custom autograd Functions, tapegrad.testing and
tapegrad.autograd.gradcheck, each checked against torch computing the same thing."""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the bridge is checked against torch")
import tapegrad  # noqa: E402
from tapegrad import bridge  # noqa: E402
from tapegrad.testing import assert_close, compare_with_torch  # noqa: E402

import crosscheck as cc  # noqa: E402
from opcases import CASES  # noqa: E402
from opcases.base import differentiable  # noqa: E402


def _rand(*shape, dtype=torch.float64, seed=0, rg=True):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g, dtype=dtype).requires_grad_(rg)


# ---- to_torch_function ----

def test_to_torch_function_several_inputs_outputs_and_args():
    def f(a, b, scale, c):
        return (a * b).sin() * scale, (a + c).exp().sum(0)

    a, b, c = _rand(3, 4), _rand(3, 4, seed=1), _rand(4, seed=2, rg=False)
    F = bridge.to_torch_function(f)
    y1, y2 = F(a, b, 2.5, c)
    r1, r2 = f(a, b, 2.5, c)  # the same code run by torch
    assert isinstance(y1, torch.Tensor) and y1.requires_grad
    assert torch.allclose(y1, r1) and torch.allclose(y2, r2)
    g1, g2 = _rand(3, 4, seed=3, rg=False), _rand(4, seed=4, rg=False)
    got = torch.autograd.grad((y1, y2), (a, b), (g1, g2))
    ref = torch.autograd.grad((r1, r2), (a, b), (g1, g2))
    for x, r in zip(got, ref):
        assert torch.allclose(x, r)


def test_to_torch_function_unused_output_and_no_grad_inputs():
    F = bridge.to_torch_function(lambda a, b: (a * 2, b * 3))
    a, b = _rand(3), _rand(3, seed=1, rg=False)
    y1, y2 = F(a, b)
    assert not y2.requires_grad
    y1.sum().backward()  # y2 unused: its gradient is None
    assert torch.equal(a.grad, torch.full((3,), 2.0, dtype=torch.float64))
    assert b.grad is None


def test_to_torch_function_single_output_and_integer_output():
    F = bridge.to_torch_function(lambda a: a.max(0))
    a = _rand(3, 4)
    vals, idx = F(a)
    assert idx.dtype == torch.int64 and not idx.requires_grad
    vals.sum().backward()
    ref = a.detach().clone().requires_grad_()
    ref.max(0)[0].sum().backward()
    assert torch.equal(a.grad, ref.grad)


def test_to_torch_function_no_grad_needed_anywhere():
    F = bridge.to_torch_function(lambda a: a.exp())
    a = _rand(3, rg=False)
    y = F(a)
    assert not y.requires_grad and torch.allclose(y, a.exp())


def _float64_only(c):
    # Samples with a fixed lower-precision float input (mixed-dtype promotion cases) cannot be
    # judged by finite differences; every other case runs in float64.
    args = [cc.as_arg(x) for x in c.inputs]
    return all(not isinstance(a, cc.Arg) or a.dtype in (None, "float64")
               or a.kind in ("int", "bool") for a in args)


def _gradcheck_cases():
    out = []
    for c in CASES:
        if (c.gradcheck and c.grad and "float64" in c.dtypes and _float64_only(c)
                and differentiable(c)):
            out.append(pytest.param(c, id=c.id))
    return out


@pytest.mark.parametrize("c", _gradcheck_cases())
def test_torch_gradcheck_through_to_torch_function(c):
    """torch.autograd.gradcheck passes through to_torch_function on every differentiable op
    case (float64)."""
    specs = [cc.as_arg(x) for x in c.inputs]
    samples = cc.draw(specs, np.random.default_rng(0))
    xs = cc.build_inputs(torch, specs, samples, "float64", True)
    F = bridge.to_torch_function(lambda *a: c.fn(tapegrad, *a))
    assert torch.autograd.gradcheck(F, tuple(xs), eps=1e-6, atol=1e-5, rtol=1e-3)


# ---- from_torch_function ----

def test_from_torch_function_inside_a_tapegrad_graph():
    tlin = torch.nn.Linear(4, 3).double()
    F = bridge.from_torch_function(tlin)
    x = tapegrad.from_torch(_rand(5, 4, rg=False).clone()).requires_grad_()
    y = F(x.tanh())
    assert y.grad_fn is not None
    (y * y).sum().backward()
    # The same computation all in torch.
    xt = torch.from_dlpack(x.detach()).clone().requires_grad_()
    tlin2 = torch.nn.Linear(4, 3).double()
    tlin2.load_state_dict(tlin.state_dict())
    (tlin2(xt.tanh()) ** 2).sum().backward()
    assert torch.allclose(torch.from_dlpack(x.grad), xt.grad)
    assert torch.allclose(tlin.weight.grad, tlin2.weight.grad)
    assert torch.allclose(tlin.bias.grad, tlin2.bias.grad)


def test_from_torch_function_multiple_outputs_and_args():
    F = bridge.from_torch_function(lambda a, k, b: (a * k + b, torch.argmax(a)))
    a = tapegrad.tensor([1.0, 3.0, 2.0], requires_grad=True)
    b = tapegrad.tensor([0.5, 0.5, 0.5])
    y, i = F(a, 2.0, b)
    assert i.item() == 1 and not i.requires_grad
    y.sum().backward()
    assert a.grad.tolist() == [2.0, 2.0, 2.0]
    assert b.grad is None


def test_mixed_training_torch_and_tapegrad_layers_match_pure_torch():
    torch.manual_seed(0)
    lin1, lin2 = torch.nn.Linear(6, 8), torch.nn.Linear(8, 2)
    ref1, ref2 = torch.nn.Linear(6, 8), torch.nn.Linear(8, 2)
    ref1.load_state_dict(lin1.state_dict())
    ref2.load_state_dict(lin2.state_dict())
    # Middle layer in tapegrad: its weights are tapegrad leaves, trained through TorchModule.
    w = tapegrad.from_torch(torch.randn(8, 8) * 0.3).requires_grad_()
    wt = torch.from_dlpack(w.detach()).clone().requires_grad_()
    mid = bridge.TorchModule([w], lambda h: (h @ w).relu())
    opt = torch.optim.SGD(list(lin1.parameters()) + list(mid.parameters()) +
                          list(lin2.parameters()), lr=0.1)
    ropt = torch.optim.SGD(list(ref1.parameters()) + [wt] + list(ref2.parameters()), lr=0.1)
    x, y = torch.randn(16, 6), torch.randint(0, 2, (16,))
    for _ in range(5):
        opt.zero_grad()
        ropt.zero_grad()
        loss = torch.nn.functional.cross_entropy(lin2(mid(lin1(x))), y)
        rloss = torch.nn.functional.cross_entropy(ref2((ref1(x) @ wt).relu()), y)
        loss.backward()
        rloss.backward()
        opt.step()
        ropt.step()
        assert torch.allclose(loss, rloss, atol=1e-6)
    # The torch optimizer updated the tapegrad parameter in place (shared memory).
    assert torch.allclose(torch.from_dlpack(w.detach()), wt, atol=1e-6)
    assert next(mid.parameters()).data_ptr() == w.data_ptr()


# ---- custom Functions ----

def _make_square(lib):
    class Square(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(x)
            ctx.k = k
            return x * x * k

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 2 * x * ctx.k, None

    return Square


def test_custom_function_matches_torch():
    x = _rand(3, 4)
    xt = tapegrad.from_torch(x.detach().clone()).requires_grad_()
    y = _make_square(torch).apply(x, 3.0)
    yt = _make_square(tapegrad).apply(xt, 3.0)
    assert yt.grad_fn.name() == y.grad_fn.name() == "SquareBackward"
    g = _rand(3, 4, seed=5, rg=False)
    y.backward(g)
    yt.backward(tapegrad.from_torch(g.clone()))
    assert torch.allclose(torch.from_dlpack(xt.grad), x.grad)
    assert tapegrad.autograd.gradcheck(lambda a: _make_square(tapegrad).apply(a, 3.0),
                                       (xt.detach().requires_grad_(),))


def test_custom_function_node_class_like_torch():
    """type(y.grad_fn) is a per-Function class named <Function>Backward (torch's
    Square._backward_cls), seen the same way through next_functions, with torch's repr form."""
    import re
    got = []
    for lib in (torch, tapegrad):
        sq = _make_square(lib)
        x = lib.ones(2, requires_grad=True)
        y = sq.apply(x, 2.0)
        z = y * 1
        fn = y.grad_fn
        assert z.grad_fn.next_functions[0][0] is fn
        assert type(fn) is sq._backward_cls
        assert type(fn) is not type(_make_square(lib).apply(x, 2.0).grad_fn)
        got.append((type(fn).__name__, fn.name(),
                    re.sub(r" at 0x[0-9a-f]+>$", ">", repr(fn)).split(".")[-1]))
        # torch's grad_fn is the ctx: what forward kept reads through it
        got.append((fn.k, fn.needs_input_grad, [t.tolist() for t in fn.saved_tensors]))
        y.sum().backward()
        assert type(y.grad_fn).__name__ == "SquareBackward"  # still after backward
        with pytest.raises(RuntimeError) as freed:
            fn.saved_tensors  # noqa: B018
        with pytest.raises(AttributeError) as missing:
            fn.nope  # noqa: B018
        got.append((fn.k, str(freed.value), str(missing.value)))
    assert got[0] == got[3] and got[1] == got[4] and got[2] == got[5]
    assert got[0] == ("SquareBackward", "SquareBackward", "SquareBackward object>")


def test_custom_function_wrong_gradient_count():
    class Bad(tapegrad.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, g):
            return g

    class BadT(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(RuntimeError) as ref:
        BadT.apply(torch.ones(2, requires_grad=True), torch.ones(2)).sum().backward()
    with pytest.raises(RuntimeError) as got:
        Bad.apply(tapegrad.ones(2, requires_grad=True), tapegrad.ones(2)).sum().backward()
    assert str(got.value) == str(ref.value).replace("BadTBackward", "BadBackward")


def test_custom_function_needs_input_grad_and_non_differentiable():
    seen = {}

    class F(tapegrad.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            seen["needs"] = ctx.needs_input_grad
            out, idx = x * y, (x > 0)
            ctx.mark_non_differentiable(idx)
            return out, idx

        @staticmethod
        def backward(ctx, g, gidx):
            return g, None

    a = tapegrad.ones(2, requires_grad=True)
    out, idx = F.apply(a, tapegrad.ones(2))
    assert seen["needs"] == (True, False)
    assert out.requires_grad and not idx.requires_grad


# ---- gradcheck ----

def test_gradcheck_passes_and_catches_wrong_backward():
    x = tapegrad.from_torch(_rand(4, rg=False).clone()).requires_grad_()
    assert tapegrad.autograd.gradcheck(lambda a: (a.sin() * a).sum(), (x,))
    assert tapegrad.autograd.gradgradcheck(lambda a: (a.sin() * a), (x,))

    class Wrong(tapegrad.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * a

        @staticmethod
        def backward(ctx, g):
            return g  # should be 2 * a * g

    with pytest.raises(RuntimeError, match="Jacobian mismatch for output 0 with respect to "
                                           "input 0"):
        tapegrad.autograd.gradcheck(Wrong.apply, (x,))
    assert tapegrad.autograd.gradcheck(Wrong.apply, (x,), raise_exception=False) is False


# ---- tapegrad.testing ----

@pytest.mark.parametrize("a,b", [([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]),
                                 ([1.0, 2.0, 3.0], [1.0, 2.5, 3.0]),
                                 ([[1.0, 2.0]], [[1.0, 2.0 + 1e-7]]),
                                 (4.0, 4.5)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_assert_close_matches_torch_testing(a, b, dtype):
    ta = torch.tensor(a, dtype=getattr(torch, dtype))
    tb = torch.tensor(b, dtype=getattr(torch, dtype))
    try:
        torch.testing.assert_close(ta, tb)
        ref = None
    except AssertionError as e:
        ref = str(e)
    try:
        assert_close(tapegrad.from_torch(ta), tb)
        got = None
    except AssertionError as e:
        got = str(e)
    assert got == ref


def test_assert_close_shape_and_dtype():
    with pytest.raises(AssertionError, match="shape"):
        assert_close(tapegrad.ones(2), torch.ones(3))
    with pytest.raises(AssertionError, match="dtype"):
        assert_close(tapegrad.ones(2), torch.ones(2, dtype=torch.float64))
    assert_close(tapegrad.ones(2), torch.ones(2, dtype=torch.float64), check_dtype=False)


def test_compare_with_torch_reports_and_detects():
    x = _rand(3, 4, dtype=torch.float32)
    rep = compare_with_torch(lambda m, a, b: (m.sigmoid(a) * b).sum(1), x, _rand(4, seed=1))
    assert rep.ok and len(rep.outputs) == 1 and [k for k, *_ in rep.gradients] == [0, 1]
    with pytest.raises(AssertionError, match="MISMATCH"):
        compare_with_torch(lambda m, a: a.sin() if m is tapegrad else a.cos(), x)
    # Gradient-only mismatch: the forward agrees, the backward does not.
    Wrong = type("W", (tapegrad.autograd.Function,), {
        "forward": staticmethod(lambda ctx, a: a * 2),
        "backward": staticmethod(lambda ctx, g: g * 3)})
    rep = compare_with_torch(lambda m, a: Wrong.apply(a) if m is tapegrad else a * 2, x,
                             raise_exception=False)
    assert rep.outputs[0][3] and not rep.gradients[0][3]
