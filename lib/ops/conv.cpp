// Convolution: im2col / col2im (differentiable adjoints of each other, torch's F.unfold /
// F.fold) and conv2d as a grouped matrix product over the columns. The ConvolutionBackward0
// formula (derivatives.cpp) is written with im2col, col2im and matmul, so it differentiates again.
#include "common.h"
#include <tapegrad/ops/autocast.h>

namespace tapegrad {

using namespace detail;


namespace {

std::vector<int64_t> pair_arg(std::vector<int64_t> v, const char* what) {
  if (v.size() == 1) v.push_back(v[0]);
  TG_CHECK(v.size() == 2, what, " must be an int or a pair of ints, got ", v.size(), " values");
  return v;
}

// conv2d's arguments: one value or one per spatial dim, in torch's words.
std::vector<int64_t> conv_arg(std::vector<int64_t> v, const char* what) {
  if (v.size() == 1) v.push_back(v[0]);
  TG_CHECK(v.size() == 2, "expected ", what, " to be a single integer value or a list of 2 "
           "values to match the convolution dimensions, but got ", what, "=", shape_str(v));
  return v;
}

int64_t blocks(int64_t in, int64_t k, int64_t d, int64_t pad_total, int64_t s) {
  return (in + pad_total - d * (k - 1) - 1) / s + 1;
}

// p = {kh, kw, dh, dw, ph, pw, sh, sw, Ho, Wo} for a [*, *, H, W] image (symmetric padding
// when out_hw is not given).
std::vector<int64_t> col_params(int64_t H, int64_t W, const std::vector<int64_t>& k,
                                const std::vector<int64_t>& d, const std::vector<int64_t>& pad,
                                const std::vector<int64_t>& s, const std::vector<int64_t>& out_hw) {
  std::vector<int64_t> p = {k[0], k[1], d[0], d[1], pad[0], pad[1], s[0], s[1], 0, 0};
  if (out_hw.empty()) {
    p[8] = blocks(H, k[0], d[0], 2 * pad[0], s[0]);
    p[9] = blocks(W, k[1], d[1], 2 * pad[1], s[1]);
  } else {
    p[8] = out_hw[0];
    p[9] = out_hw[1];
  }
  return p;
}

void record_cols(OpId op, const Tensor& out, const Tensor& in, const std::vector<int64_t>& p,
                 int64_t H, int64_t W) {
  if (auto node = maybe_node(op, {in})) {
    node->i = p;
    node->i.push_back(H);
    node->i.push_back(W);
    set_history(out, node);
  }
}

}  // namespace

Tensor im2col(const Tensor& img, std::vector<int64_t> kernel, std::vector<int64_t> dilation,
              std::vector<int64_t> padding, std::vector<int64_t> stride,
              std::vector<int64_t> out_hw) {
  TG_CHECK(img.dim() == 3 || img.dim() == 4, "Expected 3D or 4D (batch mode) tensor for input "
           "with possibly 0 batch size and non-zero dimensions for input, but got: ",
           shape_str(img.sizes()));
  // bool images (torch unfolds them too): the byte kernel's copy, viewed back as bool; no
  // gradient flows through bool, so nothing is recorded
  if (img.dtype() == DType::Bool)
    return to(im2col(to(img, DType::UInt8), kernel, dilation, padding, stride, out_hw),
              DType::Bool);
  kernel = pair_arg(kernel, "kernel_size");
  dilation = pair_arg(dilation, "dilation");
  padding = pair_arg(padding, "padding");
  stride = pair_arg(stride, "stride");
  const bool batched = img.dim() == 4;  // unbatched [C, H, W] runs as a batch of one
  const int64_t nd = img.dim(), N = batched ? img.sizes()[0] : 1, C = img.sizes()[nd - 3],
                H = img.sizes()[nd - 2], W = img.sizes()[nd - 1];
  auto p = col_params(H, W, kernel, dilation, padding, stride, out_hw);
  TG_CHECK(p[8] > 0 && p[9] > 0, "Given input with spatial size (", H, ", ", W,
           "), kernel_size=(", p[0], ", ", p[1], "), dilation=(", p[2], ", ", p[3],
           "), padding=(", p[4], ", ", p[5], "), calculated shape of the array of sliding "
           "blocks as (", p[8], ", ", p[9], "), but its components must be at least one.");
  Shape out_shape = {C * p[0] * p[1], p[8] * p[9]};
  if (batched) out_shape.insert(out_shape.begin(), N);
  Tensor out = empty(out_shape, img.dtype(), img.device());
  kern::im2col(reshape(out, {N, out_shape[batched], out_shape[batched + 1]}),
               reshape(contiguous(detach(img)), {N, C, H, W}), p.data());
  record_cols(OpId::Im2Col, out, img, p, H, W);
  return out;
}

Tensor col2im(const Tensor& cols, std::vector<int64_t> image_hw, std::vector<int64_t> kernel,
              std::vector<int64_t> dilation, std::vector<int64_t> padding,
              std::vector<int64_t> stride, std::vector<int64_t> out_hw) {
  TG_CHECK(cols.dim() == 2 || cols.dim() == 3, "Expected 2D or 3D (batch mode) tensor for input "
           "with possibly 0 batch size and non-zero dimensions for input, but got: ",
           shape_str(cols.sizes()));
  image_hw = pair_arg(image_hw, "output_size");
  kernel = pair_arg(kernel, "kernel_size");
  dilation = pair_arg(dilation, "dilation");
  padding = pair_arg(padding, "padding");
  stride = pair_arg(stride, "stride");
  const int64_t H = image_hw[0], W = image_hw[1];
  auto p = col_params(H, W, kernel, dilation, padding, stride, out_hw);
  const bool batched = cols.dim() == 3;
  const int64_t N = batched ? cols.sizes()[0] : 1, KK = p[0] * p[1];
  const int64_t rows = cols.sizes()[batched], blocks_n = cols.sizes()[batched + 1];
  TG_CHECK(rows % KK == 0, "Expected size of input's dimension ", int(batched), " to be divisible "
           "by the product of kernel_size, but got input.size(", int(batched), ")=", rows,
           " and kernel_size=(", p[0], ", ", p[1], ")");
  TG_CHECK(blocks_n == p[8] * p[9], "Given output_size=(", H, ", ", W, "), kernel_size=(",
           p[0], ", ", p[1], "), dilation=(", p[2], ", ", p[3], "), padding=(", p[4], ", ", p[5],
           "), stride=(", p[6], ", ", p[7], "), expected size of input's dimension ",
           int(batched) + 1, " to match the calculated number of sliding blocks ", p[8], " * ",
           p[9], " = ", p[8] * p[9], ", but got input.size(", int(batched) + 1, ")=", blocks_n,
           ".");
  Shape out_shape = {rows / KK, H, W};
  if (batched) out_shape.insert(out_shape.begin(), N);
  Tensor out = empty(out_shape, cols.dtype(), cols.device());
  kern::col2im(reshape(out, {N, rows / KK, H, W}),
               reshape(contiguous(detach(cols)), {N, rows, blocks_n}), p.data());
  record_cols(OpId::Col2Im, out, cols, p, H, W);
  return out;
}

namespace {

// torch's weight-rank checks for a (batched, 4-D) input; its 'same' path prints no space
// before the weight's sizes
void check_weight_rank(const Tensor& x, const Tensor& w, bool same) {
  TG_CHECK(w.dim() >= 3, "weight should have at least three dimensions");
  TG_CHECK(w.dim() == x.dim(), "Expected ", w.dim(), "-dimensional input for ", w.dim(),
           "-dimensional weight", same ? "" : " ", shape_str(w.sizes()), ", but got ", x.dim(),
           "-dimensional input of size ", shape_str(x.sizes()), " instead");
}

void check_conv(const Tensor& x, const Tensor& w, const Tensor& b, const std::vector<int64_t>& s,
                const std::vector<int64_t>& pad, const std::vector<int64_t>& d, int64_t groups) {
  check_weight_rank(x, w, false);
  for (auto v : s) TG_CHECK(v > 0, "non-positive stride is not supported");
  for (auto v : pad) TG_CHECK(v >= 0, "negative padding is not supported");
  for (auto v : d) TG_CHECK(v > 0, "dilation should be greater than zero");
  TG_CHECK(groups > 0, "non-positive groups is not supported");
  TG_CHECK(x.dtype() == w.dtype(), "expected scalar type ", dtype_legacy_name(x.dtype()),
           " but found ", dtype_legacy_name(w.dtype()));
  const Shape& ws = w.sizes();
  TG_CHECK(ws[0] >= groups, "Given groups=", groups, ", expected weight to be at least ", groups,
           " at dimension 0, but got weight of size ", shape_str(ws), " instead");
  TG_CHECK(ws[0] % groups == 0, "Given groups=", groups, ", expected weight to be divisible by ",
           groups, " at dimension 0, but got weight of size [", shape_str(ws), "] instead");
  TG_CHECK(x.sizes()[1] == ws[1] * groups, "Given groups=", groups, ", weight of size ",
           shape_str(ws), ", expected input", shape_str(x.sizes()), " to have ", ws[1] * groups,
           " channels, but got ", x.sizes()[1], " channels instead");
  if (b.defined())
    TG_CHECK(b.dtype() == x.dtype(), "Input type (", dtype_name_short(x.dtype()),
             ") and bias type (", dtype_name_short(b.dtype()), ") should be the same");
  if (b.defined())
    TG_CHECK(b.dim() == 1 && b.sizes()[0] == ws[0], "Given weight of size ", shape_str(ws),
             ", expected bias to be 1-dimensional with ", ws[0], " elements, but got bias of size ",
             shape_str(b.sizes()), " instead");
}

// x: [N, C, H, W]; pad_begin and the output size fix the geometry (padding may be asymmetric).
Tensor convolution(const Tensor& x, const Tensor& w, const Tensor& b, const std::vector<int64_t>& p,
                   int64_t groups) {
  const int64_t N = x.sizes()[0], H = x.sizes()[2], W = x.sizes()[3];
  const int64_t O = w.sizes()[0], K = w.sizes()[1] * p[0] * p[1], L = p[8] * p[9];
  Tensor out;
  {
    NoGradGuard g;
    Tensor cols = empty({N, x.sizes()[1] * p[0] * p[1], L}, x.dtype(), x.device());
    kern::im2col(cols, contiguous(detach(x)), p.data());
    if (groups == 1) {  // one [O, K] x [K, L] product per image, no weight copies
      out = reshape(matmul(reshape(detach(w), {O, K}), cols), {N, O, p[8], p[9]});
    } else {
      Tensor wm = reshape(detach(w), {groups, O / groups, K});
      out = reshape(matmul(wm, reshape(cols, {N, groups, K, L})), {N, O, p[8], p[9]});
    }
    if (b.defined()) out = add(out, reshape(detach(b), {1, O, 1, 1}));
    out = contiguous(out);
  }
  out = detach(out);
  if (auto node = maybe_node(OpId::Convolution, {x, w, b})) {
    node->saved.emplace_back(x, false);
    node->saved.emplace_back(w, false);
    node->i = p;
    node->i.insert(node->i.end(), {H, W, groups});
    set_history(out, node);
  }
  return out;
}

// Geometry for explicit (pad_begin, pad_end) per dim; checks the kernel fits.
std::vector<int64_t> conv_params(const Tensor& x, const Tensor& w, const std::vector<int64_t>& s,
                                 const std::vector<int64_t>& pb, const std::vector<int64_t>& pe,
                                 const std::vector<int64_t>& d) {
  const int64_t H = x.sizes()[2], W = x.sizes()[3], kh = w.sizes()[2], kw = w.sizes()[3];
  const int64_t eh = d[0] * (kh - 1) + 1, ew = d[1] * (kw - 1) + 1;
  const int64_t PH = H + pb[0] + pe[0], PW = W + pb[1] + pe[1];
  TG_CHECK(PH >= eh && PW >= ew, "Calculated padded input size per channel: (", PH, " x ", PW,
           "). Kernel size: (", eh, " x ", ew, "). Kernel size can't be greater than actual "
           "input size");
  return {kh, kw, d[0], d[1], pb[0], pb[1], s[0], s[1], (PH - eh) / s[0] + 1, (PW - ew) / s[1] + 1};
}

Tensor conv2d_impl(const Tensor& input, const Tensor& weight, const Tensor& bias,
                   std::vector<int64_t> stride, const std::string* mode,
                   std::vector<int64_t> padding, std::vector<int64_t> dilation, int64_t groups) {
  if (autocast::active()) {  // Note [Autocast]
    Tensor x_ = input, w_ = weight, b_ = bias;
    if (autocast::lower({&x_, &w_, &b_}))
      return conv2d_impl(x_, w_, b_, stride, mode, padding, dilation, groups);
  }
  TG_CHECK(input.dim() == 3 || input.dim() == 4, "Expected 3D (unbatched) or 4D (batched) input "
           "to conv2d, but got input of size: ", shape_str(input.sizes()));
  if (input.dim() == 3) {
    Tensor r = conv2d_impl(unsqueeze(input, 0), weight, bias, stride, mode, padding, dilation,
                           groups);
    return squeeze(r, 0);
  }
  stride = conv_arg(stride, "stride");
  dilation = conv_arg(dilation, "dilation");
  std::vector<int64_t> pb, pe;
  if (mode) {
    TG_CHECK(*mode == "same" || *mode == "valid", "Invalid padding string: '", *mode, "'");
    pb = pe = {0, 0};
    if (*mode == "same") {
      TG_CHECK(stride[0] == 1 && stride[1] == 1,
               "padding='same' is not supported for strided convolutions");
      check_weight_rank(input, weight, true);
      for (int k = 0; k < 2; ++k) {
        const int64_t total = dilation[k] * (weight.sizes()[2 + k] - 1);
        pb[k] = total / 2;  // an odd total puts the extra row/column at the end, as torch
        pe[k] = total - pb[k];
      }
    }
  } else {
    pb = pe = conv_arg(padding, "padding");
  }
  if (pb != pe) {
    // Asymmetric 'same': torch pads the extra row/column onto the input first (its graph shows
    // ConstantPadNdBackward0, its convolution saves the padded input), then pads symmetrically.
    Tensor padded = constant_pad_nd(input, {0, pe[1] - pb[1], 0, pe[0] - pb[0]});
    check_conv(padded, weight, bias, stride, pb, dilation, groups);
    return convolution(padded, weight, bias, conv_params(padded, weight, stride, pb, pb, dilation),
                       groups);
  }
  check_conv(input, weight, bias, stride, pb, dilation, groups);
  Tensor out = convolution(input, weight, bias,
                           conv_params(input, weight, stride, pb, pe, dilation), groups);
  // torch's node keeps padding='valid' as padding (0,): a trailing flag for _saved_padding
  // (Note [Saved attributes])
  if (mode && *mode == "valid" && out.grad_fn() && out.grad_fn()->op == OpId::Convolution)
    out.grad_fn()->i.push_back(1);
  return out;
}

}  // namespace

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
              std::vector<int64_t> stride, std::vector<int64_t> padding,
              std::vector<int64_t> dilation, int64_t groups) {
  return conv2d_impl(input, weight, bias, stride, nullptr, padding, dilation, groups);
}

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
              std::vector<int64_t> stride, const char* padding,
              std::vector<int64_t> dilation, int64_t groups) {
  const std::string mode = padding;
  return conv2d_impl(input, weight, bias, stride, &mode, {}, dilation, groups);
}

}  // namespace tapegrad
