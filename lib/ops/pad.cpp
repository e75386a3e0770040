// constant_pad_nd (F.pad's constant mode): a filled output with the input copied into the
// window the (left, right) amounts leave; negative amounts crop. The gradient is the same op
// with the amounts negated, so it differentiates again.
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
