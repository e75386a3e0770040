// One-matrix dense kernels for tapegrad.linalg (see linalg_dense.h). Row-major double buffers;
// the batch loops, dtype conversion and info handling are lib/ops/linalg_decomp.cpp's.
#include "linalg_dense.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

namespace tapegrad {
namespace linalg {
namespace dense {

namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();

// rows [i] -= f * rows [j] over k columns
inline void axpy_row(double* dst, const double* src, double f, int64_t k) {
  for (int64_t c = 0; c < k; ++c) dst[c] -= f * src[c];
}

// Fills the columns of q (column-major, len rows each) listed in `missing` with unit vectors
// orthogonal to every other column: each time the basis vector e_i with the largest residual
// after projection (two Gram-Schmidt passes). Used for the null-space columns of the SVD.
void complete_basis(double* q, int64_t len, int64_t ncols, const std::vector<bool>& missing) {
  std::vector<bool> have(ncols);
  for (int64_t c = 0; c < ncols; ++c) have[c] = !missing[c];
  std::vector<double> cand(len), best(len);
  for (int64_t c = 0; c < ncols; ++c) {
    if (have[c]) continue;
    double best_norm = -1;
    for (int64_t e = 0; e < len; ++e) {
      std::fill(cand.begin(), cand.end(), 0.0);
      cand[e] = 1;
      for (int pass = 0; pass < 2; ++pass)
        for (int64_t o = 0; o < ncols; ++o) {
          if (!have[o]) continue;
          const double* qo = q + o * len;
          double d = 0;
          for (int64_t i = 0; i < len; ++i) d += qo[i] * cand[i];
          for (int64_t i = 0; i < len; ++i) cand[i] -= d * qo[i];
        }
      double nrm = 0;
      for (double v : cand) nrm += v * v;
      if (nrm > best_norm) best_norm = nrm, best = cand;
    }
    const double inv = 1 / std::sqrt(best_norm);
    for (int64_t i = 0; i < len; ++i) q[c * len + i] = best[i] * inv;
    have[c] = true;
  }
}

// One-sided Jacobi on g (column-major, rows x cols, rows >= cols): orthogonalises g's columns
// by plane rotations accumulated in v (cols x cols, column-major, starts as I).
void hestenes(double* g, int64_t rows, int64_t cols, double* v) {
  for (int sweep = 0; sweep < 80; ++sweep) {
    bool rotated = false;
    for (int64_t p = 0; p + 1 < cols; ++p)
      for (int64_t q = p + 1; q < cols; ++q) {
        double* gp = g + p * rows;
        double* gq = g + q * rows;
        double alpha = 0, beta = 0, gamma = 0;
        for (int64_t i = 0; i < rows; ++i) {
          alpha += gp[i] * gp[i];
          beta += gq[i] * gq[i];
          gamma += gp[i] * gq[i];
        }
        if (gamma == 0 || std::abs(gamma) <= kEps * std::sqrt(alpha * beta)) continue;
        rotated = true;
        const double zeta = (beta - alpha) / (2 * gamma);
        const double t = (zeta >= 0 ? 1.0 : -1.0) / (std::abs(zeta) + std::hypot(1.0, zeta));
        const double c = 1 / std::hypot(1.0, t), s = c * t;
        for (int64_t i = 0; i < rows; ++i) {
          const double a = gp[i], b = gq[i];
          gp[i] = c * a - s * b;
          gq[i] = s * a + c * b;
        }
        double* vp = v + p * cols;
        double* vq = v + q * cols;
        for (int64_t i = 0; i < cols; ++i) {
          const double a = vp[i], b = vq[i];
          vp[i] = c * a - s * b;
          vq[i] = s * a + c * b;
        }
      }
    if (!rotated) break;
  }
}

}  // namespace

int lu_factor(double* a, int64_t m, int64_t n, int32_t* piv) {
  int info = 0;
  const int64_t k = std::min(m, n);
  for (int64_t j = 0; j < k; ++j) {
    int64_t p = j;
    for (int64_t i = j + 1; i < m; ++i)
      if (std::abs(a[i * n + j]) > std::abs(a[p * n + j])) p = i;
    piv[j] = static_cast<int32_t>(p + 1);
    if (p != j) std::swap_ranges(a + j * n, a + j * n + n, a + p * n);
    const double d = a[j * n + j];
    if (d == 0) {
      if (info == 0) info = static_cast<int>(j + 1);
      continue;  // as LAPACK: the column below stays, the factorization goes on
    }
    for (int64_t i = j + 1; i < m; ++i) {
      const double f = (a[i * n + j] /= d);
      if (f != 0) axpy_row(a + i * n + j + 1, a + j * n + j + 1, f, n - j - 1);
    }
  }
  return info;
}

void lu_solve(const double* lu, const int32_t* piv, int64_t n, double* b, int64_t k, bool trans) {
  if (!trans) {
    for (int64_t i = 0; i < n; ++i)
      if (piv[i] - 1 != i) std::swap_ranges(b + i * k, b + i * k + k, b + (piv[i] - 1) * k);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < i; ++j) axpy_row(b + i * k, b + j * k, lu[i * n + j], k);
    for (int64_t i = n - 1; i >= 0; --i) {
      for (int64_t j = i + 1; j < n; ++j) axpy_row(b + i * k, b + j * k, lu[i * n + j], k);
      const double d = lu[i * n + i];
      for (int64_t c = 0; c < k; ++c) b[i * k + c] /= d;
    }
    return;
  }
  // A^T = U^T L^T P^T
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < i; ++j) axpy_row(b + i * k, b + j * k, lu[j * n + i], k);
    const double d = lu[i * n + i];
    for (int64_t c = 0; c < k; ++c) b[i * k + c] /= d;
  }
  for (int64_t i = n - 1; i >= 0; --i)
    for (int64_t j = i + 1; j < n; ++j) axpy_row(b + i * k, b + j * k, lu[j * n + i], k);
  for (int64_t i = n - 1; i >= 0; --i)
    if (piv[i] - 1 != i) std::swap_ranges(b + i * k, b + i * k + k, b + (piv[i] - 1) * k);
}

