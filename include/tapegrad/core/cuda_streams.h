// CUDA streams and events behind tapegrad.cuda.Stream / Event, as integer handles (the
// cudaStream_t / cudaEvent_t values; 0 is the legacy default stream). Plain C++: no CUDA headers.
//
// Note [tapegrad streams]: every tapegrad kernel runs on the legacy default stream of its device.
// Streams made here are created *blocking* (cudaStreamDefault), so work on them is ordered with
// tapegrad's kernels in both directions by the legacy-stream rule: `with tapegrad.cuda.stream(s)`
// keeps results correct and events recorded on any stream time the work queued before them,
// at the cost of no overlap between streams. The caching allocator's reuse rule (a freed block is
// reused only by later legacy-stream work) stays sound for the same reason.
// In a build without CUDA every call raises "Torch not compiled with CUDA enabled".
#pragma once
#include <cstdint>
#include <string>
#include <utility>

namespace tapegrad {
namespace cuda {

intptr_t stream_create(int device, int priority);
void stream_destroy(intptr_t stream, int device);
bool stream_query(intptr_t stream, int device);        // true when all its work is done
void stream_synchronize(intptr_t stream, int device);
void stream_wait_event(intptr_t stream, intptr_t event, int device);
std::pair<int, int> stream_priority_range();            // (least, greatest) as CUDA reports

intptr_t event_create(int device, bool enable_timing, bool blocking, bool interprocess);
void event_destroy(intptr_t event, int device);
void event_record(intptr_t event, intptr_t stream, int device);
bool event_query(intptr_t event, int device);
void event_synchronize(intptr_t event, int device);
float event_elapsed_ms(intptr_t start, intptr_t end, int device);

struct DeviceProperties {
  std::string name;
  int major = 0, minor = 0, multi_processor_count = 0, warp_size = 0;
  int max_threads_per_multi_processor = 0, is_integrated = 0, is_multi_gpu_board = 0;
  int64_t total_memory = 0, l2_cache_size = 0;
  std::string uuid;  // 32 hex digits
};
DeviceProperties device_properties(int device);
std::pair<int64_t, int64_t> mem_get_info(int device);  // (free, total) bytes

}  // namespace cuda
}  // namespace tapegrad
