// nn ops: softmax/log_softmax and the losses (mse, binary cross-entropy with and without
// logits, nll, cross-entropy). Forwards are computed with untracked primitives; each records
// the dedicated node torch shows, whose formula lives in derivatives.cpp.
#include <cmath>

#include <tapegrad/kernels/reduce_rows.h>
#include <tapegrad/ops/compare_ops.h>

#include "common.h"
#include "../autograd/backward_nn.h"

namespace tapegrad {

using namespace detail;

namespace {

Tensor reduce_loss(const Tensor& l, Reduction r) {
  if (r == Reduction::None) return l;
  return r == Reduction::Sum ? sum(l) : mean(l);
}

Tensor softmax_impl(OpId op, const Tensor& a, int64_t dim, std::optional<DType> dtype) {
  Tensor x = dtype ? to(a, *dtype) : a;
  if (!is_floating(x.dtype())) {
    TG_ERROR_KIND(NotImplemented, "\"", op == OpId::Softmax ? "softmax" : "log_softmax",
                  "_lastdim_kernel_impl\" not implemented for '", dtype_legacy_name(x.dtype()), "'");
  }
  int64_t d = wrap_dim(dim, x.dim());
  Tensor out;
  if (x.numel() == 0 && x.dim() > 0) out = empty(x.sizes(), x.dtype(), x.device());  // torch's strides
  {
    NoGradGuard g;
    if (!out.defined() && x.dim() > 1 && d < x.dim() - 1 && x.is_contiguous() && x.numel() > 0 &&
        x.device().is_cpu() && (x.dtype() == DType::Float32 || x.dtype() == DType::Float64)) {
      // a leading dim of a contiguous tensor: by columns, no transposed copies (softmax(x, 0)
      // of 1024 x 1024 took 1.6x torch's time through them)
      int64_t outer = 1, inner = 1;
      for (int64_t k = 0; k < d; ++k) outer *= x.sizes()[k];
      for (int64_t k = d + 1; k < x.dim(); ++k) inner *= x.sizes()[k];
      Tensor r = empty(x.sizes(), x.dtype(), x.device());
      if (kern::softmax_cols(r, detach(x), outer, x.sizes()[d], inner, op == OpId::LogSoftmax))
        out = r;
    }
  }
  if (!out.defined()) {
    NoGradGuard g;
    Tensor moved = x.dim() ? contiguous(transpose(detach(x), d, -1)) : contiguous(reshape(detach(x), {1}));
    Tensor r = empty(moved.sizes(), x.dtype(), x.device());
    kern::softmax_inner(r, moved, moved.numel() ? moved.sizes().back() : 0, op == OpId::LogSoftmax);
    if (!x.dim()) {
      out = reshape(r, {});
    } else if (d == x.dim() - 1) {
      out = r;
    } else {  // a fresh tensor, not contiguous(): that keeps a view's odd strides at size-1 dims
      out = empty(x.sizes(), x.dtype(), x.device());
      kern::copy(out, transpose(r, d, -1));
    }
  }
  out = detach(out);
  if (auto node = maybe_node(op, {x})) {
    node->i = {d, dim};  // then dim as given (Note [Saved attributes])
    set_history(out, node);
    node->saved.emplace_back(out, true);
  }
  return out;
}

std::string size_repr(const Shape& s) {
  std::string r = "torch.Size([";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "])";
}

}  // namespace

Tensor softmax(const Tensor& a, int64_t dim, std::optional<DType> dtype) {
  return softmax_impl(OpId::Softmax, a, dim, dtype);
}
Tensor log_softmax(const Tensor& a, int64_t dim, std::optional<DType> dtype) {
  return softmax_impl(OpId::LogSoftmax, a, dim, dtype);
}

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction r) {
  Tensor out;
  {
    NoGradGuard g;
    Tensor d = sub(input, target);
    if (r != Reduction::None && d.device().is_cpu() && d.is_contiguous() && d.numel() > 0 &&
        (d.dtype() == DType::Float32 || d.dtype() == DType::Float64)) {
      // the squares summed in the same pass as the reduction (no d * d temporary: 1024 x 1024
      // floats took 1.8x torch's time with it); mean = sum / n, as mean() divides
      Tensor s = empty({}, d.dtype(), d.device());
      kern::sum_squares_inner(s, d, d.numel());
      out = r == Reduction::Sum ? s : div(s, wrapped_scalar(static_cast<double>(d.numel())));
    } else {
      out = reduce_loss(mul(d, d), r);
    }
  }
  if (auto node = maybe_node(OpId::MseLoss, {input, target})) {
    node->saved.emplace_back(input, false);
    node->saved.emplace_back(target, false);
    node->i = {static_cast<int64_t>(r)};
    set_history(out, node);
  }
  return out;
}

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight,
                            Reduction r) {
  TG_CHECK_KIND(Value, input.sizes() == target.sizes(), "Using a target size (",
                size_repr(target.sizes()), ") that is different to the input size (",
                size_repr(input.sizes()), ") is deprecated. Please ensure they have the same size.");
  Tensor out;
  {
    NoGradGuard g;
    Tensor bad = compare(CmpId::LogicalOr, compare(CmpId::Lt, input, wrapped_scalar(0)),
                         compare(CmpId::Gt, input, wrapped_scalar(1)));
    TG_CHECK(!item(sum(bad)).i, "all elements of input should be between 0 and 1");
    // log is clamped at -100 so that 0 * log(0) stays finite, as in torch.
    Tensor lx = clamp(log(input), Scalar(-100.0), std::nullopt);
    Tensor l1x = clamp(log(rsub(input, 1)), Scalar(-100.0), std::nullopt);
    Tensor l = neg(add(mul(target, lx), mul(rsub(target, 1), l1x)));
    if (weight.defined()) l = mul(l, weight);
    out = reduce_loss(l, r);
  }
  if (auto node = maybe_node(OpId::BinaryCrossEntropy, {input, target, weight})) {
    node->saved.emplace_back(input, false);
    node->saved.emplace_back(target, false);
    node->saved.emplace_back(weight, false);
    node->i = {static_cast<int64_t>(r)};
    set_history(out, node);
  }
  return out;
}

Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const Tensor& weight, const Tensor& pos_weight,
                                        Reduction r) {
  TG_CHECK_KIND(Value, input.sizes() == target.sizes(), "Target size (", size_repr(target.sizes()),
                ") must be the same as input size (", size_repr(input.sizes()), ")");
  Tensor out;
  {
    NoGradGuard g;
    // (1 - t) x + (1 + (pw - 1) t) * (log1p(exp(-|x|)) + max(-x, 0)): stable for any x.
    Tensor soft = add(log1p(exp(neg(abs(input)))), relu(neg(input)));
    Tensor l;
    if (pos_weight.defined()) {
      Tensor coef = add(mul(sub(pos_weight, wrapped_scalar(1)), target), wrapped_scalar(1));
      l = add(mul(rsub(target, 1), input), mul(coef, soft));
    } else {
      l = add(mul(rsub(target, 1), input), soft);
    }
    if (weight.defined()) l = mul(l, weight);
    out = reduce_loss(l, r);
  }
  if (auto node = maybe_node(OpId::BinaryCrossEntropyWithLogits, {input, target, weight,
                                                                  pos_weight})) {
    node->saved.emplace_back(input, false);
    node->saved.emplace_back(target, false);
    node->saved.emplace_back(weight, false);
    node->saved.emplace_back(pos_weight, false);
    node->i = {static_cast<int64_t>(r)};
    set_history(out, node);
  }
  return out;
}

