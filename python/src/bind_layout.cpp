// Memory formats (memory_format= of clone / contiguous / is_contiguous / to and the dtype
// conversions) and div's rounding_mode, in the bindings: the argument-free call of each method
// is its first overload, so the common case pays nothing for the keyword.
//
// The memory_format objects stay Python's (tapegrad/_memory_format.py); it hands the four
// singletons over once (_set_memory_formats) and they are compared by identity here.
#include <tapegrad/ops/div_mode.h>
#include <tapegrad/ops/memory_format.h>

#include "common.h"

namespace tapegrad {
namespace bind {

namespace {

using Cls = py::class_<TensorImpl, std::shared_ptr<TensorImpl>>;

// The Python memory_format objects by MemoryFormat value (raw references, never released).
PyObject* g_formats[4] = {nullptr, nullptr, nullptr, nullptr};

std::string type_name(py::handle o) {
  if (py::isinstance<TensorImpl>(o)) return "Tensor";
  if (py::isinstance<DTypeObj>(o)) return "torch.dtype";
  for (PyObject* f : g_formats)
    if (f && o.ptr() == f) return "torch.memory_format";
  return Py_TYPE(o.ptr())->tp_name;
}

// `fn`(): argument 'memory_format' must be torch.memory_format, not T  (torch's TypeError).
MemoryFormat parse_format(py::handle o, const char* fn, bool none_is_preserve) {
  for (int k = 0; k < 4; ++k)
    if (g_formats[k] && o.ptr() == g_formats[k]) return static_cast<MemoryFormat>(k);
  if (none_is_preserve && o.is_none()) return MemoryFormat::Preserve;
  TG_ERROR_KIND(Type, fn, "(): argument 'memory_format' must be torch.memory_format, not ",
                Py_TYPE(o.ptr())->tp_name);
}

// torch's "received an invalid combination of arguments" TypeError: the arguments' types as
// given, then the signatures it accepts.
[[noreturn]] void invalid_combination(const char* fn, const std::vector<py::handle>& args,
                                      const py::dict& kwargs, const char* signatures) {
  std::string got;
  for (auto a : args) got += (got.empty() ? "" : ", ") + type_name(a);
  for (auto kv : kwargs)
    got += (got.empty() ? "" : ", ") + py::str(kv.first).cast<std::string>() + "=" +
           type_name(kv.second);
  TG_ERROR_KIND(Type, fn, "() received an invalid combination of arguments - got (", got,
                "), but expected one of:\n", signatures);
}

const char* kToSignatures =
    " * (torch.device device = None, torch.dtype dtype = None, bool non_blocking = False, "
    "bool copy = False, *, torch.memory_format memory_format = None)\n"
    " * (torch.dtype dtype, bool non_blocking = False, bool copy = False, *, "
    "torch.memory_format memory_format = None)\n"
    " * (Tensor tensor, bool non_blocking = False, bool copy = False, *, "
    "torch.memory_format memory_format = None)\n";

// Tensor.to(...) with no device change (dtype / tensor / copy / non_blocking / memory_format);
// anything that names a device other than the tensor's own goes to the Python implementation
// (Tensor._to_fallback, tapegrad/_tensor.py), which knows torch.device and CUDA.
py::object to_method(py::object self_obj, py::args args, py::kwargs kwargs) {
  const Tensor self = self_obj.cast<Tensor>();
  std::optional<DType> dtype;
  bool copy = false, device_change = false;
  MemoryFormat fmt = MemoryFormat::Preserve;
  int nflags = 0;
  auto fail = [&]() {
    std::vector<py::handle> as(args.begin(), args.end());
    invalid_combination("to", as, kwargs, kToSignatures);
  };
  auto same_device = [&](py::handle dev) {
    if (py::isinstance<py::str>(dev)) return dev.cast<std::string>() == self.device().str();
    return false;  // torch.device objects, ordinals: the Python path decides
  };
  // The positional shape of the three signatures: a head (a tensor; a dtype; a device, then
  // maybe a dtype), then at most two bools (non_blocking, copy).
  size_t head = 0;
  if (args.size() > 0 && !PyBool_Check(args[0].ptr())) {
    head = 1;
    if (!py::isinstance<TensorImpl>(args[0]) && !py::isinstance<DTypeObj>(args[0]) &&
        args.size() > 1) {  // (device, dtype, ...): a dtype (or None) comes next
      if (!py::isinstance<DTypeObj>(args[1]) && !args[1].is_none()) fail();
      head = 2;
    }
  }
  for (size_t k = head; k < args.size(); ++k)
    if (!PyBool_Check(args[k].ptr()) || k - head >= 2) fail();
  // what the positional head fixed: a tensor or a dtype leaves no device= or dtype= keyword (no
  // signature has them beside it), a device no device=, a (device, dtype) pair neither
  const bool head_dtype_sig = head >= 1 && (py::isinstance<TensorImpl>(args[0]) ||
                                            py::isinstance<DTypeObj>(args[0]));
  const bool no_device_kw = head >= 1, no_dtype_kw = head_dtype_sig || head == 2;
  for (py::handle a : args) {
    if (py::isinstance<DTypeObj>(a)) {
      dtype = a.cast<DType>();
    } else if (PyBool_Check(a.ptr())) {
      if (++nflags == 2) copy = a.ptr() == Py_True;  // (non_blocking, copy)
    } else if (py::isinstance<TensorImpl>(a)) {
      Tensor o = a.cast<Tensor>();
      dtype = o.dtype();
      if (!(o.device() == self.device())) device_change = true;
    } else if (!same_device(a)) {
      device_change = true;
    }
  }
  for (auto kv : kwargs) {
    const std::string k = py::str(kv.first);
    py::handle v = kv.second;
    if (k == "dtype") {
      if (no_dtype_kw) fail();
      if (py::isinstance<DTypeObj>(v)) dtype = v.cast<DType>();
      else if (!v.is_none()) fail();
    } else if (k == "device") {
      if (no_device_kw) fail();
      if (!v.is_none() && !same_device(v)) device_change = true;
    } else if (k == "copy") {
      copy = PyObject_IsTrue(v.ptr()) == 1;
    } else if (k == "non_blocking") {
    } else if (k == "memory_format") {
      if (!v.is_none()) {
        bool known = false;
        for (PyObject* f : g_formats) known = known || (f && v.ptr() == f);
        if (!known) fail();
        fmt = parse_format(v, "to", true);
      }
    } else {
      fail();
    }
  }
  if (device_change) {
    py::object fallback = self_obj.attr("_to_fallback");
    return fallback(*args, **kwargs);
  }
  return py::cast(to(self, dtype.value_or(self.dtype()), copy, fmt));
}

// ---- div with rounding_mode ----

DivMode parse_mode(py::handle mode) {
  if (mode.is_none()) return DivMode::True;
  const std::string m = mode.cast<std::string>();
  if (m == "trunc") return DivMode::Trunc;
  if (m == "floor") return DivMode::Floor;
  TG_ERROR("div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '", m,
           "'");
}

const char* kDivMethodSignatures =
    " * (Tensor other)\n * (Tensor other, *, str rounding_mode)\n"
    " * (Number other, *, str rounding_mode)\n";
const char* kDivSignatures =
    " * (Tensor input, Tensor other, *, Tensor out = None)\n"
    " * (Tensor input, Tensor other, *, str rounding_mode, Tensor out = None)\n"
    " * (Tensor input, Number other, *, str rounding_mode)\n";

// A rounding_mode that is neither None nor a str: torch's invalid-combination TypeError.
void check_mode_type(const char* fn, bool method, py::handle mode,
                     std::vector<py::handle> args) {
  if (mode.is_none() || py::isinstance<py::str>(mode)) return;
  py::dict kw;
  kw["rounding_mode"] = mode;
  invalid_combination(fn, args, kw, method ? kDivMethodSignatures : kDivSignatures);
}

// div with rounding_mode given (None included): torch's div.Tensor_mode, whose node is
// DivBackward2 (recorded by tapegrad._div_modes._record, with torch's _saved_self /
// _saved_other / _saved_rounding_mode; zero gradients for 'trunc' and 'floor', true division's
// for None) when autograd sees an input.
Tensor div_mode(const Tensor& a, const Tensor& b, py::handle mode) {
  const DivMode m = parse_mode(mode);
  Tensor out;
  {
    NoGradGuard no_grad;
    out = div_rounded(a, b, m);
  }
  if (is_floating(out.dtype()) && any_requires_grad({a, b})) {
    static PyObject* record = nullptr;  // never released
    if (!record)
      record = py::object(py::module_::import("tapegrad._div_modes").attr("_record")).release().ptr();
    py::handle fn(record);
    fn(a, b, out, mode, a.impl()->wrapped_number, b.impl()->wrapped_number);
  }
  return out;
}

Tensor& div_mode_(Tensor& a, const Tensor& b, py::handle mode) {
  parse_mode(mode);  // its error before any other
  return apply_inplace(a, b, [&](const Tensor& old) { return div_mode(old, b, mode); });
}

}  // namespace

void bind_layout(py::module_& m) {
  Cls cls = py::reinterpret_borrow<Cls>(m.attr("Tensor"));

  m.def("_set_memory_formats", [](py::object contiguous, py::object preserve, py::object last,
                                  py::object last_3d) {
    PyObject* objs[4] = {contiguous.ptr(), preserve.ptr(), last.ptr(), last_3d.ptr()};
    for (int k = 0; k < 4; ++k) {
      Py_INCREF(objs[k]);
      g_formats[k] = objs[k];
    }
  });

  // ---- memory formats ----
  cls.def("clone", [](const Tensor& a) { return clone(a, MemoryFormat::Preserve); });
  cls.def("clone", [](const Tensor& a, py::handle f) {
    return clone(a, parse_format(f, "clone", true));
  }, py::kw_only(), py::arg("memory_format"));
  m.def("clone", [](const Tensor& a) { return clone(a, MemoryFormat::Preserve); },
        py::arg("input"));
  m.def("clone", [](const Tensor& a, py::handle f) {
    return clone(a, parse_format(f, "clone", true));
  }, py::arg("input"), py::kw_only(), py::arg("memory_format"));

  cls.def("contiguous", [](const Tensor& a) { return contiguous(a, MemoryFormat::Contiguous); });
  cls.def("contiguous", [](const Tensor& a, py::handle f) {
    return contiguous(a, parse_format(f, "contiguous", false));
  }, py::kw_only(), py::arg("memory_format"));

  cls.def("is_contiguous", [](const Tensor& a) { return a.is_contiguous(); });
  cls.def("is_contiguous", [](const Tensor& a, py::handle f) {
    return is_contiguous(a, parse_format(f, "is_contiguous", false));
  }, py::kw_only(), py::arg("memory_format"));

  // the conversions: float(), long(), ... (memory_format=None is preserve_format, as torch's)
  static const std::pair<const char*, DType> conversions[] = {
      {"float", DType::Float32}, {"double", DType::Float64}, {"half", DType::Float16},
      {"bfloat16", DType::BFloat16}, {"long", DType::Int64}, {"int", DType::Int32},
      {"short", DType::Int16}, {"char", DType::Int8}, {"byte", DType::UInt8},
      {"bool", DType::Bool}};
  for (const auto& c : conversions) {
    const DType dt = c.second;
    const char* name = c.first;
    cls.def(name, [dt](const Tensor& a) { return to(a, dt, false, MemoryFormat::Preserve); });
    cls.def(name, [dt, name](const Tensor& a, py::handle f) {
      return to(a, dt, false, parse_format(f, name, true));
    }, py::kw_only(), py::arg("memory_format"));
  }
  cls.def("to", &to_method);
  // The dtype step of the Python .to() (device changes): the same rules as .to().
  cls.def("_to_dtype", [](const Tensor& a, DType dt, bool copy, py::handle f) {
    return to(a, dt, copy, parse_format(f, "to", true));
  }, py::arg("dtype"), py::arg("copy") = false, py::arg("memory_format") = py::none());

  // ---- div / divide (rounding_mode), true_divide ----
  for (const char* name : {"div", "divide"}) {
    cls.def(name, [](const Tensor& a, const Operand& b) { return div(a, b.t); }, py::arg("other"));
    cls.def(name, [name](py::object self, py::object other, py::handle mode) {
      check_mode_type(name, true, mode, {other});
      return div_mode(self.cast<Tensor>(), other.cast<Operand>().t, mode);
    }, py::arg("other"), py::kw_only(), py::arg("rounding_mode"));
    m.def(name, [](const Tensor& a, const Operand& b) { return div(a, b.t); }, py::arg("input"),
          py::arg("other"));
    // a number input too (torch wraps it, as it does a number other)
    m.def(name, [name](py::object input, py::object other, py::handle mode) {
      check_mode_type(name, false, mode, {input, other});
      return div_mode(input.cast<Operand>().t, other.cast<Operand>().t, mode);
    }, py::arg("input"), py::arg("other"), py::kw_only(), py::arg("rounding_mode") = py::none());
    const std::string inplace = std::string(name) + "_";
    cls.def(inplace.c_str(), [](Tensor& a, const Operand& b) { return div_(a, b.t); },
            py::arg("other"));
    cls.def(inplace.c_str(), [inplace](py::object self, py::object other, py::handle mode) {
      check_mode_type(inplace.c_str(), true, mode, {other});
      Tensor a = self.cast<Tensor>();
      div_mode_(a, other.cast<Operand>().t, mode);
      return self;
    }, py::arg("other"), py::kw_only(), py::arg("rounding_mode"));
  }
  cls.def("true_divide", [](const Tensor& a, const Operand& b) { return div(a, b.t); },
          py::arg("other"));
  m.def("true_divide", [](const Tensor& a, const Operand& b) { return div(a, b.t); },
        py::arg("input"), py::arg("other"));
  m.def("true_divide", [](const Operand& a, const Operand& b) { return div(a.t, b.t); },
        py::arg("input"), py::arg("other"));  // a number first: a wrapped scalar, as torch
  cls.def("true_divide_", [](Tensor& a, const Operand& b) { return div_(a, b.t); },
          py::arg("other"));
  // true_divide takes no rounding_mode (nor anything else): torch's TypeError
  for (const char* name : {"true_divide", "true_divide_"})
    cls.def(name, [name](py::object, py::args args, py::kwargs kwargs) {
      std::vector<py::handle> as(args.begin(), args.end());
      invalid_combination(name, as, kwargs, " * (Tensor other)\n * (Number other)\n");
    });
}

}  // namespace bind
}  // namespace tapegrad
