// Backward formulas of the torch.special rows (lib/ops/special_ops.cpp), torch's
// derivatives.yaml entries written with differentiable tapegrad ops (so gradients of gradients
// follow): the Bessel derivatives through each other, ndtri / log_ndtr / erfcx through their
// results, and torch's NotImplementedError for the arguments it does not differentiate (zeta's
// self, igamma / igammac's input).
#include "backward_special.h"

#include <cmath>

#include "../ops/common.h"
#include <tapegrad/ops/compare_ops.h>
#include <tapegrad/ops/special_ops.h>
#include <tapegrad/kernels/dispatch.h>

namespace tapegrad {
namespace detail {

namespace {
Tensor sc(double v) { return wrapped_scalar(v); }
Tensor is_zero(const Tensor& x) { return compare(CmpId::Eq, x, sc(0)); }

[[noreturn]] void not_implemented(const char* what) {
  TG_ERROR_KIND(NotImplemented, "the derivative for '", what, "' is not implemented.");
}

// d xlog1py(x, y) / dx = log1p(y), except where x == 0 and y <= -1 (torch's masked fill)
Tensor xlog1py_self_grad(const Tensor& g, const Tensor& self, const Tensor& other) {
  Tensor mask = compare(CmpId::LogicalAnd, is_zero(self), compare(CmpId::Le, other, sc(-1)));
  return masked_fill(special_xlog1py(g, other), mask, Scalar(0.0));
}

// d igamma(a, x) / dx = exp((a - 1) log x - x - lgamma(a))
Tensor igamma_other_grad(const Tensor& g, const Tensor& a, const Tensor& x) {
  return mul(g, exp(sub(sub(mul(sub(a, sc(1)), log(x)), x), lgamma(a))));
}
}  // namespace

static bool is_half_type(DType d) { return d == DType::Float16 || d == DType::BFloat16; }

TensorList special_backward(Node& node, const Tensor& g) {
  auto S = [&](size_t k) { return node.saved_at(k); };
  auto needs = [&](size_t k) { return node.needs_grad(k); };
  switch (node.op) {
    case OpId::I0: return {mul(g, special_i1(S(0)))};
    case OpId::SpecialI0e: {  // i1e(x) - sgn(x) i0e(x)
      Tensor x = S(0);
      return {mul(g, sub(special_i1e(x), mul(sgn(x), S(1))))};
    }
    case OpId::SpecialI1: {  // i0(x) - i1(x) / x, 1/2 at 0
      Tensor x = S(0);
      // torch has forward kernels for half/bfloat16 but no backward ones
      if (is_half_type(x.dtype())) TG_DTYPE_UNSUPPORTED("i1_backward", x.dtype());
      return {mul(g, where(is_zero(x), sc(0.5), sub(i0(x), div(S(1), x))))};
    }
    case OpId::SpecialI1e: {  // i0e(x) - i1e(x) (sgn(x) + 1/x), 1/2 at 0
      Tensor x = S(0);
      if (is_half_type(x.dtype())) TG_DTYPE_UNSUPPORTED("i1e_backward", x.dtype());
      Tensor d = sub(special_i0e(x), mul(S(1), add(sgn(x), reciprocal(x))));
      return {mul(g, where(is_zero(x), sc(0.5), d))};
    }
    case OpId::SpecialNdtri: {  // sqrt(2 pi) exp(result^2 / 2)
      Tensor r = S(0);
      return {mul(g, mul(exp(mul(mul(r, r), sc(0.5))), sc(std::sqrt(2 * M_PI))))};
    }
    case OpId::SpecialLogNdtr: {  // exp(-(result + x^2 / 2)) / sqrt(2 pi)
      Tensor x = S(0), r = S(1);
      Tensor e = exp(neg(add(r, mul(mul(x, x), sc(0.5)))));
      return {mul(g, div(e, sc(std::sqrt(2 * M_PI))))};
    }
    case OpId::SpecialErfcx: {  // 2 x erfcx(x) - 2 / sqrt(pi)
      Tensor x = S(0), r = S(1);
      return {mul(g, sub(mul(mul(x, r), sc(2)), sc(2 / std::sqrt(M_PI))))};
    }
    case OpId::SpecialEntr:  // -(1 + log x)
      return {mul(g, neg(add(log(S(0)), sc(1))))};
    case OpId::SpecialXlog1py: {
      Tensor self = S(0), other = S(1), gs, go;
      if (needs(0)) gs = xlog1py_self_grad(g, self, other);
      if (needs(1)) go = div(mul(g, self), add(other, sc(1)));
      return {gs, go};
    }
    case OpId::SpecialXlog1pyScalarSelf:  // only other: g self / (other + 1)
      return {div(mul(g, sc(node.f[0])), add(S(0), sc(1)))};
    case OpId::SpecialXlog1pyScalarOther:
      return {xlog1py_self_grad(g, S(0), wrapped_scalar(node.f[0]))};
    case OpId::SpecialZeta: {  // other: -self zeta(self + 1, other); self: not implemented
      if (needs(0)) not_implemented("zeta");
      Tensor self = S(0);
      return {Tensor(), mul(g, neg(mul(self, special_zeta(add(self, sc(1)), S(1)))))};
    }
    case OpId::SpecialZetaScalarSelf: {
      const double s = node.f[0];
      return {mul(g, mul(special_zeta(wrapped_scalar(s + 1), S(0)), sc(-s)))};
    }
    case OpId::SpecialZetaScalarOther: not_implemented("zeta");
    case OpId::Igamma:
    case OpId::Igammac: {
      const bool upper = node.op == OpId::Igammac;
      if (needs(0)) not_implemented(upper ? "igammac: input" : "igamma: input");
      Tensor go = igamma_other_grad(g, S(0), S(1));
      return {Tensor(), upper ? neg(go) : go};
    }
    case OpId::Mvlgamma: {  // sum_{i<p} digamma(x - i/2), in torch's arange form
      Tensor x = S(0);
      Tensor args = arange(-0.5 * static_cast<double>(node.i[0]) + 0.5, 0.5, 0.5, x.dtype());
      return {mul(g, sum(digamma(add(unsqueeze(x, -1), args)), {x.dim()}, false))};
    }
    default:
      TG_ERROR("special_backward: not a torch.special row");
  }
}

}  // namespace detail
}  // namespace tapegrad
