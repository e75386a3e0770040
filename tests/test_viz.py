"""tapegrad.viz.make_dot and torchviz-style drawers: the same expression drawn from tapegrad's
graph and from torch's graph gives the same picture (node labels, leaf names and shapes,
edges), both through make_dot (which also draws torch graphs) and through an independent
recursive walker written the way torchviz walks (next_functions, variable, _saved_*)."""
import builtins
import shutil
import sys
from collections import Counter

import numpy as np
import pytest

import tapegrad as tg
from tapegrad.viz import make_dot

torch = pytest.importorskip("torch")


def _expressions(m):
    """(name, output, params) triples; the same code runs for m=torch and m=tapegrad."""
    F = m.nn.functional
    a = m.tensor([3.0], requires_grad=True)
    yield "seed001", 5 * a ** 2, {"a": a}
    x = m.ones(3)
    w = m.tensor(np.arange(6.0).reshape(3, 2).tolist(), requires_grad=True)
    b = m.tensor([0.5, -0.5], requires_grad=True)
    yield "bce", F.binary_cross_entropy_with_logits(m.matmul(x, w) + b, m.zeros(2)), \
        {"w": w, "b": b}
    X = m.ones(4, 3)
    W1, B1 = m.ones(5, 3, requires_grad=True), m.zeros(5, requires_grad=True)
    W2 = m.ones(2, 5, requires_grad=True)
    out = F.linear(F.relu(F.linear(X, W1, B1)), W2)
    yield "mlp", F.cross_entropy(out, m.tensor([0, 1, 1, 0])), \
        [("0.weight", W1), ("0.bias", B1), ("2.weight", W2)]
    c = m.tensor([1.0, 2.0], requires_grad=True)
    s = c.sin()
    yield "diamond", (s * s.exp()).sum() + s.mean(), {"c": c}
    yield "view_output", (c * 2).unsqueeze(0).t(), {"c": c}
    yield "tuple_output", (c.tanh(), (c * c).sum()), None
    yield "mse", F.mse_loss(W1 @ X.t(), m.ones(5, 4)), {}
    img = m.tensor(np.linspace(-1, 1, 2 * 1 * 6 * 6).reshape(2, 1, 6, 6).tolist())
    K = m.tensor(np.linspace(-1, 1, 2 * 1 * 3 * 3).reshape(2, 1, 3, 3).tolist(),
                 requires_grad=True)
    G, Bn = m.ones(8, requires_grad=True), m.zeros(8, requires_grad=True)
    h = F.max_pool2d(F.gelu(F.conv2d(F.pad(img, (1, 1, 1, 1), "reflect"), K, padding=1)), 2)
    h = F.layer_norm(h.flatten(1)[:, :8], (8,), G, Bn).softmax(-1)
    yield "cnn", F.nll_loss(h.log(), m.tensor([1, 0])), [("k", K), ("g", G), ("b", Bn)]


CASES = [name for name, _, _ in _expressions(tg)]


def _case(m, name):
    return next((o, p) for n, o, p in _expressions(m) if n == name)


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("kw", [{}, {"show_attrs": True}], ids=["plain", "attrs"])
def test_make_dot_same_as_torch_graph(name, kw):
    ours = make_dot(*_case(tg, name), **kw).source
    ref = make_dot(*_case(torch, name), **kw).source
    assert ours == ref


def test_seed001_picture():
    """The picture in seed 001: a (1) -> AccumulateGrad -> PowBackward0 -> MulBackward0 -> (1)."""
    nodes, edges = _walk(*_case(tg, "seed001"))
    assert sorted(nodes.values()) == sorted(["a\n (1)", "AccumulateGrad", "PowBackward0",
                                             "MulBackward0", "\n (1)"])
    label = nodes.__getitem__
    assert sorted((label(u), label(v)) for u, v in edges) == sorted([
        ("a\n (1)", "AccumulateGrad"), ("AccumulateGrad", "PowBackward0"),
        ("PowBackward0", "MulBackward0"), ("MulBackward0", "\n (1)")])


