"""torch's window functions: hann_window, hamming_window, bartlett_window, blackman_window and
kaiser_window, computed as torch computes them (an arange scaled in the requested dtype; a
periodic window is the symmetric one of length N + 1 without its last sample)."""
import math as _math

from . import _C

__all__ = ["hann_window", "hamming_window", "bartlett_window", "blackman_window",
           "kaiser_window"]

_CNAMES = {_C.int64: "long int", _C.int32: "int", _C.int16: "short int", _C.int8: "signed char",
           _C.uint8: "unsigned char", _C.bool: "bool"}


def _start(name, window_length, dtype):
    dtype = _C.get_default_dtype() if dtype is None else dtype
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got "
                           f"window_length={window_length}")
    if not dtype.is_floating_point:
        raise RuntimeError(f"{name} expects floating point dtypes, got: TensorOptions(dtype="
                           f"{_CNAMES.get(dtype, dtype)}, device=cpu, layout=Strided (default), "
                           "requires_grad=false (default), pinned_memory=false, "
                           "memory_format=(nullopt))")
    return dtype


def _finish(w, periodic, device, requires_grad):
    from ._factories import _finish as _fin
    if periodic:
        w = w[:-1]
    return _fin(w.contiguous(), requires_grad, device)


def _trivial(window_length, dtype, device, requires_grad):
    import tapegrad as _tg
    if window_length == 0:
        return _tg.empty(0, dtype=dtype, device=device, requires_grad=requires_grad)
    return _tg.ones(1, dtype=dtype, device=device, requires_grad=requires_grad)


def _arange(n, dtype):
    import tapegrad as _tg
    return _tg.arange(n, dtype=dtype)


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None,
                   layout=None, device=None, pin_memory=False, requires_grad=False):
    dtype = _start("hamming_window", window_length, dtype)
    if window_length <= 1:
        return _trivial(window_length, dtype, device, requires_grad)
    n = window_length + 1 if periodic else window_length
    w = (_arange(n, dtype) * (_math.pi * 2.0 / (n - 1))).cos() * (-beta) + alpha
    return _finish(w, periodic, device, requires_grad)


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                pin_memory=False, requires_grad=False):
    _start("hann_window", window_length, dtype)
    return hamming_window(window_length, periodic, 0.5, 0.5, dtype=dtype, device=device,
                          requires_grad=requires_grad)


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    pin_memory=False, requires_grad=False):
    dtype = _start("bartlett_window", window_length, dtype)
    if window_length <= 1:
        return _trivial(window_length, dtype, device, requires_grad)
    n = window_length + 1 if periodic else window_length
    w = _arange(n, dtype) * (2.0 / (n - 1))
    half = ((n - 1) >> 1) + 1
    w[half:] = w[half:] * -1 + 2
    return _finish(w, periodic, device, requires_grad)


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    pin_memory=False, requires_grad=False):
    dtype = _start("blackman_window", window_length, dtype)
    if window_length <= 1:
        return _trivial(window_length, dtype, device, requires_grad)
    n = window_length + 1 if periodic else window_length
    w = _arange(n, dtype) * (_math.pi / (n - 1))
    w = (w * 4).cos() * 0.08 - (w * 2).cos() * 0.5 + 0.42
    return _finish(w, periodic, device, requires_grad)


def _i0(values):
    # modified Bessel function of the first kind, order 0: its power series (converges for all
    # x; 60 terms keep double precision up to x ~ 30)
    out = []
    for x in values:
        term, total, k = 1.0, 1.0, 1
        q = (x / 2.0) ** 2
        while k < 500:
            term *= q / (k * k)
            total += term
            if term < total * 1e-17:
                break
            k += 1
        out.append(total)
    return out


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None,
                  device=None, pin_memory=False, requires_grad=False):
    import tapegrad as _tg
    dtype = _start("kaiser_window", window_length, dtype)
    if window_length <= 1:
        return _trivial(window_length, dtype, device, requires_grad)
    n = window_length + 1 if periodic else window_length
    alpha = (n - 1) / 2.0
    k = _arange(n, dtype)
    arg = ((k - alpha) / alpha).pow(2).neg().add(1).sqrt() * beta
    num = _i0(arg.double().tolist())
    den = _i0([float(beta)])[0]
    w = _tg.tensor([v / den for v in num], dtype=dtype)
    return _finish(w, periodic, device, requires_grad)
