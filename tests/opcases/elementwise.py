"""Elementwise cases: unary math, add/sub/mul/div/pow (broadcasting, Python scalars on either
side, type promotion), clamp, comparisons, where, maximum/minimum; function, method and operator
forms on plain, 1-D, 0-d, size-0 and non-contiguous samples.
"""
import operator

from crosscheck import away, const, ints, mask, pos, randn, ties, uniform
from opcases.base import case

UNARY = {"neg": randn, "exp": randn, "log": pos, "sin": randn, "cos": randn, "tanh": randn,
         "sigmoid": randn, "relu": away, "sqrt": pos, "abs": away, "expm1": randn, "log1p": pos,
         "sign": away}
GRADGRAD = {"exp", "log", "sin", "tanh", "sigmoid", "mul", "div", "expm1", "log1p"}
BINARY = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
          "div": operator.truediv}
COMPARE = {"eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "le": operator.le,
           "gt": operator.gt, "ge": operator.ge}
# (id, lhs shape, rhs shape, non-contiguous)
PAIRS = [("same", (3, 4), (3, 4), False), ("bcast", (3, 1, 4), (2, 4), False),
         ("bcast_row", (4,), (3, 4), False), ("bcast_both", (2, 1), (1, 3), False),
         ("0d_rhs", (3, 4), (), False), ("0d_lhs", (), (3, 4), False), ("0d", (), (), False),
         ("empty", (0, 4), (4,), False), ("nc", (3, 4), (3, 4), True),
         ("nc_bcast", (4, 3), (3,), True)]


def samples(gen):
    """The standard samples of a one-input op."""
    return [("2d", gen(3, 4)), ("1d", gen(5)), ("0d", gen()), ("empty", gen(0, 3)),
            ("nc", gen(3, 4, nc=True))]


def _unary():
    out = []
    for name, gen in UNARY.items():
        for sid, arg in samples(gen):
            out.append(case(f"{name}/fn/{sid}", lambda m, x, n=name: getattr(m, n)(x), arg,
                            gradgrad=name in GRADGRAD and sid == "2d"))
        out.append(case(f"{name}/method", lambda m, x, n=name: getattr(x, n)(), gen(2, 3)))
    kinks = const([-1.5, 0.0, 2.0])  # torch's subgradients at 0
    return out + [
        case("neg/op", lambda m, x: -x, randn(3, 4)),
        case("abs/op", lambda m, x: abs(x), away(3, 4)),
        case("relu/functional", lambda m, x: m.nn.functional.relu(x), away(2, 3, 4)),
        case("relu/at_zero", lambda m, x: m.relu(x), kinks, gradcheck=False),
        case("abs/at_zero", lambda m, x: m.abs(x), kinks, gradcheck=False),
        case("log/zero_negative", lambda m, x: m.log(x), const([0.0, -1.0, 2.0]),
             gradcheck=False),
        case("sqrt/zero", lambda m, x: m.sqrt(x), const([0.0, 4.0]), gradcheck=False),
        case("sigmoid/large", lambda m, x: m.sigmoid(x), const([-40.0, 0.0, 40.0])),
        case("exp/int_input", lambda m, x: m.exp(x), ints(2, 3)),
        case("sign/at_zero", lambda m, x: m.sign(x), const([-1.5, 0.0, 2.0]), gradcheck=False),
        case("sign/int", lambda m, i: m.sign(i), ints(2, 3, low=-2, high=3)),
        case("log1p/near_minus_one", lambda m, x: m.log1p(x), uniform(3, 4, low=-0.9, high=-0.5)),
        case("expm1/tiny", lambda m, x: m.expm1(x), const([1e-10, -1e-10, 0.0])),
        case("log1p/tiny", lambda m, x: x.log1p(), const([1e-10, -1e-10, 0.0])),
    ]


