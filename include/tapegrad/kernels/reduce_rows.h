// Sum over the leading (outer) dims of a contiguous tensor without transposing it first: the
// bias gradient of a linear layer (a sum over the batch) is the common case. Separate from
// kernels.h so adding it rebuilds little.
#pragma once
#include <tapegrad/core/tensor.h>

namespace tapegrad {
namespace kern {

// in: contiguous float32/float64 viewed as [rows, cols] with cols = out.numel(); out (contiguous,
// same dtype) = the column sums, accumulated in double row by row (the same order, and so the
// same result, as the transposed-copy path).
void sum_rows(const Tensor& out, const Tensor& in, int64_t rows);

// The same walk for amax / amin (is_max): out = the column maxima (minima), NaN where a column
// has one. Any order gives the same result, so this equals the transposed-copy path exactly.
void extreme_rows(const Tensor& out, const Tensor& in, int64_t rows, bool is_max);

// out[o] = the sum of the squares of in's row o (rows of `inner` elements) in one pass, for the
// 2-norm: CPU, contiguous float32/float64 in and out of one dtype, inner > 0.
void sum_squares_inner(const Tensor& out, const Tensor& in, int64_t inner);

// softmax (log: log_softmax) over the middle dim of a contiguous CPU float32/float64 `in` seen
// as [outer, n, inner], into a fresh contiguous `out` of the same shape, without transposed
// copies: rows of per-column maxima and sums advanced one contiguous row at a time, the exp
// through the vector table. False (nothing written) when the table has no exp for the dtype.
bool softmax_cols(const Tensor& out, const Tensor& in, int64_t outer, int64_t n, int64_t inner,
                  bool log);

}  // namespace kern
}  // namespace tapegrad
