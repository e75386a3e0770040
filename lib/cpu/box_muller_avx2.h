// torch's float32 Box-Muller block on CPUs with AVX2 (its normal_fill_16_AVX2), bit for bit, in
// scalar code: internal to lib/cpu/random.cpp. torch computes log and sin/cos there with the
// Cephes single-precision polynomials of the avx_mathfun routines, and its compiler fused some
// of their multiply-adds into FMAs. Which ones was found by running every combination against
// torch 2.13's randn (320k values, no difference with the set below): a fused step is a
// std::fma here, an unfused one a separate float multiply and add (lib/cpu/random.cpp, which
// calls this from a function compiled for AVX2 + FMA, is built with -ffp-contract=off, so the
// compiler fuses nothing itself).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

namespace tapegrad {
namespace kern {
namespace box_muller_avx2 {

inline float bits_to_float(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
inline uint32_t float_to_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

// Natural log for x in (0, 1] (Cephes logf: mantissa in [sqrt(1/2), sqrt(2)), degree-8
// polynomial, exponent added back in two parts).
inline float cephes_log(float x) {
  const float min_norm = bits_to_float(0x00800000u);
  if (x < min_norm) x = min_norm;
  uint32_t xi = float_to_bits(x);
  const int32_t exponent = static_cast<int32_t>(xi >> 23) - 0x7f;
  xi = (xi & ~0x7f800000u) | float_to_bits(0.5f);
  x = bits_to_float(xi);
  float e = static_cast<float>(exponent) + 1.0f;
  const bool small = x < 0.707106781186547524f;
  const float keep = small ? x : 0.0f;
  x = x - 1.0f;
  if (small) e = e - 1.0f;
  x = x + keep;
  const float z = x * x;
  static const float p[] = {7.0376836292E-2f, -1.1514610310E-1f, 1.1676998740E-1f,
                            -1.2420140846E-1f, 1.4249322787E-1f, -1.6668057665E-1f,
                            2.0000714765E-1f, -2.4999993993E-1f, 3.3333331174E-1f};
  float y = p[0];
#pragma GCC unroll 8
  for (int k = 1; k < 9; ++k) y = std::fma(y, x, p[k]);
  y = y * x;
  y = std::fma(y, z, e * -2.12194440e-4f);
  y = std::fma(z, -0.5f, y);
  x = x + y;
  return std::fma(e, 0.693359375f, x);
}

// sin and cos of x >= 0 (Cephes sinf/cosf: reduction by multiples of pi/4 in three parts, one
// polynomial for each function on [0, pi/4], chosen and signed by the octant).
inline void cephes_sincos(float x, float* s, float* c) {
  float y = x * 1.27323954473516f;  // 4 / pi
  int32_t j = static_cast<int32_t>(y);
  j = (j + 1) & ~1;
  y = static_cast<float>(j);
  const bool sin_negative = (j & 4) != 0;
  const bool first_poly = (j & 2) == 0;
  const bool cos_negative = ((~(j - 2)) & 4) != 0;
  x = std::fma(y, -0.78515625f, x);
  x = std::fma(y, -2.4187564849853515625e-4f, x);
  x = std::fma(y, -3.77489497744594108e-8f, x);
  const float z = x * x;
  float yc = 2.443315711809948E-005f;
  yc = std::fma(yc, z, -1.388731625493765E-003f);
  yc = std::fma(yc, z, 4.166664568298827E-002f);
  yc = yc * z;
  yc = std::fma(yc, z, -(z * 0.5f));
  yc = yc + 1.0f;
  float ys = -1.9515295891E-4f;
  ys = std::fma(ys, z, 8.3321608736E-3f);
  ys = std::fma(ys, z, -1.6666654611E-1f);
  ys = ys * z;
  ys = std::fma(ys, x, x);
  float sv = first_poly ? ys : yc, cv = first_poly ? yc : ys;
  *s = sin_negative ? -sv : sv;
  *c = cos_negative ? -cv : cv;
}

// x[0..16) holds uniforms in [0, 1): x[j] = r cos(theta), x[j + 8] = r sin(theta) with
// r = sqrt(-2 log(1 - x[j])), theta = 2 pi x[j + 8], then scaled by std and shifted by mean.
inline void block16(float* x, float mean, float std) {
  for (int j = 0; j < 8; ++j) {
    const float u1 = 1.0f - x[j];
    const float radius = std::sqrt(-2.0f * cephes_log(u1));
    const float theta = 6.28318530717958647692f * x[j + 8];
    float s, c;
    cephes_sincos(theta, &s, &c);
    const float n1 = radius * c, n2 = radius * s;
    x[j] = std::fma(n1, std, mean);
    x[j + 8] = std::fma(n2, std, mean);
  }
}

}  // namespace box_muller_avx2
}  // namespace kern
}  // namespace tapegrad
