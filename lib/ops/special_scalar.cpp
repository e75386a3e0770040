// Scalar special functions of tapegrad.special (declared in special_scalar.h). Series and
// asymptotic expansions are the textbook ones (DLMF 10.25, 10.40, 7.12, 8.7, 8.9, 25.11);
// mid-range K_n and the Airy function come from libstdc++'s C++17 special functions and
// J0/J1/Y0/Y1 from libm, with torch's values at the domain edges (0, negatives, inf, NaN).
#include "special_scalar.h"

#include <cmath>
#include <limits>

namespace tapegrad {
namespace sfn {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kEps = 1e-17;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// I_n(x) for 0 <= x <= 30 by its power series (all terms positive: no cancellation).
double bessel_i_series(int n, double x) {
  const double h = x / 2, q = h * h;
  double t = n == 0 ? 1.0 : h, sum = t;
  for (int k = 1; k < 500; ++k) {
    t *= q / (double(k) * double(k + n));
    sum += t;
    if (t < sum * kEps) break;
  }
  return sum;
}

// sum_k (sign)^k a_k(n) / x^k with a_k = prod_{j<=k} (4n^2 - (2j-1)^2) / (k! 8^k): the large-x
// expansions of e^-x I_n (alternating) and e^x K_n, without their sqrt prefactors.
double hankel_sum(int n, double x, double sign) {
  const double mu = 4.0 * n * n;
  double term = 1, sum = 1;
  for (int k = 1; k < 80; ++k) {
    const double odd = 2.0 * k - 1;
    term *= sign * (mu - odd * odd) / (8.0 * k * x);
    sum += term;
    if (std::fabs(term) < kEps * std::fabs(sum)) break;
  }
  return sum;
}

constexpr double kAsymptotic = 30;  // beyond it the expansions reach full double precision

}  // namespace

double bessel_ie(int n, double x) {
  if (std::isnan(x)) return x;
  const double ax = std::fabs(x);
  double v;
  if (std::isinf(ax)) v = 0;
  else if (ax <= kAsymptotic) v = bessel_i_series(n, ax) * std::exp(-ax);
  else v = hankel_sum(n, ax, -1) / std::sqrt(2 * kPi * ax);
  return (n == 1 && x < 0) ? -v : v;
}

double bessel_i(int n, double x) {
  if (std::isnan(x)) return x;
  const double ax = std::fabs(x);
  double v;
  if (std::isinf(ax)) return kNaN;  // torch's value (its Chebyshev form gives inf * 0)
  if (ax <= kAsymptotic) v = bessel_i_series(n, ax);
  else if (ax > 713) v = kInf;
  else v = std::exp(ax) * (hankel_sum(n, ax, -1) / std::sqrt(2 * kPi * ax));
  return (n == 1 && x < 0) ? -v : v;
}

double bessel_k(int n, double x, bool scaled) {
  if (std::isnan(x) || x < 0) return kNaN;
  if (x == 0) return kInf;
  if (std::isinf(x)) return 0;
  if (x > kAsymptotic) {
    const double s = hankel_sum(n, x, 1) * std::sqrt(kPi / (2 * x));
    return scaled ? s : s * std::exp(-x);
  }
  const double k = std::cyl_bessel_k(double(n), x);
  return scaled ? k * std::exp(x) : k;
}

// erfcx(x) = exp(x^2) erfc(x). exp(x^2) with x^2 split in two doubles (x^2 = hi + lo), so the
// rounding of x^2 does not cost digits for large x; past 26 (erfc underflows at 27) the
// asymptotic series 1 / (x sqrt(pi)) sum (-1)^k (2k-1)!! / (2x^2)^k.
double erfcx(double x) {
  if (std::isnan(x)) return x;
  if (x < -26.7) return kInf;
  if (x < 26) {
    const double hi = x * x, lo = std::fma(x, x, -hi);
    return std::exp(hi) * std::exp(lo) * std::erfc(x);
  }
  if (x > 1e9) return 1 / (x * std::sqrt(kPi));
  const double z = 1 / (2 * x * x);
  double term = 1, sum = 1;
  for (int k = 1; k < 30; ++k) {
    term *= -(2.0 * k - 1) * z;
    sum += term;
    if (std::fabs(term) < kEps) break;
  }
  return sum / (x * std::sqrt(kPi));
}

double ndtr(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

// ndtri for 0 < p <= 0.5: Abramowitz-Stegun 26.2.23 (error < 4.5e-4), then Halley steps on
// ndtr(x) = p. Near p = 0.5 the residual is formed from p - 0.5 (exact there) and erf, so small
// quantiles keep their relative accuracy.
double ndtri_lower(double p) {
  if (p == 0.5) return 0;
  const double t = std::sqrt(-2 * std::log(p));
  double x = -(t - (2.515517 + t * (0.802853 + t * 0.010328)) /
                       (1 + t * (1.432788 + t * (0.189269 + t * 0.001308))));
  const bool central = p >= 0.25;
  for (int it = 0; it < 4; ++it) {
    const double e = central ? 0.5 * std::erf(x / std::sqrt(2.0)) - (p - 0.5) : ndtr(x) - p;
    const double u = e * std::sqrt(2 * kPi) * std::exp(x * x / 2);
    if (!std::isfinite(u)) break;
    const double step = u / (1 + x * u / 2);
    x -= step;
    if (std::fabs(step) <= 1e-17 * std::fabs(x)) break;
  }
  return x;
}

double ndtri(double p) {
  if (std::isnan(p) || p < 0 || p > 1) return kNaN;
  if (p == 0) return -kInf;
  if (p == 1) return kInf;
  return p > 0.5 ? -ndtri_lower(1 - p) : ndtri_lower(p);  // 1 - p is exact for p > 0.5
}

// log(ndtr(x)): log1p of the small upper tail for x > 0; for x < -1 the lower tail through
// erfcx so it stays finite (about -x^2 / 2) where ndtr underflows.
double log_ndtr(double x) {
  if (std::isnan(x)) return x;
  if (x > 0) return std::log1p(-0.5 * std::erfc(x / std::sqrt(2.0)));
  if (x > -1) return std::log(ndtr(x));
  const double t = -x / std::sqrt(2.0);
  return std::log(0.5 * erfcx(t)) - t * t;
}

double entr(double x) {
  if (std::isnan(x)) return x;
  if (x > 0) return -x * std::log(x);
  if (x == 0) return 0;
  return -kInf;
}

double xlog1py(double x, double y) {
  if (std::isnan(y)) return kNaN;
  if (x == 0) return 0;
  return x * std::log1p(y);
}

// Hurwitz zeta(x, q) with torch's (Cephes') domain: x = 1 is a pole, x < 1 NaN, q a
// non-positive integer a pole, q < 0 with non-integer x NaN. Direct terms until q + k >= 10,
// then Euler-Maclaurin with B_2k / (2k)! for k = 1..8.
double zeta(double x, double q) {
  if (std::isnan(x) || std::isnan(q)) return kNaN;
  if (x == 1) return kInf;
  if (x < 1) return kNaN;
  if (q <= 0) {
    if (q == std::floor(q)) return kInf;
    if (x != std::floor(x)) return kNaN;
  }
  // torch's values at infinity: zeta(inf, q) is 1 at q = 1, inf below, NaN above; q = inf NaN
  if (std::isinf(x)) return q == 1 ? 1 : (q < 1 ? kInf : kNaN);
  if (std::isinf(q)) return kNaN;
  double sum = 0, a = q;
  for (int k = 0; k < 10 || a < 10; ++k, a += 1) {
    const double term = std::pow(a, -x);
    sum += term;
    if (k >= 10 && std::fabs(term) < kEps * std::fabs(sum)) return sum;
  }
  sum += std::pow(a, 1 - x) / (x - 1) + 0.5 * std::pow(a, -x);
  static const double b[8] = {1.0 / 12, -1.0 / 720, 1.0 / 30240, -1.0 / 1209600,
                              1.0 / 47900160, -691.0 / 1307674368000.0,
                              1.0 / 74724249600.0, -3617.0 / 10670622842880000.0};
  double fac = x * std::pow(a, -x - 1);  // x (x+1) ... (x+2k-2) a^(-x-2k+1)
  for (int k = 0; k < 8; ++k) {
    const double term = b[k] * fac;
    sum += term;
    if (std::fabs(term) < kEps * std::fabs(sum)) break;
    fac *= (x + 2 * k + 1) * (x + 2 * k + 2) / (a * a);
  }
  return sum;
}

namespace {
// exp(a log x - x - lgamma(a)): the common factor of both incomplete gamma expansions.
double igamma_prefactor(double a, double x) {
  return std::exp(a * std::log(x) - x - std::lgamma(a));
}
// P(a, x) by its series (used for x < a + 1)
double igamma_series(double a, double x) {
  double ap = a, del = 1 / a, sum = del;
  for (int n = 0; n < 100000; ++n) {
    ap += 1;
    del *= x / ap;
    sum += del;
    if (std::fabs(del) < std::fabs(sum) * kEps) break;
  }
  return sum * igamma_prefactor(a, x);
}
// Q(a, x) by its continued fraction, modified Lentz (used for x >= a + 1)
double igammac_fraction(double a, double x) {
  constexpr double tiny = 1e-300;
  double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
  for (int i = 1; i < 100000; ++i) {
    const double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (std::fabs(d) < tiny) d = tiny;
    c = b + an / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1) < kEps) break;
  }
  return h * igamma_prefactor(a, x);
}
// torch's edge values; returns true (and P in *p) when (a, x) is one of them
bool igamma_edge(double a, double x, double* p) {
  if (std::isnan(a) || std::isnan(x) || a < 0 || x < 0) { *p = kNaN; return true; }
  if (a == 0) { *p = x > 0 ? 1 : kNaN; return true; }
  if (x == 0) { *p = 0; return true; }
  if (std::isinf(a)) { *p = std::isinf(x) ? kNaN : 0; return true; }
  if (std::isinf(x)) { *p = 1; return true; }
  return false;
}
}  // namespace

