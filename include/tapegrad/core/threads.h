// The CPU thread count the kernels use (torch.set_num_threads / get_num_threads). The kernels
// read it through cpu::max_threads() (tapegrad/kernels/loops.h).
#pragma once

namespace tapegrad {
namespace cpu {

// n > 0: every later parallel kernel uses at most n threads, whichever thread calls it (OpenMP's
// own setting is per calling thread, and backward may run on another thread than forward).
void set_max_threads(int n);

// Whether the kernels were compiled with OpenMP (torch.backends.openmp.is_available()).
bool openmp_built();

}  // namespace cpu
}  // namespace tapegrad
