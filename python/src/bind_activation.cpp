// Bindings of the activations with arguments (lib/ops/activation.cpp) under torch._C._nn's /
// torch's names and signatures: leaky_relu elu selu celu hardtanh hardsigmoid hardswish mish
// log_sigmoid softshrink hardshrink threshold (+ the in-place forms), glu, _prelu_kernel, and
// the private fronts of smooth_l1 / huber / soft_margin losses (F.* in nn/functional.py).
// Conversion only; bind_nn_ops() calls bind_activation().
#include "common.h"

namespace tapegrad {
namespace bind {

namespace {

using Cls = py::class_<TensorImpl, std::shared_ptr<TensorImpl>>;

// Note [Saved attributes]: which of the node's scalar arguments the caller wrote as ints (bit k
// for Node::f[k]), so grad_fn._saved_alpha & co print `1` or `1.0` as torch does.
const Tensor& mark_ints(const Tensor& out, std::initializer_list<Scalar> args) {
  const auto& fn = out.grad_fn();
  // only this file's rows (an in-place write into a view leaves the view's own node here)
  if (!fn || fn->op < OpId::LeakyRelu || fn->op > OpId::PreluKernel) return out;
  int64_t mask = 0, k = 0;
  for (const Scalar& s : args) mask |= static_cast<int64_t>(s.kind != Scalar::Float) << k++;
  fn->i = {mask};
  return out;
}

constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;

}  // namespace

void bind_activation(py::module_& m) {
  Cls cls = py::reinterpret_borrow<Cls>(m.attr("Tensor"));
  const auto x = py::arg("input");

  m.def("leaky_relu", [](const Tensor& a, Scalar s) {
    return mark_ints(leaky_relu(a, s.to_double()), {s});
  }, x, py::arg("negative_slope") = Scalar(0.01));
  m.def("leaky_relu_", [](Tensor& a, Scalar s) -> Tensor& {
    mark_ints(leaky_relu_(a, s.to_double()), {s});
    return a;
  }, x, py::arg("negative_slope") = Scalar(0.01));

  auto elu_fn = [](const Tensor& a, Scalar al, Scalar sc, Scalar is) {
    return mark_ints(elu(a, al.to_double(), sc.to_double(), is.to_double()), {al, sc, is});
  };
  auto elu_fn_ = [](Tensor& a, Scalar al, Scalar sc, Scalar is) -> Tensor& {
    mark_ints(elu_(a, al.to_double(), sc.to_double(), is.to_double()), {al, sc, is});
    return a;
  };
  const Scalar one(int64_t{1});
  m.def("elu", elu_fn, x, py::arg("alpha") = one, py::arg("scale") = one,
        py::arg("input_scale") = one);
  m.def("elu_", elu_fn_, x, py::arg("alpha") = one, py::arg("scale") = one,
        py::arg("input_scale") = one);
  m.def("selu", [elu_fn, one](const Tensor& a) {
    return elu_fn(a, Scalar(kSeluAlpha), Scalar(kSeluScale), one);
  }, x);
  m.def("selu_", [elu_fn_, one](Tensor& a) -> Tensor& {
    return elu_fn_(a, Scalar(kSeluAlpha), Scalar(kSeluScale), one);
  }, x);
  m.def("celu", [](const Tensor& a, Scalar al) {
    return mark_ints(celu(a, al.to_double()), {al});
  }, x, py::arg("alpha") = Scalar(1.0));
  m.def("celu_", [](Tensor& a, Scalar al) -> Tensor& {
    mark_ints(celu_(a, al.to_double()), {al});
    return a;
  }, x, py::arg("alpha") = Scalar(1.0));

  m.def("hardtanh", [](const Tensor& a, Scalar lo, Scalar hi) {
    return mark_ints(hardtanh(a, lo.to_double(), hi.to_double()), {lo, hi});
  }, x, py::arg("min_val") = Scalar(int64_t{-1}), py::arg("max_val") = Scalar(int64_t{1}));
  m.def("hardtanh_", [](Tensor& a, Scalar lo, Scalar hi) -> Tensor& {
    mark_ints(hardtanh_(a, lo.to_double(), hi.to_double()), {lo, hi});
    return a;
  }, x, py::arg("min_val") = Scalar(int64_t{-1}), py::arg("max_val") = Scalar(int64_t{1}));

  m.def("hardsigmoid", [](const Tensor& a) { return hardsigmoid(a); }, x);
  m.def("hardsigmoid_", [](Tensor& a) -> Tensor& { return hardsigmoid_(a); }, x);
  m.def("hardswish", [](const Tensor& a) { return hardswish(a); }, x);
  m.def("hardswish_", [](Tensor& a) -> Tensor& { return hardswish_(a); }, x);
  m.def("mish", [](const Tensor& a) { return mish(a); }, x);
  m.def("mish_", [](Tensor& a) -> Tensor& { return mish_(a); }, x);
  m.def("log_sigmoid", [](const Tensor& a) { return logsigmoid(a); }, x);

  m.def("softshrink", [](const Tensor& a, Scalar l) {
    return mark_ints(softshrink(a, l.to_double()), {l});
  }, x, py::arg("lambd") = Scalar(0.5));
  auto hardshrink_fn = [](const Tensor& a, Scalar l) {
    return mark_ints(hardshrink(a, l.to_double()), {l});
  };
  m.def("hardshrink", hardshrink_fn, x, py::arg("lambd") = Scalar(0.5));
  cls.def("hardshrink", hardshrink_fn, py::arg("lambd") = Scalar(0.5));

  m.def("threshold", [](const Tensor& a, Scalar th, Scalar v) {
    return mark_ints(threshold(a, th.to_double(), v.to_double()), {th, v});
  }, x, py::arg("threshold"), py::arg("value"));
  m.def("threshold_", [](Tensor& a, Scalar th, Scalar v) -> Tensor& {
    mark_ints(threshold_(a, th.to_double(), v.to_double()), {th, v});
    return a;
  }, x, py::arg("threshold"), py::arg("value"));

  m.def("glu", [](const Tensor& a, int64_t dim) { return glu(a, dim); }, x,
        py::arg("dim") = -1);
  m.def("_smooth_l1_loss", [](const Tensor& a, const Tensor& t, const std::string& r, double b) {
    return smooth_l1_loss(a, t, parse_reduction(r), b);
  }, x, py::arg("target"), py::arg("reduction"), py::arg("beta"));
  m.def("_huber_loss", [](const Tensor& a, const Tensor& t, const std::string& r, double d) {
    return huber_loss(a, t, parse_reduction(r), d);
  }, x, py::arg("target"), py::arg("reduction"), py::arg("delta"));
  m.def("_soft_margin_loss", [](const Tensor& a, const Tensor& t, const std::string& r) {
    return soft_margin_loss(a, t, parse_reduction(r));
  }, x, py::arg("target"), py::arg("reduction"));
  m.def("_norm_dim", [](const Tensor& a, double p, const std::vector<int64_t>& dims,
                        bool keepdim) { return norm(a, p, dims, keepdim); },
        x, py::arg("p"), py::arg("dim"), py::arg("keepdim").noconvert() = false);
  m.def("_prelu_kernel", [](const Tensor& a, const Tensor& w) { return prelu_kernel(a, w); }, x,
        py::arg("weight"));
}

}  // namespace bind
}  // namespace tapegrad
