// In-place changes of a tensor's geometry and storage for the Python layer: what t_(),
// transpose_(), unsqueeze_(), as_strided_(), resize_() and set_() need (python/tapegrad/
// _tensor_extra.py holds their rules, checks and autograd). Kept out of common.h so that adding
// these does not recompile every binding file.
#include <tapegrad/autograd/views.h>

#include "common.h"

namespace tapegrad {
namespace bind {

void bind_tensor_geometry(py::module_& m) {
  // a's sizes/strides/offset (in elements) replaced; the storage must already hold them.
  m.def("_restride_", [](Tensor& a, const std::vector<int64_t>& sizes,
                         const std::vector<int64_t>& strides, int64_t offset) -> Tensor& {
    TG_CHECK(sizes.size() == strides.size(), "mismatch in length of strides and shape");
    a.impl()->sizes = Shape(sizes.begin(), sizes.end());
    a.impl()->strides = Shape(strides.begin(), strides.end());
    a.impl()->offset = offset;
    return a;
  });
  // a takes src's storage (shared from now on, version counter included) and the geometry given.
  m.def("_set_storage_", [](Tensor& a, const Tensor& src, int64_t offset,
                            const std::vector<int64_t>& sizes,
                            const std::vector<int64_t>& strides) -> Tensor& {
    a.impl()->storage = src.impl()->storage;
    a.impl()->sizes = Shape(sizes.begin(), sizes.end());
    a.impl()->strides = Shape(strides.begin(), strides.end());
    a.impl()->offset = offset;
    a.bump_version();
    return a;
  });
  // torch's autograd checks before an in-place op (a leaf, or a view of a leaf, that requires
  // grad; views of multi-output or no-grad views), for the in-place ops written in Python.
  m.def("_check_inplace_autograd", [](const Tensor& a) { check_inplace_autograd(a); });
  // What torch does to a tensor a custom Function marks dirty: one more version bump (its
  // forward may have written through .data, which bumps nothing).
  m.def("_bump_version", [](const Tensor& a) { a.bump_version(); });
  // torch's memory-overlap errors between an op's output and one input (check_no_overlap in
  // ops.h), for the ops whose in-place or out= form the Python layer writes.
  m.def("_check_no_overlap", [](const Tensor& out, const Tensor& in, bool full) {
    check_no_overlap(out, in, full);
  }, py::arg("out"), py::arg("input"), py::arg("full") = false);
  // Identity of the storages (torch's untyped_storage() comparison) and its size in bytes.
  m.def("_storage_id", [](const Tensor& a) {
    return reinterpret_cast<uintptr_t>(a.impl()->storage.get());
  });
  m.def("_storage_nbytes", [](const Tensor& a) {
    return a.impl()->storage ? a.impl()->storage->nbytes : size_t(0);
  });
}

}  // namespace bind
}  // namespace tapegrad
