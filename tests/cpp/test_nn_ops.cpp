// C++ tests of the model ops through the public C++ API: a small CNN (conv2d, relu,
// max_pool2d, layer_norm, linear, cross_entropy) whose analytic gradients match central finite
// differences in float64, plus gelu/softplus/logsumexp/var/prod/embedding/masked_fill, dropout's
// identities and the random fills' ranges; split/chunk/unbind (pieces partly unused), flip,
// roll, repeat/tile, cumsum, cumprod (zeros included) and the rounding ops' values.
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

static tg::Tensor param(const tg::Shape& s, double scale = 1.0) {
  tg::Tensor t = tg::mul(tg::randn(s, tg::DType::Float64), tg::wrapped_scalar(scale));
  t.set_requires_grad(true);
  return t;
}

// Compares tg::grad of loss() with central differences for every element of every parameter.
static void check_gradients(const char* what, const std::function<tg::Tensor()>& loss,
                            const std::vector<tg::Tensor>& params) {
  tg::TensorList g = tg::grad({loss()}, params);
  const double h = 1e-6;
  for (size_t k = 0; k < params.size(); ++k) {
    double* p = params[k].data<double>();
    std::vector<double> analytic = tg::to_double_vector(g[k]);
    for (int64_t i = 0; i < params[k].numel(); ++i) {
      const double keep = p[i];
      p[i] = keep + h;
      double up = tg::item(loss()).d;
      p[i] = keep - h;
      double down = tg::item(loss()).d;
      p[i] = keep;
      const double numeric = (up - down) / (2 * h);
      if (std::fabs(numeric - analytic[i]) > 1e-5 * (1 + std::fabs(numeric))) {
        std::printf("FAIL %s: param %zu element %lld: analytic %.8g numeric %.8g\n", what, k,
                    static_cast<long long>(i), analytic[i], numeric);
        ++failures;
        return;
      }
    }
  }
}

static void test_small_cnn() {
  tg::manual_seed(0);
  tg::Tensor x = tg::randn({2, 1, 6, 6}, tg::DType::Float64);
  tg::Tensor target = tg::from_values({1, 2}, {2}, tg::DType::Int64);
  tg::Tensor w1 = param({3, 1, 3, 3}, 0.5), b1 = param({3}, 0.1);
  tg::Tensor lw = param({27}, 0.3), lb = param({27}, 0.1);
  tg::Tensor w2 = param({4, 27}, 0.3), b2 = param({4}, 0.1);
  auto loss = [&]() {
    tg::Tensor h = tg::conv2d(x, w1, b1, {1}, "same", {1});
    h = tg::max_pool2d_with_indices(tg::gelu(h), {2}, {}, {0}, {1}, false).first;  // [2,3,3,3]
    h = tg::layer_norm(tg::flatten(h, 1), {27}, lw, lb);
    return tg::cross_entropy(tg::linear(h, w2, b2), target);
  };
  tg::Tensor l = loss();
  EXPECT(l.dim() == 0 && std::isfinite(tg::item(l).d));
  EXPECT(std::string(l.grad_fn()->name()) == "NllLossBackward0");
  check_gradients("small cnn", loss, {w1, b1, lw, lb, w2, b2});
}

static void test_grouped_strided_conv() {
  tg::Tensor x = param({1, 4, 5, 5}), w = param({2, 2, 2, 3});
  auto loss = [&]() {
    tg::Tensor y = tg::conv2d(x, w, tg::Tensor(), {2, 1}, {1, 0}, {1, 2}, 2);
    return tg::sum(tg::mul(y, y));
  };
  check_gradients("grouped conv", loss, {x, w});
}

static void test_pointwise_and_reductions() {
  tg::Tensor x = param({3, 4});
  tg::Tensor m = tg::compare(tg::CmpId::Gt, tg::randn({4}, tg::DType::Float64),
                             tg::wrapped_scalar(0.0));
  auto loss = [&]() {
    tg::Tensor a = tg::softplus(x, 2.0, 1.0) + tg::silu(x) + tg::tril(tg::exp2(x), 1);
    tg::Tensor r = tg::logsumexp(a, {1}) + tg::var(a, {1}, 1) + tg::std(a, {1}, 0);
    tg::Tensor p = tg::prod(tg::masked_fill(x, m, tg::Scalar(0.5)), 0);
    return tg::sum(r) + tg::sum(p) + tg::sum(tg::index_select(a, 1, tg::from_values(
                                         {3, 0, 3}, {3}, tg::DType::Int64)));
  };
  check_gradients("pointwise+reductions", loss, {x});
}

