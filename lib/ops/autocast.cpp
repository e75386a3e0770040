// Autocast's per-thread state and the lower-precision cast (Note [Autocast] in ops/autocast.h).
#include <tapegrad/ops/autocast.h>
#include <tapegrad/ops/ops.h>

namespace tapegrad {
namespace autocast {

State& state() {
  thread_local State s;
  return s;
}

bool lower(std::initializer_list<Tensor*> ts) {
  const State& s = state();
  bool changed = false;
  for (Tensor* t : ts) {
    if (!t || !t->defined()) continue;
    const DType dt = t->dtype();
    if (!is_floating(dt) || dt == DType::Float64) continue;
    const bool on = t->device().is_cpu() ? s.cpu : s.cuda;
    const DType want = t->device().is_cpu() ? s.cpu_dtype : s.cuda_dtype;
    if (!on || dt == want) continue;
    *t = to(*t, want);
    changed = true;
  }
  return changed;
}

}  // namespace autocast
}  // namespace tapegrad
