"""Misuse sweep: torch's OpInfo samples, each mutated one way at a time into bad input, run in
torch and tapegrad. torch is the oracle:

- torch raises T  -> tapegrad must raise T (the builtin exception class torch's error derives
  from: TypeError, RuntimeError, ValueError, IndexError, NotImplementedError); a tapegrad success
  is 'silent' (the worst after a crash), another type is 'wrong-type'; the message is compared
  loosely ('wording', informational only).
- torch succeeds -> tapegrad should succeed with the same values ('extra-error' /
  'value-mismatch' otherwise; informational: most are dtypes tapegrad does not have).
- tapegrad takes the worker process down (segfault, abort) or hangs -> 'crash'.

The mutations of one valid sample (see `mutations`): the input or a tensor argument replaced by
None / a str / a list of strs / a float; the input in another dtype; a dim out of range or of a
wrong type; an int or a size argument negative / a float / a str; an unknown keyword; the last
positional argument dropped; a tensor argument whose shape does not broadcast; out= of a wrong
dtype or shape; the in-place variant on a leaf that requires grad.

`python tests/misuse_sweep.py [--ops REGEX] [--json F] [--all]` prints one line per op (crash
isolated: a worker that dies is recorded as a crash and a new one goes on with the next op).
tests/test_misuse.py runs it under pytest, one test per OpInfo, with the known gaps listed there.
"""
from __future__ import annotations

import argparse
import faulthandler
import itertools
import json
import os
import re
import signal
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import opinfo_sweep as base  # noqa: E402

SAMPLES_PER_OP = 2       # valid float32 samples mutated per OpInfo
MUTATIONS_PER_SAMPLE = 40
DETAILS = bool(os.environ.get("MISUSE_DETAILS"))  # every raising call in the JSON
OP_TIMEOUT = 30          # seconds per OpInfo before the worker is declared hung

# failure kinds that make a test fail; the others are recorded and printed with --all
FAILING = ("crash", "hang", "silent", "wrong-type")
INFO = ("attr-vs-type", "wording", "extra-error", "value-mismatch")

_STR = "abc"
_MISSING = object()


def builtin_base(cls):
    """The first builtin exception class in cls's MRO (torch._C._LinAlgError -> RuntimeError)."""
    for c in cls.__mro__:
        if c.__module__ == "builtins":
            return c
    return Exception


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _ndim(x):
    return x.dim() if isinstance(x, torch.Tensor) else 0


def mutations(op, sample, out_like):
    """(label, input, args, kwargs) for one-change-at-a-time misuses of a valid sample.
    out_like is torch's output for the valid sample (for out=)."""
    inp, args, kw = sample.input, tuple(sample.args), dict(sample.kwargs)
    nd = _ndim(inp)
    out = []

    def add(label, i=_MISSING, a=None, k=None):
        out.append((label, inp if i is _MISSING else i, args if a is None else tuple(a),
                    kw if k is None else k))

    if isinstance(inp, torch.Tensor):
        add("input=None", None)
        add("input=str", _STR)
        add("input=[str]", [_STR, "d"])
        add("input=float", 1.5)
        for dt in (torch.bool, torch.int64, torch.float16):
            if inp.dtype != dt:
                add(f"input.dtype={str(dt)[6:]}", inp.to(dt))
    # tensor and int arguments
    for j, a in enumerate(args):
        def rep(v, j=j):
            return args[:j] + (v,) + args[j + 1:]
        if isinstance(a, torch.Tensor):
            add(f"args[{j}]=None", a=rep(None))
            add(f"args[{j}]=str", a=rep(_STR))
            add(f"args[{j}]=[str]", a=rep([_STR]))
            if a.dim() >= 1:
                d = a.shape[-1]
                shape = tuple(a.shape[:-1]) + ((d + 2) if d > 1 else 3,)
                add(f"args[{j}] shape {shape}", a=rep(torch.ones(shape, dtype=a.dtype)))
            if a.dtype.is_floating_point:
                add(f"args[{j}].dtype=int64", a=rep(a.to(torch.int64)))
        elif _is_int(a):
            add(f"args[{j}]={nd + 1}", a=rep(nd + 1))
            add(f"args[{j}]={-nd - 2}", a=rep(-nd - 2))
            add(f"args[{j}]=-1", a=rep(-1))
            add(f"args[{j}]=1.5", a=rep(1.5))
            add(f"args[{j}]=str", a=rep(_STR))
        elif isinstance(a, (tuple, list)) and a and all(_is_int(v) for v in a):
            if isinstance(a, torch.Size):
                a = tuple(a)
            add(f"args[{j}][0]=-1", a=rep(type(a)((-1,) + tuple(a[1:]))))
            add(f"args[{j}][0]=1.5", a=rep(type(a)((1.5,) + tuple(a[1:]))))
            add(f"args[{j}][0]={nd + 1}", a=rep(type(a)((nd + 1,) + tuple(a[1:]))))
        elif isinstance(a, (tuple, list)) and a and all(isinstance(v, torch.Tensor) for v in a):
            add(f"args[{j}][0]=None", a=rep(type(a)((None,) + tuple(a[1:]))))
    if args:
        add("drop last arg", a=args[:-1])
    # keyword arguments
    for key, v in kw.items():
        def krep(v, key=key):
            return {**kw, key: v}
        if key == "out":
            continue
        if key in ("dim", "dims") and (_is_int(v) or isinstance(v, (tuple, list))):
            add(f"{key}={nd}", k=krep(nd if _is_int(v) else (nd,)))
            add(f"{key}={-nd - 1}", k=krep(-nd - 1 if _is_int(v) else (-nd - 1,)))
            add(f"{key}=1.5", k=krep(1.5))
            add(f"{key}=str", k=krep(_STR))
        elif isinstance(v, torch.Tensor):
            add(f"{key}=None", k=krep(None))
            add(f"{key}=str", k=krep(_STR))
        elif _is_int(v):
            add(f"{key}=-1", k=krep(-1))
            add(f"{key}=1.5", k=krep(1.5))
            add(f"{key}=str", k=krep(_STR))
        elif isinstance(v, bool):
            add(f"{key}=str", k=krep(_STR))
        elif isinstance(v, str):
            add(f"{key}='bogus'", k=krep("bogus"))
        elif isinstance(v, float):
            add(f"{key}=str", k=krep(_STR))
    add("unknown kwarg", k={**kw, "bogus_kw": 1})
    # out=
    if op.supports_out and isinstance(out_like, torch.Tensor) and "out" not in kw:
        wrong = torch.int64 if out_like.dtype.is_floating_point else torch.float16
        if out_like.dtype == torch.bool:
            wrong = torch.float16
        add(f"out dtype {str(wrong)[6:]}", k={**kw, "out": torch.empty(out_like.shape, dtype=wrong)})
        add("out shape (2, 3)", k={**kw, "out": torch.empty((2, 3), dtype=out_like.dtype)})
        add("out=str", k={**kw, "out": _STR})
    return out


