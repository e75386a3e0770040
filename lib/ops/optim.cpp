// The fused optimizer steps (optim/fused.h): which tensor lists qualify, momentum buffers
// created on their first step, step counting and bias corrections, version counters; the
// element math runs in the kernels (kernels/optim.h).
#include <cmath>

#include <tapegrad/kernels/optim.h>
#include <tapegrad/optim/fused.h>

namespace tapegrad {
namespace optim {

namespace {

bool dense_float(const Tensor& t) {
  const DType d = t.dtype();
  return (d == DType::Float32 || d == DType::Float64) && t.is_contiguous();
}

// t has p's dtype, shape and device and is dense.
bool like(const Tensor& t, const Tensor& p) {
  return t.defined() && t.dtype() == p.dtype() && t.device() == p.device() &&
         t.sizes() == p.sizes() && t.is_contiguous();
}

// Parameters dense float on one device; gradients like them, without history, not aliasing.
bool params_and_grads_ok(const std::vector<Tensor>& params, const std::vector<Tensor>& grads) {
  if (grads.size() != params.size()) return false;
  for (size_t i = 0; i < params.size(); ++i) {
    const Tensor& p = params[i];
    const Tensor& g = grads[i];
    if (!p.defined() || !dense_float(p) || p.device() != params[0].device()) return false;
    if (!like(g, p) || g.grad_fn() != nullptr) return false;
    if (p.numel() > 0 && g.raw_data() == p.raw_data()) return false;
  }
  return true;
}

bool state_ok(const std::vector<Tensor>& params, const std::vector<Tensor>& state) {
  if (state.size() != params.size()) return false;
  for (size_t i = 0; i < params.size(); ++i)
    if (!like(state[i], params[i])) return false;
  return true;
}

bool step_ok(const Tensor& s) {
  return s.defined() && s.dtype() == DType::Float32 && s.dim() == 0 && s.device().is_cpu();
}

void bump(const std::vector<Tensor>& ts) {
  for (const Tensor& t : ts) t.bump_version();
}

}  // namespace

bool fused_sgd_supported(const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                         const std::vector<Tensor>& momentum_buffers) {
  if (!params_and_grads_ok(params, grads)) return false;
  if (momentum_buffers.empty()) return true;  // no momentum
  if (momentum_buffers.size() != params.size()) return false;
  for (size_t i = 0; i < params.size(); ++i)
    if (momentum_buffers[i].defined() && !like(momentum_buffers[i], params[i])) return false;
  return true;
}

bool fused_adam_supported(const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                          const std::vector<Tensor>& exp_avgs,
                          const std::vector<Tensor>& exp_avg_sqs,
                          const std::vector<Tensor>& max_exp_avg_sqs,
                          const std::vector<Tensor>& steps) {
  if (!params_and_grads_ok(params, grads) || !state_ok(params, exp_avgs) ||
      !state_ok(params, exp_avg_sqs) || steps.size() != params.size())
    return false;
  if (!max_exp_avg_sqs.empty() && !state_ok(params, max_exp_avg_sqs)) return false;
  for (const Tensor& s : steps)
    if (!step_ok(s)) return false;
  return true;
}

void fused_sgd_step(const SGDHyper& h, const std::vector<Tensor>& params,
                    const std::vector<Tensor>& grads, std::vector<Tensor>& momentum_buffers) {
  const bool momentum = h.momentum != 0;
  if (momentum && momentum_buffers.empty()) momentum_buffers.resize(params.size());
  TG_CHECK(fused_sgd_supported(params, grads, momentum ? momentum_buffers : std::vector<Tensor>{}),
           "_fused_sgd_: every parameter, gradient and momentum buffer must be a dense float32 "
           "or float64 tensor of its parameter's shape, dtype and device, gradients without "
           "history");
  std::vector<uint8_t> first(params.size(), 0);
  if (momentum) {
    for (size_t i = 0; i < params.size(); ++i) {
      if (momentum_buffers[i].defined()) continue;
      momentum_buffers[i] = empty(params[i].sizes(), params[i].dtype(), params[i].device());
      first[i] = 1;
    }
  }
  static const std::vector<Tensor> kNone;
  kern::sgd_step(h, params, grads, momentum ? momentum_buffers : kNone, first);
  bump(params);
  if (momentum) bump(momentum_buffers);
}

void fused_adam_step(const AdamHyper& h, const std::vector<Tensor>& params,
                     const std::vector<Tensor>& grads, const std::vector<Tensor>& exp_avgs,
                     const std::vector<Tensor>& exp_avg_sqs,
                     const std::vector<Tensor>& max_exp_avg_sqs,
                     const std::vector<Tensor>& steps) {
  static const std::vector<Tensor> kNone;
  const std::vector<Tensor>& vmax = h.amsgrad ? max_exp_avg_sqs : kNone;
  TG_CHECK(!h.amsgrad || max_exp_avg_sqs.size() == params.size(),
           "_fused_adam_: amsgrad needs one max_exp_avg_sq per parameter");
  TG_CHECK(fused_adam_supported(params, grads, exp_avgs, exp_avg_sqs, vmax, steps),
           "_fused_adam_: every parameter, gradient and state tensor must be a dense float32 or "
           "float64 tensor of its parameter's shape, dtype and device, gradients without "
           "history, steps float32 0-d CPU tensors");
  std::vector<double> step_size(params.size()), bc2_sqrt(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    // torch keeps the count in float32 and reads it back as a Python float
    float* s = steps[i].data<float>();
    *s += 1.0f;
    const double step = *s;
    step_size[i] = h.lr / (1 - std::pow(h.beta1, step));
    bc2_sqrt[i] = std::sqrt(1 - std::pow(h.beta2, step));
  }
  kern::adam_step(h, params, grads, exp_avgs, exp_avg_sqs, vmax, step_size, bc2_sqrt);
  bump(params);
  bump(exp_avgs);
  bump(exp_avg_sqs);
  bump(vmax);
  bump(steps);
}

}  // namespace optim
}  // namespace tapegrad
