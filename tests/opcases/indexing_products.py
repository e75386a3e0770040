"""Scatter-style indexing (scatter, scatter_reduce, index_add/copy/fill/put, masked_scatter, take,
take_along_dim, their in-place methods), diagonals and products (diag, diag_embed, diagflat,
diagonal_copy, trace, vdot, outer, inner, kron, tensordot, einsum, addmv, addr, addbmm, baddbmm,
chain_matmul) and shape helpers (rot90, block_diag, movedim, ravel, atleast_*d, the *stack
family, meshgrid, broadcast_tensors, cartesian_prod).
"""
from crosscheck import const, ints, mask, randn, ties
from opcases.base import case

# index along dim 0 of a (3, 4) tensor, no two writes to one element (scatter's result is then
# defined); a second one along dim 1 of (3, 4)
IDX0 = const([[0, 1, 2, 0], [2, 0, 1, 1]])
IDX1 = const([[3, 0], [1, 2], [0, 3]])
# duplicates along dim 0 of a (3, 3) tensor: several values reduce into one element
DUP = const([[0, 1, 2], [0, 0, 2], [1, 0, 2], [2, 1, 0]])


def _scatter():
    return [
        case("scatter/src", lambda m, x, i, s: x.scatter(0, i, s), randn(3, 4), IDX0,
             randn(2, 4), gradgrad=True),
        case("scatter/fn_kw", lambda m, x, i, s: m.scatter(x, dim=1, index=i, src=s),
             randn(3, 4), IDX1, randn(3, 2)),
        case("scatter/value", lambda m, x, i: x.scatter(1, i, 1.5), randn(3, 4), IDX1,
             gradgrad=True),
        case("scatter/value_kw", lambda m, x, i: m.scatter(x, 1, i, value=-2), randn(3, 4), IDX1),
        case("scatter/neg_dim", lambda m, x, i, s: x.scatter(-1, i, s), randn(3, 4), IDX1,
             randn(3, 2)),
        case("scatter/nc", lambda m, x, i, s: x.scatter(0, i, s), randn(3, 4, nc=True), IDX0,
             randn(2, 4, nc=True)),
        case("scatter/empty_index", lambda m, x, i, s: x.scatter(1, i, s), randn(3, 4),
             ints(3, 0), randn(3, 0)),
        case("scatter/src_no_grad", lambda m, x, i, s: x.scatter(0, i, s), randn(3, 4), IDX0,
             randn(2, 4, rg=False)),
        # forward only: torch's backward rejects src's gradient (index smaller than src)
        case("scatter/src_bigger", lambda m, x, i, s: x.scatter(0, i, s), randn(3, 4), IDX0,
             randn(3, 5), grad=False),
        case("scatter/int", lambda m, x, i, s: x.scatter(0, i, s), ints(3, 4), IDX0,
             ints(2, 4, high=9)),
        # torch records NotImplemented for the legacy reduce= (forward compared only)
        case("scatter/reduce_add", lambda m, x, i, s: x.scatter(0, i, s, reduce="add"),
             randn(3, 3), DUP, randn(4, 3), grad=False),
        case("scatter/reduce_multiply", lambda m, x, i: x.scatter(0, i, 2.0, reduce="multiply"),
             randn(3, 3), DUP, grad=False),
        case("scatter_/method", lambda m, x, i, s: (x * 1).scatter_(0, i, s), randn(3, 4), IDX0,
             randn(2, 4), ops=("scatter",)),
        case("scatter_/value", lambda m, x, i: (x * 1).scatter_(1, i, 0.5), randn(3, 4), IDX1,
             ops=("scatter",)),
        case("scatter_add_/method", lambda m, x, i, s: (x * 1).scatter_add_(0, i, s),
             randn(3, 3), DUP, randn(4, 3), ops=("scatter_add",)),
    ]


