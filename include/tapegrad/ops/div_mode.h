// div / divide with torch's rounding_mode ('trunc' or 'floor'). Kept out of ops.h so that
// adding to it rebuilds only the files that use it.
#pragma once
#include <tapegrad/core/tensor.h>

namespace tapegrad {

enum class DivMode : uint8_t { True, Trunc, Floor };

// The rounded quotient, computed without autograd history (the caller records torch's
// DivBackward2, whose gradients are zero). Integers divide exactly (no float round trip).
// True: plain div.
Tensor div_rounded(const Tensor& a, const Tensor& b, DivMode mode);

}  // namespace tapegrad
