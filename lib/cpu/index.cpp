// CPU gather/scatter by flat offsets into a contiguous tensor: the kernels behind advanced
// indexing, index_put, gather and scatter_add (the op layer computes the offsets).
#include <tapegrad/core/half.h>
#include <tapegrad/kernels/cuda_kernels.h>
#include <tapegrad/kernels/dispatch.h>
#include <tapegrad/kernels/kernels.h>

#include "via_float.h"

namespace tapegrad {
namespace kern {

void take(const Tensor& out, const Tensor& in, const Tensor& offsets) {
  if (via_float::any(out, in)) {  // Note [Half via float]
    Tensor out_f = via_float::scratch(out);
    take(out_f, via_float::up(in), offsets);
    via_float::down(out, out_f);
    return;
  }
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
  if (via_float::any(dst, src)) {  // Note [Half via float]
    Tensor dst_f = via_float::scratch(dst, true);
    put_add(dst_f, offsets, via_float::up(src), accumulate);
    via_float::down(dst, dst_f);
    return;
  }
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
