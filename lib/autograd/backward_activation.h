// The backward formulas of the activation rows of lib/ops/activation.cpp (used by
// derivatives.cpp, which dispatches every one of those rows here).
#pragma once
#include <tapegrad/autograd/node.h>
#include <tapegrad/ops/ops.h>

namespace tapegrad {
namespace detail {

TensorList activation_backward(Node& node, const Tensor& g);

}  // namespace detail
}  // namespace tapegrad
