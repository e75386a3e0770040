"""nn.functional.scaled_dot_product_attention, composed from matmul, softmax and dropout as the
formula in torch's documentation: softmax(q k^T * scale + bias) v, where bias comes from
attn_mask (bool: False = masked out; float: added) and is_causal (lower triangle kept). Rows
masked out entirely give zeros, not NaN (torch's safe softmax)."""
import math

from .. import _C
from .._factories import ones as _ones, zeros as _zeros


def _check_qkv_dtypes(query, key, value):
    from .._dtype_names import c_type_name, type_name
    if not (query.dtype == key.dtype == value.dtype):
        raise RuntimeError("Expected query, key, and value to have the same dtype, but got "
                           f"query.dtype: {c_type_name(query.dtype)} key.dtype: "
                           f"{c_type_name(key.dtype)} and value.dtype: "
                           f"{c_type_name(value.dtype)} instead.")
    if not query.is_floating_point():  # torch's math path scales query by a float first
        raise RuntimeError(f"expected scalar type Float but found {type_name(query.dtype)}")


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set "
                           "when is_causal=True")
    _check_qkv_dtypes(query, key, value)
    L, S = query.size(-2), key.size(-2)
    scale_factor = 1 / math.sqrt(query.size(-1)) if scale is None else scale
    if enable_gqa and query.dim() >= 3 and key.size(-3) != query.size(-3):
        # grouped-query attention: each key/value head serves query.size(-3) // heads queries
        rep = query.size(-3) // key.size(-3)
        key = _repeat_heads(key, rep)
        value = _repeat_heads(value, rep)
    # half/bfloat16 (torch's CPU kernels): the math path (any input not 4-D, or an attn_mask)
    # computes in float32 and rounds once; the flash path (4-D q/k/v, no mask) also works in
    # float32 but rounds the unnormalised softmax numerators exp(s - max) to the input dtype
    # before the product with value, dividing by their float32 sum afterwards
    low = None
    if query.dtype in (_C.float16, _C.bfloat16) and key.dtype == query.dtype and \
            value.dtype == query.dtype:
        low = query.dtype
        flash = query.dim() == 4 and key.dim() == 4 and value.dim() == 4 and attn_mask is None
        query, key, value = query.float(), key.float(), value.float()
        if attn_mask is not None and attn_mask.dtype != _C.bool:
            attn_mask = attn_mask.float()
    scores = _C.matmul(query, key.transpose(-2, -1)) * scale_factor
    neg_inf = float("-inf")
    if is_causal:
        keep = _ones(L, S, dtype=_C.bool, device=query.device).tril(0)
        scores = scores.masked_fill(keep.logical_not(), neg_inf)
    if attn_mask is not None:
        if attn_mask.dtype == _C.bool:
            scores = scores.masked_fill(attn_mask.logical_not(), neg_inf)
        else:
            scores = scores + attn_mask
    if low is not None and flash and dropout_p == 0.0:
        top = scores.amax(-1, keepdim=True).detach()
        top = _C.where(top == neg_inf, _zeros((), dtype=top.dtype, device=top.device), top)
        num = (scores - top).exp()
        total = num.sum(-1, keepdim=True)
        out = _C.matmul(num.to(low).float(), value) / total
        if is_causal:
            dead = (scores == neg_inf).all(-1, keepdim=True)
            out = _C.where(dead, _zeros((), dtype=out.dtype, device=out.device), out)
        return out.to(low)
    weights = _C.softmax(scores, -1, None)
    if is_causal or attn_mask is not None:
        dead = (scores == neg_inf).all(-1, keepdim=True)
        weights = _C.where(dead, _zeros((), dtype=weights.dtype, device=weights.device), weights)
    if dropout_p > 0.0:
        weights = _C.dropout(weights, dropout_p, True)
    out = _C.matmul(weights, value)
    return out if low is None else out.to(low)


def _repeat_heads(t, rep):
    # (..., H, S, E) -> (..., H * rep, S, E), each head repeated rep times in place
    shape = list(t.shape)
    expanded = t.unsqueeze(-3).expand(shape[:-2] + [rep] + shape[-2:])
    return expanded.reshape(shape[:-3] + [shape[-3] * rep] + shape[-2:])
