"""Cases for the elementwise math beyond the core arithmetic: tan, the hyperbolic and inverse
trigonometric functions (and their arc* aliases), log2 / log10, atan2, hypot, xlogy (tensor and
number forms), fmod / remainder (tensor and number forms, the % operator), floor_divide (and
//; no gradient), clamp_min / clamp_max (number and tensor bounds, ties) and logit (eps=).
"""
from crosscheck import away, const, ints, pos, randn, ties, uniform
from opcases.base import case

# name -> sampler of its domain (away from the poles / branch points)
UNARY = {
    "tan": lambda *s, **k: uniform(*s, low=-1.2, high=1.2, **k),
    "sinh": randn, "cosh": randn, "atan": randn, "asinh": randn,
    "asin": lambda *s, **k: uniform(*s, low=-0.9, high=0.9, **k),
    "acos": lambda *s, **k: uniform(*s, low=-0.9, high=0.9, **k),
    "atanh": lambda *s, **k: uniform(*s, low=-0.9, high=0.9, **k),
    "acosh": lambda *s, **k: uniform(*s, low=1.2, high=3.0, **k),
    "log2": pos, "log10": pos,
}
NO_INPLACE_GRAD = ("asinh", "acosh", "atanh")
ALIASES = {"arcsin": "asin", "arccos": "acos", "arctan": "atan", "arcsinh": "asinh",
           "arccosh": "acosh", "arctanh": "atanh"}
# values outside the domains, infinities and NaN: forward only
SPECIAL = [-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, float("inf"), float("-inf"), float("nan")]


def _unary():
    out = []
    for name, S in UNARY.items():
        out += [
            case(f"{name}/fn/2d", lambda m, x, n=name: getattr(m, n)(x), S(3, 4), gradgrad=True),
            case(f"{name}/method", lambda m, x, n=name: getattr(x, n)(), S(2, 3)),
            case(f"{name}/0d", lambda m, x, n=name: getattr(m, n)(x), S()),
            case(f"{name}/empty", lambda m, x, n=name: getattr(m, n)(x), S(0, 3)),
            case(f"{name}/nc", lambda m, x, n=name: getattr(x, n)(), S(3, 4, nc=True)),
            case(f"{name}/int", lambda m, i, n=name: getattr(m, n)(i), ints(2, 3, low=1, high=4)),
            case(f"{name}/special", lambda m, x, n=name: getattr(m, n)(x), const(SPECIAL),
                 grad=False),
            # torch records asinh_/acosh_/atanh_ as AsinhBackward1 & co, whose backward raises
            # (tapegrad differentiates them: forward-only here)
            case(f"{name}/inplace", lambda m, x, n=name: getattr(x * 1, n + "_")(), S(3, 4),
                 ops=(name,), grad=name not in NO_INPLACE_GRAD),
        ]
    for alias, name in ALIASES.items():
        S = UNARY[name]
        out += [
            case(f"{alias}/fn", lambda m, x, a=alias: getattr(m, a)(x), S(3, 4), ops=(name,)),
            case(f"{alias}/method", lambda m, x, a=alias: getattr(x, a)(), S(2, 3), ops=(name,)),
            case(f"{alias}/inplace", lambda m, x, a=alias: getattr(x * 1, a + "_")(), S(2, 3),
                 ops=(name,), grad=name not in NO_INPLACE_GRAD),
        ]
    return out


def _atan2_hypot():
    out = []
    for name in ("atan2", "hypot"):
        out += [
            case(f"{name}/fn", lambda m, x, y, n=name: getattr(m, n)(x, y), away(3, 4),
                 away(3, 4), gradgrad=True),
            case(f"{name}/method", lambda m, x, y, n=name: getattr(x, n)(y), away(2, 3),
                 away(2, 3)),
            case(f"{name}/kw", lambda m, x, y, n=name: getattr(m, n)(input=x, other=y),
                 away(2, 3), away(2, 3)),
            case(f"{name}/broadcast", lambda m, x, y, n=name: getattr(m, n)(x, y), away(3, 1),
                 away(4)),
            case(f"{name}/0d", lambda m, x, y, n=name: getattr(m, n)(x, y), away(), away(2, 3)),
            case(f"{name}/empty", lambda m, x, y, n=name: getattr(m, n)(x, y), away(0, 3),
                 away(3)),
            case(f"{name}/nc", lambda m, x, y, n=name: getattr(m, n)(x, y), away(3, 4, nc=True),
                 away(3, 4)),
            case(f"{name}/one_side", lambda m, x, y, n=name: getattr(m, n)(x, y), away(3, 4),
                 away(3, 4, rg=False)),
            case(f"{name}/other_side", lambda m, x, y, n=name: getattr(m, n)(x, y),
                 away(3, 4, rg=False), away(3, 4)),
            case(f"{name}/inplace", lambda m, x, y, n=name: getattr(x * 1, n + "_")(y),
                 away(3, 4), away(4), ops=(name,)),
            case(f"{name}/f32_f64", lambda m, x, y, n=name: getattr(m, n)(x, y),
                 away(2, 3, dtype="float32"), away(2, 3, dtype="float64")),
            case(f"{name}/zeros", lambda m, x, y, n=name: getattr(m, n)(x, y),
                 const([0.0, -0.0, 1.0, -1.0, float("inf"), float("nan")]),
                 const([0.0, 0.0, -0.0, float("inf"), 1.0, 2.0]), grad=False),
        ]
    return out + [
        case("atan2/int", lambda m, i, j: m.atan2(i, j), ints(2, 3, low=-3, high=3),
             ints(2, 3, low=-3, high=3)),
        case("atan2/arctan2", lambda m, x, y: m.arctan2(x, y), away(2, 3), away(2, 3),
             ops=("atan2",)),
        case("atan2/arctan2_method", lambda m, x, y: x.arctan2(y), away(2, 3), away(2, 3),
             ops=("atan2",)),
        case("atan2/arctan2_inplace", lambda m, x, y: (x * 1).arctan2_(y), away(2, 3), away(2, 3),
             ops=("atan2",)),
    ]


