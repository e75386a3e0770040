// Op bindings: each op is registered once as a function (tapegrad.exp) and as a method
// (x.exp()); elementwise rows come straight from ops.def. Python numbers are accepted on either
// side of binary ops as wrapped numbers (Note [Type promotion]).
#include <tapegrad/ops/math_extra.h>

#include "common.h"

namespace tapegrad {
namespace bind {

void bind_shape_ops(py::module_& m);  // bind_shape_ops.cpp (split, flip, cumsum, all, ...)
void bind_math_ops(py::module_& m);   // bind_math_ops.cpp (atan2, fmod, clamp_min, logit, ...)
void bind_index_ops(py::module_& m);  // bind_index_ops.cpp (scatter, index_add, diag, addmv, ...)
void bind_math_extra(py::module_& m);  // bind_math_extra.cpp (norms, median, copysign, ...)
void bind_special(py::module_& m);  // bind_special.cpp (i0, igamma, mvlgamma, torch.special)
// helper L: dense decompositions for tapegrad.linalg
void bind_linalg(py::module_& m);  // bind_linalg.cpp (lu, cholesky, qr, eigh, svd kernels)

namespace {

using Cls = py::class_<TensorImpl, std::shared_ptr<TensorImpl>>;

// Registers `f` as tapegrad.name(input, ...) and as Tensor.name(...); `extra` annotates the
// arguments after the tensor.
template <class F, class... Extra>
void both(py::module_& m, Cls& cls, const char* name, F&& f, const Extra&... extra) {
  if constexpr (sizeof...(Extra) > 0) {
    m.def(name, f, py::arg("input"), extra...);
  } else {
    m.def(name, f);
  }
  cls.def(name, std::forward<F>(f), extra...);
}

Tensor t_of(const Operand& o) { return o.t; }

// torch's warning for its deprecated add(Number alpha, Tensor other) signature.
void warn_deprecated_alpha(const std::string& name) {
  const std::string msg = "This overload of " + name + " is deprecated:\n\t" + name +
                          "(Number alpha, Tensor other)\nConsider using one of the following "
                          "signatures instead:\n\t" + name +
                          "(Tensor other, *, Number alpha = 1)";
  if (PyErr_WarnEx(PyExc_UserWarning, msg.c_str(), 1) < 0) throw py::error_already_set();
}

std::optional<Scalar> opt_scalar(const py::object& o) {
  if (o.is_none()) return std::nullopt;
  return o.cast<Scalar>();
}

Tensor reduce_sum_like(const Tensor& a, const py::object& dim, bool keepdim,
                       std::optional<DType> dtype, bool is_mean) {
  auto dims = dim.is_none() ? std::vector<int64_t>{} : dims_from_object(dim);
  if (dims.empty()) {  // None or []: every dim
    if (keepdim) {
      std::vector<int64_t> all;
      for (int64_t d = 0; d < a.dim(); ++d) all.push_back(d);
      return is_mean ? mean(a, all, true, dtype) : sum(a, all, true, dtype);
    }
    return is_mean ? mean(a, dtype) : sum(a, dtype);
  }
  return is_mean ? mean(a, dims, keepdim, dtype) : sum(a, dims, keepdim, dtype);
}

// max/min: whole tensor, per dim (values, indices), or elementwise with another tensor.
// torch's overloads: max(), max(Tensor other), max(int dim, bool keepdim=False); `other` may be
// given by name, and keepdim only goes with a dim.
py::object extreme(const Tensor& a, const py::object& dim, const py::object& keepdim,
                   const py::object& other, bool is_max) {
  const char* name = is_max ? "max" : "min";
  if (!other.is_none() || py::isinstance<TensorImpl>(dim)) {
    TG_CHECK_KIND(Type, other.is_none() || dim.is_none(), name,
                  "() received an invalid combination of arguments - got both dim and other");
    TG_CHECK_KIND(Type, keepdim.is_none(), name, "(): argument 'dim' (position 1) must be int, "
                  "not Tensor");
    const py::object& o = other.is_none() ? dim : other;
    TG_CHECK_KIND(Type, py::isinstance<TensorImpl>(o), name, "(): argument 'other' must be "
                  "Tensor, not ", Py_TYPE(o.ptr())->tp_name);
    Tensor t = o.cast<Tensor>();
    return py::cast(is_max ? maximum(a, t) : minimum(a, t));
  }
  if (dim.is_none()) {
    TG_CHECK_KIND(Type, keepdim.is_none(), name, "() received an invalid combination of "
                  "arguments - got keepdim without dim");
    return py::cast(is_max ? max(a) : min(a));
  }
  TG_CHECK_KIND(Type, keepdim.is_none() || PyBool_Check(keepdim.ptr()), name,
                "(): argument 'keepdim' must be bool, not ", Py_TYPE(keepdim.ptr())->tp_name);
  const bool kd = !keepdim.is_none() && keepdim.ptr() == Py_True;
  const int64_t d = dim.cast<int64_t>();
  auto r = is_max ? max(a, d, kd) : min(a, d, kd);
  py::object ret = py::module_::import("tapegrad.return_types").attr(is_max ? "max" : "min");
  return ret(r.first, r.second);
}

// torch's clamp overloads take two numbers or two tensors (either may be None), never one of each.
// A tensor bound beside a number (None is neither).
bool mixed_bounds(const py::object& lo, const py::object& hi) {
  const bool tl = py::isinstance<TensorImpl>(lo), th = py::isinstance<TensorImpl>(hi);
  return (tl || th) && !((tl || lo.is_none()) && (th || hi.is_none()));
}

void check_clamp_bounds(const char* fn, const py::object& lo, const py::object& hi) {
  TG_CHECK_KIND(Type, !mixed_bounds(lo, hi), fn,
                "() received an invalid combination of arguments - got (",
                Py_TYPE(lo.ptr())->tp_name, ", ", Py_TYPE(hi.ptr())->tp_name,
                "), but expected one of:\n * (Tensor min = None, Tensor max = None)\n * (Number "
                "min = None, Number max = None)");
}

// A number with a tensor bound: torch's parser reads a 0-d tensor that needs no grad as a
// Number, so clamp(x, -5, tensor(1.)) is the (Number, Number) overload; any other tensor makes
// the mix the TypeError of check_clamp_bounds.
bool numbers_as_bounds(const py::object& lo, const py::object& hi) {
  if (!mixed_bounds(lo, hi)) return false;
  for (const py::object* o : {&lo, &hi}) {
    if (!py::isinstance<TensorImpl>(*o)) continue;
    const Tensor t = o->cast<Tensor>();
    if (t.dim() != 0 || t.requires_grad()) return false;
  }
  return true;
}

std::optional<Scalar> bound_scalar(const py::object& o) {
  if (py::isinstance<TensorImpl>(o)) return item(o.cast<Tensor>());
  return opt_scalar(o);
}

Tensor clamp_any(const Tensor& a, const py::object& lo, const py::object& hi) {
  bool tl = py::isinstance<TensorImpl>(lo), th = py::isinstance<TensorImpl>(hi);
  if (tl || th) {
    if (numbers_as_bounds(lo, hi)) return clamp(a, bound_scalar(lo), bound_scalar(hi));
    check_clamp_bounds("clamp", lo, hi);
    return clamp(a, tl ? lo.cast<Tensor>() : Tensor(), th ? hi.cast<Tensor>() : Tensor());
  }
  return clamp(a, opt_scalar(lo), opt_scalar(hi));
}

// A reflected operator called on something that is not a Tensor (Tensor.__radd__(2, t)):
// torch's descriptor TypeError. pybind's operator overloads would return NotImplemented instead
// (a silent non-result), so each reflected operator gets this as its last overload; with a
// Tensor self and an unusable other it still answers NotImplemented, as Python expects.
template <class Cls>
void reflected_fallback(Cls& cls, const char* name) {
  std::string n = name;
  cls.def(name, [n](const py::object& self, const py::object&) -> py::object {
    if (!py::isinstance<TensorImpl>(self))
      throw py::type_error("descriptor '" + n + "' for 'Tensor' objects doesn't apply to a '" +
                           std::string(Py_TYPE(self.ptr())->tp_name) + "' object");
    return py::reinterpret_borrow<py::object>(Py_NotImplemented);
  }, py::is_operator());
}

}  // namespace

void reflected_fallbacks(py::module_& m) {
  Cls cls = py::reinterpret_borrow<Cls>(m.attr("Tensor"));
  for (const char* n : {"__radd__", "__rsub__", "__rmul__", "__rtruediv__", "__rpow__",
                        "__rand__", "__ror__", "__rxor__", "__rmod__", "__rfloordiv__"})
    reflected_fallback(cls, n);
}

void bind_ops(py::module_& m) {
  Cls cls = py::reinterpret_borrow<Cls>(m.attr("Tensor"));

  // ---- elementwise rows of ops.def ----
#define TG_UNARY(Id, name, GradFn, Functor, to_float, saves) \
  both(m, cls, #name, [](const Tensor& a) { return unary(OpId::Id, a); });
#define TG_COMPARE(Id, name, Functor)                                                   \
  both(m, cls, #name, [](const Tensor& a, const Operand& b) {                           \
    if (CmpId::Id == CmpId::LogicalAnd || CmpId::Id == CmpId::LogicalOr ||              \
        CmpId::Id == CmpId::LogicalXor)                                                 \
      check_tensor_other(#name, b); /* torch's logical_* take no number */              \
    return compare(CmpId::Id, a, b.t);                                                  \
  }, py::arg("other"));
#define TG_OP(Id, name, GradFn)
#include <tapegrad/ops/ops.def>
  // Reached only when the overload above rejects the argument (or it came as input=): torch's
  // TypeError instead of pybind's overload listing.
#define TG_UNARY(Id, name, GradFn, Functor, to_float, saves)                                \
  m.def(#name, [](py::object a) -> Tensor {                                                \
    TG_CHECK_KIND(Type, py::isinstance<TensorImpl>(a), #name,                              \
                  "(): argument 'input' (position 1) must be Tensor, not ",                \
                  Py_TYPE(a.ptr())->tp_name);                                              \
    return unary(OpId::Id, a.cast<Tensor>());                                              \
  }, py::arg("input"));
#define TG_OP(Id, name, GradFn)
#include <tapegrad/ops/ops.def>
  both(m, cls, "negative", [](const Tensor& a) { return neg(a); });
  both(m, cls, "logical_not", [](const Tensor& a) { return logical_not(a); });
  both(m, cls, "square", [](const Tensor& a) { return pow(a, Scalar(int64_t{2})); });

  both(m, cls, "add", [](const Tensor& a, const Operand& b, Scalar alpha) { return add(a, b.t, alpha); },
       py::arg("other"), py::kw_only(), py::arg("alpha") = Scalar(int64_t{1}));
  both(m, cls, "sub", [](const Tensor& a, const Operand& b, Scalar alpha) { return sub(a, b.t, alpha); },
       py::arg("other"), py::kw_only(), py::arg("alpha") = Scalar(int64_t{1}));
  both(m, cls, "subtract", [](const Tensor& a, const Operand& b, Scalar alpha) { return sub(a, b.t, alpha); },
       py::arg("other"), py::kw_only(), py::arg("alpha") = Scalar(int64_t{1}));
  both(m, cls, "mul", [](const Tensor& a, const Operand& b) { return mul(a, b.t); }, py::arg("other"));
  both(m, cls, "multiply", [](const Tensor& a, const Operand& b) { return mul(a, b.t); }, py::arg("other"));
  // torch.add(1.5, t) & co.: a number as input is a wrapped scalar tensor, as in torch
  // (tried only after the Tensor-first overloads above)
  for (const char* name : {"add", "sub", "subtract"}) {
    const bool is_add = name[0] == 'a';
    m.def(name, [is_add](const Operand& a, const Operand& b, Scalar alpha) {
      return is_add ? add(a.t, b.t, alpha) : sub(a.t, b.t, alpha);
    }, py::arg("input"), py::arg("other"), py::kw_only(), py::arg("alpha") = Scalar(int64_t{1}));
  }
  // torch's deprecated add(Number alpha, Tensor other) / sub(...): input + alpha * other, with
  // its warning; tried last, so x.add(y) and x.add(2) never reach it.
  for (const char* name : {"add", "sub"}) {
    const bool is_add = name[0] == 'a';
    auto deprecated = [is_add](const Tensor& a, Scalar alpha, const Operand& b) {
      warn_deprecated_alpha(is_add ? "add" : "sub");
      return is_add ? add(a, b.t, alpha) : sub(a, b.t, alpha);
    };
    cls.def(name, deprecated, py::arg("alpha"), py::arg("other"));
    m.def(name, deprecated, py::arg("input"), py::arg("alpha"), py::arg("other"));
  }
  cls.def("add_", [](Tensor& a, Scalar alpha, const Operand& b) -> Tensor& {
    warn_deprecated_alpha("add_");
    return add_(a, b.t, alpha);
  }, py::arg("alpha"), py::arg("other"));
  cls.def("sub_", [](Tensor& a, Scalar alpha, const Operand& b) -> Tensor& {
    warn_deprecated_alpha("sub_");
    return sub_(a, b.t, alpha);
  }, py::arg("alpha"), py::arg("other"));
  for (const char* name : {"mul", "multiply"})
    m.def(name, [](const Operand& a, const Operand& b) { return mul(a.t, b.t); },
          py::arg("input"), py::arg("other"));
  both(m, cls, "maximum", [](const Tensor& a, const Tensor& b) { return maximum(a, b); }, py::arg("other"));
  both(m, cls, "minimum", [](const Tensor& a, const Tensor& b) { return minimum(a, b); }, py::arg("other"));
  m.def("rsub", [](const Tensor& a, Scalar b, Scalar alpha) { return rsub(a, b, alpha); },
        py::arg("input"), py::arg("other"), py::kw_only(), py::arg("alpha") = Scalar(int64_t{1}));
  // torch.rsub(input, other: Tensor, alpha) = other - alpha * input
  m.def("rsub", [](const Tensor& a, const Tensor& b, Scalar alpha) { return rsub(a, b, alpha); },
        py::arg("input"), py::arg("other"), py::kw_only(), py::arg("alpha") = Scalar(int64_t{1}));
  // pow: tensor ** tensor, tensor ** number, number ** tensor.
  auto pow_fn = [](const py::object& a, const py::object& b) -> Tensor {
    bool ta = py::isinstance<TensorImpl>(a), tb = py::isinstance<TensorImpl>(b);
    if (ta && tb) return pow(a.cast<Tensor>(), b.cast<Tensor>());
    if (ta) return pow(a.cast<Tensor>(), b.cast<Scalar>());
    if (tb) return pow(a.cast<Scalar>(), b.cast<Tensor>());
    TG_ERROR_KIND(Type, "pow() received an invalid combination of arguments");
  };
  m.def("pow", pow_fn, py::arg("input"), py::arg("exponent"));
  cls.def("pow", pow_fn, py::arg("exponent"));
  cls.def("__pow__", [](const Tensor& a, const py::object& e) -> py::object {
    if (py::isinstance<TensorImpl>(e)) return py::cast(pow(a, e.cast<Tensor>()));
    try {
      return py::cast(pow(a, e.cast<Scalar>()));
    } catch (const py::cast_error&) {
      return py::reinterpret_borrow<py::object>(Py_NotImplemented);
    }
  });
  cls.def("__rpow__", [](const Tensor& a, const py::object& b) -> py::object {
    if (py::isinstance<TensorImpl>(b)) return py::cast(pow(b.cast<Tensor>(), a));
    try {
      return py::cast(pow(b.cast<Scalar>(), a));
    } catch (const py::cast_error&) {
      return py::reinterpret_borrow<py::object>(Py_NotImplemented);
    }
  });

  // ---- operators ----
  cls.def("__add__", [](const Tensor& a, const Operand& b) { return add(a, b.t); }, py::is_operator());
  cls.def("__radd__", [](const Tensor& a, const Operand& b) { return add(a, b.t); }, py::is_operator());
  cls.def("__sub__", [](const Tensor& a, const Operand& b) { return sub(a, b.t); }, py::is_operator());
  cls.def("__rsub__", [](const Tensor& a, Scalar b) { return rsub(a, b); }, py::is_operator());
  cls.def("__rsub__", [](const Tensor& a, const Tensor& b) { return rsub(a, b); }, py::is_operator());
  cls.def("__mul__", [](const Tensor& a, const Operand& b) { return mul(a, b.t); }, py::is_operator());
  cls.def("__rmul__", [](const Tensor& a, const Operand& b) { return mul(a, b.t); }, py::is_operator());
  cls.def("__truediv__", [](const Tensor& a, const Operand& b) { return div(a, b.t); }, py::is_operator());
  cls.def("__rtruediv__", [](const Tensor& a, const Operand& b) { return mul(reciprocal(a), b.t); }, py::is_operator());
  cls.def("__matmul__", [](const Tensor& a, const Tensor& b) { return matmul(a, b); }, py::is_operator());
  cls.def("__neg__", [](const Tensor& a) { return neg(a); });
  cls.def("__abs__", [](const Tensor& a) { return abs(a); });
  // ~ & | ^ are torch's bitwise ops (logical on bool tensors, integer bits otherwise)
  cls.def("__invert__", [](const Tensor& a) {
    TG_CHECK_KIND(Type, !is_floating(a.dtype()),
                  "~ (operator.invert) is only implemented on integer and Boolean-type tensors");
    return bitwise_not(a);
  });
  cls.def("__and__", [](const Tensor& a, const Operand& b) { return binary(OpId::BitwiseAnd, a, b.t); }, py::is_operator());
  cls.def("__or__", [](const Tensor& a, const Operand& b) { return binary(OpId::BitwiseOr, a, b.t); }, py::is_operator());
  cls.def("__xor__", [](const Tensor& a, const Operand& b) { return binary(OpId::BitwiseXor, a, b.t); }, py::is_operator());
  cls.def("__rand__", [](const Tensor& a, const Operand& b) { return binary(OpId::BitwiseAnd, b.t, a); }, py::is_operator());
  cls.def("__ror__", [](const Tensor& a, const Operand& b) { return binary(OpId::BitwiseOr, b.t, a); }, py::is_operator());
  cls.def("__rxor__", [](const Tensor& a, const Operand& b) { return binary(OpId::BitwiseXor, b.t, a); }, py::is_operator());
  cls.def("__iand__", [](Tensor& a, const Operand& b) -> Tensor& { return binary_inplace(OpId::BitwiseAnd, a, b.t); }, py::is_operator());
  cls.def("__ior__", [](Tensor& a, const Operand& b) -> Tensor& { return binary_inplace(OpId::BitwiseOr, a, b.t); }, py::is_operator());
  cls.def("__ixor__", [](Tensor& a, const Operand& b) -> Tensor& { return binary_inplace(OpId::BitwiseXor, a, b.t); }, py::is_operator());
  cls.def("__eq__", [](const Tensor& a, const Operand& b) { return compare(CmpId::Eq, a, b.t); }, py::is_operator());
  cls.def("__ne__", [](const Tensor& a, const Operand& b) { return compare(CmpId::Ne, a, b.t); }, py::is_operator());
  cls.def("__lt__", [](const Tensor& a, const Operand& b) { return compare(CmpId::Lt, a, b.t); }, py::is_operator());
  cls.def("__le__", [](const Tensor& a, const Operand& b) { return compare(CmpId::Le, a, b.t); }, py::is_operator());
  cls.def("__gt__", [](const Tensor& a, const Operand& b) { return compare(CmpId::Gt, a, b.t); }, py::is_operator());
  cls.def("__ge__", [](const Tensor& a, const Operand& b) { return compare(CmpId::Ge, a, b.t); }, py::is_operator());
  cls.def("__hash__", [](const Tensor& a) { return reinterpret_cast<intptr_t>(a.impl()); });
  // In-place operators return self (the same Python object).
  cls.def("__iadd__", [](Tensor& a, const Operand& b) { return add_(a, b.t); }, py::is_operator());
  cls.def("__isub__", [](Tensor& a, const Operand& b) { return sub_(a, b.t); }, py::is_operator());
  cls.def("__imul__", [](Tensor& a, const Operand& b) { return mul_(a, b.t); }, py::is_operator());
  cls.def("__itruediv__", [](Tensor& a, const Operand& b) { return div_(a, b.t); }, py::is_operator());

  // ---- in-place methods ----
  cls.def("add_", [](Tensor& a, const Operand& b, Scalar alpha) { return add_(a, b.t, alpha); },
          py::arg("other"), py::kw_only(), py::arg("alpha") = Scalar(int64_t{1}));
  cls.def("sub_", [](Tensor& a, const Operand& b, Scalar alpha) { return sub_(a, b.t, alpha); },
          py::arg("other"), py::kw_only(), py::arg("alpha") = Scalar(int64_t{1}));
  cls.def("mul_", [](Tensor& a, const Operand& b) { return mul_(a, b.t); }, py::arg("other"));
  cls.def("zero_", [](Tensor& a) { return zero_(a); });
  cls.def("fill_", [](Tensor& a, const Operand& v) {
    // A tensor value is torch's fill_.Tensor (FillBackward3: its gradient reaches the value).
    if (!v.t.impl()->wrapped_number) return fill_(a, v.t);
    return fill_(a, item(v.t));
  }, py::arg("value"));
  // non_blocking: accepted for torch's signature; every copy here completes before it returns
  // (a host<->device copy is synchronous), which is what non_blocking=False promises and more
  // A Python number is copied as torch's wrapped number (a complex one loses its imaginary
  // part, with torch's warning); anything else is the parser's TypeError.
  cls.def("copy_", [](Tensor& a, const py::object& src, const py::object& non_blocking) {
    TG_CHECK_KIND(Type, PyBool_Check(non_blocking.ptr()), "copy_(): argument 'non_blocking' "
                  "(position 2) must be bool, not ", Py_TYPE(non_blocking.ptr())->tp_name);
    py::detail::make_caster<Tensor> as_tensor;
    if (as_tensor.load(src, false)) return copy_(a, py::detail::cast_op<Tensor>(as_tensor));
    Scalar v;
    if (PyComplex_Check(src.ptr())) {
      if (PyErr_WarnEx(PyExc_UserWarning, "Casting complex values to real discards the "
                       "imaginary part", 1) < 0)
        throw py::error_already_set();
      v = Scalar(PyComplex_RealAsDouble(src.ptr()));
    } else {
      py::detail::make_caster<Scalar> as_number;
      if (PyLong_Check(src.ptr()) && !as_number.load(src, false)) {  // beyond int64
        PyErr_SetString(PyExc_OverflowError, "int too big to convert");
        throw py::error_already_set();
      }
      TG_CHECK_KIND(Type, as_number.load(src, false), "copy_(): argument 'other' (position 1) "
                    "must be Tensor, not ", Py_TYPE(src.ptr())->tp_name);
      v = py::detail::cast_op<Scalar>(as_number);
    }
    return copy_(a, wrapped_scalar(v));
  }, py::arg("src"), py::arg("non_blocking") = false);
  cls.def("clamp_", [](Tensor& a, py::object lo, py::object hi) -> Tensor& {
    if (numbers_as_bounds(lo, hi)) return clamp_(a, bound_scalar(lo), bound_scalar(hi));
    check_clamp_bounds("clamp_", lo, hi);
    if (py::isinstance<TensorImpl>(lo) || py::isinstance<TensorImpl>(hi)) {
      // torch's clamp_.Tensor: the tensor bounds' out-of-place clamp written back
      Tensor l = py::isinstance<TensorImpl>(lo) ? lo.cast<Tensor>() : Tensor();
      Tensor h = py::isinstance<TensorImpl>(hi) ? hi.cast<Tensor>() : Tensor();
      check_no_overlap(a, l);  // torch's TensorIterator check (clamp_(min=x.t()))
      check_no_overlap(a, h);
      Tensor other = l.defined() && l.requires_grad() ? l : h;
      return apply_inplace(a, other, [&](const Tensor& x) { return clamp_any(x, lo, hi); });
    }
    return clamp_(a, opt_scalar(lo), opt_scalar(hi));
  }, py::arg("min") = py::none(), py::arg("max") = py::none());
  cls.def("squeeze_", [](Tensor& a, int64_t d) { return squeeze_(a, d); }, py::arg("dim"));
  cls.def("squeeze_", [](Tensor& a, const std::vector<int64_t>& dims) -> Tensor& {
    return squeeze_(a, std::optional<std::vector<int64_t>>(dims));
  }, py::arg("dim"));
  cls.def("squeeze_", [](Tensor& a) -> Tensor& { return squeeze_(a, std::nullopt); });

  // ---- pointwise with arguments ----
  both(m, cls, "clamp", &clamp_any, py::arg("min") = py::none(), py::arg("max") = py::none());
  both(m, cls, "clip", &clamp_any, py::arg("min") = py::none(), py::arg("max") = py::none());
  m.def("where", [](const Tensor& c, const Operand& a, const Operand& b) { return where(c, a.t, b.t); },
        py::arg("condition"), py::arg("input"), py::arg("other"));
  // where(condition) alone is nonzero(condition, as_tuple=True)
  m.def("where", [](const Tensor& c) {
    return py::module_::import("tapegrad").attr("nonzero")(c, py::arg("as_tuple") = true);
  }, py::arg("condition"));
  cls.def("where", [](const Tensor& a, const Tensor& c, const Operand& b) { return where(c, a, b.t); },
          py::arg("condition"), py::arg("other"));

  // ---- reductions ----
  // torch's signatures: (*, dtype) and (dim, keepdim=False, *, dtype); dim may be None there
  for (bool is_mean : {false, true}) {
    const char* name = is_mean ? "mean" : "sum";
    both(m, cls, name, [name, is_mean](const Tensor& a, const py::object& dim,
                                       const py::object& keepdim, std::optional<DType> dtype) {
      const bool kd = keepdim_arg(name, dim, keepdim);
      return reduce_sum_like(a, given(dim) ? dim : py::none(), kd, dtype, is_mean);
    }, py::arg("dim") = unset(), py::arg("keepdim") = unset(), py::kw_only(),
       py::arg("dtype") = py::none());
  }
  // positional and keyword parsed by hand: a tensor in position 1 is `other`, while dim= given
  // a 0-d integer tensor is a dim (torch's overloads; pybind cannot tell the two apart)
  for (bool is_max : {true, false}) {
    const char* name = is_max ? "max" : "min";
    auto f = [is_max, name](const Tensor& a, const py::args& args, const py::kwargs& kw) {
      TG_CHECK_KIND(Type, args.size() <= 2, name, "() takes at most 2 positional arguments (",
                    args.size(), " given)");
      py::object dim = py::none(), keepdim = py::none(), other = py::none();
      if (args.size() >= 1) (py::isinstance<TensorImpl>(args[0]) ? other : dim) = args[0];
      if (args.size() == 2) keepdim = args[1];
      for (auto item : kw) {
        const std::string k = py::str(item.first);
        TG_CHECK_KIND(Type, k == "dim" || k == "keepdim" || k == "other", name,
                      "() got an unexpected keyword argument '", k, "'");
        py::object& slot = k == "dim" ? dim : k == "keepdim" ? keepdim : other;
        TG_CHECK_KIND(Type, slot.is_none(), name, "() got multiple values for argument '", k,
                      "'");
        slot = py::reinterpret_borrow<py::object>(item.second);
      }
      TG_CHECK_KIND(Type, (args.size() == 0 || !args[0].is_none()) &&
                              !(kw.contains("dim") && kw["dim"].is_none()),
                    name, "() received an invalid combination of arguments - got (NoneType)");
      if (!dim.is_none() && py::isinstance<TensorImpl>(dim)) {  // dim=tensor: its integer value
        dim = py::int_(index_value(dim));
      }
      return extreme(a, dim, keepdim, other, is_max);
    };
    m.def(name, f, py::arg("input"));
    cls.def(name, f);
  }
  both(m, cls, "amax", [](const Tensor& a, py::object dim, bool keepdim) {
    return amax(a, dim.is_none() ? std::vector<int64_t>{} : dims_from_object(dim), keepdim);
  }, py::arg("dim") = py::tuple(), py::arg("keepdim").noconvert() = false);
  both(m, cls, "amin", [](const Tensor& a, py::object dim, bool keepdim) {
    return amin(a, dim.is_none() ? std::vector<int64_t>{} : dims_from_object(dim), keepdim);
  }, py::arg("dim") = py::tuple(), py::arg("keepdim").noconvert() = false);
  both(m, cls, "argmax", [](const Tensor& a, std::optional<int64_t> dim, bool keepdim) { return argmax(a, dim, keepdim); },
       py::arg("dim") = py::none(), py::arg("keepdim").noconvert() = false);
  both(m, cls, "argmin", [](const Tensor& a, std::optional<int64_t> dim, bool keepdim) { return argmin(a, dim, keepdim); },
       py::arg("dim") = py::none(), py::arg("keepdim").noconvert() = false);
  both(m, cls, "sum_to_size", [](const Tensor& a, py::args s) { return sum_to(a, shape_from_args(s)); });

  // ---- linear algebra ----
  both(m, cls, "mm", [](const Tensor& a, const Tensor& b) { return mm(a, b); }, py::arg("mat2"));
  both(m, cls, "bmm", [](const Tensor& a, const Tensor& b) { return bmm(a, b); }, py::arg("mat2"));
  both(m, cls, "mv", [](const Tensor& a, const Tensor& b) { return mv(a, b); }, py::arg("vec"));
  both(m, cls, "dot", [](const Tensor& a, const Tensor& b) { return dot(a, b); }, py::arg("other"));
  both(m, cls, "matmul", [](const Tensor& a, const Tensor& b) { return matmul(a, b); }, py::arg("other"));
  both(m, cls, "addmm", [](const Tensor& c, const Tensor& a, const Tensor& b, Scalar beta, Scalar alpha) {
    return addmm(c, a, b, beta, alpha);
  }, py::arg("mat1"), py::arg("mat2"), py::kw_only(), py::arg("beta") = Scalar(int64_t{1}),
     py::arg("alpha") = Scalar(int64_t{1}));

  // ---- movement ----
  cls.def("view", [](const Tensor& a, py::args s, py::kwargs kw) -> py::object {
    if (kw.size() == 1 && s.size() == 0 && (kw.contains("dtype") || kw.contains("size"))) {
      // torch's keyword forms: view(dtype=...) and view(size=...)
      if (kw.contains("dtype")) s = py::make_tuple(kw["dtype"]);
      else s = py::make_tuple(kw["size"]);
    } else {
      TG_CHECK_KIND(Type, kw.size() == 0, "view() received an invalid combination of arguments");
    }
    TG_CHECK_KIND(Type, s.size() > 0, "view() received an invalid combination of arguments - "
                  "got (), but expected one of:\n * (torch.dtype dtype)\n * (tuple of ints size)");
    if (s.size() == 1 && py::isinstance<DTypeObj>(s[0]))
      return py::cast(view_dtype(a, s[0].cast<DTypeObj&>().value));
    return py::cast(view(a, shape_from_args(s)));
  });
  cls.def("reshape", [](const Tensor& a, py::args s) {
    TG_CHECK_KIND(Type, s.size() > 0, "reshape() missing 1 required positional arguments: "
                  "\"shape\"");
    return reshape(a, shape_from_args(s));
  });
  m.def("reshape", [](const Tensor& a, const Shape& s) { return reshape(a, s); }, py::arg("input"), py::arg("shape"));
  cls.def("view_as", [](const Tensor& a, const Tensor& o) { return view(a, o.sizes()); });
  cls.def("reshape_as", [](const Tensor& a, const Tensor& o) { return reshape(a, o.sizes()); });
  cls.def("expand", [](const Tensor& a, py::args s) { return expand(a, shape_from_args(s)); });
  cls.def("expand_as", [](const Tensor& a, const Tensor& o) { return expand(a, o.sizes()); });
  m.def("broadcast_to", [](const Tensor& a, const Shape& s) { return expand(a, s); });
  both(m, cls, "flatten", [](const Tensor& a, int64_t s, int64_t e) { return flatten(a, s, e); },
       py::arg("start_dim") = 0, py::arg("end_dim") = -1);
  both(m, cls, "transpose", [](const Tensor& a, int64_t d0, int64_t d1) { return transpose(a, d0, d1); },
       py::arg("dim0"), py::arg("dim1"));
  both(m, cls, "swapaxes", [](const Tensor& a, int64_t d0, int64_t d1) { return transpose(a, d0, d1); });
  both(m, cls, "t", [](const Tensor& a) { return t(a); });
  cls.def("permute", [](const Tensor& a, py::args s) {
    TG_CHECK_KIND(Type, s.size() > 0, "permute() missing 1 required positional arguments: "
                  "\"dims\"");
    return permute(a, shape_from_args(s));
  });
  m.def("permute", [](const Tensor& a, const std::vector<int64_t>& d) { return permute(a, d); }, py::arg("input"), py::arg("dims"));
  both(m, cls, "unsqueeze", [](const Tensor& a, int64_t d) { return unsqueeze(a, d); }, py::arg("dim"));
  both(m, cls, "squeeze", [](const Tensor& a, py::object dim) {
    if (!given(dim)) return squeeze(a);
    TG_CHECK_KIND(Type, !dim.is_none(), "squeeze() received an invalid combination of "
                  "arguments: dim must be an int or a tuple of ints, not NoneType");
    py::detail::make_caster<long> as_int;  // an int, or a 0-d integer tensor
    if (as_int.load(dim, true)) return squeeze(a, py::detail::cast_op<long>(as_int));
    return squeeze(a, dim.cast<std::vector<int64_t>>());
  }, py::arg("dim") = unset());
  both(m, cls, "select", [](const Tensor& a, int64_t d, int64_t i) { return select(a, d, i); },
       py::arg("dim"), py::arg("index"));
  both(m, cls, "narrow", [](const Tensor& a, int64_t d, int64_t s, int64_t n) { return slice(a, d, s, s + n); },
       py::arg("dim"), py::arg("start"), py::arg("length"));
  m.def("_slice", [](const Tensor& a, int64_t d, std::optional<int64_t> s, std::optional<int64_t> e, int64_t step) {
    return slice(a, d, s, e, step);
  });
  m.def("_index", [](const Tensor& a, const std::vector<std::optional<Tensor>>& idx) {
    std::vector<Tensor> v;
    for (auto& t : idx) v.push_back(t ? *t : Tensor());
    return index(a, v);
  });
  m.def("_index_put_", [](Tensor& a, const std::vector<std::optional<Tensor>>& idx, const Tensor& vals, bool acc) -> Tensor& {
    std::vector<Tensor> v;
    for (auto& t : idx) v.push_back(t ? *t : Tensor());
    return index_put_(a, v, vals, acc);
  });
  m.def("_alias", [](const Tensor& a) { return alias(a); });  // x[...]; torch has no public alias
  both(m, cls, "diagonal", [](const Tensor& a, int64_t off, int64_t d1, int64_t d2) {
    return diagonal(a, off, d1, d2);
  }, py::arg("offset") = 0, py::arg("dim1") = 0, py::arg("dim2") = 1);
  cls.def("unfold", [](const Tensor& a, int64_t dim, int64_t size, int64_t step) {
    return unfold(a, dim, size, step);
  }, py::arg("dimension"), py::arg("size"), py::arg("step"));
  both(m, cls, "as_strided", [](const Tensor& a, const Shape& size, const Shape& stride, std::optional<int64_t> off) {
    return as_strided(a, size, stride, off);
  }, py::arg("size"), py::arg("stride"), py::arg("storage_offset") = py::none());
  m.def("_index_put", [](const Tensor& a, const std::vector<std::optional<Tensor>>& idx, const Tensor& vals, bool acc) {
    std::vector<Tensor> v;
    for (auto& t : idx) v.push_back(t ? *t : Tensor());
    return index_put(a, v, vals, acc);
  });
  both(m, cls, "gather", [](const Tensor& a, int64_t d, const Tensor& i) { return gather(a, d, i); },
       py::arg("dim"), py::arg("index"));
  both(m, cls, "scatter_add", [](const Tensor& a, int64_t d, const Tensor& i, const Tensor& s) { return scatter_add(a, d, i, s); },
       py::arg("dim"), py::arg("index"), py::arg("src"));
  both(m, cls, "nonzero", [](const Tensor& a) { return nonzero(a); });
  m.def("cat", [](const std::vector<Tensor>& ts, int64_t d) { return cat(ts, d); }, py::arg("tensors"), py::arg("dim") = 0);
  m.def("concat", [](const std::vector<Tensor>& ts, int64_t d) { return cat(ts, d); }, py::arg("tensors"), py::arg("dim") = 0);
  m.def("stack", [](const std::vector<Tensor>& ts, int64_t d) { return stack(ts, d); }, py::arg("tensors"), py::arg("dim") = 0);
  // Reached only when the typed overloads above reject the arguments: torch's TypeErrors for a
  // sequence holding something other than tensors (pybind's overload listing otherwise).
  auto join_fallback = [](const char* fn, Tensor (*op)(const TensorList&, int64_t)) {
    return [fn, op](py::object ts, py::object dim) -> Tensor {
      TG_CHECK_KIND(Type, py::isinstance<py::sequence>(ts) && !py::isinstance<py::str>(ts) &&
                              !py::isinstance<TensorImpl>(ts), fn,
                    "(): argument 'tensors' (position 1) must be tuple of Tensors, not ",
                    Py_TYPE(ts.ptr())->tp_name);
      TG_CHECK_KIND(Type, py::isinstance<py::int_>(dim) && !PyBool_Check(dim.ptr()), fn,
                    "(): argument 'dim' must be int, not ",
                    Py_TYPE(dim.ptr())->tp_name);
      TensorList v;
      for (auto item : ts) {
        TG_CHECK_KIND(Type, py::isinstance<TensorImpl>(item), "expected Tensor as element ",
                      v.size(), " in argument 0, but got ", Py_TYPE(item.ptr())->tp_name);
        v.push_back(item.cast<Tensor>());
      }
      return op(v, dim.cast<int64_t>());
    };
  };
  m.def("cat", join_fallback("cat", [](const TensorList& v, int64_t d) { return cat(v, d); }),
        py::arg("tensors"), py::arg("dim") = 0);
  m.def("concat", join_fallback("cat", [](const TensorList& v, int64_t d) { return cat(v, d); }),
        py::arg("tensors"), py::arg("dim") = 0);
  m.def("stack", join_fallback("stack", [](const TensorList& v, int64_t d) { return stack(v, d); }),
        py::arg("tensors"), py::arg("dim") = 0);
  // div / true_divide / div_, clone, contiguous, _to_dtype: bind_layout.cpp (memory_format=,
  // rounding_mode=)
  cls.def("_to_device", [](const Tensor& a, const std::string& dev, DType dt, bool copy) {
    return to(a, parse_device(dev), dt, copy);
  });

  // ---- nn ----
  both(m, cls, "softmax", [](const Tensor& a, int64_t d, std::optional<DType> dt) { return softmax(a, d, dt); },
       py::arg("dim"), py::arg("dtype") = py::none());
  both(m, cls, "log_softmax", [](const Tensor& a, int64_t d, std::optional<DType> dt) { return log_softmax(a, d, dt); },
       py::arg("dim"), py::arg("dtype") = py::none());
  m.def("_mse_loss", [](const Tensor& a, const Tensor& b, const std::string& r) { return mse_loss(a, b, parse_reduction(r)); });
  m.def("_binary_cross_entropy", [](const Tensor& a, const Tensor& b, std::optional<Tensor> w, const std::string& r) {
    return binary_cross_entropy(a, b, w.value_or(Tensor()), parse_reduction(r));
  });
  m.def("_binary_cross_entropy_with_logits", [](const Tensor& a, const Tensor& b, std::optional<Tensor> w,
                                                std::optional<Tensor> pw, const std::string& r) {
    return binary_cross_entropy_with_logits(a, b, w.value_or(Tensor()), pw.value_or(Tensor()), parse_reduction(r));
  });
  m.def("_nll_loss", [](const Tensor& a, const Tensor& t, std::optional<Tensor> w, const std::string& r, int64_t ii) {
    return nll_loss(a, t, w.value_or(Tensor()), parse_reduction(r), ii);
  });
  m.def("_cross_entropy", [](const Tensor& a, const Tensor& t, std::optional<Tensor> w, const std::string& r, int64_t ii,
                             double ls) {
    return cross_entropy(a, t, w.value_or(Tensor()), parse_reduction(r), ii, ls);
  });
  m.def("_linear", [](const Tensor& x, const Tensor& w, std::optional<Tensor> b) { return linear(x, w, b.value_or(Tensor())); });

  // ---- factories ----
  m.def("_full", [](const Shape& s, Scalar v, DType dt, const std::string& dev) {
    return full(s, v, dt, parse_device(dev));
  }, py::arg("size"), py::arg("value"), py::arg("dtype"), py::arg("device") = "cpu");
  m.def("_empty", [](const Shape& s, DType dt, const std::string& dev) {
    return empty(s, dt, parse_device(dev));
  }, py::arg("size"), py::arg("dtype"), py::arg("device") = "cpu");
  m.def("_arange", [](double a, double b, double st, DType dt) { return arange(a, b, st, dt); });
  m.def("_linspace", [](double a, double b, int64_t n, DType dt) { return linspace(a, b, n, dt); });
  m.def("_logspace", [](double a, double b, int64_t n, double base, DType dt) {
    return logspace(a, b, n, base, dt);
  });
  m.def("_eye", [](int64_t n, int64_t k, DType dt) { return eye(n, k, dt); });
  m.def("_rand", [](const Shape& s, DType dt) { return rand(s, dt); });
  m.def("_randn", [](const Shape& s, DType dt) { return randn(s, dt); });
  m.def("_randint", [](int64_t lo, int64_t hi, const Shape& s, DType dt) { return randint(lo, hi, s, dt); });
  m.def("manual_seed", [](uint64_t s) { manual_seed(s); });
  m.def("_initial_seed", []() { return initial_seed(); });

  bind_shape_ops(m);
  bind_math_ops(m);
  bind_index_ops(m);
  bind_math_extra(m);
  bind_special(m);
  bind_linalg(m);  // helper L
  reflected_fallbacks(m);  // after every reflected operator above

  // The op table manifest (tests check every row has a test case).
  m.def("_op_table", []() {
    py::list rows;
#define TG_UNARY(Id, name, GradFn, Functor, to_float, saves) \
  rows.append(py::dict(py::arg("name") = #name, py::arg("grad_fn") = #GradFn, py::arg("family") = "unary"));
#define TG_BINARY(Id, name, GradFn, Functor, saves) \
  rows.append(py::dict(py::arg("name") = #name, py::arg("grad_fn") = #GradFn, py::arg("family") = "binary"));
#define TG_COMPARE(Id, name, Functor) \
  rows.append(py::dict(py::arg("name") = #name, py::arg("grad_fn") = py::none(), py::arg("family") = "compare"));
#define TG_OP(Id, name, GradFn) \
  rows.append(py::dict(py::arg("name") = #name, py::arg("grad_fn") = #GradFn, py::arg("family") = "other"));
#include <tapegrad/ops/ops.def>
    return rows;
  });
}

}  // namespace bind
}  // namespace tapegrad
