"""nn.RNN / LSTM / GRU and their cells against torch (torch's weights copied across): outputs
and final states, gradients of inputs, initial states and every parameter for a random
upstream gradient, an SGD step; float64 and float32; multi-layer, bidirectional, batch_first,
unbatched, projections, given h0/c0. Also parameter names and shapes (a torch state_dict
loads), reprs, and torch's errors for bad input."""
import numpy as np
import pytest

pytest.importorskip("torch", reason="the cross-checks compare against torch, which is missing")

import crosscheck as cc  # noqa: E402
from crosscheck import randn  # noqa: E402
from test_nn_modules import check_module  # noqa: E402


def nn(m):
    return m.nn


def _flat(ctor):
    """Wraps an LSTM / LSTMCell so that (out, (h, c)) comes back as a flat tuple."""
    def make(m):
        class Flat(m.nn.Module):
            def __init__(self):
                super().__init__()
                self.inner = ctor(m)

            def forward(self, *xs):
                out = self.inner(*xs[:1], tuple(xs[1:]) if len(xs) > 1 else None)
                if isinstance(out[1], tuple):
                    return (out[0],) + tuple(out[1])
                return tuple(out)
        return Flat()
    return make


CASES = [
    ("RNN", lambda m: nn(m).RNN(3, 4), [randn(5, 2, 3)]),
    ("RNN/relu_h0", lambda m: nn(m).RNN(3, 4, nonlinearity="relu"),
     [randn(4, 2, 3), randn(1, 2, 4)]),
    ("RNN/two_layers_bidirectional", lambda m: nn(m).RNN(3, 4, 2, bidirectional=True),
     [randn(4, 2, 3)]),
    ("RNN/batch_first_no_bias", lambda m: nn(m).RNN(3, 2, bias=False, batch_first=True),
     [randn(2, 5, 3)]),
    ("RNN/unbatched", lambda m: nn(m).RNN(3, 4, 2), [randn(4, 3), randn(2, 4)]),
    ("GRU", lambda m: nn(m).GRU(3, 4), [randn(5, 2, 3)]),
    ("GRU/three_layers_h0", lambda m: nn(m).GRU(2, 3, 3), [randn(4, 2, 2), randn(3, 2, 3)]),
    ("GRU/bidirectional_batch_first", lambda m: nn(m).GRU(3, 2, 2, batch_first=True,
                                                          bidirectional=True),
     [randn(2, 4, 3, nc=True)]),
    ("GRU/unbatched", lambda m: nn(m).GRU(3, 4), [randn(6, 3)]),
    ("LSTM", _flat(lambda m: nn(m).LSTM(3, 4)), [randn(5, 2, 3)]),
    ("LSTM/h0_c0", _flat(lambda m: nn(m).LSTM(3, 4, 2)),
     [randn(3, 2, 3), randn(2, 2, 4), randn(2, 2, 4)]),
    ("LSTM/bidirectional_proj", _flat(lambda m: nn(m).LSTM(3, 4, 2, bidirectional=True,
                                                           proj_size=2)),
     [randn(4, 2, 3)]),
    ("LSTM/batch_first_no_bias", _flat(lambda m: nn(m).LSTM(3, 3, bias=False,
                                                            batch_first=True)),
     [randn(2, 4, 3)]),
    ("LSTM/unbatched_h0_c0", _flat(lambda m: nn(m).LSTM(2, 3)),
     [randn(4, 2), randn(1, 3), randn(1, 3)]),
    ("LSTM/eval_dropout", _flat(lambda m: nn(m).LSTM(3, 3, 2, dropout=0.5).eval()),
     [randn(3, 2, 3)]),
    ("RNNCell", lambda m: nn(m).RNNCell(3, 4), [randn(2, 3), randn(2, 4)]),
    ("RNNCell/relu_no_h", lambda m: nn(m).RNNCell(3, 4, nonlinearity="relu"), [randn(2, 3)]),
    ("RNNCell/unbatched_no_bias", lambda m: nn(m).RNNCell(3, 2, bias=False),
     [randn(3), randn(2)]),
    ("GRUCell", lambda m: nn(m).GRUCell(3, 4), [randn(2, 3), randn(2, 4)]),
    ("GRUCell/unbatched", lambda m: nn(m).GRUCell(3, 4), [randn(3)]),
    ("LSTMCell", _flat(lambda m: nn(m).LSTMCell(3, 4)), [randn(2, 3), randn(2, 4),
                                                         randn(2, 4)]),
    ("LSTMCell/no_state", _flat(lambda m: nn(m).LSTMCell(3, 2)), [randn(2, 3)]),
]


