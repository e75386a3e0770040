"""nn.MultiheadAttention (torch's parameters: in_proj_weight or q/k/v_proj_weight when kdim /
vdim differ, in_proj_bias, bias_k / bias_v, out_proj as NonDynamicallyQuantizableLinear) and
its forward, composed as torch's multi_head_attention_forward: project, split heads, add the
optional key/value bias and zero attention, masks (bool True = not allowed, or float added),
softmax(q k^T / sqrt(head_dim)) with dropout, weighted values, output projection."""
import math

from ... import _C
from ..._factories import zeros as _zeros
from .. import functional as F
from .. import init
from ..parameter import Parameter
from ._utils import _empty
from .linear import Linear
from .module import Module

__all__ = ["MultiheadAttention", "NonDynamicallyQuantizableLinear"]


class NonDynamicallyQuantizableLinear(Linear):
    """A Linear under torch's name for MultiheadAttention.out_proj (repr and type)."""


def _float_mask(mask, dtype, name):
    # bool masks mark what may NOT be attended to; they become -inf additive masks
    if mask is None:
        return None
    if mask.dtype == _C.bool:
        return _zeros(tuple(mask.shape), dtype=dtype, device=mask.device).masked_fill(
            mask, float("-inf"))
    if not mask.is_floating_point():
        raise AssertionError(f"only bool and floating types of {name} are supported")
    return mask


