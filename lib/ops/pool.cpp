// 2-D max pooling (torch's max_pool2d_with_indices): output geometry and checks in torch's
// words, the kernel in lib/cpu/conv.cpp; the gradient scatters into the argmax positions.
#include "common.h"

namespace tapegrad {

using namespace detail;

namespace {

std::vector<int64_t> two(std::vector<int64_t> v, const char* what) {
  if (v.size() == 1) v.push_back(v[0]);
  TG_CHECK(v.size() == 2, "max_pool2d: ", what,
           " must either be a single int, or a tuple of two ints");
  return v;
}

// torch's pooling_output_shape, its checks included (they come before the shape checks)
int64_t pooled_size(int64_t in, int64_t k, int64_t pad, int64_t s, int64_t d, bool ceil_mode) {
  TG_CHECK(s != 0, "stride should not be zero");
  TG_CHECK(pad >= 0, "pad must be non-negative, but got pad: ", pad);
  TG_CHECK(pad <= ((k - 1) * d + 1) / 2, "pad should be at most half of effective kernel size, "
           "but got pad=", pad, ", kernel_size=", k, " and dilation=", d);
  const int64_t num = in + 2 * pad - d * (k - 1) - 1 + (ceil_mode ? s - 1 : 0);
  // floor division (num may be negative for tiny inputs)
  int64_t out = (num >= 0 ? num / s : -((-num + s - 1) / s)) + 1;
  // The last window must start inside the input or the left padding.
  if (ceil_mode && (out - 1) * s >= in + pad) --out;
  return out;
}

}  // namespace

std::pair<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, std::vector<int64_t> kernel,
                                                  std::vector<int64_t> stride,
                                                  std::vector<int64_t> padding,
                                                  std::vector<int64_t> dilation, bool ceil_mode) {
  kernel = two(kernel, "kernel_size");
  const bool stride_given = !stride.empty();  // torch's _saved_stride is () when not given
  stride = stride.empty() ? kernel : two(stride, "stride");
  padding = two(padding, "padding");
  dilation = two(dilation, "dilation");
  // torch's order: the rank, then pooling_output_shape per dim, then pool2d_shape_check
  const int64_t nd = input.dim();
  TG_CHECK(nd == 3 || nd == 4, "non-empty 3D or 4D (batch mode) tensor expected for input");
  const int64_t H = input.sizes()[nd - 2], W = input.sizes()[nd - 1];
  const int64_t C = input.sizes()[nd - 3];
  const int64_t Ho = pooled_size(H, kernel[0], padding[0], stride[0], dilation[0], ceil_mode);
  const int64_t Wo = pooled_size(W, kernel[1], padding[1], stride[1], dilation[1], ceil_mode);
  TG_CHECK(kernel[0] > 0 && kernel[1] > 0, "kernel size should be greater than zero, but got kH: ",
           kernel[0], " kW: ", kernel[1]);
  TG_CHECK(stride[0] > 0 && stride[1] > 0, "stride should be greater than zero, but got dH: ",
           stride[0], " dW: ", stride[1]);
  TG_CHECK(dilation[0] > 0 && dilation[1] > 0, "dilation should be greater than zero, but got "
           "dilationH: ", dilation[0], " dilationW: ", dilation[1]);
  bool ok = true;
  for (int64_t d = nd == 4 ? 1 : 0; d < nd; ++d) ok = ok && input.sizes()[d] > 0;
  TG_CHECK(ok, "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, "
           "but got:", shape_str(input.sizes()));
  TG_CHECK(Ho >= 1 && Wo >= 1, "Given input size: (", C, "x", H, "x", W,
           "). Calculated output size: (", C, "x", Ho, "x", Wo, "). Output size is too small");
  Shape out_shape = input.sizes();
  out_shape[nd - 2] = Ho;
  out_shape[nd - 1] = Wo;
  Tensor out = empty(out_shape, input.dtype(), input.device());
  Tensor idx = empty(out_shape, DType::Int64, input.device());
  const int64_t P = H * W != 0 ? input.numel() / (H * W) : 0;
  std::vector<int64_t> p = {kernel[0], kernel[1], stride[0], stride[1], padding[0],
                            padding[1], dilation[0], dilation[1], Ho, Wo};
  kern::max_pool2d(out, idx, reshape(contiguous(detach(input)), {P, H, W}), p.data());
  if (auto node = maybe_node(OpId::MaxPool2d, {input})) {
    node->saved.emplace_back(idx, false);
    node->saved.emplace_back(input, false);  // not needed by the formula; torch shows _saved_self
    node->shape = input.sizes();
    node->i = {kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1],
               dilation[0], dilation[1], ceil_mode, stride_given};
    set_history(out, node);
  }
  return {out, idx};
}

}  // namespace tapegrad
