// Helpers shared by the op implementations in lib/ops: type promotion over tensors, device
// checks, history recording, and the in-place protocol (Note [In-place ops]).
#pragma once
#include <tapegrad/autograd/grad_mode.h>
#include <tapegrad/autograd/node.h>
#include <tapegrad/autograd/views.h>
#include <tapegrad/kernels/kernels.h>
#include <tapegrad/ops/ops.h>

namespace tapegrad {
namespace detail {

inline void update_state(ResultTypeState& s, const Tensor& t) {
  if (!t.defined()) return;
  DType d = t.dtype();
  if (t.impl()->wrapped_number) {
    if (is_floating(d)) d = default_dtype();
    s.wrapped = promote_types(s.wrapped, d);
  } else if (t.dim() == 0) {
    s.zero = promote_types(s.zero, d);
  } else {
    s.dim = promote_types(s.dim, d);
  }
}

inline DType result_type(const Tensor& a, const Tensor& b) {
  ResultTypeState s;
  update_state(s, a);
  update_state(s, b);
  return tapegrad::result_type(s);
}

inline void check_same_device(const Tensor& a, const Tensor& b, const char* what) {
  if (!a.defined() || !b.defined() || a.device() == b.device()) return;
  if (b.impl()->wrapped_number || a.impl()->wrapped_number) return;
  if ((a.dim() == 0 && a.device().is_cpu()) || (b.dim() == 0 && b.device().is_cpu())) return;
  TG_ERROR("Expected all tensors to be on the same device, but found at least two devices, ",
           a.device().str(), " and ", b.device().str(), "! (when checking argument for ", what, ")");
}

// A same-valued tensor of dtype dt, with no history (kernels want a common dtype).
inline Tensor cast_for_kernel(const Tensor& t, DType dt) {
  return t.dtype() == dt ? t : to(detach(t), dt);
}

// Note [In-place ops]: with grad off, or nothing requiring grad, the kernel writes in place.
// Otherwise the old value moves to a fresh tensor that takes over the old history, the
// out-of-place op runs on it (recording the usual node and saving what it needs, never the
// tensor about to change), and the result is written back into `a`, which takes the new node
// as its history. Same formulas, no second set of in-place derivatives.
// allow_overlap: fills may write a tensor whose elements share memory (an expanded view).
void check_inplace(const Tensor& a, bool allow_overlap = false);
Tensor steal_history(Tensor& a);  // the old value with a's history
void write_back(Tensor& a, const Tensor& result);  // copies the value and rebases the history

inline bool wants_grad(const Tensor& a, const Tensor& b = Tensor()) {
  return any_requires_grad({a, b});
}

}  // namespace detail
}  // namespace tapegrad