def _walk(var, params=None, show_saved=False):
    """A drawer written the way torchviz walks a graph (recursively, keyed by id(), reading
    next_functions, variable and _saved_*): {node id: label}, [(tail, head)]."""
    names = {id(t): k for k, t in (dict(params or {})).items()}
    nodes, edges, seen = {}, [], []

    def is_tensor(v):
        return isinstance(v, (tg.Tensor, torch.Tensor))

    def size(t):
        return "(" + ", ".join("%d" % v for v in t.size()) + ")"

    def add(fn):
        if any(fn is s for s in seen):
            return
        seen.append(fn)
        if show_saved:
            for attr in dir(fn):
                if attr.startswith("_saved_") and is_tensor(getattr(fn, attr)):
                    val = getattr(fn, attr)
                    seen.append(val)
                    nodes[id(val)] = attr[7:] + "\n " + size(val)
                    edges.append((id(fn), id(val)))
        if hasattr(fn, "variable"):
            v = fn.variable
            seen.append(v)
            nodes[id(v)] = names.get(id(v), "") + "\n " + size(v)
            edges.append((id(v), id(fn)))
        nodes[id(fn)] = type(fn).__name__
        for u, _ in fn.next_functions:
            if u is not None:
                edges.append((id(u), id(fn)))
                add(u)

    for out in var if isinstance(var, tuple) else (var,):
        seen.append(out)
        nodes[id(out)] = "\n " + size(out)
        if out.grad_fn is not None:
            edges.append((id(out.grad_fn), id(out)))
            add(out.grad_fn)
    return nodes, edges


def _shape(nodes, edges):
    """The graph as label multisets (node labels, labelled edges): ids do not matter."""
    return Counter(nodes.values()), Counter((nodes[u], nodes[v]) for u, v in edges)


def _dot_shape(dot):
    labels = {n: lab for n, lab, _ in dot.nodes}
    base = {n for n, _, a in dot.nodes if a.get("fillcolor") == "darkolivegreen3"}
    edges = [(u, v) for u, v, a in dot.edges if u not in base]
    return Counter(lab for n, lab in labels.items() if n not in base), \
        Counter((labels[u], labels[v]) for u, v in edges)


@pytest.mark.parametrize("name", CASES)
def test_torchviz_style_walker(name):
    """The torchviz-style walk gives torch's graph on tapegrad, and make_dot agrees with it."""
    out, params = _case(tg, name)
    params = dict(params) if params else None
    ours = _shape(*_walk(out, params))
    tout, tparams = _case(torch, name)
    assert ours == _shape(*_walk(tout, dict(tparams) if tparams else None))
    assert ours == _dot_shape(make_dot(out, params))


def test_identity_of_nodes_and_leaves():
    """Drawers key nodes by id(): the same node must come back as the same Python object,
    and AccumulateGrad.variable must be the leaf itself (so parameter names resolve)."""
    w = tg.ones(3, requires_grad=True)
    y = (w * 2).sum()
    fn = y.grad_fn
    assert fn.next_functions[0][0] is fn.next_functions[0][0]
    acc = fn.next_functions[0][0].next_functions[0][0]
    assert type(acc).__name__ == "AccumulateGrad" and acc.variable is w
    p = tg.nn.Parameter(tg.ones(2))
    q = (p * 3).sum().grad_fn.next_functions[0][0].next_functions[0][0]
    assert q.variable is p


def test_saved_tensors_seed001_like_torch():
    """Saved tensors (orange nodes) come from grad_fn._saved_* as in torch."""
    ours = make_dot(*_case(tg, "seed001"), show_saved=True).source
    ref = make_dot(*_case(torch, "seed001"), show_saved=True).source
    assert ours == ref


@pytest.mark.parametrize("name", ["seed001", "mlp", "cnn", "diamond", "bce"])
def test_saved_tensors_like_torch(name):
    ours = make_dot(*_case(tg, name), show_saved=True, show_attrs=True).source
    ref = make_dot(*_case(torch, name), show_saved=True, show_attrs=True).source
    assert ours == ref


