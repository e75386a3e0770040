// The CPU's vectorised math: one table of contiguous-array kernels (exp, sigmoid, tanh, sin, cos,
// sum) per instruction set (lib/cpu/vmath_avx512.cpp, vmath_avx2.cpp), chosen once at run time
// from the CPU's features by lib/cpu/vmath.cpp, as the GEMM is. An entry left null means "use the
// scalar functor" (libm), which is also what the portable build and unlisted dtypes get. Not part
// of the public API: kern::unary and kern::reduce_inner call these on contiguous runs.
#pragma once
#include <initializer_list>
#include <cstdint>

#include <tapegrad/core/tensor.h>
#include <tapegrad/kernels/loops.h>
#include <tapegrad/ops/op_id.h>

namespace tapegrad {
namespace vmath {

template <class T>
using MapFn = void (*)(T* out, const T* in, int64_t n, bool stream);  // out may equal in
template <class T>
using SumFn = double (*)(const T* in, int64_t n);  // blocked, partials in double (vmath_impl.h)
// max or min of n >= 1 contiguous elements, NaN when any element is NaN.
template <class T>
using ExtremeFn = T (*)(const T* in, int64_t n);
template <class T>
using AxpyFn = void (*)(T* out, const T* a, const T* b, T alpha, int64_t n);  // fma(alpha, b, a)
// One row folded into a row of column accumulators (reductions over a leading dim):
// acc[c] = max or min(acc[c], p[c]), a NaN on either side taking over; or acc[c] += p[c] in
// double.
template <class T>
using FoldFn = void (*)(T* acc, const T* p, int64_t n);
template <class T>
using FoldSumFn = void (*)(double* acc, const T* p, int64_t n);
// out = in ** e for a scalar exponent e (not one of the exponents torch's kernel special-cases).
template <class T>
using PowScalarFn = void (*)(T* out, const T* in, T e, int64_t n);

// kSilu: x / (1 + e^-x), torch's formula, in one pass (through map_in_blocks' three passes it
// was 1.3x torch's time). kRsqrt (1 / sqrt(x), torch's two roundings), kReciprocal and
// kInvSquare (1 / (x * x), torch's x ** -2): the baseline build's 4-lane divisions took 2x
// torch's time. kAbs, kNeg, kRelu are memory-bound bit operations: the table's wide loads and
// stores beat the baseline's 16-byte SSE2 loop (abs of 1024 x 1024 floats 147 us against 90).
// kGelu (float32 only): gelu's exact (erf) form, x / 2 (1 + erf(x / sqrt(2))), over a degree-4
// erf (Abramowitz-Stegun, one exp) in registers, an error of torch's size. lib/cpu/erf_float.cpp's
// erf (degree 9, within 2.4 ulp) in blocks of L1 buffers took 1.27x torch's time.
enum Fn {
  kExp, kSigmoid, kTanh, kSin, kCos, kLog, kSilu, kGelu, kRsqrt, kReciprocal, kInvSquare,
  kAbs, kNeg, kRelu, kNumFns
};

enum { kFirstMemoryBoundFn = kAbs };

// out = g * cos(x) (sin's backward) over n elements; g_step 0: g is one value for all.
// oa = g * b and ob = g * a in one pass (mul's backward for both operands); g_step as above.
template <class T>
using MulPairFn = void (*)(T* oa, T* ob, const T* g, int64_t g_step, const T* a, const T* b,
                           int64_t n, bool stream);
template <class T>
using MulCosFn = void (*)(T* out, const T* g, int64_t g_step, const T* x, int64_t n,
                          bool stream);

// out = a op b over n elements; the _s forms take b as one scalar value.
template <class T>
using BinFn = void (*)(T* out, const T* a, const T* b, int64_t n, bool stream);
template <class T>
using BinScalarFn = void (*)(T* out, const T* a, T b, int64_t n, bool stream);

// Note [Streaming stores]
// Every output-writing entry takes `stream`: write the output with non-temporal (streaming)
// stores, which skip reading each destination line before overwriting it and leave the caches
// to the inputs. The caller (lib/cpu/vmath.cpp) asks for it when the whole output is 64-byte
// aligned, not one of the inputs (an in-place op's lines are in cache already), and at least
// kStreamMinBytes (products, sums, the fused backward kernels with two or more full-size
// inputs: memory-bound) or
// kStreamMapMinBytes (exp, sigmoid, sin, cos: closer to compute-bound, and they stream
// through an L1 buffer, a copy more). Measured on the 2-core Xeon this was tuned on, 1 thread:
// x * y at 4 MB outputs 27% faster, at 40 MB 22%; the (x*y).sin().sum() training step at 1e6
// floats 17%, at 1e7 26%, but at 3e5 (1.2 MB arrays, which stay in cache between the ops)
// 23% slower; exp/sin/sigmoid gain 4-8% at 1e7 and lose at 1e6; tanh (double lanes) loses
// at every size and never streams.
// With more than one OpenMP thread the outputs stream only from kStreamThreadedMinBytes: on
// the 2-core AMD EPYC (2 MiB L2 per core, 32 MiB L3), 2 threads, x + y at 1e6 floats (4 MB)
// took 73-82 us with plain stores against 148-154 us streaming (torch: 76-90), and the
// (x*y).sin().sum() step 660-800 against 980 us; at 1e7 (40 MB) streaming still won (2.3-2.5 ms
// against 3.2-3.4). At 1 thread streaming was as fast at 4 MB and faster at 40 MB.
// An output computed from one array (x + 1, x * x, a backward whose gradient is one expanded
// value) streams only from kStreamMapMinBytes, as the maps do: with one input and the output in
// L3 (32 MiB on that EPYC), plain stores win. 1 thread, median of 7: x + 1 at 1e6 floats 95 us
// plain against 146 streaming (torch 97-112), at 3e6 395 against 430; (x * x).sum() at 1e6 125
// against 243. Two full inputs (x + y) keep the 2 MiB bar: at 1.5e6 floats 290 plain against 221.
constexpr int64_t kStreamMinBytes = int64_t(2) << 20;
constexpr int64_t kStreamMapMinBytes = int64_t(16) << 20;
constexpr int64_t kStreamThreadedMinBytes = int64_t(16) << 20;
enum Bin { kAdd, kSub, kMul, kDiv, kNumBins };

struct VecSet {
  const char* name;
  MapFn<float> f32[kNumFns];
  MapFn<double> f64[kNumFns];
  SumFn<float> sum_f32;
  SumFn<double> sum_f64;
  SumFn<float> sumsq_f32;  // sums of squares (the 2-norm)
  SumFn<double> sumsq_f64;
  ExtremeFn<float> max_f32, min_f32;
  ExtremeFn<double> max_f64, min_f64;
  FoldFn<float> fold_max_f32, fold_min_f32;
  FoldFn<double> fold_max_f64, fold_min_f64;
  FoldSumFn<float> fold_sum_f32;
  FoldSumFn<double> fold_sum_f64;
  PowScalarFn<float> pow_f32;  // in double lanes
  SumFn<float> prod_f32;  // products in double lanes (float pairs multiplied first)
  SumFn<double> prod_f64;
  AxpyFn<float> axpy_f32;
  AxpyFn<double> axpy_f64;
  BinFn<float> bin_f32[kNumBins];
  BinFn<double> bin_f64[kNumBins];
  BinScalarFn<float> bin_s_f32[kNumBins];
  BinScalarFn<double> bin_s_f64[kNumBins];
  MulCosFn<float> mul_cos_f32;
  MulPairFn<float> mul_pair_f32;
  MulPairFn<double> mul_pair_f64;
};

// A vector map inside an elementwise formula (silu = x / (1 + exp(-x)), gelu's tanh form):
// over [0, n), split across threads and then into blocks small enough to stay in cache,
// pre(i) gives the map's argument at i (written into out), f maps the block in place, and
// post(i, fx) gives the result at i from the map's value fx. out must not be an input of pre
// or post (it holds the argument before post reads them).
template <class T, class Pre, class Post>
void map_in_blocks(MapFn<T> f, T* out, int64_t n, Pre pre, Post post) {
  cpu::parallel_parts(n, [&](int64_t s, int64_t len) {
    constexpr int64_t kBlock = 4096;
    for (int64_t b = s; b < s + len; b += kBlock) {
      const int64_t m = kBlock < s + len - b ? kBlock : s + len - b;
      for (int64_t i = b; i < b + m; ++i) out[i] = pre(i);
      f(out + b, out + b, m, false);
      for (int64_t i = b; i < b + m; ++i) out[i] = post(i, out[i]);
    }
  });
}

// nullptr when the instruction set was not compiled in (non-x86, or not GCC).
const VecSet* avx512_set();
const VecSet* avx2_set();
// The set this CPU runs (nullptr: scalar only; on AMD with AVX-512, the AVX-512 table with the
// AVX2 add/sub/mul/div loops: Note [256-bit lanes for memory-bound loops on AMD] in vmath.cpp).
// TAPEGRAD_VMATH=avx512|avx2|generic asks for one table whole, to test every path on one machine.
const VecSet* active();

// torch.backends.cpu.get_cpu_capability()'s word for the table active() runs: "AVX512",
// "AVX2" or "DEFAULT" (scalar loops).
const char* cpu_capability();

// CPU features (libgcc's bits, which include the OS saving the wider register state).
bool cpu_has_avx512();
bool cpu_has_avx2();

// out and the inputs walk as one flat array each: one shape, and either all contiguous or all
// with out's strides and out dense (a result laid out like its transposed or channels-last
// input, ops/output_layout.h, or an in-place op on such a tensor).
bool flat_alike(const Tensor& out, std::initializer_list<const Tensor*> ins);

// out = op(in) through the vector table when both are contiguous floating tensors of the same
// dtype and shape and the table has the op; false (nothing written) otherwise. Splits across
// OpenMP threads above the elementwise grain size.
bool try_unary(OpId op, const Tensor& out, const Tensor& in);

// out = a + alpha * b rounded once (torch's add/sub with alpha), for contiguous same-shape
// float32/float64 operands; false (nothing written) otherwise.
bool try_axpy(const Tensor& out, const Tensor& a, const Tensor& b, double alpha);

// out = a op b (op: OpId::Add/Sub with alpha 1, Mul, Div) for contiguous float32/float64
// operands of out's shape, or b a single element; false (nothing written) otherwise.
bool try_binary(OpId op, const Tensor& out, const Tensor& a, const Tensor& b);

// out = g * cos(x) in one pass (sin's backward, rounded as cos then the product: the same
// values as the two ops) for contiguous float32 out and x of one shape, g contiguous of that
// shape or one value broadcast (all strides 0, as the gradient of a full sum arrives); false
// (nothing written) otherwise.
bool try_mul_cos(const Tensor& out, const Tensor& g, const Tensor& x);

// oa = g * b, ob = g * a in one pass (mul's backward when both operands need a gradient) for
// contiguous float32/float64 oa, ob, a, b of one shape and dtype, g contiguous or one broadcast
// value as in try_mul_cos; false (nothing written) otherwise.
bool try_mul_pair(const Tensor& oa, const Tensor& ob, const Tensor& g, const Tensor& a,
                  const Tensor& b);

// out = f_k(in) by the table's map k under try_unary's conditions; false (nothing written) when
// they do not hold or the table lacks the map.
bool try_map(Fn k, const Tensor& out, const Tensor& in);

// out = in ** e (e not 2, 3, 0.5, -0.5, -1, -2, which the caller computes as torch does) for
// float32 out and in walking as one flat array (flat_alike); false (nothing written) otherwise.
bool try_pow_scalar(const Tensor& out, const Tensor& in, double e);

// Sum of n contiguous elements of a float32/float64 array in double; false for other dtypes or
// when no vector set is active.
bool try_sum(DType dt, const void* in, int64_t n, double* result);
// The same for the sum of the squares.
bool try_sum_squares(DType dt, const void* in, int64_t n, double* result);

}  // namespace vmath
}  // namespace tapegrad
