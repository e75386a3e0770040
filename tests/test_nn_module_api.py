"""nn.Module behaviour against torch: registration (parameters, buffers, submodules) and its
errors, traversal order and names, train/eval, state_dict keys/order/metadata and
load_state_dict results and error text, to(dtype), zero_grad, apply, requires_grad_, forward
hooks, containers' indexing and mutation, Parameter semantics.
Dry-run on torch with TAPEGRAD_TEST_BACKEND=torch.
"""
import copy
import re

import pytest

pytest.importorskip("torch", reason="the cross-checks compare against torch, which is missing")

import crosscheck as cc  # noqa: E402


def both(fn):
    """fn(m) for torch and for the module under test: (torch result, our result)."""
    return fn(cc.reference()), fn(cc.tg())


def same_error(fn):
    results = []
    for lib in (cc.reference(), cc.tg()):
        with pytest.raises(Exception) as info:
            fn(lib)
        results.append((type(info.value).__name__,
                        re.sub(r"\btapegrad\b", "torch", str(info.value))))
    assert results[1] == results[0]


def net(m):
    n = m.nn

    class Net(n.Module):
        def __init__(self):
            super().__init__()
            self.conv = n.Conv2d(1, 2, 3)
            self.body = n.Sequential(n.Linear(4, 5), n.ReLU(), n.Linear(5, 3, bias=False))
            self.register_buffer("running", m.zeros(3))
            self.register_buffer("scratch", m.ones(2), persistent=False)
            self.scale = n.Parameter(m.ones(1))
            self.heads = n.ModuleList([n.Linear(3, 2), n.LayerNorm(2)])
            self.empty = None

        def forward(self, x):
            return self.heads[1](self.heads[0](self.body(x) * self.scale + self.running))
    return Net()


def shapes(named):
    return [(k, tuple(v.shape)) for k, v in named]


# ------------------------------------------------------------------------------ traversal


def test_named_parameters_buffers_modules_match_torch():
    t, g = both(net)
    assert shapes(g.named_parameters()) == shapes(t.named_parameters())
    assert shapes(g.named_parameters(prefix="model")) == shapes(t.named_parameters(prefix="model"))
    assert shapes(g.named_parameters(recurse=False)) == shapes(t.named_parameters(recurse=False))
    assert shapes(g.named_buffers()) == shapes(t.named_buffers())
    assert [k for k, _ in g.named_modules()] == [k for k, _ in t.named_modules()]
    assert [k for k, _ in g.named_children()] == [k for k, _ in t.named_children()]
    assert [type(c).__name__ for c in g.children()] == [type(c).__name__ for c in t.children()]
    assert len(list(g.parameters())) == len(list(t.parameters()))
    assert len(list(g.modules())) == len(list(t.modules()))
    assert [k for k, _ in g.named_modules(prefix="p")] == \
        [k for k, _ in t.named_modules(prefix="p")]


def test_shared_modules_and_parameters_are_deduplicated():
    def make(m):
        lin = m.nn.Linear(2, 2)
        s = m.nn.Sequential(lin, m.nn.ReLU(), lin)
        return ([k for k, _ in s.named_parameters()], [k for k, _ in s.named_modules()],
                [k for k, _ in s.named_parameters(remove_duplicate=False)],
                [k for k, _ in s.named_modules(remove_duplicate=False)],
                list(s.state_dict().keys()))
    t, g = both(make)
    assert g == t


def test_parameter_is_a_tensor_subclass():
    m = cc.tg()
    data = m.randn(2, 3)
    p = m.nn.Parameter(data)
    assert isinstance(p, m.Tensor) and isinstance(p, m.nn.Parameter)
    assert p.requires_grad and p.is_leaf and p.grad_fn is None
    assert not data.requires_grad, "the data tensor itself is left alone"
    assert p.data_ptr() == data.data_ptr(), "Parameter shares the data's storage, as torch's"
    assert type(p.requires_grad_()) is m.nn.Parameter
    assert type(p.detach()) is m.Tensor and type(p * 2) is m.Tensor
    assert not m.nn.Parameter(data, requires_grad=False).requires_grad
    assert tuple(m.nn.Parameter().shape) == (0,)
    q = copy.deepcopy(p)
    assert type(q) is m.nn.Parameter and q.tolist() == p.tolist() and q.data_ptr() != p.data_ptr()
    (p * p).sum().backward()
    assert p.grad.tolist() == (data * 2).tolist()


