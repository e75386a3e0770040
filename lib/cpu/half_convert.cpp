// Bulk half conversions (half_convert.h).
#include "half_convert.h"

#include <cstdint>
#include <cstring>

#include <tapegrad/core/half.h>
#include <tapegrad/kernels/clones.h>
#include <tapegrad/kernels/loops.h>

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

void bf16_to_f32(float* d, const uint16_t* s, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const uint32_t x = static_cast<uint32_t>(s[i]) << 16;
    std::memcpy(d + i, &x, 4);
  }
}

}  // namespace

bool try_convert_half(const Tensor& dst, const Tensor& src) {
  const DType dd = dst.dtype(), sd = src.dtype();
  void (*to_half)(uint16_t*, const float*, int64_t) = nullptr;
  void (*from_half)(float*, const uint16_t*, int64_t) = nullptr;
  if (sd == DType::Float32 && dd == DType::BFloat16) to_half = f32_to_bf16;
  if (dd == DType::Float32 && sd == DType::BFloat16) from_half = bf16_to_f32;
#ifdef TG_HAVE_F16C_PATH
  if (cpu_has_f16c()) {  // without F16C: the generic per-element loop
    if (sd == DType::Float32 && dd == DType::Float16) to_half = f32_to_f16;
    if (dd == DType::Float32 && sd == DType::Float16) from_half = f16_to_f32;
  }
#endif
  if ((!to_half && !from_half) || !dst.device().is_cpu() || !src.device().is_cpu() ||
      !dst.is_contiguous() || !src.is_contiguous() || dst.sizes() != src.sizes())
    return false;
  void* d = dst.raw_data();
  const void* s = src.raw_data();
  cpu::parallel_parts(dst.numel(), [&](int64_t b, int64_t len) {
    if (to_half)
      to_half(static_cast<uint16_t*>(d) + b, static_cast<const float*>(s) + b, len);
    else
      from_half(static_cast<float*>(d) + b, static_cast<const uint16_t*>(s) + b, len);
  });
  return true;
}

}  // namespace kern
}  // namespace tapegrad
