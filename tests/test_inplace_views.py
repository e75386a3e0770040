"""In-place writes into views of tensors in the graph, against torch: the base's CopySlices and
its next_functions, the view's regenerated grad_fn (AsStridedBackward0), gradients to the base's
history and to the other operand (random upstream gradient, float64 and float32), gradcheck and
gradgradcheck through CopySlices, version counters shared by views, views of views, setitem
(basic and advanced indices), and torch's errors (view of a leaf, view made under no_grad,
overlapping memory, detach_ of a view). Dry-run on torch with TAPEGRAD_TEST_BACKEND=torch.
"""
import pytest

pytest.importorskip("torch", reason="the cross-checks compare against torch, which is missing")

import numpy as np  # noqa: E402

import crosscheck as cc  # noqa: E402
from crosscheck import const, mask, randn  # noqa: E402


def _graph(t):
    """Node names of t's graph, breadth first, with each node's next_functions names."""
    if t.grad_fn is None:
        return []
    out, seen, queue, keep = [], set(), [t.grad_fn], []
    while queue:
        node = queue.pop(0)
        keep.append(node)  # a freed wrapper's id may be reused by the next one
        if id(node) in seen:
            continue
        seen.add(id(node))
        nxt = [(None if n is None else type(n).__name__, nr) for n, nr in node.next_functions]
        out.append((type(node).__name__, nxt))
        queue.extend(n for n, _ in node.next_functions if n is not None)
    return out


def check_graph(fn, *inputs, label):
    """Every output's graph (names and next_functions, recursively) is torch's."""
    torch, m = cc.reference(), cc.tg()
    specs = [cc.as_arg(x) for x in inputs]
    samples = cc.draw(specs, np.random.default_rng(0))
    _, ref = cc.run_in(torch, fn, specs, samples, "float64", True)
    _, got = cc.run_in(m, fn, specs, samples, "float64", True)
    for k, (g, r) in enumerate(zip(got, ref)):
        assert _graph(g) == _graph(r), f"{label}: graph of output {k}"


# ---- cases: fn(m, x, y) with x a leaf; h = x * 2 (or a clone) is written through a view ----

def _select_mul(m, x, y):
    h = x.clone()
    v = h[0]
    v.mul_(2)
    return h, v


def _select_mul_tensor(m, x, y):
    h = x * 1.5
    v = h[1]
    v.mul_(y)
    return h, v


def _col_iadd(m, x, y):
    h = x.clone()
    h[:, 1] += y
    return h


def _slice_setitem(m, x, y):
    h = x.clone()
    h[1:3] = y
    return h


def _flat_zero(m, x, y):
    h = x.clone()
    v = h.view(-1)[2]
    v.zero_()
    return h, v


def _t_add(m, x, y):
    h = x.clone()
    v = h.t()
    v.add_(y)
    return h, v


def _diag_mul(m, x, y):
    h = x.clone()
    d = h.diagonal()
    d.mul_(y)
    return h, d


def _as_strided_add(m, x, y):
    h = x * 1
    a = h.as_strided((2, 2), (1, 4), 1)
    a.add_(y[:2, :2])
    return h, a


def _view_of_view(m, x, y):
    h = x.clone()
    v = h[1]
    w = v[1:]
    w.mul_(y)
    return h, v, w


def _other_view_regenerated(m, x, y):
    h = x.clone()
    a = h[0]
    b = h[1:]
    b.exp_()
    return h, a, b, a * 3


def _base_inplace_view_regenerated(m, x, y):
    h = x.clone()
    a = h[0]
    h.mul_(y)
    return h, a, a.sin()


def _no_grad_base(m, x, y):
    z = m.zeros(3, 4, dtype=y.dtype)
    v = z[1:]
    v.add_(y)
    return z, v


def _stale_view_of_plain_base(m, x, y):
    z = m.zeros(3, 4, dtype=y.dtype)
    v = z[1:]  # made before z joins the graph
    z[0].add_(y[0])
    assert not v.is_leaf  # asking regenerates v's grad_fn (torch's check alone would not)
    v.mul_(y[1:])
    return z, v


def _chain(m, x, y):
    h = x.clone()
    h[0].mul_(y[0])
    h[:, 2].sub_(y[:, 1])
    h.t()[1].clamp_(-0.5, 0.5)
    h[1:, 1:].div_(2)
    return h


def _fill_view_tensor(m, x, y):
    h = x.clone()
    h[1].fill_(y[0, 0])
    return h


