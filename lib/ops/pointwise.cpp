// Elementwise ops: the unary/binary/compare rows of ops.def, pow/rsub/clamp/where with their
// scalar forms, and the in-place variants (Note [In-place ops]).
#include <cmath>
#include <limits>
#include <tapegrad/ops/math_extra.h>
#include <tapegrad/ops/memory_format.h>
#include <tapegrad/ops/output_layout.h>
#include <tapegrad/ops/save_spec.h>

#include "common.h"

namespace tapegrad {

using namespace detail;

namespace {

bool unary_to_float(OpId op) {
  switch (op) {
#define TG_UNARY(Id, name, GradFn, Functor, to_float, saves) \
  case OpId::Id:                                             \
    return to_float;
#define TG_OP(Id, name, GradFn)
#include <tapegrad/ops/ops.def>
    default: return false;
  }
}

save::Spec saves_of(OpId op) {
  using namespace save;
  switch (op) {
#define TG_UNARY(Id, name, GradFn, Functor, to_float, saves) \
  case OpId::Id:                                             \
    return saves;
#define TG_BINARY(Id, name, GradFn, Functor, saves) \
  case OpId::Id:                                    \
    return saves;
#define TG_OP(Id, name, GradFn)
#include <tapegrad/ops/ops.def>
    default: return kNone;
  }
}

// The computation dtype of a binary row: true division, atan2 and xlogy of integers compute in
// the default float dtype; hypot refuses integers (torch has no integer kernel for it).
// `dt`: the operands' promoted dtype (in-place ops have computed it already).
DType binary_dtype(OpId op, const Tensor& a, const Tensor& b, DType dt) {
  if ((op == OpId::Div || op == OpId::Atan2 || op == OpId::Xlogy) && !is_floating(dt))
    dt = default_dtype();
  if (op == OpId::Hypot && !is_floating(dt))
    TG_ERROR_KIND(NotImplemented, "\"hypot_cpu\" not implemented for '", dtype_legacy_name(dt), "'");
  if (dt == DType::Bool) {  // torch's kernels with no bool case
    const char* kernel = op == OpId::Remainder     ? "remainder_cpu"
                         : op == OpId::Fmod        ? "fmod_cpu"
                         : op == OpId::FloorDivide ? "div_floor_cpu"
                         : op == OpId::Pow         ? "pow"
                                                   : nullptr;
    if (kernel) TG_ERROR_KIND(NotImplemented, "\"", kernel, "\" not implemented for 'Bool'");
  }
  return extra_binary_dtype(op, a, b, dt);  // copysign ... lcm (math_special.cpp)
}

// Integer fmod / remainder / floor_divide by zero is an error in torch (floats give inf/NaN),
// raised by the kernel: an empty result divides nothing.
void check_integer_divisor(OpId op, DType dt, const Tensor& b, const Shape& shape) {
  if (is_floating(dt) || !(op == OpId::Fmod || op == OpId::Remainder || op == OpId::FloorDivide))
    return;
  if (numel_of(shape) == 0) return;
  NoGradGuard ng;
  TG_CHECK(!item(any(compare(CmpId::Eq, b, wrapped_scalar(int64_t{0})))).i,
           "ZeroDivisionError");
}

// torch's CPU mul, div and floor_divide of a half/bfloat16 tensor by a CPU scalar (a Python
// number or a 0-d tensor) read the scalar at float precision (its "original_scalar_value"),
// where every other binary kernel rounds it to the tensor's dtype first: hand the kernel a
// float32 scalar then (Note [Half via float] widens the rest).
DType opmath_scalar_dtype(OpId op, DType dt, const Tensor& b) {
  if ((op != OpId::Mul && op != OpId::Div && op != OpId::FloorDivide) ||
      (dt != DType::Float16 && dt != DType::BFloat16) || b.dim() != 0 || !b.device().is_cpu() ||
      b.dtype() == dt)
    return dt;
  return DType::Float32;
}


// The dtypes torch's kernel for `op` has no instance for, with its words; the in-place forms
// check the same (x.frac_() on an integer tensor must raise as x.frac() does).
void check_unary_dtype(OpId op, DType dt) {
  if (op == OpId::Silu && !is_floating(dt))
    TG_ERROR_KIND(NotImplemented, "\"silu_cpu\" not implemented for '", dtype_legacy_name(dt), "'");
  // torch's kernel names in its dtype errors (the vectorised rounding kernels take no bool)
  if (dt == DType::Bool && (op == OpId::Floor || op == OpId::Ceil || op == OpId::Round ||
                            op == OpId::Trunc))
    TG_ERROR_KIND(NotImplemented, "\"", op_name(op), "_vml_cpu\" not implemented for 'Bool'");
  if (op == OpId::Relu && dt == DType::Bool) TG_ERROR("Boolean inputs not supported for relu");
  if (op == OpId::Frac && !is_floating(dt))
    TG_ERROR_KIND(NotImplemented, "\"frac_cpu\" not implemented for '", dtype_legacy_name(dt), "'");
  if (dt == DType::Bool && (op == OpId::Neg))
    TG_ERROR("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
             "invert a mask, use the `~` or `logical_not()` operator instead.");
}
}  // namespace

Tensor unary(OpId op, const Tensor& a) {
  DType dt = a.dtype();
  check_unary_dtype(op, dt);
  if (unary_to_float(op) && !is_floating(dt)) dt = default_dtype();
  // sgn / sign of a bool is itself (torch returns a bool copy)
  if ((op == OpId::Sgn || op == OpId::Sign) && dt == DType::Bool) return clone(a);
  Tensor in = cast_for_kernel(a, dt);
  Tensor out = empty_like_operands(Shape(a.sizes()), dt, a.device(), {&a});
  kern::unary(op, out, in);
  if (auto node = maybe_node(op, {a})) {
    auto spec = saves_of(op);
    node->saved.reserve(2);
    node->saved.emplace_back(spec == save::kSelf ? a : Tensor(), false);
    set_history(out, node);
    node->saved.emplace_back(spec == save::kResult ? out : Tensor(), true);
  }
  return out;
}

Tensor binary(OpId op, const Tensor& a, const Tensor& b, Scalar alpha) {
  check_same_device(a, b, op_name(op));
  // torch's order: sub's bool check, then the shapes (TensorIterator), then the dtypes and the
  // kernel's (an unbroadcastable bitwise_or of floats is a shape error)
  if (op == OpId::Sub) check_sub_bool(a.dtype(), b.dtype());
  Shape shape = broadcast_shapes(a.sizes(), b.sizes());
  DType dt = binary_dtype(op, a, b, promoted_dtype(a, b));
  check_integer_divisor(op, dt, b, shape);
  if (op == OpId::Add || op == OpId::Sub) check_scale_arg(dt, alpha);
  Tensor out = empty_like_operands(std::move(shape), dt, common_device({&a, &b}), {&a, &b});
  kern::binary(op, out, cast_for_kernel(a, dt), cast_for_kernel(b, opmath_scalar_dtype(op, dt, b)),
               alpha.to_double());
  if (auto node = maybe_node(op, {a, b})) {
    auto spec = saves_of(op);
    // add/sub save nothing and their alpha is almost always the default int 1: leave saved,
    // f and i empty then (three allocations fewer per op; derivatives.cpp and _saved_attrs.py
    // read an empty f as alpha = 1).
    if (spec != save::kNone) {
      node->saved.reserve(3);
      // what the formulas read decides what is kept (torch's _saved_* are None otherwise)
      const bool need_a = node->needs_grad(0), need_b = node->needs_grad(1);
      bool keep_a = false, keep_b = false;
      switch (spec) {
        case save::kInputs: keep_a = need_b, keep_b = need_a; break;
        case save::kAll: case save::kBoth: keep_a = keep_b = true; break;
        case save::kOwnAll: keep_a = need_a, keep_b = need_b; break;
        case save::kBothForOther: keep_a = keep_b = need_b; break;
        case save::kOtherAlways: keep_a = need_b, keep_b = true; break;
        default: break;
      }
      node->saved.emplace_back(keep_a ? a : Tensor(), false);
      node->saved.emplace_back(keep_b ? b : Tensor(), false);
    }
    if (alpha.kind == Scalar::Float || alpha.to_double() != 1.0) {
      node->f = {alpha.to_double()};
      node->i = {int_mask({alpha})};
    }
    set_history(out, node);
    if (spec != save::kNone) {
      const bool keep_out = spec == save::kAll || spec == save::kOwnAll;
      node->saved.emplace_back(keep_out ? out : Tensor(), true);
    }
  }
  return out;
}

Tensor compare(CmpId op, const Tensor& a, const Tensor& b) {
  check_same_device(a, b, "compare");
  DType dt = promoted_dtype(a, b);
  Tensor out =
      empty_like_operands(broadcast_shapes(a.sizes(), b.sizes()), DType::Bool,
                          common_device({&a, &b}), {&a, &b});
  kern::compare(op, out, cast_for_kernel(a, dt), cast_for_kernel(b, dt));
  return out;
}

Tensor add(const Tensor& a, const Tensor& b, Scalar alpha) { return binary(OpId::Add, a, b, alpha); }
Tensor sub(const Tensor& a, const Tensor& b, Scalar alpha) { return binary(OpId::Sub, a, b, alpha); }
Tensor mul(const Tensor& a, const Tensor& b) { return binary(OpId::Mul, a, b); }
Tensor div(const Tensor& a, const Tensor& b) { return binary(OpId::Div, a, b); }
Tensor pow(const Tensor& a, const Tensor& b) { return binary(OpId::Pow, a, b); }
Tensor maximum(const Tensor& a, const Tensor& b) { return binary(OpId::Maximum, a, b); }
Tensor minimum(const Tensor& a, const Tensor& b) { return binary(OpId::Minimum, a, b); }

Tensor pow(const Tensor& a, Scalar e) {
  DType dt = a.dtype();
  if (e.kind == Scalar::Float && !is_floating(dt)) dt = default_dtype();
  // bool ** int: the wrapped int promotes a bool tensor to int64 (torch.square(bool) too)
  if (dt == DType::Bool && e.kind == Scalar::Int) dt = DType::Int64;
  if (!is_floating(dt) && e.kind != Scalar::Float && e.i < 0)
    TG_ERROR("Integers to negative integer powers are not allowed.");
  // a half/bfloat16 kernel converts the exponent into its own type, checked
  if (dt == a.dtype() && opmath(dt) != dt) check_scalar_fits(e, dt);
  Tensor out = empty_like_operands(Shape(a.sizes()), dt, a.device(), {&a});
  if (dt == DType::Bool) {  // bool ** bool: torch's shortcuts for exponents 0 and 1, no kernel
    if (e.i) kern::copy(out, a);
    else kern::fill(out, 1.0);
  } else {
    kern::pow_scalar(out, cast_for_kernel(a, dt), e.to_double());
  }
  if (auto node = maybe_node(OpId::PowScalar, {a})) {
    node->saved.emplace_back(a, false);
    node->f = {e.to_double()};
    node->i = {int_mask({e})};
    set_history(out, node);
  }
  return out;
}

Tensor pow(Scalar base, const Tensor& e) {
  DType dt = e.dtype();
  if (base.kind == Scalar::Float && !is_floating(dt)) dt = default_dtype();
  if (dt == DType::Bool && base.kind == Scalar::Int) dt = DType::Int64;  // 2 ** bool: int64
  Tensor out = empty(e.sizes(), dt, e.device());  // contiguous whatever e's layout, as torch's
  kern::rpow(out, base.to_double(), cast_for_kernel(e, dt));
  if (auto node = maybe_node(OpId::RPow, {e})) {
    node->f = {base.to_double()};
    node->i = {int_mask({base})};
    set_history(out, node);
    node->saved.emplace_back(out, true);
    node->saved.emplace_back(e, false);  // not needed by the formula; torch shows _saved_exponent
  }
  return out;
}

Tensor rsub(const Tensor& a, Scalar other, Scalar alpha) {
  Tensor o = wrapped_scalar(other);
  DType dt = promoted_dtype(a, o);
  check_sub_bool(a.dtype(), o.dtype());
  check_scale_arg(dt, alpha);
  Tensor out = empty_like_operands(Shape(a.sizes()), dt, a.device(), {&a});
  kern::binary(OpId::Sub, out, cast_for_kernel(o, dt), cast_for_kernel(a, dt), alpha.to_double());
  if (auto node = maybe_node(OpId::Rsub, {a})) {
    node->f = {alpha.to_double()};
    node->i = {int_mask({alpha})};
    set_history(out, node);
  }
  return out;
}

// torch.rsub(input, other: Tensor) computes sub(other, input) but records its own node,
// RsubBackward0 with input first (torch's grad_fn name and next_functions order).
Tensor rsub(const Tensor& a, const Tensor& other, Scalar alpha) {
  Tensor out;
  {
    AutoGradMode no_grad(false);
    out = sub(other, a, alpha);
  }
  if (auto node = maybe_node(OpId::RsubTensor, {a, other})) {
    if (alpha.kind == Scalar::Float || alpha.to_double() != 1.0) {
      node->f = {alpha.to_double()};
      node->i = {int_mask({alpha})};
    }
    set_history(out, node);
  }
  return out;
}

DType clamp_dtype(DType dt, std::optional<Scalar> lo, std::optional<Scalar> hi,
                  const char* kernel) {
  if (!lo || !hi)  // torch's clamp with one bound is clamp_min / clamp_max
    kernel = lo ? "clamp_min_scalar_cpu" : "clamp_max_scalar_cpu";
  if (((lo && lo->kind == Scalar::Float) || (hi && hi->kind == Scalar::Float)) && !is_floating(dt))
    dt = default_dtype();
  // a bool tensor clamped by integers is an int64 computation in torch; by bools, no kernel
  if (dt == DType::Bool && ((lo && lo->kind == Scalar::Int) || (hi && hi->kind == Scalar::Int)))
    dt = DType::Int64;
  if (dt == DType::Bool)
    TG_ERROR_KIND(NotImplemented, "\"", kernel, "\" not implemented for 'Bool'");
  return dt;
}

void check_clamp_inplace(const Tensor& a, std::optional<Scalar> lo, std::optional<Scalar> hi,
                         const char* kernel) {
  const DType dt = clamp_dtype(a.dtype(), lo, hi, kernel);
  // torch's clamp family names the output type by its C++ name here ("long int", "bool")
  TG_CHECK(can_cast(dt, a.dtype()), "result type ", dtype_legacy_name(dt),
           " can't be cast to the desired output type ", dtype_name_short(a.dtype()));
}

void clamp_into(const Tensor& out, const Tensor& in, std::optional<double> lo,
                std::optional<double> hi) {
  if ((lo && std::isnan(*lo)) || (hi && std::isnan(*hi))) {
    kern::fill(out, std::numeric_limits<double>::quiet_NaN());  // a floating dtype here
    return;
  }
  kern::clamp(out, in, lo, hi);
}

Tensor clamp(const Tensor& a, std::optional<Scalar> lo, std::optional<Scalar> hi) {
  TG_CHECK(lo || hi, "torch.clamp: At least one of 'min' or 'max' must not be None");
  const DType dt = clamp_dtype(a.dtype(), lo, hi, "clamp_scalar_cpu");
  if (lo) check_scalar_fits(*lo, dt);
  if (hi) check_scalar_fits(*hi, dt);
  Tensor out = empty_like_operands(Shape(a.sizes()), dt, a.device(), {&a});
  std::optional<double> l, h;
  if (lo) l = lo->to_double();
  if (hi) h = hi->to_double();
  clamp_into(out, cast_for_kernel(a, dt), l, h);
  if (auto node = maybe_node(OpId::Clamp, {a})) {
    node->saved.emplace_back(a, false);
    node->f = {l.value_or(0), h.value_or(0)};
    node->i = {l.has_value(), h.has_value(), int_mask({lo.value_or(0.0), hi.value_or(0.0)})};
    set_history(out, node);
  }
  return out;
}

Tensor clamp(const Tensor& a, const Tensor& lo, const Tensor& hi) {
  TG_CHECK(lo.defined() || hi.defined(),
           "torch.clamp: At least one of 'min' or 'max' must not be None");
  // both bounds: torch's clamp kernel, which has no bool instance (one bound: maximum/minimum)
  TG_CHECK_KIND(NotImplemented,
                !(lo.defined() && hi.defined() && a.dtype() == DType::Bool &&
                  lo.dtype() == DType::Bool && hi.dtype() == DType::Bool),
                "\"clamp_cpu\" not implemented for 'Bool'");
  Tensor r;
  {
    NoGradGuard g;
    const DType dt = promoted_dtype({&a, &lo, &hi});  // all three at once, as torch
    r = a.dtype() == dt ? a : to(a, dt);
    if (lo.defined()) r = maximum(r, lo);
    if (hi.defined()) r = minimum(r, hi);
    if (r.same(a)) r = clone(a);
  }
  if (auto node = maybe_node(OpId::ClampTensor, {a, lo, hi})) {
    node->saved.emplace_back(a, false);
    node->saved.emplace_back(lo, false);
    node->saved.emplace_back(hi, false);
    set_history(r, node);
  }
  return r;
}

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  TG_CHECK(cond.dtype() == DType::Bool,
           "where expected condition to be a boolean tensor, but got a tensor with dtype ",
           dtype_legacy_name(cond.dtype()));
  DType dt = promoted_dtype(a, b);
  // a Python number joins an integer or float32 operand's dtype only if it fits (torch's
  // checked convert; into half or bfloat16 it rounds, 1e10 to half's inf)
  for (const Tensor* t : {&a, &b})
    if (t->impl()->wrapped_number && t->dtype() != dt && (!is_floating(dt) || dt == DType::Float32))
      check_scalar_fits(item(*t), dt);
  Shape shape = broadcast_shapes(cond.sizes(), broadcast_shapes(a.sizes(), b.sizes()));
  Tensor out = empty_like_operands(std::move(shape), dt, common_device({&a, &b, &cond}),
                                   {&cond, &a, &b});
  kern::where(out, cond, cast_for_kernel(a, dt), cast_for_kernel(b, dt));
  if (auto node = maybe_node(OpId::Where, {a, b})) {
    node->saved.emplace_back(cond, false);
    set_history(out, node);
  }
  return out;
}

