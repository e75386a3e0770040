"""nn.RNN / LSTM / GRU and their cells, composed from linear, sigmoid, tanh, chunk and stack so
that autograd (and double backward) goes through the existing ops. Parameter names, shapes,
order and init (U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) for every tensor) follow torch,
so a torch state_dict loads as is; the gate order is torch's (LSTM: i, f, g, o; GRU: r, z, n)."""
import math
import numbers
import warnings

from ... import _C
from ..._factories import zeros as _zeros
from .. import functional as F
from .. import init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from ._utils import _empty
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


# ---------------------------------------------------------------------------- one time step
# gi: the input's contribution x W_ih^T + b_ih (computed for all steps at once by the layer).

def _rnn_step(gi, h, w_hh, b_hh, act):
    return act(gi + F.linear(h, w_hh, b_hh))


def _lstm_step(gi, state, w_hh, b_hh, w_hr):
    h, c = state
    i, f, g, o = (gi + F.linear(h, w_hh, b_hh)).chunk(4, -1)
    c = _C.sigmoid(f) * c + _C.sigmoid(i) * _C.tanh(g)
    h = _C.sigmoid(o) * _C.tanh(c)
    if w_hr is not None:
        h = F.linear(h, w_hr)
    return h, c


def _gru_step(gi, h, w_hh, b_hh):
    i_r, i_z, i_n = gi.chunk(3, -1)
    h_r, h_z, h_n = F.linear(h, w_hh, b_hh).chunk(3, -1)
    r = _C.sigmoid(i_r + h_r)
    z = _C.sigmoid(i_z + h_z)
    n = _C.tanh(i_n + r * h_n)
    return (1 - z) * n + z * h


