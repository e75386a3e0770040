// index_select, one_hot, and tril/triu (with their in-place forms): selection along one dim
// reuses advanced indexing; the triangular masks are built once per [rows, cols] and applied
// with where.
#include "common.h"

namespace tapegrad {

using namespace detail;

Tensor index_select(const Tensor& a, int64_t dim, const Tensor& idx) {
  TG_CHECK(idx.dtype() == DType::Int64 || idx.dtype() == DType::Int32,
           "index_select(): Expected dtype int32 or int64 for index");
  TG_CHECK_KIND(Index, idx.dim() <= 1, "index_select(): Index is supposed to be a vector");
  const int64_t d = wrap_dim(dim, a.dim());
  const int64_t size = a.dim() ? a.sizes()[d] : 1;
  Tensor flat = to(reshape(detach(idx), {-1}), DType::Int64);
  // a 0-d self takes one index (checked before its value)
  TG_CHECK(a.dim() != 0 || flat.numel() == 1,
           "index_select(): Index to scalar can have only 1 value, got ", flat.numel(),
           " value(s)");
  // torch's CPU kernels: the dim-1 one names the element (RuntimeError), the others raise
  // IndexError, for a negative index as for one past the end
  const bool dim1 = a.dim() > 1 && d == 1;
  auto bad = [&](int64_t v) {
    if (dim1) TG_ERROR("INDICES element is out of DATA bounds, id=", v, " axis_dim=", size);
    TG_ERROR_KIND(Index, "index out of range in self");
  };
  const bool host = flat.device().is_cpu();
  if (host) {
    flat = contiguous(flat);
    const int64_t* p = flat.data<int64_t>();
    for (int64_t k = 0, n = flat.numel(); k < n; ++k)
      if (p[k] < 0 || p[k] >= size) bad(p[k]);
  } else {
    for (double v : to_double_vector(flat))
      if (!(v >= 0 && v < size)) bad(static_cast<int64_t>(v));
  }
  Tensor out;
  {
    NoGradGuard g;
    if (host && a.device().is_cpu() && a.dim() > 0) {
      // whole rows of a contiguous copy (none when a already is): no index plan, no offsets
      Tensor src = contiguous(detach(a));
      Shape os = a.sizes();
      os[d] = flat.numel();
      out = empty(os, a.dtype());
      int64_t outer = 1, inner = 1;
      for (int64_t k = 0; k < d; ++k) outer *= os[k];
      for (int64_t k = d + 1; k < a.dim(); ++k) inner *= os[k];
      if (out.numel()) kern::index_select_rows(out, src, flat, outer, size, inner);
    } else if (a.dim() == 0) {
      // a 0-d self gives a 0-d result (its one value, named once by the index)
      TG_CHECK(flat.numel() == 1, "index_select(): Index to scalar can have only 1 value, got ",
               flat.numel(), " value(s)");
      out = reshape(index(reshape(detach(a), {1}), {flat}), Shape{});
    } else {
      std::vector<Tensor> ix(d + 1);
      ix[d] = flat;
      out = index(detach(a), ix);
    }
  }
  out = detach(out);
  if (auto node = maybe_node(OpId::IndexSelect, {a})) {
    node->saved.emplace_back(flat, false);
    node->saved.emplace_back(idx, false);  // as given: torch's _saved_index
    node->shape = a.sizes();
    node->i = {d, dim};  // then dim as given (Note [Saved attributes])
    set_history(out, node);
  }
  return out;
}

Tensor one_hot(const Tensor& a, int64_t num_classes) {
  TG_CHECK(a.dtype() == DType::Int64, "one_hot is only applicable to index tensor of type "
           "LongTensor.");
  std::vector<double> v = to_double_vector(a);
  if (num_classes == -1) {
    TG_CHECK(!v.empty(), "Can not infer total number of classes from empty tensor.");
    double mx = 0;
    for (double x : v) mx = std::max(mx, x);
    num_classes = static_cast<int64_t>(mx) + 1;
  }
  for (double x : v) {
    TG_CHECK(x >= 0, "Class values must be non-negative.");
    TG_CHECK(x < num_classes, "Class values must be smaller than num_classes.");
  }
  TG_CHECK(num_classes >= 0 || !v.empty(), "Class values must be smaller than num_classes.");
  Shape shape = a.sizes();
  shape.push_back(std::max<int64_t>(num_classes, 0));
  Tensor out = zeros(shape, DType::Int64);
  int64_t* o = out.data<int64_t>();
  for (size_t k = 0; k < v.size(); ++k) o[k * num_classes + static_cast<int64_t>(v[k])] = 1;
  return a.device().is_cpu() ? out : to(out, a.device(), DType::Int64);
}

namespace {

// [rows, cols] bool mask of the kept triangle: col - row <= k (lower) or >= k (upper).
Tensor triangle_mask(int64_t rows, int64_t cols, int64_t k, bool lower) {
  Tensor m = empty({rows, cols}, DType::Bool);
  bool* p = m.data<bool>();
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) p[r * cols + c] = lower ? c - r <= k : c - r >= k;
  return m;
}

Tensor triangle(OpId op, const Tensor& a, int64_t k) {
  const bool lower = op == OpId::Tril;
  TG_CHECK(a.dim() >= 2, lower ? "tril" : "triu", ": input tensor must have at least 2 dimensions");
  Tensor mask = triangle_mask(a.sizes()[a.dim() - 2], a.sizes()[a.dim() - 1], k, lower);
  if (!a.device().is_cpu()) mask = to(mask, a.device(), DType::Bool);
  Tensor out = empty(a.sizes(), a.dtype(), a.device());
  kern::where(out, mask, detach(a), zeros({}, a.dtype(), a.device()));
  if (auto node = maybe_node(op, {a})) {
    node->i = {k};
    set_history(out, node);
  }
  return out;
}

Tensor& triangle_(OpId op, Tensor& a, int64_t k) {
  check_inplace(a);
  if (wants_grad(a)) {
    Tensor old = steal_history(a);
    write_back(a, triangle(op, old, k));
    return a;
  }
  kern::copy(a, triangle(op, detach(a), k));
  a.bump_version();
  return a;
}

}  // namespace

Tensor tril(const Tensor& a, int64_t diagonal) { return triangle(OpId::Tril, a, diagonal); }
Tensor triu(const Tensor& a, int64_t diagonal) { return triangle(OpId::Triu, a, diagonal); }
Tensor& tril_(Tensor& a, int64_t diagonal) { return triangle_(OpId::Tril, a, diagonal); }
Tensor& triu_(Tensor& a, int64_t diagonal) { return triangle_(OpId::Triu, a, diagonal); }

}  // namespace tapegrad
