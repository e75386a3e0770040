// SGD for C++ applications, with torch's semantics: momentum, dampening, nesterov,
// weight_decay, maximize; zero_grad(set_to_none). A step is one fused multi-tensor call
// (optim/fused.h) when every parameter with a gradient qualifies, else a few tensor ops per
// parameter.
#pragma once
#include <vector>

#include <tapegrad/autograd/grad_mode.h>
#include <tapegrad/ops/ops.h>
#include <tapegrad/optim/fused.h>
#include <tapegrad/optim/zero_grad.h>

namespace tapegrad {
namespace optim {

struct SGDOptions {
  double lr = 1e-3, momentum = 0, dampening = 0, weight_decay = 0;
  bool nesterov = false, maximize = false;
};

class SGD {
 public:
  SGD(std::vector<Tensor> params, SGDOptions o) : params_(std::move(params)), o_(o) {
    TG_CHECK_KIND(Value, o.lr >= 0, "Invalid learning rate: ", o.lr);
    TG_CHECK_KIND(Value, o.momentum >= 0, "Invalid momentum value: ", o.momentum);
    TG_CHECK_KIND(Value, o.weight_decay >= 0, "Invalid weight_decay value: ", o.weight_decay);
    TG_CHECK_KIND(Value, !o.nesterov || (o.momentum > 0 && o.dampening == 0),
                  "Nesterov momentum requires a momentum and zero dampening");
    buf_.resize(params_.size());
  }

  SGDOptions& options() { return o_; }  // e.g. to change lr between steps

  void step() {
    NoGradGuard guard;
    std::vector<Tensor> ps, gs, bufs;
    std::vector<size_t> idx;
    for (size_t k = 0; k < params_.size(); ++k) {
      Tensor g = params_[k].grad();
      if (!g.defined()) continue;
      ps.push_back(params_[k]);
      gs.push_back(g);
      idx.push_back(k);
      if (o_.momentum != 0) bufs.push_back(buf_[k]);
    }
    if (fused_sgd_supported(ps, gs, bufs)) {
      fused_sgd_step(hyper(), ps, gs, bufs);
      for (size_t j = 0; j < bufs.size(); ++j) buf_[idx[j]] = bufs[j];
      return;
    }
    for (size_t k = 0; k < params_.size(); ++k) loop_step(k);
  }

  void zero_grad(bool set_to_none = true) { optim::zero_grad(params_, set_to_none); }

  // Parameter k's momentum buffer (undefined before its first step or without momentum).
  const Tensor& momentum_buffer(size_t k) const { return buf_.at(k); }

 private:
  SGDHyper hyper() const {
    SGDHyper h;
    h.lr = o_.lr;
    h.momentum = o_.momentum;
    h.dampening = o_.dampening;
    h.weight_decay = o_.weight_decay;
    h.nesterov = o_.nesterov;
    h.maximize = o_.maximize;
    return h;
  }

  // The per-tensor form: tensor ops, for parameters the fused step does not take.
  void loop_step(size_t k) {
    Tensor& p = params_[k];
    Tensor d = p.grad();
    if (!d.defined()) return;
    if (o_.maximize) d = neg(d);
    if (o_.weight_decay != 0) d = add(d, p, o_.weight_decay);
    if (o_.momentum != 0) {
      if (!buf_[k].defined()) {
        buf_[k] = clone(d);
      } else {
        mul_(buf_[k], wrapped_scalar(o_.momentum));
        add_(buf_[k], d, 1 - o_.dampening);
      }
      d = o_.nesterov ? add(d, buf_[k], o_.momentum) : buf_[k];
    }
    add_(p, d, -o_.lr);
  }

  std::vector<Tensor> params_;
  SGDOptions o_;
  std::vector<Tensor> buf_;
};

}  // namespace optim
}  // namespace tapegrad
