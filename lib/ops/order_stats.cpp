// Order statistics and extremum / log-space scans along one dim: median / nanmedian (whole
// tensor and per dim), kthvalue, mode, cummax / cummin (values and int64 indices) and
// logcumsumexp. The loops run on the host over slices made contiguous along the dim (a device
// tensor makes the round trip). Ties follow torch's CPU results: the median's index is the
// stable-sorted position (n-1)/2, kthvalue and mode choose among equal elements as torch's
// quickselect / std::sort do (Note [Ties in order statistics], lane_order.h), cummax / cummin
// move to a later equal element; NaN counts as the largest value (median / kthvalue return it,
// nanmedian skips it).
#include <algorithm>
#include <cmath>
#include <numeric>

#include <tapegrad/kernels/dispatch.h>
#include <tapegrad/ops/math_extra.h>

#include "common.h"
#include "lane_order.h"
#include "../cpu/via_float.h"

namespace tapegrad {

using namespace detail;

namespace {

template <class T> bool is_nan(T v) {
  if constexpr (std::is_floating_point<T>::value) return v != v; else return false;
}
// strict weak order with NaN the largest
template <class T> bool less_nan(T a, T b) { return is_nan(b) ? !is_nan(a) : a < b; }

// `a` with `dim` moved last, contiguous, on the host; outer = number of slices, n = slice size.
struct Slices {
  Tensor in;
  int64_t n, outer;
  Shape out_shape;  // a's shape without dim (or with 1 there when keepdim)
};

// The dtype the slice loops run in: float32 for half/bfloat16 (Note [Half via float]; the
// selections are exact there, logcumsumexp rounds once), widening s.in to match.
DType loop_dtype(Slices& s, DType dt) {
  if (!kern::via_float::reduced(dt)) return dt;
  s.in = kern::via_float::up(s.in);
  return DType::Float32;
}

Slices slices_of(const Tensor& a, int64_t dim, bool keepdim) {
  Slices s;
  std::vector<int64_t> perm;
  for (int64_t d = 0; d < a.dim(); ++d)
    if (d != dim) {
      perm.push_back(d);
      s.out_shape.push_back(a.sizes()[d]);
    } else if (keepdim) {
      s.out_shape.push_back(1);
    }
  if (a.dim()) perm.push_back(dim);
  s.in = contiguous(on_host(a.dim() ? permute(detach(a), perm) : detach(a)));
  s.n = a.dim() ? a.sizes()[dim] : 1;
  s.outer = s.n ? a.numel() / s.n : 0;
  if (s.n == 0) {
    s.outer = 1;
    for (auto v : s.out_shape) s.outer *= v;
  }
  return s;
}

// Runs pick(src, n, &value, &index) on every slice; returns (values, indices) shaped out_shape.
template <class Pick>
std::pair<Tensor, Tensor> reduce_slices(const Tensor& a, int64_t dim, bool keepdim,
                                        const char* name, Pick pick) {
  Slices s = slices_of(a, dim, keepdim);
  const DType lt = loop_dtype(s, a.dtype());
  Tensor vals = empty(s.out_shape, lt), idx = empty(s.out_shape, DType::Int64);
  dispatch_numeric(lt, name, [&](auto tag) {
    using T = decltype(tag);
    const T* src = s.in.data<T>();
    T* v = vals.data<T>();
    int64_t* ix = idx.data<int64_t>();
    for (int64_t o = 0; o < s.outer; ++o) pick(src + o * s.n, s.n, v + o, ix + o);
  });
  if (lt != a.dtype()) vals = to(vals, a.dtype());
  if (!a.device().is_cpu()) {
    vals = to(vals, a.device(), a.dtype());
    idx = to(idx, a.device(), DType::Int64);
  }
  return {vals, idx};
}

// positions 0..n-1 stably sorted by value (NaN last)
template <class T> std::vector<int64_t> stable_order(const T* src, int64_t n) {
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t x, int64_t y) { return less_nan(src[x], src[y]); });
  return order;
}

template <class T> void pick_median(const T* src, int64_t n, T* v, int64_t* ix, bool skip_nan) {
  if (!skip_nan)
    for (int64_t k = 0; k < n; ++k)
      if (is_nan(src[k])) {  // NaN propagates: the first NaN
        *v = src[k];
        *ix = k;
        return;
      }
  std::vector<int64_t> order = stable_order(src, n);
  int64_t m = n;  // non-NaN count (NaNs sort last)
  while (m > 0 && is_nan(src[order[m - 1]])) --m;
  if (m == 0) {
    // all NaN (nanmedian): torch runs std::nth_element for position 0 over positions 0..n-1
    // whose values all compare equivalent; the same call here picks the same NaN
    std::iota(order.begin(), order.end(), 0);
    std::nth_element(order.begin(), order.begin(), order.end(),
                     [](int64_t, int64_t) { return false; });
    *ix = order[0];
  } else {
    *ix = order[(m - 1) / 2];
  }
  *v = src[*ix];
}

