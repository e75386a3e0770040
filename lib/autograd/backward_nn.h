// Declarations of the long backward formulas in backward_nn.cpp (used by derivatives.cpp).
#pragma once
#include <vector>

#include <tapegrad/ops/ops.h>

namespace tapegrad {
namespace detail {

Tensor prod_backward(const Tensor& g, const Tensor& self, const Tensor& result, int64_t dim,
                     bool keepdim, bool all);
Tensor gelu_backward(const Tensor& g, const Tensor& x, bool tanh_approx);
TensorList layer_norm_backward(const Tensor& g, const Tensor& x, const Tensor& w,
                               const std::vector<int64_t>& dims, double eps,
                               const std::vector<bool>& needs);
TensorList batch_norm_backward(const Tensor& g, const Tensor& x, const Tensor& w,
                               const Tensor& running_mean, const Tensor& running_var,
                               bool training, double eps, const std::vector<bool>& needs);
TensorList group_norm_backward(const Tensor& g, const Tensor& x, const Tensor& w,
                               int64_t groups, double eps, const std::vector<bool>& needs);
Tensor embedding_backward(const Tensor& g, const Tensor& flat_idx, const Shape& weight_sizes,
                          int64_t padding_idx, bool scale_grad_by_freq);
TensorList convolution_backward(const Tensor& g, const Tensor& x, const Tensor& w,
                                const std::vector<int64_t>& p, const std::vector<bool>& needs);
Tensor max_pool2d_backward(const Tensor& g, const Tensor& indices, const Shape& in_sizes);
// Reflect / replicate padding (defined in lib/ops/pad.cpp, next to the forward's index maps).
Tensor index_pad_backward(const Tensor& g, const Shape& in_sizes, const std::vector<int64_t>& pad,
                          bool reflect);

}  // namespace detail
}  // namespace tapegrad