def test_parameter_format_matches_torch():
    """format() of a 0-d Parameter is its repr (torch formats only plain 0-d tensors as their
    value), and a format spec on a Parameter is a TypeError."""
    def fn(m):
        out = [f"{m.nn.Parameter(m.tensor(-0.1))}", f"{m.tensor(-0.1)}",
               f"{m.nn.Parameter(m.ones(2))}"]
        try:
            f"{m.nn.Parameter(m.tensor(1.5)):.2f}"
        except TypeError as e:
            out.append(str(e))
        return out
    ref, got = both(fn)
    assert got == ref


def test_buffer_marker():
    def make(m):
        class M(m.nn.Module):
            def __init__(self):
                super().__init__()
                self.a = m.nn.Buffer(m.ones(2))
                self.b = m.nn.Buffer(m.zeros(1), persistent=False)
        mod = M()
        return [k for k, _ in mod.named_buffers()], list(mod.state_dict().keys())
    t, g = both(make)
    assert g == t


# --------------------------------------------------------------------------- registration


@pytest.mark.parametrize("fn", [
    lambda m: m.nn.Module(3),
    lambda m: m.nn.Module(x=1),
    lambda m: m.nn.Module().register_buffer("a.b", m.zeros(1)),
    lambda m: m.nn.Module().register_buffer("", m.zeros(1)),
    lambda m: m.nn.Module().register_buffer(3, m.zeros(1)),
    lambda m: m.nn.Module().register_buffer("x", [1.0]),
    lambda m: m.nn.Module().register_buffer("training", m.zeros(1)),
    lambda m: m.nn.Module().register_parameter("w", m.zeros(2)),
    lambda m: m.nn.Parameter(m.tensor([1, 2])),
    lambda m: m.nn.Parameter([1.0]),
    lambda m: m.nn.Module().register_parameter("a.b", m.nn.Parameter(m.zeros(1))),
    lambda m: m.nn.Module().register_parameter("", None),
    lambda m: m.nn.Module().register_parameter(
        "w", m.nn.Parameter(m.zeros(2)) * 2),
    lambda m: m.nn.Module().add_module("x", 3),
    lambda m: m.nn.Module().add_module("a.b", m.nn.ReLU()),
    lambda m: m.nn.Module().add_module("", m.nn.ReLU()),
    lambda m: setattr(m.nn.Linear(2, 2), "weight", m.zeros(2, 2)),
    lambda m: setattr(m.nn.Sequential(m.nn.ReLU()), "0", 5),
    lambda m: setattr(m.nn.BCELoss(weight=m.ones(2)), "weight", 5),
    lambda m: m.nn.Linear(2, 2).nonexistent,
    lambda m: m.nn.Module()(1),
    lambda m: m.nn.Module().train("yes"),
    lambda m: m.nn.Linear(2, 2).to(m.int64),
    lambda m: m.nn.Sequential(m.nn.ReLU())[3],
    lambda m: m.nn.ModuleList([m.nn.ReLU()])[-2],
    lambda m: m.nn.ModuleList().extend(3),
    lambda m: m.nn.Linear(2, 2).get_submodule("foo"),
    lambda m: m.nn.Conv2d(3, 4, 3, groups=2),
    lambda m: m.nn.Conv2d(2, 3, 3, groups=2),
    lambda m: m.nn.Conv2d(2, 4, 3, stride=2, padding="same"),
])
def test_registration_errors_match_torch(fn):
    same_error(fn)


@pytest.mark.parametrize("kwargs", [{"padding": "full"}, {"padding_mode": "zero"}])
def test_conv_choice_errors_match_torch(kwargs):
    # torch prints the valid choices as a Python set, whose order changes with the string hash
    # seed of each process: compare the set's members, not its order.
    def parsed(lib):
        with pytest.raises(ValueError) as info:
            lib.nn.Conv2d(2, 4, 3, **kwargs)
        msg = str(info.value)
        head, rest = msg.split("{", 1)
        members, tail = rest.split("}", 1)
        return head, sorted(members.split(", ")), tail
    assert parsed(cc.tg()) == parsed(cc.reference())


