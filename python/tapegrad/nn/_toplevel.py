"""torch's top-level forms of the layer functionals added with instance/rms norm,
the 1-d pools, conv1d and conv_transpose2d (torch.conv1d, torch.group_norm, ...): the aten
signatures, which differ from nn.functional's where noted (instance_norm's argument order,
adaptive_max_pool1d's (values, indices) result, cudnn_enabled flags)."""
from . import _norm_functional as _norm
from . import _pool_functional as _pool

__all__ = ["adaptive_avg_pool1d", "adaptive_max_pool1d", "avg_pool1d", "conv1d",
           "conv_transpose2d", "instance_norm", "max_pool1d",
           "max_pool1d_with_indices", "rms_norm"]

adaptive_avg_pool1d = _pool.adaptive_avg_pool1d
avg_pool1d = _pool.avg_pool1d
conv1d = _pool.conv1d
conv_transpose2d = _pool.conv_transpose2d
rms_norm = _norm.rms_norm


def adaptive_max_pool1d(input, output_size):
    return _pool.adaptive_max_pool1d_with_indices(input, output_size)


def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return _pool.max_pool1d_with_indices(input, kernel_size, stride, padding, dilation,
                                         ceil_mode)[0]


def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1,
                            ceil_mode=False):
    return _pool.max_pool1d_with_indices(input, kernel_size, stride, padding, dilation,
                                         ceil_mode)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum,
                  eps, cudnn_enabled):
    return _norm.instance_norm(input, running_mean, running_var, weight, bias, use_input_stats,
                               momentum, eps)
