// F.pad. constant_pad_nd (the constant mode): a filled output with the input copied into the
// window the (left, right) amounts leave; negative amounts crop. The gradient is the same op
// with the amounts negated, so it differentiates again. The reflect / replicate modes gather
// input positions per padded dim (Note [Index padding]); circular copies slices, as torch's.
#include <sstream>

#include "common.h"

namespace tapegrad {

using namespace detail;

Tensor constant_pad_nd(const Tensor& a, const std::vector<int64_t>& pad, Scalar value) {
  const int64_t n = static_cast<int64_t>(pad.size()), nd = a.dim();
  TG_CHECK(n % 2 == 0, "Padding length must be divisible by 2");
  TG_CHECK(n / 2 <= nd, "Padding length should be less than or equal to two times the input "
           "dimension but got padding length ", n, " and input of dimension ", nd);
  Shape shape = a.sizes();
  for (int64_t k = 0; k < n / 2; ++k) {
    const int64_t d = nd - 1 - k, left = pad[2 * k], right = pad[2 * k + 1];
    TG_CHECK(a.sizes()[d] + std::min<int64_t>(left, 0) + std::min<int64_t>(right, 0) >= 0,
             "narrow(): length must be non-negative.");
    shape[d] = a.sizes()[d] + left + right;
    TG_CHECK(shape[d] >= 0, "The input size ", a.sizes()[d], ", plus negative padding ", left,
             " and ", right, " resulted in a negative output size, which is invalid. Check "
             "dimension ", d, " of your input.");
  }
  Tensor out = full(shape, value, a.dtype(), a.device());
  {
    NoGradGuard g;
    Tensor src = detach(a), dst = out;
    for (int64_t k = 0; k < n / 2; ++k) {
      const int64_t d = nd - 1 - k, left = pad[2 * k], right = pad[2 * k + 1];
      const int64_t len = a.sizes()[d] + std::min<int64_t>(left, 0) + std::min<int64_t>(right, 0);
      src = slice(src, d, std::max<int64_t>(-left, 0), std::max<int64_t>(-left, 0) + len);
      dst = slice(dst, d, std::max<int64_t>(left, 0), std::max<int64_t>(left, 0) + len);
    }
    if (src.numel() > 0) kern::copy(dst, src);
  }
  if (auto node = maybe_node(OpId::ConstantPadNd, {a})) {
    node->i = pad;
    set_history(out, node);
  }
  return out;
}

}  // namespace tapegrad