// Note [nll coefficients]: nll_loss and its gradient are input * coef summed, with coef the
// per-element d loss / d input: -w[t] at each counted target's class, zero elsewhere, over the
// input's shape. kern::nll_coef builds it on the input's device (a CUDA input's targets never
// come to the host); the forward reads back only the out-of-bounds flag, and for 'mean' divides
// the sum by the total weight as torch does (sum first, so 0 / 0 = nan when nothing counts).
// The gradient's coefficients for 'mean' are each over the forward's total weight (saved in
// the forward's dtype, as torch's total_weight): -w / 0 when it is 0, and the zeros stay zero.
namespace detail {
NllCoef nll_coef_raw(const Shape& in_sizes, Device device, const Tensor& target,
                     const Tensor& weight, const Tensor& scale, int64_t ignore_index,
                     bool check_bounds) {
  const int64_t cdim = in_sizes.size() == 1 ? 0 : 1;
  const int64_t C = in_sizes[cdim];
  TG_CHECK(!weight.defined() || weight.numel() == C, "weight tensor should be defined either for "
           "all ", C, " classes or no classes but got weight tensor of shape: ",
           shape_str(weight.sizes()));
  // Layout: [N, C, inner] (inner = product of trailing dims; N = 1 for 1-D input).
  int64_t N = cdim == 0 ? 1 : in_sizes[0], inner = 1;
  for (size_t d = cdim + 1; d < in_sizes.size(); ++d) inner *= in_sizes[d];
  Tensor tc = contiguous(to(detach(target), DType::Int64));
  Tensor wd = weight.defined() ? contiguous(to(detach(weight), DType::Float64)) : Tensor();
  Tensor coef = zeros({N, C, inner}, DType::Float64, device);
  Tensor tw = empty({tc.numel()}, DType::Float64, device);
  Tensor bad = zeros({2}, DType::Int64, device);
  Tensor sd = scale.defined() ? to(detach(scale), DType::Float64) : Tensor();
  kern::nll_coef(coef, tw, bad, tc, wd, sd, ignore_index);
  if (check_bounds) {
    const Tensor hb = on_host(bad);
    TG_CHECK_KIND(Index, hb.data<int64_t>()[0] == 0, "Target ", hb.data<int64_t>()[1],
                  " is out of bounds.");
  }
  return {reshape(coef, in_sizes), tw};
}

Tensor nll_loss_coef(const Shape& in_sizes, DType dt, Device device, const Tensor& target,
                     const Tensor& weight, const Tensor& total, int64_t ignore_index) {
  return to(nll_coef_raw(in_sizes, device, target, weight, total, ignore_index, false).coef, dt);
}

Tensor nll_loss_grad(const Shape& in_sizes, const Tensor& g, const Tensor& target,
                     const Tensor& weight, const Tensor& total, int64_t reduction,
                     int64_t ignore_index) {
  const auto r = static_cast<Reduction>(reduction);
  const bool graph = GradMode::is_enabled() && g.requires_grad();  // double backward: g * coef
  if (!graph && g.device().is_cpu() &&
      (g.dtype() == DType::Float32 || g.dtype() == DType::Float64)) {
    const int64_t cdim = in_sizes.size() == 1 ? 0 : 1;
    const int64_t N = cdim == 0 ? 1 : in_sizes[0], C = in_sizes[cdim];
    Tensor gin = zeros({N, C, C ? numel_of(in_sizes) / (N * C) : 0}, g.dtype());
    Tensor t = contiguous(to(detach(target), DType::Int64));
    Tensor wd = weight.defined() ? contiguous(to(detach(weight), DType::Float64)) : Tensor();
    Tensor tot = r == Reduction::Mean ? to(detach(total), g.dtype()) : Tensor();
    if (gin.numel())
      kern::nll_loss_bwd(gin, contiguous(detach(g)), r == Reduction::None, t, wd, tot,
                         ignore_index);
    return reshape(gin, in_sizes);
  }
  Tensor coef = nll_loss_coef(in_sizes, g.dtype(), g.device(), target, weight,
                              r == Reduction::Mean ? total : Tensor(), ignore_index);
  Tensor gg = r == Reduction::None && in_sizes.size() > 1 ? unsqueeze(g, 1) : g;
  return mul(gg, coef);
}
}  // namespace detail

