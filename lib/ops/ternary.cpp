// Pointwise ops with three operands or a fill value: addcmul, addcdiv, lerp (scalar and tensor
// weight), masked_fill (scalar and 0-d tensor value), and their in-place forms
// (Note [In-place ops]). Forwards run untracked primitives; each records torch's node.
#include <cmath>

#include <tapegrad/kernels/dispatch.h>
#include <tapegrad/kernels/fused.h>

#include <tapegrad/ops/output_layout.h>

#include "common.h"

namespace tapegrad {

using namespace detail;

namespace {

Tensor sc(Scalar v) { return wrapped_scalar(v); }

// Checks that an in-place result of `shape` fits `a`.
void check_fits(const Tensor& a, const Shape& shape) {
  TG_CHECK(shape == a.sizes(), "output with shape ", shape_str(a.sizes()),
           " doesn't match the broadcast shape ", shape_str(shape));
}

Tensor addc(OpId op, const Tensor& self, const Tensor& t1, const Tensor& t2, Scalar value) {
  DType dt = promoted_dtype({&self, &t1, &t2});
  if (is_floating(dt)) check_scalar_fits(value, opmath(dt));  // torch's checked value
  if (op == OpId::Addcmul && dt == DType::Bool)
    TG_ERROR_KIND(NotImplemented, "\"addcmul_cpu_out\" not implemented for 'Bool'");
  if (op == OpId::Addcdiv)  // torch looks at the two divided tensors, whatever self is
    TG_CHECK(!(is_integral(t1.dtype(), true) && is_integral(t2.dtype(), true)), "Integer division with addcdiv is no longer supported, and in a "
             "future  release addcdiv will perform a true division of tensor1 and tensor2. The "
             "historic addcdiv behavior can be implemented as (input + value * "
             "torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as (input + "
             "value * tensor1 / tensor2) for float inputs. The future addcdiv behavior is just "
             "the latter implementation: (input + value * tensor1 / tensor2), for all dtypes.");
  Tensor out;
  {
    NoGradGuard g;
    Tensor a = cast_for_kernel(self, dt), b = cast_for_kernel(t1, dt), c = cast_for_kernel(t2, dt);
    if (op == OpId::Addcmul && is_floating(dt)) {
      out = empty_like_operands(broadcast_shapes(a.sizes(), broadcast_shapes(b.sizes(), c.sizes())),
                                dt, self.device(), {&a, &b, &c});
      kern::addcmul(out, a, b, c, value.to_double());
    } else if (dt == DType::Float16 || dt == DType::BFloat16) {
      // torch's kernel: self + value * (t1 / t2) in float, rounded once
      Tensor vb = mul(to(b, DType::Float32), sc(value));
      out = to(add(to(a, DType::Float32), div(vb, to(c, DType::Float32))), dt);
    } else {
      // torch's evaluation order, (value * t1) op t2, so float32 results round the same; an
      // integer computation takes value converted to the integer type (2.7 -> 2), as torch's
      // kernel does
      const Scalar v = !is_floating(dt) && value.kind == Scalar::Float
                           ? Scalar(static_cast<int64_t>(value.d)) : value;
      Tensor vb = mul(b, sc(v));
      out = add(a, op == OpId::Addcmul ? mul(vb, c) : div(vb, c));
      if (out.dtype() != dt) out = to(out, dt);
    }
  }
  if (auto node = maybe_node(op, {self, t1, t2})) {
    node->saved.emplace_back(node->needs_grad(1) || node->needs_grad(2) ? t1 : Tensor(), false);
    node->saved.emplace_back(node->needs_grad(1) || node->needs_grad(2) ? t2 : Tensor(), false);
    node->f = {value.to_double()};
    node->i = {int_mask({value})};
    set_history(out, node);
  }
  return out;
}

void check_lerp_types(const Tensor& self, const Tensor& end, const Tensor& weight) {
  TG_CHECK(self.dtype() == end.dtype(), "expected dtype ", dtype_name_short(self.dtype()),
           " for `end` but got dtype ", dtype_name_short(end.dtype()));
  if (weight.defined())
    TG_CHECK(self.dtype() == weight.dtype(), "expected dtype ", dtype_name_short(self.dtype()),
             " for `weight` but got dtype ", dtype_name_short(weight.dtype()));
}

}  // namespace

Tensor addcmul(const Tensor& self, const Tensor& t1, const Tensor& t2, Scalar value) {
  return addc(OpId::Addcmul, self, t1, t2, value);
}
Tensor addcdiv(const Tensor& self, const Tensor& t1, const Tensor& t2, Scalar value) {
  return addc(OpId::Addcdiv, self, t1, t2, value);
}

Tensor lerp(const Tensor& self, const Tensor& end, Scalar weight) {
  check_lerp_types(self, end, Tensor());
  if (!is_floating(self.dtype())) TG_DTYPE_UNSUPPORTED("lerp_kernel_scalar", self.dtype());
  check_scalar_fits(weight, opmath(self.dtype()));  // torch's checked weight
  Tensor out;
  {
    // torch's two-sided fused form (exact at weight 0 and 1), so results round the same
    out = empty_like_operands(broadcast_shapes(self.sizes(), end.sizes()), self.dtype(),
                              self.device(), {&self, &end});
    // a half/bfloat16 lerp reads its scalar weight at float precision (torch's opmath)
    const DType wt = itemsize(self.dtype()) == 2 ? DType::Float32 : self.dtype();
    kern::lerp(out, detach(self), detach(end), scalar_tensor(weight, wt));
  }
  if (auto node = maybe_node(OpId::Lerp, {self, end})) {
    node->f = {weight.to_double()};
    node->i = {int_mask({weight})};
    set_history(out, node);
  }
  return out;
}

Tensor lerp(const Tensor& self, const Tensor& end, const Tensor& weight) {
  check_lerp_types(self, end, weight);
  if (!is_floating(self.dtype())) TG_DTYPE_UNSUPPORTED("lerp_kernel_tensor", self.dtype());
  Tensor out;
  {
    Shape shape = broadcast_shapes(self.sizes(), broadcast_shapes(end.sizes(), weight.sizes()));
    out = empty_like_operands(std::move(shape), self.dtype(), self.device(),
                              {&self, &end, &weight});
    kern::lerp(out, detach(self), detach(end), detach(weight));
  }
  if (auto node = maybe_node(OpId::LerpTensor, {self, end, weight})) {
    node->saved.emplace_back(self, false);
    node->saved.emplace_back(end, false);
    node->saved.emplace_back(weight, false);
    set_history(out, node);
  }
  return out;
}

namespace {

void check_mask(const Tensor& mask) {
  TG_CHECK(mask.dtype() == DType::Bool,
           "masked_fill_ only supports boolean masks, but got mask with dtype ",
           dtype_name_short(mask.dtype()));
}

// where(mask, value, self) in self's dtype over the broadcast shape.
Tensor fill_where(const Tensor& self, const Tensor& mask, const Tensor& value) {
  Shape shape = broadcast_shapes(self.sizes(), mask.sizes());
  Tensor out = empty(shape, self.dtype(), self.device());
  kern::where(out, mask, to(detach(value), self.dtype()), detach(self));
  return out;
}

}  // namespace

Tensor masked_fill(const Tensor& self, const Tensor& mask, Scalar value) {
  check_mask(mask);
  check_scalar_fits(value, self.dtype());
  Tensor out = fill_where(self, mask, scalar_tensor(value, value.dtype()));
  if (auto node = maybe_node(OpId::MaskedFill, {self})) {
    node->saved.emplace_back(mask, false);
    set_history(out, node);
  }
  return out;
}

Tensor masked_fill(const Tensor& self, const Tensor& mask, const Tensor& value) {
  check_mask(mask);
  TG_CHECK(value.dim() == 0, "masked_fill_ only supports a 0-dimensional value tensor, but got "
           "tensor with ", value.dim(), " dimension(s).");
  // torch reads a CPU value with item() and converts it checked, as a Python number
  if (value.device().is_cpu() && value.numel() == 1) check_scalar_fits(item(value), self.dtype());
  Tensor out = fill_where(self, mask, value);
  if (auto node = maybe_node(OpId::MaskedFillTensor, {self, value})) {
    node->saved.emplace_back(mask, false);
    set_history(out, node);
  }
  return out;
}

// ---- in-place ----

namespace {
template <class F>
Tensor& inplace(Tensor& a, const Shape& result_shape, const TensorList& others, F&& op) {
  check_inplace(a);
  check_fits(a, result_shape);
  TensorList all = others;
  all.push_back(a);
  if (any_requires_grad(all)) {
    Tensor old = steal_history(a);
    write_back(a, op(old));
    return a;
  }
  Tensor r;
  {
    NoGradGuard g;
    r = op(detach(a));
  }
  TG_CHECK(can_cast(r.dtype(), a.dtype()), "result type ",
           dtype_legacy_name(r.dtype()), " can't be cast to the desired output type ",
           dtype_legacy_name(a.dtype()));
  kern::copy(a, r);
  a.bump_version();
  return a;
}
}  // namespace

Tensor& masked_fill_(Tensor& a, const Tensor& mask, Scalar value) {
  return inplace(a, broadcast_shapes(a.sizes(), mask.sizes()), {},
                 [&](const Tensor& x) { return masked_fill(x, mask, value); });
}
Tensor& masked_fill_(Tensor& a, const Tensor& mask, const Tensor& value) {
  return inplace(a, broadcast_shapes(a.sizes(), mask.sizes()), {value},
                 [&](const Tensor& x) { return masked_fill(x, mask, value); });
}
Tensor& addcmul_(Tensor& a, const Tensor& t1, const Tensor& t2, Scalar value) {
  check_no_overlap(a, t1);  // before the shapes, as torch's TensorIterator
  check_no_overlap(a, t2);
  Shape s = broadcast_shapes(a.sizes(), broadcast_shapes(t1.sizes(), t2.sizes()));
  return inplace(a, s, {t1, t2}, [&](const Tensor& x) { return addcmul(x, t1, t2, value); });
}
Tensor& addcdiv_(Tensor& a, const Tensor& t1, const Tensor& t2, Scalar value) {
  check_no_overlap(a, t1);  // before the shapes, as torch's TensorIterator
  check_no_overlap(a, t2);
  Shape s = broadcast_shapes(a.sizes(), broadcast_shapes(t1.sizes(), t2.sizes()));
  return inplace(a, s, {t1, t2}, [&](const Tensor& x) { return addcdiv(x, t1, t2, value); });
}
Tensor& lerp_(Tensor& a, const Tensor& end, Scalar weight) {
  check_no_overlap(a, end);  // before the shapes, as torch's TensorIterator
  return inplace(a, broadcast_shapes(a.sizes(), end.sizes()), {end},
                 [&](const Tensor& x) { return lerp(x, end, weight); });
}
Tensor& lerp_(Tensor& a, const Tensor& end, const Tensor& weight) {
  check_no_overlap(a, end);  // before the shapes, as torch's TensorIterator
  check_no_overlap(a, weight);
  Shape s = broadcast_shapes(a.sizes(), broadcast_shapes(end.sizes(), weight.sizes()));
  return inplace(a, s, {end, weight}, [&](const Tensor& x) { return lerp(x, end, weight); });
}

const char* dtype_name_short(DType dt) {
  switch (dt) {
    case DType::Bool: return "bool";
    case DType::UInt8: return "unsigned char";
    case DType::Int8: return "signed char";
    case DType::Int16: return "short int";
    case DType::Int32: return "int";
    case DType::Int64: return "long int";
    case DType::Float16: return "c10::Half";
    case DType::BFloat16: return "c10::BFloat16";
    case DType::Float32: return "float";
    case DType::Float64: return "double";
    case DType::Undefined: break;
  }
  return "undefined";
}

}  // namespace tapegrad
