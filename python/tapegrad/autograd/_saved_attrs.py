"""grad_fn._saved_<name> attributes under torch's names and in torch's value types (Note [Saved
attributes] in python/src/bind_autograd.cpp): saved tensors come from the node's slots, named in
C++; scalar, size and flag arguments are rebuilt here from the node's raw record (f, i, shape,
input sizes) by one small table per grad_fn class. Graph drawers (torchviz's show_attrs /
show_saved) read these through dir() and getattr().
"""
from __future__ import annotations

import math

from .._grad_mode import no_grad

_U64 = 1 << 64


def _i64(v):
    """An int64 argument as torch shows it: through an unsigned conversion (-1 -> 2**64 - 1)."""
    return int(v) % _U64


def _dims(vs):
    return tuple(_i64(v) for v in vs)


def _num(n, k):
    """Scalar argument k (Node::f) as the int or float the caller passed: the last entry of
    Node::i marks the int ones (int_mask in lib/ops/common.h)."""
    v = n._raw_f[k]
    i = n._raw_i
    is_int = (i[-1] >> k) & 1 if i else float(v).is_integer()
    return int(v) if is_int else v


def _alpha(n):
    """add/sub's alpha: an empty Node::f is the default int 1 (binary() stores nothing then)."""
    return _num(n, 0) if n._raw_f else 1


def _sizes(n):
    return tuple(n._raw_shape)


def _needs(n, k):
    fns = n.next_functions
    return k < len(fns) and fns[k][0] is not None


def _in_sizes(n, k):
    return n._raw_input_sizes(k) or ()


def _var_attrs(n):
    # torch keeps what the call gave: dim None and correction None for a plain x.var() / x.std().
    i = n._raw_i
    self_ = n._raw_saved(0)
    dims = list(i[:-1])
    given = _given_dims(n, 1)  # () when the call named no dim
    nd = self_.dim()
    count = math.prod(self_.shape[d] for d in dims) if nd else 1
    correction = int(round(count - n._raw_f[0]))
    return {"dim": given or None, "keepdim": bool(i[-1]),
            "correction": None if not given and correction == 1 else correction}


def _layer_norm_stats(n):
    """(mean, rstd) of the input over the normalized dims: torch's result1 / result2."""
    x = n._raw_saved(0).detach()
    dims = list(n._raw_i)
    with no_grad():
        mean = x.mean(dims, keepdim=True)
        var = ((x - mean) * (x - mean)).mean(dims, keepdim=True)
        return mean, (var + n._raw_f[0]).rsqrt()


def _batch_norm_stats(n):
    """torch's result1 / result2: the batch's per-channel mean and 1/sqrt(var + eps) when
    training; empty tensors in evaluation."""
    x = n._raw_saved(0).detach()
    with no_grad():
        if not n._raw_i[0]:
            empty = x.new_zeros((0,))
            return empty, empty
        dims = [0] + list(range(2, x.dim()))
        mean = x.mean(dims, keepdim=True)
        var = ((x - mean) * (x - mean)).mean(dims)
        return mean.reshape(-1), (var + n._raw_f[0]).rsqrt()


def _group_norm_stats(n):
    """torch's result1 / result2 of group norm: per (sample, group) mean and 1/sqrt(var + eps),
    shape (N, group)."""
    x = n._raw_saved(0).detach()
    big_n, groups = n._raw_i[0], n._raw_i[3]
    with no_grad():
        xr = x.reshape(big_n, groups, -1) if x.numel() else x.new_zeros((big_n, groups, 0))
        mean = xr.mean(2)
        var = ((xr - mean.unsqueeze(2)) ** 2).mean(2)
        return mean, (var + n._raw_f[0]).rsqrt()


def _given(n, k, default=None):
    """i[k]: an argument as the caller gave it, which forwards append after the entries
    their backward reads (Note [Saved attributes]); older nodes lack it."""
    i = n._raw_i
    return i[k] if len(i) > k else default


def _given_dims(n, start):
    """f[start:]: the dims as the caller gave them (reductions keep them in Node::f)."""
    return _dims(n._raw_f[start:])


def _reduce_dims(n, start=1):
    return {"dim": _given_dims(n, start), "keepdim": bool(n._raw_i[-1])}


