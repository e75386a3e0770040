"""Cases for rounding (floor ceil round trunc frac, round(decimals=)), the scans cumsum and
cumprod (dim, dtype=, zeros in cumprod's input), the truth reductions all / any and the tests
isnan / isinf / isfinite (bool results, no gradient).
"""
from crosscheck import const, ints, mask, pos, randn
from opcases.base import case

ROUNDING = ("floor", "ceil", "round", "trunc", "frac")
# halves (round half to even), negative halves, exact integers, +-inf, nan
SPECIAL = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -3.0, 4.0, 0.0, float("inf"), float("-inf"),
           float("nan"), -0.7, 0.2]


def _rounding():
    out = []
    for name in ROUNDING:
        out += [
            case(f"{name}/fn/2d", lambda m, x, n=name: getattr(m, n)(x), randn(3, 4)),
            case(f"{name}/method", lambda m, x, n=name: getattr(x, n)(), randn(2, 3)),
            case(f"{name}/0d", lambda m, x, n=name: getattr(m, n)(x), randn()),
            case(f"{name}/empty", lambda m, x, n=name: getattr(m, n)(x), randn(0, 3)),
            case(f"{name}/nc", lambda m, x, n=name: getattr(x, n)(), randn(3, 4, nc=True)),
            case(f"{name}/special", lambda m, x, n=name: getattr(m, n)(x), const(SPECIAL),
                 gradcheck=False),
            case(f"{name}/scaled", lambda m, x, n=name: getattr(m, n)(x * 3), randn(4, 5)),
            case(f"{name}/inplace", lambda m, x, n=name: getattr(x * 2, n + "_")(), randn(3, 4),
                 ops=(name,)),
        ]
        if name != "frac":  # frac has no integer kernel in torch (an error case instead)
            out.append(case(f"{name}/int", lambda m, i, n=name: getattr(m, n)(i),
                            ints(2, 3, low=-4, high=4)))
    return out + [
        case("round/decimals", lambda m, x: m.round(x * 10, decimals=2), randn(3, 4),
             ops=("round",)),
        case("round/decimals_method", lambda m, x: (x * 100).round(decimals=-1), randn(3, 4),
             ops=("round",)),
        case("round/decimals_zero", lambda m, x: x.round(decimals=0), const(SPECIAL),
             gradcheck=False, ops=("round",)),
        case("round/decimals_halves", lambda m, x: m.round(x, decimals=1),
             const([0.25, 0.35, -0.45, 1.05, 2.675, 123.456]), gradcheck=False,
             ops=("round",)),
        case("round/decimals_0d", lambda m, x: m.round(x, decimals=3), randn(), ops=("round",)),
        case("round/decimals_empty", lambda m, x: x.round(decimals=1), randn(0, 2),
             ops=("round",)),
        case("round/decimals_nc", lambda m, x: x.round(decimals=1), randn(3, 4, nc=True),
             ops=("round",)),
    ]


def _scans():
    out = []
    for name in ("cumsum", "cumprod"):
        out += [
            case(f"{name}/fn", lambda m, x, n=name: getattr(m, n)(x, 1), randn(3, 4),
                 gradgrad=True),
            case(f"{name}/method_dim0", lambda m, x, n=name: getattr(x, n)(0), randn(4, 3)),
            case(f"{name}/neg_dim", lambda m, x, n=name: getattr(x, n)(dim=-1), randn(2, 3, 4)),
            case(f"{name}/middle_dim", lambda m, x, n=name: getattr(x, n)(1), randn(2, 3, 4)),
            case(f"{name}/1d", lambda m, x, n=name: getattr(m, n)(x, 0), randn(6)),
            case(f"{name}/0d", lambda m, x, n=name: getattr(m, n)(x, 0), randn()),
            case(f"{name}/0d_neg", lambda m, x, n=name: getattr(m, n)(x, -1), randn()),
            case(f"{name}/empty", lambda m, x, n=name: getattr(m, n)(x, 0), randn(0, 3)),
            case(f"{name}/empty_other", lambda m, x, n=name: getattr(m, n)(x, 0), randn(3, 0)),
            case(f"{name}/nc", lambda m, x, n=name: getattr(x, n)(1), randn(3, 4, nc=True)),
            case(f"{name}/int", lambda m, i, n=name: getattr(m, n)(i, 1), ints(2, 4)),
            case(f"{name}/int32", lambda m, i, n=name: getattr(i, n)(0),
                 ints(3, 2, dtype="int32")),
            case(f"{name}/bool", lambda m, b, n=name: getattr(m, n)(b, 0), mask(5, 2)),
            case(f"{name}/dtype_f64", lambda m, x, n=name: getattr(m, n)(x, 1, dtype=m.float64),
                 randn(2, 3, dtype="float32")),
            case(f"{name}/dtype_from_int",
                 lambda m, i, n=name: getattr(i, n)(1, dtype=m.float32), ints(2, 3)),
            case(f"{name}/dtype_to_int", lambda m, i, n=name: getattr(i, n)(0, dtype=m.int32),
                 ints(3, 2)),
        ]
    zeros_at = [[0.5, 0.0, 2.0, -1.5], [1.5, -2.0, 0.0, 0.0], [0.0, 1.0, 3.0, 0.5],
                [2.0, 1.5, -0.5, 1.0]]
    return out + [
        case("cumprod/zeros", lambda m, x: m.cumprod(x, 1), const(zeros_at), gradgrad=True),
        case("cumprod/zeros_dim0", lambda m, x: x.cumprod(0), const(zeros_at)),
        case("cumprod/positive_long", lambda m, x: x.cumprod(0), pos(12, 2), gradgrad=True),
        case("cumsum/long", lambda m, x: x.cumsum(0), randn(300, 2), gradcheck=False),
        # an integer dtype= from a float input: fine while nothing requires grad (else
        # torch's error, tests/test_errors_shape_ops.py)
        case("cumsum/float_to_int_dtype", lambda m, x: m.cumsum(x * 3, 1, dtype=m.int64),
             randn(2, 3, rg=False)),
        case("cumprod/float_to_int_dtype", lambda m, x: (x * 3).cumprod(0, dtype=m.int32),
             randn(3, 2, rg=False)),
    ]


