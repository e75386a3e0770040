// CPU fused optimizer steps (kernels/optim.h): one loop per tensor applying the whole SGD or
// Adam update to each element (a read and a write of every operand instead of one per op), an
// AVX2+FMA build of that loop chosen at run time, as vmath chooses its kernels (so float64's
// fused multiply-adds are instructions, not libm calls), and OpenMP only for large tensors.
#include <algorithm>

#include <tapegrad/kernels/cuda_kernels.h>
#include <tapegrad/kernels/dispatch.h>
#include <tapegrad/kernels/loops.h>
#include <tapegrad/kernels/optim.h>
#include <tapegrad/kernels/vmath.h>

namespace tapegrad {
namespace kern {

namespace {

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define TG_OPTIM_AVX2 1
#define TG_ALWAYS_INLINE __attribute__((always_inline)) inline
#else
#define TG_OPTIM_AVX2 0
#define TG_ALWAYS_INLINE inline
#endif

// The loops, inlined into each instruction-set build below. The hyper-parameter branches are
// loop-invariant: the compiler unswitches or if-converts them, and the loop vectorises.
template <class T>
TG_ALWAYS_INLINE void sgd_range(const SGDScalars<T>& s, T* __restrict__ p,
                                const T* __restrict__ g, T* __restrict__ buf, bool first,
                                int64_t n) {
  const SGDScalars<T> sc = s;  // a local copy: the stores below cannot change it
  if (!sc.has_momentum) {
    for (int64_t i = 0; i < n; ++i) sgd_element(sc, p[i], g[i], static_cast<T*>(nullptr), false);
  } else if (first) {
    for (int64_t i = 0; i < n; ++i) sgd_element(sc, p[i], g[i], buf + i, true);
  } else {
    for (int64_t i = 0; i < n; ++i) sgd_element(sc, p[i], g[i], buf + i, false);
  }
}

template <class T>
TG_ALWAYS_INLINE void adam_range(const AdamScalars<T>& s, T* __restrict__ p,
                                 const T* __restrict__ g, T* __restrict__ m, T* __restrict__ v,
                                 T* __restrict__ vmax, int64_t n) {
  const AdamScalars<T> sc = s;  // a local copy: the stores below cannot change it
  if (sc.amsgrad) {
    for (int64_t i = 0; i < n; ++i) adam_element(sc, p[i], g[i], m[i], v[i], vmax + i);
  } else {
    for (int64_t i = 0; i < n; ++i) adam_element(sc, p[i], g[i], m[i], v[i], static_cast<T*>(nullptr));
  }
}

template <class T>
void sgd_generic(const SGDScalars<T>& s, T* p, const T* g, T* buf, bool first, int64_t n) {
  sgd_range(s, p, g, buf, first, n);
}
template <class T>
void adam_generic(const AdamScalars<T>& s, T* p, const T* g, T* m, T* v, T* vmax, int64_t n) {
  adam_range(s, p, g, m, v, vmax, n);
}

#if TG_OPTIM_AVX2
template <class T>
__attribute__((target("avx2,fma"))) void sgd_avx2(const SGDScalars<T>& s, T* p, const T* g,
                                                   T* buf, bool first, int64_t n) {
  sgd_range(s, p, g, buf, first, n);
}
template <class T>
__attribute__((target("avx2,fma"))) void adam_avx2(const AdamScalars<T>& s, T* p, const T* g,
                                                    T* m, T* v, T* vmax, int64_t n) {
  adam_range(s, p, g, m, v, vmax, n);
}
#endif

// Whether the AVX2+FMA builds may run: the vmath table in use (which TAPEGRAD_VMATH=generic
// turns off, to test the portable loops on this machine) is AVX2 or better.
bool use_avx2() {
#if TG_OPTIM_AVX2
  static const bool ok = vmath::active() != nullptr;
  return ok;
#else
  return false;
#endif
}

template <class T>
T* ptr(const Tensor& t) {
  return static_cast<T*>(t.raw_data());
}

#ifdef TAPEGRAD_HAS_CUDA
// The callers put every operand on one device (lib/ops/optim.cpp checks it).
bool any_cuda(const std::vector<Tensor>& ts) {
  return !ts.empty() && ts[0].device().is_cuda();
}
#endif

}  // namespace

void sgd_step(const SGDHyper& h, const std::vector<Tensor>& params,
              const std::vector<Tensor>& grads, const std::vector<Tensor>& bufs,
              const std::vector<uint8_t>& first) {
  TG_CUDA_DISPATCH_IF(any_cuda(params), sgd_step(h, params, grads, bufs, first));
  const bool avx2 = use_avx2();
  for (size_t i = 0; i < params.size(); ++i) {
    const Tensor& p = params[i];
    // plain SGD is p += -lr * g: vmath's axpy lanes (AVX-512 where present), as p.add_ takes
    if (h.momentum == 0 && h.weight_decay == 0 && !h.maximize &&
        vmath::try_axpy(p, p, grads[i], -h.lr))
      continue;
    dispatch_floating(p.dtype(), "_fused_sgd", [&](auto tag) {
      using T = decltype(tag);
      const SGDScalars<T> s(h);
      T* pp = ptr<T>(p);
      const T* gp = ptr<T>(grads[i]);
      T* bp = s.has_momentum ? ptr<T>(bufs[i]) : nullptr;
      const bool f = s.has_momentum && first[i];
      cpu::parallel_parts(p.numel(), [&](int64_t b, int64_t n) {
        T* bb = bp ? bp + b : nullptr;
#if TG_OPTIM_AVX2
        if (avx2) return sgd_avx2(s, pp + b, gp + b, bb, f, n);
#endif
        (void)avx2;
        sgd_generic(s, pp + b, gp + b, bb, f, n);
      });
    });
  }
}

void adam_step(const AdamHyper& h, const std::vector<Tensor>& params,
               const std::vector<Tensor>& grads, const std::vector<Tensor>& exp_avgs,
               const std::vector<Tensor>& exp_avg_sqs, const std::vector<Tensor>& max_exp_avg_sqs,
               const std::vector<double>& step_size, const std::vector<double>& bc2_sqrt) {
  TG_CUDA_DISPATCH_IF(any_cuda(params), adam_step(h, params, grads, exp_avgs, exp_avg_sqs,
                                                  max_exp_avg_sqs, step_size, bc2_sqrt));
  const bool avx2 = use_avx2();
  for (size_t i = 0; i < params.size(); ++i) {
    const Tensor& p = params[i];
    dispatch_floating(p.dtype(), "_fused_adam", [&](auto tag) {
      using T = decltype(tag);
      const AdamScalars<T> s(h, step_size[i], bc2_sqrt[i]);
      T* pp = ptr<T>(p);
      const T* gp = ptr<T>(grads[i]);
      T* mp = ptr<T>(exp_avgs[i]);
      T* vp = ptr<T>(exp_avg_sqs[i]);
      T* xp = h.amsgrad ? ptr<T>(max_exp_avg_sqs[i]) : nullptr;
      cpu::parallel_parts(p.numel(), [&](int64_t b, int64_t n) {
        T* xb = xp ? xp + b : nullptr;
#if TG_OPTIM_AVX2
        if (avx2) return adam_avx2(s, pp + b, gp + b, mp + b, vp + b, xb, n);
#endif
        (void)avx2;
        adam_generic(s, pp + b, gp + b, mp + b, vp + b, xb, n);
      });
    });
  }
}

}  // namespace kern
}  // namespace tapegrad
