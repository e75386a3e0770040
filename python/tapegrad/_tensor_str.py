"""Tensor printing: the exact strings torch 2.13 gives for repr/str/format of a tensor.

Owns the print options (set_printoptions, get_printoptions, printoptions) and the rendering of
any duck-typed tensor, torch's or tapegrad's, from its shape, dtype, flags and tolist() values.
All arithmetic is on Python scalars: tolist() of a float32 gives the exact double torch formats.
"""

import contextlib
import dataclasses
import math
from typing import Any

__all__ = ["set_printoptions", "get_printoptions", "printoptions"]


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = _PrintOptions()

_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}

_DEFAULT_DTYPE = "torch.float32"
# dtypes whose values already say what they are: no dtype= suffix on a non-empty tensor.
_IMPLIED_DTYPES = frozenset({_DEFAULT_DTYPE, "torch.complex64", "torch.int64", "torch.bool"})
_PREFIX = "tensor("


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Set printing options; a profile ("default", "short", "full") is applied first."""
    if profile is not None and profile in _PROFILES:
        for name, value in _PROFILES[profile].items():
            setattr(PRINT_OPTS, name, value)
    for name, value in (("precision", precision), ("threshold", threshold),
                        ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            setattr(PRINT_OPTS, name, value)
    # Like torch, sci_mode is always assigned: omitting it returns to automatic choice.
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """Current options as a dict that set_printoptions(**d) accepts."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs):
    """Temporarily change the print options (same arguments as set_printoptions)."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


class _Formatter:
    """Pads every element of one real-valued tensor to a common width, in one notation."""

    def __init__(self, values, floating):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        if not floating:
            self.max_width = max([1] + [len(f"{v}") for v in values])
            return
        finite = [v for v in values if math.isfinite(v) and v != 0]
        if not finite:
            # Only zeros, nan and inf: torch keeps int mode and never goes scientific.
            return
        magnitudes = [abs(v) for v in finite]
        lo, hi = min(magnitudes), max(magnitudes)
        self.int_mode = all(v == math.ceil(v) for v in finite)
        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        else:
            self.sci_mode = PRINT_OPTS.sci_mode
        self.max_width = max(self._natural_width(v) for v in finite)

    def _natural_width(self, value):
        precision = PRINT_OPTS.precision
        if self.sci_mode:
            return len(f"{value:.{precision}e}")
        if self.int_mode:
            return len(f"{value:.0f}") + 1  # room for the trailing "." of float ints
        return len(f"{value:.{precision}f}")

    def width(self):
        return self.max_width

    def format(self, value):
        if not self.floating:
            text = f"{value}"
        elif self.sci_mode:
            text = f"{value:{self.max_width}.{PRINT_OPTS.precision}e}"
        elif self.int_mode:
            text = f"{value:.0f}"
            if math.isfinite(value):
                text += "."
        else:
            text = f"{value:.{PRINT_OPTS.precision}f}"
        return text.rjust(self.max_width)


class _ComplexFormatter:
    """Formats complex values as real part then signed imaginary part, each padded apart."""

    def __init__(self, values):
        self.real = _Formatter([v.real for v in values], True)
        self.imag = _Formatter([v.imag for v in values], True)

    def width(self):
        return self.real.width() + self.imag.width() + 1  # + 1 for the "j"

    def format(self, value):
        real = self.real.format(value.real)
        imag = (self.imag.format(value.imag) + "j").lstrip()
        # nan, inf and +0.0 come out unsigned; negative values and -0.0 carry their own sign.
        return real + imag if imag[0] in "+-" else real + "+" + imag


class _Skip:
    """Marks the place where summarisation leaves rows or elements out."""


_SKIP = _Skip()


def _is_complex(t):
    return "complex" in str(t.dtype)


def _gather(t, summarize):
    """t's values as nested lists, with _SKIP where summarisation drops a run."""
    if not summarize or t.dim() == 0:
        return t.tolist()
    edge = PRINT_OPTS.edgeitems
    n = t.shape[0]
    cut = n > 2 * edge
    if t.dim() == 1:
        if not edge:
            return [_SKIP]
        if cut:
            return t[0:edge].tolist() + [_SKIP] + t[n - edge:n].tolist()
        return t.tolist()
    if not edge:
        return [_SKIP]
    rows = list(range(edge)) + [None] + list(range(n - edge, n)) if cut else range(n)
    return [_SKIP if i is None else _gather(t[i], True) for i in rows]