class MultiheadAttention(Module):
    """Multi-head attention over (L, N, E) (or (N, L, E) with batch_first, or unbatched)."""

    __constants__ = ["batch_first"]

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
                 add_zero_attn=False, kdim=None, vdim=None, batch_first=False, device=None,
                 dtype=None):
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got "
                             f"embed_dim={embed_dim} and num_heads={num_heads} instead")
        super().__init__()
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        assert self.head_dim * num_heads == self.embed_dim, \
            "embed_dim must be divisible by num_heads"
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = Parameter(_empty((embed_dim, embed_dim), device, dtype))
            self.k_proj_weight = Parameter(_empty((embed_dim, self.kdim), device, dtype))
            self.v_proj_weight = Parameter(_empty((embed_dim, self.vdim), device, dtype))
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = Parameter(_empty((3 * embed_dim, embed_dim), device, dtype))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(_empty((3 * embed_dim,), device, dtype))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias,
                                                        device=device, dtype=dtype)
        if add_bias_kv:
            self.bias_k = Parameter(_empty((1, 1, embed_dim), device, dtype))
            self.bias_v = Parameter(_empty((1, 1, embed_dim), device, dtype))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self):
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def _projections(self, query, key, value):
        E = self.embed_dim
        b = self.in_proj_bias
        bq, bk, bv = (None, None, None) if b is None else (b[:E], b[E:2 * E], b[2 * E:])
        if self._qkv_same_embed_dim:
            w = self.in_proj_weight
            wq, wk, wv = w[:E], w[E:2 * E], w[2 * E:]
        else:
            wq, wk, wv = self.q_proj_weight, self.k_proj_weight, self.v_proj_weight
        return F.linear(query, wq, bq), F.linear(key, wk, bk), F.linear(value, wv, bv)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True,
                attn_mask=None, average_attn_weights=True, is_causal=False):
        if query.dim() not in (2, 3):
            raise AssertionError("query should be unbatched 2D or batched 3D tensor but "
                                 f"received {query.dim()}-D query tensor")
        if tuple(key.shape) != tuple(value.shape) and self._qkv_same_embed_dim:
            raise AssertionError(f"key shape {key.shape} does not match value shape "
                                 f"{value.shape}")
        batched = query.dim() == 3
        if self.batch_first and batched:
            query, key, value = (t.transpose(1, 0) for t in (query, key, value))
        if not batched:
            query, key, value = (t.unsqueeze(1) for t in (query, key, value))
            if key_padding_mask is not None:
                key_padding_mask = key_padding_mask.unsqueeze(0)
        tgt_len, bsz, E = query.shape
        H, hd = self.num_heads, self.head_dim
        if E != self.embed_dim:
            raise AssertionError(f"was expecting embedding dimension of {self.embed_dim}, but "
                                 f"got {E}")
        if is_causal and attn_mask is None:
            raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use "
                               "the Transformer module method `generate_square_subsequent_mask`"
                               " to create this mask.")
        attn_mask = _float_mask(attn_mask, query.dtype, "attn_mask")
        key_padding_mask = _float_mask(key_padding_mask, query.dtype, "key_padding_mask")
        src_len = key.shape[0]
        if key_padding_mask is not None:
            for d, want in ((0, bsz), (1, src_len)):
                if key_padding_mask.shape[d] != want:
                    raise AssertionError(f"Expected key_padded_mask.shape[{d}] to be {want}, "
                                         f"but got {key_padding_mask.shape[d]}")
        if attn_mask is not None:
            want = (tgt_len, src_len) if attn_mask.dim() == 2 else (bsz * H, tgt_len, src_len)
            if tuple(attn_mask.shape) != want:
                raise RuntimeError(f"The shape of the {attn_mask.dim()}D attn_mask is "
                                   f"{attn_mask.shape}, but should be {want}.")
            if attn_mask.dim() == 2:
                attn_mask = attn_mask.unsqueeze(0)
        q, k, v = self._projections(query, key, value)
        if self.bias_k is not None:
            k = _C.cat([k, self.bias_k.expand(1, bsz, E)], 0)
            v = _C.cat([v, self.bias_v.expand(1, bsz, E)], 0)
            if attn_mask is not None:
                attn_mask = F.pad(attn_mask, (0, 1))
            if key_padding_mask is not None:
                key_padding_mask = F.pad(key_padding_mask, (0, 1))
        # (L, N, E) -> (N * H, L, hd)
        q = q.reshape(tgt_len, bsz * H, hd).transpose(0, 1)
        k = k.reshape(k.shape[0], bsz * H, hd).transpose(0, 1)
        v = v.reshape(v.shape[0], bsz * H, hd).transpose(0, 1)
        if self.add_zero_attn:
            k = _C.cat([k, _zeros(bsz * H, 1, hd, dtype=k.dtype, device=k.device)], 1)
            v = _C.cat([v, _zeros(bsz * H, 1, hd, dtype=v.dtype, device=v.device)], 1)
            if attn_mask is not None:
                attn_mask = F.pad(attn_mask, (0, 1))
            if key_padding_mask is not None:
                key_padding_mask = F.pad(key_padding_mask, (0, 1))
        src_len = k.shape[1]
        if key_padding_mask is not None:
            kpm = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(bsz, H, 1, src_len)
            kpm = kpm.reshape(bsz * H, 1, src_len)
            attn_mask = kpm if attn_mask is None else attn_mask + kpm
        p = self.dropout if self.training else 0.0
        if attn_mask is not None:
            # torch's baddbmm: the mask is added before the one rounding of the product (so
            # half/bfloat16 scores round once, not twice)
            if attn_mask.dtype != q.dtype:  # baddbmm takes one dtype (a float32 mask, float64 q)
                attn_mask = attn_mask.to(q.dtype)
            scores = _C.baddbmm(attn_mask, q * math.sqrt(1.0 / hd), k.transpose(-2, -1))
        else:
            scores = _C.matmul(q * math.sqrt(1.0 / hd), k.transpose(-2, -1))
        weights = _C.softmax(scores, -1, None)
        if p > 0.0:
            weights = F.dropout(weights, p)
        out = _C.matmul(weights, v)  # (N * H, L, hd)
        out = out.transpose(0, 1).reshape(tgt_len * bsz, E)
        out = self.out_proj(out).reshape(tgt_len, bsz, E)
        if self.batch_first and batched:
            out = out.transpose(1, 0)
        if not batched:
            out = out.squeeze(1)
        if not need_weights:
            return out, None
        weights = weights.reshape(bsz, H, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(1)
        if not batched:
            weights = weights.squeeze(0)
        return out, weights