def _binary():
    out = []
    for name, op in BINARY.items():
        rhs = away if name == "div" else randn
        for sid, ls, rs, nc in PAIRS:
            out.append(case(f"{name}/fn/{sid}", lambda m, x, y, n=name: getattr(m, n)(x, y),
                            randn(*ls, nc=nc), rhs(*rs, nc=nc),
                            gradgrad=name in GRADGRAD and sid == "bcast"))
        out += [
            case(f"{name}/method", lambda m, x, y, n=name: getattr(x, n)(y), randn(3, 4),
                 rhs(3, 4)),
            case(f"{name}/op", lambda m, x, y, o=op: o(x, y), randn(3, 4), rhs(3, 4)),
            case(f"{name}/op_bcast", lambda m, x, y, o=op: o(x, y), randn(2, 1, 3), rhs(4, 1)),
            case(f"{name}/scalar_rhs", lambda m, x, o=op: o(x, 3), randn(3, 4)),
            case(f"{name}/float_rhs", lambda m, x, o=op: o(x, 2.5), randn(3, 4)),
            case(f"{name}/scalar_lhs", lambda m, x, o=op: o(2, x), rhs(3, 4)),
            case(f"{name}/float_lhs", lambda m, x, o=op: o(2.5, x), rhs(3, 4)),
            case(f"{name}/fn_scalar", lambda m, x, n=name: getattr(m, n)(x, 2), randn(3, 4)),
            case(f"{name}/0d_scalar", lambda m, x, o=op: o(2, x), rhs()),
            case(f"{name}/int_tensor", lambda m, x, i, o=op: o(x, i), randn(3, 4),
                 ints(3, 4, low=1, high=4)),
            case(f"{name}/int_int", lambda m, i, j, o=op: o(i, j), ints(3, 4),
                 ints(4, low=1, high=4)),
            case(f"{name}/int_float_scalar", lambda m, i, o=op: o(i, 2.5), ints(3, 4)),
            case(f"{name}/mixed_float", lambda m, x, y, o=op: o(x, y), randn(3, 4),
                 rhs(3, 4, dtype="float32")),
        ]
    return out + [
        case("add/alpha", lambda m, x, y: m.add(x, y, alpha=2), randn(3, 4), randn(4)),
        case("sub/alpha", lambda m, x, y: x.sub(y, alpha=0.5), randn(3, 4), randn(3, 1)),
        case("sub/rsub_tensor", lambda m, x: 2 - x, randn(2, 3)),
        case("div/by_zero", lambda m, x, y: x / y, const([1.0, -1.0, 0.0]),
             const([0.0, 0.0, 0.0]), gradcheck=False),
    ]


def _pow():
    p = "pow"
    return [
        case("pow/scalar_exp/op", lambda m, x: x**2, randn(3, 4), gradgrad=True),
        case("pow/scalar_exp/fn", lambda m, x: m.pow(x, 3), randn(3, 4)),
        case("pow/scalar_exp/method", lambda m, x: x.pow(2.5), pos(3, 4), gradgrad=True),
        case("pow/scalar_exp/neg", lambda m, x: x**-1, away(3, 4)),
        case("pow/scalar_exp/half", lambda m, x: x**0.5, pos(3, 4)),
        case("pow/scalar_exp/zero", lambda m, x: x**0, randn(3, 4)),
        case("pow/scalar_exp/one", lambda m, x: x**1, randn(3, 4)),
        case("pow/scalar_exp/0d", lambda m, x: x**2, randn()),
        case("pow/scalar_exp/empty", lambda m, x: x**2, randn(0, 3)),
        case("pow/scalar_exp/nc", lambda m, x: x**3, randn(3, 4, nc=True)),
        case("pow/tensor_exp/op", lambda m, x, y: x**y, pos(3, 4), randn(3, 4), gradgrad=True),
        case("pow/tensor_exp/fn", lambda m, x, y: m.pow(x, y), pos(3, 4), randn(4)),
        case("pow/tensor_exp/method", lambda m, x, y: x.pow(y), pos(3, 1), randn(2, 1, 4)),
        case("pow/tensor_exp/0d_exp", lambda m, x, y: x**y, pos(3, 4), randn()),
        case("pow/tensor_exp/0d", lambda m, x, y: x**y, pos(), randn()),
        case("pow/tensor_exp/empty", lambda m, x, y: x**y, pos(0, 4), randn(4)),
        case("pow/tensor_exp/nc", lambda m, x, y: x**y, pos(3, 4, nc=True), randn(3, 4, nc=True)),
        case("pow/tensor_exp/int_exp", lambda m, x, i: x**i, randn(3, 4), ints(3, 4)),
        case("pow/scalar_base/op", lambda m, x: 2**x, randn(3, 4), gradgrad=True),
        case("pow/scalar_base/float", lambda m, x: 2.5**x, randn(3, 4)),
        case("pow/scalar_base/fn", lambda m, x: m.pow(2.0, x), randn(3, 4)),
        case("pow/scalar_base/0d", lambda m, x: 3**x, randn()),
        case("pow/scalar_base/empty", lambda m, x: 2**x, randn(0, 2)),
        case("pow/scalar_base/nc", lambda m, x: 2**x, randn(3, 4, nc=True), ops=(p,)),
    ]


