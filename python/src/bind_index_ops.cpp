// Bindings of the scatter-style indexing ops (scatter, scatter_reduce, index_add / copy / fill,
// index_put, masked_scatter, take, take_along_dim, with their in-place methods) and of the
// products and shape ops in index_ops.h (diag, diag_embed, diagflat, trace, vdot, addmv, addr,
// addbmm, baddbmm, rot90, block_diag). Called from bind_ops().
#include <tapegrad/ops/index_ops.h>

#include "common.h"

namespace tapegrad {
namespace bind {

namespace {

using Cls = py::class_<TensorImpl, std::shared_ptr<TensorImpl>>;

std::string reduce_arg(const py::object& r) { return r.is_none() ? "" : r.cast<std::string>(); }

// scatter's src is a tensor or a number (positional, or as src= / value=).
py::object scatter_src(const py::object& src, const py::object& value) {
  if (!src.is_none()) return src;
  TG_CHECK_KIND(Type, !value.is_none(), "scatter() missing required argument 'src' or 'value'");
  return value;
}

Tensor scatter_any(const Tensor& a, int64_t d, const Tensor& i, const py::object& s,
                   const py::object& reduce) {
  if (py::isinstance<TensorImpl>(s)) return scatter(a, d, i, s.cast<Tensor>(), reduce_arg(reduce));
  return scatter(a, d, i, s.cast<Scalar>(), reduce_arg(reduce));
}

std::vector<Tensor> index_list(const std::vector<std::optional<Tensor>>& idx) {
  std::vector<Tensor> v;
  for (auto& t : idx) v.push_back(t ? *t : Tensor());
  return v;
}

// take_along_dim: no dim = the flattened input; else indices and input broadcast outside dim.
Tensor take_along_dim(const Tensor& a, const Tensor& idx, std::optional<int64_t> dim) {
  TG_CHECK(idx.dtype() == DType::Int64, "torch.take_along_dim(): dtype of indices should be "
           "Long but got ", dtype_legacy_name(idx.dtype()));
  // along a dim, torch 2.13 takes every index modulo the dim's size (Python's floor modulo:
  // -1 is the last, and an index past the end wraps too, where gather would refuse it; a
  // dim of size 0 divides by zero)
  auto wrapped = [](const Tensor& i, int64_t size) {
    NoGradGuard g;
    return remainder(i, wrapped_scalar(size));
  };
  if (!dim) return gather(reshape(a, {-1}), 0, reshape(idx, {-1}));  // no wrapping here (torch)
  TG_CHECK(a.dim() == idx.dim(), "torch.take_along_dim(): input and indices should have the same "
           "number of dimensions, but got ", a.dim(), " dimensions for input, and ", idx.dim(),
           " dimensions for indices");
  const int64_t d = wrap_dim(*dim, a.dim());
  // a 0-d input has no dim to take along (the shape writes below would go out of bounds)
  TG_CHECK_KIND(Index, a.dim() > 0, "Dimension specified as ", d, " but tensor has no dimensions");
  Shape sa = a.sizes(), si = idx.sizes();
  sa[d] = 1;
  si[d] = 1;
  Shape b = broadcast_shapes(sa, si);
  Shape ba = b, bi = b;
  ba[d] = a.sizes()[d];
  bi[d] = idx.sizes()[d];
  const Tensor wi = wrapped(idx, a.dim() ? a.sizes()[d] : 1);
  return gather(ba == a.sizes() ? a : expand(a, ba), d, bi == idx.sizes() ? wi : expand(wi, bi));
}

void bind_scatter(py::module_& m, Cls& cls) {
  auto sc = [](const Tensor& a, int64_t d, const Tensor& i, py::object src, py::object value,
               py::object reduce) { return scatter_any(a, d, i, scatter_src(src, value), reduce); };
  m.def("scatter", sc, py::arg("input"), py::arg("dim"), py::arg("index"),
        py::arg("src") = py::none(), py::arg("value") = py::none(), py::kw_only(),
        py::arg("reduce") = py::none());
  cls.def("scatter", sc, py::arg("dim"), py::arg("index"), py::arg("src") = py::none(),
          py::arg("value") = py::none(), py::kw_only(), py::arg("reduce") = py::none());
  cls.def("scatter_", [](Tensor& a, int64_t d, const Tensor& i, py::object src, py::object value,
                         py::object reduce) -> Tensor& {
    py::object s = scatter_src(src, value);
    if (py::isinstance<TensorImpl>(s)) return scatter_(a, d, i, s.cast<Tensor>(), reduce_arg(reduce));
    return scatter_(a, d, i, s.cast<Scalar>(), reduce_arg(reduce));
  }, py::arg("dim"), py::arg("index"), py::arg("src") = py::none(), py::arg("value") = py::none(),
     py::kw_only(), py::arg("reduce") = py::none());
  cls.def("scatter_add_", [](Tensor& a, int64_t d, const Tensor& i, const Tensor& s) -> Tensor& {
    return scatter_add_(a, d, i, s);
  }, py::arg("dim"), py::arg("index"), py::arg("src"));
  auto sr = [](const Tensor& a, int64_t d, const Tensor& i, const Tensor& s,
               const std::string& r, bool include_self) {
    return scatter_reduce(a, d, i, s, r, include_self);
  };
  m.def("scatter_reduce", sr, py::arg("input"), py::arg("dim"), py::arg("index"), py::arg("src"),
        py::arg("reduce"), py::kw_only(), py::arg("include_self").noconvert() = true);
  cls.def("scatter_reduce", sr, py::arg("dim"), py::arg("index"), py::arg("src"),
          py::arg("reduce"), py::kw_only(), py::arg("include_self").noconvert() = true);
  cls.def("scatter_reduce_", [](Tensor& a, int64_t d, const Tensor& i, const Tensor& s,
                                const std::string& r, bool include_self) -> Tensor& {
    return scatter_reduce_(a, d, i, s, r, include_self);
  }, py::arg("dim"), py::arg("index"), py::arg("src"), py::arg("reduce"), py::kw_only(),
     py::arg("include_self").noconvert() = true);
}

void bind_index_family(py::module_& m, Cls& cls) {
  auto ia = [](const Tensor& a, int64_t d, const Tensor& i, const Tensor& s, Scalar alpha) {
    return index_add(a, d, i, s, alpha);
  };
  m.def("index_add", ia, py::arg("input"), py::arg("dim"), py::arg("index"), py::arg("source"),
        py::kw_only(), py::arg("alpha") = Scalar(int64_t{1}));
  cls.def("index_add", ia, py::arg("dim"), py::arg("index"), py::arg("source"), py::kw_only(),
          py::arg("alpha") = Scalar(int64_t{1}));
  cls.def("index_add_", [](Tensor& a, int64_t d, const Tensor& i, const Tensor& s,
                           Scalar alpha) -> Tensor& { return index_add_(a, d, i, s, alpha); },
          py::arg("dim"), py::arg("index"), py::arg("source"), py::kw_only(),
          py::arg("alpha") = Scalar(int64_t{1}));
  auto ic = [](const Tensor& a, int64_t d, const Tensor& i, const Tensor& s) {
    return index_copy(a, d, i, s);
  };
  m.def("index_copy", ic, py::arg("input"), py::arg("dim"), py::arg("index"), py::arg("source"));
  cls.def("index_copy", ic, py::arg("dim"), py::arg("index"), py::arg("source"));
  cls.def("index_copy_", [](Tensor& a, int64_t d, const Tensor& i, const Tensor& s) -> Tensor& {
    return index_copy_(a, d, i, s);
  }, py::arg("dim"), py::arg("index"), py::arg("source"));
  auto fill = [](const Tensor& a, int64_t d, const Tensor& i, const py::object& v) {
    if (py::isinstance<TensorImpl>(v)) return index_fill(a, d, i, v.cast<Tensor>());
    return index_fill(a, d, i, v.cast<Scalar>());
  };
  m.def("index_fill", fill, py::arg("input"), py::arg("dim"), py::arg("index"), py::arg("value"));
  cls.def("index_fill", fill, py::arg("dim"), py::arg("index"), py::arg("value"));
  cls.def("index_fill_", [](Tensor& a, int64_t d, const Tensor& i, const py::object& v) -> Tensor& {
    if (py::isinstance<TensorImpl>(v)) return index_fill_(a, d, i, v.cast<Tensor>());
    return index_fill_(a, d, i, v.cast<Scalar>());
  }, py::arg("dim"), py::arg("index"), py::arg("value"));
  auto ip = [](const Tensor& a, const std::vector<std::optional<Tensor>>& idx, const Tensor& v,
               bool acc) {
    TG_CHECK(v.dtype() == a.dtype(), "Index put requires the source and destination dtypes "
             "match, got ", dtype_legacy_name(a.dtype()), " for the destination and ",
             dtype_legacy_name(v.dtype()), " for the source.");
    return index_put(a, index_list(idx), v, acc);
  };
  m.def("index_put", ip, py::arg("input"), py::arg("indices"), py::arg("values"),
        py::arg("accumulate").noconvert() = false);
  cls.def("index_put", ip, py::arg("indices"), py::arg("values"), py::arg("accumulate").noconvert() = false);
  auto ip_ = [](Tensor& a, const std::vector<std::optional<Tensor>>& idx, const Tensor& v,
                bool acc) -> Tensor& { return index_put_(a, index_list(idx), v, acc); };
  m.def("index_put_", ip_, py::arg("input"), py::arg("indices"), py::arg("values"),
        py::arg("accumulate").noconvert() = false);
  cls.def("index_put_", ip_, py::arg("indices"), py::arg("values"), py::arg("accumulate").noconvert() = false);
  auto ms = [](const Tensor& a, const Tensor& mask, const Tensor& s) {
    return masked_scatter(a, mask, s);
  };
  m.def("masked_scatter", ms, py::arg("input"), py::arg("mask"), py::arg("source"));
  cls.def("masked_scatter", ms, py::arg("mask"), py::arg("source"));
  cls.def("masked_scatter_", [](Tensor& a, const Tensor& mask, const Tensor& s) -> Tensor& {
    return masked_scatter_(a, mask, s);
  }, py::arg("mask"), py::arg("source"));
  auto tk = [](const Tensor& a, const Tensor& i) { return take(a, i); };
  m.def("take", tk, py::arg("input"), py::arg("index"));
  cls.def("take", tk, py::arg("index"));
  m.def("take_along_dim", &take_along_dim, py::arg("input"), py::arg("indices"),
        py::arg("dim") = py::none());
  cls.def("take_along_dim", &take_along_dim, py::arg("indices"), py::arg("dim") = py::none());
}

// Registers torch.name(input, ...) and Tensor.name(...).
template <class F, class... Extra>
void both(py::module_& m, Cls& cls, const char* name, F f, const Extra&... extra) {
  m.def(name, f, py::arg("input"), extra...);
  cls.def(name, f, extra...);
}

void bind_products(py::module_& m, Cls& cls) {
  both(m, cls, "diag", [](const Tensor& a, int64_t k) { return diag(a, k); },
       py::arg("diagonal") = 0);
  both(m, cls, "diag_embed", [](const Tensor& a, int64_t o, int64_t d1, int64_t d2) {
    return diag_embed(a, o, d1, d2);
  }, py::arg("offset") = 0, py::arg("dim1") = -2, py::arg("dim2") = -1);
  both(m, cls, "diagflat", [](const Tensor& a, int64_t o) {
    return diag_embed(reshape(a, {-1}), o);
  }, py::arg("offset") = 0);
  m.def("diagonal_copy", [](const Tensor& a, int64_t o, int64_t d1, int64_t d2) {
    return diagonal_copy(a, o, d1, d2);
  }, py::arg("input"), py::arg("offset") = 0, py::arg("dim1") = 0, py::arg("dim2") = 1);
  both(m, cls, "trace", [](const Tensor& a) { return trace(a); });
  both(m, cls, "vdot", [](const Tensor& a, const Tensor& b) { return vdot(a, b); },
       py::arg("other"));
  using Prod = Tensor (*)(const Tensor&, const Tensor&, const Tensor&, Scalar, Scalar);
  auto addprod = [&](const char* name, Prod f, const char* x, const char* y) {
    both(m, cls, name, f, py::arg(x), py::arg(y), py::kw_only(),
         py::arg("beta") = Scalar(int64_t{1}), py::arg("alpha") = Scalar(int64_t{1}));
  };
  using ProdInplace = Tensor& (*)(Tensor&, const Tensor&, const Tensor&, Scalar, Scalar);
  auto addprod_ = [&](const char* name, ProdInplace f, const char* x, const char* y) {
    cls.def(name, f, py::arg(x), py::arg(y), py::kw_only(), py::arg("beta") = Scalar(int64_t{1}),
            py::arg("alpha") = Scalar(int64_t{1}));
  };
  addprod_("addmv_", [](Tensor& s, const Tensor& a, const Tensor& b, Scalar be, Scalar al) -> Tensor& {
    return addmv_(s, a, b, be, al); }, "mat", "vec");
  m.def("addmv_", [](Tensor& s, const Tensor& a, const Tensor& b, Scalar be, Scalar al) -> Tensor& {
    return addmv_(s, a, b, be, al);
  }, py::arg("input"), py::arg("mat"), py::arg("vec"), py::kw_only(),
     py::arg("beta") = Scalar(int64_t{1}), py::arg("alpha") = Scalar(int64_t{1}));  // torch has it
  addprod_("addr_", [](Tensor& s, const Tensor& a, const Tensor& b, Scalar be, Scalar al) -> Tensor& {
    return addr_(s, a, b, be, al); }, "vec1", "vec2");
  addprod_("addbmm_", [](Tensor& s, const Tensor& a, const Tensor& b, Scalar be, Scalar al) -> Tensor& {
    return addbmm_(s, a, b, be, al); }, "batch1", "batch2");
  addprod_("baddbmm_", [](Tensor& s, const Tensor& a, const Tensor& b, Scalar be, Scalar al) -> Tensor& {
    return baddbmm_(s, a, b, be, al); }, "batch1", "batch2");
  addprod("addmv", [](const Tensor& s, const Tensor& a, const Tensor& b, Scalar be, Scalar al) {
    return addmv(s, a, b, be, al); }, "mat", "vec");
  addprod("addr", [](const Tensor& s, const Tensor& a, const Tensor& b, Scalar be, Scalar al) {
    return addr(s, a, b, be, al); }, "vec1", "vec2");
  addprod("addbmm", [](const Tensor& s, const Tensor& a, const Tensor& b, Scalar be, Scalar al) {
    return addbmm(s, a, b, be, al); }, "batch1", "batch2");
  addprod("baddbmm", [](const Tensor& s, const Tensor& a, const Tensor& b, Scalar be, Scalar al) {
    return baddbmm(s, a, b, be, al); }, "batch1", "batch2");
  both(m, cls, "rot90", [](const Tensor& a, int64_t k, const std::vector<int64_t>& dims) {
    return rot90(a, k, dims);
  }, py::arg("k") = 1, py::arg("dims") = std::vector<int64_t>{0, 1});
  // Note [Index plans on the device]: the tests' switch for CPU tensors, and its state
  m.def("_set_index_plans_on_device", &detail::set_index_plans_on_device, py::arg("always"));
  m.def("_index_plans_on_device", [] { return detail::index_plans_on_device(Device()); });
  // kron's last step, as torch's (UnsafeViewBackward0 over the product it owns)
  m.def("_unsafe_view", [](const Tensor& a, const Shape& s) { return unsafe_view(a, s); });
  m.def("block_diag", [](py::args ts) {
    TensorList v;
    for (auto t : ts) v.push_back(t.cast<Tensor>());
    return block_diag(v);
  });
}

}  // namespace

void bind_index_ops(py::module_& m) {
  Cls cls = py::reinterpret_borrow<Cls>(m.attr("Tensor"));
  bind_scatter(m, cls);
  bind_index_family(m, cls);
  bind_products(m, cls);
}

}  // namespace bind
}  // namespace tapegrad