def _xlogy():
    zeros_x = const([[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]])
    return [
        case("xlogy/fn", lambda m, x, y: m.xlogy(x, y), randn(3, 4), pos(3, 4), gradgrad=True),
        case("xlogy/method", lambda m, x, y: x.xlogy(y), randn(2, 3), pos(2, 3)),
        case("xlogy/broadcast", lambda m, x, y: m.xlogy(x, y), randn(3, 1), pos(4)),
        case("xlogy/0d", lambda m, x, y: m.xlogy(x, y), randn(), pos(2, 3)),
        case("xlogy/empty", lambda m, x, y: m.xlogy(x, y), randn(0, 3), pos(3)),
        case("xlogy/nc", lambda m, x, y: m.xlogy(x, y), randn(3, 4, nc=True), pos(3, 4)),
        case("xlogy/zero_x", lambda m, x, y: m.xlogy(x, y), zeros_x, pos(2, 3)),
        case("xlogy/special", lambda m, x, y: m.xlogy(x, y),
             const([0.0, 0.0, 0.0, 1.0, 2.0, -1.0]),
             const([0.0, float("nan"), -1.0, 0.0, float("inf"), float("nan")]), grad=False),
        case("xlogy/number_self", lambda m, y: m.xlogy(2.5, y), pos(3, 4)),
        case("xlogy/number_self_int", lambda m, y: m.xlogy(3, y), pos(3, 4)),
        case("xlogy/number_other", lambda m, x: m.xlogy(x, 3.0), randn(3, 4)),
        case("xlogy/number_other_method", lambda m, x: x.xlogy(2), zeros_x),
        case("xlogy/number_other_zero", lambda m, x: m.xlogy(x, 0.0), zeros_x, gradcheck=False),
        case("xlogy/number_other_neg", lambda m, x: m.xlogy(x, -1), zeros_x, gradcheck=False),
        case("xlogy/zero_x_special_y", lambda m, x, y: m.xlogy(x, y),
             const([0.0, 0.0, 0.0, 0.0, 1.0, 1.0]),
             const([2.0, 0.5, 0.0, -1.0, -1.0, 0.0]), gradcheck=False),
        case("xlogy/int", lambda m, i, j: m.xlogy(i, j), ints(2, 3), ints(2, 3, low=1)),
        case("xlogy/inplace", lambda m, x, y: (x * 1).xlogy_(y), randn(3, 4), pos(4),
             ops=("xlogy",)),
        case("xlogy/inplace_number", lambda m, x: (x * 1).xlogy_(2.0), randn(3, 4),
             ops=("xlogy",)),
    ]


