// The CPU allocator behind Storage::allocate: small blocks come straight from the C heap; large
// blocks are kept in a bounded cache when freed and handed out again, because a fresh large
// block costs a page fault per 4 KiB page on first touch (more than the arithmetic of an add).
#pragma once
#include <cstddef>

namespace tapegrad {
namespace detail {

// 64-byte aligned block of at least `nbytes`; *capacity receives the size to pass back.
void* cpu_alloc(size_t nbytes, size_t* capacity);
void cpu_free(void* p, size_t capacity);
// Returns every cached block to the system (tapegrad._C._cpu_empty_cache).
void cpu_empty_cache();
// Bytes currently held in the cache (not in use by any tensor).
size_t cpu_cached_bytes();

}  // namespace detail
}  // namespace tapegrad
