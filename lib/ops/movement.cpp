// Shape and view ops: view/reshape, transpose/permute, (un)squeeze, expand, select/slice,
// cat/stack. Views share storage with their base; only cat/stack/reshape-of-non-viewable copy.
#include <algorithm>
#include <limits>
#include <numeric>

#include <tapegrad/autograd/views.h>

#include "common.h"

namespace tapegrad {

using namespace detail;

namespace {

Shape infer_size(const Shape& shape, int64_t numel) {
  Shape out = shape;
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      TG_CHECK(infer < 0, "only one dimension can be inferred");
      infer = static_cast<int64_t>(i);
    } else {
      TG_CHECK(shape[i] >= 0, "invalid shape dimension ", shape[i]);
      known *= shape[i];
    }
  }
  if (infer >= 0 && known == 0)
    TG_CHECK(numel == 0, "shape '", shape_str(shape), "' is invalid for input of size ", numel);
  if (infer >= 0)
    TG_CHECK(known != 0, "cannot reshape tensor of 0 elements into shape ", shape_str(shape),
             " because the unspecified dimension size -1 can be any value and is ambiguous");
  bool ok = infer >= 0 ? numel % known == 0 : known == numel;
  TG_CHECK(ok, "shape '", shape_str(shape), "' is invalid for input of size ", numel);
  if (infer >= 0) out[infer] = numel / known;
  return out;
}