void check_nonempty_dim(const Tensor& a, int64_t dim, const char* name) {
  if (a.dim() == 0) return;
  if (a.sizes()[dim] == 0)
    TG_ERROR_KIND(Index, name, "(): Expected reduction dim ", dim, " to have non-zero size.");
}

// Records a value-selecting node (saved indices; i = {dim, keepdim, dim as given}; shape =
// input sizes).
void record_selection(OpId op, const Tensor& a, const Tensor& vals, const Tensor& idx,
                      int64_t dim, bool keepdim, int64_t given_dim) {
  if (!is_floating(a.dtype())) return;
  if (auto node = maybe_node(op, {a})) {
    node->saved.emplace_back(idx, false);
    node->i = {dim, keepdim, given_dim};
    node->shape = a.sizes();
    set_history(vals, node);
  }
}

Tensor median_all(OpId op, const Tensor& a) {
  const bool skip = op == OpId::Nanmedian;
  if (a.dtype() == DType::Bool) TG_DTYPE_UNSUPPORTED(skip ? "nanmedian_cpu" : "median_cpu", a.dtype());
  Tensor out;
  if (a.numel() == 0) {
    out = full({}, NAN, a.dtype(), a.device());
  } else {
    Tensor flat = reshape(detach(a), {a.numel()});
    out = reduce_slices(flat, 0, false, "median_cpu", [&](auto* src, int64_t n, auto* v, int64_t* ix) {
            pick_median(src, n, v, ix, skip);
          }).first;
  }
  if (is_floating(a.dtype()))
    if (auto node = maybe_node(op, {a})) {
      node->saved.emplace_back(a, false);
      set_history(out, node);
      node->saved.emplace_back(out, true);
    }
  return out;
}

std::pair<Tensor, Tensor> median_dim(OpId op, const Tensor& a, int64_t dim, bool keepdim) {
  const bool skip = op == OpId::NanmedianDim;
  const char* name = skip ? "nanmedian" : "median";
  const int64_t d = wrap_dim(dim, a.dim());
  check_nonempty_dim(a, d, name);
  if (a.dtype() == DType::Bool) TG_DTYPE_UNSUPPORTED(std::string(name) + "_cpu", a.dtype());
  auto r = reduce_slices(a, d, keepdim, name, [&](auto* src, int64_t n, auto* v, int64_t* ix) {
    pick_median(src, n, v, ix, skip);
  });
  record_selection(op, a, r.first, r.second, d, keepdim, dim);
  return r;
}

}  // namespace

Tensor median(const Tensor& a) { return median_all(OpId::Median, a); }
Tensor nanmedian(const Tensor& a) { return median_all(OpId::Nanmedian, a); }
std::pair<Tensor, Tensor> median(const Tensor& a, int64_t dim, bool keepdim) {
  return median_dim(OpId::MedianDim, a, dim, keepdim);
}
std::pair<Tensor, Tensor> nanmedian(const Tensor& a, int64_t dim, bool keepdim) {
  return median_dim(OpId::NanmedianDim, a, dim, keepdim);
}

std::pair<Tensor, Tensor> kthvalue(const Tensor& a, int64_t k, int64_t dim, bool keepdim) {
  const int64_t d = wrap_dim(dim, a.dim());
  const int64_t n = a.dim() ? a.sizes()[d] : 1;
  TG_CHECK_KIND(Index, n != 0, "kthvalue(): Expected reduction dim ", d,
                " to have non-zero size.");
  TG_CHECK(k >= 1 && k <= n, "kthvalue(): selected number k out of range for dimension ", d);
  if (a.dtype() == DType::Bool) TG_DTYPE_UNSUPPORTED("kthvalue_cpu", a.dtype());
  auto r = reduce_slices(a, d, keepdim, "kthvalue_cpu", [&](auto* src, int64_t len, auto* v,
                                                            int64_t* ix) {
    using T = std::remove_const_t<std::remove_pointer_t<decltype(src)>>;
    std::vector<lane::Item<T>> items(len);
    for (int64_t j = 0; j < len; ++j) items[j] = {src[j], j};
    lane::quick_select(items.data(), len, k - 1);
    *ix = items[k - 1].i;
    *v = items[k - 1].v;
  });
  record_selection(OpId::Kthvalue, a, r.first, r.second, d, keepdim, dim);
  return r;
}

std::pair<Tensor, Tensor> mode(const Tensor& a, int64_t dim, bool keepdim) {
  const int64_t d = wrap_dim(dim, a.dim());
  check_nonempty_dim(a, d, "mode");
  if (a.dtype() == DType::Bool) {  // as 0/1 bytes (same order, same ties), values back to bool
    auto r = mode(to(detach(a), DType::UInt8), dim, keepdim);
    return {to(r.first, DType::Bool), r.second};
  }
  auto r = reduce_slices(a, d, keepdim, "mode_cpu", [&](auto* src, int64_t n, auto* v,
                                                        int64_t* ix) {
    using T = std::remove_const_t<std::remove_pointer_t<decltype(src)>>;
    std::vector<lane::Item<T>> items(n);
    for (int64_t j = 0; j < n; ++j) items[j] = {src[j], j};
    const lane::Item<T> m = lane::mode_item(items);
    *ix = m.i;
    *v = m.v;
  });
  record_selection(OpId::Mode, a, r.first, r.second, d, keepdim, dim);
  return r;
}

