// CPU random numbers: one global mt19937_64 seeded by manual_seed (values differ from torch's
// generator; seeded runs are reproducible within tapegrad).
#include <mutex>
#include <random>

#include <tapegrad/kernels/cuda_kernels.h>
#include <tapegrad/kernels/dispatch.h>
#include <tapegrad/kernels/kernels.h>

namespace tapegrad {
namespace kern {

namespace {
std::mt19937_64& engine() {
  static std::mt19937_64 gen(5489u);
  return gen;
}
std::mutex& engine_mutex() {
  static std::mutex m;
  return m;
}
}  // namespace

void seed(uint64_t s) {
  std::lock_guard<std::mutex> lock(engine_mutex());
  engine().seed(s);
}

void uniform(const Tensor& out, double lo, double hi) {
  TG_CUDA_DISPATCH(uniform(out, lo, hi), out);
  std::lock_guard<std::mutex> lock(engine_mutex());
  dispatch_floating(out.dtype(), "uniform_", [&](auto tag) {
    using T = decltype(tag);
    std::uniform_real_distribution<double> d(lo, hi);
    T* p = out.data<T>();
    for (int64_t i = 0; i < out.numel(); ++i) {
      T v;
      do v = static_cast<T>(d(engine()));
      while (v >= static_cast<T>(hi) && hi > lo);  // float rounding must keep [lo, hi)
      p[i] = v;
    }
  });
}

void normal(const Tensor& out, double mean, double std) {
  TG_CUDA_DISPATCH(normal(out, mean, std), out);
  std::lock_guard<std::mutex> lock(engine_mutex());
  dispatch_floating(out.dtype(), "normal_", [&](auto tag) {
    using T = decltype(tag);
    std::normal_distribution<double> d(mean, std);
    T* p = out.data<T>();
    for (int64_t i = 0; i < out.numel(); ++i) p[i] = static_cast<T>(d(engine()));
  });
}

void randint(const Tensor& out, int64_t lo, int64_t hi) {
  TG_CUDA_DISPATCH(randint(out, lo, hi), out);
  std::lock_guard<std::mutex> lock(engine_mutex());
  std::uniform_int_distribution<int64_t> d(lo, hi - 1);
  dispatch_numeric(out.dtype(), "random_", [&](auto tag) {
    using T = decltype(tag);
    T* p = out.data<T>();
    for (int64_t i = 0; i < out.numel(); ++i) p[i] = static_cast<T>(d(engine()));
  });
}

}  // namespace kern
}  // namespace tapegrad
