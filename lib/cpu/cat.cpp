// cat along a dim past the first, for contiguous CPU inputs into the contiguous result: the
// result is written row by row (a row: one index of the dims before `d`), each input's slice of
// the row in turn, so the result is written once, front to back. One input at a time through
// strided copies wrote every row in as many passes as there are inputs: cat([x, x], 1) of
// 1024 x 1024 floats took 200 us in that order and 157 in this one (1.4x torch's time before).
#include <cstring>
#include <vector>

#include <tapegrad/kernels/kernels.h>
#include <tapegrad/kernels/loops.h>

namespace tapegrad {
namespace kern {

bool try_cat_rows(const Tensor& out, const TensorList& ts, int64_t d) {
  if (d == 0 || !out.device().is_cpu() || !out.is_contiguous() || out.numel() == 0) return false;
  const size_t w = itemsize(out.dtype());
  int64_t outer = 1;
  for (int64_t i = 0; i < d; ++i) outer *= out.sizes()[i];
  struct Part { const char* src; size_t bytes; };
  std::vector<Part> parts;
  size_t row = 0;
  for (const Tensor& t : ts) {
    if (t.dim() == 1 && t.numel() == 0) continue;  // the legacy skipped empties
    if (t.dtype() != out.dtype() || !t.device().is_cpu() || !t.is_contiguous()) return false;
    const size_t bytes = static_cast<size_t>(t.numel() / outer) * w;
    // short rows: a call per row costs more than the element loop of the strided copy
    if (bytes != 0 && bytes < 128) return false;
    if (bytes) parts.push_back({static_cast<const char*>(t.raw_data()), bytes});
    row += bytes;
  }
  char* dst = static_cast<char*>(out.raw_data());
  const bool wide = out.numel() >= cpu::kGrain && cpu::max_threads() > 1;
#pragma omp parallel for schedule(static) if (wide)
  for (int64_t r = 0; r < outer; ++r) {
    char* o = dst + r * row;
    for (const Part& p : parts) {
      std::memcpy(o, p.src + r * p.bytes, p.bytes);
      o += p.bytes;
    }
  }
  return true;
}

}  // namespace kern
}  // namespace tapegrad
