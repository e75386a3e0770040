// erf and erfc for contiguous float32 CPU tensors through the vector
// exp (kernels/vmath.h). glibc's erff costs about 11 ns an element here (13x torch's vector erf);
// these run the exp in SIMD and the rest in loops the compiler vectorises.
#pragma once
#include <tapegrad/core/tensor.h>

namespace tapegrad {
namespace kern {
namespace erf_float {

enum class Form { Erf, Erfc };

// out = form(in) for contiguous float32 out and in of one shape (out may be in); false (nothing
// written) for anything else or when no vector exp is active.
bool run(Form form, const Tensor& out, const Tensor& in);

}  // namespace erf_float
}  // namespace kern
}  // namespace tapegrad
