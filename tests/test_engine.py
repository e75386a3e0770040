"""Autograd engine semantics, each run with m=torch and m=tapegrad and compared: accumulation,
retain_graph, backward/grad arguments and their errors, hooks, retain_grad, leaf and
requires_grad bookkeeping, detach, grad modes, graph structure (next_functions, AccumulateGrad),
in-place version counters, a 100k-node chain, and importing torch and tapegrad together.
"""
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

torch = pytest.importorskip("torch", reason="the engine checks compare against torch")

from conftest import backend_name, tg  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _libs():
    return [torch, tg()]


def _plain(v):
    """Tensors (and nested containers of them) as Python values, for comparison."""
    if isinstance(v, (torch.Tensor, tg().Tensor)):
        return ("tensor", str(v.dtype).rsplit(".", 1)[-1], tuple(v.shape), v.detach().tolist())
    if isinstance(v, (list, tuple)):
        return type(v)(_plain(x) for x in v)
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    return v


def _close(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=1e-6, abs=1e-9)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_close, a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    return a == b


def same(fn):
    """fn(m) with torch and with tapegrad must return equal values (tensors compared by dtype,
    shape and values); returns torch's result."""
    ref, got = (_plain(fn(m)) for m in _libs())
    assert _close(got, ref), f"tapegrad gives {got!r}\n  torch gives {ref!r}"
    return ref


def _error(fn, m):
    try:
        fn(m)
    except Exception as err:  # noqa: BLE001 - the exception is what is compared
        return type(err).__name__, re.sub(r"\btapegrad\b", "torch", str(err))
    return None


def same_error(fn):
    """fn(m) must raise in torch, and tapegrad must raise the same type with the same message."""
    ref, got = (_error(fn, m) for m in _libs())
    assert ref is not None, "torch does not raise; the check is wrong"
    assert got == ref, f"tapegrad gives {got!r}\n  torch gives {ref!r}"


def _x(m, values=(1.0, 2.0, 3.0), rg=True):
    return m.tensor(list(values), dtype=m.float64, requires_grad=rg)


# ------------------------------------------------------------------------ backward basics


def test_grad_accumulates_over_backward_calls():
    def fn(m):
        x = _x(m)
        grads = []
        for k in range(3):
            (x * x * (k + 1)).sum().backward()
            grads.append(x.grad.clone())
        x.grad.zero_()
        (x * 3).sum().backward()
        return grads, x.grad
    same(fn)


def test_grad_accumulates_into_grad_set_to_none():
    def fn(m):
        x = _x(m)
        (x * x).sum().backward()
        x.grad = None
        (x * 5).sum().backward()
        return x.grad
    same(fn)


def test_retain_graph_allows_second_backward():
    def fn(m):
        x = _x(m)
        y = (x * x).sum()
        y.backward(retain_graph=True)
        y.backward()
        return x.grad
    same(fn)


def test_second_backward_without_retain_graph_raises():
    def fn(m):
        x = _x(m)
        y = (x * x).sum()
        y.backward()
        y.backward()
    same_error(fn)


def test_second_grad_without_retain_graph_raises():
    def fn(m):
        x = _x(m)
        y = (x.exp() * x).sum()
        m.autograd.grad(y, x)
        m.autograd.grad(y, x)
    same_error(fn)


def test_backward_non_scalar_without_gradient_raises():
    same_error(lambda m: (_x(m) * 2).backward())


def test_backward_without_grad_fn_raises():
    same_error(lambda m: _x(m, rg=False).sum().backward())


def test_backward_on_leaf_without_grad_raises():
    same_error(lambda m: m.tensor(1.0).backward())


def test_backward_with_gradient_vector():
    def fn(m):
        x = _x(m)
        y = x * x
        y.backward(gradient=m.tensor([1.0, 0.5, -2.0], dtype=m.float64))
        return x.grad
    same(fn)


def test_backward_gradient_positional_on_matrix():
    def fn(m):
        x = m.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        (x @ x).backward(m.ones(2, 2))
        return x.grad
    same(fn)


def test_backward_gradient_shape_mismatch_raises():
    same_error(lambda m: (_x(m) * 2).backward(m.ones(2, dtype=m.float64)))


