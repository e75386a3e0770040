"""nn.functional.embedding_bag: sums, means or maxima of bags of embedding rows, composed from
the embedding lookup (so scale_grad_by_freq and max_norm behave as in F.embedding) and an
index_add over bag ids; padding_idx entries are left out of every bag (and of mean's count),
empty bags give zeros. torch records EmbeddingBagBackward0; the values and gradients match."""
import warnings

from .. import _C
from .._factories import tensor as _tensor, zeros as _zeros

_INDEX_TYPES = (_C.int64, _C.int32)


def _type_name(t):
    from ._more_functional import _legacy
    return f"torch.{_legacy(t.dtype)}Tensor"


def _check_index(t, what):
    if t.dtype not in _INDEX_TYPES:
        raise RuntimeError(f"Expected tensor for argument #1 '{what}' to have one of the "
                           f"following scalar types: Long, Int; but got {_type_name(t)} instead "
                           "(while checking arguments for embedding_bag)")


def _flatten_args(input, offsets, per_sample_weights, include_last_offset):
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated "
                             "is a mini-batch of fixed length sequences. However, found offsets "
                             f"of type {type(offsets)}")
        offsets = list(range(0, input.numel(), input.shape[1])) if input.shape[1] else \
            [0] * input.shape[0]
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
        return input.reshape(-1), offsets, per_sample_weights, False
    if input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        _check_index(input, "indices")
        _check_index(offsets, "offsets")
        return input, offsets.tolist(), per_sample_weights, include_last_offset
    raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                     f"{input.dim()}")


def _bag_bounds(offsets, n, include_last_offset):
    if offsets and offsets[0] != 0:
        raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the mini-batch "
                           f"has to start from position 0. However, got {offsets[0]}\n"
                           "[ torch.LongTensor{} ]")  # torch prints an empty tensor here
    if offsets and offsets[-1] > n:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {n} but got "
                           f"offsets[-1] of {offsets[-1]}")
    if include_last_offset:
        starts, ends = offsets[:-1], offsets[1:]
    else:
        starts, ends = offsets, offsets[1:] + [n]
    if any(e < s for s, e in zip(starts, ends)):
        raise RuntimeError("embedding_bag: offsets must be non-decreasing")
    return starts, ends


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2,
                  scale_grad_by_freq=False, mode="mean", sparse=False, per_sample_weights=None,
                  include_last_offset=False, padding_idx=None):
    if weight.dtype == _C.int64 and input.is_floating_point():
        warnings.warn("Argument order of nn.functional.embedding_bag was changed. Usage "
                      "`embedding_bag(weight, input, ...)` is deprecated, and should now be "
                      "`embedding_bag(input, weight, ...)`.", stacklevel=2)
        weight, input = input, weight
    if isinstance(weight, _C.Tensor) and not weight.is_floating_point():
        raise RuntimeError("Expected tensor for argument #1 'weight' to have one of the following "
                           "scalar types: Half, BFloat16, Float, Double; but got "
                           f"{weight.type()} instead (while checking arguments for embedding_bag)")
    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is "
                         "not None, then it must have the same shape as the input "
                         f"({input.shape})")
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension "
                         f"{weight.dim()}")
    input, offsets, per_sample_weights, include_last_offset = _flatten_args(
        input, offsets, per_sample_weights, include_last_offset)
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")
    if sparse:
        raise NotImplementedError("embedding_bag: sparse gradients are not supported by "
                                  "tapegrad")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError("embedding_bag: per_sample_weights was not None. "
                                  "per_sample_weights is only supported for mode='sum' "
                                  f"(got mode='{mode}'). Please open a feature request on "
                                  "GitHub.")
    _check_index(input, "indices")
    if per_sample_weights is not None and per_sample_weights.dtype != weight.dtype:
        raise RuntimeError("Expected tensor for argument #1 'weight' to have the same type as "
                           "tensor for argument #1 'per_sample_weights'; but type "
                           f"{_type_name(weight)} does not equal {_type_name(per_sample_weights)}"
                           " (while checking arguments for embedding_bag)")
    rows = weight.shape[0]
    if padding_idx is not None:
        if not -rows <= padding_idx < rows:
            raise RuntimeError(f"padding_idx must be within the number of embeddings, {-rows} "
                               f"through {rows - 1}, but got {padding_idx}")
        padding_idx = padding_idx % rows
    idx = input.tolist()
    for pos, v in enumerate(idx):
        if not 0 <= v < rows:
            raise RuntimeError(f"Index {pos} of input takes value {v} which is not in the valid "
                               f"range [0, {rows})")
    starts, ends = _bag_bounds(offsets, len(idx), include_last_offset)
    if max_norm is not None:
        from .functional import _embedding_renorm_
        _embedding_renorm_(weight, input, max_norm, norm_type)
    return _bags(weight, input.to(_C.int64), idx, starts, ends, mode, per_sample_weights,
                 padding_idx, scale_grad_by_freq)


