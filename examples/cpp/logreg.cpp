// The seed tutorials' logistic regression in C++: w * x + b through sigmoid and binary
// cross-entropy, trained with SGD, with the same autograd as Python (backward, grad, no_grad).
#include <cstdio>
#include <tapegrad/tapegrad.h>

namespace tg = tapegrad;

int main() {
  tg::manual_seed(0);
  // Two blobs: class 0 around (-1.5, -1), class 1 around (1.5, 1).
  const int64_t n = 256;
  tg::Tensor x0 = tg::randn({n / 2, 2}) + tg::from_values({-1.5, -1.0}, {2}, tg::DType::Float32);
  tg::Tensor x1 = tg::randn({n / 2, 2}) + tg::from_values({1.5, 1.0}, {2}, tg::DType::Float32);
  tg::Tensor x = tg::cat({x0, x1});
  tg::Tensor y = tg::cat({tg::zeros({n / 2}), tg::ones({n / 2})});

  tg::Tensor w = tg::zeros({2});
  tg::Tensor b = tg::zeros({});
  w.set_requires_grad(true);
  b.set_requires_grad(true);
  tg::optim::SGDOptions options;
  options.lr = 0.5;
  tg::optim::SGD opt({w, b}, options);

  double first = 0, last = 0;
  for (int epoch = 1; epoch <= 100; ++epoch) {
    tg::Tensor z = tg::matmul(x, w) + b;
    tg::Tensor loss = tg::binary_cross_entropy(tg::sigmoid(z), y);
    opt.zero_grad();
    tg::backward(loss);
    opt.step();
    last = tg::item(loss).to_double();
    if (epoch == 1) first = last;
    if (epoch % 20 == 0) std::printf("epoch %3d  loss %.4f\n", epoch, last);
  }

  // tapegrad::grad: d(loss)/dw without touching .grad, and no_grad for evaluation.
  tg::Tensor loss = tg::binary_cross_entropy(tg::sigmoid(tg::matmul(x, w) + b), y);
  tg::TensorList g = tg::grad({loss}, {w});
  double accuracy;
  {
    tg::NoGradGuard no_grad;
    tg::Tensor pred = tg::compare(tg::CmpId::Gt, tg::matmul(x, w) + b, tg::wrapped_scalar(0.0));
    tg::Tensor hits = tg::compare(tg::CmpId::Eq, tg::to(pred, tg::DType::Float32), y);
    accuracy = tg::item(tg::mean(tg::to(hits, tg::DType::Float32))).to_double();
    if (tg::matmul(x, w).requires_grad()) return 3;  // no_grad must not record
  }
  std::printf("final loss %.4f, accuracy %.3f, |dloss/dw| %.2e\n", last, accuracy,
              tg::item(tg::sum(g[0] * g[0])).to_double());
  if (!(last < first * 0.5) || accuracy < 0.9) {
    std::printf("FAILED: training did not converge\n");
    return 1;
  }
  return 0;
}