def test_setattr_moves_between_kinds_like_torch():
    def make(m):
        mod = m.nn.Module()
        mod.x = m.nn.Parameter(m.ones(1))
        kinds = [sorted(mod._parameters)]
        mod.x = None  # stays a (None) parameter
        kinds.append(sorted(mod._parameters))
        del mod.x
        mod.x = m.nn.ReLU()
        kinds.append((sorted(mod._parameters), sorted(mod._modules)))
        mod.x = m.nn.Parameter(m.ones(1))
        kinds.append((sorted(mod._parameters), sorted(mod._modules)))
        mod.register_buffer("b", m.ones(1))
        mod.b = m.zeros(2)  # a tensor assigned to a buffer name replaces the buffer
        kinds.append((sorted(mod._buffers), tuple(mod.b.shape)))
        mod.plain = 3
        kinds.append(("plain" in mod.__dict__, sorted(mod._parameters)))
        del mod.b
        kinds.append(sorted(mod._buffers))
        return kinds
    t, g = both(make)
    assert g == t


def test_assigning_a_plain_tensor_attribute_is_not_a_parameter():
    def make(m):
        mod = m.nn.Module()
        mod.t = m.ones(2)
        return list(mod.state_dict().keys()), len(list(mod.parameters()))
    t, g = both(make)
    assert g == t == ([], 0)


# ---------------------------------------------------------------------------- state dict


def test_state_dict_keys_order_metadata_match_torch():
    t, g = both(net)
    ts, gs = t.state_dict(), g.state_dict()
    assert shapes(gs.items()) == shapes(ts.items())
    assert gs._metadata == ts._metadata
    assert all(not v.requires_grad for v in gs.values())
    assert list(g.state_dict(prefix="m.").keys()) == list(t.state_dict(prefix="m.").keys())
    kept = g.state_dict(keep_vars=True)
    assert kept["scale"] is g.scale


def test_state_dict_round_trip_from_torch_values():
    torch, m = cc.reference(), cc.tg()
    t, g = net(torch), net(m)
    sd = {k: cc.make_tensor(m, cc.to_numpy(v), "float32") for k, v in t.state_dict().items()}
    result = g.load_state_dict(sd)
    assert repr(result) == repr(t.load_state_dict(t.state_dict())) == \
        "<All keys matched successfully>"
    for k, v in g.state_dict().items():
        assert v.tolist() == t.state_dict()[k].tolist(), k
    x = torch.randn(2, 4)
    out_t = t(x)
    out_g = g(cc.make_tensor(m, cc.to_numpy(x), "float32"))
    cc.assert_close(cc.to_numpy(out_g), cc.to_numpy(out_t), "float32", "forward after load")


def _load(m, strict, mutate):
    mod = net(m)
    sd = mod.state_dict()
    mutate(m, sd)
    return mod.load_state_dict(sd, strict=strict)


MUTATIONS = {
    "missing": lambda m, sd: (sd.pop("scale"), sd.pop("body.0.bias")),
    "unexpected": lambda m, sd: sd.update({"extra": m.ones(1), "body.9.weight": m.ones(1),
                                            "heads.0.foo": m.ones(1)}),
    "both": lambda m, sd: (sd.pop("running"), sd.update({"nope": m.ones(1)})),
    "shape": lambda m, sd: sd.update({"body.0.weight": m.ones(3, 3)}),
    "not_tensor": lambda m, sd: sd.update({"scale": [1.0]}),
}


@pytest.mark.parametrize("kind", list(MUTATIONS))
def test_load_state_dict_strict_errors_match_torch(kind):
    same_error(lambda m: _load(m, True, MUTATIONS[kind]))


@pytest.mark.parametrize("kind", ["missing", "unexpected", "both"])
def test_load_state_dict_non_strict_result_matches_torch(kind):
    t, g = both(lambda m: _load(m, False, MUTATIONS[kind]))
    assert g.missing_keys == t.missing_keys and g.unexpected_keys == t.unexpected_keys
    assert repr(g) == repr(t)
    assert type(g).__name__ == type(t).__name__ == "_IncompatibleKeys"


