// The compiled module tapegrad._C: error translation to torch's exception types, dtype
// objects, and the three binding groups (tensor, ops, autograd).
#include <cstring>

#include <tapegrad/core/threads.h>
#include <tapegrad/kernels/rng_state.h>
#include <tapegrad/kernels/loops.h>
#include <tapegrad/kernels/vmath.h>

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

int64_t index_value(py::handle o) {
  py::object idx = py::reinterpret_steal<py::object>(PyNumber_Index(o.ptr()));
  if (!idx) throw py::error_already_set();
  return idx.cast<int64_t>();
}

const py::object& unset() {
  // never freed: it must outlive every binding that holds it as a default
  static const py::object* o = new py::object(py::module_::import("builtins").attr("object")());
  return *o;
}

bool keepdim_arg(const char* fn, const py::object& dim, const py::object& keepdim) {
  if (!given(keepdim)) return false;
  TG_CHECK_KIND(Type, given(dim), fn, "() received an invalid combination of arguments: "
                "keepdim is an argument of the (dim, keepdim) signature only");
  TG_CHECK_KIND(Type, PyBool_Check(keepdim.ptr()), fn, "(): argument 'keepdim' must be bool, "
                "not ", Py_TYPE(keepdim.ptr())->tp_name);
  return keepdim.ptr() == Py_True;
}

void check_tensor_other(const char* fn, const Operand& b, int pos) {
  if (!b.t.impl()->wrapped_number) return;
  const DType dt = b.t.dtype();
  const char* ty = dt == DType::Bool ? "bool" : is_floating(dt) ? "float" : "int";
  TG_ERROR_KIND(Type, fn, "(): argument 'other' (position ", pos, ") must be Tensor, not ", ty);
}

std::vector<int64_t> dims_from_object(const py::object& o) {
  // torch's parser takes an int, a 0-d integer tensor or a sequence of them, never a bool
  // (True is an int to Python, and would silently be dim 1)
  // (inside a sequence torch's int-list parser does take a bool, as its int)
  auto one = [](const py::handle h, bool in_list) -> int64_t {
    TG_CHECK_KIND(Type, (in_list || !PyBool_Check(h.ptr())) && !PyFloat_Check(h.ptr()),
                  "argument 'dim' must be tuple of ints, not ", Py_TYPE(h.ptr())->tp_name);
    return index_value(h);
  };
  if (PyLong_Check(o.ptr()) || PyBool_Check(o.ptr()) || PyFloat_Check(o.ptr()) ||
      py::isinstance<TensorImpl>(o))
    return {one(o, false)};
  TG_CHECK_KIND(Type, PySequence_Check(o.ptr()) && !py::isinstance<py::str>(o),
                "argument 'dim' must be tuple of ints, not ", Py_TYPE(o.ptr())->tp_name);
  std::vector<int64_t> r;
  for (py::handle h : o) r.push_back(one(h, true));
  return r;
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

namespace tapegrad {
namespace bind {
void bind_tensor_geometry(py::module_& m);  // bind_tensor_geometry.cpp (helper T)
void bind_layout(py::module_& m);  // bind_layout.cpp (memory_format=, div's rounding_mode=)
}  // namespace bind
}  // namespace tapegrad

PYBIND11_MODULE(_C, m) {
  m.doc() = "tapegrad's compiled core";
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      set_python_error(e);
    } catch (const py::cast_error& e) {
      PyErr_SetString(PyExc_TypeError, e.what());  // a wrong argument type, as torch reports it
    } catch (const std::bad_alloc&) {
      // a host buffer (a std::vector) the system refused: torch's allocator raises RuntimeError
      PyErr_SetString(PyExc_RuntimeError,
                      "DefaultCPUAllocator: can't allocate memory (std::bad_alloc)");
    } catch (const std::length_error& e) {
      PyErr_SetString(PyExc_RuntimeError, e.what());  // a size no vector can hold
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
  m.def("set_num_threads", [](py::object n) {
    if (!py::isinstance<py::int_>(n) || py::isinstance<py::bool_>(n))
      TG_ERROR("set_num_threads expects an int, but got ", Py_TYPE(n.ptr())->tp_name);
    const int64_t v = n.cast<int64_t>();
    TG_CHECK(v > 0, "set_num_threads expects a positive integer");
    cpu::set_max_threads(static_cast<int>(std::min<int64_t>(v, 1 << 16)));
  }, py::arg("int"));
  m.def("get_num_threads", []() { return cpu::max_threads(); });
  m.def("_get_cpu_capability", []() { return std::string(vmath::cpu_capability()); });
  m.attr("_openmp_built") = cpu::openmp_built();
  m.def("promote_types", [](DType a, DType b) { return promote_types(a, b); }, py::arg("type1"),
        py::arg("type2"));
  m.def("result_type", [](const Operand& a, const Operand& b) { return result_type(a.t, b.t); },
        py::arg("tensor1"), py::arg("tensor2"));
  m.def("_get_rng_state", []() {
    std::vector<uint8_t> b = kern::get_rng_state();
    Tensor t = empty({static_cast<int64_t>(b.size())}, DType::UInt8, Device());
    std::memcpy(t.data<uint8_t>(), b.data(), b.size());
    return t;
  });
  m.def("_set_rng_state", [](const Tensor& t) {  // contiguous uint8, checked by the caller
    kern::set_rng_state(t.data<uint8_t>(), static_cast<size_t>(t.numel()));
  });
  m.def("set_default_dtype", [](DType d) { set_default_dtype(d); });

  bind_tensor(m);
  bind_ops(m);
  bind_nn_ops(m);
  bind_autograd(m);
  bind_dlpack(m);
  bind_cuda(m);
  bind_function(m);
  bind_optim(m);
  bind_tensor_geometry(m);  // helper T (declared here, not in common.h: see that file)
  bind_layout(m);
  // Tensor.<op>_ for ops whose in-place form the Python layer composes (pow_, cumsum_, eq_, ...):
  // fn computes the out-of-place result from the old value, which takes over self's history
  // (Note [In-place ops]), so the grad_fn is the out-of-place op's, as in torch.
  m.def("_apply_inplace", [](Tensor& a, const py::function& fn, const py::args& others) -> Tensor& {
    Tensor other;
    for (const auto& o : others) {
      if (!py::isinstance<TensorImpl>(o)) continue;
      const Tensor t = o.cast<Tensor>();
      check_no_overlap(a, t);  // torch's TensorIterator check (eq_(x.t()))
      if (t.requires_grad()) other = t;
    }
    return apply_inplace(a, other, [&](const Tensor& x) { return fn(x).cast<Tensor>(); });
  });
  install_fast_paths(m);  // last: it wraps bindings made above
}