namespace {

// Running extremum along dim: a later element replaces the current one when it is at least as
// large (cummax) / small (cummin) or NaN; a NaN current value stays until the next NaN.
std::pair<Tensor, Tensor> cum_extreme(OpId op, const Tensor& a, int64_t dim) {
  const bool is_max = op == OpId::Cummax;
  const int64_t d = wrap_dim(dim, a.dim());
  Slices s = slices_of(a, d, true);
  const DType lt = loop_dtype(s, a.dtype());
  Tensor vals = empty(s.in.sizes(), lt), idx = empty(s.in.sizes(), DType::Int64);
  dispatch_numeric_and_bool(lt, is_max ? "cummax_cpu" : "cummin_cpu", [&](auto tag) {
    using T = decltype(tag);
    const T* src = s.in.data<T>();
    T* v = vals.data<T>();
    int64_t* ix = idx.data<int64_t>();
    for (int64_t o = 0; o < s.outer && s.n > 0; ++o) {
      const int64_t base = o * s.n;
      T cur = src[base];
      int64_t at = 0;
      for (int64_t k = 0; k < s.n; ++k) {
        const T x = src[base + k];
        if (is_nan(x) || (!is_nan(cur) && (is_max ? x >= cur : x <= cur))) cur = x, at = k;
        v[base + k] = cur;
        ix[base + k] = at;
      }
    }
  });
  // back to a's layout: the slices had dim last
  std::vector<int64_t> inv(a.dim());
  for (int64_t k = 0, j = 0; k < a.dim(); ++k)
    if (k != d) inv[k] = j++;
  if (a.dim()) inv[d] = a.dim() - 1;
  if (lt != a.dtype()) vals = to(vals, a.dtype());
  Tensor rv = contiguous(a.dim() ? permute(vals, inv) : vals);
  Tensor ri = contiguous(a.dim() ? permute(idx, inv) : idx);
  if (!a.device().is_cpu()) {
    rv = to(rv, a.device(), a.dtype());
    ri = to(ri, a.device(), DType::Int64);
  }
  if (is_floating(a.dtype()))
    if (auto node = maybe_node(op, {a})) {
      node->saved.emplace_back(ri, false);
      node->saved.emplace_back(a, false);  // not read by the formula; torch shows _saved_self
      node->i = {d, dim};
      node->shape = a.sizes();
      set_history(rv, node);
    }
  return {rv, ri};
}

}  // namespace

std::pair<Tensor, Tensor> cummax(const Tensor& a, int64_t dim) { return cum_extreme(OpId::Cummax, a, dim); }
std::pair<Tensor, Tensor> cummin(const Tensor& a, int64_t dim) { return cum_extreme(OpId::Cummin, a, dim); }

Tensor logcumsumexp(const Tensor& a, int64_t dim) {
  const int64_t d = wrap_dim(dim, a.dim());
  if (!is_floating(a.dtype())) TG_DTYPE_UNSUPPORTED("logcumsumexp_out_cpu", a.dtype());
  Slices s = slices_of(a, d, true);
  const DType lt = loop_dtype(s, a.dtype());
  Tensor vals = empty(s.in.sizes(), lt);
  dispatch_floating(lt, "logcumsumexp_out_cpu", [&](auto tag) {
    using T = decltype(tag);
    const T* src = s.in.data<T>();
    T* v = vals.data<T>();
    for (int64_t o = 0; o < s.outer && s.n > 0; ++o) {
      double acc = -INFINITY;
      for (int64_t k = 0; k < s.n; ++k) {
        const double x = src[o * s.n + k];
        if (x != x || acc != acc) {
          acc = NAN;
        } else if (!(std::isinf(x) && x == acc)) {
          const double m = std::max(acc, x), lo = std::min(acc, x);
          acc = m + std::log1p(std::exp(lo - m));
        }
        v[o * s.n + k] = T(acc);
      }
    }
  });
  std::vector<int64_t> inv(a.dim());
  for (int64_t k = 0, j = 0; k < a.dim(); ++k)
    if (k != d) inv[k] = j++;
  if (a.dim()) inv[d] = a.dim() - 1;
  if (lt != a.dtype()) vals = to(vals, a.dtype());
  Tensor out = contiguous(a.dim() ? permute(vals, inv) : vals);
  if (!a.device().is_cpu()) out = to(out, a.device(), a.dtype());
  if (auto node = maybe_node(OpId::Logcumsumexp, {a})) {
    node->saved.emplace_back(a, false);
    node->i = {d, dim};
    set_history(out, node);
    node->saved.emplace_back(out, true);
  }
  return out;
}

}  // namespace tapegrad
