// Tensor and storage basics: allocation, views, detaching, grad mode, the default dtype.
#include <atomic>
#include <cstdlib>
#include <new>

#include <tapegrad/autograd/grad_mode.h>
#include <tapegrad/core/allocator.h>
#include <tapegrad/autograd/node.h>
#include <tapegrad/autograd/views.h>
#include <tapegrad/core/cuda.h>
#include <tapegrad/core/tensor.h>
#include <tapegrad/core/threads.h>
#include <tapegrad/kernels/loops.h>

#ifdef TAPEGRAD_OPENMP
#include <omp.h>
#endif

namespace tapegrad {

namespace {
thread_local bool grad_enabled = true;
DType g_default_dtype = DType::Float32;
const std::shared_ptr<Node> kNoNode;
}  // namespace

bool GradMode::is_enabled() { return grad_enabled; }
void GradMode::set_enabled(bool e) { grad_enabled = e; }
DType default_dtype() { return g_default_dtype; }
void set_default_dtype(DType t) {
  TG_CHECK_KIND(Type, t == DType::Float32 || t == DType::Float64 || t == DType::Float16 ||
                          t == DType::BFloat16,
                "only floating-point types are supported as the default type");
  g_default_dtype = t;
}

namespace cpu {
namespace {
std::atomic<int> g_threads{0};  // 0: OpenMP's default (OMP_NUM_THREADS, else the core count)
}

int max_threads() {
#ifdef TAPEGRAD_OPENMP
  const int want = g_threads.load(std::memory_order_relaxed);
  const int have = omp_get_max_threads();
  if (want > 0 && have != want) {
    omp_set_num_threads(want);  // this thread's setting, read by its next parallel region
    return want;
  }
  return have;
#else
  return 1;
#endif
}

void set_max_threads(int n) {
  g_threads.store(n, std::memory_order_relaxed);
#ifdef TAPEGRAD_OPENMP
  omp_set_num_threads(n);
#endif
}

bool openmp_built() {
#ifdef TAPEGRAD_OPENMP
  return true;
#else
  return false;
#endif
}
}  // namespace cpu

std::shared_ptr<Storage> Storage::allocate(size_t nbytes, Device device) {
  auto s = std::make_shared<Storage>();
  if (device.is_cpu()) device = Device();  // 'cpu:0' and 'cpu' are one device; tensors say 'cpu'
  if (device.is_cuda()) {
    if (device.index < 0) device.index = static_cast<int8_t>(cuda::current_device());
    s->owner = cuda::allocate(nbytes, device.index);
    s->data = s->owner.get();
    s->nbytes = nbytes;
    s->device = device;
    return s;
  }
  size_t cap = 0;
  void* p = detail::cpu_alloc(nbytes, &cap);
  s->cpu_capacity = cap;
  s->data = p;
  s->nbytes = nbytes;
  s->device = device;
  return s;
}

Storage::~Storage() {
  if (cpu_capacity) detail::cpu_free(data, cpu_capacity);
}

std::shared_ptr<Storage> Storage::wrap(void* data, size_t nbytes, std::shared_ptr<void> owner,
                                       Device device) {
  auto s = std::make_shared<Storage>();
  s->owner = std::move(owner);
  s->data = data;
  s->nbytes = nbytes;
  s->device = device;
  return s;
}

TensorImpl::~TensorImpl() = default;

namespace detail {
void host_access_error(Device d) {
  TG_ERROR_KIND(NotImplemented, "tapegrad: this operation reads tensor data on the host and has "
                "no CUDA path yet; got a tensor on ", d.str(), " (copy it with .cpu() first)");
}
}  // namespace detail

const std::shared_ptr<Node>& TensorImpl::grad_fn() const {
  if (is_differentiable_view()) return detail::view_grad_fn(*this);
  return autograd ? autograd->grad_fn : kNoNode;
}

bool TensorImpl::view_requires_grad() const {
  // Same truth as grad_fn() != nullptr, without regenerating it (torch's check_inplace sees
  // the recorded grad_fn).
  if (autograd && (autograd->requires_grad || autograd->grad_fn)) return true;
  return base->requires_grad();
}

Tensor empty(const Shape& sizes, DType dtype, Device device) {
  return empty(Shape(sizes), dtype, device);
}

int64_t checked_numel(const Shape& sizes) {
  int64_t n = 1;
  for (auto d : sizes)
    TG_CHECK(!__builtin_mul_overflow(n, d, &n), "numel: integer multiplication overflow");
  return n;
}

// Bytes for a fresh contiguous tensor, with torch's errors for a shape whose strides or byte
// count do not fit an int64 (an unchecked product would wrap into a small buffer that the
// tensor's sizes overrun).
static size_t checked_storage_nbytes(const Shape& sizes, DType dtype) {
  int64_t acc = 1;
  for (size_t i = sizes.size(); i-- > 1;)
    TG_CHECK(!__builtin_mul_overflow(acc, sizes[i] > 1 ? sizes[i] : 1, &acc),
             "Stride calculation overflowed");
  int64_t bytes = static_cast<int64_t>(itemsize(dtype));
  for (auto d : sizes)
    TG_CHECK(!__builtin_mul_overflow(bytes, d, &bytes),
             "Storage size calculation overflowed with sizes=", shape_str(sizes));
  return static_cast<size_t>(bytes);
}

Tensor empty(Shape&& sizes, DType dtype, Device device) {
  for (auto d : sizes)
    TG_CHECK(d >= 0, "Trying to create tensor with negative dimension ", d, ": ", shape_str(sizes));
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = Storage::allocate(checked_storage_nbytes(sizes, dtype), device);
  impl->strides = contiguous_strides(sizes);
  impl->sizes = std::move(sizes);
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

Tensor make_view(const Tensor& base, Shape sizes, Shape strides, int64_t offset) {
  checked_numel(sizes);  // expand(2**62, 3): torch's overflow error, not a wrapped numel
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = base.impl()->storage;
  impl->sizes = std::move(sizes);
  impl->strides = std::move(strides);
  impl->offset = offset;
  impl->dtype = base.dtype();
  impl->is_view = true;
  // A view of a view has the original tensor as base, as in torch.
  impl->base = base.impl()->is_view && base.impl()->base ? base.impl()->base : base.impl_ptr();
  impl->view_created_no_grad = !GradMode::is_enabled() || base.impl()->view_created_no_grad;
  // Note [Multi-output views]: a view of such a view inherits the restriction, unless it was
  // made under no_grad (then the no_grad rule applies, as torch's creation meta).
  impl->view_multi_output = GradMode::is_enabled() && base.impl()->view_multi_output;
  impl->view_version = base.version();
  return Tensor(std::move(impl));
}

Tensor alias_detached(const Tensor& t) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = t.impl()->storage;
  impl->sizes = t.sizes();
  impl->strides = t.strides();
  impl->offset = t.offset();
  impl->dtype = t.dtype();
  // Not a view (torch's detach() has no _base): in-place writes to it never reach the
  // history of the tensor it aliases.
  return Tensor(std::move(impl));
}

Tensor& Tensor::set_requires_grad(bool r) {
  if (r) {
    TG_CHECK(is_floating(dtype()),
             "only Tensors of floating point dtype can require gradients");
  }
  if (!is_leaf()) {
    TG_CHECK(r, "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().");
    return *this;
  }
  if (!r && !impl_->autograd) return *this;
  impl_->meta().requires_grad = r;
  return *this;
}

}  // namespace tapegrad
