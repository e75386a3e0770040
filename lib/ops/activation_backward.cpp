// The backward ops of relu, sigmoid and tanh as differentiable ops of their own (torch's
// threshold_backward, sigmoid_backward, tanh_backward): with create_graph their nodes are
// ThresholdBackwardBackward0 / SigmoidBackwardBackward0 / TanhBackwardBackward0 with inputs
// (grad, y), so a second derivative reaches the saved result y as torch's does (relu's is zero
// there, but connected). Values come from the one-pass kernels (kernels/fused.h) on plain CPU
// float operands, else from the composite formula computed without recording.
#include <tapegrad/autograd/grad_mode.h>
#include <tapegrad/kernels/fused.h>

#include "common.h"

namespace tapegrad {

namespace {

using Fused = void (*)(const Tensor&, const Tensor&, const Tensor&);

template <class Composite>
Tensor activation_backward(OpId op, Fused kernel, const Tensor& g, const Tensor& y,
                           Composite composite) {
  Tensor out;
  if (g.dtype() == y.dtype() && y.device().is_cpu() && g.device().is_cpu() &&
      g.sizes() == y.sizes() && (y.dtype() == DType::Float32 || y.dtype() == DType::Float64)) {
    out = empty(y.sizes(), y.dtype(), y.device());
    kernel(out, g, y);
  } else {
    NoGradGuard no_grad;
    out = composite(detach(g), detach(y));
  }
  if (auto node = maybe_node(op, {g, y})) {
    node->saved.emplace_back(g, false);  // saved[0] = grad_output, saved[1] = y
    node->saved.emplace_back(y, false);
    set_history(out, node);
  }
  return out;
}

}  // namespace

Tensor threshold_backward(const Tensor& g, const Tensor& y) {
  return activation_backward(OpId::ThresholdBackward, kern::relu_backward, g, y,
                             [](const Tensor& gg, const Tensor& yy) {
                               return where(compare(CmpId::Gt, yy, wrapped_scalar(0)), gg, wrapped_scalar(0));
                             });
}

Tensor sigmoid_backward(const Tensor& g, const Tensor& y) {
  return activation_backward(OpId::SigmoidBackward, kern::sigmoid_backward, g, y,
                             [](const Tensor& gg, const Tensor& yy) {
                               return mul(mul(gg, rsub(yy, 1)), yy);
                             });
}

Tensor tanh_backward(const Tensor& g, const Tensor& y) {
  return activation_backward(OpId::TanhBackward, kern::tanh_backward, g, y,
                             [](const Tensor& gg, const Tensor& yy) {
                               return mul(gg, rsub(mul(yy, yy), 1));
                             });
}

}  // namespace tapegrad
