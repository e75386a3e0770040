"""Run torch's own OpInfo samples (torch.testing._internal op_db) through tapegrad.

For every OpInfo whose name resolves to a tapegrad function or Tensor method, each sample input
(torch CPU tensors) is copied into tapegrad with its strides and requires_grad, the op runs in
both libraries, and the outputs are compared (values, dtype, shape); in float64 the gradients
for a random upstream gradient are compared too. The OpInfo's error_inputs (torch's catalogue of
misuse) must raise in tapegrad with the same exception type and a message matching torch's regex.

`python tests/opinfo_sweep.py [--ops REGEX] [--json F]` prints one line per op: ok / fail counts
and the first failure of each kind. tests/test_opinfo.py runs it under pytest, one test per op
and dtype, with the known gaps listed there.
"""
from __future__ import annotations

import argparse
import json
import re
import signal
import sys
import traceback
from dataclasses import dataclass, field

import torch

FLOAT_DTYPES = (torch.float64, torch.float32)
OTHER_DTYPES = (torch.int64, torch.bool)


def op_db():
    from torch.testing._internal.common_methods_invocations import op_db as db
    return db


def resolve(tg, op):
    """The tapegrad callable for an OpInfo, or None. Torch's OpInfo.op is torch.<name>,
    torch.nn.functional.<name>, a Tensor method wrapper or a lambda; lambdas do not resolve."""
    name = op.name
    fn = op.op
    if getattr(fn, "__name__", "") == "<lambda>":
        return _rebind(tg, fn)
    target = tg
    for part in name.split("."):
        target = getattr(target, part, None)
        if target is None:
            break
    if target is not None and callable(target):
        return target
    if op.method_variant is not None:
        meth = getattr(tg.Tensor, name, None)
        if meth is not None:
            return meth
    if name.startswith("_foreach_"):  # _foreach_zero / _foreach_copy name torch's zero_/copy_
        return getattr(tg, getattr(fn, "__name__", ""), None)
    return None


def _rebind(tg, fn):
    """A lambda from op_db with `torch` (and its usual aliases) in its globals bound to tapegrad
    instead; None when it closes over torch objects that cannot be rebound."""
    import types
    if fn.__closure__:
        for cell in fn.__closure__:
            v = cell.cell_contents
            if isinstance(v, (torch.dtype, torch.device)) or (
                    callable(v) and getattr(v, "__module__", "") and
                    str(getattr(v, "__module__", "")).startswith("torch")):
                return None
    g = dict(fn.__globals__)
    g["torch"] = tg
    if "wrapper_set_seed" in g:  # torch's wrapper seeds torch's generator with 42: seed ours
        g["wrapper_set_seed"] = lambda op, *a, **k: (tg.manual_seed(42), op(*a, **k))[1]
    if "F" in g:
        g["F"] = tg.nn.functional
    return types.FunctionType(fn.__code__, g, fn.__name__, fn.__defaults__, fn.__closure__)


# Ops whose outputs are uninitialised or random: only shape and dtype are compared.
UNCHECKED_VALUES = re.compile(r"^(empty|empty_like|empty_permuted|empty_strided|new_empty|"
                              r"new_empty_strided|randn|randn_like|rand_like|randint|randint_like|"
                              r"bernoulli|multinomial|normal|normal\.number_mean|normal\.in_place|"
                              r"cauchy|exponential|geometric|log_normal|uniform|"
                              r"nn\.functional\.(dropout|dropout2d|dropout3d|alpha_dropout|rrelu|"
                              r"feature_alpha_dropout\.with_train|fractional_max_pool[23]d))$")


# OpInfo key -> fn(lib, outputs) giving outputs that are unique (e.g. invariant under the sign
# choice of singular vectors), applied to both libraries' outputs before the values and the
# gradients are compared; lib is torch or tapegrad, so fn must use only lib's differentiable ops.
CANONICAL: dict = {}


def _svd_canon(U, S, Vh):
    # U_i Vh_i (one outer product per singular value: invariant under the joint sign flip of
    # u_i and v_i) and S; the extra columns of full_matrices=True are not unique and dropped
    k = S.shape[-1]
    U, Vh = U[..., :, :k], Vh[..., :k, :]
    return S, U.unsqueeze(-2) * Vh.mT.unsqueeze(-3)


