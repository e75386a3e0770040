// CUDA kernels for the activations that take arguments: gelu (exact / tanh), softplus
// (beta, threshold) and the act_functors.h family, over the same functors and formula as lib/cpu/activation.cpp.
#include <cmath>

#include <tapegrad/kernels/act_functors.h>
#include <tapegrad/kernels/cuda_kernels.h>
#include <tapegrad/kernels/dispatch.h>
#include <tapegrad/kernels/functors.h>
#include <tapegrad/kernels/loops.cuh>
#include "cuda_common.cuh"

namespace tapegrad {
namespace cuda {

namespace {
template <class F>
struct Apply {
  template <class T> __device__ T operator()(T x) const { return F{}(x); }
};
template <class T>
struct Softplus {
  T b, th;
  // Above the threshold softplus is the identity (log1p(exp(.)) would overflow).
  __device__ T operator()(T x) const {
    return x * b > th ? x : static_cast<T>(log1p(exp(x * b)) / b);
  }
};
}  // namespace

void gelu(const Tensor& out, const Tensor& in, bool tanh_approx) {
  DeviceGuard g(out.device().index);
  dispatch_floating(in.dtype(), "GeluKernelImpl", [&](auto tag) {
    using T = decltype(tag);
    if (tanh_approx) map1<T, T>(out, in, Apply<fn::GeluTanhF>{});
    else map1<T, T>(out, in, Apply<fn::GeluF>{});
  });
}

void softplus(const Tensor& out, const Tensor& in, double beta, double threshold) {
  DeviceGuard g(out.device().index);
  dispatch_floating(in.dtype(), "softplus_cuda", [&](auto tag) {
    using T = decltype(tag);
    map1<T, T>(out, in, Softplus<T>{static_cast<T>(beta), static_cast<T>(threshold)});
  });
}

void activation(kern::ActKind kind, const Tensor& out, const Tensor& in, const double* p,
                const char* what) {
  DeviceGuard g(out.device().index);
  dispatch_floating(in.dtype(), what, [&](auto tag) {
    using T = decltype(tag);
    kern::with_act_functor<T>(kind, p, [&](auto f) { map1<T, T>(out, in, f); });
  });
}

}  // namespace cuda
}  // namespace tapegrad