def _copy_nc(m, x, y):
    h = x.clone()
    h[:, ::2].copy_(y[:, :2])
    return h


def _setitem_scalar(m, x, y):
    h = x * y
    h[0] = 2.0
    h[:, 1] = 0.5
    return h


def _setitem_full(m, x, y):
    h = x.clone()
    h[:] = y[0]
    return h


def _setitem_leading_ones(m, x, y):
    h = x.clone()
    h[:] = y[0:1]
    h[1:] = y[0:1].unsqueeze(0)
    h[0] = y[1].unsqueeze(0)
    return h


def _setitem_fill_all(m, x, y):
    h = x.clone()
    h[...] = 1.5
    return h


def _setitem_index(m, x, y, i):
    h = x.clone()
    h[i] = y[:2]
    return h


def _setitem_mask(m, x, y, k):
    h = x * 1
    h[k] = 0.0
    return h


def _setitem_index_leading_ones(m, x, y, i):
    h = x.clone()
    h[i] = y[0:1]
    return h


def _setitem_mixed(m, x, y, i):
    h = x.clone()
    h[0, i] = y[0, :2]
    return h


def _then_use(m, x, y):
    h = x.clone()
    s = h * 3  # saves nothing that the write changes
    h[0].mul_(y[0])
    return h + s


def _exp_view_then_reuse(m, x, y):
    h = x * 1
    v = h[1:]
    v.exp_()
    return (h[1:] * y).sum(), v * y


CASES = [
    ("select_mul_scalar", _select_mul, randn(3, 4), randn(3, 4)),
    ("select_mul_tensor", _select_mul_tensor, randn(3, 4), randn(4)),
    ("col_iadd", _col_iadd, randn(3, 4), randn(3)),
    ("slice_setitem", _slice_setitem, randn(4, 3), randn(2, 3)),
    ("flat_zero", _flat_zero, randn(3, 4), randn(3, 4)),
    ("t_add", _t_add, randn(3, 4), randn(4, 3)),
    ("diag_mul", _diag_mul, randn(3, 3), randn(3)),
    ("as_strided_add", _as_strided_add, randn(3, 4), randn(3, 4)),
    ("view_of_view", _view_of_view, randn(3, 4), randn(3)),
    ("other_view_regenerated", _other_view_regenerated, randn(3, 4), randn(3, 4)),
    ("base_inplace_view_regenerated", _base_inplace_view_regenerated, randn(3, 4), randn(4)),
    ("no_grad_base", _no_grad_base, randn(3, 4, rg=False), randn(2, 4)),
    ("stale_view_of_plain_base", _stale_view_of_plain_base, randn(3, 4, rg=False),
     randn(3, 4)),
    ("chain", _chain, randn(3, 4), randn(3, 4)),
    ("fill_view_tensor", _fill_view_tensor, randn(3, 4), randn(3, 4)),
    ("copy_nc", _copy_nc, randn(3, 4), randn(3, 4)),
    ("setitem_scalar", _setitem_scalar, randn(3, 4), randn(3, 4)),
    ("setitem_full", _setitem_full, randn(3, 4), randn(3, 4)),
    ("setitem_fill_all", _setitem_fill_all, randn(3, 4), randn(3, 4)),
    ("setitem_leading_ones", _setitem_leading_ones, randn(3, 4), randn(3, 4)),
    ("then_use", _then_use, randn(3, 4), randn(3, 4)),
    ("exp_view_then_reuse", _exp_view_then_reuse, randn(3, 4), randn(2, 4)),
]
INDEX_CASES = [
    ("setitem_index", _setitem_index, randn(4, 3), randn(3, 3), const([0, 2])),
    ("setitem_mask", _setitem_mask, randn(3, 4), randn(3, 4), mask(3, 4)),
    ("setitem_index_leading_ones", _setitem_index_leading_ones, randn(4, 3), randn(3, 3),
     const([0, 2])),
    ("setitem_mixed", _setitem_mixed, randn(3, 4), randn(3, 4), const([3, 1])),
]
ALL = CASES + INDEX_CASES
SECOND_ORDER = {"select_mul_tensor", "col_iadd", "t_add", "diag_mul", "view_of_view",
                "other_view_regenerated", "chain", "stale_view_of_plain_base", "setitem_index",
                "exp_view_then_reuse"}


def _params(cases):
    return [pytest.param(c, id=c[0]) for c in cases]


@pytest.mark.parametrize("c", _params(ALL))
def test_crosscheck(c):
    cid, fn, *inputs = c
    cc.check(fn, *inputs, label=cid)