double igamma(double a, double x) {
  double p;
  if (igamma_edge(a, x, &p)) return p;
  return x < a + 1 ? igamma_series(a, x) : 1 - igammac_fraction(a, x);
}

double igammac(double a, double x) {
  double p;
  if (igamma_edge(a, x, &p)) return std::isnan(p) ? p : 1 - p;
  return x < a + 1 ? 1 - igamma_series(a, x) : igammac_fraction(a, x);
}

double bessel_j0(double x) { return std::isinf(x) ? kNaN : ::j0(x); }
double bessel_j1(double x) { return std::isinf(x) ? kNaN : ::j1(x); }
double bessel_y0(double x) {
  if (std::isnan(x) || x < 0) return kNaN;
  if (x == 0) return -kInf;
  return std::isinf(x) ? kNaN : ::y0(x);
}
double bessel_y1(double x) {
  if (std::isnan(x) || x < 0) return kNaN;
  if (x == 0) return -kInf;
  return std::isinf(x) ? kNaN : ::y1(x);
}

double spherical_bessel_j0(double x) {
  if (std::isinf(x)) return 0;
  if (std::fabs(x) < 0.5) {  // sin(x)/x by its series: no cancellation near 0
    const double z = x * x;
    return 1 + z * (-1.0 / 6 + z * (1.0 / 120 + z * (-1.0 / 5040 + z * (1.0 / 362880 +
           z * (-1.0 / 39916800 + z * (1.0 / 6227020800.0))))));
  }
  return std::sin(x) / x;
}