def _canon_linalg_svd(lib, out):
    return _svd_canon(out[0], out[1], out[2])


def _canon_torch_svd(lib, out):
    return _svd_canon(out[0], out[1], out[2].mT)


def _canon_eigh(lib, out):
    # the eigenvalues and the projector q_i q_i^T of each eigenvector (sign-invariant)
    L, Q = out[0], out[1]
    return L, Q.unsqueeze(-2) * Q.unsqueeze(-3)


CANONICAL.update({"svd": _canon_torch_svd, "linalg.svd": _canon_linalg_svd,
                  "linalg.eigh": _canon_eigh,
                  # (U, S, V) of a random projection: unique (up to signs) for these samples,
                  # whose inputs have rank exactly q
                  "svd_lowrank": _canon_torch_svd, "pca_lowrank": _canon_torch_svd})


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout("timed out")


class Leaves(list):
    """The (torch leaf, tapegrad leaf) pairs of one call, and the storages copied for it."""

    def __init__(self):
        super().__init__()
        self.storages = {}


def _same_layout(t):
    """t's layout over a copy of its storage (strides, offset, overlap kept)."""
    return torch.empty(0, dtype=t.dtype).set_(t.untyped_storage().clone(), t.storage_offset(),
                                              t.size(), t.stride())


def to_tg(tg, obj, leaves):
    """Copy torch tensors in obj (recursively) into tapegrad tensors with the same strides."""
    if isinstance(obj, torch.Tensor):
        for seen, x in leaves:  # one torch leaf passed twice (input and target): one tapegrad leaf
            if seen is obj:
                return x
        if obj.device.type != "cpu":
            raise NotImplementedError(f"device {obj.device.type}")
        t = obj.detach()
        if t.dtype in (torch.complex64, torch.complex128):
            raise NotImplementedError("complex")
        if obj.requires_grad or t.numel() == 0:
            x = tg.from_torch(t.clone(memory_format=torch.contiguous_format) if t.is_contiguous()
                              else _same_layout(t))
        else:
            # a view of one tapegrad copy of the whole storage, shared by every argument that
            # views the same torch storage: strides, offset, overlap and aliasing between
            # arguments (out= on the input) are all kept
            storages = leaves.storages if isinstance(leaves, Leaves) else {}
            key = (t.untyped_storage().data_ptr(), t.dtype)
            base = storages.get(key)
            if base is None:
                n = t.untyped_storage().nbytes() // t.element_size()
                flat = torch.empty(0, dtype=t.dtype).set_(t.untyped_storage(), 0, (n,), (1,))
                base = storages[key] = tg.from_torch(flat.clone())
            x = base.as_strided(tuple(t.size()), tuple(t.stride()), t.storage_offset())
        if obj.requires_grad:
            x.requires_grad_(True)
            leaves.append((obj, x))
        return x
    if isinstance(obj, torch.dtype):
        return getattr(tg, str(obj).split(".")[1])
    if isinstance(obj, torch.Size):
        return tuple(obj)
    if isinstance(obj, list):
        return [to_tg(tg, o, leaves) for o in obj]
    if isinstance(obj, tuple):
        return tuple(to_tg(tg, o, leaves) for o in obj)
    if isinstance(obj, dict):
        return {k: to_tg(tg, v, leaves) for k, v in obj.items()}
    if isinstance(obj, torch.memory_format):
        return getattr(tg, str(obj).split(".")[1])
    if isinstance(obj, torch.device):
        return str(obj)
    if isinstance(obj, torch.Generator):
        raise NotImplementedError("generator arg")
    if isinstance(obj, torch.nn.Module):
        return _module_to_tg(tg, obj)
    name = getattr(obj, "__name__", None)
    if callable(obj) and name and getattr(torch.nn.functional, name, None) is obj:
        return getattr(tg.nn.functional, name)  # e.g. activation=F.gelu
    return obj


