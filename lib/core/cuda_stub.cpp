// The CUDA runtime facade (core/cuda.h, core/cuda_streams.h) in a build without CUDA: no
// devices, and the actions that need one raise torch's "Torch not compiled with CUDA enabled"
// (as RuntimeError in C++; the Python layer raises AssertionError before reaching here, as torch
// does).
#ifndef TAPEGRAD_HAS_CUDA
#include <tapegrad/core/check.h>
#include <tapegrad/core/cuda.h>
#include <tapegrad/core/cuda_streams.h>

namespace tapegrad {
namespace cuda {

namespace {
[[noreturn]] void not_built() { TG_ERROR("Torch not compiled with CUDA enabled"); }
}  // namespace

bool is_built() { return false; }
bool has_cublas() { return false; }
int device_count() { return 0; }
void lazy_init() { not_built(); }
int current_device() { not_built(); }
void set_device(int) { not_built(); }
std::string device_name(int) { not_built(); }
void synchronize(int) { not_built(); }
void manual_seed(uint64_t) {}  // torch: silently ignored when CUDA is unavailable
std::shared_ptr<void> allocate(size_t, int) { not_built(); }
void empty_cache() {}
AllocatorStats allocator_stats(int) { return AllocatorStats(); }
void reset_peak_stats(int) {}
void memcpy(void*, Device, const void*, Device, size_t) { not_built(); }
void wait_stream_for_current_work(intptr_t, int) { not_built(); }

// core/cuda_streams.h
intptr_t stream_create(int, int) { not_built(); }
void stream_destroy(intptr_t, int) {}
bool stream_query(intptr_t, int) { not_built(); }
void stream_synchronize(intptr_t, int) { not_built(); }
void stream_wait_event(intptr_t, intptr_t, int) { not_built(); }
std::pair<int, int> stream_priority_range() { not_built(); }
intptr_t event_create(int, bool, bool, bool) { not_built(); }
void event_destroy(intptr_t, int) {}
void event_record(intptr_t, intptr_t, int) { not_built(); }
bool event_query(intptr_t, int) { not_built(); }
void event_synchronize(intptr_t, int) { not_built(); }
float event_elapsed_ms(intptr_t, intptr_t, int) { not_built(); }
DeviceProperties device_properties(int) { not_built(); }
std::pair<int64_t, int64_t> mem_get_info(int) { not_built(); }

}  // namespace cuda
}  // namespace tapegrad
#endif
