// Adam and AdamW for C++ applications, with torch's semantics: betas, eps, L2 or decoupled
// (AdamW) weight decay, amsgrad, maximize, bias correction from each parameter's own step count.
// A step is one fused multi-tensor call (optim/fused.h) when every parameter with a gradient
// qualifies, else a few tensor ops per parameter. State per parameter as torch keeps it: step
// (float32 0-d), exp_avg, exp_avg_sq, max_exp_avg_sq (amsgrad).
#pragma once
#include <cmath>
#include <vector>

#include <tapegrad/autograd/grad_mode.h>
#include <tapegrad/ops/ops.h>
#include <tapegrad/optim/fused.h>
#include <tapegrad/optim/zero_grad.h>

namespace tapegrad {
namespace optim {

struct AdamOptions {
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0;
  bool amsgrad = false, maximize = false, decoupled_weight_decay = false;
};

struct AdamState {
  Tensor step, exp_avg, exp_avg_sq, max_exp_avg_sq;
};

class Adam {
 public:
  Adam(std::vector<Tensor> params, AdamOptions o) : params_(std::move(params)), o_(o) {
    TG_CHECK_KIND(Value, o.lr >= 0, "Invalid learning rate: ", o.lr);
    TG_CHECK_KIND(Value, o.eps >= 0, "Invalid epsilon value: ", o.eps);
    TG_CHECK_KIND(Value, o.beta1 >= 0 && o.beta1 < 1, "Invalid beta parameter at index 0: ",
                  o.beta1);
    TG_CHECK_KIND(Value, o.beta2 >= 0 && o.beta2 < 1, "Invalid beta parameter at index 1: ",
                  o.beta2);
    TG_CHECK_KIND(Value, o.weight_decay >= 0, "Invalid weight_decay value: ", o.weight_decay);
    state_.resize(params_.size());
  }

  AdamOptions& options() { return o_; }  // e.g. to change lr between steps

  void step() {
    NoGradGuard guard;
    std::vector<Tensor> ps, gs, ms, vs, xs, steps;
    for (size_t k = 0; k < params_.size(); ++k) {
      Tensor g = params_[k].grad();
      if (!g.defined()) continue;
      AdamState& st = init(k);
      ps.push_back(params_[k]);
      gs.push_back(g);
      ms.push_back(st.exp_avg);
      vs.push_back(st.exp_avg_sq);
      steps.push_back(st.step);
      if (o_.amsgrad) xs.push_back(st.max_exp_avg_sq);
    }
    if (fused_adam_supported(ps, gs, ms, vs, xs, steps)) {
      fused_adam_step(hyper(), ps, gs, ms, vs, xs, steps);
      return;
    }
    for (size_t k = 0; k < params_.size(); ++k)
      if (params_[k].grad().defined()) loop_step(k);
  }

  void zero_grad(bool set_to_none = true) { optim::zero_grad(params_, set_to_none); }

  // Parameter k's state (undefined tensors before its first step).
  const AdamState& state(size_t k) const { return state_.at(k); }

 private:
  AdamHyper hyper() const {
    AdamHyper h;
    h.lr = o_.lr;
    h.beta1 = o_.beta1;
    h.beta2 = o_.beta2;
    h.eps = o_.eps;
    h.weight_decay = o_.weight_decay;
    h.amsgrad = o_.amsgrad;
    h.maximize = o_.maximize;
    h.decoupled = o_.decoupled_weight_decay;
    return h;
  }

  AdamState& init(size_t k) {
    AdamState& st = state_[k];
    if (st.exp_avg.defined()) return st;
    const Tensor& p = params_[k];
    st.step = zeros({}, DType::Float32);
    st.exp_avg = zeros(p.sizes(), p.dtype(), p.device());
    st.exp_avg_sq = zeros(p.sizes(), p.dtype(), p.device());
    if (o_.amsgrad) st.max_exp_avg_sq = zeros(p.sizes(), p.dtype(), p.device());
    return st;
  }

  // The per-tensor form (torch's single-tensor Adam), for parameters the fused step does not
  // take.
  void loop_step(size_t k) {
    Tensor& p = params_[k];
    AdamState& st = init(k);
    Tensor grad = o_.maximize ? neg(p.grad()) : p.grad();
    if (o_.weight_decay != 0) {
      if (o_.decoupled_weight_decay)
        mul_(p, wrapped_scalar(1 - o_.lr * o_.weight_decay));
      else
        grad = add(grad, p, o_.weight_decay);
    }
    add_(st.step, wrapped_scalar(1));
    const double step = st.step.data<float>()[0];
    lerp_(st.exp_avg, grad, 1 - o_.beta1);
    mul_(st.exp_avg_sq, wrapped_scalar(o_.beta2));
    addcmul_(st.exp_avg_sq, grad, grad, 1 - o_.beta2);
    const double step_size = o_.lr / (1 - std::pow(o_.beta1, step));
    const double bc2_sqrt = std::sqrt(1 - std::pow(o_.beta2, step));
    Tensor v = st.exp_avg_sq;
    if (o_.amsgrad) {
      copy_(st.max_exp_avg_sq, maximum(st.max_exp_avg_sq, v));
      v = st.max_exp_avg_sq;
    }
    Tensor denom = add(div(sqrt(v), bc2_sqrt), wrapped_scalar(o_.eps));
    addcdiv_(p, st.exp_avg, denom, -step_size);
  }

  std::vector<Tensor> params_;
  AdamOptions o_;
  std::vector<AdamState> state_;
};

}  // namespace optim
}  // namespace tapegrad
