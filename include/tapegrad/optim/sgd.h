// SGD for C++ applications, with torch's semantics: momentum, dampening, nesterov,
// weight_decay, maximize; zero_grad(set_to_none). Header-only: it is a few tensor ops.
#pragma once
#include <vector>

#include <tapegrad/autograd/grad_mode.h>
#include <tapegrad/ops/ops.h>

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
    TG_CHECK_KIND(Value, !o.nesterov || (o.momentum > 0 && o.dampening == 0),
                  "Nesterov momentum requires a momentum and zero dampening");
    buf_.resize(params_.size());
  }

  void step() {
    NoGradGuard guard;
    for (size_t k = 0; k < params_.size(); ++k) {
      Tensor& p = params_[k];
      Tensor d = p.grad();
      if (!d.defined()) continue;
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
  }

  void zero_grad(bool set_to_none = true) {
    for (auto& p : params_) {
      if (!p.grad().defined()) continue;
      if (set_to_none) {
        p.set_grad(Tensor());
      } else {
        Tensor g = p.grad();
        zero_(g);
      }
    }
  }

 private:
  std::vector<Tensor> params_;
  SGDOptions o_;
  std::vector<Tensor> buf_;
};

}  // namespace optim
}  // namespace tapegrad
