// nll_loss's per-target step, written once for the CPU loop (lib/cpu/index.cpp) and the CUDA
// kernel (lib/cuda/index.cu): for target j of an [N, C, inner] input (n = j / inner,
// k = j % inner), the coefficient d loss / d input at its class, -w[t], and the weight it counts.
#pragma once
#include <cstdint>

#include <tapegrad/kernels/functors.h>

namespace tapegrad {
namespace fn {

// coef: [N, C, inner] float64, zero-filled by the caller; tw[j]: the weight target j counts (0 if
// ignored); w: C class weights or null (all 1); scale: null, or one value each coefficient is
// divided by ('mean''s total weight; only counted entries, so 0 / 0 leaves the rest 0). An
// out-of-range target sets bad[0] = 1 and bad[1] = its value (the CPU loop keeps the first, the
// CUDA kernel any one of them).
TG_HD inline void nll_coef_at(int64_t j, double* coef, double* tw, int64_t* bad,
                              const int64_t* target, const double* w, const double* scale,
                              int64_t C, int64_t inner, int64_t ignore_index) {
  const int64_t t = target[j];
  tw[j] = 0;
  if (t == ignore_index) return;
  if (t < 0 || t >= C) {
    bad[1] = t;
    bad[0] = 1;
    return;
  }
  const double wt = w ? w[t] : 1.0;
  const int64_t n = j / inner, k = j - n * inner;
  coef[(n * C + t) * inner + k] = scale ? -wt / *scale : -wt;
  tw[j] = wt;
}

}  // namespace fn
}  // namespace tapegrad
