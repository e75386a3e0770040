"""grad_fn._saved_* (what graph drawers such as torchviz's show_saved read): for each expression,
the tensor-valued saved attributes torch lists, with equal values, and torch's error once
backward freed them; _raw_saved_* objects. Every op's scalar attributes (_saved_dim,
_saved_alpha, ...) are compared in tests/test_saved_attrs_opcases.py."""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="compared against torch")
import tapegrad  # noqa: E402

EXPRS = ["a * b", "a * c", "a / b", "a.exp()", "a.sin()", "a.log()", "a.tanh()", "a.sigmoid()",
         "a.sqrt()", "a.relu()", "a.abs()", "a ** 2", "a ** b", "m @ m.t()", "m.mm(m.t())",
         "m.mv(a)", "a.dot(b)", "a.softmax(0)", "a.log_softmax(0)", "a.clamp(0, 1)",
         "a.maximum(b)", "a + b", "a - b",
         "m.unsqueeze(0).bmm(m.t().unsqueeze(0))"]


def _inputs(lib):
    a = lib.tensor([0.5, 1.5, 2.5], requires_grad=True)
    b = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    c = lib.tensor([1.0, 2.0, 3.0])
    m = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    return {"a": a, "b": b, "c": c, "m": m}


def _tensor_saved(fn, lib):
    out = {}
    for name in dir(fn):
        if not name.startswith("_saved_") or "sym_" in name:
            continue
        v = getattr(fn, name)
        if v is None or isinstance(v, lib.Tensor):
            out[name] = None if v is None else v.tolist()
    return out


@pytest.mark.parametrize("expr", EXPRS)
def test_saved_tensors_match_torch(expr):
    ref = eval(expr, {}, _inputs(torch)).grad_fn  # noqa: S307
    got = eval(expr, {}, _inputs(tapegrad)).grad_fn  # noqa: S307
    assert got.name() == ref.name()
    g, r = _tensor_saved(got, tapegrad), _tensor_saved(ref, torch)
    assert g.keys() == r.keys()
    for k in r:
        assert (g[k] is None) == (r[k] is None), k
        if r[k] is not None:
            np.testing.assert_allclose(g[k], r[k], rtol=1e-6, err_msg=k)


def test_saved_after_backward_raises_like_torch():
    msgs = []
    for lib in (torch, tapegrad):
        y = lib.tensor([1.0, 2.0], requires_grad=True).exp()
        y.sum().backward()
        with pytest.raises(RuntimeError) as e:
            y.grad_fn._saved_result  # noqa: B018
        msgs.append(str(e.value))
        with pytest.raises(AttributeError):
            y.grad_fn._saved_nothing  # noqa: B018
    assert msgs[0] == msgs[1]


def test_raw_saved_like_torch():
    """_raw_saved_<name> gives one SavedTensor object per saved tensor (a tuple for
    IndexBackward0's indices); registering hooks on it is not supported by tapegrad."""
    for lib in (torch, tapegrad):
        a = lib.tensor([0.5, 1.5, 2.5], requires_grad=True)
        raw = (a * a).grad_fn._raw_saved_self
        assert type(raw).__name__ == "SavedTensor"
        idx = a[lib.tensor([0, 2])].grad_fn._raw_saved_indices
        assert isinstance(idx, tuple) and len(idx) == 1
        assert type(idx[0]).__name__ == "SavedTensor"
        with pytest.raises(AttributeError):
            (a * 2.0).exp().grad_fn._raw_saved_self  # noqa: B018  (ExpBackward0 keeps result)
    with pytest.raises(NotImplementedError, match="hooks on saved tensors"):
        raw.register_hooks(lambda t: t, lambda t: t)


@pytest.mark.parametrize("call", [
    lambda m, x, y: m.rsub(x, y), lambda m, x, y: m.rsub(x, y, alpha=2.5),
    lambda m, x, y: m.rsub(x, y, alpha=3), lambda m, x, y: y.__rsub__(x),
    lambda m, x, y: m.rsub(y, x)])
def test_rsub_of_two_tensors_records_rsub_backward0(call):
    """torch.rsub(input, other) records RsubBackward0 (input first), not sub's SubBackward0."""
    import numpy as np
    rng = np.random.default_rng(0)
    a, b, g = rng.standard_normal(3), rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    res = {}
    for m in (torch, tapegrad):
        x = m.tensor(a, requires_grad=True)
        y = m.tensor(b, requires_grad=True)
        z = call(m, x, y)
        z.backward(m.tensor(g))
        res[m] = (type(z.grad_fn).__name__, z.grad_fn._saved_alpha,
                  [type(f).__name__ for f, _ in z.grad_fn.next_functions],
                  z.detach().numpy(), x.grad.numpy(), y.grad.numpy())
    t, o = res[torch], res[tapegrad]
    assert o[:3] == t[:3]
    for u, v in zip(o[3:], t[3:]):
        np.testing.assert_allclose(u, v, rtol=1e-12, atol=1e-12)
