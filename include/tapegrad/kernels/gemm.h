// The CPU GEMM's internal interface: one table of single-threaded kernels per instruction set
// (lib/cpu/gemm_avx512.cpp, gemm_avx2.cpp, gemm_generic.cpp), chosen at run time by
// lib/cpu/matmul.cpp, which also splits the work across OpenMP threads. Not part of the public
// API; the public entry points are kern::mm / kern::bmm.
#pragma once
#include <cstddef>
#include <cstdint>

namespace tapegrad {
namespace gemm {

// C[M,N] = A[M,K] @ B[K,N]. A and B have any element strides (a transposed view is packed, not
// copied); C has row stride ldc and unit column stride and is overwritten, its old contents
// never used (zero-filled when K == 0). `work` is a 64-byte-aligned scratch of work_bytes.
template <class T>
using GemmFn = void (*)(int64_t M, int64_t N, int64_t K, const T* A, int64_t rsa, int64_t csa,
                        const T* B, int64_t rsb, int64_t csb, T* C, int64_t ldc, T* work);

struct KernelSet {
  const char* name;
  GemmFn<float> sgemm;
  GemmFn<double> dgemm;
  size_t work_bytes;  // enough for either dtype
  int mr_f32, nr_f32, mr_f64, nr_f64;  // register tile, for splitting work across threads
};

// nullptr when the instruction set was not compiled in (non-x86 builds, or compilers without
// `#pragma GCC target`: those get the portable kernels).
const KernelSet* avx512_kernels();
const KernelSet* avx2_kernels();
const KernelSet* generic_kernels();

}  // namespace gemm
}  // namespace tapegrad
