// tapegrad._C's CUDA entry points behind the Python module tapegrad.cuda: whether CUDA was
// compiled in, device discovery, synchronisation, seeding and allocator statistics. They work in
// every build (a CPU-only build reports no devices).
#include <tapegrad/core/cuda.h>
#include <tapegrad/core/cuda_streams.h>

#include "common.h"

namespace tapegrad {
namespace bind {

void bind_cuda(py::module_& m) {
  m.attr("_cuda_built") = cuda::is_built();
  m.attr("_cuda_has_cublas") = cuda::has_cublas();
  m.def("_cuda_getDeviceCount", []() { return cuda::device_count(); });
  m.def("_cuda_init", []() { cuda::lazy_init(); });
  m.def("_cuda_getDevice", []() { return cuda::current_device(); });
  m.def("_cuda_setDevice", [](int d) { cuda::set_device(d); });
  m.def("_cuda_getDeviceName", [](int d) { return cuda::device_name(d); });
  m.def("_cuda_synchronize", [](int d) {
    py::gil_scoped_release nogil;
    cuda::synchronize(d);
  });
  m.def("_cuda_manual_seed", [](uint64_t s) { cuda::manual_seed(s); });
  m.def("_cuda_emptyCache", []() { cuda::empty_cache(); });
  m.def("_cuda_memoryStats", [](int d) {
    cuda::AllocatorStats s = cuda::allocator_stats(d);
    py::dict r;
    r["allocated_bytes"] = s.allocated;
    r["reserved_bytes"] = s.reserved;
    r["num_device_mallocs"] = s.num_device_mallocs;
    r["peak_allocated_bytes"] = s.peak_allocated;
    r["peak_reserved_bytes"] = s.peak_reserved;
    return r;
  });
  m.def("_cuda_resetPeakMemoryStats", [](int d) { cuda::reset_peak_stats(d); });
  m.def("_cuda_memGetInfo", [](int d) { return cuda::mem_get_info(d); });
  m.def("_cuda_getDeviceProperties", [](int d) {
    cuda::DeviceProperties p = cuda::device_properties(d);
    py::dict r;
    r["name"] = p.name;
    r["major"] = p.major;
    r["minor"] = p.minor;
    r["total_memory"] = p.total_memory;
    r["multi_processor_count"] = p.multi_processor_count;
    r["warp_size"] = p.warp_size;
    r["max_threads_per_multi_processor"] = p.max_threads_per_multi_processor;
    r["is_integrated"] = p.is_integrated;
    r["is_multi_gpu_board"] = p.is_multi_gpu_board;
    r["L2_cache_size"] = p.l2_cache_size;
    r["uuid"] = p.uuid;
    return r;
  });
  // Streams and events (Note [tapegrad streams]); handles are plain integers.
  m.def("_cuda_streamCreate", &cuda::stream_create);
  m.def("_cuda_streamDestroy", &cuda::stream_destroy);
  m.def("_cuda_streamQuery", &cuda::stream_query);
  m.def("_cuda_streamSynchronize", [](intptr_t s, int d) {
    py::gil_scoped_release nogil;
    cuda::stream_synchronize(s, d);
  });
  m.def("_cuda_streamWaitEvent", &cuda::stream_wait_event);
  m.def("_cuda_streamPriorityRange", &cuda::stream_priority_range);
  m.def("_cuda_eventCreate", &cuda::event_create);
  m.def("_cuda_eventDestroy", &cuda::event_destroy);
  m.def("_cuda_eventRecord", &cuda::event_record);
  m.def("_cuda_eventQuery", &cuda::event_query);
  m.def("_cuda_eventSynchronize", [](intptr_t e, int d) {
    py::gil_scoped_release nogil;
    cuda::event_synchronize(e, d);
  });
  m.def("_cuda_eventElapsedTime", &cuda::event_elapsed_ms);
  m.def("_cuda_waitForConsumer", [](intptr_t stream, int device) {
    cuda::wait_stream_for_current_work(stream, device);
  });
}

}  // namespace bind
}  // namespace tapegrad