@pytest.mark.parametrize("label,ctor,inputs", [pytest.param(*c, id=c[0]) for c in CASES])
def test_rnn_against_torch(label, ctor, inputs, monkeypatch):
    # torch's nodes that tapegrad's composite records as a primitive, read as that primitive
    # (values and gradients are compared as usual): the in-place transpose_ that turns a
    # batch_first output back (tapegrad has no transpose_), and float32 LSTM's oneDNN layer.
    same = {"TransposeBackward1": "TransposeBackward0",
            "MkldnnRnnLayerBackward0": "StackBackward0"}
    real = cc.grad_fn_name

    def name(t):
        n = real(t)
        return same.get(n, n) if isinstance(t, cc.reference().Tensor) else n
    monkeypatch.setattr(cc, "grad_fn_name", name)
    check_module(ctor, *inputs, label=label)


def test_gru_gradcheck_through_time():
    # finite differences of the whole unrolled graph (input and initial state)
    m = cc.tg()
    m.manual_seed(0)
    gru = m.nn.GRU(2, 3, 2, bidirectional=True).double()
    cc.gradcheck(lambda lib, x, h: gru(x, h)[0], randn(3, 2, 2), randn(4, 2, 3),
                 label="GRU")


def test_training_dropout_between_layers_only():
    m = cc.tg()
    rnn = m.nn.RNN(2, 3, 2, dropout=1.0)  # p=1: the second layer sees zeros
    out, h = rnn(m.randn(4, 1, 2))
    b = rnn.bias_ih_l1 + rnn.bias_hh_l1
    # second layer's first step: tanh(0 @ W_ih + b + 0 @ W_hh)
    np.testing.assert_allclose(out[0, 0].tolist(), m.tanh(b).tolist(), rtol=1e-6)


# ----------------------------------------------------------------- parameters and reprs

CTORS = [
    lambda m: nn(m).RNN(3, 4, nonlinearity="relu"),
    lambda m: nn(m).LSTM(3, 4, 2, bias=False, batch_first=True, dropout=0.5,
                         bidirectional=True, proj_size=2),
    lambda m: nn(m).GRU(3, 4, 3, bidirectional=True),
    lambda m: nn(m).RNN(2, 3, 2, dropout=0.25),
    lambda m: nn(m).RNNCell(3, 4, nonlinearity="relu", bias=False),
    lambda m: nn(m).LSTMCell(3, 4),
    lambda m: nn(m).GRUCell(3, 4, bias=False),
]


@pytest.mark.filterwarnings("ignore:dropout option")
@pytest.mark.parametrize("ctor", CTORS)
def test_repr_parameters_and_init_like_torch(ctor):
    torch, m = cc.reference(), cc.tg()
    ref, got = ctor(torch), ctor(m)
    assert repr(got) == repr(ref)
    ref_p, got_p = dict(ref.named_parameters()), dict(got.named_parameters())
    assert list(got_p) == list(ref_p)
    bound = 1 / np.sqrt(ref.hidden_size)
    for k, v in ref_p.items():
        assert tuple(got_p[k].shape) == tuple(v.shape), k
        assert np.all(np.abs(np.array(got_p[k].tolist())) <= bound), k
    # U(-bound, bound) over all values: std bound / sqrt(3)
    values = np.concatenate([np.ravel(p.tolist()) for p in got_p.values()])
    assert abs(values.std() - bound / np.sqrt(3)) < 0.25 * bound
    assert list(got.state_dict()) == list(ref.state_dict())
    got.load_state_dict({k: cc.make_tensor(m, cc.to_numpy(v), "float32")
                         for k, v in ref.state_dict().items()})


