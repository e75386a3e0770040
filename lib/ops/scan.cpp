// Inclusive scans along one dim: cumsum and cumprod (with torch's dtype= and its rule that
// integer and bool inputs accumulate in int64). The loop runs on the host; a device tensor
// makes the round trip (no scan kernel on CUDA yet).
#include <algorithm>
#include <vector>

#include <tapegrad/kernels/dispatch.h>
#include <tapegrad/kernels/loops.h>

#include "common.h"
#include "../cpu/via_float.h"

namespace tapegrad {

using namespace detail;

namespace {

// out[.., k, ..] = op(out[.., k-1, ..], in[.., k, ..]) over contiguous host tensors of the
// same dtype, accumulating in double for floats (as torch's CPU scan) and int64 for integers.
template <bool kProd>
void scan_host(const Tensor& out, const Tensor& in, int64_t dim, const char* name) {
  int64_t outer = 1, inner = 1;
  const int64_t n = in.dim() ? in.sizes()[dim] : 1;
  for (int64_t d = 0; d < dim; ++d) outer *= in.sizes()[d];
  for (int64_t d = dim + 1; d < in.dim(); ++d) inner *= in.sizes()[d];
  if (kern::via_float::any(out, in)) {  // Note [Half via float]
    Tensor o = kern::via_float::scratch(out);
    scan_host<kProd>(o, kern::via_float::up(in), dim, name);
    return kern::via_float::down(out, o);
  }
  dispatch_numeric(in.dtype(), name, [&](auto tag) {
    using T = decltype(tag);
    using Acc = typename std::conditional<std::is_floating_point<T>::value, double, int64_t>::type;
    const T* src = in.data<T>();
    T* dst = out.data<T>();
    // Independent scans in parallel shares (cumsum(1) of 1024 x 1024 at 2 threads: 2x torch's
    // time on one thread); each element's operations are the same, so are the values.
    if (inner == 1) {
      cpu::parallel_lanes(outer, n, [&](int64_t o0, int64_t o1) {
        for (int64_t o = o0; o < o1; ++o) {
          Acc acc = kProd ? 1 : 0;
          for (int64_t k = 0; k < n; ++k) {
            const int64_t at = o * n + k;
            acc = kProd ? acc * static_cast<Acc>(src[at]) : acc + static_cast<Acc>(src[at]);
            dst[at] = static_cast<T>(acc);
          }
        }
      });
      return;
    }
    // A scan along a leading dim: a row of accumulators advanced one contiguous row at a time
    // (walking each column down its stride made cumsum(0) of 1024 x 1024 twice torch's time).
    // Threads take whole scans (outer) or, with fewer of those, ranges of columns.
    const int64_t threads = cpu::max_threads();
    const int64_t cparts = outer >= threads ? 1 : std::max<int64_t>(1, std::min(threads, inner / 64));
    const int64_t width = (inner + cparts - 1) / cparts;
    cpu::parallel_lanes(outer * cparts, n * width, [&](int64_t l0, int64_t l1) {
      std::vector<Acc> acc(width);
      for (int64_t l = l0; l < l1; ++l) {
        const int64_t o = l / cparts, i0 = l % cparts * width, w = std::min(inner, i0 + width) - i0;
        std::fill(acc.begin(), acc.end(), Acc(kProd ? 1 : 0));
        for (int64_t k = 0; k < n; ++k) {
          const T* s = src + (o * n + k) * inner + i0;
          T* q = dst + (o * n + k) * inner + i0;
          for (int64_t i = 0; i < w; ++i) {
            acc[i] = kProd ? acc[i] * static_cast<Acc>(s[i]) : acc[i] + static_cast<Acc>(s[i]);
            q[i] = static_cast<T>(acc[i]);
          }
        }
      }
    });
  });
}

Tensor scan(OpId op, const Tensor& a, int64_t dim, std::optional<DType> dtype) {
  const bool prod = op == OpId::Cumprod;
  const int64_t d = wrap_dim(dim, a.dim());
  DType dt = dtype ? *dtype : is_integral(a.dtype(), true) ? DType::Int64 : a.dtype();
  const char* name = prod ? "cumprod_out_cpu" : "cumsum_out_cpu";
  if (dt == DType::Bool) TG_DTYPE_UNSUPPORTED(name, dt);
  Tensor out;
  {
    NoGradGuard guard;
    Tensor in = contiguous(on_host(to(detach(a), dt)));
    Tensor host = empty(in.sizes(), dt);
    if (in.numel() > 0) {
      if (prod)
        scan_host<true>(host, in, d, name);
      else
        scan_host<false>(host, in, d, name);
    }
    out = a.device().is_cpu() ? host : to(host, a.device(), dt);
  }
  if (!is_floating(dt)) {
    check_grad_dtype(a, dt);
    return out;
  }
  if (auto node = maybe_node(op, {a})) {
    node->shape = a.sizes();
    node->i = {d, dim};
    if (prod) node->saved.emplace_back(a, false);
    set_history(out, node);
    if (prod) node->saved.emplace_back(out, true);
  }
  return out;
}

}  // namespace

Tensor cumsum(const Tensor& a, int64_t dim, std::optional<DType> dtype) {
  return scan(OpId::Cumsum, a, dim, dtype);
}

Tensor cumprod(const Tensor& a, int64_t dim, std::optional<DType> dtype) {
  return scan(OpId::Cumprod, a, dim, dtype);
}

}  // namespace tapegrad
