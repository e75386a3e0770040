// CPU copies: strided, broadcasting, dtype-converting copy (every pair of dtypes, float16 and
// bfloat16 through float) and fill. Compiled twice (Note [ISA copies of the generic loops] in
// isa_dispatch.cpp): here into kern::base, by lib/cpu_isa/copy_avx2.cpp into kern::avx2.
#ifndef TG_ISA
#define TG_ISA base
#endif
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>
#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include <tapegrad/core/half.h>
#include <tapegrad/kernels/cuda_kernels.h>
#include <tapegrad/kernels/dispatch.h>
#include <tapegrad/kernels/kernels.h>
#include <tapegrad/kernels/loops.h>

#include "bulk_convert.h"
#include "isa_copies.h"

namespace tapegrad {
namespace kern {
namespace TG_ISA {

namespace {

template <class F>
void dispatch_all(DType dt, F&& f) {
  switch (dt) {
    case DType::Float16: f(Half{}); return;
    case DType::BFloat16: f(BFloat16{}); return;
    default: dispatch_numeric_and_bool(dt, "copy_", f);
  }
}

// Converts through float for the half types, and to bool by "!= 0" as torch does.
template <class D, class S>
inline D convert(S v) {
  if constexpr (std::is_same<D, bool>::value) {
    if constexpr (std::is_same<S, Half>::value || std::is_same<S, BFloat16>::value)
      return static_cast<float>(v) != 0.0f;
    else
      return v != S(0);
  } else if constexpr (std::is_same<S, Half>::value || std::is_same<S, BFloat16>::value) {
    return static_cast<D>(static_cast<float>(v));
  } else if constexpr (std::is_same<D, Half>::value || std::is_same<D, BFloat16>::value) {
    return D(static_cast<float>(v));
  } else {
    return static_cast<D>(v);
  }
}

// A same-dtype copy into a contiguous dst from a src whose unit-stride dim is not the last one
// (x.t().contiguous(), and the permuted copy of every reduction or softmax over a leading dim):
// the two dims are walked in 8 x 8 tiles, so each tile's 8 source and 8 destination lines stay
// in L1 until used up. Element order walked the source a row apart per element (1024 x 1024
// floats: 4.3 ms, torch 0.6-1.0); 16 x 16 and 32 x 32 tiles were 2-4x slower than 8 x 8 there,
// their lines 4 KiB apart all falling into one L1 set. False when the layout is not such a
// transpose.
template <class U>
bool copy_transposed(const Tensor& dst, const Tensor& src) {
  cpu::StridedIter<2> it;
  it.shape = dst.sizes();
  it.set(0, dst);
  it.set(1, src);
  it.coalesce();
  const int64_t nd = static_cast<int64_t>(it.shape.size());
  const int64_t item = sizeof(U);
  if (nd < 2 || it.strides[0][nd - 1] != item || it.strides[1][nd - 1] == item) return false;
  int64_t j = -1;  // src's unit-stride dim
  for (int64_t d = 0; d < nd - 1; ++d)
    if (it.strides[1][d] == item) j = d;
  if (j < 0) return false;
  const int64_t R = it.shape[j], C = it.shape[nd - 1];
  if (R < 8 || C < 8) return false;
  int64_t outer = 1;
  for (int64_t d = 0; d < nd - 1; ++d)
    if (d != j) outer *= it.shape[d];
  const int64_t dr = it.strides[0][j] / item, sc = it.strides[1][nd - 1] / item;
  constexpr int64_t B = 8;
  auto body = [&](int64_t o, int64_t rb0, int64_t rb1) {  // row blocks [rb0, rb1) of o
    U* d0 = reinterpret_cast<U*>(it.base[0]);
    const U* s0 = reinterpret_cast<const U*>(it.base[1]);
    int64_t rem = o;
    for (int64_t d = nd - 2; d >= 0; --d) {  // o's position in the dims other than j, last
      if (d == j) continue;
      const int64_t idx = rem % it.shape[d];
      rem /= it.shape[d];
      d0 += idx * it.strides[0][d] / item;
      s0 += idx * it.strides[1][d] / item;
    }
    for (int64_t r0 = rb0 * B; r0 < std::min(R, rb1 * B); r0 += B)
      for (int64_t c0 = 0; c0 < C; c0 += B) {
        const int64_t r1 = std::min(R, r0 + B), c1 = std::min(C, c0 + B);
        for (int64_t r = r0; r < r1; ++r)
          for (int64_t c = c0; c < c1; ++c) d0[r * dr + c] = s0[r + c * sc];
      }
  };
  // threads take whole transposes, or (a single one: x.t().contiguous()) shares of row blocks
  const int64_t blocks = (R + B - 1) / B;
  if (outer > 1) {
    cpu::parallel_lanes(outer, R * C, [&](int64_t o0, int64_t o1) {
      for (int64_t o = o0; o < o1; ++o) body(o, 0, blocks);
    });
  } else {
    cpu::parallel_lanes(blocks, B * C, [&](int64_t b0, int64_t b1) { body(0, b0, b1); });
  }
  return true;
}

// One row of n >= 64 bytes into a destination that does not overlap it, in 32-byte moves (the
// last one overlapping the one before: no byte loop). A row up to a few KiB stays in L1 from one
// copy to the next (an expanded source), and glibc's memmove (rep movsb at these sizes on Zen 4)
// copied a 4 KiB row at 3/4 of this loop's speed; from 64 KiB on both wait on the caches alike.
#if defined(__AVX2__)
constexpr int64_t kVecRowMaxBytes = 16384;
inline bool vec_row_copy(char* d, const char* s, int64_t n) {
  if (n < 64 || n > kVecRowMaxBytes || (d < s + n && s < d + n)) return false;
  int64_t i = 0;
  for (; i + 128 <= n; i += 128) {
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i));
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i + 32));
    const __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i + 64));
    const __m256i e = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i + 96));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(d + i), a);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(d + i + 32), b);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(d + i + 64), c);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(d + i + 96), e);
  }
  for (; i + 32 <= n; i += 32)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(d + i),
                        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i)));
  if (i < n)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(d + n - 32),
                        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + n - 32)));
  return true;
}
#else
inline bool vec_row_copy(char*, const char*, int64_t) { return false; }  // SSE2: memmove wins
#endif

