// AVX-512 GEMM kernels (float32 and float64). The whole file after the `#pragma GCC target`
// compiles for AVX-512F + FMA; lib/cpu/matmul.cpp calls it only after
// __builtin_cpu_supports("avx512f") says the CPU (and OS) can run it, so the library itself
// still runs on any x86-64. Everything compiled under the pragma has internal linkage (anonymous
// namespace) except the one table getter, so no AVX-512 instance of an inline function can be
// chosen by the linker for code that runs elsewhere.
#include <tapegrad/kernels/gemm.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)  // GCC: `#pragma GCC target`
#include <immintrin.h>

#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq,avx512vl,avx512bw,avx2,fma")

namespace tapegrad {
namespace gemm {
namespace {

#define TG_GEMM_SSE 1  // the driver may use SSE intrinsics (immintrin.h is included above)
#include <tapegrad/kernels/gemm_driver.h>

struct VF32 {
  using T = float;
  using V = __m512;
  static constexpr int W = 16;
  static V zero() { return _mm512_setzero_ps(); }
  static V load(const T* p) { return _mm512_loadu_ps(p); }
  static V bcast(const T* p) { return _mm512_set1_ps(*p); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static void store(T* p, V v) { _mm512_storeu_ps(p, v); }
};

struct VF64 {
  using T = double;
  using V = __m512d;
  static constexpr int W = 8;
  static V zero() { return _mm512_setzero_pd(); }
  static V load(const T* p) { return _mm512_loadu_pd(p); }
  static V bcast(const T* p) { return _mm512_set1_pd(*p); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  static V add(V a, V b) { return _mm512_add_pd(a, b); }
  static void store(T* p, V v) { _mm512_storeu_pd(p, v); }
};

#include <tapegrad/kernels/gemm_tile.h>

// 6 x 64 float tile: 24 accumulators + 4 B vectors + 1 broadcast of the 32 zmm registers, 10
// loads per 24 FMAs (12 x 32: 14), and edge rows waste at most 5 of 6 rows instead of 11 of
// 12: 2-4% faster than 12 x 32 at n = 512..1024, 5-8% at n = 128..256.
// KC: the A panel (6 x KC, 6 KiB) stays in L1 (48 KiB) beside the streaming B panels; the
// packed B block (KC x NC, 1 MiB) stays in L2 (2 MiB on the Xeons this was tuned on). MC is a
// multiple of MR; 14 x 32 tiles measured slower (GCC spills).
struct KF32 : Tile<VF32, 6, 4> {
  static constexpr int64_t KC = 256, MC = 420, NC = 1024;
};
// Products of at most 64 columns keep 12 x 32 (gemm_entry): the swapped x @ W.t() of 64 rows
// ran 20% slower with 6 x 64, and N = 10 (a classifier layer) would compute 54 padding columns.
struct KF32Narrow : Tile<VF32, 12, 2> {
  static constexpr int64_t KC = 256, MC = 420, NC = 1024;
};
struct KF64 : Tile<VF64, 12, 2> {
  static constexpr int64_t KC = 256, MC = 96, NC = 1024;
};

void sgemm(int64_t M, int64_t N, int64_t K, const float* A, int64_t rsa, int64_t csa,
           const float* B, int64_t rsb, int64_t csb, float* C, int64_t ldc, float* work) {
  gemm_entry<KF32, KF32Narrow>(M, N, K, A, rsa, csa, B, rsb, csb, C, ldc, work);
}

void dgemm(int64_t M, int64_t N, int64_t K, const double* A, int64_t rsa, int64_t csa,
           const double* B, int64_t rsb, int64_t csb, double* C, int64_t ldc, double* work) {
  gemm_entry<KF64>(M, N, K, A, rsa, csa, B, rsb, csb, C, ldc, work);
}

constexpr size_t cmax(size_t a, size_t b) { return a > b ? a : b; }
constexpr size_t kWork =
    cmax(cmax(driver_work_elems<KF32>(), driver_work_elems<KF32Narrow>()) * 4,
         driver_work_elems<KF64>() * 8);

const KernelSet kSet = {"avx512", sgemm, dgemm, kWork, KF32::MR, KF32::NR, KF64::MR, KF64::NR};

}  // namespace

const KernelSet* avx512_kernels() { return &kSet; }

}  // namespace gemm
}  // namespace tapegrad

#pragma GCC pop_options

#else
namespace tapegrad {
namespace gemm {
const KernelSet* avx512_kernels() { return nullptr; }
}  // namespace gemm
}  // namespace tapegrad
#endif
