// Autograd of views under in-place writes (Note [Views and in-place]): CopySlices, the node a
// base takes when one of its views is written in place; the lazy regeneration of a view's
// grad_fn as AsStridedBackward0; and torch's checks before an in-place write.
#pragma once
#include <tapegrad/autograd/node.h>

namespace tapegrad {

// Sizes, strides and offset (in elements) of a tensor over its storage.
struct ViewGeometry {
  Shape sizes, strides;
  int64_t offset = 0;
  static ViewGeometry of(const Tensor& t) { return {t.sizes(), t.strides(), t.offset()}; }
};
void pack_geometry(std::vector<int64_t>& out, const ViewGeometry& g);
ViewGeometry unpack_geometry(const std::vector<int64_t>& in, size_t& pos);

// For each element of `view` (row-major), its position in `base`'s row-major order: an int64
// tensor of the view's shape. Both must lie over the same storage, the view inside the base.
Tensor view_positions(const ViewGeometry& base, const ViewGeometry& view);

// The diagonal (offset, over dims d1 != d2, already wrapped) of a tensor of geometry `in`.
ViewGeometry diagonal_geometry(const ViewGeometry& in, int64_t offset, int64_t d1, int64_t d2);
ViewGeometry unfold_geometry(const ViewGeometry& in, int64_t dim, int64_t size, int64_t step);

// The gradient of the base from the gradient `g` of its view (AsStridedBackward0), written with
// differentiable ops; elements the view repeats (stride 0) accumulate.
Tensor as_strided_backward(const Tensor& g, const ViewGeometry& base, const ViewGeometry& view);

// The base's history after an in-place op `fn` on one of its views: the base's gradient, with
// the view's region replaced by fn's gradient for its input 0 (the view before the write);
// fn's other inputs get fn's gradients. Next edges: the base's old history, then fn's inputs
// 1.. (what torch's next_functions shows).
struct CopySlices : Node {
  ViewGeometry base_geom, view_geom;
  std::shared_ptr<Node> fn;
  CopySlices();
  std::string name() const override { return "torch::autograd::CopySlices"; }  // torch's
  TensorList apply(TensorList&& grads) override;
  void release() override;
};

// Makes `node` (recorded by an in-place op on `self`, with self's old value as its input 0)
// self's history. For a differentiable view, the base takes a CopySlices around `node` and the
// view's grad_fn becomes AsStridedBackward0 onto it.
void rebase_history(const Tensor& self, const std::shared_ptr<Node>& node,
                    uint32_t output_nr = 0);

// torch's autograd checks before writing `self` in place with grad mode on: a leaf (or a view
// of a leaf) that requires grad, and a view made under no_grad.
void check_inplace_autograd(const Tensor& self);
// Note [Multi-output views]: an in-place write that autograd records (some operand requires
// grad, grad mode on) into an output of split/chunk/unbind, or a view of one, is an error.
void check_multi_output_view(const Tensor& self);

namespace detail {
// TensorImpl::grad_fn() of a differentiable view: regenerated when the storage was written
// since it was recorded.
const std::shared_ptr<Node>& view_grad_fn(const TensorImpl& view);
}  // namespace detail

}  // namespace tapegrad