int cholesky(double* a, int64_t n) {
  int info = 0;
  for (int64_t j = 0; j < n && info == 0; ++j) {
    double d = a[j * n + j];
    for (int64_t c = 0; c < j; ++c) d -= a[j * n + c] * a[j * n + c];
    if (!(d > 0)) {
      info = static_cast<int>(j + 1);
      break;
    }
    const double l = std::sqrt(d);
    a[j * n + j] = l;
    for (int64_t i = j + 1; i < n; ++i) {
      double s = a[i * n + j];
      for (int64_t c = 0; c < j; ++c) s -= a[i * n + c] * a[j * n + c];
      a[i * n + j] = s / l;
    }
  }
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i + 1; j < n; ++j) a[i * n + j] = 0;
  return info;
}

void trsm(const double* t, int64_t n, double* b, int64_t k, bool upper, bool unit) {
  for (int64_t s = 0; s < n; ++s) {
    const int64_t i = upper ? n - 1 - s : s;
    if (upper) {
      for (int64_t j = i + 1; j < n; ++j) axpy_row(b + i * k, b + j * k, t[i * n + j], k);
    } else {
      for (int64_t j = 0; j < i; ++j) axpy_row(b + i * k, b + j * k, t[i * n + j], k);
    }
    if (!unit) {
      const double d = t[i * n + i];
      for (int64_t c = 0; c < k; ++c) b[i * k + c] /= d;
    }
  }
}

void qr(const double* a, int64_t m, int64_t n, double* q, double* r, bool complete) {
  const int64_t k = std::min(m, n), qc = complete ? m : k, rr = complete ? m : k;
  std::vector<double> w(a, a + m * n), vs(k * m, 0.0), tau(k, 0.0);
  for (int64_t j = 0; j < k; ++j) {
    const double x0 = w[j * n + j];
    double xn = 0;
    for (int64_t i = j + 1; i < m; ++i) xn = std::hypot(xn, w[i * n + j]);
    if (xn == 0) continue;  // LAPACK's dlarfg: H = I, R[j][j] keeps its sign
    const double beta = -std::copysign(std::hypot(x0, xn), x0);
    tau[j] = (beta - x0) / beta;
    double* v = vs.data() + j * m;
    v[j] = 1;
    for (int64_t i = j + 1; i < m; ++i) v[i] = w[i * n + j] / (x0 - beta);
    for (int64_t c = j + 1; c < n; ++c) {
      double d = 0;
      for (int64_t i = j; i < m; ++i) d += v[i] * w[i * n + c];
      d *= tau[j];
      for (int64_t i = j; i < m; ++i) w[i * n + c] -= d * v[i];
    }
    w[j * n + j] = beta;
    for (int64_t i = j + 1; i < m; ++i) w[i * n + j] = 0;
  }
  for (int64_t i = 0; i < rr; ++i)
    for (int64_t c = 0; c < n; ++c) r[i * n + c] = (c >= i && i < m) ? w[i * n + c] : 0.0;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t c = 0; c < qc; ++c) q[i * qc + c] = i == c ? 1.0 : 0.0;
  for (int64_t j = k - 1; j >= 0; --j) {
    if (tau[j] == 0) continue;
    const double* v = vs.data() + j * m;
    for (int64_t c = 0; c < qc; ++c) {
      double d = 0;
      for (int64_t i = j; i < m; ++i) d += v[i] * q[i * qc + c];
      d *= tau[j];
      for (int64_t i = j; i < m; ++i) q[i * qc + c] -= d * v[i];
    }
  }
}