def _module_to_tg(tg, m):
    """A torch module passed as an argument (TransformerEncoder's layer): the same module built
    in tapegrad from its configuration; parameters are copied by the caller's state_dict."""
    if type(m).__name__ in ("TransformerEncoderLayer", "TransformerDecoderLayer"):
        act = m.activation
        act = to_tg(tg, act, []) if not isinstance(act, torch.nn.Module) else \
            getattr(tg.nn, type(act).__name__)()
        cls = getattr(tg.nn, type(m).__name__)
        return cls(m.self_attn.embed_dim, m.self_attn.num_heads,
                   dim_feedforward=m.linear1.out_features, dropout=m.dropout.p,
                   activation=act, layer_norm_eps=m.norm1.eps,
                   batch_first=m.self_attn.batch_first, norm_first=m.norm_first,
                   bias=m.linear1.bias is not None)
    if isinstance(m, (torch.nn.LayerNorm,)):
        return tg.nn.LayerNorm(m.normalized_shape, eps=m.eps,
                               elementwise_affine=m.elementwise_affine, bias=m.bias is not None)
    cls = getattr(tg.nn, type(m).__name__, None)
    if cls is not None and not list(m.parameters()) and not list(m.buffers()):
        # a module without state (PairwiseDistance): built with no arguments, then the
        # torch module's plain settings copied over
        g = cls()
        for k, v in vars(m).items():
            if k in vars(g) and isinstance(v, (bool, int, float, str, type(None), tuple)):
                setattr(g, k, v)
        return g
    raise NotImplementedError(f"torch module argument {type(m).__name__}")


def to_torch(tg, obj):
    if isinstance(obj, tg.Tensor):
        return torch.from_dlpack(obj.detach().contiguous()).clone() if obj.numel() else \
            torch.empty(tuple(obj.shape), dtype=getattr(torch, str(obj.dtype).split(".")[1]))
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_torch(tg, o) for o in obj) if not hasattr(obj, "_fields") else \
            tuple(to_torch(tg, o) for o in obj)
    return obj


def flat_tensors(obj):
    if isinstance(obj, torch.Tensor):
        return [obj]
    if isinstance(obj, (list, tuple)):
        return [t for o in obj for t in flat_tensors(o)]
    return []


def tols(dtype, op):
    if dtype == torch.float16:
        return 1e-2, 1e-2
    if dtype == torch.bfloat16:
        return 6e-2, 6e-2
    if dtype == torch.float32:
        return 1e-4, 1e-5
    if dtype == torch.float64:
        return 1e-7, 1e-7
    return 0, 0


# Wider tolerances where torch's own summation order depends on the CPU's kernels (oneDNN/MKL
# pick other blockings on an AMD EPYC than on a Xeon): a cancelling sum's rounding residue then
# differs from ours by more than the dtype's default tolerance, on one CPU and not the other.
WIDER_TOL = {
    ("nn.functional.multi_head_attention_forward", torch.float32): (5e-4, 1e-4),
    ("nn.functional.conv_transpose2d", torch.float16): (1e-2, 1e-1),
}


def compare(expected, actual, dtype, what, tol=None):
    """Raise AssertionError with a short message when the outputs differ."""
    if isinstance(expected, torch.Tensor):
        if not isinstance(actual, torch.Tensor):
            raise AssertionError(f"{what}: tapegrad gave {type(actual).__name__}, torch a tensor")
        if expected.dtype != actual.dtype:
            raise AssertionError(f"{what}: dtype {actual.dtype} != torch {expected.dtype}")
        if expected.shape != actual.shape:
            raise AssertionError(f"{what}: shape {tuple(actual.shape)} != torch {tuple(expected.shape)}")
        rtol, atol = tol or tols(expected.dtype, None)
        torch.testing.assert_close(actual, expected.detach(), rtol=rtol, atol=atol,
                                   equal_nan=True, check_stride=False, msg=lambda m: f"{what}: {m[:200]}")
        return
    if isinstance(expected, (list, tuple)):
        if not isinstance(actual, (list, tuple)) or len(actual) != len(expected):
            raise AssertionError(f"{what}: structure {type(actual).__name__} differs from torch {type(expected).__name__}[{len(expected)}]")
        for i, (e, a) in enumerate(zip(expected, actual)):
            compare(e, a, dtype, f"{what}[{i}]", tol)
        return
    if isinstance(expected, (bool, int, float)):
        if isinstance(actual, torch.Tensor) and actual.numel() == 1:
            actual = actual.item()
        if not isinstance(actual, (bool, int, float)) or abs(float(expected) - float(actual)) > 1e-6 * (1 + abs(float(expected))):
            if not (expected != expected and actual != actual):
                raise AssertionError(f"{what}: {actual!r} != torch {expected!r}")
        return
    # torch.dtype / None / strings: compare by text
    if str(expected) != str(actual).replace("tapegrad.", "torch."):
        raise AssertionError(f"{what}: {actual!r} != torch {expected!r}")