def inplace_leaf(op, sample):
    """The in-place variant of op on a float leaf that requires grad (torch: RuntimeError 'a leaf
    Variable that requires grad is being used in an in-place operation.')."""
    if op.inplace_variant is None or not isinstance(sample.input, torch.Tensor):
        return None
    if not sample.input.dtype.is_floating_point:
        return None
    return getattr(op.inplace_variant, "__name__", None)


def _wording(tmsg, gmsg):
    """Loose message agreement: torch's first line (numbers and quotes aside) shares a good
    part of its words with tapegrad's."""
    words = lambda s: set(re.findall(r"[a-z]{4,}", s.splitlines()[0].lower() if s else ""))
    if "incompatible function arguments" in gmsg and (
            "must be" in tmsg or "invalid combination" in tmsg or "incompatible" in tmsg):
        return True  # pybind's wording for a wrong Python type: the right type, other words
    tw, gw = words(tmsg), words(gmsg)
    return not tw or len(tw & gw) >= max(1, len(tw) // 3)


def _attempt(lib, call):
    """(result, None) or (None, the exception) of call() with lib seeded alike."""
    lib.manual_seed(1234)
    try:
        return call(), None
    except base.Timeout:
        raise
    except Exception as e:  # noqa: BLE001
        return None, e


def run_call(tg, res, label, t_call, g_call, ops_key):
    """Run one mutated call in torch then tapegrad and record the outcome."""
    expected, terr = _attempt(torch, t_call)
    actual, gerr = _attempt(tg, g_call)
    if DETAILS and (terr is not None or gerr is not None):
        res.__dict__.setdefault("details", []).append(
            [label, type(terr).__name__ if terr else None, str(terr).splitlines()[0][:150] if terr and str(terr) else "",
             type(gerr).__name__ if gerr else None, str(gerr).splitlines()[0][:150] if gerr and str(gerr) else ""])
    if terr is not None:
        want = builtin_base(type(terr))
        if gerr is None:
            res.add("silent", f"{label}: torch raises {type(terr).__name__}: "
                              f"{str(terr).splitlines()[0][:160] if str(terr) else ''}")
        elif want is AttributeError and isinstance(gerr, TypeError):
            # torch's Python-level function (F.huber_loss, F.interpolate, ...) reached None.dim()
            # by accident; the TypeError naming the argument is the cleaner error
            res.add("attr-vs-type", f"{label}: {str(gerr)[:120]!r}")
        elif not isinstance(gerr, want):
            res.add("wrong-type", f"{label}: {type(gerr).__name__} (torch {type(terr).__name__}): "
                                  f"{str(gerr)[:120]!r} vs {str(terr).splitlines()[0][:120] if str(terr) else ''!r}")
        elif not _wording(str(terr), str(gerr)):
            res.add("wording", f"{label}: {str(gerr)[:120]!r} vs torch {str(terr).splitlines()[0][:120]!r}")
        else:
            res.add("ok")
        return
    if gerr is not None:
        res.add("extra-error", f"{label}: {base._short(gerr)[:200]}")
        return
    if base.UNCHECKED_VALUES.match(ops_key):
        expected = base._blank(expected)
        actual = base._blank(base.to_torch(tg, actual))
    else:
        canon = base.CANONICAL.get(ops_key)
        if canon is not None:
            try:
                expected, actual = canon(torch, expected), canon(tg, actual)
            except Exception:  # noqa: BLE001
                res.add("ok")
                return
    try:
        base.compare(expected, base.to_torch(tg, actual), None, "output")
    except AssertionError as e:
        res.add("value-mismatch", f"{label}: {str(e).splitlines()[0][:200]}")
        return
    except Exception as e:  # noqa: BLE001
        res.add("value-mismatch", f"{label}: {base._short(e)[:200]}")
        return
    res.add("ok")


def _valid_samples(op, dtype):
    torch.manual_seed(0)
    try:
        it = iter(op.sample_inputs("cpu", dtype, requires_grad=False))
    except Exception:  # noqa: BLE001
        return
    got = 0
    for sample in itertools.islice(it, 8):
        try:
            torch.manual_seed(1234)
            out = op.op(sample.input, *sample.args, **sample.kwargs)
        except Exception:  # noqa: BLE001
            continue
        yield sample, out
        got += 1
        if got >= SAMPLES_PER_OP:
            return


def run_misuse(tg, op, errors=True, timeout=OP_TIMEOUT):
    """All mutations of op's first valid float32 samples; an OpResult with per-kind counts."""
    fn = base.resolve(tg, op)
    key = base._key(op)
    res = base.OpResult(key)
    if fn is None:
        res.resolved = False
        return res
    old = signal.signal(signal.SIGALRM, base._alarm)
    signal.alarm(timeout)
    try:
        supported = op.supported_dtypes("cpu")
        dtype = torch.float32 if torch.float32 in supported else \
            next((d for d in (torch.float64, torch.int64, torch.bool) if d in supported), None)
        if dtype is None:
            return res
        for sample, out_like in _valid_samples(op, dtype):
            muts = mutations(op, sample, out_like)[:MUTATIONS_PER_SAMPLE]
            for label, i, a, k in muts:
                leaves = base.Leaves()
                try:
                    ti, ta, tk = (base.to_tg(tg, i, leaves), base.to_tg(tg, a, leaves),
                                  base.to_tg(tg, k, leaves))
                except NotImplementedError:
                    res.add("skip-arg")
                    continue
                run_call(tg, res, label, lambda: op.op(i, *a, **k), lambda: fn(ti, *ta, **tk), key)
            name = inplace_leaf(op, sample)
            gmeth = getattr(tg.Tensor, name, None) if name else None
            if gmeth is not None:
                leaves = base.Leaves()
                x = sample.input.detach().clone().requires_grad_(True)
                try:
                    gx, ga, gk = (base.to_tg(tg, x, leaves), base.to_tg(tg, sample.args, leaves),
                                  base.to_tg(tg, sample.kwargs, leaves))
                except NotImplementedError:
                    continue
                run_call(tg, res, f"{name} on a leaf requiring grad",
                         lambda: op.inplace_variant(x, *sample.args, **sample.kwargs),
                         lambda: gmeth(gx, *ga, **gk), key)
    except base.Timeout:
        res.add("hang", "timed out")
    except Exception as e:  # noqa: BLE001
        import traceback
        res.add("harness-error", base._short(e) + " " + traceback.format_exc().splitlines()[-3][:200])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    return res


def _run_guarded(tg, op, errors=True):
    # a hang inside compiled code never returns to the SIGALRM handler: the C-level watchdog
    # ends the worker, which the driver records as a crash of this op
    faulthandler.dump_traceback_later(OP_TIMEOUT * 2, exit=True)
    try:
        return run_misuse(tg, op, errors)
    finally:
        faulthandler.cancel_dump_traceback_later()


def failures(res, kinds=FAILING):
    return [f"{k} x{v}: {res.first.get(k, '')}" for k, v in res.counts.items()
            if k in kinds or k == "harness-error"]


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--ops", default=".*")
    ap.add_argument("--json")
    ap.add_argument("--all", action="store_true", help="print the informational kinds too")
    ap.add_argument("--worker", action="store_true")
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--known", action="store_true", help="print test_misuse.py's KNOWN list")
    args = ap.parse_args(argv)
    if args.worker:
        base.worker(args.ops, args.start, True, base.op_db, _run_guarded, base._key)
        return
    kinds = FAILING + (INFO if args.all else ())

    def echo(d):
        if not d["resolved"] or args.known:
            return
        c = d["counts"]
        bad = {k: v for k, v in c.items() if k in kinds or k == "harness-error"}
        print(f"{d['name']}: ok={c.get('ok', 0)} " + " ".join(f"[{k}]={v}" for k, v in bad.items()),
              flush=True)
        for k in bad:
            print(f"    {k}: {d['first'].get(k, '')}", flush=True)

    results = base.sweep(args.ops, True, echo=echo, script=os.path.abspath(__file__))
    if args.known:
        def reason(d):
            bad = sorted(k for k in d["counts"] if k in FAILING and k != "crash")
            return d["first"][bad[0]][:90] if bad else ""
        base.print_known(results, reason)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
