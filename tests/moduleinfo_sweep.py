"""Run torch's own ModuleInfo samples (torch.testing._internal.common_modules module_db) through
tapegrad.nn.

For every ModuleInfo whose class exists in tapegrad.nn, each sample builds the module in both
libraries from the same constructor arguments, copies torch's parameters and buffers into the
tapegrad module (state_dict), runs forward in train and, where they differ, eval mode, and
compares the outputs; in float64 the gradients of the inputs and of every parameter for a random
upstream gradient are compared too. The ModuleInfo's error inputs must raise in tapegrad, at
construction or in forward as torch does, with the same exception type and a message matching
torch's regex.

`python tests/moduleinfo_sweep.py [--ops REGEX] [--known]` prints one line per module, like
tests/opinfo_sweep.py (whose comparison helpers and crash-isolating driver it uses).
tests/test_moduleinfo.py runs it under pytest.
"""
from __future__ import annotations

import re
import signal
import traceback

import torch

import opinfo_sweep as ops

# Modules whose outputs are random in training mode: values are not compared there.
RANDOM_IN_TRAINING = re.compile(r"^nn\.(FractionalMaxPool[23]d|Dropout.*|AlphaDropout|RReLU)$")


def module_db():
    from torch.testing._internal.common_modules import module_db as db
    return db


def key(mi):
    return mi.name


def resolve(tg, mi):
    return getattr(tg.nn, mi.module_cls.__name__, None)


def _tg_dtype(tg, dtype):
    return getattr(tg, str(dtype).split(".")[1])


def _build(tg, cls_t, cls_g, ctor, dtype):
    """Both modules from the same constructor input, in dtype, with torch's state copied over."""
    torch.manual_seed(0)
    m_t = cls_t(*ctor.args, **ctor.kwargs).to(dtype)
    leaves = ops.Leaves()
    m_g = cls_g(*ops.to_tg(tg, ctor.args, leaves), **ops.to_tg(tg, ctor.kwargs, leaves))
    m_g = m_g.to(_tg_dtype(tg, dtype))
    return m_t, m_g


def _copy_state(tg, m_t, m_g):
    state = {k: tg.from_torch(v.detach().clone()) for k, v in m_t.state_dict().items()}
    m_g.load_state_dict(state)


def run_module(tg, mi, errors=True, timeout=120):
    res = ops.OpResult(key(mi))
    cls_g = resolve(tg, mi)
    if cls_g is None:
        res.resolved = False
        return res
    old = signal.signal(signal.SIGALRM, ops._alarm)
    signal.alarm(timeout)
    try:
        for dtype in (torch.float64, torch.float32):
            if dtype not in mi.supported_dtypes("cpu"):
                continue
            modes = (True, False) if mi.train_and_eval_differ else (True,)
            for training in modes:
                torch.manual_seed(0)
                try:
                    samples = mi.module_inputs_func(mi, device="cpu", dtype=dtype,
                                                    requires_grad=True, training=training)
                except Exception as e:
                    res.add("skip-samples", ops._short(e))
                    continue
                for sample in samples:
                    _run_sample(tg, mi, cls_g, sample, dtype, training, res)
        if errors and mi.module_error_inputs_func is not None:
            _run_errors(tg, mi, cls_g, res)
    except ops.Timeout:
        res.add("timeout")
    except Exception as e:
        res.add("harness-error", ops._short(e) + " " + traceback.format_exc().splitlines()[-3][:200])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    return res


