// nan_to_num and masked_select: value replacement and selection composed from where / index,
// each recorded as torch's single node (NanToNumBackward0, MaskedSelectBackward0).
#include <limits>

#include <tapegrad/ops/compare_ops.h>

#include "common.h"

namespace tapegrad {

using namespace detail;

Tensor nan_to_num(const Tensor& a, std::optional<double> nan, std::optional<double> posinf,
                  std::optional<double> neginf) {
  if (!is_floating(a.dtype())) {
    NoGradGuard ng;
    return clone(a);
  }
  const double big = float_dtype_max(a.dtype());  // replaces +-inf unless posinf/neginf given
  Tensor out;
  {
    NoGradGuard ng;
    Tensor x = detach(a);
    const double inf = std::numeric_limits<double>::infinity();
    // the replacements round into a's dtype unchecked (1e300 into float32 is inf), as torch's
    // kernel casts them
    auto val = [&](double v) { return scalar_tensor(Scalar(v), a.dtype()); };
    out = where(isnan(x), val(nan.value_or(0.0)), x);
    out = where(compare(CmpId::Eq, x, wrapped_scalar(inf)), val(posinf.value_or(big)), out);
    out = where(compare(CmpId::Eq, x, wrapped_scalar(-inf)), val(neginf.value_or(-big)), out);
  }
  if (auto node = maybe_node(OpId::NanToNum, {a})) {
    node->saved.emplace_back(a, false);
    set_history(out, node);
  }
  return out;
}

Tensor masked_select(const Tensor& a, const Tensor& mask) {
  TG_CHECK(mask.dtype() == DType::Bool, "masked_select: expected BoolTensor for mask");
  check_same_device(a, mask, "masked_select");
  const Shape shape = broadcast_shapes(mask.sizes(), a.sizes());  // torch's order in its error
  Tensor out;
  {
    NoGradGuard ng;
    // 0-d: index a one-element view (a 0-d bool index would keep the 0-d shape)
    const Shape s1 = shape.empty() ? Shape{1} : shape;
    out = index(reshape(expand(detach(a), shape), s1), {reshape(expand(mask, shape), s1)});
  }
  if (auto node = maybe_node(OpId::MaskedSelect, {a})) {
    node->saved.emplace_back(mask, false);
    node->saved.emplace_back(a, false);  // torch keeps self too (_saved_self)
    node->shape = shape;
    set_history(out, node);
  }
  return out;
}

}  // namespace tapegrad
