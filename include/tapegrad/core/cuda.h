// The CUDA runtime as plain C++ sees it (no CUDA headers needed): device discovery, the current
// device, synchronisation, the caching allocator behind Storage, copies between devices, and the
// producer/consumer stream handshake DLPack needs. In a build without CUDA, is_built() is false,
// device_count() is 0 and everything that needs a GPU raises.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <tapegrad/core/device.h>

namespace tapegrad {
namespace cuda {

bool is_built();      // compiled with nvcc
bool has_cublas();    // matmul goes through cuBLAS (else tapegrad's tiled kernel)
int device_count();   // lazy and cached; 0 without a driver or GPU (never raises)
// Raises torch's RuntimeError ("Found no NVIDIA driver on your system..." / "No CUDA GPUs are
// available") unless a GPU can be used.
void lazy_init();
int current_device();
void set_device(int index);
std::string device_name(int index);
void synchronize(int index = -1);
// Seeds the counter-based generator of the CUDA random kernels (all devices share one seed).
void manual_seed(uint64_t seed);

// Device memory from the caching allocator (Note [CUDA caching allocator]); the deleter returns
// the block to its size-class free list instead of calling cudaFree.
std::shared_ptr<void> allocate(size_t nbytes, int device);
void empty_cache();
struct AllocatorStats {
  size_t allocated = 0;   // bytes in live blocks
  size_t reserved = 0;    // bytes obtained from cudaMalloc and not yet released
  int64_t num_device_mallocs = 0;
  size_t peak_allocated = 0;  // highest `allocated` since start or reset_peak_stats
  size_t peak_reserved = 0;
};
AllocatorStats allocator_stats(int device);
void reset_peak_stats(int device);  // peaks := current values

// Byte copy between any two devices (cpu <-> cuda, cuda <-> cuda); synchronous for device->host.
void memcpy(void* dst, Device dst_dev, const void* src, Device src_dev, size_t nbytes);

// DLPack stream handshake. tapegrad launches everything on the legacy default stream of the
// current device; a consumer's stream (an integer handle as the spec passes it) is made to wait
// for the work queued so far.
void wait_stream_for_current_work(intptr_t consumer_stream, int device);

}  // namespace cuda
}  // namespace tapegrad
