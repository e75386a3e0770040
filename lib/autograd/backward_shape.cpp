// Backward formulas of split/unbind (several outputs, any of them without a gradient), repeat
// and the scans. Written with differentiable tapegrad ops, so gradients of gradients follow.
#include "backward_shape.h"

#include "../ops/common.h"

namespace tapegrad {
namespace detail {

namespace {
Tensor sc(double v) { return wrapped_scalar(v); }

// The first defined gradient (gives the dtype and device of the zeros that stand in for the
// outputs nobody used); undefined when no output got one.
Tensor first_defined(const TensorList& grads) {
  for (const auto& g : grads)
    if (g.defined()) return g;
  return Tensor();
}

// Sum from position k to the end along dim (cumsum's adjoint).
Tensor reverse_cumsum(const Tensor& t, int64_t dim) {
  return flip(cumsum(flip(t, {dim}), dim), {dim});
}
}  // namespace

Tensor split_backward(const TensorList& grads, const std::vector<int64_t>& i,
                      const Shape& in_sizes) {
  Tensor ref = first_defined(grads);
  if (!ref.defined()) return Tensor();
  const int64_t d = i[0];
  TensorList pieces;
  for (size_t k = 3; k < i.size(); ++k) {
    const size_t out = k - 3;
    if (out < grads.size() && grads[out].defined()) {
      pieces.push_back(grads[out]);
    } else {
      Shape s = in_sizes;
      s[d] = i[k];
      pieces.push_back(zeros(s, ref.dtype(), ref.device()));
    }
  }
  return cat(pieces, d);
}

Tensor unbind_backward(const TensorList& grads, int64_t dim, const Shape& in_sizes) {
  Tensor ref = first_defined(grads);
  if (!ref.defined()) return Tensor();
  Shape s = in_sizes;
  s.erase(s.begin() + dim);
  TensorList pieces;
  for (int64_t k = 0; k < in_sizes[dim]; ++k) {
    const bool has = static_cast<size_t>(k) < grads.size() && grads[k].defined();
    pieces.push_back(has ? grads[k] : zeros(s, ref.dtype(), ref.device()));
  }
  return stack(pieces, dim);
}

// Each output element of repeat is a copy of one input element: view the gradient as
// [r0, s0, r1, s1, ...] (the input's sizes padded with leading 1s to one per repeat) and sum
// the repeat axes.
Tensor repeat_backward(const Tensor& g, const std::vector<int64_t>& repeats,
                       const Shape& in_sizes) {
  const size_t nd = repeats.size(), pad = nd - in_sizes.size();
  Shape split;
  std::vector<int64_t> rep_dims;
  for (size_t k = 0; k < nd; ++k) {
    rep_dims.push_back(static_cast<int64_t>(split.size()));
    split.push_back(repeats[k]);
    split.push_back(k < pad ? 1 : in_sizes[k - pad]);
  }
  if (rep_dims.empty()) return reshape(g, in_sizes);
  return reshape(sum(reshape(g, split), rep_dims, false), in_sizes);
}

Tensor cumsum_backward(const Tensor& g, int64_t dim) {
  if (g.dim() == 0) return g;
  return reverse_cumsum(g, dim);
}

// Note [Cumprod with zeros]: d out_j / d x_k = prod_{i <= j, i != k} x_i for k <= j. Without
// zeros the gradient is reverse_cumsum(g * out) / x. With zeros, let z be the first zero of a
// slice and x' = x with x_z set to 1 (g' its gradient, by this formula: x' has fewer zeros).
// Positions before z keep the first formula (the terms j >= z are 0 in value, and right in
// their derivatives); z gets g'_z; positions after z get x_z * g'_k, 0 in value but with the
// right derivative in x_z, so gradients of gradients stay right. Without a graph of the
// gradient, the value-only form below matches torch's signs and infinities.
Tensor cumprod_backward(const Tensor& g, const Tensor& self, const Tensor& result, int64_t dim) {
  if (self.dim() == 0) return g;
  Tensor is_zero = compare(CmpId::Eq, self, sc(0));
  Tensor rev = reverse_cumsum(mul(g, result), dim);
  if (self.numel() == 0 || !item(sum(is_zero)).i) return div(rev, self);
  Tensor seen = cumsum(is_zero, dim);  // zeros up to and including each position
  Tensor before = compare(CmpId::Eq, seen, sc(0));
  Tensor first = compare(CmpId::LogicalAnd, is_zero, compare(CmpId::Eq, seen, sc(1)));
  Tensor x1 = where(first, sc(1), self);
  Tensor g1 = cumprod_backward(g, x1, cumprod(x1, dim), dim);
  if (GradMode::is_enabled() && (g.requires_grad() || self.requires_grad())) {
    // the gradient's own graph is built: the terms that are 0 in value stay, for their
    // derivatives in x_z
    Tensor xz = sum(where(first, self, sc(0)), {dim}, true);  // the first zero, per slice
    return where(before, div(rev, where(before, self, sc(1))), where(first, g1, mul(g1, xz)));
  }
  // values only, as torch's: before z only the terms j < z are summed (the others are 0, and an
  // infinite g_j there made them NaN), and after z the gradient is +0 (g1 * 0 gave -0 for a
  // negative g1, printed "-0.")
  Tensor rev_before = reverse_cumsum(where(before, mul(g, result), sc(0)), dim);
  return where(before, div(rev_before, where(before, self, sc(1))),
               where(first, g1, zeros({}, g1.dtype(), g1.device())));
}

}  // namespace detail
}  // namespace tapegrad