// A same-dtype strided copy in one walk: rows whose innermost (coalesced) dim is unit-stride in
// both and at least 64 bytes long move with vec_row_copy (AVX2 build, rows up to 16 KiB that do
// not overlap their source) or one memmove each (glibc's picks the CPU's widest moves); an
// expanded source (x[:1].expand(n, m).contiguous()) and cat's slices into a wider
// result are the common cases, where the element loop ran at SSE2 width and took twice torch's
// time. Other rows take the element loop.
template <class U>
void copy_same(const Tensor& dst, const Tensor& src) {
  constexpr int64_t w = sizeof(U);
  cpu::StridedIter<2> it;
  it.shape = dst.sizes();
  it.set(0, dst);
  it.set(1, src);
  it.coalesce();
  it.run([&](std::array<char*, 2> p, int64_t n, const std::array<int64_t, 2>& st) {
    // A destination 1-63 bytes past its source modulo 4 KiB (x.roll(1, 1)'s second slice)
    // made glibc's memmove 9x slower than the element loop: 4K aliasing between its loads and
    // the stores just before them.
    const uintptr_t ahead = (reinterpret_cast<uintptr_t>(p[0]) - reinterpret_cast<uintptr_t>(p[1])) & 4095;
    if (st[0] == w && st[1] == w && n * w >= 64 && (ahead == 0 || ahead >= 64)) {
      if (vec_row_copy(p[0], p[1], n * w)) return;
      std::memmove(p[0], p[1], static_cast<size_t>(n * w));  // a view may overlap its source
    } else if (st[0] == w && st[1] == w) {
      U* o = reinterpret_cast<U*>(p[0]);
      const U* x = reinterpret_cast<const U*>(p[1]);
      for (int64_t i = 0; i < n; ++i) o[i] = x[i];
    } else {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<U*>(p[0] + i * st[0]) = *reinterpret_cast<const U*>(p[1] + i * st[1]);
    }
  });
}

// A contiguous block move: one memmove, or above 1 MiB with more than one thread (and no
// overlap) a share of whole cache lines per thread: one core's stores do not fill the memory
// bandwidth, and torch splits such copies too (cat along dim 0 of two 4 MiB tensors at 2
// threads: 2x torch's time as one memmove).
void move_block(char* d, const char* s, size_t bytes) {
  constexpr size_t kParallelBytes = size_t(1) << 20;
  const int threads = cpu::max_threads();
  if (bytes < kParallelBytes || threads < 2 || (d < s + bytes && s < d + bytes)) {
    std::memmove(d, s, bytes);
    return;
  }
  const size_t per = (bytes / threads + 63) / 64 * 64;
#pragma omp parallel for schedule(static)
  for (int t = 0; t < threads; ++t) {
    const size_t b = std::min(bytes, per * t), e = std::min(bytes, per * (t + 1));
    if (e > b) std::memcpy(d + b, s + b, e - b);
  }
}

}  // namespace

void copy(const Tensor& dst, const Tensor& src) {
  TG_CUDA_DISPATCH_IF(!dst.device().is_cpu() || !src.device().is_cpu(), copy(dst, src));
  if (dst.numel() == 0) return;
  if (dst.dtype() == src.dtype() && dst.is_contiguous() && src.is_contiguous() &&
      dst.sizes() == src.sizes()) {
    move_block(static_cast<char*>(dst.raw_data()), static_cast<const char*>(src.raw_data()),
               dst.numel() * itemsize(dst.dtype()));
    return;
  }
  if (dst.dtype() == src.dtype()) {
    // strided, same dtype: the bits as they are, through an unsigned type of the same width
    // (a bool read as bool must be 0 or 1, but an uninitialized or viewed byte need not be)
    auto same = [&](auto tag) {
      using U = decltype(tag);
      if (dst.is_contiguous() && copy_transposed<U>(dst, src)) return;
      copy_same<U>(dst, src);
    };
    switch (itemsize(dst.dtype())) {
      case 1: return same(uint8_t{});
      case 2: return same(uint16_t{});
      case 4: return same(uint32_t{});
      case 8: return same(uint64_t{});
      default: break;
    }
  }
  if (try_convert_bulk(dst, src)) return;  // contiguous pairs the loop below does badly
  dispatch_all(dst.dtype(), [&](auto dtag) {
    using D = decltype(dtag);
    dispatch_all(src.dtype(), [&](auto stag) {
      using S = decltype(stag);
      cpu::map1<D, S>(dst, src, [](S v) { return convert<D, S>(v); });
    });
  });
}

void fill(const Tensor& dst, double value) {
  TG_CUDA_DISPATCH(fill(dst, value), dst);
  dispatch_all(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T v = convert<T, double>(value);
    if (dst.is_contiguous()) {
      T* p = dst.data<T>();
      const int64_t n = dst.numel();
      for (int64_t i = 0; i < n; ++i) p[i] = v;
    } else {
      cpu::map1<T, T>(dst, dst, [v](T) { return v; });
    }
  });
}

}  // namespace TG_ISA
}  // namespace kern
}  // namespace tapegrad
