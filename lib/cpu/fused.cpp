// CPU fused pointwise kernels (kernels/fused.h): one rounding per element, as torch's
// vectorised addcmul and lerp kernels do.
#include <cmath>

#include <tapegrad/kernels/cuda_kernels.h>
#include <tapegrad/kernels/dispatch.h>
#include <tapegrad/kernels/fused.h>
#include <tapegrad/kernels/loops.h>

namespace tapegrad {
namespace kern {

void addcmul(const Tensor& out, const Tensor& self, const Tensor& t1, const Tensor& t2,
             double value) {
  TG_CUDA_DISPATCH(addcmul(out, self, t1, t2, value), out, self, t1, t2);
  dispatch_floating(out.dtype(), "addcmul_cpu_out", [&](auto tag) {
    using T = decltype(tag);
    const T v = static_cast<T>(value);
    cpu::map3<T, T, T, T>(out, self, t1, t2, [v](T s, T a, T b) { return std::fma(v * a, b, s); });
  });
}

void lerp(const Tensor& out, const Tensor& self, const Tensor& end, const Tensor& weight) {
  TG_CUDA_DISPATCH(lerp(out, self, end, weight), out, self, end, weight);
  dispatch_floating(out.dtype(), "lerp_kernel_tensor", [&](auto tag) {
    using T = decltype(tag);
    cpu::map3<T, T, T, T>(out, self, end, weight, [](T s, T e, T w) {
      const T d = e - s;
      return std::abs(w) < T(0.5) ? std::fma(w, d, s) : std::fma(w - T(1), d, e);
    });
  });
}

}  // namespace kern
}  // namespace tapegrad
