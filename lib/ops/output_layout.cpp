// torch's output layout for elementwise results (ops/output_layout.h).
//
// Note [Output layout]: torch (TensorIteratorBase::reorder_dimensions) orders the dims fastest
// first by an insertion sort whose comparison asks each input in turn: a dim broadcast in that
// input (stride 0) leaves the question to the next input; a smaller stride goes first; equal
// strides put the smaller size first, else ask the next input. Dims nobody orders keep their
// place. The result is dense in that order; when the order is the plain one, it is contiguous.
// Before that order, torch's fast setup: when every input has the result's shape, a
// channels-last, contiguous, or one dense layout of them all is the result's. With every input
// laid out as a fresh contiguous tensor (the common case) none of this runs.
#include <tapegrad/ops/output_layout.h>
#include <tapegrad/ops/memory_format.h>

#include <vector>

namespace tapegrad {

namespace {

// > 0: dim1 should be iterated before (be faster than) dim0; < 0: keep; 0: no opinion.
int should_swap(const std::vector<Shape>& st, const Shape& shape, int64_t d0, int64_t d1) {
  for (const Shape& s : st) {
    const int64_t s0 = s[d0], s1 = s[d1];
    if (s0 == 0 || s1 == 0) continue;
    if (s0 < s1) return -1;
    if (s0 > s1) return 1;
    if (shape[d0] > shape[d1]) return 1;
  }
  return 0;
}

}  // namespace

namespace {
// Strides exactly those of a fresh contiguous tensor of t's shape (size-1 dims included: a
// (5, 1) view with strides (1, 5) is contiguous, but torch's order rule reads its 5).
bool plain_contiguous(const Tensor& t) {
  const Shape &sz = t.sizes(), &st = t.strides();
  int64_t expected = 1;
  for (size_t i = sz.size(); i-- > 0;) {
    if (st[i] != expected) return false;
    expected *= sz[i] > 1 ? sz[i] : 1;
  }
  return true;
}

}  // namespace

Tensor empty_with_strides(Shape sizes, Shape strides, DType dt, Device device) {
  Tensor out = empty(std::move(sizes), dt, device);
  out.impl()->strides = std::move(strides);
  return out;
}

Tensor empty_like_operands(Shape&& shape, DType dt, Device device,
                           std::initializer_list<const Tensor*> inputs) {
  const int64_t nd = static_cast<int64_t>(shape.size());
  bool plain = true;
  for (const Tensor* t : inputs) plain = plain && plain_contiguous(*t);
  if (nd < 2 || plain) return empty(std::move(shape), dt, device);
  // torch's fast setup: inputs all of the result's shape and all channels-last (checked first,
  // so an ambiguous N x C x 1 x 1 result is channels-last), all contiguous, or all dense with
  // one set of strides, which the result then takes as they are
  bool same_shape = true, channels_last = nd == 4 || nd == 5, contiguous = true, same = true;
  for (const Tensor* t : inputs) {
    same_shape = same_shape && t->sizes() == shape;
    if (!same_shape) break;
    if (channels_last)
      channels_last = is_contiguous(*t, nd == 4 ? MemoryFormat::ChannelsLast
                                                 : MemoryFormat::ChannelsLast3d);
    contiguous = contiguous && t->is_contiguous();
    same = same && t->strides() == (*inputs.begin())->strides() &&
           is_non_overlapping_and_dense(*t);
  }
  if (same_shape && inputs.size() > 0) {
    if (channels_last) {
      Shape st = format_strides(shape, nd == 4 ? MemoryFormat::ChannelsLast
                                               : MemoryFormat::ChannelsLast3d);
      return empty_with_strides(std::move(shape), std::move(st), dt, device);
    }
    if (contiguous) return empty(std::move(shape), dt, device);
    if (same) {
      Shape st = (*inputs.begin())->strides();
      return empty_with_strides(std::move(shape), std::move(st), dt, device);
    }
  }
  std::vector<Shape> st;
  st.reserve(inputs.size());
  for (const Tensor* t : inputs) {
    // 0 only where t is broadcast (size 1 against a larger size): a size-1 dim the result has
    // too keeps its stride, which torch's comparison reads
    const Shape &sz = t->sizes(), &ts = t->strides();
    Shape b(nd, 0);
    const int64_t off = nd - static_cast<int64_t>(sz.size());
    for (int64_t i = 0; i < static_cast<int64_t>(sz.size()); ++i)
      b[off + i] = sz[i] == 1 && shape[off + i] != 1 ? 0 : ts[i];
    st.push_back(std::move(b));
  }
  // perm[0] is the fastest dim; it starts as nd-1, ..., 0 (the contiguous order)
  std::vector<int64_t> perm(nd);
  for (int64_t i = 0; i < nd; ++i) perm[i] = nd - 1 - i;
  for (int64_t i = 1; i < nd; ++i) {
    int64_t d1 = i;
    for (int64_t d0 = i - 1; d0 >= 0; --d0) {
      const int c = should_swap(st, shape, perm[d0], perm[d1]);
      if (c > 0) {
        std::swap(perm[d0], perm[d1]);
        d1 = d0;
      } else if (c < 0) {
        break;
      }
    }
  }
  bool natural = true;
  for (int64_t i = 0; i < nd; ++i) natural = natural && perm[i] == nd - 1 - i;
  if (natural) return empty(std::move(shape), dt, device);
  Shape strides(nd);
  int64_t next = 1;
  for (int64_t i = 0; i < nd; ++i) {
    strides[perm[i]] = next;
    next *= shape[perm[i]];
  }
  return empty_with_strides(std::move(shape), std::move(strides), dt, device);
}

}  // namespace tapegrad