def _truth():
    out = []
    for name in ("all", "any"):
        out += [
            case(f"{name}/whole", lambda m, b, n=name: getattr(m, n)(b), mask(3, 4, p=0.8)),
            case(f"{name}/method", lambda m, b, n=name: getattr(b, n)(), mask(3, 4, p=0.2)),
            case(f"{name}/all_true", lambda m, b, n=name: getattr(b, n)(), mask(3, 4, p=1.1)),
            case(f"{name}/all_false", lambda m, b, n=name: getattr(b, n)(), mask(3, 4, p=-1)),
            case(f"{name}/dim", lambda m, b, n=name: getattr(m, n)(b, 1), mask(4, 3, p=0.7)),
            case(f"{name}/dim_keepdim",
                 lambda m, b, n=name: getattr(b, n)(dim=0, keepdim=True), mask(4, 3, p=0.3)),
            case(f"{name}/dims_tuple", lambda m, b, n=name: getattr(b, n)((0, 2)),
                 mask(2, 3, 4, p=0.9)),
            case(f"{name}/dims_empty", lambda m, b, n=name: getattr(b, n)(dim=()), mask(2, 3)),
            case(f"{name}/keepdim_only",
                 lambda m, b, n=name: getattr(b, n)(keepdim=True), mask(2, 3)),
            case(f"{name}/dim_none", lambda m, b, n=name: getattr(m, n)(b, dim=None), mask(2, 3)),
            case(f"{name}/float", lambda m, x, n=name: getattr(m, n)(x, 1),
                 const([[0.0, 1.5, float("nan")], [0.0, 0.0, 0.0], [2.0, -1.0, 3.0]])),
            case(f"{name}/int", lambda m, i, n=name: getattr(i, n)(0), ints(3, 4, low=0, high=3)),
            case(f"{name}/float_whole", lambda m, x, n=name: getattr(x, n)(), randn(3, 4)),
            case(f"{name}/0d", lambda m, x, n=name: getattr(m, n)(x), randn()),
            case(f"{name}/0d_dim", lambda m, x, n=name: getattr(x, n)(0), randn()),
            case(f"{name}/empty", lambda m, x, n=name: getattr(m, n)(x), randn(0, 3)),
            case(f"{name}/empty_dim", lambda m, x, n=name: getattr(x, n)(0), randn(0, 3)),
            case(f"{name}/nc", lambda m, b, n=name: getattr(b, n)(1), mask(3, 4, nc=True)),
        ]
    special = const([1.0, float("inf"), float("-inf"), float("nan"), -0.0, 3.5])
    for name in ("isnan", "isinf", "isfinite"):
        out += [
            case(f"{name}/special", lambda m, x, n=name: getattr(m, n)(x), special),
            case(f"{name}/method", lambda m, x, n=name: getattr(x, n)(), special),
            case(f"{name}/from_ops", lambda m, x, n=name: getattr(m, n)(m.log(x)),
                 const([[1.0, 0.0], [-1.0, 2.0]])),
            case(f"{name}/int", lambda m, i, n=name: getattr(m, n)(i), ints(2, 3)),
            case(f"{name}/bool", lambda m, b, n=name: getattr(m, n)(b), mask(2, 3)),
            case(f"{name}/0d", lambda m, x, n=name: getattr(m, n)(x), randn()),
            case(f"{name}/empty", lambda m, x, n=name: getattr(m, n)(x), randn(0, 3)),
            case(f"{name}/nc", lambda m, x, n=name: getattr(m, n)(x), randn(3, 4, nc=True)),
        ]
    return out


CASES = _rounding() + _scans() + _truth()