Tensor logical_not(const Tensor& a) {
  Tensor out = empty_like_operands(Shape(a.sizes()), DType::Bool, a.device(), {&a});
  kern::logical_not(out, a);
  return out;
}

// ---- in-place ----

namespace detail {

void check_inplace(const Tensor& a, bool allow_overlap) {
  TG_CHECK(!a.impl()->storage->read_only,
           "cannot write into a read-only tensor (its memory came from a read-only producer)");
  // An empty tensor has no elements to overlap (numpy's (0, 3) arrays come with strides (0, 0)).
  for (int64_t d = 0; d < a.dim() && !allow_overlap && a.numel() > 0; ++d)
    TG_CHECK(a.strides()[d] != 0 || a.sizes()[d] <= 1,
             "unsupported operation: more than one element of the written-to tensor refers to a "
             "single memory location. Please clone() the tensor before performing the operation.");
  check_inplace_autograd(a);
}

}  // namespace detail

void check_no_overlap(const Tensor& out, const Tensor& in, bool full) {
  if (!out.defined() || !in.defined() || out.numel() == 0 || in.numel() == 0) return;
  bool refused = full;  // the same tensor: a full overlap
  if (out.impl() != in.impl()) {
    if (out.impl()->storage != in.impl()->storage || !is_non_overlapping_and_dense(out) ||
        !is_non_overlapping_and_dense(in))
      return;  // separate memory, or layouts torch calls too hard to tell
    const char* a0 = static_cast<const char*>(out.raw_data());
    const char* b0 = static_cast<const char*>(in.raw_data());
    const char* a1 = a0 + out.numel() * itemsize(out.dtype());
    const char* b1 = b0 + in.numel() * itemsize(in.dtype());
    const bool same = a0 == b0 && a1 == b1 && out.strides() == in.strides();
    refused = a0 < b1 && b0 < a1 && (full || !same);
  }
  TG_CHECK(!refused, "unsupported operation: some elements of the input tensor and the "
           "written-to tensor refer to a single memory location. Please clone() the tensor "
           "before performing the operation.");
}

