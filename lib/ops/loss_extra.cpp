// The pointwise losses torch records as nodes of their own: smooth_l1_loss
// (SmoothL1LossBackward0), huber_loss (HuberLossBackward0), soft_margin_loss
// (SoftMarginLossBackward0), and at::norm(x, p, dim, keepdim) (NormBackward1), which
// pairwise_distance records. Forwards run untracked primitives; formulas are in
// lib/autograd/backward_activation.cpp. The compositional losses live in nn/functional.py.
#include <cmath>

#include <tapegrad/ops/math_extra.h>

#include "common.h"

namespace tapegrad {

using namespace detail;

namespace {

Tensor reduce(const Tensor& l, Reduction r) {
  if (r == Reduction::None) return l;
  return r == Reduction::Sum ? sum(l) : mean(l);
}

void check_loss_dtype(const Tensor& a, const char* kernel) {
  if (!is_floating(a.dtype()))
    TG_ERROR_KIND(NotImplemented, "\"", kernel, "\" not implemented for '",
                  dtype_legacy_name(a.dtype()), "'");
}

Tensor sc(double v) { return wrapped_scalar(v); }

// Records `op` over (input, target) keeping both, the reduction in i and `f`.
Tensor record(OpId op, Tensor out, const Tensor& input, const Tensor& target, Reduction r,
              std::vector<double> f, bool target_differentiable = true) {
  auto node = target_differentiable ? maybe_node(op, {input, target}) : maybe_node(op, {input});
  if (node) {
    node->saved.emplace_back(input, false);
    node->saved.emplace_back(target, false);
    node->i = {static_cast<int64_t>(r)};
    node->f = std::move(f);
    set_history(out, node);
  }
  return out;
}

}  // namespace

Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, Reduction r, double beta) {
  TG_CHECK(beta >= 0, "smooth_l1_loss does not support negative values for beta.");
  check_same_device(input, target, nullptr);
  Tensor out;
  {
    NoGradGuard g;
    Tensor d = abs(sub(detach(input), detach(target)));
    check_loss_dtype(d, "smooth_l1_cpu");
    Tensor l = beta == 0 ? d
                         : where(compare(CmpId::Lt, d, sc(beta)), div(mul(mul(d, d), sc(0.5)),
                                                                      sc(beta)),
                                 sub(d, sc(0.5 * beta)));
    out = detach(reduce(l, r));
  }
  return record(OpId::SmoothL1Loss, out, input, target, r, {beta});
}

Tensor huber_loss(const Tensor& input, const Tensor& target, Reduction r, double delta) {
  TG_CHECK(delta > 0, "huber_loss does not support non-positive values for delta.");
  check_same_device(input, target, nullptr);
  Tensor out;
  {
    NoGradGuard g;
    Tensor d = abs(sub(detach(input), detach(target)));
    check_loss_dtype(d, "huber_cpu");
    Tensor l = where(compare(CmpId::Lt, d, sc(delta)), mul(mul(d, d), sc(0.5)),
                     mul(sub(d, sc(0.5 * delta)), sc(delta)));
    out = detach(to(reduce(l, r), input.dtype()));  // torch: the input's dtype
  }
  return record(OpId::HuberLoss, out, input, target, r, {delta});
}

Tensor soft_margin_loss(const Tensor& input, const Tensor& target, Reduction r) {
  TG_CHECK(!(GradMode::is_enabled() && target.requires_grad()),
           "The function 'soft_margin_loss' is not differentiable with respect to argument "
           "'target'. This input cannot have requires_grad True.");
  check_same_device(input, target, nullptr);
  Tensor out;
  {
    NoGradGuard g;
    Tensor z = mul(neg(detach(target)), detach(input));
    if (!is_floating(z.dtype()))
      TG_ERROR("result type ", dtype_legacy_name(default_dtype()),
               " can't be cast to the desired output type ", dtype_legacy_name(z.dtype()));
    out = detach(to(reduce(log1p(exp(z)), r), input.dtype()));  // torch: the input's dtype
  }
  return record(OpId::SoftMarginLoss, out, input, target, r, {}, false);
}

// p-norm over dims, computed untracked; the node keeps self, result, p and the dims. Any real p,
// as torch: a negative p is (sum |x|^p)^(1/p) and -inf the smallest |x| (the backward's
// formulas hold for both).
Tensor norm(const Tensor& a, double p, const std::vector<int64_t>& dims, bool keepdim) {
  if (!is_floating(a.dtype()))
    TG_ERROR("linalg.vector_norm: Expected a floating point or complex tensor as input. Got ",
             dtype_legacy_name(a.dtype()));
  std::vector<int64_t> ds;
  for (int64_t d : dims) ds.push_back(wrap_dim(d, a.dim()));
  Tensor out;
  {
    NoGradGuard g;
    out = detach(contiguous(norm_values(detach(a), p, norm_dims(a, dims), keepdim)));
  }
  if (auto node = maybe_node(OpId::NormDim, {a})) {
    node->saved.emplace_back(a, false);
    node->f = {p};
    node->i = ds;
    node->i.push_back(keepdim);
    set_history(out, node);
    node->saved.emplace_back(out, true);
  }
  return out;
}

}  // namespace tapegrad
