// Elementwise math beyond the core set (helper M's block): the dtype rules of the copysign ...
// lcm rows of ops.def, their named entry points, polygamma (PolygammaBackward0), copysign with
// a number (CopysignBackward1), float_power (pow in float64, as torch writes it), and the bool
// predicates signbit / isposinf / isneginf / isreal, bitwise_not.
#include <cmath>

#include <tapegrad/kernels/dispatch.h>
#include <tapegrad/kernels/functors.h>  // (includes functors_special.h)
#include <tapegrad/ops/math_extra.h>

#include <tapegrad/ops/memory_format.h>

#include "common.h"
#include "../cpu/via_float.h"

namespace tapegrad {

using namespace detail;

DType extra_binary_dtype(OpId op, const Tensor& a, const Tensor& b, DType dt) {
  switch (op) {
    case OpId::Copysign:
      return is_floating(dt) ? dt : default_dtype();
    case OpId::Logaddexp:
    case OpId::Logaddexp2:
      if (!is_floating(dt)) TG_DTYPE_UNSUPPORTED(std::string(op_name(op)) + "_cpu", dt);
      return dt;
    case OpId::Heaviside:
      TG_CHECK(a.dtype() == b.dtype(),
               "heaviside is not yet implemented for tensors with different dtypes.");
      return dt;
    case OpId::BitwiseAnd:
    case OpId::BitwiseOr:
    case OpId::BitwiseXor:
      if (is_floating(dt)) TG_DTYPE_UNSUPPORTED(std::string(op_name(op)) + "_cpu", dt);
      return dt;
    case OpId::Gcd:
    case OpId::Lcm:
      if (is_floating(dt) || dt == DType::Bool)
        TG_DTYPE_UNSUPPORTED(std::string(op_name(op)) + "_cpu", dt);
      return dt;
    default:
      return dt;
  }
}

Tensor copysign(const Tensor& a, const Tensor& b) { return binary(OpId::Copysign, a, b); }

Tensor copysign(const Tensor& a, Scalar b) {
  Tensor out;
  {
    NoGradGuard ng;
    out = binary(OpId::Copysign, a, wrapped_scalar(b));
  }
  if (auto node = maybe_node(OpId::CopysignScalar, {a})) {
    node->saved.emplace_back(a, false);
    set_history(out, node);
    node->saved.emplace_back(out, true);
  }
  return out;
}

// polygamma(n, x) on the host (a device tensor makes the round trip): the derivative of
// digamma and of itself, so digamma / lgamma have gradients of every order.
Tensor polygamma(int64_t n, const Tensor& x) {
  TG_CHECK(n >= 0, "polygamma(n, x) does not support negative n.");
  const DType dt = is_floating(x.dtype()) ? x.dtype() : default_dtype();
  Tensor out;
  {
    NoGradGuard ng;
    const DType lt = kern::via_float::reduced(dt) ? DType::Float32 : dt;  // Note [Half via float]
    Tensor in = contiguous(on_host(to(detach(x), lt)));
    Tensor host = empty(in.sizes(), lt);
    dispatch_floating(lt, "polygamma", [&](auto tag) {
      using T = decltype(tag);
      const T* src = in.data<T>();
      T* dst = host.data<T>();
      for (int64_t k = 0; k < in.numel(); ++k) {
        const T v = src[k];
        if (std::is_same<T, float>::value && n == 1 && v < T(0.5) && v == std::floor(v)) {
          // a pole of trigamma: torch's float kernel reflects in float, so the value is
          // pi^2 / sin(pi x)^2 with float32's pi and sin (~1e15, not the float64 ~1e32)
          const float pf = float(fn::special::kPi);
          const float sp = std::sin(pf * float(v));
          dst[k] = T(pf * pf / (sp * sp) - float(fn::special::hurwitz_zeta(2, 1 - double(v))));
          continue;
        }
        dst[k] = T(fn::special::polygamma(n, double(v)));
      }
    });
    if (lt != dt) host = to(host, dt);
    out = x.device().is_cpu() ? host : to(host, x.device(), dt);
  }
  if (auto node = maybe_node(OpId::Polygamma, {x})) {
    node->saved.emplace_back(x, false);
    node->i = {n};
    set_history(out, node);
  }
  return out;
}

// torch computes float_power as pow of both operands converted to float64, each conversion
// keeping the operand's layout (so a transposed input gives a transposed result, as torch's).
namespace {
Tensor to_f64(const Tensor& a) { return to(a, DType::Float64, false, MemoryFormat::Preserve); }
}  // namespace
Tensor float_power(const Tensor& a, const Tensor& b) { return pow(to_f64(a), to_f64(b)); }
Tensor float_power(const Tensor& a, Scalar b) { return pow(to_f64(a), Scalar(b.to_double())); }
Tensor float_power(Scalar a, const Tensor& b) { return pow(Scalar(a.to_double()), to_f64(b)); }

// The sign bit (true for -0.0 and negative NaNs too); integers: x < 0; bool: false.
Tensor signbit(const Tensor& a) {
  Tensor in = kern::via_float::up(contiguous(on_host(detach(a))));  // exact for half
  Tensor host = empty(in.sizes(), DType::Bool);
  if (a.dtype() == DType::Bool) {
    host = zeros(in.sizes(), DType::Bool);
  } else {
    dispatch_numeric(in.dtype(), "signbit_cpu", [&](auto tag) {
      using T = decltype(tag);
      const T* src = in.data<T>();
      bool* dst = host.data<bool>();
      for (int64_t k = 0; k < in.numel(); ++k) {
        if constexpr (std::is_floating_point<T>::value) dst[k] = std::signbit(src[k]);
        else dst[k] = src[k] < T(0);
      }
    });
  }
  return a.device().is_cpu() ? host : to(host, a.device(), DType::Bool);
}

Tensor isposinf(const Tensor& a) {
  if (!is_floating(a.dtype())) return zeros(a.sizes(), DType::Bool, a.device());
  return compare(CmpId::Eq, detach(a), wrapped_scalar(INFINITY));
}
Tensor isneginf(const Tensor& a) {
  if (!is_floating(a.dtype())) return zeros(a.sizes(), DType::Bool, a.device());
  return compare(CmpId::Eq, detach(a), wrapped_scalar(-INFINITY));
}
// no complex dtypes: every element is real
Tensor isreal(const Tensor& a) { return ones(a.sizes(), DType::Bool, a.device()); }

// ~x: bool negation, or x ^ (all ones) for integers (two's complement)
Tensor bitwise_not(const Tensor& a) {
  if (a.dtype() == DType::Bool) return logical_not(a);
  if (is_floating(a.dtype())) TG_DTYPE_UNSUPPORTED("bitwise_not_cpu", a.dtype());
  return binary(OpId::BitwiseXor, a, wrapped_scalar(int64_t{-1}));
}

}  // namespace tapegrad
