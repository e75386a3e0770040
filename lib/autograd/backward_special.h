// The backward formulas of helper S's torch.special rows (special_ops.h), defined in
// backward_special.cpp and called from derivatives.cpp's switch.
#pragma once
#include <tapegrad/autograd/node.h>

namespace tapegrad {
namespace detail {

TensorList special_backward(Node& node, const Tensor& g);

}  // namespace detail
}  // namespace tapegrad