namespace detail {

Tensor steal_history(Tensor& a) {
  Tensor old = empty(a.sizes(), a.dtype(), a.device());
  kern::copy(old, a);
  // grad_fn() first: a view's history may be regenerated (and its record made) by the call.
  if (const auto& fn = a.grad_fn()) {
    auto& m = old.impl()->meta();
    m.grad_fn = fn;
    m.output_nr = a.output_nr();
  }
  return old;
}

void write_back(Tensor& a, const Tensor& result) {
  if (result.grad_fn()) check_multi_output_view(a);  // before the write, as torch
  kern::copy(a, result);
  a.bump_version();
  rebase_history(a, result.grad_fn(), result.output_nr());
}

}  // namespace detail

namespace {

// Shared body of add_/sub_/mul_/div_: check the result fits `a`, then write.
Tensor& binary_(OpId op, Tensor& a, const Tensor& b, Scalar alpha) {
  check_inplace(a);
  check_no_overlap(a, b);
  if (op == OpId::Sub) check_sub_bool(a.dtype(), b.dtype());  // before the cast check, as torch
  // the shapes before the dtypes, as torch's TensorIterator
  Shape shape = broadcast_shapes(a.sizes(), b.sizes());
  TG_CHECK(shape == a.sizes(), "output with shape ", shape_str(a.sizes()),
           " doesn't match the broadcast shape ", shape_str(shape));
  // the promoted dtype must cast into a before any kernel looks at it (int.bitwise_xor_(0.5):
  // the cast error, not the float kernel's "not implemented")
  const DType common = promoted_dtype(a, b);
  if (!can_cast(common, a.dtype()))
    TG_ERROR("result type ", dtype_legacy_name(common), " can't be cast to the desired output type ",
             dtype_legacy_name(a.dtype()));
  DType dt = binary_dtype(op, a, b, common);
  check_integer_divisor(op, dt, b, shape);
  if (op == OpId::Add || op == OpId::Sub) check_scale_arg(dt, alpha);
  if (!can_cast(dt, a.dtype()))
    TG_ERROR("result type ", dtype_legacy_name(dt), " can't be cast to the desired output type ",
             dtype_legacy_name(a.dtype()));
  if (wants_grad(a, b)) {
    Tensor old = steal_history(a);
    write_back(a, binary(op, old, b, alpha));
    return a;
  }
  if (dt == a.dtype()) {
    kern::binary(op, a, a, cast_for_kernel(b, opmath_scalar_dtype(op, dt, b)), alpha.to_double());
  } else {
    Tensor r = empty(a.sizes(), dt, a.device());
    kern::binary(op, r, cast_for_kernel(a, dt), cast_for_kernel(b, opmath_scalar_dtype(op, dt, b)),
                 alpha.to_double());
    kern::copy(a, r);
  }
  a.bump_version();
  return a;
}

}  // namespace

