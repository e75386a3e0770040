// The Tensor class: construction from Python data, properties (dtype, grad, grad_fn, ...),
// element access (item, tolist, numpy sharing memory), conversions and in-place writes.
#include <pybind11/numpy.h>
#include <tapegrad/core/dtype_range.h>
#include <tapegrad/kernels/kernels.h>

#include "common.h"

namespace tapegrad {
namespace bind {

namespace {

// Walks nested sequences: fills `shape` from the first path and the flat values; tracks
// whether any float / int appeared (torch infers the dtype from the Python types).
struct Collected {
  std::vector<double> values;
  std::vector<int64_t> ints;
  std::vector<bool> from_float;  // which values were Python floats (for the range check)
  bool any_float = false, any_int = false;
};

// torch.tensor(data, dtype=<integer type>): a value outside the type's range is an error (a
// negative int may wrap into uint8, as in c10's overflows()); floating dtypes take anything.
void check_values_fit(const Collected& c, DType dt) {
  for (size_t k = 0; k < c.values.size(); ++k)
    TG_CHECK(!int_value_overflows(dt, c.from_float[k], c.values[k], c.ints[k]),
             "value cannot be converted to type ", dtype_name(dt), " without overflow");
}

void collect(py::handle o, size_t depth, Shape& shape, Collected& c) {
  py::object element;  // owns a tensor element's Python number while o points at it
  if (py::isinstance<TensorImpl>(o)) {
    Tensor t = o.cast<Tensor>();
    TG_CHECK_KIND(Value, t.numel() == 1 || depth == shape.size(),
                  "only one element tensors can be converted to Python scalars");
    element = py::cast(item(t));
    o = element;  // (assigning the temporary itself left o dangling: a crash in a later call)
  }
  PyObject* p = o.ptr();
  if (PyBool_Check(p) || PyLong_Check(p) || PyFloat_Check(p)) {
    TG_CHECK_KIND(Value, depth == shape.size() || shape.empty(),
                  "expected sequence of length ", shape.size() > depth ? shape[depth] : 0,
                  " at dim ", depth, " (got ", py::str(py::type::of(o).attr("__name__")).cast<std::string>(), ")");
    if (PyFloat_Check(p)) {
      c.any_float = true;
      c.values.push_back(PyFloat_AS_DOUBLE(p));
      c.ints.push_back(0);
      c.from_float.push_back(true);
    } else {
      if (!PyBool_Check(p)) c.any_int = true;
      long long v = PyLong_AsLongLong(p);
      if (PyErr_Occurred()) {
        // torch's wording (and ValueError) for an int beyond int64
        if (!PyErr_ExceptionMatches(PyExc_OverflowError)) throw py::error_already_set();
        PyErr_Clear();
        throw py::value_error("Overflow when unpacking long long");
      }
      c.values.push_back(static_cast<double>(v));
      c.ints.push_back(v);
      c.from_float.push_back(false);
    }
    return;
  }
  static PyObject* np_generic = [] {  // numpy.generic, or null without numpy (kept for life)
    try {
      return py::object(py::module_::import("numpy").attr("generic")).release().ptr();
    } catch (const py::error_already_set&) {
      return static_cast<PyObject*>(nullptr);
    }
  }();
  if (!PySequence_Check(p) && np_generic && PyObject_IsInstance(p, np_generic) == 1) {
    // numpy scalars: a bool_ is a bool, an integer an int (exact), anything else a float
    const std::string kind = py::str(o.attr("dtype").attr("kind")).cast<std::string>();
    if (kind == "b" || kind == "i" || kind == "u") {
      const bool is_bool = kind == "b";
      if (!is_bool) c.any_int = true;
      const long long v = is_bool ? static_cast<long long>(o.attr("__bool__")().cast<bool>())
                                  : o.attr("__int__")().cast<long long>();
      c.values.push_back(static_cast<double>(v));
      c.ints.push_back(v);
      c.from_float.push_back(false);
      return;
    }
  }
  if (py::hasattr(o, "__float__") && !PySequence_Check(p)) {  // numpy scalars
    c.any_float = true;
    double v = o.attr("__float__")().cast<double>();
    c.values.push_back(v);
    c.ints.push_back(0);
    c.from_float.push_back(true);
    return;
  }
  // torch: a str is an invalid data type (TypeError); None or another object has no dtype
  TG_CHECK(PySequence_Check(p) || PyUnicode_Check(p), "Could not infer dtype of ",
           py::str(py::type::of(o).attr("__name__")).cast<std::string>());
  TG_CHECK_KIND(Type, PySequence_Check(p) && !PyUnicode_Check(p),
                "new(): invalid data type '",
                py::str(py::type::of(o).attr("__name__")).cast<std::string>(), "'");
  py::sequence seq = py::reinterpret_borrow<py::sequence>(o);
  const int64_t n = static_cast<int64_t>(py::len(seq));
  if (depth == shape.size()) {
    TG_CHECK_KIND(Value, c.values.empty() || depth > 0,
                  "expected a sequence at dim ", depth);
    shape.push_back(n);
  } else {
    TG_CHECK_KIND(Value, shape[depth] == n, "expected sequence of length ", shape[depth],
                  " at dim ", depth, " (got ", n, ")");
  }
  for (int64_t k = 0; k < n; ++k) collect(seq[k], depth + 1, shape, c);
}

Tensor tensor_from_data(py::handle data, std::optional<DType> dtype, bool requires_grad) {
  Shape shape;
  Collected c;
  collect(data, 0, shape, c);
  DType dt = dtype ? *dtype
                   : (c.any_float ? default_dtype() : (c.any_int ? DType::Int64 : DType::Bool));
  if (c.values.empty() && !dtype) dt = default_dtype();
  if (dtype) check_values_fit(c, dt);
  Tensor t;
  if (dt == DType::Int64 && !c.any_float) {
    t = empty(shape, DType::Int64);
    std::copy(c.ints.begin(), c.ints.end(), t.data<int64_t>());
  } else {
    t = from_values(c.values, shape, dt);
  }
  if (requires_grad) {
    TG_CHECK(is_floating(t.dtype()),
             "Only Tensors of floating point and complex dtype can require gradients");
    t.set_requires_grad(true);
  }
  return t;
}

py::object to_list(const Tensor& t) {
  std::vector<double> v = to_double_vector(t);
  const bool is_int = is_integral(t.dtype(), false), is_bool = t.dtype() == DType::Bool;
  std::vector<int64_t> iv;
  if (is_int) {
    Tensor c = empty(t.sizes(), DType::Int64);
    kern::copy(c, t);
    iv.assign(c.data<int64_t>(), c.data<int64_t>() + c.numel());
  }
  auto scalar = [&](size_t k) -> py::object {
    if (is_bool) return py::bool_(v[k] != 0);
    if (is_int) return py::int_(iv[k]);
    return py::float_(v[k]);
  };
  if (t.dim() == 0) return scalar(0);
  // Build nested lists iteratively from the innermost dim outwards.
  std::vector<py::object> level;
  for (size_t k = 0; k < v.size(); ++k) level.push_back(scalar(k));
  for (int64_t d = t.dim() - 1; d >= 0; --d) {
    const int64_t n = t.sizes()[d];
    const size_t groups = n ? level.size() / n : numel_of(Shape(t.sizes().begin(), t.sizes().begin() + d));
    std::vector<py::object> next;
    for (size_t gi = 0; gi < groups; ++gi) {
      py::list l(n);
      for (int64_t k = 0; k < n; ++k) l[k] = level[gi * n + k];
      next.push_back(l);
    }
    level.swap(next);
  }
  return level.at(0);
}

const char* numpy_format(DType dt) {
  switch (dt) {
    case DType::Bool: return "?";
    case DType::UInt8: return "B";
    case DType::Int8: return "b";
    case DType::Int16: return "h";
    case DType::Int32: return "i";
    case DType::Int64: return "q";
    case DType::Float16: return "e";
    case DType::Float32: return "f";
    case DType::Float64: return "d";
    default: TG_ERROR_KIND(Type, "Got unsupported ScalarType ", dtype_legacy_name(dt));
  }
}

}  // namespace

Tensor host_copy(const Tensor& t) { return to(detach(t), Device(), t.dtype(), true); }

void bind_tensor(py::module_& m) {
  py::class_<TensorImpl, std::shared_ptr<TensorImpl>> cls(m, "Tensor", py::dynamic_attr());
  m.def("tensor", [](py::handle data, std::optional<DType> dtype, py::object device,
                     bool requires_grad) { return tensor_from_data(data, dtype, requires_grad); },
        py::arg("data"), py::kw_only(), py::arg("dtype") = py::none(),
        py::arg("device") = py::none(), py::arg("requires_grad") = false);

  cls.def_property_readonly("dtype", [](const Tensor& t) { return t.dtype(); })
      .def_property_readonly("_sizes", [](const Tensor& t) { return py::tuple(py::cast(t.sizes())); })
      .def_property_readonly("_device_str", [](const Tensor& t) { return t.device().str(); })
      .def_property_readonly("ndim", [](const Tensor& t) { return t.dim(); })
      .def("dim", [](const Tensor& t) { return t.dim(); })
      .def("ndimension", [](const Tensor& t) { return t.dim(); })
      .def("numel", [](const Tensor& t) { return t.numel(); })
      .def("nelement", [](const Tensor& t) { return t.numel(); })
      .def("element_size", [](const Tensor& t) { return itemsize(t.dtype()); })
      .def("stride", [](const Tensor& t, py::object dim) -> py::object {
        if (dim.is_none()) return py::tuple(py::cast(t.strides()));
        // an int or a 0-d integer tensor (__index__), as torch's parser takes
        const int64_t d = index_value(dim);
        TG_CHECK_KIND(Index, t.dim() > 0, "Dimension specified as ", d,
                      " but tensor has no dimensions");
        return py::cast(t.strides()[wrap_dim(d, t.dim())]);
      }, py::arg("dim") = py::none())
      .def("storage_offset", [](const Tensor& t) { return t.offset(); })
      .def("is_floating_point", [](const Tensor& t) { return is_floating(t.dtype()); })
      .def("data_ptr", [](const Tensor& t) { return reinterpret_cast<uintptr_t>(t.raw_data()); })
      // (start address, bytes) of the storage shared with views: _storage.py's storages
      .def("_storage_info", [](const Tensor& t) -> py::tuple {
        const auto& s = t.impl()->storage;
        if (!s || s->nbytes == 0) return py::make_tuple(0, 0);
        return py::make_tuple(reinterpret_cast<uintptr_t>(s->data), s->nbytes);
      })
      .def_property_readonly("_version", [](const Tensor& t) { return t.version(); })
      .def_property_readonly("is_leaf", [](const Tensor& t) { return t.is_leaf(); })
      .def_property_readonly("_base", [](const Tensor& t) {
        return t.impl()->is_view ? Tensor(t.impl()->base) : Tensor();
      })
      .def_property_readonly("is_cuda", [](const Tensor& t) { return t.device().is_cuda(); })
      // torch takes a Python bool only (an int or a numpy bool is refused, with its wording)
      .def_property("requires_grad", [](const Tensor& t) { return t.requires_grad(); },
                    [](Tensor& t, const py::object& r) {
                      TG_CHECK(PyBool_Check(r.ptr()), "requires_grad must be a bool");
                      t.set_requires_grad(r.ptr() == Py_True);
                    })
      .def("requires_grad_", [](Tensor& t, const py::args& a, const py::kwargs& kw) {
        TG_CHECK_KIND(Type, a.size() <= 1, "requires_grad_() takes from 0 to 1 positional "
                      "arguments but ", a.size(), " were given");
        py::object r = py::bool_(true);
        bool positional = false;
        if (a.size() == 1) r = a[0], positional = true;
        for (auto item : kw) {
          const std::string key = py::str(item.first);
          TG_CHECK_KIND(Type, key == "requires_grad" && !positional,
                        key == "requires_grad" ? "requires_grad_() got multiple values for "
                                                 "argument 'requires_grad'"
                                               : "requires_grad_() got an unexpected keyword "
                                                 "argument '" + key + "'");
          r = py::reinterpret_borrow<py::object>(item.second);
        }
        TG_CHECK_KIND(Type, PyBool_Check(r.ptr()), "requires_grad_(): argument 'requires_grad'",
                      positional ? " (position 1)" : "", " must be bool, not ",
                      Py_TYPE(r.ptr())->tp_name);
        return t.set_requires_grad(r.ptr() == Py_True);
      })
      .def_property("grad", [](const Tensor& t) { return t.grad(); },
                    [](Tensor& t, std::optional<Tensor> g) {
                      if (g && g->defined()) {
                        TG_CHECK(g->sizes() == t.sizes(), "assigned grad has data of a different size");
                        TG_CHECK(g->dtype() == t.dtype(), "assigned grad has data of a different type");
                      }
                      t.set_grad(g ? *g : Tensor());
                    })
      .def_property_readonly("grad_fn", [](const Tensor& t) { return node_object(t.grad_fn()); })
      .def_property_readonly("output_nr", [](const Tensor& t) { return t.output_nr(); })
      .def("retain_grad", [](Tensor& t) { t.retain_grad(); })
      .def_property_readonly("retains_grad", [](const Tensor& t) {
        return t.impl()->autograd && t.impl()->autograd->retains_grad;
      })
      .def_property("data", [](const Tensor& t) { return detach(t); },
                    [](Tensor& t, const Tensor& src) {
                      // Swap in the other tensor's storage and geometry (torch's .data =).
                      TensorImpl* d = t.impl();
                      d->storage = src.impl()->storage;
                      d->sizes = src.sizes();
                      d->strides = src.strides();
                      d->offset = src.offset();
                      d->dtype = src.dtype();
                    })
      .def("detach", [](const Tensor& t) { return detach(t); })
      .def("detach_", [](Tensor& t) {
        TG_CHECK(!t.impl()->is_differentiable_view(),
                 "Can't detach views in-place. Use detach() instead. If you are using "
                 "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set "
                 "as True, gradients are views of DDP buckets, and hence detach_() cannot be "
                 "called on these gradients. To fix this error, please refer to the "
                 "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.");
        if (t.impl()->autograd) {
          t.impl()->autograd->grad_fn = nullptr;
          t.impl()->autograd->requires_grad = false;
        }
        return t;
      })
      // Device tensors are read through a synchronous copy to the host, as torch does.
      .def("item", [](const Tensor& t) { return item(t.device().is_cpu() ? t : host_copy(t)); })
      .def("tolist", [](const Tensor& t) { return to_list(t.device().is_cpu() ? t : host_copy(t)); })
      .def("numpy", [](const Tensor& t, bool force) -> py::object {
        if (!force) {
          TG_CHECK(!t.requires_grad(), "Can't call numpy() on Tensor that requires grad. Use "
                                       "tensor.detach().numpy() instead.");
        }
        TG_CHECK_KIND(Type, t.device().is_cpu(), "can't convert ", t.device().str(),
                      " device type tensor to numpy. Use Tensor.cpu() to copy the tensor to host "
                      "memory first.");
        Tensor src = force && t.dtype() == DType::BFloat16 ? to(detach(t), DType::Float32) : t;
        std::vector<py::ssize_t> shape(src.sizes().begin(), src.sizes().end()), strides;
        for (auto s : src.strides()) strides.push_back(s * static_cast<py::ssize_t>(itemsize(src.dtype())));
        // The array keeps the storage alive and shares its memory, as torch's numpy() does.
        auto* keep = new std::shared_ptr<Storage>(src.impl()->storage);
        py::capsule owner(keep, [](void* p) { delete static_cast<std::shared_ptr<Storage>*>(p); });
        return py::array(py::dtype(numpy_format(src.dtype())), shape, strides, src.raw_data(), owner);
      }, py::kw_only(), py::arg("force") = false);
}

}  // namespace bind
}  // namespace tapegrad
