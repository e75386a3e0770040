// kern's elementwise and copy entry points (kernels.h): the AVX2 copies of lib/cpu/elementwise.cpp
// and lib/cpu/copy.cpp where the CPU runs AVX2 and the vector table is on, their baseline copies
// otherwise.
//
// Note [ISA copies of the generic loops]
// The functor loops (cpu::map1/map2/map3 over a lambda) are compiled for the baseline x86-64,
// whose 16-byte SSE2 stores cost Zen 4 1.6x the time of 32-byte ones on data that streams from
// L3: abs of 1024 x 1024 floats took 143 us with SSE2 and 86 with AVX2 (the same loop in C),
// and clamp, x ** 3, where ran at 1.3-1.6x torch's time (torch builds its kernels once per
// instruction set). So elementwise.cpp is compiled twice, the second time with -mavx2 -mfma
// (-ffp-contract=off: no fused multiply-add that torch's separate roundings lack) into its own
// namespace, and this file picks a copy once; copy.cpp likewise (x.double() 2.1x, fill 1.7x). The loops' lambdas live in that namespace, so
// their instantiations are the copy's own; the inline functions both copies share (Tensor's
// accessors, std:: templates) are emitted by both, and the linker keeps the first it meets:
// CMake links the AVX2 object last, so the shared ones are the baseline's, safe on any CPU.
// tests/test_isa_isolation.py checks that no function outside an instruction-set namespace
// holds AVX instructions.
#include <tapegrad/kernels/kernels.h>
#include <tapegrad/kernels/vmath.h>

#include "isa_copies.h"

namespace tapegrad {
namespace kern {

namespace {
bool use_avx2() {
#if defined(TAPEGRAD_ISA_AVX2)
  // TAPEGRAD_VMATH=generic (no vector table) takes the baseline copy too, to test it
  static const bool yes = vmath::cpu_has_avx2() && vmath::active() != nullptr;
  return yes;
#else
  return false;
#endif
}
}  // namespace

#define TG_PICK(call) return use_avx2() ? avx2::call : base::call

void unary(OpId op, const Tensor& out, const Tensor& in) { TG_PICK(unary(op, out, in)); }
void binary(OpId op, const Tensor& out, const Tensor& a, const Tensor& b, double alpha) {
  TG_PICK(binary(op, out, a, b, alpha));
}
void compare(CmpId op, const Tensor& out, const Tensor& a, const Tensor& b) {
  TG_PICK(compare(op, out, a, b));
}
void pow_scalar(const Tensor& out, const Tensor& in, double e) { TG_PICK(pow_scalar(out, in, e)); }
void rpow(const Tensor& out, double b, const Tensor& e) { TG_PICK(rpow(out, b, e)); }
void clamp(const Tensor& out, const Tensor& in, std::optional<double> lo, std::optional<double> hi) {
  TG_PICK(clamp(out, in, lo, hi));
}
void where(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) {
  TG_PICK(where(out, cond, a, b));
}
void logical_not(const Tensor& out, const Tensor& in) { TG_PICK(logical_not(out, in)); }
void copy(const Tensor& dst, const Tensor& src) { TG_PICK(copy(dst, src)); }
void fill(const Tensor& dst, double value) { TG_PICK(fill(dst, value)); }
void cdist_fwd(const Tensor& out, const Tensor& x1, const Tensor& x2, double p) {
  TG_PICK(cdist_fwd(out, x1, x2, p));
}
void cdist_bwd(const Tensor& gx1, const Tensor& g, const Tensor& x1, const Tensor& x2, double p,
               const Tensor& dist) {
  TG_PICK(cdist_bwd(gx1, g, x1, x2, p, dist));
}

#undef TG_PICK

}  // namespace kern
}  // namespace tapegrad
