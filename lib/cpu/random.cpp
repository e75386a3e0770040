// CPU random numbers, drawn the way torch's CPU generator draws them, so that a seeded program
// prints the same numbers under `import tapegrad as torch` as under torch (to the last bit but
// for torch's vectorised float log/sin/cos in randn of 16+ elements, which differ by an ulp or
// so): one 32-bit Mersenne Twister (MT19937) seeded with
// the seed's low 32 bits; 64-bit draws are two 32-bit draws, the first the high half. The
// transformations below follow torch's documented CPU kernels:
// - uniform in [from, to): the draw's low 24 (float) / 53 (double, from a 64-bit draw) bits
//   scaled by 2^-24 / 2^-53, then x * (to - from) + from in the tensor's type;
// - normal, contiguous tensors of at least 16 elements: fill with uniforms, then Box-Muller on
//   blocks of 16 (u1 = 1 - x[j], u2 = x[j + 8] give x[j] = r cos, x[j + 8] = r sin); a tail
//   that is not a whole block redraws the last 16 elements and transforms them again;
// - normal otherwise: one double Box-Muller pair per two values (u1 for the angle, u2 for the
//   radius through log1p(-u2)); the sine half is kept in the generator for the next value, and
//   manual_seed drops it;
// - integers in [lo, hi): (draw % range) + lo, with a 64-bit draw when range >= 2^32.
#include <cmath>
#include <mutex>
#include <optional>
#include <random>

#include <tapegrad/kernels/cuda_kernels.h>
#include <tapegrad/kernels/dispatch.h>
#include <tapegrad/kernels/kernels.h>

namespace tapegrad {
namespace kern {

namespace {

// Like torch's, the generator starts from a nondeterministic seed (torch.initial_seed()).
uint64_t startup_seed() {
  std::random_device rd;
  return static_cast<uint64_t>(rd()) << 32 | rd();
}

struct Generator {
  uint64_t initial_seed = startup_seed();
  std::mt19937 engine{static_cast<uint32_t>(initial_seed)};
  std::optional<double> next_normal;  // the cached sine half of the last scalar Box-Muller pair
  std::mutex mutex;

  uint32_t random() { return static_cast<uint32_t>(engine()); }
  uint64_t random64() {
    const uint64_t hi = random();
    return hi << 32 | random();
  }
  template <class T>
  T uniform01() {
    if constexpr (sizeof(T) == 8) {
      return static_cast<T>(random64() & ((uint64_t(1) << 53) - 1)) * static_cast<T>(0x1p-53);
    } else {
      return static_cast<T>(random() & ((uint32_t(1) << 24) - 1)) * static_cast<T>(0x1p-24);
    }
  }
  double scalar_normal(double mean, double std) {
    if (next_normal) {
      const double r = *next_normal;
      next_normal.reset();
      return std::fma(r, std, mean);
    }
    const double u1 = uniform01<double>(), u2 = uniform01<double>();
    const double radius = std::sqrt(-2.0 * std::log1p(-u2));
    const double theta = 2.0 * M_PI * u1;
    next_normal = radius * std::sin(theta);
    return std::fma(radius * std::cos(theta), std, mean);
  }
};

Generator& gen() {
  static Generator g;
  return g;
}

// torch compiles these kernels with FMA, so a * b + c rounds once (std::fma here); its float
// version is vectorised, with the angle 2 pi * u2 computed in float.
template <class T>
void box_muller_16(T* x, T mean, T std) {
  for (int j = 0; j < 8; ++j) {
    const T u1 = 1 - x[j];  // [0, 1) -> (0, 1] for the log
    const T u2 = x[j + 8];
    const T radius = std::sqrt(-2 * std::log(u1));
    const T theta = sizeof(T) == 4 ? static_cast<T>(2.0 * M_PI) * u2 : static_cast<T>(2.0 * M_PI * u2);
    x[j] = std::fma(radius * std::cos(theta), std, mean);
    x[j + 8] = std::fma(radius * std::sin(theta), std, mean);
  }
}

}  // namespace

void seed(uint64_t s) {
  Generator& g = gen();
  std::lock_guard<std::mutex> lock(g.mutex);
  g.initial_seed = s;
  g.engine.seed(static_cast<uint32_t>(s));
  g.next_normal.reset();
}

uint64_t initial_seed() {
  Generator& g = gen();
  std::lock_guard<std::mutex> lock(g.mutex);
  return g.initial_seed;
}

void uniform(const Tensor& out, double lo, double hi) {
  TG_CUDA_DISPATCH(uniform(out, lo, hi), out);
  Generator& g = gen();
  std::lock_guard<std::mutex> lock(g.mutex);
  dispatch_floating(out.dtype(), "uniform_", [&](auto tag) {
    using T = decltype(tag);
    const T from = static_cast<T>(lo), to = static_cast<T>(hi);
    T* p = out.data<T>();
    for (int64_t i = 0; i < out.numel(); ++i) p[i] = std::fma(g.uniform01<T>(), to - from, from);
  });
}

void normal(const Tensor& out, double mean, double std) {
  TG_CUDA_DISPATCH(normal(out, mean, std), out);
  Generator& g = gen();
  std::lock_guard<std::mutex> lock(g.mutex);
  dispatch_floating(out.dtype(), "normal_", [&](auto tag) {
    using T = decltype(tag);
    T* p = out.data<T>();
    const int64_t n = out.numel();
    if (n >= 16 && out.is_contiguous()) {
      const T m = static_cast<T>(mean), s = static_cast<T>(std);
      for (int64_t i = 0; i < n; ++i) p[i] = g.uniform01<T>();
      for (int64_t i = 0; i + 16 <= n; i += 16) box_muller_16(p + i, m, s);
      if (n % 16 != 0) {
        T* tail = p + n - 16;
        for (int i = 0; i < 16; ++i) tail[i] = g.uniform01<T>();
        box_muller_16(tail, m, s);
      }
    } else {
      for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(g.scalar_normal(mean, std));
    }
  });
}

void randint(const Tensor& out, int64_t lo, int64_t hi) {
  TG_CUDA_DISPATCH(randint(out, lo, hi), out);
  Generator& g = gen();
  std::lock_guard<std::mutex> lock(g.mutex);
  const uint64_t range = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
  const bool wide = range >= (uint64_t(1) << 32);
  dispatch_numeric(out.dtype(), "random_", [&](auto tag) {
    using T = decltype(tag);
    T* p = out.data<T>();
    for (int64_t i = 0; i < out.numel(); ++i) {
      const uint64_t v = wide ? g.random64() : g.random();
      p[i] = static_cast<T>(static_cast<int64_t>(v % range + static_cast<uint64_t>(lo)));
    }
  });
}

}  // namespace kern
}  // namespace tapegrad
