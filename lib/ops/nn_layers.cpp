// nn layer ops: gelu, softplus, layer_norm, embedding and dropout. Forwards run untracked
// primitives or kernels and record the node torch shows (dropout is torch's composite:
// input * mask / (1 - p), a MulBackward0).
#include <algorithm>
#include <cmath>

#include <tapegrad/ops/memory_format.h>
#include <tapegrad/ops/output_layout.h>

#include "common.h"

namespace tapegrad {

using namespace detail;

Tensor gelu(const Tensor& a, const std::string& approximate) {
  TG_CHECK(approximate == "none" || approximate == "tanh",
           "approximate argument must be either none or tanh.");
  const bool tanh_approx = approximate == "tanh";
  // laid out as torch lays it out (a transposed input, a transposed result); a non-dense
  // input is copied first so the kernel's vector paths see one flat layout
  Tensor in = detach(a);
  if (!in.is_contiguous() && !is_non_overlapping_and_dense(in)) in = contiguous(in);
  Tensor out = empty_like_operands(Shape(a.sizes()), a.dtype(), a.device(), {&in});
  kern::gelu(out, in, tanh_approx);
  if (auto node = maybe_node(OpId::Gelu, {a})) {
    node->saved.emplace_back(a, false);
    node->i = {tanh_approx};
    set_history(out, node);
  }
  return out;
}

Tensor softplus(const Tensor& a, double beta, double threshold) {
  if (is_floating(a.dtype()))  // torch converts both into the computation type, checked
    for (double v : {beta, threshold}) check_scalar_fits(Scalar(v), opmath(a.dtype()));
  Tensor out = empty_like_operands(Shape(a.sizes()), a.dtype(), a.device(), {&a});
  kern::softplus(out, detach(a), beta, threshold);
  if (auto node = maybe_node(OpId::Softplus, {a})) {
    node->saved.emplace_back(a, false);
    node->f = {beta, threshold};
    set_history(out, node);
  }
  return out;
}

Tensor layer_norm(const Tensor& input, const Shape& normalized_shape, const Tensor& weight,
                  const Tensor& bias, double eps) {
  const int64_t k = static_cast<int64_t>(normalized_shape.size());
  TG_CHECK(k >= 1, "Expected normalized_shape to be at least 1-dimensional, i.e., containing at "
           "least one element, but got normalized_shape = ", shape_str(normalized_shape));
  TG_CHECK(!weight.defined() || weight.sizes() == normalized_shape, "Expected weight to be of "
           "same shape as normalized_shape, but got weight of shape ", shape_str(weight.sizes()),
           " and normalized_shape = ", shape_str(normalized_shape));
  TG_CHECK(!bias.defined() || bias.sizes() == normalized_shape, "Expected bias to be of same "
           "shape as normalized_shape, but got bias of shape ", shape_str(bias.sizes()),
           " and normalized_shape = ", shape_str(normalized_shape));
  if (mixed_norm_params(input, {&weight, &bias}))
    return to(layer_norm(to(input, DType::Float32), normalized_shape, weight, bias, eps),
              input.dtype());
  bool match = input.dim() >= k;
  for (int64_t j = 0; match && j < k; ++j)
    match = input.sizes()[input.dim() - k + j] == normalized_shape[j];
  if (!match) {
    std::string want = "[*";
    for (auto s : normalized_shape) want += ", " + std::to_string(s);
    TG_ERROR("Given normalized_shape=", shape_str(normalized_shape),
             ", expected input with shape ", want, "], but got input of size",
             shape_str(input.sizes()));
  }
  std::vector<int64_t> dims;
  for (int64_t j = input.dim() - k; j < input.dim(); ++j) dims.push_back(j);
  Tensor out;
  {
    NoGradGuard g;
    // half and bfloat16 compute in float32 and round once, as torch's kernel (each step
    // rounded to half changed 38% of the results, and eps=1e10 overflowed half)
    const DType f = opmath(input.dtype());
    auto in_f = [&](const Tensor& t) { return t.defined() && t.dtype() != f ? to(detach(t), f) : detach(t); };
    Tensor x = in_f(input);
    Tensor mu = mean(x, dims, true);
    Tensor centred = sub(x, mu);
    Tensor var = mean(mul(centred, centred), dims, true);
    // torch's form: x * rstd + (-mean * rstd), then the affine part
    Tensor rstd = rsqrt(add(var, wrapped_scalar(eps)));
    out = add(mul(x, rstd), neg(mul(mu, rstd)));
    if (weight.defined()) out = mul(out, in_f(weight));
    if (bias.defined()) out = add(out, in_f(bias));
    out = f != input.dtype() ? to(out, input.dtype()) : contiguous(out);
  }
  out = detach(out);
  if (auto node = maybe_node(OpId::LayerNorm, {input, weight, bias})) {
    node->saved.emplace_back(input, false);
    node->saved.emplace_back(weight, false);
    node->saved.emplace_back(bias, false);  // not needed by the formula; torch shows _saved_bias
    node->i = dims;
    node->f = {eps};
    set_history(out, node);
  }
  return out;
}

Tensor embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx,
                 bool scale_grad_by_freq, bool sparse) {
  TG_CHECK(weight.dim() == 2, "'weight' must be 2-D");
  TG_CHECK(indices.dtype() == DType::Int64 || indices.dtype() == DType::Int32,
           "Expected tensor for argument #1 'indices' to have one of the following scalar types: "
           "Long, Int; but got torch.", dtype_legacy_name(indices.dtype()), "Tensor instead "
           "(while checking arguments for embedding)");
  TG_CHECK_KIND(NotImplemented, !sparse, "tapegrad has no sparse tensors: embedding(sparse=True) "
                "is not supported");
  const int64_t rows = weight.sizes()[0];
  Tensor flat = to(reshape(detach(indices), {-1}), DType::Int64);
  for (double v : to_double_vector(flat))
    TG_CHECK_KIND(Index, v >= 0 && v < rows, "index out of range in self");
  Shape shape = indices.sizes();
  shape.push_back(weight.sizes()[1]);
  Tensor out;
  {
    NoGradGuard g;
    out = contiguous(reshape(index(detach(weight), {flat}), shape));
  }
  out = detach(out);
  if (auto node = maybe_node(OpId::Embedding, {weight})) {
    node->saved.emplace_back(flat, false);
    node->saved.emplace_back(indices, false);  // as given: torch's _saved_indices
    node->shape = weight.sizes();
    node->i = {padding_idx, scale_grad_by_freq};
    set_history(out, node);
  }
  return out;
}

