// The "saves" column of ops.def: what an elementwise node keeps for its backward.
#pragma once

namespace tapegrad {
namespace save {
enum Spec { kNone, kSelf, kResult, kInputs, kAll };
}
}  // namespace tapegrad