@pytest.mark.parametrize("c", _params(ALL))
def test_graph(c):
    cid, fn, *inputs = c
    check_graph(fn, *inputs, label=cid)


@pytest.mark.parametrize("c", _params(ALL))
def test_gradcheck(c):
    cid, fn, *inputs = c
    cc.gradcheck(fn, *inputs, label=cid)


@pytest.mark.parametrize("c", _params([c for c in ALL if c[0] in SECOND_ORDER]))
def test_gradgradcheck(c):
    cid, fn, *inputs = c
    cc.gradgradcheck(fn, *inputs, label=cid)


# ---- versions, bases, leaf-ness ----

def test_version_counter_shared_by_views(tg):
    x = tg.ones(3, 4, requires_grad=True).clone()
    v, w = x[0], x.t()[1:]
    assert (x._version, v._version, w._version) == (0, 0, 0)
    v.mul_(2)
    assert (x._version, v._version, w._version) == (1, 1, 1)
    w.add_(1)
    assert (x._version, v._version, w._version) == (2, 2, 2)
    assert v._base is x and w._base is x and w[0]._base is x


def test_inplace_returns_the_view(tg):
    x = tg.ones(3, 4, requires_grad=True).clone()
    v = x[1]
    assert v.mul_(3) is v
    assert type(v.grad_fn).__name__ == "AsStridedBackward0"
    assert v.grad_fn.next_functions[0][0] is x.grad_fn


def test_retain_graph_needed_through_copyslices(tg):
    torch = cc.reference()
    for m in (torch, tg):
        x = m.ones(2, 3, dtype=m.float64, requires_grad=True)
        y = m.full((3,), 2.0, dtype=m.float64, requires_grad=True)
        h = x * 1
        h[0].mul_(y)
        h.sum().backward(retain_graph=True)
        h.sum().backward()
        assert x.grad.tolist() == [[4.0, 4.0, 4.0], [2.0, 2.0, 2.0]]
        assert y.grad.tolist() == [2.0, 2.0, 2.0]
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            h.sum().backward()


def _retained(m):
    w = m.tensor([1., 2., 3.])
    l = m.tensor([1., 2., 3.], requires_grad=True)
    h = l * 1
    h.retain_grad()
    h.mul_(3)
    (h * w).sum().backward()
    out = [h.grad.tolist(), l.grad.tolist()]
    l.grad = None
    x = l * 1
    v = x[1:]
    v.retain_grad()
    v.mul_(2)
    (x * w).sum().backward()
    return out + [v.grad, l.grad.tolist()]


def test_retain_grad_follows_inplace(tg):
    """.grad of a retained tensor is the gradient of its value after the write (None for a
    view, whose history moved to its base), as in torch."""
    assert _retained(tg) == _retained(cc.reference())


def _no_grad_view_facts(m, base_is_leaf):
    x = m.ones(2, 3, requires_grad=True)
    if not base_is_leaf:
        x = x * 2
    with m.no_grad():
        v = x[0]
        w = v[1:]
    return [(t.requires_grad, t.grad_fn is None, t.is_leaf, t._base is x) for t in (v, w)]


@pytest.mark.parametrize("base_is_leaf", [True, False])
def test_no_grad_view_facts(tg, base_is_leaf):
    assert _no_grad_view_facts(tg, base_is_leaf) == \
        _no_grad_view_facts(cc.reference(), base_is_leaf)


def test_no_grad_view_gradient_dropped(tg):
    """torch: a no_grad view of a leaf requires grad but has no accumulator of its own."""
    torch = cc.reference()
    res = []
    for m in (torch, tg):
        x = m.ones(2, 3, requires_grad=True)
        with m.no_grad():
            w = x[0]
        (w * 2).sum().backward()
        res.append((w.grad is None, x.grad is None))
    assert res[1] == res[0]


def test_detached_view_inplace_not_tracked(tg):
    torch = cc.reference()
    res = []
    for m in (torch, tg):
        x = m.ones(2, 3, requires_grad=True) * 2
        d = x[0].detach()
        d.mul_(5)
        res.append((d._base is None, type(x.grad_fn).__name__, x.tolist()))
    assert res[1] == res[0]


def test_late_requires_grad_on_base(tg):
    torch = cc.reference()
    res = []
    for m in (torch, tg):
        d = m.zeros(3)
        v = d[0:2]
        d.requires_grad_()
        res.append((v.requires_grad, v.grad_fn is None, v.is_leaf))
    assert res[1] == res[0]


