// CPU copies: strided, broadcasting, dtype-converting copy (every pair of dtypes, float16 and
// bfloat16 through float) and fill.
#include <cstdint>
#include <cstring>
#include <type_traits>

#include <tapegrad/core/half.h>
#include <tapegrad/kernels/cuda_kernels.h>
#include <tapegrad/kernels/dispatch.h>
#include <tapegrad/kernels/kernels.h>
#include <tapegrad/kernels/loops.h>

namespace tapegrad {
namespace kern {

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

}  // namespace

void copy(const Tensor& dst, const Tensor& src) {
  TG_CUDA_DISPATCH_IF(!dst.device().is_cpu() || !src.device().is_cpu(), copy(dst, src));
  if (dst.numel() == 0) return;
  if (dst.dtype() == src.dtype() && dst.is_contiguous() && src.is_contiguous() &&
      dst.sizes() == src.sizes()) {
    std::memmove(dst.raw_data(), src.raw_data(), dst.numel() * itemsize(dst.dtype()));
    return;
  }
  if (dst.dtype() == src.dtype()) {
    // strided, same dtype: the bits as they are, through an unsigned type of the same width
    // (a bool read as bool must be 0 or 1, but an uninitialized or viewed byte need not be)
    auto same = [&](auto tag) {
      using U = decltype(tag);
      cpu::map1<U, U>(dst, src, [](U v) { return v; });
    };
    switch (itemsize(dst.dtype())) {
      case 1: return same(uint8_t{});
      case 2: return same(uint16_t{});
      case 4: return same(uint32_t{});
      case 8: return same(uint64_t{});
      default: break;
    }
  }
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

}  // namespace kern
}  // namespace tapegrad