def _mm(n):
    i = n._raw_i
    return {"self_sym_sizes": _in_sizes(n, 0), "mat2_sym_sizes": _in_sizes(n, 1),
            "self_sym_strides": (i[0], i[1]) if _needs(n, 0) else (),
            "mat2_sym_strides": (i[2], i[3]) if _needs(n, 1) else ()}


def _addmm(n):
    i = n._raw_i
    return {"alpha": _num(n, 1), "beta": _num(n, 0),
            "mat1_sym_sizes": _in_sizes(n, 1), "mat2_sym_sizes": _in_sizes(n, 2),
            "mat1_sym_strides": (i[0], i[1]) if _needs(n, 1) else (),
            "mat2_sym_strides": (i[2], i[3]) if _needs(n, 2) else ()}


def _conv(n):
    i = n._raw_i  # {kh, kw, dh, dw, ph, pw, sh, sw, Ho, Wo, H, W, groups[, 'valid' flag]}
    valid = len(i) > 13 and i[13]  # torch keeps padding='valid' as (0,)
    return {"stride": (i[6], i[7]), "padding": (0,) if valid else (i[4], i[5]),
            "dilation": (i[2], i[3]), "transposed": False,
            "output_padding": (0,) if valid else (0, 0), "groups": i[12],
            "bias_sym_sizes_opt": _in_sizes(n, 2) or (0,)}


def _cols(n):
    i = n._raw_i  # {kh, kw, dh, dw, ph, pw, sh, sw, ...}
    return {"kernel_size": (i[0], i[1]), "dilation": (i[2], i[3]), "padding": (i[4], i[5]),
            "stride": (i[6], i[7])}


def _slice(n):
    i = n._raw_i
    if len(i) > 6:  # the arguments as given
        return {"dim": _i64(i[4]), "start": _i64(i[5]), "end": _i64(i[6]), "step": _i64(i[3])}
    return {"dim": _i64(i[0]), "start": _i64(i[1]), "end": _i64(i[2]), "step": _i64(i[3])}


def _indices(n):
    # Index: saved[0, i[0]) are the expanded indices, then the indices as given;
    # IndexPut(Impl): the same with the count in i[1]
    start = n._raw_i[0] if type(n).__name__ == "IndexBackward0" else n._raw_i[1]
    return tuple(n._raw_saved(k) for k in range(start, n._raw_num_saved))


def _geometry(i, pos):
    # lib/autograd/views.cpp pack_geometry: ndim, sizes, strides, offset
    nd = i[pos]
    sizes, strides = tuple(i[pos + 1:pos + 1 + nd]), tuple(i[pos + 1 + nd:pos + 1 + 2 * nd])
    return sizes, strides, i[pos + 1 + 2 * nd], pos + 2 + 2 * nd


def _as_strided(n):
    # i: the input's geometry, the view's, then whether the caller gave storage_offset
    # (absent for the AsStridedBackward0 a write through a view regenerates: torch gives it)
    i = n._raw_i
    *_, pos = _geometry(i, 0)
    sizes, strides, offset, pos = _geometry(i, pos)
    given = i[pos] if len(i) > pos else 1
    return {"size": sizes, "stride": strides, "storage_offset": offset if given else None}


def _bce_weight(n):
    # torch keeps the weight broadcast to the input's shape
    w = n._raw_saved(2)
    return None if w is None else w.expand(_in_sizes(n, 0))


