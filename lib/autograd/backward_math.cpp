// Backward formulas of the vector norms, logcumsumexp and the value-selecting reductions
// (median/kthvalue/mode along a dim) from helper M's block of derivatives.cpp. Written with
// differentiable tapegrad ops, so gradients of gradients follow.
#include <cmath>
#include <limits>

#include "../ops/common.h"
#include <tapegrad/ops/math_extra.h>

namespace tapegrad {
namespace detail {

namespace {
Tensor sc(double v) { return wrapped_scalar(v); }
}  // namespace

// d||x||_p / dx with torch's conventions: p = 0 gives no gradient, p = 1 sgn(x), p = 2 x / norm (0 for
// a zero norm), +-inf splits the gradient evenly among the elements that reach the norm, p < 1
// is 0 at x = 0, and other p: sgn(x) |x|^(p-1) / norm^(p-1) (0 for a zero norm).
Tensor norm_backward(const Tensor& g0, const Tensor& self, const Tensor& result0, double p,
                     const std::vector<int64_t>& dims, bool keepdim) {
  Tensor g = g0, norm = result0;
  if (!keepdim && !dims.empty())
    for (auto d : dims) {
      g = unsqueeze(g, d);
      norm = unsqueeze(norm, d);
    }
  Tensor zero_norm = compare(CmpId::Eq, norm, sc(0));
  if (p == 0) return Tensor();  // undefined, as torch's (the input's grad stays None)
  if (p == 1) return mul(g, sgn(self));
  if (p == 2) return mul(self, where(zero_norm, sc(0), div(g, norm)));
  if (std::isinf(p)) {
    Tensor mask = compare(CmpId::Eq, abs(self), norm);
    Tensor count = dims.empty() ? sum(mask) : sum(mask, dims, true);
    return mul(mul(sgn(self), mask), div(g, count));
  }
  Tensor a = abs(self);
  if (p < 1) {
    Tensor scaled = mul(sgn(self), where(compare(CmpId::Eq, self, sc(0)), sc(0),
                                         pow(a, Scalar(p - 1))));
    return mul(mul(scaled, g), pow(norm, Scalar(1 - p)));
  }
  Tensor scaled = mul(sgn(self), pow(a, Scalar(p - 1)));
  return mul(scaled, where(zero_norm, sc(0), div(g, pow(norm, Scalar(p - 1)))));
}

// out_i = sum_{j >= i} g_j exp(x_i - r_j), with r = logcumsumexp(x). Positive and negative
// parts of g go through log space separately (a reversed logcumsumexp), so nothing overflows.
Tensor logcumsumexp_backward(const Tensor& g, const Tensor& self, const Tensor& result,
                             int64_t dim) {
  if (self.dim() == 0 || self.numel() == 0) return g;
  auto rev_lcse = [&](const Tensor& v) { return flip(logcumsumexp(flip(v, {dim}), dim), {dim}); };
  // log|g| split by sign; the other entries get the lowest finite value rather than log(0) =
  // -inf, whose -inf - (-inf) would poison the double backward with NaN (torch's formulation).
  Tensor pos = compare(CmpId::Gt, g, sc(0)), negm = compare(CmpId::Lt, g, sc(0));
  Tensor log_abs = log(abs(g));
  const double big = float_dtype_max(g.dtype());
  Tensor lowest = full({}, -big, g.dtype(), g.device());
  Tensor lp = where(pos, log_abs, lowest), ln = where(negm, log_abs, lowest);
  Tensor gp = exp(add(self, rev_lcse(sub(lp, result))));
  Tensor gn = exp(add(self, rev_lcse(sub(ln, result))));
  return sub(gp, gn);
}

Tensor value_selecting_backward(const Tensor& g, int64_t dim, const Tensor& indices,
                                const Shape& sizes, bool keepdim) {
  if (sizes.empty()) return g;
  Tensor gg = g, idx = indices;
  if (!keepdim) {
    gg = unsqueeze(gg, dim);
    idx = unsqueeze(idx, dim);
  }
  return scatter_add(zeros(sizes, g.dtype(), g.device()), dim, idx, gg);
}

// node: saved[0] = self (+ saved[1] = std for std_mean; saved[1] = min, saved[2] = max for
// aminmax); i = reduced dims..., keepdim; f = {divisor, dims as given...} for var/std_mean.
Tensor two_output_reduction_backward(Node& node, const TensorList& grads) {
  Tensor self = node.saved_at(0);
  const std::vector<int64_t> dims(node.i.begin(), node.i.end() - 1);
  const bool keep = node.i.back();
  auto restore = [&](const Tensor& t) {
    Tensor r = t;
    if (!keep && self.dim() > 0)
      for (auto d : dims) r = unsqueeze(r, d);
    return r;
  };
  auto grad_at = [&](size_t k) { return k < grads.size() ? grads[k] : Tensor(); };
  Tensor total;
  auto accumulate = [&](const Tensor& t) { total = total.defined() ? add(total, t) : t; };
  if (node.op == OpId::Aminmax) {
    for (size_t k = 0; k < 2; ++k) {
      Tensor g = grad_at(k);
      if (!g.defined()) continue;
      Tensor mask = compare(CmpId::Eq, self, restore(node.saved_at(1 + k)));
      Tensor count = self.dim() == 0 ? mask : sum(mask, dims, true);
      accumulate(mul(div(restore(g), count), mask));
    }
  } else {
    const double divisor = node.f[0];
    double count = 1;
    for (auto d : dims) count *= static_cast<double>(self.sizes()[d]);
    if (Tensor g = grad_at(0); g.defined()) {
      Tensor gu = restore(g);
      if (node.op == OpId::StdMean) gu = div(gu, mul(restore(node.saved_at(1)), sc(2)));
      Tensor centred = self.dim() ? sub(self, mean(self, dims, true)) : sub(self, self);
      accumulate(mul(mul(gu, centred), sc(2.0 / divisor)));
    }
    if (Tensor g = grad_at(1); g.defined())
      accumulate(div(expand(restore(g), self.sizes()), sc(count)));
  }
  return total;
}

}  // namespace detail
}  // namespace tapegrad