def test_show_saved_draws_torch_saved_tensors():
    """make_dot's saved-tensor drawing (checked on torch, whose nodes expose _saved_*)."""
    a = torch.tensor([3.0], requires_grad=True)
    dot = make_dot(5 * a ** 2, params={"a": a}, show_saved=True)
    orange = [lab for _, lab, at in dot.nodes if at.get("fillcolor") == "orange"]
    assert "self\n (1)" in orange  # PowBackward0 saves its input
    assert any(at.get("dir") == "none" for _, _, at in dot.edges)


def test_deep_graph_no_recursion_limit():
    x = tg.ones(2, requires_grad=True)
    y = x
    for _ in range(sys.getrecursionlimit() + 500):
        y = y * 1.0
    dot = make_dot(y)
    assert len(dot.nodes) == sys.getrecursionlimit() + 500 + 3


def test_dot_text_escapes_and_parses():
    a = tg.ones(2, requires_grad=True)
    src = make_dot(a.sum(), params={'we"ird\\name': a}).source
    assert 'label="we\\"ird\\\\name\\n (2)"' in src
    if shutil.which("dot"):
        svg = make_dot(a.sum(), params={'we"ird\\name': a}).pipe("svg").decode()
        assert "<svg" in svg and "SumBackward0" in svg and "AccumulateGrad" in svg


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_render_png(tmp_path):
    out, params = _case(tg, "mlp")
    path = make_dot(out, params).render(str(tmp_path / "g"), format="png")
    assert open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"


def test_clear_error_without_graphviz(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    real_import = builtins.__import__

    def no_graphviz(name, *args, **kw):
        if name == "graphviz":
            raise ImportError(name)
        return real_import(name, *args, **kw)

    monkeypatch.setattr(builtins, "__import__", no_graphviz)
    dot = make_dot((tg.ones(2, requires_grad=True) * 2).sum())
    assert "MulBackward0" in dot.source
    with pytest.raises(RuntimeError, match="needs Graphviz, which is not installed"):
        dot.pipe("svg")


def _torchviz_shape(dot):
    """Label multisets of a torchviz graph (ids are id()s, so only labels are compared)."""
    import re
    labels, edges = {}, []
    for line in dot.body:
        e = re.match(r"\s*(\d+) -> (\d+)", line)
        if e:
            edges.append(e.groups())
            continue
        n = re.match(r'\s*(\d+) \[label=("?)(.*?)\2(?: fillcolor=\w+)?\]\s*$', line, re.S)
        if n:
            labels[n.group(1)] = n.group(3)
    return Counter(labels.values()), Counter((labels[u], labels[v]) for u, v in edges)


@pytest.mark.xfail(not hasattr(tg.Tensor, "_is_view"), strict=True,
                   reason="known gap: torchviz calls Tensor._is_view(), which tapegrad lacks")
@pytest.mark.parametrize("name", ["seed001", "bce", "mlp", "diamond"])
def test_real_torchviz_draws_tapegrad_graphs(name):
    """torchviz itself (when installed) walks a tapegrad graph as it walks torch's. (torchviz
    asserts that `params` are torch tensors, so leaves are drawn unnamed here.)"""
    torchviz = pytest.importorskip("torchviz")
    ours = _torchviz_shape(torchviz.make_dot(_case(tg, name)[0]))
    ref = _torchviz_shape(torchviz.make_dot(_case(torch, name)[0]))
    assert ours == ref and sum(ours[0].values()) > 3


def _custom_function_graph(m):
    class Cube(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * g * x * x

    x = m.tensor([1.0, 2.0], requires_grad=True)
    return Cube.apply(x * 2).sum(), {"x": x}


def test_custom_function_saved_tensors_drawn_like_torch():
    """A custom Function's node is its ctx: its saved tensors are drawn (orange), as
    torchviz does, by make_dot and by torchviz itself on tapegrad graphs."""
    ours = make_dot(*_custom_function_graph(tg)).source
    ref = make_dot(*_custom_function_graph(torch)).source
    assert ours == ref and "orange" in ours
    torchviz = pytest.importorskip("torchviz")
    got = _torchviz_shape(torchviz.make_dot(_custom_function_graph(tg)[0]))
    want = _torchviz_shape(torchviz.make_dot(_custom_function_graph(torch)[0]))
    assert got == want and any("CubeBackward" in k for k in want[0])
