"""Reduction cases: sum mean (whole, dim int/tuple/negative, keepdim), max min (whole; dim with
values+indices; ties), amax amin, softmax log_softmax; plus 0-d, size-0 and non-contiguous.
"""
from crosscheck import ints, randn, ties
from opcases.base import case

GRADGRAD = {"sum", "mean", "softmax", "log_softmax"}


def _sum_mean():
    out = []
    for n in ("sum", "mean"):
        gg = n in GRADGRAD
        out += [
            case(f"{n}/all/fn", lambda m, x, n=n: getattr(m, n)(x), randn(3, 4), gradgrad=gg),
            case(f"{n}/all/method", lambda m, x, n=n: getattr(x, n)(), randn(2, 3, 4)),
            case(f"{n}/dim", lambda m, x, n=n: getattr(x, n)(1), randn(3, 4, 2), gradgrad=gg),
            case(f"{n}/dim_kw", lambda m, x, n=n: getattr(m, n)(x, dim=0), randn(3, 4)),
            case(f"{n}/dim_neg", lambda m, x, n=n: getattr(x, n)(-1), randn(3, 4)),
            case(f"{n}/dim_tuple", lambda m, x, n=n: getattr(x, n)((0, 2)), randn(3, 4, 2)),
            case(f"{n}/dim_tuple_neg", lambda m, x, n=n: getattr(x, n)(dim=(-1, 0)),
                 randn(3, 4, 2)),
            case(f"{n}/keepdim", lambda m, x, n=n: getattr(x, n)(1, keepdim=True), randn(3, 4)),
            case(f"{n}/tuple_keepdim", lambda m, x, n=n: getattr(m, n)(x, (0, 1), True),
                 randn(3, 4, 2)),
            case(f"{n}/1d", lambda m, x, n=n: getattr(x, n)(0), randn(5)),
            case(f"{n}/0d", lambda m, x, n=n: getattr(x, n)(), randn()),
            case(f"{n}/0d_dim", lambda m, x, n=n: getattr(x, n)(0), randn()),
            case(f"{n}/empty_all", lambda m, x, n=n: getattr(x, n)(), randn(0, 3)),
            case(f"{n}/empty_dim0", lambda m, x, n=n: getattr(x, n)(0), randn(0, 3)),
            case(f"{n}/empty_dim1", lambda m, x, n=n: getattr(x, n)(1), randn(0, 3)),
            case(f"{n}/nc", lambda m, x, n=n: getattr(x, n)(0), randn(3, 4, nc=True)),
            case(f"{n}/nc_all", lambda m, x, n=n: getattr(x, n)(), randn(2, 3, 4, nc=True)),
        ]
    return out + [
        case("sum/int", lambda m, i: i.sum(), ints(3, 4)),
        case("sum/int_dim", lambda m, i: m.sum(i, 1), ints(3, 4)),
        case("sum/bool", lambda m, x: (x > 0).sum(), randn(3, 4)),
    ]


def _max_min():
    out = []
    for n in ("max", "min"):
        out += [
            case(f"{n}/all/fn", lambda m, x, n=n: getattr(m, n)(x), randn(3, 4)),
            case(f"{n}/all/method", lambda m, x, n=n: getattr(x, n)(), randn(2, 3, 4)),
            case(f"{n}/all/ties", lambda m, x, n=n: getattr(x, n)(), ties(3, 4),
                 gradcheck=False),
            case(f"{n}/dim", lambda m, x, n=n: getattr(m, n)(x, 1), randn(3, 4)),
            case(f"{n}/dim_kw", lambda m, x, n=n: getattr(x, n)(dim=0), randn(3, 4)),
            case(f"{n}/dim_neg_keepdim", lambda m, x, n=n: getattr(x, n)(-1, keepdim=True),
                 randn(2, 3, 4)),
            case(f"{n}/dim_values", lambda m, x, n=n: getattr(x, n)(1).values, randn(3, 4)),
            case(f"{n}/dim_indices", lambda m, x, n=n: getattr(x, n)(1).indices, randn(3, 4)),
            case(f"{n}/dim_ties", lambda m, x, n=n: getattr(x, n)(1), ties(4, 5),
                 gradcheck=False),
            case(f"{n}/0d", lambda m, x, n=n: getattr(x, n)(), randn()),
            case(f"{n}/0d_dim", lambda m, x, n=n: getattr(x, n)(0), randn()),
            case(f"{n}/empty_dim", lambda m, x, n=n: getattr(x, n)(1), randn(0, 3)),
            case(f"{n}/nc", lambda m, x, n=n: getattr(x, n)(0), randn(3, 4, nc=True)),
            case(f"{n}/nc_all", lambda m, x, n=n: getattr(x, n)(), randn(3, 4, nc=True)),
            case(f"{n}/int_dim", lambda m, i, n=n: getattr(i, n)(1), ints(3, 4)),
        ]
    for n in ("amax", "amin"):
        out += [
            case(f"{n}/all", lambda m, x, n=n: getattr(m, n)(x), randn(3, 4)),
            case(f"{n}/dim", lambda m, x, n=n: getattr(m, n)(x, 1), randn(3, 4)),
            case(f"{n}/dim_kw_method", lambda m, x, n=n: getattr(x, n)(dim=-1), randn(2, 3, 4)),
            case(f"{n}/dim_tuple", lambda m, x, n=n: getattr(x, n)((0, 2)), randn(2, 3, 4)),
            case(f"{n}/keepdim", lambda m, x, n=n: getattr(m, n)(x, 0, keepdim=True),
                 randn(3, 4)),
            case(f"{n}/ties", lambda m, x, n=n: getattr(x, n)(1), ties(4, 5), gradcheck=False),
            case(f"{n}/ties_all", lambda m, x, n=n: getattr(m, n)(x), ties(3, 4),
                 gradcheck=False),
            case(f"{n}/0d", lambda m, x, n=n: getattr(m, n)(x), randn()),
            case(f"{n}/empty_dim", lambda m, x, n=n: getattr(x, n)(1), randn(0, 3)),
            case(f"{n}/nc", lambda m, x, n=n: getattr(x, n)(0), randn(3, 4, nc=True)),
        ]
    return out


def _softmax():
    out = []
    for n in ("softmax", "log_softmax"):
        gg = n in GRADGRAD
        out += [
            case(f"{n}/fn", lambda m, x, n=n: getattr(m, n)(x, 1), randn(3, 4), gradgrad=gg),
            case(f"{n}/fn_kw", lambda m, x, n=n: getattr(m, n)(x, dim=0), randn(3, 4)),
            case(f"{n}/method", lambda m, x, n=n: getattr(x, n)(-1), randn(2, 3, 4)),
            case(f"{n}/functional", lambda m, x, n=n: getattr(m.nn.functional, n)(x, dim=1),
                 randn(2, 3, 4)),
            case(f"{n}/1d", lambda m, x, n=n: getattr(x, n)(0), randn(5)),
            case(f"{n}/large", lambda m, x, n=n: getattr(x * 100, n)(1), randn(3, 4)),
            case(f"{n}/0d", lambda m, x, n=n: getattr(x, n)(0), randn()),
            case(f"{n}/empty", lambda m, x, n=n: getattr(x, n)(1), randn(0, 3)),
            case(f"{n}/nc", lambda m, x, n=n: getattr(x, n)(1), randn(3, 4, nc=True)),
        ]
    return out


CASES = _sum_mean() + _max_min() + _softmax()