def _scatter_reduce():
    out = []
    for red in ("sum", "prod", "mean", "amax", "amin"):
        for inc in (True, False):
            tag = f"{red}_{'self' if inc else 'noself'}"
            out.append(case(f"scatter_reduce/{tag}",
                            lambda m, x, i, s, red=red, inc=inc: x.scatter_reduce(
                                0, i, s, red, include_self=inc),
                            randn(3, 3), DUP, randn(4, 3), gradgrad=red in ("sum", "mean")))
    return out + [
        case("scatter_reduce/fn_dim1", lambda m, x, i, s: m.scatter_reduce(x, 1, i, s, "sum"),
             randn(3, 4), IDX1, randn(3, 2)),
        # "max" is accepted forward; torch's backward then raises (tests/test_errors_indexing.py)
        case("scatter_reduce/max_alias", lambda m, x, i, s: x.scatter_reduce(0, i, s, "max"),
             randn(3, 3), DUP, randn(4, 3), grad=False),
        # zeros in self and src: prod's gradient at a group's only zero is the others' product
        case("scatter_reduce/prod_zeros",
             lambda m, x, i, s: x.scatter_reduce(0, i, s, "prod"),
             const([[0.0, 1.5, 2.0], [0.5, 0.0, -1.0], [1.0, 2.0, 0.0]]), DUP,
             const([[1.5, 0.5, 0.0], [2.0, 0.0, 1.0], [0.5, 2.0, 1.5], [-1.0, 1.5, 0.5]])),
        # equal values: amax/amin split the gradient evenly among the tied elements
        case("scatter_reduce/amax_ties", lambda m, x, i, s: x.scatter_reduce(0, i, s, "amax"),
             ties(3, 3), DUP, ties(4, 3), gradcheck=False),
        case("scatter_reduce/amin_ties_noself",
             lambda m, x, i, s: x.scatter_reduce(0, i, s, "amin", include_self=False),
             ties(3, 3), DUP, ties(4, 3), gradcheck=False),
        case("scatter_reduce/prod_zeros_noself",
             lambda m, x, i, s: x.scatter_reduce(0, i, s, "prod", include_self=False),
             const([[0.0, 1.5, 2.0], [0.5, 0.0, -1.0], [1.0, 2.0, 0.0]]), DUP,
             const([[1.5, 0.5, 0.0], [2.0, 0.0, 1.0], [0.5, 2.0, 1.5], [-1.0, 0.0, 0.5]])),
        case("scatter_reduce/int_mean", lambda m, x, i, s: x.scatter_reduce(0, i, s, "mean"),
             ints(3, 3, low=-9, high=9), DUP, ints(4, 3, low=-9, high=9)),
        case("scatter_reduce/int_amax_noself",
             lambda m, x, i, s: x.scatter_reduce(0, i, s, "amax", include_self=False),
             ints(3, 3, high=9), DUP, ints(4, 3, high=9)),
        case("scatter_reduce/nc", lambda m, x, i, s: x.scatter_reduce(0, i, s, "mean"),
             randn(3, 3, nc=True), DUP, randn(4, 3, nc=True)),
        case("scatter_reduce_/method",
             lambda m, x, i, s: (x * 1).scatter_reduce_(0, i, s, "amin", include_self=False),
             randn(3, 3), DUP, randn(4, 3), ops=("scatter_reduce",)),
    ]


