// Shared by the binding files: type casters (Tensor <-> the bound TensorImpl, Python numbers
// as Scalars and as wrapped-number operands, dtype singletons) and small argument helpers.
// Bindings convert arguments and call the C++ API; they hold no logic of their own.
#pragma once
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <tapegrad/tapegrad.h>

namespace py = pybind11;

namespace tapegrad {
namespace bind {

// A Tensor or a Python number (which becomes a 0-d wrapped-number tensor).
struct Operand {
  Tensor t;
};

// The Python dtype objects (torch.float32 & co): one singleton per DType.
struct DTypeObj {
  DType value;
};
py::object dtype_object(DType dt);

void bind_tensor(py::module_& m);
void bind_ops(py::module_& m);
void bind_nn_ops(py::module_& m);
void bind_autograd(py::module_& m);
void bind_dlpack(py::module_& m);
void bind_function(py::module_& m);
void bind_cuda(py::module_& m);
void bind_optim(py::module_& m);
// C-level fronts for the hottest Tensor operators and methods (fast_paths.cpp).
void install_fast_paths(py::module_& m);
// Raises e as the Python exception torch uses for its kind (TypeError, ValueError, ...).
void set_python_error(const Error& e);
// A graph node as a Python object: a custom Function's node gets its per-Function class
// (MyFnBackward, as torch names it); every other node its op row's class.
py::object node_object(const std::shared_ptr<Node>& n);

Shape shape_from_args(const py::args& args);
std::vector<int64_t> dims_from_object(const py::object& o);
// o's integer value through __index__ (an int, a 0-d integer tensor, a numpy integer), raising
// Python's TypeError for anything else.
int64_t index_value(py::handle o);
// torch's TypeError for a Python number where its signature says Tensor ("lcm(): argument
// 'other' (position 2) must be Tensor, not int"); pos: the argument's position in the message.
void check_tensor_other(const char* fn, const Operand& b, int pos = 2);
Reduction parse_reduction(const std::string& r);
// A default no caller can pass: tells an argument left out from an explicit None (or False),
// where torch's parser refuses what a signature does not list (x.prod(None), x.var(0, None),
// x.sum(keepdim=True) with no dim).
const py::object& unset();
inline bool given(const py::object& o) { return !o.is(unset()); }
// keepdim of the (dim, keepdim=False) reduction signatures: only beside a dim, and a bool.
bool keepdim_arg(const char* fn, const py::object& dim, const py::object& keepdim);

}  // namespace bind
}  // namespace tapegrad

