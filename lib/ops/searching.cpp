// Searching and counting over host loops (a device tensor makes the round trip): searchsorted /
// bucketize (torch's binary search: "left" finds the first boundary b with b >= v, "right"
// the first with b > v, so NaN boundaries and values land at the end), isin, bincount, histc,
// unique (sorted; NaNs never equal) and unique_consecutive, with and without dim. Results are
// int64 / bool / counts and carry no history.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

#include <tapegrad/kernels/dispatch.h>
#include <tapegrad/ops/math_extra.h>

#include "common.h"
#include "../cpu/via_float.h"

namespace tapegrad {

using namespace detail;

namespace {

// half/bfloat16 operands search and compare as float32 (exact; Note [Half via float]).
DType loop_dtype(DType dt) { return kern::via_float::reduced(dt) ? DType::Float32 : dt; }

Tensor host_contig(const Tensor& t, DType dt) {
  return contiguous(on_host(to(detach(t), dt)));
}

Tensor back_to(const Tensor& host, const Device& dev) {
  return dev.is_cpu() ? host : to(host, dev, host.dtype());
}

template <class T> int64_t search(const T* b, int64_t n, T v, bool right, const int64_t* sorter) {
  int64_t lo = 0, hi = n;
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    const T bv = sorter ? b[sorter[mid]] : b[mid];
    if (right ? !(bv > v) : !(bv >= v)) lo = mid + 1; else hi = mid;
  }
  return lo;
}

std::string sizes_str(const Shape& s) {
  std::string r = "[";
  for (size_t k = 0; k < s.size(); ++k) r += (k ? ", " : "") + std::to_string(s[k]);
  return r + "]";
}

}  // namespace

Tensor searchsorted(const Tensor& seq, const Tensor& input, bool out_int32, bool right,
                    const Tensor& sorter) {
  const bool scalar_input = input.impl()->wrapped_number;
  bool leading_match = seq.dim() == 1;
  if (!leading_match && input.dim() == seq.dim()) {
    leading_match = true;
    for (int64_t d = 0; d + 1 < seq.dim(); ++d)
      leading_match = leading_match && seq.sizes()[d] == input.sizes()[d];
  }
  TG_CHECK(leading_match || (scalar_input && seq.dim() == 1),
           "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
           "dimensions of boundaries tensor and input value tensor must match, but we got "
           "boundaries tensor ", sizes_str(seq.sizes()), " and input value tensor ",
           sizes_str(input.sizes()));
  if (sorter.defined()) {
    TG_CHECK(sorter.dtype() == DType::Int64,
             "torch.searchsorted(): sorter must be a tensor of long dtype but got dtype ",
             dtype_legacy_name(sorter.dtype()));
    TG_CHECK(sorter.sizes() == seq.sizes(), "torch.searchsorted(): boundary and sorter must have "
             "the same size, but got boundary tensor ", sizes_str(seq.sizes()),
             "and got sorter tensor ", sizes_str(sorter.sizes()));
  }
  const DType dt = loop_dtype(result_type(seq, input));
  Tensor b = host_contig(seq, dt), v = host_contig(input, dt);
  Tensor s = sorter.defined() ? host_contig(sorter, DType::Int64) : Tensor();
  const int64_t n = seq.dim() ? seq.sizes().back() : 1;
  if (s.defined()) {  // the search reads boundaries at the sorter's positions: each must exist
    const int64_t* sp = s.data<int64_t>();
    for (int64_t k = 0; k < s.numel(); ++k)
      TG_CHECK(sp[k] >= 0 && sp[k] < n, "torch.searchsorted(): sorter index out of range");
  }
  const int64_t per_row = seq.dim() <= 1 ? v.numel() : (input.dim() ? input.sizes().back() : 1);
  Tensor out = empty(v.sizes(), DType::Int64);
  dispatch_numeric(dt, "searchsorted_cpu", [&](auto tag) {
    using T = decltype(tag);
    const T* bp = b.data<T>();
    const T* vp = v.data<T>();
    const int64_t* sp = s.defined() ? s.data<int64_t>() : nullptr;
    int64_t* op = out.data<int64_t>();
    for (int64_t k = 0; k < v.numel(); ++k) {
      const int64_t row = seq.dim() <= 1 || per_row == 0 ? 0 : k / per_row;
      op[k] = search(bp + row * n, n, vp[k], right, sp ? sp + row * n : nullptr);
    }
  });
  if (out_int32) out = to(out, DType::Int32);
  return back_to(out, input.device());
}

