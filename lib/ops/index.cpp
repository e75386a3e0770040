// Advanced indexing (index / index_put with int64 or bool index tensors, numpy placement rules),
// gather/scatter_add, nonzero, and the select/slice backward ops. Everything reduces to flat
// element offsets that the take/put_add kernels use.
#include "common.h"
#include "index_plan.h"
#include <tapegrad/ops/index_ops.h>

namespace tapegrad {

using namespace detail;

namespace {

// Expands bool masks into one int64 index per masked dim; checks each index's dtype.
std::vector<Tensor> expand_masks(const Tensor& a, const std::vector<Tensor>& indices) {
  std::vector<Tensor> out;
  for (auto& idx : indices) {
    if (!idx.defined()) {
      out.push_back(idx);
      continue;
    }
    if (idx.dtype() == DType::Bool || idx.dtype() == DType::UInt8) {
      const int64_t start = static_cast<int64_t>(out.size());
      for (int64_t k = 0; k < idx.dim(); ++k) {
        TG_CHECK_KIND(Index, start + k < a.dim() && idx.sizes()[k] == a.sizes()[start + k],
                      "The shape of the mask ", shape_str(idx.sizes()), " at index ", k,
                      " does not match the shape of the indexed tensor ", shape_str(a.sizes()),
                      " at index ", start + k);
      }
      Tensor nz = nonzero(idx);
      for (int64_t k = 0; k < idx.dim(); ++k) out.push_back(select(nz, 1, k));
      if (idx.dim() == 0) out.push_back(Tensor());  // a 0-d mask adds no dim here
      continue;
    }
    TG_CHECK_KIND(Index, is_integral(idx.dtype(), false),
                  "tensors used as indices must be long, int, byte or bool tensors");
    out.push_back(idx.dtype() == DType::Int64 ? idx : to(idx, DType::Int64));
  }
  TG_CHECK_KIND(Index, static_cast<int64_t>(out.size()) <= a.dim(),
                "too many indices for tensor of dimension ", a.dim(), " (got ", out.size(), ")");
  return out;
}

}  // namespace

IndexLayout detail::index_layout(const Shape& sizes, const std::vector<Tensor>& idx) {
  const int64_t nd = static_cast<int64_t>(sizes.size());
  IndexLayout L;
  std::vector<int64_t> rest;
  for (int64_t d = 0; d < nd; ++d) {
    if (d < static_cast<int64_t>(idx.size()) && idx[d].defined()) {
      L.adv.push_back(d);
      L.ishape = broadcast_shapes(L.ishape, idx[d].sizes());
    } else {
      rest.push_back(d);
    }
  }
  bool adjacent = true;
  for (size_t k = 1; k < L.adv.size(); ++k) adjacent = adjacent && L.adv[k] == L.adv[k - 1] + 1;
  // Output layout: rest dims before the advanced block (when adjacent), the block, the rest.
  for (auto d : rest)
    ((adjacent && !L.adv.empty() && d < L.adv[0]) ? L.before : L.after).push_back(d);
  for (auto d : L.before) L.out_shape.push_back(sizes[d]);
  L.out_shape.insert(L.out_shape.end(), L.ishape.begin(), L.ishape.end());
  for (auto d : L.after) L.out_shape.push_back(sizes[d]);
  return L;
}

namespace {

IndexPlan plan(const Shape& sizes, const Shape& strides, const std::vector<Tensor>& idx,
               Device dev) {
  IndexPlan p;
  if (index_plans_on_device(dev) && plan_on_device(sizes, strides, idx, dev, &p)) return p;
  const IndexLayout L = index_layout(sizes, idx);
  if (numel_of(L.out_shape) == 0) {  // torch reads no index then, so checks none either
    p.out_shape = L.out_shape;
    p.offsets = empty(p.out_shape, DType::Int64);
    return p;
  }
  const Shape& ishape = L.ishape;
  // Offsets contributed by the advanced indices, over the broadcast index shape.
  const int64_t ni = numel_of(ishape);
  std::vector<int64_t> adv_off(ni, 0);
  for (size_t k = 0; k < L.adv.size(); ++k) {
    const int64_t d = L.adv[k];
    // (the result is not empty here, so some index reads this dim; torch's wording for an
    // empty dim names neither)
    TG_CHECK_KIND(Index, sizes[d] != 0, "index is out of bounds for dimension with size 0");
    Tensor e = on_host(contiguous(expand(idx[d], ishape)));
    const int64_t* iv = e.data<int64_t>();
    for (int64_t j = 0; j < ni; ++j) {
      int64_t v = iv[j];
      // torch numbers the dimension among the indexed ones (x[:, t] names t's as 0)
      TG_CHECK_KIND(Index, v >= -sizes[d] && v < sizes[d], "index ", v,
                    " is out of bounds for dimension ", k, " with size ", sizes[d]);
      adv_off[j] += (v < 0 ? v + sizes[d] : v) * strides[d];
    }
  }
  p.out_shape = L.out_shape;
  const std::vector<int64_t>& before = L.before;
  const std::vector<int64_t>& after = L.after;
  p.offsets = empty(p.out_shape, DType::Int64);
  int64_t* o = p.offsets.data<int64_t>();
  const int64_t total = numel_of(p.out_shape);
  std::vector<int64_t> order = before;  // non-advanced dims in output order
  order.insert(order.end(), after.begin(), after.end());
  const size_t nb = before.size();
  for (int64_t lin = 0; lin < total; ++lin) {
    // Decompose lin over out_shape = [before..., ishape..., after...].
    int64_t rem = lin, off = 0;
    for (size_t k = order.size(); k-- > nb;) {
      int64_t d = order[k];
      off += (rem % sizes[d]) * strides[d];
      rem /= sizes[d];
    }
    int64_t j = ni ? rem % ni : 0;
    rem = ni ? rem / ni : 0;
    for (size_t k = nb; k-- > 0;) {
      int64_t d = order[k];
      off += (rem % sizes[d]) * strides[d];
      rem /= sizes[d];
    }
    o[lin] = off + adv_off[j];
  }
  return p;
}

}  // namespace

Tensor nonzero(const Tensor& a) {
  Tensor flags = empty(a.sizes(), DType::Bool, a.device());
  kern::compare(CmpId::Ne, flags, a, scalar_tensor(0, a.dtype()));
  std::vector<int64_t> coords;
  const Tensor host_flags = on_host(flags);
  const bool* f = host_flags.data<bool>();
  const int64_t n = a.numel(), nd = a.dim();
  int64_t count = 0;
  for (int64_t lin = 0; lin < n; ++lin) {
    if (!f[lin]) continue;
    ++count;
    int64_t rem = lin;
    std::vector<int64_t> c(nd);
    for (int64_t d = nd - 1; d >= 0; --d) {
      c[d] = rem % a.sizes()[d];
      rem /= a.sizes()[d];
    }
    coords.insert(coords.end(), c.begin(), c.end());
  }
  Tensor out = empty({count, nd}, DType::Int64);
  std::copy(coords.begin(), coords.end(), out.data<int64_t>());
  return a.device().is_cpu() ? out : to(out, a.device(), DType::Int64);
}

namespace {
// a[idx] with one int64 index on the first dim of a contiguous CPU tensor (x[rows], and
// embedding's lookup): whole rows copied, as index_select does, instead of an index plan of one
// offset per element (7x slower at 342 rows of 1024). Undefined when it does not apply or an
// index is out of range (the plan then raises torch's error).
Tensor index_rows(const Tensor& a, const std::vector<Tensor>& idx) {
  if (idx.size() != 1 || !idx[0].defined() || idx[0].dtype() != DType::Int64 || a.dim() < 1 ||
      !a.device().is_cpu() || !idx[0].device().is_cpu() || !a.is_contiguous() ||
      index_plans_on_device(a.device()))  // (the test switch: every index goes through a plan)
    return Tensor();
  const int64_t size = a.sizes()[0];
  Tensor flat = contiguous(reshape(idx[0], {-1}));
  const int64_t* p = flat.data<int64_t>();
  bool negative = false;
  for (int64_t k = 0, n = flat.numel(); k < n; ++k) {
    if (p[k] < -size || p[k] >= size) return Tensor();
    negative = negative || p[k] < 0;
  }
  if (negative) {
    flat = clone(flat);
    int64_t* q = flat.data<int64_t>();
    for (int64_t k = 0, n = flat.numel(); k < n; ++k) q[k] += q[k] < 0 ? size : 0;
  }
  Shape os = idx[0].sizes();
  os.insert(os.end(), a.sizes().begin() + 1, a.sizes().end());
  Tensor out = empty(os, a.dtype(), a.device());
  if (out.numel())
    kern::index_select_rows(out, a, flat, 1, size, size ? a.numel() / size : 0);
  return out;
}
}  // namespace

Tensor index(const Tensor& a, const std::vector<Tensor>& indices) {
  std::vector<Tensor> idx = expand_masks(a, indices);
  Tensor out = index_rows(a, idx);
  if (!out.defined()) {
    IndexPlan p = plan(a.sizes(), a.strides(), idx, a.device());
    out = empty(p.out_shape, a.dtype(), a.device());
    kern::take(out, a, p.offsets);
  }
  if (auto node = maybe_node(OpId::Index, {a})) {
    for (auto& t : idx) node->saved.emplace_back(t, false);
    // then the indices as given (masks unexpanded): torch's _saved_indices, not used by the formula
    for (auto& t : indices) node->saved.emplace_back(t, false);
    node->i = {static_cast<int64_t>(idx.size())};
    node->shape = a.sizes();
    set_history(out, node);
  }
  return out;
}

namespace {
Tensor index_put_op(OpId op, const Tensor& a, const std::vector<Tensor>& indices,
                    const Tensor& values, bool accumulate) {
  std::vector<Tensor> idx = expand_masks(a, indices);
  Tensor out = empty(a.sizes(), a.dtype(), a.device());
  kern::copy(out, a);
  IndexPlan p = plan(out.sizes(), out.strides(), idx, out.device());
  {
    const Shape& vs = values.sizes();
    bool fits = vs.size() <= p.out_shape.size();
    for (size_t k = 0; fits && k < vs.size(); ++k) {
      int64_t o = p.out_shape[p.out_shape.size() - vs.size() + k];
      fits = vs[k] == o || vs[k] == 1;
    }
    TG_CHECK(fits, "shape mismatch: value tensor of shape ", shape_str(vs),
             " cannot be broadcast to indexing result of shape ", shape_str(p.out_shape));
  }
  Tensor v = empty(p.out_shape, a.dtype(), a.device());
  kern::copy(v, expand(detach(values), p.out_shape));
  kern::put_add(out, p.offsets, v, accumulate);
  if (auto node = maybe_node(op, {a, values})) {
    for (auto& t : idx) node->saved.emplace_back(t, false);
    // then the indices as given (masks unexpanded): torch's _saved_indices, not used by the formula
    for (auto& t : indices) node->saved.emplace_back(t, false);
    node->i = {accumulate, static_cast<int64_t>(idx.size())};
    set_history(out, node);
  }
  return out;
}
}  // namespace

Tensor index_put(const Tensor& a, const std::vector<Tensor>& indices, const Tensor& values,
                 bool accumulate) {
  return index_put_op(OpId::IndexPut, a, indices, values, accumulate);
}

Tensor index_put_impl(const Tensor& a, const std::vector<Tensor>& indices, const Tensor& values,
                      bool accumulate) {
  return index_put_op(OpId::IndexPutImpl, a, indices, values, accumulate);
}

Tensor& index_put_(Tensor& a, const std::vector<Tensor>& indices, const Tensor& values,
                   bool accumulate) {
  check_inplace(a);
  check_no_overlap(a, values, /*full=*/true);  // torch's assert_no_overlap
  TG_CHECK(values.dtype() == a.dtype(), "Index put requires the source and destination dtypes "
           "match, got ", dtype_legacy_name(a.dtype()), " for the destination and ",
           dtype_legacy_name(values.dtype()), " for the source.");
  Tensor r;
  if (wants_grad(a, values)) {
    Tensor old = steal_history(a);
    write_back(a, index_put(old, indices, values, accumulate));
    return a;
  }
  kern::copy(a, index_put(detach(a), indices, detach(values), accumulate));
  a.bump_version();
  return a;
}

namespace {

// Calls f(lin, offset) for every position lin of a contiguous int64 index p of shape isz, the
// offset being lin's coordinates with dim `dim` replaced by the index value, times `strides`.
// Rows of the last dim at a time, the other coordinates advancing as an odometer: no division
// per element (div/mod per dim per element made gather 6x torch's time).
template <class F>
void walk_dim_index(const int64_t* p, int64_t n, const Shape& isz, int64_t dim,
                    const Shape& sizes, const Shape& strides, F&& f) {
  const int64_t nd = static_cast<int64_t>(isz.size());
  bool fits = true;  // the caller's shape check should have caught this; never read past self
  for (int64_t d = 0; d < nd; ++d) fits = fits && (d == dim || isz[d] <= sizes[d]);
  auto bad_index = [&](int64_t v) {
    // negative indices are out of range here, as torch's gather/scatter say
    TG_ERROR("index ", v, " is out of bounds for dimension ", dim, " with size ", sizes[dim]);
  };
  if (fits) {
    const int64_t last = nd - 1, row = isz[last], sd = strides[dim], sl = strides[last];
    const uint64_t limit = static_cast<uint64_t>(sizes[dim]);
    std::vector<int64_t> c(nd, 0);
    int64_t base = 0;  // sum of c[d] * strides[d] over the outer dims other than dim
    for (int64_t r = 0; r < n / row; ++r) {
      const int64_t* pr = p + r * row;
      for (int64_t k = 0; k < row; ++k)
        if (static_cast<uint64_t>(pr[k]) >= limit) bad_index(pr[k]);
      if (dim == last) {
        for (int64_t k = 0; k < row; ++k) f(r * row + k, base + pr[k] * sd);
      } else {
        for (int64_t k = 0; k < row; ++k) f(r * row + k, base + k * sl + pr[k] * sd);
      }
      for (int64_t d = last - 1; d >= 0; --d) {
        const int64_t step = d == dim ? 0 : strides[d];
        if (++c[d] < isz[d]) {
          base += step;
          break;
        }
        base -= (isz[d] - 1) * step;
        c[d] = 0;
      }
    }
    return;
  }
  for (int64_t lin = 0; lin < n; ++lin) {
    int64_t rem = lin, acc = 0;
    for (int64_t d = nd - 1; d >= 0; --d) {
      int64_t c = rem % isz[d];
      rem /= isz[d];
      if (d == dim) {
        int64_t v = p[lin];
        if (v < 0 || v >= sizes[d]) bad_index(v);
        c = v;
      } else {
        TG_CHECK(c < sizes[d], "index ", c, " is out of bounds for dimension ", d, " with size ",
                 sizes[d]);
      }
      acc += c * strides[d];
    }
    f(lin, acc);
  }
}

// The walk's operands: a 0-d self or index counts as one element of a 1-d one (torch's
// ensure_nonempty_dim), so a 0-d self takes a 1-element index and a 0-d index still has its
// value checked. idx: host int64, contiguous.
struct DimWalk {
  Tensor idx;
  Shape sizes, strides, isz;
};
DimWalk dim_walk(const Tensor& idx_in, int64_t dim, const Shape& sizes_in,
                 const Shape& strides_in, bool host_index = true) {
  TG_CHECK(idx_in.dtype() == DType::Int64 || idx_in.dtype() == DType::Int32,
           "gather(): Expected dtype int32/int64 for index");
  DimWalk w;
  w.sizes = sizes_in.empty() ? Shape{1} : sizes_in;
  w.strides = strides_in.empty() ? Shape{1} : strides_in;
  w.isz = idx_in.dim() == 0 ? Shape{1} : idx_in.sizes();
  TG_CHECK(static_cast<int64_t>(w.isz.size()) == static_cast<int64_t>(w.sizes.size()),
           "Index tensor must have the same number of dimensions as input tensor");
  TG_CHECK(dim >= 0 && dim < static_cast<int64_t>(w.sizes.size()), "Dimension out of range");
  if (!host_index) return w;
  w.idx = on_host(contiguous(idx_in.dtype() == DType::Int64 ? idx_in
                                                           : to(detach(idx_in), DType::Int64)));
  return w;
}

// out = a gathered along d by idx on the CPU, each element read where the walk finds it (an
// offsets tensor written and read back made gather twice torch's time). False for element
// sizes without a plain unsigned type (complex128), which take the offsets path.
bool gather_host(const Tensor& out, const Tensor& a, const Tensor& idx, int64_t d) {
  const size_t w = itemsize(a.dtype());
  if (w != 1 && w != 2 && w != 4 && w != 8) return false;
  DimWalk wk = dim_walk(idx, d, a.sizes(), a.strides());
  const int64_t* p = wk.idx.data<int64_t>();
  auto run = [&](auto tag) {
    using U = decltype(tag);
    const U* src = static_cast<const U*>(a.raw_data());
    U* dst = static_cast<U*>(out.raw_data());
    walk_dim_index(p, idx.numel(), wk.isz, d, wk.sizes, wk.strides,
                   [&](int64_t lin, int64_t off) { dst[lin] = src[off]; });
  };
  switch (w) {
    case 1: run(uint8_t{}); break;
    case 2: run(uint16_t{}); break;
    case 4: run(uint32_t{}); break;
    default: run(uint64_t{}); break;
  }
  return true;
}

}  // namespace

// Offsets for gather/scatter: idx's positions, with dim `dim` replaced by the index value.
Tensor detail::dim_offsets(const Tensor& idx_in, int64_t dim, const Shape& sizes_in,
                           const Shape& strides_in) {
  if (idx_in.numel() == 0) return empty(idx_in.sizes(), DType::Int64);
  DimWalk wk = dim_walk(idx_in, dim, sizes_in, strides_in, false);
  Tensor on_dev;
  if (index_plans_on_device(idx_in.device()) &&
      dim_offsets_on_device(idx_in, dim, wk.sizes, wk.strides, &on_dev))
    return on_dev;
  wk = dim_walk(idx_in, dim, sizes_in, strides_in);
  Tensor off = empty(idx_in.sizes(), DType::Int64);
  int64_t* o = off.data<int64_t>();
  walk_dim_index(wk.idx.data<int64_t>(), idx_in.numel(), wk.isz, dim, wk.sizes, wk.strides,
                 [o](int64_t lin, int64_t v) { o[lin] = v; });
  return off;
}

Tensor gather(const Tensor& a, int64_t dim, const Tensor& idx) {
  int64_t d = wrap_dim(dim, a.dim());
  TG_CHECK(std::max<int64_t>(idx.dim(), 1) == std::max<int64_t>(a.dim(), 1) || idx.numel() == 0,
           "Index tensor must have the same number of dimensions as input tensor");
  TG_CHECK(idx.numel() == 0 || idx.dtype() == DType::Int64 || idx.dtype() == DType::Int32,
           "gather(): Expected dtype int32/int64 for index");
  for (int64_t k = 0; k < idx.dim() && idx.dim() == a.dim(); ++k)
    TG_CHECK(k == d || idx.sizes()[k] <= a.sizes()[k], "Size does not match at dimension ", k,
             " expected index ", shape_str(idx.sizes()), " to be no larger than self ",
             shape_str(a.sizes()), " apart from dimension ", d);
  Tensor out = empty(idx.sizes(), a.dtype(), a.device());
  if (!(idx.numel() > 0 && a.device().is_cpu() && idx.device().is_cpu() &&
        gather_host(out, a, idx, d)))
    kern::take(out, a, dim_offsets(idx, d, a.sizes(), a.strides()));
  if (auto node = maybe_node(OpId::Gather, {a})) {
    node->saved.emplace_back(idx, false);
    node->saved.emplace_back(a, false);  // not needed by the formula; torch shows _saved_self
    node->shape = a.sizes();
    node->i = {d, dim};  // then dim as given (Note [Saved attributes])
    set_history(out, node);
  }
  return out;
}

Tensor scatter_add(const Tensor& a, int64_t dim, const Tensor& idx, const Tensor& src) {
  int64_t d = wrap_dim(dim, a.dim());
  TG_CHECK(idx.numel() == 0 || idx.dtype() == DType::Int64 || idx.dtype() == DType::Int32,
           "scatter(): Expected dtype int32/int64 for index");
  TG_CHECK(a.dtype() == src.dtype(), "scatter(): Expected self.dtype to be equal to src.dtype");
  if (idx.numel() != 0) {
    // torch's scatter shape rules; src is read through index's shape, so they guard the read
    auto nd = [](const Tensor& t) { return std::max<int64_t>(t.dim(), 1); };
    TG_CHECK(nd(idx) == nd(a), "Index tensor must have the same number of dimensions as self tensor");
    TG_CHECK(nd(idx) == nd(src), "Index tensor must have the same number of dimensions as src tensor");
    bool ok = true;
    for (int64_t k = 0; k < idx.dim() && idx.dim() == a.dim() && idx.dim() == src.dim(); ++k)
      if ((k != d && idx.sizes()[k] > a.sizes()[k]) || idx.sizes()[k] > src.sizes()[k]) ok = false;
    TG_CHECK(ok, "Expected index ", shape_str(idx.sizes()), " to be no larger than self ",
             shape_str(a.sizes()), " apart from dimension ", d,
             " and to be no larger size than src ", shape_str(src.sizes()));
  }
  Tensor out = clone(detach(a));
  // src may be larger than index in any dim: only its leading block (index's shape) is read.
  Tensor s;
  if (idx.numel() == 0) {
    s = empty(idx.sizes(), src.dtype(), src.device());
  } else if (idx.dim() != src.dim()) {  // a 0-d one against a 1-element 1-d one
    s = contiguous(reshape(slice(reshape(detach(src), {-1}), 0, 0, idx.numel(), 1), idx.sizes()));
  } else {
    s = contiguous(make_view(detach(src), idx.sizes(), src.strides(), src.offset()));
  }
  if (out.dtype() == DType::Float16 || out.dtype() == DType::BFloat16) {
    // torch's half scatter_add sums in float and rounds once (index_add / index_put round at
    // every addition: kern::put_add); the float32 copy is contiguous, so are the offsets
    NoGradGuard g;
    Tensor acc = to(out, DType::Float32);
    kern::put_add(acc, dim_offsets(idx, d, acc.sizes(), acc.strides()), to(s, DType::Float32),
                  true);
    kern::copy(out, acc);
  } else {
    kern::put_add(out, dim_offsets(idx, d, out.sizes(), out.strides()), s, true);
  }
  if (auto node = maybe_node(OpId::ScatterAdd, {a, src})) {
    node->saved.emplace_back(idx, false);
    node->shape = src.sizes();
    node->i = {d};
    set_history(out, node);
  }
  return out;
}

Tensor select_backward(const Tensor& grad, const Shape& sizes, int64_t dim, int64_t index) {
  Tensor out = zeros(sizes, grad.dtype(), grad.device());
  {
    NoGradGuard g;
    kern::copy(select(out, dim, index), grad);
  }
  if (auto node = maybe_node(OpId::SelectBackward, {grad})) {
    node->i = {dim, index};
    set_history(out, node);
  }
  return out;
}

Tensor slice_backward(const Tensor& grad, const Shape& sizes, int64_t dim, int64_t start,
                      int64_t end, int64_t step) {
  Tensor out = zeros(sizes, grad.dtype(), grad.device());
  {
    NoGradGuard g;
    kern::copy(slice(out, dim, start, end, step), grad);
  }
  if (auto node = maybe_node(OpId::SliceBackward, {grad})) {
    node->i = {dim, start, end, step};
    set_history(out, node);
  }
  return out;
}

}  // namespace tapegrad