def test_load_state_dict_rejects_non_mapping():
    same_error(lambda m: m.nn.Linear(2, 2).load_state_dict([1, 2]))


def test_load_state_dict_copies_into_existing_parameters():
    m = cc.tg()
    lin = m.nn.Linear(2, 3)
    w = lin.weight
    lin.load_state_dict({"weight": m.ones(3, 2), "bias": m.zeros(3)})
    assert lin.weight is w and w.tolist() == [[1.0, 1.0]] * 3 and w.requires_grad


# -------------------------------------------------------------------- modes and conversion


def test_train_eval_propagate():
    t, g = both(lambda m: [mod.training for mod in net(m).eval().modules()] +
                [mod.training for mod in net(m).train().modules()])
    assert g == t
    m = cc.tg()
    n = net(m)
    n.eval()
    n.body.train()
    assert not n.training and n.body.training and n.body[0].training and not n.heads.training


def test_to_dtype_keeps_parameter_identity():
    m = cc.tg()
    n = net(m)
    params = list(n.parameters())
    n.scale.grad = m.ones(1)
    assert n.to(m.float64) is n
    assert [p is q for p, q in zip(n.parameters(), params)] == [True] * len(params)
    assert all(p.dtype == m.float64 and type(p) is m.nn.Parameter for p in n.parameters())
    assert n.running.dtype == m.float64 and n.scale.grad.dtype == m.float64
    n.float()
    assert all(p.dtype == m.float32 for p in n.parameters())
    n.double()
    assert n.body[0].weight.dtype == m.float64
    assert n.to(dtype=m.float32).conv.weight.dtype == m.float32
    assert n.to("cpu") is n


def test_zero_grad_apply_requires_grad_():
    m = cc.tg()
    lin = m.nn.Linear(3, 2)
    lin(m.randn(4, 3)).sum().backward()
    lin.zero_grad(set_to_none=False)
    assert lin.weight.grad.tolist() == [[0.0] * 3] * 2
    lin.zero_grad()
    assert lin.weight.grad is None and lin.bias.grad is None
    seen = []
    assert lin.apply(lambda mod: seen.append(type(mod).__name__)) is lin
    s = m.nn.Sequential(m.nn.Linear(1, 1), m.nn.Sequential(m.nn.ReLU()))
    s.apply(lambda mod: seen.append(type(mod).__name__))
    assert seen == ["Linear", "Linear", "ReLU", "Sequential", "Sequential"]
    assert lin.requires_grad_(False) is lin
    assert not any(p.requires_grad for p in lin.parameters())


# -------------------------------------------------------------------------------- hooks


def test_forward_hooks_like_torch():
    def run(m):
        lin = m.nn.Linear(2, 2)
        calls = []

        def pre(mod, args):
            calls.append(("pre", type(mod).__name__, len(args)))
            return (args[0] * 0,)

        def post(mod, args, out):
            calls.append(("post", tuple(out.shape)))
            return out + 1

        def post_kw(mod, args, kwargs, out):
            calls.append(("post_kw", sorted(kwargs)))

        def first(mod, args):
            calls.append(("first",))
        h1 = lin.register_forward_pre_hook(pre)
        h2 = lin.register_forward_hook(post)
        h3 = lin.register_forward_hook(post_kw, with_kwargs=True)
        h4 = lin.register_forward_pre_hook(first, prepend=True)
        y = lin(m.ones(3, 2))
        with m.no_grad():
            lin.bias.zero_()
        z = lin(m.ones(3, 2))
        for h in (h1, h2, h3, h4):
            h.remove()
        h1.remove()  # removing twice is harmless
        w = lin(m.zeros(1, 2))
        return calls, tuple(y.shape), z.tolist(), w.tolist()
    t, g = both(run)
    assert g == t


def test_forward_pre_hook_with_kwargs_and_context_manager():
    def run(m):
        class Scale(m.nn.Module):
            def forward(self, x, factor=1.0):
                return x * factor

        mod = Scale()

        def pre(module, args, kwargs):
            return args, {"factor": 3.0}
        with mod.register_forward_pre_hook(pre, with_kwargs=True):
            a = mod(m.ones(2)).tolist()
        b = mod(m.ones(2), factor=2.0).tolist()
        return a, b
    t, g = both(run)
    assert g == t == ([3.0, 3.0], [2.0, 2.0])


