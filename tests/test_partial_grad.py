"""Binary ops where only one operand requires grad: what the node keeps must still cover the
formula of the gradient asked for (a missing saved input crashed the engine for a / b with
only b requiring grad, and for maximum / minimum). Each op runs with requires_grad on self
only, other only, and both, with a second derivative, against torch."""
import pytest

from crosscheck import away, check, gradgradcheck, pos, randn

BINARY = {
    "add": (lambda m, x, y: x + y, randn(2, 3), randn(3)),
    "sub": (lambda m, x, y: m.sub(x, y, alpha=2), randn(2, 3), randn(3)),
    "mul": (lambda m, x, y: x * y, randn(2, 3), randn(3)),
    "div": (lambda m, x, y: x / y, randn(2, 3), away(3)),
    "pow": (lambda m, x, y: x ** y, pos(2, 3), randn(3)),
    "maximum": (lambda m, x, y: m.maximum(x, y), randn(2, 3), randn(3)),
    "minimum": (lambda m, x, y: m.minimum(x, y), randn(2, 3), randn(3)),
    "atan2": (lambda m, x, y: m.atan2(x, y), randn(2, 3), away(3)),
    "hypot": (lambda m, x, y: m.hypot(x, y), away(2, 3), away(3)),
    "xlogy": (lambda m, x, y: m.xlogy(x, y), randn(2, 3), pos(3)),
    "fmod": (lambda m, x, y: m.fmod(x, y), randn(2, 3), away(3)),
    "remainder": (lambda m, x, y: m.remainder(x, y), randn(2, 3), away(3)),
    "lerp": (lambda m, x, y: m.lerp(x, y, 0.3), randn(2, 3), randn(3)),
}


def _with_grad(arg, rg):
    from dataclasses import replace
    return replace(arg, requires_grad=rg)


@pytest.mark.parametrize("which", ["self", "other", "both"])
@pytest.mark.parametrize("name", sorted(BINARY))
def test_one_operand_requires_grad(name, which):
    fn, a, b = BINARY[name]
    a = _with_grad(a, which in ("self", "both"))
    b = _with_grad(b, which in ("other", "both"))
    check(lambda m, x, y: fn(m, x, y).sin(), a, b)


@pytest.mark.parametrize("name", ["div", "maximum", "minimum", "mul", "pow", "atan2"])
def test_second_derivative_through_other_only(name):
    fn, a, b = BINARY[name]
    gradgradcheck(lambda m, x, y: fn(m, x, y), _with_grad(a, False), b)