def _clamp():
    lo, hi = uniform(4, low=-1.5, high=-0.2), uniform(3, 1, low=0.2, high=1.5)
    return [
        case("clamp/fn", lambda m, x: m.clamp(x, -0.5, 0.5), randn(3, 4)),
        case("clamp/method", lambda m, x: x.clamp(-0.5, 0.5), randn(3, 4)),
        case("clamp/min_only", lambda m, x: m.clamp(x, min=-0.5), randn(3, 4)),
        case("clamp/max_only", lambda m, x: x.clamp(max=0.5), randn(3, 4)),
        case("clamp/tensor_bounds", lambda m, x, a, b: m.clamp(x, min=a, max=b), randn(3, 4),
             lo, hi),
        case("clamp/tensor_min", lambda m, x, a: x.clamp(min=a), randn(3, 4), lo),
        case("clamp/tensor_max", lambda m, x, b: x.clamp(max=b), randn(3, 4), hi),
        case("clamp/min_above_max", lambda m, x: x.clamp(0.5, -0.5), randn(3, 4)),
        case("clamp/at_bounds", lambda m, x: x.clamp(-0.5, 0.5),
             const([-1.0, -0.5, 0.0, 0.5, 1.0]), gradcheck=False),
        case("clamp/0d", lambda m, x: x.clamp(-0.5, 0.5), randn()),
        case("clamp/empty", lambda m, x: x.clamp(-0.5, 0.5), randn(0, 3)),
        case("clamp/nc", lambda m, x: x.clamp(-0.5, 0.5), randn(3, 4, nc=True)),
        case("clamp/int", lambda m, i: i.clamp(1, 3), ints(3, 4)),
    ]


def _compare():
    out = []
    for name, op in COMPARE.items():
        out += [
            case(f"{name}/fn", lambda m, x, y, n=name: getattr(m, n)(x, y), ties(3, 4),
                 ties(3, 4)),
            case(f"{name}/method", lambda m, x, y, n=name: getattr(x, n)(y), ties(3, 4),
                 ties(4)),
            case(f"{name}/op", lambda m, x, y, o=op: o(x, y), ties(3, 1), ties(4)),
            case(f"{name}/scalar_rhs", lambda m, x, o=op: o(x, 0.0), ties(3, 4)),
            case(f"{name}/scalar_lhs", lambda m, x, o=op: o(1, x), ties(3, 4)),
            case(f"{name}/int", lambda m, i, j, o=op: o(i, j), ints(3, 4), ints(4)),
            case(f"{name}/int_float", lambda m, i, x, o=op: o(i, x), ints(3, 4), ties(3, 4)),
            case(f"{name}/0d", lambda m, x, y, o=op: o(x, y), ties(), ties()),
            case(f"{name}/empty", lambda m, x, y, o=op: o(x, y), ties(0, 3), ties(3)),
            case(f"{name}/nc", lambda m, x, y, o=op: o(x, y), ties(3, 4, nc=True),
                 ties(3, 4, nc=True)),
        ]
    return out


