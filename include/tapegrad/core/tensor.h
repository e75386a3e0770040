// The tensor: a cheap handle (Tensor) to a refcounted TensorImpl that holds storage, sizes,
// strides (in elements), offset, dtype, device, and an optional autograd record. Views share
// the Storage with their base. Python binds TensorImpl directly, so one impl = one Python object.
#pragma once
#include <functional>
#include <memory>
#include <new>
#include <vector>

#include <tapegrad/core/dtype.h>
#include <tapegrad/core/shape.h>
#include <tapegrad/core/storage.h>

namespace tapegrad {

struct Node;
class Tensor;
struct TensorImpl;
namespace detail {
[[noreturn]] void host_access_error(Device d);
}  // namespace detail

// A gradient hook: may return an undefined Tensor to keep the gradient unchanged.
using TensorHook = std::function<Tensor(const Tensor&)>;

struct AutogradMeta {
  std::shared_ptr<TensorImpl> grad;
  std::shared_ptr<Node> grad_fn;             // null for leaves
  // Leaves: their AccumulateGrad, made on first use and owned here for the leaf's life (it holds
  // the leaf only weakly, so there is no cycle). Note [Accumulator edges] in node.cpp.
  std::shared_ptr<Node> grad_accumulator;
  uint32_t output_nr = 0;
  bool requires_grad = false;                // leaves only; non-leaves derive it from grad_fn
  bool retains_grad = false;
  // (handle id, hook); leaves run them pre-accumulate. A negative id marks a hook that runs
  // after .grad was accumulated instead (torch's register_post_accumulate_grad_hook; its return
  // value is ignored): one vector keeps the meta of every tensor with history small.
  std::vector<std::pair<int, TensorHook>> hooks;
};

// Note [Inline autograd meta]: a tensor's AutogradMeta is built on first use (a leaf set to
// require grad, an op's result with history) inside the TensorImpl itself, not in an allocation
// of its own: one malloc/free pair less per recorded op result (issue 5: `x * y` with grad on
// paid ~15 ns for it). Tensors that never need it carry 88 unused bytes. Reads like the
// unique_ptr it replaced: null until meta() builds it, then `->`.
class AutogradSlot {
 public:
  AutogradSlot() = default;
  AutogradSlot(const AutogradSlot&) = delete;
  AutogradSlot& operator=(const AutogradSlot&) = delete;
  ~AutogradSlot() {
    if (p_) p_->~AutogradMeta();
  }
  explicit operator bool() const { return p_ != nullptr; }
  bool operator==(std::nullptr_t) const { return p_ == nullptr; }
  bool operator!=(std::nullptr_t) const { return p_ != nullptr; }
  AutogradMeta* operator->() const { return p_; }
  AutogradMeta& operator*() const { return *p_; }
  AutogradMeta& emplace() {
    if (!p_) p_ = new (buf_) AutogradMeta();
    return *p_;
  }

 private:
  AutogradMeta* p_ = nullptr;
  alignas(AutogradMeta) unsigned char buf_[sizeof(AutogradMeta)];
};

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  Shape sizes, strides;
  int64_t offset = 0;  // in elements
  DType dtype = DType::Float32;
  bool wrapped_number = false;  // a Python scalar turned into a 0-d tensor (type promotion)
  bool is_view = false;
  // Note [Views and in-place]: a view made under no_grad may not be modified in place with grad
  // mode on (torch's CreationMeta::NO_GRAD_MODE); view_version is the storage version when the
  // view's grad_fn was last recorded: once the shared storage is written in place, grad_fn()
  // regenerates it as AsStridedBackward0 onto the base's (new) history.
  bool view_created_no_grad = false;
  // Note [Multi-output views]: an output of split/chunk/unbind (or a view of one) may not be
  // written in place while autograd could see it (torch's CreationMeta::MULTI_OUTPUT_NODE).
  bool view_multi_output = false;
  uint32_t view_version = 0;
  std::shared_ptr<TensorImpl> base;  // the tensor this is a view of (torch's ._base)
  AutogradSlot autograd;  // Note [Inline autograd meta]