@dataclass
class OpResult:
    name: str
    resolved: bool = True
    counts: dict = field(default_factory=dict)   # kind -> count
    first: dict = field(default_factory=dict)    # kind -> first message

    def add(self, kind, msg=None):
        self.counts[kind] = self.counts.get(kind, 0) + 1
        if msg is not None and kind not in self.first:
            self.first[kind] = msg


def _short(e):
    s = f"{type(e).__name__}: {e}"
    return s.splitlines()[0][:300] if s else s


def run_sample(tg, op, fn, sample, dtype, res, grads):
    leaves = Leaves()
    try:
        tin = to_tg(tg, sample.input, leaves)
        targs = to_tg(tg, sample.args, leaves)
        tkw = to_tg(tg, sample.kwargs, leaves)
    except NotImplementedError as e:
        res.add("skip-arg", str(e))
        return
    try:
        torch.manual_seed(1234)  # random ops (svd_lowrank): the same draws in both
        expected = op.op(sample.input, *sample.args, **sample.kwargs)
    except Exception:
        res.add("skip-torch-raises")
        return
    try:
        tg.manual_seed(1234)
        actual = fn(tin, *targs, **tkw)
    except Timeout:
        raise
    except Exception as e:
        res.add(f"error {dtype}", _short(e))
        return
    canon = CANONICAL.get(_key(op))
    if canon is not None:
        expected = canon(torch, expected)
        actual = canon(tg, actual)
    if UNCHECKED_VALUES.match(_key(op)):
        expected = _blank(expected)
        actual = _blank(to_torch(tg, actual))
        grads = False
    try:
        compare(expected, to_torch(tg, actual), dtype, "output", WIDER_TOL.get((_key(op), dtype)))
    except AssertionError as e:
        res.add(f"mismatch {dtype}", str(e).splitlines()[0][:300])
        return
    except Exception as e:
        res.add(f"mismatch {dtype}", _short(e))
        return
    if not grads or not leaves:
        res.add("ok")
        return
    compare_grads(tg, res, expected, actual, [t for t, _ in leaves], [x for _, x in leaves],
                  [f"grad[{i}]" for i in range(len(leaves))], dtype,
                  WIDER_TOL.get((_key(op), dtype)))


def compare_grads(tg, res, expected, actual, ins_t, ins_g, labels, dtype, tol=None):
    """Gradients of both libraries' float outputs that require grad, for one random upstream
    gradient, with respect to ins_t / ins_g; records 'ok' or the first difference in res."""
    outs_t = [t for t in flat_tensors(expected) if t.requires_grad and t.dtype.is_floating_point]
    outs_g = [t for t in flat_tensors_tg(tg, actual) if t.dtype.is_floating_point and t.requires_grad]
    if not outs_t:
        res.add("ok")
        return
    if len(outs_g) != len(outs_t):
        res.add("grad-structure", f"{len(outs_g)} outputs require grad, torch {len(outs_t)}")
        return
    ups = [torch.randn_like(t) for t in outs_t]
    try:
        gt = torch.autograd.grad(outs_t, ins_t, ups, allow_unused=True)
    except Exception:
        res.add("skip-torch-grad-raises")
        return
    try:
        gg = tg.autograd.grad(outs_g, ins_g, [tg.from_torch(u.clone()) for u in ups],
                              allow_unused=True)
    except Timeout:
        raise
    except Exception as e:
        res.add("grad-error", _short(e))
        return
    for label, a, b in zip(labels, gt, gg):
        if a is None or b is None:
            # torch's None and tapegrad's zeros (or the reverse) both mean "no dependence"
            nz = a if b is None else to_torch(tg, b)
            if nz is not None and bool((nz != 0).any()):
                res.add("grad-mismatch", f"{label}: None vs nonzero")
                return
            continue
        try:
            compare(a, to_torch(tg, b), dtype, label, tol)
        except AssertionError as e:
            res.add("grad-mismatch", str(e).splitlines()[0][:300])
            return
    res.add("ok")


