// Bulk conversions (bulk_convert.h): the half types, and AVX-512's float -> int64.
#include "bulk_convert.h"

#include <cstdint>
#include <cstring>

#include <tapegrad/core/half.h>
#include <tapegrad/kernels/clones.h>
#include <tapegrad/kernels/loops.h>
#include <tapegrad/kernels/vmath.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define TG_HAVE_F16C_PATH 1
#endif

namespace tapegrad {
namespace kern {
namespace {

#ifdef TG_HAVE_F16C_PATH
bool cpu_has_f16c() {
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx") && __builtin_cpu_supports("f16c");
  }();
  return has;
}

// vcvtps2ph rounds to nearest even with the mode given, makes subnormals and overflow to inf as
// Half(float) does, and quiets a NaN keeping its sign (0x7e00 / 0xfe00 for the usual NaNs, as
// Half(float) writes them).
__attribute__((target("avx,f16c"))) void f32_to_f16(uint16_t* d, const float* s, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm_storeu_si128(reinterpret_cast<__m128i*>(d + i),
                     _mm256_cvtps_ph(_mm256_loadu_ps(s + i), _MM_FROUND_TO_NEAREST_INT));
  for (; i < n; ++i) d[i] = Half(s[i]).bits;
}

__attribute__((target("avx,f16c"))) void f16_to_f32(float* d, const uint16_t* s, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(d + i,
                     _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i))));
  for (; i < n; ++i) {
    Half h;
    h.bits = s[i];
    d[i] = static_cast<float>(h);
  }
}
#endif

// BFloat16(float) without its branch: a select between the NaN and the rounded bits, so the
// loop vectorises (an AVX2 clone too: SSE2 has no unsigned compare or 32-to-16-bit pack, and at
// its width the loop took 3x torch's time).
TG_TARGET_CLONES void f32_to_bf16(uint16_t* d, const float* s, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    uint32_t x;
    std::memcpy(&x, s + i, 4);
    const uint32_t nan_bits = (x >> 16) | 0x40u;
    const uint32_t rounded = (x + 0x7fffu + ((x >> 16) & 1u)) >> 16;
    d[i] = static_cast<uint16_t>((x & 0x7fffffffu) > 0x7f800000u ? nan_bits : rounded);
  }
}

#ifdef TG_HAVE_F16C_PATH
// The AVX-512 forms, used where torch's AVX512 kernels run (vmath::cpu_capability(), so
// TAPEGRAD_VMATH=avx2 and =generic turn them off as they turn off the vector table).
bool use_avx512() {
  static const bool yes = std::strcmp(vmath::cpu_capability(), "AVX512") == 0;
  return yes;
}

// GCC 12's AVX-512 headers pass _mm512_undefined_*() as the unused merge source of srli and
// cvtepi32_epi16, which -Wmaybe-uninitialized reports as a use of an uninitialized value.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// f32_to_bf16 in 16 lanes. The clone above uses 8 (GCC prefers 256-bit vectors) and needs a
// pack and a lane permute per 16 results: 1.6x torch's time for x.to(bfloat16) of 1e6 floats.
__attribute__((target("avx512f,avx512bw"))) void f32_to_bf16_512(uint16_t* d, const float* s,
                                                                  int64_t n) {
  const __m512i bias = _mm512_set1_epi32(0x7fff), one = _mm512_set1_epi32(1);
  const __m512i quiet = _mm512_set1_epi32(0x40);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512 v = _mm512_loadu_ps(s + i);
    const __m512i x = _mm512_castps_si512(v);
    const __m512i hi = _mm512_srli_epi32(x, 16);
    __m512i r = _mm512_add_epi32(_mm512_add_epi32(x, bias), _mm512_and_si512(hi, one));
    r = _mm512_srli_epi32(r, 16);
    r = _mm512_mask_mov_epi32(r, _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q), _mm512_or_si512(hi, quiet));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(d + i), _mm512_cvtepi32_epi16(r));
  }
  f32_to_bf16(d + i, s + i, n - i);
}
#pragma GCC diagnostic pop

