// CPU fused pointwise kernels (kernels/fused.h): one rounding per element, as torch's
// vectorised addcmul and lerp kernels do, and the one-pass relu/sigmoid/tanh/sin/mul backward kernels.
#include <cmath>

#include <tapegrad/kernels/cuda_kernels.h>
#include <tapegrad/kernels/dispatch.h>
#include <tapegrad/kernels/functors.h>
#include <tapegrad/kernels/fused.h>
#include <tapegrad/kernels/loops.h>
#include <tapegrad/kernels/vmath.h>

#include "via_float.h"

namespace tapegrad {
namespace kern {

void addcmul(const Tensor& out, const Tensor& self, const Tensor& t1, const Tensor& t2,
             double value) {
  if (via_float::any(out, self, t1, t2)) {  // Note [Half via float]
    Tensor out_f = via_float::scratch(out);
    addcmul(out_f, via_float::up(self), via_float::up(t1), via_float::up(t2), value);
    via_float::down(out, out_f);
    return;
  }
  TG_CUDA_DISPATCH(addcmul(out, self, t1, t2, value), out, self, t1, t2);
  dispatch_floating(out.dtype(), "addcmul_cpu_out", [&](auto tag) {
    using T = decltype(tag);
    const T v = static_cast<T>(value);
    cpu::map3<T, T, T, T>(out, self, t1, t2, [v](T s, T a, T b) { return std::fma(v * a, b, s); });
  });
}

void lerp(const Tensor& out, const Tensor& self, const Tensor& end, const Tensor& weight) {
  if (via_float::any(out, self, end, weight)) {  // Note [Half via float]
    Tensor out_f = via_float::scratch(out);
    lerp(out_f, via_float::up(self), via_float::up(end), via_float::up(weight));
    via_float::down(out, out_f);
    return;
  }
  TG_CUDA_DISPATCH(lerp(out, self, end, weight), out, self, end, weight);
  dispatch_floating(out.dtype(), "lerp_kernel_tensor", [&](auto tag) {
    using T = decltype(tag);
    cpu::map3<T, T, T, T>(out, self, end, weight, [](T s, T e, T w) {
      const T d = e - s;
      return std::abs(w) < T(0.5) ? std::fma(w, d, s) : std::fma(w - T(1), d, e);
    });
  });
}

void relu_backward(const Tensor& out, const Tensor& g, const Tensor& y) {
  if (via_float::any(out, g, y)) {  // Note [Half via float]
    Tensor out_f = via_float::scratch(out);
    relu_backward(out_f, via_float::up(g), via_float::up(y));
    via_float::down(out, out_f);
    return;
  }
  dispatch_floating(out.dtype(), "threshold_backward_cpu", [&](auto tag) {
    using T = decltype(tag);
    // torch's threshold_backward: y <= 0 gives 0, so a NaN result passes the gradient
    cpu::map2<T, T>(out, y, g, [](T r, T gr) { return r <= T(0) ? T(0) : gr; });
  });
}

void sigmoid_backward(const Tensor& out, const Tensor& g, const Tensor& y) {
  if (via_float::any(out, g, y)) {  // Note [Half via float]
    Tensor out_f = via_float::scratch(out);
    sigmoid_backward(out_f, via_float::up(g), via_float::up(y));
    via_float::down(out, out_f);
    return;
  }
  dispatch_floating(out.dtype(), "sigmoid_backward_cpu", [&](auto tag) {
    using T = decltype(tag);
    cpu::map2<T, T>(out, y, g, [](T r, T gr) { return gr * (T(1) - r) * r; });
  });
}

void tanh_backward(const Tensor& out, const Tensor& g, const Tensor& y) {
  if (via_float::any(out, g, y)) {  // Note [Half via float]
    Tensor out_f = via_float::scratch(out);
    tanh_backward(out_f, via_float::up(g), via_float::up(y));
    via_float::down(out, out_f);
    return;
  }
  dispatch_floating(out.dtype(), "tanh_backward_cpu", [&](auto tag) {
    using T = decltype(tag);
    // 1 - y * y rounded once (an FMA), as torch's kernel computes it
    cpu::map2<T, T>(out, y, g, [](T r, T gr) { return gr * fn::mul_add(-r, r, T(1)); });
  });
}

void sin_backward(const Tensor& out, const Tensor& g, const Tensor& x) {
  if (via_float::any(out, g, x)) {  // Note [Half via float]
    Tensor out_f = via_float::scratch(out);
    sin_backward(out_f, via_float::up(g), via_float::up(x));
    via_float::down(out, out_f);
    return;
  }
  if (vmath::try_mul_cos(out, g, x)) return;  // float32: the vectorised cos, blockwise
  dispatch_floating(out.dtype(), "sin_backward", [&](auto tag) {
    using T = decltype(tag);
    cpu::map2<T, T>(out, x, g, [](T v, T gr) { return gr * fn::CosF{}(v); });
  });
}

void mul_backward(const Tensor& ga, const Tensor& gb, const Tensor& g, const Tensor& a,
                  const Tensor& b) {
  if (via_float::any(ga, gb, g, a, b)) {  // Note [Half via float]
    Tensor ga_f = via_float::scratch(ga);
    Tensor gb_f = via_float::scratch(gb);
    mul_backward(ga_f, gb_f, via_float::up(g), via_float::up(a), via_float::up(b));
    via_float::down(ga, ga_f);
    via_float::down(gb, gb_f);
    return;
  }
  if (vmath::try_mul_pair(ga, gb, g, a, b)) return;  // contiguous: both products in one pass
  dispatch_floating(a.dtype(), "mul_backward", [&](auto tag) {
    using T = decltype(tag);
    cpu::map2<T, T>(ga, g, b, [](T gr, T v) { return gr * v; });
    cpu::map2<T, T>(gb, g, a, [](T gr, T v) { return gr * v; });
  });
}

}  // namespace kern
}  // namespace tapegrad
