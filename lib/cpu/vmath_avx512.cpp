// AVX-512 lane traits for the vectorised math (kernels/vmath_impl.h). Everything after the
// `#pragma GCC target` has internal linkage except the table getter, and lib/cpu/vmath.cpp calls
// it only when the CPU and OS run AVX-512 (same scheme as lib/cpu/gemm_avx512.cpp).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include <tapegrad/kernels/vmath.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#include <immintrin.h>

#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq,avx512vl,avx512bw,avx2,fma")
// GCC 12's AVX-512 intrinsic headers self-initialise their "undefined" operands (`__Y = __Y`),
// which -Wall reports at every inlined use: noise, not a bug here.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace tapegrad {
namespace vmath {
namespace {

constexpr int kNear = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
constexpr int kDown = _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC;

struct F32 {
  using T = float;
  using V = __m512;
  static constexpr int W = 16;
  static constexpr bool kScalef = true;  // has scalef (v * 2^floor(n), one rounding)
  static __m512 scalef(__m512 v, __m512 n) { return _mm512_scalef_ps(v, n); }
  static V zero() { return _mm512_setzero_ps(); }
  static V set1(T v) { return _mm512_set1_ps(v); }
  static V load(const T* p) { return _mm512_loadu_ps(p); }
  static void store(T* p, V v) { _mm512_storeu_ps(p, v); }
  static void stream(T* p, V v) { _mm512_stream_ps(p, v); }  // p aligned to the vector
  static void fence() { _mm_sfence(); }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static V sub(V a, V b) { return _mm512_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static V div(V a, V b) { return _mm512_div_ps(a, b); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V fnma(V a, V b, V c) { return _mm512_fnmadd_ps(a, b, c); }  // c - a * b
  static V min(V a, V b) { return _mm512_min_ps(a, b); }  // b when either is NaN
  static V max(V a, V b) { return _mm512_max_ps(a, b); }
  static V sqrt(V a) { return _mm512_sqrt_ps(a); }
  static V round(V a) { return _mm512_roundscale_ps(a, kNear); }
  static V floor(V a) { return _mm512_roundscale_ps(a, kDown); }
  static V abs(V a) { return _mm512_abs_ps(a); }
  static V neg(V a) { return _mm512_xor_ps(a, _mm512_set1_ps(-0.0f)); }
  static V copysign(V m, V s) {
    return _mm512_or_ps(_mm512_abs_ps(m), _mm512_and_ps(s, _mm512_set1_ps(-0.0f)));
  }
  static V shl_exp(V a) { return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_castps_si512(a), 23)); }
  static V select_ge(V a, V b, V x, V y) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_GE_OQ), y, x);
  }
  static bool any_gt(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ) != 0; }
  static double hsum(V a) { return _mm512_reduce_add_ps(a); }
  // bit tests on the float's representation (sincos_f_pack's quadrant)
  static V select_bit0(V t, V x, V y) {
    return _mm512_mask_blend_ps(_mm512_test_epi32_mask(_mm512_castps_si512(t), _mm512_set1_epi32(1)), y, x);
  }
  static V sign_of_bit1(V t) {
    return _mm512_castsi512_ps(_mm512_and_si512(_mm512_slli_epi32(_mm512_castps_si512(t), 30),
                                                _mm512_set1_epi32(INT32_MIN)));
  }
  // x = m 2^e with m in [1, 2), for positive normal x (log's argument reduction)
  static V split_exp(V x, V* e) {
    *e = _mm512_getexp_ps(x);
    return _mm512_getmant_ps(x, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_zero);
  }
  // any lane below lo, above hi, or NaN
  static bool any_outside(V x, T lo, T hi) {
    return (_mm512_cmp_ps_mask(x, _mm512_set1_ps(lo), _CMP_NGE_UQ) |
            _mm512_cmp_ps_mask(x, _mm512_set1_ps(hi), _CMP_NLE_UQ)) != 0;
  }
  static V xorb(V a, V b) { return _mm512_xor_ps(a, b); }
};

