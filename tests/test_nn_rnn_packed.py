"""torch.nn.utils.rnn through tapegrad against torch: pack_padded_sequence / pad_packed_sequence
(sorted or not, batch_first, trailing dims, total_length, padding values), pad_sequence (left
and right, mixed dtypes), unpad/pack/unpack_sequence, invert_permutation, PackedSequence's
conversions; RNN / LSTM / GRU on packed input (multi-layer, bidirectional, projections, given
states in the caller's batch order) with torch's weights, forward and gradients of the input,
the initial states and every parameter for a random upstream gradient, float64 and float32;
and torch's errors for bad input."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

import crosscheck as cc  # noqa: E402
import tapegrad  # noqa: E402
from crosscheck import randn  # noqa: E402
from test_errors import assert_same_error  # noqa: E402
from test_nn_modules import check_module  # noqa: E402


def rnn_utils(m):
    return m.nn.utils.rnn


# ---------------------------------------------------------------- packing and padding, values


@pytest.mark.parametrize("lengths,sorted_,batch_first", [
    ([4, 3, 1], True, False), ([2, 4, 3, 4], False, False), ([1], True, True),
    ([3, 1, 2], False, True), ([4, 4], True, False)])
def test_pack_pad_roundtrip(lengths, sorted_, batch_first):
    steps, batch = max(lengths) + 1, len(lengths)
    shape = (batch, steps, 2, 3) if batch_first else (steps, batch, 2, 3)

    def fn(m, x):
        u = rnn_utils(m)
        p = u.pack_padded_sequence(x, lengths, batch_first=batch_first, enforce_sorted=sorted_)
        padded, lens = u.pad_packed_sequence(p, batch_first=batch_first, padding_value=-7.5,
                                             total_length=steps + 1)
        return (p.data, p.batch_sizes, p.sorted_indices, p.unsorted_indices, padded, lens,
                u.pad_packed_sequence(p)[0])
    cc.check(fn, randn(*shape))


def test_pack_lengths_as_tensor_and_noncontiguous_input():
    def fn(m, x):
        u = rnn_utils(m)
        p = u.pack_padded_sequence(x.transpose(0, 1), m.tensor([3, 2, 2]))
        q = u.pack_padded_sequence(x, m.tensor([2, 4, 1], dtype=m.int32), batch_first=True,
                                   enforce_sorted=False)
        return p.data, p.batch_sizes, q.data, q.sorted_indices, u.pad_packed_sequence(q)[0]
    cc.check(fn, randn(3, 4, 5, nc=True))


def test_integer_data_and_padding_value():
    def fn(m):
        u = rnn_utils(m)
        seq = m.tensor([[1, 2, 0], [3, 0, 0], [4, 5, 6]])
        p = u.pack_padded_sequence(seq, [2, 1, 3], batch_first=True, enforce_sorted=False)
        out, lens = u.pad_packed_sequence(p, batch_first=True, padding_value=9)
        return p.data, p.batch_sizes, p.sorted_indices, p.unsorted_indices, out, lens
    cc.check(fn, grad=False)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_sequence(batch_first, side):
    def fn(m, a, b, c):
        return rnn_utils(m).pad_sequence([a, b, c], batch_first=batch_first, padding_value=0.5,
                                         padding_side=side)
    cc.check(fn, randn(2, 3), randn(4, 3), randn(1, 3, nc=False))
    cc.check(lambda m, a, b: rnn_utils(m).pad_sequence((a, b), batch_first), randn(3),
             randn(1))


def test_pad_sequence_mixed_dtypes_take_the_first():
    def fn(m):
        u = rnn_utils(m)
        return (u.pad_sequence([m.ones(2, 2), m.tensor([[1, 2]])]),
                u.pad_sequence([m.tensor([[1, 2]]), m.tensor([[0.5, 1.5], [2.5, 3.5]])]),
                u.pad_sequence([m.ones(2, 3), m.ones(1, 1)]))  # a size-1 trailing dim broadcasts
    cc.check(fn, grad=False)


def test_unpad_pack_unpack_sequence():
    def fn(m, a, b, c):
        u = rnn_utils(m)
        p = u.pack_sequence([a, b, c], enforce_sorted=False)
        parts = u.unpack_sequence(p)
        padded = u.pad_sequence([a, b, c])
        cut = u.unpad_sequence(padded, m.tensor([2, 4, 1]))
        # torch transposes a time-major input in place
        return (p.data, p.batch_sizes, *parts, *cut, padded.shape)
    cc.check(fn, randn(2, 3), randn(4, 3), randn(1, 3))
    cc.check(lambda m, a, b: rnn_utils(m).pack_sequence([a, b]).data, randn(3, 2), randn(2, 2))


def test_invert_permutation_and_packed_sequence_api():
    for m in (torch, tapegrad):
        u = rnn_utils(m)
        assert u.invert_permutation(None) is None
    got = rnn_utils(tapegrad).invert_permutation(tapegrad.tensor([2, 0, 3, 1]))
    ref = rnn_utils(torch).invert_permutation(torch.tensor([2, 0, 3, 1]))
    assert got.tolist() == ref.tolist()

    def fn(m):
        u = rnn_utils(m)
        p = u.pack_padded_sequence(m.ones(3, 2, 2), [3, 1], enforce_sorted=False)
        d = p.double()
        return (d.data, d.data.dtype == m.float64, p.to(m.float32) is p, p.long().data,
                p.cpu().data, p.is_cuda, isinstance(p, tuple), len(p),
                u.PackedSequence(p.data, p.batch_sizes).unsorted_indices is None,
                u.PackedSequence((p.data, p.batch_sizes)).batch_sizes,
                u.PackedSequence(p.data, p.batch_sizes, m.tensor([1, 0])).unsorted_indices)
    cc.check(fn, grad=False)


# ------------------------------------------------------------- recurrent layers, packed input


def _packed_module(ctor, lengths, sorted_, with_state):
    """A module that packs its padded input, runs the recurrent layer on the PackedSequence and
    pads the output back: forward values and every gradient go through both utilities."""
    def make(m):
        class Packed(m.nn.Module):
            def __init__(self):
                super().__init__()
                self.inner = ctor(m)

            def forward(self, x, *state):
                u = m.nn.utils.rnn
                p = u.pack_padded_sequence(x, lengths, enforce_sorted=sorted_)
                hx = None
                if state:
                    hx = tuple(state) if len(state) == 2 else state[0]
                out, h = self.inner(p, hx)
                assert isinstance(out, u.PackedSequence)
                padded, lens = u.pad_packed_sequence(out, padding_value=0.25)
                hs = h if isinstance(h, tuple) else (h,)
                # (* 1: the layer's own node names are test_nn_rnn's business; torch's float32
                # LSTM runs oneDNN, whose nodes differ)
                return (padded, out.data * 1, lens) + tuple(t * 1 for t in hs)
        return Packed()
    return make


PACKED = [
    ("RNN", lambda m: m.nn.RNN(3, 4), [4, 2, 1], True, []),
    ("RNN/relu_unsorted_h0", lambda m: m.nn.RNN(3, 4, nonlinearity="relu"), [2, 4, 3], False,
     [randn(1, 3, 4)]),
    ("RNN/two_layers_bidirectional", lambda m: m.nn.RNN(3, 2, 2, bidirectional=True),
     [3, 1, 4, 2], False, []),
    ("GRU", lambda m: m.nn.GRU(3, 4), [4, 3, 3], True, [randn(1, 3, 4)]),
    ("GRU/bidirectional_unsorted", lambda m: m.nn.GRU(3, 3, bidirectional=True), [1, 4, 2],
     False, [randn(2, 3, 3)]),
    ("LSTM", lambda m: m.nn.LSTM(3, 4), [4, 2, 2], True, []),
    ("LSTM/two_layers_unsorted_states", lambda m: m.nn.LSTM(3, 3, 2), [2, 4, 1], False,
     [randn(2, 3, 3), randn(2, 3, 3)]),
    ("LSTM/bidirectional_proj", lambda m: m.nn.LSTM(3, 4, 2, bidirectional=True,
                                                    proj_size=2), [3, 4, 1], False,
     [randn(4, 3, 2), randn(4, 3, 4)]),
    ("LSTM/equal_lengths", lambda m: m.nn.LSTM(3, 2, bidirectional=True), [4, 4], True, []),
]


@pytest.mark.parametrize("label,ctor,lengths,sorted_,state",
                         [pytest.param(*c, id=c[0]) for c in PACKED])
def test_rnn_on_packed_sequences(label, ctor, lengths, sorted_, state):
    x = randn(max(lengths) + 1, len(lengths), 3)
    check_module(_packed_module(ctor, lengths, sorted_, bool(state)), x, *state, label=label)


def test_lstm_packed_matches_per_sequence_runs():
    """Each sequence of a packed batch gives what it gives alone (no padding leaks in)."""
    torch.manual_seed(0)
    lstm = tapegrad.nn.LSTM(3, 4, bidirectional=True)
    seqs = [tapegrad.randn(n, 3) for n in (2, 5, 3)]
    u = tapegrad.nn.utils.rnn
    out, (h, c) = lstm(u.pack_sequence(seqs, enforce_sorted=False))
    for i, (s, o) in enumerate(zip(seqs, u.unpack_sequence(out))):
        alone, (h1, c1) = lstm(s)
        np.testing.assert_allclose(o.detach().numpy(), alone.detach().numpy(), rtol=1e-5,
                                   atol=1e-6)
        np.testing.assert_allclose(h[:, i].detach().numpy(), h1.detach().numpy(), rtol=1e-5,
                                   atol=1e-6)


# ------------------------------------------------------------------------------------ errors


ERRORS = {
    "unsorted_lengths": lambda m: rnn_utils(m).pack_padded_sequence(m.ones(3, 2, 1), [1, 2]),
    "zero_length": lambda m: rnn_utils(m).pack_padded_sequence(m.ones(3, 2, 1), [2, 0]),
    "negative_unsorted": lambda m: rnn_utils(m).pack_padded_sequence(m.ones(3, 2, 1), [3, -1],
                                                                     enforce_sorted=False),
    "lengths_count": lambda m: rnn_utils(m).pack_padded_sequence(m.ones(3, 2, 1), [3, 2, 1]),
    "no_lengths": lambda m: rnn_utils(m).pack_padded_sequence(m.ones(3, 2, 1), []),
    "lengths_2d": lambda m: rnn_utils(m).pack_padded_sequence(m.ones(3, 2, 1),
                                                              m.tensor([[3, 2]])),
    "empty_input": lambda m: rnn_utils(m).pack_padded_sequence(m.ones(0, 2, 3), [0, 0]),
    "total_length": lambda m: rnn_utils(m).pad_packed_sequence(
        rnn_utils(m).pack_padded_sequence(m.ones(3, 2, 1), [3, 2]), total_length=2),
    "pad_empty": lambda m: rnn_utils(m).pad_sequence([]),
    "pad_not_iterable": lambda m: rnn_utils(m).pad_sequence(3),
    "pad_side": lambda m: rnn_utils(m).pad_sequence([m.ones(2)], padding_side="middle"),
    "pad_trailing": lambda m: rnn_utils(m).pad_sequence([m.ones(2, 3), m.ones(3, 4)]),
    "rnn_packed_3d": lambda m: m.nn.GRU(4, 5)(rnn_utils(m).pack_padded_sequence(
        m.ones(3, 2, 4, 2), [3, 2])),
    "rnn_packed_input_size": lambda m: m.nn.GRU(3, 5)(rnn_utils(m).pack_padded_sequence(
        m.ones(3, 2, 4), [3, 2])),
    "rnn_packed_hidden": lambda m: m.nn.GRU(4, 5)(rnn_utils(m).pack_padded_sequence(
        m.ones(3, 2, 4), [3, 2]), m.zeros(1, 3, 5)),
    "rnn_packed_dtype": lambda m: m.nn.RNN(4, 5)(rnn_utils(m).pack_padded_sequence(
        m.ones(3, 2, 4, dtype=m.float64), [3, 2])),
    "batch_sizes_device": lambda m: rnn_utils(m).PackedSequence(m.ones(3), "cuda"),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_like_torch(name):
    if name == "batch_sizes_device":
        # a str has no .device in either library: compare with a fake CUDA tensor
        class Fake:
            device = type("D", (), {"type": "cuda"})()
        for m in (torch, tapegrad):
            with pytest.raises(ValueError, match="batch_sizes should always be on CPU"):
                rnn_utils(m).PackedSequence(m.ones(3), Fake())
        return
    assert_same_error(ERRORS[name])


def test_length_past_the_padded_end_is_refused():
    # torch packs past the input's end here (batch_sizes then count rows data lacks)
    with pytest.raises(RuntimeError, match="larger than the padded sequence length 3"):
        tapegrad.nn.utils.rnn.pack_padded_sequence(tapegrad.ones(3, 2, 1), [4, 2])
