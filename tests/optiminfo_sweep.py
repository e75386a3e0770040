"""torch's own optimizer samples (torch.testing._internal.common_optimizers.optim_db) run against
tapegrad: every configuration of optim_inputs_func trains the same small model in both libraries
from the same weights and batches (also with foreach=True / fused=True where torch's info lists the
implementation), and every optim_error_inputs_func entry must raise (or warn) as torch does.

`python tests/optiminfo_sweep.py` prints one line per optimizer; tests/test_optiminfo.py asserts."""
from __future__ import annotations

import re
import sys
import warnings

import numpy as np

STEPS = 6
TOL = {"float64": dict(rtol=1e-9, atol=1e-12), "float32": dict(rtol=2e-5, atol=2e-6)}


class Unsupported(Exception):
    """An input tapegrad cannot represent (complex or sparse tensors)."""


def _tg():
    import tapegrad
    return tapegrad


def convert(obj, memo=None):
    """torch tensors/Parameters (with their grads) inside lists, tuples and dicts as tapegrad
    ones; the same torch object maps to the same tapegrad object (duplicate-parameter cases)."""
    import torch
    tg = _tg()
    memo = {} if memo is None else memo
    if id(obj) in memo:
        return memo[id(obj)]
    if isinstance(obj, torch.Tensor):
        if obj.is_complex():
            raise Unsupported("complex tensors")
        if obj.layout != torch.strided:
            raise Unsupported("sparse tensors")
        data = tg.from_dlpack(obj.detach().clone())
        if isinstance(obj, torch.nn.Parameter):
            out = tg.nn.Parameter(data, requires_grad=obj.requires_grad)
        else:
            out = data.requires_grad_(obj.requires_grad) if obj.is_floating_point() else data
        if obj.grad is not None:
            out.grad = convert(obj.grad, memo)
        memo[id(obj)] = out
        return out
    if isinstance(obj, (list, tuple)):
        return type(obj)(convert(x, memo) for x in obj)
    if isinstance(obj, dict):
        return {k: convert(v, memo) for k, v in obj.items()}
    return obj


def _weights(name, rng):
    """Parameters as numpy arrays: Muon takes 2-D weights only; Adafactor also gets a 0-d and
    a 3-D parameter (its factored second moment is per trailing pair of dims)."""
    ws = {"w": rng.normal(size=(4, 3)) * 0.5, "b": rng.normal(size=4) * 0.1}
    if name == "Muon":
        ws = {"w": ws["w"], "w2": rng.normal(size=(4, 4)) * 0.5}
    elif name == "Adafactor":
        ws.update(s=np.array(rng.normal()), t=rng.normal(size=(2, 4, 3)) * 0.3)
    return ws


def _loss(m, ps, x, y, name):
    out = x @ ps["w"].t()
    if "b" in ps:
        out = out + ps["b"]
    if "w2" in ps:
        out = out @ ps["w2"]
    if "t" in ps:
        out = out + (ps["t"] * ps["s"]).sum(0) @ x.t().mean(1)
    if name != "LBFGS":  # (LBFGS's 20 inner iterations on a non-convex loss amplify rounding)
        out = out.tanh()
    return ((out - y) ** 2).mean()


def train(m, name, kwargs, dtype, seed=0):
    """Final parameters (numpy) after STEPS steps of m.optim.<name>(**kwargs)."""
    rng = np.random.default_rng(seed)
    dt = getattr(m, dtype)
    ws = _weights(name, rng)
    ps = {k: m.tensor(v, dtype=dt).requires_grad_() for k, v in ws.items()}
    # float32 LBFGS is compared after one step: its later line searches run on gradients near
    # float32 noise, where torch itself is not reproducible under a change of summation order
    steps = 1 if name == "LBFGS" and dtype == "float32" else STEPS
    batches = [(rng.normal(size=(5, 3)), rng.normal(size=(5, 4))) for _ in range(steps)]
    kw = dict(kwargs)
    if "lr" in kw and not isinstance(kw["lr"], float) and hasattr(kw["lr"], "item"):
        kw["lr"] = m.tensor(kw["lr"].item())
    opt = getattr(m.optim, name)(list(ps.values()), **kw)
    for xb, yb in batches:
        x, y = m.tensor(xb, dtype=dt), m.tensor(yb, dtype=dt)

        def closure():
            opt.zero_grad()
            loss = _loss(m, ps, x, y, name)
            loss.backward()
            return loss
        if name == "LBFGS":
            opt.step(closure)
        else:
            closure()
            opt.step()
    return {k: np.array(v.detach().tolist(), dtype=np.float64) for k, v in ps.items()}


