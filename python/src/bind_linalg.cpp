// Bindings of the dense decompositions (include/tapegrad/ops/linalg_ops.h) as private _C
// functions; python/tapegrad/linalg.py owns argument checks, dtypes and the gradients.
#include <tapegrad/ops/linalg_ops.h>

#include "common.h"

namespace tapegrad {
namespace bind {

void bind_linalg(py::module_& m) {
  m.def("_linalg_lu_factor", [](const Tensor& a) { return linalg::lu_factor(a); });
  m.def("_linalg_lu_solve", [](const Tensor& lu, const Tensor& piv, const Tensor& b, bool adj) {
    return linalg::lu_solve(lu, piv, b, adj);
  });
  m.def("_linalg_cholesky", [](const Tensor& a) { return linalg::cholesky(a); });
  m.def("_linalg_trsm", [](const Tensor& t, const Tensor& b, bool upper, bool unit) {
    return linalg::solve_triangular(t, b, upper, unit);
  });
  m.def("_linalg_qr", [](const Tensor& a, bool complete) { return linalg::qr(a, complete); });
  m.def("_linalg_eigh", [](const Tensor& a, bool lower) { return linalg::eigh(a, lower); });
  m.def("_linalg_svd", [](const Tensor& a, bool full) { return linalg::svd(a, full); });
}

}  // namespace bind
}  // namespace tapegrad
