// The float32 erf family through the vector exp (erf_float.h).
//
// Note [erfc from one exp]: erfc(a) for a >= 0 is t * exp(-a^2 + R(t)) with t = 1 / (1 + a/2)
// and R a degree-9 polynomial in t (the Chebyshev fit of Numerical Recipes' erfcc, relative
// error below 1.2e-7 for every a). Then
//   erfc(z) = z < 0 ? 2 - erfc(|z|) : erfc(|z|)
//   erf(z)  = sign(z) (1 - erfc(|z|)) for |z| >= 0.75, and its Taylor series (10 terms, below
//             1e-9 relative there) under 0.75, where 1 - erfc would cancel.
// (gelu uses a cheaper degree-4 erf instead, as torch's does: the vector table's kGelu,
// kernels/vmath_impl.h.)
// erfc's own tail needs -a^2 exactly: rounding it to float costs |a^2| * 2^-24 relative error
// (139 ulp at a = 8), so erfc splits a^2 = hi + lo (the product in double is exact) and takes
// exp(-hi) * exp(R - lo), two exps. erf only adds erfc to 1, so it takes one exp.
// Measured against math.erf over [-10, 10]: erf within 2.4 ulp, erfc 6.7.
#include "erf_float.h"

#include <cmath>
#include <cstdint>

#include <tapegrad/kernels/clones.h>
#include <tapegrad/kernels/loops.h>
#include <tapegrad/kernels/vmath.h>

namespace tapegrad {
namespace kern {
namespace erf_float {
namespace {

// erfc(a) = t exp(-a^2 + R(t)): R's coefficients, constant term first.
constexpr float kR[10] = {-1.26551223f, 1.00002368f,  0.37409196f, 0.09678418f, -0.18628806f,
                          0.27886807f,  -1.13520398f, 1.48851587f, -0.82215223f, 0.17087277f};
// erf(z) = z * sum_n kT[n] z^(2n), kT[n] = 2/sqrt(pi) (-1)^n / (n! (2n + 1)).
constexpr float kT[10] = {1.1283791670955126f,     -0.37612638903183754f,  0.11283791670955126f,
                          -0.026866170645131252f,  0.005223977625442188f,  -0.0008548327023450852f,
                          0.00012055332981789664f, -1.492565035840625e-05f, 1.6462114365889246e-06f,
                          -1.6365844691234924e-07f};
constexpr float kErfSeriesBelow = 0.75f;

TG_ALWAYS_INLINE float poly_r(float t) {
  float p = kR[9];
  for (int k = 8; k >= 0; --k) p = p * t + kR[k];
  return p;
}

constexpr int64_t kBlock = 2048;  // three float buffers: 24 KiB, in L1

// One block of m <= kBlock elements: the exp's arguments, the vector exp, the result.

// GCC cannot see that vexp reads only the m arguments the first loop wrote.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
template <Form F>
TG_ALWAYS_INLINE void block(float* o, const float* x, int64_t m, vmath::MapFn<float> vexp) {
  float e1[kBlock], e2[kBlock], tb[kBlock];
  for (int64_t i = 0; i < m; ++i) {
    const float z = x[i];
    // past 11, erfc(a) < 1e-53 rounds to 0 anyway; the clamp keeps inf out of a^2 - hi
    // (inf - inf) while NaN passes (its compare is false)
    const float az = std::fabs(z), a = az > 11.0f ? 11.0f : az;
    const float t = 1.0f / (1.0f + 0.5f * a);
    tb[i] = t;
    if constexpr (F == Form::Erfc) {
      const double aa = double(a) * double(a);  // exact
      const float hi = float(aa), lo = float(aa - double(hi));
      e1[i] = -hi;
      e2[i] = poly_r(t) - lo;
    } else {
      e1[i] = poly_r(t) - a * a;
    }
  }
  vexp(e1, e1, m, false);
  if constexpr (F == Form::Erfc) vexp(e2, e2, m, false);
  // Both sides of each select are computed first, so the loop has no control flow and
  // vectorises.
  for (int64_t i = 0; i < m; ++i) {
    const float xi = x[i];
    if constexpr (F == Form::Erfc) {
      const float ec = tb[i] * e2[i] * e1[i], reflected = 2.0f - ec;
      o[i] = xi < 0.0f ? reflected : ec;
    } else {
      const float one_minus = 1.0f - tb[i] * e1[i], neg = -one_minus;
      const float z2 = xi * xi;
      float p = kT[9];
      for (int k = 8; k >= 0; --k) p = p * z2 + kT[k];
      const float series = xi * p;
      const float tail = xi < 0.0f ? neg : one_minus;
      o[i] = std::fabs(xi) < kErfSeriesBelow ? series : tail;  // NaN: the tail, NaN
    }
  }
}
#pragma GCC diagnostic pop

// Each form's block body compiled for AVX-512, AVX2 and the baseline, picked at load time
// (GCC's target_clones): the polynomials and the division are most of the work, and at SSE2
// width they were 2-3x torch's time. The AVX-512 and Haswell (AVX2 + FMA) clones contract the
// Horner steps into FMAs (-ffp-contract=fast for this file: 13% faster), so they may round an
// ulp apart from the baseline clone; every clone keeps the bounds of the Note.
TG_TARGET_CLONES void block_erf(float* o, const float* x, int64_t m, vmath::MapFn<float> e) {
  block<Form::Erf>(o, x, m, e);
}
TG_TARGET_CLONES void block_erfc(float* o, const float* x, int64_t m, vmath::MapFn<float> e) {
  block<Form::Erfc>(o, x, m, e);
}

using BlockFn = void (*)(float*, const float*, int64_t, vmath::MapFn<float>);

void run_blocks(BlockFn fn, float* out, const float* in, int64_t n, vmath::MapFn<float> vexp) {
  cpu::parallel_parts(n, [&](int64_t s, int64_t len) {
    for (int64_t b = s; b < s + len; b += kBlock)
      fn(out + b, in + b, kBlock < s + len - b ? kBlock : s + len - b, vexp);
  });
}

}  // namespace

bool run(Form form, const Tensor& out, const Tensor& in) {
  const vmath::VecSet* set = vmath::active();
  if (!set || !set->f32[vmath::kExp] || in.dtype() != DType::Float32 ||
      out.dtype() != DType::Float32 || !in.device().is_cpu() || !out.device().is_cpu() ||
      !vmath::flat_alike(out, {&in}))
    return false;
  float* o = out.data<float>();
  const float* x = in.data<float>();
  const int64_t n = in.numel();
  vmath::MapFn<float> vexp = set->f32[vmath::kExp];
  switch (form) {
    case Form::Erf: run_blocks(block_erf, o, x, n, vexp); break;
    case Form::Erfc: run_blocks(block_erfc, o, x, n, vexp); break;
  }
  return true;
}

}  // namespace erf_float
}  // namespace kern
}  // namespace tapegrad
