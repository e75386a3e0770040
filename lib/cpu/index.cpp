// CPU gather/scatter by flat offsets into a contiguous tensor: the kernels behind advanced
// indexing, index_put, gather and scatter_add (the op layer computes the offsets).
#include <tapegrad/core/half.h>
#include <tapegrad/kernels/cuda_kernels.h>
#include <tapegrad/kernels/dispatch.h>
#include <tapegrad/kernels/kernels.h>

namespace tapegrad {
namespace kern {

void take(const Tensor& out, const Tensor& in, const Tensor& offsets) {
  TG_CUDA_DISPATCH(take(out, in, offsets), out, in);  // offsets: moved by the CUDA side
  const int64_t n = offsets.numel();
  const int64_t* off = offsets.data<int64_t>();
  dispatch_numeric_and_bool(in.dtype(), "index", [&](auto tag) {
    using T = decltype(tag);
    const T* src = in.data<T>();
    T* dst = out.data<T>();
    for (int64_t i = 0; i < n; ++i) dst[i] = src[off[i]];
  });
}

void put_add(const Tensor& dst, const Tensor& offsets, const Tensor& src, bool accumulate) {
  TG_CUDA_DISPATCH(put_add(dst, offsets, src, accumulate), dst, src);
  const int64_t n = offsets.numel();
  const int64_t* off = offsets.data<int64_t>();
  dispatch_numeric_and_bool(dst.dtype(), "index_put_", [&](auto tag) {
    using T = decltype(tag);
    const T* s = src.data<T>();
    T* d = dst.data<T>();
    if (accumulate) {
      for (int64_t i = 0; i < n; ++i) d[off[i]] = static_cast<T>(d[off[i]] + s[i]);
    } else {
      for (int64_t i = 0; i < n; ++i) d[off[i]] = s[i];
    }
  });
}

}  // namespace kern
}  // namespace tapegrad
