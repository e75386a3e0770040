// Fused optimizer kernels: the per-element math of torch's SGD and Adam/AdamW updates, written
// once (host and device), and the multi-tensor entry points that apply it to lists of tensors
// in one pass per tensor (CPU: lib/cpu/optim.cpp; CUDA: lib/cuda/optim.cu, many tensors per
// launch). Operands are dense (contiguous) float32/float64; within one tensor's slice every
// operand has the parameter's dtype. Callers (lib/ops/optim.cpp) check that, create state and
// count steps; these only compute.
#pragma once
#include <cstdint>
#include <vector>

#include <tapegrad/core/tensor.h>
#include <tapegrad/kernels/functors.h>
#include <tapegrad/optim/fused.h>

namespace tapegrad {
namespace kern {

using optim::AdamHyper;
using optim::SGDHyper;

// The hyper-parameters in the element type, converted once per tensor as torch converts a
// Python float that meets a tensor of that dtype.
template <class T>
struct SGDScalars {
  T neg_lr, momentum, one_minus_dampening, weight_decay;
  bool has_momentum, nesterov, maximize, has_wd;
  TG_HD explicit SGDScalars(const SGDHyper& h)
      : neg_lr(static_cast<T>(-h.lr)), momentum(static_cast<T>(h.momentum)),
        one_minus_dampening(static_cast<T>(1 - h.dampening)),
        weight_decay(static_cast<T>(h.weight_decay)), has_momentum(h.momentum != 0),
        nesterov(h.nesterov), maximize(h.maximize), has_wd(h.weight_decay != 0) {}
};

// a * b rounded on its own: never contracted with a later add into an FMA (torch's mul_ is a
// separate op); on the device nvcc contracts plain products (-fmad=true), on the host the
// kernels' file is built with -ffp-contract=off.
template <class T>
TG_HD inline T mul_rounded(T a, T b) {
#ifdef __CUDA_ARCH__
  if constexpr (std::is_same<T, float>::value) return __fmul_rn(a, b);
  else return __dmul_rn(a, b);
#else
  return a * b;
#endif
}

// One element of torch's SGD, in the order (and with the roundings) of its per-tensor ops:
// d = ±g (+ wd * p); buf = first ? d : momentum * buf + (1 - dampening) * d;
// d = nesterov ? d + momentum * buf : buf; p -= lr * d. `add(x, alpha=a)` rounds once (FMA).
template <class T>
TG_HD inline void sgd_element(const SGDScalars<T>& s, T& p, T g, T* buf, bool first) {
  T d = s.maximize ? -g : g;
  if (s.has_wd) d = fn::mul_add(s.weight_decay, p, d);
  if (s.has_momentum) {
    const T b = first ? d : fn::mul_add(s.one_minus_dampening, d, *buf * s.momentum);
    *buf = b;
    d = s.nesterov ? fn::mul_add(s.momentum, b, d) : b;
  }
  p = fn::mul_add(s.neg_lr, d, p);
}

// Adam's per-tensor scalars: step_size = lr / (1 - beta1^step) and bc2_sqrt =
// sqrt(1 - beta2^step) come from the tensor's own step count (computed in double on the host).
template <class T>
struct AdamScalars {
  T one_minus_beta1, beta1_minus_one, beta2, one_minus_beta2, eps, weight_decay, decay_factor;
  T neg_step_size, bc2_sqrt;
  bool amsgrad, maximize, l2, decoupled;
  TG_HD AdamScalars(const AdamHyper& h, double step_size, double bc2)
      : one_minus_beta1(static_cast<T>(1 - h.beta1)),
        beta1_minus_one(static_cast<T>(static_cast<T>(1 - h.beta1) - T(1))),
        beta2(static_cast<T>(h.beta2)), one_minus_beta2(static_cast<T>(1 - h.beta2)),
        eps(static_cast<T>(h.eps)), weight_decay(static_cast<T>(h.weight_decay)),
        decay_factor(static_cast<T>(1 - h.lr * h.weight_decay)),
        neg_step_size(static_cast<T>(-step_size)), bc2_sqrt(static_cast<T>(bc2)),
        amsgrad(h.amsgrad), maximize(h.maximize),
        l2(h.weight_decay != 0 && !h.decoupled), decoupled(h.weight_decay != 0 && h.decoupled) {}
};

// One element of torch's Adam/AdamW (single-tensor form): g = ±g; decoupled: p *= 1 - lr*wd,
// else g += wd * p; m = lerp(m, g, 1 - beta1); v = beta2 * v + (1 - beta2) * g * g;
// amsgrad: vmax = max(vmax, v) (NaN-propagating) and v = vmax;
// p += (-step_size * m) / (sqrt(v) / bc2_sqrt + eps).
template <class T>
TG_HD inline void adam_element(const AdamScalars<T>& s, T& p, T g, T& m, T& v, T* vmax) {
  T gr = s.maximize ? -g : g;
  T pv = p;
  if (s.decoupled) pv = mul_rounded(pv, s.decay_factor);
  if (s.l2) gr = fn::mul_add(s.weight_decay, pv, gr);
  // lerp with weight w = 1 - beta1, rounded as torch's lerp kernel: from the nearer end
  const T diff = gr - m;
  m = s.one_minus_beta1 < T(0.5) ? fn::mul_add(s.one_minus_beta1, diff, m)
                                 : fn::mul_add(s.beta1_minus_one, diff, gr);
  v = fn::mul_add(s.one_minus_beta2 * gr, gr, v * s.beta2);  // mul_ then addcmul_ (one rounding)
  T vv = v;
  if (s.amsgrad) {
    const T mx = *vmax;
    vv = mx != mx ? mx : (v != v ? v : (mx > v ? mx : v));
    *vmax = vv;
  }
  const T denom = std::sqrt(vv) / s.bc2_sqrt + s.eps;
  p = pv + (s.neg_step_size * m) / denom;  // addcdiv_'s order: (value * t1) / t2, then the add
}

// The fused steps over lists of tensors (params[i] with grads[i] and its state). bufs is empty
// when momentum == 0; first[i] != 0 marks a buffer created for this step (it takes d, as
// torch's clone of the first gradient). max_exp_avg_sqs is empty unless amsgrad. step_size[i]
// and bc2_sqrt[i] are tensor i's bias corrections.
void sgd_step(const SGDHyper& h, const std::vector<Tensor>& params,
              const std::vector<Tensor>& grads, const std::vector<Tensor>& bufs,
              const std::vector<uint8_t>& first);
void adam_step(const AdamHyper& h, const std::vector<Tensor>& params,
               const std::vector<Tensor>& grads, const std::vector<Tensor>& exp_avgs,
               const std::vector<Tensor>& exp_avg_sqs, const std::vector<Tensor>& max_exp_avg_sqs,
               const std::vector<double>& step_size, const std::vector<double>& bc2_sqrt);

}  // namespace kern

namespace cuda {
// The CUDA side of the entry points above (lib/cuda/optim.cu): every tensor on one GPU.
void sgd_step(const kern::SGDHyper& h, const std::vector<Tensor>& params,
              const std::vector<Tensor>& grads, const std::vector<Tensor>& bufs,
              const std::vector<uint8_t>& first);
void adam_step(const kern::AdamHyper& h, const std::vector<Tensor>& params,
               const std::vector<Tensor>& grads, const std::vector<Tensor>& exp_avgs,
               const std::vector<Tensor>& exp_avg_sqs, const std::vector<Tensor>& max_exp_avg_sqs,
               const std::vector<double>& step_size, const std::vector<double>& bc2_sqrt);
}  // namespace cuda
}  // namespace tapegrad
