// The umbrella header: everything a C++ application needs (tensors, ops, autograd, no_grad,
// nn helpers and optimizers).
#pragma once
#include <tapegrad/autograd/engine.h>
#include <tapegrad/autograd/grad_mode.h>
#include <tapegrad/autograd/node.h>
#include <tapegrad/core/tensor.h>
#include <tapegrad/ops/compare_ops.h>
#include <tapegrad/ops/index_ops.h>
#include <tapegrad/ops/ops.h>
#include <tapegrad/optim/adam.h>
#include <tapegrad/optim/sgd.h>
