// The two compiled copies of lib/cpu/elementwise.cpp, copy.cpp and cdist.cpp (kern::base,
// kern::avx2) and what the dispatcher (isa_dispatch.cpp) calls: their entry points of
// kernels.h, once per copy.
#pragma once
#include <optional>

#include <tapegrad/core/tensor.h>
#include <tapegrad/ops/op_id.h>

#define TG_ISA_ENTRIES                                                                    \
  void unary(OpId op, const Tensor& out, const Tensor& in);                                       \
  void binary(OpId op, const Tensor& out, const Tensor& a, const Tensor& b, double alpha);        \
  void compare(CmpId op, const Tensor& out, const Tensor& a, const Tensor& b);                    \
  void pow_scalar(const Tensor& out, const Tensor& in, double exponent);                          \
  void rpow(const Tensor& out, double base, const Tensor& exponent);                              \
  void clamp(const Tensor& out, const Tensor& in, std::optional<double> lo,                       \
             std::optional<double> hi);                                                           \
  void where(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b);            \
  void logical_not(const Tensor& out, const Tensor& in);                                         \
  void copy(const Tensor& dst, const Tensor& src);                                                \
  void fill(const Tensor& dst, double value);                                                     \
  void cdist_fwd(const Tensor& out, const Tensor& x1, const Tensor& x2, double p);                \
  void cdist_bwd(const Tensor& gx1, const Tensor& g, const Tensor& x1, const Tensor& x2,          \
                 double p, const Tensor& dist);

namespace tapegrad {
namespace kern {
namespace base {
TG_ISA_ENTRIES
}  // namespace base
namespace avx2 {
TG_ISA_ENTRIES
}  // namespace avx2
}  // namespace kern
}  // namespace tapegrad