  // User-provided, so make_shared does not zero the object first (the autograd slot's 80
  // bytes stay untouched until meta() builds in them); every member has its initializer.
  TensorImpl() {}  // NOLINT(modernize-use-equals-default)
  TensorImpl(const TensorImpl&) = delete;
  ~TensorImpl();

  int64_t numel() const { return numel_of(sizes); }
  int64_t dim() const { return static_cast<int64_t>(sizes.size()); }
  Device device() const { return storage ? storage->device : Device(); }
  bool is_contiguous() const { return is_contiguous_layout(sizes, strides); }
  char* data_bytes() const { return static_cast<char*>(storage->data) + offset * itemsize(dtype); }
  AutogradMeta& meta() {
    return autograd.emplace();
  }
  bool requires_grad() const {
    if (is_differentiable_view()) return view_requires_grad();
    return autograd && (autograd->requires_grad || autograd->grad_fn != nullptr);
  }
  const std::shared_ptr<Node>& grad_fn() const;
  bool is_leaf() const { return grad_fn() == nullptr; }
  // A view whose gradient flows to its base: a float view (torch's differentiable views).
  bool is_differentiable_view() const { return is_view && base && is_floating(dtype); }
  bool view_requires_grad() const;  // own flag, own history, or a base that requires grad
};

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  bool defined() const { return impl_ != nullptr; }
  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }

  const Shape& sizes() const { return impl_->sizes; }
  const Shape& strides() const { return impl_->strides; }
  int64_t size(int64_t d) const { return impl_->sizes[wrap_dim(d, dim())]; }
  int64_t dim() const { return impl_->dim(); }
  int64_t numel() const { return impl_->numel(); }
  DType dtype() const { return impl_->dtype; }
  Device device() const { return impl_->device(); }
  int64_t offset() const { return impl_->offset; }
  bool is_contiguous() const { return impl_->is_contiguous(); }
  // Host pointer to the elements; raises for device memory (a CUDA kernel uses raw_data()), so
  // host code that has no CUDA path fails with an error instead of reading device memory.
  template <class T>
  T* data() const {
    if (impl_->storage && !impl_->storage->device.is_cpu())
      detail::host_access_error(impl_->storage->device);
    return reinterpret_cast<T*>(impl_->data_bytes());
  }
  void* raw_data() const { return impl_->data_bytes(); }
  uint32_t version() const { return impl_->storage->version.load(std::memory_order_relaxed); }
  void bump_version() const { impl_->storage->version.fetch_add(1, std::memory_order_relaxed); }

  // Autograd record.
  bool requires_grad() const { return impl_->requires_grad(); }
  bool is_leaf() const { return impl_->is_leaf(); }
  const std::shared_ptr<Node>& grad_fn() const { return impl_->grad_fn(); }
  uint32_t output_nr() const { return impl_->autograd ? impl_->autograd->output_nr : 0; }
  Tensor grad() const {
    return impl_->autograd ? Tensor(impl_->autograd->grad) : Tensor();
  }
  void set_grad(const Tensor& g) const { impl_->meta().grad = g.impl_; }
  Tensor& set_requires_grad(bool r);
  void retain_grad() const;

  bool same(const Tensor& o) const { return impl_ == o.impl_; }

 private:
  std::shared_ptr<TensorImpl> impl_;
};

using TensorList = std::vector<Tensor>;

// The element count of `sizes`; torch's RuntimeError when it does not fit an int64.
int64_t checked_numel(const Shape& sizes);
// An empty (uninitialised) contiguous tensor.
Tensor empty(const Shape& sizes, DType dtype = DType::Float32, Device device = Device());
// The same, taking over a shape the caller no longer needs (one allocation fewer per op).
Tensor empty(Shape&& sizes, DType dtype = DType::Float32, Device device = Device());
// A view of `base` with new geometry, sharing its storage (no autograd record).
Tensor make_view(const Tensor& base, Shape sizes, Shape strides, int64_t offset);
// A new impl sharing storage and geometry, without autograd (what detach() returns).
Tensor alias_detached(const Tensor& t);

}  // namespace tapegrad