def _run_sample(tg, mi, cls_g, sample, dtype, training, res):
    ctor, fwd = sample.constructor_input, sample.forward_input
    if fwd is None:
        return
    try:
        m_t, m_g = _build(tg, mi.module_cls, cls_g, ctor, dtype)
    except NotImplementedError as e:
        res.add("skip-arg", str(e))
        return
    except Exception as e:
        res.add(f"construct-error {dtype}", ops._short(e))
        return
    m_t.train(training)
    m_g.train(training)
    leaves = ops.Leaves()
    try:
        args_g = ops.to_tg(tg, fwd.args, leaves)
        kwargs_g = ops.to_tg(tg, fwd.kwargs, leaves)
    except NotImplementedError as e:
        res.add("skip-arg", str(e))
        return
    try:
        if mi.is_lazy:
            # lazy parameters come into being in the first forward: run both once, then copy
            m_t(*fwd.args, **fwd.kwargs)
            m_g(*args_g, **kwargs_g)
        _copy_state(tg, m_t, m_g)
    except Exception as e:
        res.add(f"state-error {dtype}", ops._short(e))
        return
    try:
        expected = m_t(*fwd.args, **fwd.kwargs)
    except Exception:
        res.add("skip-torch-raises")
        return
    try:
        actual = m_g(*args_g, **kwargs_g)
    except ops.Timeout:
        raise
    except Exception as e:
        res.add(f"error {dtype}", ops._short(e))
        return
    random = training and RANDOM_IN_TRAINING.match(key(mi))
    if random:
        expected, actual = ops._blank(expected), ops._blank(ops.to_torch(tg, actual))
    try:
        ops.compare(expected, ops.to_torch(tg, actual), dtype, "output")
    except AssertionError as e:
        res.add(f"mismatch {dtype}", str(e).splitlines()[0][:300])
        return
    if dtype != torch.float64 or random:
        res.add("ok")
        return
    params_t = dict(m_t.named_parameters())
    params_g = dict(m_g.named_parameters())
    if sorted(params_t) != sorted(params_g):
        res.add("param-names", f"{sorted(params_g)} != torch {sorted(params_t)}")
        return
    names = [n for n in params_t if params_t[n].requires_grad]
    ops.compare_grads(tg, res, expected, actual,
                      [t for t, _ in leaves] + [params_t[n] for n in names],
                      [x for _, x in leaves] + [params_g[n] for n in names],
                      [f"grad of input{i}" for i in range(len(leaves))] +
                      [f"grad of {n}" for n in names], dtype)


def _run_errors(tg, mi, cls_g, res):
    from torch.testing._internal.common_modules import ModuleErrorEnum
    try:
        errs = list(mi.module_error_inputs_func(mi, device="cpu", dtype=torch.float32,
                                                requires_grad=False, training=True))
    except Exception:
        return
    for ei in errs:
        s = ei.module_error_input
        leaves = ops.Leaves()
        try:
            c_args = ops.to_tg(tg, s.constructor_input.args, leaves)
            c_kwargs = ops.to_tg(tg, s.constructor_input.kwargs, leaves)
            f = s.forward_input
            f_args = ops.to_tg(tg, f.args, leaves) if f is not None else ()
            f_kwargs = ops.to_tg(tg, f.kwargs, leaves) if f is not None else {}
        except NotImplementedError:
            res.add("skip-arg")
            continue
        where = "construction" if ei.error_on == ModuleErrorEnum.CONSTRUCTION_ERROR else "forward"
        try:  # error inputs written for other devices need not raise on the CPU
            m = mi.module_cls(*s.constructor_input.args, **s.constructor_input.kwargs)
            if where == "forward":
                m(*f.args, **f.kwargs)
        except Exception:
            pass
        else:
            res.add("skip-torch-no-error")
            continue
        try:
            m = cls_g(*c_args, **c_kwargs)
            if where == "forward":
                m(*f_args, **f_kwargs)
        except ops.Timeout:
            raise
        except Exception as e:
            ops.classify_error(res, e, ei.error_type, ei.error_regex)
            continue
        res.add("error-input no error",
                f"torch raises {ei.error_type.__name__} /{ei.error_regex}/ at {where}")


if __name__ == "__main__":
    ops.main(db=module_db, run=run_module, key=key, script=__file__)