def _index_family():
    i3 = const([0, 2, 2])
    return [
        case("index_add/dim0", lambda m, x, i, s: x.index_add(0, i, s), randn(4, 3), i3,
             randn(3, 3), gradgrad=True),
        case("index_add/alpha", lambda m, x, i, s: m.index_add(x, 1, i, s, alpha=2.5),
             randn(2, 4), i3, randn(2, 3)),
        case("index_add/int32_index", lambda m, x, i, s: x.index_add(-1, i, s),
             randn(2, 4), const([3, 1], dtype="int32"), randn(2, 2)),
        case("index_add/0d", lambda m, x, i, s: x.index_add(0, i, s), randn(), const(0),
             randn()),
        case("index_add/nc", lambda m, x, i, s: x.index_add(0, i, s), randn(4, 3, nc=True), i3,
             randn(3, 3, nc=True)),
        case("index_add_/method", lambda m, x, i, s: (x * 1).index_add_(0, i, s, alpha=-1),
             randn(4, 3), i3, randn(3, 3), ops=("index_add",)),
        case("index_copy/dim0", lambda m, x, i, s: x.index_copy(0, i, s), randn(5, 3),
             const([4, 0, 2]), randn(3, 3), gradgrad=True),
        case("index_copy/fn_dim1", lambda m, x, i, s: m.index_copy(x, 1, i, s), randn(2, 4),
             const([1, 3]), randn(2, 2)),
        case("index_copy_/method", lambda m, x, i, s: (x * 1).index_copy_(1, i, s), randn(2, 4),
             const([1, 3]), randn(2, 2), ops=("index_copy",)),
        case("index_fill/scalar", lambda m, x, i: x.index_fill(1, i, -1.5), randn(3, 4),
             const([0, 3]), gradgrad=True),
        case("index_fill/tensor", lambda m, x, i, v: m.index_fill(x, 0, i, v), randn(3, 4),
             const([2, 0]), randn()),
        case("index_fill/int", lambda m, x, i: x.index_fill(0, i, 7), ints(3, 2),
             const([1])),
        case("index_fill_/method", lambda m, x, i, v: (x * 1).index_fill_(0, i, v), randn(3, 4),
             const([1]), randn(), ops=("index_fill",)),
        case("index_put/fn", lambda m, x, i, v: m.index_put(x, (i,), v), randn(4, 3),
             const([3, 0]), randn(2, 3)),
        case("index_put/method_acc", lambda m, x, i, j, v: x.index_put((i, j), v,
                                                                       accumulate=True),
             randn(4, 3), const([1, 1, 2]), const([0, 0, 2]), randn(3)),
        case("index_put_/fn", lambda m, x, i, v: m.index_put_(x * 1, (i,), v, True),
             randn(4, 3), const([1, 1]), randn(3), ops=("index_put",)),
        case("masked_scatter/same_shape", lambda m, x, b, s: x.masked_scatter(b, s),
             randn(3, 4), mask(3, 4), randn(3, 4), gradgrad=True),
        case("masked_scatter/bcast_mask", lambda m, x, b, s: m.masked_scatter(x, b, s),
             randn(3, 4), mask(4), randn(5, 4)),
        case("masked_scatter/src_bigger", lambda m, x, b, s: x.masked_scatter(b, s),
             randn(2, 3), mask(2, 3), randn(7)),
        case("masked_scatter_/method", lambda m, x, b, s: (x * 1).masked_scatter_(b, s),
             randn(2, 3), mask(2, 3), randn(2, 3), ops=("masked_scatter",)),
        case("take/fn", lambda m, x, i: m.take(x, i), randn(3, 4), ints(2, 3, high=12),
             gradgrad=True),
        case("take/neg_dups", lambda m, x, i: x.take(i), randn(3, 4), const([-1, 0, 5, 5])),
        case("take/nc", lambda m, x, i: x.take(i), randn(3, 4, nc=True), ints(5, high=12)),
        case("take/empty", lambda m, x, i: x.take(i), randn(3, 4), ints(0)),
        case("take_along_dim/dim", lambda m, x, i: m.take_along_dim(x, i, dim=1), randn(3, 4),
             ints(3, 2, high=4), ops=("gather",)),
        case("take_along_dim/bcast", lambda m, x, i: x.take_along_dim(i, 0), randn(3, 4),
             ints(2, 1, high=3), ops=("gather",)),
        case("take_along_dim/flat", lambda m, x, i: m.take_along_dim(x, i), randn(3, 4),
             ints(5, high=12), ops=("gather",)),
    ]


