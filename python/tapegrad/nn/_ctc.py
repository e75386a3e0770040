"""nn.functional.ctc_loss: Connectionist Temporal Classification (Graves et al. 2006).

The loss is -log of the total probability of all alignments of the target, computed with the
forward (alpha) recursion in log space over the blank-extended target l' = (blank, l1, blank,
l2, ..., blank), vectorised over the batch and l', one time step at a time. The gradient is
torch's CtcLossBackward0 formula: with the backward (beta) recursion,
    grad[t, c] = exp(lp[t, c])
                 - exp(logsumexp_{s: l'_s = c}(alpha_t(s) + beta_t(s)) + nll - lp[t, c])
(zero past each sequence's input length). Like torch's, it is the gradient for log-softmax
outputs: it carries exp(lp), which log_softmax's backward cancels."""
from .. import _C
from .._factories import full as _full, tensor as _tensor, zeros as _zeros, zeros_like as _zl
from .._grad_mode import no_grad
from ..autograd.function import Function

_NEG_INF = float("-inf")


def _as_lengths(v, what):
    if isinstance(v, _C.Tensor):
        return [int(a) for a in v.reshape(-1).tolist()]
    if isinstance(v, int):
        return [v]
    return [int(a) for a in v]


def _lse(*terms):
    """Elementwise log(sum(exp(terms))) that stays -inf (not nan) where every term is -inf."""
    m = terms[0]
    for t in terms[1:]:
        m = _C.maximum(m, t)
    safe = _C.where(m == _NEG_INF, _zl(m), m)
    acc = None
    for t in terms:
        e = (t - safe).exp()
        acc = e if acc is None else acc + e
    return acc.log() + safe


def _shift(x, k, fill=_NEG_INF):
    """x[:, s - k] along the last dim (k > 0: from the left, k < 0: from the right)."""
    n, s = x.shape
    pad = _full((n, abs(k)), fill, dtype=x.dtype, device=x.device)
    if k > 0:
        return _C.cat([pad, x[:, :s - k]], 1)
    return _C.cat([x[:, -k:], pad], 1)


class _Ctc:
    """The extended targets and masks for a batch, and the two recursions."""

    def __init__(self, lp, targets, in_lens, tgt_lens, blank):
        self.lp, self.blank = lp, blank
        self.T, self.N, self.C = lp.shape
        self.in_lens, self.tgt_lens = in_lens, tgt_lens
        self.S = 2 * max(tgt_lens + [0]) + 1
        dev = lp.device
        ext, skip, valid = [], [], []
        for b in range(self.N):
            labels = targets[b]
            row = [blank] * self.S
            for i, lab in enumerate(labels):
                row[2 * i + 1] = lab
            ext.append(row)
            skip.append([s >= 2 and row[s] != blank and row[s] != row[s - 2]
                         for s in range(self.S)])
            valid.append([s < 2 * len(labels) + 1 for s in range(self.S)])
        self.ext = _tensor(ext, dtype=_C.int64, device=dev)
        self.skip = _tensor(skip, dtype=_C.bool, device=dev)
        self.skip_next = _C.cat([self.skip[:, 2:], _zeros(self.N, 2, dtype=_C.bool,
                                                          device=dev)], 1)
        self.valid = _tensor(valid, dtype=_C.bool, device=dev)
        # emissions lp[t, b, l'_s], (T, N, S)
        self.emit = lp.gather(2, self.ext.unsqueeze(0).expand(self.T, self.N, self.S))
        self.ninf = _full((self.N, self.S), _NEG_INF, dtype=lp.dtype, device=dev)
        self.t_of = _tensor(in_lens, dtype=_C.int64, device=dev).reshape(self.N, 1)

    def alphas(self):
        first = _C.where(_tensor([[s < 2 for s in range(self.S)]], dtype=_C.bool,
                                 device=self.lp.device) & self.valid, self.emit[0], self.ninf)
        out, a = [first], first
        for t in range(1, self.T):
            two = _C.where(self.skip, _shift(a, 2), self.ninf)
            new = _lse(a, _shift(a, 1), two) + self.emit[t]
            a = _C.where(self.valid & (t < self.t_of), new, a)
            out.append(a)
        return _C.stack(out, 0)  # (T, N, S); frozen past each input length

    def nll(self, alpha):
        last = []
        for b in range(self.N):
            t, s_end = max(self.in_lens[b] - 1, 0), 2 * self.tgt_lens[b]
            a = alpha[t, b]
            if self.in_lens[b] == 0:  # only the empty target has an (empty) alignment
                last.append(_tensor(0.0 if s_end == 0 else _NEG_INF, dtype=alpha.dtype,
                                    device=alpha.device))
                continue
            ends = [a[s_end]] + ([a[s_end - 1]] if s_end >= 1 else [])
            last.append(_lse(*[e.reshape(1) for e in ends]).reshape(()))
        return -_C.stack(last, 0) if last else _zeros(0, dtype=alpha.dtype)

    def betas(self):
        dev = self.lp.device
        ends = []
        for b in range(self.N):
            e = 2 * self.tgt_lens[b]
            ends.append([s in (e, e - 1) for s in range(self.S)])
        ends = _tensor(ends, dtype=_C.bool, device=dev)
        out = [None] * self.T
        bt = self.ninf
        for t in range(self.T - 1, -1, -1):
            start = ends & (t == self.t_of - 1)
            two = _C.where(self.skip_next, _shift(bt, -2), self.ninf)
            new = _lse(bt, _shift(bt, -1), two) + self.emit[t]
            new = _C.where(self.valid & (t < self.t_of - 1), new, self.ninf)
            bt = _C.where(start, self.emit[t], new)
            out[t] = bt
        return _C.stack(out, 0)

    def grad(self, alpha, beta, nll, gr, zero_infinity):
        ab = alpha + beta  # (T, N, S)
        m = ab.amax(2, keepdim=True)
        m = _C.where(m == _NEG_INF, _zl(m), m)
        sums = _zeros(self.T, self.N, self.C, dtype=ab.dtype, device=ab.device).scatter_add(
            2, self.ext.unsqueeze(0).expand(self.T, self.N, self.S), (ab - m).exp())
        lcab = sums.log() + m
        lp = self.lp
        g = lp.exp() - (lcab + nll.reshape(1, self.N, 1) - lp).exp()
        keep = _tensor([[[1.0 if t < self.in_lens[b] else 0.0] for b in range(self.N)]
                        for t in range(self.T)], dtype=lp.dtype, device=lp.device)
        g = g * keep * gr.reshape(1, self.N, 1)
        if zero_infinity:
            g = _C.where((nll == float("inf")).reshape(1, self.N, 1), _zl(g), g)
        return g


