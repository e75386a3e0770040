// AVX2 + FMA GEMM kernels (float32 and float64), for x86-64 CPUs without AVX-512. Compiled for
// AVX2/FMA by the `#pragma GCC target` below and called by lib/cpu/matmul.cpp only after
// __builtin_cpu_supports("avx2") and ("fma"); as in gemm_avx512.cpp, all code under the pragma
// has internal linkage except the table getter.
#include <tapegrad/kernels/gemm.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)  // GCC: `#pragma GCC target`
#include <immintrin.h>

#pragma GCC push_options
#pragma GCC target("avx2,fma")

namespace tapegrad {
namespace gemm {
namespace {

#define TG_GEMM_SSE 1  // the driver may use SSE intrinsics (immintrin.h is included above)
#include <tapegrad/kernels/gemm_driver.h>

struct VF32 {
  using T = float;
  using V = __m256;
  static constexpr int W = 8;
  static V zero() { return _mm256_setzero_ps(); }
  static V load(const T* p) { return _mm256_loadu_ps(p); }
  static V bcast(const T* p) { return _mm256_broadcast_ss(p); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  static void store(T* p, V v) { _mm256_storeu_ps(p, v); }
};

struct VF64 {
  using T = double;
  using V = __m256d;
  static constexpr int W = 4;
  static V zero() { return _mm256_setzero_pd(); }
  static V load(const T* p) { return _mm256_loadu_pd(p); }
  static V bcast(const T* p) { return _mm256_broadcast_sd(p); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  static V add(V a, V b) { return _mm256_add_pd(a, b); }
  static void store(T* p, V v) { _mm256_storeu_pd(p, v); }
};

#include <tapegrad/kernels/gemm_tile.h>

// 6 x 16 float tile: 12 accumulators + 2 B vectors + 1 broadcast of the 16 ymm registers.
struct KF32 : Tile<VF32, 6, 2> {
  static constexpr int64_t KC = 256, MC = 144, NC = 1024;
};
struct KF64 : Tile<VF64, 6, 2> {
  static constexpr int64_t KC = 256, MC = 72, NC = 1024;
};

void sgemm(int64_t M, int64_t N, int64_t K, const float* A, int64_t rsa, int64_t csa,
           const float* B, int64_t rsb, int64_t csb, float* C, int64_t ldc, float* work) {
  gemm_entry<KF32>(M, N, K, A, rsa, csa, B, rsb, csb, C, ldc, work);
}

void dgemm(int64_t M, int64_t N, int64_t K, const double* A, int64_t rsa, int64_t csa,
           const double* B, int64_t rsb, int64_t csb, double* C, int64_t ldc, double* work) {
  gemm_entry<KF64>(M, N, K, A, rsa, csa, B, rsb, csb, C, ldc, work);
}

constexpr size_t kWork = (driver_work_elems<KF32>() * 4 > driver_work_elems<KF64>() * 8
                              ? driver_work_elems<KF32>() * 4
                              : driver_work_elems<KF64>() * 8);

const KernelSet kSet = {"avx2", sgemm, dgemm, kWork, KF32::MR, KF32::NR, KF64::MR, KF64::NR};

}  // namespace

const KernelSet* avx2_kernels() { return &kSet; }

}  // namespace gemm
}  // namespace tapegrad

#pragma GCC pop_options

#else
namespace tapegrad {
namespace gemm {
const KernelSet* avx2_kernels() { return nullptr; }
}  // namespace gemm
}  // namespace tapegrad
#endif
