// Every backward formula, in torch's vocabulary: `g` (the incoming gradient), `self`, `other`,
// `result`, and needs(k) (the needs-grad mask). Formulas are written with differentiable
// tapegrad ops, so create_graph=True and higher-order gradients come for free. Broadcasting
// and dtype are handled by the engine (Note [Broadcast gradients]). The switch has no default
// and builds with -Werror=switch: a row in ops.def without a formula does not compile.
#include <cmath>


#include "../ops/common.h"
#include <tapegrad/ops/compare_ops.h>
#include "backward_activation.h"
#include "backward_nn.h"
#include "backward_shape.h"
#include "backward_index.h"
#include "backward_special.h"
#include <tapegrad/autograd/views.h>
#include <tapegrad/kernels/fused.h>
#include <tapegrad/ops/math_extra.h>

namespace tapegrad {

namespace {

Tensor sc(double v) { return wrapped_scalar(v); }
Tensor zero_like(const Tensor& g, const Shape& s) { return zeros(s, g.dtype(), g.device()); }
Tensor mask_where(const Tensor& m, const Tensor& g) { return where(m, g, sc(0)); }

// Gradient of a reduction over `dims` (sorted; keepdim given) broadcast back to `sizes`.
Tensor sum_backward(const Tensor& g, const Shape& sizes, const std::vector<int64_t>& dims,
                    bool keepdim) {
  Tensor r = g;
  if (!keepdim && !sizes.empty())
    for (auto d : dims) r = unsqueeze(r, d);
  return expand(r, sizes);
}

Tensor log_sigmoid(const Tensor& z) {
  return neg(add(log1p(exp(neg(abs(z)))), relu(neg(z))));
}

// sin's backward, g * cos(x): one pass (kern::sin_backward, the same values) when nothing
// records this backward (create_graph=False) and the operands are plain CPU floats.
Tensor sin_backward(const Tensor& g, const Tensor& x) {
  if (!GradMode::is_enabled() && g.dtype() == x.dtype() && g.sizes() == x.sizes() &&
      (x.dtype() == DType::Float32 || x.dtype() == DType::Float64) && x.device().is_cpu() &&
      g.device().is_cpu()) {
    Tensor out = empty(x.sizes(), x.dtype(), x.device());
    kern::sin_backward(out, g, x);
    return out;
  }
  return mul(g, cos(x));
}

// mul's backward when both operands need a gradient: both products in one pass
// (kern::mul_backward, the same values) when nothing records this backward and self, other and
// g are plain CPU floats of one shape and dtype; false otherwise.
bool mul_backward_fused(const Tensor& g, const Tensor& self, const Tensor& other, Tensor* gs,
                        Tensor* go) {
  const DType dt = self.dtype();
  if (GradMode::is_enabled() || (dt != DType::Float32 && dt != DType::Float64) ||
      other.dtype() != dt || g.dtype() != dt || self.sizes() != other.sizes() ||
      g.sizes() != self.sizes() || !self.device().is_cpu() || !other.device().is_cpu() ||
      !g.device().is_cpu())
    return false;
  *gs = empty(self.sizes(), dt, self.device());
  *go = empty(self.sizes(), dt, self.device());
  kern::mul_backward(*gs, *go, g, self, other);
  return true;
}

// max/min/median without dim: the gradient is split evenly among the elements equal to the
// result (the NaN ones when it is NaN), as torch's CPU evenly_distribute_backward: zeros with
// g / count written at the mask (a where: an infinite or NaN g stays off the other elements,
// where times a mask made them NaN).
Tensor evenly_distribute(const Tensor& g, const Tensor& self, const Tensor& result) {
  Tensor mask = compare(CmpId::LogicalOr, compare(CmpId::Eq, self, result),
                        compare(CmpId::LogicalAnd, isnan(self), isnan(result)));
  return where(mask, div(g, sum(mask)), zeros({}, g.dtype(), g.device()));
}

// A reduction's output (or its gradient) with the reduced dims put back as size 1.
Tensor unsqueeze_dims(const Tensor& t, const std::vector<int64_t>& dims, bool keepdim, int64_t nd) {
  Tensor r = t;
  if (!keepdim && nd > 0)
    for (auto d : dims) r = unsqueeze(r, d);
  return r;
}

// Shared by var and std: d var / d x = 2 (x - mean) / divisor, times the incoming `gu`.
Tensor var_backward(const Tensor& gu, const Tensor& self, const std::vector<int64_t>& dims,
                    double divisor) {
  Tensor centred = sub(self, self.dim() ? mean(self, dims, true) : self);
  return mul(mul(gu, centred), sc(2.0 / divisor));
}

// a^T g, the gradient of a @ b for b. When b was the transpose of a contiguous matrix (linear's
// weight.t(); the forward records that), compute it as (g^T a)^T, as torch does: the gradient
// then reaches the weight contiguous through TBackward, and AccumulateGrad keeps it uncopied.
Tensor mm_mat2_grad(const Tensor& g, const Tensor& a, bool b_transposed) {
  return b_transposed ? t(mm(t(g), a)) : mm(t(a), g);
}

Tensor loss_scale(Reduction r, const Tensor& x, Tensor v) {
  return r == Reduction::Mean ? div(v, Scalar(static_cast<int64_t>(x.numel()))) : v;
}

}  // namespace

TensorList call_derivative(Node& node, TensorList& grads) {
  // Multi-output views: any subset of the outputs may carry a gradient (the rest are zero).
  if (node.op == OpId::Split || node.op == OpId::SplitWithSizes)
    return {detail::split_backward(grads, node.i, node.shape)};
  if (node.op == OpId::Unbind) return {detail::unbind_backward(grads, node.i[0], node.shape)};
  if (node.op == OpId::VarMean || node.op == OpId::StdMean || node.op == OpId::Aminmax)
    return {detail::two_output_reduction_backward(node, grads)};
  const Tensor g = grads.empty() ? Tensor() : grads[0];
  if (!g.defined()) return TensorList(node.next_edges.size());
  auto S = [&](size_t k) { return node.saved_at(k); };
  auto needs = [&](size_t k) { return node.needs_grad(k); };
  const auto& I = node.i;
  const auto& F = node.f;
  switch (node.op) {
    // ---- unary: saved[0] = self, saved[1] = result ----
    case OpId::Neg: return {neg(g)};
    case OpId::Abs: return {mul(g, sign(S(0)))};  // abs'(0) = 0, as torch
    case OpId::Sign: return {zero_like(g, g.sizes())};
    case OpId::Relu: return {threshold_backward(g, S(1))};  // relu'(0) = 0
    case OpId::Exp: return {mul(g, S(1))};
    case OpId::Log: return {div(g, S(0))};
    case OpId::Sin: return {sin_backward(g, S(0))};
    case OpId::Cos: return {mul(g, neg(sin(S(0))))};
    case OpId::Tanh: return {tanh_backward(g, S(1))};
    case OpId::Sigmoid: return {sigmoid_backward(g, S(1))};
    case OpId::Sqrt: return {div(g, mul(S(1), sc(2)))};
    case OpId::Reciprocal: {
      Tensor y = S(1);
      return {mul(neg(g), mul(y, y))};
    }
    case OpId::Log1p: return {div(g, add(S(0), sc(1)))};
    case OpId::Expm1: return {mul(g, add(S(1), sc(1)))};
    case OpId::Exp2: return {mul(g, mul(S(1), sc(M_LN2)))};
    case OpId::Rsqrt: {
      Tensor y = S(1);
      return {mul(g, mul(mul(mul(y, y), y), sc(-0.5)))};
    }
    case OpId::Erf: {
      Tensor x = S(0);
      return {mul(g, mul(exp(neg(mul(x, x))), sc(M_2_SQRTPI)))};
    }
    // rounding is piecewise constant: zero almost everywhere, as torch; frac = x - trunc(x)
    case OpId::Floor:
    case OpId::Ceil:
    case OpId::Round:
    case OpId::RoundDecimals:
    case OpId::Trunc: return {zero_like(g, g.sizes())};
    case OpId::Frac: return {g};
    case OpId::Tan: {
      Tensor y = S(1);
      return {mul(g, add(mul(y, y), sc(1)))};
    }
    case OpId::Sinh: return {mul(g, cosh(S(0)))};
    case OpId::Cosh: return {mul(g, sinh(S(0)))};
    case OpId::Asin:
    case OpId::Acos: {
      Tensor x = S(0), d = rsqrt(rsub(mul(x, x), 1));
      return {node.op == OpId::Asin ? mul(g, d) : mul(neg(g), d)};
    }
    case OpId::Atan: {
      Tensor x = S(0);
      return {div(g, add(mul(x, x), sc(1)))};
    }
    case OpId::Asinh: {
      Tensor x = S(0);
      return {mul(g, rsqrt(add(mul(x, x), sc(1))))};
    }
    case OpId::Acosh: {
      Tensor x = S(0);
      return {mul(g, rsqrt(sub(mul(x, x), sc(1))))};
    }
    case OpId::Atanh: {
      Tensor x = S(0);
      return {div(g, rsub(mul(x, x), 1))};
    }
    case OpId::Log2: return {div(g, mul(S(0), sc(M_LN2)))};
    case OpId::Log10: return {div(g, mul(S(0), sc(M_LN10)))};
    case OpId::Silu: {
      Tensor x = S(0), s = sigmoid(x);
      return {mul(g, mul(s, add(mul(x, rsub(s, 1)), sc(1))))};
    }

    // ---- binary: saved[0] = self, saved[1] = other, saved[2] = result; f[0] = alpha ----
    // An empty f: the default alpha 1 (binary() in lib/ops/pointwise.cpp stores nothing then).
    case OpId::Add: return {g, F.empty() || F[0] == 1 ? g : mul(g, sc(F[0]))};
    case OpId::Sub: return {g, F.empty() || F[0] == 1 ? neg(g) : mul(neg(g), sc(F[0]))};
    case OpId::Mul: {
      Tensor gs, go;
      if (needs(0) && needs(1) && mul_backward_fused(g, S(0), S(1), &gs, &go)) return {gs, go};
      return {needs(0) ? mul(g, S(1)) : Tensor(), needs(1) ? mul(g, S(0)) : Tensor()};
    }
    case OpId::Div: {
      Tensor self = S(0), other = S(1);
      return {needs(0) ? div(g, other) : Tensor(),
              needs(1) ? mul(neg(g), div(div(self, other), other)) : Tensor()};
    }
    case OpId::Pow: {
      Tensor self = S(0), other = S(1), result = S(2);
      Tensor gs, go;
      if (needs(0))
        gs = where(compare(CmpId::Eq, other, sc(0)), sc(0),
                   mul(g, mul(other, pow(self, sub(other, sc(1))))));
      if (needs(1)) {
        Tensor at_zero = compare(CmpId::LogicalAnd, compare(CmpId::Eq, self, sc(0)),
                                 compare(CmpId::Ge, other, sc(0)));
        go = mul(g, where(at_zero, sc(0), mul(result, log(self))));
      }
      return {gs, go};
    }
    case OpId::Maximum:
    case OpId::Minimum: {
      // Ties split the gradient in half, as torch does.
      Tensor self = S(0), other = S(1);
      CmpId lose = node.op == OpId::Maximum ? CmpId::Lt : CmpId::Gt;
      CmpId win = node.op == OpId::Maximum ? CmpId::Gt : CmpId::Lt;
      Tensor half = where(compare(CmpId::Eq, self, other), div(g, sc(2)), g);
      return {needs(0) ? where(compare(lose, self, other), sc(0), half) : Tensor(),
              needs(1) ? where(compare(win, self, other), sc(0), half) : Tensor()};
    }

    case OpId::Atan2: {
      // torch's 1 / (self^2 + other^2) is 0 where that sum is 0 (atan2 at the origin, or
      // squares that underflow): a zero gradient there, not 0/0
      Tensor self = S(0), other = S(1);
      Tensor r2 = add(mul(self, self), mul(other, other));
      Tensor recip = where(compare(CmpId::Eq, r2, sc(0)), sc(0), reciprocal(r2));
      return {needs(0) ? mul(g, mul(other, recip)) : Tensor(),
              needs(1) ? mul(g, mul(neg(self), recip)) : Tensor()};
    }
    case OpId::Hypot: {
      Tensor self = S(0), other = S(1), result = S(2);
      return {needs(0) ? mul(g, div(self, result)) : Tensor(),
              needs(1) ? mul(g, div(other, result)) : Tensor()};
    }
    case OpId::Xlogy: {
      // torch's formulas: xlogy(g, y) set to 0 where x == 0 and y <= 0 (a where after the
      // product, so an infinite g gives 0 there, not NaN); d/dy = g * x / y
      Tensor self = S(0), other = S(1);
      Tensor at_zero = needs(0) ? compare(CmpId::LogicalAnd, compare(CmpId::Eq, self, sc(0)),
                                          compare(CmpId::Le, other, sc(0)))
                                : Tensor();
      return {needs(0) ? where(at_zero, sc(0), xlogy(g, other)) : Tensor(),
              needs(1) ? div(mul(g, self), other) : Tensor()};
    }
    case OpId::Fmod:
    case OpId::Remainder: {
      // a - q * b with q = trunc(a / b) (fmod) or a floor division (remainder: torch's
      // div(rounding_mode="floor"), NaN for an infinite a), q constant a.e.
      Tensor self = S(0), other = S(1), q;
      if (needs(1))
        q = node.op == OpId::Fmod ? trunc(div(self, other))
                                  : floor_divide(detach(self), detach(other));
      return {needs(0) ? g : Tensor(), needs(1) ? mul(neg(g), q) : Tensor()};
    }
    case OpId::FloorDivide: TG_ERROR("derivative for aten::floor_divide is not implemented");
    case OpId::FmodScalar:
    case OpId::RemainderScalar: return {g};
    case OpId::XlogyScalarSelf: return {div(mul(g, sc(F[0])), S(0))};  // saved[0] = other
    case OpId::XlogyScalarOther: {  // saved[0] = self; the number y in f[0]
      Tensor d = xlogy(g, Scalar(F[0]));
      if (F[0] > 0) return {d};
      return {where(compare(CmpId::Eq, S(0), sc(0)), sc(0), d)};
    }
    case OpId::Sort:
    case OpId::SortStable:
    case OpId::Topk:  // saved[0] = indices; i = {dim, dim as given}; shape = self's sizes
      if (node.shape.empty()) return {g};
      return {scatter_add(zero_like(g, node.shape), I[0], S(0), g)};
    case OpId::NanToNum: return {mask_where(isfinite(S(0)), g)};
    case OpId::MaskedSelect: {
      // g fills the selected places of the broadcast shape in row-major order (the engine sums
      // it down to self's shape)
      Tensor m = expand(S(0), node.shape);
      if (node.shape.empty())  // 0-d: a 0-d bool index cannot address g's 0 or 1 elements
        return {reshape(index_put(zero_like(g, {1}), {reshape(m, {1})}, g, false), {})};
      return {index_put(zero_like(g, node.shape), {m}, g, false)};
    }
    case OpId::ClampMin:
    case OpId::ClampMax:
      return {mask_where(compare(node.op == OpId::ClampMin ? CmpId::Ge : CmpId::Le, S(0), sc(F[0])), g)};
    case OpId::ClampMinTensor:
    case OpId::ClampMaxTensor: {
      // the gradient goes to self where self is kept (ties included), to the bound elsewhere
      Tensor self = S(0), bound = S(1);
      Tensor keep = compare(node.op == OpId::ClampMinTensor ? CmpId::Ge : CmpId::Le, self, bound);
      return {needs(0) ? mask_where(keep, g) : Tensor(),
              needs(1) ? where(keep, sc(0), g) : Tensor()};
    }
    case OpId::Logit: {
      // 1 / (x (1 - x)); with eps the gradient is 0 outside [eps, 1 - eps]; NaN outside
      // [0, 1] without eps (torch's formula)
      Tensor x = S(0);
      Tensor d = div(g, mul(x, rsub(x, 1)));
      if (I[0]) {
        const double lo = F[0], hi = 1 - F[0];
        Tensor out = compare(CmpId::LogicalOr, compare(CmpId::Lt, x, sc(lo)),
                             compare(CmpId::Gt, x, sc(hi)));
        return {where(out, sc(0), d)};
      }
      Tensor out = compare(CmpId::LogicalOr, compare(CmpId::Lt, x, sc(0)),
                           compare(CmpId::Gt, x, sc(1)));
      return {where(out, sc(NAN), d)};
    }

    // ---- pointwise with scalars ----
    case OpId::PowScalar: {
      const double e = F[0];
      Tensor self = S(0);
      if (e == 0) return {zero_like(g, self.sizes())};
      // x ** 1 is x exactly: skip that pow for the common square.
      return {mul(g, mul(e == 2 ? self : pow(self, Scalar(e - 1)), sc(e)))};
    }
    case OpId::RPow: {
      const double base = F[0];
      if (base == 0) return {zero_like(g, g.sizes())};  // 0 ** x: gradient 0 where defined
      return {mul(g, mul(S(0), sc(std::log(base))))};
    }
    case OpId::Rsub: return {F[0] == 1 ? neg(g) : mul(neg(g), sc(F[0]))};
    case OpId::RsubTensor: return {F.empty() || F[0] == 1 ? neg(g) : mul(neg(g), sc(F[0])), g};
    case OpId::DivScalar: return {div(g, Scalar(F[0]))};
    case OpId::Clamp: {
      // Inside [min, max] (bounds included) the gradient passes; outside it is 0.
      Tensor self = S(0), m;
      if (I[0]) m = compare(CmpId::Ge, self, sc(F[0]));
      if (I[1]) {
        Tensor hi = compare(CmpId::Le, self, sc(F[1]));
        m = m.defined() ? compare(CmpId::LogicalAnd, m, hi) : hi;
      }
      return {mask_where(m, g)};
    }
    case OpId::ClampTensor: {
      Tensor self = S(0), lo = S(1), hi = S(2), m, glo, ghi;
      if (lo.defined()) m = compare(CmpId::Ge, self, lo);
      if (hi.defined()) {
        Tensor h = compare(CmpId::Le, self, hi);
        m = m.defined() ? compare(CmpId::LogicalAnd, m, h) : h;
      }
      if (needs(1)) {
        Tensor below = compare(CmpId::Lt, self, lo);
        if (hi.defined()) below = compare(CmpId::LogicalAnd, below, compare(CmpId::Lt, lo, hi));
        glo = mask_where(below, g);
      }
      if (needs(2)) {
        Tensor above = compare(CmpId::Gt, self, hi);
        if (lo.defined()) above = compare(CmpId::LogicalOr, above, compare(CmpId::Lt, hi, lo));
        ghi = mask_where(above, g);
      }
      return {needs(0) ? mask_where(m, g) : Tensor(), glo, ghi};
    }
    case OpId::Where: {
      Tensor cond = S(0);
      return {needs(0) ? where(cond, g, sc(0)) : Tensor(),
              needs(1) ? where(cond, sc(0), g) : Tensor()};
    }

    case OpId::Addcmul: {
      Tensor gv = F[0] == 1 ? g : mul(g, sc(F[0]));
      return {g, needs(1) ? mul(gv, S(1)) : Tensor(), needs(2) ? mul(gv, S(0)) : Tensor()};
    }
    case OpId::Addcdiv: {
      Tensor t1 = S(0), t2 = S(1), gv = F[0] == 1 ? g : mul(g, sc(F[0]));
      return {g, needs(1) ? div(gv, t2) : Tensor(),
              needs(2) ? neg(div(mul(gv, t1), mul(t2, t2))) : Tensor()};
    }
    case OpId::Lerp: return {mul(g, sc(1 - F[0])), mul(g, sc(F[0]))};
    case OpId::LerpTensor: {
      Tensor self = S(0), end = S(1), w = S(2);
      Tensor gw = mul(g, w);
      return {needs(0) ? sub(g, gw) : Tensor(), needs(1) ? gw : Tensor(),
              needs(2) ? mul(g, sub(end, self)) : Tensor()};
    }
    case OpId::MaskedFill: return {where(S(0), sc(0), g)};
    case OpId::MaskedFillTensor: {
      Tensor m = S(0);
      return {needs(0) ? where(m, sc(0), g) : Tensor(), needs(1) ? where(m, g, sc(0)) : Tensor()};
    }

    // ---- reductions: shape = input sizes; i = dims..., keepdim ----
    case OpId::Sum: return {expand(g, node.shape)};
    case OpId::SumDim: {
      std::vector<int64_t> dims(I.begin(), I.end() - 1);
      return {sum_backward(g, node.shape, dims, I.back())};
    }
    case OpId::Mean: return {div(expand(g, node.shape), Scalar(static_cast<int64_t>(F[0])))};
    case OpId::MeanDim: {
      std::vector<int64_t> dims(I.begin(), I.end() - 1);
      return {div(sum_backward(g, node.shape, dims, I.back()), Scalar(static_cast<int64_t>(F[0])))};
    }
    case OpId::MaxAll:
    case OpId::MinAll: return {evenly_distribute(g, S(0), S(1))};
    case OpId::MaxDim:
    case OpId::MinDim: {
      const int64_t d = I[0];
      Tensor idx = S(0), gg = g;
      if (!I[1] && !node.shape.empty()) {
        idx = unsqueeze(idx, d);
        gg = unsqueeze(gg, d);
      }
      if (node.shape.empty()) return {gg};
      return {scatter_add(zero_like(g, node.shape), d, idx, gg)};
    }
    case OpId::Amax:
    case OpId::Amin: {
      Tensor self = S(0), result = S(1);
      std::vector<int64_t> dims(I.begin(), I.end() - 1);
      Tensor gg = g, rr = result;
      if (!I.back())
        for (auto d : dims) {
          gg = unsqueeze(gg, d);
          rr = unsqueeze(rr, d);
        }
      Tensor mask = compare(CmpId::Eq, self, rr);
      Tensor count = dims.empty() && self.dim() > 0 ? sum(mask) : sum(mask, dims, true);
      return {mul(div(gg, count), mask)};
    }

    case OpId::Prod:
    case OpId::ProdDim:
      return {detail::prod_backward(g, S(0), S(1), I[0], I[1], node.op == OpId::Prod)};
    case OpId::Logsumexp: {
      Tensor self = S(0), result = S(1);
      std::vector<int64_t> dims(I.begin(), I.end() - 1);
      const bool keep = I.back();
      return {mul(unsqueeze_dims(g, dims, keep, self.dim()),
                  exp(sub(self, unsqueeze_dims(result, dims, keep, self.dim()))))};
    }
    case OpId::Var:
    case OpId::Std: {
      Tensor self = S(0);
      std::vector<int64_t> dims(I.begin(), I.end() - 1);
      const bool keep = I.back();
      Tensor gu = unsqueeze_dims(g, dims, keep, self.dim());
      if (node.op == OpId::Std)
        gu = div(gu, mul(unsqueeze_dims(S(1), dims, keep, self.dim()), sc(2)));
      return {var_backward(gu, self, dims, F[0])};
    }

    // ---- scans: i = {dim (wrapped), dim as given}; cumprod saves self, result ----
    case OpId::Cumsum: return {detail::cumsum_backward(g, I[0])};
    case OpId::Cumprod: return {detail::cumprod_backward(g, S(0), S(1), I[0])};

    // ---- helper M's block: special functions, extra binary math, norms, order statistics ----
    // unary rows: saved[0] = self
    case OpId::Erfc: {
      Tensor x = S(0);
      return {mul(g, mul(exp(neg(mul(x, x))), sc(-M_2_SQRTPI)))};
    }
    case OpId::Erfinv: {  // sqrt(pi) / 2 * exp(erfinv(x)^2)
      Tensor y = erfinv(S(0));
      return {mul(g, mul(exp(mul(y, y)), sc(0.88622692545275801365)))};
    }
    case OpId::Lgamma: return {mul(g, digamma(S(0)))};
    case OpId::Digamma: return {mul(g, polygamma(1, S(0)))};
    case OpId::Polygamma: return {mul(g, polygamma(I[0] + 1, S(0)))};
    // helper S's torch.special rows (backward_special.cpp)
    case OpId::I0: case OpId::SpecialI0e: case OpId::SpecialI1: case OpId::SpecialI1e:
    case OpId::SpecialNdtri: case OpId::SpecialLogNdtr: case OpId::SpecialErfcx:
    case OpId::SpecialEntr: case OpId::SpecialXlog1py: case OpId::SpecialXlog1pyScalarSelf:
    case OpId::SpecialXlog1pyScalarOther: case OpId::SpecialZeta: case OpId::SpecialZetaScalarSelf:
    case OpId::SpecialZetaScalarOther: case OpId::Igamma: case OpId::Igammac: case OpId::Mvlgamma:
      return detail::special_backward(node, g);
    case OpId::Sinc: {
      // torch's sinc_backward, in its order: g * (pi x cos(pi x) - sin(pi x)) / (x x pi), then
      // 0 where x x pi is 0 (x = 0 or underflowed; a where after the product, so an infinite
      // g gives 0 there)
      Tensor x = S(0), px = mul(x, sc(M_PI)), sq = mul(mul(x, x), sc(M_PI));
      Tensor d = div(mul(g, sub(mul(px, cos(px)), sin(px))), sq);
      return {where(compare(CmpId::Eq, sq, sc(0)), sc(0), d)};
    }
    case OpId::Deg2rad: return {mul(g, sc(M_PI / 180.0))};
    case OpId::Rad2deg: return {mul(g, sc(180.0 / M_PI))};
    case OpId::Sgn: return {zero_like(g, g.sizes())};
    // binary rows: saved[0] = self, saved[1] = other, saved[2] = result
    case OpId::Copysign:
    case OpId::CopysignScalar: {  // result / self (|sign| flip), 0 at self == 0; other: zero
      Tensor self = S(0), result = node.op == OpId::Copysign ? S(2) : S(1), gs, go;
      if (needs(0))
        gs = mul(g, where(compare(CmpId::Eq, self, sc(0)), sc(0), div(result, self)));
      if (node.op == OpId::Copysign && needs(1)) go = zero_like(g, g.sizes());
      if (node.op == OpId::CopysignScalar) return {gs};
      return {gs, go};
    }
    case OpId::Fmax:
    case OpId::Fmin: {  // self takes ties; a NaN other hands the gradient to self
      Tensor self = S(0), other = S(1);
      Tensor to_self = compare(CmpId::LogicalOr,
                               compare(node.op == OpId::Fmax ? CmpId::Ge : CmpId::Le, self, other),
                               isnan(other));
      return {needs(0) ? mask_where(to_self, g) : Tensor(),
              needs(1) ? where(to_self, sc(0), g) : Tensor()};
    }
    case OpId::Logaddexp:
    case OpId::Logaddexp2: {  // g / (1 + base^(other - self)) and the mirror for other
      Tensor self = S(0), other = S(1);
      auto pw = [&](const Tensor& d) { return node.op == OpId::Logaddexp ? exp(d) : exp2(d); };
      return {needs(0) ? div(g, add(pw(sub(other, self)), sc(1))) : Tensor(),
              needs(1) ? div(g, add(pw(sub(self, other)), sc(1))) : Tensor()};
    }
    case OpId::Heaviside:
    case OpId::BitwiseAnd:
    case OpId::BitwiseOr:
    case OpId::BitwiseXor:
    case OpId::Gcd:
    case OpId::Lcm: TG_ERROR("derivative for aten::", op_name(node.op), " is not implemented");
    // norms: saved[0] = self, saved[1] = result (dist: self, other, result); f[0] = ord;
    // i = dims..., keepdim
    case OpId::LinalgVectorNorm: {
      std::vector<int64_t> dims(I.begin(), I.end() - 1);
      return {detail::norm_backward(g, S(0), S(1), F[0], dims, I.back())};
    }
    case OpId::Dist: {
      // p = 0: torch's self gradient is undefined (grad stays None), and negating it for
      // other fails with this error
      if (F[0] == 0) {
        TG_CHECK(!needs(1), "Expected a proper Tensor but got None (or an undefined Tensor in "
                 "C++) for argument #0 'self'");
        return {Tensor(), Tensor()};
      }
      Tensor d = detail::norm_backward(g, sub(S(0), S(1)), S(2), F[0], {}, false);
      return {needs(0) ? d : Tensor(), needs(1) ? neg(d) : Tensor()};
    }
    // cdist: saved x1, x2, result; f[0] = p (lib/ops/cdist.cpp)
    case OpId::Cdist:
      return detail::cdist_backward(g, S(0), S(1), F[0], S(2), needs(0), needs(1));
    case OpId::EuclideanDist:
      return detail::euclidean_dist_backward(g, S(0), S(1), S(2), needs(0), needs(1));
    case OpId::Nansum: {  // i = dims..., keepdim; saved[0] = self
      std::vector<int64_t> dims(I.begin(), I.end() - 1);
      Tensor self = S(0);
      // times the mask, not a where: an infinite gradient gives NaN at a NaN input, as torch's
      return {mul(sum_backward(g, self.sizes(), dims, I.back()), logical_not(isnan(self)))};
    }
    // median / nanmedian of the whole tensor: ties (NaN with NaN) share the gradient evenly
    case OpId::Median:
    case OpId::Nanmedian: return {evenly_distribute(g, S(0), S(1))};
    // value-selecting reductions and scans: saved[0] = indices; i = {dim, keepdim}
    case OpId::MedianDim:
    case OpId::NanmedianDim:
    case OpId::Kthvalue:
    case OpId::Mode:
      return {detail::value_selecting_backward(g, I[0], S(0), node.shape, I[1])};
    case OpId::Cummax:
    case OpId::Cummin:
      if (node.shape.empty()) return {g};
      return {scatter_add(zero_like(g, node.shape), I[0], S(0), g)};
    case OpId::Logcumsumexp:  // saved[0] = self, saved[1] = result; i = {dim}
      return {detail::logcumsumexp_backward(g, S(0), S(1), I[0])};
    case OpId::VarMean:
    case OpId::StdMean:
    case OpId::Aminmax: break;  // two outputs: handled above (two_output_reduction_backward)

    // ---- linear algebra: saved[0] = self (mat1), saved[1] = other (mat2) ----
    case OpId::Mm:
      return {needs(0) ? mm(g, t(S(1))) : Tensor(),
              needs(1) ? mm_mat2_grad(g, S(0), I.size() > 4 && I[4]) : Tensor()};
    case OpId::Bmm:
      return {needs(0) ? bmm(g, transpose(S(1), 1, 2)) : Tensor(),
              needs(1) ? bmm(transpose(S(0), 1, 2), g) : Tensor()};
    case OpId::Mv:
      return {needs(0) ? mul(unsqueeze(g, 1), unsqueeze(S(1), 0)) : Tensor(),
              needs(1) ? mv(t(S(0)), g) : Tensor()};
    case OpId::Dot:
      return {needs(0) ? mul(g, S(1)) : Tensor(), needs(1) ? mul(g, S(0)) : Tensor()};
    case OpId::Addmm: {
      const double beta = F[0], alpha = F[1];
      Tensor gb = needs(0) ? (beta == 1 ? g : mul(g, sc(beta))) : Tensor();
      Tensor g1, g2;
      if (needs(1)) g1 = mm(g, t(S(1)));
      if (needs(2)) g2 = mm_mat2_grad(g, S(0), I.size() > 5 && I[4]);
      if (alpha != 1) {
        if (g1.defined()) g1 = mul(g1, sc(alpha));
        if (g2.defined()) g2 = mul(g2, sc(alpha));
      }
      return {gb, g1, g2};
    }

    // ---- movement: shape = input sizes ----
    case OpId::View:
    case OpId::UnsafeView:
    case OpId::Squeeze:
    case OpId::SqueezeDim:
    case OpId::SqueezeDims:
    case OpId::SqueezeInplace: return {reshape(g, node.shape)};
    case OpId::Transpose: return {transpose(g, I[0], I[1])};
    case OpId::T: return {t(g)};
    case OpId::Permute: {
      std::vector<int64_t> inv(I.size());
      for (size_t k = 0; k < I.size(); ++k) inv[I[k]] = static_cast<int64_t>(k);
      return {permute(g, inv)};
    }
    case OpId::Unsqueeze: return {squeeze(g, I[0])};
    case OpId::Expand: return {sum_to(g, node.shape)};
    case OpId::Select: return {select_backward(g, node.shape, I[0], I[1])};
    case OpId::Slice: return {slice_backward(g, node.shape, I[0], I[1], I[2], I[3])};
    // saved[0] = grad_output, saved[1] = y (lib/ops/activation_backward.cpp)
    case OpId::ThresholdBackward:
      return {needs(0) ? threshold_backward(g, S(1)) : Tensor(),
              needs(1) ? zero_like(g, g.sizes()) : Tensor()};
    case OpId::SigmoidBackward:  // d/dy [go * (1 - y) * y] = go * (1 - 2y)
      return {needs(0) ? sigmoid_backward(g, S(1)) : Tensor(),
              needs(1) ? mul(mul(g, S(0)), rsub(mul(S(1), sc(2)), 1)) : Tensor()};
    case OpId::TanhBackward:  // d/dy [go * (1 - y^2)] = -2 go y
      return {needs(0) ? tanh_backward(g, S(1)) : Tensor(),
              needs(1) ? mul(mul(g, S(0)), mul(S(1), sc(-2))) : Tensor()};
    case OpId::SelectBackward: return {select(g, I[0], I[1])};
    case OpId::SliceBackward: return {slice(g, I[0], I[1], I[2], I[3])};
    case OpId::AsStrided: {
      size_t pos = 0;
      ViewGeometry base = unpack_geometry(I, pos);
      return {as_strided_backward(g, base, unpack_geometry(I, pos))};
    }
    case OpId::Alias: return {g};
    case OpId::Diagonal: {
      // The diagonal's positions within a contiguous tensor of the input's shape.
      ViewGeometry in{node.shape, contiguous_strides(node.shape), 0};
      return {as_strided_backward(g, in, diagonal_geometry(in, I[0], I[1], I[2]))};
    }
    case OpId::Unfold: {  // i = {dim, size, step, dim as given}; overlapping windows add up
      ViewGeometry in{node.shape, contiguous_strides(node.shape), 0};
      return {as_strided_backward(g, in, unfold_geometry(in, I[0], I[1], I[2]))};
    }
    case OpId::Split:
    case OpId::SplitWithSizes:
    case OpId::Unbind: break;  // handled above (several gradients)
    case OpId::Flip: return {flip(g, I)};  // i = the dims as given
    case OpId::Roll: {  // i = {n, shifts (n), dims}
      std::vector<int64_t> back(I.begin() + 1, I.begin() + 1 + I[0]);
      for (auto& s : back) s = -s;
      return {roll(g, back, std::vector<int64_t>(I.begin() + 1 + I[0], I.end()))};
    }
    case OpId::Repeat: return {detail::repeat_backward(g, I, node.shape)};
    case OpId::Index: {
      // saved[0, i[0]): the expanded indices, then the indices as given; torch's backward
      // records the ones as given (its IndexPutImplBackward0 shows a mask unexpanded)
      std::vector<Tensor> idx;
      for (size_t k = I[0]; k < node.saved.size(); ++k) idx.push_back(S(k));
      return {index_put_impl(zero_like(g, node.shape), idx, g, true)};
    }
    case OpId::IndexPutImpl:
    case OpId::IndexPut: {
      std::vector<Tensor> idx;  // saved[0, i[1]): the expanded indices (see Index)
      for (int64_t k = 0; k < I[1]; ++k) idx.push_back(S(k));
      Tensor gs;
      if (needs(0)) gs = I[0] ? g : index_put(g, idx, zeros({}, g.dtype()), false);
      return {gs, needs(1) ? index(g, idx) : Tensor()};
    }
    case OpId::Gather: return {scatter_add(zero_like(g, node.shape), I[0], S(0), g)};
    // src may be larger than index: the gathered gradient then has index's shape and the
    // engine rejects it, as torch's does ("returned an invalid gradient").
    case OpId::ScatterAdd: return {g, needs(1) ? gather(g, I[0], S(0)) : Tensor()};
    case OpId::IndexSelect: {
      if (node.shape.empty()) return {reshape(sum(g), {})};
      std::vector<Tensor> idx(I[0] + 1);
      idx[I[0]] = S(0);
      return {index_put(zero_like(g, node.shape), idx, g, true)};
    }
    case OpId::Tril: return {tril(g, I[0])};
    case OpId::Triu: return {triu(g, I[0])};
    case OpId::Im2Col:
      return {col2im(g, {I[10], I[11]}, {I[0], I[1]}, {I[2], I[3]}, {I[4], I[5]}, {I[6], I[7]},
                     {I[8], I[9]})};
    case OpId::Col2Im:
      return {im2col(g, {I[0], I[1]}, {I[2], I[3]}, {I[4], I[5]}, {I[6], I[7]}, {I[8], I[9]})};
    case OpId::ConstantPadNd: {
      std::vector<int64_t> back(I.size());
      for (size_t k = 0; k < I.size(); ++k) back[k] = -I[k];  // crop what was added
      return {constant_pad_nd(g, back, 0)};
    }
    case OpId::Cat: {
      const int64_t d = I.back();
      TensorList out;
      int64_t off = 0;
      for (size_t k = 0; k + 1 < I.size(); ++k) {
        if (I[k] < 0) {  // a legacy 1-D empty input, skipped: its gradient is empty, as torch's
          out.push_back(needs(k) ? empty(Shape{0}, g.dtype(), g.device()) : Tensor());
          continue;
        }
        out.push_back(needs(k) ? slice(g, d, off, off + I[k]) : Tensor());
        off += I[k];
      }
      return out;
    }
    case OpId::Stack: {
      TensorList out;
      for (size_t k = 0; k < node.next_edges.size(); ++k)
        out.push_back(needs(k) ? select(g, I[0], static_cast<int64_t>(k)) : Tensor());
      return out;
    }
    case OpId::Clone:
    case OpId::ToCopy: return {g};  // the engine casts to the input's dtype
    case OpId::Zero:
    case OpId::Fill: return {zero_like(g, g.sizes())};
    case OpId::FillTensor: return {zero_like(g, g.sizes()), needs(1) ? sum(g) : Tensor()};
    case OpId::Copy: return {zero_like(g, g.sizes()), g};
    case OpId::Uniform:
    case OpId::Normal:
    case OpId::Bernoulli: return {zero_like(g, g.sizes())};

    // ---- indexing/scatter and products (index_ops.h; helpers in backward_index.cpp) ----
    case OpId::Scatter:  // saved[0] = index; i = {dim}
      return {needs(0) ? scatter(g, I[0], S(0), Scalar(0)) : Tensor(),
              needs(1) ? gather(g, I[0], S(0)) : Tensor()};
    case OpId::ScatterValue: return {scatter(g, I[0], S(0), Scalar(0))};
    case OpId::ScatterReduce:  // saved: index, self, src, result; i = {dim, include_self, reduce,
      // dim as given, reduce given as "max"/"min"}
      TG_CHECK(!I[4], "Expected 'reduce' to be one of 'sum', 'prod', 'mean', 'amax', 'amin' but "
               "got ", I[2] == 3 ? "max" : "min", ".");
      return detail::scatter_reduce_backward(g, S(0), S(1), S(2), S(3), I[0], I[1], I[2],
                                             {needs(0), needs(1)});
    case OpId::IndexAdd:  // i = {dim, source.dim()}; f = {alpha}
      return {needs(0) ? g : Tensor(),
              needs(1) ? detail::index_source_grad(g, I[0], S(0), I[1], F[0]) : Tensor()};
    case OpId::IndexCopy:
      return {needs(0) ? index_fill(g, I[0], S(0), Scalar(0)) : Tensor(),
              needs(1) ? detail::index_source_grad(g, I[0], S(0), I[1], 1) : Tensor()};
    case OpId::IndexFill: return {index_fill(g, I[0], S(0), Scalar(0))};
    case OpId::IndexFillTensor:
      return {needs(0) ? index_fill(g, I[0], S(0), Scalar(0)) : Tensor(),
              // each filled place once, however often the index names it (torch dedupes)
              needs(1) ? sum(sub(g, index_fill(g, I[0], S(0), Scalar(0)))) : Tensor()};
    case OpId::MaskedScatter:  // saved[0] = mask; shape = source sizes
      return {needs(0) ? masked_fill(g, S(0), Scalar(0)) : Tensor(),
              needs(1) ? detail::masked_scatter_source_grad(g, S(0), node.shape) : Tensor()};
    case OpId::Take: {  // the adjoint of reading a's flat elements: accumulate into zeros
      Tensor flat = index_put(zero_like(g, {numel_of(node.shape)}), {reshape(S(0), {-1})},
                              reshape(g, {-1}), true);
      return {reshape(flat, node.shape)};
    }
    case OpId::DiagEmbed: return {diagonal(g, I[0], I[1], I[2])};
    case OpId::DiagonalCopy: {
      ViewGeometry in{node.shape, contiguous_strides(node.shape), 0};
      return {as_strided_backward(g, in, diagonal_geometry(in, I[0], I[1], I[2]))};
    }
    case OpId::Trace: {  // g on the diagonal, zeros elsewhere (torch fills; not g times eye)
      Tensor e = eye(node.shape[0], node.shape[1], DType::Bool);
      return {where(g.device().is_cpu() ? e : to(e, g.device(), DType::Bool), g,
                    zeros({}, g.dtype(), g.device()))};
    }
    case OpId::Vdot:
      return {needs(0) ? mul(g, S(1)) : Tensor(), needs(1) ? mul(g, S(0)) : Tensor()};
    case OpId::Addmv:
    case OpId::Addr:
    case OpId::Addbmm:
    case OpId::Baddbmm:
      return detail::addprod_backward(node.op, g, S(0), S(1), F[0], F[1],
                                      {needs(0), needs(1), needs(2)});
    case OpId::Rot90: return {rot90(g, -I[0], {I[1], I[2]})};
    case OpId::BlockDiag: {
      TensorList out;
      for (size_t k = 0; k < node.next_edges.size(); ++k) {
        if (!needs(k)) {
          out.push_back(Tensor());
          continue;
        }
        const int64_t* p = &I[4 * k];
        Tensor block = slice(slice(g, 0, p[0], p[0] + p[2]), 1, p[1], p[1] + p[3]);
        out.push_back(reshape(block, node.input_meta[k].sizes.vec()));
      }
      return out;
    }

    // ---- nn ----
    case OpId::Softmax: {
      Tensor y = S(0);
      return {mul(y, sub(g, sum(mul(g, y), {I[0]}, true)))};
    }
    case OpId::LogSoftmax: return {sub(g, mul(exp(S(0)), sum(g, {I[0]}, true)))};
    case OpId::MseLoss: {
      Tensor x = S(0), tg = S(1);
      auto r = static_cast<Reduction>(I[0]);
      Tensor base = loss_scale(r, x, mul(mul(sub(x, tg), sc(2)), g));
      return {needs(0) ? base : Tensor(), needs(1) ? neg(base) : Tensor()};
    }
    case OpId::BinaryCrossEntropy: {
      Tensor x = S(0), tg = S(1), w = S(2);
      auto r = static_cast<Reduction>(I[0]);
      Tensor gx, gt;
      if (needs(0)) {
        Tensor denom = clamp(mul(rsub(x, 1), x), Scalar(1e-12), std::nullopt);
        gx = div(mul(g, sub(x, tg)), denom);
        if (w.defined()) gx = mul(gx, w);
        gx = loss_scale(r, x, gx);
      }
      if (needs(1)) {
        gt = mul(sub(log(rsub(x, 1)), log(x)), g);
        if (w.defined()) gt = mul(gt, w);
        gt = loss_scale(r, x, gt);
      }
      return {gx, gt, Tensor()};
    }
    case OpId::BinaryCrossEntropyWithLogits: {
      Tensor x = S(0), tg = S(1), w = S(2), pw = S(3);
      auto r = static_cast<Reduction>(I[0]);
      Tensor gx, gt;
      if (needs(0)) {
        if (pw.defined()) {
          Tensor pt = mul(pw, tg);
          gx = sub(mul(sub(add(pt, sc(1)), tg), sigmoid(x)), pt);
        } else {
          gx = sub(sigmoid(x), tg);
        }
        gx = mul(gx, g);
        if (w.defined()) gx = mul(gx, w);
        gx = loss_scale(r, x, gx);
      }
      if (needs(1)) {
        gt = pw.defined() ? sub(log_sigmoid(neg(x)), mul(log_sigmoid(x), pw)) : neg(x);
        gt = mul(gt, g);
        if (w.defined()) gt = mul(gt, w);
        gt = loss_scale(r, x, gt);
      }
      return {gx, gt, Tensor(), Tensor()};
    }
    case OpId::NllLoss2d:
    case OpId::NllLoss: {
      return {detail::nll_loss_grad(node.shape, g, S(0), S(1), S(3), I[0], I[1])};
    }
    case OpId::Gelu: return {detail::gelu_backward(g, S(0), I[0])};
    case OpId::Softplus: {
      Tensor z = mul(S(0), sc(F[0]));
      return {where(compare(CmpId::Gt, z, sc(F[1])), g, mul(g, sigmoid(z)))};
    }
    case OpId::LeakyRelu: case OpId::LeakyReluInplace: case OpId::Elu: case OpId::EluInplace:
    case OpId::Celu: case OpId::CeluInplace: case OpId::Hardtanh: case OpId::Hardsigmoid:
    case OpId::Hardswish: case OpId::Mish: case OpId::LogSigmoid: case OpId::Softshrink:
    case OpId::Hardshrink: case OpId::Threshold: case OpId::ThresholdInplace: case OpId::Glu:
    case OpId::PreluKernel: case OpId::SmoothL1Loss: case OpId::HuberLoss:
    case OpId::SoftMarginLoss: case OpId::NormDim:
      return detail::activation_backward(node, g);
    case OpId::LayerNorm:
      return detail::layer_norm_backward(g, S(0), S(1), I, F[0], {needs(0), needs(1), needs(2)});
    case OpId::BatchNorm:
      // training never unpacks the running statistics (see lib/ops/batch_norm.cpp)
      return detail::batch_norm_backward(g, S(0), S(1), I[0] ? Tensor() : S(2),
                                         I[0] ? Tensor() : S(3), I[0] != 0, F[0],
                                         {needs(0), needs(1), needs(2)});
    case OpId::GroupNorm:
      return detail::group_norm_backward(g, S(0), S(1), I[3], F[0], {needs(0), needs(1), needs(2)});
    case OpId::Embedding: return {detail::embedding_backward(g, S(0), node.shape, I[0], I[1])};
    case OpId::Convolution:
      return detail::convolution_backward(g, S(0), S(1), I, {needs(0), needs(1), needs(2)});
    case OpId::MaxPool2d: return {detail::max_pool2d_backward(g, S(0), node.shape)};
    case OpId::ReflectionPad1d:
    case OpId::ReflectionPad2d:
    case OpId::ReflectionPad3d:
    case OpId::ReplicationPad1d:
    case OpId::ReplicationPad2d:
    case OpId::ReplicationPad3d: {
      const bool reflect = node.op == OpId::ReflectionPad1d || node.op == OpId::ReflectionPad2d ||
                           node.op == OpId::ReflectionPad3d;
      return {detail::index_pad_backward(g, node.shape, I, reflect)};
    }
    case OpId::NumOps: break;
  }
  TG_ERROR("internal: no derivative for ", node.name());
}

}  // namespace tapegrad
