// CPU kernels for the activations that take arguments: gelu (exact / tanh), softplus
// (beta, threshold) and the act_functors.h family (leaky_relu, elu, hardtanh, shrinks, ...).
// The argument-free ones are functors in the op table.
#include <algorithm>
#include <cmath>
#include <type_traits>

#include <tapegrad/kernels/act_functors.h>
#include <tapegrad/kernels/cuda_kernels.h>
#include <tapegrad/kernels/dispatch.h>
#include <tapegrad/kernels/functors.h>
#include <tapegrad/kernels/kernels.h>
#include <tapegrad/kernels/loops.h>
#include <tapegrad/kernels/vmath.h>

#include "via_float.h"

namespace tapegrad {
namespace kern {

namespace {
// gelu(approximate='tanh') on contiguous float tensors: the functor's inner argument, the vector
// tanh over it (vmath::map_in_blocks), then 0.5 x (1 + t). libm's tanh per element was 13x
// slower than torch at 1e6. False (nothing written) when the table has no tanh for T or out is
// in (the inner argument is written into out first).
template <class T>
bool gelu_tanh_vector(const Tensor& out, const Tensor& in) {
  const vmath::VecSet* set = vmath::active();
  vmath::MapFn<T> vtanh = nullptr;
  if constexpr (std::is_same<T, float>::value) vtanh = set ? set->f32[vmath::kTanh] : nullptr;
  if constexpr (std::is_same<T, double>::value) vtanh = set ? set->f64[vmath::kTanh] : nullptr;
  if (!vtanh || !vmath::flat_alike(out, {&in}) || out.raw_data() == in.raw_data())
    return false;
  T* o = out.data<T>();
  const T* x = in.data<T>();
  const T k = T(0.79788456080286535588);  // sqrt(2 / pi), as GeluTanhF
  vmath::map_in_blocks(
      vtanh, o, in.numel(),
      [=](int64_t i) { return k * (x[i] + T(0.044715) * x[i] * x[i] * x[i]); },
      [=](int64_t i, T t) { return T(0.5) * x[i] * (T(1) + t); });
  return true;
}
}  // namespace

void gelu(const Tensor& out, const Tensor& in, bool tanh_approx) {
  if (via_float::any(out, in)) {  // Note [Half via float]
    Tensor out_f = via_float::scratch(out);
    gelu(out_f, via_float::up(in), tanh_approx);
    via_float::down(out, out_f);
    return;
  }
  TG_CUDA_DISPATCH(gelu(out, in, tanh_approx), out, in);
  dispatch_floating(in.dtype(), "GeluKernelImpl", [&](auto tag) {
    using T = decltype(tag);
    if (tanh_approx && gelu_tanh_vector<T>(out, in)) return;
    if (!tanh_approx && vmath::try_map(vmath::kGelu, out, in)) return;
    if (tanh_approx)
      cpu::map1<T, T>(out, in, [](T x) { return fn::GeluTanhF{}(x); });
    else
      cpu::map1<T, T>(out, in, [](T x) { return fn::GeluF{}(x); });
  });
}

void softplus(const Tensor& out, const Tensor& in, double beta, double threshold) {
  if (via_float::any(out, in)) {  // Note [Half via float]
    Tensor out_f = via_float::scratch(out);
    softplus(out_f, via_float::up(in), beta, threshold);
    via_float::down(out, out_f);
    return;
  }
  TG_CUDA_DISPATCH(softplus(out, in, beta, threshold), out, in);
  dispatch_floating(in.dtype(), "softplus_cpu", [&](auto tag) {
    using T = decltype(tag);
    const T b = static_cast<T>(beta), th = static_cast<T>(threshold);
    // Above the threshold softplus is the identity (log1p(exp(.)) would overflow).
    cpu::map1<T, T>(out, in, [b, th](T x) {
      return x * b > th ? x : static_cast<T>(std::log1p(std::exp(x * b)) / b);
    });
  });
}

void activation(ActKind kind, const Tensor& out, const Tensor& in, const double* p,
                const char* what) {
  if (via_float::any(out, in)) {  // Note [Half via float]
    Tensor out_f = via_float::scratch(out);
    activation(kind, out_f, via_float::up(in), p, what);
    via_float::down(out, out_f);
    return;
  }
  TG_CUDA_DISPATCH(activation(kind, out, in, p, what), out, in);
  dispatch_floating(in.dtype(), what, [&](auto tag) {
    using T = decltype(tag);
    with_act_functor<T>(kind, p, [&](auto f) { cpu::map1<T, T>(out, in, f); });
  });
}

}  // namespace kern
}  // namespace tapegrad
