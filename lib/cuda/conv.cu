// CUDA kernels for convolution and pooling with the layouts and parameter vectors of
// lib/cpu/conv.cpp: im2col (one thread per column element), col2im as a gather (one thread per
// image element summing the columns that read it: deterministic, no atomics), max_pool2d.
#include <tapegrad/kernels/cuda_kernels.h>
#include <tapegrad/kernels/dispatch.h>
#include "cuda_common.cuh"

namespace tapegrad {
namespace cuda {

namespace {

struct ConvGeom {
  int64_t C, H, W, kh, kw, dh, dw, ph, pw, sh, sw, Ho, Wo;
};

ConvGeom geom(const Tensor& img, const int64_t* p) {
  return {img.sizes()[1], img.sizes()[2], img.sizes()[3], p[0], p[1], p[2], p[3], p[4], p[5],
          p[6], p[7], p[8], p[9]};
}

template <class T>
__global__ void im2col_kernel(T* cols, const T* img, ConvGeom g, int64_t total) {
  const int64_t L = g.Ho * g.Wo, per_col = g.C * g.kh * g.kw * L, per_img = g.C * g.H * g.W;
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < total;
       i += step) {
    const int64_t n = i / per_col, r = i % per_col;
    const int64_t row = r / L, l = r % L, oy = l / g.Wo, ox = l % g.Wo;
    const int64_t kx = row % g.kw, ky = (row / g.kw) % g.kh, c = row / (g.kw * g.kh);
    const int64_t y = oy * g.sh - g.ph + ky * g.dh, x = ox * g.sw - g.pw + kx * g.dw;
    const bool in = y >= 0 && y < g.H && x >= 0 && x < g.W;
    cols[i] = in ? img[n * per_img + (c * g.H + y) * g.W + x] : T(0);
  }
}

template <class T>
__global__ void col2im_kernel(T* img, const T* cols, ConvGeom g, int64_t total) {
  const int64_t L = g.Ho * g.Wo, per_col = g.C * g.kh * g.kw * L, per_img = g.C * g.H * g.W;
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < total;
       i += step) {
    const int64_t n = i / per_img, r = i % per_img;
    const int64_t c = r / (g.H * g.W), y = (r / g.W) % g.H, x = r % g.W;
    T acc = T(0);
    // Same (ky, kx) order as the CPU walk, so float sums round the same way.
    for (int64_t ky = 0; ky < g.kh; ++ky) {
      const int64_t ty = y + g.ph - ky * g.dh;
      if (ty < 0 || ty % g.sh) continue;
      const int64_t oy = ty / g.sh;
      if (oy >= g.Ho) continue;
      for (int64_t kx = 0; kx < g.kw; ++kx) {
        const int64_t tx = x + g.pw - kx * g.dw;
        if (tx < 0 || tx % g.sw) continue;
        const int64_t ox = tx / g.sw;
        if (ox >= g.Wo) continue;
        const int64_t row = (c * g.kh + ky) * g.kw + kx;
        acc += cols[n * per_col + row * L + oy * g.Wo + ox];
      }
    }
    img[i] = acc;
  }
}

template <class T>
__global__ void max_pool_kernel(T* out, int64_t* idx, const T* in, int64_t H, int64_t W,
                                ConvGeom g, int64_t total) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t o = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; o < total;
       o += step) {
    const int64_t q = o / (g.Ho * g.Wo), oy = (o / g.Wo) % g.Ho, ox = o % g.Wo;
    const T* s = in + q * H * W;
    int64_t best_i = -1;
    T best = T(0);
    // Padding acts as -inf: the window's best is always a real element. As in torch's kernel
    // every NaN is taken, so the last NaN of a window wins (its index), as on the CPU.
    for (int64_t ky = 0; ky < g.kh; ++ky) {
      const int64_t y = oy * g.sh - g.ph + ky * g.dh;
      if (y < 0 || y >= H) continue;
      for (int64_t kx = 0; kx < g.kw; ++kx) {
        const int64_t x = ox * g.sw - g.pw + kx * g.dw;
        if (x < 0 || x >= W) continue;
        const T v = s[y * W + x];
        if (best_i < 0 || v > best || v != v) {
          best = v;
          best_i = y * W + x;
        }
      }
    }
    out[o] = best;
    idx[o] = best_i;
  }
}

}  // namespace

void im2col(const Tensor& cols, const Tensor& img, const int64_t* p) {
  const int64_t total = cols.numel();
  if (total == 0) return;
  DeviceGuard dg(img.device().index);
  const ConvGeom g = geom(img, p);
  dispatch_numeric(img.dtype(), "im2col", [&](auto tag) {
    using T = decltype(tag);
    im2col_kernel<T><<<grid_for(total), kThreads>>>(static_cast<T*>(cols.raw_data()),
                                                    static_cast<const T*>(img.raw_data()), g,
                                                    total);
    TG_CUDA_LAUNCH_CHECK();
  });
}

void col2im(const Tensor& img, const Tensor& cols, const int64_t* p) {
  const int64_t total = img.numel();
  if (total == 0) return;
  DeviceGuard dg(img.device().index);
  const ConvGeom g = geom(img, p);
  dispatch_numeric(img.dtype(), "col2im", [&](auto tag) {
    using T = decltype(tag);
    col2im_kernel<T><<<grid_for(total), kThreads>>>(static_cast<T*>(img.raw_data()),
                                                    static_cast<const T*>(cols.raw_data()), g,
                                                    total);
    TG_CUDA_LAUNCH_CHECK();
  });
}

void max_pool2d(const Tensor& out, const Tensor& indices, const Tensor& in, const int64_t* p) {
  const int64_t total = out.numel();
  if (total == 0) return;
  DeviceGuard dg(in.device().index);
  // p = {kh, kw, sh, sw, ph, pw, dh, dw, Ho, Wo} (a different order from the conv vector).
  ConvGeom g{0, 0, 0, p[0], p[1], p[6], p[7], p[4], p[5], p[2], p[3], p[8], p[9]};
  dispatch_numeric(in.dtype(), "max_pool2d", [&](auto tag) {
    using T = decltype(tag);
    max_pool_kernel<T><<<grid_for(total), kThreads>>>(
        static_cast<T*>(out.raw_data()), static_cast<int64_t*>(indices.raw_data()),
        static_cast<const T*>(in.raw_data()), in.sizes()[1], in.sizes()[2], g, total);
    TG_CUDA_LAUNCH_CHECK();
  });
}

}  // namespace cuda
}  // namespace tapegrad
