// CPU random numbers, drawn the way torch's CPU generator draws them, so that a seeded program
// prints the same numbers under `import tapegrad as torch` as under torch, to the last bit: one
// 32-bit Mersenne Twister (MT19937) seeded with
// the seed's low 32 bits; 64-bit draws are two 32-bit draws, the first the high half. The
// transformations below follow torch's documented CPU kernels:
// - uniform in [from, to): the draw's low 24 (float) / 53 (double, from a 64-bit draw) bits
//   scaled by 2^-24 / 2^-53, then x * (to - from) + from in the tensor's type;
// - normal, contiguous tensors of at least 16 elements: fill with uniforms, then Box-Muller on
//   blocks of 16 (u1 = 1 - x[j], u2 = x[j + 8] give x[j] = r cos, x[j + 8] = r sin); a tail
//   that is not a whole block redraws the last 16 elements and transforms them again (float16
//   and bfloat16 draw no uniforms for the tail's elements before that). float blocks on a CPU
//   with AVX2 and FMA take torch's vectorised float log/sin/cos (box_muller_avx2.h), float64
//   and CPUs without AVX2 libm's;
// - normal otherwise: one double Box-Muller pair per two values (u1 for the angle, u2 for the
//   radius through log1p(-u2)); the sine half is kept in the generator for the next value, and
//   manual_seed drops it;
// - integers in [lo, hi): (draw % range) + lo, with a 64-bit draw when range >= 2^32.
#include <cmath>
#include <cstring>
#include <mutex>
#include <optional>
#include <random>

#include <tapegrad/kernels/cuda_kernels.h>
#include <tapegrad/kernels/dispatch.h>
#include <tapegrad/kernels/kernels.h>
#include <tapegrad/kernels/rng_state.h>
#include <tapegrad/kernels/vmath.h>

#include "box_muller_avx2.h"
#include "mt19937.h"
#include "via_float.h"

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
  Mt19937 engine{static_cast<uint32_t>(initial_seed)};
  std::optional<double> next_normal;  // the cached sine half of the last scalar Box-Muller pair
  std::mutex mutex;

  uint32_t random() { return engine(); }
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

// The FMA paths: compiled for AVX2 + FMA and called only where the CPU has both (has_fma()).
// There std::fma is one instruction; in the baseline build it is a libm call, one per fused
// step: randn of 1e6 floats took 31 ms (torch 3.7), rand 6.8 (torch 3.1). The file is built
// with -ffp-contract=off (CMakeLists.txt), so only the std::fma steps fuse, as in torch.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define TG_FMA_TARGET __attribute__((target("avx2,fma")))
#else
#define TG_FMA_TARGET
#endif
bool has_fma() {
  static const bool yes = vmath::cpu_has_avx2();  // AVX2 and FMA
  return yes;
}

TG_FMA_TARGET void block16_fma(float* x, float mean, float std) {
  box_muller_avx2::block16(x, mean, std);
}