# --------------------------------------------------------------------------- containers


def test_sequential_mutation_like_torch():
    def run(m):
        n = m.nn
        s = n.Sequential(n.Linear(1, 1), n.ReLU(), n.Tanh(), n.Sigmoid())
        out = [len(s), type(s[-1]).__name__, [type(x).__name__ for x in s[1:3]]]
        del s[1]
        out.append(list(s._modules))
        s.append(n.Identity())
        s.insert(0, n.GELU())
        s[1] = n.SiLU()
        out.append(repr(s))
        out.append(type(s.pop(0)).__name__)
        out.append(repr(s + n.Sequential(n.ReLU())))
        s.extend([n.Tanh()])
        out.append(list(s._modules))
        return out
    t, g = both(run)
    assert g == t


def test_modulelist_and_moduledict_like_torch():
    def run(m):
        n = m.nn
        ml = n.ModuleList([n.ReLU(), n.Tanh()])
        ml.append(n.Sigmoid())
        ml.insert(1, n.GELU())
        ml += [n.Identity()]
        ml[0] = n.SiLU()
        del ml[2]
        out = [repr(ml), len(ml), type(ml[-1]).__name__, repr(ml[1:3]), list(ml._modules)]
        md = n.ModuleDict({"b": n.ReLU()})
        md["a"] = n.Tanh()
        md.update([("c", n.Sigmoid())])
        out += [list(md.keys()), "a" in md, len(md), type(md.pop("b")).__name__, repr(md)]
        out.append([k for k, _ in n.Sequential(n.ModuleDict({"x": n.Linear(1, 1)}))
                    .named_parameters()])
        return out
    t, g = both(run)
    assert g == t


# ------------------------------------------------------------------------------- misc


def test_deepcopy_module_copies_parameters():
    m = cc.tg()
    n = net(m)
    c = copy.deepcopy(n)
    assert shapes(c.state_dict().items()) == shapes(n.state_dict().items())
    for (k, p), q in zip(n.named_parameters(), c.parameters()):
        assert type(q) is m.nn.Parameter and q is not p and q.tolist() == p.tolist(), k
        assert q.data_ptr() != p.data_ptr()


def test_get_submodule_parameter_buffer_like_torch():
    def run(m):
        n = net(m)
        return (type(n.get_submodule("body.0")).__name__,
                tuple(n.get_parameter("body.2.weight").shape),
                tuple(n.get_buffer("running").shape), n.get_submodule("") is n)
    t, g = both(run)
    assert g == t
    same_error(lambda m: net(m).get_parameter("body.0.nope"))
    same_error(lambda m: net(m).get_buffer("scale"))


def test_embedding_from_pretrained():
    def run(m):
        w = m.tensor([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])
        e = m.nn.Embedding.from_pretrained(w)
        f = m.nn.Embedding.from_pretrained(w, freeze=False, padding_idx=1)
        return (repr(e), e.weight.requires_grad, f.weight.requires_grad, repr(f),
                e(m.tensor([2, 0])).tolist())
    t, g = both(run)
    assert g == t


def test_embedding_sparse_refused_at_construction():
    """torch gives sparse=True a sparse weight.grad; tapegrad has no sparse tensors, so it
    refuses at construction instead of silently training with dense gradients."""
    if cc.backend_name() == "torch":
        pytest.skip("a tapegrad limitation: torch supports sparse gradients")
    e = cc.reference().nn.Embedding(4, 2, sparse=True)
    e(cc.reference().tensor([1, 1])).sum().backward()
    assert e.weight.grad.is_sparse  # what tapegrad cannot give
    tg = cc.tg()
    with pytest.raises(NotImplementedError, match="sparse"):
        tg.nn.Embedding(4, 2, sparse=True)
    with pytest.raises(NotImplementedError, match="sparse"):
        tg.nn.Embedding.from_pretrained(tg.ones(4, 2), sparse=True)
    with pytest.raises(NotImplementedError, match="sparse"):
        tg.nn.functional.embedding(tg.tensor([1]), tg.ones(4, 2), sparse=True)


