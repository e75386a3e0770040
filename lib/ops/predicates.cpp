// Elementwise tests and truth reductions with bool results and no history (isnan, isinf,
// isfinite, all, any), and round(x, decimals) (RoundBackward1), all written from existing ops.
#include <cmath>
#include <limits>

#include "common.h"

namespace tapegrad {

using namespace detail;

namespace {

Tensor sc(double v) { return wrapped_scalar(v); }

// Whether each element is nonzero (NaN counts as nonzero, as in torch).
Tensor nonzero_mask(const Tensor& a) { return compare(CmpId::Ne, detach(a), sc(0)); }

// all/any over dims: count the elements that decide it (zeros for all, nonzeros for any).
Tensor truth_reduce(const Tensor& a, const std::vector<int64_t>* dims, bool keepdim,
                    bool is_all) {
  if (dims && dims->empty()) return nonzero_mask(a);  // dim=(): each element on its own
  Tensor decisive = is_all ? compare(CmpId::Eq, detach(a), sc(0)) : nonzero_mask(a);
  Tensor count = dims ? sum(decisive, *dims, keepdim, DType::Int64) : sum(decisive, DType::Int64);
  return compare(is_all ? CmpId::Eq : CmpId::Gt, count, sc(0));
}

}  // namespace

Tensor isnan(const Tensor& a) {
  if (!is_floating(a.dtype())) return zeros(a.sizes(), DType::Bool, a.device());
  Tensor x = detach(a);
  return compare(CmpId::Ne, x, x);
}

Tensor isinf(const Tensor& a) {
  if (!is_floating(a.dtype())) return zeros(a.sizes(), DType::Bool, a.device());
  return compare(CmpId::Eq, abs(detach(a)), sc(std::numeric_limits<double>::infinity()));
}

Tensor isfinite(const Tensor& a) {
  if (!is_floating(a.dtype())) return ones(a.sizes(), DType::Bool, a.device());
  // NaN compares false, so it is not finite either
  return compare(CmpId::Lt, abs(detach(a)), sc(std::numeric_limits<double>::infinity()));
}

Tensor all(const Tensor& a) { return truth_reduce(a, nullptr, false, true); }
Tensor all(const Tensor& a, const std::vector<int64_t>& dims, bool keepdim) {
  return truth_reduce(a, &dims, keepdim, true);
}
Tensor any(const Tensor& a) { return truth_reduce(a, nullptr, false, false); }
Tensor any(const Tensor& a, const std::vector<int64_t>& dims, bool keepdim) {
  return truth_reduce(a, &dims, keepdim, false);
}

// torch's round.decimals: x * 10^d rounded half to even, then / 10^d (for d < 0: x / 10^-d,
// rounded, * 10^-d), each step in the input's dtype (in float for half/bfloat16).
Tensor round(const Tensor& a, int64_t decimals) {
  if (!is_floating(a.dtype()))
    TG_ERROR_KIND(NotImplemented, "\"round_cpu\" not implemented for '",
                  dtype_legacy_name(a.dtype()), "'");
  Tensor out;
  {
    NoGradGuard guard;
    // half/bfloat16: the steps run in float and round once, as torch's opmath kernel
    const bool half = a.dtype() == DType::Float16 || a.dtype() == DType::BFloat16;
    Tensor x = half ? to(detach(a), DType::Float32) : detach(a);
    const double p = std::pow(10.0, static_cast<double>(decimals < 0 ? -decimals : decimals));
    out = decimals < 0 ? mul(round(div(x, sc(p))), sc(p)) : div(round(mul(x, sc(p))), sc(p));
    if (half) out = to(out, a.dtype());
  }
  if (auto node = maybe_node(OpId::RoundDecimals, {a})) {
    node->i = {decimals};
    set_history(out, node);
  }
  return out;
}

}  // namespace tapegrad
