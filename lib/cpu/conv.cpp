// CPU kernels for convolution and pooling: im2col / col2im (the convolution is a matrix
// product over the columns, done by the op layer) and 2-D max pooling with argmax indices.
#include <algorithm>
#include <limits>

#include <tapegrad/kernels/cuda_kernels.h>
#include <tapegrad/kernels/dispatch.h>
#include <tapegrad/kernels/kernels.h>
#include <tapegrad/kernels/loops.h>

#include "via_float.h"

namespace tapegrad {
namespace kern {

namespace {

// Calls f(col_offset, img_offset or -1) for every (channel, ky, kx, oy, ox) of one image.
template <class F>
void walk_columns(int64_t C, int64_t H, int64_t W, const int64_t* p, F&& f) {
  const int64_t kh = p[0], kw = p[1], dh = p[2], dw = p[3], ph = p[4], pw = p[5], sh = p[6],
                sw = p[7], Ho = p[8], Wo = p[9];
  const int64_t L = Ho * Wo;
  for (int64_t c = 0; c < C; ++c)
    for (int64_t ky = 0; ky < kh; ++ky)
      for (int64_t kx = 0; kx < kw; ++kx) {
        const int64_t row = (c * kh + ky) * kw + kx;
        for (int64_t oy = 0; oy < Ho; ++oy) {
          const int64_t y = oy * sh - ph + ky * dh;
          for (int64_t ox = 0; ox < Wo; ++ox) {
            const int64_t x = ox * sw - pw + kx * dw;
            const bool in = y >= 0 && y < H && x >= 0 && x < W;
            f(row * L + oy * Wo + ox, in ? (c * H + y) * W + x : -1);
          }
        }
      }
}

// One image's columns, a run of output columns at a time: the rows (channel, ky, kx) and output
// rows oy of the column matrix, each filled by zeros where the window hangs over the padding
// and a copy of the input row (a strided gather when the stride is not 1) in between. The
// element-wise walk with a bounds test per element took 1.6 ms for an 8 x 3 x 64 x 64 image
// batch, k = 5 (torch: under 1).
template <class T>
void im2col_image(T* d, const T* s, int64_t C, int64_t H, int64_t W, const int64_t* p) {
  const int64_t kh = p[0], kw = p[1], dh = p[2], dw = p[3], ph = p[4], pw = p[5], sh = p[6],
                sw = p[7], Ho = p[8], Wo = p[9];
  for (int64_t c = 0; c < C; ++c)
    for (int64_t ky = 0; ky < kh; ++ky)
      for (int64_t kx = 0; kx < kw; ++kx) {
        T* drow = d + ((c * kh + ky) * kw + kx) * Ho * Wo;
        const int64_t off = kx * dw - pw;  // input column of output column 0
        // output columns [lo, hi) read inside the input row: 0 <= ox * sw + off < W
        const int64_t lo = std::min(Wo, off >= 0 ? int64_t(0) : (-off + sw - 1) / sw);
        const int64_t hi = std::max(lo, std::min(Wo, W - 1 - off >= 0 ? (W - 1 - off) / sw + 1 : 0));
        for (int64_t oy = 0; oy < Ho; ++oy) {
          T* o = drow + oy * Wo;
          const int64_t y = oy * sh - ph + ky * dh;
          if (y < 0 || y >= H) {
            std::fill(o, o + Wo, T(0));
            continue;
          }
          const T* r = s + (c * H + y) * W + off;
          std::fill(o, o + lo, T(0));
          if (sw == 1) {
            std::copy(r + lo, r + hi, o + lo);
          } else {
            for (int64_t ox = lo; ox < hi; ++ox) o[ox] = r[ox * sw];
          }
          std::fill(o + hi, o + Wo, T(0));
        }
      }
}

}  // namespace

void im2col(const Tensor& cols, const Tensor& img, const int64_t* p) {
  if (via_float::any(cols, img)) {  // Note [Half via float]
    Tensor cols_f = via_float::scratch(cols);
    im2col(cols_f, via_float::up(img), p);
    via_float::down(cols, cols_f);
    return;
  }
  TG_CUDA_DISPATCH(im2col(cols, img, p), cols, img);
  const int64_t N = img.sizes()[0], C = img.sizes()[1], H = img.sizes()[2], W = img.sizes()[3];
  const int64_t per_img = C * H * W, per_col = C * p[0] * p[1] * p[8] * p[9];
  dispatch_numeric(img.dtype(), "im2col", [&](auto tag) {
    using T = decltype(tag);
    const T* src = img.data<T>();
    T* dst = cols.data<T>();
    // images across threads, or with fewer images than threads, ranges of channels
    const int64_t threads = cpu::max_threads();
    const int64_t cparts = N >= threads ? 1 : std::min<int64_t>(C, threads);
    const int64_t per_channel = C ? per_col / C : 0;
    const bool par = N * cparts > 1 && N * per_col >= cpu::kGrain && threads > 1;
#pragma omp parallel for if (par) schedule(static)
    for (int64_t t = 0; t < N * cparts; ++t) {
      const int64_t n = t / cparts, q = t % cparts;
      const int64_t c0 = C * q / cparts, c1 = C * (q + 1) / cparts;
      im2col_image(dst + n * per_col + c0 * per_channel, src + n * per_img + c0 * H * W, c1 - c0,
                   H, W, p);
    }
  });
}

void col2im(const Tensor& img, const Tensor& cols, const int64_t* p) {
  if (via_float::any(img, cols)) {  // Note [Half via float]
    Tensor img_f = via_float::scratch(img);
    col2im(img_f, via_float::up(cols), p);
    via_float::down(img, img_f);
    return;
  }
  TG_CUDA_DISPATCH(col2im(img, cols, p), img, cols);
  const int64_t N = img.sizes()[0], C = img.sizes()[1], H = img.sizes()[2], W = img.sizes()[3];
  const int64_t per_img = C * H * W, per_col = C * p[0] * p[1] * p[8] * p[9];
  dispatch_numeric(img.dtype(), "col2im", [&](auto tag) {
    using T = decltype(tag);
    const T* src = cols.data<T>();
    T* dst = img.data<T>();
    const bool par = N > 1 && N * per_col >= cpu::kGrain;
#pragma omp parallel for if (par) schedule(static)
    for (int64_t n = 0; n < N; ++n) {
      T* d = dst + n * per_img;
      const T* s = src + n * per_col;
      for (int64_t k = 0; k < per_img; ++k) d[k] = T(0);
      walk_columns(C, H, W, p, [&](int64_t co, int64_t io) {
        if (io >= 0) d[io] += s[co];
      });
    }
  });
}

void max_pool2d(const Tensor& out, const Tensor& indices, const Tensor& in, const int64_t* p) {
  if (via_float::any(out, in)) {  // Note [Half via float]
    Tensor out_f = via_float::scratch(out);
    max_pool2d(out_f, indices, via_float::up(in), p);
    via_float::down(out, out_f);
    return;
  }
  TG_CUDA_DISPATCH(max_pool2d(out, indices, in, p), out, indices, in);
  const int64_t P = in.sizes()[0], H = in.sizes()[1], W = in.sizes()[2];
  const int64_t kh = p[0], kw = p[1], sh = p[2], sw = p[3], ph = p[4], pw = p[5], dh = p[6],
                dw = p[7], Ho = p[8], Wo = p[9];
  // The lambda takes the geometry by value: captured by reference, every parameter was
  // reloaded from memory after each store to dst / idx (they might alias), a third of the time.
  dispatch_numeric(in.dtype(), "max_pool2d", [=](auto tag) {
    using T = decltype(tag);
    const T* src = in.data<T>();
    T* dst = out.data<T>();
    int64_t* idx = indices.data<int64_t>();
    const bool par = P > 1 && P * Ho * Wo * kh * kw >= cpu::kGrain;
#pragma omp parallel for if (par) schedule(static)
    for (int64_t q = 0; q < P; ++q) {
      const T* s = src + q * H * W;
      for (int64_t oy = 0; oy < Ho; ++oy)
        for (int64_t ox = 0; ox < Wo; ++ox) {
          // Padding acts as -inf: the window's best is always a real element. As in torch's
          // kernel every NaN is taken, so the last NaN of a window wins (its index).
          int64_t best_i = -1;
          T best = T(0);
          for (int64_t ky = 0; ky < kh; ++ky) {
            const int64_t y = oy * sh - ph + ky * dh;
            if (y < 0 || y >= H) continue;
            for (int64_t kx = 0; kx < kw; ++kx) {
              const int64_t x = ox * sw - pw + kx * dw;
              if (x < 0 || x >= W) continue;
              const T v = s[y * W + x];
              const bool take = best_i < 0 || v > best || v != v;
              best = take ? v : best;
              best_i = take ? y * W + x : best_i;
            }
          }
          const int64_t o = (q * Ho + oy) * Wo + ox;
          dst[o] = best;
          idx[o] = best_i;
        }
    }
  });
}

}  // namespace kern
}  // namespace tapegrad
