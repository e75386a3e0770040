// The OpId and CmpId enums and op names, generated from ops.def.
#pragma once
#include <cstdint>

namespace tapegrad {

enum class OpId : uint16_t {
#define TG_OP(Id, name, GradFn) Id,
#include <tapegrad/ops/ops.def>
  NumOps
};

enum class CmpId : uint8_t {
#define TG_OP(Id, name, GradFn)
#define TG_COMPARE(Id, name, Functor) Id,
#include <tapegrad/ops/ops.def>
  NumCmps
};

// The grad_fn name torch shows for nodes of this op ("MulBackward0").
const char* grad_fn_name(OpId op);
// The torch op name ("mul").
const char* op_name(OpId op);

}  // namespace tapegrad