namespace {
// nll_loss over (C), (N, C) [NllLossBackward0] or (N, C, H, W) [NllLoss2DBackward0] inputs.
Tensor nll_loss_op(OpId op, const Tensor& input, const Tensor& target, const Tensor& weight,
                   Reduction r, int64_t ignore_index) {
  TG_CHECK(is_integral(target.dtype(), false), "expected scalar type Long but found ",
           dtype_legacy_name(target.dtype()));
  const int64_t cdim = input.dim() == 1 ? 0 : 1;
  {
    Shape expect = input.sizes();
    expect.erase(expect.begin() + cdim);
    TG_CHECK(target.sizes() == expect,
             input.dim() <= 2 ? "Expected input batch_size (" : "size mismatch (got input: ",
             input.dim() <= 2 ? std::to_string(input.dim() == 1 ? 1 : input.sizes()[0]) : shape_str(input.sizes()),
             input.dim() <= 2 ? ") to match target batch_size (" : ", target: ",
             input.dim() <= 2 ? std::to_string(target.dim() == 0 ? 1 : target.sizes()[0]) : shape_str(target.sizes()),
             input.dim() <= 2 ? ")." : ")");
  }
  Tensor out, total;
  const int64_t C = input.sizes()[cdim];
  TG_CHECK(!weight.defined() || weight.numel() == C, "weight tensor should be defined either "
           "for all ", C, " classes or no classes but got weight tensor of shape: ",
           shape_str(weight.sizes()));
  if (input.device().is_cpu() &&
      (input.dtype() == DType::Float32 || input.dtype() == DType::Float64)) {
    // One pass over the targets (kern::nll_loss_fwd): the loss reads each target's entry only,
    // as torch's kernel. (A dense product input * coefficients, used before, took ten ops and
    // turned a -inf elsewhere in a row, a masked logit, into 0 * -inf = nan.)
    NoGradGuard g;
    // 1-d and 2-d inputs as they are (a transposed vocabulary-sized input is not copied)
    Tensor x = input.dim() == 1   ? unsqueeze(unsqueeze(detach(input), 0), 2)
               : input.dim() == 2 ? unsqueeze(detach(input), 2)
                                  : view(contiguous(detach(input)), {input.sizes()[0], C, -1});
    Tensor t = contiguous(to(detach(target), DType::Int64));
    Tensor wd = weight.defined() ? contiguous(to(detach(weight), DType::Float64)) : Tensor();
    Tensor l = empty(t.sizes(), input.dtype(), input.device());
    Tensor tw = empty(t.sizes(), DType::Float64, input.device());
    Tensor bad = zeros({2}, DType::Int64);
    kern::nll_loss_fwd(l, tw, bad, x, t, wd, ignore_index);
    const int64_t* b = bad.data<int64_t>();
    TG_CHECK_KIND(Index, b[0] == 0, "Target ", b[1], " is out of bounds.");
    out = r == Reduction::None ? l : sum(l);
    total = to(sum(tw), input.dtype());
    if (r == Reduction::Mean) out = div(out, total);
  } else {
    NoGradGuard g;
    // The forward reads only each target's entry: input gathered at the (ignored -> 0)
    // targets, times w[t] (zero where ignored). The dense N x C coefficients (the gradient's)
    // made the forward O(N * C) in float64: a 1024 x 50000 vocabulary would have written 400 MB.
    Tensor t = to(detach(target), DType::Int64);
    Tensor valid = compare(CmpId::Ne, t, wrapped_scalar(ignore_index));
    Tensor oob = compare(CmpId::LogicalAnd, valid,
                         compare(CmpId::LogicalOr, compare(CmpId::Lt, t, wrapped_scalar(int64_t{0})),
                                 compare(CmpId::Ge, t, wrapped_scalar(C))));
    if (t.numel() && item(any(oob)).i) {
      const Tensor bad = on_host(contiguous(masked_select(t, oob)));
      TG_ERROR_KIND(Index, "Target ", bad.data<int64_t>()[0], " is out of bounds.");
    }
    Tensor safe = masked_fill(t, logical_not(valid), Scalar(int64_t{0}));
    Tensor x = detach(input);
    Tensor picked = input.dim() == 1 ? reshape(gather(x, 0, reshape(safe, {1})), {})
                                     : squeeze(gather(x, cdim, unsqueeze(safe, cdim)), cdim);
    Tensor w = weight.defined()
                   ? reshape(index_select(to(detach(weight), input.dtype()), 0, reshape(safe, {-1})),
                             t.sizes())
                   : ones(t.sizes(), input.dtype(), input.device());
    w = mul(w, to(valid, input.dtype()));
    // an ignored target's stand-in entry (class 0) is not part of the loss: masked out, not
    // multiplied by zero (an inf there would give nan, and a positive one -0)
    Tensor l = where(valid, neg(mul(picked, w)), zeros({}, input.dtype(), input.device()));
    out = r == Reduction::None ? l : sum(l);
    total = to(sum(to(w, DType::Float64)), input.dtype());
    if (r == Reduction::Mean) out = div(out, total);
  }
  if (auto node = maybe_node(op, {input})) {
    node->saved.emplace_back(target, false);
    node->saved.emplace_back(weight, false);
    // not needed by the formula; torch shows them as _saved_self and _saved_total_weight
    node->saved.emplace_back(input, false);
    // (torch keeps 0 for reduction='none', where no total is formed)
    node->saved.emplace_back(r == Reduction::None && input.dim() > 1
                                 ? zeros({}, input.dtype(), input.device())
                                 : total,
                             false);
    node->shape = input.sizes();
    node->i = {static_cast<int64_t>(r), ignore_index};
    set_history(out, node);
  }
  return out;
}
}  // namespace