class CtcLoss(Function):
    """The per-sample negative log likelihoods; backward is torch's formula (see above)."""

    @staticmethod
    def forward(ctx, log_probs, targets, in_lens, tgt_lens, blank, zero_infinity):
        ctc = _Ctc(log_probs, targets, in_lens, tgt_lens, blank)
        alpha = ctc.alphas()
        nll = ctc.nll(alpha)
        ctx.ctc, ctx.alpha, ctx.nll, ctx.zero_infinity = ctc, alpha, nll, zero_infinity
        return nll

    @staticmethod
    def backward(ctx, grad):
        ctc = ctx.ctc
        with no_grad():
            g = ctc.grad(ctx.alpha, ctc.betas(), ctx.nll, grad, ctx.zero_infinity)
        return g, None, None, None, None, None


# torch's node name for the per-sample losses
CtcLoss._backward_name = "CtcLossBackward0"
CtcLoss._backward_cls = type("CtcLossBackward0", (CtcLoss._backward_cls,),
                             {"__slots__": (), "__qualname__": "CtcLossBackward0"})


def _check(log_probs, targets, in_lens, tgt_lens, blank, batched):
    where = " (while checking arguments for ctc_loss_allocate_outputs)"
    if log_probs.dim() != 3:
        # torch has already added the batch dim to a non-3-d input when it checks
        raise RuntimeError(f"Expected 3-dimensional tensor, but got {log_probs.dim()}"
                           f"-dimensional tensor for argument #1 'log_probs'{where}")
    T, N, C = log_probs.shape
    if not 0 <= blank < C:
        raise RuntimeError("blank must be in label range")
    if len(in_lens) != N:
        raise RuntimeError("input_lengths must be of size batch_size")
    if len(tgt_lens) != N:
        raise RuntimeError("target_lengths must be of size batch_size")
    for name, vals in (("input_lengths", in_lens), ("target_lengths", tgt_lens)):
        for v in vals:
            if v < 0:
                raise RuntimeError(f"Expected {name} to have value at least 0, but got value "
                                   f"{v}{where}")
    for v in in_lens:
        if v > T:
            raise RuntimeError(f"Expected input_lengths to have value at most {T}, but got "
                               f"value {v}{where}")
    if targets.dim() == 1 and batched:
        total = sum(tgt_lens)
        if targets.shape[0] != total:
            raise RuntimeError(f"Expected tensor to have size {total} at dimension 0, but got "
                               f"size {targets.shape[0]} for argument #2 'targets'{where}")
    else:
        tg = targets if batched else targets.reshape(1, -1)
        need = max(tgt_lens + [0])
        if tg.shape[1] < need:
            raise RuntimeError(f"Expected tensor to have size at least {need} at dimension 1, "
                               f"but got size {tg.shape[1]} for argument #2 'targets'{where}")


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """The CTC loss of log_probs (T, N, C) (or unbatched (T, C)) against targets (N, S)
    padded, or concatenated in one dimension."""
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    batched = log_probs.dim() == 3
    lp = log_probs if batched else log_probs.unsqueeze(1)
    in_lens = _as_lengths(input_lengths, "input_lengths")
    tgt_lens = _as_lengths(target_lengths, "target_lengths")
    _check(lp, targets, in_lens, tgt_lens, blank, batched)
    flat = targets.to(_C.int64).reshape(-1).tolist()
    if targets.dim() == 1 and batched:
        rows, pos = [], 0
        for n in tgt_lens:
            rows.append(flat[pos:pos + n])
            pos += n
    else:
        width = targets.shape[-1] if targets.dim() else 1
        rows = [flat[b * width:b * width + n] for b, n in enumerate(tgt_lens)]
    res = CtcLoss.apply(lp, rows, in_lens, tgt_lens, blank, zero_infinity)
    if zero_infinity:
        res = _C.where(res == float("inf"), _zl(res), res)
    if not batched:
        res = res.squeeze(0)
    if reduction == "mean":
        lens = _tensor(tgt_lens, dtype=res.dtype, device=res.device).clamp_min(1)
        return (res / (lens if batched else lens.squeeze(0))).mean()
    if reduction == "sum":
        return res.sum()
    return res