def test_inplace_under_no_grad_regenerates_views(tg):
    torch = cc.reference()
    res = []
    for m in (torch, tg):
        x = m.ones(2, 3, requires_grad=True).clone()
        v = x[1]
        with m.no_grad():
            x[1].mul_(2)
        res.append((cc.grad_fn_name(v), cc.grad_fn_name(x)))
    assert res[1] == res[0]


# ---- errors ----

def _view_of_leaf(m, x, y):
    x[0].mul_(2)


def _view_of_leaf_setitem(m, x, y):
    x[1:] = y[1:]


def _no_grad_view(m, x, y):
    h = x * 2
    with m.no_grad():
        v = h[0]
    v.mul_(2)


def _no_grad_view_of_leaf(m, x, y):
    with m.no_grad():
        v = x[0]
    v.add_(1)


def _no_grad_view_of_view(m, x, y):
    h = x * 2
    with m.no_grad():
        v = h[0]
    v[1:].zero_()


def _stale_view_written(m, x, y):
    z = m.zeros(3, 4)
    v = z[1:]  # made before z joins the graph; its grad_fn not asked for since
    z[0].add_(y[0])
    v.mul_(y[1:])


def _no_grad_view_base_written(m, x, y):
    h = x * 2
    with m.no_grad():
        v = h[0]
    h[1].mul_(2)
    return v.grad_fn


def _no_grad_view_base_written_no_grad(m, x, y):
    h = x * 2
    with m.no_grad():
        v = h[0]
        h[1].mul_(2)
    return v * y[0]


def _no_grad_view_written_no_grad(m, x, y):
    with m.no_grad():
        w = x[0]
        w.mul_(2)
    return w.is_leaf


def _overlap(m, x, y):
    h = x[0].clone().expand(3, 4)
    h.mul_(2)


def _overlap_no_grad(m, x, y):
    with m.no_grad():
        x[:1].expand(3, 4).mul_(2)


def _saved_then_written(m, x, y):
    h = x.clone()
    s = h.sin()  # saves h
    h[0].mul_(y[0])
    m.autograd.grad((h + s).sum(), x)


def _detach_view_(m, x, y):
    (x * 2)[0].detach_()


ERRORS = [_view_of_leaf, _view_of_leaf_setitem, _no_grad_view, _no_grad_view_of_leaf,
          _no_grad_view_of_view, _stale_view_written, _no_grad_view_base_written,
          _no_grad_view_base_written_no_grad, _no_grad_view_written_no_grad, _overlap,
          _overlap_no_grad, _saved_then_written, _detach_view_]


@pytest.mark.parametrize("fn", ERRORS, ids=lambda f: f.__name__.strip("_"))
def test_errors(fn):
    cc.check_raises(fn, randn(3, 4), randn(3, 4), label=fn.__name__)


def test_fill_of_expanded_view_allowed(tg):
    torch = cc.reference()
    res = []
    for m in (torch, tg):
        x = m.ones(2, 3)
        x[:1].expand(4, 3).fill_(5.0)
        x[1:].expand(2, 3).zero_()
        res.append(x.tolist())
    assert res[1] == res[0]


def test_no_grad_view_inplace_allowed_under_no_grad(tg):
    torch = cc.reference()
    res = []
    for m in (torch, tg):
        x = m.ones(2, 3, requires_grad=True)
        with m.no_grad():
            v = x[0]
            v.mul_(3)
        res.append((x.tolist(), x.is_leaf, x.grad_fn is None))
    assert res[1] == res[0]


def _printed(m):
    l = m.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    x = l.clone()
    v = x[0]
    v.mul_(2)
    with m.no_grad():
        w = l[1]
    z = l.clone()
    z.fill_(m.tensor(3.))
    names = (x.grad_fn.name(), x.grad_fn.next_functions[0][0].next_functions[0][0].name(),
             repr(x.grad_fn).split(" object")[0], repr(v.grad_fn).split(" object")[0])
    return [str(x), str(v), str(w), str(x[...]), str(z), names]


def _printed_invalid(m):
    h = m.tensor([1.0, 2.0], requires_grad=True) * 2
    with m.no_grad():
        v = h[1:]
    h[0].mul_(2)
    return [str(v), v.requires_grad]


def test_printing_invalid_grad_fn(tg):
    assert _printed_invalid(tg) == _printed_invalid(cc.reference())


def test_printing_and_names(tg):
    assert _printed(tg) == _printed(cc.reference())