namespace {
// The checks torch makes of a class-index target before nll_loss's kernels, in its order (the
// batch-size ones are ValueErrors there, checked before the dtype).
void check_class_target(const Tensor& input, const Tensor& target, const Tensor& weight) {
  if (input.dim() == 1 && target.dim() == 1 && target.sizes()[0] != 1) {
    TG_ERROR_KIND(Value, "For 1D input, 1D target must have size 1, but got target size: ",
                  target.sizes()[0]);
  }
  if (input.dim() >= 2 && target.dim() >= 1 && input.sizes()[0] != target.sizes()[0]) {
    TG_ERROR_KIND(Value, "Expected input batch_size (", input.sizes()[0],
                  ") to match target batch_size (", target.sizes()[0], ").");
  }
  TG_CHECK(target.dtype() == DType::Int64 || target.dtype() == DType::UInt8,
           "expected target dtype to be Long or Byte, but got ", dtype_legacy_name(target.dtype()));
  const int64_t classes = input.dim() == 0 ? 1 : input.sizes()[input.dim() == 1 ? 0 : 1];
  TG_CHECK(!weight.defined() || weight.numel() != classes || weight.dtype() == input.dtype(),
           "expected scalar type ", dtype_legacy_name(input.dtype()), " but found ",
           dtype_legacy_name(weight.dtype()));
  TG_CHECK(target.dtype() != DType::UInt8 || input.dim() < 3,
           "expected scalar type Long but found Byte");
}
}  // namespace