namespace pybind11 {
namespace detail {

// int64_t arguments (dims, sizes, counts) as torch's parser reads them: an int or anything with
// __index__ (a 0-d integer tensor, a numpy integer), never a bool or a float. pybind's own integer
// caster takes True as 1, so x.sum(True) would have reduced dim 1 where torch raises TypeError.
static_assert(std::is_same<int64_t, long>::value, "int64_t is long on the supported ABIs");

// src's value through __index__, false (no Python error left set) for no index or one out of
// int64's range.
inline bool index_of(handle src, long& out) {
  PyObject* idx = PyNumber_Index(src.ptr());
  if (!idx) {
    PyErr_Clear();
    return false;
  }
  out = PyLong_AsLong(idx);
  Py_DECREF(idx);
  if (out == -1 && PyErr_Occurred()) {
    PyErr_Clear();
    return false;
  }
  return true;
}

template <>
struct type_caster<long> {
  PYBIND11_TYPE_CASTER(long, const_name("int"));
  bool load(handle src, bool) {
    PyObject* o = src.ptr();
    if (!o || PyBool_Check(o) || PyFloat_Check(o)) return false;
    if (isinstance<tapegrad::TensorImpl>(src)) {  // torch takes integer tensors only (not bool)
      make_caster<std::shared_ptr<tapegrad::TensorImpl>> tc;
      if (!tc.load(src, false)) return false;
      const tapegrad::DType dt =
          cast_op<std::shared_ptr<tapegrad::TensorImpl>&>(tc)->dtype;
      if (dt == tapegrad::DType::Bool || tapegrad::is_floating(dt)) return false;
    }
    return index_of(src, value);
  }
  static handle cast(long v, return_value_policy, handle) { return PyLong_FromLong(v); }
};

// Element k of an int list as torch's parser reads it: the first checked as an int (a bool
// refused), the rest converted with __index__, where True is 1.
inline bool load_int_list_item(handle item, size_t k, long& out) {
  if (k > 0 && PyBool_Check(item.ptr())) {
    out = item.ptr() == Py_True ? 1 : 0;
    return true;
  }
  make_caster<long> conv;
  if (!conv.load(item, true)) return false;
  out = cast_op<long>(conv);
  return true;
}

// An int list (sizes, dims): torch's parser checks the first element as an int (a bool there is
// refused) and converts the rest with __index__, where True is 1: torch.zeros(2, True) is [2, 1].
template <>
struct type_caster<std::vector<long>> : list_caster<std::vector<long>, long> {
  bool load(handle src, bool) {
    if (isinstance<tapegrad::TensorImpl>(src)) {
      // a tensor is an int list only as a one-element integer tensor (x.view(tensor([6])));
      // torch refuses any other (x.expand(tensor([2, 3])))
      make_caster<std::shared_ptr<tapegrad::TensorImpl>> tc;
      if (!tc.load(src, false)) return false;
      const auto& t = cast_op<std::shared_ptr<tapegrad::TensorImpl>&>(tc);
      long v;
      if (t->numel() != 1 || tapegrad::is_floating(t->dtype) || !index_of(src, v)) return false;
      value.assign(1, v);
      return true;
    }
    if (!isinstance<sequence>(src) || isinstance<bytes>(src) || isinstance<str>(src))
      return false;
    auto seq = reinterpret_borrow<sequence>(src);
    value.assign(seq.size(), 0);
    for (size_t k = 0; k < value.size(); ++k)
      if (!load_int_list_item(seq[k], k, value[k])) return false;
    return true;
  }
};

template <>
struct type_caster<tapegrad::Tensor> {
  PYBIND11_TYPE_CASTER(tapegrad::Tensor, const_name("Tensor"));
  bool load(handle src, bool convert) {
    make_caster<std::shared_ptr<tapegrad::TensorImpl>> inner;
    if (src.is_none() || !inner.load(src, convert)) return false;
    value = tapegrad::Tensor(cast_op<std::shared_ptr<tapegrad::TensorImpl>>(inner));
    return true;
  }
  static handle cast(const tapegrad::Tensor& t, return_value_policy p, handle parent) {
    if (!t.defined()) return none().release();
    return make_caster<std::shared_ptr<tapegrad::TensorImpl>>::cast(t.impl_ptr(), p, parent);
  }
};

// A list of tensors (cat, stack, broadcast_tensors, ...) is never a tensor: pybind's sequence
// caster would read a tensor as the list of its rows, so torch.cat(x) concatenated x's rows
// where torch raises TypeError.
template <>
struct type_caster<std::vector<tapegrad::Tensor>>
    : list_caster<std::vector<tapegrad::Tensor>, tapegrad::Tensor> {
  bool load(handle src, bool convert) {
    if (isinstance<tapegrad::TensorImpl>(src)) return false;
    return list_caster<std::vector<tapegrad::Tensor>, tapegrad::Tensor>::load(src, convert);
  }
};

template <>
struct type_caster<tapegrad::Scalar> {
  PYBIND11_TYPE_CASTER(tapegrad::Scalar, const_name("Number"));
  bool load(handle src, bool convert) {
    PyObject* o = src.ptr();
    if (PyBool_Check(o)) {
      value = tapegrad::Scalar(o == Py_True);
      return true;
    }
    if (PyLong_Check(o)) {
      int overflow = 0;
      long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
      if (overflow) return false;
      value = tapegrad::Scalar(static_cast<int64_t>(v));
      return true;
    }
    if (PyFloat_Check(o)) {
      value = tapegrad::Scalar(PyFloat_AS_DOUBLE(o));
      return true;
    }
    // torch's parser takes a 0-d tensor that needs no grad as a number. Only in pybind's
    // converting pass, so that an overload taking a Tensor there always wins over this one.
    if (convert) {
      make_caster<tapegrad::Tensor> tc;
      if (tc.load(src, false)) {
        const tapegrad::Tensor& t = cast_op<const tapegrad::Tensor&>(tc);
        if (t.dim() != 0 || t.requires_grad()) return false;
        value = tapegrad::item(t);
        return true;
      }
    }
    return false;
  }
  static handle cast(const tapegrad::Scalar& s, return_value_policy, handle) {
    if (s.kind == tapegrad::Scalar::Bool) return pybind11::bool_(s.i != 0).release();
    if (s.kind == tapegrad::Scalar::Int) return PyLong_FromLongLong(s.i);
    return PyFloat_FromDouble(s.d);
  }
};

template <>
struct type_caster<tapegrad::bind::Operand> {
  PYBIND11_TYPE_CASTER(tapegrad::bind::Operand, const_name("Union[Tensor, Number]"));
  bool load(handle src, bool convert) {
    make_caster<tapegrad::Tensor> tc;
    if (tc.load(src, convert)) {
      value.t = cast_op<tapegrad::Tensor>(tc);
      return true;
    }
    make_caster<tapegrad::Scalar> sc;
    if (sc.load(src, convert)) {
      value.t = tapegrad::wrapped_scalar(cast_op<tapegrad::Scalar>(sc));
      return true;
    }
    return false;
  }
  static handle cast(const tapegrad::bind::Operand& o, return_value_policy p, handle parent) {
    return make_caster<tapegrad::Tensor>::cast(o.t, p, parent);
  }
};

template <>
struct type_caster<tapegrad::DType> {
  PYBIND11_TYPE_CASTER(tapegrad::DType, const_name("dtype"));
  bool load(handle src, bool convert) {
    make_caster<tapegrad::bind::DTypeObj> c;
    if (src.is_none() || !c.load(src, convert)) return false;
    value = cast_op<tapegrad::bind::DTypeObj&>(c).value;
    return true;
  }
  static handle cast(tapegrad::DType dt, return_value_policy, handle) {
    return tapegrad::bind::dtype_object(dt).release();
  }
};

}  // namespace detail
}  // namespace pybind11
