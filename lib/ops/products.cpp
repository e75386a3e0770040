// Products and shape ops with a node of their own in torch: diag_embed / diagonal_copy / diag,
// trace, vdot, addmv, addr, addbmm, baddbmm, rot90, block_diag. Forwards are composed from the
// core ops under no_grad, then one node is recorded with what the formula reads.
#include "common.h"
#include <tapegrad/ops/autocast.h>
#include <tapegrad/ops/index_ops.h>
#include "../cpu/via_float.h"

namespace tapegrad {

using namespace detail;

namespace {

// self * beta + prod * alpha, where beta == 0 ignores self (NaN in self does not propagate).
// Integral products follow torch's integer gemm: beta and alpha are converted to the integer
// type first (a float truncates); bool products are logical (any nonzero beta/alpha is true).
Tensor beta_alpha(const Tensor& self, const Tensor& prod, Scalar beta, Scalar alpha) {
  const DType rt = promote_types(self.dtype(), prod.dtype());
  if (rt == DType::Bool) {
    Tensor p = alpha.to_double() != 0 ? prod : zeros(prod.sizes(), DType::Bool, prod.device());
    if (beta.to_double() == 0) return p;
    return compare(CmpId::LogicalOr, expand(self, prod.sizes()), p);
  }
  if (!is_floating(rt)) {
    if (beta.kind == Scalar::Float) beta = Scalar(beta.i);
    if (alpha.kind == Scalar::Float) alpha = Scalar(alpha.i);
  }
  Tensor p = alpha.to_double() == 1 ? prod : mul(prod, wrapped_scalar(alpha));
  Tensor s = expand(self, prod.sizes());  // torch's expand error for a bad self
  if (beta.to_double() == 0) return p;
  return add(beta.to_double() == 1 ? s : mul(s, wrapped_scalar(beta)), p);
}

// Records a beta/alpha product node: saved = the two operands; f = {beta, alpha}; i = int mask.
Tensor record_addprod(OpId op, const Tensor& self, const Tensor& x, const Tensor& y,
                      Scalar beta, Scalar alpha, Tensor out) {
  if (auto node = maybe_node(op, {self, x, y})) {
    node->saved.emplace_back(x, false);
    node->saved.emplace_back(y, false);
    node->f = {beta.to_double(), alpha.to_double()};
    node->i = {int_mask({beta, alpha})};
    set_history(out, node);
  }
  return out;
}

}  // namespace

Tensor diag_embed(const Tensor& a, int64_t offset, int64_t dim1, int64_t dim2) {
  const int64_t nd = a.dim() + 1;
  const int64_t d1 = wrap_dim(dim1, nd), d2 = wrap_dim(dim2, nd);
  TG_CHECK(d1 != d2, "diagonal dimensions cannot be identical ", dim1, ", ", dim2);
  const int64_t n = (a.dim() ? a.sizes().back() : 1) + (offset < 0 ? -offset : offset);
  Shape batch(a.sizes().begin(), a.sizes().end() - (a.dim() ? 1 : 0));
  Shape shape;
  for (int64_t k = 0, b = 0; k < nd + 1 - 1; ++k) {
    if (k == d1 || k == d2) {
      shape.push_back(n);
    } else {
      shape.push_back(batch[b++]);
    }
  }
  Tensor out = zeros(shape, a.dtype(), a.device());
  {
    NoGradGuard g;
    kern::copy(diagonal(out, offset, d1, d2), detach(a));
  }
  if (auto node = maybe_node(OpId::DiagEmbed, {a})) {
    node->i = {offset, d1, d2, dim1, dim2};
    set_history(out, node);
  }
  return out;
}

Tensor diagonal_copy(const Tensor& a, int64_t offset, int64_t dim1, int64_t dim2) {
  Tensor out;
  {
    NoGradGuard g;
    out = detach(clone(diagonal(detach(a), offset, dim1, dim2)));
  }
  if (auto node = maybe_node(OpId::DiagonalCopy, {a})) {
    node->shape = a.sizes();
    node->i = {offset, wrap_dim(dim1, a.dim()), wrap_dim(dim2, a.dim()), dim1, dim2};
    set_history(out, node);
  }
  return out;
}

Tensor diag(const Tensor& a, int64_t k) {
  TG_CHECK(a.dim() == 1 || a.dim() == 2, "diag(): Supports 1D or 2D tensors. Got ", a.dim(), "D");
  return a.dim() == 1 ? diag_embed(a, k) : diagonal_copy(a, k, 0, 1);  // torch's dims
}

Tensor trace(const Tensor& a) {
  TG_CHECK_KIND(NotImplemented, a.dtype() != DType::Bool, "\"trace\" not implemented for 'Bool'");
  TG_CHECK(a.dim() == 2, "trace: expected a matrix, but got tensor with dim ", a.dim());
  Tensor out;
  {
    NoGradGuard g;
    out = detach(sum(diagonal(detach(a), 0, 0, 1)));
  }
  if (auto node = maybe_node(OpId::Trace, {a})) {
    node->shape = a.sizes();
    set_history(out, node);
  }
  return out;
}

Tensor vdot(const Tensor& a, const Tensor& b) {
  Tensor out;
  {
    NoGradGuard g;
    out = detach(dot(detach(a), detach(b)));  // dot's checks and wording are vdot's
  }
  if (auto node = maybe_node(OpId::Vdot, {a, b})) {
    node->saved.emplace_back(a, false);
    node->saved.emplace_back(b, false);
    set_history(out, node);
  }
  return out;
}

Tensor addmv(const Tensor& self, const Tensor& mat, const Tensor& vec, Scalar beta, Scalar alpha) {
  TG_CHECK(mat.dim() == 2 && vec.dim() == 1 && self.dim() <= 1,
           "vector + matrix @ vector expected, got ", self.dim(), ", ", mat.dim(), ", ",
           vec.dim());
  TG_CHECK(self.dtype() == mat.dtype() && mat.dtype() == vec.dtype(),
           "addmv input tensors must have the same dtype, but got ", dtype_legacy_name(self.dtype()),
           ", ", dtype_legacy_name(mat.dtype()), ", and ", dtype_legacy_name(vec.dtype()));
  const bool fits = mat.sizes()[1] == vec.sizes()[0] &&
                    (self.dim() == 0 || self.sizes()[0] == mat.sizes()[0] || self.sizes()[0] == 1);
  TG_CHECK(fits, "size mismatch, got input (", self.dim() ? self.sizes()[0] : 1, "), mat (",
           mat.sizes()[0], "x", mat.sizes()[1], "), vec (", vec.sizes()[0], ")");
  check_scales(self.dtype(), beta, alpha, false);
  Tensor out;
  {
    NoGradGuard g;
    out = detach(beta_alpha(detach(self), mv(detach(mat), detach(vec)), beta, alpha));
  }
  return record_addprod(OpId::Addmv, self, mat, vec, beta, alpha, out);
}

Tensor addr(const Tensor& self, const Tensor& vec1, const Tensor& vec2, Scalar beta,
            Scalar alpha) {
  TG_CHECK(vec1.dim() == 1, "addr: Expected 1-D argument vec1, but got ", vec1.dim(), "-D");
  TG_CHECK(vec2.dim() == 1, "addr: Expected 1-D argument vec2, but got ", vec2.dim(), "-D");
  const DType rt = promote_types(promote_types(vec1.dtype(), vec2.dtype()), self.dtype());
  check_scale_arg(rt, beta, "beta");
  check_scale_arg(rt, alpha, "alpha");
  Tensor out;
  {
    NoGradGuard g;
    Tensor prod = mul(unsqueeze(detach(vec1), 1), unsqueeze(detach(vec2), 0));
    out = detach(beta_alpha(detach(self), prod, beta, alpha));
  }
  return record_addprod(OpId::Addr, self, vec1, vec2, beta, alpha, out);
}

Tensor addbmm(const Tensor& self, const Tensor& b1, const Tensor& b2, Scalar beta, Scalar alpha) {
  if (autocast::active()) {  // Note [Autocast]
    Tensor self_ = self, b1_ = b1, b2_ = b2;
    if (autocast::lower({&self_, &b1_, &b2_})) return addbmm(self_, b1_, b2_, beta, alpha);
  }
  // addbmm is addmm per batch in torch, with addmm's dtype checks
  TG_CHECK(self.dtype() == b2.dtype(), "self and mat2 must have the same dtype, but got ",
           dtype_legacy_name(self.dtype()), " and ", dtype_legacy_name(b2.dtype()));
  TG_CHECK(b1.dtype() == b2.dtype(), "mat1 and mat2 must have the same dtype, but got ",
           dtype_legacy_name(b1.dtype()), " and ", dtype_legacy_name(b2.dtype()));
  TG_CHECK(b1.dim() == 3, "batch1 must be a 3D tensor");
  TG_CHECK(b2.dim() == 3, "batch2 must be a 3D tensor");
  TG_CHECK(b1.sizes()[0] == b2.sizes()[0], "batch1 and batch2 must have same number of batches, "
           "got ", b1.sizes()[0], " and ", b2.sizes()[0]);
  TG_CHECK(b1.sizes()[2] == b2.sizes()[1], "Incompatible matrix sizes for bmm (", b1.sizes()[1],
           "x", b1.sizes()[2], " and ", b2.sizes()[1], "x", b2.sizes()[2], ")");
  check_scales(self.dtype(), beta, alpha, true);
  Tensor out;
  {
    NoGradGuard g;
    const int64_t nb = b1.sizes()[0];
    if (kern::via_float::reduced(b1.dtype()) && self.dtype() == b1.dtype() && nb > 0) {
      // torch's addbmm adds one batch at a time into the output (addmm_ per batch): in
      // half/bfloat16 each step accumulates in float32 and rounds back once, so the result is
      // rounded nb times, not once
      Tensor acc = beta.to_double() == 0
                       ? zeros({b1.sizes()[1], b2.sizes()[2]}, b1.dtype(), b1.device())
                       : expand(detach(self), {b1.sizes()[1], b2.sizes()[2]});
      for (int64_t k = 0; k < nb; ++k)
        acc = addmm(acc, select(detach(b1), 0, k), select(detach(b2), 0, k),
                    k == 0 ? beta : Scalar(1), alpha);
      out = detach(acc);
    } else {
      Tensor prod = bmm(detach(b1), detach(b2));
      // an integral product keeps its dtype (a plain sum would promote it to int64)
      prod = is_integral(prod.dtype(), false)
                 ? sum(prod, std::vector<int64_t>{0}, false, prod.dtype())
                 : sum(prod, std::vector<int64_t>{0}, false);
      out = detach(beta_alpha(detach(self), prod, beta, alpha));
    }
  }
  return record_addprod(OpId::Addbmm, self, b1, b2, beta, alpha, out);
}

Tensor baddbmm(const Tensor& self, const Tensor& b1, const Tensor& b2, Scalar beta,
               Scalar alpha) {
  if (autocast::active()) {  // Note [Autocast]
    Tensor self_ = self, b1_ = b1, b2_ = b2;
    if (autocast::lower({&self_, &b1_, &b2_})) return baddbmm(self_, b1_, b2_, beta, alpha);
  }
  TG_CHECK(self.dtype() == b1.dtype(),
           "Input dtypes must be the same, got: input ", dtype_name_short(self.dtype()),
           ", batch1: ", dtype_name_short(b1.dtype()), ", batch2: ", dtype_name_short(b2.dtype()));
  check_scales(self.dtype(), beta, alpha, true);
  Tensor out;
  {
    NoGradGuard g;
    const DType dt = b1.dtype();
    if (kern::via_float::reduced(dt) && self.dtype() == dt && b2.dtype() == dt) {
      // half/bfloat16: product, scaling and self in float32, one rounding (torch's gemm with
      // beta accumulates in float)
      const DType f = DType::Float32;
      out = detach(to(beta_alpha(to(detach(self), f), bmm(to(detach(b1), f), to(detach(b2), f)),
                                 beta, alpha),
                      dt));
    } else {
      out = detach(beta_alpha(detach(self), bmm(detach(b1), detach(b2)), beta, alpha));
    }
  }
  return record_addprod(OpId::Baddbmm, self, b1, b2, beta, alpha, out);
}

Tensor& addmv_(Tensor& self, const Tensor& mat, const Tensor& vec, Scalar beta, Scalar alpha) {
  return inplace_from(self, mat, [&](const Tensor& x) { return addmv(x, mat, vec, beta, alpha); },
                      vec);
}
Tensor& addr_(Tensor& self, const Tensor& vec1, const Tensor& vec2, Scalar beta, Scalar alpha) {
  check_no_overlap(self, vec1);  // addr runs through torch's TensorIterator
  check_no_overlap(self, vec2);
  return inplace_from(self, vec1, [&](const Tensor& x) { return addr(x, vec1, vec2, beta, alpha); },
                      vec2);
}
Tensor& addbmm_(Tensor& self, const Tensor& b1, const Tensor& b2, Scalar beta, Scalar alpha) {
  return inplace_from(self, b1, [&](const Tensor& x) { return addbmm(x, b1, b2, beta, alpha); },
                      b2);
}
Tensor& baddbmm_(Tensor& self, const Tensor& b1, const Tensor& b2, Scalar beta, Scalar alpha) {
  return inplace_from(self, b1, [&](const Tensor& x) { return baddbmm(x, b1, b2, beta, alpha); },
                      b2);
}

Tensor rot90(const Tensor& a, int64_t k, const std::vector<int64_t>& dims) {
  TG_CHECK(dims.size() == 2, "expected total rotation dims == 2, but got dims = ", dims.size());
  TG_CHECK(a.dim() >= 2, "expected total dims >= 2, but got total dims = ", a.dim());
  TG_CHECK(dims[0] != dims[1] && wrap_dim(dims[0], a.dim()) != wrap_dim(dims[1], a.dim()),
           "expected rotation dims to be different, but got dim0 = ", dims[0], " and dim1 = ",
           dims[1]);
  TG_CHECK(dims[0] < a.dim() && dims[0] >= -a.dim(), "Rotation dim0 out of range, dim0 = ",
           dims[0]);
  TG_CHECK(dims[1] < a.dim() && dims[1] >= -a.dim(), "Rotation dim1 out of range, dim1 = ",
           dims[1]);
  const int64_t r = ((k % 4) + 4) % 4;
  Tensor out;
  {
    NoGradGuard g;
    Tensor x = detach(a);
    if (r == 1) out = transpose(flip(x, {dims[1]}), dims[0], dims[1]);
    if (r == 2) out = flip(x, dims);
    if (r == 3) out = flip(transpose(x, dims[0], dims[1]), {dims[1]});
    if (r == 0) out = clone(x);
    out = detach(out);
  }
  if (auto node = maybe_node(OpId::Rot90, {a})) {
    node->i = {k, dims[0], dims[1]};
    set_history(out, node);
  }
  return out;
}

Tensor block_diag(const TensorList& ts) {
  ResultTypeState st;
  int64_t rows = 0, cols = 0;
  for (size_t k = 0; k < ts.size(); ++k) {
    TG_CHECK(ts[k].dim() <= 2, "torch.block_diag: Input tensors must have 2 or fewer dimensions. "
             "Input ", k, " has ", ts[k].dim(), " dimensions");
    update_state(st, ts[k]);
    rows += ts[k].dim() == 2 ? ts[k].sizes()[0] : 1;
    cols += ts[k].dim() == 2 ? ts[k].sizes()[1] : ts[k].dim() == 1 ? ts[k].sizes()[0] : 1;
  }
  const DType dt = ts.empty() ? default_dtype() : tapegrad::result_type(st);
  if (ts.empty()) rows = 1;  // torch's block_diag() is a [1, 0] tensor
  Tensor out = zeros({rows, cols}, dt, ts.empty() ? Device() : ts[0].device());
  int64_t r0 = 0, c0 = 0;
  std::vector<int64_t> pos;  // per input: row start, col start, rows, cols
  {
    NoGradGuard g;
    for (const Tensor& t : ts) {
      const int64_t r = t.dim() == 2 ? t.sizes()[0] : 1;
      const int64_t c = t.dim() == 2 ? t.sizes()[1] : t.dim() == 1 ? t.sizes()[0] : 1;
      Tensor block = slice(slice(out, 0, r0, r0 + r), 1, c0, c0 + c);
      kern::copy(block, reshape(detach(t), {r, c}));
      pos.insert(pos.end(), {r0, c0, r, c});
      r0 += r;
      c0 += c;
    }
  }
  if (auto node = maybe_node(OpId::BlockDiag, ts)) {
    node->i = pos;
    set_history(out, node);
  }
  return out;
}

}  // namespace tapegrad
