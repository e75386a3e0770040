// cdist's CPU kernels (float32 / float64): the distances of all row pairs, and the gradient for
// the first operand, over contiguous [B, r, m] operands, with the scalar steps of kernels/cdist.h
// (torch's sequential sums over the columns and over the pairs, so the values are torch's).
// Compiled twice (Note [ISA copies of the generic loops] in isa_dispatch.cpp): here into
// kern::base, by lib/cpu_isa/cdist_avx2.cpp into kern::avx2 (the backward's column blocks ran at
// 1.6x torch's time in SSE2).
#ifndef TG_ISA
#define TG_ISA base
#endif
#include <algorithm>

#include <tapegrad/kernels/cdist.h>
#include <tapegrad/kernels/kernels.h>
#include <tapegrad/kernels/loops.h>

#include "isa_copies.h"

namespace tapegrad {
namespace kern {
namespace TG_ISA {

namespace {

// One row of x1 per lane against all r2 rows of x2, four pairs at a time: each pair's sum stays
// sequential over the columns (torch's values); the four chains overlap the additions' latency.
template <fn::CdistKind K, class T>
void cdist_rows(T* o, const T* a, const T* b, int64_t B, int64_t r1, int64_t r2, int64_t m, T p) {
  cpu::parallel_lanes(B * r1, r2 * m, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      const T* ai = a + row * m;
      const T* bn = b + row / r1 * r2 * m;
      T* orow = o + row * r2;
      int64_t j = 0;
      for (; j + 4 <= r2; j += 4) {
        const T* b0 = bn + j * m;
        const T *b1 = b0 + m, *b2 = b1 + m, *b3 = b2 + m;
        T s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (int64_t k = 0; k < m; ++k) {
          const T x = ai[k];
          s0 = fn::cdist_step<K>(s0, std::abs(x - b0[k]), p);
          s1 = fn::cdist_step<K>(s1, std::abs(x - b1[k]), p);
          s2 = fn::cdist_step<K>(s2, std::abs(x - b2[k]), p);
          s3 = fn::cdist_step<K>(s3, std::abs(x - b3[k]), p);
        }
        orow[j] = fn::cdist_finish<K>(s0, p);
        orow[j + 1] = fn::cdist_finish<K>(s1, p);
        orow[j + 2] = fn::cdist_finish<K>(s2, p);
        orow[j + 3] = fn::cdist_finish<K>(s3, p);
      }
      for (; j < r2; ++j) orow[j] = fn::cdist_pair<K>(ai, bn + j * m, m, p);
    }
  });
}

template <class T>
void cdist_fwd_as(const Tensor& out, const Tensor& x1, const Tensor& x2, double p) {
  const int64_t B = x1.sizes()[0], r1 = x1.sizes()[1], r2 = x2.sizes()[1], m = x1.sizes()[2];
  const T* a = x1.data<T>();
  const T* b = x2.data<T>();
  T* o = out.data<T>();
  const T pt = static_cast<T>(p);
  using K = fn::CdistKind;
  switch (fn::cdist_kind(p)) {
    case K::Zero: return cdist_rows<K::Zero>(o, a, b, B, r1, r2, m, pt);
    case K::One: return cdist_rows<K::One>(o, a, b, B, r1, r2, m, pt);
    case K::Two: return cdist_rows<K::Two>(o, a, b, B, r1, r2, m, pt);
    case K::Inf: return cdist_rows<K::Inf>(o, a, b, B, r1, r2, m, pt);
    case K::LessTwo: return cdist_rows<K::LessTwo>(o, a, b, B, r1, r2, m, pt);
    case K::General: return cdist_rows<K::General>(o, a, b, B, r1, r2, m, pt);
  }
}

// One row of x1 per lane; its columns in blocks of kCols held in an accumulator while the r2
// rows of x2 are added in order (each gradient element is torch's sequential sum over them).
constexpr int64_t kCols = 16;

template <fn::CdistKind K, class T, int64_t W>
void cdist_grad_block(T* res, const T* ai, const T* bn, const T* grow, const T* drow, int64_t r2,
                      int64_t m, T p) {
  T acc[W] = {};
  for (int64_t j = 0; j < r2; ++j) {
    const T* bj = bn + j * m;
    const T gij = grow[j], dij = drow[j];
    if (fn::cdist_zero_at_zero<K>() && dij == T(0)) {
      for (int64_t k = 0; k < W; ++k) acc[k] += T(0);  // as torch adds its 0 (-0 becomes +0)
      continue;
    }
    for (int64_t k = 0; k < W; ++k)
      acc[k] += fn::cdist_grad_term_nz<K>(ai[k] - bj[k], gij, dij, p);
  }
  for (int64_t k = 0; k < W; ++k) res[k] = acc[k];
}

template <fn::CdistKind K, class T>
void cdist_grad_rows(T* res, const T* a, const T* b, const T* g, const T* d, int64_t B,
                     int64_t r1, int64_t r2, int64_t m, T p) {
  cpu::parallel_lanes(B * r1, r2 * m, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      const T* bn = b + row / r1 * r2 * m;
      const T *grow = g + row * r2, *drow = d + row * r2;
      int64_t k = 0;
      for (; k + kCols <= m; k += kCols)
        cdist_grad_block<K, T, kCols>(res + row * m + k, a + row * m + k, bn + k, grow, drow, r2,
                                      m, p);
      for (; k < m; ++k)  // the last columns one by one
        cdist_grad_block<K, T, 1>(res + row * m + k, a + row * m + k, bn + k, grow, drow, r2, m, p);
    }
  });
}

