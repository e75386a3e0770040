// zero_grad shared by the C++ optimizers (optim/sgd.h, optim/adam.h). A header of its own: it
// needs ops.h, which optim/fused.h must not include (fused.h is also compiled by nvcc, where
// tapegrad::min would shadow CUDA's ::min).
#pragma once
#include <vector>

#include <tapegrad/ops/ops.h>

namespace tapegrad {
namespace optim {

// torch's Optimizer.zero_grad: drop each gradient (set_to_none, the default) or zero it in place.
inline void zero_grad(std::vector<Tensor>& params, bool set_to_none) {
  for (auto& p : params) {
    if (!p.grad().defined()) continue;
    if (set_to_none) {
      p.set_grad(Tensor());
    } else {
      Tensor g = p.grad();
      zero_(g);
    }
  }
}

}  // namespace optim
}  // namespace tapegrad
