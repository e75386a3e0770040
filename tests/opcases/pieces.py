"""Cases for ops that cut a tensor into pieces or reorder / replicate its elements: split (size
and sizes), split_with_sizes, chunk, unbind (multi-output views: one node, a gradient per
piece, unused pieces count as zero), tensor_split / hsplit / vsplit / dsplit (slices), flip /
fliplr / flipud, roll, repeat, tile. Forward values must be bit-exact (pure data movement).
"""
from functools import partial

from crosscheck import ints, randn
from opcases.base import case as _case

case = partial(_case, exact=True)


def _split():
    return [
        case("split/int", lambda m, x: m.split(x, 2), randn(5, 3), gradgrad=True),
        case("split/method_dim", lambda m, x: x.split(2, dim=1), randn(3, 5)),
        case("split/neg_dim", lambda m, x: x.split(1, -1), randn(2, 3)),
        case("split/exact", lambda m, x: x.split(2), randn(4, 3)),
        case("split/larger", lambda m, x: x.split(10), randn(4, 3)),
        case("split/1d", lambda m, x: x.split(3), randn(7)),
        case("split/empty_dim", lambda m, x: x.split(2), randn(0, 3)),
        case("split/empty_other", lambda m, x: x.split(1), randn(2, 0)),
        case("split/zero_size_empty", lambda m, x: x.split(0), randn(0, 3)),
        case("split/nc", lambda m, x: x.split(2, 1), randn(3, 5, nc=True)),
        case("split/one_piece_used", lambda m, x: x.split(2)[1], randn(5, 3)),
        case("split/some_used", lambda m, x: (lambda p: (p[0], p[2] * 2))(x.split(2)),
             randn(5, 3)),
        case("split/kw", lambda m, x: m.split(x, split_size_or_sections=1, dim=1), randn(2, 3)),
        case("split/method_kw", lambda m, x: x.split(split_size=2), randn(3, 2)),
        case("split/int_input", lambda m, i: i.split(2), ints(5, 2)),
        case("split/sizes", lambda m, x: m.split(x, [1, 3, 1]), randn(5, 2), gradgrad=True,
             ops=("split_with_sizes",)),
        case("split/sizes_method", lambda m, x: x.split([2, 0, 3], 1), randn(2, 5),
             ops=("split_with_sizes",)),
        case("split/sizes_nc", lambda m, x: x.split((1, 2), -1), randn(4, 3, nc=True),
             ops=("split_with_sizes",)),
        case("split_with_sizes/fn", lambda m, x: m.split_with_sizes(x, [2, 1]), randn(3, 4)),
        case("split_with_sizes/method", lambda m, x: x.split_with_sizes([1, 1, 2], dim=1),
             randn(3, 4)),
        case("split_with_sizes/last_used", lambda m, x: x.split_with_sizes([1, 2])[1],
             randn(3, 2)),
        case("chunk/fn", lambda m, x: m.chunk(x, 3), randn(7, 2), ops=("chunk", "split")),
        case("chunk/method_dim", lambda m, x: x.chunk(2, dim=1), randn(2, 5)),
        case("chunk/more_than_size", lambda m, x: x.chunk(5), randn(2, 3)),
        case("chunk/uneven", lambda m, x: x.chunk(4), randn(6)),
        case("chunk/empty", lambda m, x: x.chunk(3), randn(0, 2)),
        case("chunk/nc", lambda m, x: x.chunk(2, -1), randn(3, 4, nc=True)),
        case("chunk/one_used", lambda m, x: x.chunk(3)[0], randn(6, 2)),
        case("unbind/fn", lambda m, x: m.unbind(x), randn(3, 2), gradgrad=True),
        case("unbind/method_dim", lambda m, x: x.unbind(1), randn(2, 3)),
        case("unbind/neg_dim", lambda m, x: x.unbind(dim=-1), randn(2, 3, 2)),
        case("unbind/1d", lambda m, x: x.unbind(), randn(4)),
        case("unbind/empty_dim", lambda m, x: x.unbind(), randn(0, 3)),
        case("unbind/empty_other", lambda m, x: x.unbind(), randn(2, 0)),
        case("unbind/nc", lambda m, x: x.unbind(1), randn(3, 4, nc=True)),
        case("unbind/some_used", lambda m, x: (lambda p: p[1] + p[3])(x.unbind()), randn(4, 2)),
        case("unbind/int", lambda m, i: i.unbind(1), ints(2, 3)),
    ]


