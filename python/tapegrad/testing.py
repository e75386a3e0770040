"""tapegrad.testing: checking tapegrad against torch.

- ``assert_close(actual, expected)``: torch.testing.assert_close's rules (default tolerances per
  dtype, shape and dtype checks, its message) for any mix of tapegrad tensors, torch tensors,
  numpy arrays and numbers.
- ``compare_with_torch(fn, *inputs)``: runs one function in both libraries on the same inputs,
  compares outputs and gradients (for a random upstream gradient) and reports the worst error
  per output and per input."""
import math

import numpy as np

from . import _C
from ._C import Tensor

__all__ = ["assert_close", "compare_with_torch", "Comparison"]

# torch.testing's defaults: (rtol, atol) by dtype name.
_TOLERANCES = {"float16": (1e-3, 1e-5), "bfloat16": (1.6e-2, 1e-5), "float32": (1.3e-6, 1e-5),
               "float64": (1e-7, 1e-7)}


def _dtype_name(x):
    return str(x.dtype).replace("torch.", "")


def _to_numpy(x):
    """(array as float64 or its own integer/bool type, dtype name) for a tensor-like."""
    if isinstance(x, Tensor):
        x = x.detach().cpu()  # device tensors compare through a host copy, as in torch
        name = _dtype_name(x)
        if name in ("float16", "bfloat16"):
            x = x.to(_C.float32)
        return np.asarray(x.contiguous().numpy()), name
    if type(x).__module__.startswith("torch"):
        x = x.detach().cpu().resolve_conj().resolve_neg()
        name = _dtype_name(x)
        if name in ("float16", "bfloat16"):
            x = x.float()
        return x.numpy(), name
    a = np.asarray(x)
    return a, str(a.dtype)


def _shape(x):
    return tuple(x.shape) if hasattr(x, "shape") else np.shape(x)


def assert_close(actual, expected, *, rtol=None, atol=None, equal_nan=False, check_device=True,
                 check_dtype=True, check_layout=True, check_stride=False, msg=None):
    """Raises AssertionError unless ``actual`` and ``expected`` are close:
    ``|actual - expected| <= atol + rtol * |expected|`` elementwise, with torch's default
    tolerances for the dtype when none are given. Sequences and dicts are compared item by item."""
    if isinstance(actual, (list, tuple)) and isinstance(expected, (list, tuple)):
        if len(actual) != len(expected):
            raise AssertionError(f"The length of the sequences mismatch: {len(actual)} != "
                                 f"{len(expected)}")
        for a, e in zip(actual, expected):
            assert_close(a, e, rtol=rtol, atol=atol, equal_nan=equal_nan,
                         check_dtype=check_dtype, msg=msg)
        return
    if isinstance(actual, dict) and isinstance(expected, dict):
        if actual.keys() != expected.keys():
            raise AssertionError(f"The keys of the mappings do not match: {list(actual)} != "
                                 f"{list(expected)}")
        for k in actual:
            assert_close(actual[k], expected[k], rtol=rtol, atol=atol, equal_nan=equal_nan,
                         check_dtype=check_dtype, msg=msg)
        return
    if (rtol is None) != (atol is None):
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got "
                         f"no {'rtol' if rtol is None else 'atol'}.")
    a, an = _to_numpy(actual)
    e, en = _to_numpy(expected)
    if _shape(actual) != _shape(expected):
        _raise(msg, f"The values for attribute 'shape' do not match: {_shape(actual)} != "
                    f"{_shape(expected)}.")
    if check_dtype and an != en:
        _raise(msg, f"The values for attribute 'dtype' do not match: torch.{an} != torch.{en}.")
    if rtol is None:
        rtol, atol = _TOLERANCES.get(en, _TOLERANCES.get(an, (0.0, 0.0)))
    # Differences in the compared dtype, as torch computes them (float32 stays float32).
    work = np.result_type(a.dtype, e.dtype)
    if not np.issubdtype(work, np.floating):
        work = np.float64
    a64 = a.astype(work)
    e64 = e.astype(work)
    if a64.size == 0:
        return
    with np.errstate(invalid="ignore", divide="ignore"):
        diff = np.abs(a64 - e64)
        ok = diff <= atol + rtol * np.abs(e64)
        ok |= a64 == e64  # equal infinities
        if equal_nan:
            ok |= np.isnan(a64) & np.isnan(e64)
    if ok.all():
        return
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = diff / np.abs(e64)
    if a64.ndim == 0:  # torch compares scalars as Python floats
        av, ev = float(a64.item()), float(e64.item())
        d = abs(av - ev)
        _raise(msg, f"Scalars are not close!\n\nExpected {ev} but got {av}.\n"
                    f"Absolute difference: {d} (up to {atol} allowed)\n"
                    f"Relative difference: {d / abs(ev) if ev else float('inf')} "
                    f"(up to {rtol} allowed)")
    kind = "Tensor-likes"
    n_bad, n = int((~ok).sum()), ok.size
    abs_i = np.unravel_index(np.nanargmax(np.where(np.isnan(diff), np.inf, diff)), diff.shape)
    rel_i = np.unravel_index(np.nanargmax(np.where(np.isnan(rel), np.inf, rel)), rel.shape)
    text = (f"{kind} are not close!\n\nMismatched elements: {n_bad} / {n} "
            f"({100.0 * n_bad / n:.1f}%)\n"
            f"Greatest absolute difference: {diff[abs_i].item()} at index {tuple(map(int, abs_i))} "
            f"(up to {atol} allowed)\n"
            f"Greatest relative difference: {rel[rel_i].item()} at index {tuple(map(int, rel_i))} "
            f"(up to {rtol} allowed)")
    _raise(msg, text)


