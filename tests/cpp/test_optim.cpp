// C++ tests of the optimizers (optim/sgd.h, optim/adam.h): the fused multi-tensor step and the
// per-tensor loop (taken when a gradient is not contiguous) give the same parameters and state
// over several steps, for SGD's and Adam/AdamW's options; the version counters move; a CPU
// 0-d float32 step counter is kept as torch keeps it. Checked against torch in
// tests/test_optim_fused.py.
#include <cmath>
#include <cstdio>
#include <functional>
#include <tapegrad/tapegrad.h>

namespace tg = tapegrad;

static int failures = 0;
#define EXPECT(cond)                                                  \
  do {                                                                \
    if (!(cond)) {                                                    \
      std::printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);     \
      ++failures;                                                     \
    }                                                                 \
  } while (0)

static std::vector<double> vals(const tg::Tensor& t) { return tg::to_double_vector(t); }

static bool close(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!(std::fabs(a[i] - b[i]) <= 1e-12 * (1 + std::fabs(b[i])))) return false;
  return true;
}

// A 4x3 and a 3-element parameter; step t's gradients are deterministic. strided: the 4x3
// gradient is a transposed view (not contiguous), which sends the step down the loop.
struct Problem {
  tg::Tensor w, b;
  Problem() {
    std::vector<double> wv, bv;
    for (int k = 0; k < 12; ++k) wv.push_back(std::sin(k + 1.0));
    for (int k = 0; k < 3; ++k) bv.push_back(std::cos(k + 1.0));
    w = tg::from_values(wv, {4, 3}, tg::DType::Float64);
    b = tg::from_values(bv, {3}, tg::DType::Float64);
    w.set_requires_grad(true);
    b.set_requires_grad(true);
  }
  void set_grads(int t, bool strided) {
    std::vector<double> gw, gb;
    for (int k = 0; k < 12; ++k) gw.push_back(std::sin(3.0 * k + t) * (k % 3 + 1));
    for (int k = 0; k < 3; ++k) gb.push_back(std::cos(2.0 * k - t));
    tg::Tensor g = tg::from_values(gw, {4, 3}, tg::DType::Float64);
    if (strided) g = tg::transpose(tg::contiguous(tg::transpose(g, 0, 1)), 0, 1);
    w.set_grad(g);
    b.set_grad(t == 2 ? tg::Tensor() : tg::from_values(gb, {3}, tg::DType::Float64));
  }
};

static void check_sgd(tg::optim::SGDOptions o) {
  Problem fused, loop;
  tg::optim::SGD a({fused.w, fused.b}, o), c({loop.w, loop.b}, o);
  for (int t = 0; t < 5; ++t) {
    if (t == 3) a.options().lr = c.options().lr = o.lr * 0.5;  // as a scheduler would
    fused.set_grads(t, false);
    loop.set_grads(t, true);
    EXPECT(!loop.w.grad().is_contiguous());
    const uint32_t v = fused.w.version();
    a.step();
    c.step();
    EXPECT(fused.w.version() > v);
  }
  EXPECT(close(vals(fused.w), vals(loop.w)));
  EXPECT(close(vals(fused.b), vals(loop.b)));
  EXPECT(vals(fused.w) != vals(Problem().w));  // it moved
  if (o.momentum != 0) {
    EXPECT(close(vals(a.momentum_buffer(0)), vals(c.momentum_buffer(0))));
    EXPECT(close(vals(a.momentum_buffer(1)), vals(c.momentum_buffer(1))));
  } else {
    EXPECT(!a.momentum_buffer(0).defined());
  }
}

static void check_adam(tg::optim::AdamOptions o) {
  Problem fused, loop;
  tg::optim::Adam a({fused.w, fused.b}, o), c({loop.w, loop.b}, o);
  for (int t = 0; t < 5; ++t) {
    fused.set_grads(t, false);
    loop.set_grads(t, true);
    a.step();
    c.step();
  }
  EXPECT(close(vals(fused.w), vals(loop.w)));
  EXPECT(close(vals(fused.b), vals(loop.b)));
  for (size_t k = 0; k < 2; ++k) {
    const tg::optim::AdamState &x = a.state(k), &y = c.state(k);
    EXPECT(close(vals(x.exp_avg), vals(y.exp_avg)));
    EXPECT(close(vals(x.exp_avg_sq), vals(y.exp_avg_sq)));
    EXPECT(x.max_exp_avg_sq.defined() == o.amsgrad);
    if (o.amsgrad) EXPECT(close(vals(x.max_exp_avg_sq), vals(y.max_exp_avg_sq)));
    EXPECT(x.step.dtype() == tg::DType::Float32 && x.step.dim() == 0);
    // b had no gradient at step 2: one step fewer
    EXPECT(vals(x.step)[0] == (k == 0 ? 5.0 : 4.0) && vals(y.step) == vals(x.step));
  }
}

int main() {
  tg::optim::SGDOptions s;
  s.lr = 0.1;
  check_sgd(s);
  s.weight_decay = 0.1;
  s.maximize = true;
  check_sgd(s);
  s.momentum = 0.9;
  s.dampening = 0.3;
  check_sgd(s);
  s.dampening = 0;
  s.nesterov = true;
  check_sgd(s);

  tg::optim::AdamOptions o;
  o.lr = 0.01;
  check_adam(o);
  o.weight_decay = 0.1;
  o.amsgrad = true;
  o.maximize = true;
  check_adam(o);
  o.decoupled_weight_decay = true;
  o.beta1 = 0.3;  // 1 - beta1 >= 0.5: lerp from the other end
  check_adam(o);
  if (failures) {
    std::printf("%d C++ optimizer check(s) failed\n", failures);
    return 1;
  }
  std::printf("all C++ optimizer checks passed\n");
  return 0;
}
