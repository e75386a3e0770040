// nll_loss's per-target steps for target j of an [N, C, inner] input (n = j / inner,
// k = j % inner): the coefficient d loss / d input at its class, -w[t], and the weight it counts
// (written once for the CPU loop in lib/cpu/index.cpp and the CUDA kernel in lib/cuda/index.cu);
// the forward's loss and the gradient, which touch the target's entry only (CPU loops so far).
#pragma once
#include <cstdint>

#include <tapegrad/kernels/functors.h>

namespace tapegrad {
namespace fn {

// Target j's class, or -1 where it counts for nothing: then tw[j] = 0, and an out-of-range target
// also sets bad[0] = 1 and bad[1] = its value.
TG_HD inline int64_t nll_class_at(int64_t j, const int64_t* target, int64_t C,
                                  int64_t ignore_index, double* tw, int64_t* bad) {
  const int64_t t = target[j];
  tw[j] = 0;
  if (t == ignore_index) return -1;
  if (t < 0 || t >= C) {
    bad[1] = t;
    bad[0] = 1;
    return -1;
  }
  return t;
}

// coef: [N, C, inner] float64, zero-filled by the caller; tw[j]: the weight target j counts (0 if
// ignored); w: C class weights or null (all 1); scale: null, or one value each coefficient is
// divided by ('mean''s total weight; only counted entries, so 0 / 0 leaves the rest 0). An
// out-of-range target sets bad[0] = 1 and bad[1] = its value (the CPU loop keeps the first, the
// CUDA kernel any one of them).
TG_HD inline void nll_coef_at(int64_t j, double* coef, double* tw, int64_t* bad,
                              const int64_t* target, const double* w, const double* scale,
                              int64_t C, int64_t inner, int64_t ignore_index) {
  const int64_t t = nll_class_at(j, target, C, ignore_index, tw, bad);
  if (t < 0) return;
  const double wt = w ? w[t] : 1.0;
  const int64_t n = j / inner, k = j - n * inner;
  coef[(n * C + t) * inner + k] = scale ? -wt / *scale : -wt;
  tw[j] = wt;
}

// The loss of target j: -w[t] * x[n, t, k] in the input's type (torch's product), 0 where
// ignored; tw[j] and bad as in nll_coef_at. Only the target's entry is read, so an inf or NaN
// elsewhere in the row (a masked logit's -inf after log_softmax) stays out of the loss.
// x is addressed by element strides sn, sc, sk of its N, C and inner dims.
template <class T>
TG_HD inline void nll_loss_at(int64_t j, T* loss, double* tw, int64_t* bad, const T* x,
                              int64_t sn, int64_t sc, int64_t sk, const int64_t* target,
                              const double* w, int64_t C, int64_t inner, int64_t ignore_index) {
  loss[j] = T(0);
  const int64_t t = nll_class_at(j, target, C, ignore_index, tw, bad);
  if (t < 0) return;
  const double wt = w ? w[t] : 1.0;
  const int64_t n = j / inner, k = j - n * inner;
  loss[j] = x[n * sn + t * sc + k * sk] * static_cast<T>(-wt);
  tw[j] = wt;
}

// The gradient at target j's entry of a zero-filled contiguous [N, C, inner] grad_in, as torch's
// backward writes it: w[t] * gv with gv = -(grad_output / total) for 'mean', -grad_output
// otherwise (gv given, computed by the caller in T; one per target for 'none'). Ignored and
// out-of-range targets write nothing, so every other entry stays +0.
template <class T>
TG_HD inline void nll_grad_at(int64_t j, T* grad_in, T gv, const int64_t* target, const double* w,
                              int64_t C, int64_t inner, int64_t ignore_index) {
  const int64_t t = target[j];
  if (t == ignore_index || t < 0 || t >= C) return;
  const int64_t n = j / inner, k = j - n * inner;
  grad_in[(n * C + t) * inner + k] = w ? static_cast<T>(w[t]) * gv : gv;
}

}  // namespace fn
}  // namespace tapegrad
