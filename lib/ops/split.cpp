// split / split_with_sizes / chunk / unbind: several views of one tensor recorded by one node
// with one output per piece (Note [Multi-output views]); tensor_split: plain slices, as torch's.
#include <tapegrad/autograd/views.h>

#include "common.h"

namespace tapegrad {

using namespace detail;

namespace {

// Note [Multi-output views]: the pieces share one node (SplitBackward0, UnbindBackward0, ...)
// with an output per piece, so one backward call gets all their gradients. Such views carry
// view_multi_output: torch refuses to write them in place while autograd records
// (check_multi_output_view in lib/autograd/views.cpp).
TensorList record_pieces(OpId op, const Tensor& a, TensorList pieces, std::vector<int64_t> args) {
  for (auto& p : pieces) p.impl()->view_multi_output = GradMode::is_enabled();
  if (pieces.empty()) return pieces;
  if (auto node = maybe_node(op, {a})) {
    node->num_outputs = static_cast<uint32_t>(pieces.size());
    node->shape = a.sizes();
    node->i = std::move(args);
    for (size_t k = 0; k < pieces.size(); ++k)
      set_history(pieces[k], node, static_cast<uint32_t>(k));
  }
  return pieces;
}

// Views of consecutive pieces of the given sizes along d.
TensorList pieces_of(const Tensor& a, int64_t d, const std::vector<int64_t>& sizes) {
  TensorList out;
  int64_t start = 0;
  for (int64_t n : sizes) {
    Shape s = a.sizes();
    s[d] = n;
    out.push_back(make_view(a, s, a.strides(), a.offset() + start * a.strides()[d]));
    start += n;
  }
  return out;
}

TensorList split_impl(OpId op, const Tensor& a, const std::vector<int64_t>& sizes, int64_t d,
                      int64_t dim, int64_t split_size) {
  std::vector<int64_t> args{d, dim, split_size};
  args.insert(args.end(), sizes.begin(), sizes.end());
  return record_pieces(op, a, pieces_of(a, d, sizes), std::move(args));
}

}  // namespace

TensorList split(const Tensor& a, int64_t split_size, int64_t dim) {
  TG_CHECK(a.dim() > 0, "split expects at least a 1-dimensional tensor");
  const int64_t d = wrap_dim(dim, a.dim()), n = a.sizes()[d];
  TG_CHECK(split_size >= 0, "split expects split_size be non-negative, but got split_size=",
           split_size);
  TG_CHECK(split_size > 0 || n == 0,
           "split_size can only be 0 if dimension size is 0, but got dimension size of ", n);
  // one piece for an empty dim; otherwise full pieces and a smaller last one
  const int64_t count =
      split_size == 0 ? 1 : std::max<int64_t>((n + split_size - 1) / split_size, 1);
  std::vector<int64_t> sizes(count, split_size);
  sizes.back() = n - split_size * (count - 1);
  return split_impl(OpId::Split, a, sizes, d, dim, split_size);
}

TensorList split_with_sizes(const Tensor& a, const std::vector<int64_t>& sizes, int64_t dim) {
  TG_CHECK(a.dim() > 0, "split expects at least a 1-dimensional tensor");
  const int64_t d = wrap_dim(dim, a.dim()), n = a.sizes()[d];
  int64_t total = 0;
  for (int64_t s : sizes) {
    TG_CHECK(s >= 0, "split_with_sizes expects split_sizes have only non-negative entries, but "
             "got split_sizes=", shape_str(sizes));
    total += s;
  }
  TG_CHECK(total == n, "split_with_sizes expects split_sizes to sum exactly to ", n,
           " (input tensor's size at dimension ", d, "), but got split_sizes=", shape_str(sizes));
  return split_impl(OpId::SplitWithSizes, a, sizes, d, dim, -1);
}

TensorList chunk(const Tensor& a, int64_t chunks, int64_t dim) {
  TG_CHECK(a.dim() > 0, "chunk expects at least a 1-dimensional tensor");
  TG_CHECK(chunks > 0, "chunk expects `chunks` to be greater than 0, got: ", chunks);
  const int64_t d = wrap_dim(dim, a.dim()), n = a.sizes()[d];
  const int64_t size = (n + chunks - 1) / chunks;
  // An empty dim still gives `chunks` (empty) pieces, through split_with_sizes as in torch.
  if (size == 0 && n == 0) return split_with_sizes(a, std::vector<int64_t>(chunks, 0), dim);
  return split(a, size, dim);
}

TensorList unbind(const Tensor& a, int64_t dim) {
  TG_CHECK_KIND(Index, a.dim() > 0, "Dimension specified as ", dim,
                " but tensor has no dimensions");
  const int64_t d = wrap_dim(dim, a.dim());
  Shape s = a.sizes(), st = a.strides();
  s.erase(s.begin() + d);
  st.erase(st.begin() + d);
  TensorList pieces;
  for (int64_t k = 0; k < a.sizes()[d]; ++k)
    pieces.push_back(make_view(a, s, st, a.offset() + k * a.strides()[d]));
  return record_pieces(OpId::Unbind, a, std::move(pieces), {d, dim});
}

TensorList tensor_split(const Tensor& a, int64_t sections, int64_t dim) {
  TG_CHECK(a.dim() > 0, "tensor_split expected at least a 1-dimensional tensor, but got a "
           "tensor with 0 dims");
  TG_CHECK(sections > 0, "number of sections must be larger than 0, got ", sections);
  const int64_t d = wrap_dim(dim, a.dim()), n = a.sizes()[d];
  // the first n % sections pieces take one extra element
  const int64_t base = n / sections, extra = n % sections;
  TensorList out;
  try {  // as torch's: an impossible count fails here at once, not after filling the memory
    out.reserve(static_cast<size_t>(sections));
  } catch (const std::exception&) {
    TG_ERROR("std::bad_alloc");
  }
  int64_t start = 0;
  for (int64_t k = 0; k < sections; ++k) {
    const int64_t end = start + base + (k < extra ? 1 : 0);
    out.push_back(slice(a, d, start, end));
    start = end;
  }
  return out;
}

TensorList tensor_split(const Tensor& a, const std::vector<int64_t>& indices, int64_t dim) {
  TG_CHECK(a.dim() > 0, "tensor_split expected at least a 1-dimensional tensor, but got a "
           "tensor with 0 dims");
  const int64_t d = wrap_dim(dim, a.dim());
  TensorList out;
  int64_t start = 0;
  for (int64_t idx : indices) {
    out.push_back(slice(a, d, start, idx));
    start = idx;
  }
  out.push_back(slice(a, d, start, a.sizes()[d]));
  return out;
}

}  // namespace tapegrad