static void test_embedding() {
  tg::Tensor w = param({5, 3});
  tg::Tensor idx = tg::from_values({0, 2, 2, 4}, {2, 2}, tg::DType::Int64);
  tg::Tensor up = tg::randn({2, 2, 3}, tg::DType::Float64);
  tg::TensorList g = tg::grad({tg::sum(tg::mul(tg::embedding(w, idx, 2), up))}, {w});
  std::vector<double> gv = tg::to_double_vector(g[0]), u = tg::to_double_vector(up);
  for (int c = 0; c < 3; ++c) {
    EXPECT(std::fabs(gv[0 * 3 + c] - u[0 * 3 + c]) < 1e-12);
    EXPECT(gv[2 * 3 + c] == 0);  // padding_idx row gets no gradient
    EXPECT(std::fabs(gv[4 * 3 + c] - u[3 * 3 + c]) < 1e-12);
  }
}

static void test_dropout_and_random() {
  tg::Tensor x = param({100, 100});
  EXPECT(tg::dropout(x, 0.0, true).same(x));
  EXPECT(tg::dropout(x, 0.5, false).same(x));
  tg::Tensor y = tg::dropout(x, 0.25, true);
  EXPECT(std::string(y.grad_fn()->name()) == "MulBackward0");
  std::vector<double> xv = tg::to_double_vector(x), yv = tg::to_double_vector(y);
  int zeros = 0;
  for (size_t i = 0; i < xv.size(); ++i) {
    if (yv[i] == 0) {
      ++zeros;
    } else {
      EXPECT(std::fabs(yv[i] - xv[i] / 0.75) < 1e-12);
    }
  }
  EXPECT(std::abs(zeros - 2500) < 300);
  tg::Tensor u = tg::empty({1000}, tg::DType::Float32);
  tg::uniform_(u, -3, -1);
  for (double v : tg::to_double_vector(u)) EXPECT(v >= -3 && v < -1);
  bool threw = false;
  try {
    tg::dropout(x, 1.5, true);
  } catch (const tg::Error&) {
    threw = true;
  }
  EXPECT(threw);
}

static void test_shape_ops_and_scans() {
  tg::Tensor x = param({4, 3});
  tg::Tensor z = param({2, 5});
  z.data<double>()[1] = 0;  // cumprod through a zero
  auto loss = [&]() {
    tg::TensorList p = tg::split(x, 3, 0);       // [3, 3] and [1, 3]: only some used
    tg::TensorList u = tg::unbind(x, 1);
    tg::TensorList c = tg::chunk(x, 2, 1);       // [4, 2], [4, 1]
    tg::TensorList w = tg::split_with_sizes(x, {1, 0, 3}, 0);
    tg::Tensor a = tg::sum(tg::flip(p[0], {0, 1}) * tg::roll(p[0], {1}, {1}));
    tg::Tensor b = tg::sum(u[2] * u[2]) +
                   tg::sum(tg::repeat(c[1], {2, 3}) * tg::wrapped_scalar(0.5));
    tg::Tensor d = tg::sum(tg::cumsum(tg::tile(w[2], {2}), 1) * tg::sum(tg::cumprod(z, 1)));
    return a + b + d + tg::sum(tg::roll(tg::cumprod(z, 0), {2}));
  };
  check_gradients("split/unbind/flip/roll/repeat/cumsum/cumprod", loss, {x, z});
  tg::Tensor v = tg::from_values({-2.5, -0.5, 0.5, 1.5, 2.7, -3.2}, {6}, tg::DType::Float64);
  std::vector<double> r = tg::to_double_vector(tg::round(v));
  std::vector<double> f = tg::to_double_vector(tg::floor(v));
  std::vector<double> fr = tg::to_double_vector(tg::frac(v));
  EXPECT(r[0] == -2 && r[1] == -0.0 && r[2] == 0 && r[3] == 2 && r[4] == 3 && r[5] == -3);
  EXPECT(f[0] == -3 && f[4] == 2 && f[5] == -4);
  EXPECT(std::fabs(fr[4] - 0.7) < 1e-12 && std::fabs(fr[5] + 0.2) < 1e-12);
  EXPECT(tg::item(tg::all(v)).i == 1 && tg::item(tg::any(tg::isnan(v))).i == 0);
  EXPECT(tg::split(x, 3, 0)[1].impl()->view_multi_output);
}

int main() {
  test_small_cnn();
  test_grouped_strided_conv();
  test_pointwise_and_reductions();
  test_embedding();
  test_dropout_and_random();
  test_shape_ops_and_scans();
  if (failures) {
    std::printf("%d failure(s)\n", failures);
    return 1;
  }
  std::printf("nn ops: all passed\n");
  return 0;
}
