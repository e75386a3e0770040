// CPU reductions over the innermost block of a contiguous input (the op layer permutes the
// reduced dims last): sum/max/min, arg-max/min with first-index ties, and softmax; float sums
// go through the SIMD lanes of kernels/vmath.h; sum_rows reduces leading dims in place.
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include <tapegrad/kernels/cuda_kernels.h>
#include <tapegrad/kernels/dispatch.h>
#include <tapegrad/kernels/kernels.h>
#include <tapegrad/kernels/loops.h>
#include <tapegrad/kernels/reduce_rows.h>
#include <tapegrad/kernels/vmath.h>

#include "via_float.h"

namespace tapegrad {
namespace kern {

namespace {
// Scalar float sums accumulate in double: more accurate than a float accumulator and cheap
// enough here (the SIMD sums of kernels/vmath.h are blocked; see vmath_impl.h).
template <class T>
using acc_t = typename std::conditional<std::is_floating_point<T>::value, double, int64_t>::type;

// The scalar (no vector set) float sum: blocks of 64 in four interleaved double partials (so
// the partials that round stay small), the block sums added with Neumaier's compensation: a
// long row stays as accurate as the SIMD sums of kernels/vmath.h.
template <class T>
double sum_blocked(const T* p, int64_t n) {
  double s = 0, comp = 0;
  for (int64_t i = 0; i < n; i += 64) {
    const int64_t e = std::min<int64_t>(n, i + 64);
    double b[4] = {0, 0, 0, 0};
    int64_t k = i;
    for (; k + 4 <= e; k += 4)
      for (int j = 0; j < 4; ++j) b[j] += static_cast<double>(p[k + j]);
    for (; k < e; ++k) b[0] += static_cast<double>(p[k]);
    const double v = (b[0] + b[1]) + (b[2] + b[3]);
    const double t = s + v;
    comp += std::abs(s) >= std::abs(v) ? (s - t) + v : (v - t) + s;
    s = t;
  }
  return std::isfinite(s) ? s + comp : s;
}
// Products of contiguous float32 rows holding half/bfloat16 values, each partial product
// rounded to `dt` (out: float32, one value per row).
void half_prod(const Tensor& out, const Tensor& in, int64_t inner, DType dt) {
  const int64_t outer = out.numel();
  const float* src = in.data<float>();
  float* dst = out.data<float>();
  for (int64_t o = 0; o < outer; ++o) {
    float acc = 1.0f;
    for (int64_t k = 0; k < inner; ++k)
      acc = static_cast<float>(via_float::round_scalar(acc * src[o * inner + k], dt));
    dst[o] = acc;
  }
}

}  // namespace

namespace {
// max (IsMax) or min of p[0, n), n >= 1, NaNs ignored: eight independent lanes of branch-free
// selects, which the compiler turns into vector max/min instructions. A single running value
// with a branch per element was most of amax's and softmax's time (1024 x 1024: 2 ms of 3).
template <bool IsMax, class T>
inline T lanes_extreme(const T* p, int64_t n) {
  T lanes[8];
  for (T& l : lanes) l = p[0];
  int64_t k = 0;
  for (; k + 8 <= n; k += 8)
    for (int l = 0; l < 8; ++l) {
      const T v = p[k + l];
      lanes[l] = (IsMax ? v > lanes[l] : v < lanes[l]) ? v : lanes[l];
    }
  for (; k < n; ++k) lanes[0] = (IsMax ? p[k] > lanes[0] : p[k] < lanes[0]) ? p[k] : lanes[0];
  T m = lanes[0];
  for (int l = 1; l < 8; ++l) m = (IsMax ? lanes[l] > m : lanes[l] < m) ? lanes[l] : m;
  return m;
}

// The same, NaN if any element is NaN (a separate pass: folded into the select loop it kept
// that loop scalar). The scalar path; float and double rows take the vector table's
// extreme_lanes (kernels/vmath_impl.h): the compiler kept lanes_extreme's selects scalar, and
// amax over 1024-float rows took 4x torch's time.
template <bool IsMax, class T>
T row_extreme(const T* p, int64_t n, const vmath::VecSet* vset) {
  if constexpr (std::is_same<T, float>::value) {
    if (vset) return IsMax ? vset->max_f32(p, n) : vset->min_f32(p, n);
  } else if constexpr (std::is_same<T, double>::value) {
    if (vset) return IsMax ? vset->max_f64(p, n) : vset->min_f64(p, n);
  }
  if constexpr (std::is_floating_point<T>::value) {
    int nan = 0;
    for (int64_t k = 0; k < n; ++k) nan |= p[k] != p[k];
    if (nan) return std::numeric_limits<T>::quiet_NaN();
  }
  return lanes_extreme<IsMax>(p, n);
}

// Product of a float row in double, in eight interleaved partials (one running product was a
// chain of dependent multiplications: prod over 1024-float rows took 15x torch's time). The
// partials are double, so the grouping moves the float result by at most a rounding of the
// double, as torch's own vector lanes regroup it.
template <class T>
double row_prod(const T* p, int64_t n) {
  double lanes[8] = {1, 1, 1, 1, 1, 1, 1, 1};
  int64_t k = 0;
  for (; k + 8 <= n; k += 8)
    for (int l = 0; l < 8; ++l) lanes[l] *= static_cast<double>(p[k + l]);
  for (; k < n; ++k) lanes[0] *= static_cast<double>(p[k]);
  return ((lanes[0] * lanes[1]) * (lanes[2] * lanes[3])) * ((lanes[4] * lanes[5]) * (lanes[6] * lanes[7]));
}
}  // namespace

void reduce_inner(ReduceOp op, const Tensor& out, const Tensor& in, int64_t inner) {
  if (via_float::any(out, in)) {  // Note [Half via float]
    Tensor out_f = via_float::scratch(out);
    if (op == ReduceOp::Prod && out.device().is_cpu()) {
      // torch's half/bfloat16 prod rounds after every multiplication, left to right
      half_prod(out_f, via_float::up(in), inner, out.dtype());
    } else {
      reduce_inner(op, out_f, via_float::up(in), inner);
    }
    via_float::down(out, out_f);
    return;
  }
  TG_CUDA_DISPATCH(reduce_inner(op, out, in, inner), out, in);
  const int64_t outer = inner ? in.numel() / inner : out.numel();
  if (op == ReduceOp::Sum && outer == 1 && inner > 0 && out.dtype() == in.dtype() &&
      in.device().is_cpu()) {
    double s;  // one long row (a full reduction): SIMD lanes in double, chunks across threads
    if (vmath::try_sum(in.dtype(), in.raw_data(), inner, &s)) {
      if (out.dtype() == DType::Float32) *out.data<float>() = static_cast<float>(s);
      else *out.data<double>() = s;
      return;
    }
  }
  const vmath::VecSet* vset = vmath::active();
  auto body = [&](auto tag, auto out_tag) {
    using T = decltype(tag);
    using R = decltype(out_tag);
    const T* src = in.data<T>();
    R* dst = out.data<R>();
    const bool par = outer * inner >= cpu::kGrain && outer > 1;
#pragma omp parallel for if (par) schedule(static)
    for (int64_t o = 0; o < outer; ++o) {
      const T* p = src + o * inner;
      if constexpr (std::is_same<T, R>::value && std::is_same<T, float>::value) {
        if (op == ReduceOp::Sum && vset && inner >= 16) {
          dst[o] = static_cast<R>(vset->sum_f32(p, inner));
          continue;
        }
      }
      if constexpr (std::is_same<T, R>::value && std::is_same<T, double>::value) {
        if (op == ReduceOp::Sum && vset && inner >= 16) {
          dst[o] = vset->sum_f64(p, inner);
          continue;
        }
      }
      if constexpr (std::is_floating_point<T>::value) {
        if (op == ReduceOp::Sum) {
          dst[o] = static_cast<R>(sum_blocked(p, inner));
          continue;
        }
      }
      if (op == ReduceOp::Sum) {
        acc_t<T> acc = 0;
        for (int64_t k = 0; k < inner; ++k) acc += static_cast<acc_t<T>>(p[k]);
        dst[o] = static_cast<R>(acc);
      } else if (op == ReduceOp::Prod && std::is_floating_point<T>::value) {
        if constexpr (std::is_same<T, float>::value) {
          if (vset) {
            dst[o] = static_cast<R>(vset->prod_f32(p, inner));
            continue;
          }
        } else if constexpr (std::is_same<T, double>::value) {
          if (vset) {
            dst[o] = static_cast<R>(vset->prod_f64(p, inner));
            continue;
          }
        }
        dst[o] = static_cast<R>(row_prod(p, inner));
      } else if (op == ReduceOp::Prod) {
        acc_t<T> acc = 1;
        for (int64_t k = 0; k < inner; ++k) acc *= static_cast<acc_t<T>>(p[k]);
        dst[o] = static_cast<R>(acc);
      } else {
        dst[o] = static_cast<R>(op == ReduceOp::Max ? row_extreme<true>(p, inner, vset)
                                                    : row_extreme<false>(p, inner, vset));
      }
    }
  };
  if ((op == ReduceOp::Sum || op == ReduceOp::Prod) && out.dtype() != in.dtype()) {
    // integer/bool sums and products produce int64
    TG_CHECK(out.dtype() == DType::Int64, "internal: sum output dtype");
    dispatch_numeric_and_bool(in.dtype(), "sum", [&](auto tag) { body(tag, int64_t{}); });
    return;
  }
  dispatch_numeric_and_bool(in.dtype(), "reduce", [&](auto tag) { body(tag, tag); });
}

namespace {
// body(c0, nc) over the column blocks [c0, c0 + nc) of a row-major [rows, cols] array, nc <=
// Block, the blocks split across threads above the grain size (sum_rows, extreme_rows).
template <int64_t Block, class Body>
void column_blocks(int64_t rows, int64_t cols, Body&& body) {
  const int64_t nblocks = (cols + Block - 1) / Block;
  const bool par = rows * cols >= cpu::kGrain && nblocks > 1 && cpu::max_threads() > 1;
#pragma omp parallel for if (par) schedule(static)
  for (int64_t b = 0; b < nblocks; ++b) body(b * Block, std::min(Block, cols - b * Block));
}
}  // namespace

void sum_rows(const Tensor& out, const Tensor& in, int64_t rows) {
  if (via_float::any(out, in)) {  // Note [Half via float]
    Tensor out_f = via_float::scratch(out);
    sum_rows(out_f, via_float::up(in), rows);
    via_float::down(out, out_f);
    return;
  }
  const int64_t cols = out.numel();
  dispatch_floating(in.dtype(), "sum", [&](auto tag) {
    using T = decltype(tag);
    const T* src = in.data<T>();
    T* dst = out.data<T>();
    // Column blocks (a few KiB of accumulators, cache-resident) split across threads.
    constexpr int64_t kBlock = 512;
    // The vector table's fold when there is one: the baseline loop converts two floats at a
    // time (sum(0) of 1024 x 1024 1.2x torch's time).
    vmath::FoldSumFn<T> fold = nullptr;
    if (const vmath::VecSet* set = vmath::active()) {
      if constexpr (std::is_same<T, float>::value) fold = set->fold_sum_f32;
      else fold = set->fold_sum_f64;
    }
    column_blocks<kBlock>(rows, cols, [&](int64_t c0, int64_t nc) {
      double acc[kBlock];
      for (int64_t c = 0; c < nc; ++c) acc[c] = 0;
      for (int64_t r = 0; r < rows; ++r) {
        const T* p = src + r * cols + c0;
        if (fold) {
          fold(acc, p, nc);
          continue;
        }
        for (int64_t c = 0; c < nc; ++c) acc[c] += static_cast<double>(p[c]);
      }
      for (int64_t c = 0; c < nc; ++c) dst[c0 + c] = static_cast<T>(acc[c]);
    });
  });
}

namespace {
// vmath's extreme_fold without vectors, with the same ties between +0 and -0 (torch's: the
// row's value in whole 128-byte blocks of columns, the accumulator after them).
template <class T>
void fold_extreme_scalar(T* acc, const T* p, int64_t n, bool is_max) {
  const int64_t nv = n - n % static_cast<int64_t>(128 / sizeof(T));
  for (int64_t c = 0; c < nv; ++c)
    if (acc[c] == acc[c] && !(is_max ? acc[c] > p[c] : acc[c] < p[c])) acc[c] = p[c];
  for (int64_t c = nv; c < n; ++c)
    if ((is_max ? p[c] > acc[c] : p[c] < acc[c]) || p[c] != p[c]) acc[c] = p[c];
}
}  // namespace

void extreme_rows(const Tensor& out, const Tensor& in, int64_t rows, bool is_max) {
  if (via_float::any(out, in)) {  // Note [Half via float] (exact: a selection)
    Tensor out_f = via_float::scratch(out);
    extreme_rows(out_f, via_float::up(in), rows, is_max);
    via_float::down(out, out_f);
    return;
  }
  const int64_t cols = out.numel();
  dispatch_floating(in.dtype(), "amax", [&](auto tag) {
    using T = decltype(tag);
    const T* src = in.data<T>();
    T* dst = out.data<T>();
    // Column blocks of running values, each row folded in (a NaN element takes over, and a NaN
    // running value stays).
    // The transposed copy this replaces took 6-10x torch's time (amax(0) of 1024 x 1024).
    // The vector table's fold when there is one: the baseline loop's SSE2 selects took 1.3x
    // torch's time on amax(0) of 1024 x 1024.
    constexpr int64_t kBlock = 1024;
    vmath::FoldFn<T> fold = nullptr;
    if (const vmath::VecSet* set = vmath::active()) {
      if constexpr (std::is_same<T, float>::value)
        fold = is_max ? set->fold_max_f32 : set->fold_min_f32;
      else
        fold = is_max ? set->fold_max_f64 : set->fold_min_f64;
    }
    column_blocks<kBlock>(rows, cols, [&](int64_t c0, int64_t nc) {
      T acc[kBlock];
      for (int64_t c = 0; c < nc; ++c) acc[c] = src[c0 + c];
      for (int64_t r = 1; r < rows; ++r) {
        const T* p = src + r * cols + c0;
        if (fold)
          fold(acc, p, nc);
        else
          fold_extreme_scalar(acc, p, nc, is_max);
      }
      for (int64_t c = 0; c < nc; ++c) dst[c0 + c] = acc[c];
    });
  });
}

void reduce_arg_inner(bool is_max, const Tensor& values, const Tensor& indices, const Tensor& in,
                      int64_t inner) {
  if (via_float::any(values, in)) {  // Note [Half via float]
    Tensor values_f = via_float::scratch(values);
    reduce_arg_inner(is_max, values_f, indices, via_float::up(in), inner);
    via_float::down(values, values_f);
    return;
  }
  TG_CUDA_DISPATCH(reduce_arg_inner(is_max, values, indices, in, inner), in, values, indices);
  const int64_t outer = values.numel();
  dispatch_numeric_and_bool(in.dtype(), is_max ? "max" : "min", [&](auto tag) {
    using T = decltype(tag);
    const T* src = in.data<T>();
    T* vals = values.defined() ? values.data<T>() : nullptr;
    int64_t* idx = indices.data<int64_t>();
    // rows in parallel shares (argmax(1) of 1024 x 1024 at 2 threads: 1.9x torch's time)
    cpu::parallel_lanes(outer, inner, [&](int64_t o0, int64_t o1) {
      for (int64_t o = o0; o < o1; ++o) {
        const T* p = src + o * inner;
        T best = p[0];
        int64_t bi = 0;
        for (int64_t k = 1; k < inner && best == best; ++k) {
          T v = p[k];
          if (v != v || (is_max ? v > best : v < best)) {
            best = v;
            bi = k;
          }
        }
        if (vals) vals[o] = best;
        idx[o] = bi;
      }
    });
  });
}

void sum_squares_inner(const Tensor& out, const Tensor& in, int64_t inner) {
  TG_CHECK(in.device().is_cpu() && in.is_contiguous() && out.is_contiguous() && inner > 0 &&
           in.dtype() == out.dtype() && out.numel() * inner == in.numel(),
           "internal: sum_squares_inner operands");
  const int64_t outer = out.numel();
  const vmath::VecSet* vset = vmath::active();
  dispatch_floating(in.dtype(), "norm", [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same<T, float>::value || std::is_same<T, double>::value) {
      const T* src = in.data<T>();
      T* dst = out.data<T>();
      double s;
      if (outer == 1 && vmath::try_sum_squares(in.dtype(), src, inner, &s)) {
        *dst = static_cast<T>(s);
        return;
      }
      vmath::SumFn<T> f = nullptr;
      if constexpr (std::is_same<T, float>::value) f = vset ? vset->sumsq_f32 : nullptr;
      else f = vset ? vset->sumsq_f64 : nullptr;
      const bool par = outer * inner >= cpu::kGrain && outer > 1;
#pragma omp parallel for if (par) schedule(static)
      for (int64_t o = 0; o < outer; ++o) {
        const T* p = src + o * inner;
        if (f) {
          dst[o] = static_cast<T>(f(p, inner));
          continue;
        }
        double acc = 0;
        for (int64_t k = 0; k < inner; ++k) acc += static_cast<double>(p[k]) * p[k];
        dst[o] = static_cast<T>(acc);
      }
    } else {
      TG_ERROR("internal: sum_squares_inner of ", dtype_name(in.dtype()));
    }
  });
}

bool softmax_cols(const Tensor& out, const Tensor& in, int64_t outer, int64_t n, int64_t inner,
                  bool log) {
  const vmath::VecSet* vset = vmath::active();
  if (!vset || !in.device().is_cpu() || !in.is_contiguous() || !out.is_contiguous() ||
      out.raw_data() == in.raw_data() || n < 1 || inner < 1)
    return false;
  bool done = false;
  dispatch_floating(in.dtype(), log ? "log_softmax" : "softmax", [&](auto tag) {
    using T = decltype(tag);
    vmath::MapFn<T> vexp = nullptr;
    if constexpr (std::is_same<T, float>::value) vexp = vset->f32[vmath::kExp];
    else if constexpr (std::is_same<T, double>::value) vexp = vset->f64[vmath::kExp];
    if (!vexp) return;
    done = true;
    std::vector<T> mx(inner), fin(inner);
    std::vector<double> sum(inner);
    for (int64_t o = 0; o < outer; ++o) {
      const T* p = in.data<T>() + o * n * inner;
      T* q = out.data<T>() + o * n * inner;
      // the column maxima, NaN sticky (as the row kernel: a NaN makes its whole column NaN)
      std::copy(p, p + inner, mx.begin());
      for (int64_t k = 1; k < n; ++k)
        for (int64_t i = 0; i < inner; ++i) {
          const T v = p[k * inner + i];
          mx[i] = v > mx[i] || v != v ? v : mx[i];
        }
      for (int64_t i = 0; i < inner; ++i)
        if (std::isinf(mx[i]) && mx[i] < 0) mx[i] = 0;  // all -inf: avoid inf - inf
      std::fill(sum.begin(), sum.end(), 0.0);
      for (int64_t k = 0; k < n; ++k) {
        T* qk = q + k * inner;
        for (int64_t i = 0; i < inner; ++i) qk[i] = p[k * inner + i] - mx[i];
        vexp(qk, qk, inner, false);
        for (int64_t i = 0; i < inner; ++i) sum[i] += qk[i];
      }
      // the row kernel's last step per column: (p - m) - log(s) (torch's order: p - (m + log(s))
      // loses the digits of a result near 0), or e * (1 / s)
      for (int64_t i = 0; i < inner; ++i)
        fin[i] = log ? static_cast<T>(std::log(sum[i])) : static_cast<T>(1 / sum[i]);
      for (int64_t k = 0; k < n; ++k) {
        T* qk = q + k * inner;
        if (log) {
          for (int64_t i = 0; i < inner; ++i) qk[i] = (p[k * inner + i] - mx[i]) - fin[i];
        } else {
          for (int64_t i = 0; i < inner; ++i) qk[i] *= fin[i];
        }
      }
    }
  });
  return done;
}

// softmax_inner's rows shorter than kShortRow go kShortBlock elements' worth of rows at a time.
constexpr int64_t kShortRow = 64, kShortBlock = 2048;

void softmax_inner(const Tensor& out, const Tensor& in, int64_t inner, bool log) {
  if (via_float::any(out, in)) {  // Note [Half via float]
    Tensor out_f = via_float::scratch(out);
    softmax_inner(out_f, via_float::up(in), inner, log);
    via_float::down(out, out_f);
    return;
  }
  TG_CUDA_DISPATCH(softmax_inner(out, in, inner, log), out, in);
  const int64_t outer = inner ? in.numel() / inner : 0;
  const vmath::VecSet* vset = vmath::active();
  dispatch_floating(in.dtype(), log ? "log_softmax" : "softmax", [&](auto tag) {
    using T = decltype(tag);
    const T* src = in.data<T>();
    T* dst = out.data<T>();
    // The vector exp and sum (vmath) where the table has them, as torch's vectorised kernel: the
    // scalar loop below calls libm's double exp twice per element (a 1024 x 1024 softmax took
    // 11 ms against torch's 0.6). exp(x - max) is written into the output row first, so the
    // output must not be the input.
    vmath::MapFn<T> vexp = nullptr;
    vmath::SumFn<T> vsum = nullptr;
    if (vset && src != dst) {
      if constexpr (std::is_same<T, float>::value) {
        vexp = vset->f32[vmath::kExp];
        vsum = vset->sum_f32;
      } else if constexpr (std::is_same<T, double>::value) {
        vexp = vset->f64[vmath::kExp];
        vsum = vset->sum_f64;
      }
    }
    const bool par = outer * inner >= cpu::kGrain && outer > 1;
    if (vexp && vsum && inner < kShortRow && outer > 1) {
      // Short rows (a classifier's logits, 64 x 10): per-row vector calls cost more than their
      // work there (log_softmax of 64 x 10 took 5.6 us), so the exp runs once over a block of
      // rows after every row's max is subtracted, and the sums are plain loops.
      const int64_t rows = std::max<int64_t>(1, kShortBlock / inner);
      const int64_t blocks = (outer + rows - 1) / rows;
#pragma omp parallel for if (par) schedule(static)
      for (int64_t b = 0; b < blocks; ++b) {
        const int64_t o0 = b * rows, o1 = std::min(outer, o0 + rows);
        T maxes[kShortBlock];
        for (int64_t o = o0; o < o1; ++o) {
          const T* p = src + o * inner;
          T* q = dst + o * inner;
          T m = -std::numeric_limits<T>::infinity();
          for (int64_t k = 0; k < inner; ++k) m = p[k] > m || p[k] != p[k] ? p[k] : m;
          if (std::isinf(m) && m < 0) m = 0;  // all -inf: avoid inf - inf
          for (int64_t k = 0; k < inner; ++k) q[k] = p[k] - m;
          maxes[o - o0] = m;
        }
        vexp(dst + o0 * inner, dst + o0 * inner, (o1 - o0) * inner, false);
        for (int64_t o = o0; o < o1; ++o) {
          const T* p = src + o * inner;
          T* q = dst + o * inner;
          double s = 0;
          for (int64_t k = 0; k < inner; ++k) s += q[k];
          if (log) {
            const T ls = static_cast<T>(std::log(s)), m = maxes[o - o0];
            for (int64_t k = 0; k < inner; ++k) q[k] = (p[k] - m) - ls;
          } else {
            const T inv = static_cast<T>(1 / s);
            for (int64_t k = 0; k < inner; ++k) q[k] *= inv;
          }
        }
      }
      return;
    }
#pragma omp parallel for if (par) schedule(static)
    for (int64_t o = 0; o < outer; ++o) {
      const T* p = src + o * inner;
      T* q = dst + o * inner;
      if (vexp && vsum) {
        // a NaN need not be tracked here: its p - m is NaN, so the sum and the whole row are
        T m = row_extreme<true>(p, inner, vset);
        if (std::isinf(m) && m < 0) m = 0;  // all -inf: avoid inf - inf
        for (int64_t k = 0; k < inner; ++k) q[k] = p[k] - m;
        vexp(q, q, inner, false);
        const double s = vsum(q, inner);
        if (log) {
          const T ls = static_cast<T>(std::log(s));
          for (int64_t k = 0; k < inner; ++k) q[k] = (p[k] - m) - ls;
        } else {
          const T inv = static_cast<T>(1 / s);
          for (int64_t k = 0; k < inner; ++k) q[k] *= inv;
        }
        continue;
      }
      T m = -std::numeric_limits<T>::infinity();
      for (int64_t k = 0; k < inner; ++k) m = p[k] > m || p[k] != p[k] ? p[k] : m;
      if (std::isinf(m) && m < 0) m = 0;  // all -inf: avoid inf - inf
      acc_t<T> s = 0;
      for (int64_t k = 0; k < inner; ++k) s += std::exp(static_cast<acc_t<T>>(p[k] - m));
      if (log) {
        const T ls = static_cast<T>(std::log(s));
        for (int64_t k = 0; k < inner; ++k) q[k] = (p[k] - m) - ls;
      } else {
        const acc_t<T> inv = 1 / s;
        for (int64_t k = 0; k < inner; ++k) q[k] = static_cast<T>(std::exp(static_cast<acc_t<T>>(p[k] - m)) * inv);
      }
    }
  });
}

}  // namespace kern
}  // namespace tapegrad
