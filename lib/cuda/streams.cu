// Streams, events, device properties and free-memory queries (include/tapegrad/core/cuda_streams.h,
// Note [tapegrad streams]). Host code only.
#include <cuda_runtime.h>

#include <cstdio>

#include <tapegrad/core/cuda.h>
#include <tapegrad/core/cuda_streams.h>
#include "cuda_common.cuh"

namespace tapegrad {
namespace cuda {

namespace {
cudaStream_t as_stream(intptr_t s) { return reinterpret_cast<cudaStream_t>(s); }
cudaEvent_t as_event(intptr_t e) { return reinterpret_cast<cudaEvent_t>(e); }

// cudaStreamQuery / cudaEventQuery: done, not yet, or an error to raise.
bool ready(cudaError_t e) {
  if (e == cudaSuccess) return true;
  if (e == cudaErrorNotReady) {
    cudaGetLastError();
    return false;
  }
  TG_CUDA_CHECK(e);
  return false;
}
}  // namespace

intptr_t stream_create(int device, int priority) {
  check_index(device);
  DeviceGuard g(device);
  cudaStream_t s = nullptr;
  TG_CUDA_CHECK(cudaStreamCreateWithPriority(&s, cudaStreamDefault, priority));
  return reinterpret_cast<intptr_t>(s);
}

void stream_destroy(intptr_t stream, int device) {
  if (stream == 0 || device_count() == 0) return;
  DeviceGuard g(device);
  cudaStreamDestroy(as_stream(stream));  // pending work still completes
}

bool stream_query(intptr_t stream, int device) {
  check_index(device);
  DeviceGuard g(device);
  return ready(cudaStreamQuery(as_stream(stream)));
}

void stream_synchronize(intptr_t stream, int device) {
  check_index(device);
  DeviceGuard g(device);
  TG_CUDA_CHECK(cudaStreamSynchronize(as_stream(stream)));
}

void stream_wait_event(intptr_t stream, intptr_t event, int device) {
  check_index(device);
  DeviceGuard g(device);
  TG_CUDA_CHECK(cudaStreamWaitEvent(as_stream(stream), as_event(event), 0));
}

std::pair<int, int> stream_priority_range() {
  lazy_init();
  int least = 0, greatest = 0;
  TG_CUDA_CHECK(cudaDeviceGetStreamPriorityRange(&least, &greatest));
  return {least, greatest};
}

intptr_t event_create(int device, bool enable_timing, bool blocking, bool interprocess) {
  check_index(device);
  DeviceGuard g(device);
  unsigned flags = enable_timing ? cudaEventDefault : cudaEventDisableTiming;
  if (blocking) flags |= cudaEventBlockingSync;
  if (interprocess) flags |= cudaEventInterprocess | cudaEventDisableTiming;
  cudaEvent_t e = nullptr;
  TG_CUDA_CHECK(cudaEventCreateWithFlags(&e, flags));
  return reinterpret_cast<intptr_t>(e);
}

void event_destroy(intptr_t event, int device) {
  if (event == 0 || device_count() == 0) return;
  DeviceGuard g(device);
  cudaEventDestroy(as_event(event));
}

void event_record(intptr_t event, intptr_t stream, int device) {
  check_index(device);
  DeviceGuard g(device);
  TG_CUDA_CHECK(cudaEventRecord(as_event(event), as_stream(stream)));
}

bool event_query(intptr_t event, int device) {
  check_index(device);
  DeviceGuard g(device);
  return ready(cudaEventQuery(as_event(event)));
}

void event_synchronize(intptr_t event, int device) {
  check_index(device);
  DeviceGuard g(device);
  TG_CUDA_CHECK(cudaEventSynchronize(as_event(event)));
}

float event_elapsed_ms(intptr_t start, intptr_t end, int device) {
  check_index(device);
  DeviceGuard g(device);
  float ms = 0.f;
  TG_CUDA_CHECK(cudaEventElapsedTime(&ms, as_event(start), as_event(end)));
  return ms;
}

DeviceProperties device_properties(int device) {
  check_index(device);
  cudaDeviceProp p;
  TG_CUDA_CHECK(cudaGetDeviceProperties(&p, device));
  DeviceProperties r;
  r.name = p.name;
  r.major = p.major;
  r.minor = p.minor;
  r.multi_processor_count = p.multiProcessorCount;
  r.warp_size = p.warpSize;
  r.max_threads_per_multi_processor = p.maxThreadsPerMultiProcessor;
  r.is_integrated = p.integrated;
  r.is_multi_gpu_board = p.isMultiGpuBoard;
  r.total_memory = static_cast<int64_t>(p.totalGlobalMem);
  r.l2_cache_size = p.l2CacheSize;
  char hex[33];
  for (int i = 0; i < 16; ++i)
    std::snprintf(hex + 2 * i, 3, "%02x", static_cast<unsigned char>(p.uuid.bytes[i]));
  r.uuid = hex;
  return r;
}

std::pair<int64_t, int64_t> mem_get_info(int device) {
  check_index(device);
  DeviceGuard g(device);
  size_t free_b = 0, total_b = 0;
  TG_CUDA_CHECK(cudaMemGetInfo(&free_b, &total_b));
  return {static_cast<int64_t>(free_b), static_cast<int64_t>(total_b)};
}

}  // namespace cuda
}  // namespace tapegrad