// Strides for viewing (sizes, strides) as `shape` without a copy, if possible.
bool view_strides(const Shape& sizes, const Shape& strides, const Shape& shape, Shape& out) {
  out.assign(shape.size(), 0);
  if (numel_of(sizes) == 0 || sizes.empty()) {
    out = contiguous_strides(shape);
    return true;
  }
  int64_t view_d = static_cast<int64_t>(shape.size()) - 1;
  int64_t chunk = strides.back(), tensor_numel = 1, view_numel = 1;
  for (int64_t d = static_cast<int64_t>(sizes.size()) - 1; d >= 0; --d) {
    tensor_numel *= sizes[d];
    if (d == 0 || (sizes[d - 1] != 1 && strides[d - 1] != tensor_numel * chunk)) {
      while (view_d >= 0 && (view_numel < tensor_numel || shape[view_d] == 1)) {
        out[view_d] = view_numel * chunk;
        view_numel *= shape[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return false;
      if (d > 0) {
        chunk = strides[d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  return view_d == -1;
}

// Records a view op: the node remembers the input sizes (most view backwards need them).
Tensor record_view(OpId op, const Tensor& a, Tensor out, std::vector<int64_t> args = {}) {
  if (auto node = maybe_node(op, {a})) {
    node->shape = a.sizes();
    node->i = std::move(args);
    set_history(out, node);
  }
  return out;
}

}  // namespace

Tensor alias(const Tensor& a) {
  return record_view(OpId::Alias, a, make_view(a, a.sizes(), a.strides(), a.offset()));
}

Tensor diagonal(const Tensor& a, int64_t offset, int64_t dim1, int64_t dim2) {
  const int64_t d1 = wrap_dim(dim1, a.dim()), d2 = wrap_dim(dim2, a.dim());
  TG_CHECK(d1 != d2, "diagonal dimensions cannot be identical ", dim1, ", ", dim2);
  ViewGeometry g = diagonal_geometry(ViewGeometry::of(a), offset, d1, d2);
  return record_view(OpId::Diagonal, a, make_view(a, g.sizes, g.strides, g.offset),
                     {offset, d1, d2, dim1, dim2});  // then the dims as given (torch shows those)
}

Tensor unfold(const Tensor& a, int64_t dim, int64_t size, int64_t step) {
  const int64_t d = wrap_dim(dim, std::max<int64_t>(a.dim(), 1));
  const int64_t n = a.dim() ? a.sizes()[d] : 1;
  TG_CHECK(size <= n, "maximum size for tensor at dimension ", d, " is ", n, " but size is ", size);
  TG_CHECK(size >= 0, "size is ", size, " but must be >= 0");
  TG_CHECK(step > 0, "step is ", step, " but must be > 0");
  ViewGeometry g = unfold_geometry(ViewGeometry::of(a), d, size, step);
  return record_view(OpId::Unfold, a, make_view(a, g.sizes, g.strides, g.offset),
                     {d, size, step, dim});  // then the dim as given (torch shows that)
}

Tensor view_dtype(const Tensor& a, DType dtype) {
  const int64_t from = static_cast<int64_t>(itemsize(a.dtype())),
                to = static_cast<int64_t>(itemsize(dtype));
  Tensor out = alias_detached(a);
  TensorImpl& o = *out.impl();
  o.dtype = dtype;
  if (from == to) return out;
  const std::string what = std::string(" to view ") + dtype_legacy_name(a.dtype()) + " as " +
                           dtype_legacy_name(dtype) + " (different element sizes)";
  TG_CHECK(a.dim() > 0, "self.dim() cannot be 0", what);
  const int64_t last = a.dim() - 1;
  TG_CHECK(a.strides()[last] == 1, "self.stride(-1) must be 1", what, ", but got ",
           a.strides()[last]);
  if (to > from) {  // several elements become one
    const int64_t k = to / from;
    TG_CHECK(a.sizes()[last] % k == 0, "self.size(-1) must be divisible by ", k, what,
             ", but got ", a.sizes()[last]);
    TG_CHECK(a.offset() % k == 0, "self.storage_offset() must be divisible by ", k, what,
             ", but got ", a.offset());
    for (int64_t d = 0; d < last; ++d) {
      TG_CHECK(a.strides()[d] % k == 0, "self.stride(", d, ") must be divisible by ", k, what,
               ", but got ", a.strides()[d]);
      o.strides[d] /= k;
    }
    o.sizes[last] /= k;
    o.offset /= k;
  } else {  // one element becomes several
    const int64_t k = from / to;
    for (int64_t d = 0; d < last; ++d) o.strides[d] *= k;
    o.sizes[last] *= k;
    o.offset *= k;
  }
  return out;
}

Tensor as_strided(const Tensor& a, const Shape& sizes, const Shape& strides,
                  std::optional<int64_t> offset) {
  TG_CHECK(sizes.size() == strides.size(), "mismatch in length of strides and shape");
  for (size_t d = 0; d < sizes.size(); ++d) {
    TG_CHECK(sizes[d] >= 0, "Trying to create tensor with negative dimension ", sizes[d], ": ",
             shape_str(sizes));
    TG_CHECK(strides[d] >= 0, "as_strided: Negative strides are not supported at the moment, "
             "got strides: ", shape_str(strides));
  }
  const int64_t off = offset.value_or(a.offset());
  TG_CHECK(off >= 0, "Tensor: invalid storage offset ", off);
  const bool empty_view = checked_numel(sizes) == 0;
  int64_t hi = off, span = 0;
  for (size_t d = 0; d < sizes.size() && !empty_view; ++d)
    TG_CHECK(!__builtin_mul_overflow(sizes[d] - 1, strides[d], &span) &&
                 !__builtin_add_overflow(hi, span, &hi) && hi < INT64_MAX / 16,
             "Storage size calculation overflowed with sizes=", shape_str(sizes),
             " and strides=", shape_str(strides));
  TG_CHECK(empty_view || (hi + 1) * static_cast<int64_t>(itemsize(a.dtype())) <=
                             static_cast<int64_t>(a.impl()->storage->nbytes),
           "setStorage: sizes ", shape_str(sizes), ", strides ", shape_str(strides),
           ", storage offset ", off, ", and itemsize ", itemsize(a.dtype()),
           " requiring a storage size of ", (hi + 1) * itemsize(a.dtype()),
           " are out of bounds for storage of size ", a.impl()->storage->nbytes);
  Tensor out = make_view(a, sizes, strides, off);
  if (auto node = maybe_node(OpId::AsStrided, {a})) {
    node->shape = a.sizes();
    pack_geometry(node->i, ViewGeometry::of(a));
    pack_geometry(node->i, ViewGeometry::of(out));
    node->i.push_back(offset.has_value());  // torch's _saved_storage_offset is None when not given
    set_history(out, node);
  }
  return out;
}

Tensor view(const Tensor& a, const Shape& shape) {
  Shape s = infer_size(shape, a.numel());
  Shape st;
  TG_CHECK(view_strides(a.sizes(), a.strides(), s, st),
           "view size is not compatible with input tensor's size and stride (at least one "
           "dimension spans across two contiguous subspaces). Use .reshape(...) instead.");
  return record_view(OpId::View, a, make_view(a, s, st, a.offset()));
}

Tensor unsafe_view(const Tensor& a, const Shape& shape) {
  Shape s = infer_size(shape, a.numel());
  Shape st;
  // (kron's product of a non-contiguous input: torch's view error, as its kron gives)
  TG_CHECK(view_strides(a.sizes(), a.strides(), s, st), "view size is not compatible with input "
           "tensor's size and stride (at least one dimension spans across two contiguous "
           "subspaces). Use .reshape(...) instead.");
  // Like torch's _unsafe_view: the result is not a view (it owns the temporary it came from).
  Tensor out = alias_detached(a);
  out.impl()->sizes = s;
  out.impl()->strides = st;
  out.impl()->is_view = false;
  out.impl()->base = nullptr;
  return record_view(OpId::UnsafeView, a, out);
}

Tensor reshape(const Tensor& a, const Shape& shape) {
  Shape s = infer_size(shape, a.numel());
  Shape st;
  if (view_strides(a.sizes(), a.strides(), s, st)) return view(a, s);
  return unsafe_view(clone(a), s);
}

Tensor flatten(const Tensor& a, int64_t start, int64_t end) {
  if (a.dim() == 0) {  // torch checks the dims as a 0-d tensor's ([-1, 0]) first
    wrap_dim(start, 0);
    wrap_dim(end, 0);
    return reshape(a, {1});
  }
  start = wrap_dim(start, a.dim());
  end = wrap_dim(end, a.dim());
  TG_CHECK(start <= end, "flatten() has invalid args: start_dim cannot come after end_dim");
  if (start == end) return a;
  Shape s(a.sizes().begin(), a.sizes().begin() + start);
  int64_t m = 1;
  for (int64_t d = start; d <= end; ++d) m *= a.sizes()[d];
  s.push_back(m);
  s.insert(s.end(), a.sizes().begin() + end + 1, a.sizes().end());
  return reshape(a, s);
}

Tensor transpose(const Tensor& a, int64_t d0, int64_t d1) {
  const int64_t raw0 = d0, raw1 = d1;  // as given (Note [Saved attributes])
  d0 = wrap_dim(d0, a.dim());
  d1 = wrap_dim(d1, a.dim());
  Shape s = a.sizes(), st = a.strides();
  if (a.dim() > 0) {
    std::swap(s[d0], s[d1]);
    std::swap(st[d0], st[d1]);
  }
  return record_view(OpId::Transpose, a, make_view(a, s, st, a.offset()), {d0, d1, raw0, raw1});
}

Tensor t(const Tensor& a) {
  TG_CHECK(a.dim() <= 2, "t() expects a tensor with <= 2 dimensions, but self is ", a.dim(), "D");
  Shape s = a.sizes(), st = a.strides();
  std::reverse(s.begin(), s.end());
  std::reverse(st.begin(), st.end());
  return record_view(OpId::T, a, make_view(a, s, st, a.offset()));
}

Tensor permute(const Tensor& a, const std::vector<int64_t>& dims) {
  TG_CHECK(static_cast<int64_t>(dims.size()) == a.dim(),
           "permute(sparse_coo): number of dimensions in the tensor input does not match the "
           "length of the desired ordering of dimensions i.e. input.dim() = ", a.dim(),
           " is not equal to len(dims) = ", dims.size());
  Shape s, st;
  std::vector<int64_t> w;
  std::vector<bool> seen(a.dim(), false);
  for (auto d : dims) {
    int64_t x = wrap_dim(d, a.dim());
    TG_CHECK(!seen[x], "permute(): duplicate dims are not allowed.");
    seen[x] = true;
    w.push_back(x);
    s.push_back(a.sizes()[x]);
    st.push_back(a.strides()[x]);
  }
  Tensor out = record_view(OpId::Permute, a, make_view(a, s, st, a.offset()), w);
  if (out.grad_fn() && out.grad_fn()->op == OpId::Permute)
    out.grad_fn()->f.assign(dims.begin(), dims.end());  // as given (Note [Saved attributes])
  return out;
}

Tensor unsqueeze(const Tensor& a, int64_t dim) {
  int64_t d = wrap_dim(dim, a.dim() + 1);
  Shape s = a.sizes(), st = a.strides();
  int64_t stride = d < a.dim() ? s[d] * st[d] : 1;
  s.insert(s.begin() + d, 1);
  st.insert(st.begin() + d, stride);
  return record_view(OpId::Unsqueeze, a, make_view(a, s, st, a.offset()), {d, dim});
}

namespace {
Tensor squeeze_dims(OpId op, const Tensor& a, const std::vector<int64_t>& dims, bool all) {
  std::vector<bool> drop(a.dim(), false);
  if (all) {
    for (int64_t d = 0; d < a.dim(); ++d) drop[d] = a.sizes()[d] == 1;
  } else {
    for (auto d : dims) {
      int64_t w = wrap_dim(d, a.dim());
      if (a.dim() > 0 && a.sizes()[w] == 1) drop[w] = true;
    }
  }
  Shape s, st;
  for (int64_t d = 0; d < a.dim(); ++d) {
    if (drop[d]) continue;
    s.push_back(a.sizes()[d]);
    st.push_back(a.strides()[d]);
  }
  return record_view(op, a, make_view(a, s, st, a.offset()), dims);  // dims: torch's _saved_dim
}
}  // namespace

Tensor squeeze(const Tensor& a) { return squeeze_dims(OpId::Squeeze, a, {}, true); }
Tensor squeeze(const Tensor& a, int64_t dim) {
  return squeeze_dims(OpId::SqueezeDim, a, {dim}, false);
}
Tensor squeeze(const Tensor& a, const std::vector<int64_t>& dims) {
  return squeeze_dims(OpId::SqueezeDims, a, dims, false);
}

// torch refuses an in-place view op on a leaf that requires grad, or a view of one, even when
// it changes nothing (x.squeeze_(0) of a 3-vector).
void check_leaf_view_inplace(const Tensor& a) { check_inplace_autograd(a); }

Tensor& squeeze_(Tensor& a, int64_t dim) {
  check_leaf_view_inplace(a);  // torch's autograd check comes before the dim's
  int64_t d = wrap_dim(dim, a.dim());
  if (a.dim() == 0 || a.sizes()[d] != 1) return a;
  std::shared_ptr<Node> node;
  if (any_requires_grad({a})) {
    node = make_node(OpId::SqueezeInplace, {a});
    node->shape = a.sizes();
    node->i = {dim};
  }
  a.impl()->sizes.erase(a.impl()->sizes.begin() + d);
  a.impl()->strides.erase(a.impl()->strides.begin() + d);
  if (node) set_history(a, node);
  return a;
}

// squeeze_(dims) / squeeze_(): the size-1 dims among dims (all dims when none given), highest
// first so the others keep their positions.
Tensor& squeeze_(Tensor& a, std::optional<std::vector<int64_t>> dims) {
  check_leaf_view_inplace(a);
  std::vector<int64_t> ds;
  if (dims) {
    for (int64_t d : *dims) ds.push_back(wrap_dim(d, a.dim()));
  } else {
    for (int64_t d = 0; d < a.dim(); ++d) ds.push_back(d);
  }
  std::sort(ds.rbegin(), ds.rend());
  TG_CHECK(std::adjacent_find(ds.begin(), ds.end()) == ds.end(), "dim ",
           ds.empty() ? 0 : ds[0], " appears multiple times in the list of dims");
  for (int64_t d : ds) squeeze_(a, d);
  return a;
}

Tensor expand(const Tensor& a, const Shape& shape) {
  TG_CHECK(shape.size() >= a.sizes().size(), "expand(", "torch.FloatTensor{",
           shape_str(a.sizes()), "}, size=", shape_str(shape),
           "): the number of sizes provided (", shape.size(),
           ") must be greater or equal to the number of dimensions in the tensor (", a.dim(), ")");
  const size_t lead = shape.size() - a.sizes().size();
  Shape s(shape.size()), st(shape.size());
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i < lead) {
      TG_CHECK(shape[i] >= 0, "The expanded size of the tensor (", shape[i],
               ") isn't allowed in a leading, non-existing dimension ", i);
      s[i] = shape[i];
      st[i] = 0;
      continue;
    }
    int64_t cur = a.sizes()[i - lead], want = shape[i] == -1 ? cur : shape[i];
    TG_CHECK(cur == want || cur == 1, "The expanded size of the tensor (", want,
             ") must match the existing size (", cur, ") at non-singleton dimension ", i,
             ".  Target sizes: ", shape_str(shape), ".  Tensor sizes: ", shape_str(a.sizes()));
    s[i] = want;
    st[i] = cur == want ? a.strides()[i - lead] : 0;
  }
  return record_view(OpId::Expand, a, make_view(a, s, st, a.offset()));
}

Tensor select(const Tensor& a, int64_t dim, int64_t index) {
  TG_CHECK_KIND(Index, a.dim() > 0, "select() cannot be applied to a 0-dim tensor.");
  int64_t d = wrap_dim(dim, a.dim());
  int64_t n = a.sizes()[d];
  TG_CHECK_KIND(Index, index >= -n && index < n, "select(): index ", index,
                " out of range for tensor of size ", shape_str(a.sizes()), " at dimension ", d);
  const int64_t raw_index = index;  // as given (Note [Saved attributes])
  if (index < 0) index += n;
  Shape s = a.sizes(), st = a.strides();
  int64_t off = a.offset() + index * st[d];
  s.erase(s.begin() + d);
  st.erase(st.begin() + d);
  return record_view(OpId::Select, a, make_view(a, s, st, off), {d, index, dim, raw_index});
}

Tensor slice(const Tensor& a, int64_t dim, std::optional<int64_t> start, std::optional<int64_t> end,
             int64_t step) {
  TG_CHECK_KIND(Index, a.dim() > 0, "slice() cannot be applied to a 0-dim tensor.");
  TG_CHECK_KIND(Value, step > 0, "step must be greater than zero");
  int64_t d = wrap_dim(dim, a.dim());
  int64_t n = a.sizes()[d];
  int64_t b = start.value_or(0), e = end.value_or(n);
  if (b < 0) b += n;
  if (e < 0) e += n;
  b = std::min(std::max<int64_t>(b, 0), n);
  e = std::min(std::max<int64_t>(e, b), n);
  Shape s = a.sizes(), st = a.strides();
  s[d] = (e - b + step - 1) / step;
  st[d] *= step;
  // then the arguments as given, an open end as torch's INT64_MAX (Note [Saved attributes])
  return record_view(OpId::Slice, a, make_view(a, s, st, a.offset() + b * a.strides()[d]),
                     {d, b, e, step, dim, start.value_or(0),
                      end.value_or(std::numeric_limits<int64_t>::max())});
}

Tensor cat(const TensorList& ts, int64_t dim) {
  TG_CHECK_KIND(Value, !ts.empty(), "torch.cat(): expected a non-empty list of Tensors");
  // Legacy rule: 1-D empty tensors are skipped whatever the other shapes are.
  const Tensor* ref = nullptr;
  ResultTypeState state;
  for (auto& t : ts) {
    state.dim = promote_types(state.dim, t.dtype());
    if (!(t.dim() == 1 && t.numel() == 0) && !ref) ref = &t;
  }
  DType dt = state.dim;
  if (!ref) {  // only 1-D empty tensors: an empty result, still on the tape (as torch)
    Tensor out = empty({0}, dt, ts[0].device());
    if (auto node = maybe_node(OpId::Cat, ts)) {
      node->i.assign(ts.size(), 0);  // each input's (empty) slice of the gradient
      node->i.push_back(0);          // the dim
      node->f = {static_cast<double>(dim)};
      set_history(out, node);
    }
    return out;
  }
  TG_CHECK(ref->dim() > 0, "zero-dimensional tensor (at position ", ref - &ts[0],
           ") cannot be concatenated");
  int64_t d = wrap_dim(dim, ref->dim());
  Shape out_shape = ref->sizes();
  out_shape[d] = 0;
  for (size_t k = 0; k < ts.size(); ++k) {
    const Tensor& t = ts[k];
    if (t.dim() == 1 && t.numel() == 0) continue;
    TG_CHECK(t.dim() == ref->dim(), "Tensors must have same number of dimensions: got ",
             ref->dim(), " and ", t.dim());
    for (int64_t i = 0; i < t.dim(); ++i)
      TG_CHECK(i == d || t.sizes()[i] == ref->sizes()[i],
               "Sizes of tensors must match except in dimension ", d, ". Expected size ",
               ref->sizes()[i], " but got size ", t.sizes()[i], " for tensor number ", k,
               " in the list.");
    out_shape[d] += t.sizes()[d];
  }
  Tensor out = empty(out_shape, dt, ref->device());
  const bool done = kern::try_cat_rows(out, ts, d);
  int64_t off = 0;
  std::vector<int64_t> sizes_along;
  for (auto& t : ts) {
    if (t.dim() == 1 && t.numel() == 0) {
      sizes_along.push_back(-1);
      continue;
    }
    Shape s = out_shape;
    s[d] = t.sizes()[d];
    if (!done) kern::copy(make_view(out, s, out.strides(), off * out.strides()[d]), t);
    off += t.sizes()[d];
    sizes_along.push_back(t.sizes()[d]);
  }
  if (auto node = maybe_node(OpId::Cat, ts)) {
    node->i = sizes_along;
    node->i.push_back(d);  // last entry: the dim
    node->f = {static_cast<double>(dim)};  // as given (Note [Saved attributes])
    set_history(out, node);
  }
  return out;
}

Tensor stack(const TensorList& ts, int64_t dim) {
  TG_CHECK(!ts.empty(), "stack expects a non-empty TensorList");
  for (size_t k = 1; k < ts.size(); ++k)
    TG_CHECK(ts[k].sizes() == ts[0].sizes(), "stack expects each tensor to be equal size, but got ",
             shape_str(ts[0].sizes()), " at entry 0 and ", shape_str(ts[k].sizes()), " at entry ",
             k);
  int64_t d = wrap_dim(dim, ts[0].dim() + 1);
  Tensor out;
  {
    NoGradGuard g;
    TensorList us;
    for (auto& t : ts) us.push_back(unsqueeze(t, d));
    out = cat(us, d);
  }
  if (auto node = maybe_node(OpId::Stack, ts)) {
    node->i = {d, dim};  // then dim as given (Note [Saved attributes])
    set_history(out, node);
  }
  return out;
}

}  // namespace tapegrad