void eigh(const double* a_in, int64_t n, bool lower, double* w, double* v) {
  std::vector<double> a(n * n);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      const bool from_ij = lower ? i >= j : i <= j;
      a[i * n + j] = from_ij ? a_in[i * n + j] : a_in[j * n + i];
    }
  std::vector<double> vt(n * n, 0.0);  // vt[j * n + k]: component k of eigenvector j
  for (int64_t i = 0; i < n; ++i) vt[i * n + i] = 1;
  double fro = 0;
  for (double x : a) fro += x * x;
  for (int sweep = 0; sweep < 60; ++sweep) {
    double off = 0;
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j)
        if (i != j) off += a[i * n + j] * a[i * n + j];
    if (off == 0 || off <= kEps * kEps * fro * 1e-4) break;
    for (int64_t p = 0; p + 1 < n; ++p)
      for (int64_t q = p + 1; q < n; ++q) {
        const double apq = a[p * n + q];
        if (apq == 0) continue;
        const double theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const double t = (theta >= 0 ? 1.0 : -1.0) / (std::abs(theta) + std::hypot(1.0, theta));
        const double c = 1 / std::hypot(1.0, t), s = t * c;
        for (int64_t r = 0; r < n; ++r) {  // columns p, q
          const double x = a[r * n + p], y = a[r * n + q];
          a[r * n + p] = c * x - s * y;
          a[r * n + q] = s * x + c * y;
        }
        for (int64_t r = 0; r < n; ++r) {  // rows p, q
          const double x = a[p * n + r], y = a[q * n + r];
          a[p * n + r] = c * x - s * y;
          a[q * n + r] = s * x + c * y;
        }
        a[p * n + q] = a[q * n + p] = 0;
        double* vp = vt.data() + p * n;
        double* vq = vt.data() + q * n;
        for (int64_t r = 0; r < n; ++r) {
          const double x = vp[r], y = vq[r];
          vp[r] = c * x - s * y;
          vq[r] = s * x + c * y;
        }
      }
  }
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t x, int64_t y) { return a[x * n + x] < a[y * n + y]; });
  for (int64_t j = 0; j < n; ++j) {
    w[j] = a[order[j] * n + order[j]];
    for (int64_t r = 0; r < n; ++r) v[r * n + j] = vt[order[j] * n + r];
  }
}

void svd(const double* a, int64_t m, int64_t n, double* u, double* s, double* vh, bool full) {
  // Work on the tall one of A and A^T: g's columns are A's columns (m >= n) or A's rows.
  const bool tall = m >= n;
  const int64_t rows = tall ? m : n, cols = tall ? n : m;
  std::vector<double> g(rows * cols), v(cols * cols, 0.0);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) (tall ? g[j * m + i] : g[i * n + j]) = a[i * n + j];
  for (int64_t i = 0; i < cols; ++i) v[i * cols + i] = 1;
  hestenes(g.data(), rows, cols, v.data());
  std::vector<double> sv(cols);
  for (int64_t j = 0; j < cols; ++j) {
    double nrm = 0;
    for (int64_t i = 0; i < rows; ++i) nrm = std::hypot(nrm, g[j * rows + i]);
    sv[j] = nrm;
  }
  std::vector<int64_t> order(cols);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) { return sv[x] > sv[y]; });
  const double smax = cols ? sv[order[0]] : 0.0;
  const int64_t uc = full ? rows : cols;  // columns of the tall factor kept
  std::vector<double> uu(rows * uc, 0.0), vv(cols * cols);
  std::vector<bool> missing(uc, true);
  for (int64_t j = 0; j < cols; ++j) {
    const int64_t o = order[j];
    s[j] = sv[o];
    for (int64_t i = 0; i < cols; ++i) vv[j * cols + i] = v[o * cols + i];
    if (sv[o] > smax * kEps * rows && sv[o] > std::numeric_limits<double>::min()) {
      for (int64_t i = 0; i < rows; ++i) uu[j * rows + i] = g[o * rows + i] / sv[o];
      missing[j] = false;
    }
  }
  complete_basis(uu.data(), rows, uc, missing);
  // tall: U = uu (m x uc), Vh = vv^T; wide: U = vv (m x m), Vh = uu^T (uc x n)
  if (tall) {
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < uc; ++j) u[i * uc + j] = uu[j * rows + i];
    for (int64_t j = 0; j < n; ++j)
      for (int64_t i = 0; i < n; ++i) vh[j * n + i] = vv[j * cols + i];
  } else {
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < m; ++j) u[i * m + j] = vv[j * cols + i];
    for (int64_t j = 0; j < uc; ++j)
      for (int64_t i = 0; i < n; ++i) vh[j * n + i] = uu[j * rows + i];
  }
}

}  // namespace dense
}  // namespace linalg
}  // namespace tapegrad
