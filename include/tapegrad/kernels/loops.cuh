// CUDA loops: one grid-stride kernel per operand count over a broadcast, coalesced shape (the
// same dimension merging as the CPU loops, done on the host by cpu::StridedIter), with the
// functors of functors.h as the per-element math. Contiguous operands skip the index math.
#pragma once
#include <cuda_runtime.h>

#include <cstring>

#include <tapegrad/kernels/loops.h>

namespace tapegrad {
namespace cuda {

constexpr int kMaxDims = 10;
constexpr int kThreads = 256;

// Grid-stride loops: enough blocks to fill the GPU, never more than the work needs.
inline unsigned grid_for(int64_t n) {
  int64_t blocks = (n + kThreads - 1) / kThreads;
  const int64_t cap = 132 * 32;  // SMs on an H100 SXM times resident blocks; loops cover the rest
  return static_cast<unsigned>(blocks < 1 ? 1 : (blocks > cap ? cap : blocks));
}

template <int N>
struct ElemArgs {
  char* ptr[N];
  int64_t strides[N][kMaxDims];  // bytes
  int64_t sizes[kMaxDims];
  int nd;
  bool contiguous;  // every operand dense with its own item size: element i at ptr + i * size
  // Note [CPU scalars in CUDA kernels]: a CPU 0-d operand (a Python number, a CPU scalar
  // tensor) travels by value in the kernel arguments instead of through a host-to-device copy,
  // which would block the host on every `x * 2`.
  unsigned scalar_mask;
  uint64_t scalar[N];  // the value's bytes from the low end (little-endian), as memcpy put them
};

// One element's operands as a body sees them: addresses in device memory, except the by-value
// scalars of Note [CPU scalars in CUDA kernels], which stay in registers. Note [No local
// pointers in elementwise bodies]: an earlier kernel pointed p[k] at a per-thread local copy of a
// scalar; nvcc 13.0 then compiled every body that reads an operand to nothing (no loads, no
// stores: the PTX of elementwise_kernel had no st.global), so `x + y` on a GPU silently left its
// output untouched. Reading a scalar by value through in<T>() keeps every pointer global.
template <int N>
struct Elem {
  char* p[N];
  unsigned mask;
  uint64_t scalar[N];
  template <class T>
  __device__ __forceinline__ T in(int k) const {
    if (mask & (1u << k)) {
      T v;
      ::memcpy(&v, &scalar[k], sizeof(T));  // not cuda::memcpy (core/cuda.h)
      return v;
    }
    return *reinterpret_cast<const T*>(p[k]);
  }
  template <class T>
  __device__ __forceinline__ void out(T v) const {
    *reinterpret_cast<T*>(p[0]) = v;
  }
};

template <int N>
__device__ __forceinline__ void element_ptrs(const ElemArgs<N>& a, int64_t i, char* (&p)[N]) {
#pragma unroll
  for (int k = 0; k < N; ++k) p[k] = a.ptr[k];
  for (int d = a.nd - 1; d >= 0 && i; --d) {
    const int64_t idx = i % a.sizes[d];
    i /= a.sizes[d];
#pragma unroll
    for (int k = 0; k < N; ++k) p[k] += idx * a.strides[k][d];
  }
}

// Note [Unrolled contiguous loop]: on dense operands each thread takes kUnroll elements a block
// apart (every load stays coalesced) and issues all their loads before any store
// (Body::run<U>), so enough bytes are in flight to keep HBM busy; one element at a time, a
// thread's store stalls its next load. The tail past the last whole tile, and strided operands,
// go one element at a time.
constexpr int kUnroll = 4;

// Body(e) computes one element from its operands e (Elem above; operand 0 is the output);
// Body::run<U>(es) computes U of them, loads first.
template <int N, class Body>
__global__ void elementwise_kernel(ElemArgs<N> a, int64_t n, Body body) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  Elem<N> e;
  e.mask = a.scalar_mask;
#pragma unroll
  for (int k = 0; k < N; ++k) e.scalar[k] = a.scalar[k];
  int64_t first = 0;
  if (a.contiguous) {
    const int64_t tile = static_cast<int64_t>(blockDim.x) * kUnroll;
    first = n / tile * tile;
    for (int64_t base = static_cast<int64_t>(blockIdx.x) * tile; base < first;
         base += static_cast<int64_t>(gridDim.x) * tile) {
      Elem<N> es[kUnroll];
#pragma unroll
      for (int j = 0; j < kUnroll; ++j) {
        const int64_t i = base + threadIdx.x + static_cast<int64_t>(j) * blockDim.x;
        es[j].mask = e.mask;
#pragma unroll
        for (int k = 0; k < N; ++k) {
          es[j].scalar[k] = e.scalar[k];
          es[j].p[k] = a.ptr[k] + i * a.strides[k][0];
        }
      }
      body.template run<kUnroll>(es);
    }
  }
  for (int64_t i = first + static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += step) {
    if (a.contiguous) {
#pragma unroll
      for (int k = 0; k < N; ++k) e.p[k] = a.ptr[k] + i * a.strides[k][0];
    } else {
      element_ptrs<N>(a, i, e.p);
    }
    body(e);
  }
}

template <int N>
ElemArgs<N> make_args(const Tensor* const* ts) {
  cpu::StridedIter<N> it;
  it.shape = ts[0]->sizes();
  for (int k = 0; k < N; ++k) it.set(k, *ts[k]);
  it.coalesce();
  ElemArgs<N> a{};
  a.nd = static_cast<int>(it.shape.size());
  TG_CHECK(a.nd <= kMaxDims, "CUDA elementwise kernels support at most ", kMaxDims,
           " non-mergeable dimensions, got ", a.nd);
  for (int d = 0; d < a.nd; ++d) a.sizes[d] = it.shape[d];
  a.contiguous = a.nd <= 1;
  a.scalar_mask = 0;
  for (int k = 0; k < N; ++k) {
    a.ptr[k] = it.base[k];
    for (int d = 0; d < a.nd; ++d) a.strides[k][d] = it.strides[k][d];
    const int64_t item = static_cast<int64_t>(itemsize(ts[k]->dtype()));
    if (ts[k]->device().is_cpu()) {  // Note [CPU scalars in CUDA kernels]
      TG_CHECK(k > 0 && ts[k]->dim() == 0 && item <= 8,
               "internal: a CPU operand in a CUDA kernel must be a 0-d input");
      std::memcpy(&a.scalar[k], ts[k]->raw_data(), static_cast<size_t>(item));
      a.scalar_mask |= 1u << k;
      for (int d = 0; d < a.nd; ++d) a.strides[k][d] = 0;
      continue;  // a by-value operand never breaks the contiguous fast path
    }
    if (a.nd == 1 && a.strides[k][0] != item) a.contiguous = false;
    if (a.nd == 0) a.strides[k][0] = 0;
  }
  return a;
}

void launch_check();  // raises on a launch error (lib/cuda/elementwise.cu)

template <int N, class Body>
void launch_elementwise(const Tensor* const* ts, Body body) {
  const int64_t n = ts[0]->numel();
  if (n == 0) return;
  ElemArgs<N> a = make_args<N>(ts);
  elementwise_kernel<N, Body><<<grid_for(n), kThreads>>>(a, n, body);
  launch_check();
}

// Ready-made bodies: out = f(x), f(x, y), f(x, y, z) with element types R, A, B, C.
template <class R, class A, class F>
struct Map1 {
  F f;
  __device__ void operator()(const Elem<2>& e) const { e.out<R>(f(e.in<A>(1))); }
  template <int U>
  __device__ void run(const Elem<2> (&es)[U]) const {
    A x[U];
#pragma unroll
    for (int j = 0; j < U; ++j) x[j] = es[j].template in<A>(1);
#pragma unroll
    for (int j = 0; j < U; ++j) es[j].template out<R>(f(x[j]));
  }
};
template <class R, class A, class B, class F>
struct Map2 {
  F f;
  __device__ void operator()(const Elem<3>& e) const {
    e.out<R>(f(e.in<A>(1), e.in<B>(2)));
  }
  template <int U>
  __device__ void run(const Elem<3> (&es)[U]) const {
    A x[U];
    B y[U];
#pragma unroll
    for (int j = 0; j < U; ++j) x[j] = es[j].template in<A>(1), y[j] = es[j].template in<B>(2);
#pragma unroll
    for (int j = 0; j < U; ++j) es[j].template out<R>(f(x[j], y[j]));
  }
};
template <class R, class A, class B, class C, class F>
struct Map3 {
  F f;
  __device__ void operator()(const Elem<4>& e) const {
    e.out<R>(f(e.in<A>(1), e.in<B>(2), e.in<C>(3)));
  }
  template <int U>
  __device__ void run(const Elem<4> (&es)[U]) const {
    A x[U];
    B y[U];
    C z[U];
#pragma unroll
    for (int j = 0; j < U; ++j) x[j] = es[j].template in<A>(1), y[j] = es[j].template in<B>(2), z[j] = es[j].template in<C>(3);
#pragma unroll
    for (int j = 0; j < U; ++j) es[j].template out<R>(f(x[j], y[j], z[j]));
  }
};

template <class R, class A, class F>
void map1(const Tensor& out, const Tensor& a, F f) {
  const Tensor* ts[] = {&out, &a};
  launch_elementwise<2>(ts, Map1<R, A, F>{f});
}
template <class R, class A, class B, class F>
void map2(const Tensor& out, const Tensor& a, const Tensor& b, F f) {
  const Tensor* ts[] = {&out, &a, &b};
  launch_elementwise<3>(ts, Map2<R, A, B, F>{f});
}
template <class R, class A, class B, class C, class F>
void map3(const Tensor& out, const Tensor& a, const Tensor& b, const Tensor& c, F f) {
  const Tensor* ts[] = {&out, &a, &b, &c};
  launch_elementwise<4>(ts, Map3<R, A, B, C, F>{f});
}

}  // namespace cuda
}  // namespace tapegrad
