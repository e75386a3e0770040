// The layout of a fresh elementwise result, as torch's TensorIterator chooses it: contiguous
// when every input is, otherwise dense with its dims ordered as the inputs' strides order them
// (x.t() + 1 has x.t()'s strides, a channels-last input gives a channels-last result). The CPU
// loops (kernels/loops.h) then walk every operand in memory order.
#pragma once
#include <initializer_list>

#include <tapegrad/core/tensor.h>

namespace tapegrad {

// An uninitialised tensor of `shape` (the inputs broadcast to it), laid out after `inputs`.
Tensor empty_like_operands(Shape&& shape, DType dt, Device device,
                           std::initializer_list<const Tensor*> inputs);

// An uninitialised tensor with these strides, which must be dense (a permutation of a contiguous
// layout, size-1 dims aside), so the contiguous allocation holds it (clone / to with a memory
// format use it too).
Tensor empty_with_strides(Shape sizes, Shape strides, DType dt, Device device);

}  // namespace tapegrad
