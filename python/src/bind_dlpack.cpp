// DLPack for Python: capsules ("dltensor" / "dltensor_versioned", renamed "used_*" when
// consumed), the C exchange table of other producers (torch's `__dlpack_c_exchange_api__`, the
// fast path), and tapegrad's own exchange table on tapegrad.Tensor. The Python-level protocol
// (argument checks, fallbacks) is in python/tapegrad/_dlpack.py.
#include <tapegrad/interop/dlpack.h>

#include "common.h"

namespace tapegrad {
namespace bind {

namespace {

constexpr const char* kLegacy = "dltensor";
constexpr const char* kLegacyUsed = "used_dltensor";
constexpr const char* kVersioned = "dltensor_versioned";
constexpr const char* kVersionedUsed = "used_dltensor_versioned";
constexpr const char* kExchange = "dlpack_exchange_api";

// A capsule that nobody consumed still owns its tensor: free it when the capsule dies. A
// consumed capsule was renamed, and its new owner calls the deleter.
void legacy_capsule_dtor(PyObject* cap) {
  if (!PyCapsule_IsValid(cap, kLegacy)) return;
  auto* m = static_cast<DLManagedTensor*>(PyCapsule_GetPointer(cap, kLegacy));
  if (m && m->deleter) m->deleter(m);
}
void versioned_capsule_dtor(PyObject* cap) {
  if (!PyCapsule_IsValid(cap, kVersioned)) return;
  auto* m = static_cast<DLManagedTensorVersioned*>(PyCapsule_GetPointer(cap, kVersioned));
  if (m && m->deleter) m->deleter(m);
}

py::capsule make_capsule(const Tensor& t, bool versioned, bool copied) {
  PyObject* cap;
  if (versioned) {
    DLManagedTensorVersioned* m = dlpack::to_versioned(t, copied);
    cap = PyCapsule_New(m, kVersioned, versioned_capsule_dtor);
    if (!cap) m->deleter(m);
  } else {
    DLManagedTensor* m = dlpack::to_legacy(t);
    cap = PyCapsule_New(m, kLegacy, legacy_capsule_dtor);
    if (!cap) m->deleter(m);
  }
  if (!cap) throw py::error_already_set();
  return py::reinterpret_steal<py::capsule>(cap);
}

Tensor from_capsule(py::handle cap) {
  PyObject* c = cap.ptr();
  TG_CHECK_KIND(Type, PyCapsule_CheckExact(c),
                "from_dlpack: expected a DLPack capsule or an object with __dlpack__, got ",
                Py_TYPE(c)->tp_name);
  if (PyCapsule_IsValid(c, kVersioned)) {
    auto* m = static_cast<DLManagedTensorVersioned*>(PyCapsule_GetPointer(c, kVersioned));
    // Rename before importing: from here on the tensor we build owns m (and calls its deleter
    // exactly once, also when the import fails).
    PyCapsule_SetName(c, kVersionedUsed);
    return dlpack::from_versioned(m);
  }
  if (PyCapsule_IsValid(c, kLegacy)) {
    auto* m = static_cast<DLManagedTensor*>(PyCapsule_GetPointer(c, kLegacy));
    PyCapsule_SetName(c, kLegacyUsed);
    return dlpack::from_legacy(m);
  }
  TG_ERROR("from_dlpack received an invalid capsule. Note that DLTensor capsules can be "
           "consumed only once, so you might have already constructed a tensor from it once.");
}

const DLPackExchangeAPI* exchange_api(py::handle cap) {
  auto* api = static_cast<const DLPackExchangeAPI*>(PyCapsule_GetPointer(cap.ptr(), kExchange));
  if (!api) throw py::error_already_set();
  TG_CHECK_KIND(Buffer, api->header.version.major == dlpack::kMajor,
                "DLPack exchange API: unsupported major version ", api->header.version.major);
  return api;
}

// ---- tapegrad's own exchange table (C functions: never let a C++ exception out) ----

template <class F>
int guarded(F&& f) {
  try {
    f();
    return 0;
  } catch (py::error_already_set& e) {
    e.restore();
  } catch (const Error& e) {
    PyErr_SetString(e.kind() == ErrorKind::Buffer ? PyExc_BufferError : PyExc_RuntimeError,
                    e.what());
  } catch (const std::exception& e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
  }
  return -1;
}

Tensor exportable(void* py_object) {
  Tensor t = py::cast<Tensor>(py::handle(static_cast<PyObject*>(py_object)));
  TG_CHECK_KIND(Buffer, !t.requires_grad(),
                "Can't export tensors that require gradient, use tensor.detach()");
  return t;
}

int tg_allocator(DLTensor* proto, DLManagedTensorVersioned** out, void* error_ctx,
                 void (*set_error)(void*, const char*, const char*)) {
  try {
    Shape sizes(proto->shape, proto->shape + proto->ndim);
    DType dt = dlpack::from_dl_dtype(proto->dtype);
    dlpack::from_dl_device(proto->device);
    *out = dlpack::to_versioned(empty(sizes, dt));
    return 0;
  } catch (const std::exception& e) {
    set_error(error_ctx, "RuntimeError", e.what());
  }
  *out = nullptr;
  return -1;
}

int tg_from_py(void* py_object, DLManagedTensorVersioned** out) {
  return guarded([&] { *out = dlpack::to_versioned(exportable(py_object)); });
}

int tg_to_py(DLManagedTensorVersioned* m, void** out) {
  return guarded([&] {
    Tensor t = dlpack::from_versioned(m);
    *out = py::cast(t).release().ptr();
  });
}

int tg_dltensor_from_py(void* py_object, DLTensor* out) {
  return guarded([&] {
    // Borrowed view: the arrays live in the tensor's impl, which the caller's object keeps alive.
    Tensor t = exportable(py_object);
    TensorImpl* impl = t.impl();
    out->data = impl->numel() == 0 && !impl->storage->data ? nullptr : impl->data_bytes();
    out->device = dlpack::to_dl_device(t.device());
    out->ndim = static_cast<int32_t>(t.dim());
    out->dtype = dlpack::to_dl_dtype(t.dtype());
    out->shape = impl->sizes.data();
    out->strides = impl->strides.data();
    out->byte_offset = 0;
  });
}

int tg_current_stream(DLDeviceType, int32_t, void** out) {
  // tapegrad queues all GPU work on the legacy default stream: the NULL handle (CPU: no stream).
  *out = nullptr;
  return 0;
}

const DLPackExchangeAPI kTapegradExchange = {
    {{dlpack::kMajor, dlpack::kMinor}, nullptr},
    tg_allocator, tg_from_py, tg_to_py, tg_dltensor_from_py, tg_current_stream};

}  // namespace

void bind_dlpack(py::module_& m) {
  m.def("_to_dlpack", &make_capsule, py::arg("tensor"), py::arg("versioned"),
        py::arg("copied") = false);
  m.def("_from_dlpack_capsule", &from_capsule, py::arg("capsule"));
  // The fast paths through a producer's exchange table (torch's, or ours).
  m.def("_from_dlpack_exchange", [](py::handle api_cap, py::handle obj) {
    const DLPackExchangeAPI* api = exchange_api(api_cap);
    DLManagedTensorVersioned* mt = nullptr;
    if (api->managed_tensor_from_py_object_no_sync(obj.ptr(), &mt) != 0 || !mt)
      throw py::error_already_set();
    return dlpack::from_versioned(mt);
  });
  m.def("_to_dlpack_exchange", [](py::handle api_cap, const Tensor& t) {
    const DLPackExchangeAPI* api = exchange_api(api_cap);
    DLManagedTensorVersioned* mt = dlpack::to_versioned(t);
    void* out = nullptr;
    // The consumer's function steals mt, also when it fails.
    if (api->managed_tensor_to_py_object_no_sync(mt, &out) != 0 || !out)
      throw py::error_already_set();
    return py::reinterpret_steal<py::object>(static_cast<PyObject*>(out));
  });
  m.attr("_dlpack_exchange_api") =
      py::capsule(const_cast<DLPackExchangeAPI*>(&kTapegradExchange), kExchange);
}

}  // namespace bind
}  // namespace tapegrad
