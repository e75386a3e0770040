"""Cases for median / nanmedian (whole tensor and along a dim), kthvalue, mode, cummax /
cummin (values and indices) and logcumsumexp: dims, keepdim, 0-d, empty, non-contiguous
inputs, NaNs (propagated, skipped or counted largest), ties (torch's index choices) and integer
inputs.
"""
from crosscheck import const, ints, randn, ties
from opcases.base import case

INF, NAN = float("inf"), float("nan")
WITH_NAN = [[1.0, NAN, 2.0, -1.0, 0.5], [NAN, NAN, NAN, NAN, NAN], [0.25, 1.0, -2.0, NAN, 3.0]]
TIES = [[1.0, 2.0, 2.0, 1.0, 3.0], [3.0, 1.0, 1.0, 3.0, 0.0], [5.0, 5.0, 5.0, 5.0, 5.0]]


def _median():
    out = []
    for name in ("median", "nanmedian"):
        out += [
            case(f"{name}/all", lambda m, x, n=name: getattr(m, n)(x), randn(3, 5)),
            case(f"{name}/all_even", lambda m, x, n=name: getattr(x, n)(), randn(4, 2)),
            case(f"{name}/dim", lambda m, x, n=name: getattr(m, n)(x, 1), randn(3, 5)),
            case(f"{name}/dim0_keep", lambda m, x, n=name: getattr(x, n)(0, keepdim=True),
                 randn(4, 3)),
            case(f"{name}/dim_3d", lambda m, x, n=name: getattr(m, n)(x, dim=1), randn(2, 4, 3)),
            case(f"{name}/0d", lambda m, x, n=name: (getattr(m, n)(x), *getattr(m, n)(x, 0)),
                 randn()),
            case(f"{name}/nc", lambda m, x, n=name: getattr(x, n)(-1), randn(3, 4, nc=True)),
            case(f"{name}/nan", lambda m, x, n=name: getattr(m, n)(x, 1), const(WITH_NAN), gradcheck=False),
            case(f"{name}/nan_all", lambda m, x, n=name: getattr(m, n)(x), const(WITH_NAN), gradcheck=False),
            case(f"{name}/ties", lambda m, x, n=name: getattr(m, n)(x, 1), const(TIES),
                 gradcheck=False),
            case(f"{name}/ties_all", lambda m, x, n=name: getattr(m, n)(x), ties(3, 4),
                 gradcheck=False),
            case(f"{name}/int", lambda m, i, n=name: (getattr(m, n)(i), *getattr(m, n)(i, 0)),
                 ints(3, 4, low=-5, high=5)),
            case(f"{name}/empty_all", lambda m, x, n=name: getattr(m, n)(x), randn(0, 3)),
            case(f"{name}/empty_other_dim", lambda m, x, n=name: getattr(m, n)(x, 1),
                 randn(0, 3)),
        ]
    return out


def _select():
    return [
        case("kthvalue/fn", lambda m, x: m.kthvalue(x, 2), randn(3, 5)),
        case("kthvalue/dim0_keep", lambda m, x: x.kthvalue(3, 0, True), randn(4, 3)),
        case("kthvalue/kw", lambda m, x: m.kthvalue(x, k=1, dim=1), randn(2, 4, 3)),
        case("kthvalue/last", lambda m, x: x.kthvalue(5), randn(3, 5)),
        case("kthvalue/0d", lambda m, x: m.kthvalue(x, 1), randn()),
        case("kthvalue/nc", lambda m, x: x.kthvalue(2, -1), randn(3, 4, nc=True)),
        # which of several equal values (or NaNs) torch's quickselect reports differs from
        # tapegrad's stable choice: values only (the gradient goes to the reported index)
        case("kthvalue/nan", lambda m, x: m.kthvalue(x, 4).values, const(WITH_NAN), grad=False),
        case("kthvalue/ties", lambda m, x: m.kthvalue(x, 3).values, const(TIES), grad=False),
        case("kthvalue/int", lambda m, i: m.kthvalue(i, 2, 0), ints(3, 4, low=-5, high=5)),
        case("mode/fn", lambda m, x: m.mode(x), const(TIES), gradcheck=False),
        case("mode/dim0_keep", lambda m, x: x.mode(0, True), ties(5, 3), gradcheck=False),
        case("mode/distinct", lambda m, x: m.mode(x, 1), randn(3, 4)),
        case("mode/0d", lambda m, x: m.mode(x), randn()),
        case("mode/nc", lambda m, x: x.mode(-1), ties(4, 6, nc=True), gradcheck=False),
        case("mode/nan", lambda m, x: m.mode(x), const(WITH_NAN), gradcheck=False),
        case("mode/int", lambda m, i: m.mode(i, 0), ints(6, 3, low=0, high=3)),
    ]


