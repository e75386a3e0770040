// DLPack interop: the ABI structs of the DLPack 1.x specification (declared here from the
// published spec, https://dmlc.github.io/dlpack/latest/c_api.html, not copied from a header) and
// the conversions Tensor <-> DLManagedTensor(Versioned). The Python capsule protocol lives in
// python/src/bind_dlpack.cpp; this file has no Python in it, so C++ applications can use it.
#pragma once
#include <cstdint>

#include <tapegrad/core/tensor.h>

extern "C" {

// ---- the DLPack ABI (spec version 1.3) ----
struct DLPackVersion {
  uint32_t major;
  uint32_t minor;
};

enum DLDeviceType : int32_t {
  kDLCPU = 1,
  kDLCUDA = 2,
  kDLCUDAHost = 3,
  kDLOpenCL = 4,
  kDLVulkan = 7,
  kDLMetal = 8,
  kDLVPI = 9,
  kDLROCM = 10,
  kDLROCMHost = 11,
  kDLExtDev = 12,
  kDLCUDAManaged = 13,
  kDLOneAPI = 14,
  kDLWebGPU = 15,
  kDLHexagon = 16,
  kDLMAIA = 17,
};

struct DLDevice {
  DLDeviceType device_type;
  int32_t device_id;
};

enum DLDataTypeCode : uint8_t {
  kDLInt = 0,
  kDLUInt = 1,
  kDLFloat = 2,
  kDLOpaqueHandle = 3,
  kDLBfloat = 4,
  kDLComplex = 5,
  kDLBool = 6,
};

struct DLDataType {
  uint8_t code;
  uint8_t bits;
  uint16_t lanes;
};

struct DLTensor {
  void* data;
  DLDevice device;
  int32_t ndim;
  DLDataType dtype;
  int64_t* shape;
  int64_t* strides;  // in elements; NULL means compact row-major
  uint64_t byte_offset;
};

// Legacy (pre-1.0) managed tensor: capsule name "dltensor", renamed "used_dltensor" on use.
struct DLManagedTensor {
  DLTensor dl_tensor;
  void* manager_ctx;
  void (*deleter)(DLManagedTensor* self);
};

constexpr uint64_t DLPACK_FLAG_BITMASK_READ_ONLY = 1ULL << 0;
constexpr uint64_t DLPACK_FLAG_BITMASK_IS_COPIED = 1ULL << 1;
constexpr uint64_t DLPACK_FLAG_BITMASK_IS_SUBBYTE_TYPE_PADDED = 1ULL << 2;

// Versioned managed tensor (1.0+): capsule name "dltensor_versioned" / "used_dltensor_versioned".
struct DLManagedTensorVersioned {
  DLPackVersion version;
  void* manager_ctx;
  void (*deleter)(DLManagedTensorVersioned* self);
  uint64_t flags;
  DLTensor dl_tensor;
};

// The C exchange table (spec 1.3): a capsule named "dlpack_exchange_api" found on a producer's
// *type* as `__dlpack_c_exchange_api__`. Every function returns 0 on success, -1 with a Python
// error set.
typedef int (*DLPackManagedTensorAllocator)(DLTensor* prototype, DLManagedTensorVersioned** out,
                                            void* error_ctx,
                                            void (*SetError)(void* error_ctx, const char* kind,
                                                             const char* message));
typedef int (*DLPackManagedTensorFromPyObjectNoSync)(void* py_object,
                                                     DLManagedTensorVersioned** out);
typedef int (*DLPackManagedTensorToPyObjectNoSync)(DLManagedTensorVersioned* tensor,
                                                   void** out_py_object);
typedef int (*DLPackDLTensorFromPyObjectNoSync)(void* py_object, DLTensor* out);
typedef int (*DLPackCurrentWorkStream)(DLDeviceType device_type, int32_t device_id,
                                       void** out_current_stream);

struct DLPackExchangeAPIHeader {
  DLPackVersion version;
  DLPackExchangeAPIHeader* prev_api;
};

struct DLPackExchangeAPI {
  DLPackExchangeAPIHeader header;
  DLPackManagedTensorAllocator managed_tensor_allocator;
  DLPackManagedTensorFromPyObjectNoSync managed_tensor_from_py_object_no_sync;
  DLPackManagedTensorToPyObjectNoSync managed_tensor_to_py_object_no_sync;
  DLPackDLTensorFromPyObjectNoSync dltensor_from_py_object_no_sync;
  DLPackCurrentWorkStream current_work_stream;
};

}  // extern "C"

namespace tapegrad {
namespace dlpack {

// The spec version we produce in versioned tensors.
constexpr uint32_t kMajor = 1;
constexpr uint32_t kMinor = 3;

DLDevice to_dl_device(Device d);
DLDataType to_dl_dtype(DType dt);  // throws for dtypes DLPack cannot describe
DType from_dl_dtype(DLDataType d);  // BufferError for dtypes tapegrad lacks
Device from_dl_device(DLDevice d);  // BufferError for devices this build cannot use

// Export: the managed tensor keeps `t` (its storage) alive until its deleter runs. The deleter
// only drops C++ references: it needs no GIL and may run on any thread. No autograd record goes
// with it (the caller checks requires_grad). `copied` sets IS_COPIED (the caller made the copy).
DLManagedTensorVersioned* to_versioned(const Tensor& t, bool copied = false);
DLManagedTensor* to_legacy(const Tensor& t);

// Import: takes ownership of `m` (the returned tensor's storage calls its deleter exactly once,
// when the last view dies; on error the deleter runs before the exception leaves). Zero-copy:
// sizes, strides and byte_offset are kept. READ_ONLY makes a storage that refuses writes.
Tensor from_versioned(DLManagedTensorVersioned* m);
Tensor from_legacy(DLManagedTensor* m);

}  // namespace dlpack
}  // namespace tapegrad