def _mod():
    out = []
    # x * 3 spreads the quotients over several integers; divisors away from 0, both signs
    for name in ("fmod", "remainder"):
        out += [
            case(f"{name}/fn", lambda m, x, y, n=name: getattr(m, n)(x * 3, y), randn(3, 4),
                 away(3, 4), gradgrad=True),
            case(f"{name}/method", lambda m, x, y, n=name: getattr(x * 3, n)(y), randn(2, 3),
                 away(2, 3)),
            case(f"{name}/kw", lambda m, x, y, n=name: getattr(m, n)(input=x, other=y),
                 randn(2, 3), away(2, 3)),
            case(f"{name}/broadcast", lambda m, x, y, n=name: getattr(m, n)(x * 3, y),
                 randn(3, 1), away(4)),
            case(f"{name}/0d", lambda m, x, y, n=name: getattr(m, n)(x * 3, y), randn(2, 3),
                 away()),
            case(f"{name}/empty", lambda m, x, y, n=name: getattr(m, n)(x, y), randn(0, 3),
                 away(3)),
            case(f"{name}/nc", lambda m, x, y, n=name: getattr(m, n)(x * 3, y),
                 randn(3, 4, nc=True), away(3, 4)),
            case(f"{name}/self_only", lambda m, x, y, n=name: getattr(m, n)(x * 3, y),
                 randn(3, 4), away(3, 4, rg=False)),
            case(f"{name}/other_only", lambda m, x, y, n=name: getattr(m, n)(x * 3, y),
                 randn(3, 4, rg=False), away(3, 4)),
            case(f"{name}/number", lambda m, x, n=name: getattr(m, n)(x * 3, 1.3), randn(3, 4)),
            case(f"{name}/number_neg", lambda m, x, n=name: getattr(x * 3, n)(-0.7),
                 randn(3, 4)),
            case(f"{name}/number_int", lambda m, x, n=name: getattr(m, n)(x * 3, 2), randn(3, 4)),
            case(f"{name}/int", lambda m, i, j, n=name: getattr(m, n)(i - 6, j),
                 ints(3, 4, high=12), const([3, -3, 5, -2])),
            case(f"{name}/int_number", lambda m, i, n=name: getattr(m, n)(i - 6, -4),
                 ints(3, 4, high=12)),
            case(f"{name}/int_float_number", lambda m, i, n=name: getattr(m, n)(i - 6, 2.5),
                 ints(3, 4, high=12)),
            case(f"{name}/special", lambda m, x, y, n=name: getattr(m, n)(x, y),
                 const([5.0, -5.0, 5.0, float("inf"), 3.0, -0.0, float("nan"), 4.0]),
                 const([0.0, 3.0, -3.0, 2.0, float("inf"), 1.0, 2.0, -2.0]), grad=False),
            case(f"{name}/inplace", lambda m, x, y, n=name: getattr(x * 3, n + "_")(y),
                 randn(3, 4), away(4), ops=(name,)),
            case(f"{name}/inplace_number", lambda m, x, n=name: getattr(x * 3, n + "_")(0.9),
                 randn(3, 4), ops=(name,)),
        ]
    return out + [
        case("remainder/operator", lambda m, x, y: (x * 3) % y, randn(3, 4), away(3, 4)),
        case("remainder/operator_number", lambda m, x: (x * 3) % 1.5, randn(3, 4)),
        case("remainder/operator_int", lambda m, i: (i - 6) % 4, ints(3, 4, high=12)),
        case("remainder/rmod", lambda m, y: 5.0 % y, away(3, 4), grad=False),
        case("remainder/imod", lambda m, x: x.__imod__(0.8), randn(3, 4, rg=False), grad=False),
    ]


