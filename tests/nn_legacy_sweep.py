"""torch's older module test table (torch.testing._internal.common_nn: module_tests and
get_new_module_tests()) run against tapegrad: each entry that names a torch.nn module (by
module_name and constructor_args, or by a constructor lambda, which is re-evaluated with `nn` and
`torch` bound to tapegrad) is built in both libraries with torch's parameters copied over, run on
the same input, and compared: output, and the gradients of the input and of every parameter for
the same random upstream gradient. Entries built from torch functionals (wrap_functional) are
left to the OpInfo sweep.

`python tests/nn_legacy_sweep.py` prints one line per entry that differs; tests/test_nn_legacy.py
asserts."""
from __future__ import annotations

import sys
import types

import numpy as np

TOL = {"float64": dict(rtol=1e-7, atol=1e-9), "float32": dict(rtol=1e-5, atol=1e-6)}


class Skip(Exception):
    pass


def _tg():
    import tapegrad
    return tapegrad


def entries():
    import torch.testing._internal.common_nn as cn
    out = []
    for d in cn.get_new_module_tests() + cn.module_tests:
        ctor = d.get("constructor")
        if ctor is None and "module_name" not in d:
            continue
        if ctor is not None and getattr(ctor, "__name__", "") != "<lambda>":
            continue  # wrap_functional: torch functionals inside
        name = d.get("fullname") or d["module_name"] + ("_" + d["desc"] if d.get("desc") else "")
        out.append((name, d))
    for d in cn.criterion_tests:  # (input, target) losses
        out.append((d["fullname"], dict(d, criterion=True)))
    return out


def _convert(x):
    import torch
    tg = _tg()
    if isinstance(x, torch.Tensor):
        if x.is_complex():
            raise Skip("complex dtypes")
        return tg.from_dlpack(x.detach().clone())
    if callable(x) and getattr(torch.nn.functional, getattr(x, "__name__", ""), None) is x:
        return getattr(tg.nn.functional, x.__name__)  # e.g. activation=F.gelu
    if isinstance(x, (list, tuple)):
        return type(x)(_convert(v) for v in x)
    if isinstance(x, dict):
        return {k: _convert(v) for k, v in x.items()}
    return x


def _rebound(fn, m):
    """fn (a lambda of common_nn) with its globals nn/torch/F bound to library m."""
    g = dict(fn.__globals__)
    g.update(nn=m.nn, torch=m, F=m.nn.functional)
    closure = None
    if fn.__closure__:
        closure = tuple(types.CellType(_convert(c.cell_contents) if m.__name__ == "tapegrad"
                                       else c.cell_contents) for c in fn.__closure__)
    new = types.FunctionType(fn.__code__, g, fn.__name__, fn.__defaults__, closure)
    new.__kwdefaults__ = fn.__kwdefaults__
    return new


def build(m, d):
    if "constructor" in d:
        return _rebound(d["constructor"], m)()
    args = d.get("constructor_args", ())
    if m.__name__ == "tapegrad":
        args = _convert(args)
    return getattr(m.nn, d["module_name"])(*args)


def make_input(d, seed):
    import torch
    torch.manual_seed(seed)
    if d.get("criterion"):
        x = d["input_fn"]() if "input_fn" in d else torch.randn(d["input_size"])
        t = d["target_fn"]() if "target_fn" in d else torch.randn(d["target_size"])
        return _as_tuple(x) + (t,)
    if "input_fn" in d:
        x = d["input_fn"]()
    elif "input_size" in d:
        x = torch.randn(d["input_size"], dtype=torch.float64)
    elif "input" in d:
        x = d["input"]
    else:
        raise Skip("no input")
    return x


def _as_tuple(x):
    return x if isinstance(x, tuple) else (x,)


def _np(t):
    return np.asarray(t.detach().double().tolist() if hasattr(t, "double") else t)


