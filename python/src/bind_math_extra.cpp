// Bindings of helper M's math block: the binary rows copysign / fmax / fmin / logaddexp(2) /
// heaviside / bitwise_* / gcd / lcm (function, method, in-place method), polygamma,
// float_power, signbit / isposinf / isneginf / isreal / bitwise_not, linalg_vector_norm, dist,
// nansum / nanmean, median / nanmedian / kthvalue / mode, logcumsumexp / cummax / cummin
// (named tuples from tapegrad.return_types). The unary rows (erfc, lgamma, ...) are bound from
// ops.def in bind_ops.cpp. torch.norm / torch.linalg.norm live in Python (_linalg.py).
#include <tapegrad/ops/math_extra.h>

#include "common.h"

namespace tapegrad {
namespace bind {

namespace {

using Cls = py::class_<TensorImpl, std::shared_ptr<TensorImpl>>;

bool is_number(const Operand& o) { return o.t.impl()->wrapped_number; }

template <class F, class... Extra>
void fn_and_method(py::module_& m, Cls& cls, const char* name, F f, const Extra&... extra) {
  m.def(name, f, py::arg("input"), extra...);
  cls.def(name, f, extra...);
}

// torch.<name>(input, <arg>) / Tensor.<name>(<arg>) / Tensor.<name>_(<arg>) for a binary row;
// numbers: only where torch has a Scalar overload (accept_number).
void binary_row(py::module_& m, Cls& cls, const char* name, OpId op, const char* arg,
                bool accept_number, bool inplace = true) {
  // torch's Tensor-only rows refuse a Python number, in-place forms included
  auto f = [op, name, accept_number](const Tensor& a, const Operand& b) {
    if (!accept_number) check_tensor_other(name, b);
    return binary(op, a, b.t);
  };
  m.def(name, f, py::arg("input"), py::arg(arg));
  if (accept_number)  // torch.bitwise_and(1, t): a number first is a wrapped scalar
    m.def(name, [op](const Operand& a, const Tensor& b) { return binary(op, a.t, b); },
          py::arg("input"), py::arg(arg));
  cls.def(name, f, py::arg(arg));
  if (!inplace) return;
  const std::string name_ = std::string(name) + "_";
  cls.def(name_.c_str(), [op, name_, accept_number](Tensor& a, const Operand& b) -> Tensor& {
    if (!accept_number) check_tensor_other(name_.c_str(), b, 1);
    return binary_inplace(op, a, b.t);
  }, py::arg(arg));
}

py::object named(const char* name, std::pair<Tensor, Tensor> r) {
  return py::module_::import("tapegrad.return_types").attr(name)(r.first, r.second);
}

std::vector<int64_t> opt_dims(const py::object& dim) {
  return dim.is_none() ? std::vector<int64_t>{} : dims_from_object(dim);
}

}  // namespace

void bind_math_extra(py::module_& m) {
  Cls cls = py::reinterpret_borrow<Cls>(m.attr("Tensor"));

  // ---- binary rows ----
  // torch has no fmax_ / fmin_ / logaddexp_ / logaddexp2_
  binary_row(m, cls, "fmax", OpId::Fmax, "other", false, false);
  binary_row(m, cls, "fmin", OpId::Fmin, "other", false, false);
  binary_row(m, cls, "logaddexp", OpId::Logaddexp, "other", false, false);
  binary_row(m, cls, "logaddexp2", OpId::Logaddexp2, "other", false, false);
  binary_row(m, cls, "heaviside", OpId::Heaviside, "values", false);
  binary_row(m, cls, "bitwise_and", OpId::BitwiseAnd, "other", true);
  binary_row(m, cls, "bitwise_or", OpId::BitwiseOr, "other", true);
  binary_row(m, cls, "bitwise_xor", OpId::BitwiseXor, "other", true);
  binary_row(m, cls, "gcd", OpId::Gcd, "other", false);
  binary_row(m, cls, "lcm", OpId::Lcm, "other", false);
  // copysign with a number is its own node (CopysignBackward1)
  auto copysign_fn = [](const Tensor& a, const Operand& b) {
    return is_number(b) ? copysign(a, item(b.t)) : copysign(a, b.t);
  };
  m.def("copysign", copysign_fn, py::arg("input"), py::arg("other"));
  cls.def("copysign", copysign_fn, py::arg("other"));
  cls.def("copysign_", [copysign_fn](Tensor& a, const Operand& b) -> Tensor& {
    return apply_inplace(a, is_number(b) ? Tensor() : b.t,
                         [&](const Tensor& x) { return copysign_fn(x, b); });
  }, py::arg("other"));
  auto bitwise_not_fn = [](const Tensor& a) { return bitwise_not(a); };
  fn_and_method(m, cls, "bitwise_not", bitwise_not_fn);
  cls.def("bitwise_not_", [](Tensor& a) -> Tensor& {
    return apply_inplace(a, Tensor(), [](const Tensor& x) { return bitwise_not(x); });
  });

  // ---- polygamma, float_power ----
  m.def("polygamma", [](int64_t n, const Tensor& a) { return polygamma(n, a); }, py::arg("n"),
        py::arg("input"));
  cls.def("polygamma", [](const Tensor& a, int64_t n) { return polygamma(n, a); }, py::arg("n"));
  cls.def("polygamma_", [](Tensor& a, int64_t n) -> Tensor& {
    return apply_inplace(a, Tensor(), [n](const Tensor& x) { return polygamma(n, x); });
  }, py::arg("n"));
  auto float_power_fn = [](const Operand& a, const Operand& b) {
    TG_CHECK_KIND(Type, !(is_number(a) && is_number(b)),
                  "float_power() received an invalid combination of arguments - got (Number, "
                  "Number)");
    if (is_number(a)) return float_power(item(a.t), b.t);
    if (is_number(b)) return float_power(a.t, item(b.t));
    return float_power(a.t, b.t);
  };
  m.def("float_power", float_power_fn, py::arg("input"), py::arg("exponent"));
  cls.def("float_power", [float_power_fn](const Tensor& a, const Operand& b) {
    return float_power_fn(Operand{a}, b);
  }, py::arg("exponent"));
  cls.def("float_power_", [float_power_fn](Tensor& a, const Operand& b) -> Tensor& {
    TG_CHECK(a.dtype() == DType::Float64, "the base given to float_power_ has dtype ",
             dtype_legacy_name(a.dtype()),
             " but the operation's result requires dtype Double");
    return apply_inplace(a, is_number(b) ? Tensor() : b.t,
                         [&](const Tensor& x) { return float_power_fn(Operand{x}, b); });
  }, py::arg("exponent"));

  // ---- predicates (bool results, no history) ----
  fn_and_method(m, cls, "signbit", [](const Tensor& a) { return signbit(a); });
  fn_and_method(m, cls, "isposinf", [](const Tensor& a) { return isposinf(a); });
  fn_and_method(m, cls, "isneginf", [](const Tensor& a) { return isneginf(a); });
  fn_and_method(m, cls, "isreal", [](const Tensor& a) { return isreal(a); });

  // ---- norms and NaN-ignoring reductions ----
  m.def("_linalg_vector_norm", [](const Tensor& a, double ord, const py::object& dim,
                                 bool keepdim, std::optional<DType> dtype) {
    return linalg_vector_norm(a, ord, opt_dims(dim), keepdim, dtype);
  }, py::arg("input"), py::arg("ord") = 2.0, py::arg("dim") = py::none(),
     py::arg("keepdim").noconvert() = false, py::kw_only(), py::arg("dtype") = py::none());
  fn_and_method(m, cls, "dist", [](const Tensor& a, const Tensor& b, double p) {
    return dist(a, b, p);
  }, py::arg("other"), py::arg("p") = 2.0);
  // cdist's compute_mode as torch's C++ takes it (None, 1, 2); tapegrad.cdist maps the strings
  m.def("_cdist", [](const Tensor& x1, const Tensor& x2, double p, std::optional<int64_t> mode) {
    return cdist(x1, x2, p, mode);
  }, py::arg("x1"), py::arg("x2"), py::arg("p") = 2.0, py::arg("compute_mode") = py::none());
  m.def("_cdist_forward", [](const Tensor& x1, const Tensor& x2, double p,
                             std::optional<int64_t> mode) {
    TG_CHECK(mode.value_or(0) >= 0 && mode.value_or(0) <= 2, "possible modes: 0, 1, 2, but was: ",
             *mode);
    return cdist_forward(x1, x2, p);
  }, py::arg("x1"), py::arg("x2"), py::arg("p"), py::arg("compute_mode") = py::none());
  m.def("_euclidean_dist", [](const Tensor& x1, const Tensor& x2) {
    return euclidean_dist(x1, x2);
  }, py::arg("x1"), py::arg("x2"));
  fn_and_method(m, cls, "nansum", [](const Tensor& a, const py::object& dim, bool keepdim,
                                     std::optional<DType> dtype) {
    return nansum(a, opt_dims(dim), keepdim, dtype);
  }, py::arg("dim") = py::none(), py::arg("keepdim").noconvert() = false, py::kw_only(),
     py::arg("dtype") = py::none());
  fn_and_method(m, cls, "nanmean", [](const Tensor& a, const py::object& dim, bool keepdim,
                                      std::optional<DType> dtype) {
    return nanmean(a, opt_dims(dim), keepdim, dtype);
  }, py::arg("dim") = py::none(), py::arg("keepdim").noconvert() = false, py::kw_only(),
     py::arg("dtype") = py::none());

  // ---- order statistics: (values, indices) named tuples along a dim ----
  for (const char* name : {"median", "nanmedian"}) {
    const bool nan = name[0] == 'n';
    auto all = [nan](const Tensor& a) { return nan ? nanmedian(a) : median(a); };
    auto along = [nan, name](const Tensor& a, int64_t dim, bool keepdim) {
      return named(name, nan ? nanmedian(a, dim, keepdim) : median(a, dim, keepdim));
    };
    m.def(name, all, py::arg("input"));
    cls.def(name, all);
    fn_and_method(m, cls, name, along, py::arg("dim"), py::arg("keepdim").noconvert() = false);
  }
  fn_and_method(m, cls, "kthvalue", [](const Tensor& a, int64_t k, int64_t dim, bool keepdim) {
    return named("kthvalue", kthvalue(a, k, dim, keepdim));
  }, py::arg("k"), py::arg("dim") = -1, py::arg("keepdim").noconvert() = false);
  fn_and_method(m, cls, "mode", [](const Tensor& a, int64_t dim, bool keepdim) {
    return named("mode", mode(a, dim, keepdim));
  }, py::arg("dim") = -1, py::arg("keepdim").noconvert() = false);

  // ---- var_mean / std_mean (plain tuples, as torch) and aminmax (min, max) ----
  for (const char* name : {"var_mean", "std_mean"}) {
    const bool is_std = name[0] == 's';
    m.def(name, [is_std](const Tensor& a, py::object dim, py::object unbiased, bool keepdim,
                         py::object correction) {
      // var_mean(x, True): the second positional argument is `unbiased`
      if (py::isinstance<py::bool_>(dim)) {
        unbiased = dim;
        dim = py::none();
      }
      double corr = 1;
      if (!correction.is_none()) corr = correction.cast<double>();
      else if (!unbiased.is_none()) corr = unbiased.cast<bool>() ? 1 : 0;
      auto r = is_std ? std_mean(a, opt_dims(dim), corr, keepdim)
                      : var_mean(a, opt_dims(dim), corr, keepdim);
      return py::make_tuple(r.first, r.second);
    }, py::arg("input"), py::arg("dim") = py::none(), py::arg("unbiased") = py::none(),
       py::arg("keepdim").noconvert() = false, py::kw_only(), py::arg("correction") = py::none());
  }
  auto aminmax_fn = [](const Tensor& a, std::optional<int64_t> dim, bool keepdim) {
    auto r = aminmax(a, dim, keepdim);
    return py::module_::import("tapegrad.return_types").attr("aminmax")(r.first, r.second);
  };
  m.def("aminmax", aminmax_fn, py::arg("input"), py::kw_only(), py::arg("dim") = py::none(),
        py::arg("keepdim").noconvert() = false);
  cls.def("aminmax", aminmax_fn, py::kw_only(), py::arg("dim") = py::none(),
          py::arg("keepdim").noconvert() = false);

  // ---- scans ----
  fn_and_method(m, cls, "logcumsumexp", [](const Tensor& a, int64_t dim) {
    return logcumsumexp(a, dim);
  }, py::arg("dim"));
  fn_and_method(m, cls, "cummax", [](const Tensor& a, int64_t dim) {
    return named("cummax", cummax(a, dim));
  }, py::arg("dim"));
  fn_and_method(m, cls, "cummin", [](const Tensor& a, int64_t dim) {
    return named("cummin", cummin(a, dim));
  }, py::arg("dim"));

  // ---- searching and counting ----
  m.def("searchsorted", [](const Tensor& seq, const Operand& v, bool out_int32, bool right,
                           std::optional<std::string> side, std::optional<Tensor> sorter) {
    if (side) {
      TG_CHECK(*side == "left" || *side == "right",
               "torch.searchsorted(): side can only be 'left' or 'right' but got ", *side);
      TG_CHECK(!(right && *side == "left"), "torch.searchsorted(): side and right can't be set "
               "to opposites, got side of left while right was True");
      right = *side == "right";
    }
    // a Python number joins the sequence's device, as in torch (the result lives there)
    Tensor vt = is_number(v) ? to(v.t, seq.device(), v.t.dtype()) : v.t;
    return searchsorted(seq, vt, out_int32, right, sorter.value_or(Tensor()));
  }, py::arg("sorted_sequence"), py::arg("input"), py::kw_only(), py::arg("out_int32").noconvert() = false,
     py::arg("right").noconvert() = false, py::arg("side") = py::none(), py::arg("sorter") = py::none());
  m.def("bucketize", [](const Operand& v, const Tensor& b, bool out_int32, bool right) {
    return bucketize(is_number(v) ? to(v.t, b.device(), v.t.dtype()) : v.t, b, out_int32, right);
  }, py::arg("input"), py::arg("boundaries"), py::kw_only(), py::arg("out_int32").noconvert() = false,
     py::arg("right").noconvert() = false);
  m.def("isin", [](const Operand& e, const Operand& t, bool assume_unique, bool invert) {
    TG_CHECK_KIND(Type, !(is_number(e) && is_number(t)),
                  "isin() received an invalid combination of arguments - got (Number, Number)");
    return isin(is_number(e) ? to(e.t, t.t.device(), e.t.dtype()) : e.t, t.t, assume_unique,
                invert);
  }, py::arg("elements"), py::arg("test_elements"), py::kw_only(),
     py::arg("assume_unique").noconvert() = false, py::arg("invert").noconvert() = false);
  fn_and_method(m, cls, "bincount", [](const Tensor& a, std::optional<Tensor> w, int64_t minlength) {
    return bincount(a, w.value_or(Tensor()), minlength);
  }, py::arg("weights") = py::none(), py::arg("minlength") = 0);
  fn_and_method(m, cls, "histc", [](const Tensor& a, int64_t bins, double lo, double hi) {
    return histc(a, bins, lo, hi);
  }, py::arg("bins") = 100, py::arg("min") = 0, py::arg("max") = 0);
  m.def("_randperm", [](int64_t n, DType dt) { return randperm(n, dt); }, py::arg("n"),
        py::arg("dtype"));
  m.def("_unique_impl", [](const Tensor& a, bool consecutive, std::optional<int64_t> dim) {
    auto [v, inv, cnt] = unique_impl(a, consecutive, dim);
    return py::make_tuple(v, inv, cnt);
  }, py::arg("input"), py::arg("consecutive"), py::arg("dim") = py::none());
}

}  // namespace bind
}  // namespace tapegrad
