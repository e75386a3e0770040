// Fused pointwise kernels that round once where torch's CPU kernels use a fused multiply-add,
// so float32 results match torch bit for bit (addcmul, lerp). Floating dtypes; operands share
// out's dtype and broadcast to its shape.
#pragma once
#include <tapegrad/core/tensor.h>

namespace tapegrad {
namespace kern {

// out = fma(value * t1, t2, self)
void addcmul(const Tensor& out, const Tensor& self, const Tensor& t1, const Tensor& t2,
             double value);
// out = |w| < 0.5 ? fma(w, end - self, self) : fma(w - 1, end - self, end)
void lerp(const Tensor& out, const Tensor& self, const Tensor& end, const Tensor& weight);

// Backward kernels from the saved result y, one pass instead of two or three ops, with torch's
// operation order (so float32 rounds the same): relu: y <= 0 ? 0 : g; sigmoid: g * (1 - y) * y;
// tanh: g * fma(-y, y, 1). g broadcasts to y's shape (an expanded gradient); out has y's shape.
void relu_backward(const Tensor& out, const Tensor& g, const Tensor& y);
void sigmoid_backward(const Tensor& out, const Tensor& g, const Tensor& y);
void tanh_backward(const Tensor& out, const Tensor& g, const Tensor& y);

// sin's backward, out = g * cos(x) in one pass (cos rounded, then the product: the values of
// the two ops). g broadcasts to x's shape; out has x's shape. Floating dtypes.
void sin_backward(const Tensor& out, const Tensor& g, const Tensor& x);

// mul's backward for both operands in one pass: ga = g * b, gb = g * a (the values of the two
// products). a, b, ga, gb share one shape and floating dtype; g has that shape (it may be
// expanded) and dtype.
void mul_backward(const Tensor& ga, const Tensor& gb, const Tensor& g, const Tensor& a,
                  const Tensor& b);

}  // namespace kern
}  // namespace tapegrad
