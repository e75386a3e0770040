// Caching CPU allocator (core/allocator.h). Blocks above kSmallMax bytes are rounded up to
// a size class (an eighth of a power of two, so reuse wastes at most 12.5%) and, when freed,
// parked in a per-class free list instead of going back to the system; the cache holds at most
// kMaxCached bytes (beyond that a freed block really is freed). TAPEGRAD_CPU_CACHE=0 turns the
// cache off, TAPEGRAD_CPU_THP=0 the huge-page advice.
// Smaller blocks (the data of small tensors, made and freed once per op) go through a per-thread
// free list per size class: aligned_alloc/free of 64-byte aligned blocks cost ~0.1 us a pair in
// glibc (memalign, and the consolidation it triggers), a list pop/push a few ns. A block freed
// on another thread joins that thread's lists; each list holds at most kSmallKeep blocks.
#include <cstdlib>
#include <mutex>
#if defined(__linux__)
#include <sys/mman.h>
#endif
#include <new>
#include <unordered_map>
#include <vector>

#include <tapegrad/core/allocator.h>
#include <tapegrad/core/check.h>

namespace tapegrad {
namespace detail {

namespace {

// torch raises a RuntimeError, not MemoryError, when the system refuses a block.
[[noreturn]] void out_of_memory(size_t nbytes) {
  TG_ERROR("DefaultCPUAllocator: can't allocate memory: you tried to allocate ", nbytes,
           " bytes. Error code 12 (Cannot allocate memory)");
}

constexpr size_t kMaxCached = size_t(1) << 30;   // 1 GiB parked at most
constexpr size_t kHuge = size_t(2) << 20;         // a transparent huge page
constexpr size_t kMinHuge = size_t(4) << 20;

// Small size classes: 64-byte steps up to 1 KiB, then powers of two up to kSmallMax. Larger
// requests go to the shared cache with its eighth-of-a-power classes.
// The two ranges must not meet: cpu_free tells them apart by capacity alone, and when the top
// small class was 256 KiB (= a shared-cache class) every freed 128-256 KiB small block went to
// the shared cache while the small list stayed empty, so each such allocation (a 64 x 768 float
// result) was a fresh mmap whose pages faulted on first touch.
constexpr size_t kSmallSteps = 16;  // 64 .. 1024
constexpr int kSmallClasses = kSmallSteps + 7;  // + 2K .. 128K
constexpr size_t kSmallMax = size_t(128) << 10;
constexpr size_t kSmallKeep = 64;

// Blocks of 4 MiB and more are 2 MiB multiples aligned to 2 MiB, so the kernel can back them
// with huge pages (asked for with madvise; "enabled" is often `madvise` only): one fault per
// 2 MiB on first touch instead of 512, and far fewer TLB misses when streaming through them.
size_t size_class(size_t n) {
  size_t p = kSmallMax;
  while (p * 2 <= n) p *= 2;
  const size_t step = p >= kMinHuge ? (p / 8 > kHuge ? p / 8 : kHuge) : p / 8;
  return (n + step - 1) / step * step;
}

void* fresh_block(size_t cls) {
  void* p = std::aligned_alloc(cls >= kMinHuge ? kHuge : 64, cls);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  static const bool thp = [] {
    const char* e = std::getenv("TAPEGRAD_CPU_THP");
    return !(e && e[0] == '0');
  }();
  if (p && thp && cls >= kMinHuge) madvise(p, cls, MADV_HUGEPAGE);  // advice: failure is fine
#endif
  return p;
}


int small_class(size_t n) {
  if (n <= 1024) return static_cast<int>((n + 63) / 64) - 1;
  int c = kSmallSteps;
  size_t sz = 2048;
  while (sz < n) {
    sz *= 2;
    ++c;
  }
  return c;
}
size_t small_size(int c) {
  return c < static_cast<int>(kSmallSteps) ? size_t(c + 1) * 64 : size_t(2048) << (c - kSmallSteps);
}

struct SmallCache {
  std::vector<void*> lists[kSmallClasses];
  ~SmallCache() {
    for (auto& l : lists)
      for (void* p : l) std::free(p);
    alive() = false;
  }
  // Readable after the cache itself is gone (thread exit / process teardown frees tensors late).
  static bool& alive() {
    static thread_local bool a = true;
    return a;
  }
};

SmallCache* small_cache() {
  if (!SmallCache::alive()) return nullptr;
  static thread_local SmallCache c;
  return &c;
}

struct Cache {
  std::mutex mu;
  std::unordered_map<size_t, std::vector<void*>> free;
  size_t bytes = 0;
  bool enabled = [] {
    const char* e = std::getenv("TAPEGRAD_CPU_CACHE");
    return !(e && e[0] == '0');
  }();
};

Cache& cache() {
  static Cache* c = new Cache;  // never destroyed: tensors may be freed during exit
  return *c;
}

}  // namespace

void* cpu_alloc(size_t nbytes, size_t* capacity) {
  if (nbytes == 0) {
    *capacity = 0;
    return nullptr;
  }
  // Beyond any machine's memory; refused before the size-class rounding could overflow.
  if (nbytes > (size_t(1) << 56)) out_of_memory(nbytes);
  Cache& c = cache();
  if (nbytes <= kSmallMax && c.enabled) {
    const int cls = small_class(nbytes);
    const size_t size = small_size(cls);
    *capacity = size;
    if (SmallCache* sc = small_cache()) {
      auto& l = sc->lists[cls];
      if (!l.empty()) {
        void* p = l.back();
        l.pop_back();
        return p;
      }
    }
    void* p = std::aligned_alloc(64, size);
    if (!p) out_of_memory(nbytes);
    return p;
  }
  if (!c.enabled) {
    const size_t padded = (nbytes + 63) / 64 * 64;
    void* p = std::aligned_alloc(64, padded);
    if (!p) out_of_memory(nbytes);
    *capacity = padded;
    return p;
  }
  const size_t cls = size_class(nbytes);
  *capacity = cls;
  {
    std::lock_guard<std::mutex> g(c.mu);
    auto it = c.free.find(cls);
    if (it != c.free.end() && !it->second.empty()) {
      void* p = it->second.back();
      it->second.pop_back();
      c.bytes -= cls;
      return p;
    }
  }
  void* p = fresh_block(cls);
  if (!p) {
    cpu_empty_cache();  // the cache may be what exhausted memory
    p = fresh_block(cls);
    if (!p) out_of_memory(nbytes);
  }
  return p;
}

void cpu_free(void* p, size_t capacity) {
  if (!p) return;
  Cache& c = cache();
  if (capacity <= kSmallMax && c.enabled) {
    if (SmallCache* sc = small_cache()) {
      auto& l = sc->lists[small_class(capacity)];
      if (l.size() < kSmallKeep) {
        l.push_back(p);
        return;
      }
    }
    std::free(p);
    return;
  }
  if (c.enabled) {
    std::lock_guard<std::mutex> g(c.mu);
    if (c.bytes + capacity <= kMaxCached) {
      c.free[capacity].push_back(p);
      c.bytes += capacity;
      return;
    }
  }
  std::free(p);
}

void cpu_empty_cache() {
  if (SmallCache* sc = small_cache()) {
    for (auto& l : sc->lists) {
      for (void* p : l) std::free(p);
      l.clear();
    }
  }
  Cache& c = cache();
  std::lock_guard<std::mutex> g(c.mu);
  for (auto& kv : c.free)
    for (void* p : kv.second) std::free(p);
  c.free.clear();
  c.bytes = 0;
}

size_t cpu_cached_bytes() {
  Cache& c = cache();
  std::lock_guard<std::mutex> g(c.mu);
  return c.bytes;
}

}  // namespace detail
}  // namespace tapegrad
