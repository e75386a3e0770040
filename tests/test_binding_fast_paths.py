"""The C-level fronts of python/src/fast_paths.cpp (operator slots, METH_FASTCALL methods,
.grad, backward()) against torch: operand order, Python numbers on either side, the cases they
hand to the pybind bindings (keywords, lists, bools, huge ints), errors, identity of results."""
import numpy as np
import pytest
import torch

import tapegrad as tg


def both(fn):
    """Runs fn(lib) for torch and tapegrad; returns both results (or the exception types)."""
    out = []
    for lib in (torch, tg):
        try:
            out.append(fn(lib))
        except Exception as e:  # noqa: BLE001 - the type is what is compared
            out.append(type(e))
    return out


def same(a, b):
    if isinstance(a, type):
        assert a is b, (a, b)
        return
    if isinstance(a, torch.Tensor):
        assert isinstance(b, tg.Tensor)
        assert a.dtype.__repr__() == b.dtype.__repr__(), (a.dtype, b.dtype)
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6, atol=1e-7)
        return
    assert a == b, (a, b)


VALUES = [lambda L: L.tensor([1.5, -2.0, 3.0]), lambda L: L.tensor([1, 2, 3]),
          lambda L: L.tensor(2.5), lambda L: L.tensor([True, False, True])]
OTHERS = [2, 2.5, -3, True, 2 ** 70, None, "a", [1.0, 2.0, 3.0]]


@pytest.mark.parametrize("vi", range(len(VALUES)))
@pytest.mark.parametrize("other", OTHERS, ids=repr)
@pytest.mark.parametrize("op", ["+", "-", "*", "/", "**"])
def test_binary_operators_with_python_values(vi, other, op):
    for expr in (f"x {op} o", f"o {op} x"):
        ra, rb = both(lambda L: eval(expr, {"x": VALUES[vi](L), "o": other}))
        same(ra, rb)


@pytest.mark.parametrize("op", ["+", "-", "*", "/"])
def test_tensor_tensor_broadcast_and_dtypes(op):
    for a, b in [((3, 1), (1, 4)), ((), (2, 3)), ((0, 3), (3,))]:
        ra, rb = both(lambda L: eval(f"x {op} y", {
            "x": L.ones(a, dtype=L.float64) * 3, "y": L.arange(1, 1 + int(np.prod(b)), dtype=L.float32).reshape(b)}))
        same(ra, rb)
    ra, rb = both(lambda L: eval(f"x {op} y", {"x": L.ones(2, 3), "y": L.ones(4)}))
    same(ra, rb)  # shape mismatch: RuntimeError in both


def test_reflected_number_operand_order_in_graph():
    # torch computes 2 * x as x * 2: the tensor's edge comes first.
    for lib in (torch, tg):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x ** 2
        fns = [type(f).__name__ if f is not None else None for f, _ in (2 * y).grad_fn.next_functions]
        assert fns == ["PowBackward0", None], (lib.__name__, fns)
        fns = [type(f).__name__ if f is not None else None for f, _ in (2 + y).grad_fn.next_functions]
        assert fns == ["PowBackward0", None], (lib.__name__, fns)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fast_methods_match_torch_with_gradients(dtype):
    rng = np.random.default_rng(0)
    data = rng.standard_normal((3, 4))
    up = rng.standard_normal((3, 4))
    res = {}
    for lib in (torch, tg):
        x = lib.tensor(data, dtype=getattr(lib, dtype), requires_grad=True)
        y = (x.sin() * x.exp() + x.tanh()).sigmoid() - x.mul(2.0).add(x)
        z = -y / 3
        z.backward(lib.tensor(up, dtype=getattr(lib, dtype)))
        s = (x * x).sum() + x.mean()
        s.backward()
        res[lib] = (z.detach().numpy(), x.grad.numpy().copy())
    tol = 1e-6 if dtype == "float32" else 1e-12
    for a, b in zip(res[torch], res[tg]):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def test_methods_with_arguments_reach_the_full_binding():
    for fn in (lambda L, x: x.sum(0), lambda L, x: x.sum(dim=1, keepdim=True),
               lambda L, x: x.mean((0, 1)), lambda L, x: x.sum(dtype=L.float64),
               lambda L, x: x.add(x, alpha=2), lambda L, x: x.mul(other=x),
               lambda L, x: x.exp(1), lambda L, x: x.zero_(1), lambda L, x: x.sin(out=None)):
        ra, rb = both(lambda L: fn(L, L.arange(6.0).reshape(2, 3)))
        same(ra, rb)


def test_inplace_operators_return_self_and_check_versions():
    for lib in (torch, tg):
        x = lib.ones(3)
        ident = id(x)
        x += 2
        x *= lib.tensor([1.0, 2.0, 3.0])
        x -= 1
        x /= 2
        assert id(x) == ident
        assert x.tolist() == [1.0, 2.5, 4.0]
        leaf = lib.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError):
            leaf += 1
        with pytest.raises(TypeError):
            x += "a"


def test_grad_property_identity_and_setter():
    for lib in (torch, tg):
        x = lib.ones(2, requires_grad=True)
        assert x.grad is None
        (x * 3).sum().backward()
        g = x.grad
        assert g is x.grad
        assert x.grad.zero_() is g and g.tolist() == [0.0, 0.0]
        x.grad = lib.full((2,), 5.0)
        assert x.grad.tolist() == [5.0, 5.0]
        with pytest.raises(RuntimeError):
            x.grad = lib.ones(3)
        del x.grad
        assert x.grad is None


def test_backward_errors_and_arguments():
    ra, rb = both(lambda L: L.ones(3, requires_grad=True).mul(2).backward())
    same(ra, rb)  # non-scalar without gradient: RuntimeError
    ra, rb = both(lambda L: L.ones(3).sum().backward())
    same(ra, rb)
    for lib in (torch, tg):
        x = lib.ones(2, requires_grad=True)
        y = (x * x).sum()
        y.backward(retain_graph=True)
        y.backward(inputs=[x])
        assert x.grad.tolist() == [4.0, 4.0]
        with pytest.raises(RuntimeError):
            y2 = (x * x).sum()
            y2.backward()
            y2.backward()


def test_subclass_instances_use_the_fast_paths():
    p = tg.nn.Parameter(tg.ones(2))
    q = torch.nn.Parameter(torch.ones(2))
    same((q * 2 + 1).sum(), (p * 2 + 1).sum())
    assert type(p * 2) is tg.Tensor


def test_empty_numpy_array_is_contiguous_and_writable():
    for lib in (torch, tg):
        t = lib.tensor(np.zeros((0, 3)))
        assert t.is_contiguous()
        t.add_(1)
        assert tuple(t.shape) == (0, 3)