Tensor bucketize(const Tensor& input, const Tensor& boundaries, bool out_int32, bool right) {
  TG_CHECK(boundaries.dim() == 1, "boundaries tensor must be 1 dimension, but got dim(",
           boundaries.dim(), ")");
  return searchsorted(boundaries, input, out_int32, right, Tensor());
}

Tensor isin(const Tensor& elements, const Tensor& test, bool assume_unique, bool invert) {
  (void)assume_unique;  // only a speed hint in torch
  TG_CHECK(elements.dtype() != DType::Bool && test.dtype() != DType::Bool,
           "Unsupported input type encountered for isin(): Bool");
  const DType dt = loop_dtype(result_type(elements, test));
  Tensor e = host_contig(elements, dt), t = host_contig(test, dt);
  Tensor out = empty(e.sizes(), DType::Bool);
  dispatch_numeric_and_bool(dt, "isin_default_cpu", [&](auto tag) {
    using T = decltype(tag);
    std::vector<T> sorted(t.data<T>(), t.data<T>() + t.numel());
    // NaN test elements match nothing; left in, they broke the sort's ordering (undefined
    // behaviour: isin(x, [0., nan]) found 1., 2. and 3.)
    sorted.erase(std::remove_if(sorted.begin(), sorted.end(), [](T x) { return x != x; }),
                 sorted.end());
    std::sort(sorted.begin(), sorted.end(), [](T x, T y) { return x < y; });
    const T* ep = e.data<T>();
    bool* op = out.data<bool>();
    for (int64_t k = 0; k < e.numel(); ++k) {  // NaN equals nothing, as ==
      const bool nan = ep[k] != ep[k];
      op[k] = (!nan && std::binary_search(sorted.begin(), sorted.end(), ep[k])) != invert;
    }
  });
  return back_to(out, elements.device());
}

Tensor bincount(const Tensor& a, const Tensor& weights, int64_t minlength) {
  TG_CHECK(minlength >= 0, "minlength should be >= 0");
  if (is_floating(a.dtype()) || a.dtype() == DType::Bool)
    TG_DTYPE_UNSUPPORTED("bincount_cpu", a.dtype());
  Tensor x = host_contig(a, DType::Int64);
  const int64_t* xp = x.data<int64_t>();
  bool ok = a.dim() == 1;
  int64_t top = -1;
  for (int64_t k = 0; ok && k < x.numel(); ++k) {
    ok = xp[k] >= 0;
    top = std::max(top, xp[k]);
  }
  TG_CHECK(ok, "bincount only supports 1-d non-negative integral inputs.");
  if (weights.defined())
    TG_CHECK(weights.dim() == 1 && weights.numel() == a.numel(),
             "weights should be 1-d and have the same length as input");
  const int64_t len = std::max(top + 1, minlength);
  // float32 weights count in float32, any other weights in float64 (torch's rule)
  const DType odt = !weights.defined() ? DType::Int64
                    : weights.dtype() == DType::Float32 ? DType::Float32 : DType::Float64;
  Tensor out = zeros({len}, odt);
  if (!weights.defined()) {
    int64_t* op = out.data<int64_t>();
    for (int64_t k = 0; k < x.numel(); ++k) ++op[xp[k]];
  } else {
    Tensor w = host_contig(weights, odt);
    dispatch_floating(odt, "bincount_cpu", [&](auto tag) {
      using T = decltype(tag);
      const T* wp = w.data<T>();
      T* op = out.data<T>();
      for (int64_t k = 0; k < x.numel(); ++k) op[xp[k]] += wp[k];
    });
  }
  return back_to(out, a.device());
}

