// Declarations of the backward formulas of split/unbind (multi-output views), repeat and the
// scans (cumsum, cumprod), defined in backward_shape.cpp and used by derivatives.cpp.
#pragma once
#include <vector>

#include <tapegrad/ops/ops.h>

namespace tapegrad {
namespace detail {

// i = {dim (wrapped), dim as given, split_size (-1 for split_with_sizes), piece sizes...}
Tensor split_backward(const TensorList& grads, const std::vector<int64_t>& i,
                      const Shape& in_sizes);
Tensor unbind_backward(const TensorList& grads, int64_t dim, const Shape& in_sizes);
Tensor repeat_backward(const Tensor& g, const std::vector<int64_t>& repeats,
                       const Shape& in_sizes);
Tensor cumsum_backward(const Tensor& g, int64_t dim);
Tensor cumprod_backward(const Tensor& g, const Tensor& self, const Tensor& result, int64_t dim);

}  // namespace detail
}  // namespace tapegrad
