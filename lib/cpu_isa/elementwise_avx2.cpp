// lib/cpu/elementwise.cpp compiled for AVX2 into kern::avx2 (Note [ISA copies of the generic
// loops] in lib/cpu/isa_dispatch.cpp). CMake builds this file with -mavx2 -mfma
// -ffp-contract=off only on x86-64 with GCC or Clang, and links it last.
#if defined(TAPEGRAD_ISA_AVX2)
#define TG_ISA avx2
#include "../cpu/elementwise.cpp"
#endif
