// Shapes and strides (in elements): contiguity, broadcasting, dim wrapping. Pure functions,
// shared by every kernel and op.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <tapegrad/core/check.h>

namespace tapegrad {

using Shape = std::vector<int64_t>;

inline int64_t numel_of(const Shape& s) {
  int64_t n = 1;
  for (auto d : s) n *= d;
  return n;
}

inline Shape contiguous_strides(const Shape& sizes) {
  Shape st(sizes.size());
  int64_t acc = 1;
  for (size_t i = sizes.size(); i-- > 0;) {
    st[i] = acc;
    acc *= sizes[i] > 1 ? sizes[i] : 1;
  }
  return st;
}

inline bool is_contiguous_layout(const Shape& sizes, const Shape& strides) {
  for (int64_t s : sizes)
    if (s == 0) return true;  // empty: contiguous whatever the strides, as torch says
  int64_t expected = 1;
  for (size_t i = sizes.size(); i-- > 0;) {
    if (sizes[i] == 1) continue;
    if (strides[i] != expected) return false;
    expected *= sizes[i];
  }
  return true;
}

// "[2, 3]" as torch writes shapes in messages.
inline std::string shape_str(const Shape& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

// Wraps a possibly negative dim into [0, ndim); torch's IndexError wording.
inline int64_t wrap_dim(int64_t dim, int64_t ndim) {
  int64_t n = ndim <= 0 ? 1 : ndim;  // a 0-d tensor accepts dim 0 and -1
  if (dim < -n || dim >= n)
    TG_ERROR_KIND(Index, "Dimension out of range (expected to be in range of [", -n, ", ", n - 1,
                  "], but got ", dim, ")");
  return dim < 0 ? dim + n : dim;
}

inline Shape broadcast_shapes(const Shape& a, const Shape& b) {
  size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (size_t i = n; i-- > 0;) {  // from the last dim, so the error names the one torch names
    int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    if (da != db && da != 1 && db != 1)
      TG_ERROR("The size of tensor a (", da, ") must match the size of tensor b (", db,
               ") at non-singleton dimension ", i);
    out[i] = da == 1 ? db : da;
  }
  return out;
}

// Strides of a tensor with `sizes`/`strides` seen through broadcasting to `target`.
inline Shape broadcast_strides(const Shape& sizes, const Shape& strides, const Shape& target) {
  Shape out(target.size(), 0);
  size_t off = target.size() - sizes.size();
  for (size_t i = 0; i < sizes.size(); ++i) out[off + i] = sizes[i] == 1 ? 0 : strides[i];
  return out;
}

}  // namespace tapegrad