// Ai(x): its Maclaurin series for |x| <= 1 (Ai(0) and -Ai'(0) as constants); otherwise the
// Bessel forms with zeta = 2/3 |x|^(3/2) (DLMF 9.6.6 and 9.6.8, J_{-1/3} rewritten through
// J_{1/3} and Y_{1/3}).
double airy_ai(double x) {
  if (std::isnan(x) || std::isinf(x)) return kNaN;  // torch: NaN at both infinities
  if (x > 105) return 0;  // below the smallest double
  if (std::fabs(x) <= 1) {
    const double c1 = 0.355028053887817239, c2 = 0.258819403792806798, x3 = x * x * x;
    double f = 1, g = x, tf = 1, tg = x;
    for (int k = 0; k < 40; ++k) {
      tf *= x3 / ((3.0 * k + 2) * (3.0 * k + 3));
      tg *= x3 / ((3.0 * k + 3) * (3.0 * k + 4));
      f += tf;
      g += tg;
      if (std::fabs(tf) + std::fabs(tg) < kEps) break;
    }
    return c1 * f - c2 * g;
  }
  const double ax = std::fabs(x), z = 2.0 / 3.0 * ax * std::sqrt(ax);
  if (x > 0) return std::sqrt(ax / 3) / kPi * std::cyl_bessel_k(1.0 / 3, z);
  return std::sqrt(ax) / 2 * (std::cyl_bessel_j(1.0 / 3, z) - std::cyl_neumann(1.0 / 3, z) /
                                                                  std::sqrt(3.0));
}

}  // namespace sfn
}  // namespace tapegrad
