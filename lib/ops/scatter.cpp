// Scatter-style indexing: scatter (src and value forms), scatter_reduce, index_add/copy/fill,
// masked_scatter, take, and their in-place forms. The writes reuse gather/scatter's offsets
// (detail::dim_offsets) and advanced indexing's index_put; scatter_reduce's non-sum reductions
// run on the host (no device kernel yet).
#include <cmath>

#include "common.h"
#include "../cpu/via_float.h"
#include <tapegrad/kernels/dispatch.h>
#include <tapegrad/ops/index_ops.h>

namespace tapegrad {

using namespace detail;

namespace {

enum class Reduce : int64_t { Sum = 0, Prod = 1, Mean = 2, Amax = 3, Amin = 4 };

Reduce parse_reduce(const std::string& r) {
  if (r == "sum") return Reduce::Sum;
  if (r == "prod") return Reduce::Prod;
  if (r == "mean") return Reduce::Mean;
  if (r == "amax" || r == "max") return Reduce::Amax;
  if (r == "amin" || r == "min") return Reduce::Amin;
  TG_ERROR("reduce argument must be either sum, prod, mean, amax or amin, got ", r);
}

Tensor as_long_index(const Tensor& idx) {
  TG_CHECK(idx.dtype() == DType::Int64 || idx.dtype() == DType::Int32,
           "scatter(): Expected dtype int32/int64 for index");
  return idx.dtype() == DType::Int64 ? detach(idx) : to(detach(idx), DType::Int64);
}

// torch's shape rules for scatter: index no larger than self outside dim, nor than src.
// A 0-d tensor counts as a 1-d one of one element (torch's ensure_nonempty_dim / _size).
void check_scatter_shapes(const Tensor& a, int64_t d, const Tensor& idx, const Tensor* src) {
  auto nd = [](const Tensor& t) { return std::max<int64_t>(t.dim(), 1); };
  auto size = [](const Tensor& t, int64_t k) { return t.dim() == 0 ? 1 : t.sizes()[k]; };
  TG_CHECK(nd(idx) == nd(a) || idx.numel() == 0,
           "Index tensor must have the same number of dimensions as self tensor");
  if (src) {
    TG_CHECK(nd(idx) == nd(*src) || idx.numel() == 0,
             "Index tensor must have the same number of dimensions as src tensor");
  }
  bool ok = true;
  for (int64_t k = 0; k < nd(idx) && nd(idx) == nd(a); ++k) {
    if (k != d && size(idx, k) > size(a, k)) ok = false;
    if (src && nd(*src) == nd(idx) && size(idx, k) > size(*src, k)) ok = false;
  }
  if (src) {
    TG_CHECK(ok, "Expected index ", shape_str(idx.sizes()), " to be no larger than self ",
             shape_str(a.sizes()), " apart from dimension ", d,
             " and to be no larger size than src ", shape_str(src->sizes()));
  } else {
    TG_CHECK(ok, "Expected index ", shape_str(idx.sizes()), " to be no larger than self ",
             shape_str(a.sizes()), " apart from dimension ", d);
  }
}

// src's leading block of index's shape, contiguous (src may be larger than index).
Tensor src_block(const Tensor& src, const Tensor& idx) {
  if (idx.numel() == 0) return empty(idx.sizes(), src.dtype(), src.device());
  if (src.dim() != idx.dim()) {  // a 0-d one against a 1-d one: src's first idx.numel()
    return contiguous(reshape(slice(reshape(detach(src), {-1}), 0, 0, idx.numel(), 1),
                              idx.sizes()));
  }
  return contiguous(make_view(detach(src), idx.sizes(), src.strides(), src.offset()));
}

// out[p] op= src[j] for every j with p = offsets[j] (out, src contiguous, on the host).
template <class T>
void reduce_into(T* o, const T* s, const int64_t* off, int64_t n, int64_t out_n, Reduce r,
                 bool include_self) {
  std::vector<int64_t> count(out_n, include_self ? 1 : 0);
  for (int64_t j = 0; j < n; ++j) {
    const int64_t p = off[j];
    const T v = s[j];
    if (count[p]++ == 0) {  // include_self=False: the first value replaces self's
      o[p] = v;
      continue;
    }
    switch (r) {
      case Reduce::Sum:
      case Reduce::Mean: o[p] = static_cast<T>(o[p] + v); break;
      case Reduce::Prod: o[p] = static_cast<T>(o[p] * v); break;
      case Reduce::Amax: o[p] = (v != v || v > o[p]) ? v : o[p]; break;  // NaN propagates
      case Reduce::Amin: o[p] = (v != v || v < o[p]) ? v : o[p]; break;
    }
  }
  if (r != Reduce::Mean) return;
  for (int64_t p = 0; p < out_n; ++p) {
    if (count[p] <= 1) continue;
    if constexpr (std::is_floating_point<T>::value) {
      o[p] = o[p] / static_cast<T>(count[p]);
    } else {  // integers: floor division, as torch
      o[p] = static_cast<T>(std::floor(static_cast<double>(o[p]) / count[p]));
    }
  }
}

Tensor scatter_reduce_values(const Tensor& a, int64_t d, const Tensor& idx, const Tensor& src,
                             Reduce r, bool include_self) {
  // half/bfloat16 reduce in float32 and round once (Note [Half via float])
  const DType lt = kern::via_float::reduced(a.dtype()) ? DType::Float32 : a.dtype();
  Tensor out = empty(a.sizes(), lt);
  kern::copy(out, on_host(detach(a)));
  Tensor s = kern::via_float::up(on_host(src_block(src, idx)));
  Tensor off = dim_offsets(on_host(idx), d, out.sizes(), contiguous_strides(out.sizes()));
  // bool reduces as torch's: sum/amax are "or", prod/amin "and"
  dispatch_numeric_and_bool(lt, "scatter_reduce", [&](auto tag) {
    using T = decltype(tag);
    reduce_into<T>(out.data<T>(), s.data<T>(), off.data<int64_t>(), idx.numel(), out.numel(), r,
                   include_self);
  });
  if (lt != a.dtype()) out = to(out, a.dtype());
  return a.device().is_cpu() ? out : to(out, a.device(), a.dtype());
}

Tensor record_scatter(OpId op, const Tensor& a, const Tensor& src, const Tensor& idx, int64_t d,
                      int64_t dim, Tensor out) {
  if (auto node = maybe_node(op, {a, src})) {
    node->saved.emplace_back(idx, false);
    node->i = {d, dim};
    node->shape = src.defined() ? src.sizes() : Shape{};
    set_history(out, node);
  }
  return out;
}

}  // namespace

Tensor scatter(const Tensor& a, int64_t dim, const Tensor& idx, const Tensor& src,
               const std::string& reduce) {
  const int64_t d = wrap_dim(dim, a.dim());
  Tensor ix = as_long_index(idx);
  TG_CHECK(src.dtype() == a.dtype(), "scatter(): Expected self.dtype to be equal to src.dtype");
  check_scatter_shapes(a, d, ix, &src);
  if (!reduce.empty()) {
    TG_CHECK(reduce == "add" || reduce == "multiply",
             "reduce argument must be either add or multiply.");
    // torch records NotImplemented here; the same values with scatter_reduce's gradient
    return scatter_reduce(a, dim, idx, src, reduce == "add" ? "sum" : "prod", true);
  }
  Tensor out = clone(detach(a));
  kern::put_add(out, dim_offsets(ix, d, out.sizes(), out.strides()), src_block(src, ix), false);
  return record_scatter(OpId::Scatter, a, src, idx, d, dim, out);
}

Tensor scatter(const Tensor& a, int64_t dim, const Tensor& idx, Scalar value,
               const std::string& reduce) {
  const int64_t d = wrap_dim(dim, a.dim());
  Tensor ix = as_long_index(idx);
  check_scatter_shapes(a, d, ix, nullptr);
  Tensor vals = full(ix.sizes(), value, a.dtype(), a.device());
  if (!reduce.empty()) {
    TG_CHECK(reduce == "add" || reduce == "multiply",
             "reduce argument must be either add or multiply.");
    return scatter_reduce(a, dim, idx, vals, reduce == "add" ? "sum" : "prod", true);
  }
  Tensor out = clone(detach(a));
  kern::put_add(out, dim_offsets(ix, d, out.sizes(), out.strides()), vals, false);
  return record_scatter(OpId::ScatterValue, a, Tensor(), idx, d, dim, out);
}

Tensor scatter_reduce(const Tensor& a, int64_t dim, const Tensor& idx, const Tensor& src,
                      const std::string& reduce, bool include_self) {
  const int64_t d = wrap_dim(dim, a.dim());
  const Reduce r = parse_reduce(reduce);
  const bool alias = reduce == "max" || reduce == "min";  // forward only (torch's backward raises)
  Tensor ix = as_long_index(idx);
  TG_CHECK(src.dtype() == a.dtype(), "scatter(): Expected self.dtype to be equal to src.dtype");
  check_scatter_shapes(a, d, ix, &src);
  Tensor out;
  if (r == Reduce::Sum && include_self) {
    out = clone(detach(a));
    kern::put_add(out, dim_offsets(ix, d, out.sizes(), out.strides()), src_block(src, ix), true);
  } else {
    out = scatter_reduce_values(a, d, ix, src, r, include_self);
  }
  if (auto node = maybe_node(OpId::ScatterReduce, {a, src})) {
    node->saved.emplace_back(idx, false);
    node->saved.emplace_back(a, false);
    node->saved.emplace_back(src, false);
    node->saved.emplace_back(out, true);
    node->i = {d, include_self, static_cast<int64_t>(r), dim, alias};
    set_history(out, node);
  }
  return out;
}

namespace {

// The index as a 1-D int64 tensor, checked against a's size along d (torch's wording per op).
Tensor dim_index(const Tensor& a, int64_t d, const Tensor& idx, const char* fn, bool long_only) {
  if (long_only) {
    TG_CHECK_KIND(Index, idx.dtype() == DType::Int64, fn, "(): Expected dtype int64 for index.");
  } else {
    TG_CHECK(idx.dtype() == DType::Int64 || idx.dtype() == DType::Int32, fn,
             "(): Expected dtype int32/int64 for index but got: ",
             dtype_legacy_name(idx.dtype()));
  }
  TG_CHECK_KIND(Index, idx.dim() <= 1, fn, "(): Index is supposed to be a vector, but got dim: ",
                idx.dim(), " with type: ", dtype_legacy_name(idx.dtype()), " and size: ",
                shape_str(idx.sizes()));
  Tensor flat = to(reshape(detach(idx), {-1}), DType::Int64);
  // index_fill wraps negative indices (IndexError past the ends); index_add refuses them
  const int64_t size = a.dim() ? a.sizes()[d] : 1;
  for (double v : to_double_vector(flat)) {
    if (long_only) {
      TG_CHECK_KIND(Index, v >= -size && v < size, "index ", static_cast<int64_t>(v),
                    " is out of bounds for dimension ", d, " with size ", size);
    } else if (a.dim() <= 1) {  // index_add: torch's 1-d kernel names no dimension
      TG_CHECK_KIND(Index, v >= 0 && v < size, "index out of range in self");
    } else {
      TG_CHECK(v >= 0 && v < size, "index ", static_cast<int64_t>(v),
               " is out of bounds for dimension ", d, " with size ", size);
    }
  }
  return flat;
}

// a with the slices at idx along d replaced by (or, accumulate, added to) values.
Tensor put_along(const Tensor& a, int64_t d, const Tensor& flat, const Tensor& values,
                 bool accumulate) {
  NoGradGuard g;
  if (a.dim() == 0)
    return reshape(index_put(reshape(detach(a), {1}), {flat}, reshape(values, {-1}), accumulate),
                   {});
  std::vector<Tensor> ix(d + 1);
  ix[d] = flat;
  return detach(index_put(detach(a), ix, values, accumulate));
}

void check_source(const Tensor& a, int64_t d, const Tensor& flat, const Tensor& src,
                  const char* fn, bool copy) {
  // the shapes first (torch's order), so that source.size(dim) below is in range
  if (copy) {
    TG_CHECK_KIND(Index, a.dim() == 0 || src.dim() == 0 || a.dim() == src.dim(), fn,
                  "(): When source and destination are not scalars, their dimensionality must "
                  "match. Source dimensionality (", src.dim(), "), destination dimensionality (",
                  a.dim(), ")");
  } else {
    TG_CHECK(d < std::max<int64_t>(src.dim(), 1), fn, "(): Indexing dim ", d,
             " is out of bounds of the source tensor with dim ", src.dim());
    bool same = std::max<int64_t>(src.dim(), 1) == std::max<int64_t>(a.dim(), 1);
    for (int64_t k = 0; same && k < a.dim() && k < src.dim(); ++k)
      same = k == d || src.sizes()[k] == a.sizes()[k];
    TG_CHECK(same, "source tensor shape must match self tensor shape, excluding the specified "
             "dimension. Got self.shape = ", shape_str(a.sizes()), " source.shape = ",
             shape_str(src.sizes()));
  }
  const int64_t n = src.dim() > d ? src.sizes()[d] : 1;
  if (copy) {
    TG_CHECK_KIND(Index, flat.numel() == n, fn, "(): Number of indices (", flat.numel(),
                  ") should be equal to source.size(dim) (", n, ")");
  } else {
    TG_CHECK(flat.numel() == n, fn, "(): Number of indices (", flat.numel(),
             ") should be equal to source.size(dim): (", n, "), for dim: ", d);
  }
  bool same = src.dim() == a.dim() || (src.dim() == 0 && a.dim() <= 1);
  for (int64_t k = 0; same && k < a.dim() && src.dim(); ++k)
    same = k == d || src.sizes()[k] == a.sizes()[k];
  TG_CHECK(same, fn, "(): Source/destination tensor must have same slice shapes. Destination "
           "slice shape: ", shape_str(a.sizes()), " at dimension ", d,
           " and source slice shape: ", shape_str(src.sizes()), " at dimension 0.");
}

}  // namespace

Tensor index_add(const Tensor& a, int64_t dim, const Tensor& idx, const Tensor& src,
                 Scalar alpha) {
  const int64_t d = wrap_dim(dim, a.dim());
  Tensor flat = dim_index(a, d, idx, "index_add_", false);
  TG_CHECK(src.dtype() == a.dtype(), "index_add_(): self (", dtype_legacy_name(a.dtype()),
           ") and source (", dtype_legacy_name(src.dtype()), ") must have the same scalar type");
  check_source(a, d, flat, src, "index_add_", false);
  if (is_floating(a.dtype())) check_scalar_fits(alpha, a.dtype());  // torch's checked alpha
  Tensor vals = detach(src);
  if (alpha.to_double() != 1) {
    NoGradGuard g;
    vals = mul(vals, wrapped_scalar(alpha));
  }
  Tensor out = put_along(a, d, flat, a.dim() ? vals : reshape(vals, {-1}), true);
  if (auto node = maybe_node(OpId::IndexAdd, {a, src})) {
    node->saved.emplace_back(idx, false);
    node->saved.emplace_back(src, false);  // not read by the formula; torch shows _saved_source
    node->f = {alpha.to_double()};
    node->i = {d, src.dim(), dim, int_mask({alpha})};
    set_history(out, node);
  }
  return out;
}

Tensor index_copy(const Tensor& a, int64_t dim, const Tensor& idx, const Tensor& src) {
  const int64_t d = wrap_dim(dim, a.dim());
  TG_CHECK(idx.dtype() == DType::Int64, "index_copy_(): Expected a long tensor for index, but "
           "got ", dtype_legacy_name(idx.dtype()));
  TG_CHECK(src.dtype() == a.dtype(), "index_copy_(): self and source expected to have the same "
           "dtype, but got (self) ", dtype_legacy_name(a.dtype()), " and (source) ",
           dtype_legacy_name(src.dtype()));
  TG_CHECK_KIND(Index, idx.dim() <= 1, "index_copy_(): Index should have dimension 1 or 0 (got ",
                idx.dim(), ")");
  Tensor flat = to(reshape(detach(idx), {-1}), DType::Int64);
  check_source(a, d, flat, src, "index_copy_", true);
  const int64_t size = a.dim() ? a.sizes()[d] : 1;
  for (double v : to_double_vector(flat)) {
    TG_CHECK_KIND(Index, v >= 0 && v < size, "index_copy_(): index ", static_cast<int64_t>(v),
                  " is out of bounds for dimension ", d, " with size ", size);
  }
  Tensor out = put_along(a, d, flat, a.dim() ? detach(src) : reshape(detach(src), {-1}), false);
  if (auto node = maybe_node(OpId::IndexCopy, {a, src})) {
    node->saved.emplace_back(idx, false);
    node->saved.emplace_back(src, false);  // not read by the formula; torch shows _saved_source
    node->i = {d, src.dim(), dim};
    set_history(out, node);
  }
  return out;
}

Tensor index_fill(const Tensor& a, int64_t dim, const Tensor& idx, Scalar value) {
  check_scalar_fits(value, a.dtype());
  const int64_t d = wrap_dim(dim, a.dim());
  Tensor flat = dim_index(a, d, idx, "index_fill_", true);
  Tensor out = put_along(a, d, flat, scalar_tensor(value, a.dtype()), false);
  if (auto node = maybe_node(OpId::IndexFill, {a})) {
    node->saved.emplace_back(idx, false);
    node->i = {d, dim};
    set_history(out, node);
  }
  return out;
}

Tensor index_fill(const Tensor& a, int64_t dim, const Tensor& idx, const Tensor& value) {
  TG_CHECK(value.dim() == 0, "index_fill_ only supports a 0-dimensional value tensor, but got "
           "tensor with ", value.dim(), " dimension(s).");
  const int64_t d = wrap_dim(dim, a.dim());
  Tensor flat = dim_index(a, d, idx, "index_fill_", true);
  Tensor out = put_along(a, d, flat, to(detach(value), a.dtype()), false);
  if (auto node = maybe_node(OpId::IndexFillTensor, {a, value})) {
    node->saved.emplace_back(idx, false);
    node->i = {d, dim};
    set_history(out, node);
  }
  return out;
}

Tensor masked_scatter(const Tensor& a, const Tensor& mask, const Tensor& src) {
  TG_CHECK(mask.dtype() == DType::Bool, "masked_scatter_ only supports boolean masks, but got "
           "mask with dtype ", dtype_legacy_name(mask.dtype()));
  TG_CHECK(src.dtype() == a.dtype(), "masked_scatter: expected self and source to have same "
           "dtypes but got", dtype_legacy_name(a.dtype()), " and ",
           dtype_legacy_name(src.dtype()));
  // the out-of-place form broadcasts self against mask (expand's backward sums self's grad)
  const Shape bshape = broadcast_shapes(a.sizes(), mask.sizes());
  if (bshape != a.sizes()) return masked_scatter(expand(a, bshape), mask, src);
  Tensor m = contiguous(expand(detach(mask), a.sizes()));
  int64_t count = 0;
  for (double v : to_double_vector(m)) count += v != 0;
  TG_CHECK(src.numel() >= count, "Number of elements of source < number of ones in mask");
  Tensor out;
  {
    NoGradGuard g;
    Tensor vals = slice(reshape(detach(src), {-1}), 0, 0, count);
    out = a.dim() ? index_put(detach(a), {m}, vals, false)
                  : reshape(index_put(reshape(detach(a), {1}), {reshape(m, {1})}, vals, false),
                            {});
  }
  out = detach(out);
  if (auto node = maybe_node(OpId::MaskedScatter, {a, src})) {
    node->saved.emplace_back(mask, false);
    node->shape = src.sizes();
    set_history(out, node);
  }
  return out;
}

Tensor take(const Tensor& a, const Tensor& idx) {
  TG_CHECK(idx.dtype() == DType::Int64, "take(): Expected a long tensor for index, but got ",
           dtype_legacy_name(idx.dtype()));
  Tensor host = on_host(contiguous(detach(idx)));
  const int64_t n = a.numel();
  Tensor off = empty(idx.sizes(), DType::Int64);
  const int64_t* p = host.data<int64_t>();
  int64_t* o = off.data<int64_t>();
  for (int64_t j = 0; j < idx.numel(); ++j) {
    TG_CHECK_KIND(Index, p[j] >= -n && p[j] < n, "out of range: tried to access index ", p[j],
                  " on a tensor of ", n, " elements.");
    o[j] = p[j] < 0 ? p[j] + n : p[j];
  }
  TG_CHECK_KIND(Index, n > 0 || idx.numel() == 0,
                "take(): tried to take from an empty tensor");
  Tensor src = contiguous(detach(a));
  Tensor out = empty(idx.sizes(), a.dtype(), a.device());
  if (idx.numel()) kern::take(out, src, off);  // offsets from src's first element
  if (auto node = maybe_node(OpId::Take, {a})) {
    node->saved.emplace_back(idx, false);
    node->saved.emplace_back(a, false);  // torch shows _saved_self
    node->shape = a.sizes();
    set_history(out, node);
  }
  return out;
}

// ---- in-place forms ----

Tensor& detail::inplace_from(Tensor& a, const Tensor& other,
                             const std::function<Tensor(const Tensor&)>& f, const Tensor& other2) {
  check_inplace(a);
  if (wants_grad(a, other) || wants_grad(other2)) {
    Tensor old = steal_history(a);
    Tensor r = f(old);
    TG_CHECK(r.sizes() == a.sizes(), "output with shape ", shape_str(a.sizes()),
             " doesn't match the broadcast shape ", shape_str(r.sizes()));
    write_back(a, r);
    return a;
  }
  Tensor r = f(detach(a));
  TG_CHECK(r.sizes() == a.sizes(), "output with shape ", shape_str(a.sizes()),
           " doesn't match the broadcast shape ", shape_str(r.sizes()));
  kern::copy(a, r);
  a.bump_version();
  return a;
}

Tensor& scatter_(Tensor& a, int64_t dim, const Tensor& idx, const Tensor& src,
                 const std::string& reduce) {
  check_no_overlap(a, src, /*full=*/true);  // torch's assert_no_overlap
  return inplace_from(a, src, [&](const Tensor& x) { return scatter(x, dim, idx, src, reduce); });
}
Tensor& scatter_(Tensor& a, int64_t dim, const Tensor& idx, Scalar value,
                 const std::string& reduce) {
  return inplace_from(a, Tensor(),
                       [&](const Tensor& x) { return scatter(x, dim, idx, value, reduce); });
}
Tensor& scatter_add_(Tensor& a, int64_t dim, const Tensor& idx, const Tensor& src) {
  check_no_overlap(a, src, /*full=*/true);  // torch's assert_no_overlap
  return inplace_from(a, src, [&](const Tensor& x) { return scatter_add(x, dim, idx, src); });
}
Tensor& scatter_reduce_(Tensor& a, int64_t dim, const Tensor& idx, const Tensor& src,
                        const std::string& reduce, bool include_self) {
  check_no_overlap(a, src, /*full=*/true);  // torch's assert_no_overlap
  return inplace_from(a, src, [&](const Tensor& x) {
    return scatter_reduce(x, dim, idx, src, reduce, include_self);
  });
}
Tensor& index_add_(Tensor& a, int64_t dim, const Tensor& idx, const Tensor& src, Scalar alpha) {
  check_no_overlap(a, src, /*full=*/true);  // torch's assert_no_overlap
  return inplace_from(a, src, [&](const Tensor& x) { return index_add(x, dim, idx, src, alpha); });
}
Tensor& index_copy_(Tensor& a, int64_t dim, const Tensor& idx, const Tensor& src) {
  check_no_overlap(a, src, /*full=*/true);  // torch's assert_no_overlap
  return inplace_from(a, src, [&](const Tensor& x) { return index_copy(x, dim, idx, src); });
}
Tensor& index_fill_(Tensor& a, int64_t dim, const Tensor& idx, Scalar value) {
  return inplace_from(a, Tensor(), [&](const Tensor& x) { return index_fill(x, dim, idx, value); });
}
Tensor& index_fill_(Tensor& a, int64_t dim, const Tensor& idx, const Tensor& value) {
  return inplace_from(a, value, [&](const Tensor& x) { return index_fill(x, dim, idx, value); });
}
Tensor& masked_scatter_(Tensor& a, const Tensor& mask, const Tensor& src) {
  return inplace_from(a, src, [&](const Tensor& x) { return masked_scatter(x, mask, src); });
}

}  // namespace tapegrad