_SIZES = {"self_sym_sizes": _sizes}
# grad_fn class name -> {attribute (without _saved_): function of the node}
_SCALARS = {
    "AddBackward0": {"alpha": _alpha},
    "SubBackward0": {"alpha": _alpha},
    "RsubBackward1": {"alpha": lambda n: _num(n, 0)},
    "RsubBackward0": {"alpha": _alpha},
    "DivBackward1": {"other": lambda n: _num(n, 0)},
    "PowBackward0": {"exponent": lambda n: _num(n, 0)},
    "PowBackward2": {"self": lambda n: _num(n, 0)},
    "ClampBackward1": {"min": lambda n: _num(n, 0) if n._raw_i[0] else None,
                       "max": lambda n: _num(n, 1) if n._raw_i[1] else None},
    "ClampMinBackward0": {"min": lambda n: _num(n, 0)},
    "ClampMaxBackward0": {"max": lambda n: _num(n, 0)},
    "LogitBackward0": {"eps": lambda n: n._raw_f[0] if n._raw_i[0] else None},
    "XlogyBackward1": {"self": lambda n: _num(n, 0)},
    "XlogyBackward2": {"other": lambda n: _num(n, 0)},
    "SortBackward0": {**_SIZES, "dim": lambda n: _i64(n._raw_i[1])},
    "SortBackward1": {**_SIZES, "dim": lambda n: _i64(n._raw_i[1])},
    "TopkBackward0": {**_SIZES, "dim": lambda n: _i64(n._raw_i[1])},
    "AddcmulBackward0": {"value": lambda n: _num(n, 0)},
    "AddcdivBackward0": {"value": lambda n: _num(n, 0)},
    "LerpBackward0": {"weight": lambda n: _num(n, 0)},
    "SumBackward0": _SIZES,
    "SumBackward1": {**_SIZES, "dim": lambda n: _reduce_dims(n)["dim"],
                     "keepdim": lambda n: _reduce_dims(n)["keepdim"]},
    "MeanBackward0": {**_SIZES, "self_sym_numel": lambda n: math.prod(_sizes(n))},
    "MeanBackward1": {**_SIZES, "self_sym_numel": lambda n: math.prod(_sizes(n)),
                      "dim": lambda n: _reduce_dims(n)["dim"],
                      "keepdim": lambda n: _reduce_dims(n)["keepdim"]},
    "AmaxBackward0": {"dim": lambda n: _reduce_dims(n, 0)["dim"],
                      "keepdim": lambda n: _reduce_dims(n)["keepdim"]},
    "LogsumexpBackward0": {"dim": lambda n: _reduce_dims(n, 0)["dim"],
                           "keepdim": lambda n: _reduce_dims(n)["keepdim"]},
    "MaxBackward0": {**_SIZES, "dim": lambda n: _i64(_given(n, 2, n._raw_i[0])),
                     "keepdim": lambda n: bool(n._raw_i[1])},
    "ProdBackward1": {"dim": lambda n: _i64(_given(n, 2, n._raw_i[0])),
                      "keepdim": lambda n: bool(n._raw_i[1])},
    "VarBackward0": {k: (lambda n, k=k: _var_attrs(n)[k])
                     for k in ("dim", "keepdim", "correction")},
    "MmBackward0": {k: (lambda n, k=k: _mm(n)[k]) for k in
                    ("self_sym_sizes", "mat2_sym_sizes", "self_sym_strides", "mat2_sym_strides")},
    "AddmmBackward0": {k: (lambda n, k=k: _addmm(n)[k]) for k in
                       ("alpha", "beta", "mat1_sym_sizes", "mat2_sym_sizes", "mat1_sym_strides",
                        "mat2_sym_strides")},
    "ViewBackward0": _SIZES,
    "UnsafeViewBackward0": _SIZES,
    "SqueezeBackward0": _SIZES,
    "ExpandBackward0": _SIZES,
    "SqueezeBackward1": {**_SIZES, "dim": lambda n: _i64(n._raw_i[0])},
    "SqueezeBackward4": {**_SIZES, "dim": lambda n: _i64(n._raw_i[0])},
    "SqueezeBackward2": {**_SIZES, "dim": lambda n: _dims(n._raw_i)},
    "TransposeBackward0": {"dim0": lambda n: _i64(_given(n, 2, n._raw_i[0])),
                           "dim1": lambda n: _i64(_given(n, 3, n._raw_i[1]))},
    "PermuteBackward0": {"dims": lambda n: _given_dims(n, 0) or _dims(n._raw_i)},
    "UnsqueezeBackward0": {"dim": lambda n: _i64(_given(n, 1, n._raw_i[0]))},
    "SelectBackward0": {**_SIZES, "dim": lambda n: _i64(_given(n, 2, n._raw_i[0])),
                        "index": lambda n: _i64(_given(n, 3, n._raw_i[1]))},
    "SelectBackwardBackward0": {"dim": lambda n: _i64(n._raw_i[0]),
                                "index": lambda n: _i64(n._raw_i[1])},
    "SliceBackward0": {**_SIZES, **{k: (lambda n, k=k: _slice(n)[k])
                                    for k in ("dim", "start", "end", "step")}},
    "SliceBackwardBackward0": {k: (lambda n, k=k: _slice(n)[k])
                               for k in ("dim", "start", "end", "step")},
    "IndexBackward0": {**_SIZES, "indices": _indices},
    "IndexPutBackward0": {"indices": _indices, "accumulate": lambda n: bool(n._raw_i[0])},
    "IndexPutImplBackward0": {"indices": _indices, "accumulate": lambda n: bool(n._raw_i[0])},
    "AsStridedBackward0": {k: (lambda n, k=k: _as_strided(n)[k])
                           for k in ("size", "stride", "storage_offset")},
    "DiagonalBackward0": {**_SIZES, "offset": lambda n: _i64(n._raw_i[0]),
                          "dim1": lambda n: _i64(n._raw_i[3]),
                          "dim2": lambda n: _i64(n._raw_i[4])},
    "UnfoldBackward0": {**_SIZES, "dimension": lambda n: _i64(n._raw_i[3]),
                        "size": lambda n: _i64(n._raw_i[1]), "step": lambda n: _i64(n._raw_i[2])},
    "GatherBackward0": {"dim": lambda n: _i64(_given(n, 1, n._raw_i[0])),
                        "sparse_grad": lambda n: False},
    "ScatterAddBackward0": {"dim": lambda n: _i64(n._raw_i[0])},
    "IndexSelectBackward0": {**_SIZES, "dim": lambda n: _i64(_given(n, 1, n._raw_i[0]))},
    "TrilBackward0": {"diagonal": lambda n: _i64(n._raw_i[0])},
    "TriuBackward0": {"diagonal": lambda n: _i64(n._raw_i[0])},
    "Im2ColBackward0": {**{k: (lambda n, k=k: _cols(n)[k])
                           for k in ("kernel_size", "dilation", "padding", "stride")},
                        "self_sym_argsize_minus_2": lambda n: n._raw_i[10],
                        "self_sym_argsize_minus_1": lambda n: n._raw_i[11]},
    "Col2ImBackward0": {k: (lambda n, k=k: _cols(n)[k])
                        for k in ("kernel_size", "dilation", "padding", "stride")},
    "ConstantPadNdBackward0": {"pad": lambda n: _dims(n._raw_i)},
    # split / split_with_sizes / unbind: i = {dim, dim as given, split_size, piece sizes...}
    "SplitBackward0": {**_SIZES, "dim": lambda n: _i64(n._raw_i[1]),
                       "split_size": lambda n: n._raw_i[2]},
    "SplitWithSizesBackward0": {**_SIZES, "dim": lambda n: _i64(n._raw_i[1]),
                                "split_sizes": lambda n: tuple(n._raw_i[3:])},
    "UnbindBackward0": {"dim": lambda n: _i64(n._raw_i[1])},
    "FlipBackward0": {"dims": lambda n: _dims(n._raw_i)},
    # roll: i = {count, shifts..., dims...}
    "RollBackward0": {"shifts": lambda n: _dims(n._raw_i[1:1 + n._raw_i[0]]),
                      "dims": lambda n: _dims(n._raw_i[1 + n._raw_i[0]:])},
    "RepeatBackward0": {**_SIZES, "repeats": lambda n: tuple(n._raw_i)},
    "CumsumBackward0": {"dim": lambda n: _i64(n._raw_i[1])},
    "CumprodBackward0": {"dim": lambda n: _i64(n._raw_i[1])},
    "CatBackward0": {"dim": lambda n: _i64(n._raw_f[0] if n._raw_f else n._raw_i[-1])},
    "StackBackward0": {"dim": lambda n: _i64(_given(n, 1, n._raw_i[0]))},
    "SoftmaxBackward0": {"dim": lambda n: _i64(_given(n, 1, n._raw_i[0]))},
    "MseLossBackward0": {"reduction": lambda n: n._raw_i[0]},
    "BinaryCrossEntropyBackward0": {"reduction": lambda n: n._raw_i[0], "weight": _bce_weight},
    "BinaryCrossEntropyWithLogitsBackward0": {"reduction": lambda n: n._raw_i[0]},
    "ThresholdBackwardBackward0": {"threshold": lambda n: 0},
    "NllLossBackward0": {"reduction": lambda n: n._raw_i[0],
                         "ignore_index": lambda n: _i64(n._raw_i[1])},
    "NllLoss2DBackward0": {"reduction": lambda n: n._raw_i[0],
                           "ignore_index": lambda n: _i64(n._raw_i[1])},
    "GeluBackward0": {"approximate": lambda n: "tanh" if n._raw_i[0] else "none"},
    "SoftplusBackward0": {"beta": lambda n: _num(n, 0), "threshold": lambda n: _num(n, 1)},
    "NativeLayerNormBackward0": {
        "normalized_shape": lambda n: _in_sizes(n, 0)[len(_in_sizes(n, 0)) - len(n._raw_i):],
        "result1": lambda n: _layer_norm_stats(n)[0],
        "result2": lambda n: _layer_norm_stats(n)[1]},
    "NativeBatchNormBackward0": {
        "eps": lambda n: n._raw_f[0], "training": lambda n: bool(n._raw_i[0]),
        "result1": lambda n: _batch_norm_stats(n)[0],
        "result2": lambda n: _batch_norm_stats(n)[1]},
    "NativeGroupNormBackward0": {
        "N": lambda n: n._raw_i[0], "C": lambda n: n._raw_i[1], "HxW": lambda n: n._raw_i[2],
        "group": lambda n: n._raw_i[3], "eps": lambda n: n._raw_f[0],
        "result1": lambda n: _group_norm_stats(n)[0],
        "result2": lambda n: _group_norm_stats(n)[1]},
    "EmbeddingBackward0": {"padding_idx": lambda n: _i64(n._raw_i[0]),
                           "scale_grad_by_freq": lambda n: bool(n._raw_i[1]),
                           "sparse": lambda n: False,
                           "weight_sym_argsize_0": lambda n: _sizes(n)[0]},
    "ConvolutionBackward0": {k: (lambda n, k=k: _conv(n)[k]) for k in
                             ("stride", "padding", "dilation", "transposed", "output_padding",
                              "groups", "bias_sym_sizes_opt")},
    "MaxPool2DWithIndicesBackward0": {
        "kernel_size": lambda n: tuple(n._raw_i[0:2]),
        "stride": lambda n: tuple(n._raw_i[2:4]) if n._raw_i[9] else (),
        "padding": lambda n: tuple(n._raw_i[4:6]), "dilation": lambda n: tuple(n._raw_i[6:8]),
        "ceil_mode": lambda n: bool(n._raw_i[8])},
}
# helper M's rows: dims as given in Node::f (after the ord / p / divisor where there is one)


