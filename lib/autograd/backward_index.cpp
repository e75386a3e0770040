// Backward formulas of the scatter-style ops (scatter_reduce's five reductions, index_add /
// index_copy's source, masked_scatter's source) and of the beta/alpha products, written with
// differentiable ops so that double backward works through them.
#include "backward_index.h"

#include <tapegrad/ops/compare_ops.h>

namespace tapegrad {
namespace detail {

namespace {

Tensor num(double v) { return wrapped_scalar(v); }
Tensor eq(const Tensor& a, const Tensor& b) { return compare(CmpId::Eq, a, b); }

// t's leading block of `sizes` (scatter's src may be larger than its index).
Tensor leading(const Tensor& t, const Shape& sizes) {
  if (t.sizes() == sizes || t.dim() != static_cast<int64_t>(sizes.size())) return t;
  Tensor r = t;
  for (size_t d = 0; d < sizes.size(); ++d)
    if (r.sizes()[d] != sizes[d]) r = slice(r, static_cast<int64_t>(d), 0, sizes[d]);
  return r;
}

// amax/amin: the gradient is split evenly among the elements equal to the result.
std::array<Tensor, 2> extreme_grads(const Tensor& g, const Tensor& index, const Tensor& self,
                                    const Tensor& src, const Tensor& result, int64_t dim,
                                    bool include_self) {
  Tensor self_is = to(eq(self, result), g.dtype());
  Tensor src_is = to(eq(src, gather(result, dim, index)), g.dtype());
  // torch counts a tied self element in the share even when include_self=False (it then
  // gets no gradient itself): the same here, so the values agree
  Tensor share = div(g, scatter_add(self_is, dim, index, src_is));
  Tensor gs = mul(self_is, share);
  if (!include_self) gs = scatter(gs, dim, index, Scalar(0));
  return {gs, mul(src_is, gather(share, dim, index))};
}

// prod: g * result / x, with a zero element's gradient the product of the others when it is
// the only zero of its group (and 0 when there are more).
std::array<Tensor, 2> prod_grads(const Tensor& g, const Tensor& index, const Tensor& self,
                                 const Tensor& src, const Tensor& result, int64_t dim,
                                 bool include_self) {
  Tensor self0 = eq(self, num(0)), src0 = eq(src, num(0));
  Tensor ms = masked_fill(self, self0, Scalar(1)), msrc = masked_fill(src, src0, Scalar(1));
  Tensor nonzero_prod = scatter_reduce(ms, dim, index, msrc, "prod", include_self);
  Tensor zeros_in =
      include_self ? to(self0, g.dtype()) : zeros(self.sizes(), g.dtype(), g.device());
  Tensor zc = scatter_add(zeros_in, dim, index, to(src0, g.dtype()));  // zeros per group
  Tensor gr = mul(g, result), gm = mul(g, nonzero_prod);
  Tensor gs = include_self
                  ? where(self0, where(eq(zc, num(1)), gm, num(0)), div(gr, ms))
                  : scatter(g, dim, index, Scalar(0));
  Tensor lone_zero = eq(gather(zc, dim, index), num(1));
  Tensor gsrc = where(src0, where(lone_zero, gather(gm, dim, index), num(0)),
                      div(gather(gr, dim, index), msrc));
  return {gs, gsrc};
}

}  // namespace

TensorList scatter_reduce_backward(const Tensor& g, const Tensor& index, const Tensor& self,
                                   const Tensor& src_in, const Tensor& result, int64_t dim,
                                   bool include_self, int64_t reduce, std::array<bool, 2> needs) {
  const Tensor src = leading(src_in, index.sizes());
  std::array<Tensor, 2> r;
  switch (reduce) {
    case 0:  // sum
      r = {include_self ? g : scatter(g, dim, index, Scalar(0)), gather(g, dim, index)};
      break;
    case 2: {  // mean: each element's share of its group's count
      Tensor n = include_self ? ones(self.sizes(), g.dtype(), g.device())
                              : zeros(self.sizes(), g.dtype(), g.device());
      n = scatter_add(n, dim, index, ones(index.sizes(), g.dtype(), g.device()));
      Tensor gn = div(g, masked_fill(n, eq(n, num(0)), Scalar(1)));
      r = {include_self ? gn : scatter(g, dim, index, Scalar(0)), gather(gn, dim, index)};
      break;
    }
    case 1: r = prod_grads(g, index, self, src, result, dim, include_self); break;
    default: r = extreme_grads(g, index, self, src, result, dim, include_self); break;
  }
  return {needs[0] ? r[0] : Tensor(), needs[1] ? r[1] : Tensor()};
}

Tensor index_source_grad(const Tensor& g, int64_t dim, const Tensor& index, int64_t source_dim,
                         double alpha) {
  Tensor r = index_select(g, dim, index);
  if (source_dim == 0 && r.dim() != 0) r = reshape(r, {});
  return alpha == 1 ? r : mul(r, num(alpha));
}

Tensor masked_scatter_source_grad(const Tensor& g, const Tensor& mask, const Shape& src_sizes) {
  Tensor sel = masked_select(g, mask);
  const int64_t n = numel_of(src_sizes);
  if (sel.numel() < n) sel = cat({sel, zeros({n - sel.numel()}, g.dtype(), g.device())}, 0);
  return reshape(sel, src_sizes);
}

TensorList addprod_backward(OpId op, const Tensor& g, const Tensor& x, const Tensor& y,
                            double beta, double alpha, std::array<bool, 3> needs) {
  Tensor gs = needs[0] ? (beta == 1 ? g : mul(g, num(beta))) : Tensor();
  Tensor gx, gy;
  if (op == OpId::Addmv) {  // x = mat, y = vec
    if (needs[1]) gx = mul(unsqueeze(g, 1), unsqueeze(y, 0));
    if (needs[2]) gy = mv(t(x), g);
  } else if (op == OpId::Addr) {  // x = vec1, y = vec2
    if (needs[1]) gx = mv(g, y);
    if (needs[2]) gy = mv(t(g), x);
  } else {  // addbmm sums over the batch: each batch gets the whole gradient
    Tensor gb = op == OpId::Addbmm ? expand(unsqueeze(g, 0), {x.sizes()[0], g.sizes()[0],
                                                              g.sizes()[1]})
                                   : g;
    if (needs[1]) gx = bmm(gb, transpose(y, 1, 2));
    if (needs[2]) gy = bmm(transpose(x, 1, 2), gb);
  }
  if (alpha != 1) {
    if (gx.defined()) gx = mul(gx, num(alpha));
    if (gy.defined()) gy = mul(gy, num(alpha));
  }
  return {gs, gx, gy};
}

}  // namespace detail
}  // namespace tapegrad