def test_backward_inputs_argument():
    def fn(m):
        a, b = _x(m), _x(m, (4.0, 5.0, 6.0))
        (a * b).sum().backward(inputs=[a])
        first = (a.grad, b.grad)
        (a * b * b).sum().backward(inputs=b)
        return first, a.grad, b.grad
    same(fn)


def test_backward_of_leaf_itself():
    def fn(m):
        x = _x(m)
        x.backward(m.ones(3, dtype=m.float64))
        return x.grad
    same(fn)


# ------------------------------------------------------------------------- autograd.grad


def test_grad_returns_tuple_and_leaves_grad_alone():
    def fn(m):
        x = _x(m)
        g = m.autograd.grad((x * x).sum(), x)
        return type(g).__name__, len(g), g[0], x.grad
    same(fn)


def test_grad_allow_unused_true():
    def fn(m):
        a, b = _x(m), _x(m, (4.0, 5.0, 6.0))
        ga, gb = m.autograd.grad((a * 2).sum(), [a, b], allow_unused=True)
        return ga, gb
    same(fn)


def test_grad_allow_unused_false_raises():
    def fn(m):
        a, b = _x(m), _x(m, (4.0, 5.0, 6.0))
        m.autograd.grad((a * 2).sum(), [a, b])
    same_error(fn)


def test_grad_of_input_not_requiring_grad_raises():
    def fn(m):
        a, b = _x(m), _x(m, rg=False)
        m.autograd.grad((a * 2).sum(), [a, b])
    same_error(fn)


def test_grad_create_graph_second_derivative():
    def fn(m):
        x = _x(m)
        (g,) = m.autograd.grad((x ** 3).sum(), x, create_graph=True)
        (gg,) = m.autograd.grad(g.sum(), x)
        return g.requires_grad, g, gg  # 3x^2, 6x
    ref = same(fn)
    assert ref[2][3] == [6.0, 12.0, 18.0]


def test_grad_create_graph_third_derivative_via_backward():
    def fn(m):
        x = _x(m)
        (g,) = m.autograd.grad((x ** 4).sum(), x, create_graph=True)
        (gg,) = m.autograd.grad(g.sum(), x, create_graph=True)
        gg.sum().backward()
        return g, gg, x.grad  # 4x^3, 12x^2, 24x
    same(fn)


def test_grad_without_create_graph_is_constant():
    def fn(m):
        x = _x(m)
        (g,) = m.autograd.grad((x ** 3).sum(), x)
        return g.requires_grad, g.grad_fn is None
    same(fn)


def test_grad_outputs_argument():
    def fn(m):
        x = _x(m)
        return m.autograd.grad(x * x, x, grad_outputs=m.ones(3, dtype=m.float64) * 2)
    same(fn)


# ------------------------------------------------------------------ retain_grad and hooks


def test_retain_grad_on_non_leaf():
    def fn(m):
        x = _x(m)
        h = x * 2
        h.retain_grad()
        (h * h).sum().backward()
        return h.retains_grad, h.grad, x.grad
    same(fn)


def test_non_leaf_grad_is_none_without_retain_grad():
    def fn(m):
        x = _x(m)
        h = x * 2
        (h * h).sum().backward()
        return h.retains_grad, x.retains_grad, x.grad
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same(fn)

        def non_leaf_grad(m):
            x = _x(m)
            h = x * 2
            h.sum().backward()
            return h.grad
        same(non_leaf_grad)


def test_hook_on_leaf_modifies_grad():
    def fn(m):
        x = _x(m)
        seen = []

        def hook(g):
            seen.append(g.clone())
            return g * 10
        handle = x.register_hook(hook)
        (x * x).sum().backward()
        first = x.grad.clone()
        handle.remove()
        x.grad = None
        (x * x).sum().backward()
        return seen, first, x.grad
    same(fn)


def test_hook_on_non_leaf_modifies_upstream():
    def fn(m):
        x = _x(m)
        h = x * 3
        seen = []

        def hook(g):
            seen.append(g.clone())
            return g + 1
        h.register_hook(hook)
        (h * h).sum().backward()
        return seen, x.grad
    same(fn)


