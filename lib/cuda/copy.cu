// CUDA copies: between devices (staged through a contiguous buffer when layouts or dtypes
// differ), strided/broadcasting/dtype-converting copies on one GPU, and fill. float16 and
// bfloat16 move between devices as bytes; converting them on the GPU is not implemented.
#include <cstring>
#include <type_traits>

#include <tapegrad/core/cuda.h>
#include <tapegrad/kernels/cuda_kernels.h>
#include <tapegrad/kernels/dispatch.h>
#include <tapegrad/kernels/loops.cuh>
#include "cuda_common.cuh"

namespace tapegrad {
namespace cuda {

namespace {

template <class D, class S>
struct Convert {
  __device__ D operator()(S v) const {
    if constexpr (std::is_same<D, bool>::value) return v != S(0);
    else return static_cast<D>(v);
  }
};
template <class T>
struct Constant {
  T v;
  __device__ T operator()(T) const { return v; }
};

bool dense_same(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.is_contiguous() && b.is_contiguous() && a.sizes() == b.sizes();
}

void copy_same_device(const Tensor& dst, const Tensor& src) {
  if (dense_same(dst, src)) {
    DeviceGuard g(dst.device().index);
    TG_CUDA_CHECK(cudaMemcpyAsync(dst.raw_data(), src.raw_data(),
                                  dst.numel() * itemsize(dst.dtype()), cudaMemcpyDeviceToDevice, 0));
    return;
  }
  DeviceGuard g(dst.device().index);
  dispatch_numeric_and_bool(dst.dtype(), "copy_", [&](auto dtag) {
    using D = decltype(dtag);
    dispatch_numeric_and_bool(src.dtype(), "copy_", [&](auto stag) {
      using S = decltype(stag);
      map1<D, S>(dst, src, Convert<D, S>{});
    });
  });
}

}  // namespace

Tensor on_device_of(const Tensor& t, const Tensor& like) {
  if (!t.defined() || t.device() == like.device()) return t;
  Tensor r = empty(t.sizes(), t.dtype(), like.device());
  kern::copy(r, t);
  return r;
}

void copy(const Tensor& dst, const Tensor& src) {
  if (dst.numel() == 0) return;
  if (dst.device() == src.device()) return copy_same_device(dst, src);
  if (dense_same(dst, src)) {
    cuda::memcpy(dst.raw_data(), dst.device(), src.raw_data(), src.device(),
                 dst.numel() * itemsize(dst.dtype()));
    return;
  }
  // Different devices and layouts/dtypes: make a dense copy in dst's shape on the source
  // device, move the bytes, then convert/scatter on the destination device.
  Tensor staged = empty(dst.sizes(), src.dtype(), src.device());
  kern::copy(staged, src);
  Tensor moved = empty(dst.sizes(), src.dtype(), dst.device());
  cuda::memcpy(moved.raw_data(), moved.device(), staged.raw_data(), staged.device(),
               moved.numel() * itemsize(moved.dtype()));
  kern::copy(dst, moved);
}

void fill(const Tensor& dst, double value) {
  if (dst.numel() == 0) return;
  DeviceGuard g(dst.device().index);
  dispatch_numeric_and_bool(dst.dtype(), "fill_", [&](auto tag) {
    using T = decltype(tag);
    T v;
    if constexpr (std::is_same<T, bool>::value) v = value != 0;
    else v = static_cast<T>(value);
    map1<T, T>(dst, dst, Constant<T>{v});
  });
}

}  // namespace cuda
}  // namespace tapegrad