Tensor& add_(Tensor& a, const Tensor& b, Scalar alpha) { return binary_(OpId::Add, a, b, alpha); }
Tensor& sub_(Tensor& a, const Tensor& b, Scalar alpha) { return binary_(OpId::Sub, a, b, alpha); }
Tensor& mul_(Tensor& a, const Tensor& b) { return binary_(OpId::Mul, a, b, 1); }
Tensor& div_(Tensor& a, const Tensor& b) { return binary_(OpId::Div, a, b, 1); }
Tensor& binary_inplace(OpId op, Tensor& a, const Tensor& b) { return binary_(op, a, b, 1); }

Tensor& unary_(OpId op, Tensor& a) {
  check_inplace(a);
  check_unary_dtype(op, a.dtype());
  if (unary_to_float(op) && !is_floating(a.dtype()))
    TG_ERROR("result type ", dtype_legacy_name(default_dtype()),
             " can't be cast to the desired output type ", dtype_legacy_name(a.dtype()));
  // sgn_ / sign_ of a bool leaves it as it is (unary's clone; the kernels take no bool)
  if ((op == OpId::Sgn || op == OpId::Sign) && a.dtype() == DType::Bool) {
    a.bump_version();
    return a;
  }
  if (wants_grad(a)) {
    Tensor old = steal_history(a);
    write_back(a, unary(op, old));
    return a;
  }
  if (a.is_contiguous()) {
    kern::unary(op, a, a);
  } else {
    kern::copy(a, unary(op, detach(a)));
  }
  a.bump_version();
  return a;
}

