// Storage: one allocation shared by a tensor and all its views, with the version counter that
// in-place ops bump and saved tensors check (Note [Version counter]), and a read-only flag for
// memory imported from producers that forbid writes.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include <tapegrad/core/device.h>

namespace tapegrad {

struct Storage {
  std::shared_ptr<void> owner;  // keeps the memory alive; its deleter frees or releases it
  void* data = nullptr;
  size_t nbytes = 0;
  Device device;
  bool read_only = false;
  // Note [Version counter]: shared by a base and its views (they share the Storage), bumped by
  // every in-place write; a SavedVariable remembers the value at save time.
  std::atomic<uint32_t> version{0};
  // Memory from the CPU caching allocator is returned by ~Storage itself (no `owner`): one
  // allocation less per tensor than a shared_ptr with a deleter.
  size_t cpu_capacity = 0;

  Storage() = default;
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  ~Storage();

  static std::shared_ptr<Storage> allocate(size_t nbytes, Device device = Device());
  // Wraps foreign memory (DLPack, numpy); `owner` releases it.
  static std::shared_ptr<Storage> wrap(void* data, size_t nbytes, std::shared_ptr<void> owner,
                                       Device device = Device());
};

}  // namespace tapegrad
