// tapegrad._C's CUDA entry points behind the Python module tapegrad.cuda: whether CUDA was
// compiled in, device discovery, synchronisation, seeding and allocator statistics. They work in
// every build (a CPU-only build reports no devices).
#include <tapegrad/core/cuda.h>

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
    return r;
  });
  m.def("_cuda_waitForConsumer", [](intptr_t stream, int device) {
    cuda::wait_stream_for_current_work(stream, device);
  });
}

}  // namespace bind
}  // namespace tapegrad