class RNNBase(Module):
    """Multi-layer (optionally bidirectional) recurrent network; subclasses pick the cell."""

    __constants__ = ["mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first",
                     "dropout", "bidirectional", "proj_size"]

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, proj_size=0, device=None,
                 dtype=None):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1
        if (not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1
                or isinstance(dropout, bool)):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", stacklevel=3)
        # torch checks the argument types before building anything (a float size would
        # otherwise fail deep inside the parameter factory with an unrelated message)
        if not isinstance(bias, bool):
            raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
        if not isinstance(batch_first, bool):
            raise TypeError(
                f"batch_first should be of type bool, got: {type(batch_first).__name__}")
        if not isinstance(input_size, int):
            raise TypeError(f"input_size should be of type int, got: {type(input_size).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError(f"Unrecognized RNN mode: {mode}")
        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input = input_size if layer == 0 else real_hidden * num_directions
                suffix = "_reverse" if direction == 1 else ""
                shapes = [("weight_ih", (gate_size, layer_input)),
                          ("weight_hh", (gate_size, real_hidden))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size > 0:
                    shapes.append(("weight_hr", (proj_size, hidden_size)))
                for name, shape in shapes:
                    full = f"{name}_l{layer}{suffix}"
                    setattr(self, full, Parameter(_empty(shape, device, dtype)))
                    self._flat_weights_names.append(full)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def flatten_parameters(self):
        """torch compacts cuDNN weights here; tapegrad has nothing to do."""

    @property
    def all_weights(self):
        return [[getattr(self, n) for n in self._layer_names(layer, d)]
                for layer in range(self.num_layers)
                for d in range(2 if self.bidirectional else 1)]

    def _layer_names(self, layer, direction):
        suffix = "_reverse" if direction == 1 else ""
        names = [f"weight_ih_l{layer}{suffix}", f"weight_hh_l{layer}{suffix}"]
        if self.bias:
            names += [f"bias_ih_l{layer}{suffix}", f"bias_hh_l{layer}{suffix}"]
        if self.proj_size > 0:
            names.append(f"weight_hr_l{layer}{suffix}")
        return names

    def _weights(self, layer, direction):
        suffix = "_reverse" if direction == 1 else ""

        def get(n):
            return getattr(self, f"{n}_l{layer}{suffix}", None)
        return (get("weight_ih"), get("weight_hh"), get("bias_ih") if self.bias else None,
                get("bias_hh") if self.bias else None,
                get("weight_hr") if self.proj_size > 0 else None)

    # -- checks, in torch's wording
    def _name(self):
        return "RNN" if self.mode.startswith("RNN") else self.mode

    def _check_input(self, input):
        if input.dim() not in (2, 3):
            tail = " tensor instead" if self._name() == "RNN" else " instead"
            raise ValueError(f"{self._name()}: Expected input to be 2D or 3D, got "
                             f"{input.dim()}D{tail}")
        w_dtype = getattr(self, self._flat_weights_names[0]).dtype
        if input.dtype != w_dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype "
                             f"({w_dtype}). Convert input: input.to({w_dtype}), or convert "
                             f"model: model.to({input.dtype})")
        if input.size(-1) != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.size(-1)}")

    def _hidden_shape(self, batch, real=True):
        d = 2 if self.bidirectional else 1
        size = self.proj_size if (real and self.proj_size > 0) else self.hidden_size
        return (self.num_layers * d, batch, size)

    @staticmethod
    def _check_hidden(hx, expected, what="Expected hidden size"):
        if tuple(hx.shape) != tuple(expected):
            raise RuntimeError(f"{what} {tuple(expected)}, got {list(hx.shape)}")

    def forward(self, input, hx=None):
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        self._check_input(input)
        batched = input.dim() == 3
        is_lstm = self.mode == "LSTM"
        if hx is not None:
            hs = hx if is_lstm else (hx,)
            want = 3 if batched else 2
            if any(h.dim() != want for h in hs):
                kind = "batched 3-D" if batched else "unbatched 2-D"
                if is_lstm:
                    raise RuntimeError(f"For {kind} input, hx and cx should also be {want}-D "
                                       f"but got ({hs[0].dim()}-D, {hs[1].dim()}-D) tensors")
                raise RuntimeError(f"For {kind} input, hx should also be {want}-D but got "
                                   f"{hs[0].dim()}-D tensor")
        x = input if batched else input.unsqueeze(1)
        if batched and self.batch_first:
            x = x.transpose(0, 1)
        if x.shape[0] == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        batch = x.shape[1]
        if hx is None:
            h0 = _zeros(self._hidden_shape(batch), dtype=input.dtype, device=input.device)
            c0 = _zeros(self._hidden_shape(batch, False), dtype=input.dtype,
                        device=input.device)
        elif is_lstm:
            h0, c0 = hx if batched else (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
            self._check_hidden(h0, self._hidden_shape(batch), "Expected hidden[0] size")
            self._check_hidden(c0, self._hidden_shape(batch, False), "Expected hidden[1] size")
        else:
            h0 = hx if batched else hx.unsqueeze(1)
            self._check_hidden(h0, self._hidden_shape(batch))
        out, h_n, c_n = self._run(x, h0, c0 if is_lstm else None)
        if batched and self.batch_first:
            out = out.transpose(0, 1)
        if not batched:
            out, h_n = out.squeeze(1), h_n.squeeze(1)
            c_n = c_n.squeeze(1) if c_n is not None else None
        return (out, (h_n, c_n)) if is_lstm else (out, h_n)

    def _forward_packed(self, packed, hx):
        """A PackedSequence in, a PackedSequence out: hx is in the caller's batch order and is
        permuted to the packed (decreasing-length) order and h_n back, as torch does."""
        data, batch_sizes, sorted_indices, unsorted_indices = packed
        if data.dim() != 2:
            raise RuntimeError(f"input must have 2 dimensions, got {data.dim()}")
        self._check_input(data)
        is_lstm = self.mode == "LSTM"
        bs = batch_sizes.tolist()
        batch = bs[0] if bs else 0

        def permute(h, perm):
            return h if perm is None else h.index_select(1, perm)
        if hx is None:
            h0 = _zeros(self._hidden_shape(batch), dtype=data.dtype, device=data.device)
            c0 = _zeros(self._hidden_shape(batch, False), dtype=data.dtype, device=data.device)
        elif is_lstm:
            h0, c0 = permute(hx[0], sorted_indices), permute(hx[1], sorted_indices)
            self._check_hidden(h0, self._hidden_shape(batch), "Expected hidden[0] size")
            self._check_hidden(c0, self._hidden_shape(batch, False), "Expected hidden[1] size")
        else:
            h0 = permute(hx, sorted_indices)
            self._check_hidden(h0, self._hidden_shape(batch))
        out, h_n, c_n = self._run_packed(data, bs, h0, c0 if is_lstm else None)
        out = PackedSequence(out, batch_sizes, sorted_indices, unsorted_indices)
        h_n = permute(h_n, unsorted_indices)
        if is_lstm:
            return out, (h_n, permute(c_n, unsorted_indices))
        return out, h_n

    def _step(self, g, h, c, w_hh, b_hh, w_hr):
        if self.mode == "LSTM":
            return _lstm_step(g, (h, c), w_hh, b_hh, w_hr)
        if self.mode == "GRU":
            return _gru_step(g, h, w_hh, b_hh), None
        act = _C.tanh if self.mode == "RNN_TANH" else _C.relu
        return _rnn_step(g, h, w_hh, b_hh, act), None

    def _layers(self, x, h0, c0, run_direction):
        """The layer / direction loop shared by padded and packed input: run_direction(x, d,
        h, c, weights) runs one direction of one layer from states h, c and returns its output
        and final states. Returns the last layer's output, h_n and c_n (LSTM) stacked."""
        num_dir = 2 if self.bidirectional else 1
        hs, cs = [], []
        for layer in range(self.num_layers):
            outs = []
            for d in range(num_dir):
                k = layer * num_dir + d
                out, h, c = run_direction(x, d, h0[k], c0[k] if c0 is not None else None,
                                          self._weights(layer, d))
                outs.append(out)
                hs.append(h)
                cs.append(c)
            x = outs[0] if num_dir == 1 else _C.cat(outs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        c_n = _C.stack(cs, 0) if c0 is not None else None
        return x, _C.stack(hs, 0), c_n

    def _run(self, x, h0, c0):
        """x: (L, N, in). Returns output (L, N, D*H), h_n and c_n (LSTM) stacked per layer."""
        def direction(x, d, h, c, weights):
            w_ih, w_hh, b_ih, b_hh, w_hr = weights
            gi = F.linear(x, w_ih, b_ih)  # every step's input term at once
            steps = range(x.shape[0] - 1, -1, -1) if d == 1 else range(x.shape[0])
            seq = [None] * x.shape[0]
            for t in steps:
                h, c = self._step(gi[t], h, c, w_hh, b_hh, w_hr)
                seq[t] = h
            out = (_C.stack(seq, 0) if seq else
                   _zeros(0, x.shape[1], h.shape[-1], dtype=x.dtype, device=x.device))
            return out, h, c
        return self._layers(x, h0, c0, direction)

    def _run_packed(self, x, bs, h0, c0):
        """x: packed data (sum(bs), in); bs: the batch size of each step, non-increasing. A
        sequence that has ended keeps its last state (forward), and one that has not started
        yet starts from h0 (backward direction, which runs from the last step)."""
        starts = [0]
        for b in bs:
            starts.append(starts[-1] + b)

        def direction(x, d, h_init, c_init, weights):
            w_ih, w_hh, b_ih, b_hh, w_hr = weights
            gi = F.linear(x, w_ih, b_ih)
            seq = [None] * len(bs)
            if d == 0:
                h, c = h_init, c_init
                done_h, done_c = [], []  # rows of sequences that ended, latest last
                for t, b in enumerate(bs):
                    if b < h.shape[0]:
                        done_h.append(h[b:])
                        h = h[:b]
                        if c is not None:
                            done_c.append(c[b:])
                            c = c[:b]
                    h, c = self._step(gi[starts[t]:starts[t + 1]], h, c, w_hh, b_hh, w_hr)
                    seq[t] = h
                h = _C.cat([h] + done_h[::-1], 0) if done_h else h
                if c is not None and done_c:
                    c = _C.cat([c] + done_c[::-1], 0)
            else:
                h, c = h_init[:0], (c_init[:0] if c_init is not None else None)
                for t in range(len(bs) - 1, -1, -1):
                    b = bs[t]
                    if b > h.shape[0]:  # sequences whose last step is t start here
                        h = _C.cat([h, h_init[h.shape[0]:b]], 0)
                        if c is not None:
                            c = _C.cat([c, c_init[c.shape[0]:b]], 0)
                    h, c = self._step(gi[starts[t]:starts[t + 1]], h, c, w_hh, b_hh, w_hr)
                    seq[t] = h
            out = (_C.cat(seq, 0) if seq else
                   _zeros(0, h_init.shape[-1], dtype=x.dtype, device=x.device))
            return out, h, c
        return self._layers(x, h0, c0, direction)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


class RNN(RNNBase):
    """Elman RNN: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu)."""

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None):
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             "'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, 0, device, dtype)


class LSTM(RNNBase):
    """Long short-term memory; returns (output, (h_n, c_n)); proj_size projects h."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device, dtype)


class GRU(RNNBase):
    """Gated recurrent unit."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None, proj_size=0):
        if proj_size:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, 0, device, dtype)


