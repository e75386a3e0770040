// CPU gather/scatter by flat offsets into a contiguous tensor: the kernels behind advanced
// indexing, index_put, gather and scatter_add (the op layer computes the offsets).
#include <algorithm>
#include <cstring>

#include <tapegrad/core/half.h>
#include <tapegrad/kernels/cuda_kernels.h>
#include <tapegrad/kernels/dispatch.h>
#include <tapegrad/kernels/kernels.h>
#include <tapegrad/kernels/loops.h>
#include <tapegrad/kernels/nll.h>

#include "via_float.h"

namespace tapegrad {
namespace kern {

namespace {

// The offsets address the operands' own layouts (strided views included), so half/bfloat16
// cannot go through a compacted float32 copy (Note [Half via float]): take moves their bits,
// and put_add converts element by element, rounding after every addition as torch's
// index_put_ / scatter_add kernels do for these types.
template <class H>
void put_add_half(const Tensor& dst, const int64_t* off, int64_t n, const Tensor& src,
                  bool accumulate) {
  const H* s = src.data<H>();
  H* d = dst.data<H>();
  for (int64_t i = 0; i < n; ++i)
    d[off[i]] = accumulate ? H(static_cast<float>(d[off[i]]) + static_cast<float>(s[i])) : s[i];
}

}  // namespace

void take(const Tensor& out, const Tensor& in, const Tensor& offsets) {
  TG_CUDA_DISPATCH(take(out, in, offsets), out, in);  // offsets: moved by the CUDA side
  const int64_t n = offsets.numel();
  const int64_t* off = offsets.data<int64_t>();
  if (via_float::reduced(in)) {
    const uint16_t* src = in.data<const uint16_t>();
    uint16_t* dst = out.data<uint16_t>();
    for (int64_t i = 0; i < n; ++i) dst[i] = src[off[i]];
    return;
  }
  dispatch_numeric_and_bool(in.dtype(), "index", [&](auto tag) {
    using T = decltype(tag);
    const T* src = in.data<T>();
    T* dst = out.data<T>();
    for (int64_t i = 0; i < n; ++i) dst[i] = src[off[i]];
  });
}

namespace {
// Copies fixed-size elements (U, the width's unsigned type) by index, four loads before their
// four stores: the loads of one group then overlap their L2/L3 misses, where one load-store pair
// per step kept the stores waiting on each miss in turn (index_select along dim 1 of 1024 x 1024
// floats: 123 -> 99 us in C).
template <class U>
void select_elems(char* dst, const char* src, const int64_t* idx, int64_t n) {
  constexpr size_t W = sizeof(U);
  auto get = [src, idx](int64_t k) {  // memcpy: the bytes may hold any dtype of this width
    U v;
    std::memcpy(&v, src + idx[k] * W, W);
    return v;
  };
  int64_t k = 0;
  for (; k + 4 <= n; k += 4) {
    const U a = get(k), b = get(k + 1), c = get(k + 2), e = get(k + 3);
    std::memcpy(dst + k * W, &a, W);
    std::memcpy(dst + (k + 1) * W, &b, W);
    std::memcpy(dst + (k + 2) * W, &c, W);
    std::memcpy(dst + (k + 3) * W, &e, W);
  }
  for (; k < n; ++k) {
    const U v = get(k);
    std::memcpy(dst + k * W, &v, W);
  }
}
}  // namespace

void index_select_rows(const Tensor& out, const Tensor& in, const Tensor& idx, int64_t outer,
                       int64_t size, int64_t inner) {
  TG_CHECK(out.device().is_cpu() && in.device().is_cpu(), "index_select_rows: CPU tensors only");
  const int64_t n = idx.numel();
  const size_t row = static_cast<size_t>(inner) * itemsize(in.dtype());
  const int64_t* ix = idx.data<int64_t>();
  const char* src = static_cast<const char*>(in.raw_data());
  char* dst = static_cast<char*>(out.raw_data());
  const bool parallel = outer * n * inner >= cpu::kGrain && cpu::max_threads() > 1;
  auto one = [&](int64_t o, int64_t k0, int64_t k1) {
    const char* s = src + o * size * row;
    char* d = dst + (o * n + k0) * row;
    switch (row) {
      case 1: return select_elems<uint8_t>(d, s, ix + k0, k1 - k0);
      case 2: return select_elems<uint16_t>(d, s, ix + k0, k1 - k0);
      case 4: return select_elems<uint32_t>(d, s, ix + k0, k1 - k0);
      case 8: return select_elems<uint64_t>(d, s, ix + k0, k1 - k0);
      default:
        for (int64_t k = k0; k < k1; ++k, d += row) std::memcpy(d, s + ix[k] * row, row);
    }
  };
  // chunks of rows across threads: one long index (outer == 1) splits along it
  const int64_t chunk = std::max<int64_t>(1, cpu::kGrain / std::max<int64_t>(inner, 1));
  const int64_t per = (n + chunk - 1) / chunk, tasks = outer * per;
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t t = 0; t < tasks; ++t) {
    const int64_t o = t / per, k0 = (t % per) * chunk;
    one(o, k0, std::min(n, k0 + chunk));
  }
}

void put_add(const Tensor& dst, const Tensor& offsets, const Tensor& src, bool accumulate) {
  TG_CUDA_DISPATCH(put_add(dst, offsets, src, accumulate), dst, src);
  const int64_t n = offsets.numel();
  const int64_t* off = offsets.data<int64_t>();
  if (dst.dtype() == DType::Float16) return put_add_half<Half>(dst, off, n, src, accumulate);
  if (dst.dtype() == DType::BFloat16)
    return put_add_half<BFloat16>(dst, off, n, src, accumulate);
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

void nll_coef(const Tensor& coef, const Tensor& tw, const Tensor& bad, const Tensor& target,
              const Tensor& weight, const Tensor& scale, int64_t ignore_index) {
  TG_CUDA_DISPATCH(nll_coef(coef, tw, bad, target, weight, scale, ignore_index), coef, tw, bad,
                   target, weight, scale);
  const int64_t m = target.numel(), C = coef.sizes()[1], inner = coef.sizes()[2];
  int64_t* b = bad.data<int64_t>();
  const int64_t* t = target.data<int64_t>();
  const double* w = weight.defined() ? weight.data<double>() : nullptr;
  const double* s = scale.defined() ? scale.data<double>() : nullptr;
  double* c = coef.data<double>();
  double* tws = tw.data<double>();
  // sequential, stopping at the first bad target: its value is the one the error names
  for (int64_t j = 0; j < m && !b[0]; ++j)
    fn::nll_coef_at(j, c, tws, b, t, w, s, C, inner, ignore_index);
}

template <class T>
void nll_loss_fwd_as(const Tensor& loss, const Tensor& tw, const Tensor& bad, const Tensor& input,
                     const Tensor& target, const Tensor& weight, int64_t ignore_index) {
  const int64_t m = target.numel(), C = input.sizes()[1], inner = input.sizes()[2];
  int64_t* b = bad.data<int64_t>();
  const int64_t* t = target.data<int64_t>();
  const double* w = weight.defined() ? weight.data<double>() : nullptr;
  const T* x = input.data<T>();
  const int64_t sn = input.strides()[0], sc = input.strides()[1], sk = input.strides()[2];
  T* l = loss.data<T>();
  double* tws = tw.data<double>();
  for (int64_t j = 0; j < m && !b[0]; ++j)
    fn::nll_loss_at(j, l, tws, b, x, sn, sc, sk, t, w, C, inner, ignore_index);
}

template <class T>
void nll_loss_bwd_as(const Tensor& grad_in, const Tensor& g, bool per_target, const Tensor& target,
                     const Tensor& weight, const Tensor& total, int64_t ignore_index) {
  const int64_t m = target.numel(), C = grad_in.sizes()[1], inner = grad_in.sizes()[2];
  const int64_t* t = target.data<int64_t>();
  const double* w = weight.defined() ? weight.data<double>() : nullptr;
  const T* gp = g.data<T>();
  T* gin = grad_in.data<T>();
  const T g0 = total.defined() ? static_cast<T>(-(gp[0] / total.data<T>()[0])) : -gp[0];
  for (int64_t j = 0; j < m; ++j)
    fn::nll_grad_at(j, gin, per_target ? static_cast<T>(-gp[j]) : g0, t, w, C, inner,
                    ignore_index);
}

void nll_loss_bwd(const Tensor& grad_in, const Tensor& g, bool per_target, const Tensor& target,
                  const Tensor& weight, const Tensor& total, int64_t ignore_index) {
  TG_CHECK(grad_in.device().is_cpu() && grad_in.dim() == 3, "nll_loss_bwd: a CPU [N, C, inner] grad_in");
  if (grad_in.dtype() == DType::Float32)
    nll_loss_bwd_as<float>(grad_in, g, per_target, target, weight, total, ignore_index);
  else if (grad_in.dtype() == DType::Float64)
    nll_loss_bwd_as<double>(grad_in, g, per_target, target, weight, total, ignore_index);
  else
    TG_ERROR("nll_loss_bwd: float32 or float64, not ", dtype_name(grad_in.dtype()));
}

void nll_loss_fwd(const Tensor& loss, const Tensor& tw, const Tensor& bad, const Tensor& input,
                  const Tensor& target, const Tensor& weight, int64_t ignore_index) {
  TG_CHECK(input.device().is_cpu() && input.dim() == 3, "nll_loss_fwd: a CPU [N, C, inner] input");
  if (input.dtype() == DType::Float32)
    nll_loss_fwd_as<float>(loss, tw, bad, input, target, weight, ignore_index);
  else if (input.dtype() == DType::Float64)
    nll_loss_fwd_as<double>(loss, tw, bad, input, target, weight, ignore_index);
  else
    TG_ERROR("nll_loss_fwd: float32 or float64 input, not ", dtype_name(input.dtype()));
}

}  // namespace kern
}  // namespace tapegrad
