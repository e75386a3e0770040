"""Cross-check harness: one `fn(m, *xs)` run with m=torch and m=tapegrad, compared.

check() compares forward outputs (values, shape, dtype, requires_grad, grad_fn name) and then
gradients for a random upstream gradient; gradcheck() / gradgradcheck() compare tapegrad's own
first- and second-order vector-Jacobian products with central finite differences in float64.
"""
from __future__ import annotations

import importlib.util
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

import numpy as np

DTYPES = ("float64", "float32")
TOLERANCES = {"float64": (1e-6, 1e-8), "float32": (1e-4, 1e-5)}
FLOATS = ("float64", "float32", "float16", "bfloat16")
NP_DTYPES = {"float64": np.float64, "float32": np.float32, "int64": np.int64,
             "int32": np.int32, "bool": np.bool_}


def _switch():
    """tests/conftest.py owns the backend switch; load it by path (not by the name 'conftest',
    which pytest rebinds for every conftest.py it imports)."""
    path = Path(__file__).resolve().with_name("conftest.py")
    mod = sys.modules.get("conftest")
    if mod is not None and Path(getattr(mod, "__file__", "")).resolve() == path:
        return mod
    mod = sys.modules.get("_tapegrad_tests_conftest")
    if mod is None:
        spec = importlib.util.spec_from_file_location("_tapegrad_tests_conftest", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        sys.modules["_tapegrad_tests_conftest"] = mod
    return mod


def tg():
    """The module under test (tapegrad, or torch when TAPEGRAD_TEST_BACKEND=torch)."""
    return _switch().tg()


def backend_name() -> str:
    return _switch().backend_name()


def reference():
    import torch
    return torch


# ----------------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Arg:
    """How to make one input: a shape, a value distribution, dtype, grad and layout flags."""
    shape: tuple = ()
    kind: str = "normal"  # normal uniform away ties int bool value
    low: float = 0.0
    high: float = 1.0
    value: Any = None
    dtype: str | None = None  # None: float samples follow the check's dtype
    requires_grad: bool | None = None  # None: float inputs require grad when grads are checked
    noncontig: bool = False  # the fn gets a transposed, strided view of a bigger tensor

    def sample(self, rng: np.random.Generator) -> np.ndarray:
        s = self.shape
        if self.kind == "normal":
            return np.asarray(rng.standard_normal(s))
        if self.kind == "uniform":
            return np.asarray(rng.uniform(self.low, self.high, s))
        if self.kind == "away":  # |x| in [low, high], random sign: away from kinks and poles
            sign = np.where(rng.random(s) < 0.5, -1.0, 1.0)
            return np.asarray(sign * rng.uniform(self.low, self.high, s))
        if self.kind == "ties":  # small integers as floats: equal values occur
            return np.asarray(rng.integers(-2, 3, s).astype(np.float64))
        if self.kind == "int":
            return np.asarray(rng.integers(int(self.low), int(self.high), s), dtype=np.int64)
        if self.kind == "bool":
            return np.asarray(rng.random(s) < self.low)
        if self.kind == "value":
            return np.array(self.value)
        raise ValueError(f"unknown sample kind {self.kind!r}")

    def describe(self) -> str:
        text = f"{self.kind}{list(self.shape)}"
        if self.dtype:
            text += f":{self.dtype}"
        return text + (" (non-contiguous)" if self.noncontig else "")


def randn(*shape, nc=False, rg=None, dtype=None) -> Arg:
    return Arg(tuple(shape), noncontig=nc, requires_grad=rg, dtype=dtype)


def uniform(*shape, low=0.0, high=1.0, nc=False, rg=None, dtype=None) -> Arg:
    return Arg(tuple(shape), "uniform", low, high, dtype=dtype, noncontig=nc, requires_grad=rg)


def pos(*shape, nc=False, rg=None, dtype=None) -> Arg:
    """Positive samples in [0.5, 2]: log, sqrt, pow bases."""
    return uniform(*shape, low=0.5, high=2.0, nc=nc, rg=rg, dtype=dtype)


def prob(*shape, nc=False, rg=None) -> Arg:
    """Probabilities in [0.05, 0.95]."""
    return uniform(*shape, low=0.05, high=0.95, nc=nc, rg=rg)


def away(*shape, nc=False, rg=None, dtype=None) -> Arg:
    """|x| in [0.5, 1.5] with a random sign: denominators, samples away from kinks at 0."""
    return Arg(tuple(shape), "away", 0.5, 1.5, dtype=dtype, noncontig=nc, requires_grad=rg)


def ties(*shape, nc=False, rg=None) -> Arg:
    """Floats from {-2, ..., 2}: repeated values (max ties, equality)."""
    return Arg(tuple(shape), "ties", noncontig=nc, requires_grad=rg)


def ints(*shape, low=0, high=5, nc=False, dtype="int64") -> Arg:
    return Arg(tuple(shape), "int", low, high, dtype=dtype, noncontig=nc)


def mask(*shape, p=0.5, nc=False) -> Arg:
    return Arg(tuple(shape), "bool", p, dtype="bool", noncontig=nc)


def const(value, dtype=None, rg=None, nc=False) -> Arg:
    """A fixed sample; floats follow the check's dtype unless dtype is given."""
    arr = np.array(value)
    if dtype is None and arr.dtype.kind in "iub":
        dtype = "bool" if arr.dtype.kind == "b" else "int64"
    return Arg(arr.shape, "value", value=arr, dtype=dtype, requires_grad=rg, noncontig=nc)


def as_arg(x):
    """Shapes (tuples) and numpy arrays become Args; anything else is passed through as is."""
    if isinstance(x, Arg):
        return x
    if isinstance(x, tuple) and all(isinstance(d, int) for d in x):
        return Arg(x)
    if isinstance(x, np.ndarray):
        return const(x)
    return x


def _input_dtype(arg: Arg, arr: np.ndarray, dtype: str) -> str:
    if arg.dtype:
        return arg.dtype
    if arr.dtype.kind == "f":
        return dtype
    return "bool" if arr.dtype.kind == "b" else "int64"


def make_tensor(m, arr: np.ndarray, dtype: str, requires_grad: bool = False):
    """A leaf built from nested Python lists (size-0 through zeros, which keeps the shape)."""
    arr = np.asarray(arr)
    dt = getattr(m, dtype)
    if arr.size == 0:
        return m.zeros(arr.shape, dtype=dt, requires_grad=requires_grad)
    return m.tensor(arr.tolist(), dtype=dt, requires_grad=requires_grad)


def _noncontig(m, arr: np.ndarray, dtype: str, requires_grad: bool):
    """The sample as a leaf that is a transposed, stride-2 view of a bigger tensor whose other
    elements hold 1000 (so reading the wrong elements shows)."""
    nd = arr.ndim
    rev = tuple(range(nd))[::-1]
    every2 = (slice(None, None, 2),) * nd
    base = np.full(tuple(2 * s for s in arr.shape[::-1]), 1000, dtype=arr.dtype)
    base[every2] = arr.transpose(rev)
    view = make_tensor(m, base, dtype)[every2].permute(*rev).detach()
    if arr.size > 1 and view.is_contiguous():
        raise AssertionError(f"the non-contiguous {arr.shape} sample is contiguous in "
                             f"{m.__name__}: slicing or permute did not make a strided view")
    return view.requires_grad_(requires_grad)


def build_inputs(m, specs, samples, dtype: str, grad: bool):
    out = []
    for spec, arr in zip(specs, samples):
        if not isinstance(spec, Arg):
            out.append(spec)
            continue
        dt = _input_dtype(spec, arr, dtype)
        rg = grad and dt in FLOATS and spec.requires_grad is not False
        if spec.noncontig and arr.ndim >= 1:
            out.append(_noncontig(m, arr, dt, rg))
        else:
            out.append(make_tensor(m, arr.astype(NP_DTYPES.get(dt, arr.dtype)), dt, rg))
    return out


def draw(specs, rng):
    return [s.sample(rng) if isinstance(s, Arg) else s for s in specs]


# ---------------------------------------------------------------------------------- outputs


def is_tensor(m, x) -> bool:
    return isinstance(x, m.Tensor)


def as_outputs(out) -> list:
    return list(out) if isinstance(out, (tuple, list)) else [out]


def dtype_name(t) -> str:
    return str(t.dtype).rsplit(".", 1)[-1]


def to_numpy(t) -> np.ndarray:
    """Through .tolist(), so no conversion path of the library under test is assumed."""
    return np.array(t.detach().tolist(), dtype=NP_DTYPES.get(dtype_name(t), np.float64)).reshape(
        tuple(t.shape))


def grad_fn_name(t):
    return None if t.grad_fn is None else type(t.grad_fn).__name__


def _tol(dtype: str, rtol, atol, exact=False):
    if exact:
        return 0.0, 0.0
    r, a = TOLERANCES.get(dtype, (0.0, 0.0))
    return (r if rtol is None else rtol), (a if atol is None else atol)


def assert_close(got: np.ndarray, ref: np.ndarray, dtype: str, what: str, rtol=None, atol=None,
                 exact=False):
    if dtype not in FLOATS:
        if not np.array_equal(got, ref):
            raise AssertionError(f"{what}: values differ\n  expected {ref.tolist()}\n"
                                 f"  got      {got.tolist()}")
        return
    r, a = _tol(dtype, rtol, atol, exact)
    np.testing.assert_allclose(got.astype(np.float64), ref.astype(np.float64), rtol=r, atol=a,
                               equal_nan=True, err_msg=what)


def _facts(t):
    return tuple(t.shape), dtype_name(t), t.requires_grad, grad_fn_name(t)


def _compare_tensor(got, ref, what, rtol, atol, exact):
    g, r = _facts(got), _facts(ref)
    for name, gv, rv in zip(("shape", "dtype", "requires_grad", "grad_fn"), g, r):
        if gv != rv:
            raise AssertionError(f"{what}: {name} is {gv!r}, torch gives {rv!r}")
    assert_close(to_numpy(got), to_numpy(ref), r[1], what, rtol, atol, exact)


def compare_outputs(m, got_outs, ref_outs, what, rtol=None, atol=None, exact=False):
    torch = reference()
    if len(got_outs) != len(ref_outs):
        raise AssertionError(f"{what}: {len(got_outs)} outputs, torch gives {len(ref_outs)}")
    for k, (g, r) in enumerate(zip(got_outs, ref_outs)):
        label = f"{what} output {k}"
        if is_tensor(torch, r):
            if not is_tensor(m, g):
                raise AssertionError(f"{label}: got {type(g).__name__}, torch gives a tensor")
            _compare_tensor(g, r, label, rtol, atol, exact)
        elif g != r:
            raise AssertionError(f"{label}: got {g!r}, torch gives {r!r}")


# ------------------------------------------------------------------------------------ check


def run_in(m, fn, specs, samples, dtype, grad):
    """Build the inputs in library m and call fn; returns (inputs, list of outputs)."""
    xs = build_inputs(m, specs, samples, dtype, grad)
    return xs, as_outputs(fn(m, *xs))


def _vjp(m, xs, outs, out_idx, in_idx, upstream, create_graph=False):
    ups = [make_tensor(m, u, dtype_name(outs[k])) for u, k in zip(upstream, out_idx)]
    return m.autograd.grad([outs[k] for k in out_idx], [xs[i] for i in in_idx], ups,
                           create_graph=create_graph, allow_unused=True)


def _add_context(err: BaseException, note: str):
    if hasattr(err, "add_note"):
        err.add_note(note)


def check(fn: Callable, *inputs, dtypes=DTYPES, grad=True, seed=0, rtol=None, atol=None,
          exact=False, label="case"):
    """Run fn(m, *xs) with torch and the module under test; compare outputs, then gradients.

    inputs: Args (see randn/pos/ints/mask/const...), shapes, numpy arrays, or plain Python
    values passed through. exact=True demands bit-equal forward values (pure data movement).
    """
    torch, m = reference(), tg()
    specs = [as_arg(x) for x in inputs]
    for dtype in dtypes:
        rng = np.random.default_rng(seed)
        samples = draw(specs, rng)
        what = f"{label} [{dtype}; {', '.join(_describe(s) for s in specs)}]"
        ref_xs, ref_outs = run_in(torch, fn, specs, samples, dtype, grad)
        try:
            got_xs, got_outs = run_in(m, fn, specs, samples, dtype, grad)
        except Exception as err:
            _add_context(err, f"while running {what} with {m.__name__}")
            raise
        compare_outputs(m, got_outs, ref_outs, f"{what} forward", rtol, atol, exact)
        if grad:
            _check_grads(m, ref_xs, ref_outs, got_xs, got_outs, rng, what, rtol, atol)


def _describe(spec) -> str:
    return spec.describe() if isinstance(spec, Arg) else repr(spec)


def _check_grads(m, ref_xs, ref_outs, got_xs, got_outs, rng, what, rtol, atol):
    torch = reference()
    in_idx = [i for i, x in enumerate(ref_xs) if is_tensor(torch, x) and x.requires_grad]
    out_idx = [k for k, o in enumerate(ref_outs) if is_tensor(torch, o) and o.requires_grad]
    if not in_idx or not out_idx:
        return
    upstream = [np.asarray(rng.standard_normal(tuple(ref_outs[k].shape))) for k in out_idx]
    ref_g = _vjp(torch, ref_xs, ref_outs, out_idx, in_idx, upstream)
    try:
        got_g = _vjp(m, got_xs, got_outs, out_idx, in_idx, upstream)
    except Exception as err:
        _add_context(err, f"while computing gradients of {what} with {m.__name__}")
        raise
    for i, g, r in zip(in_idx, got_g, ref_g):
        label = f"{what} grad of input {i}"
        if (g is None) != (r is None):
            raise AssertionError(f"{label}: got {'None' if g is None else 'a tensor'}, torch "
                                 f"gives {'None' if r is None else 'a tensor'}")
        if r is not None:
            for name, gv, rv in (("shape", tuple(g.shape), tuple(r.shape)),
                                 ("dtype", dtype_name(g), dtype_name(r))):
                if gv != rv:
                    raise AssertionError(f"{label}: {name} is {gv!r}, torch gives {rv!r}")
            assert_close(to_numpy(g), to_numpy(r), dtype_name(r), label, rtol, atol)


def check_raises(fn: Callable, *inputs, dtype="float32", grad=True, seed=0, label="case"):
    """fn must raise in torch; the module under test must raise the same type and message
    (with 'tapegrad' read as 'torch', e.g. in 'torch.FloatTensor')."""
    torch, m = reference(), tg()
    specs = [as_arg(x) for x in inputs]
    samples = draw(specs, np.random.default_rng(seed))
    results = []
    for lib in (torch, m):
        try:
            run_in(lib, fn, specs, samples, dtype, grad)
        except Exception as err:  # noqa: BLE001 - the exception is what is compared
            msg = re.sub(r"\btapegrad\b", "torch", str(err))
            results.append((type(err).__name__, msg))
        else:
            results.append(None)
    if results[0] is None:
        raise AssertionError(f"{label}: torch does not raise; the case is wrong")
    if results[1] != results[0]:
        got = "no exception" if results[1] is None else ": ".join(results[1])
        raise AssertionError(f"{label}: expected {results[0][0]}: {results[0][1]}\n"
                             f"  got {got}")


# -------------------------------------------------------------------------- finite differences


@dataclass
class _Problem:
    """fn with float64 samples; rebuilds inputs from (perturbed) arrays for each evaluation."""
    m: Any
    fn: Callable
    specs: list
    samples: list
    wrt: list = field(default_factory=list)
    out_idx: list = field(default_factory=list)

    def inputs(self, arrays):
        return build_inputs(self.m, self.specs, arrays, "float64", True)

    def setup(self):
        xs = self.inputs(self.samples)
        outs = as_outputs(self.fn(self.m, *xs))
        self.wrt = [i for i, x in enumerate(xs) if is_tensor(self.m, x) and x.requires_grad]
        self.out_idx = [k for k, o in enumerate(outs)
                        if is_tensor(self.m, o) and o.requires_grad]
        if not self.wrt or not self.out_idx:
            raise ValueError("gradcheck needs an output that requires grad")
        return xs, outs


def _float64(spec):
    """Finite differences need float64: inputs pinned to another float dtype are promoted."""
    if isinstance(spec, Arg) and spec.dtype in FLOATS:
        return replace(spec, dtype=None)
    return spec


def _numeric_grad(phi, arrays, which, eps):
    """Central differences of the scalar phi(arrays) w.r.t. arrays[i] for i in which."""
    grads = []
    for i in which:
        base = np.array(arrays[i], dtype=np.float64)
        g = np.zeros_like(base)
        for j in np.ndindex(base.shape):
            vals = []
            for step in (eps, -eps):
                pert = base.copy()
                pert[j] += step
                vals.append(phi([pert if k == i else a for k, a in enumerate(arrays)]))
            g[j] = (vals[0] - vals[1]) / (2 * eps)
        grads.append(g)
    return grads


def _compare_fd(analytic, numeric, shapes, names, atol, rtol, what):
    for a, n, shape, name in zip(analytic, numeric, shapes, names):
        a = np.zeros(shape) if a is None else to_numpy(a).astype(np.float64)
        if not np.allclose(a, n, rtol=rtol, atol=atol):
            raise AssertionError(f"{what}: analytic and numeric {name} differ "
                                 f"(max abs diff {np.max(np.abs(a - n)):.3g})\n"
                                 f"  analytic {a.tolist()}\n  numeric  {n.tolist()}")


def gradcheck(fn: Callable, *inputs, eps=1e-6, atol=1e-5, rtol=1e-3, seed=0, label="case"):
    """First order: tapegrad's vector-Jacobian product for a random v against central finite
    differences of <v, fn(x)>, in float64, for every input that requires grad."""
    m = tg()
    specs = [_float64(as_arg(x)) for x in inputs]
    rng = np.random.default_rng(seed)
    p = _Problem(m, fn, specs, draw(specs, rng))
    xs, outs = p.setup()
    v = [np.asarray(rng.standard_normal(tuple(outs[k].shape))) for k in p.out_idx]
    analytic = _vjp(m, xs, outs, p.out_idx, p.wrt, v)

    def phi(arrays):
        outs = as_outputs(fn(m, *p.inputs(arrays)))
        return sum(float(np.sum(vk * to_numpy(outs[k]))) for vk, k in zip(v, p.out_idx))

    numeric = _numeric_grad(phi, p.samples, p.wrt, eps)
    _compare_fd(analytic, numeric, [p.samples[i].shape for i in p.wrt],
                [f"grad of input {i}" for i in p.wrt], atol, rtol, f"{label} gradcheck")


def gradgradcheck(fn: Callable, *inputs, eps=1e-6, atol=1e-5, rtol=1e-3, seed=0,
                  label="case"):
    """Second order: g(x, v) = VJP of fn built with create_graph=True; its own VJP for a random
    w, w.r.t. the inputs and v, against finite differences of <w, g(x, v)>."""
    m = tg()
    specs = [_float64(as_arg(x)) for x in inputs]
    rng = np.random.default_rng(seed)
    p = _Problem(m, fn, specs, draw(specs, rng))
    _, outs = p.setup()
    v_arrays = [np.asarray(rng.standard_normal(tuple(outs[k].shape))) for k in p.out_idx]
    n_x = len(p.samples)

    def first(arrays, create_graph):
        xs = p.inputs(arrays[:n_x])
        vs = [make_tensor(m, a, "float64", True) for a in arrays[n_x:]]
        outs = as_outputs(fn(m, *xs))
        ups = [outs[k] for k in p.out_idx]
        g = m.autograd.grad(ups, [xs[i] for i in p.wrt], vs, create_graph=create_graph,
                            allow_unused=True)
        return [xs[i] for i in p.wrt] + vs, g

    arrays = list(p.samples) + v_arrays
    variables, g = first(arrays, True)
    live = [j for j, gj in enumerate(g) if gj is not None]
    w = {j: np.asarray(rng.standard_normal(tuple(g[j].shape))) for j in live}
    diff = [j for j in live if g[j].requires_grad]
    if diff:
        ups = [make_tensor(m, w[j], "float64") for j in diff]
        analytic = m.autograd.grad([g[j] for j in diff], variables, ups, allow_unused=True)
    else:
        analytic = [None] * len(variables)

    def phi(arrs):
        _, g = first(arrs, False)
        return sum(float(np.sum(w[j] * to_numpy(g[j]))) for j in live)

    which = p.wrt + list(range(n_x, len(arrays)))
    numeric = _numeric_grad(phi, arrays, which, eps)
    names = [f"grad of grad w.r.t. input {i}" for i in p.wrt] + [
        f"grad of grad w.r.t. grad_output {k}" for k in p.out_idx]
    _compare_fd(analytic, numeric, [np.shape(arrays[i]) for i in which], names, atol, rtol,
                f"{label} gradgradcheck")


def cpu_flags():
    """The CPU feature flags of /proc/cpuinfo (empty where there is none): which vector paths
    torch and tapegrad take on this machine."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()
