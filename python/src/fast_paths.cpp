// Thin CPython entry points for the hottest Tensor operations (issue 5: per-op overhead).
//
// pybind11 binds every op once (bind_ops.cpp & co) and stays the reference for argument handling
// and error wording. A pybind call costs ~0.5 us before any work: a bound-method object, an
// args tuple, overload resolution, a caster per argument. For the few calls that dominate small
// models (arithmetic operators, unary math, sum/mean, zero_, backward, .grad) this file installs
// C-level replacements on the Tensor type: number slots (x + y reaches fast_add with no lookup)
// and METH_FASTCALL method descriptors (no bound-method object, no tuple). Each handles only the
// plain case (tensors and Python numbers, no keywords) and hands anything else to the pybind
// function it replaced, unchanged, so behaviour and error messages stay those of the bindings.
#include <tapegrad/ops/memory_format.h>

#include "common.h"

namespace tapegrad {
namespace bind {

namespace {

PyTypeObject* g_tensor_type = nullptr;

// The pybind callables replaced here, called for every case the fast path does not take.
enum Fallback {
  kAdd, kRadd, kSub, kRsub, kMul, kRmul, kTruediv, kRtruediv, kPow, kRpow, kNeg,
  kIadd, kIsub, kImul, kItruediv,
  kGrad,      // the property object (its setter is kept)
  kBackward,  // set from Python (_tensor.py defines backward there)
  kNumFallbacks
};
PyObject* fb[kNumFallbacks];

using FastFn = PyObject* (*)(PyObject*, PyObject* const*, Py_ssize_t, PyObject*);

inline bool is_tensor(PyObject* o) { return PyObject_TypeCheck(o, g_tensor_type); }

// The Tensor held by a pybind instance (the shared_ptr holder, simple layout: no C++ bases).
inline Tensor unwrap(PyObject* o) {
  auto* inst = reinterpret_cast<py::detail::instance*>(o);
  return Tensor(inst->get_value_and_holder().holder<std::shared_ptr<TensorImpl>>());
}

// Python int/float (exact types: a bool is a bool tensor operand to torch, and subclasses take
// the pybind path) -> Scalar; false for anything else, an int beyond int64 included.
inline bool scalar_of(PyObject* o, Scalar& out) {
  if (PyFloat_CheckExact(o)) {
    out = Scalar(PyFloat_AS_DOUBLE(o));
    return true;
  }
  if (PyLong_CheckExact(o)) {
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (overflow || (v == -1 && PyErr_Occurred())) {
      PyErr_Clear();
      return false;
    }
    out = Scalar(static_cast<int64_t>(v));
    return true;
  }
  return false;
}

// The same numbers as wrapped-number operands (what the pybind bindings pass too).
inline bool number_operand(PyObject* o, Tensor& out) {
  Scalar v;
  if (!scalar_of(o, v)) return false;
  out = wrapped_scalar(v);
  return true;
}

// An int beyond int64: torch raises OverflowError before looking at anything else.
inline bool huge_int(PyObject* o) {
  if (!PyLong_Check(o) || PyBool_Check(o)) return false;
  int overflow = 0;
  PyLong_AsLongLongAndOverflow(o, &overflow);
  if (!overflow) return false;
  PyErr_SetString(PyExc_OverflowError, "int too big to convert");
  return true;
}

// A new Python object for an op's result. A result no one else holds (use_count 1) cannot have a
// Python object yet, so pybind's registered-instance lookup is skipped; the steps are those of
// pybind's cast for a holder (new instance, owned, value pointer, init_instance registers it
// and copies the holder).
PyObject* wrap(Tensor&& t) {
  const std::shared_ptr<TensorImpl>& h = t.impl_ptr();
  if (h.use_count() != 1)
    return py::detail::make_caster<Tensor>::cast(t, py::return_value_policy::move, nullptr).ptr();
  static const py::detail::type_info* ti = py::detail::get_type_info(typeid(TensorImpl));
  PyObject* o = py::detail::make_new_instance(ti->type);
  if (!o) return nullptr;
  auto* inst = reinterpret_cast<py::detail::instance*>(o);
  inst->owned = true;
  inst->get_value_and_holder().value_ptr() = h.get();
  ti->init_instance(inst, &h);
  return o;
}

// Sets the Python error for the exception in flight, as the module's pybind translator does.
void set_error_from_exception() {
  try {
    throw;
  } catch (const Error& e) {
    set_python_error(e);
  } catch (py::error_already_set& e) {
    e.restore();
  } catch (const py::cast_error& e) {  // before builtin_exception, of which it is one
    PyErr_SetString(PyExc_TypeError, e.what());
  } catch (const py::builtin_exception& e) {
    e.set_error();
  } catch (const std::bad_alloc&) {
    PyErr_SetString(PyExc_MemoryError, "std::bad_alloc");
  } catch (const std::exception& e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
  } catch (...) {
    PyErr_SetString(PyExc_RuntimeError, "unknown C++ exception");
  }
}

#define TG_FAST_TRY try {
#define TG_FAST_CATCH            \
  }                              \
  catch (...) {                  \
    set_error_from_exception();  \
    return nullptr;              \
  }

// Calls a fallback with self prepended to a vectorcall argument list.
PyObject* call_fallback(PyObject* fn, PyObject* self, PyObject* const* args, Py_ssize_t nargs,
                        PyObject* kwnames) {
  const Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
  PyObject* small[8];
  std::vector<PyObject*> big;
  PyObject** all = small;
  if (nargs + nkw + 1 > 8) {
    big.resize(nargs + nkw + 1);
    all = big.data();
  }
  all[0] = self;
  for (Py_ssize_t k = 0; k < nargs + nkw; ++k) all[k + 1] = args[k];
  return PyObject_Vectorcall(fn, all, nargs + 1, kwnames);
}

PyObject* call2(PyObject* fn, PyObject* a, PyObject* b) {
  PyObject* args[2] = {a, b};
  return PyObject_Vectorcall(fn, args, 2, nullptr);
}

// ---- binary operator slots: (tensor, tensor) and (tensor, number) in either order ----
// `Op` returns the result for left/right operands already as tensors (a number on the right
// arrives as a wrapped number, which is what the pybind bindings pass too).
template <Tensor (*Op)(const Tensor&, const Tensor&), int Fwd, int Rev>
PyObject* binary_slot(PyObject* a, PyObject* b) {
  TG_FAST_TRY
  const bool ta = is_tensor(a), tb = is_tensor(b);
  Tensor x, y;
  if (ta && tb) return wrap(Op(unwrap(a), unwrap(b)));
  if (ta && number_operand(b, y)) return wrap(Op(unwrap(a), y));
  // number + tensor / number * tensor: torch computes tensor.__radd__(number), i.e. tensor
  // first (that order shows in next_functions). sub_slot and div_slot never get here.
  if (tb && number_operand(a, x)) return wrap(Op(unwrap(b), x));
  TG_FAST_CATCH
  if (huge_int(is_tensor(a) ? b : a)) return nullptr;
  if (is_tensor(a)) return call2(fb[Fwd], a, b);
  return call2(fb[Rev], b, a);
}

Tensor add2(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor sub2(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor mul2(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor div2(const Tensor& a, const Tensor& b) { return div(a, b); }

// number - tensor and number / tensor: torch's rsub / reciprocal forms, kept in the fallbacks.
PyObject* sub_slot(PyObject* a, PyObject* b) {
  if (!is_tensor(a)) return huge_int(a) ? nullptr : call2(fb[kRsub], b, a);
  return binary_slot<sub2, kSub, kRsub>(a, b);
}
PyObject* div_slot(PyObject* a, PyObject* b) {
  if (!is_tensor(a)) return huge_int(a) ? nullptr : call2(fb[kRtruediv], b, a);
  return binary_slot<div2, kTruediv, kRtruediv>(a, b);
}

PyObject* pow_slot(PyObject* a, PyObject* b, PyObject* mod) {
  if (mod == Py_None && is_tensor(a)) {
    Scalar e;
    if (scalar_of(b, e)) {
      TG_FAST_TRY
      return wrap(pow(unwrap(a), e));
      TG_FAST_CATCH
    }
    return huge_int(b) ? nullptr : call2(fb[kPow], a, b);
  }
  if (mod == Py_None) return huge_int(a) ? nullptr : call2(fb[kRpow], b, a);
  Py_RETURN_NOTIMPLEMENTED;
}

PyObject* neg_slot(PyObject* a) {
  TG_FAST_TRY
  return wrap(neg(unwrap(a)));
  TG_FAST_CATCH
}

// In-place operators return self.
template <Tensor& (*Op)(Tensor&, const Tensor&), int Fb>
PyObject* inplace_slot(PyObject* a, PyObject* b) {
  if (is_tensor(a)) {
    Tensor y;
    if (is_tensor(b) || number_operand(b, y)) {
      TG_FAST_TRY
      Tensor x = unwrap(a);
      Op(x, y.defined() ? y : unwrap(b));
      Py_INCREF(a);
      return a;
      TG_FAST_CATCH
    }
  }
  return call2(fb[Fb], a, b);
}
Tensor& add_2(Tensor& a, const Tensor& b) { return add_(a, b); }
Tensor& sub_2(Tensor& a, const Tensor& b) { return sub_(a, b); }
Tensor& mul_2(Tensor& a, const Tensor& b) { return mul_(a, b); }
Tensor& div_2(Tensor& a, const Tensor& b) { return div_(a, b); }

// ---- methods ----
// Each method keeps its pybind function as fallback (index into g_method_fallbacks).
enum MethodSlot {
#define TG_UNARY(Id, name, GradFn, Functor, to_float, saves) kM_##Id,
#define TG_OP(Id, name, GradFn)
#include <tapegrad/ops/ops.def>
  kM_sum, kM_mean, kM_zero, kM_add, kM_mul, kM_item,
  kM_div, kM_clone, kM_contiguous, kM_is_contiguous, kM_float, kM_double, kM_to,
  kNumMethodSlots
};
PyObject* g_method_fallbacks[kNumMethodSlots];

template <OpId Id, int Slot>
PyObject* unary_method(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kw) {
  if (nargs == 0 && !kw) {
    TG_FAST_TRY
    return wrap(unary(Id, unwrap(self)));
    TG_FAST_CATCH
  }
  return call_fallback(g_method_fallbacks[Slot], self, args, nargs, kw);
}

template <bool IsMean>
PyObject* reduce_method(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kw) {
  if (nargs == 0 && !kw) {
    TG_FAST_TRY
    Tensor a = unwrap(self);
    return wrap(IsMean ? mean(a) : sum(a));
    TG_FAST_CATCH
  }
  return call_fallback(g_method_fallbacks[IsMean ? kM_mean : kM_sum], self, args, nargs, kw);
}

PyObject* zero_method(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kw) {
  if (nargs == 0 && !kw) {
    TG_FAST_TRY
    Tensor a = unwrap(self);
    zero_(a);
    Py_INCREF(self);
    return self;
    TG_FAST_CATCH
  }
  return call_fallback(g_method_fallbacks[kM_zero], self, args, nargs, kw);
}

template <bool IsMul>
PyObject* binary_method(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kw) {
  if (nargs == 1 && !kw) {
    Tensor y;
    if (is_tensor(args[0]) || number_operand(args[0], y)) {
      TG_FAST_TRY
      Tensor a = unwrap(self);
      if (!y.defined()) y = unwrap(args[0]);
      return wrap(IsMul ? mul(a, y) : add(a, y));
      TG_FAST_CATCH
    }
  }
  return call_fallback(g_method_fallbacks[IsMul ? kM_mul : kM_add], self, args, nargs, kw);
}

PyObject* div_method(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kw) {
  if (nargs == 1 && !kw) {
    Tensor y;
    if (is_tensor(args[0]) || number_operand(args[0], y)) {
      TG_FAST_TRY
      if (!y.defined()) y = unwrap(args[0]);
      return wrap(div(unwrap(self), y));
      TG_FAST_CATCH
    }
  }
  return call_fallback(g_method_fallbacks[kM_div], self, args, nargs, kw);
}

// ---- layout and dtype conversions with no memory_format= (bind_layout.cpp has the rest) ----
// A result that is the tensor itself returns self (no pybind instance lookup).
PyObject* self_or_wrap(PyObject* self, const Tensor& a, Tensor&& r) {
  if (r.same(a)) {
    Py_INCREF(self);
    return self;
  }
  return wrap(std::move(r));
}

PyObject* clone_method(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kw) {
  if (nargs == 0 && !kw) {
    TG_FAST_TRY
    return wrap(clone(unwrap(self), MemoryFormat::Preserve));
    TG_FAST_CATCH
  }
  return call_fallback(g_method_fallbacks[kM_clone], self, args, nargs, kw);
}

PyObject* contiguous_method(PyObject* self, PyObject* const* args, Py_ssize_t nargs,
                            PyObject* kw) {
  if (nargs == 0 && !kw) {
    TG_FAST_TRY
    Tensor a = unwrap(self);
    return self_or_wrap(self, a, contiguous(a, MemoryFormat::Contiguous));
    TG_FAST_CATCH
  }
  return call_fallback(g_method_fallbacks[kM_contiguous], self, args, nargs, kw);
}

PyObject* is_contiguous_method(PyObject* self, PyObject* const* args, Py_ssize_t nargs,
                               PyObject* kw) {
  if (nargs == 0 && !kw) return PyBool_FromLong(unwrap(self).is_contiguous());
  return call_fallback(g_method_fallbacks[kM_is_contiguous], self, args, nargs, kw);
}

template <DType Dt, int Slot>
PyObject* convert_method(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kw) {
  if (nargs == 0 && !kw) {
    TG_FAST_TRY
    Tensor a = unwrap(self);
    return self_or_wrap(self, a, to(a, Dt, false, MemoryFormat::Preserve));
    TG_FAST_CATCH
  }
  return call_fallback(g_method_fallbacks[Slot], self, args, nargs, kw);
}

// The dtype objects (tapegrad.float32 & co) by DType, for .to(dtype).
PyObject* g_dtype_objects[kNumDTypes];

PyObject* to_method(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kw) {
  if (nargs == 1 && !kw) {
    for (int k = 0; k < kNumDTypes; ++k) {
      if (args[0] != g_dtype_objects[k]) continue;
      TG_FAST_TRY
      Tensor a = unwrap(self);
      return self_or_wrap(self, a, to(a, static_cast<DType>(k), false, MemoryFormat::Preserve));
      TG_FAST_CATCH
    }
  }
  return call_fallback(g_method_fallbacks[kM_to], self, args, nargs, kw);
}

// backward(): the common no-argument call runs the engine directly; anything else goes to the
// Python implementation (tapegrad._tensor._backward), which parses the arguments.
PyObject* backward_method(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kw) {
  if (nargs == 0 && !kw) {
    TG_FAST_TRY
    run_backward({unwrap(self)}, {Tensor()}, false, false, {}, true, true);
    Py_RETURN_NONE;
    TG_FAST_CATCH
  }
  return call_fallback(fb[kBackward], self, args, nargs, kw);
}

// .grad: the getter is the hot part (x.grad.zero_()); the setter stays pybind's.
PyObject* grad_get(PyObject* self, void*) {
  TG_FAST_TRY
  const Tensor& t = unwrap(self);
  Tensor g = t.grad();
  if (!g.defined()) {
    if (!t.is_leaf() && !(t.impl()->autograd && t.impl()->autograd->retains_grad) &&
        PyErr_WarnEx(PyExc_UserWarning,
                     "The .grad attribute of a Tensor that is not a leaf Tensor is being "
                     "accessed. Its .grad attribute won't be populated during "
                     "autograd.backward(). If you indeed want the .grad field to be populated "
                     "for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you "
                     "access the non-leaf Tensor by mistake, make sure you access the leaf "
                     "Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more "
                     "informations.", 1) < 0)
      return nullptr;
    Py_RETURN_NONE;
  }
  return wrap(std::move(g));
  TG_FAST_CATCH
}
int grad_set(PyObject* self, PyObject* value, void*) {
  if (!value) value = Py_None;  // del x.grad: torch sets it to None
  return Py_TYPE(fb[kGrad])->tp_descr_set(fb[kGrad], self, value);
}

std::vector<PyMethodDef>& method_defs() {
  static std::vector<PyMethodDef> defs;
  return defs;
}

// Looks up `name` in the Tensor type's own dict (a new reference; the pybind function).
PyObject* take(const char* name) {
  PyObject* f = PyDict_GetItemString(g_tensor_type->tp_dict, name);
  if (!f) throw std::runtime_error(std::string("fast_paths: Tensor has no ") + name);
  Py_INCREF(f);
  return f;
}

void add_method(const char* name, FastFn fn, int slot) {
  g_method_fallbacks[slot] = take(name);
  auto& defs = method_defs();
  defs.push_back(PyMethodDef{name, reinterpret_cast<PyCFunction>(reinterpret_cast<void*>(fn)),
                             METH_FASTCALL | METH_KEYWORDS, nullptr});
}

}  // namespace

void install_fast_paths(py::module_& m) {
  g_tensor_type = reinterpret_cast<PyTypeObject*>(m.attr("Tensor").ptr());
  fb[kAdd] = take("__add__");
  fb[kRadd] = take("__radd__");
  fb[kSub] = take("__sub__");
  fb[kRsub] = take("__rsub__");
  fb[kMul] = take("__mul__");
  fb[kRmul] = take("__rmul__");
  fb[kTruediv] = take("__truediv__");
  fb[kRtruediv] = take("__rtruediv__");
  fb[kPow] = take("__pow__");
  fb[kRpow] = take("__rpow__");
  fb[kNeg] = take("__neg__");
  fb[kIadd] = take("__iadd__");
  fb[kIsub] = take("__isub__");
  fb[kImul] = take("__imul__");
  fb[kItruediv] = take("__itruediv__");
  fb[kGrad] = take("grad");

  PyNumberMethods* nb = g_tensor_type->tp_as_number;
  nb->nb_add = binary_slot<add2, kAdd, kRadd>;
  nb->nb_multiply = binary_slot<mul2, kMul, kRmul>;
  nb->nb_subtract = sub_slot;
  nb->nb_true_divide = div_slot;
  nb->nb_power = pow_slot;
  nb->nb_negative = neg_slot;
  nb->nb_inplace_add = inplace_slot<add_2, kIadd>;
  nb->nb_inplace_subtract = inplace_slot<sub_2, kIsub>;
  nb->nb_inplace_multiply = inplace_slot<mul_2, kImul>;
  nb->nb_inplace_true_divide = inplace_slot<div_2, kItruediv>;

  auto& defs = method_defs();
  defs.reserve(64);  // PyMethodDef addresses must stay fixed: the descriptors point at them
#define TG_UNARY(Id, name, GradFn, Functor, to_float, saves) \
  add_method(#name, unary_method<OpId::Id, kM_##Id>, kM_##Id);
#define TG_OP(Id, name, GradFn)
#include <tapegrad/ops/ops.def>
  add_method("sum", reduce_method<false>, kM_sum);
  add_method("mean", reduce_method<true>, kM_mean);
  add_method("zero_", zero_method, kM_zero);
  add_method("add", binary_method<false>, kM_add);
  add_method("mul", binary_method<true>, kM_mul);
  add_method("div", div_method, kM_div);
  add_method("clone", clone_method, kM_clone);
  add_method("contiguous", contiguous_method, kM_contiguous);
  add_method("is_contiguous", is_contiguous_method, kM_is_contiguous);
  add_method("float", convert_method<DType::Float32, kM_float>, kM_float);
  add_method("double", convert_method<DType::Float64, kM_double>, kM_double);
  add_method("to", to_method, kM_to);
  for (int k = 0; k < kNumDTypes; ++k)
    g_dtype_objects[k] = dtype_object(static_cast<DType>(k)).release().ptr();  // kept for good
  for (auto& d : defs) {
    PyObject* descr = PyDescr_NewMethod(g_tensor_type, &d);
    if (!descr || PyDict_SetItemString(g_tensor_type->tp_dict, d.ml_name, descr) < 0)
      throw py::error_already_set();
    Py_DECREF(descr);
  }
  static PyGetSetDef grad_def{"grad", grad_get, grad_set, nullptr, nullptr};
  PyObject* gd = PyDescr_NewGetSet(g_tensor_type, &grad_def);
  if (!gd || PyDict_SetItemString(g_tensor_type->tp_dict, "grad", gd) < 0)
    throw py::error_already_set();
  Py_DECREF(gd);
  PyType_Modified(g_tensor_type);

  // backward is defined in Python (_tensor.py); it installs its fast front here.
  m.def("_install_fast_backward", [](py::object py_backward) {
    Py_XDECREF(fb[kBackward]);
    fb[kBackward] = py_backward.release().ptr();
    static PyMethodDef def{"backward",
                           reinterpret_cast<PyCFunction>(reinterpret_cast<void*>(backward_method)),
                           METH_FASTCALL | METH_KEYWORDS, nullptr};
    PyObject* descr = PyDescr_NewMethod(g_tensor_type, &def);
    if (!descr || PyObject_SetAttrString(reinterpret_cast<PyObject*>(g_tensor_type), "backward", descr) < 0)
      throw py::error_already_set();
    Py_DECREF(descr);
  });
}

}  // namespace bind
}  // namespace tapegrad
