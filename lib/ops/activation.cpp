// The pointwise activations with arguments (leaky_relu, elu/selu/celu, hardtanh/relu6,
// hardsigmoid, hardswish, mish, logsigmoid, softshrink, hardshrink, threshold), their in-place
// forms, glu and prelu's kernel. Values come from the act_functors.h kernels; each op records
// the node torch shows (formulas in lib/autograd/backward_activation.cpp).
#include <limits>

#include <tapegrad/kernels/act_functors.h>

#include <tapegrad/ops/output_layout.h>

#include "common.h"

namespace tapegrad {

using namespace detail;

namespace {

using kern::ActKind;

void check_floating(const Tensor& a, const char* kernel) {
  if (!is_floating(a.dtype()))
    TG_ERROR_KIND(NotImplemented, "\"", kernel, "\" not implemented for '",
                  dtype_legacy_name(a.dtype()), "'");
}

// torch converts an activation's arguments with its checked conversion (a value beyond the
// type's range is an error, not an infinite parameter), some into the input's own type (s),
// some into the type the kernel computes in (o: float for half and bfloat16), per kind:
// leaky_relu's slope (o), elu's alpha, scale and input_scale (o), hardtanh's bounds (s),
// hardshrink's lambda (s), threshold's threshold (o) and value (s).
void check_params(ActKind kind, DType dt, const double* p) {
  const char* spec = "";
  switch (kind) {
    case ActKind::LeakyRelu: spec = "o"; break;
    case ActKind::Elu: spec = "ooo"; break;
    case ActKind::Hardtanh: spec = "ss"; break;
    case ActKind::Hardshrink: spec = "s"; break;
    case ActKind::Threshold: spec = "os"; break;
    default: break;
  }
  for (int k = 0; spec[k]; ++k) check_scalar_fits(Scalar(p[k]), spec[k] == 'o' ? opmath(dt) : dt);
}

// What a row keeps: saved[0] = self (or empty), saved[1] = result or logsigmoid's buffer.
enum class Keep { Self, Result };

// out = activation(a); the node of `op` keeps `keep` and the arguments `f` (Node::f).
Tensor act(OpId op, ActKind kind, const char* kernel, const Tensor& a, const double* p,
           std::vector<double> f, Keep keep = Keep::Self) {
  check_floating(a, kernel);
  check_params(kind, a.dtype(), p);
  Tensor out = empty_like_operands(Shape(a.sizes()), a.dtype(), a.device(), {&a});
  kern::activation(kind, out, detach(a), p, kernel);
  if (auto node = maybe_node(op, {a})) {
    node->saved.reserve(2);
    node->saved.emplace_back(keep == Keep::Self ? a : Tensor(), false);
    node->f = std::move(f);
    set_history(out, node);
    if (keep == Keep::Result) node->saved.emplace_back(out, true);
  }
  return out;
}

// Note [In-place ops] for the activations: with history, the out-of-place op `record` runs on
// the old value and is written back; otherwise the kernel writes into `a` directly (no element
// overlaps another: check_inplace).
template <class Record>
Tensor& act_(Tensor& a, ActKind kind, const char* kernel, const double* p, Record record) {
  check_inplace(a);
  check_floating(a, kernel);
  check_params(kind, a.dtype(), p);
  if (wants_grad(a)) {
    Tensor old = steal_history(a);
    write_back(a, record(old));
    return a;
  }
  kern::activation(kind, a, a, p, kernel);
  a.bump_version();
  return a;
}

void check_celu_alpha(double alpha) {
  TG_CHECK(alpha != 0, "ZeroDivisionError: alpha cannot be 0 for CELU");
}

void check_lambd(const Tensor& a, double lambd) {
  const double top = float_dtype_max(a.dtype());  // half: 65504, as torch's message
  if (is_floating(a.dtype()))
    TG_CHECK(lambd >= 0 && lambd <= top, "lambda must be in range [0, ", top,
             "] for input dtype ", dtype_legacy_name(a.dtype()), ", but found ", lambd);
}

}  // namespace

Tensor leaky_relu(const Tensor& a, double s) {
  const double p[] = {s};
  return act(OpId::LeakyRelu, ActKind::LeakyRelu, "leaky_relu_cpu", a, p, {s});
}

Tensor& leaky_relu_(Tensor& a, double s) {
  const double p[] = {s};
  return act_(a, ActKind::LeakyRelu, "leaky_relu_cpu", p, [&](const Tensor& old) {
    return act(OpId::LeakyReluInplace, ActKind::LeakyRelu, "leaky_relu_cpu", old, p, {s},
               Keep::Result);
  });
}

Tensor elu(const Tensor& a, double alpha, double scale, double input_scale) {
  const double p[] = {alpha, scale, input_scale};
  return act(OpId::Elu, ActKind::Elu, "elu_cpu", a, p, {alpha, scale, input_scale});
}

Tensor& elu_(Tensor& a, double alpha, double scale, double input_scale) {
  const double p[] = {alpha, scale, input_scale};
  return act_(a, ActKind::Elu, "elu_cpu", p, [&](const Tensor& old) {
    return act(OpId::EluInplace, ActKind::Elu, "elu_cpu", old, p, {alpha, scale, input_scale},
               Keep::Result);
  });
}

// celu(x, alpha) = elu(x, alpha, scale 1, input_scale 1/alpha), recorded as CeluBackward0.
Tensor celu(const Tensor& a, double alpha) {
  check_celu_alpha(alpha);
  const double p[] = {alpha, 1.0, 1.0 / alpha};
  return act(OpId::Celu, ActKind::Elu, "elu_cpu", a, p, {alpha});
}

Tensor& celu_(Tensor& a, double alpha) {
  check_celu_alpha(alpha);
  const double p[] = {alpha, 1.0, 1.0 / alpha};
  return act_(a, ActKind::Elu, "elu_cpu", p, [&](const Tensor& old) {
    return act(OpId::CeluInplace, ActKind::Elu, "elu_cpu", old, p, {alpha}, Keep::Result);
  });
}

// Integer inputs clamp to the bounds converted to the input's type, as torch's hardtanh.
Tensor hardtanh(const Tensor& a, double lo, double hi) {
  TG_CHECK(a.dtype() != DType::Bool, "Bool inputs not supported for hardtanh");
  TG_CHECK(a.dtype() != DType::UInt8 || (lo >= 0 && hi >= 0),
           "cannot do hardtanh on an unsigned type with negative limits");
  if (!is_floating(a.dtype())) {
    // torch converts the bounds to int64, then to the input's type, both checked
    for (double v : {lo, hi}) check_scalar_fits(Scalar(v), DType::Int64);
    for (double v : {lo, hi}) check_scalar_fits(Scalar(v), a.dtype());
    return clamp(a, Scalar(static_cast<int64_t>(lo)), Scalar(static_cast<int64_t>(hi)));
  }
  const double p[] = {lo, hi};
  return act(OpId::Hardtanh, ActKind::Hardtanh, "hardtanh_cpu", a, p, {lo, hi});
}

// torch's hardtanh_ keeps the old value (HardtanhBackward0 with _saved_self), as the protocol.
Tensor& hardtanh_(Tensor& a, double lo, double hi) {
  TG_CHECK(a.dtype() != DType::Bool, "Bool inputs not supported for hardtanh");
  TG_CHECK(a.dtype() != DType::UInt8 || (lo >= 0 && hi >= 0),
           "cannot do hardtanh on an unsigned type with negative limits");
  if (!is_floating(a.dtype())) {
    check_inplace(a);
    kern::copy(a, hardtanh(detach(a), lo, hi));
    a.bump_version();
    return a;
  }
  const double p[] = {lo, hi};
  return act_(a, ActKind::Hardtanh, "hardtanh_cpu", p,
              [&](const Tensor& old) { return hardtanh(old, lo, hi); });
}

Tensor hardsigmoid(const Tensor& a) {
  return act(OpId::Hardsigmoid, ActKind::Hardsigmoid, "hardsigmoid_cpu", a, nullptr, {});
}
Tensor& hardsigmoid_(Tensor& a) {
  return act_(a, ActKind::Hardsigmoid, "hardsigmoid_cpu", nullptr,
              [](const Tensor& old) { return hardsigmoid(old); });
}
Tensor hardswish(const Tensor& a) {
  return act(OpId::Hardswish, ActKind::Hardswish, "hardswish_cpu", a, nullptr, {});
}
Tensor& hardswish_(Tensor& a) {
  return act_(a, ActKind::Hardswish, "hardswish_cpu", nullptr,
              [](const Tensor& old) { return hardswish(old); });
}
Tensor mish(const Tensor& a) {
  return act(OpId::Mish, ActKind::Mish, "mish_cpu", a, nullptr, {});
}
Tensor& mish_(Tensor& a) {
  return act_(a, ActKind::Mish, "mish_cpu", nullptr,
              [](const Tensor& old) { return mish(old); });
}

// torch's log_sigmoid_forward also returns a buffer, exp(-|x|), that its node keeps
// (_saved_buffer); it is kept here too so the saved attributes match.
Tensor logsigmoid(const Tensor& a) {
  check_floating(a, "log_sigmoid_cpu");
  Tensor out = empty(a.sizes(), a.dtype(), a.device());
  kern::activation(ActKind::LogSigmoid, out, detach(a), nullptr, "log_sigmoid_cpu");
  if (auto node = maybe_node(OpId::LogSigmoid, {a})) {
    Tensor buffer;
    {
      NoGradGuard g;
      buffer = exp(neg(abs(detach(a))));
    }
    node->saved.emplace_back(a, false);
    node->saved.emplace_back(buffer, false);
    set_history(out, node);
  }
  return out;
}

Tensor softshrink(const Tensor& a, double lambd) {
  check_floating(a, "softshrink_check");
  check_lambd(a, lambd);
  const double p[] = {lambd};
  return act(OpId::Softshrink, ActKind::Softshrink, "softshrink_cpu", a, p, {lambd});
}

Tensor hardshrink(const Tensor& a, double lambd) {
  const double p[] = {lambd};
  return act(OpId::Hardshrink, ActKind::Hardshrink, "hardshrink_cpu", a, p, {lambd});
}

// Integer inputs: torch computes in the input's type (the value converted to it).
Tensor threshold(const Tensor& a, double th, double value) {
  if (a.dtype() == DType::Bool) check_floating(a, "threshold_cpu");
  if (!is_floating(a.dtype())) {
    // both converted to the input's type first (checked, truncated): x <= trunc(th)
    for (double v : {th, value}) check_scalar_fits(Scalar(v), a.dtype());
    NoGradGuard g;
    Tensor t = to(wrapped_scalar(std::trunc(th)), a.dtype()), v = to(wrapped_scalar(value), a.dtype());
    return where(compare(CmpId::Le, a, t), v, a);
  }
  const double p[] = {th, value};
  return act(OpId::Threshold, ActKind::Threshold, "threshold_cpu", a, p, {th, value});
}

Tensor& threshold_(Tensor& a, double th, double value) {
  if (a.dtype() == DType::Bool) check_floating(a, "threshold_cpu");
  if (!is_floating(a.dtype())) {
    check_inplace(a);
    kern::copy(a, threshold(detach(a), th, value));
    a.bump_version();
    return a;
  }
  const double p[] = {th, value};
  return act_(a, ActKind::Threshold, "threshold_cpu", p, [&](const Tensor& old) {
    return act(OpId::ThresholdInplace, ActKind::Threshold, "threshold_cpu", old, p, {th, value});
  });
}

// glu(x, dim) = first half * sigmoid(second half) along dim; the node keeps self and the dim
// as given (torch's _saved_dim).
Tensor glu(const Tensor& a, int64_t dim) {
  TG_CHECK(a.dim() > 0, "glu does not support scalars because halving size must be even");
  const int64_t d = wrap_dim(dim, a.dim());
  const int64_t n = a.sizes()[d];
  TG_CHECK(n % 2 == 0, "Halving dimension must be even, but dimension ", d, " is size ", n);
  check_floating(a, "glu_cpu");  // after the shape checks, as torch's kernel
  Tensor out;
  {
    NoGradGuard g;
    Tensor x = detach(a);
    // the product's layout follows the halves' (torch's glu on a transposed input is not
    // contiguous either)
    out = mul(slice(x, d, 0, n / 2), sigmoid(slice(x, d, n / 2, n)));
  }
  out = detach(out);
  if (auto node = maybe_node(OpId::Glu, {a})) {
    node->saved.emplace_back(a, false);
    node->i = {dim};
    set_history(out, node);
  }
  return out;
}

Tensor prelu_kernel(const Tensor& a, const Tensor& weight) {
  check_same_device(a, weight, nullptr);
  TG_CHECK(a.dtype() == weight.dtype(), "prelu: Type promoting not supported. Got ",
           dtype_legacy_name(a.dtype()), " and ", dtype_legacy_name(weight.dtype()));
  check_floating(a, "prelu_cpu");
  Tensor out;
  {
    NoGradGuard g;
    Tensor x = detach(a);
    out = where(compare(CmpId::Gt, x, wrapped_scalar(0)), x, mul(detach(weight), x));
    if (out.sizes() != a.sizes()) out = contiguous(expand(out, a.sizes()));
  }
  out = detach(out);
  if (auto node = maybe_node(OpId::PreluKernel, {a, weight})) {
    node->saved.emplace_back(a, false);
    node->saved.emplace_back(weight, false);
    set_history(out, node);
  }
  return out;
}

}  // namespace tapegrad
