// isclose / allclose / equal, count_nonzero and diff, composed from the core ops (the header
// include/tapegrad/ops/compare_ops.h says what each returns).
#include <sstream>

#include <tapegrad/ops/compare_ops.h>

#include "common.h"

namespace tapegrad {

using namespace detail;

namespace {

std::string num_str(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

}  // namespace

Tensor isclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  TG_CHECK(a.dtype() == b.dtype(), dtype_legacy_name(a.dtype()), " did not match ",
           dtype_legacy_name(b.dtype()));
  TG_CHECK(rtol >= 0, "rtol must be greater than or equal to zero, but got ", num_str(rtol));
  TG_CHECK(atol >= 0, "atol must be greater than or equal to zero, but got ", num_str(atol));
  NoGradGuard ng;
  Tensor close = compare(CmpId::Eq, a, b);
  if (rtol == 0 && atol == 0) return close;  // (bools, like integers, compare as floats below)
  if (equal_nan && is_floating(a.dtype()))
    close = compare(CmpId::LogicalOr, close,
                    compare(CmpId::LogicalAnd, isnan(a), isnan(b)));
  // |a - b| <= atol + rtol * |b|, counted only where the difference is finite (an infinity is
  // close to nothing but itself); integers and bools are compared in the default float dtype.
  Tensor x = is_floating(a.dtype()) ? a : to(a, default_dtype());
  Tensor y = is_floating(b.dtype()) ? b : to(b, default_dtype());
  Tensor err = abs(sub(x, y));
  Tensor allowed = add(abs(mul(y, wrapped_scalar(rtol))), wrapped_scalar(atol));
  Tensor within = compare(CmpId::LogicalAnd, isfinite(err), compare(CmpId::Le, err, allowed));
  return compare(CmpId::LogicalOr, close, within);
}

bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  return item(all(isclose(a, b, rtol, atol, equal_nan))).i != 0;
}

bool equal(const Tensor& a, const Tensor& b) {
  check_same_device(a, b, "equal");
  if (a.sizes() != b.sizes()) return false;
  NoGradGuard ng;
  return item(all(compare(CmpId::Eq, a, b))).i != 0;
}

Tensor count_nonzero(const Tensor& a, const std::vector<int64_t>& dims) {
  NoGradGuard ng;
  Tensor nz = compare(CmpId::Ne, a, wrapped_scalar(int64_t{0}));
  return dims.empty() ? sum(nz, DType::Int64) : sum(nz, dims, false, DType::Int64);
}

Tensor diff(const Tensor& a, int64_t n, int64_t dim, const Tensor& prepend, const Tensor& append) {
  TG_CHECK(n >= 0, "order must be non-negative but got ", n);
  TG_CHECK(a.dim() >= 1, "diff expects input to be at least one-dimensional");
  if (n == 0) return clone(a);  // torch: a copy of the input, prepend / append unused
  // the slices and cat get the dim as given (torch's _saved_dim shows -1, not its wrapped form)
  const int64_t d0 = wrap_dim(dim, a.dim());
  for (const Tensor* extra : {&prepend, &append}) {
    if (!extra->defined()) continue;
    TG_CHECK(extra->dim() == a.dim(),
             "diff expects prepend or append to be the same dimension as input");
    for (int64_t d = 0; d < a.dim(); ++d)
      TG_CHECK(d == d0 || extra->size(d) == a.size(d),
               "diff expects the shape of tensor to prepend or append to match that of input "
               "except along the differencing dimension; input.size(", d, ") = ", a.size(d),
               ", but got tensor.size(", d, ") = ", extra->size(d));
  }
  Tensor t = a;
  if (prepend.defined() || append.defined()) {
    TensorList parts;
    if (prepend.defined()) parts.push_back(prepend);
    parts.push_back(a);
    if (append.defined()) parts.push_back(append);
    t = cat(parts, dim);
  }
  if (n == 0) return clone(t);  // a new tensor, as torch's (whose node is CopyBackwards)
  // each order: t[1:] - t[:-1] along dim (xor for bool, as torch); past the length the
  // operands are empty, and so is the result
  for (int64_t k = 0; k < n; ++k) {
    const int64_t len = t.size(d0);
    if (len == 0) return t;  // nothing to difference: torch hands back the (empty) input
    Tensor hi = slice(t, dim, std::min<int64_t>(1, len), len);
    Tensor lo = slice(t, dim, 0, std::max<int64_t>(len - 1, 0));
    t = t.dtype() == DType::Bool ? compare(CmpId::LogicalXor, hi, lo) : sub(hi, lo);
  }
  return t;
}

}  // namespace tapegrad
