// Batch normalisation (torch's native_batch_norm, node NativeBatchNormBackward0): per-channel
// statistics over every dim but 1, running statistics updated in place, unrecorded, as torch
// does; and group normalisation (native_group_norm, NativeGroupNormBackward0): statistics per
// (sample, channel group). Forwards run untracked primitives and record one node each.
#include <cmath>

#include "common.h"

namespace tapegrad {

using namespace detail;

namespace {

// torch's per-argument check: each per-channel tensor holds exactly C elements.
void check_channels(const Tensor& t, const char* name, int64_t C) {
  if (!t.defined()) return;
  TG_CHECK(t.numel() == C, name, " should contain ", C, " elements not ", t.numel());
}

}  // namespace

Tensor batch_norm(const Tensor& input, const Tensor& weight, const Tensor& bias,
                  const Tensor& running_mean, const Tensor& running_var, bool training,
                  double momentum, double eps) {
  TG_CHECK_KIND(NotImplemented, is_floating(input.dtype()), "\"batch_norm\" not implemented for '",
                dtype_legacy_name(input.dtype()), "'");
  // torch reads C from dim 1 and reports 0 channels for a 1-d input.
  const int64_t C = input.dim() >= 2 ? input.sizes()[1] : 0;
  // torch's order: the running statistics first
  check_channels(running_mean, "running_mean", C);
  check_channels(running_var, "running_var", C);
  check_channels(weight, "weight", C);
  check_channels(bias, "bias", C);
  TG_CHECK(input.dim() >= 2, "batch_norm: expected input with at least 2 dims (N, C, ...), "
           "but got input of size", shape_str(input.sizes()));
  TG_CHECK(training || (running_mean.defined() && running_var.defined()),
           running_mean.defined() ? "running_var" : "running_mean",
           " must be defined in evaluation mode");
  if (mixed_norm_params(input, {&weight, &bias, &running_mean, &running_var}))
    return to(batch_norm(to(input, DType::Float32), weight, bias, running_mean, running_var,
                         training, momentum, eps),
              input.dtype());
  std::vector<int64_t> dims = {0};
  for (int64_t d = 2; d < input.dim(); ++d) dims.push_back(d);
  Shape bshape(input.dim(), 1);
  bshape[1] = C;
  Tensor out;
  {
    NoGradGuard g;
    Tensor x = detach(input);
    Tensor centred, invstd;
    if (training) {
      Tensor mu = mean(x, dims, true);
      centred = sub(x, mu);
      Tensor var = mean(mul(centred, centred), dims, true);
      invstd = rsqrt(add(var, wrapped_scalar(eps)));
      const int64_t n = C ? input.numel() / C : 0;
      if (n > 0 && running_mean.defined()) {
        Tensor rm = running_mean;
        mul_(rm, wrapped_scalar(1 - momentum));
        add_(rm, reshape(mu, {C}), momentum);
      }
      if (n > 0 && running_var.defined()) {
        // The running variance is the unbiased one: n / (n - 1) times the batch's.
        Tensor rv = running_var;
        const double unbias = n > 1 ? static_cast<double>(n) / (n - 1) : INFINITY;
        mul_(rv, wrapped_scalar(1 - momentum));
        add_(rv, reshape(var, {C}), momentum * unbias);
      }
    } else {
      centred = sub(x, reshape(detach(running_mean), bshape));
      invstd = rsqrt(add(reshape(detach(running_var), bshape), wrapped_scalar(eps)));
    }
    out = mul(centred, invstd);
    if (weight.defined()) out = mul(out, reshape(detach(weight), bshape));
    if (bias.defined()) out = add(out, reshape(detach(bias), bshape));
    out = contiguous(out);
  }
  out = detach(out);
  if (auto node = maybe_node(OpId::BatchNorm, {input, weight, bias})) {
    node->saved.emplace_back(input, false);
    node->saved.emplace_back(weight, false);
    // Saved as torch shows them (_saved_running_mean); only evaluation's backward reads them
    // (training's must not: a second forward updates them in place first, which torch allows).
    node->saved.emplace_back(running_mean, false);
    node->saved.emplace_back(running_var, false);
    node->i = {training};
    node->f = {eps};
    set_history(out, node);
  }
  return out;
}

Tensor group_norm(const Tensor& input, int64_t num_groups, const Tensor& weight,
                  const Tensor& bias, double eps) {
  TG_CHECK(input.dim() >= 2, "Expected at least 2 dimensions for input tensor but received ",
           input.dim());
  const int64_t N = input.sizes()[0], C = input.sizes()[1];
  TG_CHECK(num_groups > 0 && C % num_groups == 0, "Expected number of channels in input to be "
           "divisible by num_groups, but got input of shape ", shape_str(input.sizes()),
           " and num_groups=", num_groups);
  const char* names[] = {"weight", "bias"};
  const Tensor* params[] = {&weight, &bias};
  for (int k = 0; k < 2; ++k) {
    const Tensor& p = *params[k];
    TG_CHECK(!p.defined() || (p.dim() == 1 && p.numel() == C), "Expected ", names[k],
             " to be a vector of size equal to the number of channels in input, but got ",
             names[k], " of shape ", shape_str(p.sizes()), " and input of shape ",
             shape_str(input.sizes()));
  }
  if (mixed_norm_params(input, {&weight, &bias}))
    return to(group_norm(to(input, DType::Float32), num_groups, weight, bias, eps), input.dtype());
  const int64_t M = N ? input.numel() / (N * num_groups) : 0;
  Shape bshape(input.dim(), 1);
  bshape[1] = C;
  Tensor out;
  {
    NoGradGuard g;
    Tensor x = reshape(detach(input), {N, num_groups, M});
    Tensor centred = sub(x, mean(x, {2}, true));
    Tensor var = mean(mul(centred, centred), {2}, true);
    out = reshape(mul(centred, rsqrt(add(var, wrapped_scalar(eps)))), input.sizes());
    if (weight.defined()) out = mul(out, reshape(detach(weight), bshape));
    if (bias.defined()) out = add(out, reshape(detach(bias), bshape));
    out = contiguous(out);
  }
  out = detach(out);
  if (auto node = maybe_node(OpId::GroupNorm, {input, weight, bias})) {
    node->saved.emplace_back(input, false);
    node->saved.emplace_back(weight, false);
    // torch's N, C, HxW, group (_saved_* attributes); the backward reads the group count
    int64_t hxw = 1;
    for (int64_t d = 2; d < input.dim(); ++d) hxw *= input.sizes()[d];
    node->i = {N, C, hxw, num_groups};
    node->f = {eps};
    set_history(out, node);
  }
  return out;
}

}  // namespace tapegrad
