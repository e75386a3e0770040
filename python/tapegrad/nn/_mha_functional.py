"""nn.functional.multi_head_attention_forward and conv_tbc.

multi_head_attention_forward runs MultiheadAttention.forward's body (one implementation of
torch's attention arithmetic) over explicitly given weights: a small stand-in object carries
them under the attribute names that body reads. Inputs are (L, N, E) or unbatched (L, E), as
in torch's functional. static_k / static_v (precomputed per-head keys and values) are not
supported and say so.
conv_tbc is conv1d on (time, batch, channel) input with a (width, in, out) kernel."""
import types

from . import functional as F


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads,
                                 in_proj_weight, in_proj_bias, bias_k, bias_v, add_zero_attn,
                                 dropout_p, out_proj_weight, out_proj_bias, training=True,
                                 key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None,
                                 static_v=None, average_attn_weights=True, is_causal=False):
    from .modules.activation_attention import MultiheadAttention
    if static_k is not None or static_v is not None:
        raise NotImplementedError("multi_head_attention_forward: static_k / static_v are not "
                                  "supported by tapegrad")
    if query.shape[-1] != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but "
                             f"got {query.shape[-1]}")
    head_dim = embed_dim_to_check // num_heads
    if head_dim * num_heads != embed_dim_to_check:
        raise AssertionError(f"embed_dim {embed_dim_to_check} not divisible by num_heads "
                             f"{num_heads}")
    if use_separate_proj_weight:
        if q_proj_weight is None or k_proj_weight is None or v_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is True but q_proj_weight, "
                                 "k_proj_weight or v_proj_weight is None")
    elif in_proj_weight is None:
        raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
    if (bias_k is None) != (bias_v is None):
        raise AssertionError("bias_k and bias_v must both be given or both be None")
    if not need_weights and key_padding_mask is None and not isinstance(is_causal, bool):
        # torch hands is_causal on to scaled_dot_product_attention only on this path
        raise TypeError("scaled_dot_product_attention(): argument 'is_causal' (position 6) "
                        f"must be bool, not {type(is_causal).__name__}")
    shim = types.SimpleNamespace(
        embed_dim=embed_dim_to_check, num_heads=num_heads, head_dim=head_dim,
        dropout=dropout_p, training=training, batch_first=False,
        _qkv_same_embed_dim=not use_separate_proj_weight, in_proj_weight=in_proj_weight,
        in_proj_bias=in_proj_bias, q_proj_weight=q_proj_weight, k_proj_weight=k_proj_weight,
        v_proj_weight=v_proj_weight, bias_k=bias_k, bias_v=bias_v, add_zero_attn=add_zero_attn,
        out_proj=lambda x: F.linear(x, out_proj_weight, out_proj_bias))
    shim._projections = lambda q, k, v: MultiheadAttention._projections(shim, q, k, v)
    return MultiheadAttention.forward(shim, query, key, value, key_padding_mask=key_padding_mask,
                                      need_weights=need_weights, attn_mask=attn_mask,
                                      average_attn_weights=average_attn_weights,
                                      is_causal=is_causal)


def conv_tbc(input, weight, bias, pad=0):
    """1-d convolution of (T, B, C_in) input with a (k, C_in, C_out) kernel and C_out bias."""
    if input.dim() != 3:
        raise RuntimeError("Input must have 3 dims: time, batch, in_channel")
    if weight.dim() != 3:
        raise RuntimeError("Weight tensor must have 3 dims: kernel_width, in_channels, "
                           "out_channels.")
    if bias.dim() != 1 or bias.shape[0] != weight.shape[2]:
        raise RuntimeError("Bias size must equal dim 2 in the weight tensor (output "
                           "channels).")
    if input.shape[2] != weight.shape[1]:
        raise RuntimeError("Input dim 2 (input channels) is not == dim 1 in the weight tensor")
    out_len = input.shape[0] + 2 * pad - weight.shape[0] + 1
    if out_len < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {out_len}: "
                           f"[{out_len}, {input.shape[1]}, {weight.shape[2]}]")
    y = F.conv1d(input.permute(1, 2, 0), weight.permute(2, 1, 0), bias, 1, pad)
    return y.permute(2, 0, 1).contiguous()  # torch's (T, B, C_out) result is contiguous
