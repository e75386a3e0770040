// CPU loops: an N-operand strided walker over a broadcast shape (operand 0 is the output),
// with dimension coalescing, a contiguous fast path the compiler vectorises, and OpenMP above a
// grain size (small tensors stay single-threaded: a fork/join costs more than the work).
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include <tapegrad/core/tensor.h>

namespace tapegrad {
namespace cpu {

constexpr int64_t kGrain = 32768;

int max_threads();  // 1 when built without OpenMP

// body(begin, len) over [0, n): one call below the grain size; above it one contiguous part per
// thread, of equal length rounded up to 64 elements (so every part but the last starts 64
// elements after the previous one: output cache lines are not shared and vector tails are only
// at the end). Fixed chunks of kGrain / 2 under a static schedule gave the threads unequal
// shares (1e5 elements: four chunks against three, so the second thread idled a third of the
// time and 2 threads ran slower than torch).
template <class Body>
void parallel_parts(int64_t n, Body&& body) {
  const int threads = max_threads();
  if (n < kGrain || threads < 2) {
    body(int64_t{0}, n);
    return;
  }
  const int64_t per = ((n + threads - 1) / threads + 63) / 64 * 64;
  const int64_t parts = (n + per - 1) / per;
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < parts; ++c) body(c * per, std::min(per, n - c * per));
}

// body(begin, end) over [0, lanes) of independent lanes (rows to scan, sort or search), each
// costing about `work` element steps: one call when the whole job is below the grain size,
// else one contiguous share of lanes per thread. The body must not throw (it runs inside an
// OpenMP region) and keeps its scratch space per call.
template <class Body>
void parallel_lanes(int64_t lanes, int64_t work, Body&& body) {
  const int threads = max_threads();
  if (lanes < 2 || threads < 2 || lanes * std::max<int64_t>(work, 1) < kGrain) {
    body(int64_t{0}, lanes);
    return;
  }
  const int64_t parts = std::min<int64_t>(threads, lanes);
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < parts; ++c) body(lanes * c / parts, lanes * (c + 1) / parts);
}

template <int N>
struct StridedIter {
  Shape shape;
  std::array<char*, N> base{};
  std::array<Shape, N> strides;  // in bytes, one per dim of shape

  // Operand k views tensor t (broadcast to `shape`).
  void set(int k, const Tensor& t) {
    base[k] = static_cast<char*>(t.raw_data());
    Shape st = broadcast_strides(t.sizes(), t.strides(), shape);
    for (auto& s : st) s *= static_cast<int64_t>(itemsize(t.dtype()));
    strides[k] = st;
  }

  // Puts the dims in operand 0's memory order (largest stride first), when its strides are
  // all nonzero and not in that order already: an output laid out like a transposed input
  // (ops/output_layout.h), or an in-place op on one, then walks both in memory order rather
  // than a row apart per element (x.t() + 1 at 1024 x 1024: 35x torch's time). Pure
  // elementwise functions give the same values in any order.
  void reorder() {
    const size_t nd = shape.size();
    bool ordered = true;
    int64_t prev = -1;
    for (size_t d = 0; d < nd; ++d) {
      if (shape[d] == 1) continue;
      const int64_t s = strides[0][d];
      if (s <= 0) return;
      if (prev >= 0 && s > prev) ordered = false;
      prev = s;
    }
    if (ordered) return;
    std::vector<size_t> perm(nd);  // only out-of-order outputs get here
    for (size_t d = 0; d < nd; ++d) perm[d] = d;
    std::stable_sort(perm.begin(), perm.end(), [&](size_t a, size_t b) {
      return strides[0][a] > strides[0][b];
    });
    Shape ns(nd);
    std::array<Shape, N> nst;
    for (size_t d = 0; d < nd; ++d) ns[d] = shape[perm[d]];
    for (int k = 0; k < N; ++k) {
      nst[k].resize(nd);
      for (size_t d = 0; d < nd; ++d) nst[k][d] = strides[k][perm[d]];
    }
    shape = std::move(ns);
    strides = std::move(nst);
  }

  // Drops size-1 dims and merges dims that are contiguous with each other in every operand
  // (after reorder()).
  void coalesce() {
    reorder();
    Shape ns;
    std::array<Shape, N> nst;
    for (size_t d = 0; d < shape.size(); ++d) {
      if (shape[d] == 1) continue;
      bool merge = !ns.empty();
      for (int k = 0; k < N && merge; ++k)
        merge = nst[k].back() == strides[k][d] * shape[d];
      if (merge) {
        ns.back() *= shape[d];
        for (int k = 0; k < N; ++k) nst[k].back() = strides[k][d];
      } else {
        ns.push_back(shape[d]);
        for (int k = 0; k < N; ++k) nst[k].push_back(strides[k][d]);
      }
    }
    shape = ns;
    strides = nst;
  }

  static constexpr int64_t kOdometerDims = 24;

