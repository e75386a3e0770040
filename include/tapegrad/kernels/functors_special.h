// Scalar special functions and the extra binary math rows of ops.def (erfc, erfinv, lgamma,
// digamma, polygamma, sinc, angle conversions; copysign, fmax/fmin, logaddexp(2), heaviside,
// bitwise ops, gcd/lcm). Host+device, shared by the CPU loops and the CUDA kernels like
// functors.h (which includes this file). Float inputs compute in double where the float
// formula would lose digits torch keeps; results are rounded back to T.
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace tapegrad {
namespace fn {
namespace special {

constexpr double kPi = 3.14159265358979323846;

// digamma for finite x > 0: shift up to x >= 10, then seven terms of the asymptotic series
// (Bernoulli numbers), as torch's calc_digamma. (Shifting to 6 with five terms left errors of
// 1e-11: digamma(2) was off in its 11th digit.)
TG_HD inline double digamma_pos(double x) {
  double r = 0;
  while (x < 10) {
    r -= 1 / x;
    x += 1;
  }
  if (x == 10) return r + 2.25175258906672110764;  // digamma(10), torch's constant
  const double z = 1 / (x * x);
  const double tail =
      z * (1.0 / 12 -
           z * (1.0 / 120 -
                z * (1.0 / 252 -
                     z * (1.0 / 240 - z * (1.0 / 132 - z * (691.0 / 32760 - z * (1.0 / 12)))))));
  return r + std::log(x) - 0.5 / x - tail;
}

// digamma over the reals: poles at 0 (signed like torch: -inf at +0, inf at -0) and NaN at the
// negative integers; x < 0 by reflection psi(x) = psi(1 - x) - pi / tan(pi x).
TG_HD inline double digamma(double x) {
  if (x != x || x == -std::numeric_limits<double>::infinity()) return NAN;
  if (x == 0) return std::signbit(x) ? INFINITY : -INFINITY;
  if (x == INFINITY) return INFINITY;
  if (x < 0) {
    if (x == std::floor(x)) return NAN;
    return digamma_pos(1 - x) - kPi / std::tan(kPi * x);
  }
  return digamma_pos(x);
}

// Hurwitz zeta(s, q) for integer s >= 2: direct sum of the first terms, then Euler-Maclaurin
// (the correction terms use B_2k / (2k)!). Negative non-integer q works term by term; q a
// non-positive integer is a pole.
TG_HD inline double hurwitz_zeta(double s, double q) {
  if (q <= 0 && q == std::floor(q)) return INFINITY;
  constexpr int kN = 12;
  double sum = 0;
  for (int k = 0; k < kN; ++k) sum += std::pow(q + k, -s);
  const double a = q + kN;
  sum += std::pow(a, 1 - s) / (s - 1) + 0.5 * std::pow(a, -s);
  // B_2k / (2k)! for k = 1..6
  const double b[6] = {1.0 / 12, -1.0 / 720, 1.0 / 30240, -1.0 / 1209600, 1.0 / 47900160,
                       -691.0 / 1307674368000.0};
  double fac = s * std::pow(a, -s - 1);  // s (s+1) ... (s+2k-2) a^(-s-2k+1)
  for (int k = 0; k < 6; ++k) {
    sum += b[k] * fac;
    fac *= (s + 2 * k + 1) * (s + 2 * k + 2) / (a * a);
  }
  return sum;
}

// polygamma(n, x) for n >= 1: (-1)^(n+1) n! zeta(n+1, x); trigamma (n = 1) reflects every
// x < 0.5 as pi^2 / sin^2(pi x) - trigamma(1 - x), as torch's does (so at a negative integer it
// gives pi^2 / sin(pi x)^2 with sin's rounding, ~6.6e32 at -1, not inf).
TG_HD inline double polygamma(int64_t n, double x) {
  if (n == 0) return digamma(x);
  if (x != x) return NAN;
  if (n == 1 && x < 0.5) {
    const double sp = std::sin(kPi * x);
    return kPi * kPi / (sp * sp) - hurwitz_zeta(2, 1 - x);
  }
  double fact = 1;  // n!, which is inf in double from 171 on (no loop of n steps for a huge n)
  for (int64_t k = 2; k <= n && fact < INFINITY; ++k) fact *= double(k);
  return (n % 2 ? 1.0 : -1.0) * fact * hurwitz_zeta(double(n + 1), x);
}

// erfinv: Giles' single-precision approximation as the start, then two Newton steps on
// erf(y) = x (the residual taken through erfc near +-1, where erf saturates).
TG_HD inline double erfinv(double x) {
  if (x != x || x < -1 || x > 1) return NAN;
  if (x == 1) return INFINITY;
  if (x == -1) return -INFINITY;
  if (x == 0) return x;
  double w = -std::log((1 - x) * (1 + x)), p;
  if (w < 5) {
    w -= 2.5;
    p = 2.81022636e-08;
    p = 3.43273939e-07 + p * w; p = -3.5233877e-06 + p * w; p = -4.39150654e-06 + p * w;
    p = 0.00021858087 + p * w;  p = -0.00125372503 + p * w; p = -0.00417768164 + p * w;
    p = 0.246640727 + p * w;    p = 1.50140941 + p * w;
  } else {
    w = std::sqrt(w) - 3;
    p = -0.000200214257;
    p = 0.000100950558 + p * w; p = 0.00134934322 + p * w;  p = -0.00367342844 + p * w;
    p = 0.00573950773 + p * w;  p = -0.0076224613 + p * w;  p = 0.00943887047 + p * w;
    p = 1.00167406 + p * w;     p = 2.83297682 + p * w;
  }
  double y = p * x;
  for (int it = 0; it < 2; ++it) {
    double r;
    if (x > 0.5) r = (1 - x) - std::erfc(y);
    else if (x < -0.5) r = std::erfc(-y) - (1 + x);
    else r = std::erf(y) - x;
    y -= r / (1.1283791670955126 * std::exp(-y * y));  // erf'(y) = 2 / sqrt(pi) e^{-y^2}
  }
  return y;
}

template <class T> TG_HD T gcd(T a, T b) {
  a = a < 0 ? T(-a) : a;
  b = b < 0 ? T(-b) : b;
  while (b != 0) {
    T t = T(a % b);
    a = b;
    b = t;
  }
  return a;
}

}  // namespace special

// ---- unary (float results: to_float rows) ----
struct ErfcF { template <class T> TG_HD T operator()(T x) const { return std::erfc(x); } };
struct ErfinvF {
  template <class T> TG_HD T operator()(T x) const { return T(special::erfinv(double(x))); }
};
struct LgammaF { template <class T> TG_HD T operator()(T x) const { return std::lgamma(x); } };
struct DigammaF {
  template <class T> TG_HD T operator()(T x) const { return T(special::digamma(double(x))); }
};
// sinc(x) = sin(pi x) / (pi x), 1 at 0; computed in T like torch (sinc(1) in float is -2.78e-08).
struct SincF {
  template <class T> TG_HD T operator()(T x) const {
    if (x == T(0)) return T(1);
    T px = T(special::kPi) * x;
    return std::sin(px) / px;
  }
};
struct Deg2radF {
  template <class T> TG_HD T operator()(T x) const { return x * T(special::kPi / 180.0); }
};
struct Rad2degF {
  template <class T> TG_HD T operator()(T x) const { return x * T(180.0 / special::kPi); }
};

// ---- binary (the op layer refuses or promotes the dtypes torch refuses or promotes; the other
// instantiations exist because every binary row is compiled for every dtype) ----
template <class T> struct CopysignF {
  T alpha;
  TG_HD T operator()(T a, T b) const {
    if constexpr (std::is_integral<T>::value) return T(std::copysign(double(a), double(b)));
    else return std::copysign(a, b);
  }
};
// fmax/fmin ignore a NaN operand (NaN only when both are)
template <class T> struct FmaxF {
  T alpha;
  TG_HD T operator()(T a, T b) const { return a != a ? b : (b != b ? a : (a < b ? b : a)); }
};
template <class T> struct FminF {
  T alpha;
  TG_HD T operator()(T a, T b) const { return a != a ? b : (b != b ? a : (b < a ? b : a)); }
};
// log(e^a + e^b) = max + log1p(e^-|a-b|); equal infinities return themselves (inf - inf is NaN)
template <class T> struct LogaddexpF {
  T alpha;
  TG_HD T operator()(T a, T b) const {
    if constexpr (std::is_integral<T>::value) {
      return T(0);
    } else {
      if (std::isinf(a) && a == b) return a;
      T m = a < b ? b : a, d = a < b ? a - b : b - a;
      return m + std::log1p(std::exp(d));
    }
  }
};
template <class T> struct Logaddexp2F {
  T alpha;
  TG_HD T operator()(T a, T b) const {
    if constexpr (std::is_integral<T>::value) {
      return T(0);
    } else {
      if (std::isinf(a) && a == b) return a;
      T m = a < b ? b : a, d = a < b ? a - b : b - a;
      return m + std::log1p(std::exp2(d)) * T(1.4426950408889634);  // 1 / ln 2
    }
  }
};
template <class T> struct HeavisideF {
  T alpha;
  TG_HD T operator()(T a, T b) const { return a == T(0) ? b : T(a > T(0)); }
};
template <class T> struct BitwiseAndF {
  T alpha;
  TG_HD T operator()(T a, T b) const {
    if constexpr (std::is_integral<T>::value) return T(a & b); else return T(0);
  }
};
template <class T> struct BitwiseOrF {
  T alpha;
  TG_HD T operator()(T a, T b) const {
    if constexpr (std::is_integral<T>::value) return T(a | b); else return T(0);
  }
};
template <class T> struct BitwiseXorF {
  T alpha;
  TG_HD T operator()(T a, T b) const {
    if constexpr (std::is_integral<T>::value) return T(a ^ b); else return T(0);
  }
};
template <class T> struct GcdF {
  T alpha;
  TG_HD T operator()(T a, T b) const {
    if constexpr (std::is_integral<T>::value && !std::is_same<T, bool>::value)
      return special::gcd(a, b);
    else return T(0);
  }
};
template <class T> struct LcmF {
  T alpha;
  TG_HD T operator()(T a, T b) const {
    if constexpr (std::is_integral<T>::value && !std::is_same<T, bool>::value) {
      T g = special::gcd(a, b);
      if (g == 0) return T(0);
      T r = T(a / g * b);
      return r < 0 ? T(-r) : r;
    } else {
      return T(0);
    }
  }
};

}  // namespace fn
}  // namespace tapegrad
