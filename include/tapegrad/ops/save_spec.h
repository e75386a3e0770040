// The "saves" column of ops.def: what an elementwise node keeps for its backward.
#pragma once

namespace tapegrad {
namespace save {
// kBoth: self and other, always (atan2, xlogy, fmod: each gradient reads both)
enum Spec { kNone, kSelf, kResult, kInputs, kAll, kBoth };
}
}  // namespace tapegrad