Tensor& clamp_(Tensor& a, std::optional<Scalar> lo, std::optional<Scalar> hi) {
  check_inplace(a);
  TG_CHECK(lo || hi, "torch.clamp: At least one of 'min' or 'max' must not be None");
  check_clamp_inplace(a, lo, hi, "clamp_scalar_cpu");
  if (wants_grad(a)) {
    Tensor old = steal_history(a);
    write_back(a, clamp(old, lo, hi));
    return a;
  }
  std::optional<double> l, h;
  if (lo) l = lo->to_double();
  if (hi) h = hi->to_double();
  clamp_into(a, a, l, h);
  a.bump_version();
  return a;
}

namespace {
// zero_/fill_/copy_: the new value does not depend on the old one.
Tensor& overwrite_(OpId op, Tensor& a, const Tensor& src, double value) {
  check_inplace(a, op != OpId::Copy);
  TG_CHECK(op != OpId::FillTensor || src.dim() == 0,
           "fill_ only supports 0-dimension value tensor but got tensor with ", src.dim(),
           " dimensions.");
  std::shared_ptr<Node> node;
  // copy_ into an integer or bool tensor leaves no history (torch: int_tensor.copy_(x) does
  // not require grad); fill_ with a tensor does (FillBackward3, torch's quirk)
  if ((op != OpId::Copy || is_floating(a.dtype())) && any_requires_grad({a, src}))
    node = make_node(op, src.defined() ? TensorList{a, src} : TensorList{a});
  if (op == OpId::Copy) {
    // copy_ may cross devices (kern::copy moves the bytes); its gradient goes back to src's
    // device through the engine (Note [Broadcast gradients]).
    Shape shape = broadcast_shapes(a.sizes(), src.sizes());
    TG_CHECK(shape == a.sizes(), "output with shape ", shape_str(a.sizes()),
             " doesn't match the broadcast shape ", shape_str(shape));
    check_no_overlap(a, src);  // torch's error where it can tell the layouts overlap
    if (src.impl()->storage == a.impl()->storage && !src.same(a)) {
      // memory torch cannot tell apart (strided views): copied through a temporary
      kern::copy(a, clone(detach(src)));
    } else {
      kern::copy(a, src);
    }
  } else if (op == OpId::FillTensor) {
    kern::fill(a, item(src).to_double());
  } else {
    kern::fill(a, value);
  }
  a.bump_version();
  rebase_history(a, node);
  return a;
}
}  // namespace

Tensor& zero_(Tensor& a) { return overwrite_(OpId::Zero, a, Tensor(), 0); }
Tensor& fill_(Tensor& a, Scalar v) {
  check_scalar_fits(v, a.dtype());
  return overwrite_(OpId::Fill, a, Tensor(), v.to_double());
}
Tensor& copy_(Tensor& a, const Tensor& src) { return overwrite_(OpId::Copy, a, src, 0); }
Tensor& fill_(Tensor& a, const Tensor& value) {
  return overwrite_(OpId::FillTensor, a, value, 0);
}

}  // namespace tapegrad

namespace tapegrad {

Tensor div(const Tensor& a, Scalar other) {
  Tensor out;
  {
    NoGradGuard g;
    out = div(a, wrapped_scalar(other));
  }
  if (auto node = maybe_node(OpId::DivScalar, {a})) {
    node->f = {other.to_double()};
    node->i = {int_mask({other})};
    set_history(out, node);
  }
  return out;
}

DType result_type(const Tensor& a, const Tensor& b) { return detail::promoted_dtype(a, b); }

}  // namespace tapegrad