def check(d, seed=0):
    """None when tapegrad matches torch, else what differs."""
    import torch
    tg = _tg()
    dtype = d.get("default_dtype", torch.float64)
    old = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    tg.set_default_dtype(getattr(tg, str(dtype).split(".")[1]))
    try:
        torch.manual_seed(seed)
        ref_mod = build(torch, d)
        try:
            mod = build(tg, d)
        except Exception as e:
            return f"construct: {type(e).__name__}: {e}"
        sd = {k: _convert(v) for k, v in ref_mod.state_dict().items()}
        try:
            mod.load_state_dict(sd)
        except Exception as e:
            return f"load_state_dict: {type(e).__name__}: {e}"
        if "RReLU" in type(ref_mod).__name__ or d.get("check_eval"):
            ref_mod.eval()  # (RReLU samples its slopes in training mode)
            mod.eval()
        xs = _as_tuple(make_input(d, seed))
        if any(x.is_complex() for x in xs):
            raise Skip("complex dtypes")
        # a criterion's target takes no gradient (torch's table checks the input's only)
        grad_of = [x.is_floating_point() and not (d.get("criterion") and i == len(xs) - 1)
                   for i, x in enumerate(xs)]
        ref_in = [x.detach().clone().requires_grad_(g) for x, g in zip(xs, grad_of)]
        got_in = [_convert(x).requires_grad_(g) for x, g in zip(xs, grad_of)]
        ref_out = ref_mod(*ref_in)
        try:
            out = mod(*got_in)
        except Exception as e:
            return f"forward: {type(e).__name__}: {e}"
        ref_outs, outs = _as_tuple(ref_out), _as_tuple(out)
        for i, (a, b) in enumerate(zip(outs, ref_outs)):
            if tuple(a.shape) != tuple(b.shape):
                return f"output {i} shape {tuple(a.shape)} vs torch {tuple(b.shape)}"
            try:
                np.testing.assert_allclose(_np(a), _np(b), **TOL[str(dtype)[6:]])
            except AssertionError as e:
                return f"output {i}: " + str(e).strip().splitlines()[-1]
        rng = np.random.default_rng(seed + 1)
        ups = [rng.standard_normal(tuple(b.shape)) for b in ref_outs]
        diff_ref = [(o, torch.tensor(u, dtype=o.dtype)) for o, u in zip(ref_outs, ups)
                    if o.requires_grad]
        if not diff_ref:
            return None
        torch.autograd.backward([o for o, _ in diff_ref], [u for _, u in diff_ref])
        diff = [(o, tg.tensor(u, dtype=o.dtype)) for o, u in zip(outs, ups) if o.requires_grad]
        try:
            tg.autograd.backward([o for o, _ in diff], [u for _, u in diff])
        except Exception as e:
            return f"backward: {type(e).__name__}: {e}"
        pairs = [("input %d" % i, a.grad, b.grad) for i, (a, b) in enumerate(zip(got_in, ref_in))]
        pairs += [(k, dict(mod.named_parameters())[k].grad, p.grad)
                  for k, p in ref_mod.named_parameters()]
        for what, a, b in pairs:
            if (a is None) != (b is None):
                return f"grad of {what}: {'None' if a is None else 'set'} vs torch " \
                       f"{'None' if b is None else 'set'}"
            if a is None:
                continue
            try:
                np.testing.assert_allclose(_np(a), _np(b), **TOL[str(dtype)[6:]])
            except AssertionError as e:
                return f"grad of {what}: " + str(e).strip().splitlines()[-1]
        return None
    except Skip as e:
        return f"skip: {e}"
    finally:
        torch.set_default_dtype(old)
        tg.set_default_dtype(tg.float32)


def main():
    bad = 0
    n = 0
    for name, d in entries():
        n += 1
        r = check(d)
        if r is not None:
            bad += not r.startswith("skip")
            print(f"{name}: {r}")
    print(f"{n} entries, {bad} differ")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
