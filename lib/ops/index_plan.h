// Advanced indexing's addressing, shared by index.cpp (the host planner) and
// index_plan_device.cpp (the same offsets composed from tensor ops on the operand's device).
#pragma once
#include <vector>

#include <tapegrad/core/tensor.h>
#include <tapegrad/ops/index_ops.h>

namespace tapegrad {
namespace detail {

// Where each dim of the indexed tensor goes: the advanced (indexed) dims, whose broadcast index
// shape replaces them, and the other dims before and after that block (numpy's placement: the
// block stays in place when the advanced dims are adjacent, else it goes first).
struct IndexLayout {
  std::vector<int64_t> adv, before, after;
  Shape ishape, out_shape;
};
IndexLayout index_layout(const Shape& sizes, const std::vector<Tensor>& idx);

struct IndexPlan {
  Shape out_shape;
  Tensor offsets;  // int64, out_shape, element offsets using the given strides
};

// Note [Index plans on the device]: the offsets are built where the indexed tensor lives, so a
// CUDA tensor's indices never come to the host; only one count of out-of-range values is read
// back. Both return false when an index is out of range: the caller then runs the host planner,
// which raises torch's message naming the value. set_index_plans_on_device(true) makes CPU
// tensors take this path too, so CPU tests cover what a GPU runs (the switch and
// index_plans_on_device(dev), the test for it, are declared in index_ops.h).
bool plan_on_device(const Shape& sizes, const Shape& strides, const std::vector<Tensor>& idx,
                    Device dev, IndexPlan* out);
bool dim_offsets_on_device(const Tensor& idx, int64_t dim, const Shape& sizes,
                           const Shape& strides, Tensor* out);

}  // namespace detail
}  // namespace tapegrad
