// torch.special's functions beyond the elementwise rows (helper S's block): the modified
// Bessel functions i0 / i0e / i1 / i1e, ndtri, log_ndtr, erfcx, entr, xlog1py, zeta, the
// regularized incomplete gamma functions (igamma / igammac), mvlgamma, and the functions torch
// gives no gradient (Bessel J/Y, K, Airy, orthogonal polynomials). Implemented in
// lib/ops/special_ops.cpp on the host (a device tensor makes a round trip).
#pragma once
#include <string>

#include <tapegrad/ops/ops.h>

namespace tapegrad {

Tensor i0(const Tensor& x);
Tensor special_i0e(const Tensor& x);
Tensor special_i1(const Tensor& x);
Tensor special_i1e(const Tensor& x);
Tensor special_ndtri(const Tensor& x);
Tensor special_log_ndtr(const Tensor& x);
Tensor special_erfcx(const Tensor& x);
Tensor special_entr(const Tensor& x);
// a or b may be a wrapped Python number (the *Backward1 / *Backward2 nodes of torch)
Tensor special_xlog1py(const Tensor& a, const Tensor& b);
Tensor special_zeta(const Tensor& a, const Tensor& b);
Tensor igamma(const Tensor& a, const Tensor& x);
Tensor igammac(const Tensor& a, const Tensor& x);
Tensor mvlgamma(const Tensor& x, int64_t p);
// No gradient (the result never requires grad): bessel_j0 bessel_j1 bessel_y0 bessel_y1
// modified_bessel_i0/i1/k0/k1 scaled_modified_bessel_k0/k1 spherical_bessel_j0 airy_ai
Tensor special_no_grad(const std::string& name, const Tensor& x);
// chebyshev_polynomial_[tuvw], shifted_chebyshev_polynomial_[tuvw], hermite_polynomial_h/he,
// laguerre_polynomial_l, legendre_polynomial_p (n truncated toward zero)
Tensor special_polynomial(const std::string& name, const Tensor& x, const Tensor& n);

}  // namespace tapegrad
