// tapegrad._C's fused optimizer steps (optim/fused.h) behind tapegrad.optim's SGD, Adam and
// AdamW: each returns False, touching nothing, when the tensors do not qualify (the optimizer
// then runs its per-tensor loop), True once the step is done.
#include <tapegrad/optim/fused.h>

#include "common.h"

namespace tapegrad {
namespace bind {

namespace {

// A Python list of tensors; with allow_none, None entries become undefined tensors. False when
// an entry is something else.
bool tensors_from(const py::list& l, std::vector<Tensor>& out, bool allow_none) {
  out.clear();
  out.reserve(l.size());
  py::detail::make_caster<Tensor> c;
  for (py::handle h : l) {
    if (h.is_none() && allow_none) {
      out.emplace_back();
    } else if (c.load(h, false)) {
      out.push_back(py::detail::cast_op<Tensor>(c));
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

void bind_optim(py::module_& m) {
  // bufs: the momentum buffers (None: none yet), one per parameter when momentum != 0; the
  // buffers a first step creates are written back into the list.
  m.def("_fused_sgd_", [](const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                          py::list bufs, double lr, double momentum, double dampening,
                          double weight_decay, bool nesterov, bool maximize) {
    std::vector<Tensor> b;
    if (!tensors_from(bufs, b, true)) return false;
    if (!optim::fused_sgd_supported(params, grads, momentum != 0 ? b : std::vector<Tensor>{}))
      return false;
    if (momentum != 0 && b.size() != params.size()) return false;
    optim::SGDHyper h;
    h.lr = lr;
    h.momentum = momentum;
    h.dampening = dampening;
    h.weight_decay = weight_decay;
    h.nesterov = nesterov;
    h.maximize = maximize;
    optim::fused_sgd_step(h, params, grads, b);
    if (momentum != 0)
      for (size_t i = 0; i < b.size(); ++i)
        if (bufs[i].is_none()) bufs[i] = py::cast(b[i]);
    return true;
  });
  m.def("_fused_adam_", [](const std::vector<Tensor>& params, const std::vector<Tensor>& grads,
                           const std::vector<Tensor>& exp_avgs,
                           const std::vector<Tensor>& exp_avg_sqs, py::list max_exp_avg_sqs,
                           py::list steps, double lr, double beta1, double beta2, double eps,
                           double weight_decay, bool amsgrad, bool maximize, bool decoupled) {
    std::vector<Tensor> vmax, st;
    if (!tensors_from(steps, st, false)) return false;  // e.g. an old-style float step
    if (amsgrad && !tensors_from(max_exp_avg_sqs, vmax, false)) return false;
    if (!optim::fused_adam_supported(params, grads, exp_avgs, exp_avg_sqs, vmax, st))
      return false;
    optim::AdamHyper h;
    h.lr = lr;
    h.beta1 = beta1;
    h.beta2 = beta2;
    h.eps = eps;
    h.weight_decay = weight_decay;
    h.amsgrad = amsgrad;
    h.maximize = maximize;
    h.decoupled = decoupled;
    optim::fused_adam_step(h, params, grads, exp_avgs, exp_avg_sqs, vmax, st);
    return true;
  });
}

}  // namespace bind
}  // namespace tapegrad
