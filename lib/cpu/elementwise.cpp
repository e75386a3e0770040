// CPU elementwise kernels: the unary/binary/compare rows of ops.def over the shared functors,
// plus the pointwise ops with scalar arguments (pow, clamp) and where. Contiguous float cases of
// exp/sigmoid/tanh/sin/cos and add/sub/mul/div take the SIMD kernels of kernels/vmath.h first.
// Compiled twice (Note [ISA copies of the generic loops] in isa_dispatch.cpp): here for the
// baseline into kern::base, and by lib/cpu_isa/elementwise_avx2.cpp for AVX2 into kern::avx2.
#ifndef TG_ISA
#define TG_ISA base
#endif
#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include <tapegrad/kernels/cuda_kernels.h>
#include <tapegrad/kernels/dispatch.h>
#include <tapegrad/kernels/functors.h>
#include <tapegrad/kernels/kernels.h>
#include <tapegrad/kernels/loops.h>
#include <tapegrad/kernels/vmath.h>

#include "isa_copies.h"
#include "erf_float.h"
#include "via_float.h"

namespace tapegrad {
namespace kern {
namespace TG_ISA {

namespace {

template <class F>
void unary_floating(const Tensor& out, const Tensor& in, const char* name) {
  dispatch_floating(in.dtype(), name, [&](auto tag) {
    using T = decltype(tag);
    cpu::map1<T, T>(out, in, [](T x) { return F{}(x); });
  });
}

template <class F>
void unary_numeric(const Tensor& out, const Tensor& in, const char* name) {
  dispatch_numeric(in.dtype(), name, [&](auto tag) {
    using T = decltype(tag);
    cpu::map1<T, T>(out, in, [](T x) { return F{}(x); });
  });
}

template <template <class> class F>
void binary_numeric(OpId op, const Tensor& out, const Tensor& a, const Tensor& b, double alpha,
                    const char* name) {
  dispatch_numeric_and_bool(a.dtype(), name, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same<T, bool>::value) {
      // bool arithmetic: compute in uint8 and keep 0/1 (add = or, mul = and).
      F<int> f{static_cast<int>(alpha)};
      cpu::map2<bool, bool>(out, a, b, [f](bool x, bool y) { return f(x, y) != 0; });
    } else {
      // alpha == 1 (almost every add/sub): a plain loop the compiler vectorises; the fused
      // a + alpha * b path (torch's rounding for alpha != 1) goes through mul_add per element.
      if constexpr (std::is_floating_point<T>::value) {
        // contiguous float add/sub (alpha 1)/mul/div: AVX-512/AVX2 lanes (lib/cpu/vmath.cpp)
        if ((alpha == 1 || !(std::is_same<F<T>, fn::AddF<T>>::value ||
                             std::is_same<F<T>, fn::SubF<T>>::value)) &&
            vmath::try_binary(op, out, a, b))
          return;
      }
      if constexpr (std::is_same<F<T>, fn::AddF<T>>::value) {
        if (alpha == 1) return cpu::map2<T, T>(out, a, b, [](T x, T y) { return T(x + y); });
      }
      if constexpr (std::is_same<F<T>, fn::SubF<T>>::value) {
        if (alpha == 1) return cpu::map2<T, T>(out, a, b, [](T x, T y) { return T(x - y); });
      }
      if constexpr (std::is_floating_point<T>::value &&
                    (std::is_same<F<T>, fn::AddF<T>>::value ||
                     std::is_same<F<T>, fn::SubF<T>>::value)) {
        // a +- alpha * b rounded once (SGD's p.add_(d, alpha=-lr)): FMA lanes when contiguous
        const double al = std::is_same<F<T>, fn::SubF<T>>::value ? -alpha : alpha;
        if (vmath::try_axpy(out, a, b, al)) return;
      }
      F<T> f{static_cast<T>(alpha)};
      cpu::map2<T, T>(out, a, b, f);
    }
  });
}

template <class F>
void compare_all(const Tensor& out, const Tensor& a, const Tensor& b, const char* name) {
  dispatch_numeric_and_bool(a.dtype(), name, [&](auto tag) {
    using T = decltype(tag);
    cpu::map2<bool, T>(out, a, b, [](T x, T y) { return F{}(x, y); });
  });
}

}  // namespace

void unary(OpId op, const Tensor& out, const Tensor& in) {
  if (via_float::any(out, in)) {  // Note [Half via float]
    Tensor o = via_float::scratch(out);
    unary(op, o, via_float::up(in));
    return via_float::down(out, o);
  }
  TG_CUDA_DISPATCH(unary(op, out, in), out, in);
  if (vmath::try_unary(op, out, in)) return;  // contiguous exp/sigmoid/tanh/sin/cos: SIMD
  if (op == OpId::Erf && erf_float::run(erf_float::Form::Erf, out, in)) return;
  if (op == OpId::Erfc && erf_float::run(erf_float::Form::Erfc, out, in)) return;
  switch (op) {
#define TG_UNARY(Id, name, GradFn, Functor, to_float, saves)          \
  case OpId::Id:                                                      \
    if (to_float)                                                     \
      unary_floating<fn::Functor>(out, in, #name);                    \
    else                                                              \
      unary_numeric<fn::Functor>(out, in, #name);                     \
    return;
#define TG_OP(Id, name, GradFn)
#include <tapegrad/ops/ops.def>
    default:
      TG_ERROR("internal: not a unary op: ", op_name(op));
  }
}

namespace {
// An operand laid out across the output (x * x.t(): its unit-stride dim is not the output's
// last) and large: the loop, walking the output in order, would read it a row apart per
// element. A contiguous copy first (copy.cpp's tiled transpose) and the plain loop after cost a
// fifth of that walk (1024 x 1024 floats: 4.9 ms -> 0.9; torch 3.6).
bool reads_across(const Tensor& t, const Tensor& out) {
  const int64_t nd = t.dim();
  if (nd < 2 || t.numel() < (int64_t(1) << 16) || t.sizes() != out.sizes() ||
      !out.is_contiguous() || t.strides()[nd - 1] == 1)
    return false;
  for (int64_t d = 0; d < nd - 1; ++d)
    if (t.strides()[d] == 1 && t.sizes()[d] > 1) return true;
  return false;
}
Tensor dense_copy(const Tensor& t) {
  Tensor c = empty(t.sizes(), t.dtype(), t.device());
  kern::copy(c, t);
  return c;
}
}  // namespace

void binary(OpId op, const Tensor& out, const Tensor& a, const Tensor& b, double alpha) {
  const bool ra = reads_across(a, out), rb = reads_across(b, out);
  if ((ra || rb) && out.device().is_cpu())
    return binary(op, out, ra ? dense_copy(a) : a, rb ? dense_copy(b) : b, alpha);
  if (via_float::any(out, a, b)) {  // Note [Half via float]; alpha in the tensor's dtype
    Tensor o = via_float::scratch(out);
    binary(op, o, via_float::up(a), via_float::up(b), via_float::round_scalar(alpha, out.dtype()));
    return via_float::down(out, o);
  }
  TG_CUDA_DISPATCH(binary(op, out, a, b, alpha), out, a, b);
  switch (op) {
#define TG_BINARY(Id, name, GradFn, Functor, saves)          \
  case OpId::Id:                                             \
    binary_numeric<fn::Functor>(OpId::Id, out, a, b, alpha, #name);    \
    return;
#define TG_OP(Id, name, GradFn)
#include <tapegrad/ops/ops.def>
    default:
      TG_ERROR("internal: not a binary op: ", op_name(op));
  }
}

void compare(CmpId op, const Tensor& out, const Tensor& a, const Tensor& b) {
  const bool ra = reads_across(a, out), rb = reads_across(b, out);
  if ((ra || rb) && out.device().is_cpu())
    return compare(op, out, ra ? dense_copy(a) : a, rb ? dense_copy(b) : b);
  if (via_float::any(a, b)) return compare(op, out, via_float::up(a), via_float::up(b));
  TG_CUDA_DISPATCH(compare(op, out, a, b), out, a, b);
  switch (op) {
#define TG_COMPARE(Id, name, Functor)                 \
  case CmpId::Id:                                     \
    compare_all<fn::Functor>(out, a, b, #name);       \
    return;
#define TG_OP(Id, name, GradFn)
#include <tapegrad/ops/ops.def>
    case CmpId::NumCmps:
      break;
  }
  TG_ERROR("internal: bad comparison");
}

namespace {
// x ** e through libm's double pow, rounded to T: torch's scalar loop for every exponent it has
// no other form for (glibc's powf misrounds about 4 results in 10^4).
template <class T>
void pow_via_double(const Tensor& out, const Tensor& in, double e) {
  cpu::map1<T, T>(out, in, [e](T x) { return static_cast<T>(std::pow(double(x), e)); });
}

// The exponents torch's float/double/bfloat16 kernel computes without pow.
bool torch_pow_form(double e) {
  return e == 2 || e == 3 || e == 0.5 || e == -0.5 || e == -1 || e == -2;
}

// Note [float pow's two exponents]
// torch's float32 pow kernel takes the exponent as a float in its vector loop and as the double
// it was given in its scalar loop, which runs over the last n % 32 elements of each chunk of a
// flat walk (one chunk, or at::parallel_for's equal chunks at 32768 elements and up) and over
// every element of a layout that is not dense. For an exponent no float holds (1.7, 0.1) the
// results differ in the 7th digit (2 ** 11.3: 2521.3838 as a double, 2521.3840 as a float), so
// those elements are recomputed as torch's scalar loop computes them.
template <class Body>
void pow_float_exponent_split(const Tensor& out, const Tensor& in, double e, Body&& main) {
  if (!vmath::flat_alike(out, {&in})) return pow_via_double<float>(out, in, e);
  const int64_t n = in.numel(), grain = 32768;
  const int64_t threads = n >= grain ? std::min<int64_t>(cpu::max_threads(), (n + grain - 1) / grain) : 1;
  const int64_t chunk = threads > 1 ? (n + threads - 1) / threads : n;
  std::vector<std::pair<int64_t, float>> tails;  // computed first: out may be in
  const float* x = in.data<float>();
  for (int64_t b = 0; b < n; b += chunk) {
    const int64_t len = std::min(chunk, n - b);
    for (int64_t i = b + len - len % 32; i < b + len; ++i)
      tails.emplace_back(i, static_cast<float>(std::pow(double(x[i]), e)));
  }
  main();
  float* o = out.data<float>();
  for (const auto& t : tails) o[t.first] = t.second;
}

// x ** e for float/double tensors. torch_forms: the exponents torch's float/double/bfloat16
// kernel computes another way (0.5 sqrt, -0.5 rsqrt, -1 reciprocal, 2 x*x, 3 x*x*x, -2
// 1/(x*x)), rounded as torch rounds them; its half kernel uses pow for every exponent.
void pow_floating(const Tensor& out, const Tensor& in, double e, bool torch_forms) {
  const bool special = torch_forms && torch_pow_form(e);
  if (special && (e == -0.5 || e == -1.0 || e == -2.0) &&
      vmath::try_map(e == -1.0 ? vmath::kReciprocal : e == -2.0 ? vmath::kInvSquare : vmath::kRsqrt,
                     out, in))
    return;
  if (!special) {
    if (in.dtype() == DType::Float32 && std::isfinite(e) &&
        static_cast<double>(static_cast<float>(e)) != e) {
      return pow_float_exponent_split(out, in, e, [&] {
        if (!vmath::try_pow_scalar(out, in, e)) pow_via_double<float>(out, in, static_cast<float>(e));
      });
    }
    if (vmath::try_pow_scalar(out, in, e)) return;
  }
  dispatch_floating(in.dtype(), "pow", [&](auto tag) {
    using T = decltype(tag);
    if (e == 2.0) {
      cpu::map1<T, T>(out, in, [](T x) { return x * x; });
    } else if (torch_forms && e == 3.0) {
      cpu::map1<T, T>(out, in, [](T x) { return x * x * x; });
    } else if (torch_forms && e == -2.0) {
      cpu::map1<T, T>(out, in, [](T x) { return T(1) / (x * x); });
    } else if (torch_forms && e == -1.0) {
      cpu::map1<T, T>(out, in, [](T x) { return T(1) / x; });
    } else if (torch_forms && e == -0.5) {
      cpu::map1<T, T>(out, in, [](T x) { return T(1) / std::sqrt(x); });
    } else if (e == 0.5) {
      cpu::map1<T, T>(out, in, [](T x) { return std::sqrt(x); });
    } else {
      pow_via_double<T>(out, in, static_cast<double>(static_cast<T>(e)));
    }
  });
}
}  // namespace

void pow_scalar(const Tensor& out, const Tensor& in, double e) {
  if (in.dtype() == DType::BFloat16 && (e == 3 || e == -2)) {
    // torch's bfloat16 kernel evaluates these in bfloat16 steps: x * x is rounded first
    Tensor sq = empty(in.sizes(), DType::BFloat16, in.device());
    pow_scalar(sq, in, 2);
    if (e == 3) return binary(OpId::Mul, out, sq, in, 1);
    return unary(OpId::Reciprocal, out, sq);
  }
  if (via_float::any(out, in)) {  // Note [Half via float]; the exponent in the tensor's dtype
    Tensor o = via_float::scratch(out);
    const double ef = via_float::round_scalar(e, in.dtype());
    if (o.device().is_cpu())
      pow_floating(o, via_float::up(in), ef, in.dtype() == DType::BFloat16);
    else
      pow_scalar(o, via_float::up(in), ef);
    return via_float::down(out, o);
  }
  TG_CUDA_DISPATCH(pow_scalar(out, in, e), out, in);
  if (is_floating(in.dtype())) return pow_floating(out, in, e, true);
  dispatch_numeric(in.dtype(), "pow", [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point<T>::value) {
      TG_ERROR("internal: pow of a float dtype reached the integer loop");
    } else {
      fn::PowF<T> f{1};
      T te = static_cast<T>(e);
      cpu::map1<T, T>(out, in, [f, te](T x) { return f(x, te); });
    }
  });
}

void rpow(const Tensor& out, double base, const Tensor& exponent) {
  if (via_float::any(out, exponent)) {  // Note [Half via float]
    Tensor o = via_float::scratch(out);
    rpow(o, via_float::round_scalar(base, exponent.dtype()), via_float::up(exponent));
    return via_float::down(out, o);
  }
  TG_CUDA_DISPATCH(rpow(out, base, exponent), out, exponent);
  dispatch_numeric(exponent.dtype(), "pow", [&](auto tag) {
    using T = decltype(tag);
    fn::PowF<T> f{1};
    T b = static_cast<T>(base);
    cpu::map1<T, T>(out, exponent, [f, b](T x) { return f(b, x); });
  });
}

void clamp(const Tensor& out, const Tensor& in, std::optional<double> lo, std::optional<double> hi) {
  if (via_float::any(out, in)) {  // Note [Half via float]; bounds in the tensor's dtype
    Tensor o = via_float::scratch(out);
    auto r = [&](std::optional<double> v) {
      return v ? std::optional<double>(via_float::round_scalar(*v, in.dtype())) : v;
    };
    clamp(o, via_float::up(in), r(lo), r(hi));
    return via_float::down(out, o);
  }
  TG_CUDA_DISPATCH(clamp(out, in, lo, hi), out, in);
  dispatch_numeric(in.dtype(), "clamp", [&](auto tag) {
    using T = decltype(tag);
    const bool has_lo = lo.has_value(), has_hi = hi.has_value();
    const T l = has_lo ? static_cast<T>(*lo) : T(0), h = has_hi ? static_cast<T>(*hi) : T(0);
    // NaN propagates (both compares are false for it); max bound wins when lo > hi (torch's
    // order: min then max). One branch-free select per bound, so the loop vectorises (the
    // branchy form mispredicted on random data: 9x slower than torch at 1e6).
    if (has_lo && has_hi) {
      cpu::map1<T, T>(out, in, [=](T x) {
        T y = x < l ? l : x;
        return y > h ? h : y;
      });
    } else if (has_lo) {
      cpu::map1<T, T>(out, in, [=](T x) { return x < l ? l : x; });  // NaN < l is false
    } else {
      cpu::map1<T, T>(out, in, [=](T x) { return x > h ? h : x; });
    }
  });
}

void where(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) {
  if (via_float::any(out, a, b)) {  // Note [Half via float] (exact: a selection)
    Tensor o = via_float::scratch(out);
    where(o, cond, via_float::up(a), via_float::up(b));
    return via_float::down(out, o);
  }
  TG_CUDA_DISPATCH(where(out, cond, a, b), out, cond, a, b);
  dispatch_numeric_and_bool(a.dtype(), "where", [&](auto tag) {
    using T = decltype(tag);
    cpu::map3<T, bool, T, T>(out, cond, a, b, [](bool c, T x, T y) { return c ? x : y; });
  });
}

void logical_not(const Tensor& out, const Tensor& in) {
  if (via_float::any(in)) return logical_not(out, via_float::up(in));
  TG_CUDA_DISPATCH(logical_not(out, in), out, in);
  dispatch_numeric_and_bool(in.dtype(), "logical_not", [&](auto tag) {
    using T = decltype(tag);
    cpu::map1<bool, T>(out, in, [](T x) { return x == T(0); });
  });
}

}  // namespace TG_ISA
}  // namespace kern
}  // namespace tapegrad
