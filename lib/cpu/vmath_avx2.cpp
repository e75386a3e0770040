// AVX2 + FMA lane traits for the vectorised math (kernels/vmath_impl.h), for x86-64 CPUs without
// AVX-512. As in gemm_avx2.cpp, everything under the `#pragma GCC target` has internal linkage
// except the table getter, which lib/cpu/vmath.cpp calls only when the CPU runs AVX2 and FMA.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include <tapegrad/kernels/vmath.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#include <immintrin.h>

#pragma GCC push_options
#pragma GCC target("avx2,fma")

namespace tapegrad {
namespace vmath {
namespace {

constexpr int kNear = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
constexpr int kDown = _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC;

struct F32 {
  using T = float;
  using V = __m256;
  static constexpr int W = 8;
  static constexpr bool kScalef = false;  // has scalef (v * 2^floor(n), one rounding)
  static V zero() { return _mm256_setzero_ps(); }
  static V set1(T v) { return _mm256_set1_ps(v); }
  static V load(const T* p) { return _mm256_loadu_ps(p); }
  static void store(T* p, V v) { _mm256_storeu_ps(p, v); }
  static void stream(T* p, V v) { _mm256_stream_ps(p, v); }  // p aligned to the vector
  static void fence() { _mm_sfence(); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  static V sub(V a, V b) { return _mm256_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V div(V a, V b) { return _mm256_div_ps(a, b); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V fnma(V a, V b, V c) { return _mm256_fnmadd_ps(a, b, c); }  // c - a * b
  static V min(V a, V b) { return _mm256_min_ps(a, b); }  // b when either is NaN
  static V max(V a, V b) { return _mm256_max_ps(a, b); }
  static V sqrt(V a) { return _mm256_sqrt_ps(a); }
  static V round(V a) { return _mm256_round_ps(a, kNear); }
  static V floor(V a) { return _mm256_round_ps(a, kDown); }
  static V abs(V a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
  static V neg(V a) { return _mm256_xor_ps(a, _mm256_set1_ps(-0.0f)); }
  static V copysign(V m, V s) {
    const V sign = _mm256_set1_ps(-0.0f);
    return _mm256_or_ps(_mm256_andnot_ps(sign, m), _mm256_and_ps(s, sign));
  }
  static V shl_exp(V a) { return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_castps_si256(a), 23)); }
  static V select_ge(V a, V b, V x, V y) {
    return _mm256_blendv_ps(y, x, _mm256_cmp_ps(a, b, _CMP_GE_OQ));
  }
  static bool any_gt(V a, V b) { return _mm256_movemask_ps(_mm256_cmp_ps(a, b, _CMP_GT_OQ)) != 0; }
  // bit tests on the float's representation (sincos_f_pack's quadrant)
  static V select_bit0(V t, V x, V y) {  // blendv reads the sign bit: move bit 0 there
    return _mm256_blendv_ps(y, x, _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_castps_si256(t), 31)));
  }
  static V sign_of_bit1(V t) {
    return _mm256_castsi256_ps(_mm256_and_si256(_mm256_slli_epi32(_mm256_castps_si256(t), 30),
                                                _mm256_set1_epi32(INT32_MIN)));
  }
  // x = m 2^e with m in [1, 2), for positive normal x (log's argument reduction)
  static V split_exp(V x, V* e) {
    const __m256i bits = _mm256_castps_si256(x);
    *e = _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(127)));
    return _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi32(0x7fffff)),
                                               _mm256_set1_epi32(0x3f800000)));
  }
  // any lane below lo, above hi, or NaN
  static bool any_outside(V x, T lo, T hi) {
    return _mm256_movemask_ps(_mm256_or_ps(_mm256_cmp_ps(x, _mm256_set1_ps(lo), _CMP_NGE_UQ),
                                           _mm256_cmp_ps(x, _mm256_set1_ps(hi), _CMP_NLE_UQ))) != 0;
  }
  static V xorb(V a, V b) { return _mm256_xor_ps(a, b); }
  static double hsum(V a) {
    alignas(32) float t[8];
    _mm256_store_ps(t, a);
    double s = 0;
    for (float v : t) s += v;
    return s;
  }
};