def _blank(obj):
    """Zeros of the same shape and dtype: for outputs whose values are not defined."""
    if isinstance(obj, torch.Tensor):
        return torch.zeros(obj.shape, dtype=obj.dtype)
    if isinstance(obj, (list, tuple)):
        return tuple(_blank(o) for o in obj)
    return obj


def flat_tensors_tg(tg, obj):
    if isinstance(obj, tg.Tensor):
        return [obj]
    if isinstance(obj, (list, tuple)):
        return [t for o in obj for t in flat_tensors_tg(tg, o)]
    return []


def run_errors(tg, op, fn, res):
    try:
        errs = list(op.error_inputs(torch.device("cpu")))
    except Exception:
        return
    for ei in errs:
        s = ei.sample_input
        leaves = Leaves()
        try:
            tin = to_tg(tg, s.input, leaves)
            targs = to_tg(tg, s.args, leaves)
            tkw = to_tg(tg, s.kwargs, leaves)
        except NotImplementedError:
            res.add("skip-arg")
            continue
        try:  # error inputs written for other devices need not raise on the CPU
            op.op(s.input, *s.args, **s.kwargs)
        except Exception:
            pass
        else:
            res.add("skip-torch-no-error")
            continue
        try:
            fn(tin, *targs, **tkw)
        except Timeout:
            raise
        except Exception as e:
            classify_error(res, e, ei.error_type, ei.error_regex)
            continue
        res.add("error-input no error", f"torch raises {ei.error_type.__name__} /{ei.error_regex}/")


def classify_error(res, e, error_type, error_regex):
    """Records whether tapegrad's exception e is torch's: its type, and a message matching."""
    if not isinstance(e, error_type):
        res.add("error-input wrong type",
                f"{type(e).__name__} (torch {error_type.__name__} /{error_regex}/): {str(e)[:200]}")
    elif not re.search(error_regex, str(e)):
        res.add("error-input wrong message", f"/{error_regex}/ vs {str(e)[:200]!r}")
    else:
        res.add("error-input ok")


def failures(res):
    """The failure kinds of one result (not ok, not skipped), as 'kind xN: first message'."""
    bad = {k: v for k, v in res.counts.items()
           if k not in ("ok", "error-input ok") and not k.startswith("skip")}
    return [f"{k} x{v}: {res.first.get(k, '')}" for k, v in bad.items()]


def param_list(db, key, resolve_fn, known, crashes=frozenset()):
    """pytest parameters for the test files (test_opinfo, test_moduleinfo, test_misuse): one
    per entry of db() that names something in tapegrad; an entry of `known` is a strict xfail
    with that reason, one of `crashes` is not run at all."""
    import pytest
    import tapegrad
    out = []
    for entry in db():
        k = key(entry)
        if resolve_fn(tapegrad, entry) is None:
            continue
        marks = []
        if k in known or k in crashes:
            marks.append(pytest.mark.xfail(strict=True, run=k not in crashes,
                                           reason=known.get(k, "crashes")))
        out.append(pytest.param(entry, id=k, marks=marks))
    return out


