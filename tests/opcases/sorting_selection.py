"""Cases for sort / argsort (dim, descending, stable=; NaN ordering; ties keep input order when
stable), topk (k, dim, largest, sorted; the values' gradient scatters back through the
indices), nan_to_num (nan / posinf / neginf) and masked_select (broadcast mask).
"""
from crosscheck import const, ints, mask, randn, ties
from opcases.base import case

NANS = [1.0, float("nan"), -2.0, 3.0, float("nan"), 1.0, float("inf"), float("-inf")]
# topk leaves the order of tied values unspecified (torch's pick among ties is not the first):
# its special-value cases have no ties
NANS_UNIQUE = [1.0, float("nan"), -2.0, 3.0, float("nan"), 0.5, float("inf"), float("-inf")]
NOGRAD = dict(grad=False, gradcheck=False)


def _sort():
    return [
        case("sort/fn", lambda m, x: m.sort(x), randn(3, 5), gradgrad=True),
        case("sort/method_dim0", lambda m, x: x.sort(0), randn(4, 3)),
        case("sort/descending", lambda m, x: m.sort(x, 1, True), randn(3, 5)),
        case("sort/kw", lambda m, x: x.sort(dim=-2, descending=True), randn(4, 2, 3)),
        case("sort/stable", lambda m, x: m.sort(x, stable=True), ties(3, 6), gradcheck=False),
        case("sort/stable_descending", lambda m, x: x.sort(descending=True, stable=True),
             ties(3, 6), gradcheck=False),
        case("sort/stable_false", lambda m, x: m.sort(x, stable=False), randn(3, 4)),
        case("sort/nan", lambda m, x: m.sort(x), const(NANS), gradcheck=False),
        case("sort/nan_descending", lambda m, x: m.sort(x, descending=True), const(NANS),
             gradcheck=False),
        case("sort/0d", lambda m, x: m.sort(x), randn()),
        case("sort/empty", lambda m, x: m.sort(x, 0), randn(0, 3)),
        case("sort/nc", lambda m, x: m.sort(x, 1), randn(3, 4, nc=True)),
        case("sort/int", lambda m, i: m.sort(i, stable=True), ints(3, 6)),
        case("sort/bool", lambda m, b: m.sort(b, stable=True), mask(3, 5)),
        case("sort/values_only", lambda m, x: m.sort(x).values * 2, randn(3, 4)),
        case("argsort/fn", lambda m, x: m.argsort(x), randn(3, 5), ops=("sort",)),
        case("argsort/method", lambda m, x: x.argsort(0, True), randn(4, 3), ops=("sort",)),
        case("argsort/stable", lambda m, x: m.argsort(x, stable=True, descending=True),
             ties(3, 6), ops=("sort",)),
        case("argsort/int", lambda m, i: i.argsort(dim=0, stable=True), ints(5, 2),
             ops=("sort",)),
    ]


def _topk():
    return [
        case("topk/fn", lambda m, x: m.topk(x, 2), randn(3, 5), gradgrad=True),
        case("topk/method_dim0", lambda m, x: x.topk(2, 0), randn(4, 3)),
        case("topk/smallest", lambda m, x: m.topk(x, 3, largest=False), randn(3, 5)),
        case("topk/kw", lambda m, x: x.topk(k=1, dim=-2, largest=True, sorted=True),
             randn(4, 2, 3)),
        case("topk/all", lambda m, x: m.topk(x, 5), randn(2, 5)),
        case("topk/zero", lambda m, x: m.topk(x, 0), randn(2, 5)),
        case("topk/nan", lambda m, x: m.topk(x, 3), const(NANS_UNIQUE), gradcheck=False),
        case("topk/nan_smallest", lambda m, x: m.topk(x, 3, largest=False), const(NANS_UNIQUE),
             gradcheck=False),
        case("topk/empty", lambda m, x: m.topk(x, 0), randn(2, 0)),
        case("topk/nc", lambda m, x: m.topk(x, 2, 1), randn(3, 4, nc=True)),
        case("topk/int", lambda m, i: m.topk(i * 10 + m.arange(6), 2), ints(3, 6)),
        # sorted=False may come back in any order (torch's differs from the sorted one, and so
        # do the indices its node saves): compare the sorted values, forward only
        case("topk/unsorted", lambda m, x: m.topk(x, 3, sorted=False).values.sort().values,
             randn(3, 5), **NOGRAD),
    ]


def _nan_to_num():
    return [
        case("nan_to_num/fn", lambda m, x: m.nan_to_num(x), const(NANS), gradcheck=False),
        case("nan_to_num/values", lambda m, x: m.nan_to_num(x, nan=1.5, posinf=9.0, neginf=-9.0),
             const(NANS), gradcheck=False),
        case("nan_to_num/method", lambda m, x: x.nan_to_num(0.5, 100.0), const(NANS),
             gradcheck=False),
        case("nan_to_num/big_posinf", lambda m, x: m.nan_to_num(x, posinf=1e300), const(NANS),
             gradcheck=False),
        case("nan_to_num/random", lambda m, x: m.nan_to_num(x), randn(3, 4)),
        case("nan_to_num/0d_empty", lambda m, x, e: (m.nan_to_num(x), m.nan_to_num(e)), randn(),
             randn(0, 3)),
        case("nan_to_num/nc", lambda m, x: m.nan_to_num(x / x.abs().round()),
             randn(3, 4, nc=True), gradcheck=False),
        case("nan_to_num/int", lambda m, i: m.nan_to_num(i, nan=1.0), ints(2, 3)),
        case("nan_to_num/inplace", lambda m, x: (x * 1).nan_to_num_(), const(NANS),
             gradcheck=False, ops=("nan_to_num",)),
    ]


def _masked_select():
    return [
        case("masked_select/fn", lambda m, x, k: m.masked_select(x, k), randn(3, 4), mask(3, 4),
             gradgrad=True),
        case("masked_select/method", lambda m, x, k: x.masked_select(k), randn(3, 4),
             mask(3, 4)),
        case("masked_select/broadcast_mask", lambda m, x, k: m.masked_select(x, k), randn(3, 4),
             mask(4)),
        case("masked_select/broadcast_self", lambda m, x, k: m.masked_select(x, k), randn(4),
             mask(3, 4)),
        case("masked_select/none", lambda m, x, k: m.masked_select(x, k), randn(3, 4),
             mask(3, 4, p=-1)),
        case("masked_select/0d", lambda m, x, k: m.masked_select(x, k), randn(), mask(2, 3)),
        case("masked_select/empty", lambda m, x, k: m.masked_select(x, k), randn(0, 3),
             mask(3)),
        case("masked_select/nc", lambda m, x, k: m.masked_select(x, k), randn(3, 4, nc=True),
             mask(3, 4, nc=True)),
        case("masked_select/int", lambda m, i, k: m.masked_select(i, k), ints(3, 4), mask(3, 4)),
    ]


CASES = _sort() + _topk() + _nan_to_num() + _masked_select()