Tensor& embedding_renorm_(Tensor& weight, const Tensor& indices, double max_norm,
                          double norm_type) {
  check_inplace(weight);
  TG_CHECK(weight.dim() == 2, "'weight' must be 2-D");
  TG_CHECK(indices.dtype() == DType::Int64 || indices.dtype() == DType::Int32,
           "Expected tensor for argument #2 'indices' to have one of the following scalar types: "
           "Long, Int; but got torch.", dtype_legacy_name(indices.dtype()), "Tensor instead "
           "(while checking arguments for embedding_renorm_)");
  std::vector<double> ids = to_double_vector(indices);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  NoGradGuard g;
  for (double v : ids) {
    const int64_t r = static_cast<int64_t>(v);
    TG_CHECK_KIND(Index, r >= 0 && r < weight.sizes()[0], "index out of range in self");
    Tensor row = select(weight, 0, r);
    std::vector<double> vals = to_double_vector(row);
    double norm = 0;
    if (norm_type == 1) {
      for (double x : vals) norm += std::abs(x);
    } else if (norm_type == 2) {
      for (double x : vals) norm += x * x;
      norm = std::sqrt(norm);
    } else if (std::isinf(norm_type)) {
      for (double x : vals) norm = std::max(norm, std::abs(x));
    } else {
      for (double x : vals) norm += std::pow(std::abs(x), norm_type);
      norm = std::pow(norm, 1.0 / norm_type);
    }
    if (norm > max_norm) {
      // the same factor torch uses (the 1e-7 keeps a zero row finite)
      Tensor scaled = mul(row, wrapped_scalar(max_norm / (norm + 1e-7)));
      kern::copy(row, scaled);
    }
  }
  weight.bump_version();
  return weight;
}

namespace {

void check_dropout_p(double p) {
  TG_CHECK(p >= 0 && p <= 1, "dropout probability has to be between 0 and 1, but got ", p);
}

// The scaled keep-mask: 1 / (1 - p) with probability 1 - p, else 0, in the input's dtype.
Tensor dropout_noise(const Tensor& input, double p) {
  Tensor noise = empty(input.sizes(), input.dtype(), input.device());
  bernoulli_(noise, 1 - p);
  NoGradGuard g;
  return div(noise, wrapped_scalar(1 - p));
}

}  // namespace

Tensor dropout(const Tensor& input, double p, bool train) {
  check_dropout_p(p);
  if (p == 0 || !train || input.numel() == 0) return input;
  TG_CHECK(is_floating(input.dtype()), "result type Float can't be cast to the desired output "
           "type ", dtype_legacy_name(input.dtype()));
  if (p == 1) return mul(input, zeros({}, input.dtype(), input.device()));
  return mul(input, dropout_noise(input, p));
}

Tensor& dropout_(Tensor& input, double p, bool train) {
  check_dropout_p(p);
  if (p == 0 || !train || input.numel() == 0) return input;
  TG_CHECK(is_floating(input.dtype()), "result type Float can't be cast to the desired output "
           "type ", dtype_legacy_name(input.dtype()));
  if (p == 1) return mul_(input, zeros({}, input.dtype(), input.device()));
  return mul_(input, dropout_noise(input, p));
}

}  // namespace tapegrad
