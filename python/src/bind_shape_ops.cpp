// Bindings of split / chunk / unbind / tensor_split (and hsplit / vsplit / dsplit over it),
// flip / fliplr / flipud, roll, repeat / tile, cumsum / cumprod, all / any, isnan / isinf /
// isfinite and round(decimals=), with torch.<name>'s and Tensor.<name>'s signatures. Called
// from bind_ops(). Multi-piece results come back as tuples, as torch's.
#include "common.h"

namespace tapegrad {
namespace bind {

namespace {

using Cls = py::class_<TensorImpl, std::shared_ptr<TensorImpl>>;

py::tuple as_tuple(const TensorList& ts) {
  py::tuple out(ts.size());
  for (size_t k = 0; k < ts.size(); ++k) out[k] = py::cast(ts[k]);
  return out;
}

const char* type_name(const py::handle& o) { return Py_TYPE(o.ptr())->tp_name; }

// A "tuple of ints" argument (an int too where `allow_int`), with torch's TypeErrors for
// anything else: "<fn>(): argument '<arg>' (position <pos>) must be tuple of ints, ...".
std::vector<int64_t> int_tuple(const py::handle& o, const char* fn, const char* arg, int pos,
                               bool allow_int) {
  const bool is_int = py::isinstance<py::int_>(o);
  if (allow_int && is_int && !PyBool_Check(o.ptr())) return {o.cast<int64_t>()};
  if (py::isinstance<TensorImpl>(o)) {  // only a one-element integer tensor is an int list
    py::detail::make_caster<std::vector<long>> as_list;
    TG_CHECK_KIND(Type, as_list.load(o, true), fn, "(): argument '", arg, "' (position ", pos,
                  ") must be tuple of ints, not Tensor");
    return py::detail::cast_op<std::vector<long>>(std::move(as_list));
  }
  TG_CHECK_KIND(Type, !is_int && py::isinstance<py::sequence>(o) && !py::isinstance<py::str>(o),
                fn, "(): argument '", arg, "' (position ", pos, ") must be tuple of ints, not ",
                type_name(o));
  std::vector<int64_t> out;
  for (auto item : o) {  // x.repeat(1, True) is x.repeat(1, 1), as in torch
    long v;
    TG_CHECK_KIND(Type, py::detail::load_int_list_item(item, out.size(), v), fn,
                  "(): argument '", arg, "' (position ", pos,
                  ") must be tuple of ints, but found element of type ", type_name(item),
                  " at pos ", out.size());
    out.push_back(v);
  }
  return out;
}

// torch.split's split_size_or_sections: an int (piece size) or a sequence of sizes.
TensorList split_any(const Tensor& a, const py::object& size, int64_t dim) {
  if (py::isinstance<py::int_>(size)) return split(a, size.cast<int64_t>(), dim);
  return split_with_sizes(a, int_tuple(size, "split_with_sizes", "split_sizes", 2, false), dim);
}

// tensor_split's indices_or_sections: an int, a sequence of ints, or an int64 tensor (0-d:
// sections, 1-d: indices).
TensorList tensor_split_any(const Tensor& a, const py::object& spec, int64_t dim) {
  if (py::isinstance<TensorImpl>(spec)) {
    Tensor t = spec.cast<Tensor>();
    // torch's order: self's rank, the index tensor's device, then its dtype and rank
    TG_CHECK(a.dim() > 0, "tensor_split expected at least a 1-dimensional tensor, but got a "
             "tensor with ", a.dim(), " dims");
    TG_CHECK(t.device().is_cpu(), "tensor_split expected tensor_indices_or_sections to be on "
             "cpu, but it's on ", t.device().str());
    TG_CHECK(t.dtype() == DType::Int64, "tensor_split expected tensor_indices_or_sections to "
             "have dtype of long, but got ", dtype_legacy_name(t.dtype()));
    TG_CHECK(t.dim() <= 1, "tensor_split expected tensor_indices_or_sections to be a "
             "zero-dimensional or one-dimensional tensor, but got a tensor with ", t.dim(),
             " dims");
    if (t.dim() == 0) return tensor_split(a, item(t).i, dim);
    std::vector<int64_t> idx;
    for (double v : to_double_vector(t)) idx.push_back(static_cast<int64_t>(v));
    return tensor_split(a, idx, dim);
  }
  if (py::isinstance<py::int_>(spec)) return tensor_split(a, spec.cast<int64_t>(), dim);
  return tensor_split(a, int_tuple(spec, "tensor_split", "indices", 1, false), dim);
}

// torch.hsplit / vsplit / dsplit: tensor_split along `dim`, an int must divide the size.
TensorList directional_split(const Tensor& a, const py::object& spec, const char* name,
                             int64_t min_dims, int64_t dim) {
  if (py::isinstance<TensorImpl>(spec)) {  // a 0-d integer tensor is the int sections
    py::detail::make_caster<long> as_int;
    if (as_int.load(spec, true))
      return directional_split(a, py::int_(py::detail::cast_op<long>(as_int)), name, min_dims,
                               dim);
  }
  if (py::isinstance<py::str>(spec) || py::isinstance<py::float_>(spec) || spec.is_none() ||
      py::isinstance<TensorImpl>(spec)) {
    // torch's overload-resolution error: neither an int nor a tuple of ints
    const std::string t = py::isinstance<TensorImpl>(spec)
                              ? std::string("Tensor")
                              : std::string(py::str(py::type::of(spec).attr("__name__")));
    TG_ERROR_KIND(Type, name, "() received an invalid combination of arguments - got (Tensor, ",
                  t, "), but expected one of:\n * (Tensor input, int sections)\n      didn't "
                  "match because some of the arguments have invalid types: (Tensor, !", t,
                  "!)\n * (Tensor input, tuple of ints indices)\n      didn't match because "
                  "some of the arguments have invalid types: (Tensor, !", t, "!)\n");
  }
  // after the argument's type, as torch's parser comes first
  TG_CHECK(a.dim() >= min_dims, "torch.", name, " requires a tensor with at least ", min_dims,
           " dimension, but got a tensor with ", a.dim(), " dimensions!");
  if (py::isinstance<py::int_>(spec)) {
    const int64_t n = spec.cast<int64_t>(), size = a.sizes()[dim];
    TG_CHECK(n != 0 && size % n == 0, "torch.", name, " attempted to split along dimension ",
             dim, ", but the size of the dimension ", size,
             " is not divisible by the split_size ", n, "!");
  }
  return tensor_split_any(a, spec, dim);
}

// Methods taking `*ints` or one sequence (x.flip(0, 1), x.flip([0, 1]), x.repeat(2, 1)).
std::vector<int64_t> ints_from_args(const py::args& args, const char* fn, const char* arg) {
  if (args.size() == 1 && !py::isinstance<py::int_>(args[0]))
    return int_tuple(args[0], fn, arg, 1, false);
  return int_tuple(args, fn, arg, 1, false);
}

// all / any: dim None (whole tensor; keepdim keeps every dim as 1), an int, or a tuple.
Tensor truth_any_dtype(const Tensor& a, const py::object& dim, bool keepdim, bool is_all);

// torch keeps uint8 for a uint8 input (a legacy rule: 0/1 values of dtype uint8); every other
// dtype gives bool
Tensor truth(const Tensor& a, const py::object& dim, bool keepdim, bool is_all) {
  Tensor r = truth_any_dtype(a, dim, keepdim, is_all);
  return a.dtype() == DType::UInt8 ? to(r, DType::UInt8) : r;
}

Tensor truth_any_dtype(const Tensor& a, const py::object& dim, bool keepdim, bool is_all) {
  if (dim.is_none() && !keepdim) return is_all ? all(a) : any(a);
  std::vector<int64_t> dims;
  if (dim.is_none()) {
    for (int64_t d = 0; d < a.dim(); ++d) dims.push_back(d);
    if (dims.empty()) return is_all ? all(a) : any(a);
  } else {
    dims = int_tuple(dim, is_all ? "all" : "any", "dim", 1, true);
  }
  return is_all ? all(a, dims, keepdim) : any(a, dims, keepdim);
}

}  // namespace

void bind_shape_ops(py::module_& m) {
  Cls cls = py::reinterpret_borrow<Cls>(m.attr("Tensor"));

  // ---- splitting (views) ----
  m.def("split", [](const Tensor& a, const py::object& s, int64_t dim) {
    return as_tuple(split_any(a, s, dim));
  }, py::arg("tensor"), py::arg("split_size_or_sections"), py::arg("dim") = 0);
  cls.def("split", [](const Tensor& a, const py::object& s, int64_t dim) {
    return as_tuple(split_any(a, s, dim));
  }, py::arg("split_size"), py::arg("dim") = 0);
  m.def("split_with_sizes", [](const Tensor& a, const std::vector<int64_t>& s, int64_t dim) {
    return as_tuple(split_with_sizes(a, s, dim));
  }, py::arg("input"), py::arg("split_sizes"), py::arg("dim") = 0);
  cls.def("split_with_sizes", [](const Tensor& a, const std::vector<int64_t>& s, int64_t dim) {
    return as_tuple(split_with_sizes(a, s, dim));
  }, py::arg("split_sizes"), py::arg("dim") = 0);
  auto chunk_fn = [](const Tensor& a, int64_t n, int64_t dim) {
    return as_tuple(chunk(a, n, dim));
  };
  m.def("chunk", chunk_fn, py::arg("input"), py::arg("chunks"), py::arg("dim") = 0);
  cls.def("chunk", chunk_fn, py::arg("chunks"), py::arg("dim") = 0);
  auto unbind_fn = [](const Tensor& a, int64_t dim) { return as_tuple(unbind(a, dim)); };
  m.def("unbind", unbind_fn, py::arg("input"), py::arg("dim") = 0);
  cls.def("unbind", unbind_fn, py::arg("dim") = 0);
  // tensor_split(indices_or_sections, dim) or the keyword forms sections= / indices= /
  // tensor_indices_or_sections= (torch's three overloads)
  auto tsplit = [](const Tensor& a, const py::object& spec, int64_t dim) {
    return as_tuple(tensor_split_any(a, spec, dim));
  };
  // (indices_or_sections is torch's name in the docs only: not a keyword)
  m.def("tensor_split", tsplit, py::arg("input"), py::arg("indices_or_sections"), py::pos_only(),
        py::arg("dim") = 0);
  cls.def("tensor_split", tsplit, py::arg("indices_or_sections"), py::pos_only(),
          py::arg("dim") = 0);
  for (const char* kw : {"sections", "indices", "tensor_indices_or_sections"}) {
    m.def("tensor_split", tsplit, py::arg("input"), py::arg(kw), py::arg("dim") = 0);
    cls.def("tensor_split", tsplit, py::arg(kw), py::arg("dim") = 0);
  }
  auto hsplit = [](const Tensor& a, const py::object& s) {
    return as_tuple(directional_split(a, s, "hsplit", 1, a.dim() == 1 ? 0 : 1));
  };
  auto vsplit = [](const Tensor& a, const py::object& s) {
    return as_tuple(directional_split(a, s, "vsplit", 2, 0));
  };
  auto dsplit = [](const Tensor& a, const py::object& s) {
    return as_tuple(directional_split(a, s, "dsplit", 3, 2));
  };
  for (const char* kw : {"indices_or_sections", "sections", "indices"}) {
    m.def("hsplit", hsplit, py::arg("input"), py::arg(kw));
    cls.def("hsplit", hsplit, py::arg(kw));
    m.def("vsplit", vsplit, py::arg("input"), py::arg(kw));
    cls.def("vsplit", vsplit, py::arg(kw));
    m.def("dsplit", dsplit, py::arg("input"), py::arg(kw));
    cls.def("dsplit", dsplit, py::arg(kw));
  }

  // ---- reordering copies ----
  m.def("flip", [](const Tensor& a, const py::object& dims) {
    return flip(a, int_tuple(dims, "flip", "dims", 2, false));
  }, py::arg("input"), py::arg("dims"));
  cls.def("flip", [](const Tensor& a, py::args dims, py::kwargs kw) {
    if (kw.contains("dims")) return flip(a, int_tuple(kw["dims"], "flip", "dims", 1, true));
    TG_CHECK_KIND(Type, dims.size() > 0, "flip() missing 1 required positional arguments: "
                  "\"dims\"");
    return flip(a, ints_from_args(dims, "flip", "dims"));
  });
  auto fliplr = [](const Tensor& a) {
    TG_CHECK(a.dim() >= 2, "Input must be >= 2-d.");
    return flip(a, {1});
  };
  auto flipud = [](const Tensor& a) {
    TG_CHECK(a.dim() >= 1, "Input must be >= 1-d.");
    return flip(a, {0});
  };
  m.def("fliplr", fliplr, py::arg("input"));
  cls.def("fliplr", fliplr);
  m.def("flipud", flipud, py::arg("input"));
  cls.def("flipud", flipud);
  // pos: the position of `shifts` (2 for torch.roll, 1 for the method)
  auto roll_fn = [](int pos) {
    return [pos](const Tensor& a, const py::object& shifts, const py::object& dims) {
      return roll(a, int_tuple(shifts, "roll", "shifts", pos, true),
                  dims.is_none() ? std::vector<int64_t>{}
                                 : int_tuple(dims, "roll", "dims", pos + 1, true));
    };
  };
  m.def("roll", roll_fn(2), py::arg("input"), py::arg("shifts"), py::arg("dims") = py::none());
  cls.def("roll", roll_fn(1), py::arg("shifts"), py::arg("dims") = py::none());
  cls.def("repeat", [](const Tensor& a, py::args reps, py::kwargs kw) {
    if (kw.contains("repeats"))
      return repeat(a, int_tuple(kw["repeats"], "repeat", "repeats", 1, false));
    TG_CHECK_KIND(Type, reps.size() > 0,
                  "repeat() missing 1 required positional arguments: \"repeats\"");
    return repeat(a, ints_from_args(reps, "repeat", "repeats"));
  });
  m.def("tile", [](const Tensor& a, const py::object& dims) {
    return tile(a, int_tuple(dims, "tile", "dims", 2, false));
  }, py::arg("input"), py::arg("dims"));
  cls.def("tile", [](const Tensor& a, py::args dims, py::kwargs kw) {
    for (auto kv : kw)  // torch's parser: dims is the only argument
      if (py::str(kv.first).cast<std::string>() != "dims")
        throw py::type_error("tile() got an unexpected keyword argument '" +
                             py::str(kv.first).cast<std::string>() + "'");
    if (kw.contains("dims")) return tile(a, int_tuple(kw["dims"], "tile", "dims", 1, true));
    TG_CHECK_KIND(Type, dims.size() > 0, "tile() missing 1 required positional arguments: \"dims\"");
    return tile(a, ints_from_args(dims, "tile", "dims"));
  });

  // ---- scans ----
  auto cumsum_fn = [](const Tensor& a, int64_t dim, std::optional<DType> dt) {
    return cumsum(a, dim, dt);
  };
  auto cumprod_fn = [](const Tensor& a, int64_t dim, std::optional<DType> dt) {
    return cumprod(a, dim, dt);
  };
  m.def("cumsum", cumsum_fn, py::arg("input"), py::arg("dim"), py::kw_only(),
        py::arg("dtype") = py::none());
  cls.def("cumsum", cumsum_fn, py::arg("dim"), py::kw_only(), py::arg("dtype") = py::none());
  m.def("cumprod", cumprod_fn, py::arg("input"), py::arg("dim"), py::kw_only(),
        py::arg("dtype") = py::none());
  cls.def("cumprod", cumprod_fn, py::arg("dim"), py::kw_only(), py::arg("dtype") = py::none());

  // ---- truth reductions and elementwise tests (bool results) ----
  for (bool is_all : {true, false}) {
    const char* name = is_all ? "all" : "any";
    auto fn = [is_all](const Tensor& a, const py::object& dim, bool keepdim) {
      return truth(a, dim, keepdim, is_all);
    };
    m.def(name, fn, py::arg("input"), py::arg("dim") = py::none(), py::arg("keepdim").noconvert() = false);
    cls.def(name, fn, py::arg("dim") = py::none(), py::arg("keepdim").noconvert() = false);
  }
  using Test = std::pair<const char*, Tensor (*)(const Tensor&)>;
  for (const Test& test : std::initializer_list<Test>{{"isnan", &tapegrad::isnan},
                                                      {"isinf", &tapegrad::isinf},
                                                      {"isfinite", &tapegrad::isfinite}}) {
    const char* name = test.first;
    auto op = test.second;
    cls.def(name, op);
    m.def(name, op, py::arg("input"));
    // Reached only when the overload above rejects the argument: torch's TypeError.
    m.def(name, [name = std::string(name)](const py::object& a) -> Tensor {
      TG_ERROR_KIND(Type, name, "(): argument 'input' (position 1) must be Tensor, not ",
                    type_name(a));
    }, py::arg("input"));
  }

  // ---- round(decimals=) (round without it is the unary row) ----
  auto round_fn = [](const Tensor& a, const py::object& decimals) {
    TG_CHECK_KIND(Type, py::isinstance<py::int_>(decimals) && !py::isinstance<py::bool_>(decimals),
                  "round(): argument 'decimals' must be int, not ", type_name(decimals));
    return round(a, decimals.cast<int64_t>());
  };
  m.def("round", round_fn, py::arg("input"), py::kw_only(), py::arg("decimals"));
  cls.def("round", round_fn, py::kw_only(), py::arg("decimals"));
  cls.def("round_", [round_fn](Tensor& a, const py::object& decimals) -> Tensor& {
    return apply_inplace(a, Tensor(), [&](const Tensor& x) { return round_fn(x, decimals); });
  }, py::kw_only(), py::arg("decimals"));
}

}  // namespace bind
}  // namespace tapegrad
