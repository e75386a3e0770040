// Factories (zeros, full, arange, rand, ...), element access (item, to_double_vector) and the
// conversions between dtypes (to, clone, contiguous, detach).
#include <algorithm>
#include <cmath>

#include <tapegrad/core/cuda.h>
#include <tapegrad/core/half.h>
#include <tapegrad/kernels/dispatch.h>
#include <tapegrad/ops/memory_format.h>
#include <tapegrad/ops/output_layout.h>

#include "common.h"
#include "../cpu/via_float.h"

namespace tapegrad {

using namespace detail;

Tensor full(const Shape& s, Scalar v, DType dt, Device dev) {
  check_scalar_fits(v, dt);
  Tensor t = empty(s, dt, dev);
  kern::fill(t, v.to_double());
  return t;
}
Tensor zeros(const Shape& s, DType dt, Device dev) { return full(s, 0, dt, dev); }
Tensor ones(const Shape& s, DType dt, Device dev) { return full(s, 1, dt, dev); }

Tensor scalar_tensor(Scalar v, DType dt) {
  Tensor t = empty({}, dt);
  if (dt == DType::Int64 && v.kind != Scalar::Float) {
    *t.data<int64_t>() = v.i;  // exact for large integers
  } else if (dt == DType::Float32) {
    *t.data<float>() = static_cast<float>(v.to_double());
  } else if (dt == DType::Float64) {
    *t.data<double>() = v.to_double();
  } else {
    kern::fill(t, v.to_double());
  }
  return t;
}

Tensor detail::wrapped_in_dtype(const Tensor& t, DType dt) {
  if (!t.device().is_cpu() || (dt != DType::Float32 && dt != DType::Float64)) return Tensor();
  double v;
  if (t.dtype() == DType::Float64) {
    v = *t.data<double>();
  } else if (t.dtype() == DType::Int64) {
    const int64_t i = *t.data<int64_t>();
    if (i > (int64_t{1} << 53) || i < -(int64_t{1} << 53)) return Tensor();  // not exact in double
    v = static_cast<double>(i);
  } else if (t.dtype() == DType::Bool) {
    v = *t.data<bool>() ? 1.0 : 0.0;
  } else {
    return Tensor();
  }
  return scalar_tensor(Scalar(v), dt);
}

Tensor wrapped_scalar(Scalar v) {
  Tensor t = scalar_tensor(v, v.dtype());
  t.impl()->wrapped_number = true;
  return t;
}

Tensor arange(double start, double end, double step, DType dt) {
  TG_CHECK(step != 0, "step must be nonzero");
  TG_CHECK((step > 0 && end >= start) || (step < 0 && end <= start),
           "upper bound and larger bound inconsistent with step sign");
  int64_t n = static_cast<int64_t>(std::ceil((end - start) / step));
  if (kern::via_float::reduced(dt)) return to(arange(start, end, step, DType::Float32), dt);
  Tensor t = empty({n}, dt);
  dispatch_numeric(dt, "arange", [&](auto tag) {
    using T = decltype(tag);
    T* p = t.data<T>();
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(start + i * step);
  });
  return t;
}

Tensor linspace(double start, double end, int64_t steps, DType dt) {
  TG_CHECK(steps >= 0, "number of steps must be non-negative");
  // torch converts start and end into the dtype, checked (int32 linspace to 1e10 wrapped)
  for (double v : {start, end}) check_scalar_fits(Scalar(v), dt);
  // half/bfloat16 through float32 (torch's own half arithmetic differs in the last bit for
  // about half of the values: not matched yet)
  if (kern::via_float::reduced(dt)) return to(linspace(start, end, steps, DType::Float32), dt);
  Tensor t = empty({steps}, dt);
  dispatch_numeric(dt, "linspace", [&](auto tag) {
    using T = decltype(tag);
    // torch's kernel: start and end in the dtype, the step in it too (double for integers),
    // and each value one fused multiply-add from the nearer end (the compiler contracts torch's
    // `start + step * i`), so the last value is exactly `end`. Without the fma, 60% of float32
    // and 54% of float64 results differed from torch's in the last bit, and linspace(-1, 1, 7)
    // gave 0 where torch gives 5.5511e-17 (which changes how the tensor prints).
    using S = std::conditional_t<std::is_floating_point<T>::value, T, double>;
    const S s0 = static_cast<S>(static_cast<T>(start)), s1 = static_cast<S>(static_cast<T>(end));
    const S step = steps > 1 ? (s1 - s0) / static_cast<S>(steps - 1) : S(0);
    T* p = t.data<T>();
    const int64_t half = steps / 2;
    for (int64_t i = 0; i < steps; ++i)
      p[i] = static_cast<T>(i < half || steps == 1
                                ? std::fma(step, static_cast<S>(i), s0)
                                : std::fma(-step, static_cast<S>(steps - i - 1), s1));
  });
  return t;
}

namespace {

// torch's logspace kernel for half / bfloat16 (H): start, end and their difference rounded to H
// (its arithmetic is float's, rounded once), then as the float64 loop in logspace below.
template <class H>
void logspace_reduced(H* p, double start, double end, int64_t steps, double base) {
  const float s = static_cast<float>(H(static_cast<float>(start)));
  const float e = static_cast<float>(H(static_cast<float>(end)));
  const double step = static_cast<float>(H(e - s)) / static_cast<double>(steps - 1);
  const int64_t half = steps / 2;
  for (int64_t i = 0; i < steps; ++i) {
    const double x = i < half ? s + step * static_cast<double>(i)
                              : e - step * static_cast<double>(steps - i - 1);
    p[i] = H(static_cast<float>(std::pow(base, x)));
  }
}

}  // namespace

Tensor logspace(double start, double end, int64_t steps, double base, DType dt) {
  TG_CHECK(steps >= 0, "number of steps must be non-negative");
  for (double v : {start, end}) check_scalar_fits(Scalar(v), dt);  // as linspace
  Tensor t = empty({steps}, dt);
  if (steps == 0) return t;
  if (steps == 1) {  // torch fills pow(base, start) in float64, converted once (checked)
    check_scalar_fits(Scalar(std::pow(base, start)), dt);
    kern::fill(t, std::pow(base, start));
    return t;
  }
  if (dt == DType::Float16) {
    logspace_reduced(t.data<Half>(), start, end, steps, base);
    return t;
  }
  if (dt == DType::BFloat16) {
    logspace_reduced(t.data<BFloat16>(), start, end, steps, base);
    return t;
  }
  // torch's kernel: start and end in the dtype (truncated for integers), a float64 step, each
  // exponent counted from the nearer end in float64 (no fused multiply-add: torch's
  // RangeFactories.cpp is built for the baseline ISA), std::pow in float64 converted once
  dispatch_numeric(dt, "logspace_cpu", [&](auto tag) {
    using T = decltype(tag);
    T* p = t.data<T>();
    const T s = static_cast<T>(start), e = static_cast<T>(end);
    const double step = static_cast<double>(e - s) / static_cast<double>(steps - 1);
    const int64_t half = steps / 2;
    // integers: torch's base is a float, promoted with the float64 exponent
    const double b = std::is_floating_point<T>::value ? base
                                                      : static_cast<double>(static_cast<float>(base));
    for (int64_t i = 0; i < steps; ++i) {
      const double x = i < half ? static_cast<double>(s) + step * static_cast<double>(i)
                                : static_cast<double>(e) - step * static_cast<double>(steps - i - 1);
      p[i] = static_cast<T>(std::pow(b, x));
    }
  });
  return t;
}

Tensor eye(int64_t n, int64_t m, DType dt) {
  TG_CHECK(n >= 0, "n must be greater or equal to 0, got ", n);
  TG_CHECK(m >= 0, "m must be greater or equal to 0, got ", m);
  Tensor t = zeros({n, m}, dt);
  Tensor diag = make_view(t, {std::min(n, m)}, {m + 1}, 0);
  kern::fill(diag, 1);
  return t;
}

Tensor rand(const Shape& s, DType dt) {
  Tensor t = empty(s, dt);
  return uniform_(t, 0, 1);  // (uniform_'s rule for a half draw that rounds up to 1)
}
Tensor randn(const Shape& s, DType dt) {
  Tensor t = empty(s, dt);
  kern::normal(t, 0, 1);
  return t;
}
Tensor randint(int64_t low, int64_t high, const Shape& s, DType dt) {
  TG_CHECK(high > low, "random_ expects 'from' to be less than 'to', but got from=", low,
           " >= to=", high);
  Tensor t = empty(s, dt);
  kern::randint(t, low, high);
  return t;
}
uint64_t initial_seed() { return kern::initial_seed(); }

void manual_seed(uint64_t seed) {
  kern::seed(seed);
  cuda::manual_seed(seed);  // torch.manual_seed seeds every device
}

Tensor from_values(const std::vector<double>& values, const Shape& s, DType dt) {
  TG_CHECK(static_cast<int64_t>(values.size()) == numel_of(s), "internal: value count");
  Tensor src = empty(s, DType::Float64);
  std::copy(values.begin(), values.end(), src.data<double>());
  Tensor t = empty(s, dt);
  kern::copy(t, src);
  return t;
}

std::vector<double> to_double_vector(const Tensor& a) {
  Tensor c = empty(a.sizes(), DType::Float64);
  kern::copy(c, a);
  return std::vector<double>(c.data<double>(), c.data<double>() + c.numel());
}

Scalar item(const Tensor& a) {
  TG_CHECK(a.numel() == 1, "a Tensor with ", a.numel(),
           " elements cannot be converted to Scalar");
  if (!a.device().is_cpu()) return item(to(detach(a), Device(), a.dtype()));
  if (a.dtype() == DType::Bool) return Scalar(*a.data<bool>());
  if (is_integral(a.dtype(), false)) {
    Tensor c = empty({}, DType::Int64);
    kern::copy(c, make_view(a, {}, {}, a.offset()));
    return Scalar(*c.data<int64_t>());
  }
  return Scalar(to_double_vector(a)[0]);
}

Tensor detach(const Tensor& a) { return alias_detached(a); }

Tensor clone(const Tensor& a) {
  Tensor out = empty(a.sizes(), a.dtype(), a.device());
  kern::copy(out, a);
  if (auto node = maybe_node(OpId::Clone, {a})) set_history(out, node);
  return out;
}

Tensor contiguous(const Tensor& a) { return a.is_contiguous() ? a : clone(a); }

// ---- memory formats (memory_format.h) ----

namespace {

// The dims of a channels-last format from the innermost out (C, then the spatial dims from the
// last, then N), and the rank it needs.
const std::vector<int>& last_order(MemoryFormat fmt) {
  static const std::vector<int> o4 = {1, 3, 2, 0}, o5 = {1, 4, 3, 2, 0};
  return fmt == MemoryFormat::ChannelsLast ? o4 : o5;
}

void check_rank(const Shape& sizes, MemoryFormat fmt) {
  if (fmt == MemoryFormat::ChannelsLast)
    TG_CHECK(sizes.size() == 4, "required rank 4 tensor to use channels_last format");
  if (fmt == MemoryFormat::ChannelsLast3d)
    TG_CHECK(sizes.size() == 5, "required rank 5 tensor to use channels_last_3d format");
}

// Exact channels-last layout (size-1 dims' strides do not matter; no shortcut for empty tensors,
// so an empty NCHW-contiguous tensor is not channels-last contiguous, as in torch).
bool channels_last_contiguous(const Tensor& a, MemoryFormat fmt) {
  const size_t rank = fmt == MemoryFormat::ChannelsLast ? 4 : 5;
  if (static_cast<size_t>(a.dim()) != rank) return false;
  const Shape &sz = a.sizes(), &st = a.strides();
  int64_t expected = 1;
  for (int d : last_order(fmt)) {
    if (sz[d] == 1) continue;
    if (st[d] != expected) return false;
    expected *= sz[d];
  }
  return true;
}

// Strides that merely look channels-last (torch's is_channels_last_strides_*d): increasing
// from C through the spatial dims to N, with torch's tie-breaks toward NCHW for ambiguous
// size-1 layouts.
bool strides_like_last(const Tensor& a, MemoryFormat fmt) {
  const size_t rank = fmt == MemoryFormat::ChannelsLast ? 4 : 5;
  if (static_cast<size_t>(a.dim()) != rank) return false;
  const Shape &sz = a.sizes(), &st = a.strides();
  if (st[1] == 0) return false;  // a broadcast C: NCHW by default
  int64_t floor_stride = 0;
  for (int d : last_order(fmt)) {
    if (sz[d] == 0 || st[d] < floor_stride) return false;
    if (d == 0 && floor_stride == st[1]) return false;  // N111-like: ambiguous, NCHW
    floor_stride = sz[d] > 1 ? st[d] * sz[d] : st[d];
  }
  return true;
}


}  // namespace

Shape format_strides(const Shape& sizes, MemoryFormat fmt) {
  if (fmt == MemoryFormat::Contiguous || fmt == MemoryFormat::Preserve)
    return contiguous_strides(sizes);
  check_rank(sizes, fmt);
  Shape st(sizes.size());
  int64_t acc = 1;
  for (int d : last_order(fmt)) {
    st[d] = acc;
    acc *= sizes[d];  // torch does not clamp zero sizes here
  }
  return st;
}

bool is_contiguous(const Tensor& a, MemoryFormat fmt) {
  if (fmt == MemoryFormat::Contiguous || fmt == MemoryFormat::Preserve) return a.is_contiguous();
  return channels_last_contiguous(a, fmt);
}

bool is_non_overlapping_and_dense(const Tensor& a) {
  if (a.is_contiguous()) return true;
  if (a.dim() == 4 && channels_last_contiguous(a, MemoryFormat::ChannelsLast)) return true;
  if (a.dim() == 5 && channels_last_contiguous(a, MemoryFormat::ChannelsLast3d)) return true;
  const Shape &sz = a.sizes(), &st = a.strides();
  if (sz.size() == 1) return sz[0] < 2 || st[0] == 1;
  // dims of size >= 2 by increasing stride must tile memory exactly; size 0/1 dims go last
  std::vector<size_t> dims(sz.size());
  for (size_t k = 0; k < dims.size(); ++k) dims[k] = k;
  std::stable_sort(dims.begin(), dims.end(), [&](size_t x, size_t y) {
    if (sz[x] < 2) return false;
    if (sz[y] < 2) return true;
    return st[x] < st[y];
  });
  int64_t need = 1;
  for (size_t d : dims) {
    if (sz[d] < 2) return true;
    if (st[d] != need) return false;
    need *= sz[d];
  }
  return true;
}

MemoryFormat suggest_memory_format(const Tensor& a) {
  if (strides_like_last(a, MemoryFormat::ChannelsLast)) return MemoryFormat::ChannelsLast;
  if (strides_like_last(a, MemoryFormat::ChannelsLast3d)) return MemoryFormat::ChannelsLast3d;
  return MemoryFormat::Contiguous;
}

Shape infer_dense_strides(const Shape& sizes, const Shape& strides) {
  const size_t n = sizes.size();
  if (n == 0) return {};
  if (n == 1) return {1};
  // order[0] is the innermost dim. Start from the contiguous order and insertion-sort by
  // stride (smaller inside; equal strides: the smaller size inside); a zero stride compares
  // as "no preference", so broadcast dims stay where the contiguous order puts them.
  std::vector<size_t> order(n);
  for (size_t k = 0; k < n; ++k) order[k] = n - 1 - k;
  auto cmp = [&](size_t inner, size_t outer) {  // >0: `inner` belongs further out
    const int64_t si = strides[inner], so = strides[outer];
    if (si == 0 || so == 0) return 0;
    if (si != so) return si < so ? -1 : 1;
    return sizes[inner] > sizes[outer] ? 1 : 0;
  };
  for (size_t i = 1; i < n; ++i) {
    size_t cur = i;
    for (size_t j = i; j-- > 0;) {
      const int c = cmp(order[j], order[cur]);
      if (c < 0) break;
      if (c > 0) {
        std::swap(order[j], order[cur]);
        cur = j;
      }
    }
  }
  Shape out(n);
  int64_t acc = 1;
  for (size_t d : order) {
    out[d] = acc;
    if (sizes[d] > 1) acc *= sizes[d];
  }
  return out;
}

Shape copy_strides(const Tensor& a, MemoryFormat fmt) {
  if (fmt != MemoryFormat::Preserve) return format_strides(a.sizes(), fmt);
  if (is_non_overlapping_and_dense(a)) return a.strides();
  return infer_dense_strides(a.sizes(), a.strides());
}

Tensor clone(const Tensor& a, MemoryFormat fmt) {
  Tensor out = empty_with_strides(a.sizes(), copy_strides(a, fmt), a.dtype(), a.device());
  kern::copy(out, a);
  if (auto node = maybe_node(OpId::Clone, {a})) set_history(out, node);
  return out;
}

Tensor contiguous(const Tensor& a, MemoryFormat fmt) {
  if (is_contiguous(a, fmt)) return a;
  TG_CHECK(fmt != MemoryFormat::Preserve,
           "preserve memory format is unsupported by the contiguous operator");
  return clone(a, fmt);
}

Tensor to(const Tensor& a, DType dt, bool copy, MemoryFormat fmt) {
  if (dt == a.dtype() && !copy &&
      (fmt == MemoryFormat::Preserve || suggest_memory_format(a) == fmt))
    return a;
  Tensor out = empty_with_strides(a.sizes(), copy_strides(a, fmt), dt, a.device());
  kern::copy(out, a);
  if (is_floating(dt)) {
    if (auto node = maybe_node(OpId::ToCopy, {a})) set_history(out, node);
  }
  return out;
}

Tensor to(const Tensor& a, DType dt, bool copy) {
  if (dt == a.dtype() && !copy) return a;
  Tensor out = empty(a.sizes(), dt, a.device());
  kern::copy(out, a);
  if (is_floating(dt)) {
    if (auto node = maybe_node(OpId::ToCopy, {a})) set_history(out, node);
  }
  return out;
}

Tensor to(const Tensor& a, Device device, DType dt, bool copy) {
  if (device.is_cpu()) device = Device();
  if (device.is_cuda() && device.index < 0) device.index = static_cast<int8_t>(cuda::current_device());
  if (device == a.device()) return to(a, dt, copy);
  Tensor out = empty(a.sizes(), dt, device);
  kern::copy(out, a);
  if (is_floating(dt)) {
    if (auto node = maybe_node(OpId::ToCopy, {a})) set_history(out, node);
  }
  return out;
}

}  // namespace tapegrad
