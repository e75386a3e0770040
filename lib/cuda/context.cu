// CUDA runtime: lazy device discovery with torch's errors, the current device, synchronisation,
// copies between devices, the DLPack stream handshake, the random seed, and the caching
// allocator behind Storage. Host code only; compiled by nvcc because it needs the runtime API.
#include <cuda_runtime.h>

#include <map>
#include <mutex>
#include <vector>

#include <tapegrad/core/cuda.h>
#include <tapegrad/kernels/cuda_kernels.h>
#include "cuda_common.cuh"

namespace tapegrad {
namespace cuda {

bool is_built() { return true; }
bool has_cublas() {
#ifdef TAPEGRAD_HAS_CUBLAS
  return true;
#else
  return false;
#endif
}

namespace {

struct Discovery {
  int count = 0;
  cudaError_t status = cudaSuccess;
};

// cudaGetDeviceCount once: it loads the driver; its failure modes are what torch reports.
const Discovery& discovery() {
  static const Discovery d = [] {
    Discovery r;
    r.status = cudaGetDeviceCount(&r.count);
    if (r.status != cudaSuccess) {
      r.count = 0;
      cudaGetLastError();  // clear the sticky-free error so later calls start clean
    }
    return r;
  }();
  return d;
}

}  // namespace

int device_count() { return discovery().count; }

void lazy_init() {
  const Discovery& d = discovery();
  if (d.count > 0) return;
  if (d.status == cudaErrorInsufficientDriver || d.status == cudaErrorNoDevice) {
    if (d.status == cudaErrorNoDevice) TG_ERROR("No CUDA GPUs are available");
    TG_ERROR("Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU "
             "and installed a driver from http://www.nvidia.com/Download/index.aspx");
  }
  if (d.status != cudaSuccess) TG_ERROR("CUDA error: ", cudaGetErrorString(d.status));
  TG_ERROR("No CUDA GPUs are available");
}

int current_device() {
  lazy_init();
  int d = 0;
  TG_CUDA_CHECK(cudaGetDevice(&d));
  return d;
}

void check_index(int index) {
  lazy_init();
  TG_CHECK(index >= 0 && index < device_count(), "CUDA error: invalid device ordinal");
}

void set_device(int index) {
  check_index(index);
  TG_CUDA_CHECK(cudaSetDevice(index));
}

std::string device_name(int index) {
  check_index(index);
  cudaDeviceProp prop;
  TG_CUDA_CHECK(cudaGetDeviceProperties(&prop, index));
  return prop.name;
}

void synchronize(int index) {
  lazy_init();
  DeviceGuard g(index < 0 ? current_device() : index);
  TG_CUDA_CHECK(cudaDeviceSynchronize());
}

DeviceGuard::DeviceGuard(int index) {
  TG_CUDA_CHECK(cudaGetDevice(&prev_));
  if (index >= 0 && index != prev_) TG_CUDA_CHECK(cudaSetDevice(index));
  else prev_ = -1;
}
DeviceGuard::~DeviceGuard() {
  if (prev_ >= 0) cudaSetDevice(prev_);
}

// ---- Note [CUDA caching allocator] ----
// cudaMalloc/cudaFree synchronise the device and cost tens of microseconds, so a training step
// that allocates its activations each time would stall. Freed blocks go to a per-device free
// list keyed by size class (sizes rounded up to 512 bytes below 1 MiB, to 2 MiB above), and the
// next request of that class reuses one. Blocks are reused only through the legacy default
// stream, the one tapegrad launches on, so a block freed while kernels still read it is
// reallocated only for work queued after those kernels: no event is needed.
namespace {

struct DeviceCache {
  std::multimap<size_t, void*> free_blocks;  // size class -> block
  std::map<void*, size_t> live;              // block -> size class
  AllocatorStats stats;
};

// Never destroyed: tensors may be freed during interpreter teardown, after static destructors.
std::mutex& alloc_mutex() {
  static std::mutex* m = new std::mutex;
  return *m;
}
std::vector<DeviceCache>& caches() {
  static auto* c =
      new std::vector<DeviceCache>(static_cast<size_t>(device_count() > 0 ? device_count() : 1));
  return *c;
}

size_t size_class(size_t n) {
  if (n == 0) n = 1;
  const size_t small = 512, large = size_t(2) << 20;
  return n < (size_t(1) << 20) ? (n + small - 1) / small * small : (n + large - 1) / large * large;
}

void release(void* p, int device) {
  std::lock_guard<std::mutex> lock(alloc_mutex());
  DeviceCache& c = caches()[static_cast<size_t>(device)];
  auto it = c.live.find(p);
  if (it == c.live.end()) return;
  c.stats.allocated -= it->second;
  c.free_blocks.emplace(it->second, p);
  c.live.erase(it);
}

}  // namespace

std::shared_ptr<void> allocate(size_t nbytes, int device) {
  lazy_init();
  if (device < 0) device = current_device();
  check_index(device);
  if (nbytes == 0) return std::shared_ptr<void>();
  const size_t cls = size_class(nbytes);
  void* p = nullptr;
  {
    std::lock_guard<std::mutex> lock(alloc_mutex());
    DeviceCache& c = caches()[static_cast<size_t>(device)];
    auto it = c.free_blocks.find(cls);
    if (it != c.free_blocks.end()) {
      p = it->second;
      c.free_blocks.erase(it);
    } else {
      DeviceGuard g(device);
      cudaError_t e = cudaMalloc(&p, cls);
      if (e == cudaErrorMemoryAllocation) {
        // Out of memory: give the cached blocks back and try once more.
        cudaGetLastError();
        for (auto& kv : c.free_blocks) cudaFree(kv.second);
        c.stats.reserved -= [&] { size_t s = 0; for (auto& kv : c.free_blocks) s += kv.first; return s; }();
        c.free_blocks.clear();
        e = cudaMalloc(&p, cls);
      }
      if (e != cudaSuccess) {
        cudaGetLastError();
        TG_ERROR("CUDA out of memory. Tried to allocate ", nbytes, " bytes on cuda:", device,
                 " (", cudaGetErrorString(e), ")");
      }
      c.stats.reserved += cls;
      if (c.stats.reserved > c.stats.peak_reserved) c.stats.peak_reserved = c.stats.reserved;
      c.stats.num_device_mallocs += 1;
    }
    c.live.emplace(p, cls);
    c.stats.allocated += cls;
    if (c.stats.allocated > c.stats.peak_allocated) c.stats.peak_allocated = c.stats.allocated;
  }
  return std::shared_ptr<void>(p, [device](void* q) { release(q, device); });
}

void empty_cache() {
  if (device_count() == 0) return;
  std::lock_guard<std::mutex> lock(alloc_mutex());
  for (size_t d = 0; d < caches().size(); ++d) {
    DeviceGuard g(static_cast<int>(d));
    auto& c = caches()[d];
    for (auto& kv : c.free_blocks) {
      cudaFree(kv.second);
      c.stats.reserved -= kv.first;
    }
    c.free_blocks.clear();
  }
}

AllocatorStats allocator_stats(int device) {
  if (device_count() == 0) return AllocatorStats();
  check_index(device);
  std::lock_guard<std::mutex> lock(alloc_mutex());
  return caches()[static_cast<size_t>(device)].stats;
}

void reset_peak_stats(int device) {
  if (device_count() == 0) return;
  check_index(device);
  std::lock_guard<std::mutex> lock(alloc_mutex());
  AllocatorStats& s = caches()[static_cast<size_t>(device)].stats;
  s.peak_allocated = s.allocated;
  s.peak_reserved = s.reserved;
}

// ---- copies, streams, device checks ----

void memcpy(void* dst, Device dd, const void* src, Device sd, size_t nbytes) {
  if (nbytes == 0) return;
  lazy_init();
  if (dd.is_cuda() && sd.is_cuda()) {
    if (dd.index == sd.index) {
      DeviceGuard g(dd.index);
      TG_CUDA_CHECK(cudaMemcpyAsync(dst, src, nbytes, cudaMemcpyDeviceToDevice, 0));
    } else {
      TG_CUDA_CHECK(cudaMemcpyPeer(dst, dd.index, src, sd.index, nbytes));
    }
  } else if (dd.is_cuda()) {
    DeviceGuard g(dd.index);
    // Synchronous from pageable host memory: the host buffer may be freed right after.
    TG_CUDA_CHECK(cudaMemcpy(dst, src, nbytes, cudaMemcpyHostToDevice));
  } else {
    DeviceGuard g(sd.index);
    TG_CUDA_CHECK(cudaMemcpy(dst, src, nbytes, cudaMemcpyDeviceToHost));
  }
}

void wait_stream_for_current_work(intptr_t consumer_stream, int device) {
  // 1 is the legacy default stream, where tapegrad's own work already runs: ordered for free.
  if (consumer_stream == 1 || consumer_stream == -1) return;
  lazy_init();
  DeviceGuard g(device);
  cudaEvent_t ev;
  TG_CUDA_CHECK(cudaEventCreateWithFlags(&ev, cudaEventDisableTiming));
  TG_CUDA_CHECK(cudaEventRecord(ev, 0));
  // 2 is the per-thread default stream.
  cudaStream_t s = consumer_stream == 2 ? cudaStreamPerThread
                                        : reinterpret_cast<cudaStream_t>(consumer_stream);
  TG_CUDA_CHECK(cudaStreamWaitEvent(s, ev, 0));
  TG_CUDA_CHECK(cudaEventDestroy(ev));  // released once the wait has been satisfied
}

bool on_cuda_list(const Tensor* const* ts, int n) {
  const Tensor* first = nullptr;
  for (int i = 0; i < n; ++i) {
    const Tensor& t = *ts[i];
    if (!t.defined()) continue;
    if (t.device().is_cpu() && t.dim() == 0 && i > 0) continue;  // CPU scalar joins any device
    if (!first) {
      first = &t;
    } else if (t.device() != first->device()) {
      TG_ERROR("Expected all tensors to be on the same device, but found at least two devices, ",
               first->device().str(), " and ", t.device().str(), "!");
    }
  }
  return first && first->device().is_cuda();
}

// ---- random seed (the generator itself is in random.cu) ----
std::atomic<uint64_t> g_seed{67280421310721ull};
std::atomic<uint64_t> g_offset{0};
void manual_seed(uint64_t seed) {
  g_seed = seed;
  g_offset = 0;
}

}  // namespace cuda
}  // namespace tapegrad
