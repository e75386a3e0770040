// Bindings of the elementwise math beyond the core arithmetic: atan2 / arctan2, hypot, xlogy,
// fmod, remainder, floor_divide (and the //, % operators), clamp_min / clamp_max, logit, each
// with its in-place method; isclose / allclose / equal, count_nonzero, diff; sort / argsort /
// topk, nan_to_num, masked_select. A Python number operand takes torch's number overload (its own
// grad_fn: FmodBackward0, ClampMinBackward0, ...). Called from bind_ops().
#include <tapegrad/ops/compare_ops.h>

#include "common.h"

namespace tapegrad {
namespace bind {

namespace {

using Cls = py::class_<TensorImpl, std::shared_ptr<TensorImpl>>;

bool is_number(const Operand& o) { return o.t.impl()->wrapped_number; }

// torch's TypeError for a non-Tensor argument of a Tensor-only parameter.
[[noreturn]] void not_tensor(const char* fn, const char* arg, int pos, const py::handle& o) {
  TG_ERROR_KIND(Type, fn, "(): argument '", arg, "' (position ", pos, ") must be Tensor, not ",
                Py_TYPE(o.ptr())->tp_name);
}

// Registers torch.<name>(input, other) and Tensor.<name>(other) for a Tensor-only binary row,
// with torch's TypeError for anything else, and Tensor.<name>_(other).
void tensor_binary(py::module_& m, Cls& cls, const char* name, OpId op) {
  m.def(name, [op](const Tensor& a, const Tensor& b) { return binary(op, a, b); },
        py::arg("input"), py::arg("other"));
  m.def(name, [name](py::object a, py::object b) -> Tensor {
    if (!py::isinstance<TensorImpl>(a)) not_tensor(name, "input", 1, a);
    not_tensor(name, "other", 2, b);
  }, py::arg("input"), py::arg("other"));
  cls.def(name, [op](const Tensor& a, const Tensor& b) { return binary(op, a, b); },
          py::arg("other"));
  cls.def(name, [name](const Tensor&, py::object b) -> Tensor { not_tensor(name, "other", 1, b); },
          py::arg("other"));
  const std::string inplace = std::string(name) + "_";
  cls.def(inplace.c_str(), [op](Tensor& a, const Tensor& b) -> Tensor& {
    return binary_inplace(op, a, b);
  }, py::arg("other"));
}

Tensor fmod_any(const Tensor& a, const Operand& b) {
  return is_number(b) ? fmod(a, item(b.t)) : fmod(a, b.t);
}
Tensor remainder_any(const Tensor& a, const Operand& b) {
  return is_number(b) ? remainder(a, item(b.t)) : remainder(a, b.t);
}
// clamp_min_ / clamp_max_ by a number: torch's dtype checks and wording, before any write.
void clamp_inplace_check(const Tensor& a, Scalar b, bool is_min) {
  check_clamp_inplace(a, is_min ? std::optional<Scalar>(b) : std::nullopt,
                      is_min ? std::nullopt : std::optional<Scalar>(b),
                      is_min ? "clamp_min_scalar_cpu" : "clamp_max_scalar_cpu");
}

Tensor clamp_min_any(const Tensor& a, const Operand& b) {
  return is_number(b) ? clamp_min(a, item(b.t)) : clamp_min(a, b.t);
}
Tensor clamp_max_any(const Tensor& a, const Operand& b) {
  return is_number(b) ? clamp_max(a, item(b.t)) : clamp_max(a, b.t);
}
Tensor xlogy_any(const Operand& a, const Operand& b) {
  TG_CHECK_KIND(Type, !(is_number(a) && is_number(b)),
                "xlogy() received an invalid combination of arguments - got (Number, Number)");
  if (is_number(a)) return xlogy(item(a.t), b.t);
  if (is_number(b)) return xlogy(a.t, item(b.t));
  return xlogy(a.t, b.t);
}

// Tensor.<name>_(other) for an op taking a tensor or a number: a = f(a, other) in place.
template <class F>
void inplace_any(Cls& cls, const char* name, F f) {
  cls.def(name, [f](Tensor& a, const Operand& b) -> Tensor& {
    const Tensor other = is_number(b) ? Tensor() : b.t;
    return apply_inplace(a, other, [&](const Tensor& x) { return f(x, b); });
  }, py::arg("other"));
}

}  // namespace

void bind_math_ops(py::module_& m) {
  Cls cls = py::reinterpret_borrow<Cls>(m.attr("Tensor"));

  // numpy-style aliases of the inverse trigonometric rows (same nodes: AsinBackward0, ...)
  const std::pair<const char*, OpId> aliases[] = {
      {"arcsin", OpId::Asin},   {"arccos", OpId::Acos},   {"arctan", OpId::Atan},
      {"arcsinh", OpId::Asinh}, {"arccosh", OpId::Acosh}, {"arctanh", OpId::Atanh}};
  for (const auto& [name, op] : aliases) {
    m.def(name, [op = op](const Tensor& a) { return unary(op, a); }, py::arg("input"));
    cls.def(name, [op = op](const Tensor& a) { return unary(op, a); });
    cls.def((std::string(name) + "_").c_str(),
            [op = op](Tensor& a) -> Tensor& { return unary_(op, a); });
  }

  tensor_binary(m, cls, "atan2", OpId::Atan2);
  tensor_binary(m, cls, "arctan2", OpId::Atan2);
  tensor_binary(m, cls, "hypot", OpId::Hypot);

  m.def("xlogy", &xlogy_any, py::arg("input"), py::arg("other"));
  cls.def("xlogy", [](const Tensor& a, const Operand& b) { return xlogy_any(Operand{a}, b); },
          py::arg("other"));
  inplace_any(cls, "xlogy_", [](const Tensor& a, const Operand& b) { return xlogy_any(Operand{a}, b); });

  m.def("fmod", &fmod_any, py::arg("input"), py::arg("other"));
  cls.def("fmod", &fmod_any, py::arg("other"));
  inplace_any(cls, "fmod_", &fmod_any);
  m.def("remainder", &remainder_any, py::arg("input"), py::arg("other"));
  cls.def("remainder", &remainder_any, py::arg("other"));
  inplace_any(cls, "remainder_", &remainder_any);
  auto floor_div = [](const Tensor& a, const Operand& b) { return floor_divide(a, b.t); };
  m.def("floor_divide", floor_div, py::arg("input"), py::arg("other"));
  // a number first (torch.remainder(1.5, t)): a wrapped scalar tensor, as in torch
  m.def("remainder", [](const Operand& a, const Operand& b) {
    TG_CHECK_KIND(Type, !(is_number(a) && is_number(b)),
                  "remainder() received an invalid combination of arguments - got (",
                  a.t.dtype() == DType::Float64 ? "float" : "int", ", ",
                  b.t.dtype() == DType::Float64 ? "float" : "int",
                  "), but expected one of:\n * (Tensor input, Tensor other, *, Tensor out = None)\n"
                  " * (Number self, Tensor other)\n"
                  " * (Tensor input, Number other, *, Tensor out = None)\n");
    return remainder(a.t, b.t);
  }, py::arg("input"), py::arg("other"));
  m.def("floor_divide", [](const Operand& a, const Operand& b) { return floor_divide(a.t, b.t); },
        py::arg("input"), py::arg("other"));
  cls.def("floor_divide", floor_div, py::arg("other"));
  cls.def("floor_divide_", [](Tensor& a, const Operand& b) -> Tensor& {
    return binary_inplace(OpId::FloorDivide, a, b.t);
  }, py::arg("other"));

  // operators: x // y is floor_divide, x % y remainder (number on the right: RemainderBackward0)
  cls.def("__floordiv__", floor_div, py::is_operator());
  cls.def("__rfloordiv__", [](const Tensor& a, const Operand& b) { return floor_divide(b.t, a); },
          py::is_operator());
  cls.def("__mod__", &remainder_any, py::is_operator());
  cls.def("__rmod__", [](const Tensor& a, const Operand& b) { return remainder(b.t, a); },
          py::is_operator());
  cls.def("__ifloordiv__", [](Tensor& a, const Operand& b) -> Tensor& {
    return binary_inplace(OpId::FloorDivide, a, b.t);
  }, py::is_operator());
  cls.def("__imod__", [](Tensor& a, const Operand& b) -> Tensor& {
    const Tensor other = is_number(b) ? Tensor() : b.t;
    return apply_inplace(a, other, [&](const Tensor& x) { return remainder_any(x, b); });
  }, py::is_operator());

  m.def("clamp_min", &clamp_min_any, py::arg("input"), py::arg("min"));
  cls.def("clamp_min", &clamp_min_any, py::arg("min"));
  m.def("clamp_max", &clamp_max_any, py::arg("input"), py::arg("max"));
  cls.def("clamp_max", &clamp_max_any, py::arg("max"));
  for (const char* name : {"clamp_min_", "clamp_max_"}) {
    const bool is_min = name[7] == 'i';  // clamp_m[i]n_ / clamp_m[a]x_
    cls.def(name, [is_min](Tensor& a, const Operand& b) -> Tensor& {
      const Tensor other = is_number(b) ? Tensor() : b.t;
      if (is_number(b)) clamp_inplace_check(a, item(b.t), is_min);
      return apply_inplace(a, other, [&](const Tensor& x) {
        return is_min ? clamp_min_any(x, b) : clamp_max_any(x, b);
      });
    }, py::arg(is_min ? "min" : "max"));
  }
  m.def("clamp_min_", [](Tensor& a, const Operand& b) -> Tensor& {
    const Tensor other = is_number(b) ? Tensor() : b.t;
    if (is_number(b)) clamp_inplace_check(a, item(b.t), true);
    return apply_inplace(a, other, [&](const Tensor& x) { return clamp_min_any(x, b); });
  }, py::arg("input"), py::arg("min"));
  m.def("clamp_max_", [](Tensor& a, const Operand& b) -> Tensor& {
    const Tensor other = is_number(b) ? Tensor() : b.t;
    if (is_number(b)) clamp_inplace_check(a, item(b.t), false);
    return apply_inplace(a, other, [&](const Tensor& x) { return clamp_max_any(x, b); });
  }, py::arg("input"), py::arg("max"));

  auto isclose_fn = [](const Tensor& a, const Tensor& b, double rtol, double atol, bool nan) {
    return isclose(a, b, rtol, atol, nan);
  };
  auto allclose_fn = [](const Tensor& a, const Tensor& b, double rtol, double atol, bool nan) {
    return allclose(a, b, rtol, atol, nan);
  };
  m.def("isclose", isclose_fn, py::arg("input"), py::arg("other"), py::arg("rtol") = 1e-5,
        py::arg("atol") = 1e-8, py::arg("equal_nan").noconvert() = false);
  cls.def("isclose", isclose_fn, py::arg("other"), py::arg("rtol") = 1e-5,
          py::arg("atol") = 1e-8, py::arg("equal_nan").noconvert() = false);
  m.def("allclose", allclose_fn, py::arg("input"), py::arg("other"), py::arg("rtol") = 1e-5,
        py::arg("atol") = 1e-8, py::arg("equal_nan").noconvert() = false);
  cls.def("allclose", allclose_fn, py::arg("other"), py::arg("rtol") = 1e-5,
          py::arg("atol") = 1e-8, py::arg("equal_nan").noconvert() = false);
  auto equal_fn = [](const Tensor& a, const Tensor& b) { return equal(a, b); };
  m.def("equal", equal_fn, py::arg("input"), py::arg("other"));
  cls.def("equal", equal_fn, py::arg("other"));

  // dim: None (all), an int, or a tuple / list of ints
  auto count_fn = [](const Tensor& a, const py::object& dim) {
    if (dim.is_none()) return count_nonzero(a);
    std::vector<int64_t> dims = dims_from_object(dim);
    if (dims.empty()) return count_nonzero(a);
    return count_nonzero(a, dims);
  };
  m.def("count_nonzero", count_fn, py::arg("input"), py::arg("dim") = py::none());
  cls.def("count_nonzero", count_fn, py::arg("dim") = py::none());

  auto diff_fn = [](const Tensor& a, int64_t n, int64_t dim, std::optional<Tensor> prepend,
                    std::optional<Tensor> append) {
    return diff(a, n, dim, prepend.value_or(Tensor()), append.value_or(Tensor()));
  };
  m.def("diff", diff_fn, py::arg("input"), py::arg("n") = 1, py::arg("dim") = -1,
        py::arg("prepend") = py::none(), py::arg("append") = py::none());
  cls.def("diff", diff_fn, py::arg("n") = 1, py::arg("dim") = -1,
          py::arg("prepend") = py::none(), py::arg("append") = py::none());

  // sort / argsort / topk: (values, indices) named tuples as torch's return_types
  auto named = [](const char* name, std::pair<Tensor, Tensor> r) {
    py::object ret = py::module_::import("tapegrad.return_types").attr(name);
    return ret(r.first, r.second);
  };
  // stable given (even False) selects torch's sort.stable overload (SortBackward1)
  auto sort_fn = [named](const Tensor& a, int64_t dim, bool descending, const py::object& stable) {
    std::optional<bool> st;
    if (!stable.is_none()) st = stable.cast<bool>();
    return named("sort", sort(a, dim, descending, st));
  };
  m.def("sort", sort_fn, py::arg("input"), py::arg("dim") = -1, py::arg("descending").noconvert() = false,
        py::kw_only(), py::arg("stable").noconvert() = py::none());
  cls.def("sort", sort_fn, py::arg("dim") = -1, py::arg("descending").noconvert() = false, py::kw_only(),
          py::arg("stable").noconvert() = py::none());
  auto argsort_fn = [](const Tensor& a, int64_t dim, bool descending, bool stable) {
    return argsort(a, dim, descending, stable);
  };
  m.def("argsort", argsort_fn, py::arg("input"), py::arg("dim") = -1,
        py::arg("descending").noconvert() = false, py::kw_only(), py::arg("stable").noconvert() = false);
  cls.def("argsort", argsort_fn, py::arg("dim") = -1, py::arg("descending").noconvert() = false,
          py::kw_only(), py::arg("stable").noconvert() = false);
  auto topk_fn = [named](const Tensor& a, int64_t k, std::optional<int64_t> dim, bool largest,
                         bool sorted) { return named("topk", topk(a, k, dim, largest, sorted)); };
  m.def("topk", topk_fn, py::arg("input"), py::arg("k"), py::arg("dim") = py::none(),
        py::arg("largest").noconvert() = true, py::arg("sorted").noconvert() = true);
  cls.def("topk", topk_fn, py::arg("k"), py::arg("dim") = py::none(), py::arg("largest").noconvert() = true,
          py::arg("sorted").noconvert() = true);

  auto nan_to_num_fn = [](const Tensor& a, std::optional<double> nan, std::optional<double> posinf,
                          std::optional<double> neginf) { return nan_to_num(a, nan, posinf, neginf); };
  m.def("nan_to_num", nan_to_num_fn, py::arg("input"), py::arg("nan") = 0.0,
        py::arg("posinf") = py::none(), py::arg("neginf") = py::none());
  cls.def("nan_to_num", nan_to_num_fn, py::arg("nan") = 0.0, py::arg("posinf") = py::none(),
          py::arg("neginf") = py::none());
  cls.def("nan_to_num_", [](Tensor& a, std::optional<double> nan, std::optional<double> posinf,
                            std::optional<double> neginf) -> Tensor& {
    return apply_inplace(a, Tensor(), [&](const Tensor& x) { return nan_to_num(x, nan, posinf, neginf); });
  }, py::arg("nan") = 0.0, py::arg("posinf") = py::none(), py::arg("neginf") = py::none());
  auto masked_select_fn = [](const Tensor& a, const Tensor& mask) { return masked_select(a, mask); };
  m.def("masked_select", masked_select_fn, py::arg("input"), py::arg("mask"));
  cls.def("masked_select", masked_select_fn, py::arg("mask"));

  auto logit_fn = [](const Tensor& a, std::optional<double> eps) { return logit(a, eps); };
  m.def("logit", logit_fn, py::arg("input"), py::arg("eps") = py::none());
  cls.def("logit", logit_fn, py::arg("eps") = py::none());
  cls.def("logit_", [](Tensor& a, std::optional<double> eps) -> Tensor& {
    return apply_inplace(a, Tensor(), [&](const Tensor& x) { return logit(x, eps); });
  }, py::arg("eps") = py::none());
}

}  // namespace bind
}  // namespace tapegrad
