"""Optimizer hooks and param-group rules against torch: the same script runs in both libraries
and records what happens (hook calls with their arguments, the results, the errors), and the two
records must be equal. Covers step pre/post hooks (per optimizer and global, new args from a pre
hook, a bad return value, removal), state_dict and load_state_dict hooks (prepend, replacement
results), named parameters in groups and state_dict, deepcopy/pickle without hooks."""
import copy
import pickle

import pytest

torch = pytest.importorskip("torch")

from crosscheck import tg  # noqa: E402


def _err(fn):
    try:
        fn()
    except Exception as e:  # the record holds the type and message
        return (type(e).__name__, str(e).replace("tapegrad", "torch"))
    return None


def _step_hooks(m):
    import importlib
    optmod = importlib.import_module(m.__name__ + ".optim.optimizer")
    rec = []
    p = m.nn.Parameter(m.tensor([1.0, 2.0]))
    opt = m.optim.SGD([p], lr=0.5)
    h_pre = opt.register_step_pre_hook(lambda o, a, k: rec.append(("pre", len(a), sorted(k))))
    opt.register_step_post_hook(lambda o, a, k: rec.append(("post", len(a), sorted(k))))
    g_pre = optmod.register_optimizer_step_pre_hook(lambda o, a, k: rec.append("gpre"))
    g_post = optmod.register_optimizer_step_post_hook(lambda o, a, k: rec.append("gpost"))
    p.grad = m.tensor([1.0, 1.0])
    rec.append(("loss", opt.step(closure=lambda: 3.0)))
    rec.append(("p", p.tolist()))
    h_pre.remove()
    g_pre.remove()
    g_post.remove()
    opt.step()

    def swap(o, a, k):  # a pre hook may hand step new arguments
        return a, {"closure": lambda: 7.0}
    h = opt.register_step_pre_hook(swap)
    rec.append(("swapped", opt.step()))
    h.remove()
    h = opt.register_step_pre_hook(lambda o, a, k: 5)
    rec.append(("bad return", _err(opt.step)[0]))
    h.remove()
    rec.append(("p", p.tolist()))
    return rec


def _state_dict_hooks(m):
    rec = []
    p = m.nn.Parameter(m.ones(2))
    opt = m.optim.SGD([p], lr=0.1, momentum=0.9)
    p.grad = m.ones(2)
    opt.step()
    opt.register_state_dict_pre_hook(lambda o: rec.append("pre1"))
    opt.register_state_dict_pre_hook(lambda o: rec.append("pre0"), prepend=True)

    def post(o, sd):
        rec.append(("post", sorted(sd)))
        sd = dict(sd)
        sd["extra"] = 1
        return sd
    opt.register_state_dict_post_hook(post)
    sd = opt.state_dict()
    rec.append(("keys", sorted(sd)))

    def lpre(o, sd):
        rec.append(("lpre", sorted(sd)))
        sd["param_groups"][0]["lr"] = 0.25
        return sd
    opt.register_load_state_dict_pre_hook(lpre)
    opt.register_load_state_dict_post_hook(lambda o: rec.append(("lpost",
                                                                 o.param_groups[0]["lr"])))
    opt.load_state_dict(sd)
    rec.append(("lr", opt.param_groups[0]["lr"]))
    c = copy.deepcopy(opt)  # hooks are not copied (torch's __getstate__ leaves them out)
    c.state_dict()
    rec.append(("copy", len(c.state), c.param_groups[0]["lr"]))
    u = pickle.loads(pickle.dumps(opt))
    p2 = u.param_groups[0]["params"][0]
    p2.grad = m.ones(2)
    u.step()
    rec.append(("unpickled step", [round(x, 6) for x in p2.tolist()]))
    return rec


def _named_params(m):
    rec = []
    a, b = m.nn.Parameter(m.ones(2)), m.nn.Parameter(m.zeros(3))
    opt = m.optim.Adam([("a", a), ("b", b)], lr=0.1)
    rec.append(("names", opt.param_groups[0]["param_names"]))
    rec.append(("add unnamed", _err(lambda: opt.add_param_group(
        {"params": [m.nn.Parameter(m.ones(1))]}))))
    rec.append(("add named", _err(lambda: opt.add_param_group(
        {"params": [("c", m.nn.Parameter(m.ones(1)))], "lr": 0.5}))))
    rec.append(("groups", [g["param_names"] for g in opt.param_groups]))
    rec.append(("mixed", _err(lambda: m.optim.SGD([("a", a), b], lr=0.1))))
    group = {"params": [a]}
    o2 = m.optim.SGD([group], lr=0.1)
    rec.append(("same dict", o2.param_groups[0] is group, sorted(group)))
    sd = opt.state_dict()
    rec.append(("sd names", [g.get("param_names") for g in sd["param_groups"]]))
    fresh = m.optim.Adam([("a", a), ("b", b)], lr=0.3)
    fresh.add_param_group({"params": [("c", m.nn.Parameter(m.ones(1)))]})
    fresh.load_state_dict(sd)
    rec.append(("loaded", [(g["lr"], g["param_names"]) for g in fresh.param_groups]))
    return rec


def _tensor_hypers(m):
    rec = []
    p = m.nn.Parameter(m.ones(2))
    for name, kw in [("SGD", dict(lr=m.tensor([0.1, 0.2]))),
                     ("RMSprop", dict(lr=m.tensor([0.1, 0.2]))),
                     ("Adam", dict(lr=m.tensor(0.01), foreach=True)),
                     ("Adam", dict(lr=0.01, betas=(0.9, m.tensor(0.99)))),
                     ("AdamW", dict(lr=0.01, betas=(m.tensor(0.9), m.tensor(0.99)),
                                    foreach=True)),
                     ("Adam", dict(lr=0.01, betas=(m.tensor([0.9, 0.8]), m.tensor(0.99)))),
                     ("Adam", dict(lr=0.01, betas=(1, 0.99))),
                     ("Adam", dict(lr=m.tensor(0.01), foreach=True, capturable=True))]:
        rec.append((name, _err(lambda: getattr(m.optim, name)([p], **kw))))
    opt = m.optim.Adam([p], lr=0.1, betas=(m.tensor([0.9]), m.tensor([0.99])))
    p.grad = m.tensor([1.0, -2.0])
    for _ in range(3):
        opt.step()
    rec.append(("tensor betas", [round(x, 6) for x in p.tolist()],
                [tuple(b.shape) for b in opt.param_groups[0]["betas"]]))
    return rec


@pytest.mark.parametrize("script", [_step_hooks, _state_dict_hooks, _named_params,
                                    _tensor_hypers])
def test_matches_torch(script):
    assert script(tg()) == script(torch)
