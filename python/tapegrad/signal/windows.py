"""torch.signal.windows: the scipy-style window functions (M samples, sym=True for a symmetric
window, sym=False for a periodic one). Each builds the sample positions with linspace in the
requested dtype and applies the window's formula, as torch does, so float32 results round the
same way; argument checks raise torch's ValueError/TypeError messages."""
import math as _math
from collections.abc import Iterable as _Iterable

import tapegrad as _tg

__all__ = ["bartlett", "blackman", "cosine", "exponential", "gaussian", "general_cosine",
           "general_hamming", "hamming", "hann", "kaiser", "nuttall"]


def _check(name, M, dtype, layout):
    if M < 0:
        raise ValueError(f"{name} requires non-negative window length, got M={M}")
    if layout is not None and str(layout) != "torch.strided":
        raise ValueError(f"{name} is implemented for strided tensors only, got: {layout}")
    if dtype not in (_tg.float32, _tg.float64):
        raise ValueError(f"{name} expects float32 or float64 dtypes, got: {dtype}")


def _start(name, M, dtype, layout):
    dtype = _tg.get_default_dtype() if dtype is None else dtype
    _check(name, M, dtype, layout)
    return dtype


def _trivial(M, dtype, device, requires_grad):
    """The windows of length 0 and 1 (empty, and [1.]), or None."""
    if M == 0:
        return _tg.empty((0,), dtype=dtype, device=device, requires_grad=requires_grad)
    if M == 1:
        return _tg.ones((1,), dtype=dtype, device=device, requires_grad=requires_grad)
    return None


def _positions(start, end, M, dtype, device, requires_grad):
    return _tg.linspace(start=start, end=end, steps=M, dtype=dtype, device=device,
                        requires_grad=requires_grad)


def exponential(M, *, center=None, tau=1.0, sym=True, dtype=None, layout=None, device=None,
                requires_grad=False):
    dtype = _start("exponential", M, dtype, layout)
    if tau <= 0:
        raise ValueError(f"Tau must be positive, got: {tau} instead.")
    if sym and center is not None:
        raise ValueError("Center must be None for symmetric windows")
    if M == 0:
        return _trivial(M, dtype, device, requires_grad)
    if center is None:
        center = (M if not sym and M > 1 else M - 1) / 2.0
    c = 1 / tau
    k = _positions(-center * c, (-center + (M - 1)) * c, M, dtype, device, requires_grad)
    return _tg.exp(-_tg.abs(k))


def cosine(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    dtype = _start("cosine", M, dtype, layout)
    if M == 0:
        return _trivial(M, dtype, device, requires_grad)
    c = _math.pi / (M + 1 if not sym and M > 1 else M)
    k = _positions(0.5 * c, (0.5 + (M - 1)) * c, M, dtype, device, requires_grad)
    return _tg.sin(k)


def gaussian(M, *, std=1.0, sym=True, dtype=None, layout=None, device=None,
             requires_grad=False):
    dtype = _start("gaussian", M, dtype, layout)
    if std <= 0:
        raise ValueError(f"Standard deviation must be positive, got: {std} instead.")
    if M == 0:
        return _trivial(M, dtype, device, requires_grad)
    start = -(M if not sym and M > 1 else M - 1) / 2.0
    c = 1 / (std * _math.sqrt(2))
    k = _positions(start * c, (start + (M - 1)) * c, M, dtype, device, requires_grad)
    return _tg.exp(-(k ** 2))


def kaiser(M, *, beta=12.0, sym=True, dtype=None, layout=None, device=None,
           requires_grad=False):
    dtype = _start("kaiser", M, dtype, layout)
    if beta < 0:
        raise ValueError(f"beta must be non-negative, got: {beta} instead.")
    w = _trivial(M, dtype, device, requires_grad)
    if w is not None:
        return w
    # beta rounded to dtype, and the last position clamped to it, so that beta^2 - k^2 >= 0
    b = _tg.tensor(beta, dtype=dtype, device=device)
    c = 2.0 * b / (M if not sym else M - 1)
    end = _tg.minimum(b, -b + (M - 1) * c)
    k = _positions((-b).item(), end.item(), M, dtype, device, requires_grad)
    return _tg.i0(_tg.sqrt(b * b - _tg.pow(k, 2))) / _tg.i0(b)


def general_cosine(M, *, a, sym=True, dtype=None, layout=None, device=None,
                   requires_grad=False):
    dtype = _start("general_cosine", M, dtype, layout)
    w = _trivial(M, dtype, device, requires_grad)
    if w is not None:
        return w
    if not isinstance(a, _Iterable):
        raise TypeError("Coefficients must be a list/tuple")
    if not a:
        raise ValueError("Coefficients cannot be empty")
    c = 2 * _math.pi / (M if not sym else M - 1)
    k = _positions(0, (M - 1) * c, M, dtype, device, requires_grad)
    # sum_i (-1)^i a_i cos(i k)
    coef = _tg.tensor([(-1) ** i * w for i, w in enumerate(a)], dtype=dtype, device=device,
                      requires_grad=requires_grad)
    i = _tg.arange(coef.shape[0], dtype=dtype, device=device, requires_grad=requires_grad)
    return (coef.unsqueeze(-1) * _tg.cos(i.unsqueeze(-1) * k)).sum(0)


def general_hamming(M, *, alpha=0.54, sym=True, dtype=None, layout=None, device=None,
                    requires_grad=False):
    return general_cosine(M, a=[alpha, 1.0 - alpha], sym=sym, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)


def hamming(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    return general_hamming(M, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def hann(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    return general_hamming(M, alpha=0.5, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def blackman(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    dtype = _start("blackman", M, dtype, layout)
    return general_cosine(M, a=[0.42, 0.5, 0.08], sym=sym, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)


def bartlett(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    dtype = _start("bartlett", M, dtype, layout)
    w = _trivial(M, dtype, device, requires_grad)
    if w is not None:
        return w
    c = 2 / (M if not sym else M - 1)
    k = _positions(-1, -1 + (M - 1) * c, M, dtype, device, requires_grad)
    return 1 - _tg.abs(k)


def nuttall(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    return general_cosine(M, a=[0.3635819, 0.4891775, 0.1365995, 0.0106411], sym=sym,
                          dtype=dtype, layout=layout, device=device,
                          requires_grad=requires_grad)
