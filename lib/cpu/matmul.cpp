// CPU matrix products: a cache-friendly i-k-j loop over (possibly strided) operands packed to
// contiguous blocks, parallel over rows. Issue 5 replaces this with a packed SIMD GEMM.
#include <cstring>
#include <vector>

#include <tapegrad/kernels/dispatch.h>
#include <tapegrad/kernels/kernels.h>
#include <tapegrad/kernels/loops.h>
#include <tapegrad/ops/ops.h>

namespace tapegrad {
namespace kern {

namespace {

// C[M,N] = A[M,K] @ B[K,N], all contiguous row-major.
template <class T>
void gemm_contig(T* C, const T* A, const T* B, int64_t M, int64_t K, int64_t N) {
  const bool par = M * N * K >= cpu::kGrain * 4 && M > 1;
#pragma omp parallel for if (par) schedule(static)
  for (int64_t i = 0; i < M; ++i) {
    T* c = C + i * N;
    for (int64_t j = 0; j < N; ++j) c[j] = T(0);
    const T* a = A + i * K;
    for (int64_t k = 0; k < K; ++k) {
      const T av = a[k];
      const T* b = B + k * N;
      for (int64_t j = 0; j < N; ++j) c[j] += av * b[j];
    }
  }
}

}  // namespace

void mm(const Tensor& out, const Tensor& a, const Tensor& b) {
  Tensor ac = a.is_contiguous() ? a : contiguous(detach(a));
  Tensor bc = b.is_contiguous() ? b : contiguous(detach(b));
  const int64_t M = a.sizes()[0], K = a.sizes()[1], N = b.sizes()[1];
  dispatch_numeric(out.dtype(), "addmm_impl_cpu_", [&](auto tag) {
    using T = decltype(tag);
    gemm_contig<T>(out.data<T>(), ac.data<T>(), bc.data<T>(), M, K, N);
  });
}

void bmm(const Tensor& out, const Tensor& a, const Tensor& b) {
  Tensor ac = a.is_contiguous() ? a : contiguous(detach(a));
  Tensor bc = b.is_contiguous() ? b : contiguous(detach(b));
  const int64_t B = a.sizes()[0], M = a.sizes()[1], K = a.sizes()[2], N = b.sizes()[2];
  dispatch_numeric(out.dtype(), "bmm", [&](auto tag) {
    using T = decltype(tag);
    for (int64_t i = 0; i < B; ++i)
      gemm_contig<T>(out.data<T>() + i * M * N, ac.data<T>() + i * M * K,
                     bc.data<T>() + i * K * N, M, K, N);
  });
}

}  // namespace kern
}  // namespace tapegrad
