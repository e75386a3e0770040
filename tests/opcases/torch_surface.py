"""Cases for helper T's torch.* additions: the view-scatters (select_scatter, slice_scatter,
diagonal_scatter, as_strided_scatter; function and method forms, src of another dtype, 0-d and
empty samples, non-contiguous inputs) and the numeric extras (trapezoid & co, vander, renorm,
ldexp, float_power, ...). The scatters copy values, so their forwards are bit-exact."""
from functools import partial

from crosscheck import const, ints, randn
from opcases.base import case

exact = partial(case, exact=True)


def _scatters():
    return [
        exact("select_scatter/fn", lambda m, x, s: m.select_scatter(x, s, 1, 2),
              randn(3, 4), randn(3), gradgrad=True),
        exact("select_scatter/method_neg", lambda m, x, s: x.select_scatter(s, -1, -1),
              randn(2, 3, 4), randn(2, 3)),
        exact("select_scatter/nc", lambda m, x, s: m.select_scatter(x, s, 0, 1),
              randn(3, 4, nc=True), randn(4, nc=True)),
        exact("select_scatter/1d_0d", lambda m, x, s: m.select_scatter(x, s, 0, 0),
              randn(3), randn()),
        exact("select_scatter/empty", lambda m, x, s: m.select_scatter(x, s, 1, 0),
              randn(0, 2), randn(0)),
        exact("select_scatter/int_src", lambda m, x, s: m.select_scatter(x, s, 0, 1),
              randn(2, 3), ints(3)),
        exact("slice_scatter/fn", lambda m, x, s: m.slice_scatter(x, s, 1, 1, 3),
              randn(3, 4), randn(3, 2), gradgrad=True),
        exact("slice_scatter/defaults", lambda m, x, s: m.slice_scatter(x, s),
              randn(3, 4), randn(3, 4)),
        exact("slice_scatter/step", lambda m, x, s: x.slice_scatter(s, dim=0, start=1, step=2),
              randn(5, 2), randn(2, 2)),
        exact("slice_scatter/neg_start", lambda m, x, s: m.slice_scatter(x, s, -1, -2),
              randn(2, 5, nc=True), randn(2, 2)),
        exact("slice_scatter/end_past", lambda m, x, s: m.slice_scatter(x, s, 0, 2, 100),
              randn(4, 3), randn(2, 3)),
        exact("slice_scatter/empty_slice", lambda m, x, s: m.slice_scatter(x, s, 0, 5),
              randn(3, 2), randn(0, 2)),
        exact("diagonal_scatter/fn", lambda m, x, s: m.diagonal_scatter(x, s),
              randn(3, 4), randn(3), gradgrad=True),
        exact("diagonal_scatter/offset", lambda m, x, s: x.diagonal_scatter(s, 1),
              randn(3, 4), randn(3)),
        exact("diagonal_scatter/neg_offset", lambda m, x, s: m.diagonal_scatter(x, s, -1),
              randn(3, 4, nc=True), randn(2)),
        exact("diagonal_scatter/dims", lambda m, x, s: m.diagonal_scatter(x, s, 0, 2, 0),
              randn(3, 2, 3), randn(2, 3)),
        exact("diagonal_scatter/empty", lambda m, x, s: m.diagonal_scatter(x, s, 5),
              randn(3, 4), randn(0)),
        exact("as_strided_scatter/fn",
              lambda m, x, s: m.as_strided_scatter(x, s, (2, 2), (1, 2)),
              randn(3, 4), randn(2, 2), gradcheck=False),
        exact("as_strided_scatter/offset",
              lambda m, x, s: x.as_strided_scatter(s, (2, 3), (4, 1), 1),
              randn(3, 4), randn(2, 3), gradcheck=False),
        exact("as_strided_scatter/nc",
              lambda m, x, s: m.as_strided_scatter(x, s, (3,), (2,), 1),
              randn(4, 3, nc=True, rg=False), randn(3), gradcheck=False),
        exact("as_strided_scatter/nc_gap",
              lambda m, x, s: m.as_strided_scatter(x, s, (3,), (2,)),
              randn(4, 3, nc=True, rg=False), randn(3), gradcheck=False),
    ]