template <class T>
void cdist_bwd_as(const Tensor& gx1, const Tensor& g, const Tensor& x1, const Tensor& x2,
                  double p, const Tensor& dist) {
  const int64_t B = x1.sizes()[0], r1 = x1.sizes()[1], r2 = x2.sizes()[1], m = x1.sizes()[2];
  const T* a = x1.data<T>();
  const T* b = x2.data<T>();
  const T* gp = g.data<T>();
  const T* dp = dist.data<T>();
  T* res = gx1.data<T>();
  const T pt = static_cast<T>(p);
  using K = fn::CdistKind;
  switch (fn::cdist_kind(p)) {
    case K::Zero: std::fill(res, res + B * r1 * m, T(0)); return;
    case K::One: return cdist_grad_rows<K::One>(res, a, b, gp, dp, B, r1, r2, m, pt);
    case K::Two: return cdist_grad_rows<K::Two>(res, a, b, gp, dp, B, r1, r2, m, pt);
    case K::Inf: return cdist_grad_rows<K::Inf>(res, a, b, gp, dp, B, r1, r2, m, pt);
    case K::LessTwo: return cdist_grad_rows<K::LessTwo>(res, a, b, gp, dp, B, r1, r2, m, pt);
    case K::General: return cdist_grad_rows<K::General>(res, a, b, gp, dp, B, r1, r2, m, pt);
  }
}

void check_cpu_float(const Tensor& t, const char* what) {
  TG_CHECK(t.device().is_cpu() && (t.dtype() == DType::Float32 || t.dtype() == DType::Float64) &&
           t.is_contiguous() && t.dim() == 3, what, ": contiguous CPU float32/float64 [B, r, m]");
}

}  // namespace

void cdist_fwd(const Tensor& out, const Tensor& x1, const Tensor& x2, double p) {
  check_cpu_float(x1, "cdist_fwd");
  if (x1.dtype() == DType::Float32) cdist_fwd_as<float>(out, x1, x2, p);
  else cdist_fwd_as<double>(out, x1, x2, p);
}

void cdist_bwd(const Tensor& gx1, const Tensor& g, const Tensor& x1, const Tensor& x2, double p,
               const Tensor& dist) {
  check_cpu_float(x1, "cdist_bwd");
  if (x1.dtype() == DType::Float32) cdist_bwd_as<float>(gx1, g, x1, x2, p, dist);
  else cdist_bwd_as<double>(gx1, g, x1, x2, p, dist);
}

}  // namespace TG_ISA
}  // namespace kern
}  // namespace tapegrad
