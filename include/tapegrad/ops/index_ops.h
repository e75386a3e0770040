// Scatter-style indexing (lib/ops/scatter.cpp) and the small products and shape ops with a
// node of their own (lib/ops/products.cpp): torch's names, arguments and checks. Kept out of
// ops.h so that adding to them does not rebuild everything that includes the core API.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include <tapegrad/ops/ops.h>

namespace tapegrad {

// ---- lib/ops/scatter.cpp ----
// out = a with out[..idx[j]..] = src[j] along dim (the value form writes `value`). reduce
// "add"/"multiply" is torch's legacy scatter(reduce=): computed as scatter_reduce sum/prod.
Tensor scatter(const Tensor& a, int64_t dim, const Tensor& idx, const Tensor& src,
               const std::string& reduce = "");
Tensor scatter(const Tensor& a, int64_t dim, const Tensor& idx, Scalar value,
               const std::string& reduce = "");
// reduce: "sum", "prod", "mean", "amax" ("max"), "amin" ("min")
Tensor scatter_reduce(const Tensor& a, int64_t dim, const Tensor& idx, const Tensor& src,
                      const std::string& reduce, bool include_self = true);
Tensor index_add(const Tensor& a, int64_t dim, const Tensor& idx, const Tensor& src,
                 Scalar alpha = 1);
Tensor index_copy(const Tensor& a, int64_t dim, const Tensor& idx, const Tensor& src);
Tensor index_fill(const Tensor& a, int64_t dim, const Tensor& idx, Scalar value);
Tensor index_fill(const Tensor& a, int64_t dim, const Tensor& idx, const Tensor& value);  // 0-d
// src's leading elements (row-major) go where the mask (bool, broadcast to a) is true
Tensor masked_scatter(const Tensor& a, const Tensor& mask, const Tensor& src);
Tensor take(const Tensor& a, const Tensor& idx);  // a's flattened elements at idx

// In-place forms (Note [In-place ops]).
Tensor& scatter_(Tensor& a, int64_t dim, const Tensor& idx, const Tensor& src,
                 const std::string& reduce = "");
Tensor& scatter_(Tensor& a, int64_t dim, const Tensor& idx, Scalar value,
                 const std::string& reduce = "");
Tensor& scatter_add_(Tensor& a, int64_t dim, const Tensor& idx, const Tensor& src);
Tensor& scatter_reduce_(Tensor& a, int64_t dim, const Tensor& idx, const Tensor& src,
                        const std::string& reduce, bool include_self = true);
Tensor& index_add_(Tensor& a, int64_t dim, const Tensor& idx, const Tensor& src, Scalar alpha = 1);
Tensor& index_copy_(Tensor& a, int64_t dim, const Tensor& idx, const Tensor& src);
Tensor& index_fill_(Tensor& a, int64_t dim, const Tensor& idx, Scalar value);
Tensor& index_fill_(Tensor& a, int64_t dim, const Tensor& idx, const Tensor& value);
Tensor& masked_scatter_(Tensor& a, const Tensor& mask, const Tensor& src);

// ---- lib/ops/products.cpp ----
// a's last dim laid on the diagonal (offset) of the new dims dim1, dim2 of the result
Tensor diag_embed(const Tensor& a, int64_t offset = 0, int64_t dim1 = -2, int64_t dim2 = -1);
Tensor diagonal_copy(const Tensor& a, int64_t offset = 0, int64_t dim1 = 0, int64_t dim2 = 1);
Tensor diag(const Tensor& a, int64_t diagonal = 0);  // 1-D -> matrix, 2-D -> its diagonal
Tensor trace(const Tensor& a);
Tensor vdot(const Tensor& a, const Tensor& b);
Tensor addmv(const Tensor& self, const Tensor& mat, const Tensor& vec, Scalar beta = 1,
             Scalar alpha = 1);
Tensor addr(const Tensor& self, const Tensor& vec1, const Tensor& vec2, Scalar beta = 1,
            Scalar alpha = 1);
Tensor addbmm(const Tensor& self, const Tensor& b1, const Tensor& b2, Scalar beta = 1,
              Scalar alpha = 1);
Tensor baddbmm(const Tensor& self, const Tensor& b1, const Tensor& b2, Scalar beta = 1,
               Scalar alpha = 1);
Tensor& addmv_(Tensor& self, const Tensor& mat, const Tensor& vec, Scalar beta = 1,
               Scalar alpha = 1);
Tensor& addr_(Tensor& self, const Tensor& vec1, const Tensor& vec2, Scalar beta = 1,
              Scalar alpha = 1);
Tensor& addbmm_(Tensor& self, const Tensor& b1, const Tensor& b2, Scalar beta = 1,
                Scalar alpha = 1);
Tensor& baddbmm_(Tensor& self, const Tensor& b1, const Tensor& b2, Scalar beta = 1,
                 Scalar alpha = 1);
Tensor rot90(const Tensor& a, int64_t k = 1, const std::vector<int64_t>& dims = {0, 1});
Tensor block_diag(const TensorList& ts);

namespace detail {
// An in-place op from its out-of-place form f (Note [In-place ops]): `a` takes f(a)'s value and,
// when a or `other` requires grad, its node. f's result must have a's shape and dtype.
Tensor& inplace_from(Tensor& a, const Tensor& other, const std::function<Tensor(const Tensor&)>& f,
                     const Tensor& other2 = Tensor());

// Flat element offsets (using `strides`) of idx's positions with dim `dim` replaced by the
// index value (gather/scatter's addressing); checks each value against sizes[dim].
Tensor dim_offsets(const Tensor& idx, int64_t dim, const Shape& sizes, const Shape& strides);
// Builds indexing offsets with tensor ops on the operand's device for CPU tensors too (a CUDA
// tensor's are always built so): the tests' way to run the GPU path's logic on a CPU (Note
// [Index plans on the device] in lib/ops/index_plan.h).
void set_index_plans_on_device(bool always);
bool index_plans_on_device(Device dev);  // for dev: a CUDA device, or the switch is on
}  // namespace detail

}  // namespace tapegrad
