// Dense decompositions behind tapegrad.linalg (CPU, float64 inside): LU with partial pivoting,
// Cholesky, triangular and LU solves, Householder QR, Jacobi eigh and one-sided Jacobi SVD.
// Inputs are contiguous float64 CPU tensors of shape (*, m, n) (python/tapegrad/linalg.py
// converts and broadcasts); results are float64. These record no history: the gradients are
// autograd.Functions in Python composed of differentiable ops. Failures come back as LAPACK-style
// info codes so the Python side raises torch's LinAlgError with torch's wording.
#pragma once
#include <tuple>
#include <utility>

#include <tapegrad/core/tensor.h>

namespace tapegrad {
namespace linalg {

// (LU, pivots int32 1-based (*, min(m, n)), info int32 (*)): A = P L U (LAPACK getrf).
std::tuple<Tensor, Tensor, Tensor> lu_factor(const Tensor& A);
// X with A X = B (or A^T X = B when adjoint) from lu_factor's result; LU (*, n, n), B (*, n, k)
// with the same batch shape.
Tensor lu_solve(const Tensor& LU, const Tensor& pivots, const Tensor& B, bool adjoint);
// (L lower, info int32 (*)) from the lower triangle of A; info = order of the failing minor.
std::pair<Tensor, Tensor> cholesky(const Tensor& A);
// X with T X = B for T (*, n, n) upper or lower (the other triangle is ignored).
Tensor solve_triangular(const Tensor& T, const Tensor& B, bool upper, bool unitriangular);
// (Q, R): reduced (Q m x k, R k x n) or complete (Q m x m, R m x n); LAPACK's sign convention.
std::pair<Tensor, Tensor> qr(const Tensor& A, bool complete);
// (eigenvalues ascending (*, n), eigenvectors (*, n, n)) from the lower or upper triangle.
std::pair<Tensor, Tensor> eigh(const Tensor& A, bool lower);
// (U, S descending, Vh); full: U m x m and Vh n x n, else k = min(m, n) columns.
std::tuple<Tensor, Tensor, Tensor> svd(const Tensor& A, bool full);

}  // namespace linalg
}  // namespace tapegrad
