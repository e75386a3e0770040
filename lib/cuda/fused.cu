// CUDA fused pointwise kernels (addcmul, lerp) with the single rounding of lib/cpu/fused.cpp.
#include <cmath>

#include <tapegrad/kernels/cuda_kernels.h>
#include <tapegrad/kernels/dispatch.h>
#include <tapegrad/kernels/loops.cuh>
#include "cuda_common.cuh"

namespace tapegrad {
namespace cuda {

namespace {
template <class T>
struct Addcmul {
  T v;
  __device__ T operator()(T s, T a, T b) const { return fma(v * a, b, s); }
};
struct Lerp {
  template <class T> __device__ T operator()(T s, T e, T w) const {
    const T d = e - s;
    return fabs(w) < T(0.5) ? fma(w, d, s) : fma(w - T(1), d, e);
  }
};
}  // namespace

void addcmul(const Tensor& out, const Tensor& self, const Tensor& t1, const Tensor& t2,
             double value) {
  DeviceGuard g(out.device().index);
  dispatch_floating(out.dtype(), "addcmul_cuda", [&](auto tag) {
    using T = decltype(tag);
    map3<T, T, T, T>(out, self, t1, t2, Addcmul<T>{static_cast<T>(value)});
  });
}

void lerp(const Tensor& out, const Tensor& self, const Tensor& end, const Tensor& weight) {
  DeviceGuard g(out.device().index);
  dispatch_floating(out.dtype(), "lerp_cuda", [&](auto tag) {
    using T = decltype(tag);
    map3<T, T, T, T>(out, self, end, weight, Lerp{});
  });
}

}  // namespace cuda
}  // namespace tapegrad