def _impls(info):
    yield {}
    for impl in ("foreach", "fused"):
        if impl in info.supported_impls:
            yield {impl: True}


def check_configs(info, dtype):
    """[(description, None or the difference)] for every configuration and implementation."""
    import torch
    tg = _tg()
    name = info.optim_cls.__name__
    results = []
    for inp in info.optim_inputs_func(device="cpu"):
        for impl in _impls(info):
            kw = dict(inp.kwargs, **impl)
            if impl.get("fused") and dtype not in ("float32", "float64"):
                continue
            desc = f"{dtype} {inp.desc} {impl or ''}".strip()
            try:
                ref = train(torch, name, kw, dtype)
            except Exception as e:  # torch refuses this combination (e.g. tensor lr + foreach)
                results.append((desc, _same_error(lambda: train(tg, name, kw, dtype), e)))
                continue
            try:
                got = train(tg, name, kw, dtype)
            except Exception as e:
                results.append((desc, f"{type(e).__name__}: {e}"))
                continue
            diff = None
            for k in ref:
                try:
                    np.testing.assert_allclose(got[k], ref[k], **TOL[dtype])
                except AssertionError as e:
                    diff = f"param {k}: " + str(e).strip().splitlines()[-1]
                    break
            results.append((desc, diff))
    return results


def _same_error(fn, ref_err):
    try:
        fn()
    except Exception as e:
        if type(e) is not type(ref_err):
            return f"{type(e).__name__} (torch {type(ref_err).__name__}): {e}"
        return None
    return f"no error (torch {type(ref_err).__name__}: {ref_err})"


def check_errors(info):
    """[(description, None or what differs)] for every error input."""
    import torch
    from torch.testing._internal.common_optimizers import OptimizerErrorEnum
    tg = _tg()
    cls = getattr(tg.optim, info.optim_cls.__name__)
    results = []
    for i, err in enumerate(info.optim_error_inputs_func(device="cpu", dtype=torch.float32)):
        inp = err.optimizer_error_input
        desc = f"error #{i} /{err.error_regex}/"
        try:
            params = convert(inp.params)
            kwargs = convert(inp.kwargs)
        except Unsupported as e:
            results.append((desc, f"skip: {e}"))
            continue
        if params is None:
            params = [tg.nn.Parameter(tg.randn(2, 2))]

        def act():
            opt = cls(params, **kwargs)
            if err.error_on == OptimizerErrorEnum.STEP_ERROR:
                opt.step()
        results.append((desc, _expect(act, err.error_type, err.error_regex)))
    return results


def _expect(act, etype, regex):
    if issubclass(etype, Warning):
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            try:
                act()
            except Exception as e:
                return f"raised {type(e).__name__}: {e} (torch warns {etype.__name__})"
        if not any(issubclass(w.category, etype) and re.search(regex, str(w.message))
                   for w in rec):
            return f"no {etype.__name__} matching /{regex}/: {[str(w.message) for w in rec]}"
        return None
    try:
        act()
    except Exception as e:
        if not isinstance(e, etype):
            return f"{type(e).__name__} (torch {etype.__name__}): {e}"
        if not re.search(regex, str(e)):
            return f"message {str(e)!r} does not match /{regex}/"
        return None
    return f"no error (torch {etype.__name__} /{regex}/)"


def infos():
    from torch.testing._internal.common_optimizers import optim_db
    return list(optim_db)


# Optimizers tapegrad does not have, and why.
ABSENT = {"SparseAdam": "sparse gradients (no sparse layouts in tapegrad)"}


def main():
    tg = _tg()
    bad = 0
    for info in infos():
        name = info.optim_cls.__name__
        if name in ABSENT or not hasattr(tg.optim, name):
            print(f"{name}: absent ({ABSENT.get(name, 'not in tapegrad.optim')})")
            continue
        res = check_configs(info, "float64") + check_configs(info, "float32") + check_errors(info)
        fails = [(d, r) for d, r in res if r is not None and not r.startswith("skip")]
        bad += len(fails)
        print(f"{name}: ok={sum(r is None for _, r in res)} fail={len(fails)}")
        for d, r in fails:
            print(f"    {d}: {r}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