// float / double -> int64 by truncation. AVX2 has no such conversion, so the generic loop ran
// one cvttss2si per element (1.13x torch). Out of range and NaN give INT64_MIN, as the scalar
// instruction does.
__attribute__((target("avx512f,avx512dq,avx512vl"))) void f32_to_i64_512(int64_t* d, const float* s,
                                                                 int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm512_storeu_si512(d + i, _mm512_cvttps_epi64(_mm256_loadu_ps(s + i)));
  if (i < n) {  // the tail through a masked load: no scalar conversion of a NaN (UB in C++)
    const __mmask8 m = static_cast<__mmask8>((1u << (n - i)) - 1);
    _mm512_mask_storeu_epi64(d + i, m, _mm512_cvttps_epi64(_mm256_maskz_loadu_ps(m, s + i)));
  }
}
__attribute__((target("avx512f,avx512dq"))) void f64_to_i64_512(int64_t* d, const double* s,
                                                                 int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm512_storeu_si512(d + i, _mm512_cvttpd_epi64(_mm512_loadu_pd(s + i)));
  if (i < n) {
    const __mmask8 m = static_cast<__mmask8>((1u << (n - i)) - 1);
    _mm512_mask_storeu_epi64(d + i, m, _mm512_cvttpd_epi64(_mm512_maskz_loadu_pd(m, s + i)));
  }
}
#endif

void bf16_to_f32(float* d, const uint16_t* s, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const uint32_t x = static_cast<uint32_t>(s[i]) << 16;
    std::memcpy(d + i, &x, 4);
  }
}

}  // namespace

namespace {
using BulkFn = void (*)(void* d, const void* s, int64_t n);
template <class D, class S, void (*F)(D*, const S*, int64_t)>
void erased(void* d, const void* s, int64_t n) {
  F(static_cast<D*>(d), static_cast<const S*>(s), n);
}

BulkFn bulk_fn(DType dd, DType sd) {
  if (sd == DType::Float32 && dd == DType::BFloat16) {
#ifdef TG_HAVE_F16C_PATH
    if (use_avx512()) return erased<uint16_t, float, f32_to_bf16_512>;
#endif
    return erased<uint16_t, float, f32_to_bf16>;
  }
  if (dd == DType::Float32 && sd == DType::BFloat16) return erased<float, uint16_t, bf16_to_f32>;
#ifdef TG_HAVE_F16C_PATH
  if (cpu_has_f16c()) {  // without F16C: the generic per-element loop
    if (sd == DType::Float32 && dd == DType::Float16) return erased<uint16_t, float, f32_to_f16>;
    if (dd == DType::Float32 && sd == DType::Float16) return erased<float, uint16_t, f16_to_f32>;
  }
  if (dd == DType::Int64 && use_avx512()) {
    if (sd == DType::Float32) return erased<int64_t, float, f32_to_i64_512>;
    if (sd == DType::Float64) return erased<int64_t, double, f64_to_i64_512>;
  }
#endif
  return nullptr;
}
}  // namespace

bool try_convert_bulk(const Tensor& dst, const Tensor& src) {
  const BulkFn f = bulk_fn(dst.dtype(), src.dtype());
  if (!f || !dst.device().is_cpu() || !src.device().is_cpu() || !dst.is_contiguous() ||
      !src.is_contiguous() || dst.sizes() != src.sizes())
    return false;
  char* d = static_cast<char*>(dst.raw_data());
  const char* s = static_cast<const char*>(src.raw_data());
  const size_t dw = itemsize(dst.dtype()), sw = itemsize(src.dtype());
  cpu::parallel_parts(dst.numel(), [&](int64_t b, int64_t len) { f(d + b * dw, s + b * sw, len); });
  return true;
}

}  // namespace kern
}  // namespace tapegrad