struct F64 {
  using T = double;
  using V = __m256d;
  static constexpr int W = 4;
  static constexpr bool kScalef = false;  // has scalef (v * 2^floor(n), one rounding)
  static V zero() { return _mm256_setzero_pd(); }
  static V set1(T v) { return _mm256_set1_pd(v); }
  static V load(const T* p) { return _mm256_loadu_pd(p); }
  static void store(T* p, V v) { _mm256_storeu_pd(p, v); }
  static void stream(T* p, V v) { _mm256_stream_pd(p, v); }
  static void fence() { _mm_sfence(); }
  static V load_f32(const float* p) { return _mm256_cvtps_pd(_mm_loadu_ps(p)); }
  // p[0, W) * p[W, 2W) multiplied in float, widened (prod_lanes)
  static V load_f32_pairs(const float* p) {
    return _mm256_cvtps_pd(_mm_mul_ps(_mm_loadu_ps(p), _mm_loadu_ps(p + W)));
  }
  static void store_f32(float* p, V v) { _mm_storeu_ps(p, _mm256_cvtpd_ps(v)); }
  static V add(V a, V b) { return _mm256_add_pd(a, b); }
  static V sub(V a, V b) { return _mm256_sub_pd(a, b); }
  static V mul(V a, V b) { return _mm256_mul_pd(a, b); }
  static V div(V a, V b) { return _mm256_div_pd(a, b); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  static V fnma(V a, V b, V c) { return _mm256_fnmadd_pd(a, b, c); }
  static V min(V a, V b) { return _mm256_min_pd(a, b); }
  static V max(V a, V b) { return _mm256_max_pd(a, b); }
  static V sqrt(V a) { return _mm256_sqrt_pd(a); }
  static V round(V a) { return _mm256_round_pd(a, kNear); }
  static V floor(V a) { return _mm256_round_pd(a, kDown); }
  static V abs(V a) { return _mm256_andnot_pd(_mm256_set1_pd(-0.0), a); }
  static V neg(V a) { return _mm256_xor_pd(a, _mm256_set1_pd(-0.0)); }
  static V copysign(V m, V s) {
    const V sign = _mm256_set1_pd(-0.0);
    return _mm256_or_pd(_mm256_andnot_pd(sign, m), _mm256_and_pd(s, sign));
  }
  static V shl_exp(V a) { return _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_castpd_si256(a), 52)); }
  static V select_ge(V a, V b, V x, V y) {
    return _mm256_blendv_pd(y, x, _mm256_cmp_pd(a, b, _CMP_GE_OQ));
  }
  static bool any_gt(V a, V b) { return _mm256_movemask_pd(_mm256_cmp_pd(a, b, _CMP_GT_OQ)) != 0; }
  // x = m 2^e with m in [1, 2), for positive normal x. AVX2 has no int64 -> double conversion:
  // the biased exponent goes in as the low mantissa bits of 2^52, which is then subtracted.
  static V split_exp(V x, V* e) {
    const __m256i bits = _mm256_castpd_si256(x);
    const __m256i two52 = _mm256_set1_epi64x(0x4330000000000000LL);
    const V biased = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(_mm256_srli_epi64(bits, 52), two52)),
                                   _mm256_castsi256_pd(two52));
    *e = _mm256_sub_pd(biased, _mm256_set1_pd(1023.0));
    return _mm256_castsi256_pd(_mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi64x(0xfffffffffffffLL)),
                                               _mm256_set1_epi64x(0x3ff0000000000000LL)));
  }
  // any lane below lo, above hi, or NaN
  static bool any_outside(V x, T lo, T hi) {
    return _mm256_movemask_pd(_mm256_or_pd(_mm256_cmp_pd(x, _mm256_set1_pd(lo), _CMP_NGE_UQ),
                                           _mm256_cmp_pd(x, _mm256_set1_pd(hi), _CMP_NLE_UQ))) != 0;
  }
  static double hsum(V a) {
    alignas(32) double t[4];
    _mm256_store_pd(t, a);
    return (t[0] + t[1]) + (t[2] + t[3]);
  }
};

#include <tapegrad/kernels/vmath_impl.h>

}  // namespace

// Built on first use, never at load time: the initializer is compiled for this ISA and must only
// run after the CPU check (a namespace-scope set made the library die with SIGILL on load on CPUs
// without it).
const VecSet* avx2_set() {
  static const VecSet set = make_set<F32, F64>("avx2");
  return &set;
}

}  // namespace vmath
}  // namespace tapegrad

#pragma GCC pop_options

#else
namespace tapegrad {
namespace vmath {
const VecSet* avx2_set() { return nullptr; }
}  // namespace vmath
}  // namespace tapegrad
#endif