  // inner(ptrs, n, inner_strides) processes n elements along the innermost dim.
  template <class Inner>
  void run(Inner&& inner) const {
    const int64_t nd = static_cast<int64_t>(shape.size());
    std::array<int64_t, N> zero{};
    if (nd == 0) {
      inner(base, 1, zero);
      return;
    }
    const int64_t n_inner = shape[nd - 1];
    std::array<int64_t, N> inner_st;
    for (int k = 0; k < N; ++k) inner_st[k] = strides[k][nd - 1];
    const int64_t n_outer = numel_of(shape) / (n_inner ? n_inner : 1);
    if (n_inner == 0 || n_outer == 0) return;
    auto outer_ptrs = [&](int64_t o) {
      std::array<char*, N> p = base;
      for (int64_t d = nd - 2; d >= 0 && o; --d) {
        int64_t idx = o % shape[d];
        o /= shape[d];
        for (int k = 0; k < N; ++k) p[k] += idx * strides[k][d];
      }
      return p;
    };
    const int64_t total = n_outer * n_inner;
    if (total < kGrain || max_threads() < 2) {
      if (nd - 1 > kOdometerDims) {
        for (int64_t o = 0; o < n_outer; ++o) inner(outer_ptrs(o), n_inner, inner_st);
        return;
      }
      // the rows in order with an odometer over the outer dims: outer_ptrs' divisions cost
      // ~15 ns a row, 4x the copy itself for short rows (a pad's 2-wide edge columns)
      int64_t idx[kOdometerDims] = {};
      std::array<char*, N> p = base;
      for (int64_t o = 0; o < n_outer; ++o) {
        inner(p, n_inner, inner_st);
        for (int64_t d = nd - 2; d >= 0; --d) {
          for (int k = 0; k < N; ++k) p[k] += strides[k][d];
          if (++idx[d] < shape[d]) break;
          for (int k = 0; k < N; ++k) p[k] -= strides[k][d] * shape[d];
          idx[d] = 0;
        }
      }
      return;
    }
    // Equal shares of the elements, whatever the row length: a part may start and end mid-row.
    parallel_parts(total, [&](int64_t begin, int64_t len) {
      int64_t o = begin / n_inner, i = begin % n_inner;
      while (len > 0) {
        const int64_t n = std::min(len, n_inner - i);
        std::array<char*, N> p = outer_ptrs(o);
        for (int k = 0; k < N; ++k) p[k] += i * inner_st[k];
        inner(p, n, inner_st);
        len -= n;
        i = 0;
        ++o;
      }
    });
  }
};

// out = f(a), a broadcast to out's shape; element types R (out) and T (a).
template <class R, class T, class F>
void map1(const Tensor& out, const Tensor& a, F f) {
  StridedIter<2> it;
  it.shape = out.sizes();
  it.set(0, out);
  it.set(1, a);
  it.coalesce();
  it.run([&](std::array<char*, 2> p, int64_t n, const std::array<int64_t, 2>& st) {
    if (st[0] == sizeof(R) && st[1] == sizeof(T)) {
      R* o = reinterpret_cast<R*>(p[0]);
      const T* x = reinterpret_cast<const T*>(p[1]);
      for (int64_t i = 0; i < n; ++i) o[i] = f(x[i]);
    } else {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<R*>(p[0] + i * st[0]) = f(*reinterpret_cast<const T*>(p[1] + i * st[1]));
    }
  });
}

// out = f(a, b), both broadcast to out's shape.
template <class R, class T, class F>
void map2(const Tensor& out, const Tensor& a, const Tensor& b, F f) {
  StridedIter<3> it;
  it.shape = out.sizes();
  it.set(0, out);
  it.set(1, a);
  it.set(2, b);
  it.coalesce();
  it.run([&](std::array<char*, 3> p, int64_t n, const std::array<int64_t, 3>& st) {
    R* o = reinterpret_cast<R*>(p[0]);
    const T* x = reinterpret_cast<const T*>(p[1]);
    const T* y = reinterpret_cast<const T*>(p[2]);
    if (st[0] == sizeof(R) && st[1] == sizeof(T) && st[2] == sizeof(T)) {
      for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], y[i]);
    } else if (st[0] == sizeof(R) && st[1] == sizeof(T) && st[2] == 0) {
      const T yv = *y;  // tensor op scalar: the common case after broadcasting
      for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], yv);
    } else if (st[0] == sizeof(R) && st[1] == 0 && st[2] == sizeof(T)) {
      const T xv = *x;  // scalar op tensor (an expanded gradient times a saved tensor)
      for (int64_t i = 0; i < n; ++i) o[i] = f(xv, y[i]);
    } else {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<R*>(p[0] + i * st[0]) =
            f(*reinterpret_cast<const T*>(p[1] + i * st[1]),
              *reinterpret_cast<const T*>(p[2] + i * st[2]));
    }
  });
}

// out = f(a, b, c) (where, clamp with tensor bounds).
template <class R, class A, class B, class C, class F>
void map3(const Tensor& out, const Tensor& a, const Tensor& b, const Tensor& c, F f) {
  StridedIter<4> it;
  it.shape = out.sizes();
  it.set(0, out);
  it.set(1, a);
  it.set(2, b);
  it.set(3, c);
  it.coalesce();
  it.run([&](std::array<char*, 4> p, int64_t n, const std::array<int64_t, 4>& st) {
    if (st[0] == sizeof(R) && st[1] == sizeof(A) && st[2] == sizeof(B) && st[3] == sizeof(C)) {
      R* o = reinterpret_cast<R*>(p[0]);  // all contiguous: a loop the compiler vectorises
      const A* pa = reinterpret_cast<const A*>(p[1]);
      const B* pb = reinterpret_cast<const B*>(p[2]);
      const C* pc = reinterpret_cast<const C*>(p[3]);
      for (int64_t i = 0; i < n; ++i) o[i] = f(pa[i], pb[i], pc[i]);
      return;
    }
    for (int64_t i = 0; i < n; ++i)
      *reinterpret_cast<R*>(p[0] + i * st[0]) = f(*reinterpret_cast<const A*>(p[1] + i * st[1]),
                                                  *reinterpret_cast<const B*>(p[2] + i * st[2]),
                                                  *reinterpret_cast<const C*>(p[3] + i * st[3]));
  });
}

}  // namespace cpu
}  // namespace tapegrad