def _raise(msg, text):
    raise AssertionError(msg(text) if callable(msg) else (msg or text))


class Comparison:
    """What compare_with_torch found: the worst absolute and relative error of each output and
    of each input's gradient, and whether all were within tolerance."""

    def __init__(self):
        self.outputs = []    # (index, max_abs, max_rel, ok)
        self.gradients = []  # (input index, max_abs, max_rel, ok)

    @property
    def ok(self):
        return all(r[3] for r in self.outputs + self.gradients)

    def __repr__(self):
        lines = ["compare_with_torch:"]
        for k, a, r, ok in self.outputs:
            lines.append(f"  output {k}: max abs err {a:.3e}, max rel err {r:.3e}"
                         f"{'' if ok else '  <-- MISMATCH'}")
        for k, a, r, ok in self.gradients:
            lines.append(f"  grad of input {k}: max abs err {a:.3e}, max rel err {r:.3e}"
                         f"{'' if ok else '  <-- MISMATCH'}")
        return "\n".join(lines)


def _errors(a, e, rtol, atol):
    a64 = _to_numpy(a)[0].astype(np.float64)
    e64 = _to_numpy(e)[0].astype(np.float64)
    if a64.shape != e64.shape:
        return math.inf, math.inf, False
    if a64.size == 0:
        return 0.0, 0.0, True
    with np.errstate(invalid="ignore", divide="ignore"):
        diff = np.abs(a64 - e64)
        rel = np.where(diff == 0, 0.0, diff / np.abs(e64))
        ok = bool(np.all((diff <= atol + rtol * np.abs(e64)) | (a64 == e64)
                         | (np.isnan(a64) & np.isnan(e64))))
    return float(np.nanmax(diff)), float(np.nanmax(rel)), ok


def compare_with_torch(fn, *inputs, rtol=None, atol=None, check_grad=True, seed=0,
                       raise_exception=True):
    """Runs ``fn`` with tapegrad and with torch on copies of ``inputs`` and compares.

    ``fn(m, *xs)`` receives the library module (``tapegrad`` or ``torch``) first, so that it can
    call ``m.sin(x)``; inputs may be tapegrad or torch tensors, numpy arrays or numbers (floating
    tensors that require grad get gradients compared). Outputs (a tensor or a tuple) are compared,
    then ``sum(out * g)`` for a random ``g`` is differentiated in both. Returns a Comparison;
    raises AssertionError with it when something is off (``raise_exception=False``: returns)."""
    import tapegrad
    from ._dlpack import _torch
    torch = _torch()
    tg_in, th_in, diff = [], [], []
    for k, x in enumerate(inputs):
        if isinstance(x, Tensor) or isinstance(x, torch.Tensor) or isinstance(x, np.ndarray):
            arr, _ = _to_numpy(x)
            req = bool(getattr(x, "requires_grad", False))
            th = torch.from_numpy(np.array(arr, copy=True))
            if isinstance(x, (Tensor, torch.Tensor)):
                th = th.to(getattr(torch, _dtype_name(x)))
            tg = tapegrad.from_torch(th.clone())
            if req:
                th.requires_grad_(True)
                tg.requires_grad_(True)
                diff.append(k)
            tg_in.append(tg)
            th_in.append(th)
        else:
            tg_in.append(x)
            th_in.append(x)
    tg_out = fn(tapegrad, *tg_in)
    th_out = fn(torch, *th_in)
    tg_outs = list(tg_out) if isinstance(tg_out, (tuple, list)) else [tg_out]
    th_outs = list(th_out) if isinstance(th_out, (tuple, list)) else [th_out]
    report = Comparison()
    if len(tg_outs) != len(th_outs):
        raise AssertionError(f"compare_with_torch: tapegrad returned {len(tg_outs)} outputs, "
                             f"torch {len(th_outs)}")
    for k, (a, e) in enumerate(zip(tg_outs, th_outs)):
        r, t = (rtol, atol) if rtol is not None else _TOLERANCES.get(_dtype_name(e), (0.0, 0.0))
        report.outputs.append((k, *_errors(a, e, r, t)))
    if check_grad and diff:
        rng = np.random.default_rng(seed)
        tg_loss, th_loss = None, None
        for a, e in zip(tg_outs, th_outs):
            if not (isinstance(e, torch.Tensor) and e.requires_grad):
                continue
            g = rng.standard_normal(tuple(e.shape))
            gt = torch.from_numpy(g).to(e.dtype)
            gg = tapegrad.from_torch(gt.clone())
            tg_loss = (a * gg).sum() if tg_loss is None else tg_loss + (a * gg).sum()
            th_loss = (e * gt).sum() if th_loss is None else th_loss + (e * gt).sum()
        if th_loss is not None:
            th_loss.backward()
            tg_loss.backward()
            for k in diff:
                ge, ga = th_in[k].grad, tg_in[k].grad
                if ge is None or ga is None:
                    report.gradients.append((k, 0.0 if ge is ga else math.inf, 0.0, ge is ga))
                    continue
                r, t = (rtol, atol) if rtol is not None else _TOLERANCES.get(_dtype_name(ge),
                                                                             (0.0, 0.0))
                report.gradients.append((k, *_errors(ga, ge, r, t)))
    if raise_exception and not report.ok:
        raise AssertionError(repr(report))
    return report