Tensor nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight, Reduction r,
                int64_t ignore_index) {
  TG_CHECK_KIND(Value, input.dim() >= 1, "Expected 1 or more dimensions (got ", input.dim(), ")");
  check_class_target(input, target, weight);
  if (input.dim() <= 2) return nll_loss_op(OpId::NllLoss, input, target, weight, r, ignore_index);
  if (input.dim() == 4)
    return nll_loss_op(OpId::NllLoss2d, input, target, weight, r, ignore_index);
  // Other ranks go through the 2-d loss on (N, C, 1, rest), as torch's nll_loss_nd does (its
  // graph shows the views).
  const int64_t n = input.sizes()[0], c = input.sizes()[1];
  TG_CHECK(target.dim() >= 1 && target.sizes()[0] == n, "Expected input batch_size (", n,
           ") to match target batch_size (", target.dim() ? target.sizes()[0] : 1, ").");
  Shape expect(input.sizes().begin() + 2, input.sizes().end());
  expect.insert(expect.begin(), n);
  TG_CHECK(target.sizes() == expect, "Expected target size ", shape_str(expect), ", got ",
           shape_str(target.sizes()));
  Tensor in4 = view(contiguous(input), {n, c, 1, -1});
  Tensor t3 = view(contiguous(target), {n, 1, -1});
  Tensor out = nll_loss_op(OpId::NllLoss2d, in4, t3, weight, r, ignore_index);
  return r == Reduction::None ? view(out, expect) : out;
}

Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight, Reduction r,
                     int64_t ignore_index, double label_smoothing) {
  // torch's order: a target of the input's shape holds class probabilities, checked first; a
  // class-index target is checked by nll_loss, after log_softmax (which refuses a 0-d input)
  if (input.sizes() == target.sizes()) {
    TG_CHECK(is_floating(target.dtype()), "Expected floating point type for target with class "
             "probabilities, got ", dtype_legacy_name(target.dtype()));
    TG_CHECK(ignore_index < 0, "ignore_index is not supported for floating point target");
    // (torch reads the class count next, as size(1) even of a 0-d input)
    TG_CHECK_KIND(Index, input.dim() > 0, "Dimension specified as 1 but tensor has no dimensions");
  }
  TG_CHECK(label_smoothing >= 0 && label_smoothing <= 1,
           "label_smoothing must be between 0.0 and 1.0. Got: ", label_smoothing);
  const int64_t cdim = input.dim() == 1 ? 0 : 1;
  Tensor logp = log_softmax(input, cdim);
  const int64_t C = input.sizes()[cdim];
  Shape wshape(input.dim(), 1);
  wshape[cdim] = C;
  if (input.sizes() == target.sizes()) {  // class probabilities
    Tensor tg = label_smoothing > 0
                    ? add(mul(target, wrapped_scalar(1 - label_smoothing)),
                          wrapped_scalar(label_smoothing / C))
                    : target;
    Tensor prod = mul(logp, tg);
    if (weight.defined()) prod = mul(prod, view(weight, wshape));
    if (r == Reduction::None) return neg(sum(prod, {cdim}, false));
    Tensor s = neg(sum(prod));
    if (r == Reduction::Sum) return s;
    return div(s, Scalar(static_cast<int64_t>(input.numel() / C)));
  }
  Tensor nll = nll_loss(logp, target, weight, r, ignore_index);
  if (label_smoothing <= 0) return nll;
  Tensor ignore = compare(CmpId::Eq, target, wrapped_scalar(ignore_index));
  Tensor smooth = weight.defined() ? neg(sum(mul(logp, view(weight, wshape)), {cdim}, false))
                                   : neg(sum(logp, {cdim}, false));
  smooth = where(ignore, zeros({}, smooth.dtype()), smooth);
  Tensor ret;
  if (r == Reduction::Mean) {
    if (weight.defined()) {
      // flattened: an unbatched (0-d) target indexes like a batch of one
      Tensor keep = flatten(logical_not(ignore));
      Tensor cls = index(flatten(target), {keep});
      ret = div(sum(smooth), sum(index(weight, {cls})));
    } else {
      ret = div(sum(smooth), sum(logical_not(ignore)));
    }
  } else {
    ret = r == Reduction::Sum ? sum(smooth) : smooth;
  }
  return add(mul(nll, wrapped_scalar(1 - label_smoothing)),
             mul(ret, wrapped_scalar(label_smoothing / C)));
}

}  // namespace tapegrad
