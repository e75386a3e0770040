// Fused multi-tensor optimizer steps (torch's fused/foreach SGD and Adam): one call updates a
// list of parameters from their gradients and state, one pass over each tensor, on the CPU or
// on one GPU. The optimizers (optim/sgd.h, optim/adam.h, Python's tapegrad.optim) call these
// when every tensor qualifies and keep a per-tensor loop of ops otherwise.
#pragma once
#include <vector>

#include <tapegrad/core/tensor.h>

namespace tapegrad {
namespace optim {

// The hyper-parameters of one step (the element math is in kernels/optim.h, which this header
// does not include, so changing it rebuilds only the kernels).
struct SGDHyper {
  double lr = 1e-3, momentum = 0, dampening = 0, weight_decay = 0;
  bool nesterov = false, maximize = false;
};

struct AdamHyper {
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0;
  bool amsgrad = false, maximize = false, decoupled = false;  // decoupled: AdamW's decay
};

// Whether the fused step takes these tensors: every parameter dense (contiguous) float32 or
// float64 on one device; its gradient defined, without history, not sharing the parameter's
// memory, and like the parameter (dtype, shape, device, dense); each state tensor the same.
// Undefined momentum buffers are allowed (created by the step). Adam's steps must be float32
// 0-d CPU tensors (torch's layout). Checks only; nothing is modified.
bool fused_sgd_supported(const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                         const std::vector<Tensor>& momentum_buffers);
bool fused_adam_supported(const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                          const std::vector<Tensor>& exp_avgs,
                          const std::vector<Tensor>& exp_avg_sqs,
                          const std::vector<Tensor>& max_exp_avg_sqs,
                          const std::vector<Tensor>& steps);

// One SGD step in place. momentum_buffers: one per parameter when momentum != 0 (an undefined
// entry is created holding this step's direction, torch's first-step clone), ignored otherwise.
// Raises when fused_sgd_supported is false.
void fused_sgd_step(const SGDHyper& h, const std::vector<Tensor>& params,
                    const std::vector<Tensor>& grads, std::vector<Tensor>& momentum_buffers);

// One Adam/AdamW step in place: each steps[i] is incremented, then gives tensor i's bias
// corrections. max_exp_avg_sqs is used only with amsgrad. Raises when fused_adam_supported is
// false.
void fused_adam_step(const AdamHyper& h, const std::vector<Tensor>& params,
                     const std::vector<Tensor>& grads, const std::vector<Tensor>& exp_avgs,
                     const std::vector<Tensor>& exp_avg_sqs,
                     const std::vector<Tensor>& max_exp_avg_sqs,
                     const std::vector<Tensor>& steps);

}  // namespace optim
}  // namespace tapegrad
