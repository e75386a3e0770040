// Tensor <-> DLPack managed tensors (no Python here). Export hands out a context that owns a
// reference to the tensor; import wraps the producer's memory in a Storage whose owner calls the
// producer's deleter once, when the last tensor viewing it dies.
#include <memory>
#include <vector>

#include <tapegrad/core/cuda.h>
#include <tapegrad/interop/dlpack.h>

namespace tapegrad {
namespace dlpack {

DLDevice to_dl_device(Device d) {
  if (d.is_cuda()) return DLDevice{kDLCUDA, d.index < 0 ? 0 : d.index};
  return DLDevice{kDLCPU, 0};
}

DLDataType to_dl_dtype(DType dt) {
  switch (dt) {
    case DType::Bool: return {kDLBool, 8, 1};
    case DType::UInt8: return {kDLUInt, 8, 1};
    case DType::Int8: return {kDLInt, 8, 1};
    case DType::Int16: return {kDLInt, 16, 1};
    case DType::Int32: return {kDLInt, 32, 1};
    case DType::Int64: return {kDLInt, 64, 1};
    case DType::Float16: return {kDLFloat, 16, 1};
    case DType::BFloat16: return {kDLBfloat, 16, 1};
    case DType::Float32: return {kDLFloat, 32, 1};
    case DType::Float64: return {kDLFloat, 64, 1};
    case DType::Undefined: break;
  }
  TG_ERROR_KIND(Buffer, "DLPack: cannot export a tensor of undefined dtype");
}

DType from_dl_dtype(DLDataType d) {
  TG_CHECK_KIND(Buffer, d.lanes == 1, "DLPack: vector dtypes (lanes=", d.lanes,
                ") are not supported");
  switch (d.code) {
    case kDLBool:
      if (d.bits == 8) return DType::Bool;
      break;
    case kDLUInt:
      if (d.bits == 8) return DType::UInt8;
      break;
    case kDLInt:
      if (d.bits == 8) return DType::Int8;
      if (d.bits == 16) return DType::Int16;
      if (d.bits == 32) return DType::Int32;
      if (d.bits == 64) return DType::Int64;
      break;
    case kDLFloat:
      if (d.bits == 16) return DType::Float16;
      if (d.bits == 32) return DType::Float32;
      if (d.bits == 64) return DType::Float64;
      break;
    case kDLBfloat:
      if (d.bits == 16) return DType::BFloat16;
      break;
    default: break;
  }
  static const char* names[] = {"Int", "UInt", "Float", "OpaqueHandle", "Bfloat", "Complex",
                                "Bool"};
  const char* code = d.code < 7 ? names[d.code] : "unknown";
  TG_ERROR_KIND(Buffer, "DLPack: unsupported dtype (code kDL", code, ", ", int(d.bits),
                " bits); tapegrad supports bool, uint8, int8/16/32/64, float16, bfloat16, "
                "float32, float64");
}

Device from_dl_device(DLDevice d) {
  switch (d.device_type) {
    case kDLCPU:
    case kDLCUDAHost:  // pinned host memory is plain CPU memory to us
      return Device();
    case kDLCUDA:
    case kDLCUDAManaged:  // managed memory is device-accessible: kernels may read it as is
      TG_CHECK_KIND(Buffer, cuda::is_built(), "DLPack: the producer's tensor is on CUDA device ",
                    d.device_id, ", but tapegrad was built without CUDA support");
      TG_CHECK_KIND(Buffer, d.device_id >= 0 && d.device_id < cuda::device_count(),
                    "DLPack: the producer's tensor is on CUDA device ", d.device_id,
                    ", which this process cannot see (", cuda::device_count(), " GPUs visible)");
      return Device(DeviceType::CUDA, d.device_id);
    default: break;
  }
  TG_ERROR_KIND(Buffer, "DLPack: unsupported device type ", int(d.device_type),
                " (tapegrad supports kDLCPU and kDLCUDA)");
}

namespace {

// What a managed tensor we export points at: the tensor (keeps the storage alive) and the
// shape/strides arrays the DLTensor refers to.
struct ExportCtx {
  Tensor tensor;
  std::vector<int64_t> shape, strides;
};

template <class M>
void fill_dltensor(M* m, ExportCtx* ctx) {
  const Tensor& t = ctx->tensor;
  ctx->shape.assign(t.sizes().begin(), t.sizes().end());
  ctx->strides.assign(t.strides().begin(), t.strides().end());
  DLTensor& d = m->dl_tensor;
  // Like torch: the data pointer already includes the view's offset, byte_offset is 0. A size-0
  // tensor may have no allocation at all (data NULL), which the spec allows.
  d.data = t.numel() == 0 && t.impl()->storage->data == nullptr ? nullptr
                                                                 : t.impl()->data_bytes();
  d.device = to_dl_device(t.device());
  d.ndim = static_cast<int32_t>(t.dim());
  d.dtype = to_dl_dtype(t.dtype());
  d.shape = ctx->shape.data();
  d.strides = ctx->strides.data();
  d.byte_offset = 0;
  m->manager_ctx = ctx;
}

// Builds the tensor over a producer's DLTensor; `owner` releases the producer's tensor.
Tensor wrap(const DLTensor& d, std::shared_ptr<void> owner, bool read_only) {
  TG_CHECK_KIND(Buffer, d.ndim >= 0, "DLPack: negative ndim ", d.ndim);
  const DType dt = from_dl_dtype(d.dtype);
  const Device dev = from_dl_device(d.device);
  Shape sizes(d.shape, d.shape + d.ndim);
  Shape strides = d.strides ? Shape(d.strides, d.strides + d.ndim) : contiguous_strides(sizes);
  int64_t numel = 1, extent = 1;  // extent: elements from the first to one past the last
  for (int i = 0; i < d.ndim; ++i) {
    TG_CHECK_KIND(Buffer, sizes[i] >= 0, "DLPack: negative size ", sizes[i], " in dim ", i);
    numel *= sizes[i];
  }
  for (int i = 0; i < d.ndim; ++i) {
    if (sizes[i] == 0) continue;
    TG_CHECK_KIND(Buffer, strides[i] >= 0 || sizes[i] == 1,
                  "DLPack: negative strides are not supported by tapegrad (stride ", strides[i],
                  " in dim ", i, "); make the producer's array contiguous first");
    if (sizes[i] == 1) strides[i] = strides[i] < 0 ? 0 : strides[i];
    extent += (sizes[i] - 1) * strides[i];
  }
  char* base = static_cast<char*>(d.data);
  if (numel == 0) {
    extent = 0;
  } else {
    TG_CHECK_KIND(Buffer, base != nullptr, "DLPack: NULL data pointer for a non-empty tensor");
  }
  void* data = base ? base + d.byte_offset : nullptr;
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = Storage::wrap(data, static_cast<size_t>(extent) * itemsize(dt),
                                std::move(owner), dev);
  impl->storage->read_only = read_only;
  impl->sizes = std::move(sizes);
  impl->strides = std::move(strides);
  impl->dtype = dt;
  return Tensor(std::move(impl));
}

}  // namespace

DLManagedTensorVersioned* to_versioned(const Tensor& t, bool copied) {
  auto ctx = std::make_unique<ExportCtx>();
  ctx->tensor = alias_detached(t);
  auto m = std::make_unique<DLManagedTensorVersioned>();
  m->version = DLPackVersion{kMajor, kMinor};
  m->flags = (copied ? DLPACK_FLAG_BITMASK_IS_COPIED : 0) |
             (t.impl()->storage->read_only ? DLPACK_FLAG_BITMASK_READ_ONLY : 0);
  fill_dltensor(m.get(), ctx.get());
  m->deleter = [](DLManagedTensorVersioned* self) {
    delete static_cast<ExportCtx*>(self->manager_ctx);
    delete self;
  };
  ctx.release();
  return m.release();
}

DLManagedTensor* to_legacy(const Tensor& t) {
  auto ctx = std::make_unique<ExportCtx>();
  ctx->tensor = alias_detached(t);
  auto m = std::make_unique<DLManagedTensor>();
  fill_dltensor(m.get(), ctx.get());
  m->deleter = [](DLManagedTensor* self) {
    delete static_cast<ExportCtx*>(self->manager_ctx);
    delete self;
  };
  ctx.release();
  return m.release();
}

Tensor from_versioned(DLManagedTensorVersioned* m) {
  // Own it first, so every error below still runs the deleter exactly once.
  std::shared_ptr<void> owner(m, [](void* p) {
    auto* mt = static_cast<DLManagedTensorVersioned*>(p);
    if (mt->deleter) mt->deleter(mt);
  });
  TG_CHECK_KIND(Buffer, m->version.major == kMajor, "DLPack: unsupported major version ",
                m->version.major, " (tapegrad supports DLPack ", kMajor, ".x)");
  const bool ro = (m->flags & DLPACK_FLAG_BITMASK_READ_ONLY) != 0;
  TG_CHECK_KIND(Buffer, !(m->flags & DLPACK_FLAG_BITMASK_IS_SUBBYTE_TYPE_PADDED),
                "DLPack: sub-byte types are not supported");
  return wrap(m->dl_tensor, std::move(owner), ro);
}

Tensor from_legacy(DLManagedTensor* m) {
  std::shared_ptr<void> owner(m, [](void* p) {
    auto* mt = static_cast<DLManagedTensor*>(p);
    if (mt->deleter) mt->deleter(mt);
  });
  return wrap(m->dl_tensor, std::move(owner), false);
}

}  // namespace dlpack
}  // namespace tapegrad
