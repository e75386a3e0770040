// Bindings of helper S's torch.special block (special_ops.h): torch.i0 / Tensor.i0 / i0_,
// torch.igamma / igammac / mvlgamma (function, method, in-place method), and the private
// _special_* entry points that python/tapegrad/special.py wraps with torch's signatures.
#include <tapegrad/ops/special_ops.h>

#include "common.h"

namespace tapegrad {
namespace bind {

namespace {
using Cls = py::class_<TensorImpl, std::shared_ptr<TensorImpl>>;
using Unary = Tensor (*)(const Tensor&);
using Binary = Tensor (*)(const Tensor&, const Tensor&);

void inplace_unary(Cls& cls, const char* name, Unary f) {
  cls.def(name, [f](Tensor& a) -> Tensor& { return apply_inplace(a, Tensor(), f); });
}

void tensor_binary(py::module_& m, Cls& cls, const char* name, Binary f) {
  m.def(name, f, py::arg("input"), py::arg("other"));
  cls.def(name, f, py::arg("other"));
  cls.def((std::string(name) + "_").c_str(), [f](Tensor& a, const Tensor& b) -> Tensor& {
    return apply_inplace(a, b, [f, b](const Tensor& x) { return f(x, b); });
  }, py::arg("other"));
}
}  // namespace

void bind_special(py::module_& m) {
  Cls cls = py::reinterpret_borrow<Cls>(m.attr("Tensor"));
  m.def("i0", &i0, py::arg("input"));
  cls.def("i0", &i0);
  inplace_unary(cls, "i0_", &i0);
  tensor_binary(m, cls, "igamma", &igamma);
  tensor_binary(m, cls, "igammac", &igammac);
  m.def("mvlgamma", &mvlgamma, py::arg("input"), py::arg("p"));
  cls.def("mvlgamma", &mvlgamma, py::arg("p"));
  cls.def("mvlgamma_", [](Tensor& a, int64_t p) -> Tensor& {
    return apply_inplace(a, Tensor(), [p](const Tensor& x) { return mvlgamma(x, p); });
  }, py::arg("p"));

  m.def("_special_i0e", &special_i0e);
  m.def("_special_i1", &special_i1);
  m.def("_special_i1e", &special_i1e);
  m.def("_special_ndtri", &special_ndtri);
  m.def("_special_log_ndtr", &special_log_ndtr);
  m.def("_special_erfcx", &special_erfcx);
  m.def("_special_entr", &special_entr);
  // Operands may be Python numbers (wrapped 0-d tensors); the Python layer refuses two numbers
  m.def("_special_xlog1py", [](const Operand& a, const Operand& b) {
    return special_xlog1py(a.t, b.t);
  });
  m.def("_special_zeta", [](const Operand& a, const Operand& b) { return special_zeta(a.t, b.t); });
  m.def("_special_no_grad", &special_no_grad);
  m.def("_special_polynomial", [](const std::string& name, const Operand& x, const Operand& n) {
    return special_polynomial(name, x.t, n.t);
  });
}

}  // namespace bind
}  // namespace tapegrad
