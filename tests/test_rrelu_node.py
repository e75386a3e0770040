"""F.rrelu records torch's RreluWithNoiseBackward0 (python/tapegrad/nn/_more_functional.py):
the grad_fn name in the printed result, its saved attributes, a contiguous result for any
layout, gradients (training draws, eval's mean slope, lower == upper) and double backward
against torch, 0-d / empty / float64 inputs."""
import numpy as np
import pytest
import torch

import tapegrad


def _both(fn, x_np, dtype="float32"):
    out = []
    for m in (torch, tapegrad):
        m.manual_seed(7)
        x = m.tensor(x_np, dtype=getattr(m, dtype), requires_grad=True)
        out.append((m, x, fn(m, x)))
    return out


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("training", [False, True])
@pytest.mark.parametrize("bounds", [(1.0 / 8, 1.0 / 3), (0.2, 0.2)])
def test_rrelu_node_matches_torch(dtype, training, bounds):
    x_np = np.random.default_rng(0).standard_normal((4, 6))
    x_np[0, 0] = 0.0
    res = _both(lambda m, x: m.nn.functional.rrelu(x.t(), *bounds, training=training), x_np, dtype)
    (_, xt, rt), (_, xg, rg) = res
    assert rg.grad_fn.name() == rt.grad_fn.name() == "RreluWithNoiseBackward0"
    assert str(rg).replace("tapegrad", "torch") == str(rt)
    assert rg.stride() == rt.stride()
    for name in ("_saved_lower", "_saved_upper", "_saved_training"):
        assert getattr(rg.grad_fn, name) == getattr(rt.grad_fn, name)
    np.testing.assert_array_equal(rg.grad_fn._saved_self.detach().numpy(),
                                  rt.grad_fn._saved_self.detach().numpy())
    if training:
        np.testing.assert_array_equal(rg.grad_fn._saved_noise.numpy(), rt.grad_fn._saved_noise.numpy())
    g = np.random.default_rng(1).standard_normal(tuple(rt.shape))
    rt.backward(torch.tensor(g, dtype=rt.dtype))
    rg.backward(tapegrad.tensor(g, dtype=rg.dtype))
    np.testing.assert_allclose(xg.grad.numpy(), xt.grad.numpy(), rtol=1e-6)


def test_rrelu_double_backward_and_gradcheck():
    x_np = np.random.default_rng(2).standard_normal(10)
    for training in (False, True):
        res = _both(lambda m, x: m.nn.functional.rrelu(x, training=training), x_np, "float64")
        grads = []
        for m, x, r in res:
            g = m.ones(10, dtype=m.float64, requires_grad=True)
            (gx,) = m.autograd.grad(r, x, g, create_graph=True)
            (gg,) = m.autograd.grad(gx.sum(), g)
            grads.append((gx.detach().numpy(), gg.numpy()))
        np.testing.assert_allclose(grads[1][0], grads[0][0], rtol=1e-12)
        np.testing.assert_allclose(grads[1][1], grads[0][1], rtol=1e-12)
    x = tapegrad.randn(6, dtype=tapegrad.float64, requires_grad=True)
    assert tapegrad.autograd.gradcheck(lambda t: tapegrad.nn.functional.rrelu(t), (x,))


@pytest.mark.parametrize("shape", [(), (0,), (3, 0)])
def test_rrelu_edge_shapes(shape):
    for training in (False, True):
        res = _both(lambda m, x: m.nn.functional.rrelu(x, training=training),
                    np.full(shape, -0.5), "float32")
        (_, _, rt), (_, _, rg) = res
        assert tuple(rg.shape) == tuple(rt.shape) and rg.grad_fn.name() == rt.grad_fn.name()
        np.testing.assert_array_equal(rg.detach().numpy(), rt.detach().numpy())