def _tensor_split():
    return [
        case("tensor_split/sections", lambda m, x: m.tensor_split(x, 3), randn(7, 2),
             ops=("tensor_split", "slice")),
        case("tensor_split/more_sections", lambda m, x: x.tensor_split(4, dim=1), randn(2, 3),
             ops=("tensor_split", "slice")),
        case("tensor_split/indices", lambda m, x: x.tensor_split([1, 3], 1), randn(2, 5),
             ops=("tensor_split", "slice")),
        case("tensor_split/indices_odd", lambda m, x: x.tensor_split((3, 1, -1, 9)), randn(5, 2),
             ops=("tensor_split", "slice")),
        case("tensor_split/kw_sections", lambda m, x: x.tensor_split(sections=2), randn(4, 2),
             ops=("tensor_split", "slice")),
        case("tensor_split/kw_indices", lambda m, x: m.tensor_split(x, indices=[2], dim=-1),
             randn(2, 4), ops=("tensor_split", "slice")),
        case("tensor_split/tensor_sections", lambda m, x: x.tensor_split(m.tensor(2)),
             randn(5, 2), ops=("tensor_split", "slice")),
        case("tensor_split/tensor_indices", lambda m, x: x.tensor_split(m.tensor([1, 2]), 1),
             randn(2, 4), ops=("tensor_split", "slice")),
        case("tensor_split/nc", lambda m, x: x.tensor_split(2, 1), randn(3, 5, nc=True),
             ops=("tensor_split", "slice")),
        case("tensor_split/empty", lambda m, x: x.tensor_split(2), randn(0, 3),
             ops=("tensor_split", "slice")),
        case("hsplit/2d", lambda m, x: m.hsplit(x, 3), randn(2, 6), ops=("hsplit", "slice")),
        case("hsplit/1d_indices", lambda m, x: x.hsplit([1, 4]), randn(6), ops=("hsplit",)),
        case("vsplit/sections", lambda m, x: x.vsplit(2), randn(4, 3), ops=("vsplit",)),
        case("vsplit/indices", lambda m, x: m.vsplit(x, [3]), randn(4, 3), ops=("vsplit",)),
        case("dsplit/sections", lambda m, x: x.dsplit(2), randn(2, 1, 4), ops=("dsplit",)),
    ]


def _reorder():
    return [
        case("flip/fn", lambda m, x: m.flip(x, [0]), randn(3, 4), gradgrad=True),
        case("flip/method_varargs", lambda m, x: x.flip(0, 1), randn(3, 4)),
        case("flip/method_list", lambda m, x: x.flip([-1]), randn(2, 3, 4)),
        case("flip/all_dims", lambda m, x: m.flip(x, (2, 0, 1)), randn(2, 3, 4)),
        case("flip/no_dims", lambda m, x: m.flip(x, []), randn(2, 3)),
        case("flip/0d", lambda m, x: x.flip(0), randn()),
        case("flip/empty", lambda m, x: x.flip(0, 1), randn(0, 3)),
        case("flip/nc", lambda m, x: x.flip(1), randn(3, 4, nc=True)),
        case("flip/int", lambda m, i: i.flip(0), ints(4, 2)),
        case("fliplr/fn", lambda m, x: m.fliplr(x), randn(3, 4), ops=("fliplr", "flip")),
        case("flipud/method", lambda m, x: x.flipud(), randn(3, 4), ops=("flipud", "flip")),
        case("roll/flat", lambda m, x: m.roll(x, 2), randn(3, 4), gradgrad=True),
        case("roll/dim", lambda m, x: x.roll(1, 0), randn(3, 4)),
        case("roll/neg_shift", lambda m, x: x.roll(-5, -1), randn(3, 4)),
        case("roll/dims", lambda m, x: m.roll(x, shifts=(1, -2), dims=(0, 1)), randn(3, 4)),
        case("roll/same_dim_twice", lambda m, x: x.roll((1, 2), (1, 1)), randn(3, 4)),
        case("roll/big_shift", lambda m, x: x.roll(13, 1), randn(2, 5)),
        case("roll/0d", lambda m, x: x.roll(1), randn()),
        case("roll/empty", lambda m, x: x.roll(2), randn(0, 3)),
        case("roll/empty_dim", lambda m, x: x.roll(1, 0), randn(0, 3)),
        case("roll/nc", lambda m, x: x.roll(1, 1), randn(3, 4, nc=True)),
        case("roll/int", lambda m, i: i.roll(1), ints(2, 3)),
        case("repeat/varargs", lambda m, x: x.repeat(2, 3), randn(2, 3), gradgrad=True),
        case("repeat/tuple", lambda m, x: x.repeat((1, 2)), randn(2, 3)),
        case("repeat/new_dims", lambda m, x: x.repeat(2, 1, 2), randn(2, 3)),
        case("repeat/0d", lambda m, x: x.repeat(3), randn()),
        case("repeat/zero", lambda m, x: x.repeat(0, 2), randn(2, 3)),
        case("repeat/empty", lambda m, x: x.repeat(2, 2), randn(0, 3)),
        case("repeat/nc", lambda m, x: x.repeat(2, 1), randn(3, 4, nc=True)),
        case("repeat/int", lambda m, i: i.repeat(2, 1), ints(2, 3)),
        case("tile/fn", lambda m, x: m.tile(x, (2,)), randn(2, 3), ops=("tile", "repeat")),
        case("tile/method_more", lambda m, x: x.tile(2, 1, 2), randn(2, 3)),
        case("tile/empty_dims", lambda m, x: x.tile(()), randn(2, 3)),
        case("tile/kw", lambda m, x: x.tile(dims=(3, 1)), randn(2, 3)),
        case("tile/0d", lambda m, x: m.tile(x, (2, 2)), randn()),
        case("tile/nc", lambda m, x: x.tile(2), randn(3, 4, nc=True)),
    ]


def _keywords():
    return [
        case("repeat/kw", lambda m, x: x.repeat(repeats=(2, 1)), randn(2, 3)),
        case("flip/method_kw", lambda m, x: x.flip(dims=[0]), randn(2, 3)),
        case("hsplit/kw_sections", lambda m, x: m.hsplit(x, sections=3), randn(2, 3),
             ops=("hsplit",)),
        case("vsplit/kw_indices", lambda m, x: x.vsplit(indices=[1]), randn(3, 2),
             ops=("vsplit",)),
        case("unbind/kw", lambda m, x: m.unbind(input=x, dim=1), randn(2, 3)),
        case("chunk/kw", lambda m, x: m.chunk(input=x, chunks=2, dim=1), randn(2, 3)),
    ]


CASES = _split() + _tensor_split() + _reorder() + _keywords()
