// The "saves" column of ops.def: what an elementwise node keeps for its backward.
#pragma once

namespace tapegrad {
namespace save {
// Binary rows: kInputs keeps each input for the other's gradient (mul), kAll both inputs and the
// result (pow); kBoth keeps both inputs whenever a gradient is needed (atan2, xlogy: each gradient reads
// both); kOwnAll keeps each input for its own gradient, plus the result (hypot); kBothForOther
// keeps both inputs when other's gradient is needed, self's reading neither (fmod, remainder);
// kOtherAlways keeps other for either gradient and self for other's (div: a/b reads b for a's
// gradient and both for b's).
enum Spec { kNone, kSelf, kResult, kInputs, kAll, kBoth, kOwnAll, kBothForOther, kOtherAlways };
}
}  // namespace tapegrad
