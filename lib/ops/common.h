// Helpers shared by the op implementations in lib/ops: type promotion over tensors, device
// checks, history recording, and the in-place protocol (Note [In-place ops]).
#pragma once
#include <cmath>
#include <initializer_list>

#include <tapegrad/autograd/grad_mode.h>
#include <tapegrad/core/dtype_range.h>
#include <tapegrad/autograd/node.h>
#include <tapegrad/autograd/views.h>
#include <tapegrad/kernels/kernels.h>
#include <tapegrad/ops/ops.h>

namespace tapegrad {

// torch's C++ type names in dtype messages ("float", "double", "long int", "c10::Half");
// defined in ternary.cpp.
const char* dtype_name_short(DType dt);

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

inline DType promoted_dtype(const Tensor& a, const Tensor& b) {
  ResultTypeState s;
  update_state(s, a);
  update_state(s, b);
  return tapegrad::result_type(s);
}

// The result dtype of all operands at once (undefined ones skipped): int64 x with float32 and
// float64 0-d operands is float64, where two pairwise steps would stop at float32.
inline DType promoted_dtype(std::initializer_list<const Tensor*> ts) {
  ResultTypeState s;
  for (const Tensor* t : ts) update_state(s, *t);
  return tapegrad::result_type(s);
}

// An integer or bool result (a reduction's or scan's dtype=) cannot carry a gradient: torch
// refuses it for an input that requires grad.
inline void check_grad_dtype(const Tensor& a, DType dt) {
  if (!is_floating(dt))
    TG_CHECK(!any_requires_grad({a}), "Autograd not support dtype: ", dtype_legacy_name(dt));
}

// Note [Device checks]: torch's wording; elementwise ops (what == nullptr or an op name) end at
// "!", ops checked by argument name add "(when checking argument for argument ...)". The
// kernel layer checks every operand again (cuda::on_cuda), so an op without a check here still
// raises this error rather than reading memory on the wrong device.
inline void check_same_device(const Tensor& a, const Tensor& b, const char* what) {
  if (!a.defined() || !b.defined() || a.device() == b.device()) return;
  if (b.impl()->wrapped_number || a.impl()->wrapped_number) return;
  if ((a.dim() == 0 && a.device().is_cpu()) || (b.dim() == 0 && b.device().is_cpu())) return;
  const bool by_argument = what && std::string(what).rfind("argument ", 0) == 0;
  TG_ERROR("Expected all tensors to be on the same device, but found at least two devices, ",
           a.device().str(), " and ", b.device().str(), "!",
           by_argument ? std::string(" (when checking argument for ") + what + ")" : "");
}

// torch's common device of an elementwise op: that of the first operand that is not a CPU 0-d
// tensor (a Python number or a CPU scalar tensor joins a CUDA op), else the CPU. Outputs are
// made there: `2 * x`, where(c, 0, x) and the derivatives' sc(0) operands stay on x's GPU.
// torch's refusal of bool operands to subtraction (sub, rsub, and what subtracts: dist, ...).
inline void check_sub_bool(DType a, DType b) {
  if (a == DType::Bool && b == DType::Bool)
    TG_ERROR("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` "
             "or `logical_xor()` operator instead.");
  if (a == DType::Bool || b == DType::Bool)
    TG_ERROR("Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
             "trying to invert a mask, use the `~` or `logical_not()` operator instead.");
}

// torch's checked conversion of a Python number into a tensor's dtype (fill_, full,
// masked_fill, index_fill, clamp bounds, scatter's value): a value outside the dtype's range is
// an error, not a wrapped, saturated or infinite element. As in c10's `overflows`, a negative
// integer may wrap into uint8 (-1 is 255), bool takes anything, and inf/NaN go into any floating
// dtype. Internal callers that mean "the largest finite value" must pass the dtype's own (half:
// 65504), not float32's. where() with a Python number checks integer dtypes only, as torch.
inline void check_scalar_fits(const Scalar& s, DType dt) {
  const bool from_float = s.kind == Scalar::Float;
  const bool bad = is_floating(dt) ? float_value_overflows(dt, s.to_double())
                                   : int_value_overflows(dt, from_float, from_float ? s.d : 0.0,
                                                         from_float ? 0 : s.i);
  TG_CHECK(!bad, "value cannot be converted to type ", dtype_cpp_name(dt), " without overflow");
}

// The type torch's kernels compute a reduced-precision type in (its opmath_t): float for half
// and bfloat16. Arguments converted into it are checked against float's range.
inline DType opmath(DType dt) {
  return dt == DType::Float16 || dt == DType::BFloat16 ? DType::Float32 : dt;
}

// beta and alpha of the matrix products convert into the result's type, checked: addmv and
// addr into it, addmm/baddbmm/addbmm into the computation type (float for half, bfloat16).
inline void check_scales(DType dt, const Scalar& beta, const Scalar& alpha, bool in_opmath) {
  if (!is_floating(dt)) return;
  const DType to = in_opmath ? opmath(dt) : dt;
  for (const Scalar* s : {&beta, &alpha})
    if (!(s->kind == Scalar::Int && s->i == 1)) check_scalar_fits(*s, to);
}

// torch's alpha_check for a scale argument (alpha of add/sub/rsub, beta/alpha of addr): a bool
// scale needs a bool result, a float scale a floating result (an integer result would silently
// truncate it).
// The scale then converts into the result's type, checked (alpha=1e300 with float32 operands
// is an error, not an infinite scale).
inline void check_scale_arg(DType result, const Scalar& s, const char* name = "alpha") {
  if (s.kind == Scalar::Int && s.i == 1) return;  // the default
  TG_CHECK(s.kind != Scalar::Bool || result == DType::Bool, "Boolean ", name,
           " only supported for Boolean results.");
  TG_CHECK(s.kind != Scalar::Float || is_floating(result), "For integral input tensors, argument ",
           name, " must not be a floating point number.");
  check_scalar_fits(s, result);
}

// torch's CPU norms take a half/bfloat16 input with float32 parameters ("mixed type"): the
// norm then runs in float32 and its result rounds to the input's dtype once. True for such a
// call (the caller reruns itself on the float32 input); false when every parameter has the
// input's dtype; torch's error for any other mix.
inline bool mixed_norm_params(const Tensor& input, std::initializer_list<const Tensor*> ps) {
  bool differs = false;
  for (const Tensor* p : ps) differs = differs || (p->defined() && p->dtype() != input.dtype());
  if (!differs) return false;
  const char* want_float = "mixed dtype (CPU): expect parameter to have scalar type of Float";
  if (input.dtype() == DType::Float16 || input.dtype() == DType::BFloat16) {
    for (const Tensor* p : ps) TG_CHECK(!p->defined() || p->dtype() == DType::Float32, want_float);
    return true;
  }
  TG_CHECK(input.dtype() != DType::Float32, want_float);
  TG_ERROR("mixed dtype (CPU): all inputs must share same datatype.");
}

inline Device common_device(std::initializer_list<const Tensor*> ts) {
  for (const Tensor* t : ts)
    if (t->defined() && !(t->dim() == 0 && t->device().is_cpu())) return t->device();
  return Device();
}

// The tensor's values in host memory (a synchronous copy for a device tensor): for the few ops
// whose plan is computed on the host from tensor values (index offsets, loss targets).
inline Tensor on_host(const Tensor& t) {
  return t.device().is_cpu() ? t : to(detach(t), Device(), t.dtype());
}

// A Python number (wrapped 0-d CPU tensor) in another dtype; empty when that needs the general
// conversion. Cheaper than to(detach(t), dt) for `x + 1`, where it runs once per op.
Tensor wrapped_in_dtype(const Tensor& t, DType dt);

// A same-valued tensor of dtype dt, with no history (kernels want a common dtype).
inline Tensor cast_for_kernel(const Tensor& t, DType dt) {
  if (t.dtype() == dt) return t;
  if (t.impl()->wrapped_number) {
    Tensor w = wrapped_in_dtype(t, dt);
    if (w.defined()) return w;
  }
  return to(detach(t), dt);
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

// Note [Saved attributes]: nodes keep scalar arguments as doubles in Node::f; a trailing
// entry of Node::i marks which of them were Python ints/bools (bit k for f[k]), so grad_fn's
// _saved_alpha / _saved_exponent print `2` or `2.0` as torch does.
inline int64_t int_mask(std::initializer_list<Scalar> vs) {
  int64_t m = 0, k = 0;
  for (const Scalar& v : vs) m |= static_cast<int64_t>(v.kind != Scalar::Float) << k++;
  return m;
}

inline bool wants_grad(const Tensor& a, const Tensor& b = Tensor()) {
  return any_requires_grad({a, b});
}

}  // namespace detail
}  // namespace tapegrad
