// include/tapegrad/core/cuda_streams.h in a build without CUDA: every call raises torch's
// "Torch not compiled with CUDA enabled" (the Python layer raises first, with torch's types).
#ifndef TAPEGRAD_HAS_CUDA
#include <tapegrad/core/check.h>
#include <tapegrad/core/cuda_streams.h>

namespace tapegrad {
namespace cuda {

namespace {
[[noreturn]] void not_built() { TG_ERROR("Torch not compiled with CUDA enabled"); }
}  // namespace

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
