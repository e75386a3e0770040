// cdist, as torch's cdist / cdist_impl records it: p-norm distances between the rows of
// x1 [..., r1, m] and x2 [..., r2, m] (batch dims broadcast). Two nodes:
// - _cdist_forward (CdistBackward0): the direct kernel, kern::cdist_fwd / cdist_bwd on CPU
//   floats (the broadcast differences are never materialised);
// - for p = 2 with more than 25 rows (or compute_mode 1), _euclidean_dist
//   (EuclideanDistBackward0): |a|^2 - 2 a.b + |b|^2 through one matrix product, between the
//   expand / view nodes torch records around it. Its values are torch's, cancellation included.
#include <cmath>

#include <tapegrad/kernels/cdist.h>
#include <tapegrad/ops/math_extra.h>

#include "common.h"

namespace tapegrad {

using namespace detail;

namespace {

struct CdistShapes {
  int64_t B = 1, r1 = 0, r2 = 0, c = 0;  // B: the broadcast batch dims' product
  Shape size1, size2, out;               // batch + {r1, c}, batch + {r2, c}, batch + {r1, r2}
};

CdistShapes cdist_shapes(const Tensor& x1, const Tensor& x2) {
  CdistShapes s;
  Shape b1(x1.sizes().begin(), x1.sizes().end() - 2), b2(x2.sizes().begin(), x2.sizes().end() - 2);
  Shape batch = broadcast_shapes(b1, b2);
  for (auto d : batch) s.B *= d;
  s.r1 = x1.sizes()[x1.dim() - 2];
  s.r2 = x2.sizes()[x2.dim() - 2];
  s.c = x1.sizes().back();
  s.size1 = s.size2 = s.out = batch;
  s.size1.insert(s.size1.end(), {s.r1, s.c});
  s.size2.insert(s.size2.end(), {s.r2, s.c});
  s.out.insert(s.out.end(), {s.r1, s.r2});
  return s;
}

// torch's checks, in its order: cdist's (dims, columns), then cdist_impl's.
void check_cdist(const Tensor& x1, const Tensor& x2, double p) {
  TG_CHECK(x1.dim() >= 2, "cdist only supports at least 2D tensors, X1 got: ", x1.dim(), "D");
  TG_CHECK(x2.dim() >= 2, "cdist only supports at least 2D tensors, X2 got: ", x2.dim(), "D");
  TG_CHECK(x1.sizes().back() == x2.sizes().back(), "X1 and X2 must have the same number of "
           "columns. X1: ", x1.sizes().back(), " X2: ", x2.sizes().back());
  TG_CHECK(is_floating(x1.dtype()), "cdist only supports floating-point dtypes, X1 got: ",
           dtype_legacy_name(x1.dtype()));
  TG_CHECK(is_floating(x2.dtype()), "cdist only supports floating-point dtypes, X2 got: ",
           dtype_legacy_name(x2.dtype()));
  TG_CHECK(p >= 0, "cdist only supports non-negative p values");
  auto type = [](const Tensor& t) { return t.device().is_cpu() ? "cpu" : "cuda"; };
  TG_CHECK(x1.device().type == x2.device().type, "X1 and X2 must have the same device type. X1: ",
           type(x1), " X2: ", type(x2));
  TG_CHECK(x1.device() == x2.device(), "device of X1 (", static_cast<int>(x1.device().index),
           ") must match device of X2 (", static_cast<int>(x2.device().index), ")");
}

bool cpu_float(const Tensor& t) {
  return t.device().is_cpu() && (t.dtype() == DType::Float32 || t.dtype() == DType::Float64);
}

// x expanded to the batch and flattened to [B, r, c], contiguous (no history).
Tensor batched(const Tensor& x, const Shape& size, const CdistShapes& s, int64_t r) {
  return view(contiguous(expand(x, size)), {s.B, r, s.c});
}

// _cdist_forward's values, without history.
Tensor cdist_values(const Tensor& x1, const Tensor& x2, double p, const CdistShapes& s) {
  NoGradGuard ng;
  if (s.r1 == 0 || s.r2 == 0 || s.B == 0) return empty(s.out, x1.dtype(), x1.device());
  if (s.c == 0) return zeros(s.out, x1.dtype(), x1.device());
  // torch's kernel dispatches on X1's dtype (no half types on the CPU), then reads X2 as it
  TG_CHECK_KIND(NotImplemented, !x1.device().is_cpu() || cpu_float(x1), "\"cdist\" not "
                "implemented for '", dtype_legacy_name(x1.dtype()), "'");
  TG_CHECK(x2.dtype() == x1.dtype(), "expected scalar type ", dtype_legacy_name(x1.dtype()),
           " but found ", dtype_legacy_name(x2.dtype()));
  Tensor a = batched(x1, s.size1, s, s.r1), b = batched(x2, s.size2, s, s.r2);
  if (cpu_float(a)) {
    Tensor out = empty({s.B, s.r1, s.r2}, a.dtype(), a.device());
    kern::cdist_fwd(out, a, b, p);
    return view(out, s.out);
  }
  // other devices: the norm of the broadcast differences (kernels/cdist.h has the steps a CUDA
  // kernel would share)
  return view(norm_values(sub(unsqueeze(a, 2), unsqueeze(b, 1)), p, {3}, false), s.out);
}

Tensor sc(double v) { return wrapped_scalar(v); }

// The gradient terms of every (i, j, k) at once, with differentiable ops (create_graph, and
// devices without the kernel): diff [..., r1, r2, c], g and dist [..., r1, r2, 1]. The
// denominators are made safe where the term is 0, so a second derivative stays finite there.
Tensor cdist_terms(const Tensor& diff, const Tensor& g, const Tensor& dist, double p) {
  const fn::CdistKind kind = fn::cdist_kind(p);
  Tensor zero_dist = compare(CmpId::Eq, dist, sc(0));
  Tensor safe = where(zero_dist, sc(1), dist);
  switch (kind) {
    case fn::CdistKind::One: return mul(g, sign(diff));
    case fn::CdistKind::Two: return where(zero_dist, sc(0), div(mul(g, diff), safe));
    case fn::CdistKind::Inf:
      return where(compare(CmpId::Eq, abs(diff), dist), mul(g, sign(diff)), sc(0));
    case fn::CdistKind::LessTwo: {
      Tensor skip = zero_dist;
      Tensor ad = abs(diff);
      if (p < 1) {
        Tensor zero_diff = compare(CmpId::Eq, diff, sc(0));
        skip = compare(CmpId::LogicalOr, zero_dist, zero_diff);
        ad = where(zero_diff, sc(1), ad);
      }
      Tensor t = div(mul(mul(sign(diff), pow(ad, Scalar(p - 1))), g), pow(safe, Scalar(p - 1)));
      return where(skip, sc(0), t);
    }
    case fn::CdistKind::General: {
      Tensor t = div(mul(mul(diff, pow(abs(diff), Scalar(p - 2))), g), pow(safe, Scalar(p - 1)));
      return where(zero_dist, sc(0), t);
    }
    case fn::CdistKind::Zero: break;
  }
  return mul(diff, sc(0));
}

}  // namespace

Tensor cdist_forward(const Tensor& x1, const Tensor& x2, double p) {
  check_cdist(x1, x2, p);
  Tensor out = cdist_values(x1, x2, p, cdist_shapes(x1, x2));
  if (auto node = maybe_node(OpId::Cdist, {x1, x2})) {
    node->saved.emplace_back(x1, false);
    node->saved.emplace_back(x2, false);
    node->f = {p};
    set_history(out, node);
    node->saved.emplace_back(out, true);
  }
  return out;
}

Tensor euclidean_dist(const Tensor& x1, const Tensor& x2) {
  Tensor out;
  {
    NoGradGuard ng;
    Tensor n1 = sum(pow(x1, Scalar(2)), {x1.dim() - 1}, true);
    Tensor n2 = sum(pow(x2, Scalar(2)), {x2.dim() - 1}, true);
    Tensor a = cat({mul(x1, sc(-2)), n1, ones(n1.sizes(), n1.dtype(), n1.device())}, x1.dim() - 1);
    Tensor b = cat({x2, ones(n2.sizes(), n2.dtype(), n2.device()), n2}, x2.dim() - 1);
    out = sqrt(clamp_min(matmul(a, transpose(b, -2, -1)), Scalar(0)));
  }
  if (auto node = maybe_node(OpId::EuclideanDist, {x1, x2})) {
    node->saved.emplace_back(x1, false);
    node->saved.emplace_back(x2, false);
    set_history(out, node);
    node->saved.emplace_back(out, true);
  }
  return out;
}

Tensor cdist(const Tensor& x1, const Tensor& x2, double p, std::optional<int64_t> compute_mode) {
  check_cdist(x1, x2, p);
  const int64_t mode = compute_mode.value_or(0);
  TG_CHECK(mode >= 0 && mode <= 2, "possible modes: 0, 1, 2, but was: ", mode);
  const CdistShapes s = cdist_shapes(x1, x2);
  // torch: an empty operand (or a column count of 0) always takes the kernel's node
  if (x1.numel() == 0 || x2.numel() == 0 || s.B == 0 ||
      !(p == 2 && (mode == 1 || (mode == 0 && (s.r1 > 25 || s.r2 > 25)))))
    return cdist_forward(x1, x2, p);
  Tensor d = s.B == 1 ? euclidean_dist(x1, x2)
                      : euclidean_dist(view(contiguous(expand(x1, s.size1)), {s.B, s.r1, s.c}),
                                       view(contiguous(expand(x2, s.size2)), {s.B, s.r2, s.c}));
  return view(d, s.out);
}

namespace detail {

TensorList cdist_backward(const Tensor& g, const Tensor& x1, const Tensor& x2, double p,
                          const Tensor& result, bool need1, bool need2) {
  const CdistShapes s = cdist_shapes(x1, x2);
  auto zeros_for = [](const Tensor& x) { return zeros(x.sizes(), x.dtype(), x.device()); };
  if (s.r1 == 0 || s.r2 == 0 || s.c == 0 || s.B == 0 || p == 0)
    return {need1 ? zeros_for(x1) : Tensor(), need2 ? zeros_for(x2) : Tensor()};
  if (!GradMode::is_enabled() && cpu_float(x1) && x2.dtype() == x1.dtype() &&
      g.dtype() == x1.dtype() && g.device().is_cpu()) {
    // torch's _cdist_backward, once per operand: x2's is x1's with the operands swapped and g
    // and the distances transposed
    Tensor a = batched(x1, s.size1, s, s.r1), b = batched(x2, s.size2, s, s.r2);
    Tensor gg = contiguous(reshape(g, {s.B, s.r1, s.r2}));
    Tensor d = contiguous(reshape(result, {s.B, s.r1, s.r2}));
    Tensor g1, g2;
    if (need1) {
      g1 = empty({s.B, s.r1, s.c}, a.dtype(), a.device());
      kern::cdist_bwd(g1, gg, a, b, p, d);
      g1 = view(g1, s.size1);
    }
    if (need2) {
      g2 = empty({s.B, s.r2, s.c}, a.dtype(), a.device());
      kern::cdist_bwd(g2, contiguous(transpose(gg, 1, 2)), b, a, p, contiguous(transpose(d, 1, 2)));
      g2 = view(g2, s.size2);
    }
    return {g1, g2};
  }
  Tensor diff = sub(unsqueeze(x1, -2), unsqueeze(x2, -3));  // [..., r1, r2, c]
  Tensor t = cdist_terms(diff, unsqueeze(g, -1), unsqueeze(result, -1), p);
  const int64_t nd = t.dim();
  return {need1 ? sum(t, {nd - 2}) : Tensor(), need2 ? neg(sum(t, {nd - 3})) : Tensor()};
}

TensorList euclidean_dist_backward(const Tensor& g, const Tensor& x1, const Tensor& x2,
                                   const Tensor& result, bool need1, bool need2) {
  // torch's: ratio = g / result, 0 where the distance is 0 (a subgradient)
  Tensor zero = compare(CmpId::Eq, result, sc(0));
  Tensor ratio = where(zero, sc(0), div(g, where(zero, sc(1), result)));
  const int64_t nd = ratio.dim();
  Tensor g1, g2;
  if (need1) g1 = sub(mul(x1, sum(ratio, {nd - 1}, true)), matmul(ratio, x2));
  if (need2)
    g2 = sub(mul(x2, unsqueeze(sum(ratio, {nd - 2}, false), -1)),
             matmul(transpose(ratio, -2, -1), x1));
  return {g1, g2};
}

}  // namespace detail
}  // namespace tapegrad
