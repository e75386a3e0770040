// Matrix products: mm, bmm, mv, dot, addmm, and matmul composed from them exactly as torch
// composes it, so the grad_fn chain users see is the same (SqueezeBackward4 for vector @
// matrix, UnsafeViewBackward0 over folded batches, ...).
#include "common.h"
#include <tapegrad/ops/autocast.h>
#include "../cpu/via_float.h"

namespace tapegrad {

using namespace detail;

namespace {

void check_mm_dtypes(const Tensor& a, const Tensor& b) {
  TG_CHECK(a.dtype() == b.dtype(), "expected m1 and m2 to have the same dtype, but got: ",
           dtype_name_short(a.dtype()), " != ", dtype_name_short(b.dtype()));
  check_same_device(a, b, "argument mat2 in method wrapper_CUDA_mm");
}

// b is the transpose of a contiguous matrix (linear's weight.t()): the backward then computes
// b's gradient in that layout (derivatives.cpp, mm_mat2_grad).
int64_t transposed_layout(const Tensor& b) {
  return b.dim() == 2 && b.sizes()[0] > 1 && b.sizes()[1] > 1 && b.strides()[0] == 1 &&
         b.strides()[1] == b.sizes()[0];
}

Tensor record2(OpId op, const Tensor& a, const Tensor& b, Tensor out) {
  if (auto node = maybe_node(op, {a, b})) {
    node->saved.emplace_back(node->needs_grad(1) ? a : Tensor(), false);
    node->saved.emplace_back(node->needs_grad(0) ? b : Tensor(), false);
    // i[0..3]: torch shows them as _saved_self_sym_strides / _saved_mat2_sym_strides;
    // i[4]: b's layout for the backward (mm_mat2_grad)
    if (op == OpId::Mm)
      node->i = {a.strides()[0], a.strides()[1], b.strides()[0], b.strides()[1],
                 transposed_layout(b)};
    set_history(out, node);
  }
  return out;
}


// matmul.cpp computes in float32/float64 only: half/bfloat16 products accumulate in float32 and
// round once, as torch's CPU gemm does for them (Note [Half via float]).
void product(const Tensor& out, const Tensor& a, const Tensor& b, bool batched) {
  namespace vf = kern::via_float;
  Tensor o = vf::scratch(out);
  Tensor a_f = vf::up(a), b_f = vf::up(b);
  if (batched)
    kern::bmm(o, a_f, b_f);
  else
    kern::mm(o, a_f, b_f);
  vf::down(out, o);
}

}  // namespace

namespace {

// mm's checks and product, the result in dtype `dt` (float32 for a half addmm, which rounds
// once after adding the bias, as torch's CPU gemm does).
Tensor mm_in(const Tensor& a, const Tensor& b, DType dt) {
  TG_CHECK(a.dim() == 2, "self must be a matrix");
  TG_CHECK(b.dim() == 2, "mat2 must be a matrix");
  TG_CHECK(a.sizes()[1] == b.sizes()[0], "mat1 and mat2 shapes cannot be multiplied (",
           a.sizes()[0], "x", a.sizes()[1], " and ", b.sizes()[0], "x", b.sizes()[1], ")");
  check_mm_dtypes(a, b);
  Tensor out = empty({a.sizes()[0], b.sizes()[1]}, dt, a.device());
  product(out, a, b, false);
  return out;
}

}  // namespace

Tensor mm(const Tensor& a, const Tensor& b) {
  if (autocast::active()) {  // Note [Autocast]
    Tensor a_ = a, b_ = b;
    if (autocast::lower({&a_, &b_})) return mm(a_, b_);
  }
  return record2(OpId::Mm, a, b, mm_in(a, b, a.dtype()));
}

Tensor bmm(const Tensor& a, const Tensor& b) {
  if (autocast::active()) {  // Note [Autocast]
    Tensor a_ = a, b_ = b;
    if (autocast::lower({&a_, &b_})) return bmm(a_, b_);
  }
  TG_CHECK(a.dim() == 3, "batch1 must be a 3D tensor");
  TG_CHECK(b.dim() == 3, "batch2 must be a 3D tensor");
  TG_CHECK_KIND(NotImplemented, a.dtype() != DType::Bool, "\"bmm\" not implemented for 'Bool'");
  TG_CHECK(a.sizes()[0] == b.sizes()[0] && a.sizes()[2] == b.sizes()[1], "Expected size for first two dimensions of batch2 tensor "
           "to be: [", a.sizes()[0], ", ", a.sizes()[2], "] but got: [", b.sizes()[0], ", ",
           b.sizes()[1], "].");
  check_mm_dtypes(a, b);
  Tensor out = empty({a.sizes()[0], a.sizes()[1], b.sizes()[2]}, a.dtype(), a.device());
  product(out, a, b, true);
  return record2(OpId::Bmm, a, b, out);
}

Tensor mv(const Tensor& a, const Tensor& v) {
  TG_CHECK(a.dim() == 2 && v.dim() == 1, "vector + matrix @ vector expected, got ", a.dim(), ", ",
           v.dim());
  TG_CHECK(a.sizes()[1] == v.sizes()[0], "size mismatch, got input (", a.sizes()[0], "), mat (",
           a.sizes()[0], "x", a.sizes()[1], "), vec (", v.sizes()[0], ")");
  check_mm_dtypes(a, v);
  Tensor out = empty({a.sizes()[0]}, a.dtype(), a.device());
  product(make_view(out, {a.sizes()[0], 1}, {1, 1}, 0), a,
           make_view(v, {v.sizes()[0], 1}, {v.strides()[0], 1}, v.offset()), false);
  return record2(OpId::Mv, a, v, out);
}

Tensor dot(const Tensor& a, const Tensor& b) {
  TG_CHECK(a.dim() == 1 && b.dim() == 1, "1D tensors expected, but got ", a.dim(), "D and ",
           b.dim(), "D tensors");
  // torch checks the dtypes before the sizes
  TG_CHECK(a.dtype() == b.dtype(), "dot : expected both vectors to have same dtype, but found ",
           dtype_legacy_name(a.dtype()), " and ", dtype_legacy_name(b.dtype()));
  TG_CHECK(a.sizes()[0] == b.sizes()[0], "inconsistent tensor size, expected tensor [",
           a.sizes()[0], "] and src [", b.sizes()[0],
           "] to have the same number of elements, but got ", a.sizes()[0], " and ", b.sizes()[0],
           " elements respectively");
  Tensor out = empty({}, a.dtype(), a.device());
  product(make_view(out, {1, 1}, {1, 1}, 0),
           make_view(a, {1, a.sizes()[0]}, {1, a.strides()[0]}, a.offset()),
           make_view(b, {b.sizes()[0], 1}, {b.strides()[0], 1}, b.offset()), false);
  return record2(OpId::Dot, a, b, out);
}

Tensor addmm(const Tensor& bias, const Tensor& a, const Tensor& b, Scalar beta, Scalar alpha) {
  if (autocast::active()) {  // Note [Autocast]
    Tensor bias_ = bias, a_ = a, b_ = b;
    if (autocast::lower({&bias_, &a_, &b_})) return addmm(bias_, a_, b_, beta, alpha);
  }
  // torch's order: self against mat2 (before any shape check), then mat1 against mat2
  TG_CHECK(bias.dtype() == b.dtype(), "self and mat2 must have the same dtype, but got ",
           dtype_legacy_name(bias.dtype()), " and ", dtype_legacy_name(b.dtype()));
  TG_CHECK(a.dtype() == b.dtype(), "mat1 and mat2 must have the same dtype, but got ",
           dtype_legacy_name(a.dtype()), " and ", dtype_legacy_name(b.dtype()));
  TG_CHECK(a.dim() == 2, "mat1 must be a matrix, got ", a.dim(), "-D tensor");
  TG_CHECK(b.dim() == 2, "mat2 must be a matrix, got ", b.dim(), "-D tensor");
  check_scales(a.dtype(), beta, alpha, true);
  if (!is_floating(a.dtype())) {  // torch's integer gemm converts the scales to the integer type
    if (beta.kind == Scalar::Float) beta = Scalar(beta.i);
    if (alpha.kind == Scalar::Float) alpha = Scalar(alpha.i);
  }
  Tensor prod, out;
  {
    NoGradGuard g;
    // half/bfloat16: product, scaling and bias in float32, one rounding at the end
    const bool half = kern::via_float::reduced(a.dtype()) && bias.dtype() == a.dtype();
    prod = mm_in(a, b, half ? DType::Float32 : a.dtype());
    Tensor scaled = alpha.to_double() == 1 ? prod : mul(prod, wrapped_scalar(alpha));
    // half with beta != 1: torch's kernel adds the bias as fmaf(beta, self, alpha * acc), one
    // rounding; beta * self is exact in float64 (24 + 24 bits), so the sum is formed there and
    // rounded to float32 (rounding beta * self to float32 first moved near-ties by an ulp)
    const bool fused = half && beta.to_double() != 1;
    Tensor bias_f = half ? to(bias, fused ? DType::Float64 : DType::Float32) : bias;
    if (fused) scaled = to(scaled, DType::Float64);
    const Scalar beta_s = fused ? Scalar(static_cast<double>(static_cast<float>(beta.to_double())))
                                : beta;
    Tensor bb = beta.to_double() == 1 ? bias_f : mul(bias_f, wrapped_scalar(beta_s));
    TG_CHECK(broadcast_shapes(bb.sizes(), scaled.sizes()) == prod.sizes(),
             "The expanded size of the tensor (", prod.sizes()[1],
             ") must match the existing size (", bias.sizes().back(),
             ") at non-singleton dimension 1");
    if (bb.dtype() == scaled.dtype() && bb.device() == scaled.device()) {
      // the product is ours alone: add the bias into it (no second buffer of the output's size)
      kern::binary(OpId::Add, scaled, bb, scaled, 1);
      out = scaled;
    } else {
      out = add(bb, scaled);
    }
    if (fused) out = to(out, DType::Float32);
    if (half) out = to(out, a.dtype());
  }
  if (auto node = maybe_node(OpId::Addmm, {bias, a, b})) {
    node->saved.emplace_back(node->needs_grad(2) ? a : Tensor(), false);
    node->saved.emplace_back(node->needs_grad(1) ? b : Tensor(), false);
    node->f = {beta.to_double(), alpha.to_double()};
    node->i = {a.strides()[0], a.strides()[1], b.strides()[0], b.strides()[1],
               transposed_layout(b), int_mask({beta, alpha})};  // i[4]: see record2; the
    // int mask stays last (python/tapegrad/autograd/_saved_attrs.py reads it there)
    set_history(out, node);
  }
  return out;
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  if (autocast::active()) {  // Note [Autocast]
    Tensor a_ = a, b_ = b;
    if (autocast::lower({&a_, &b_})) return matmul(a_, b_);
  }
  const int64_t da = a.dim(), db = b.dim();
  TG_CHECK(da > 0 && db > 0, "both arguments to matmul need to be at least 1D, but they are ", da,
           "D and ", db, "D");
  if (da == 1 && db == 1) return dot(a, b);
  if (da == 2 && db == 1) return mv(a, b);
  if (da == 1 && db == 2) {
    Tensor r = mm(unsqueeze(a, 0), b);
    return squeeze_(r, 0);
  }
  if (da == 2 && db == 2) return mm(a, b);
  if (da >= 3 && (db == 1 || db == 2)) {
    // Fold the batch into the rows of one matrix product.
    Shape out_shape(a.sizes().begin(), a.sizes().end() - 1);
    if (db == 2) out_shape.push_back(b.sizes()[1]);
    // the row count spelled out: -1 is ambiguous when the last dim is 0 (torch folds it too)
    const int64_t rows = numel_of(Shape(a.sizes().begin(), a.sizes().end() - 1));
    Tensor folded = reshape(a, {rows, a.sizes().back()});
    Tensor r = db == 2 ? mm(folded, b) : mv(folded, b);
    return unsafe_view(r, out_shape);
  }
  // a @ b = (b^T @ a^T)^T, folded the same way, when a is a vector, or a matrix that needs a
  // gradient (torch's rule: the fold keeps a's gradient from being expanded over the batch;
  // grad_fn CloneBackward0). Otherwise the matrix is expanded over the batch below
  // (UnsafeViewBackward0): the fold would transpose-copy b and the result (a conv2d's [O, K]
  // weight against its [N, K, L] columns took 7x torch's time folded).
  if ((da == 1 || (da == 2 && a.requires_grad() && GradMode::is_enabled())) && db >= 3) {
    Tensor r = matmul(transpose(b, -1, -2), da == 2 ? t(a) : a);
    return da == 2 ? contiguous(transpose(r, -1, -2)) : r;
  }
  // As torch does: a 3-D operand with a batch of 1 that requires grad, against a larger batch,
  // is squeezed to a matrix so the product folds into one mm (no expanded gradient).
  if (da == 3 && db == 3 && (a.sizes()[0] == 1) != (b.sizes()[0] == 1)) {
    if (a.sizes()[0] == 1 && a.requires_grad()) return matmul(squeeze(a, 0), b);
    if (b.sizes()[0] == 1 && b.requires_grad()) return matmul(a, squeeze(b, 0));
  }
  // Batched: broadcast the batch dims, fold to 3-D, bmm, unfold.
  const int64_t n = da > 1 ? a.sizes()[da - 2] : 1, m1 = a.sizes()[da - 1];
  const int64_t m2 = db > 1 ? b.sizes()[db - 2] : 1, p = b.sizes()[db - 1];
  Shape ba(a.sizes().begin(), a.sizes().end() - 2), bb(b.sizes().begin(), b.sizes().end() - 2);
  Shape batch = broadcast_shapes(ba, bb);
  TG_CHECK(m1 == m2, "Expected size for first two dimensions of batch2 tensor to be: [",
           numel_of(batch), ", ", m1, "] but got: [", numel_of(batch), ", ", m2, "].");
  int64_t B = numel_of(batch);
  Shape ea = batch, eb = batch;
  ea.insert(ea.end(), {n, m1});
  eb.insert(eb.end(), {m2, p});
  Tensor a3 = reshape(ea == a.sizes() ? a : expand(a, ea), {B, n, m1});
  Tensor b3 = reshape(eb == b.sizes() ? b : expand(b, eb), {B, m2, p});
  Shape out_shape = batch;
  out_shape.insert(out_shape.end(), {n, p});
  return unsafe_view(bmm(a3, b3), out_shape);
}

Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  if (autocast::active()) {  // Note [Autocast]
    Tensor input_ = input, weight_ = weight, bias_ = bias;
    if (autocast::lower({&input_, &weight_, &bias_})) return linear(input_, weight_, bias_);
  }
  TG_CHECK(input.dim() >= 1 && weight.dim() >= 1, "both arguments to linear need to be at least "
           "1D, but they are ", input.dim(), "D and ", weight.dim(), "D");
  // torch's paths: a 2-D input, or a contiguous one with a 1-D bias, adds the bias through one
  // addmm (the leading dims flattened, so bias and weight must share a dtype); any other input
  // is a matmul whose result takes the bias in place (add_: the result keeps matmul's dtype,
  // and a grad_fn of AddBackward0)
  if (input.dim() == 2 && bias.defined()) return addmm(bias, input, t(weight));
  if (bias.defined() && input.dim() != 0 && bias.dim() == 1 && input.is_contiguous()) {
    Shape out_shape(input.sizes().begin(), input.sizes().end() - 1);
    const int64_t rows = numel_of(out_shape);
    Tensor flat = reshape(input, {rows, input.sizes().back()});
    Tensor r = addmm(bias, flat, t(weight));
    out_shape.push_back(r.sizes()[1]);
    return view(r, out_shape);
  }
  Tensor r = matmul(input, t(weight));
  return bias.defined() ? add_(r, bias) : r;
}

}  // namespace tapegrad