def _ord(v):
    return int(v) if float(v).is_integer() else v


def _dims_or_none(n, start):
    return _given_dims(n, start) or None


_SELECTING = {**_SIZES, "dim": lambda n: _i64(_given(n, 2, n._raw_i[0])),
              "keepdim": lambda n: bool(n._raw_i[1])}
_SCALARS.update({
    "PolygammaBackward0": {"n": lambda n: n._raw_i[0]},
    "LinalgVectorNormBackward0": {"ord": lambda n: _ord(n._raw_f[0]),
                                  "dim": lambda n: _dims_or_none(n, 1),
                                  "keepdim": lambda n: bool(n._raw_i[-1])},
    "DistBackward0": {"p": lambda n: _ord(n._raw_f[0])},
    "CdistBackward0": {"p": lambda n: float(n._raw_f[0])},
    "NansumBackward0": {"dim": lambda n: _dims_or_none(n, 0),
                        "keepdim": lambda n: bool(n._raw_i[-1])},
    "MedianBackward1": _SELECTING, "NanmedianBackward1": _SELECTING,
    "KthvalueBackward0": _SELECTING, "ModeBackward0": _SELECTING,
    "LogcumsumexpBackward0": {"dim": lambda n: _i64(n._raw_i[1])},
    "CummaxBackward0": {"dim": lambda n: _i64(n._raw_i[1])},
    "CumminBackward0": {"dim": lambda n: _i64(n._raw_i[1])},
    "AminmaxBackward0": {"dim": lambda n: _i64(n._raw_f[0]) if n._raw_f else None,
                         "keepdim": lambda n: bool(n._raw_i[-1])},
})
_SCALARS["VarMeanBackward0"] = _SCALARS["StdMeanBackward0"] = _SCALARS["VarBackward0"]