def _diagonals():
    return [
        case("diag/vector", lambda m, v: m.diag(v), randn(3), ops=("diag_embed",)),
        case("diag/vector_offset", lambda m, v: v.diag(-2), randn(3), ops=("diag_embed",)),
        case("diag/matrix", lambda m, x: m.diag(x), randn(3, 4), ops=("diagonal_copy",)),
        case("diag/matrix_offset", lambda m, x: x.diag(diagonal=1), randn(3, 4),
             ops=("diagonal_copy",)),
        case("diag/nc", lambda m, x: m.diag(x, -1), randn(3, 4, nc=True),
             ops=("diagonal_copy",)),
        case("diag_embed/default", lambda m, x: m.diag_embed(x), randn(2, 3), gradgrad=True),
        case("diag_embed/dims", lambda m, x: x.diag_embed(1, 0, 2), randn(2, 3)),
        case("diag_embed/neg", lambda m, x: m.diag_embed(x, offset=-1, dim1=-1, dim2=0),
             randn(3)),
        case("diagflat/matrix", lambda m, x: m.diagflat(x), randn(2, 2), ops=("diag_embed",)),
        case("diagflat/offset", lambda m, x: x.diagflat(-1), randn(3), ops=("diag_embed",)),
        case("diagonal_copy/fn", lambda m, x: m.diagonal_copy(x, 1, 0, 2), randn(3, 2, 4)),
        case("trace/square", lambda m, x: m.trace(x), randn(3, 3), gradgrad=True),
        case("trace/wide", lambda m, x: x.trace(), randn(2, 4)),
        case("trace/int", lambda m, x: x.trace(), ints(3, 3)),
    ]


def _products():
    return [
        case("vdot/fn", lambda m, a, b: m.vdot(a, b), randn(4), randn(4), gradgrad=True),
        case("vdot/method_nc", lambda m, a, b: a.vdot(b), randn(4, nc=True), randn(4)),
        case("outer/fn", lambda m, a, b: m.outer(a, b), randn(3), randn(4), ops=("mul",)),
        case("outer/ger", lambda m, a, b: a.ger(b), randn(2), randn(3), ops=("mul",)),
        case("inner/matrix", lambda m, a, b: m.inner(a, b), randn(2, 3), randn(4, 3),
             ops=("mm",)),
        case("inner/vector", lambda m, a, b: a.inner(b), randn(3), randn(3), ops=("mm",)),
        case("inner/scalar", lambda m, a, b: m.inner(a, b), randn(), randn(2, 3), ops=("mul",)),
        case("kron/matrices", lambda m, a, b: m.kron(a, b), randn(2, 3), randn(2, 2),
             ops=("mul",)),
        case("kron/ranks", lambda m, a, b: a.kron(b), randn(2, 3), randn(4), ops=("mul",)),
        case("tensordot/int", lambda m, a, b: m.tensordot(a, b, 1), randn(2, 3), randn(3, 4),
             ops=("mm",)),
        case("tensordot/lists", lambda m, a, b: m.tensordot(a, b, dims=([1, 0], [0, 2])),
             randn(3, 4, 5), randn(4, 2, 3), ops=("mm",)),
        case("tensordot/outer", lambda m, a, b: m.tensordot(a, b, 0), randn(2), randn(3),
             ops=("mm",)),
        case("chain_matmul/three", lambda m, a, b, c: m.chain_matmul(a, b, c), randn(2, 3),
             randn(3, 4), randn(4, 2), ops=("mm",)),
        case("addmv/default", lambda m, s, a, v: m.addmv(s, a, v), randn(3), randn(3, 4),
             randn(4), gradgrad=True),
        case("addmv/beta_alpha", lambda m, s, a, v: s.addmv(a, v, beta=0.5, alpha=2),
             randn(1), randn(3, 4), randn(4)),
        case("addmv/beta0", lambda m, s, a, v: m.addmv(s, a, v, beta=0), randn(), randn(3, 4),
             randn(4)),
        case("addr/default", lambda m, s, a, b: m.addr(s, a, b), randn(3, 4), randn(3),
             randn(4), gradgrad=True),
        case("addr/bcast", lambda m, s, a, b: s.addr(a, b, beta=2, alpha=-1.5), randn(4),
             randn(3), randn(4)),
        case("addbmm/default", lambda m, s, a, b: m.addbmm(s, a, b), randn(3, 5),
             randn(2, 3, 4), randn(2, 4, 5), gradgrad=True),
        case("addbmm/beta_alpha", lambda m, s, a, b: s.addbmm(a, b, beta=0.5, alpha=3),
             randn(5), randn(2, 3, 4), randn(2, 4, 5)),
        case("baddbmm/default", lambda m, s, a, b: m.baddbmm(s, a, b), randn(2, 3, 5),
             randn(2, 3, 4), randn(2, 4, 5), gradgrad=True),
        case("baddbmm/bcast", lambda m, s, a, b: s.baddbmm(a, b, alpha=0.5), randn(3, 1),
             randn(2, 3, 4), randn(2, 4, 5, nc=True)),
        case("addmv_/method", lambda m, s, a, v: (s * 1).addmv_(a, v, beta=2), randn(3),
             randn(3, 4), randn(4), ops=("addmv",)),
        case("addr_/method", lambda m, s, a, b: (s * 1).addr_(a, b, alpha=0.5), randn(3, 4),
             randn(3), randn(4), ops=("addr",)),
        case("addbmm_/method", lambda m, s, a, b: (s * 1).addbmm_(a, b), randn(3, 5),
             randn(2, 3, 4), randn(2, 4, 5), ops=("addbmm",)),
        case("baddbmm_/method", lambda m, s, a, b: (s * 1).baddbmm_(a, b, beta=0), randn(2, 3, 5),
             randn(2, 3, 4), randn(2, 4, 5), ops=("baddbmm",)),
    ]


