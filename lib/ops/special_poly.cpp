// The orthogonal polynomials of tapegrad.special (no gradient in torch): Chebyshev T/U/V/W and
// their shifted forms, Hermite H/He, Laguerre L, Legendre P, by their three-term recurrences
// (DLMF 18.9), with torch's conventions: degree n < 0 gives 0, the endpoint values at |x| = 1
// are exact, and high degrees inside (-1, 1) use the trigonometric closed forms of Chebyshev.
#include <cmath>

#include "special_scalar.h"

namespace tapegrad {
namespace sfn {
namespace {

// p_{k+1} = 2 x p_k - p_{k-1}, from p_0 = 1 and p_1 = first
double cheb_recur(double x, int64_t n, double first) {
  if (n == 0) return 1;
  double p = 1, q = first;
  for (int64_t k = 1; k < n; ++k) {
    const double r = 2 * x * q - p;
    p = q;
    q = r;
  }
  return q;
}

double cheb_t(double x, int64_t n) {
  if (n < 0) return 0;
  if (std::fabs(x) == 1) return (x > 0 || n % 2 == 0) ? 1 : -1;
  if (n > 6 && std::fabs(x) < 1) return std::cos(double(n) * std::acos(x));
  return cheb_recur(x, n, x);
}

double cheb_u(double x, int64_t n) {
  if (n < 0) return 0;
  const double np1 = double(n + 1);
  if (std::fabs(x) == 1) return (x > 0 || n % 2 == 0) ? np1 : -np1;
  if (n > 8 && std::fabs(x) < 1) {
    const double t = std::acos(x);
    if (std::sin(t) != 0) return std::sin(np1 * t) / std::sin(t);
    return np1 * std::cos(np1 * t) / x;
  }
  return cheb_recur(x, n, 2 * x);
}

double cheb_v(double x, int64_t n) {
  if (n < 0) return 0;
  const double odd = double(2 * n + 1);
  if (std::fabs(x) == 1) {
    if (x > 0) return 1;
    return n % 2 == 0 ? odd : -odd;
  }
  if (n > 8 && std::fabs(x) < 1) {
    const double t = std::acos(x);
    if (std::sin(t / 2) != 1) return std::cos((n + 0.5) * t) / std::cos(t / 2);
    return n % 2 == 0 ? odd : -odd;
  }
  return cheb_recur(x, n, 2 * x - 1);
}

double cheb_w(double x, int64_t n) {
  if (n < 0) return 0;
  const double odd = double(2 * n + 1);
  if (std::fabs(x) == 1) {
    if (x > 0) return odd;
    return n % 2 == 0 ? 1 : -1;
  }
  if (n > 8 && std::fabs(x) < 1) {
    const double t = std::acos(x);
    if (std::cos(t / 2) != 1) return std::sin((n + 0.5) * t) / std::sin(t / 2);
    if (x > 0) return odd;
    return n % 2 == 0 ? 1 : -1;
  }
  return cheb_recur(x, n, 2 * x + 1);
}

double hermite_h(double x, int64_t n) {
  if (n < 0) return 0;
  if (n == 0) return 1;
  double p = 1, q = 2 * x;
  for (int64_t k = 1; k < n; ++k) {  // H_{k+1} = 2x H_k - 2k H_{k-1}
    const double r = 2 * x * q - 2 * double(k) * p;
    p = q;
    q = r;
  }
  return q;
}

double hermite_he(double x, int64_t n) {
  if (n < 0) return 0;
  if (n == 0) return 1;
  double p = 1, q = x;
  for (int64_t k = 1; k < n; ++k) {  // He_{k+1} = x He_k - k He_{k-1}
    const double r = x * q - double(k) * p;
    p = q;
    q = r;
  }
  return q;
}

double laguerre(double x, int64_t n) {
  if (n < 0) return 0;
  if (std::fabs(x) == 0 || n == 0) return 1;
  double p = 1, q = 1 - x;
  for (int64_t k = 1; k < n; ++k) {  // (k+1) L_{k+1} = (2k+1-x) L_k - k L_{k-1}
    const double r = ((2 * double(k) + 1 - x) * q - double(k) * p) / double(k + 1);
    p = q;
    q = r;
  }
  return q;
}

double legendre(double x, int64_t n) {
  if (n < 0) return 0;
  if (std::fabs(x) == 1) return (x > 0 || n % 2 == 0) ? 1 : -1;
  if (n == 0) return 1;
  double p = 1, q = x;
  for (int64_t k = 1; k < n; ++k) {  // (k+1) P_{k+1} = (2k+1) x P_k - k P_{k-1}
    const double r = ((2 * double(k) + 1) * x * q - double(k) * p) / double(k + 1);
    p = q;
    q = r;
  }
  return q;
}

}  // namespace

double poly(Poly kind, double x, int64_t n) {
  switch (kind) {
    case Poly::ChebT: return cheb_t(x, n);
    case Poly::ChebU: return cheb_u(x, n);
    case Poly::ChebV: return cheb_v(x, n);
    case Poly::ChebW: return cheb_w(x, n);
    case Poly::SChebT: return cheb_t(2 * x - 1, n);
    case Poly::SChebU: return cheb_u(2 * x - 1, n);
    case Poly::SChebV: return cheb_v(2 * x - 1, n);
    case Poly::SChebW: return cheb_w(2 * x - 1, n);
    case Poly::HermiteH: return hermite_h(x, n);
    case Poly::HermiteHe: return hermite_he(x, n);
    case Poly::Laguerre: return laguerre(x, n);
    case Poly::Legendre: return legendre(x, n);
  }
  return x;
}

}  // namespace sfn
}  // namespace tapegrad