def _bags(weight, input, idx, starts, ends, mode, psw, padding_idx, scale_grad_by_freq):
    if weight.dtype in (_C.float16, _C.bfloat16) and mode != "max":
        # torch's CPU kernel accumulates half/bfloat16 bags (weights included) in float32 and
        # rounds each bag sum once; mean then divides the rounded sum by the count
        low = weight.dtype
        out = _bags(weight.float(), input, idx, starts, ends, "sum",
                    None if psw is None else psw.float(), padding_idx,
                    scale_grad_by_freq).to(low)
        if mode == "mean":
            counts = [sum(1 for pos in range(s, e) if idx[pos] != padding_idx)
                      for s, e in zip(starts, ends)]
            out = out / _tensor([[max(c, 1)] for c in counts], dtype=low, device=out.device)
        return out
    nbags, dim = len(starts), weight.shape[1]
    dev, dt = weight.device, weight.dtype
    bag_of, keep = [], []
    for b, (s, e) in enumerate(zip(starts, ends)):
        for pos in range(s, e):
            if idx[pos] != padding_idx:
                bag_of.append(b)
                keep.append(pos)
    if not keep:
        return _zeros(nbags, dim, dtype=dt, device=dev) + weight.sum() * 0
    keep_t = _tensor(keep, dtype=_C.int64, device=dev)
    sel = input.index_select(0, keep_t)
    emb = _C.embedding(weight, sel, -1, scale_grad_by_freq, False)
    if psw is not None:
        emb = emb * psw.index_select(0, keep_t).unsqueeze(1)
    if mode == "max":
        return _bag_max(emb, bag_of, nbags)
    bag_t = _tensor(bag_of, dtype=_C.int64, device=dev)
    out = _zeros(nbags, dim, dtype=dt, device=dev).index_add(0, bag_t, emb)
    if mode == "mean":
        counts = [0] * nbags
        for b in bag_of:
            counts[b] += 1
        out = out / _tensor([[max(c, 1)] for c in counts], dtype=dt, device=dev)
    return out


def _bag_max(emb, bag_of, nbags):
    """Per-bag maxima in one reduction: bags padded to the longest with -inf (empty bags give
    zeros, as torch's); max(dim) sends each gradient to one member, as torch's max mode."""
    dim, dev, dt = emb.shape[1], emb.device, emb.dtype
    groups = [[] for _ in range(nbags)]
    for k, b in enumerate(bag_of):
        groups[b].append(k)
    longest = max(1, max(len(g) for g in groups))
    pos = [g + [0] * (longest - len(g)) for g in groups]
    valid = [[True] * len(g) + [False] * (longest - len(g)) for g in groups]
    vals = emb.index_select(0, _tensor(pos, dtype=_C.int64, device=dev).reshape(-1))
    vals = vals.reshape(nbags, longest, dim)
    mask = _tensor(valid, dtype=_C.bool, device=dev).unsqueeze(2)
    best = vals.masked_fill(~mask, float("-inf")).max(1)[0]
    empty = _tensor([[not g] for g in groups], dtype=_C.bool, device=dev)
    return _C.where(empty, _zeros(1, dtype=dt, device=dev), best)