def test_hook_returning_none_keeps_grad_and_remove():
    def fn(m):
        x = _x(m)
        h = x * 3
        calls = []
        handle = h.register_hook(lambda g: calls.append(g.tolist()))
        (h * h).sum().backward(retain_graph=True)
        handle.remove()
        (h * h).sum().backward()
        return calls, x.grad
    same(fn)


def test_register_hook_on_tensor_without_grad_raises():
    same_error(lambda m: _x(m, rg=False).register_hook(lambda g: g))


# ------------------------------------------------------------------------ leaf bookkeeping


def test_leaf_flags_and_requires_grad_propagation():
    def fn(m):
        a, c = _x(m), _x(m, rg=False)
        b = a * 2
        d = c * 2
        e = b + d
        return [(t.is_leaf, t.requires_grad, t.grad_fn is None) for t in (a, b, c, d, e)]
    same(fn)


def test_detach_shares_storage_and_cuts_graph():
    def fn(m):
        x = _x(m)
        h = x * 2
        d = h.detach()
        with m.no_grad():
            d[0] = 100.0
        return d.is_leaf, d.requires_grad, d.grad_fn is None, h
    same(fn)


def test_detach_in_place():
    def fn(m):
        x = _x(m)
        h = x * 2
        out = h.detach_()
        return out is h, h.is_leaf, h.requires_grad, h.grad_fn is None
    same(fn)


def test_requires_grad_in_place():
    def fn(m):
        x = m.ones(2, 2)
        out = x.requires_grad_()
        y = (x * 3).sum()
        y.backward()
        back = x.requires_grad_(False)
        return out is x, back is x, x.requires_grad, x.grad
    same(fn)


def test_requires_grad_on_non_leaf_off_raises():
    same_error(lambda m: (_x(m) * 2).requires_grad_(False))


def test_integer_tensor_cannot_require_grad():
    same_error(lambda m: m.tensor([1, 2, 3], requires_grad=True))


def test_integer_tensor_requires_grad_in_place_raises():
    same_error(lambda m: m.tensor([1, 2, 3]).requires_grad_())


# ------------------------------------------------------------------------------ grad modes


def test_no_grad_context():
    def fn(m):
        x = _x(m)
        with m.no_grad():
            y = x * 2
            inside = m.is_grad_enabled()
        return y.requires_grad, y.grad_fn is None, inside, m.is_grad_enabled()
    same(fn)


def test_enable_grad_inside_no_grad():
    def fn(m):
        x = _x(m)
        with m.no_grad():
            with m.enable_grad():
                y = x * 2
            z = x * 2
        return y.requires_grad, z.requires_grad
    same(fn)


def test_set_grad_enabled_context_and_call():
    def fn(m):
        x = _x(m)
        with m.set_grad_enabled(False):
            a = x * 2
            with m.set_grad_enabled(True):
                b = x * 2
            c = x * 2
        m.set_grad_enabled(False)
        d = x * 2
        m.set_grad_enabled(True)
        e = x * 2
        return [t.requires_grad for t in (a, b, c, d, e)]
    same(fn)


def test_grad_mode_decorators_nested():
    def fn(m):
        x = _x(m)

        @m.enable_grad()
        def inner():
            return x * 2, m.is_grad_enabled()

        @m.no_grad()
        def outer():
            y, flag = inner()
            return y, flag, x * 2, m.is_grad_enabled()

        @m.set_grad_enabled(False)
        def off():
            return x * 3

        y, flag, z, after = outer()
        return y.requires_grad, flag, z.requires_grad, after, off().requires_grad, \
            m.is_grad_enabled()
    same(fn)


def test_no_grad_bare_decorator():
    def fn(m):
        x = _x(m)

        @m.no_grad
        def f():
            return x * 2
        return f().requires_grad
    same(fn)


def test_grad_mode_restored_after_exception():
    def fn(m):
        try:
            with m.no_grad():
                raise KeyError("boom")
        except KeyError:
            pass
        return m.is_grad_enabled()
    same(fn)


# ------------------------------------------------------------------------- graph structure


def _fn_names(node):
    return [None if n is None else type(n).__name__ for n, _ in node.next_functions]


