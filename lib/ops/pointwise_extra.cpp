// Elementwise ops beyond the core arithmetic: the named entry points of the atan2 / hypot /
// xlogy / fmod / remainder / floor_divide rows of ops.def, their Python-number forms (which
// torch records under their own grad_fn names), clamp_min / clamp_max and logit.
#include <tapegrad/ops/div_mode.h>

#include <tapegrad/ops/output_layout.h>

#include "common.h"

namespace tapegrad {

using namespace detail;

Tensor atan2(const Tensor& a, const Tensor& b) { return binary(OpId::Atan2, a, b); }
Tensor hypot(const Tensor& a, const Tensor& b) { return binary(OpId::Hypot, a, b); }
Tensor xlogy(const Tensor& a, const Tensor& b) { return binary(OpId::Xlogy, a, b); }
Tensor fmod(const Tensor& a, const Tensor& b) { return binary(OpId::Fmod, a, b); }
Tensor remainder(const Tensor& a, const Tensor& b) { return binary(OpId::Remainder, a, b); }
Tensor floor_divide(const Tensor& a, const Tensor& b) { return binary(OpId::FloorDivide, a, b); }

Tensor div_rounded(const Tensor& a, const Tensor& b, DivMode mode) {
  if (mode == DivMode::True) return div(a, b);
  const DType dt = result_type(a, b);
  if (dt == DType::Bool)
    TG_ERROR_KIND(NotImplemented, mode == DivMode::Floor ? "\"div_floor_cpu\"" : "\"div_trunc_cpu\"",
                  " not implemented for 'Bool'");
  NoGradGuard no_grad;
  if (mode == DivMode::Floor) return floor_divide(a, b);  // torch's floor division
  // floats: the quotient in the result dtype, truncated (half dtypes round the quotient before
  // truncating, as torch's do: bfloat16 7 / 0.1 is 70)
  if (is_floating(dt)) return trunc(div(a, b));
  // integers, exactly: the floor quotient is one too small where the division is inexact and
  // the operands' signs differ
  Tensor q = floor_divide(a, b);
  Tensor zero = wrapped_scalar(Scalar(int64_t{0}));
  Tensor inexact = compare(CmpId::Ne, remainder(a, b), zero);
  Tensor signs = compare(CmpId::Ne, compare(CmpId::Lt, a, zero), compare(CmpId::Lt, b, zero));
  return add(q, to(compare(CmpId::LogicalAnd, inexact, signs), q.dtype()));
}

namespace {

// `kernel_op` of a tensor and a Python number, recorded as `row` (a node over `input` alone).
// saved[0] is `keep` (may be undefined); f[0] the number, with its int flag.
Tensor scalar_form(OpId row, OpId kernel_op, const Tensor& a, const Tensor& b, const Tensor& input,
                   const Tensor& keep, Scalar s) {
  Tensor out;
  {
    NoGradGuard ng;
    out = binary(kernel_op, a, b);
  }
  if (auto node = maybe_node(row, {input})) {
    node->saved.emplace_back(keep, false);
    node->f = {s.to_double()};
    node->i = {int_mask({s})};
    set_history(out, node);
  }
  return out;
}

}  // namespace

Tensor fmod(const Tensor& a, Scalar b) {
  return scalar_form(OpId::FmodScalar, OpId::Fmod, a, wrapped_scalar(b), a, Tensor(), b);
}
Tensor remainder(const Tensor& a, Scalar b) {
  return scalar_form(OpId::RemainderScalar, OpId::Remainder, a, wrapped_scalar(b), a, Tensor(), b);
}
Tensor xlogy(Scalar a, const Tensor& b) {
  return scalar_form(OpId::XlogyScalarSelf, OpId::Xlogy, wrapped_scalar(a), b, b, b, a);
}
Tensor xlogy(const Tensor& a, Scalar b) {
  return scalar_form(OpId::XlogyScalarOther, OpId::Xlogy, a, wrapped_scalar(b), a, a, b);
}

namespace {

// clamp_min / clamp_max with a number: clamp's kernel with one bound.
Tensor clamp_one(OpId row, const Tensor& a, Scalar bound) {
  const bool is_min = row == OpId::ClampMin;
  const DType dt = clamp_dtype(a.dtype(), is_min ? std::optional<Scalar>(bound) : std::nullopt,
                               is_min ? std::nullopt : std::optional<Scalar>(bound),
                               is_min ? "clamp_min_scalar_cpu" : "clamp_max_scalar_cpu");
  check_scalar_fits(bound, dt);
  Tensor out = empty_like_operands(Shape(a.sizes()), dt, a.device(), {&a});
  std::optional<double> lo, hi;
  (row == OpId::ClampMin ? lo : hi) = bound.to_double();
  clamp_into(out, cast_for_kernel(a, dt), lo, hi);
  if (auto node = maybe_node(row, {a})) {
    node->saved.emplace_back(a, false);
    node->f = {bound.to_double()};
    node->i = {int_mask({bound})};
    set_history(out, node);
  }
  return out;
}

// With a tensor bound: maximum / minimum (broadcasting, NaN propagating), recorded as one node.
Tensor clamp_one(OpId row, const Tensor& a, const Tensor& bound) {
  Tensor out;
  {
    NoGradGuard ng;
    out = row == OpId::ClampMinTensor ? maximum(a, bound) : minimum(a, bound);
  }
  if (auto node = maybe_node(row, {a, bound})) {
    node->saved.emplace_back(a, false);
    node->saved.emplace_back(bound, false);
    set_history(out, node);
  }
  return out;
}

}  // namespace

Tensor clamp_min(const Tensor& a, Scalar lo) { return clamp_one(OpId::ClampMin, a, lo); }
Tensor clamp_min(const Tensor& a, const Tensor& lo) { return clamp_one(OpId::ClampMinTensor, a, lo); }
Tensor clamp_max(const Tensor& a, Scalar hi) { return clamp_one(OpId::ClampMax, a, hi); }
Tensor clamp_max(const Tensor& a, const Tensor& hi) { return clamp_one(OpId::ClampMaxTensor, a, hi); }

// logit(x) = log(x / (1 - x)), x first clamped to [eps, 1 - eps] when eps is given.
Tensor logit(const Tensor& a, std::optional<double> eps) {
  if (eps && is_floating(a.dtype())) check_scalar_fits(Scalar(*eps), a.dtype());  // as torch
  Tensor out;
  {
    NoGradGuard ng;
    Tensor x = is_floating(a.dtype()) ? a : to(a, default_dtype());
    // torch's kernel: x < lo ? lo : (x > hi ? hi : x), lo = eps, hi = 1 - eps. A NaN eps
    // clamps nothing (its compares are false); an eps above 0.5 (lo > hi) gives lo below lo
    // and hi elsewhere, where a clamp would give hi everywhere.
    if (eps && !std::isnan(*eps)) {
      if (*eps <= 0.5) {
        x = clamp(x, Scalar(*eps), Scalar(1 - *eps));
      } else {
        Tensor lo = scalar_tensor(Scalar(*eps), x.dtype()), hi = scalar_tensor(Scalar(1 - *eps), x.dtype());
        x = where(compare(CmpId::Lt, x, lo), lo, where(compare(CmpId::Gt, x, hi), hi, x));
      }
    }
    out = log(div(x, rsub(x, Scalar(int64_t{1}))));
  }
  if (auto node = maybe_node(OpId::Logit, {a})) {
    node->saved.emplace_back(a, false);
    node->f = {eps.value_or(0)};
    node->i = {eps.has_value()};
    set_history(out, node);
  }
  return out;
}

Tensor& apply_inplace(Tensor& a, const Tensor& other,
                      const std::function<Tensor(const Tensor&)>& f) {
  check_inplace(a);
  check_no_overlap(a, other);
  const bool grad = wants_grad(a, other);
  Tensor src = grad ? steal_history(a) : detach(a);
  Tensor r = f(src);
  if (!can_cast(r.dtype(), a.dtype()))
    TG_ERROR("result type ", dtype_legacy_name(r.dtype()), " can't be cast to the desired output type ",
             dtype_legacy_name(a.dtype()));
  TG_CHECK(r.sizes() == a.sizes(), "output with shape ", shape_str(a.sizes()),
           " doesn't match the broadcast shape ", shape_str(r.sizes()));
  if (grad) {
    write_back(a, r);
  } else {
    kern::copy(a, r);
    a.bump_version();
  }
  return a;
}

}  // namespace tapegrad
