// One-matrix dense kernels (row-major double buffers) behind lib/ops/linalg_decomp.cpp, which
// loops them over batches. Written for accuracy first: pivoted LU, Householder QR with LAPACK's
// sign rule, cyclic Jacobi for symmetric eigenproblems, one-sided (Hestenes) Jacobi SVD.
#pragma once
#include <cstdint>

namespace tapegrad {
namespace linalg {
namespace dense {

// In place on a (m x n); piv[min(m,n)] 1-based; returns 0 or the first zero pivot (1-based).
int lu_factor(double* a, int64_t m, int64_t n, int32_t* piv);
// b (n x k) overwritten with the solution of A b' = b (or A^T b' = b).
void lu_solve(const double* lu, const int32_t* piv, int64_t n, double* b, int64_t k, bool trans);
// In place: the lower triangle becomes L, the strict upper triangle is zeroed; 0 or the order
// of the first minor that is not positive-definite.
int cholesky(double* a, int64_t n);
// b (n x k) overwritten with T^{-1} b.
void trsm(const double* t, int64_t n, double* b, int64_t k, bool upper, bool unit);
// a (m x n) -> q (m x qc), r (rr x n); qc = rr = min(m,n) (reduced) or m (complete).
void qr(const double* a, int64_t m, int64_t n, double* q, double* r, bool complete);
// a (n x n) symmetric from its lower/upper triangle -> w ascending, v (n x n) columns.
void eigh(const double* a, int64_t n, bool lower, double* w, double* v);
// a (m x n) -> u (m x uc), s (k), vh (vr x n), k = min(m,n); uc = m, vr = n when full.
void svd(const double* a, int64_t m, int64_t n, double* u, double* s, double* vh, bool full);

}  // namespace dense
}  // namespace linalg
}  // namespace tapegrad
