// Statistical reductions built from primitives: logsumexp (max-shifted for stability), var and
// std with torch's `correction`. Each records the dedicated node torch shows; the formulas in
// derivatives.cpp recompute what they need with differentiable ops.
#include <cmath>

#include "common.h"

namespace tapegrad {

using namespace detail;

namespace {

// Wrapped, sorted, de-duplicated dims; empty = all dims.
std::vector<int64_t> reduce_dims(const Tensor& a, const std::vector<int64_t>& dims) {
  std::vector<int64_t> out;
  if (a.dim() == 0) {
    for (auto d : dims) wrap_dim(d, 0);  // range check only
    return out;
  }
  if (dims.empty()) {
    for (int64_t d = 0; d < a.dim(); ++d) out.push_back(d);
    return out;
  }
  std::vector<bool> seen(a.dim(), false);
  for (auto d : dims) {
    int64_t w = wrap_dim(d, a.dim());
    TG_CHECK(!seen[w], "dim ", w, " appears multiple times in the list of dims");
    seen[w] = true;
  }
  for (int64_t d = 0; d < a.dim(); ++d)
    if (seen[d]) out.push_back(d);
  return out;
}

Tensor drop_dims(const Tensor& t, const std::vector<int64_t>& dims, bool keepdim) {
  if (keepdim || dims.empty()) return t;
  return squeeze(t, dims);
}

Tensor var_impl(OpId op, const Tensor& a, const std::vector<int64_t>& dims, double correction,
                bool keepdim) {
  TG_CHECK(is_floating(a.dtype()), "std and var only support floating point and complex dtypes");
  auto rd = reduce_dims(a, dims);
  int64_t n = 1;
  for (auto d : rd) n *= a.sizes()[d];
  // no elements: NaN whatever the correction (0 / 0; torch fills an empty reduction with NaN)
  const double divisor = n == 0 ? 0.0 : std::max(static_cast<double>(n) - correction, 0.0);
  Tensor out;
  {
    // float32 inputs accumulate in float64 (torch's result is the correctly rounded value)
    NoGradGuard g;
    // (half/bfloat16 too: torch computes in float and rounds once)
    Tensor x = a.dtype() != DType::Float64 ? to(detach(a), DType::Float64) : detach(a);
    Tensor centred = rd.empty() ? sub(x, x) : sub(x, mean(x, rd, true));
    Tensor ss = rd.empty() ? mul(centred, centred) : sum(mul(centred, centred), rd, true);
    out = div(ss, scalar_tensor(divisor, x.dtype()));
    if (op == OpId::Std) out = sqrt(out);
    out = to(contiguous(drop_dims(out, rd, keepdim)), a.dtype());
  }
  out = detach(out);
  if (auto node = maybe_node(op, {a})) {
    node->saved.emplace_back(a, false);
    node->i = rd;
    node->i.push_back(keepdim);
    // the backward divides by n - correction unclamped, as torch's var_backward (a correction
    // above n gives a finite gradient there, where the forward's clamped divisor gives inf)
    node->f = {static_cast<double>(n) - correction};
    node->f.insert(node->f.end(), dims.begin(), dims.end());  // as given (Note [Saved attributes])
    set_history(out, node);
    node->saved.emplace_back(op == OpId::Std ? out : Tensor(), true);
  }
  return out;
}

}  // namespace

Tensor logsumexp(const Tensor& a, const std::vector<int64_t>& dims, bool keepdim) {
  auto rd = reduce_dims(a, dims);
  Tensor out;
  {
    NoGradGuard g;
    Tensor x = is_floating(a.dtype()) ? detach(a) : to(detach(a), default_dtype());
    bool nonempty = true;
    for (auto d : rd) nonempty = nonempty && a.sizes()[d] > 0;
    Tensor m;
    if (rd.empty()) {
      m = x;
    } else if (nonempty) {
      m = amax(x, rd, true);
    } else {
      m = zeros(sum(x, rd, true).sizes(), x.dtype(), x.device());
    }
    // An infinite max would give inf - inf: shift by 0 there instead.
    m = where(compare(CmpId::Eq, abs(m), wrapped_scalar(INFINITY)), zeros({}, x.dtype()), m);
    Tensor e = exp(sub(x, m));
    Tensor s = rd.empty() ? e : sum(e, rd, true);
    out = contiguous(drop_dims(add(log(s), m), rd, keepdim));
  }
  out = detach(out);
  if (auto node = maybe_node(OpId::Logsumexp, {a})) {
    node->saved.emplace_back(a, false);
    node->i = rd;
    node->i.push_back(keepdim);
    node->f.assign(dims.begin(), dims.end());  // as given (Note [Saved attributes])
    set_history(out, node);
    node->saved.emplace_back(out, true);
  }
  return out;
}

Tensor var(const Tensor& a, const std::vector<int64_t>& dims, double correction, bool keepdim) {
  return var_impl(OpId::Var, a, dims, correction, keepdim);
}
Tensor std(const Tensor& a, const std::vector<int64_t>& dims, double correction, bool keepdim) {
  return var_impl(OpId::Std, a, dims, correction, keepdim);
}

}  // namespace tapegrad
