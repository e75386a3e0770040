// Factories (zeros, full, arange, rand, ...), element access (item, to_double_vector) and the
// conversions between dtypes (to, clone, contiguous, detach).
#include <cmath>

#include <tapegrad/core/cuda.h>
#include <tapegrad/kernels/dispatch.h>

#include "common.h"
#include "../cpu/via_float.h"

namespace tapegrad {

using namespace detail;

Tensor full(const Shape& s, Scalar v, DType dt, Device dev) {
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
  if (kern::via_float::reduced(dt)) return to(linspace(start, end, steps, DType::Float32), dt);
  Tensor t = empty({steps}, dt);
  const double step = steps > 1 ? (end - start) / (steps - 1) : 0;
  dispatch_numeric(dt, "linspace", [&](auto tag) {
    using T = decltype(tag);
    T* p = t.data<T>();
    // Symmetric evaluation (from both ends), as torch does, so the last value is exactly `end`.
    const int64_t half = steps / 2;
    for (int64_t i = 0; i < steps; ++i)
      p[i] = static_cast<T>(i < half || steps == 1 ? start + step * i
                                                   : end - step * (steps - i - 1));  // 1 step: start
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
  kern::uniform(t, 0, 1);
  return t;
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
