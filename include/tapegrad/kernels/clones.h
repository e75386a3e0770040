// TG_TARGET_CLONES: compile a function for AVX-512, AVX2 (+FMA) and the baseline and pick one at
// load time (GCC's target_clones, an ifunc). For loops the compiler vectorises but that the
// baseline (SSE2) runs at a quarter of the CPU's width; the hand-written SIMD kernels
// (vmath_*.cpp, gemm_*.cpp) are separate files compiled per instruction set instead.
// Empty elsewhere (other compilers or CPUs): the baseline only.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__CUDACC__)
#define TG_TARGET_CLONES __attribute__((target_clones("avx512f", "arch=haswell", "default")))
#define TG_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define TG_TARGET_CLONES
#define TG_ALWAYS_INLINE inline
#endif
