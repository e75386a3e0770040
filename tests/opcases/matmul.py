"""Matrix-product cases: matmul / @ for every 1-D, 2-D, 3-D combination and broadcast batch
dims, mm, bmm; function, method and operator forms; size-0 and non-contiguous operands.
"""
from crosscheck import randn
from opcases.base import case

# (id, lhs shape, rhs shape)
MATMUL_SHAPES = [
    ("1d_1d", (3,), (3,)), ("1d_2d", (3,), (3, 4)), ("2d_1d", (2, 3), (3,)),
    ("2d_2d", (2, 3), (3, 4)), ("1d_3d", (3,), (2, 3, 4)), ("3d_1d", (2, 4, 3), (3,)),
    ("2d_3d", (2, 3), (5, 3, 4)), ("3d_2d", (5, 2, 3), (3, 4)), ("3d_3d", (5, 2, 3), (5, 3, 4)),
    ("bcast_batch1", (1, 2, 3), (4, 3, 2)), ("bcast_4d_3d", (2, 1, 2, 3), (4, 3, 5)),
    ("bcast_4d_4d", (2, 1, 2, 3), (1, 3, 3, 2)), ("1d_4d", (3,), (2, 2, 3, 4)),
    ("empty_rows", (0, 3), (3, 4)), ("empty_inner", (2, 0), (0, 4)),
    ("empty_batch", (0, 2, 3), (0, 3, 4)), ("empty_1d", (0,), (0,)),
]


def _matmul():
    out = [case(f"matmul/fn/{sid}", lambda m, a, b: m.matmul(a, b), randn(*ls), randn(*rs),
                gradgrad=sid in ("2d_2d", "bcast_batch1", "1d_2d"))
           for sid, ls, rs in MATMUL_SHAPES]
    return out + [
        case("matmul/method", lambda m, a, b: a.matmul(b), randn(2, 3), randn(3, 4)),
        case("matmul/op", lambda m, a, b: a @ b, randn(2, 3), randn(3, 4)),
        case("matmul/op_3d", lambda m, a, b: a @ b, randn(2, 2, 3), randn(2, 3, 4)),
        case("matmul/op_1d_1d", lambda m, a, b: a @ b, randn(4), randn(4)),
        case("matmul/op_1d_3d", lambda m, a, b: a @ b, randn(3), randn(2, 3, 4)),
        case("matmul/nc_lhs", lambda m, a, b: a @ b, randn(2, 3, nc=True), randn(3, 4)),
        case("matmul/nc_both", lambda m, a, b: a @ b, randn(2, 3, nc=True),
             randn(3, 4, nc=True)),
        case("matmul/nc_3d", lambda m, a, b: m.matmul(a, b), randn(2, 2, 3, nc=True),
             randn(2, 3, 4, nc=True)),
        case("matmul/nc_1d", lambda m, a, b: m.matmul(a, b), randn(3, nc=True),
             randn(3, 4, nc=True)),
        case("matmul/transposed_view", lambda m, a, b: a.t() @ b.transpose(0, 1), randn(3, 2),
             randn(4, 3)),
        # torch runs vector @ matrix as unsqueeze(0), mm, squeeze_(0): SqueezeBackward4
        case("matmul/1d_2d_squeeze_", lambda m, a, b: m.matmul(a, b), randn(3), randn(3, 4),
             ops=("matmul", "squeeze_")),
        case("matmul/1d_3d_unsafe_view", lambda m, a, b: a @ b, randn(3), randn(2, 3, 4),
             ops=("matmul", "_unsafe_view")),
        case("matmul/no_grad_rhs", lambda m, a, b: a @ b, randn(2, 3),
             randn(3, 4, rg=False)),
    ]


def _mm_bmm():
    return [
        case("mm/fn", lambda m, a, b: m.mm(a, b), randn(2, 3), randn(3, 4), gradgrad=True),
        case("mm/method", lambda m, a, b: a.mm(b), randn(4, 3), randn(3, 2)),
        case("mm/square", lambda m, a: m.mm(a, a), randn(3, 3)),
        case("mm/empty_inner", lambda m, a, b: m.mm(a, b), randn(2, 0), randn(0, 3)),
        case("mm/empty_rows", lambda m, a, b: m.mm(a, b), randn(0, 3), randn(3, 2)),
        case("mm/nc", lambda m, a, b: m.mm(a, b), randn(2, 3, nc=True), randn(3, 4, nc=True)),
        case("bmm/fn", lambda m, a, b: m.bmm(a, b), randn(4, 2, 3), randn(4, 3, 5),
             gradgrad=True),
        case("bmm/method", lambda m, a, b: a.bmm(b), randn(2, 3, 3), randn(2, 3, 1)),
        case("bmm/empty_batch", lambda m, a, b: m.bmm(a, b), randn(0, 2, 3), randn(0, 3, 4)),
        case("bmm/empty_inner", lambda m, a, b: m.bmm(a, b), randn(2, 2, 0), randn(2, 0, 4)),
        case("bmm/nc", lambda m, a, b: m.bmm(a, b), randn(3, 2, 3, nc=True),
             randn(3, 3, 4, nc=True)),
    ]


CASES = _matmul() + _mm_bmm()