// ---- reflect / replicate / circular (F.pad's other modes) ----
// Note [Index padding]: for reflect and replicate every output position along a padded dim reads
// one input position (mirrored or clamped), so the forward is index_select per padded dim and the
// backward scatters the gradient back with accumulating index_put (differentiable again).
namespace tapegrad {

namespace {

enum class PadMode { Reflect, Replicate, Circular };

Tensor pad_source(int64_t n, int64_t left, int64_t right, PadMode mode) {
  const int64_t m = std::max<int64_t>(n + left + right, 0);
  std::vector<double> src(m);
  for (int64_t j = 0; j < m; ++j) {
    int64_t s = j - left;
    if (mode == PadMode::Reflect)
      s = s < 0 ? -s : (s >= n ? 2 * (n - 1) - s : s);
    else
      s = std::min(std::max<int64_t>(s, 0), n - 1);
    src[j] = static_cast<double>(s);
  }
  return from_values(src, {m}, DType::Int64);
}

// Sizes before each padded dim is done: out[0] = input sizes, out[k + 1] after pair k.
std::vector<Shape> pad_stages(const Shape& in, const std::vector<int64_t>& pad) {
  std::vector<Shape> out = {in};
  const int64_t nd = static_cast<int64_t>(in.size());
  for (size_t k = 0; k < pad.size() / 2; ++k) {
    Shape s = out.back();
    s[nd - 1 - k] += pad[2 * k] + pad[2 * k + 1];
    out.push_back(s);
  }
  return out;
}

const char* kDimNames[] = {"D", "H", "W"};

void check_index_pad(const Tensor& a, const std::vector<int64_t>& pad, PadMode mode) {
  const int64_t nd = a.dim(), np = static_cast<int64_t>(pad.size()) / 2;
  if (mode == PadMode::Circular) {
    for (int64_t k = 0; k < np; ++k) {
      const int64_t n = a.sizes()[nd - 1 - k], l = pad[2 * k], r = pad[2 * k + 1];
      TG_CHECK(l <= n && r <= n, "Padding value causes wrapping around more than once.");
      TG_CHECK(n + l + r >= 0, "Negative padding value is resulting in an empty dimension");
    }
    return;
  }
  bool ok = true;
  for (int64_t d = nd == np + 2 ? 1 : 0; d < nd; ++d) ok = ok && a.sizes()[d] != 0;
  if (!ok) {
    std::ostringstream s;
    s << "Expected " << np + 1 << "D or " << np + 2 << "D (batch mode) tensor with possibly 0 "
      << "batch size and other non-zero dimensions for input, but got: " << shape_str(a.sizes());
    TG_ERROR(s.str());
  }
  for (int64_t k = 0; mode == PadMode::Reflect && k < np; ++k) {
    const int64_t d = nd - 1 - k, l = pad[2 * k], r = pad[2 * k + 1];
    TG_CHECK(l < a.sizes()[d] && r < a.sizes()[d], "Argument #", 4 + 2 * k, ": Padding size "
             "should be less than the corresponding input dimension, but got: padding (", l, ", ",
             r, ") at dimension ", d, " of input ", shape_str(a.sizes()));
  }
  bool small = false;
  std::ostringstream in, out;
  for (int64_t k = np - 1; k >= 0; --k) {
    const int64_t d = nd - 1 - k, m = a.sizes()[d] + pad[2 * k] + pad[2 * k + 1];
    small = small || m < 1;
    const char* name = kDimNames[2 - k];
    in << (k == np - 1 ? "" : ", ") << name << ": " << a.sizes()[d];
    out << (k == np - 1 ? "" : " ") << name << ": " << m;
  }
  TG_CHECK(!small, "input (", in.str(), ") is too small. Calculated output ", out.str());
}

// torch's _pad_circular: the input (cropped by negative pads) copied into the middle of a new
// tensor, then each padded dim's edges copied from the other end of the result, so that the
// graph is torch's (CopySlices over SliceBackward0) and a copy whose source overlaps its
// destination (a pad beyond the size the other pad's crop leaves) is refused as torch refuses it.
// Corners are written more than once when several dims are padded.
Tensor circular_pad(const Tensor& a, const std::vector<int64_t>& pad) {
  const int64_t nd = a.dim(), np = static_cast<int64_t>(pad.size()) / 2;
  Shape shape = a.sizes();
  for (int64_t k = 0; k < np; ++k) shape[nd - 1 - k] += pad[2 * k] + pad[2 * k + 1];
  Tensor out = empty(shape, a.dtype(), a.device());
  Tensor out_part = out, in_part = a;
  for (int64_t k = 0; k < np; ++k) {
    const int64_t d = nd - 1 - k, l = pad[2 * k], r = pad[2 * k + 1];
    out_part = slice(out_part, d, std::max<int64_t>(l, 0), shape[d] - std::max<int64_t>(r, 0));
    in_part = slice(in_part, d, std::max<int64_t>(-l, 0), a.sizes()[d] - std::max<int64_t>(-r, 0));
  }
  copy_(out_part, in_part);
  for (int64_t k = 0; k < np; ++k) {
    const int64_t d = nd - 1 - k, l = pad[2 * k], r = pad[2 * k + 1];
    const int64_t lp = std::max<int64_t>(l, 0), rp = std::max<int64_t>(r, 0);
    // torch refuses these copies only where its overlap check sees them (dense slices) and
    // otherwise reads the output's uninitialised memory; refused here always
    TG_CHECK(!((l > 0 && shape[d] - l - rp < l) || (r > 0 && lp + r > shape[d] - r)),
             "unsupported operation: some elements of the input tensor and the written-to tensor "
             "refer to a single memory location. Please clone() the tensor before performing the "
             "operation.");
    if (l > 0) {
      Tensor dst = slice(out, d, 0, l);
      copy_(dst, slice(out, d, shape[d] - l - rp, shape[d] - rp));
    }
    if (r > 0) {
      Tensor dst = slice(out, d, shape[d] - r, shape[d]);
      copy_(dst, slice(out, d, lp, lp + r));
    }
  }
  return out;
}

Tensor index_pad_forward(const Tensor& a, const std::vector<int64_t>& pad, PadMode mode) {
  const int64_t nd = a.dim();
  NoGradGuard g;
  Tensor out = detach(a);
  for (size_t k = 0; k < pad.size() / 2; ++k) {
    const int64_t d = nd - 1 - static_cast<int64_t>(k);
    out = index_select(out, d, pad_source(out.sizes()[d], pad[2 * k], pad[2 * k + 1], mode));
  }
  return contiguous(out);
}

}  // namespace

namespace detail {
Tensor index_pad_backward(const Tensor& g, const Shape& in_sizes, const std::vector<int64_t>& pad,
                          bool reflect) {
  const auto stages = pad_stages(in_sizes, pad);
  const int64_t nd = static_cast<int64_t>(in_sizes.size());
  const PadMode mode = reflect ? PadMode::Reflect : PadMode::Replicate;
  Tensor r = g;
  for (int64_t k = static_cast<int64_t>(pad.size() / 2) - 1; k >= 0; --k) {
    const int64_t d = nd - 1 - k;
    std::vector<Tensor> ix(d + 1);
    ix[d] = pad_source(stages[k][d], pad[2 * k], pad[2 * k + 1], mode);
    r = index_put(zeros(stages[k], g.dtype(), g.device()), ix, r, true);
  }
  return r;
}
}  // namespace detail

Tensor pad(const Tensor& a, const std::vector<int64_t>& pad, const std::string& mode,
           std::optional<double> value) {
  TG_CHECK(pad.size() % 2 == 0, "Padding length must be divisible by 2");
  const bool known = mode == "constant" || mode == "reflect" || mode == "replicate" ||
                     mode == "circular";
  TG_CHECK_KIND(NotImplemented, known, "Unrecognised padding mode ", mode);
  if (mode == "constant")
    return constant_pad_nd(a, pad, value ? Scalar(*value) : Scalar(int64_t{0}));
  TG_CHECK(!value, "Padding mode \"", mode, "\" doesn't take in value argument");
  const int64_t n = static_cast<int64_t>(pad.size()), nd = a.dim();
  TG_CHECK(n / 2 <= nd, "Padding length should be less than or equal to two times the input "
           "dimension but got padding length ", n, " and input of dimension ", nd);
  const bool supported = (n == 2 || n == 4 || n == 6) && (nd == n / 2 + 1 || nd == n / 2 + 2);
  TG_CHECK_KIND(NotImplemented, supported,
                "Padding size ", n, " is not supported for ", nd, "D input tensor.\n"
                "Supported combinations for non-constant padding:\n"
                "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
                "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
                "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)");
  const PadMode m = mode == "reflect" ? PadMode::Reflect
                    : mode == "replicate" ? PadMode::Replicate : PadMode::Circular;
  check_index_pad(a, pad, m);
  if (m != PadMode::Circular && a.dtype() == DType::Bool)  // torch's kernels have no bool case
    TG_ERROR_KIND(NotImplemented, "\"", m == PadMode::Reflect ? "reflection" : "replication",
                  "_pad", n / 2, "d\" not implemented for 'Bool'");
  if (m == PadMode::Circular) return circular_pad(a, pad);
  Tensor out = index_pad_forward(a, pad, m);
  static const OpId kOps[2][3] = {
      {OpId::ReflectionPad1d, OpId::ReflectionPad2d, OpId::ReflectionPad3d},
      {OpId::ReplicationPad1d, OpId::ReplicationPad2d, OpId::ReplicationPad3d}};
  if (auto node = maybe_node(kOps[m == PadMode::Replicate][n / 2 - 1], {a})) {
    node->saved.emplace_back(a, false);  // torch shows it as _saved_self
    node->shape = a.sizes();
    node->i = pad;
    set_history(out, node);
  }
  return out;
}

}  // namespace tapegrad