for _n in (1, 2, 3):
    for _kind in ("Reflection", "Replication"):
        _SCALARS[f"{_kind}Pad{_n}DBackward0"] = {"padding": lambda n: _dims(n._raw_i)}
for _a, _b in (("AminBackward0", "AmaxBackward0"), ("MinBackward0", "MaxBackward0"),
               ("LogSoftmaxBackward0", "SoftmaxBackward0"), ("StdBackward0", "VarBackward0")):
    _SCALARS[_a] = _SCALARS[_b]
# indexing/scatter and products (lib/ops/scatter.cpp, products.cpp): dims as the call gave them
_REDUCE_NAMES = ("sum", "prod", "mean", "amax", "amin")
_SCALARS.update({
    "ScatterBackward0": {"dim": lambda n: _i64(n._raw_i[1])},
    "ScatterBackward1": {"dim": lambda n: _i64(n._raw_i[1])},
    "ScatterReduceBackward0": {
        "dim": lambda n: _i64(n._raw_i[3]), "include_self": lambda n: bool(n._raw_i[1]),
        "reduce": lambda n: (("max" if n._raw_i[2] == 3 else "min") if n._raw_i[4]
                             else _REDUCE_NAMES[n._raw_i[2]])},
    "IndexAddBackward0": {"alpha": lambda n: _num(n, 0), "dim": lambda n: _i64(n._raw_i[2]),
                          "source_dim": lambda n: n._raw_i[1]},
    "IndexCopyBackward0": {"dim": lambda n: _i64(n._raw_i[2]),
                           "source_dim": lambda n: n._raw_i[1]},
    "IndexFillBackward0": {"dim": lambda n: _i64(n._raw_i[1])},
    "IndexFillBackward1": {"dim": lambda n: _i64(n._raw_i[1])},
    "MaskedScatterBackward0": {"source_sym_sizes": _sizes},
    "DiagEmbedBackward0": {"offset": lambda n: _i64(n._raw_i[0]),
                           "dim1": lambda n: _i64(n._raw_i[3]),
                           "dim2": lambda n: _i64(n._raw_i[4])},
    "DiagonalBackward0_copy": _SCALARS["DiagonalBackward0"],
    "TraceBackward0": {"self_sym_sizes": _sizes},
    "AddmvBackward0": {"beta": lambda n: _num(n, 0), "alpha": lambda n: _num(n, 1)},
    "AddrBackward0": {"beta": lambda n: _num(n, 0), "alpha": lambda n: _num(n, 1)},
    "BaddbmmBackward0": {"beta": lambda n: _num(n, 0), "alpha": lambda n: _num(n, 1)},
    "AddbmmBackward0": {"beta": lambda n: _num(n, 0), "alpha": lambda n: _num(n, 1),
                        "batch1_sym_argsize_0": lambda n: n._raw_saved(0).shape[0],
                        "batch1_sym_argsize_1": lambda n: n._raw_saved(0).shape[1],
                        "batch2_sym_argsize_2": lambda n: n._raw_saved(1).shape[2]},
    "Rot90Backward0": {"k": lambda n: _i64(n._raw_i[0]), "dims": lambda n: _dims(n._raw_i[1:3])},
})
# The activations with arguments, glu, the pointwise losses and norm (lib/ops/activation.cpp,
# loss_extra.cpp): Node::f in argument order, Node::i = the int mask (glu: the dim as given).
_ELU = {"alpha": lambda n: _num(n, 0), "scale": lambda n: _num(n, 1),
        "input_scale": lambda n: _num(n, 2)}
