// cdist's scalar steps, in the form of torch's CPU Distance kernels: the distance of one pair of
// rows (a sequential sum over the columns in the dtype, finished once) and the gradient term one
// pair contributes to one column of the first row. Written once for the CPU loops in
// lib/cpu/cdist.cpp and a CUDA kernel.
#pragma once
#include <cmath>
#include <cstdint>

#include <tapegrad/kernels/functors.h>

namespace tapegrad {
namespace fn {

// Which formula a p selects (torch's zdist / odist / lttdist / tdist / idist / pdist).
enum class CdistKind : int { Zero, One, LessTwo, Two, Inf, General };

TG_HD inline CdistKind cdist_kind(double p) {
  if (p == 0) return CdistKind::Zero;
  if (p == 1) return CdistKind::One;
  if (std::isinf(p)) return CdistKind::Inf;
  if (p < 2) return CdistKind::LessTwo;
  return p == 2 ? CdistKind::Two : CdistKind::General;
}

// One column's step of the distance (d = |a[k] - b[k]|) and the finish after the last column.
// The infinity norm keeps torch's std::max(agg, d) from 0: a NaN column is passed over, not
// propagated.
template <CdistKind K, class T>
TG_HD T cdist_step(T agg, T d, T p) {
  switch (K) {
    // torch's std::min(ceil(d), 1) for d = |a - b| >= 0: 0 or 1, NaN kept (no ceil call)
    case CdistKind::Zero: return agg + (d != d ? d : (d > T(0) ? T(1) : T(0)));
    case CdistKind::One: return agg + d;
    case CdistKind::Two: return agg + d * d;
    case CdistKind::Inf: return agg < d ? d : agg;
    default: return agg + std::pow(d, p);
  }
}

template <CdistKind K, class T>
TG_HD T cdist_finish(T agg, T p) {
  if (K == CdistKind::Two) return std::sqrt(agg);
  if (K == CdistKind::LessTwo || K == CdistKind::General)
    return static_cast<T>(std::pow(agg, T(1) / p));
  return agg;
}

// The p-distance of rows a and b (m columns, unit stride): a sequential sum, as torch's.
template <CdistKind K, class T>
TG_HD T cdist_pair(const T* a, const T* b, int64_t m, T p) {
  T agg = 0;
  for (int64_t k = 0; k < m; ++k) agg = cdist_step<K>(agg, std::abs(a[k] - b[k]), p);
  return cdist_finish<K>(agg, p);
}

// torch's (0 < x) - (x < 0): 0 for 0 and NaN
template <class T>
TG_HD T cdist_sign(T x) { return T(T(0) < x) - T(x < T(0)); }

// Whether kind K's gradient is 0 for a pair at distance 0 (torch's subgradient there).
template <CdistKind K>
TG_HD constexpr bool cdist_zero_at_zero() {
  return K == CdistKind::LessTwo || K == CdistKind::Two || K == CdistKind::General;
}

// d dist / d a[k] times g for one pair, with diff = a[k] - b[k] and dist their distance, for a
// pair whose distance is not 0 where cdist_zero_at_zero<K>() (the caller checks it once per
// pair, so that the CPU loops over the columns vectorise). No calls where torch's has ceil /
// min. Zero is never asked for (its gradient is 0).
template <CdistKind K, class T>
TG_HD T cdist_grad_term_nz(T diff, T g, T dist, T p) {
  switch (K) {
    // (selects here compile to branches, 10x slower on random signs)
    case CdistKind::One: return g * cdist_sign(diff);
    case CdistKind::LessTwo:
      if (diff == T(0) && p < T(1)) return T(0);
      return cdist_sign(diff) * std::pow(std::abs(diff), p - T(1)) * g / std::pow(dist, p - T(1));
    case CdistKind::Two: return g * diff / dist;
    case CdistKind::Inf: {
      // torch's 1 - min(1, ceil(|e|)), e = |diff| - dist: 1 where e is 0, else 0, NaN kept
      const T e = std::abs(diff) - dist;
      const T f = e != e ? e : (e == T(0) ? T(1) : T(0));
      return g * cdist_sign(diff) * f;
    }
    case CdistKind::General:
      return diff * std::pow(std::abs(diff), p - T(2)) * g / std::pow(dist, p - T(1));
    default: return T(0);
  }
}

template <CdistKind K, class T>
TG_HD T cdist_grad_term(T diff, T g, T dist, T p) {
  return cdist_zero_at_zero<K>() && dist == T(0) ? T(0) : cdist_grad_term_nz<K>(diff, g, dist, p);
}

}  // namespace fn
}  // namespace tapegrad