Tensor histc(const Tensor& a, int64_t bins, double lo, double hi) {
  if (!is_floating(a.dtype())) TG_DTYPE_UNSUPPORTED("histogram_cpu", a.dtype());
  TG_CHECK(bins > 0, "torch.histogram(): bins must be > 0, but got ", bins, " for dimension 0");
  for (double v : {lo, hi}) check_scalar_fits(Scalar(v), a.dtype());  // torch's checked bounds
  TG_CHECK(!(lo > hi), "torch.histc: max must be larger than min");
  Tensor x = host_contig(a, DType::Float64);
  const double* xp = x.data<double>();
  // half/bfloat16: torch's kernel does its arithmetic in the input's dtype, each step rounded
  // (the edges, lo - 1 / hi + 1, and (v - lo) * bins / (hi - lo))
  // (float32 likewise in float: min/max rounded to float, each step in float)
  const DType dt = a.dtype();
  const bool low = kern::via_float::reduced(dt);
  const bool f32 = dt == DType::Float32;
  auto rnd = [&](double v) {
    return low ? kern::via_float::round_scalar(float(v), dt) : f32 ? double(float(v)) : v;
  };
  lo = rnd(lo);
  hi = rnd(hi);
  if (lo == hi && x.numel() > 0) {
    lo = *std::min_element(xp, xp + x.numel(), [](double p, double q) { return p < q || p != p; });
    hi = *std::max_element(xp, xp + x.numel(), [](double p, double q) { return p < q || q != q; });
    for (int64_t k = 0; k < x.numel(); ++k)
      if (std::isnan(xp[k])) lo = hi = NAN;
  }
  if (lo == hi) lo = rnd(lo - 1), hi = rnd(hi + 1);
  auto fmt = [](double v) {
    if (std::isnan(v)) return std::string("-nan");
    if (std::isinf(v)) return std::string(v > 0 ? "inf" : "-inf");
    std::ostringstream os;
    os << v;
    return os.str();
  };
  TG_CHECK(std::isfinite(lo) && std::isfinite(hi), "torch.histc: range of [", fmt(lo), ", ",
           fmt(hi), "] is not finite");
  std::vector<double> counts(bins, 0.0);
  for (int64_t k = 0; k < x.numel(); ++k) {
    const double v = xp[k];
    if (!(v >= lo && v <= hi)) continue;
    int64_t bin;
    if (low) {
      const float d = float(rnd(float(v) - float(lo)));
      const float n = float(rnd(d * float(rnd(double(bins)))));
      bin = static_cast<int64_t>(rnd(n / float(rnd(float(hi) - float(lo)))));
    } else if (f32) {
      bin = static_cast<int64_t>((float(v) - float(lo)) * float(bins) / (float(hi) - float(lo)));
    } else {
      bin = static_cast<int64_t>((v - lo) * bins / (hi - lo));
    }
    counts[std::min(bin, bins - 1)] += 1;
  }
  return back_to(to(from_values(counts, {bins}, DType::Float64), a.dtype()), a.device());
}

namespace {

// `a` with dim moved to the front, and back (the other dims keep their order)
Tensor movedim_first(const Tensor& a, int64_t dim) {
  std::vector<int64_t> perm = {dim};
  for (int64_t k = 0; k < a.dim(); ++k)
    if (k != dim) perm.push_back(k);
  return permute(a, perm);
}
Tensor movedim_back(const Tensor& a, int64_t dim) {
  std::vector<int64_t> perm;
  for (int64_t k = 1; k <= dim; ++k) perm.push_back(k);
  perm.push_back(0);
  for (int64_t k = dim + 1; k < a.dim(); ++k) perm.push_back(k);
  return permute(a, perm);
}

// Slices of `a` along dim (dim moved first, each slice flattened) as rows of a host float64 /
// int64 matrix, compared lexicographically. dim empty: every element is its own row.
struct Rows {
  Tensor data;  // (count, width), contiguous, a's dtype
  int64_t count, width;
};

Rows rows_of(const Tensor& a, std::optional<int64_t> dim) {
  Rows r;
  if (!dim) {
    r.data = contiguous(on_host(reshape(detach(a), {a.numel()})));
    r.count = a.numel();
    r.width = 1;
  } else {
    Tensor m = movedim_first(detach(a), *dim);
    r.count = a.dim() ? a.sizes()[*dim] : 1;
    r.width = r.count ? a.numel() / r.count : 0;
    r.data = contiguous(on_host(reshape(m, {r.count, r.width})));
  }
  return r;
}

// unique rows: (order of the kept rows, inverse per row, counts); consecutive = only neighbours
template <class T>
void unique_rows(const T* p, int64_t count, int64_t width, bool consecutive,
                 std::vector<int64_t>& keep, std::vector<int64_t>& inverse,
                 std::vector<int64_t>& counts) {
  auto eq = [&](int64_t x, int64_t y) {
    for (int64_t k = 0; k < width; ++k)
      if (!(p[x * width + k] == p[y * width + k])) return false;
    return true;
  };
  auto less = [&](int64_t x, int64_t y) {
    for (int64_t k = 0; k < width; ++k) {
      const T u = p[x * width + k], v = p[y * width + k];
      if (u < v) return true;
      if (v < u) return false;
      const bool un = u != u, vn = v != v;  // NaN after every number
      if (un != vn) return vn;
    }
    return false;
  };
  std::vector<int64_t> order(count);
  std::iota(order.begin(), order.end(), 0);
  if (!consecutive) std::stable_sort(order.begin(), order.end(), less);
  inverse.assign(count, 0);
  for (int64_t k = 0; k < count; ++k) {
    if (k == 0 || !eq(order[k - 1], order[k])) {
      keep.push_back(order[k]);
      counts.push_back(0);
    }
    inverse[order[k]] = static_cast<int64_t>(keep.size()) - 1;
    ++counts.back();
  }
}

}  // namespace

