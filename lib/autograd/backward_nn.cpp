// The longer backward formulas, kept out of the derivatives switch: prod (exact with zeros in
// the input), gelu, layer_norm, embedding, convolution and max pooling. All are written with
// differentiable tapegrad ops, so gradients of gradients follow.
#include <cmath>

#include "../ops/common.h"
#include "backward_nn.h"

namespace tapegrad {
namespace detail {

namespace {
Tensor sc(double v) { return wrapped_scalar(v); }
Tensor zero_of(const Tensor& g) { return zeros({}, g.dtype(), g.device()); }
}  // namespace

// Note [Prod with zeros]: d prod / d x_i is the product of the other elements. Without zeros it
// is result / x_i. With exactly one zero x_z in a slice, position z gets the product of the
// rest and every other position gets rest / x_i * x_z: 0 in value, but written with x_z so the
// second derivative (d/dx_z) is right. With two or more zeros every first derivative is 0
// (written so that second derivatives stay right for two zeros).
Tensor prod_backward(const Tensor& g, const Tensor& self, const Tensor& result, int64_t dim,
                     bool keepdim, bool all) {
  Tensor gu = g, ru = result;
  if (!all && !keepdim && self.dim() > 0) {
    gu = unsqueeze(g, dim);
    ru = unsqueeze(result, dim);
  }
  Tensor is_zero = compare(CmpId::Eq, self, sc(0));
  if (!item(sum(is_zero)).i) return div(mul(gu, ru), self);
  Tensor ones_there = where(is_zero, sc(1), self);
  Tensor zeros_only = where(is_zero, self, zero_of(g));  // value 0, derivative 1 at the zeros
  // the zeros' product: with one zero, that zero itself with its sign (a sum from +0 would make
  // a -0 +0, and the other gradients' zeros lose torch's signs); derivative 1 there too
  Tensor zeros_times = where(is_zero, self, sc(1));
  Tensor rest, zcount, zsum, zprod;
  if (all || self.dim() == 0) {
    rest = prod(ones_there);
    zcount = sum(is_zero);
    zsum = sum(zeros_only);
    zprod = prod(zeros_times);
  } else {
    rest = prod(ones_there, dim, true);
    zcount = sum(is_zero, {dim}, true);
    zsum = sum(zeros_only, {dim}, true);
    zprod = prod(zeros_times, dim, true);
  }
  Tensor grest = mul(gu, rest);
  Tensor one_zero = where(is_zero, grest, mul(div(grest, ones_there), zprod));
  // Two zeros x_a, x_b: the gradient at a is rest * x_b (= zsum - x_a), again 0 in value
  // with the right derivative; elsewhere it is quadratic in the zeros, so 0 to second order.
  Tensor two_zeros = where(is_zero, mul(grest, sub(zsum, self)), zero_of(g));
  Tensor no_zero = div(mul(gu, ru), ones_there);
  return where(compare(CmpId::Eq, zcount, sc(0)), no_zero,
               where(compare(CmpId::Eq, zcount, sc(1)), one_zero,
                     where(compare(CmpId::Eq, zcount, sc(2)), two_zeros, zero_of(g))));
}

Tensor gelu_backward(const Tensor& g, const Tensor& x, bool tanh_approx) {
  if (!tanh_approx) {
    // Phi(x) + x * phi(x)
    Tensor cdf = mul(add(erf(mul(x, sc(M_SQRT1_2))), sc(1)), sc(0.5));
    Tensor pdf = mul(exp(mul(mul(x, x), sc(-0.5))), sc(0.5 * M_2_SQRTPI * M_SQRT1_2));
    return mul(g, add(cdf, mul(x, pdf)));
  }
  const double k = M_SQRT2 * M_2_SQRTPI * 0.5, c = 0.044715;  // sqrt(2 / pi)
  Tensor x2 = mul(x, x);
  Tensor u = mul(mul(x, add(mul(x2, sc(c)), sc(1))), sc(k));
  Tensor t = tanh(u);
  Tensor du = mul(add(mul(x2, sc(3 * c)), sc(1)), sc(k));
  Tensor d = add(mul(add(t, sc(1)), sc(0.5)), mul(mul(mul(x, sc(0.5)), rsub(mul(t, t), 1)), du));
  return mul(g, d);
}

// Recomputes the statistics from x (differentiably) rather than reusing forward values.
TensorList layer_norm_backward(const Tensor& g, const Tensor& x, const Tensor& w,
                               const std::vector<int64_t>& dims, double eps,
                               const std::vector<bool>& needs) {
  Tensor centred = sub(x, mean(x, dims, true));
  Tensor rstd = rsqrt(add(mean(mul(centred, centred), dims, true), sc(eps)));
  Tensor xhat = mul(centred, rstd);
  Tensor gx, gw, gb;
  if (needs[0]) {
    Tensor gxhat = w.defined() ? mul(g, w) : g;
    Tensor inner = sub(sub(gxhat, mean(gxhat, dims, true)),
                       mul(xhat, mean(mul(gxhat, xhat), dims, true)));
    gx = mul(rstd, inner);
  }
  if (needs[1]) gw = mul(g, xhat);  // the engine sums over the leading dims (sum_to)
  if (needs[2]) gb = g;
  return {gx, gw, gb};
}

// Batch norm: per-channel statistics over every dim but 1, recomputed from x when training
// (differentiably, for double backward); evaluation is an affine map of x.
TensorList batch_norm_backward(const Tensor& g, const Tensor& x, const Tensor& w,
                               const Tensor& running_mean, const Tensor& running_var,
                               bool training, double eps, const std::vector<bool>& needs) {
  const int64_t C = x.sizes()[1];
  std::vector<int64_t> dims = {0};
  for (int64_t d = 2; d < x.dim(); ++d) dims.push_back(d);
  Shape bshape(x.dim(), 1);
  bshape[1] = C;
  Tensor centred, rstd;
  if (training) {
    centred = sub(x, mean(x, dims, true));
    rstd = rsqrt(add(mean(mul(centred, centred), dims, true), sc(eps)));
  } else {
    centred = sub(x, reshape(running_mean, bshape));
    rstd = rsqrt(add(reshape(running_var, bshape), sc(eps)));
  }
  Tensor xhat = mul(centred, rstd);
  Tensor gx, gw, gb;
  if (needs[0]) {
    Tensor gxhat = w.defined() ? mul(g, reshape(w, bshape)) : g;
    if (training) {
      Tensor inner = sub(sub(gxhat, mean(gxhat, dims, true)),
                         mul(xhat, mean(mul(gxhat, xhat), dims, true)));
      gx = mul(rstd, inner);
    } else {
      gx = mul(gxhat, rstd);
    }
  }
  if (needs[1]) gw = sum(mul(g, xhat), dims);
  if (needs[2]) gb = sum(g, dims);
  return {gx, gw, gb};
}

// Group norm: layer norm's input gradient over each (sample, group) block of C / G * HxW values
// (after the per-channel weight), per-channel sums for the affine parameters.
TensorList group_norm_backward(const Tensor& g, const Tensor& x, const Tensor& w,
                               int64_t groups, double eps, const std::vector<bool>& needs) {
  const int64_t N = x.sizes()[0], C = x.sizes()[1];
  const int64_t M = N * groups != 0 ? x.numel() / (N * groups) : 0;
  std::vector<int64_t> dims = {0};
  for (int64_t d = 2; d < x.dim(); ++d) dims.push_back(d);
  Shape bshape(x.dim(), 1);
  bshape[1] = C;
  Tensor xr = reshape(x, {N, groups, M});
  Tensor gx, gw, gb;
  if (needs[0]) {
    Tensor gxhat = w.defined() ? mul(g, reshape(w, bshape)) : g;
    gx = reshape(layer_norm_backward(reshape(gxhat, {N, groups, M}), xr, Tensor(), {2}, eps,
                                     {true, false, false})[0], x.sizes());
  }
  if (needs[1]) {
    Tensor centred = sub(xr, mean(xr, {2}, true));
    Tensor rstd = rsqrt(add(mean(mul(centred, centred), {2}, true), sc(eps)));
    gw = sum(mul(g, reshape(mul(centred, rstd), x.sizes())), dims);
  }
  if (needs[2]) gb = sum(g, dims);
  return {gx, gw, gb};
}

Tensor embedding_backward(const Tensor& g, const Tensor& flat_idx, const Shape& weight_sizes,
                          int64_t padding_idx, bool scale_grad_by_freq) {
  const int64_t D = weight_sizes[1];
  Tensor rows = reshape(g, {-1, D});
  Tensor keep;
  if (padding_idx >= 0) keep = compare(CmpId::Ne, flat_idx, sc(static_cast<double>(padding_idx)));
  if (scale_grad_by_freq) {
    // Each row's gradient is divided by how often its index occurs in the batch.
    std::vector<double> ids = to_double_vector(flat_idx);
    std::vector<double> count(weight_sizes[0], 0.0), scale(ids.size());
    for (double v : ids) count[static_cast<int64_t>(v)] += 1;
    for (size_t k = 0; k < ids.size(); ++k) scale[k] = 1.0 / count[static_cast<int64_t>(ids[k])];
    Tensor scale_t = from_values(scale, {static_cast<int64_t>(ids.size())}, g.dtype());
    if (!g.device().is_cpu()) scale_t = to(scale_t, g.device(), g.dtype());
    rows = mul(rows, reshape(scale_t, {-1, 1}));
  }
  if (keep.defined()) rows = where(unsqueeze(keep, 1), rows, zero_of(g));
  return index_put(zeros(weight_sizes, g.dtype(), g.device()), {flat_idx}, rows, true);
}

// p: {kh, kw, dh, dw, ph, pw, sh, sw, Ho, Wo, H, W, groups}
TensorList convolution_backward(const Tensor& g, const Tensor& x, const Tensor& w,
                                const std::vector<int64_t>& p, const std::vector<bool>& needs) {
  const int64_t N = x.sizes()[0], G = p[12], O = w.sizes()[0];
  const int64_t K = w.sizes()[1] * p[0] * p[1], L = p[8] * p[9];
  const std::vector<int64_t> k = {p[0], p[1]}, d = {p[2], p[3]}, pad = {p[4], p[5]},
                             s = {p[6], p[7]}, out_hw = {p[8], p[9]}, img = {p[10], p[11]};
  Tensor gx, gw, gb;
  if (needs[2]) gb = sum(g, {0, 2, 3});
  if (G == 1) {  // plain products: no group dim, one GEMM for the weight over all images
    Tensor gy = reshape(g, {N, O, L});
    if (needs[0]) {
      Tensor gcols = matmul(t(reshape(w, {O, K})), gy);
      gx = col2im(gcols, img, k, d, pad, s, out_hw);
    }
    if (needs[1]) {
      Tensor cols = im2col(x, k, d, pad, s, out_hw);
      Tensor lhs = reshape(permute(gy, {1, 0, 2}), {O, N * L});
      Tensor rhs = reshape(permute(cols, {0, 2, 1}), {N * L, K});
      gw = reshape(mm(lhs, rhs), w.sizes());
    }
    return {gx, gw, gb};
  }
  Tensor gy = reshape(g, {N, G, O / G, L});
  if (needs[0]) {
    Tensor wm = reshape(w, {G, O / G, K});
    Tensor gcols = reshape(matmul(transpose(wm, 1, 2), gy), {N, G * K, L});
    gx = col2im(gcols, img, k, d, pad, s, out_hw);
  }
  if (needs[1]) {
    Tensor cols = reshape(im2col(x, k, d, pad, s, out_hw), {N, G, K, L});
    gw = reshape(sum(matmul(gy, transpose(cols, 2, 3)), {0}), w.sizes());
  }
  return {gx, gw, gb};
}

Tensor max_pool2d_backward(const Tensor& g, const Tensor& indices, const Shape& in_sizes) {
  const int64_t nd = static_cast<int64_t>(in_sizes.size());
  const int64_t HW = in_sizes[nd - 2] * in_sizes[nd - 1];
  const int64_t P = HW ? numel_of(in_sizes) / HW : 0;
  const int64_t L = g.sizes()[nd - 2] * g.sizes()[nd - 1];
  Tensor gg = reshape(g, {P, L});
  Tensor base = zeros({P, HW}, g.dtype(), g.device());
  return reshape(scatter_add(base, 1, reshape(indices, {P, L}), gg), in_sizes);
}

}  // namespace detail
}  // namespace tapegrad
