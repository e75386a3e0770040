"""torch.div / divide (and their Tensor methods and in-place forms) with rounding_mode='trunc' or
'floor'. The compiled div is true division only; the rounded quotients come from floor_divide
(torch's own floor division, which div(..., rounding_mode='floor') is) and trunc, and the result is
recorded as torch's DivBackward2 (a number other is wrapped too, as torch does), whose gradient is
zero for both inputs (the quotient is piecewise constant)."""
from . import _C, _pynode
from ._grad_mode import no_grad as _no_grad
from ._factories import zeros_like as _zeros_like

__all__ = ["div", "divide"]

_true_div = _C.div          # module function: true division
_true_div_method = _C.Tensor.div
_true_div_ = _C.Tensor.div_


def _check_mode(rounding_mode):
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                           f"but found '{rounding_mode}'")


def _rounded(input, other, rounding_mode):
    _check_mode(rounding_mode)
    with _no_grad():
        dt = _C.result_type(input, other)
        if dt == _C.bool:
            what = "div_floor_cpu" if rounding_mode == "floor" else "div_trunc_cpu"
            raise NotImplementedError(f'"{what}" not implemented for \'Bool\'')
        if rounding_mode == "floor":
            out = _C.floor_divide(input, other)
        elif dt.is_floating_point:
            out = _C.trunc(_true_div(input, other))
        else:
            # integers: the floor quotient is one too small where the division is inexact and
            # the operands' signs differ (exact integer arithmetic, no float round trip)
            q = _C.floor_divide(input, other)
            inexact = _C.remainder(input, other) != 0
            signs = (input < 0) != (other < 0)
            out = q + (inexact & signs).to(q.dtype)
    if not out.is_floating_point():
        return out
    tensor_other = isinstance(other, _C.Tensor)
    return _pynode.record(
        "DivBackward2",  # torch wraps a number other too (div.Tensor_mode)
        lambda g: [_zeros_like(input), _zeros_like(other) if tensor_other else None],
        [input, other if tensor_other else None], out,
        {"other": other, "rounding_mode": rounding_mode})


def div(input, other, *, rounding_mode=None):
    if rounding_mode is None:
        return _true_div(input, other)
    if not isinstance(input, _C.Tensor):
        raise TypeError("div(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    return _rounded(input, other, rounding_mode)


divide = div


def _div_method(self, other, *, rounding_mode=None):
    if rounding_mode is None:
        return _true_div_method(self, other)
    return _rounded(self, other, rounding_mode)


def _div_inplace(self, other, *, rounding_mode=None):
    if rounding_mode is None:
        return _true_div_(self, other)
    _check_mode(rounding_mode)
    return _C._apply_inplace(self, lambda old: _rounded(old, other, rounding_mode), other)


def _install():
    T = _C.Tensor
    T.div = T.divide = _div_method
    T.div_ = T.divide_ = _div_inplace


_install()
