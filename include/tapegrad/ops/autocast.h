// Autocast (torch.autocast / torch.amp): per-thread state, and the casts that the ops on torch's
// "lower precision" list apply to their inputs on entry (Note [Autocast]).
#pragma once
#include <initializer_list>

#include <tapegrad/core/tensor.h>

namespace tapegrad {
namespace autocast {

// Note [Autocast]: while autocast is on for a device type, the matrix products and convolutions
// (mm, bmm, matmul, addmm, baddbmm, addbmm, linear, conv) cast their floating inputs other than
// float64 to the autocast dtype (bfloat16 on the CPU, float16 on CUDA, by default) before
// running, through the differentiable to(), as torch's lower_precision_fp policy does. The ops
// torch runs in float32 under autocast (its losses and the like) are cast in the Python layer
// (python/tapegrad/amp/). The engine turns autocast off while it runs backward.
struct State {
  bool cpu = false;
  bool cuda = false;
  DType cpu_dtype = DType::BFloat16;
  DType cuda_dtype = DType::Float16;
};

State& state();  // this thread's
inline bool active() {
  const State& s = state();
  return s.cpu || s.cuda;
}

// Casts *t in place for each defined, eligible tensor (floating, not float64, on a device type
// with autocast on, not already in its dtype). True when any changed: the caller then calls
// itself again with the cast tensors.
bool lower(std::initializer_list<Tensor*> ts);

// Autocast off for the lifetime of the guard (the engine's backward).
class Suspend {
 public:
  Suspend() : saved_(state()) { state().cpu = state().cuda = false; }
  ~Suspend() { state() = saved_; }
  Suspend(const Suspend&) = delete;
  Suspend& operator=(const Suspend&) = delete;

 private:
  State saved_;
};

}  // namespace autocast
}  // namespace tapegrad
