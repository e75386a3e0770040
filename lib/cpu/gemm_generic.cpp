// Portable GEMM kernels (float32 and float64) in plain C++ for CPUs the SIMD files do not cover:
// the same blocked, packed loop nest with a scalar register tile the compiler may vectorise for
// the baseline instruction set.
#include <tapegrad/kernels/gemm.h>

namespace tapegrad {
namespace gemm {
namespace {

#include <tapegrad/kernels/gemm_driver.h>

template <class T_>
struct VScalar {
  using T = T_;
  using V = T_;
  static constexpr int W = 1;
  static V zero() { return V(0); }
  static V load(const T* p) { return *p; }
  static V bcast(const T* p) { return *p; }
  static V fma(V a, V b, V c) { return a * b + c; }
  static V add(V a, V b) { return a + b; }
  static void store(T* p, V v) { *p = v; }
};

#include <tapegrad/kernels/gemm_tile.h>

struct KF32 : Tile<VScalar<float>, 4, 4> {
  static constexpr int64_t KC = 256, MC = 128, NC = 1024;
};
struct KF64 : Tile<VScalar<double>, 4, 4> {
  static constexpr int64_t KC = 256, MC = 64, NC = 1024;
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

const KernelSet kSet = {"generic", sgemm, dgemm, kWork, KF32::MR, KF32::NR, KF64::MR, KF64::NR};

}  // namespace

const KernelSet* generic_kernels() { return &kSet; }

}  // namespace gemm
}  // namespace tapegrad