def _flatten(data, dim, out):
    """Append the values of nested data (depth dim) to out, leaving out _SKIP marks."""
    if dim == 0:
        out.append(data)
        return out
    for item in data:
        if item is not _SKIP:
            _flatten(item, dim - 1, out)
    return out


def _vector_str(row, indent, formatter):
    element_length = formatter.width() + 2  # ", " between elements
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))
    if len(row) == 1 and row[0] is _SKIP:
        texts = ["..."]  # edgeitems == 0 shows nothing but the ellipsis
    else:
        texts = [" ..." if v is _SKIP else formatter.format(v) for v in row]
    lines = [", ".join(texts[i:i + per_line]) for i in range(0, len(texts), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(data, dim, indent, formatter):
    if dim == 0:
        return formatter.format(data)
    if dim == 1:
        return _vector_str(data, indent, formatter)
    parts = ["..." if s is _SKIP else _nested_str(s, dim - 1, indent + 1, formatter)
             for s in data]
    # Blocks of rank k are separated by k - 1 newlines, so 3-d prints blank lines between.
    return "[" + ("," + "\n" * (dim - 1) + " " * (indent + 1)).join(parts) + "]"


def _tensor_str(t, indent):
    """The bracketed values of a non-empty tensor, without prefix or suffixes."""
    summarize = t.numel() > PRINT_OPTS.threshold
    data = _gather(t, summarize)
    # The formatter sees only what is shown, so hidden outliers do not change the layout.
    values = _flatten(data, t.dim(), [])
    if _is_complex(t):
        formatter = _ComplexFormatter(values)
    else:
        formatter = _Formatter(values, t.is_floating_point())
    return _nested_str(data, t.dim(), indent, formatter)


def _add_suffixes(text, suffixes, indent):
    # torch counts the last line two characters long (rfind gives -1 without a newline).
    last_line_len = len(text) - text.rfind("\n") + 1
    pieces = [text]
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            pieces.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            pieces.append(", " + suffix)
            last_line_len += len(suffix) + 2
    pieces.append(")")
    return "".join(pieces)


def _shape_suffix(t):
    return "size=" + str(tuple(int(s) for s in t.shape))


def _grad_suffix(t):
    try:
        grad_fn = t.grad_fn
    except RuntimeError:  # e.g. a no_grad view whose base was modified in place: as torch prints
        return "grad_fn=<Invalid>"
    if grad_fn is not None:
        name = type(grad_fn).__name__
        if name == "CppFunction":  # torch's C++-defined custom functions name themselves
            name = grad_fn.name().rsplit("::", 1)[-1]
        return f"grad_fn=<{name}>"
    if t.requires_grad:
        return "requires_grad=True"
    return None


def _str(t) -> str:
    """What repr(t) and str(t) return."""
    indent = len(_PREFIX)
    suffixes = []
    device = str(t.device)
    if device != "cpu":
        suffixes.append(f"device='{device}'")
    dtype = str(t.dtype)
    if t.numel() == 0:
        # An empty tensor shows no values, so its shape and every non-default dtype are named.
        if t.dim() != 1:
            suffixes.append(_shape_suffix(t))
        if dtype != _DEFAULT_DTYPE:
            suffixes.append("dtype=" + dtype)
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(_shape_suffix(t))
        if dtype not in _IMPLIED_DTYPES:
            suffixes.append("dtype=" + dtype)
        body = _tensor_str(t, indent)
    grad = _grad_suffix(t)
    if grad is not None:
        suffixes.append(grad)
    return _add_suffixes(_PREFIX + body, suffixes, indent)


def _format(t, spec: str) -> str:
    """What format(t, spec) returns: a 0-d tensor formats its value, others only with spec ''."""
    if t.dim() == 0:
        return format(t.tolist(), spec)
    if spec:
        raise TypeError("unsupported format string passed to Tensor.__format__")
    return _str(t)