_SCALARS.update({
    "LeakyReluBackward0": {"negative_slope": lambda n: _num(n, 0)},
    "LeakyReluBackward1": {"negative_slope": lambda n: _num(n, 0)},
    "EluBackward0": _ELU, "EluBackward1": _ELU,
    "CeluBackward0": {"alpha": lambda n: _num(n, 0)},
    "CeluBackward1": {"alpha": lambda n: _num(n, 0)},
    "HardtanhBackward0": {"min_val": lambda n: _num(n, 0), "max_val": lambda n: _num(n, 1)},
    "SoftshrinkBackward0": {"lambd": lambda n: _num(n, 0)},
    "HardshrinkBackward0": {"lambd": lambda n: _num(n, 0)},
    "ThresholdBackward0": {"threshold": lambda n: _num(n, 0)},
    "ThresholdBackward1": {"threshold": lambda n: _num(n, 0)},
    "GluBackward0": {"dim": lambda n: _i64(n._raw_i[0])},
    "SmoothL1LossBackward0": {"beta": lambda n: float(n._raw_f[0]),
                              "reduction": lambda n: n._raw_i[0]},
    "HuberLossBackward0": {"delta": lambda n: float(n._raw_f[0]),
                           "reduction": lambda n: n._raw_i[0]},
    "SoftMarginLossBackward0": {"reduction": lambda n: n._raw_i[0]},
    "NormBackward1": {"p": lambda n: float(n._raw_f[0]), "dim": lambda n: _dims(n._raw_i[:-1]),
                      "keepdim": lambda n: bool(n._raw_i[-1])},
})
# Rows whose tensor slots form one tuple attribute rather than one attribute per slot.
_TUPLE_SLOTS = {"IndexBackward0": "indices", "IndexPutBackward0": "indices",
                "IndexPutImplBackward0": "indices"}


