// Bulk float32 <-> float16 / bfloat16 conversion for contiguous tensors of one shape: the F16C
// instructions for float16 where the CPU has them, branch-free loops for bfloat16. Half(float)
// per element branches on the exponent: 78x torch's time for x.half() of 1e6 random floats.
#pragma once
#include <tapegrad/core/tensor.h>

namespace tapegrad {
namespace kern {

// dst = src converted (round to nearest even, as Half / BFloat16 do, NaN kept quiet); false
// (nothing written) unless dst and src are contiguous CPU tensors of one shape, one float32
// and the other float16 or bfloat16.
bool try_convert_half(const Tensor& dst, const Tensor& src);

}  // namespace kern
}  // namespace tapegrad
