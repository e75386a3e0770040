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
// nll_loss's coefficients (defined in lib/ops/nn.cpp, Note [nll coefficients]): -w[t] / scale
// (float64, in_sizes; scale may be undefined) with the weight each target counts (float64), both
// on `device`; and the gradient's, in dtype dt, over the forward's total weight for 'mean'
// (undefined otherwise).
struct NllCoef {
  Tensor coef, counted;
};
NllCoef nll_coef_raw(const Shape& in_sizes, Device device, const Tensor& target,
                     const Tensor& weight, const Tensor& scale, int64_t ignore_index,
                     bool check_bounds);
Tensor nll_loss_coef(const Shape& in_sizes, DType dt, Device device, const Tensor& target,
                     const Tensor& weight, const Tensor& total, int64_t ignore_index);
// nll_loss's gradient for grad_output g (reduction r as an int; total: the forward's total
// weight, used for 'mean'). On CPU float32/float64 without a graph to build it is written by
// kern::nll_loss_bwd (zeros stay +0, as torch's); otherwise g times nll_loss_coef.
Tensor nll_loss_grad(const Shape& in_sizes, const Tensor& g, const Tensor& target,
                     const Tensor& weight, const Tensor& total, int64_t reduction,
                     int64_t ignore_index);

}  // namespace detail
}  // namespace tapegrad
