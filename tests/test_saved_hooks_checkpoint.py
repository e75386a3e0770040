"""autograd.graph.saved_tensors_hooks / save_on_cpu / disable_saved_tensors_hooks and
utils.checkpoint (both variants, checkpoint_sequential) against torch: gradients through hooks
that change what backward reads (so the same tensors must be saved as in torch), custom
Functions' saved tensors, nesting, torch's errors and warnings; checkpointed models' values and
gradients (float64/float32, dropout replayed from the saved RNG state), autograd.grad through a
non-reentrant checkpoint and torch's refusal for a reentrant one."""
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import crosscheck as cc  # noqa: E402
import tapegrad  # noqa: E402
from crosscheck import randn  # noqa: E402
from test_errors import assert_same_error  # noqa: E402


def G(m):
    return m.autograd.graph


# ------------------------------------------------------------------------ saved_tensors_hooks


EXPRS = {
    "mul": lambda m, x, y: x * y,
    "sin_exp": lambda m, x, y: (x.sin() * y).exp(),
    "matmul": lambda m, x, y: x @ y.t(),
    "div_pow": lambda m, x, y: (x / (y.abs() + 1)) ** 3,
    "tanh_sigmoid": lambda m, x, y: x.tanh() + y.sigmoid() * x,
    "softmax": lambda m, x, y: (x * y).softmax(-1),
}


@pytest.mark.parametrize("name", list(EXPRS))
def test_scaling_unpack_changes_gradients_like_torch(name):
    """unpack returns 2 * saved: the gradient then shows which tensors each op saved."""
    def fn(m, x, y):
        with G(m).saved_tensors_hooks(lambda t: t * 1, lambda t: 2 * t):
            return EXPRS[name](m, x, y)
    cc.check(fn, randn(3, 4), randn(3, 4))


@pytest.mark.parametrize("name", list(EXPRS))
def test_identity_and_non_tensor_packing_keep_gradients(name):
    def fn(m, x, y):
        # packed as numpy arrays: nothing of the tensor is kept, the unpack rebuilds it
        with G(m).saved_tensors_hooks(
                lambda t: (t.detach().numpy().copy(), t.dtype),
                lambda p: m.tensor(p[0], dtype=p[1])):
            a = EXPRS[name](m, x, y)
        with G(m).save_on_cpu():
            b = EXPRS[name](m, x, y)
        return a, b
    cc.check(fn, randn(3, 4), randn(3, 4))