ERRORS = [
    (lambda m, x: nn(m).RNN(3, 4)(x), randn(2, 3, 4, 5)),
    (lambda m, x: nn(m).LSTM(3, 4)(x), randn(2, 3, 4, 5)),
    (lambda m, x: nn(m).GRU(3, 4)(x), randn(2, 3, 4, 5)),
    (lambda m, x: nn(m).GRU(3, 4)(x), randn(2, 3, 5)),
    (lambda m, x, h: nn(m).GRU(3, 4)(x, h), randn(2, 3, 3), randn(1, 2, 4)),
    (lambda m, x, h: nn(m).GRU(3, 4)(x, h), randn(2, 3, 3), randn(2, 4)),
    (lambda m, x, h: nn(m).RNN(3, 4)(x, h), randn(2, 3), randn(1, 2, 4)),
    (lambda m, x, h, c: nn(m).LSTM(3, 4)(x, (h, c)), randn(2, 3, 3), randn(2, 4), randn(2, 4)),
    (lambda m, x, h, c: nn(m).LSTM(3, 4)(x, (h, c)), randn(2, 3, 3), randn(1, 3, 4),
     randn(1, 2, 4)),
    (lambda m, x: nn(m).LSTM(3, 4)(x), randn(0, 2, 3)),
    (lambda m, x: nn(m).RNN(3, 4, batch_first=True)(x), randn(2, 0, 3)),
    (lambda m, x: nn(m).RNNCell(3, 4)(x), randn(2, 3, 3)),
    (lambda m, x: nn(m).LSTMCell(3, 4)(x), randn(2, 3, 3)),
    (lambda m, x: nn(m).GRUCell(3, 4)(x), randn(2, 5)),
    (lambda m, x, h: nn(m).GRUCell(3, 4)(x, h), randn(2, 3), randn(3, 4)),
    (lambda m, x: nn(m).RNNCell(3, 4, nonlinearity="sig")(x), randn(2, 3)),
    (lambda m, x: nn(m).RNN(3, 4, dropout=1.5), randn(1)),
    (lambda m, x: nn(m).RNN(3, 0), randn(1)),
    (lambda m, x: nn(m).RNN(3, 4, num_layers=0), randn(1)),
    (lambda m, x: nn(m).RNN(3, 4, nonlinearity="sig"), randn(1)),
    (lambda m, x: nn(m).GRU(3, 4, proj_size=2), randn(1)),
    (lambda m, x: nn(m).LSTM(3, 4, proj_size=4), randn(1)),
    # argument types, checked before any parameter is made
    (lambda m, x: nn(m).RNN(3, 4, bias=1), randn(1)),
    (lambda m, x: nn(m).GRU(3, 4, batch_first=0), randn(1)),
    (lambda m, x: nn(m).LSTM(3.0, 4), randn(1)),
    (lambda m, x: nn(m).LSTM(0, 4), randn(1)),
    (lambda m, x: nn(m).RNN(3, 4.0), randn(1)),
    # input dtype differing from the weights': torch's ValueError, not a matmul error
    (lambda m, x: nn(m).RNN(3, 4)(x.double()), randn(2, 3)),
    (lambda m, x: nn(m).LSTM(3, 4).double()(x), randn(2, 2, 3)),
    # LSTMCell names its states hx[0] / hx[1]; the other cells say "hidden"
    (lambda m, x, h, c: nn(m).LSTMCell(3, 4)(x, (h, c)), randn(2, 3), randn(2, 4),
     randn(1, 1, 2, 4)),
    (lambda m, x, h: nn(m).GRUCell(3, 4)(x, h), randn(2, 3), randn(1, 1, 2, 4)),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_error_like_torch(k):
    fn, *inputs = ERRORS[k]
    cc.check_raises(fn, *inputs, label=f"error case {k}")


def test_dropout_warning_like_torch():
    m = cc.tg()
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1, "
                                         "but got dropout=0.5 and num_layers=1"):
        m.nn.GRU(2, 3, dropout=0.5)
