// lib/cpu/copy.cpp (strided copies, dtype conversions, fill) compiled for AVX2 into kern::avx2
// (Note [ISA copies of the generic loops] in lib/cpu/isa_dispatch.cpp): x.double() of 1024 x 1024
// floats took 2.1x torch's time in the baseline's SSE2, fill 1.7x.
#if defined(TAPEGRAD_ISA_AVX2)
#define TG_ISA avx2
#include "../cpu/copy.cpp"
#endif
