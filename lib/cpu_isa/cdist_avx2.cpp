// lib/cpu/cdist.cpp compiled for AVX2 into kern::avx2 (Note [ISA copies of the generic loops] in
// lib/cpu/isa_dispatch.cpp), built and linked as elementwise_avx2.cpp.
#if defined(TAPEGRAD_ISA_AVX2)
#define TG_ISA avx2
#include "../cpu/cdist.cpp"
#endif
