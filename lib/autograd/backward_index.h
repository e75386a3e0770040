// Declarations of the backward formulas of the scatter-style ops and the beta/alpha products
// (index_ops.h), defined in backward_index.cpp and used by derivatives.cpp.
#pragma once
#include <array>

#include <tapegrad/ops/index_ops.h>

namespace tapegrad {
namespace detail {

// reduce: 0 sum, 1 prod, 2 mean, 3 amax, 4 amin (lib/ops/scatter.cpp's Reduce)
TensorList scatter_reduce_backward(const Tensor& g, const Tensor& index, const Tensor& self,
                                   const Tensor& src, const Tensor& result, int64_t dim,
                                   bool include_self, int64_t reduce, std::array<bool, 2> needs);
// index_add / index_copy's source gradient: g's slices at index along dim (times alpha)
Tensor index_source_grad(const Tensor& g, int64_t dim, const Tensor& index, int64_t source_dim,
                         double alpha);
// masked_scatter's source gradient: g where the mask is set, zeros for the unread rest
Tensor masked_scatter_source_grad(const Tensor& g, const Tensor& mask, const Shape& src_sizes);
// addmv / addr / addbmm / baddbmm: gradients of self, and of the two product operands x, y
TensorList addprod_backward(OpId op, const Tensor& g, const Tensor& x, const Tensor& y,
                            double beta, double alpha, std::array<bool, 3> needs);

}  // namespace detail
}  // namespace tapegrad
