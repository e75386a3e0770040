// CPU matrix products (kern::mm, kern::bmm). float32/float64 go to the packed, cache-blocked
// SIMD GEMM (lib/cpu/gemm_*.cpp), picked once at run time from the CPU's features (AVX-512, else
// AVX2+FMA, else portable C++) and split across OpenMP threads here; operands of any strides
// (transposed views included) are read by the GEMM's packing, never copied. Integer dtypes, rare
// in products, keep a simple i-k-j loop over contiguous copies.
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#ifdef TAPEGRAD_OPENMP
#include <omp.h>
#endif

#include <tapegrad/kernels/cuda_kernels.h>
#include <tapegrad/kernels/dispatch.h>
#include <tapegrad/kernels/gemm.h>
#include <tapegrad/kernels/kernels.h>
#include <tapegrad/kernels/loops.h>
#include <tapegrad/kernels/vmath.h>
#include <tapegrad/ops/ops.h>

namespace tapegrad {
namespace kern {

namespace {

// ---- kernel selection -----------------------------------------------------------------------

// CPU features: shared with the vectorised math (lib/cpu/vmath.cpp).
using vmath::cpu_has_avx2;
using vmath::cpu_has_avx512;

// The best kernel set this CPU runs. TAPEGRAD_GEMM=avx2|generic asks for a lesser one (to test
// every path on one machine); a request the CPU cannot run is ignored.
const gemm::KernelSet* kernels() {
  static const gemm::KernelSet* chosen = [] {
    const char* want = std::getenv("TAPEGRAD_GEMM");
    const std::string w = want ? want : "";
    const gemm::KernelSet* k512 = cpu_has_avx512() ? gemm::avx512_kernels() : nullptr;
    const gemm::KernelSet* k2 = cpu_has_avx2() ? gemm::avx2_kernels() : nullptr;
    if (w == "generic") return gemm::generic_kernels();
    if (w == "avx2" && k2) return k2;
    if (k512) return k512;
    if (k2) return k2;
    return gemm::generic_kernels();
  }();
  return chosen;
}

// Per-thread packing scratch, grown on demand and kept for the thread's life (the GEMM runs on
// the caller's thread and on OpenMP's pool threads, which persist).
void* workspace(size_t bytes) {
  struct Buf {
    void* p = nullptr;
    size_t n = 0;
    ~Buf() { std::free(p); }
  };
  thread_local Buf buf;
  if (buf.n < bytes) {
    std::free(buf.p);
    buf.n = (bytes + 63) / 64 * 64;
    buf.p = std::aligned_alloc(64, buf.n);
    if (!buf.p) {
      buf.n = 0;
      TG_ERROR("matmul: out of memory allocating ", bytes, " bytes of GEMM workspace");
    }
  }
  return buf.p;
}

template <class T>
gemm::GemmFn<T> gemm_fn(const gemm::KernelSet* ks) {
  if constexpr (sizeof(T) == 4) return ks->sgemm;
  else return ks->dgemm;
}

// Below this many multiply-adds a fork/join costs more than it saves.
constexpr int64_t kParallelMinMacs = int64_t(1) << 19;

int usable_threads() {
#ifdef TAPEGRAD_OPENMP
  if (omp_in_parallel()) return 1;
#endif
  return cpu::max_threads();
}

// One operand view: element pointer and strides.
template <class T>
struct Mat {
  const T* p;
  int64_t rs, cs;
};

// C (row stride ldc, unit column stride) = A @ B, on `threads` threads. Work is split into
// contiguous ranges of register tiles along one side of C, so each thread packs only the
// operand slices it uses and no two threads write the same cache lines of C (except at the seam).
// The threads never wait for each other inside the product (no shared packed B behind a
// barrier): on this shared 2-core machine a barrier often waits out a descheduled thread's
// time slice, and a product with four of them ran 3x slower than torch at n = 512.
template <class T>
void gemm_run(int64_t M, int64_t N, int64_t K, Mat<T> A, Mat<T> B, T* C, int64_t ldc,
              int threads) {
  const gemm::KernelSet* ks = kernels();
  const gemm::GemmFn<T> fn = gemm_fn<T>(ks);
  const int mr = sizeof(T) == 4 ? ks->mr_f32 : ks->mr_f64;
  const int nr = sizeof(T) == 4 ? ks->nr_f32 : ks->nr_f64;
  const int64_t bm = (M + mr - 1) / mr, bn = (N + nr - 1) / nr;
  // Split the side that leaves each thread the least overhead: every thread packs all of B it
  // multiplies, and all of A when its share of N is wide (gemm_driver.h packs A for N > 256).
  // Splitting M duplicates B's packing; splitting N duplicates A's, if A is packed at all.
  // A read in place (a share of N <= 256) costs no copy but slows the kernel: counted as
  // 15% of the thread's multiply-adds at 16 per copied element (square n = 512 split along N
  // ran 5-20% slower than along M; MLP shapes measured about even, and keep splitting N).
  const int nt = threads < 1 ? 1 : threads;
  auto in_place = [](int64_t m, int64_t n, int64_t k) { return m * n * k / 16 * 15 / 100; };
  const int64_t pack_split_m =
      K * N + (N > 256 ? M / nt * K : in_place(M / nt, N, K));
  const int64_t pack_split_n =
      K * N / nt + (N / nt > 256 ? M * K : in_place(M, N / nt, K));
  bool split_m = pack_split_m < pack_split_n || (pack_split_m == pack_split_n && bm >= bn);
  if ((split_m ? bm : bn) < nt) split_m = bm >= bn;  // too few tiles on that side
  const int64_t blocks = split_m ? bm : bn;
  if (threads > blocks) threads = static_cast<int>(blocks);
  if (threads <= 1 || M * N * K < kParallelMinMacs) {
    fn(M, N, K, A.p, A.rs, A.cs, B.p, B.rs, B.cs, C, ldc,
       static_cast<T*>(workspace(ks->work_bytes)));
    return;
  }
#ifdef TAPEGRAD_OPENMP
#pragma omp parallel num_threads(threads)
  {
    const int id = omp_get_thread_num(), nt = omp_get_num_threads();
    const int64_t b0 = blocks * id / nt, b1 = blocks * (id + 1) / nt;
    T* work = static_cast<T*>(workspace(ks->work_bytes));
    if (split_m) {
      const int64_t i0 = b0 * mr, i1 = b1 * mr < M ? b1 * mr : M;
      if (i1 > i0)
        fn(i1 - i0, N, K, A.p + i0 * A.rs, A.rs, A.cs, B.p, B.rs, B.cs, C + i0 * ldc, ldc, work);
    } else {
      const int64_t j0 = b0 * nr, j1 = b1 * nr < N ? b1 * nr : N;
      if (j1 > j0)
        fn(M, j1 - j0, K, A.p, A.rs, A.cs, B.p + j0 * B.cs, B.rs, B.cs, C + j0, ldc, work);
    }
  }
#else
  fn(M, N, K, A.p, A.rs, A.cs, B.p, B.rs, B.cs, C, ldc,
     static_cast<T*>(workspace(ks->work_bytes)));
#endif
}

// out = a @ b for 2-D views of floating dtype T; out may be a strided view (mv/dot pass
// [n,1] / [1,1] views of 1-D results).
template <class T>
void mm_float(const Tensor& out, const Tensor& a, const Tensor& b, int threads) {
  const int64_t M = a.sizes()[0], K = a.sizes()[1], N = b.sizes()[1];
  if (M == 0 || N == 0) return;
  Mat<T> A{a.data<T>(), a.strides()[0], a.strides()[1]};
  Mat<T> B{b.data<T>(), b.strides()[0], b.strides()[1]};
  const int64_t rsc = out.strides()[0], csc = out.strides()[1];
  if (csc == 1 || N == 1) {
    gemm_run<T>(M, N, K, A, B, out.data<T>(), M == 1 ? N : rsc, threads);
    return;
  }
  // An output with strided columns (never made by the op layer today): compute, then scatter.
  std::vector<T> tmp(static_cast<size_t>(M * N));
  gemm_run<T>(M, N, K, A, B, tmp.data(), N, threads);
  T* o = out.data<T>();
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j) o[i * rsc + j * csc] = tmp[i * N + j];
}

// C[M,N] = A[M,K] @ B[K,N], all contiguous row-major (integer dtypes).
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

bool is_float(DType dt) { return dt == DType::Float32 || dt == DType::Float64; }

}  // namespace

void mm(const Tensor& out, const Tensor& a, const Tensor& b) {
  TG_CUDA_DISPATCH(mm(out, a, b), out, a, b);
  if (is_float(out.dtype())) {
    dispatch_floating(out.dtype(), "addmm_impl_cpu_", [&](auto tag) {
      mm_float<decltype(tag)>(out, a, b, usable_threads());
    });
    return;
  }
  Tensor ac = a.is_contiguous() ? a : contiguous(detach(a));
  Tensor bc = b.is_contiguous() ? b : contiguous(detach(b));
  const int64_t M = a.sizes()[0], K = a.sizes()[1], N = b.sizes()[1];
  Tensor oc = out.is_contiguous() ? out : empty(out.sizes(), out.dtype(), out.device());
  dispatch_numeric(out.dtype(), "addmm_impl_cpu_", [&](auto tag) {
    using T = decltype(tag);
    gemm_contig<T>(oc.data<T>(), ac.data<T>(), bc.data<T>(), M, K, N);
  });
  if (!out.is_contiguous()) copy(out, oc);
}

void bmm(const Tensor& out, const Tensor& a, const Tensor& b) {
  TG_CUDA_DISPATCH(bmm(out, a, b), out, a, b);
  const int64_t B = a.sizes()[0], M = a.sizes()[1], K = a.sizes()[2], N = b.sizes()[2];
  if (is_float(out.dtype())) {
    dispatch_floating(out.dtype(), "bmm", [&](auto tag) {
      using T = decltype(tag);
      if (B == 0 || M == 0 || N == 0) return;
      const auto &sa = a.strides(), &sb = b.strides(), &so = out.strides();
      const T* pa = a.data<T>();
      const T* pb = b.data<T>();
      T* po = out.data<T>();
      const bool contiguous_out = out.is_contiguous();
      auto one = [&](int64_t i, int threads) {
        const Mat<T> A{pa + i * sa[0], sa[1], sa[2]};
        const Mat<T> Bm{pb + i * sb[0], sb[1], sb[2]};
        if (contiguous_out) {
          gemm_run<T>(M, N, K, A, Bm, po + i * so[0], N, threads);
        } else {
          std::vector<T> tmp(static_cast<size_t>(M * N));
          gemm_run<T>(M, N, K, A, Bm, tmp.data(), N, threads);
          for (int64_t r = 0; r < M; ++r)
            for (int64_t c = 0; c < N; ++c) po[i * so[0] + r * so[1] + c * so[2]] = tmp[r * N + c];
        }
      };
      const int threads = usable_threads();
      // Many small products: one thread per product; few large ones: threads inside each.
      const bool per_batch = threads > 1 && B >= threads && M * N * K < kParallelMinMacs * 4 &&
                             B * M * N * K >= kParallelMinMacs;
      if (per_batch) {
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < B; ++i) one(i, 1);
      } else {
        for (int64_t i = 0; i < B; ++i) one(i, threads);
      }
    });
    return;
  }
  Tensor ac = a.is_contiguous() ? a : contiguous(detach(a));
  Tensor bc = b.is_contiguous() ? b : contiguous(detach(b));
  Tensor oc = out.is_contiguous() ? out : empty(out.sizes(), out.dtype(), out.device());
  dispatch_numeric(out.dtype(), "bmm", [&](auto tag) {
    using T = decltype(tag);
    for (int64_t i = 0; i < B; ++i)
      gemm_contig<T>(oc.data<T>() + i * M * N, ac.data<T>() + i * M * K,
                     bc.data<T>() + i * K * N, M, K, N);
  });
  if (!out.is_contiguous()) copy(out, oc);
}

}  // namespace kern
}  // namespace tapegrad