# Table entries that hold tensors (the rest are scalars, sizes and flags).
_TENSOR_ENTRIES = {"indices", "result1", "result2"}


class SavedTensor:
    """What grad_fn._raw_saved_<name> gives for each saved tensor, as torch's
    torch._C._autograd.SavedTensor does. Hooks on saved tensors need the engine to call them
    when it unpacks, which tapegrad's does not: register_hooks says so."""

    __slots__ = ()

    def register_hooks(self, pack_hook, unpack_hook):
        raise NotImplementedError("tapegrad does not support hooks on saved tensors "
                                  "(SavedTensor.register_hooks)")


def _table(node):
    """({attribute name: getter}, names of the tensor-valued ones) for this node, in torch's
    names."""
    cls = type(node).__name__
    out, tensors = {}, set()
    if cls not in _TUPLE_SLOTS:
        for k, name in enumerate(node._raw_slot_names()):
            if name is not None:
                out[name] = lambda n, k=k: n._raw_saved(k)
                tensors.add(name)
    extra = _SCALARS.get(cls, {})
    out.update(extra)
    tensors.update(_TENSOR_ENTRIES & extra.keys())
    return out, tensors


def _raw(node, name):
    if name == _TUPLE_SLOTS.get(type(node).__name__):
        return tuple(SavedTensor() for _ in _indices(node))
    return SavedTensor()


def _getattr(self, attr):
    if attr.startswith("_saved_"):
        getter = _table(self)[0].get(attr[len("_saved_"):])
        if getter is not None:
            return getter(self)
    elif attr.startswith("_raw_saved_") and attr[len("_raw_saved_"):] in _table(self)[1]:
        return _raw(self, attr[len("_raw_saved_"):])
    raise AttributeError(f"'{type(self).__name__}' object has no attribute '{attr}'")


def _dir(self):
    table, tensors = _table(self)
    return (object.__dir__(self) + ["_saved_" + k for k in table]
            + ["_raw_saved_" + k for k in tensors])


def install(node_cls):
    node_cls.__getattr__ = _getattr
    node_cls.__dir__ = _dir


# helper S: torch.special's nodes with a Python number operand (kept in f[0]; i[0] = was an int)
def _number_operand(n):
    v = n._raw_f[0]
    return int(v) if n._raw_i[0] else v


_SCALARS.update({
    "SpecialXlog1PyBackward1": {"self": _number_operand},
    "SpecialXlog1PyBackward2": {"other": _number_operand},
    "SpecialZetaBackward1": {"self": _number_operand},
    "MvlgammaBackward0": {"p": lambda n: n._raw_i[0]},
})
