// The compiled module tapegrad._C: error translation to torch's exception types, dtype
// objects, and the three binding groups (tensor, ops, autograd).
#include "common.h"

namespace tapegrad {
namespace bind {

namespace {
// Raw references, never released: static py::objects would be destroyed after the interpreter.
PyObject* g_dtypes[kNumDTypes];
}

py::object dtype_object(DType dt) {
  return py::reinterpret_borrow<py::object>(g_dtypes[static_cast<int>(dt)]);
}

Shape shape_from_args(const py::args& args) {
  if (args.size() == 1 && !py::isinstance<py::int_>(args[0]))
    return args[0].cast<Shape>();
  return args.cast<Shape>();
}

std::vector<int64_t> dims_from_object(const py::object& o) {
  if (py::isinstance<py::int_>(o)) return {o.cast<int64_t>()};
  return o.cast<std::vector<int64_t>>();
}

void set_python_error(const Error& e) {
  PyObject* type = PyExc_RuntimeError;
  switch (e.kind()) {
    case ErrorKind::Type: type = PyExc_TypeError; break;
    case ErrorKind::Value: type = PyExc_ValueError; break;
    case ErrorKind::Index: type = PyExc_IndexError; break;
    case ErrorKind::NotImplemented: type = PyExc_NotImplementedError; break;
    case ErrorKind::Buffer: type = PyExc_BufferError; break;
    case ErrorKind::Runtime: break;
  }
  PyErr_SetString(type, e.what());
}

Reduction parse_reduction(const std::string& r) {
  if (r == "none") return Reduction::None;
  if (r == "mean") return Reduction::Mean;
  if (r == "sum") return Reduction::Sum;
  TG_ERROR_KIND(Value, r, " is not a valid value for reduction");
}

}  // namespace bind
}  // namespace tapegrad

using namespace tapegrad;
using namespace tapegrad::bind;

PYBIND11_MODULE(_C, m) {
  m.doc() = "tapegrad's compiled core";
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      set_python_error(e);
    } catch (const py::cast_error& e) {
      PyErr_SetString(PyExc_TypeError, e.what());  // a wrong argument type, as torch reports it
    }
  });

  py::class_<DTypeObj>(m, "dtype")
      .def("__repr__", [](const DTypeObj& d) { return std::string("torch.") + dtype_name(d.value); })
      .def("__str__", [](const DTypeObj& d) { return std::string("torch.") + dtype_name(d.value); })
      .def("__reduce__", [](const DTypeObj& d) { return py::str(dtype_name(d.value)); })
      .def_property_readonly("is_floating_point", [](const DTypeObj& d) { return is_floating(d.value); })
      .def_property_readonly("is_complex", [](const DTypeObj&) { return false; })
      .def_property_readonly("is_signed", [](const DTypeObj& d) {
        return d.value != DType::Bool && d.value != DType::UInt8;
      })
      .def_property_readonly("itemsize", [](const DTypeObj& d) { return itemsize(d.value); })
      .def("__hash__", [](const DTypeObj& d) { return static_cast<int>(d.value); })
      .def("__eq__", [](const DTypeObj& a, py::object b) {
        return py::isinstance<DTypeObj>(b) && b.cast<DTypeObj&>().value == a.value;
      });
  for (int k = 0; k < kNumDTypes; ++k) {
    DType dt = static_cast<DType>(k);
    py::object obj = py::cast(DTypeObj{dt}, py::return_value_policy::move);
    bind::g_dtypes[k] = obj.release().ptr();
    m.attr(dtype_name(dt)) = dtype_object(dt);
  }
  m.def("get_default_dtype", []() { return default_dtype(); });
  m.def("set_default_dtype", [](DType d) { set_default_dtype(d); });

  bind_tensor(m);
  bind_ops(m);
  bind_nn_ops(m);
  bind_autograd(m);
  bind_dlpack(m);
  bind_cuda(m);
  bind_function(m);
  bind_optim(m);
  // Tensor.<op>_ for ops whose in-place form the Python layer composes (pow_, cumsum_, eq_, ...):
  // fn computes the out-of-place result from the old value, which takes over self's history
  // (Note [In-place ops]), so the grad_fn is the out-of-place op's, as in torch.
  m.def("_apply_inplace", [](Tensor& a, const py::function& fn, const py::args& others) -> Tensor& {
    Tensor other;
    for (const auto& o : others)
      if (py::isinstance<TensorImpl>(o) && o.cast<Tensor>().requires_grad()) other = o.cast<Tensor>();
    return apply_inplace(a, other, [&](const Tensor& x) { return fn(x).cast<Tensor>(); });
  });
  install_fast_paths(m);  // last: it wraps bindings made above
}
