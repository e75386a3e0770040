// Picks the vectorised-math table for this CPU (kernels/vmath.h) and applies it to contiguous
// CPU tensors (anything else: the try_* calls decline), split across OpenMP threads above the
// elementwise grain size.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <vector>

#include <tapegrad/kernels/loops.h>
#include <tapegrad/kernels/vmath.h>
#include <tapegrad/ops/memory_format.h>

namespace tapegrad {
namespace vmath {

bool cpu_has_avx512() {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw");
#else
  return false;
#endif
}

bool cpu_has_avx2() {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

bool cpu_is_amd() {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  return __builtin_cpu_is("amd");
#else
  return false;
#endif
}

// Note [256-bit lanes for memory-bound loops on AMD]
// Zen 4 runs a 512-bit instruction as two 256-bit halves, and its 512-bit stores gain nothing
// on data that streams from L3 or memory: the same in-place mul_ on 1e6 floats (8 MB, L3-resident)
// took 87-93 us with 512-bit lanes and 82-83 us with 256-bit ones, which is where torch's AVX2
// loop is (measured side by side, benchmarks/run.py). glibc makes the same choice for memcpy on
// AMD. So on AMD the plain add/sub/mul/div loops (and abs, neg, relu) come from the AVX2 table,
// and everything that is compute-bound (exp, sigmoid, tanh, sin, cos: 2x faster with 512-bit
// lanes) stays AVX-512.
// TAPEGRAD_VMATH=avx512 asks for the whole AVX-512 table (to compare, and to test that path).
const VecSet* mixed_for_amd(const VecSet* v512, const VecSet* v2) {
  static VecSet mixed = [&] {
    VecSet m = *v512;
    m.name = "avx512+avx2-binary";
    for (int k = 0; k < kNumBins; ++k) {
      m.bin_f32[k] = v2->bin_f32[k];
      m.bin_f64[k] = v2->bin_f64[k];
      m.bin_s_f32[k] = v2->bin_s_f32[k];
      m.bin_s_f64[k] = v2->bin_s_f64[k];
    }
    for (int k = kFirstMemoryBoundFn; k < kNumFns; ++k) {
      m.f32[k] = v2->f32[k];
      m.f64[k] = v2->f64[k];
    }
    return m;
  }();
  return &mixed;
}

const VecSet* active() {
  static const VecSet* chosen = []() -> const VecSet* {
    const char* want = std::getenv("TAPEGRAD_VMATH");
    const std::string w = want ? want : "";
    const VecSet* v512 = cpu_has_avx512() ? avx512_set() : nullptr;
    const VecSet* v2 = cpu_has_avx2() ? avx2_set() : nullptr;
    if (w == "generic") return nullptr;
    if (w == "avx2" && v2) return v2;
    if (w == "avx512" && v512) return v512;
    if (v512 && v2 && cpu_is_amd()) return mixed_for_amd(v512, v2);
    return v512 ? v512 : v2;
  }();
  return chosen;
}

const char* cpu_capability() {
  const VecSet* s = active();
  return !s ? "DEFAULT" : s == avx2_set() ? "AVX2" : "AVX512";
}

namespace {

int fn_of(OpId op) {
  switch (op) {
    case OpId::Exp: return kExp;
    case OpId::Sigmoid: return kSigmoid;
    case OpId::Tanh: return kTanh;
    case OpId::Sin: return kSin;
    case OpId::Cos: return kCos;
    case OpId::Log: return kLog;
    case OpId::Silu: return kSilu;
    case OpId::Rsqrt: return kRsqrt;
    case OpId::Reciprocal: return kReciprocal;
    case OpId::Abs: return kAbs;
    case OpId::Neg: return kNeg;
    case OpId::Relu: return kRelu;
    default: return -1;
  }
}

bool expanded(const Tensor& t) {
  for (int64_t d = 0; d < t.dim(); ++d)
    if (t.strides()[d] == 0 && t.sizes()[d] > 1) return true;
  return false;
}

// Whether out is written with streaming stores (Note [Streaming stores] in vmath.h): decided
// for the whole output, before it is split into chunks (whose starts stay 64-byte aligned).
// The bar is kStreamMinBytes when two or more distinct inputs of out's size are read, and
// kStreamMapMinBytes when one is (a map, x + 1, x * x, a backward with one value of grad).
bool want_stream(const Tensor& out, std::initializer_list<const Tensor*> ins) {
  const int64_t bytes = out.numel() * static_cast<int64_t>(itemsize(out.dtype()));
  if (bytes < kStreamMinBytes || reinterpret_cast<uintptr_t>(out.raw_data()) % 64 != 0)
    return false;
  const void* first = nullptr;
  int wide = 0;  // distinct inputs as large as out
  for (const Tensor* t : ins) {
    if (t->raw_data() == out.raw_data()) return false;
    if (t->numel() != out.numel() || t->raw_data() == first || expanded(*t)) continue;
    if (!first) first = t->raw_data();
    ++wide;
  }
  if (wide < 2 && bytes < kStreamMapMinBytes) return false;
  // small outputs never get here, so they pay no thread-count query
  return !(bytes < kStreamThreadedMinBytes && cpu::max_threads() > 1);
}

}  // namespace

bool flat_alike(const Tensor& out, std::initializer_list<const Tensor*> ins) {
  bool all_contiguous = out.is_contiguous();
  for (const Tensor* t : ins) {
    if (t->sizes() != out.sizes()) return false;
    all_contiguous = all_contiguous && t->is_contiguous();
  }
  if (all_contiguous) return true;
  for (const Tensor* t : ins)
    if (t->strides() != out.strides()) return false;
  return is_non_overlapping_and_dense(out);
}

namespace {

// f over [0, n) in chunks (a multiple of 64 elements, so no chunk but the last has a tail).
template <class T>
void run_chunked(MapFn<T> f, T* out, const T* in, int64_t n, bool stream) {
  cpu::parallel_parts(n, [&](int64_t s, int64_t len) { f(out + s, in + s, len, stream); });
}

}  // namespace

bool try_unary(OpId op, const Tensor& out, const Tensor& in) {
  const int k = fn_of(op);
  return k >= 0 && try_map(static_cast<Fn>(k), out, in);
}

bool try_map(Fn k, const Tensor& out, const Tensor& in) {
  const VecSet* set = active();
  if (!set || out.dtype() != in.dtype() || !out.device().is_cpu() || !in.device().is_cpu() ||
      !flat_alike(out, {&in}))
    return false;
  const bool stream = want_stream(out, {&in});
  if (in.dtype() == DType::Float32 && set->f32[k]) {
    run_chunked(set->f32[k], out.data<float>(), in.data<float>(), in.numel(), stream);
    return true;
  }
  if (in.dtype() == DType::Float64 && set->f64[k]) {
    run_chunked(set->f64[k], out.data<double>(), in.data<double>(), in.numel(), stream);
    return true;
  }
  return false;
}

namespace {
int bin_of(OpId op) {
  switch (op) {
    case OpId::Add: return kAdd;
    case OpId::Sub: return kSub;
    case OpId::Mul: return kMul;
    case OpId::Div: return kDiv;
    default: return -1;
  }
}

template <class T>
void run_bin(BinFn<T> f, BinScalarFn<T> fs, T* o, const T* a, const T* b, bool scalar,
             int64_t n, bool stream) {
  auto part = [&](int64_t s, int64_t len) {
    if (scalar) fs(o + s, a + s, *b, len, stream);
    else f(o + s, a + s, b + s, len, stream);
  };
  cpu::parallel_parts(n, part);
}

// out = a op b where b (or, for add and mul, a) is broadcast along the rows: the coalesced
// walk's innermost dim is unit-stride in out and the other operand, and unit-stride or
// stride 0 in the broadcast one (x / x.norm(dim=1, keepdim=True), a bias added to rows). One
// vector call per row of at least 16 elements; false when the layout is not such.
template <class T>
bool run_bin_rows(BinFn<T> f, BinScalarFn<T> fs, bool commutes, const Tensor& out,
                  const Tensor& a, const Tensor& b) {
  constexpr int64_t w = sizeof(T);
  cpu::StridedIter<3> it;
  it.shape = out.sizes();
  it.set(0, out);
  it.set(1, a);
  it.set(2, b);
  it.coalesce();
  const size_t nd = it.shape.size();
  if (nd == 0 || it.shape[nd - 1] < 16 || it.strides[0][nd - 1] != w) return false;
  const int64_t sa = it.strides[1][nd - 1], sb = it.strides[2][nd - 1];
  const bool swap = sa == 0 && sb == w && commutes;
  if (!swap && !(sa == w && (sb == w || sb == 0))) return false;
  const int x = swap ? 2 : 1, y = swap ? 1 : 2;
  const bool row_scalar = swap || sb == 0;
  it.run([&](std::array<char*, 3> p, int64_t n, const std::array<int64_t, 3>&) {
    T* o = reinterpret_cast<T*>(p[0]);
    const T* u = reinterpret_cast<const T*>(p[x]);
    const T* v = reinterpret_cast<const T*>(p[y]);
    if (row_scalar) fs(o, u, *v, n, false);
    else f(o, u, v, n, false);
  });
  return true;
}
}  // namespace

bool try_binary(OpId op, const Tensor& out, const Tensor& a, const Tensor& b) {
  const VecSet* set = active();
  const int k = bin_of(op);
  if (!set || k < 0 || out.dtype() != a.dtype() || out.dtype() != b.dtype() ||
      !out.device().is_cpu() || !a.device().is_cpu() || !b.device().is_cpu())
    return false;
  const bool scalar = b.numel() == 1;
  if (scalar ? !flat_alike(out, {&a}) : !flat_alike(out, {&a, &b})) {
    // small outputs skip the row walk: its set-up costs more than a row-vector call saves,
    // and the caller's loop would walk them again
    if (out.numel() < 1024) return false;
    const bool commutes = k == kAdd || k == kMul;
    if (out.dtype() == DType::Float32)
      return run_bin_rows(set->bin_f32[k], set->bin_s_f32[k], commutes, out, a, b);
    if (out.dtype() == DType::Float64)
      return run_bin_rows(set->bin_f64[k], set->bin_s_f64[k], commutes, out, a, b);
    return false;
  }
  const int64_t n = out.numel();
  const bool stream = want_stream(out, {&a, &b});
  if (out.dtype() == DType::Float32) {
    run_bin(set->bin_f32[k], set->bin_s_f32[k], out.data<float>(), a.data<float>(),
            b.data<float>(), scalar, n, stream);
    return true;
  }
  if (out.dtype() == DType::Float64) {
    run_bin(set->bin_f64[k], set->bin_s_f64[k], out.data<double>(), a.data<double>(),
            b.data<double>(), scalar, n, stream);
    return true;
  }
  return false;
}

bool try_axpy(const Tensor& out, const Tensor& a, const Tensor& b, double alpha) {
  const VecSet* set = active();
  if (!set || out.dtype() != a.dtype() || out.dtype() != b.dtype() || !out.device().is_cpu() ||
      !a.device().is_cpu() || !b.device().is_cpu() || !flat_alike(out, {&a, &b}))
    return false;
  const int64_t n = out.numel();
  auto run = [&](auto f, auto* o, const auto* x, const auto* y, auto al) {
    cpu::parallel_parts(n, [&](int64_t s, int64_t len) { f(o + s, x + s, y + s, al, len); });
  };
  if (out.dtype() == DType::Float32) {
    run(set->axpy_f32, out.data<float>(), a.data<float>(), b.data<float>(),
        static_cast<float>(alpha));
    return true;
  }
  if (out.dtype() == DType::Float64) {
    run(set->axpy_f64, out.data<double>(), a.data<double>(), b.data<double>(), alpha);
    return true;
  }
  return false;
}

namespace {
// g is one value for all of `like` (one element, or expanded with every stride 0): step 0; g
// contiguous of like's shape: step 1; anything else: -1.
int64_t grad_step(const Tensor& g, const Tensor& like) {
  if (g.numel() == 1) return 0;
  if (g.sizes() != like.sizes()) return -1;
  bool one = true;
  for (int64_t d = 0; d < g.dim(); ++d) one = one && (g.strides()[d] == 0 || g.sizes()[d] == 1);
  if (one) return 0;
  return g.is_contiguous() ? 1 : -1;
}

}  // namespace

bool try_mul_cos(const Tensor& out, const Tensor& g, const Tensor& x) {
  const VecSet* set = active();
  if (!set || !set->mul_cos_f32 || out.dtype() != DType::Float32 ||
      x.dtype() != DType::Float32 || g.dtype() != DType::Float32 || !out.device().is_cpu() ||
      !x.device().is_cpu() || !g.device().is_cpu() || !out.is_contiguous() ||
      !x.is_contiguous() || out.sizes() != x.sizes())
    return false;
  const int64_t step = grad_step(g, x);
  if (step < 0) return false;
  float* o = out.data<float>();
  const float* gp = g.data<float>();
  const float* xp = x.data<float>();
  const bool stream = want_stream(out, {&g, &x});
  cpu::parallel_parts(out.numel(), [&](int64_t s, int64_t len) {
    set->mul_cos_f32(o + s, gp + s * step, step, xp + s, len, stream);
  });
  return true;
}

bool try_mul_pair(const Tensor& oa, const Tensor& ob, const Tensor& g, const Tensor& a,
                  const Tensor& b) {
  const VecSet* set = active();
  const DType dt = a.dtype();
  if (!set || (dt != DType::Float32 && dt != DType::Float64) || b.dtype() != dt ||
      g.dtype() != dt || oa.dtype() != dt || ob.dtype() != dt)
    return false;
  for (const Tensor* t : {&oa, &ob, &a, &b})
    if (!t->device().is_cpu() || !t->is_contiguous() || t->sizes() != a.sizes()) return false;
  if (!g.device().is_cpu()) return false;
  const int64_t step = grad_step(g, a);
  if (step < 0) return false;
  const bool stream = want_stream(oa, {&g, &a, &b}) && want_stream(ob, {&g, &a, &b});
  auto run = [&](auto f, auto* pa, auto* pb, const auto* gp, const auto* xa, const auto* xb) {
    cpu::parallel_parts(a.numel(), [&](int64_t s, int64_t len) {
      f(pa + s, pb + s, gp + s * step, step, xa + s, xb + s, len, stream);
    });
  };
  if (dt == DType::Float32)
    run(set->mul_pair_f32, oa.data<float>(), ob.data<float>(), g.data<float>(), a.data<float>(),
        b.data<float>());
  else
    run(set->mul_pair_f64, oa.data<double>(), ob.data<double>(), g.data<double>(),
        a.data<double>(), b.data<double>());
  return true;
}

namespace {
template <class T>
double sum_chunked(SumFn<T> f, const T* in, int64_t n) {
  if (n < 2 * cpu::kGrain) return f(in, n);
  // Fixed chunks, partial sums added in chunk order, whatever the thread count: the result does
  // not depend on it.
  const int64_t chunk = cpu::kGrain * 4;
  const int64_t nchunks = (n + chunk - 1) / chunk;
  std::vector<double> part(nchunks);
#pragma omp parallel for schedule(static) if (cpu::max_threads() > 1)
  for (int64_t c = 0; c < nchunks; ++c) part[c] = f(in + c * chunk, std::min(chunk, n - c * chunk));
  // chunk partials added with Neumaier's compensation: their rounding would otherwise dominate
  // the float64 sum's error
  double s = 0, comp = 0;
  for (double p : part) {
    const double t = s + p;
    comp += std::abs(s) >= std::abs(p) ? (s - t) + p : (p - t) + s;
    s = t;
  }
  return std::isfinite(s) ? s + comp : s;
}
}  // namespace

namespace {
bool sum_with(SumFn<float> f32, SumFn<double> f64, DType dt, const void* in, int64_t n,
              double* result) {
  if (dt == DType::Float32 && f32) {
    *result = sum_chunked(f32, static_cast<const float*>(in), n);
    return true;
  }
  if (dt == DType::Float64 && f64) {
    *result = sum_chunked(f64, static_cast<const double*>(in), n);
    return true;
  }
  return false;
}
}  // namespace

bool try_pow_scalar(const Tensor& out, const Tensor& in, double e) {
  const VecSet* set = active();
  // a NaN or infinite exponent goes to libm (pow(1, nan) is 1, where exp(nan * log 1) is not)
  if (!set || !set->pow_f32 || !std::isfinite(e) || out.dtype() != DType::Float32 ||
      in.dtype() != DType::Float32 ||
      !out.device().is_cpu() || !in.device().is_cpu() || !flat_alike(out, {&in}))
    return false;
  float* o = out.data<float>();
  const float* x = in.data<float>();
  const float fe = static_cast<float>(e);
  cpu::parallel_parts(in.numel(), [&](int64_t s, int64_t len) { set->pow_f32(o + s, x + s, fe, len); });
  return true;
}

bool try_sum(DType dt, const void* in, int64_t n, double* result) {
  const VecSet* set = active();
  return set && sum_with(set->sum_f32, set->sum_f64, dt, in, n, result);
}

bool try_sum_squares(DType dt, const void* in, int64_t n, double* result) {
  const VecSet* set = active();
  return set && sum_with(set->sumsq_f32, set->sumsq_f64, dt, in, n, result);
}

}  // namespace vmath
}  // namespace tapegrad
