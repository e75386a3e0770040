// Bulk dtype conversions for contiguous tensors of one shape, where the generic per-element loop
// is slow: float32 <-> float16 through the F16C instructions where the CPU has them (Half(float)
// per element branches on the exponent: 78x torch's time for x.half() of 1e6 random floats),
// float32 <-> bfloat16 in branch-free loops (AVX-512 where torch runs its AVX512 kernels), and
// float32 / float64 -> int64 through AVX-512DQ's conversions.
#pragma once
#include <tapegrad/core/tensor.h>

namespace tapegrad {
namespace kern {

// dst = src converted as the generic loop converts (round to nearest even for the half types,
// NaN kept quiet; truncation for int64, INT64_MIN out of range); false (nothing written) unless
// dst and src are contiguous CPU tensors of one shape and one of the pairs above.
bool try_convert_bulk(const Tensor& dst, const Tensor& src);

}  // namespace kern
}  // namespace tapegrad
