// Math, reductions and order statistics added after the core set (helper M's block): the
// entry points of the special-function / extra binary rows of ops.def, vector norms, nansum,
// median / nanmedian / kthvalue / mode, the log-space and extremum scans, and the searching
// ops (bucketize, searchsorted, unique, bincount, histc, isin). Implemented in
// lib/ops/math_special.cpp, lib/ops/norms.cpp, lib/ops/order_stats.cpp, lib/ops/searching.cpp.
#pragma once
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include <tapegrad/autograd/node.h>
#include <tapegrad/ops/ops.h>

namespace tapegrad {

// ---- elementwise (lib/ops/math_special.cpp) ----
Tensor polygamma(int64_t n, const Tensor& x);
Tensor copysign(const Tensor& a, const Tensor& b);
Tensor copysign(const Tensor& a, Scalar b);
Tensor float_power(const Tensor& a, const Tensor& b);
Tensor float_power(const Tensor& a, Scalar b);
Tensor float_power(Scalar a, const Tensor& b);
Tensor signbit(const Tensor& a);
Tensor isposinf(const Tensor& a);
Tensor isneginf(const Tensor& a);
Tensor isreal(const Tensor& a);
Tensor bitwise_not(const Tensor& a);
// dtype rules / refusals of the extra binary rows; returns the computation dtype
DType extra_binary_dtype(OpId op, const Tensor& a, const Tensor& b, DType promoted);

// ---- norms (lib/ops/norms.cpp): dims empty = all dims ----
Tensor linalg_vector_norm(const Tensor& a, double ord, const std::vector<int64_t>& dims,
                          bool keepdim = false, std::optional<DType> dtype = std::nullopt);
Tensor dist(const Tensor& a, const Tensor& b, double p = 2);
// cdist (lib/ops/cdist.cpp): torch.cdist with compute_mode 0 (matrix products for p = 2 above 25
// rows), 1 (always for p = 2) or 2 (never); its two recorded forms, _cdist_forward
// (CdistBackward0) and _euclidean_dist (EuclideanDistBackward0)
Tensor cdist(const Tensor& x1, const Tensor& x2, double p = 2,
             std::optional<int64_t> compute_mode = std::nullopt);
Tensor cdist_forward(const Tensor& x1, const Tensor& x2, double p);
Tensor euclidean_dist(const Tensor& x1, const Tensor& x2);
Tensor nansum(const Tensor& a, const std::vector<int64_t>& dims, bool keepdim = false,
              std::optional<DType> dtype = std::nullopt);
Tensor nanmean(const Tensor& a, const std::vector<int64_t>& dims, bool keepdim = false,
               std::optional<DType> dtype = std::nullopt);

// ---- order statistics and scans (lib/ops/order_stats.cpp) ----
Tensor median(const Tensor& a);
Tensor nanmedian(const Tensor& a);
std::pair<Tensor, Tensor> median(const Tensor& a, int64_t dim, bool keepdim = false);
std::pair<Tensor, Tensor> nanmedian(const Tensor& a, int64_t dim, bool keepdim = false);
std::pair<Tensor, Tensor> kthvalue(const Tensor& a, int64_t k, int64_t dim = -1,
                                   bool keepdim = false);
std::pair<Tensor, Tensor> mode(const Tensor& a, int64_t dim = -1, bool keepdim = false);
Tensor logcumsumexp(const Tensor& a, int64_t dim);
std::pair<Tensor, Tensor> cummax(const Tensor& a, int64_t dim);
std::pair<Tensor, Tensor> cummin(const Tensor& a, int64_t dim);
// (var or std, mean) over dims (empty = all) with torch's correction; (min, max) likewise
std::pair<Tensor, Tensor> var_mean(const Tensor& a, const std::vector<int64_t>& dims,
                                   double correction = 1, bool keepdim = false);
std::pair<Tensor, Tensor> std_mean(const Tensor& a, const std::vector<int64_t>& dims,
                                   double correction = 1, bool keepdim = false);
std::pair<Tensor, Tensor> aminmax(const Tensor& a, std::optional<int64_t> dim = std::nullopt,
                                  bool keepdim = false);

// ---- searching and counting (lib/ops/searching.cpp): no history ----
Tensor searchsorted(const Tensor& sorted_sequence, const Tensor& input, bool out_int32 = false,
                    bool right = false, const Tensor& sorter = Tensor());
Tensor bucketize(const Tensor& input, const Tensor& boundaries, bool out_int32 = false,
                 bool right = false);
Tensor isin(const Tensor& elements, const Tensor& test_elements, bool assume_unique = false,
            bool invert = false);
Tensor bincount(const Tensor& a, const Tensor& weights = Tensor(), int64_t minlength = 0);
Tensor histc(const Tensor& a, int64_t bins = 100, double min = 0, double max = 0);
// (values, inverse, counts), values sorted (or run by run when consecutive); dim: unique slices
std::tuple<Tensor, Tensor, Tensor> unique_impl(const Tensor& a, bool consecutive,
                                               std::optional<int64_t> dim);
// a random permutation of 0..n-1 drawn as torch's CPU generator draws it
Tensor randperm(int64_t n, DType dt = DType::Int64);

}  // namespace tapegrad

namespace tapegrad {
namespace detail {
// Normalised, sorted, de-duplicated reduction dims; empty list = all dims (lib/ops/reduce.cpp)
std::vector<int64_t> norm_dims(const Tensor& a, const std::vector<int64_t>& dims);
// ||x||_ord over normalised dims (norm_dims) of a float tensor, without history: the values of
// linalg_vector_norm, dist and norm (lib/ops/norms.cpp)
Tensor norm_values(const Tensor& x, double ord, const std::vector<int64_t>& rdims, bool keepdim);
// the gradients of cdist's two nodes ({x1's, x2's}; undefined where not needed)
TensorList cdist_backward(const Tensor& g, const Tensor& x1, const Tensor& x2, double p,
                          const Tensor& result, bool need1, bool need2);
TensorList euclidean_dist_backward(const Tensor& g, const Tensor& x1, const Tensor& x2,
                                   const Tensor& result, bool need1, bool need2);
// backward helpers (lib/autograd/backward_math.cpp)
Tensor norm_backward(const Tensor& g, const Tensor& self, const Tensor& result, double p,
                     const std::vector<int64_t>& dims, bool keepdim);
Tensor logcumsumexp_backward(const Tensor& g, const Tensor& self, const Tensor& result,
                             int64_t dim);
// var_mean / std_mean / aminmax: one node, two outputs, either gradient may be missing
Tensor two_output_reduction_backward(Node& node, const TensorList& grads);
// scatters the gradient of values picked along dim (indices saved) back into `sizes`
Tensor value_selecting_backward(const Tensor& g, int64_t dim, const Tensor& indices,
                                const Shape& sizes, bool keepdim);
}  // namespace detail
}  // namespace tapegrad
