// CUDA reductions over the innermost block of a contiguous input, one thread block per output
// row: sum/prod (float accumulates in double, as the CPU kernel does), max/min and their arg
// variants (NaN wins, first index on ties), and softmax / log_softmax.
#include <cmath>
#include <limits>
#include <type_traits>

#include <tapegrad/kernels/cuda_kernels.h>
#include <tapegrad/kernels/dispatch.h>
#include "cuda_common.cuh"

namespace tapegrad {
namespace cuda {

namespace {

template <class T>
using acc_t = typename std::conditional<std::is_floating_point<T>::value, double, int64_t>::type;

constexpr int kBlock = 256;

// Tree reduction over the block; every thread gets the result.
template <class T, class Op>
__device__ T block_reduce(T v, Op op, T* shm) {
  shm[threadIdx.x] = v;
  __syncthreads();
  for (int s = kBlock / 2; s > 0; s >>= 1) {
    if (threadIdx.x < s) shm[threadIdx.x] = op(shm[threadIdx.x], shm[threadIdx.x + s]);
    __syncthreads();
  }
  T r = shm[0];
  __syncthreads();
  return r;
}

struct AddOp { template <class T> __device__ T operator()(T a, T b) const { return a + b; } };
struct MulOp { template <class T> __device__ T operator()(T a, T b) const { return a * b; } };
struct MaxOp {
  template <class T> __device__ T operator()(T a, T b) const {
    return a != a ? a : (b != b ? b : (b > a ? b : a));
  }
};
struct MinOp {
  template <class T> __device__ T operator()(T a, T b) const {
    return a != a ? a : (b != b ? b : (b < a ? b : a));
  }
};

// op: 0 sum, 1 prod, 2 max, 3 min.
template <class T, class R>
__global__ void reduce_rows(const T* in, R* out, int64_t outer, int64_t inner, int op) {
  __shared__ acc_t<T> shm_acc[kBlock];
  __shared__ T shm_val[kBlock];
  for (int64_t o = blockIdx.x; o < outer; o += gridDim.x) {
    const T* p = in + o * inner;
    if (op <= 1) {
      acc_t<T>* shm = shm_acc;
      acc_t<T> acc = op == 0 ? 0 : 1;
      for (int64_t k = threadIdx.x; k < inner; k += kBlock)
        acc = op == 0 ? acc + static_cast<acc_t<T>>(p[k]) : acc * static_cast<acc_t<T>>(p[k]);
      acc = op == 0 ? block_reduce(acc, AddOp{}, shm) : block_reduce(acc, MulOp{}, shm);
      if (threadIdx.x == 0) out[o] = static_cast<R>(acc);
    } else {
      T* shm = shm_val;
      T best = p[0];
      for (int64_t k = threadIdx.x; k < inner; k += kBlock)
        best = op == 2 ? MaxOp{}(best, p[k]) : MinOp{}(best, p[k]);
      best = op == 2 ? block_reduce(best, MaxOp{}, shm) : block_reduce(best, MinOp{}, shm);
      if (threadIdx.x == 0) out[o] = static_cast<R>(best);
    }
  }
}

template <class T>
__global__ void arg_rows(const T* in, T* vals, int64_t* idx, int64_t outer, int64_t inner,
                         bool is_max) {
  __shared__ T sv[kBlock];
  __shared__ int64_t si[kBlock];
  for (int64_t o = blockIdx.x; o < outer; o += gridDim.x) {
    const T* p = in + o * inner;
    T best = p[0];
    int64_t bi = 0;
    for (int64_t k = threadIdx.x; k < inner; k += kBlock) {
      const T v = p[k];
      // Within a thread indices increase, so strict comparisons keep the first extreme.
      if (best == best && (v != v || (is_max ? v > best : v < best))) {
        best = v;
        bi = k;
      }
    }
    sv[threadIdx.x] = best;
    si[threadIdx.x] = bi;
    __syncthreads();
    for (int s = kBlock / 2; s > 0; s >>= 1) {
      if (threadIdx.x < s) {
        const T a = sv[threadIdx.x], b = sv[threadIdx.x + s];
        const int64_t ia = si[threadIdx.x], ib = si[threadIdx.x + s];
        const bool a_nan = a != a, b_nan = b != b;
        bool take_b;
        if (a_nan || b_nan) take_b = b_nan && (!a_nan || ib < ia);
        else take_b = (is_max ? b > a : b < a) || (b == a && ib < ia);
        if (take_b) {
          sv[threadIdx.x] = b;
          si[threadIdx.x] = ib;
        }
      }
      __syncthreads();
    }
    if (threadIdx.x == 0) {
      if (vals) vals[o] = sv[0];
      idx[o] = si[0];
    }
    __syncthreads();
  }
}

template <class T>
__global__ void softmax_rows(const T* in, T* out, int64_t outer, int64_t inner, bool log) {
  using A = acc_t<T>;
  __shared__ A shm[kBlock];
  __shared__ T tshm[kBlock];
  for (int64_t o = blockIdx.x; o < outer; o += gridDim.x) {
    const T* p = in + o * inner;
    T* q = out + o * inner;
    T m = -std::numeric_limits<T>::infinity();
    for (int64_t k = threadIdx.x; k < inner; k += kBlock) m = p[k] > m || p[k] != p[k] ? p[k] : m;
    m = block_reduce(m, MaxOp{}, tshm);
    if (isinf(m) && m < 0) m = 0;  // all -inf: avoid inf - inf
    A s = 0;
    for (int64_t k = threadIdx.x; k < inner; k += kBlock) s += exp(static_cast<A>(p[k] - m));
    s = block_reduce(s, AddOp{}, shm);
    if (log) {
      // (p - m) - log(s), torch's order: p - (m + log(s)) loses the digits of a result near 0
      const T ls = static_cast<T>(::log(s));
      for (int64_t k = threadIdx.x; k < inner; k += kBlock) q[k] = (p[k] - m) - ls;
    } else {
      const A inv = 1 / s;
      for (int64_t k = threadIdx.x; k < inner; k += kBlock)
        q[k] = static_cast<T>(exp(static_cast<A>(p[k] - m)) * inv);
    }
  }
}

unsigned rows_grid(int64_t outer) { return static_cast<unsigned>(outer < 65535 ? outer : 65535); }

}  // namespace

void reduce_inner(kern::ReduceOp op, const Tensor& out, const Tensor& in, int64_t inner) {
  const int64_t outer = inner ? in.numel() / inner : out.numel();
  if (outer == 0) return;
  if (inner == 0) {  // empty reductions: the identity (max/min of nothing is rejected above us)
    TG_CHECK(op == kern::ReduceOp::Sum || op == kern::ReduceOp::Prod,
             "internal: empty max/min reduction");
    return fill(out, op == kern::ReduceOp::Sum ? 0.0 : 1.0);
  }
  DeviceGuard g(out.device().index);
  const int k = op == kern::ReduceOp::Sum ? 0 : op == kern::ReduceOp::Prod ? 1
              : op == kern::ReduceOp::Max ? 2 : 3;
  auto body = [&](auto tag, auto out_tag) {
    using T = decltype(tag);
    using R = decltype(out_tag);
    reduce_rows<T, R><<<rows_grid(outer), kBlock>>>(static_cast<const T*>(in.raw_data()),
                                                    static_cast<R*>(out.raw_data()), outer, inner, k);
    TG_CUDA_LAUNCH_CHECK();
  };
  if (k <= 1 && out.dtype() != in.dtype()) {
    TG_CHECK(out.dtype() == DType::Int64, "internal: sum output dtype");
    dispatch_numeric_and_bool(in.dtype(), "sum", [&](auto tag) { body(tag, int64_t{}); });
    return;
  }
  dispatch_numeric_and_bool(in.dtype(), "reduce", [&](auto tag) { body(tag, tag); });
}

void reduce_arg_inner(bool is_max, const Tensor& values, const Tensor& indices, const Tensor& in,
                      int64_t inner) {
  const int64_t outer = indices.numel();
  if (outer == 0) return;
  DeviceGuard g(in.device().index);
  dispatch_numeric_and_bool(in.dtype(), is_max ? "max" : "min", [&](auto tag) {
    using T = decltype(tag);
    arg_rows<T><<<rows_grid(outer), kBlock>>>(
        static_cast<const T*>(in.raw_data()),
        values.defined() ? static_cast<T*>(values.raw_data()) : nullptr,
        static_cast<int64_t*>(indices.raw_data()), outer, inner, is_max);
    TG_CUDA_LAUNCH_CHECK();
  });
}

void softmax_inner(const Tensor& out, const Tensor& in, int64_t inner, bool log) {
  const int64_t outer = inner ? in.numel() / inner : 0;
  if (outer == 0) return;
  DeviceGuard g(in.device().index);
  dispatch_floating(in.dtype(), log ? "log_softmax" : "softmax", [&](auto tag) {
    using T = decltype(tag);
    softmax_rows<T><<<rows_grid(outer), kBlock>>>(static_cast<const T*>(in.raw_data()),
                                                  static_cast<T*>(out.raw_data()), outer, inner,
                                                  log);
    TG_CUDA_LAUNCH_CHECK();
  });
}

}  // namespace cuda
}  // namespace tapegrad
