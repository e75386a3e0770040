"""tapegrad.nn.utils.rnn: torch's variable-length sequence utilities (PackedSequence,
pack_padded_sequence / pad_packed_sequence, pad_sequence / unpad_sequence, pack_sequence /
unpack_sequence, invert_permutation); nn.RNN / LSTM / GRU take and return PackedSequence
(nn/modules/rnn.py).

Packing is one gather: the (time, batch) positions inside each sequence's length, in time-major
order, index the padded input's rows, so the data's gradient is index_select's (an index_add)
and packing, padding and the recurrent layers differentiate through ops tapegrad already has."""
from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from ... import _C
from ..._C import Tensor
from ..._factories import arange as _arange, empty as _empty, full as _full

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence",
           "pad_packed_sequence", "pad_sequence", "unpad_sequence", "pack_sequence",
           "unpack_sequence"]


class PackedSequence_(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


def _bind(optional, fn):
    return None if optional is None else fn(optional)


class PackedSequence(PackedSequence_):
    """A batch of variable-length sequences packed time step by time step: `data` holds step 0
    of every sequence, then step 1 of those still running, ...; `batch_sizes` (a CPU int64
    tensor) how many sequences run at each step; `sorted_indices` / `unsorted_indices` the
    permutation from the caller's batch order to decreasing length and back (None when the
    batch came sorted)."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        return super().__new__(cls, *_init_args(data, batch_sizes, sorted_indices,
                                                unsorted_indices))

    def to(self, *args, **kwargs):
        """Converts data (dtype and/or device); the indices follow data's device. Returns self
        when data is unchanged, as torch."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self

        def move(t):
            return t.to(data.device)
        return type(self)(data, self.batch_sizes, _bind(self.sorted_indices, move),
                          _bind(self.unsorted_indices, move))

    def cuda(self, *args, **kwargs):
        kwargs.setdefault("device", "cuda") if not args else None
        return self.to(*args, **kwargs)

    def cpu(self, *args, **kwargs):
        return self.to("cpu")

    def pin_memory(self):
        return self

    def double(self):
        return self.to(dtype=_C.float64)

    def float(self):
        return self.to(dtype=_C.float32)

    def half(self):
        return self.to(dtype=_C.float16)

    def long(self):
        return self.to(dtype=_C.int64)

    def int(self):
        return self.to(dtype=_C.int32)

    def short(self):
        return self.to(dtype=_C.int16)

    def char(self):
        return self.to(dtype=_C.int8)

    def byte(self):
        return self.to(dtype=_C.uint8)

    @property
    def is_cuda(self):
        return self.data.is_cuda

    def is_pinned(self):
        return False


def _init_args(data, batch_sizes, sorted_indices, unsorted_indices):
    if unsorted_indices is None:
        unsorted_indices = invert_permutation(sorted_indices)
    if batch_sizes is not None:
        if batch_sizes.device.type != "cpu":
            raise ValueError(
                "batch_sizes should always be on CPU. Instances of PackedSequence should never "
                "be created manually. They should be instantiated by functions like "
                "pack_sequence and pack_padded_sequences in nn.utils.rnn. "
                "https://pytorch.org/docs/stable/nn.html#torch.nn.utils.rnn.pack_sequence")
        return data, batch_sizes, sorted_indices, unsorted_indices
    if not (isinstance(data, (list, tuple)) and len(data) == 2):
        raise AssertionError("Expected data to be a list or tuple of length 2")
    return data[0], data[1], sorted_indices, unsorted_indices


def invert_permutation(permutation):
    """The inverse permutation (None for None)."""
    if permutation is None:
        return None
    out = _empty(permutation.shape, dtype=permutation.dtype, device=permutation.device)
    out.scatter_(0, permutation, _arange(0, permutation.numel(), device=permutation.device))
    return out


def _as_lengths(lengths):
    from ... import as_tensor
    if not isinstance(lengths, Tensor):
        return as_tensor(lengths, dtype=_C.int64, device="cpu")
    return lengths.to(dtype=_C.int64)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Packs a padded batch (T x B x * or, with batch_first, B x T x *) of sequences with the
    given lengths; enforce_sorted=False sorts the batch by decreasing length first."""
    lengths = _as_lengths(lengths)
    sorted_indices = None
    if not enforce_sorted:
        lengths, sorted_indices = _C.sort(lengths, descending=True)
        sorted_indices = sorted_indices.to(input.device)
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    data, batch_sizes = _pack(input, lengths, batch_first)
    return PackedSequence(data, batch_sizes, sorted_indices, None)


def _gather_rows(input, rows, batch_first):
    if batch_first:
        input = input.transpose(0, 1)  # time-major rows; the reshape copies only then
    steps, batch = input.shape[0], input.shape[1]
    return input.reshape((steps * batch,) + tuple(input.shape[2:])).index_select(0, rows)


def _pack(input, lengths, batch_first):
    """(data, batch_sizes): data recorded as torch's PackPaddedSequenceBackward0 (a gather of
    the input's rows; its backward scatters the gradient back)."""
    from ... import _pynode
    if lengths.device.type != "cpu" or lengths.dim() != 1:
        raise RuntimeError("'lengths' argument should be a 1D CPU int64 tensor, but got "
                           f"{lengths.dim()}D {lengths.device} Long tensor")
    if input.numel() == 0:
        raise RuntimeError("Cannot pack empty tensors.")
    steps, batch = (input.shape[1], input.shape[0]) if batch_first else input.shape[:2]
    lens = lengths.tolist()
    if len(lens) != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{len(lens)} (batch_size={batch})")
    if lens[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    if any(a < b for a, b in zip(lens, lens[1:])):
        raise RuntimeError(
            "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
            "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence "
            "to sidestep this requirement if you do not need ONNX exportability.")
    if lens[0] > steps:
        # torch packs past the end of the input here (its batch_sizes then count rows its data
        # does not have); tapegrad refuses
        raise RuntimeError(f"pack_padded_sequence: a length ({lens[0]}) is larger than the "
                           f"padded sequence length {steps}")
    # (t, b) is inside sequence b iff t < lengths[b]: its time-major rank is its row in data
    inside = _arange(lens[0]).unsqueeze(1) < lengths.unsqueeze(0)
    batch_sizes = inside.sum(1)
    rows = inside.reshape(-1).nonzero().squeeze(1).to(input.device)
    saved = {"batch_first": bool(batch_first), "input_sym_sizes": tuple(input.shape),
             "result1": batch_sizes}
    data = _pynode.composite("PackPaddedSequenceBackward0",
                             lambda x: _gather_rows(x, rows, batch_first), [input], saved)
    return data, batch_sizes


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """The inverse of pack_padded_sequence: (padded T x B x * tensor, lengths), in the batch
    order the sequences had before packing."""
    batch_sizes = sequence.batch_sizes
    max_seq_length = batch_sizes.size(0)
    if total_length is not None:
        if total_length < max_seq_length:
            raise ValueError("Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {max_seq_length}")
        max_seq_length = total_length
    data = sequence.data
    batch = int(batch_sizes[0]) if batch_sizes.numel() else 0
    inside = _arange(batch).unsqueeze(0) < batch_sizes.unsqueeze(1)  # (T, B)
    lengths = inside.sum(0)
    # time-major rows t * batch + b of the steps inside each sequence, in data's order; the
    # rows are written through a view of the padded tensor, so it records torch's CopySlices
    rows = inside.reshape(-1).nonzero().squeeze(1).to(data.device)
    trailing = tuple(data.shape[1:])
    padded = _full((max_seq_length, batch) + trailing, padding_value, dtype=data.dtype,
                   device=data.device)
    padded.view((max_seq_length * batch,) + trailing)[rows] = data
    if batch_first:
        padded = padded.transpose(0, 1)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(0 if batch_first else 1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices.cpu()]
    return padded, lengths


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stacks sequences of different lengths (L_i x *) into one L x B x * tensor (B x L x * with
    batch_first), padded with padding_value on the right or, with padding_side='left', the
    left; the result has the first sequence's dtype and device."""
    if not isinstance(sequences, Iterable):
        raise RuntimeError("pad_sequence: Expected iterable for input sequences, but got arg of "
                           f"type: {type(sequences)}")
    sequences = tuple(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got "
                           f"{padding_side}.")
    first = sequences[0]
    trailing = tuple(first.shape[1:])
    for s in sequences:
        for d, (a, b) in enumerate(zip(trailing, tuple(s.shape[1:]))):
            if a != b and b != 1:
                raise RuntimeError(f"The size of tensor a ({a}) must match the size of tensor b "
                                   f"({b}) at non-singleton dimension {d + 1}")
    max_len = max(s.size(0) for s in sequences)
    shape = (len(sequences), max_len) if batch_first else (max_len, len(sequences))
    out = _full(shape + trailing, padding_value, dtype=first.dtype, device=first.device)
    for i, s in enumerate(sequences):
        n = s.size(0)
        steps = slice(0, n) if padding_side == "right" else slice(max_len - n, max_len)
        if batch_first:
            out[i, steps] = s
        else:
            out[steps, i] = s
    return out


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The sequences of a padded batch, each cut to its length. Like torch, a time-major input
    is transposed in place (padded_sequences.transpose_(0, 1))."""
    if not batch_first:
        padded_sequences.transpose_(0, 1)
    max_length = padded_sequences.shape[1]
    idx = _arange(max_length, device=lengths.device)
    if len(padded_sequences) != len(lengths):
        raise ValueError("zip() argument 2 is " + ("shorter" if len(lengths) < len(
            padded_sequences) else "longer") + " than argument 1")
    return [seq[idx < length] for seq, length in zip(padded_sequences, lengths)]


def pack_sequence(sequences, enforce_sorted=True):
    """pack_padded_sequence(pad_sequence(sequences), their lengths)."""
    from ... import as_tensor
    lengths = as_tensor([v.size(0) for v in sequences])
    return pack_padded_sequence(pad_sequence(sequences), lengths,
                                enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The list of sequences a PackedSequence holds, in their original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
