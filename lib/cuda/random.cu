// CUDA random numbers from a counter-based generator: element i of a launch draws from
// hash(seed, offset + i), and the launch advances the global offset past what it used, so no
// per-thread state exists and results do not depend on the launch shape. The hash is two rounds
// of the splitmix64 finaliser (a published bijective mixer). Values differ from the CPU stream
// and from torch's Philox.
#include <cmath>
#include <type_traits>

#include <tapegrad/kernels/cuda_kernels.h>
#include <tapegrad/kernels/dispatch.h>
#include "cuda_common.cuh"

namespace tapegrad {
namespace cuda {

namespace {

__device__ __forceinline__ uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
__device__ __forceinline__ uint64_t draw(uint64_t seed, uint64_t counter) {
  return mix(mix(seed + 0x9e3779b97f4a7c15ull * (counter + 1)) ^ seed);
}
// 53 random bits as a double in [0, 1).
__device__ __forceinline__ double unit(uint64_t bits) {
  return static_cast<double>(bits >> 11) * (1.0 / 9007199254740992.0);
}

// kind: 0 uniform [a, b), 1 normal (mean a, std b), 2 integer in [lo, lo + range).
template <class T>
__global__ void random_kernel(T* out, int64_t n, uint64_t seed, uint64_t base, int kind, double a,
                              double b, int64_t lo, uint64_t range) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
    const uint64_t c = base + 2 * static_cast<uint64_t>(i);
    if (kind == 0) {
      T v = static_cast<T>(a + (b - a) * unit(draw(seed, c)));
      // float rounding must keep [a, b): on the rare round-up, redraw into the lower half.
      if (v >= static_cast<T>(b) && b > a) v = static_cast<T>(a + (b - a) * unit(draw(seed, c + 1)) * 0.5);
      out[i] = v;
    } else if (kind == 1) {
      // Box-Muller on two independent uniforms; 1 - u keeps the log argument in (0, 1].
      const double u1 = 1.0 - unit(draw(seed, c)), u2 = unit(draw(seed, c + 1));
      out[i] = static_cast<T>(a + b * sqrt(-2.0 * ::log(u1)) * cospi(2.0 * u2));
    } else {
      out[i] = static_cast<T>(lo + static_cast<int64_t>(draw(seed, c) % range));
    }
  }
}

template <class T>
void launch(const Tensor& out, int kind, double a, double b, int64_t lo, uint64_t range) {
  const int64_t n = out.numel();
  if (n == 0) return;
  TG_CHECK(out.is_contiguous(), "internal: CUDA random kernels write contiguous tensors");
  DeviceGuard g(out.device().index);
  const uint64_t base = g_offset.fetch_add(2 * static_cast<uint64_t>(n));
  random_kernel<T><<<grid_for(n), kThreads>>>(static_cast<T*>(out.raw_data()), n, g_seed.load(),
                                              base, kind, a, b, lo, range);
  TG_CUDA_LAUNCH_CHECK();
}

}  // namespace

void uniform(const Tensor& out, double lo, double hi) {
  dispatch_floating(out.dtype(), "uniform_", [&](auto tag) {
    launch<decltype(tag)>(out, 0, lo, hi, 0, 1);
  });
}

void normal(const Tensor& out, double mean, double std) {
  dispatch_floating(out.dtype(), "normal_", [&](auto tag) {
    launch<decltype(tag)>(out, 1, mean, std, 0, 1);
  });
}

void randint(const Tensor& out, int64_t lo, int64_t hi) {
  TG_CHECK(hi > lo, "random_ expects 'from' to be less than 'to', but got from=", lo, " >= to=", hi);
  dispatch_numeric(out.dtype(), "random_", [&](auto tag) {
    launch<decltype(tag)>(out, 2, 0, 0, lo, static_cast<uint64_t>(hi - lo));
  });
}

}  // namespace cuda
}  // namespace tapegrad
