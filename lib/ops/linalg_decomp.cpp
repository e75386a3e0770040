// Batched fronts of the dense kernels (lib/cpu/linalg_dense.cpp) for tapegrad.linalg: check
// the float64 contiguous CPU layout python/tapegrad/linalg.py hands over, loop over the batch,
// and return fresh float64 tensors (int32 pivots and info codes, as torch returns them).
#include <tapegrad/ops/linalg_ops.h>

#include <algorithm>

#include "../cpu/linalg_dense.h"
#include "common.h"

namespace tapegrad {
namespace linalg {

namespace {

void check_layout(const Tensor& t, const char* what) {
  TG_CHECK(t.dtype() == DType::Float64 && t.device().is_cpu() && t.is_contiguous() &&
               t.dim() >= 2,
           "tapegrad linalg internal: ", what, " needs a contiguous float64 CPU tensor with at "
           "least 2 dimensions");
}

int64_t batch_of(const Tensor& t) {
  int64_t b = 1;
  for (int64_t d = 0; d + 2 < t.dim(); ++d) b *= t.sizes()[d];
  return b;
}

Shape batch_shape(const Tensor& t) { return Shape(t.sizes().begin(), t.sizes().end() - 2); }

Shape with(Shape s, std::initializer_list<int64_t> tail) {
  s.insert(s.end(), tail.begin(), tail.end());
  return s;
}

Tensor copy_of(const Tensor& t) {
  Tensor out = empty(t.sizes(), DType::Float64);
  std::copy(t.data<double>(), t.data<double>() + t.numel(), out.data<double>());
  return out;
}

}  // namespace

std::tuple<Tensor, Tensor, Tensor> lu_factor(const Tensor& A) {
  check_layout(A, "lu_factor");
  const int64_t m = A.size(-2), n = A.size(-1), k = std::min(m, n), nb = batch_of(A);
  Tensor lu = copy_of(A);
  Tensor piv = empty(with(batch_shape(A), {k}), DType::Int32);
  Tensor info = empty(batch_shape(A), DType::Int32);
  for (int64_t b = 0; b < nb; ++b)
    info.data<int32_t>()[b] =
        dense::lu_factor(lu.data<double>() + b * m * n, m, n, piv.data<int32_t>() + b * k);
  return {lu, piv, info};
}

Tensor lu_solve(const Tensor& LU, const Tensor& pivots, const Tensor& B, bool adjoint) {
  check_layout(LU, "lu_solve");
  check_layout(B, "lu_solve");
  TG_CHECK(pivots.dtype() == DType::Int32 && pivots.is_contiguous(),
           "tapegrad linalg internal: lu_solve pivots must be contiguous int32");
  const int64_t n = LU.size(-1), k = B.size(-1), nb = batch_of(LU);
  TG_CHECK(batch_of(B) == nb && B.size(-2) == n && pivots.numel() == nb * n,
           "tapegrad linalg internal: lu_solve shapes do not match");
  Tensor x = copy_of(B);
  for (int64_t b = 0; b < nb; ++b)
    dense::lu_solve(LU.data<double>() + b * n * n, pivots.data<int32_t>() + b * n, n,
                    x.data<double>() + b * n * k, k, adjoint);
  return x;
}

std::pair<Tensor, Tensor> cholesky(const Tensor& A) {
  check_layout(A, "cholesky");
  const int64_t n = A.size(-1), nb = batch_of(A);
  Tensor l = copy_of(A);
  Tensor info = empty(batch_shape(A), DType::Int32);
  for (int64_t b = 0; b < nb; ++b)
    info.data<int32_t>()[b] = dense::cholesky(l.data<double>() + b * n * n, n);
  return {l, info};
}

Tensor solve_triangular(const Tensor& T, const Tensor& B, bool upper, bool unitriangular) {
  check_layout(T, "solve_triangular");
  check_layout(B, "solve_triangular");
  const int64_t n = T.size(-1), k = B.size(-1), nb = batch_of(T);
  TG_CHECK(batch_of(B) == nb && B.size(-2) == n,
           "tapegrad linalg internal: solve_triangular shapes do not match");
  Tensor x = copy_of(B);
  for (int64_t b = 0; b < nb; ++b)
    dense::trsm(T.data<double>() + b * n * n, n, x.data<double>() + b * n * k, k, upper,
                unitriangular);
  return x;
}

std::pair<Tensor, Tensor> qr(const Tensor& A, bool complete) {
  check_layout(A, "qr");
  const int64_t m = A.size(-2), n = A.size(-1), k = std::min(m, n), nb = batch_of(A);
  const int64_t qc = complete ? m : k;
  Tensor q = empty(with(batch_shape(A), {m, qc}), DType::Float64);
  Tensor r = empty(with(batch_shape(A), {qc, n}), DType::Float64);
  for (int64_t b = 0; b < nb; ++b)
    dense::qr(A.data<double>() + b * m * n, m, n, q.data<double>() + b * m * qc,
              r.data<double>() + b * qc * n, complete);
  return {q, r};
}

std::pair<Tensor, Tensor> eigh(const Tensor& A, bool lower) {
  check_layout(A, "eigh");
  const int64_t n = A.size(-1), nb = batch_of(A);
  Tensor w = empty(with(batch_shape(A), {n}), DType::Float64);
  Tensor v = empty(A.sizes(), DType::Float64);
  for (int64_t b = 0; b < nb; ++b)
    dense::eigh(A.data<double>() + b * n * n, n, lower, w.data<double>() + b * n,
                v.data<double>() + b * n * n);
  return {w, v};
}

std::tuple<Tensor, Tensor, Tensor> svd(const Tensor& A, bool full) {
  check_layout(A, "svd");
  const int64_t m = A.size(-2), n = A.size(-1), k = std::min(m, n), nb = batch_of(A);
  const int64_t uc = full ? m : k, vr = full ? n : k;
  Tensor u = empty(with(batch_shape(A), {m, uc}), DType::Float64);
  Tensor s = empty(with(batch_shape(A), {k}), DType::Float64);
  Tensor vh = empty(with(batch_shape(A), {vr, n}), DType::Float64);
  for (int64_t b = 0; b < nb; ++b)
    dense::svd(A.data<double>() + b * m * n, m, n, u.data<double>() + b * m * uc,
               s.data<double>() + b * k, vh.data<double>() + b * vr * n, full);
  return {u, s, vh};
}

}  // namespace linalg
}  // namespace tapegrad
