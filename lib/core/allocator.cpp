// Caching CPU allocator (core/allocator.h). Blocks of at least kMinCached bytes are rounded up to
// a size class (an eighth of a power of two, so reuse wastes at most 12.5%) and, when freed,
// parked in a per-class free list instead of going back to the system; the cache holds at most
// kMaxCached bytes (beyond that a freed block really is freed). TAPEGRAD_CPU_CACHE=0 turns the
// cache off, TAPEGRAD_CPU_THP=0 the huge-page advice. Smaller blocks use aligned_alloc directly: the C heap already recycles them.
#include <cstdlib>
#include <mutex>
#if defined(__linux__)
#include <sys/mman.h>
#endif
#include <new>
#include <unordered_map>
#include <vector>

#include <tapegrad/core/allocator.h>

namespace tapegrad {
namespace detail {

namespace {

constexpr size_t kMinCached = size_t(1) << 18;   // 256 KiB
constexpr size_t kMaxCached = size_t(1) << 30;   // 1 GiB parked at most
constexpr size_t kHuge = size_t(2) << 20;         // a transparent huge page
constexpr size_t kMinHuge = size_t(4) << 20;

// Blocks of 4 MiB and more are 2 MiB multiples aligned to 2 MiB, so the kernel can back them
// with huge pages (asked for with madvise; "enabled" is often `madvise` only): one fault per
// 2 MiB on first touch instead of 512, and far fewer TLB misses when streaming through them.
size_t size_class(size_t n) {
  size_t p = kMinCached;
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
  Cache& c = cache();
  if (nbytes < kMinCached || !c.enabled) {
    const size_t padded = (nbytes + 63) / 64 * 64;
    void* p = std::aligned_alloc(64, padded);
    if (!p) throw std::bad_alloc();
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
    if (!p) throw std::bad_alloc();
  }
  return p;
}

void cpu_free(void* p, size_t capacity) {
  if (!p) return;
  Cache& c = cache();
  if (capacity >= kMinCached && c.enabled) {
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
