// CUDA gather/scatter by flat offsets into a contiguous tensor (advanced indexing, index_put,
// gather, scatter_add). Accumulation uses atomicAdd, so it is implemented for the dtypes that
// have one (float32, float64, int32, int64); the order of additions, and for float the rounding,
// may differ from the CPU kernel's sequential order, as with torch on CUDA.
#include <type_traits>

#include <tapegrad/kernels/cuda_kernels.h>
#include <tapegrad/kernels/dispatch.h>
#include <tapegrad/kernels/nll.h>
#include "cuda_common.cuh"

namespace tapegrad {
namespace cuda {

namespace {

template <class T>
__global__ void take_kernel(T* dst, const T* src, const int64_t* off, int64_t n) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step)
    dst[i] = src[off[i]];
}

template <class T>
__device__ void atomic_add(T* p, T v) {
  if constexpr (std::is_same<T, int64_t>::value) {
    atomicAdd(reinterpret_cast<unsigned long long*>(p), static_cast<unsigned long long>(v));
  } else {
    atomicAdd(p, v);
  }
}

template <class T>
__global__ void put_kernel(T* dst, const T* src, const int64_t* off, int64_t n, bool accumulate) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
    if constexpr (std::is_same<T, float>::value || std::is_same<T, double>::value ||
                  std::is_same<T, int32_t>::value || std::is_same<T, int64_t>::value) {
      if (accumulate) {
        atomic_add(dst + off[i], src[i]);
        continue;
      }
    }
    dst[off[i]] = src[i];
  }
}

__global__ void nll_coef_kernel(double* coef, double* tw, int64_t* bad, const int64_t* target,
                                const double* w, const double* scale, int64_t m, int64_t C,
                                int64_t inner, int64_t ignore_index) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t j = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; j < m; j += step)
    fn::nll_coef_at(j, coef, tw, bad, target, w, scale, C, inner, ignore_index);
}

}  // namespace

void take(const Tensor& out, const Tensor& in, const Tensor& offsets0) {
  const int64_t n = offsets0.numel();
  if (n == 0) return;
  Tensor offsets = on_device_of(offsets0, out);
  DeviceGuard g(out.device().index);
  dispatch_numeric_and_bool(in.dtype(), "index", [&](auto tag) {
    using T = decltype(tag);
    take_kernel<T><<<grid_for(n), kThreads>>>(static_cast<T*>(out.raw_data()),
                                              static_cast<const T*>(in.raw_data()),
                                              static_cast<const int64_t*>(offsets.raw_data()), n);
    TG_CUDA_LAUNCH_CHECK();
  });
}

void put_add(const Tensor& dst, const Tensor& offsets0, const Tensor& src, bool accumulate) {
  const int64_t n = offsets0.numel();
  if (n == 0) return;
  Tensor offsets = on_device_of(offsets0, dst);
  DeviceGuard g(dst.device().index);
  dispatch_numeric_and_bool(dst.dtype(), "index_put_", [&](auto tag) {
    using T = decltype(tag);
    constexpr bool has_atomic = std::is_same<T, float>::value || std::is_same<T, double>::value ||
                                std::is_same<T, int32_t>::value || std::is_same<T, int64_t>::value;
    if (accumulate && !has_atomic)
      TG_ERROR_KIND(NotImplemented, "index_put_ with accumulate=True is not implemented on CUDA "
                    "for dtype ", dtype_name(dst.dtype()), " in tapegrad");
    put_kernel<T><<<grid_for(n), kThreads>>>(static_cast<T*>(dst.raw_data()),
                                             static_cast<const T*>(src.raw_data()),
                                             static_cast<const int64_t*>(offsets.raw_data()), n,
                                             accumulate);
    TG_CUDA_LAUNCH_CHECK();
  });
}

// nll_loss's coefficients on the GPU: the targets never come to the host (the op layer reads
// back only `bad`, two int64s, to raise torch's out-of-bounds error).
void nll_coef(const Tensor& coef, const Tensor& tw, const Tensor& bad, const Tensor& target0,
              const Tensor& weight0, const Tensor& scale0, int64_t ignore_index) {
  const int64_t m = target0.numel();
  if (m == 0) return;
  // a CPU 0-d operand may join a CUDA op (Note [Device checks]): copied over here
  Tensor target = on_device_of(target0, coef);
  Tensor weight = on_device_of(weight0, coef), scale = on_device_of(scale0, coef);
  DeviceGuard g(coef.device().index);
  nll_coef_kernel<<<grid_for(m), kThreads>>>(
      static_cast<double*>(coef.raw_data()), static_cast<double*>(tw.raw_data()),
      static_cast<int64_t*>(bad.raw_data()), static_cast<const int64_t*>(target.raw_data()),
      weight.defined() ? static_cast<const double*>(weight.raw_data()) : nullptr,
      scale.defined() ? static_cast<const double*>(scale.raw_data()) : nullptr, m,
      coef.sizes()[1], coef.sizes()[2], ignore_index);
  TG_CUDA_LAUNCH_CHECK();
}

}  // namespace cuda
}  // namespace tapegrad