# ------------------------------------------------------------------------------------ cells

class RNNCellBase(Module):
    """weight_ih (chunks*H, in), weight_hh (chunks*H, H) and the two biases, as torch."""

    __constants__ = ["input_size", "hidden_size", "bias"]

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(_empty((num_chunks * hidden_size, input_size), device, dtype))
        self.weight_hh = Parameter(_empty((num_chunks * hidden_size, hidden_size), device,
                                          dtype))
        if bias:
            self.bias_ih = Parameter(_empty((num_chunks * hidden_size,), device, dtype))
            self.bias_hh = Parameter(_empty((num_chunks * hidden_size,), device, dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _prepare(self, input, hx):
        """Checks as torch; returns the batched input, hidden state(s) and whether to squeeze."""
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D "
                             "instead")
        if hx is not None:
            # torch names LSTMCell's states hx[0] / hx[1], the other cells' state "hidden"
            for k, h in enumerate(hx if isinstance(hx, tuple) else (hx,)):
                what = f"hx[{k}]" if isinstance(self, LSTMCell) else "hidden"
                if h.dim() not in (1, 2):
                    raise ValueError(f"{name}: Expected {what} to be 1D or 2D, got {h.dim()}D "
                                     "instead")
        batched = input.dim() == 2
        x = input if batched else input.unsqueeze(0)
        if x.size(1) != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {x.size(1)} expected "
                               f"{self.input_size}")
        if hx is None:
            zeros = _zeros(x.size(0), self.hidden_size, dtype=input.dtype, device=input.device)
            hx = (zeros, zeros) if isinstance(self, LSTMCell) else zeros
        elif not batched:
            hx = tuple(h.unsqueeze(0) for h in hx) if isinstance(hx, tuple) else hx.unsqueeze(0)
        for k, h in enumerate(hx if isinstance(hx, tuple) else (hx,)):
            if h.size(0) != x.size(0):
                raise RuntimeError(f"Input batch size {x.size(0)} doesn't match hidden{k} batch "
                                   f"size {h.size(0)}")
            if h.size(1) != self.hidden_size:
                raise RuntimeError(f"hidden{k} has inconsistent hidden_size: got {h.size(1)}, "
                                   f"expected {self.hidden_size}")
        return x, hx, not batched


class RNNCell(RNNCellBase):
    """One Elman step: tanh (or relu) of x W_ih^T + b_ih + h W_hh^T + b_hh."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        x, h, squeeze = self._prepare(input, hx)
        act = _C.tanh if self.nonlinearity == "tanh" else _C.relu
        h = _rnn_step(F.linear(x, self.weight_ih, self.bias_ih), h, self.weight_hh,
                      self.bias_hh, act)
        return h.squeeze(0) if squeeze else h


class LSTMCell(RNNCellBase):
    """One LSTM step; returns (h', c')."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input, hx=None):
        x, (h, c), squeeze = self._prepare(input, hx)
        h, c = _lstm_step(F.linear(x, self.weight_ih, self.bias_ih), (h, c), self.weight_hh,
                          self.bias_hh, None)
        return (h.squeeze(0), c.squeeze(0)) if squeeze else (h, c)


class GRUCell(RNNCellBase):
    """One GRU step."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input, hx=None):
        x, h, squeeze = self._prepare(input, hx)
        h = _gru_step(F.linear(x, self.weight_ih, self.bias_ih), h, self.weight_hh, self.bias_hh)
        return h.squeeze(0) if squeeze else h
