// The backward engine: iterative topological execution with dependency counts, per-input
// gradient buffers, gradients summed to each input's shape centrally (Note [Broadcast
// gradients]), saved state released unless retain_graph.
#pragma once
#include <tapegrad/autograd/node.h>

namespace tapegrad {

// backward(): accumulate=true, returns nothing. grad(): accumulate=false, returns one
// gradient per input (undefined where unused; an error unless allow_unused).
TensorList run_backward(const TensorList& outputs, const TensorList& grad_outputs, bool keep_graph,
                        bool create_graph, const TensorList& inputs, bool allow_unused,
                        bool accumulate);

// Tensor-level conveniences (the C++ API).
void backward(const Tensor& out, const Tensor& grad = Tensor(), bool retain_graph = false,
              bool create_graph = false);
TensorList grad(const TensorList& outputs, const TensorList& inputs,
                const TensorList& grad_outputs = {}, bool retain_graph = false,
                bool create_graph = false, bool allow_unused = false);

}  // namespace tapegrad