def test_rrelu_without_grad_records_nothing():
    x = tapegrad.randn(3)
    assert tapegrad.nn.functional.rrelu(x).grad_fn is None
    assert tapegrad.nn.RReLU()(x).grad_fn is None


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("training", [False, True])
@pytest.mark.parametrize("bounds", [(1.0 / 8, 1.0 / 3), (0.2, 0.2)])
def test_rrelu_inplace_node_matches_torch(dtype, training, bounds):
    """rrelu_ / rrelu(inplace=True): RreluWithNoiseBackward1 on the same tensor object, saving the
    result; values, version and gradients as torch's; a leaf that requires grad is refused."""
    x_np = np.random.default_rng(2).standard_normal((3, 5))
    x_np[1, 1] = 0.0
    res = _both(lambda m, x: (lambda y: (y, m.nn.functional.rrelu(y, *bounds, training=training,
                                                                   inplace=True)))(x * 1),
                x_np, dtype)
    (_, xt, (yt, rt)), (_, xg, (yg, rg)) = res
    assert rt is yt and rg is yg
    assert rg.grad_fn.name() == rt.grad_fn.name() == "RreluWithNoiseBackward1"
    assert rg.grad_fn.next_functions[0][0].name() == "MulBackward0"
    assert rg._version == rt._version
    for name in ("_saved_lower", "_saved_upper", "_saved_training"):
        assert getattr(rg.grad_fn, name) == getattr(rt.grad_fn, name)
    np.testing.assert_array_equal(rg.grad_fn._saved_result.detach().numpy(),
                                  rt.grad_fn._saved_result.detach().numpy())
    np.testing.assert_array_equal(rg.detach().numpy(), rt.detach().numpy())
    g = np.random.default_rng(3).standard_normal((3, 5))
    rt.backward(torch.tensor(g, dtype=rt.dtype))
    rg.backward(tapegrad.tensor(g, dtype=rg.dtype))
    np.testing.assert_array_equal(xg.grad.numpy(), xt.grad.numpy())
    for m in (torch, tapegrad):
        leaf = m.randn(4, requires_grad=True)
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used"):
            m.nn.functional.rrelu(leaf, training=training, inplace=True)


def test_mark_dirty_rebases_the_input_like_torch():
    """A custom Function that writes its input in place and marks it dirty: the same object comes
    back with the Function's node as its history (edge to the input's old history), as in torch,
    and gradients flow through both."""
    results = []
    for m in (torch, tapegrad):
        class Double(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                x.mul_(2)
                ctx.mark_dirty(x)
                return x

            @staticmethod
            def backward(ctx, g):
                return g * 2

        a = m.tensor([1.0, -2.0, 3.0], requires_grad=True)
        b = a.clone()
        c = Double.apply(b)
        assert c is b
        assert type(b.grad_fn).__name__ == "DoubleBackward"
        assert b.grad_fn.next_functions[0][0].name() == "CloneBackward0"
        (b * b).sum().backward()
        results.append((a.grad.tolist(), b._version))
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            Double.apply(m.tensor([1.0], requires_grad=True))
    assert results[0] == results[1]


@pytest.mark.parametrize("case", ["rrelu", "det", "rrelu_"])
def test_saved_tensors_freed_after_backward_like_torch(case):
    """The saved tensors of the nodes written as Python Functions (rrelu's, the linalg ones)
    raise torch's error once a backward without retain_graph has run; retained, they stay
    readable; numbers and flags stay readable either way."""
    for m in (torch, tapegrad):
        for retain in (True, False):
            x = m.randn(3, 3, dtype=m.float64, requires_grad=True)
            if case == "det":
                y, tensor_attr, plain_attr = m.linalg.det(x), "_saved_A", None
            elif case == "rrelu":
                y, tensor_attr, plain_attr = (m.nn.functional.rrelu(x, training=True),
                                              "_saved_noise", "_saved_lower")
            else:
                y, tensor_attr, plain_attr = (m.nn.functional.rrelu(x * 1, training=True, inplace=True),
                                              "_saved_result", "_saved_upper")
            y.sum().backward(retain_graph=retain)
            if retain:
                assert isinstance(getattr(y.grad_fn, tensor_attr), m.Tensor)
            else:
                with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
                    getattr(y.grad_fn, tensor_attr)
            if plain_attr:
                assert isinstance(getattr(y.grad_fn, plain_attr), float)
