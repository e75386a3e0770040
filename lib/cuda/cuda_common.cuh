// Helpers shared by lib/cuda/*.cu: error checks, the device guard, the random state, and
// on_device_of (copies an op-layer host tensor, e.g. index offsets, to the kernel's device).
#pragma once
#include <cuda_runtime.h>

#include <atomic>
#include <cstdint>

#include <tapegrad/core/check.h>
#include <tapegrad/core/tensor.h>
#include <tapegrad/kernels/loops.cuh>

#define TG_CUDA_CHECK(expr)                                               \
  do {                                                                    \
    cudaError_t tg_err_ = (expr);                                         \
    if (tg_err_ != cudaSuccess) {                                         \
      cudaGetLastError();                                                 \
      TG_ERROR("CUDA error: ", cudaGetErrorString(tg_err_));              \
    }                                                                     \
  } while (0)
// After a launch: configuration errors surface here, execution errors at the next sync.
#define TG_CUDA_LAUNCH_CHECK() TG_CUDA_CHECK(cudaGetLastError())

namespace tapegrad {
namespace cuda {

// Makes `index` current for its lifetime (no-op for -1 or the current device).
class DeviceGuard {
 public:
  explicit DeviceGuard(int index);
  ~DeviceGuard();
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int prev_ = -1;
};

// Raises torch's "invalid device ordinal" unless 0 <= index < device_count() (context.cu).
void check_index(int index);

// The operand as a kernel on `like`'s device reads it: a host tensor is copied over.
Tensor on_device_of(const Tensor& t, const Tensor& like);

// Random generator state (random.cu): one seed, and an offset that each launch advances past
// the counters it used, so consecutive calls draw fresh numbers.
extern std::atomic<uint64_t> g_seed;
extern std::atomic<uint64_t> g_offset;

}  // namespace cuda
}  // namespace tapegrad