template <class T>
TG_FMA_TARGET void uniform_fill_fma(Generator& g, T* p, int64_t n, T from, T to) {
  for (int64_t i = 0; i < n; ++i) p[i] = std::fma(g.uniform01<T>(), to - from, from);
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

namespace {
constexpr size_t kMtWords = 624;
constexpr size_t kOffLeft = 8, kOffSeeded = 12, kOffNext = 16, kOffWords = 24,
                 kOffNormalY = kOffWords + 8 * kMtWords + 8, kOffNormalValid = kOffNormalY + 16;

template <class T>
void put(std::vector<uint8_t>& b, size_t off, T v) { std::memcpy(b.data() + off, &v, sizeof v); }
template <class T>
T get(const uint8_t* b, size_t off) {
  T v;
  std::memcpy(&v, b + off, sizeof v);
  return v;
}
}  // namespace

// Mt19937 keeps its words and the index of the next word to use (624: regenerate first); torch
// keeps `left` (draws until it regenerates, plus one) and `next` (the index) instead.
std::vector<uint8_t> get_rng_state() {
  Generator& g = gen();
  std::lock_guard<std::mutex> lock(g.mutex);
  std::vector<uint8_t> b(kRngStateBytes, 0);
  put<uint64_t>(b, 0, g.initial_seed);
  for (size_t k = 0; k < kMtWords; ++k)
    put<uint64_t>(b, kOffWords + 8 * k, g.engine.word(static_cast<int>(k)));
  const uint64_t p = static_cast<uint64_t>(g.engine.position());
  put<int32_t>(b, kOffLeft, p >= kMtWords ? 1 : static_cast<int32_t>(kMtWords + 1 - p));
  put<int32_t>(b, kOffSeeded, 1);
  put<uint64_t>(b, kOffNext, p % kMtWords);
  if (g.next_normal) {
    put<double>(b, kOffNormalY, *g.next_normal);
    put<int32_t>(b, kOffNormalValid, 1);
  }
  return b;
}

void set_rng_state(const uint8_t* b, size_t n) {
  TG_CHECK(n == kRngStateBytes, "Expected a CPUGeneratorImplState of size ", kRngStateBytes,
           " but found the input RNG state size to be ", n);
  const int32_t left = get<int32_t>(b, kOffLeft), seeded = get<int32_t>(b, kOffSeeded);
  const uint64_t next = get<uint64_t>(b, kOffNext);
  TG_CHECK(seeded == 1 && left > 0 && left <= static_cast<int32_t>(kMtWords) && next <= kMtWords,
           "Invalid mt19937 state");
  uint32_t words[kMtWords];
  for (size_t k = 0; k < kMtWords; ++k)
    words[k] = static_cast<uint32_t>(get<uint64_t>(b, kOffWords + 8 * k) & 0xffffffffu);
  Generator& g = gen();
  std::lock_guard<std::mutex> lock(g.mutex);
  // left == 1: the next draw regenerates
  g.engine.set_state(words, static_cast<int>(left == 1 ? kMtWords : next));
  g.initial_seed = get<uint64_t>(b, 0);
  g.next_normal.reset();
  if (get<int32_t>(b, kOffNormalValid)) g.next_normal = get<double>(b, kOffNormalY);
}

void uniform(const Tensor& out, double lo, double hi) {
  if (via_float::any(out)) {  // Note [Half via float]
    Tensor out_f = via_float::scratch(out);
    uniform(out_f, lo, hi);
    via_float::down(out, out_f);
    return;
  }
  TG_CUDA_DISPATCH(uniform(out, lo, hi), out);
  Generator& g = gen();
  std::lock_guard<std::mutex> lock(g.mutex);
  dispatch_floating(out.dtype(), "uniform_", [&](auto tag) {
    using T = decltype(tag);
    const T from = static_cast<T>(lo), to = static_cast<T>(hi);
    T* p = out.data<T>();
    if (has_fma()) return uniform_fill_fma<T>(g, p, out.numel(), from, to);
    for (int64_t i = 0; i < out.numel(); ++i) p[i] = std::fma(g.uniform01<T>(), to - from, from);
  });
}

namespace {

void normal_impl(const Tensor& out, double mean, double std, bool reduced_dtype) {
  Generator& g = gen();
  std::lock_guard<std::mutex> lock(g.mutex);
  dispatch_floating(out.dtype(), "normal_", [&](auto tag) {
    using T = decltype(tag);
    T* p = out.data<T>();
    const int64_t n = out.numel();
    if (n >= 16 && out.is_contiguous()) {
      const T m = static_cast<T>(mean), s = static_cast<T>(std);
      auto block = [&](T* x) {
        if constexpr (sizeof(T) == 4) {
          // torch's normal_ of 16+ contiguous elements transforms its blocks with its AVX2
          // float kernel where the CPU has AVX2 (and FMA, which its build assumes with it):
          // float32, and float16 / bfloat16 through float
          if (has_fma()) return block16_fma(x, m, s);
        }
        box_muller_16(x, m, s);
      };
      // float16/bfloat16: torch draws only the whole blocks before the redrawn tail (float32
      // and float64 draw one uniform per element first)
      const int64_t first = reduced_dtype ? n / 16 * 16 : n;
      for (int64_t i = 0; i < first; ++i) p[i] = g.uniform01<T>();
      for (int64_t i = 0; i + 16 <= n; i += 16) block(p + i);
      if (n % 16 != 0) {
        T* tail = p + n - 16;
        for (int i = 0; i < 16; ++i) tail[i] = g.uniform01<T>();
        block(tail);
      }
    } else {
      for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(g.scalar_normal(mean, std));
    }
  });
}
}  // namespace

void normal(const Tensor& out, double mean, double std) {
  if (via_float::any(out)) {  // Note [Half via float]
    Tensor out_f = via_float::scratch(out);
    if (out_f.device().is_cpu()) normal_impl(out_f, mean, std, true);
    else normal(out_f, mean, std);
    via_float::down(out, out_f);
    return;
  }
  TG_CUDA_DISPATCH(normal(out, mean, std), out);
  normal_impl(out, mean, std, false);
}

void randint(const Tensor& out, int64_t lo, int64_t hi) {
  if (via_float::any(out)) {  // Note [Half via float]: integers drawn in float32, rounded once
    Tensor out_f = via_float::scratch(out);
    randint(out_f, lo, hi);
    via_float::down(out, out_f);
    return;
  }
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
