// Host-only scalar special functions behind tapegrad.special (helper S's block): modified
// Bessel functions and their scaled forms, erfcx, ndtri / log_ndtr, the regularized incomplete
// gamma functions, Hurwitz zeta, the Bessel / Airy functions torch gives no gradient, and the
// orthogonal polynomials. Internal to lib/ops (never included by lib/cuda: these use libm's
// and libstdc++'s host-only special functions; device tensors make a host round trip).
#pragma once
#include <cstdint>

namespace tapegrad {
namespace sfn {

double bessel_i(int n, double x);   // I_0 / I_1 (n = 0, 1), any real x
double bessel_ie(int n, double x);  // exp(-|x|) I_n(x)
double bessel_k(int n, double x, bool scaled);  // K_0 / K_1 (n = 0, 1), scaled: exp(x) K_n(x)
double erfcx(double x);
double ndtr(double x);
double ndtri(double p);
double log_ndtr(double x);
double entr(double x);
double xlog1py(double x, double y);
double zeta(double x, double q);
double igamma(double a, double x);   // regularized lower P(a, x)
double igammac(double a, double x);  // regularized upper Q(a, x)
double bessel_j0(double x);
double bessel_j1(double x);
double bessel_y0(double x);
double bessel_y1(double x);
double spherical_bessel_j0(double x);
double airy_ai(double x);

// Orthogonal polynomials of integer degree n (torch truncates a floating n toward zero).
enum class Poly { ChebT, ChebU, ChebV, ChebW, SChebT, SChebU, SChebV, SChebW, HermiteH,
                  HermiteHe, Laguerre, Legendre };
double poly(Poly kind, double x, int64_t n);

}  // namespace sfn
}  // namespace tapegrad