def test_next_functions_structure():
    def fn(m):
        a, b = _x(m), _x(m, rg=False)
        y = (a * b + a.exp()).sum()
        add = y.grad_fn.next_functions[0][0]
        mul, exp = (n for n, _ in add.next_functions)
        return (type(y.grad_fn).__name__, _fn_names(y.grad_fn), _fn_names(add), _fn_names(mul),
                _fn_names(exp), [i for _, i in y.grad_fn.next_functions],
                isinstance(y.grad_fn.next_functions, tuple))
    same(fn)


def test_accumulate_grad_variable_is_leaf():
    for m in _libs():
        a = _x(m)
        y = a * 2
        acc = y.grad_fn.next_functions[0][0]
        assert type(acc).__name__ == "AccumulateGrad", m.__name__
        assert acc.variable is a, m.__name__


def test_call_grad_fn_by_hand():
    def fn(m):
        a, b = _x(m), _x(m, (4.0, 5.0, 6.0))
        y = a * b
        out = y.grad_fn(m.ones(3, dtype=m.float64))
        return out
    same(fn)


def test_grad_fn_repr():
    for m in _libs():
        y = _x(m) * 2
        assert re.fullmatch(r"<MulBackward0 object at 0x[0-9a-f]+>", repr(y.grad_fn)), \
            (m.__name__, repr(y.grad_fn))
        assert y.grad_fn.name() == "MulBackward0", m.__name__


# --------------------------------------------------------------------------------- in-place


def test_in_place_on_leaf_requiring_grad_raises():
    same_error(lambda m: _x(m).add_(1.0))


def test_in_place_on_leaf_under_no_grad_bumps_version():
    def fn(m):
        x = _x(m)
        v0 = x._version
        with m.no_grad():
            x.add_(1.0)
            x.mul_(2.0)
        (x * x).sum().backward()
        return v0, x._version, x.is_leaf, x.requires_grad, x.grad, x
    same(fn)


def test_in_place_on_saved_tensor_raises_at_backward():
    def fn(m):
        x = _x(m)
        h = x * 2
        y = h * h
        h.add_(1.0)
        y.sum().backward()
    same_error(fn)


# ---------------------------------------------------------------------------------- scale


@pytest.mark.parametrize("op", ["mul", "add"])
def test_long_chain_backward_and_free(op):
    """A 100,000-node chain: backward must not recurse (stack overflow) and freeing the graph
    must not either. Only tapegrad runs it; the expected gradient is known in closed form."""
    m = tg()
    n = 100_000
    x = m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True)
    y = x
    for _ in range(n):
        y = y * 1.0000001 if op == "mul" else y + 0
    y.sum().backward()
    expect = 1.0000001 ** n if op == "mul" else 1.0
    assert x.grad.tolist() == pytest.approx([expect, expect], rel=1e-9)
    del y  # frees the whole chain
    z = x
    for _ in range(n):
        z = z * 1.0000001 if op == "mul" else z + 0
    del z  # never backward()ed: freed with its graph intact
    assert x.grad.tolist() == pytest.approx([expect, expect], rel=1e-9)


@pytest.mark.parametrize("order", ["torch, tapegrad", "tapegrad, torch"])
def test_import_order(order):
    if backend_name() == "torch":
        pytest.skip("imports tapegrad by name")
    code = (f"import {order}\n"
            "a = tapegrad.tensor([1.0, 2.0], requires_grad=True)\n"
            "(a * a).sum().backward()\n"
            "b = torch.tensor([1.0, 2.0], requires_grad=True)\n"
            "(b * b).sum().backward()\n"
            "assert a.grad.tolist() == b.grad.tolist() == [2.0, 4.0], (a.grad, b.grad)\n"
            "print('ok')\n")
    # The child imports the same tapegrad this process tests (installed or the dev tree).
    import tapegrad
    pkg_parent = os.path.dirname(os.path.dirname(os.path.abspath(tapegrad.__file__)))
    env = {**os.environ, "PYTHONPATH": pkg_parent}
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, timeout=120, cwd=ROOT)
    assert res.returncode == 0 and res.stdout.strip() == "ok", res.stderr[-2000:]
