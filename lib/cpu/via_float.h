// Note [Half via float]: float16 and bfloat16 operands of a kern:: entry run through the float32
// kernel: every reduced-precision input is widened (exactly) to float32, the float32 kernel runs,
// and every output is rounded once back to its own dtype. That is torch's "opmath" on CPU
// (elementwise ops compute in float and round once, reductions and matrix products accumulate in
// float), so no kernel is instantiated for two more types. Each kern:: entry starts with one
// `if (via_float::any(...))` block placed before its CUDA dispatch, so CUDA half goes the same
// way through the float32 CUDA kernels.
#pragma once
#include <tapegrad/core/tensor.h>

namespace tapegrad {
namespace kern {
namespace via_float {

inline bool reduced(DType d) { return d == DType::Float16 || d == DType::BFloat16; }
inline bool reduced(const Tensor& t) { return t.defined() && reduced(t.dtype()); }

template <class... Ts>
bool any(const Ts&... ts) {
  return (reduced(ts) || ...);
}

// A float32 copy of a reduced operand (the operand itself otherwise).
Tensor up(const Tensor& t);
// Where to compute a reduced output: an uninitialised float32 tensor of its shape (the output
// itself otherwise). `keep` copies its current values too (outputs the kernel also reads).
Tensor scratch(const Tensor& out, bool keep = false);
// Rounds a scratch result back into its output (nothing when they are the same tensor).
void down(const Tensor& out, const Tensor& tmp);
// A double scalar argument rounded to `dt` and back: torch converts scalar arguments of most
// reduced-precision kernels to the tensor's dtype first (mul and div keep the float value).
double round_scalar(double v, DType dt);

}  // namespace via_float
}  // namespace kern
}  // namespace tapegrad