_EINSUM = [
    ("mm", "ij,jk->ik", ((2, 3), (3, 4))),
    ("implicit", "ij,jk", ((2, 3), (3, 4))),
    ("bmm", "bij,bjk->bik", ((2, 3, 4), (2, 4, 5))),
    ("transpose", "ij->ji", ((2, 3),)),
    ("diag", "ii->i", ((3, 3),)),
    ("trace", "ii", ((3, 3),)),
    ("sum", "ijk->j", ((2, 3, 4),)),
    ("outer", "i,j->ij", ((2,), (3,))),
    ("dot", "i,i->", ((4,), (4,))),
    ("frobenius", "ij,ij->", ((2, 3), (2, 3))),
    ("ellipsis", "...ij,...jk->...ik", ((2, 2, 3), (2, 3, 4))),
    ("ellipsis_bcast", "...i,i", ((2, 3, 4), (4,))),
    ("bilinear", "bn,anm,bm->ba", ((2, 3), (4, 3, 5), (2, 5))),
    ("batch_diag", "bii->bi", ((2, 3, 3),)),
    ("broadcast_one", "ij,kj->ikj", ((2, 3), (1, 3))),
    ("kept_repeat", "ij,jk,kl->il", ((2, 3), (3, 4), (4, 2))),
]


def _einsum():
    out = []
    for tag, eq, shapes in _EINSUM:
        out.append(case(f"einsum/{tag}", lambda m, *xs, eq=eq: m.einsum(eq, *xs),
                        *[randn(*s) for s in shapes], ops=("bmm",)))
    out.append(case("einsum/list_form", lambda m, a, b: m.einsum("ij,jk->ik", [a, b]),
                    randn(2, 3), randn(3, 4), ops=("bmm",), gradgrad=True))
    out.append(case("einsum/nc", lambda m, a, b: m.einsum("ij,jk->ki", a, b),
                    randn(2, 3, nc=True), randn(3, 4, nc=True), ops=("bmm",)))
    return out