def _numeric():
    return [
        case("trapezoid/dx_default", lambda m, y: m.trapezoid(y), randn(3, 5), gradgrad=True),
        case("trapezoid/dx", lambda m, y: m.trapezoid(y, dx=0.5, dim=0), randn(4, 3)),
        case("trapezoid/x_1d", lambda m, y, x: m.trapezoid(y, x), randn(3, 5), randn(5),
             gradgrad=True),
        case("trapezoid/x_same", lambda m, y, x: m.trapezoid(y, x, dim=0), randn(4, 3),
             randn(4, 3, nc=True)),
        case("trapezoid/x_broadcast", lambda m, y, x: m.trapezoid(y, x), randn(2, 3, 4),
             randn(3, 4)),
        case("trapezoid/empty_dim", lambda m, y: m.trapezoid(y), randn(3, 0)),
        case("trapezoid/nc", lambda m, y: m.trapezoid(y, dim=1), randn(3, 4, nc=True)),
        case("trapz/x", lambda m, y, x: m.trapz(y, x), randn(2, 4), randn(4)),
        case("trapz/dx", lambda m, y: m.trapz(y, dx=2.0), randn(2, 4)),
        case("trapezoid/int", lambda m, y: m.trapezoid(y), ints(3, 4), grad=False),
        case("cumulative_trapezoid/dx", lambda m, y: m.cumulative_trapezoid(y), randn(3, 5),
             gradgrad=True),
        case("cumulative_trapezoid/x", lambda m, y, x: m.cumulative_trapezoid(y, x, dim=0),
             randn(4, 3), randn(4)),
        case("cumulative_trapezoid/dx_dim", lambda m, y: m.cumulative_trapezoid(y, dx=3, dim=0),
             randn(4, 3, nc=True)),
        case("gradient/default", lambda m, y: m.gradient(y), randn(4, 5), ops=("cat",)),
        case("gradient/edge2", lambda m, y: m.gradient(y, spacing=2.0, dim=1, edge_order=2),
             randn(3, 5), ops=("cat",)),
        case("gradient/spacings", lambda m, y: m.gradient(y, spacing=(0.5, 2.0)), randn(3, 4),
             ops=("cat",)),
        case("gradient/coords", lambda m, y, x: m.gradient(y, spacing=[x], dim=0),
             randn(5, 2), const([0.0, 0.5, 1.5, 1.75, 3.0], rg=False), ops=("cat",)),
        case("gradient/coords_edge2",
             lambda m, y, x: m.gradient(y, spacing=(x,), dim=-1, edge_order=2),
             randn(2, 5), const([0.0, 0.5, 1.5, 1.75, 3.0], rg=False), ops=("cat",)),
        # torch's vander cannot be differentiated (its cumprod input is overwritten in place;
        # test_torch_surface checks both raise the same error): forward only
        case("vander/default", lambda m, x: m.vander(x), randn(4), ops=("flip",), grad=False),
        case("vander/n_increasing", lambda m, x: m.vander(x, 3, increasing=True), randn(5),
             ops=("cumprod",), grad=False),
        case("vander/int", lambda m, x: m.vander(x, 4), ints(3), grad=False, ops=("flip",)),
        case("combinations/pairs", lambda m, x: m.combinations(x), randn(4), ops=("stack",)),
        case("combinations/r3", lambda m, x: m.combinations(x, 3), randn(5), ops=("stack",)),
        case("combinations/replacement", lambda m, x: m.combinations(x, 2, True), randn(3),
             ops=("stack",)),
        case("renorm/p2", lambda m, x: m.renorm(x, 2, 0, 1.0), randn(3, 4), gradgrad=True),
        case("renorm/p1_dim1", lambda m, x: x.renorm(1, 1, 0.5), randn(3, 4, 2)),
        case("renorm/nc", lambda m, x: x.renorm(3, -1, 0.3), randn(3, 4, nc=True)),
        # torch's gradient is 0 where an integer exponent is negative (2 ** other in integer
        # arithmetic), which finite differences do not see: cross-checked, no gradcheck
        case("ldexp/int_exp", lambda m, x, e: m.ldexp(x, e), randn(3, 4), ints(4, low=-2),
             gradcheck=False),
        case("ldexp/pos_int_exp", lambda m, x, e: m.ldexp(x, e), randn(3, 4), ints(4, low=0)),
        case("ldexp/method", lambda m, x, e: x.ldexp(e), randn(2, 3), randn(3)),
        case("frexp/mantissa", lambda m, x: m.frexp(x * 10), randn(3, 4)),
        case("frexp/method", lambda m, x: x.frexp()[0], randn(5, nc=True)),
        case("index_reduce/prod", lambda m, x, s, i: x.index_reduce(0, i, s, "prod"),
             randn(3, 4), randn(5, 4), const([0, 2, 0, 1, 2]), gradgrad=True),
        case("index_reduce/mean_no_self",
             lambda m, x, s, i: x.index_reduce(1, i, s, "mean", include_self=False),
             randn(2, 3), randn(2, 4, nc=True), const([2, 0, 2, 2])),
        case("index_reduce/amax", lambda m, x, s, i: m.index_reduce(x, -1, i, s, "amax"),
             randn(2, 3), randn(2, 2), const([1, 0])),
        case("index_reduce/amin_inplace",
             lambda m, x, s, i: (x * 1).index_reduce_(0, i, s, "amin"),
             randn(4, 2), randn(3, 2), const([3, 0, 3])),
    ]


# as_strided_scatter: torch's gradient for input is grad inside the view and zero elsewhere
# (as_strided_scatter_backward), not the derivative finite differences see, so no gradcheck;
# the cross-check compares it with torch's.
CASES = _scatters() + _numeric()