def test_always_call_forward_hook_runs_when_forward_raises():
    def run(m):
        calls = []
        lin = m.nn.Linear(2, 2)
        lin.register_forward_hook(lambda mod, args, out: calls.append(("always", out)),
                                  always_call=True)
        lin.register_forward_hook(lambda mod, args, out: calls.append(("normal", out)))
        with pytest.raises(RuntimeError):
            lin(m.ones(3, 5))
        return calls
    t, g = both(run)
    assert g == t == [("always", None)]


# ---------------------------------------------------------------------- backward hooks


def _r(t):
    return None if t is None else [round(v, 4) for v in t.flatten().tolist()]


def _fixed_linear(m):
    lin = m.nn.Linear(3, 2)
    with m.no_grad():
        lin.weight.copy_(m.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
        lin.bias.zero_()
    return lin


def test_full_backward_hooks_like_torch():
    def run(m):
        lin, log = _fixed_linear(m), []

        def hook(mod, gi, go):
            log.append(("full", type(mod).__name__, [_r(g) for g in gi], [_r(g) for g in go]))
            return (gi[0] * 2,)

        def pre(mod, go):
            log.append(("pre", [_r(g) for g in go]))
            return (go[0] * 10,)
        h1 = lin.register_full_backward_hook(hook)
        h2 = lin.register_full_backward_pre_hook(pre)
        x = m.tensor([[1.0, -1.0, 0.5]], requires_grad=True)
        y = lin(x)
        names = [y.grad_fn.name(),
                 [f[0].name() for f in y.grad_fn.next_functions if f[0] is not None]]
        y.backward(m.tensor([[1.0, 2.0]]))
        out = [names, list(log), _r(x.grad), _r(lin.weight.grad)]
        h1.remove()
        h2.remove()
        log.clear()
        y = lin(x)
        y.sum().backward()
        return out + [y.grad_fn.name(), log]
    t, g = both(run)
    assert g == t


def test_full_backward_hook_without_input_grad_like_torch():
    import warnings

    def run(m):
        lin, log = _fixed_linear(m), []
        lin.register_full_backward_hook(lambda mod, gi, go: log.append((gi, _r(go[0]))))
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lin(m.ones(2, 3)).sum().backward()
        return log, _r(lin.bias.grad), [str(x.message)[:60] for x in w]
    t, g = both(run)
    assert g == t


def test_full_backward_hooks_in_nested_modules_like_torch():
    def run(m):
        log = []
        s = m.nn.Sequential(m.nn.Linear(2, 2), m.nn.ReLU())
        with m.no_grad():
            s[0].weight.copy_(m.tensor([[1.0, -1.0], [0.5, 2.0]]))
            s[0].bias.zero_()
        s[1].register_full_backward_hook(
            lambda mod, gi, go: log.append(("relu", [_r(g) for g in gi], [_r(g) for g in go])))
        s.register_full_backward_hook(
            lambda mod, gi, go: log.append(("seq", [_r(g) for g in gi], [_r(g) for g in go])))
        x = m.tensor([[1.0, 2.0]], requires_grad=True)
        s(x).backward(m.tensor([[3.0, 4.0]]))
        return log, _r(x.grad)
    t, g = both(run)
    assert g == t


def test_backward_hook_wrong_length_error_like_torch():
    def run(m):
        lin = _fixed_linear(m)
        lin.register_full_backward_hook(lambda mod, gi, go: (gi[0], gi[0]))
        lin(m.ones(1, 3, requires_grad=True)).sum().backward()
    same_error(run)


def test_load_state_dict_assign_like_torch():
    def run(m):
        lin = m.nn.Linear(2, 2)
        lin.register_buffer("stat", m.zeros(2))
        old = lin.weight
        sd = {"weight": m.ones(2, 2), "bias": m.zeros(2), "stat": m.full((2,), 3.0)}
        res = lin.load_state_dict(sd, assign=True)
        return (repr(res), type(lin.weight).__name__, lin.weight is old,
                lin.weight.requires_grad, lin.weight.tolist(), lin.stat.tolist(),
                lin.stat is sd["stat"], [k for k, _ in lin.named_parameters()])
    t, g = both(run)
    assert g == t
