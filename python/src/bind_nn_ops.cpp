// Bindings for the ops models need beyond the core: statistics reductions, index_select /
// masked_fill / tril / triu / one_hot, the in-place unary and random fills, optimizer helpers
// (addcmul, addcdiv, lerp), and the nn layer ops (gelu, softplus, layer_norm, embedding,
// conv2d, max_pool2d, dropout) with torch.<name>'s signatures. Conversion only, no logic.
#include "common.h"

namespace tapegrad {
namespace bind {

namespace {

using Cls = py::class_<TensorImpl, std::shared_ptr<TensorImpl>>;

template <class F, class... Extra>
void both(py::module_& m, Cls& cls, const char* name, F&& f, const Extra&... extra) {
  m.def(name, f, py::arg("input"), extra...);
  cls.def(name, std::forward<F>(f), extra...);
}

// An int or a sequence of ints (kernel_size=3 or (3, 2)).
std::vector<int64_t> ints_of(const py::object& o) {
  if (o.is_none()) return {};
  if (py::isinstance<py::int_>(o)) return {o.cast<int64_t>()};
  return o.cast<std::vector<int64_t>>();
}

std::vector<int64_t> dims_or_all(const py::object& dim) {
  return dim.is_none() ? std::vector<int64_t>{} : dims_from_object(dim);
}

// torch's three var/std signatures: (bool unbiased) alone; (dim, unbiased, keepdim); and
// (dim=None, *, correction, keepdim). A call that fits none is the parser's TypeError.
Tensor var_like(const Tensor& a, py::object dim, py::object unbiased, bool keepdim,
                py::object correction, bool is_std) {
  const char* fn = is_std ? "std" : "var";
  bool fits = true;
  if (given(dim) && py::isinstance<py::bool_>(dim)) {  // (bool unbiased): nothing else
    fits = !given(unbiased) && !keepdim && correction.is_none();
    unbiased = dim;
    dim = py::none();
  } else if (given(unbiased)) {  // (dim, unbiased, keepdim), or (unbiased) when dim is left out
    fits = correction.is_none() && (given(dim) || !keepdim);
  }
  TG_CHECK_KIND(Type, fits, fn, "() received an invalid combination of arguments: torch takes "
                "(bool unbiased), (dim, bool unbiased, bool keepdim) or (dim, *, correction, "
                "keepdim)");
  if (!given(dim)) dim = py::none();
  double c = 1;
  if (given(unbiased)) {  // a bool (or numpy's), as torch's parser: var(0, 2.5) is refused
    py::detail::make_caster<bool> as_bool;  // pybind's non-converting pass: exactly those
    TG_CHECK_KIND(Type, as_bool.load(unbiased, false), fn,
                  "(): argument 'unbiased' must be bool, not ", Py_TYPE(unbiased.ptr())->tp_name);
    c = py::detail::cast_op<bool>(as_bool) ? 1 : 0;
  }
  if (!correction.is_none()) c = correction.cast<double>();
  auto dims = dims_or_all(dim);
  return is_std ? std(a, dims, c, keepdim) : var(a, dims, c, keepdim);
}

}  // namespace

void bind_activation(py::module_& m);  // bind_activation.cpp

void bind_nn_ops(py::module_& m) {
  bind_activation(m);
  Cls cls = py::reinterpret_borrow<Cls>(m.attr("Tensor"));

  // ---- in-place forms of the unary rows (exp_, sqrt_, sigmoid_, ...) ----
#define TG_UNARY(Id, name, GradFn, Functor, to_float, saves) \
  cls.def(#name "_", [](Tensor& a) -> Tensor& { return unary_(OpId::Id, a); });
#define TG_OP(Id, name, GradFn)
#include <tapegrad/ops/ops.def>
  m.def("relu_", [](Tensor& a) -> Tensor& { return unary_(OpId::Relu, a); }, py::arg("input"));
  m.def("silu_", [](Tensor& a) -> Tensor& { return unary_(OpId::Silu, a); }, py::arg("input"));

  // ---- reductions ----
  both(m, cls, "logsumexp", [](const Tensor& a, py::object dim, bool keepdim) {
    return logsumexp(a, dims_from_object(dim), keepdim);
  }, py::arg("dim"), py::arg("keepdim").noconvert() = false);
  both(m, cls, "var", [](const Tensor& a, py::object dim, py::object unbiased, bool keepdim,
                         py::object correction) {
    return var_like(a, dim, unbiased, keepdim, correction, false);
  }, py::arg("dim") = unset(), py::arg("unbiased") = unset(), py::arg("keepdim").noconvert() = false,
     py::kw_only(), py::arg("correction") = py::none());
  both(m, cls, "std", [](const Tensor& a, py::object dim, py::object unbiased, bool keepdim,
                         py::object correction) {
    return var_like(a, dim, unbiased, keepdim, correction, true);
  }, py::arg("dim") = unset(), py::arg("unbiased") = unset(), py::arg("keepdim").noconvert() = false,
     py::kw_only(), py::arg("correction") = py::none());
  // torch's two signatures: (*, dtype), and (int dim, bool keepdim=False, *, dtype)
  both(m, cls, "prod", [](const Tensor& a, const py::object& dim, const py::object& keepdim_,
                          std::optional<DType> dtype) {
    const bool keepdim = keepdim_arg("prod", dim, keepdim_);
    if (!given(dim)) return prod(a, dtype);
    py::detail::make_caster<int64_t> as_int;
    TG_CHECK_KIND(Type, as_int.load(dim, true), "prod() received an invalid combination of "
                  "arguments: argument 'dim' must be int, not ", Py_TYPE(dim.ptr())->tp_name);
    return prod(a, py::detail::cast_op<int64_t>(as_int), keepdim, dtype);
  }, py::arg("dim") = unset(), py::arg("keepdim") = unset(), py::kw_only(),
     py::arg("dtype") = py::none());

  // ---- indexing and masks ----
  both(m, cls, "index_select", [](const Tensor& a, int64_t d, const Tensor& i) {
    return index_select(a, d, i);
  }, py::arg("dim"), py::arg("index"));
  both(m, cls, "masked_fill", [](const Tensor& a, const Tensor& mask, const py::object& v) {
    if (py::isinstance<TensorImpl>(v)) return masked_fill(a, mask, v.cast<Tensor>());
    return masked_fill(a, mask, v.cast<Scalar>());
  }, py::arg("mask"), py::arg("value"));
  cls.def("masked_fill_", [](Tensor& a, const Tensor& mask, const py::object& v) -> Tensor& {
    if (py::isinstance<TensorImpl>(v)) return masked_fill_(a, mask, v.cast<Tensor>());
    return masked_fill_(a, mask, v.cast<Scalar>());
  }, py::arg("mask"), py::arg("value"));
  both(m, cls, "tril", [](const Tensor& a, int64_t k) { return tril(a, k); },
       py::arg("diagonal") = 0);
  both(m, cls, "triu", [](const Tensor& a, int64_t k) { return triu(a, k); },
       py::arg("diagonal") = 0);
  cls.def("tril_", [](Tensor& a, int64_t k) -> Tensor& { return tril_(a, k); },
          py::arg("diagonal") = 0);
  cls.def("triu_", [](Tensor& a, int64_t k) -> Tensor& { return triu_(a, k); },
          py::arg("diagonal") = 0);
  m.def("one_hot", [](const Tensor& a, int64_t n) { return one_hot(a, n); }, py::arg("tensor"),
        py::arg("num_classes") = -1);

  // ---- optimizer arithmetic ----
  both(m, cls, "addcmul", [](const Tensor& a, const Tensor& t1, const Tensor& t2, Scalar v) {
    return addcmul(a, t1, t2, v);
  }, py::arg("tensor1"), py::arg("tensor2"), py::kw_only(), py::arg("value") = Scalar(int64_t{1}));
  both(m, cls, "addcdiv", [](const Tensor& a, const Tensor& t1, const Tensor& t2, Scalar v) {
    return addcdiv(a, t1, t2, v);
  }, py::arg("tensor1"), py::arg("tensor2"), py::kw_only(), py::arg("value") = Scalar(int64_t{1}));
  cls.def("addcmul_", [](Tensor& a, const Tensor& t1, const Tensor& t2, Scalar v) -> Tensor& {
    return addcmul_(a, t1, t2, v);
  }, py::arg("tensor1"), py::arg("tensor2"), py::kw_only(), py::arg("value") = Scalar(int64_t{1}));
  cls.def("addcdiv_", [](Tensor& a, const Tensor& t1, const Tensor& t2, Scalar v) -> Tensor& {
    return addcdiv_(a, t1, t2, v);
  }, py::arg("tensor1"), py::arg("tensor2"), py::kw_only(), py::arg("value") = Scalar(int64_t{1}));
  both(m, cls, "lerp", [](const Tensor& a, const Tensor& end, const py::object& w) {
    if (py::isinstance<TensorImpl>(w)) return lerp(a, end, w.cast<Tensor>());
    return lerp(a, end, w.cast<Scalar>());
  }, py::arg("end"), py::arg("weight"));
  cls.def("lerp_", [](Tensor& a, const Tensor& end, const py::object& w) -> Tensor& {
    if (py::isinstance<TensorImpl>(w)) return lerp_(a, end, w.cast<Tensor>());
    return lerp_(a, end, w.cast<Scalar>());
  }, py::arg("end"), py::arg("weight"));

  // ---- random fills (generator=: only the default generator exists) ----
  auto no_generator = [](const py::object& gen) {
    TG_CHECK_KIND(NotImplemented, gen.is_none(),
                  "tapegrad has one global generator; pass generator=None (seed it with "
                  "tapegrad.manual_seed)");
  };
  cls.def("uniform_", [no_generator](Tensor& a, double lo, double hi,
                                     const py::object& gen) -> Tensor& {
    no_generator(gen);
    return uniform_(a, lo, hi);
  }, py::arg("from") = 0.0, py::arg("to") = 1.0, py::kw_only(), py::arg("generator") = py::none());
  cls.def("normal_", [no_generator](Tensor& a, double mu, double sd,
                                    const py::object& gen) -> Tensor& {
    no_generator(gen);
    return normal_(a, mu, sd);
  }, py::arg("mean") = 0.0, py::arg("std") = 1.0, py::kw_only(), py::arg("generator") = py::none());
  cls.def("bernoulli_", [no_generator](Tensor& a, double p, const py::object& gen) -> Tensor& {
    no_generator(gen);
    return bernoulli_(a, p);
  }, py::arg("p") = 0.5, py::kw_only(), py::arg("generator") = py::none());

  // ---- nn layers (torch.<name> / torch._C._nn signatures) ----
  m.def("gelu", [](const Tensor& a, const std::string& approx) { return gelu(a, approx); },
        py::arg("input"), py::kw_only(), py::arg("approximate") = "none");
  m.def("softplus", [](const Tensor& a, Scalar beta, Scalar th) {
    Tensor out = softplus(a, beta.to_double(), th.to_double());
    // which of beta / threshold were ints, for grad_fn._saved_beta (Note [Saved attributes])
    if (out.grad_fn() && out.grad_fn()->op == OpId::Softplus)
      out.grad_fn()->i = {int64_t{beta.kind != Scalar::Float} |
                          int64_t{th.kind != Scalar::Float} << 1};
    return out;
  }, py::arg("input"), py::arg("beta") = Scalar(int64_t{1}),
     py::arg("threshold") = Scalar(int64_t{20}));
  m.def("layer_norm", [](const Tensor& x, const Shape& ns, std::optional<Tensor> w,
                         std::optional<Tensor> b, double eps, bool) {
    return layer_norm(x, ns, w.value_or(Tensor()), b.value_or(Tensor()), eps);
  }, py::arg("input"), py::arg("normalized_shape"), py::arg("weight") = py::none(),
     py::arg("bias") = py::none(), py::arg("eps") = 1e-5, py::arg("cudnn_enable") = true);
  m.def("batch_norm", [](const Tensor& x, std::optional<Tensor> w, std::optional<Tensor> b,
                         std::optional<Tensor> rm, std::optional<Tensor> rv, bool training,
                         double momentum, double eps, bool) {
    return batch_norm(x, w.value_or(Tensor()), b.value_or(Tensor()), rm.value_or(Tensor()),
                      rv.value_or(Tensor()), training, momentum, eps);
  }, py::arg("input"), py::arg("weight"), py::arg("bias"), py::arg("running_mean"),
     py::arg("running_var"), py::arg("training").noconvert(), py::arg("momentum"), py::arg("eps"),
     py::arg("cudnn_enabled") = true);
  m.def("group_norm", [](const Tensor& x, int64_t groups, std::optional<Tensor> w,
                         std::optional<Tensor> b, double eps, bool) {
    return group_norm(x, groups, w.value_or(Tensor()), b.value_or(Tensor()), eps);
  }, py::arg("input"), py::arg("num_groups"), py::arg("weight") = py::none(),
     py::arg("bias") = py::none(), py::arg("eps") = 1e-5, py::arg("cudnn_enabled") = true);
  m.def("embedding", [](const Tensor& w, const Tensor& idx, int64_t pad, bool freq, bool sparse) {
    return embedding(w, idx, pad, freq, sparse);
  }, py::arg("weight"), py::arg("indices"), py::arg("padding_idx") = -1,
     py::arg("scale_grad_by_freq").noconvert() = false, py::arg("sparse").noconvert() = false);
  m.def("embedding_renorm_", [](Tensor& w, const Tensor& idx, double max_norm,
                                double norm_type) -> Tensor& {
    return embedding_renorm_(w, idx, max_norm, norm_type);
  }, py::arg("input"), py::arg("indices"), py::arg("max_norm"), py::arg("norm_type"));
  m.def("conv2d", [](const Tensor& x, const Tensor& w, std::optional<Tensor> b,
                     const py::object& stride, const py::object& padding,
                     const py::object& dilation, int64_t groups) {
    Tensor bias = b.value_or(Tensor());
    if (py::isinstance<py::str>(padding))
      return conv2d(x, w, bias, ints_of(stride), padding.cast<std::string>().c_str(),
                    ints_of(dilation), groups);
    return conv2d(x, w, bias, ints_of(stride), ints_of(padding), ints_of(dilation), groups);
  }, py::arg("input"), py::arg("weight"), py::arg("bias") = py::none(), py::arg("stride") = 1,
     py::arg("padding") = 0, py::arg("dilation") = 1, py::arg("groups") = 1);
  auto pool = [](const Tensor& x, const py::object& k, const py::object& s, const py::object& p,
                 const py::object& d, bool ceil) {
    return max_pool2d_with_indices(x, ints_of(k), ints_of(s), ints_of(p), ints_of(d), ceil);
  };
  m.def("max_pool2d", [pool](const Tensor& x, const py::object& k, const py::object& s,
                             const py::object& p, const py::object& d, bool ceil) {
    return pool(x, k, s, p, d, ceil).first;
  }, py::arg("input"), py::arg("kernel_size"), py::arg("stride") = py::tuple(),
     py::arg("padding") = 0, py::arg("dilation") = 1, py::arg("ceil_mode").noconvert() = false);
  m.def("max_pool2d_with_indices", [pool](const Tensor& x, const py::object& k,
                                          const py::object& s, const py::object& p,
                                          const py::object& d, bool ceil) {
    auto r = pool(x, k, s, p, d, ceil);
    return py::make_tuple(r.first, r.second);
  }, py::arg("input"), py::arg("kernel_size"), py::arg("stride") = py::tuple(),
     py::arg("padding") = 0, py::arg("dilation") = 1, py::arg("ceil_mode").noconvert() = false);
  m.def("dropout", [](const Tensor& x, double p, bool train) { return dropout(x, p, train); },
        py::arg("input"), py::arg("p"), py::arg("train").noconvert());
  m.def("dropout_", [](Tensor& x, double p, bool train) -> Tensor& {
    return dropout_(x, p, train);
  },
        py::arg("input"), py::arg("p"), py::arg("train").noconvert());
  m.def("constant_pad_nd", [](const Tensor& a, const std::vector<int64_t>& pad, Scalar v) {
    return constant_pad_nd(a, pad, v);
  }, py::arg("input"), py::arg("pad"), py::arg("value") = Scalar(int64_t{0}));
  m.def("pad", [](const Tensor& a, const std::vector<int64_t>& p, const std::string& mode,
                  std::optional<double> value) { return pad(a, p, mode, value); },
        py::arg("input"), py::arg("pad"), py::arg("mode") = "constant",
        py::arg("value") = py::none());
  // F.unfold / F.fold (torch._C._nn.im2col / col2im argument order).
  m.def("_im2col", [](const Tensor& x, const py::object& k, const py::object& d,
                      const py::object& p, const py::object& s) {
    return im2col(x, ints_of(k), ints_of(d), ints_of(p), ints_of(s));
  }, py::arg("input"), py::arg("kernel_size"), py::arg("dilation"), py::arg("padding"),
     py::arg("stride"));
  m.def("_col2im", [](const Tensor& x, const py::object& out, const py::object& k,
                      const py::object& d, const py::object& p, const py::object& s) {
    return col2im(x, ints_of(out), ints_of(k), ints_of(d), ints_of(p), ints_of(s));
  }, py::arg("input"), py::arg("output_size"), py::arg("kernel_size"), py::arg("dilation"),
     py::arg("padding"), py::arg("stride"));
}

}  // namespace bind
}  // namespace tapegrad