def _select():
    out = []
    for name in ("maximum", "minimum"):
        out += [
            case(f"{name}/fn", lambda m, x, y, n=name: getattr(m, n)(x, y), randn(3, 4),
                 randn(3, 4)),
            case(f"{name}/method", lambda m, x, y, n=name: getattr(x, n)(y), randn(3, 4),
                 randn(4)),
            case(f"{name}/bcast", lambda m, x, y, n=name: getattr(m, n)(x, y), randn(3, 1),
                 randn(2, 1, 4)),
            case(f"{name}/ties", lambda m, x, y, n=name: getattr(m, n)(x, y), ties(3, 4),
                 ties(3, 4), gradcheck=False),
            case(f"{name}/0d", lambda m, x, y, n=name: getattr(m, n)(x, y), randn(), randn()),
            case(f"{name}/empty", lambda m, x, y, n=name: getattr(m, n)(x, y), randn(0, 3),
                 randn(3)),
            case(f"{name}/nc", lambda m, x, y, n=name: getattr(m, n)(x, y),
                 randn(3, 4, nc=True), randn(3, 4, nc=True)),
        ]
    return out + [
        case("maximum/via_max", lambda m, x, y: m.max(x, y), randn(3, 4), randn(3, 4)),
        case("minimum/via_min", lambda m, x, y: m.min(x, y), randn(3, 4), randn(4)),
        case("where/fn", lambda m, c, x, y: m.where(c, x, y), mask(3, 4), randn(3, 4),
             randn(3, 4)),
        case("where/bcast", lambda m, c, x, y: m.where(c, x, y), mask(3, 1), randn(3, 4),
             randn(4)),
        case("where/method", lambda m, c, x, y: x.where(c, y), mask(3, 4), randn(3, 4),
             randn(3, 4)),
        case("where/scalar_other", lambda m, c, x: m.where(c, x, 0.0), mask(3, 4), randn(3, 4)),
        case("where/scalar_self", lambda m, c, x: m.where(c, 1.5, x), mask(3, 4), randn(3, 4)),
        case("where/computed_mask", lambda m, x, y: m.where(x > 0, x, y), away(3, 4),
             randn(3, 4)),
        case("where/0d", lambda m, c, x, y: m.where(c, x, y), mask(), randn(), randn()),
        case("where/empty", lambda m, c, x, y: m.where(c, x, y), mask(0, 3), randn(0, 3),
             randn(3)),
        case("where/nc", lambda m, c, x, y: m.where(c, x, y), mask(3, 4, nc=True),
             randn(3, 4, nc=True), randn(3, 4)),
    ]


def _logical():
    out = []
    for name in ("logical_and", "logical_or", "logical_xor"):
        fn = (lambda m, a, b, n=name: getattr(m, n)(a, b))
        out += [
            case(f"{name}/bool", fn, mask(3, 4), mask(3, 4)),
            case(f"{name}/method", lambda m, a, b, n=name: getattr(a, n)(b), mask(3, 4),
                 mask(4)),
            case(f"{name}/float", fn, ties(3, 4), ties(3, 4)),
            case(f"{name}/int_float", fn, ints(3, 4, low=0, high=2), ties(3, 1)),
            case(f"{name}/computed", lambda m, x, n=name: getattr(m, n)(x > 0, x < 1),
                 randn(3, 4)),
            case(f"{name}/0d", fn, mask(), mask()),
            case(f"{name}/empty", fn, mask(0, 3), mask(3)),
            case(f"{name}/nc", fn, mask(3, 4, nc=True), ties(3, 4, nc=True)),
        ]
    return out


CASES = _unary() + _binary() + _pow() + _clamp() + _compare() + _logical() + _select()