def check_entry(run, tg, entry, failures_of=None):
    """Run one entry on tg (crosscheck.tg(): tapegrad) with warnings silenced and fail with its
    first differences (failures_of(result): this module's `failures` unless given)."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = run(tg, entry)
    bad = (failures_of or failures)(r)
    assert not bad, "; ".join(bad)


def run_op(tg, op, dtypes=FLOAT_DTYPES + OTHER_DTYPES, timeout=60, errors=True):
    fn = resolve(tg, op)
    key = op.name + (f".{op.variant_test_name}" if op.variant_test_name else "")
    res = OpResult(key)
    if fn is None:
        res.resolved = False
        return res
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(timeout)
    try:
        supported = op.supported_dtypes("cpu")
        for dtype in dtypes:
            if dtype not in supported:
                continue
            grads = dtype == torch.float64 and op.supports_autograd
            torch.manual_seed(0)
            try:
                samples = list(op.sample_inputs("cpu", dtype, requires_grad=grads))
            except Exception as e:
                res.add("skip-samples", _short(e))
                continue
            torch.manual_seed(0)
            for sample in samples:
                run_sample(tg, op, fn, sample, dtype, res, grads)
        if errors:
            run_errors(tg, op, fn, res)
    except Timeout:
        res.add("timeout")
    except Exception as e:
        res.add("harness-error", _short(e) + " " + traceback.format_exc().splitlines()[-3][:200])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    return res


def _key(op):
    return op.name + (f".{op.variant_test_name}" if op.variant_test_name else "")


def worker(pattern, start, errors, db, run, key, dtypes=None):
    """Run the entries of db() matching pattern from index start on; one JSON line per entry on
    stdout, and a BEGIN line before each so that the driver knows which one a crash took down."""
    import tapegrad as tg
    import warnings
    warnings.simplefilter("ignore")
    for i, op in enumerate(db()):
        if i < start or not re.search(pattern, key(op)):
            continue
        print(json.dumps({"begin": i, "name": key(op)}), flush=True)
        r = run(tg, op, errors=errors) if dtypes is None else run(tg, op, dtypes=dtypes, errors=errors)
        print(json.dumps({"index": i, **r.__dict__}), flush=True)


def sweep(pattern=".*", errors=True, echo=None, script=__file__, dtypes=None):
    """Drive workers over op_db; a worker that dies (a crash in tapegrad) is recorded as a
    'crash' for the op it was running and a fresh worker goes on with the next op."""
    import subprocess
    results, start = [], 0
    while True:
        cmd = [sys.executable, script, "--worker", "--start", str(start), "--ops", pattern]
        if not errors:
            cmd.append("--no-errors")
        if dtypes:
            cmd += ["--dtypes", dtypes]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        current = None
        for line in proc.stdout:
            if not line.startswith("{"):
                continue
            d = json.loads(line)
            if "begin" in d:
                current = d
                continue
            current = None
            d.pop("index")
            results.append(d)
            if echo:
                echo(d)
        rc = proc.wait()
        if current is None:
            return results
        d = {"name": current["name"], "resolved": True, "counts": {"crash": 1},
             "first": {"crash": f"worker died with exit code {rc}"}}
        results.append(d)
        if echo:
            echo(d)
        start = current["begin"] + 1


def _print(d):
    if not d["resolved"]:
        print(f"{d['name']}: unresolved", flush=True)
        return
    c = d["counts"]
    bad = {k: v for k, v in c.items() if k not in ("ok", "error-input ok") and not k.startswith("skip")}
    print(f"{d['name']}: ok={c.get('ok', 0)} " + " ".join(f"[{k}]={v}" for k, v in bad.items()), flush=True)
    for k in bad:
        if k in d["first"]:
            print(f"    {k}: {d['first'][k]}", flush=True)


def main(argv=None, db=op_db, run=run_op, key=_key, script=__file__):
    ap = argparse.ArgumentParser()
    ap.add_argument("--ops", default=".*")
    ap.add_argument("--json")
    ap.add_argument("--no-errors", action="store_true")
    ap.add_argument("--worker", action="store_true")
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--dtypes", help="comma-separated torch dtype names (default: float64,"
                    "float32,int64,bool); e.g. float16,bfloat16,int32,uint8")
    ap.add_argument("--known", action="store_true", help="print test_opinfo.py's KNOWN list")
    args = ap.parse_args(argv)
    if args.worker:
        dts = tuple(getattr(torch, d) for d in args.dtypes.split(",")) if args.dtypes else None
        worker(args.ops, args.start, not args.no_errors, db, run, key, dts)
        return
    results = sweep(args.ops, not args.no_errors, echo=None if args.known else _print,
                    script=script, dtypes=args.dtypes)
    if args.known:  # the KNOWN / CRASHES literals of tests/test_opinfo.py, from this run
        print_known(results, lambda d: ", ".join(sorted(
            k for k in d["counts"] if k not in ("ok", "error-input ok", "crash")
            and not k.startswith("skip"))))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


def print_known(results, reason):
    """Print a test file's KNOWN / CRASHES literals from a sweep's results; reason(d) is an
    entry's reason, empty when it has no differences."""
    print("KNOWN: dict[str, str] = {")
    for d in results:
        r = reason(d) if d["resolved"] else ""
        if r:
            print(f"    {d['name']!r}: {r!r},")
    print("}")
    crashes = sorted(d["name"] for d in results if "crash" in d["counts"])
    print(f"CRASHES: set[str] = {set(crashes)!r}" if crashes else "CRASHES: set[str] = set()")


if __name__ == "__main__":
    main()