def _scans():
    out = []
    for name in ("cummax", "cummin"):
        out += [
            case(f"{name}/fn", lambda m, x, n=name: getattr(m, n)(x, 1), randn(3, 5)),
            case(f"{name}/method_dim0", lambda m, x, n=name: getattr(x, n)(0), randn(4, 3)),
            case(f"{name}/3d", lambda m, x, n=name: getattr(x, n)(dim=-2), randn(2, 4, 3)),
            case(f"{name}/0d", lambda m, x, n=name: getattr(m, n)(x, 0), randn()),
            case(f"{name}/empty", lambda m, x, n=name: getattr(m, n)(x, 0), randn(0, 3)),
            case(f"{name}/nc", lambda m, x, n=name: getattr(x, n)(1), randn(3, 4, nc=True)),
            case(f"{name}/ties", lambda m, x, n=name: getattr(m, n)(x, 1), const(TIES),
                 gradcheck=False),
            case(f"{name}/nan", lambda m, x, n=name: getattr(m, n)(x, 1), const(WITH_NAN), gradcheck=False),
            case(f"{name}/int", lambda m, i, n=name: getattr(m, n)(i, 1), ints(3, 4, low=-5,
                                                                               high=5)),
            case(f"{name}/bool", lambda m, b, n=name: getattr(m, n)(b, 0),
                 const([True, False, True, False])),
        ]
    out += [
        case("logcumsumexp/fn", lambda m, x: m.logcumsumexp(x, 1), randn(3, 5), gradgrad=True),
        case("logcumsumexp/method_dim0", lambda m, x: x.logcumsumexp(0), randn(4, 3)),
        case("logcumsumexp/3d", lambda m, x: x.logcumsumexp(dim=-2), randn(2, 4, 3)),
        case("logcumsumexp/0d", lambda m, x: m.logcumsumexp(x, 0), randn()),
        case("logcumsumexp/empty", lambda m, x: m.logcumsumexp(x, 0), randn(0, 3)),
        case("logcumsumexp/nc", lambda m, x: x.logcumsumexp(1), randn(3, 4, nc=True)),
        case("logcumsumexp/large", lambda m, x: m.logcumsumexp(x * 400, 0), randn(6)),
        case("logcumsumexp/inf", lambda m, x: m.logcumsumexp(x, 0),
             const([-INF, -INF, 1.0, INF, 2.0, INF]), grad=False),
        case("logcumsumexp/nan", lambda m, x: m.logcumsumexp(x, 0), const([1.0, NAN, 2.0]),
             grad=False),
    ]
    return out


CASES = _median() + _select() + _scans()


def _moments():
    out = []
    for name in ("var_mean", "std_mean"):
        out += [
            case(f"{name}/all", lambda m, x, n=name: getattr(m, n)(x), randn(3, 4), gradgrad=True),
            case(f"{name}/dim", lambda m, x, n=name: getattr(m, n)(x, 1), randn(3, 4)),
            case(f"{name}/dims_keep", lambda m, x, n=name: getattr(m, n)(x, (0, 2), keepdim=True),
                 randn(2, 3, 4)),
            case(f"{name}/correction", lambda m, x, n=name: getattr(m, n)(x, 0, correction=0),
                 randn(4, 3)),
            case(f"{name}/unbiased_false", lambda m, x, n=name: getattr(m, n)(x, False),
                 randn(5)),
            case(f"{name}/unbiased_kw", lambda m, x, n=name: getattr(m, n)(x, 1, unbiased=False),
                 randn(3, 4)),
            case(f"{name}/nc", lambda m, x, n=name: getattr(m, n)(x, -1), randn(3, 4, nc=True)),
            case(f"{name}/only_mean_used", lambda m, x, n=name: getattr(m, n)(x, 1)[1] * 2,
                 randn(3, 4)),
            case(f"{name}/only_spread_used", lambda m, x, n=name: getattr(m, n)(x, 0)[0].exp(),
                 randn(3, 4)),
        ]
    out += [
        case("aminmax/all", lambda m, x: m.aminmax(x), randn(3, 4)),
        case("aminmax/dim", lambda m, x: m.aminmax(x, dim=1), randn(3, 4)),
        case("aminmax/dim_keep", lambda m, x: x.aminmax(dim=0, keepdim=True), randn(4, 3)),
        case("aminmax/ties", lambda m, x: m.aminmax(x, dim=1), ties(3, 5), gradcheck=False),
        case("aminmax/ties_all", lambda m, x: m.aminmax(x), ties(3, 5), gradcheck=False),
        case("aminmax/0d", lambda m, x: m.aminmax(x), randn()),
        case("aminmax/nc", lambda m, x: m.aminmax(x, dim=-1), randn(3, 4, nc=True)),
        case("aminmax/int", lambda m, i: m.aminmax(i, dim=0), ints(3, 4, low=-5, high=5)),
        case("aminmax/only_max_used", lambda m, x: m.aminmax(x, dim=1).max * 3, randn(3, 4)),
    ]
    return out


CASES += _moments()