def _floor_divide():
    # no derivative (torch's grad_fn is NotImplemented): forward only
    kw = dict(grad=False, gradcheck=False)
    return [
        case("floor_divide/fn", lambda m, x, y: m.floor_divide(x * 3, y), randn(3, 4),
             away(3, 4), **kw),
        case("floor_divide/method", lambda m, x, y: (x * 3).floor_divide(y), randn(3, 4),
             away(4), **kw),
        case("floor_divide/number", lambda m, x: m.floor_divide(x * 3, -0.7), randn(3, 4), **kw),
        case("floor_divide/int", lambda m, i, j: m.floor_divide(i - 6, j), ints(3, 4, high=12),
             const([3, -3, 5, -2]), **kw),
        case("floor_divide/int_number", lambda m, i: (i - 6).floor_divide(-4),
             ints(3, 4, high=12), **kw),
        case("floor_divide/exact", lambda m, x, y: m.floor_divide(x, y),
             const([1.0, -1.0, 0.3, -0.3, 7.0, -7.0, 0.0, -0.0, 5.0, float("inf")]),
             const([0.1, 0.1, 0.1, 0.1, 0.7, 0.7, -3.0, 3.0, 0.0, 2.0]), **kw),
        case("floor_divide/operator", lambda m, x, y: (x * 3) // y, randn(3, 4), away(3, 4),
             **kw),
        case("floor_divide/operator_int", lambda m, i: (i - 6) // 4, ints(3, 4, high=12), **kw),
        case("floor_divide/rfloordiv", lambda m, y: 5 // y, away(3, 4), **kw),
        case("floor_divide/0d_empty", lambda m, x, y: m.floor_divide(x, y), randn(0, 3),
             away(), **kw),
        case("floor_divide/inplace", lambda m, x, y: (x * 3).floor_divide_(y), randn(3, 4),
             away(4), **kw),
        case("floor_divide/ifloordiv", lambda m, i: i.__ifloordiv__(3), ints(3, 4), **kw),
    ]


def _clamp_one():
    out = []
    for name, arg in (("clamp_min", "min"), ("clamp_max", "max")):
        out += [
            case(f"{name}/number", lambda m, x, n=name: getattr(m, n)(x, 0.2), randn(3, 4)),
            case(f"{name}/number_int", lambda m, x, n=name: getattr(x, n)(0), randn(3, 4)),
            case(f"{name}/kw", lambda m, x, n=name, a=arg: getattr(m, n)(x, **{a: -0.3}),
                 randn(2, 3)),
            case(f"{name}/method_kw", lambda m, x, n=name, a=arg: getattr(x, n)(**{a: 0.1}),
                 randn(2, 3)),
            case(f"{name}/tensor", lambda m, x, b, n=name: getattr(m, n)(x, b), randn(3, 4),
                 randn(3, 4)),
            case(f"{name}/tensor_broadcast", lambda m, x, b, n=name: getattr(m, n)(x, b),
                 randn(3, 4), randn(4)),
            case(f"{name}/tensor_grows", lambda m, x, b, n=name: getattr(m, n)(x, b),
                 randn(4), randn(3, 1)),
            case(f"{name}/ties", lambda m, x, b, n=name: getattr(m, n)(x, b), ties(4, 5),
                 ties(4, 5), gradcheck=False),
            case(f"{name}/ties_number", lambda m, x, n=name: getattr(m, n)(x, 1.0), ties(4, 5),
                 gradcheck=False),
            case(f"{name}/0d", lambda m, x, n=name: getattr(m, n)(x, 0.1), randn()),
            case(f"{name}/empty", lambda m, x, n=name: getattr(m, n)(x, 0.1), randn(0, 3)),
            case(f"{name}/nc", lambda m, x, b, n=name: getattr(m, n)(x, b), randn(3, 4, nc=True),
                 randn(3, 4)),
            case(f"{name}/int", lambda m, i, n=name: getattr(m, n)(i, 2), ints(3, 4)),
            case(f"{name}/int_float_bound", lambda m, i, n=name: getattr(m, n)(i, 2.5),
                 ints(3, 4)),
            case(f"{name}/nan", lambda m, x, n=name: getattr(m, n)(x, 0.0),
                 const([float("nan"), 1.0, -1.0]), grad=False),
            case(f"{name}/inplace", lambda m, x, n=name: getattr(x * 1, n + "_")(0.3),
                 randn(3, 4), ops=(name,)),
            case(f"{name}/inplace_tensor", lambda m, x, b, n=name: getattr(x * 1, n + "_")(b),
                 randn(3, 4), randn(4), ops=(name,)),
            case(f"{name}/fn_inplace", lambda m, x, n=name: getattr(m, n + "_")(x * 1, -0.2),
                 randn(3, 4), ops=(name,)),
        ]
    return out


def _logit():
    return [
        case("logit/fn", lambda m, p: m.logit(p), uniform(3, 4, low=0.05, high=0.95),
             gradgrad=True),
        case("logit/method", lambda m, p: p.logit(), uniform(2, 3, low=0.05, high=0.95)),
        case("logit/eps", lambda m, p: m.logit(p, eps=0.2), uniform(3, 4, low=0.0, high=1.0)),
        case("logit/eps_positional", lambda m, p: p.logit(0.1),
             uniform(3, 4, low=0.0, high=1.0)),
        case("logit/outside", lambda m, x: m.logit(x),
             const([-0.5, 0.0, 0.25, 1.0, 1.5]), gradcheck=False),
        case("logit/outside_eps", lambda m, x: m.logit(x, eps=0.25),
             const([-0.5, 0.0, 0.25, 0.5, 0.75, 1.0, 1.5]), gradcheck=False),
        case("logit/0d", lambda m, p: m.logit(p), uniform(low=0.1, high=0.9)),
        case("logit/empty", lambda m, p: m.logit(p), uniform(0, 3)),
        case("logit/nc", lambda m, p: m.logit(p), uniform(3, 4, low=0.1, high=0.9, nc=True)),
        case("logit/int", lambda m, i: m.logit(i), ints(2, 3, high=2)),
        case("logit/inplace", lambda m, p: (p * 1).logit_(), uniform(3, 4, low=0.1, high=0.9),
             ops=("logit",)),
        case("logit/inplace_eps", lambda m, p: (p * 1).logit_(eps=0.3),
             uniform(3, 4, low=0.0, high=1.0), ops=("logit",)),
    ]


CASES = _unary() + _atan2_hypot() + _xlogy() + _mod() + _floor_divide() + _clamp_one() + _logit()
