// The float32 round trip of Note [Half via float] (via_float.h): widen, scratch, round back.
#include "via_float.h"

#include <tapegrad/core/half.h>
#include <tapegrad/kernels/kernels.h>

namespace tapegrad {
namespace kern {
namespace via_float {

Tensor up(const Tensor& t) {
  if (!reduced(t)) return t;
  Tensor f = empty(t.sizes(), DType::Float32, t.device());
  copy(f, t);
  return f;
}

Tensor scratch(const Tensor& out, bool keep) {
  if (!reduced(out)) return out;
  Tensor f = empty(out.sizes(), DType::Float32, out.device());
  if (keep) copy(f, out);
  return f;
}

void down(const Tensor& out, const Tensor& tmp) {
  if (out.defined() && out.impl() != tmp.impl()) copy(out, tmp);
}

double round_scalar(double v, DType dt) {
  if (dt == DType::Float16) return static_cast<float>(Half(static_cast<float>(v)));
  if (dt == DType::BFloat16) return static_cast<float>(BFloat16(static_cast<float>(v)));
  return v;
}

}  // namespace via_float
}  // namespace kern
}  // namespace tapegrad