std::tuple<Tensor, Tensor, Tensor> unique_impl(const Tensor& a, bool consecutive,
                                               std::optional<int64_t> dim) {
  std::optional<int64_t> d;
  if (dim) d = wrap_dim(*dim, a.dim());
  Rows r = rows_of(a, d);
  std::vector<int64_t> keep, inverse, counts;
  const Tensor keys = kern::via_float::up(r.data);  // half compares as float: exact
  dispatch_numeric_and_bool(keys.dtype(), consecutive ? "unique_consecutive_cpu" : "unique_cpu",
                            [&](auto tag) {
    using T = decltype(tag);
    unique_rows<T>(keys.data<T>(), r.count, r.width, consecutive, keep, inverse, counts);
  });
  const int64_t u = static_cast<int64_t>(keep.size());
  Tensor kept = index_select(r.data, 0, from_values(std::vector<double>(keep.begin(), keep.end()),
                                                    {u}, DType::Int64));
  Tensor values;
  Shape inv_shape;
  if (!d) {
    values = reshape(kept, {u});
    inv_shape = a.sizes();
  } else {
    Shape moved = {u};
    for (int64_t k = 0; k < a.dim(); ++k)
      if (k != *d) moved.push_back(a.sizes()[k]);
    values = contiguous(movedim_back(reshape(kept, moved), *d));
    inv_shape = {r.count};
  }
  Tensor inv = reshape(from_values(std::vector<double>(inverse.begin(), inverse.end()),
                                   {r.count}, DType::Int64), inv_shape);
  Tensor cnt = from_values(std::vector<double>(counts.begin(), counts.end()), {u}, DType::Int64);
  return {back_to(values, a.device()), back_to(inv, a.device()), back_to(cnt, a.device())};
}

}  // namespace tapegrad

namespace tapegrad {

// randperm as torch's CPU kernel draws it: a Fisher-Yates pass where step i swaps r[i] with
// r[i + z], z = (one 32-bit draw) % (n - i) (kern::randint's draw for a range below 2^32), so a
// seeded program gets torch's permutation.
Tensor randperm(int64_t n, DType dt) {
  TG_CHECK(n >= 0, "Trying to create tensor with negative dimension ", n, ": [", n, "]");
  std::vector<int64_t> r(n);
  std::iota(r.begin(), r.end(), 0);
  TG_CHECK(n < (int64_t{1} << 32), "randperm: n must be below 2^32 here");
  Tensor one = empty({1}, DType::Int64);
  for (int64_t i = 0; i + 1 < n; ++i) {
    kern::randint(one, 0, n - i);
    std::swap(r[i], r[i + one.data<int64_t>()[0]]);
  }
  return to(from_values(std::vector<double>(r.begin(), r.end()), {n}, DType::Int64), dt);
}

}  // namespace tapegrad
