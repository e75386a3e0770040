"""The autograd record of div / divide with rounding_mode given ('trunc', 'floor' or None). The
quotient itself is computed in C++ (div_rounded in lib/ops/pointwise_extra.cpp, bound in
python/src/bind_layout.cpp); when autograd sees an input the binding calls _record, which makes
the result torch's DivBackward2: zero gradients for both inputs under 'trunc' / 'floor' (the
quotient is piecewise constant), true division's under an explicit None, with torch's
_saved_self (only when other requires grad), _saved_other (a number other as the 0-d tensor
torch wraps it in) and _saved_rounding_mode."""
from . import _pynode
from ._factories import zeros_like as _zeros_like


def _record(input, other, out, rounding_mode, input_is_number, other_is_number):
    inputs = [None if input_is_number else input, None if other_is_number else other]
    saved = {"other": other, "rounding_mode": rounding_mode,
             "self": input if other.requires_grad else None}
    if rounding_mode is None:  # rounding_mode=None given: true division's gradients
        def backward(g):
            return [g / other, -g * input / (other * other)]
    else:
        def backward(g):
            return [_zeros_like(input), _zeros_like(other)]
    return _pynode.record("DivBackward2", backward, inputs, out, saved)
