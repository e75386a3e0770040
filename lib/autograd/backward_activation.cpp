// Backward formulas of the activations with arguments, glu, prelu, the pointwise losses and
// norm of lib/ops/loss_extra.cpp (rows in ops.def after Softplus), written with differentiable
// ops so create_graph works. Subgradients follow torch: the boundary points (x == 0,
// x == min/max, |x| == lambd, x == threshold) get a zero or the one-sided slope exactly as
// torch's *_backward kernels choose.
#include "backward_activation.h"

#include <algorithm>
#include <cmath>

#include <tapegrad/core/check.h>

namespace tapegrad {
namespace detail {

namespace {

Tensor sc(double v) { return wrapped_scalar(v); }
Tensor gt(const Tensor& x, double v) { return compare(CmpId::Gt, x, sc(v)); }
Tensor lt(const Tensor& x, double v) { return compare(CmpId::Lt, x, sc(v)); }
Tensor le(const Tensor& x, double v) { return compare(CmpId::Le, x, sc(v)); }
Tensor ge(const Tensor& x, double v) { return compare(CmpId::Ge, x, sc(v)); }
Tensor either(const Tensor& a, const Tensor& b) { return compare(CmpId::LogicalOr, a, b); }
Tensor both(const Tensor& a, const Tensor& b) { return compare(CmpId::LogicalAnd, a, b); }
// Note [NaN in activation backwards]: torch's kernels test for the branch that zeroes (or
// switches) the gradient, so a NaN input (every comparison false) passes the gradient through;
// the masks below are written the same way round.
Tensor zero_where(const Tensor& drop, const Tensor& g) { return where(drop, sc(0), g); }

// elu's derivative from the input: scale for x > 0, input_scale * scale * alpha * e^(x * is).
Tensor elu_backward(const Tensor& g, const Tensor& x, double alpha, double scale, double is) {
  return where(le(x, 0), mul(mul(g, sc(is * scale * alpha)), exp(mul(x, sc(is)))),
               mul(g, sc(scale)));
}

// ... and from the result (the in-place forms keep only it): input_scale * (r + alpha * scale)
// for r <= 0, which needs alpha >= 0 to tell the two branches apart.
Tensor elu_backward_result(const Tensor& g, const Tensor& r, double alpha, double scale,
                           double is) {
  TG_CHECK(alpha >= 0, "In-place elu backward calculation is triggered with a negative slope "
           "which is not supported. This is caused by calling in-place forward function with a "
           "negative slope, please call out-of-place version instead.");
  return where(le(r, 0), mul(mul(g, sc(is)), add(r, sc(alpha * scale))), mul(g, sc(scale)));
}

Tensor glu_backward(const Tensor& g, const Tensor& x, int64_t dim) {
  const int64_t d = wrap_dim(dim, x.dim());
  const int64_t n = x.sizes()[d];
  Tensor a = slice(x, d, 0, n / 2), sb = sigmoid(slice(x, d, n / 2, n));
  Tensor ga = mul(g, sb);
  Tensor gb = mul(mul(ga, a), rsub(sb, 1));
  return cat({ga, gb}, d);
}

// A pointwise loss's gradient for d(loss)/d(elementwise term) `dl`: times the upstream
// gradient, over the element count for 'mean' (the broadcast count, as the forward's mean).
Tensor loss_grad(const Node& node, const Tensor& g, const Tensor& dl) {
  const auto r = static_cast<Reduction>(node.i[0]);
  Tensor v = mul(dl, g);
  return r == Reduction::Mean ? div(v, Scalar(static_cast<int64_t>(dl.numel()))) : v;
}

// norm's gradient (torch's subgradients: 0 where the norm is 0; inf-norm ties share evenly).
Tensor norm_backward(const Node& node, const Tensor& g, const Tensor& x, const Tensor& r) {
  const double p = node.f[0];
  std::vector<int64_t> dims(node.i.begin(), node.i.end() - 1);
  std::sort(dims.begin(), dims.end());
  Tensor gk = g, rk = r;
  if (!node.i.back())
    for (int64_t d : dims) gk = unsqueeze(gk, d), rk = unsqueeze(rk, d);
  if (p == 0) return Tensor();  // a count: no gradient (torch's grad is None too)
  if (p == 1) return mul(gk, sign(x));
  Tensor zero = compare(CmpId::Eq, rk, sc(0));
  if (std::isinf(p)) {
    Tensor tie = compare(CmpId::Eq, abs(x), rk);
    Tensor count = sum(tie, dims, true);
    return mul(mul(sign(x), tie), div(gk, count));
  }
  // d||x||_p / dx = x |x|^(p-2) / ||x||^(p-1)
  Tensor scale = p == 2 ? div(x, rk)
                        : div(mul(x, pow(abs(x), Scalar(p - 2))), pow(rk, Scalar(p - 1)));
  return where(zero, sc(0), mul(gk, scale));
}

}  // namespace

TensorList activation_backward(Node& node, const Tensor& g) {
  auto S = [&](size_t k) { return node.saved_at(k); };
  const auto& F = node.f;
  switch (node.op) {
    case OpId::LeakyRelu: return {where(gt(S(0), 0), g, mul(g, sc(F[0])))};
    case OpId::LeakyReluInplace:
      TG_CHECK(F[0] >= 0, "In-place leakyReLu backward calculation is triggered with a negative "
               "slope which is not supported. This is caused by calling in-place forward "
               "function with a negative slope, please call out-of-place version instead. File "
               "an issue at https://github.com/pytorch/pytorch if you do require supporting "
               "in-place leakRelu backward calculation with negative slope");
      return {where(gt(S(1), 0), g, mul(g, sc(F[0])))};
    case OpId::Elu: return {elu_backward(g, S(0), F[0], F[1], F[2])};
    case OpId::EluInplace: return {elu_backward_result(g, S(1), F[0], F[1], F[2])};
    case OpId::Celu: return {elu_backward(g, S(0), F[0], 1, 1 / F[0])};
    case OpId::CeluInplace: return {elu_backward_result(g, S(1), F[0], 1, 1 / F[0])};
    case OpId::Hardtanh: {
      Tensor x = S(0);
      return {zero_where(either(le(x, F[0]), ge(x, F[1])), g)};
    }
    case OpId::Hardsigmoid: {
      Tensor x = S(0);
      // torch multiplies by its constant 1.0f / 6.0f, a float even for double tensors
      return {where(both(gt(x, -3), lt(x, 3)), mul(g, sc(static_cast<double>(1.0f / 6.0f))), sc(0))};
    }
    case OpId::Hardswish: {  // 0 up to -3, x / 3 + 1 / 2 on (-3, 3), 1 from 3 on
      Tensor x = S(0);
      Tensor mid = mul(g, add(div(x, sc(3)), sc(0.5)));
      return {where(le(x, -3), sc(0), where(lt(x, 3), mid, g))};
    }
    case OpId::Mish: {  // tanh(sp) + x * sigmoid(x) * (1 - tanh(sp)^2), sp = softplus(x)
      Tensor x = S(0);
      Tensor t = tanh(softplus(x));
      return {mul(g, add(t, mul(mul(x, sigmoid(x)), rsub(mul(t, t), 1))))};
    }
    case OpId::LogSigmoid: return {mul(g, sigmoid(neg(S(0))))};
    case OpId::Softshrink:
    case OpId::Hardshrink: {
      Tensor x = S(0);
      return {zero_where(both(ge(x, -F[0]), le(x, F[0])), g)};
    }
    case OpId::Threshold:
    case OpId::ThresholdInplace: return {zero_where(le(S(0), F[0]), g)};
    case OpId::Glu: return {glu_backward(g, S(0), node.i[0])};
    case OpId::PreluKernel: {
      Tensor x = S(0), w = S(1);
      Tensor pos = gt(x, 0);
      Tensor gx = node.needs_grad(0) ? where(pos, g, mul(g, w)) : Tensor();
      Tensor gw = node.needs_grad(1) ? where(pos, sc(0), mul(g, x)) : Tensor();
      return {gx, gw};
    }
    case OpId::SmoothL1Loss:  // d / beta inside [-beta, beta], -1 / 1 outside
    case OpId::HuberLoss: {   // d inside [-delta, delta], -delta / delta outside
      Tensor d = sub(S(0), S(1));
      const double b = F[0];
      const double edge = node.op == OpId::HuberLoss ? b : 1;
      Tensor inside = node.op == OpId::HuberLoss ? d : (b == 0 ? sign(d) : div(d, sc(b)));
      // NaN falls through to `inside` (NaN), as torch's
      Tensor dl = where(lt(d, -b), sc(-edge), where(gt(d, b), sc(edge), inside));
      Tensor base = loss_grad(node, g, dl);
      // mixed input/target dtypes: each gradient in its own input's dtype
      return {node.needs_grad(0) ? to(base, S(0).dtype()) : Tensor(),
              node.needs_grad(1) ? to(neg(base), S(1).dtype()) : Tensor()};
    }
    case OpId::SoftMarginLoss: {  // d/dx log(1 + e^(-y x)) = -y * sigmoid(-y x)
      Tensor x = S(0), y = S(1);
      return {to(loss_grad(node, g, mul(neg(y), sigmoid(mul(neg(y), x)))), x.dtype())};
    }
    case OpId::NormDim: return {norm_backward(node, g, S(0), S(1))};
    default: break;
  }
  TG_ERROR("internal: ", node.name(), " is not an activation or loss row");
}

}  // namespace detail
}  // namespace tapegrad
