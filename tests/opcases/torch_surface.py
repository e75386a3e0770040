"""Cases for helper T's torch.* additions: the view-scatters (select_scatter, slice_scatter,
diagonal_scatter, as_strided_scatter; function and method forms, src of another dtype, 0-d and
empty samples, non-contiguous inputs) and the numeric extras (trapezoid & co, vander, renorm,
ldexp, float_power, ...). The scatters copy values, so their forwards are bit-exact."""
from functools import partial

from crosscheck import const, ints, pos, randn
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


# as_strided_scatter: torch's gradient for input is grad inside the view and zero elsewhere
# (as_strided_scatter_backward), not the derivative finite differences see, so no gradcheck;
# the cross-check compares it with torch's.
CASES = _scatters()