def test_custom_function_saved_tensors_go_through_hooks():
    def fn(m, x):
        class Cube(m.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                ctx.save_for_backward(a)
                return a ** 3

            @staticmethod
            def backward(ctx, g):
                (a,) = ctx.saved_tensors
                return 3 * a * a * g
        packed = []
        with G(m).saved_tensors_hooks(lambda t: (packed.append(1), t)[1], lambda t: t + 1):
            y = Cube.apply(x)
        return y, len(packed)
    cc.check(fn, randn(4))


def test_nested_hooks_innermost_applies_and_no_version_check():
    def fn(m, x):
        with G(m).saved_tensors_hooks(lambda t: t, lambda t: 3 * t):
            with G(m).saved_tensors_hooks(lambda t: t, lambda t: t):
                y = x.sin()
            z = x.cos()
        return y, z
    cc.check(fn, randn(5))

    # what pack kept is the hooks' business: no version check under hooks (torch's rule), so a
    # packed copy stays right after the original is written in place
    def inplace(m, x):
        a = x * 2
        with G(m).saved_tensors_hooks(lambda t: t.clone(), lambda t: t):
            b = a.sin()
        a.add_(1)
        return b, a
    cc.check(inplace, randn(3))


def _twice(m):
    x = m.ones(3, requires_grad=True)
    with G(m).saved_tensors_hooks(lambda t: t, lambda t: t):
        y = x.exp()
    y.sum().backward()
    y.sum().backward()


HOOK_ERRORS = {
    "unpack_not_tensor": lambda m: (lambda y: y.sum().backward())(
        _with_hooks(m, lambda t: t, lambda t: 3)),
    "pack_raises": lambda m: _with_hooks(m, lambda t: 1 / 0, lambda t: t),
    "disabled": lambda m: _disabled(m),
    "backward_twice": _twice,
}


def _with_hooks(m, pack, unpack):
    x = m.ones(3, requires_grad=True)
    with G(m).saved_tensors_hooks(pack, unpack):
        return x.sin()


def _disabled(m):
    with G(m).disable_saved_tensors_hooks("no saved tensor hooks here"):
        with G(m).saved_tensors_hooks(lambda t: t, lambda t: t):
            pass


@pytest.mark.parametrize("name", list(HOOK_ERRORS))
def test_hook_errors_like_torch(name):
    assert_same_error(HOOK_ERRORS[name])


def test_hooks_are_popped_after_the_block_and_after_errors():
    x = tapegrad.ones(3, requires_grad=True)
    try:
        with G(tapegrad).saved_tensors_hooks(lambda t: t, lambda t: 0 * t):
            raise ValueError
    except ValueError:
        pass
    y = x.exp()
    y.sum().backward()
    assert x.grad.tolist() == pytest.approx([np.e] * 3)
    assert tapegrad._C._current_saved_tensors_hooks() is None


def test_grad_fn_is_a_graph_node():
    x = tapegrad.ones(2, requires_grad=True)
    assert isinstance((x * 2).grad_fn, G(tapegrad).Node)
    assert not isinstance(x, G(tapegrad).Node)


# --------------------------------------------------------------------------------- checkpoint


def _mlp(m, dropout=0.0):
    m.manual_seed(0)
    return m.nn.Sequential(m.nn.Linear(4, 8), m.nn.Tanh(), m.nn.Dropout(dropout),
                           m.nn.Linear(8, 8), m.nn.ReLU(), m.nn.Linear(8, 3))


def _block(a, b, scale=2.0):
    return ((a @ b).sin() * scale).exp().sum(-1)


def test_checkpoint_values_and_gradients_like_torch():
    # non-reentrant: the harness's autograd.grad, gradients and values
    cc.check(lambda m, x, w: m.utils.checkpoint.checkpoint(_block, x, w, use_reentrant=False,
                                                           scale=2.0),
             randn(3, 4), randn(4, 5))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_reentrant_checkpoint_like_torch(dtype):
    # reentrant: .backward() only (autograd.grad is refused, as in torch)
    rng = np.random.default_rng(0)
    xs = [rng.standard_normal((3, 4)), rng.standard_normal((4, 5))]
    up = rng.standard_normal(3)
    res = []
    for m in (torch, tapegrad):
        dt = getattr(m, dtype)
        x, w = (m.tensor(a, dtype=dt, requires_grad=True) for a in xs)
        y = m.utils.checkpoint.checkpoint(_block, x, w, use_reentrant=True)
        assert type(y.grad_fn).__name__ == "CheckpointFunctionBackward"
        y.backward(m.tensor(up, dtype=dt))
        res.append([y.detach().numpy(), x.grad.numpy(), w.grad.numpy()])
    tol = 1e-12 if dtype == "float64" else 1e-5
    for a, b in zip(*res):
        np.testing.assert_allclose(b, a, rtol=tol, atol=tol)


@pytest.mark.parametrize("reentrant", [True, False])
def test_checkpointed_model_matches_plain_model(reentrant):
    for m in (torch, tapegrad):
        net = _mlp(m).double()
        x = m.randn(5, 4, dtype=m.float64, requires_grad=True)
        plain = net(x)
        plain.sum().backward()
        ref = [p.grad.clone() for p in net.parameters()] + [x.grad.clone()]
        net.zero_grad()
        x.grad = None
        out = m.utils.checkpoint.checkpoint_sequential(net, 2, x, use_reentrant=reentrant)
        out.sum().backward()
        got = [p.grad for p in net.parameters()] + [x.grad]
        np.testing.assert_allclose(out.detach().numpy(), plain.detach().numpy(), rtol=1e-12)
        for a, b in zip(got, ref):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("reentrant", [True, False])
def test_dropout_mask_is_replayed(reentrant):
    """The recomputation draws the same dropout mask (the RNG state is saved and restored) and
    leaves the generator where the forward left it."""
    net = _mlp(tapegrad, dropout=0.5)
    x = tapegrad.randn(6, 4, requires_grad=True)
    tapegrad.manual_seed(7)
    out = tapegrad.utils.checkpoint.checkpoint(net, x, use_reentrant=reentrant)
    after = tapegrad.rand(1).item()
    out.sum().backward()
    got = x.grad.clone()
    tapegrad.manual_seed(7)
    x.grad = None
    plain = net(x)
    assert tapegrad.rand(1).item() == after
    plain.sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), plain.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(got.numpy(), x.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_autograd_grad_through_checkpoints():
    def fn(m, x):
        y = m.utils.checkpoint.checkpoint(lambda a: (a.sin() * a).sum(), x,
                                          use_reentrant=False)
        (g,) = m.autograd.grad(y, x, create_graph=True)
        return g
    cc.check(fn, randn(4))

    def reentrant(m):
        x = m.ones(3, requires_grad=True)
        y = m.utils.checkpoint.checkpoint(lambda a: a.sin(), x, use_reentrant=True)
        m.autograd.grad(y.sum(), x)
    assert_same_error(reentrant)


def _warnings(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        fn()
    return [(c.category.__name__, str(c.message)) for c in w]


def test_checkpoint_warnings_like_torch():
    for call in (
            lambda m: m.utils.checkpoint.checkpoint(lambda a: a * 2,
                                                    m.ones(2, requires_grad=True)),
            lambda m: m.utils.checkpoint.checkpoint(lambda a: a * 2, m.ones(2),
                                                    use_reentrant=True),
            lambda m: m.utils.checkpoint.checkpoint_sequential(
                [lambda a: a * 2, lambda a: a + 1], 2, m.ones(2, requires_grad=True))):
        assert _warnings(lambda: call(tapegrad)) == _warnings(lambda: call(torch))


CP_ERRORS = {
    "reentrant_kwargs": lambda m: m.utils.checkpoint.checkpoint(
        lambda a: a, m.ones(2, requires_grad=True), use_reentrant=True, foo=1),
    "sequential_kwargs": lambda m: m.utils.checkpoint.checkpoint_sequential(
        [lambda a: a], 1, m.ones(2), use_reentrant=False, foo=1),
    "reentrant_debug": lambda m: m.utils.checkpoint.checkpoint(
        lambda a: a, m.ones(2), use_reentrant=True, debug=True),
    "reentrant_no_output_grad": lambda m: m.utils.checkpoint.checkpoint(
        lambda a: a.detach() * 2, m.ones(2, requires_grad=True),
        use_reentrant=True).sum().backward(),
    "detach_variable_list": lambda m: m.utils.checkpoint.detach_variable([m.ones(2)]),
}


@pytest.mark.parametrize("name", list(CP_ERRORS))
def test_checkpoint_errors_like_torch(name):
    assert_same_error(CP_ERRORS[name])


def test_nondeterministic_recomputation_is_reported():
    state = {"n": 2}

    def shifty(a):
        state["n"] += 1
        return (a.repeat(state["n"]) ** 2).sum()
    x = tapegrad.ones(2, requires_grad=True)
    y = tapegrad.utils.checkpoint.checkpoint(shifty, x, use_reentrant=False)
    with pytest.raises(tapegrad.utils.checkpoint.CheckpointError,
                       match="Recomputed values for the following tensors have different "
                             "metadata"):
        y.backward()


def test_random_module_like_torch():
    for m in (torch, tapegrad):
        m.random.manual_seed(5)
        s = m.random.get_rng_state()
        with m.random.fork_rng():
            inside = m.rand(3)
        after = m.rand(3)
        m.random.set_rng_state(s)
        again = m.rand(3)
        assert inside.tolist() == after.tolist() == again.tolist()
        assert m.random.initial_seed() == 5