struct F64 {
  using T = double;
  using V = __m512d;
  static constexpr int W = 8;
  static constexpr bool kScalef = true;  // has scalef (v * 2^floor(n), one rounding)
  static __m512d scalef(__m512d v, __m512d n) { return _mm512_scalef_pd(v, n); }
  static V zero() { return _mm512_setzero_pd(); }
  static V set1(T v) { return _mm512_set1_pd(v); }
  static V load(const T* p) { return _mm512_loadu_pd(p); }
  static void store(T* p, V v) { _mm512_storeu_pd(p, v); }
  static void stream(T* p, V v) { _mm512_stream_pd(p, v); }
  static void fence() { _mm_sfence(); }
  static V load_f32(const float* p) { return _mm512_cvtps_pd(_mm256_loadu_ps(p)); }
  // p[0, W) * p[W, 2W) multiplied in float, widened (prod_lanes)
  static V load_f32_pairs(const float* p) {
    return _mm512_cvtps_pd(_mm256_mul_ps(_mm256_loadu_ps(p), _mm256_loadu_ps(p + W)));
  }
  static void store_f32(float* p, V v) { _mm256_storeu_ps(p, _mm512_cvtpd_ps(v)); }
  static V add(V a, V b) { return _mm512_add_pd(a, b); }
  static V sub(V a, V b) { return _mm512_sub_pd(a, b); }
  static V mul(V a, V b) { return _mm512_mul_pd(a, b); }
  static V div(V a, V b) { return _mm512_div_pd(a, b); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  static V fnma(V a, V b, V c) { return _mm512_fnmadd_pd(a, b, c); }
  static V min(V a, V b) { return _mm512_min_pd(a, b); }
  static V max(V a, V b) { return _mm512_max_pd(a, b); }
  static V sqrt(V a) { return _mm512_sqrt_pd(a); }
  static V round(V a) { return _mm512_roundscale_pd(a, kNear); }
  static V floor(V a) { return _mm512_roundscale_pd(a, kDown); }
  static V abs(V a) { return _mm512_abs_pd(a); }
  static V neg(V a) { return _mm512_xor_pd(a, _mm512_set1_pd(-0.0)); }
  static V copysign(V m, V s) {
    return _mm512_or_pd(_mm512_abs_pd(m), _mm512_and_pd(s, _mm512_set1_pd(-0.0)));
  }
  static V shl_exp(V a) { return _mm512_castsi512_pd(_mm512_slli_epi64(_mm512_castpd_si512(a), 52)); }
  static V select_ge(V a, V b, V x, V y) {
    return _mm512_mask_blend_pd(_mm512_cmp_pd_mask(a, b, _CMP_GE_OQ), y, x);
  }
  static bool any_gt(V a, V b) { return _mm512_cmp_pd_mask(a, b, _CMP_GT_OQ) != 0; }
  // x = m 2^e with m in [1, 2), for positive normal x
  static V split_exp(V x, V* e) {
    *e = _mm512_getexp_pd(x);
    return _mm512_getmant_pd(x, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_zero);
  }
  // any lane below lo, above hi, or NaN
  static bool any_outside(V x, T lo, T hi) {
    return (_mm512_cmp_pd_mask(x, _mm512_set1_pd(lo), _CMP_NGE_UQ) |
            _mm512_cmp_pd_mask(x, _mm512_set1_pd(hi), _CMP_NLE_UQ)) != 0;
  }
  static double hsum(V a) { return _mm512_reduce_add_pd(a); }
};

#include <tapegrad/kernels/vmath_impl.h>

}  // namespace

// Built on first use, never at load time: the initializer is compiled for this ISA and must only
// run after the CPU check (a namespace-scope set made the library die with SIGILL on load on CPUs
// without it).
const VecSet* avx512_set() {
  static const VecSet set = make_set<F32, F64>("avx512");
  return &set;
}

}  // namespace vmath
}  // namespace tapegrad

#pragma GCC pop_options

#else
namespace tapegrad {
namespace vmath {
const VecSet* avx512_set() { return nullptr; }
}  // namespace vmath
}  // namespace tapegrad
#endif
