// Vector norms and NaN-ignoring sums: linalg_vector_norm (LinalgVectorNormBackward0; torch.norm
// and torch.linalg.norm's vector cases sit on it in Python), dist (DistBackward0), nansum
// (NansumBackward0) and nanmean (nansum / count, DivBackward0 as torch's composite).
#include <cmath>

#include <tapegrad/ops/math_extra.h>

#include "common.h"

namespace tapegrad {

using namespace detail;

namespace {

// ||x||_ord over `rdims` (normalised; empty = all) of a float tensor, without history.
Tensor norm_values(const Tensor& x, double ord, const std::vector<int64_t>& rdims, bool keepdim) {
  NoGradGuard ng;
  if (ord == 0)
    return to(sum(compare(CmpId::Ne, x, wrapped_scalar(0.0)), rdims, keepdim), x.dtype());
  Tensor a = abs(x);
  if (std::isinf(ord)) {
    if (x.dim() == 0) return a;
    return ord > 0 ? amax(a, rdims, keepdim) : amin(a, rdims, keepdim);
  }
  if (ord == 1) return sum(a, rdims, keepdim);
  if (ord == 2) return sqrt(sum(mul(a, a), rdims, keepdim));
  return pow(sum(pow(a, Scalar(ord)), rdims, keepdim), Scalar(1.0 / ord));
}

}  // namespace

Tensor linalg_vector_norm(const Tensor& a, double ord, const std::vector<int64_t>& dims,
                          bool keepdim, std::optional<DType> dtype) {
  TG_CHECK(is_floating(a.dtype()),
           "linalg.vector_norm: Expected a floating point or complex tensor as input. Got ",
           dtype_legacy_name(a.dtype()));
  if (dtype)
    TG_CHECK(is_floating(*dtype), "linalg.vector_norm: dtype should be floating point or "
             "complex, but got ", dtype_legacy_name(*dtype));
  std::vector<int64_t> rdims = norm_dims(a, dims);
  if (ord < 0 || std::isinf(ord)) {
    bool empty_reduced = a.numel() == 0;
    if (!dims.empty()) {
      empty_reduced = false;
      for (auto d : rdims) empty_reduced = empty_reduced || a.sizes()[d] == 0;
    }
    TG_CHECK(!empty_reduced, "linalg.vector_norm cannot compute the ", std::isinf(ord) && ord > 0
             ? "inf" : (std::isinf(ord) ? "-inf" : std::to_string(ord)),
             " norm on an empty tensor because the operation does not have an identity");
  }
  Tensor x = dtype && *dtype != a.dtype() ? to(a, *dtype) : a;
  Tensor out = norm_values(x, ord, rdims, keepdim);
  if (auto node = maybe_node(OpId::LinalgVectorNorm, {x})) {
    node->saved.emplace_back(x, false);
    node->f = {ord};
    node->i = dims.empty() ? std::vector<int64_t>{} : rdims;
    node->i.push_back(keepdim);
    node->shape = x.sizes();
    set_history(out, node);
    node->saved.emplace_back(out, true);
  }
  return out;
}

Tensor dist(const Tensor& a, const Tensor& b, double p) {
  check_same_device(a, b, "dist");
  const DType dt = result_type(a, b);
  TG_CHECK(is_floating(dt), "linalg.vector_norm: Expected a floating point or complex tensor as "
           "input. Got ", dtype_legacy_name(dt));
  Tensor out;
  {
    NoGradGuard ng;
    out = norm_values(sub(cast_for_kernel(a, dt), cast_for_kernel(b, dt)), p, {}, false);
  }
  if (auto node = maybe_node(OpId::Dist, {a, b})) {
    node->saved.emplace_back(a, false);
    node->saved.emplace_back(b, false);
    node->f = {p};
    set_history(out, node);
    node->saved.emplace_back(out, true);
  }
  return out;
}

Tensor nansum(const Tensor& a, const std::vector<int64_t>& dims, bool keepdim,
              std::optional<DType> dtype) {
  std::vector<int64_t> rdims = norm_dims(a, dims);
  Tensor out;
  {
    NoGradGuard ng;
    Tensor x = is_floating(a.dtype()) ? where(isnan(a), wrapped_scalar(0.0), a) : a;
    out = sum(x, rdims, keepdim, dtype);
  }
  if (!is_floating(out.dtype())) return out;
  if (auto node = maybe_node(OpId::Nansum, {a})) {
    node->saved.emplace_back(a, false);
    node->i = rdims;
    node->i.push_back(keepdim);
    node->shape = a.sizes();
    set_history(out, node);
  }
  return out;
}

Tensor nanmean(const Tensor& a, const std::vector<int64_t>& dims, bool keepdim,
               std::optional<DType> dtype) {
  TG_CHECK(is_floating(a.dtype()), "nanmean(): expected input to have floating point or complex "
           "dtype but got ", dtype_legacy_name(a.dtype()));
  Tensor count = sum(logical_not(isnan(a)), norm_dims(a, dims), keepdim);
  return div(nansum(a, dims, keepdim, dtype), count);
}

}  // namespace tapegrad
