"""torch's top-level forms of the layer functionals added by helper N (torch.conv3d,
torch.pdist, torch.ctc_loss, ...), with aten's signatures where they differ from
nn.functional's: positional (input, p, train) dropouts, ctc_loss's integer reduction, and
embedding_bag's (weight, indices, offsets, ...) order with its four results."""
from .. import _C
from .._factories import tensor as _tensor, zeros as _zeros
from . import _conv3d_functional as _conv
from . import _embedding_bag as _eb
from . import _mha_functional as _mha
from . import _more_functional as _more
from . import _pool3d_functional as _pool3d
from ._ctc import ctc_loss as _ctc_loss

__all__ = ["alpha_dropout", "alpha_dropout_", "feature_alpha_dropout", "feature_alpha_dropout_",
           "channel_shuffle", "native_channel_shuffle", "conv3d", "conv_tbc",
           "conv_transpose1d", "conv_transpose3d", "ctc_loss", "embedding_bag", "max_pool3d",
           "pdist", "rrelu", "rrelu_"]

channel_shuffle = _more.channel_shuffle
native_channel_shuffle = _more.native_channel_shuffle
conv3d = _conv.conv3d
conv_transpose1d = _conv.conv_transpose1d
conv_transpose3d = _conv.conv_transpose3d
conv_tbc = _mha.conv_tbc
pdist = _more.pdist


def alpha_dropout(input, p, train):
    return _more.alpha_dropout(input, p, train)


def alpha_dropout_(input, p, train):
    return _more.alpha_dropout(input, p, train, inplace=True)


def feature_alpha_dropout(input, p, train):
    return _more.feature_alpha_dropout(input, p, train)


def feature_alpha_dropout_(input, p, train):
    return _more.feature_alpha_dropout(input, p, train, inplace=True)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    return _more.rrelu(input, lower, upper, training)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    return _more.rrelu(input, lower, upper, training, inplace=True)


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return _pool3d.max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode)


_REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=1,
             zero_infinity=False):
    return _ctc_loss(log_probs, targets, input_lengths, target_lengths, blank,
                     _REDUCTIONS[reduction], zero_infinity)


def embedding_bag(weight, indices, offsets, scale_grad_by_freq=False, mode=0, sparse=False,
                  per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """(output, offset2bag, bag_size, max_indices) as torch's aten op returns them: bag_size and
    max_indices are zero in sum mode, and mean mode repeats bag_size as max_indices."""
    name = {0: "sum", 1: "mean", 2: "max"}[mode]
    out = _eb.embedding_bag(indices, weight, offsets, None, 2, scale_grad_by_freq, name, sparse,
                            per_sample_weights, include_last_offset, padding_idx)
    dev = weight.device
    idx = indices.reshape(-1).tolist()
    starts, ends = _eb._bag_bounds(offsets.tolist(), len(idx), include_last_offset)
    nbags = len(starts)
    pad = None if padding_idx is None else padding_idx % weight.shape[0]
    bag_of = [0] * len(idx)
    sizes = [0] * nbags
    for b, (s, e) in enumerate(zip(starts, ends)):
        for pos in range(s, e):
            bag_of[pos] = b
            sizes[b] += idx[pos] != pad
    offset2bag = _tensor(bag_of, dtype=_C.int64, device=dev)
    if mode == 0:
        # torch's float32 sum path (fbgemm) leaves offset2bag empty; the generic one fills it
        zeros = _zeros(nbags, dtype=_C.int64, device=dev)
        if weight.dtype == _C.float32:
            offset2bag = _zeros(0, dtype=_C.int64, device=dev)
        return out, offset2bag, zeros, zeros.clone()
    bag_size = _tensor(sizes, dtype=_C.int64, device=dev)
    if mode == 1:
        return out, offset2bag, bag_size, bag_size.clone()
    rows = []
    w = weight.detach()
    for s, e in zip(starts, ends):
        members = [i for i in idx[s:e] if i != pad]
        if not members:
            rows.append([0] * weight.shape[1])
            continue
        sel = _tensor(members, dtype=_C.int64, device=dev)
        arg = w.index_select(0, sel).argmax(0).tolist()
        rows.append([members[a] for a in arg])
    return out, offset2bag, bag_size, _tensor(rows, dtype=_C.int64, device=dev).reshape(
        nbags, weight.shape[1])