def _shapes():
    return [
        case("rot90/default", lambda m, x: m.rot90(x), randn(3, 4), gradgrad=True),
        case("rot90/k2", lambda m, x: x.rot90(2), randn(3, 4)),
        case("rot90/k3_dims", lambda m, x: m.rot90(x, 3, [1, 2]), randn(2, 3, 4)),
        case("rot90/neg_k", lambda m, x: m.rot90(x, -1, (2, 0)), randn(2, 3, 4)),
        case("rot90/k0", lambda m, x: m.rot90(x, 4), randn(3, 4)),
        case("block_diag/mixed", lambda m, a, b, c: m.block_diag(a, b, c), randn(2, 3),
             randn(2), randn(), gradgrad=True),
        case("block_diag/one", lambda m, a: m.block_diag(a), randn(2, 2)),
        case("block_diag/none", lambda m: m.block_diag(), grad=False),
        case("block_diag/int_float", lambda m, a, b: m.block_diag(a, b), ints(1, 2), randn(1)),
        case("movedim/int", lambda m, x: m.movedim(x, 0, 2), randn(2, 3, 4), ops=("permute",)),
        case("movedim/tuple", lambda m, x: x.movedim((0, -1), (1, 0)), randn(2, 3, 4),
             ops=("permute",)),
        case("moveaxis/fn", lambda m, x: m.moveaxis(x, 1, 0), randn(2, 3), ops=("permute",)),
        case("swapdims/fn", lambda m, x: m.swapdims(x, 0, 2), randn(2, 3, 4),
             ops=("transpose",)),
        case("swapdims/method", lambda m, x: x.swapdims(1, 0), randn(2, 3), ops=("transpose",)),
        case("ravel/contig", lambda m, x: m.ravel(x), randn(2, 3), ops=("view",)),
        case("ravel/nc", lambda m, x: x.ravel(), randn(3, 4, nc=True), ops=("view",)),
        case("atleast_1d/0d", lambda m, x: m.atleast_1d(x), randn(), ops=("view",)),
        case("atleast_2d/many", lambda m, a, b: m.atleast_2d(a, b), randn(), randn(3),
             ops=("view",)),
        case("atleast_3d/list", lambda m, a, b, c: m.atleast_3d([a, b, c]), randn(3),
             randn(2, 3), randn(2, 3, 4), ops=("unsqueeze",)),
        case("hstack/vectors", lambda m, a, b: m.hstack([a, b]), randn(2), randn(3),
             ops=("cat",)),
        case("hstack/matrices", lambda m, a, b: m.hstack((a, b)), randn(2, 1), randn(2, 3),
             ops=("cat",)),
        case("vstack/mixed", lambda m, a, b: m.vstack([a, b]), randn(3), randn(2, 3),
             ops=("cat",)),
        case("row_stack/fn", lambda m, a, b: m.row_stack([a, b]), randn(3), randn(3),
             ops=("cat",)),
        case("dstack/fn", lambda m, a, b: m.dstack([a, b]), randn(2, 3), randn(2, 3, 2),
             ops=("cat",)),
        case("column_stack/fn", lambda m, a, b, c: m.column_stack([a, b, c]), randn(3),
             randn(3, 2), randn(3), ops=("cat",)),
        case("meshgrid/ij", lambda m, a, b: m.meshgrid(a, b, indexing="ij"), randn(3), randn(2),
             ops=("expand",)),
        case("meshgrid/xy", lambda m, a, b, c: m.meshgrid([a, b, c], indexing="xy"), randn(3),
             randn(2), randn(4), ops=("expand",)),
        case("broadcast_tensors/fn", lambda m, a, b: m.broadcast_tensors(a, b), randn(3, 1),
             randn(4), ops=("expand",)),
        case("cartesian_prod/two", lambda m, a, b: m.cartesian_prod(a, b), randn(3), randn(2),
             ops=("stack",)),
    ]


CASES = (_scatter() + _scatter_reduce() + _index_family() + _diagonals() + _products()
         + _einsum() + _shapes())
