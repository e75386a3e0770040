// Reductions: sum, mean, prod, max/min (whole and per dim, with indices), amax/amin,
// argmax/argmin, and sum_to. The reduced dims are permuted innermost and made contiguous for
// the kernel, except a float sum over the leading dims of a contiguous tensor (kern::sum_rows).
#include <algorithm>

#include <tapegrad/kernels/reduce_rows.h>
#include <tapegrad/ops/math_extra.h>

#include "common.h"

namespace tapegrad {

using namespace detail;

namespace detail {

// Normalised, sorted, de-duplicated dims; empty list = all dims.
std::vector<int64_t> norm_dims(const Tensor& a, const std::vector<int64_t>& dims) {
  std::vector<int64_t> out;
  if (dims.empty()) {
    for (int64_t d = 0; d < a.dim(); ++d) out.push_back(d);
    return out;
  }
  std::vector<bool> seen(std::max<int64_t>(a.dim(), 1), false);
  for (auto d : dims) {
    int64_t w = wrap_dim(d, a.dim());
    TG_CHECK(!seen[w], "dim ", w, " appears multiple times in the list of dims");
    seen[w] = true;
    if (a.dim() > 0) out.push_back(w);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace detail

namespace {

struct Prepared {
  Tensor in;        // contiguous, reduced dims innermost
  int64_t inner;    // product of the reduced sizes
  Shape out_shape;  // keepdim applied
};

Prepared prepare(const Tensor& a, const std::vector<int64_t>& rdims, bool keepdim) {
  std::vector<bool> red(a.dim(), false);
  for (auto d : rdims) red[d] = true;
  std::vector<int64_t> perm;
  Shape out_shape;
  int64_t inner = 1;
  for (int64_t d = 0; d < a.dim(); ++d) {
    if (!red[d]) {
      perm.push_back(d);
      out_shape.push_back(a.sizes()[d]);
    } else if (keepdim) {
      out_shape.push_back(1);
    }
  }
  for (int64_t d = 0; d < a.dim(); ++d) {
    if (red[d]) {
      perm.push_back(d);
      inner *= a.sizes()[d];
    }
  }
  if (!keepdim) {
    out_shape.clear();
    for (int64_t d = 0; d < a.dim(); ++d)
      if (!red[d]) out_shape.push_back(a.sizes()[d]);
  }
  Shape ps, pst;
  for (auto d : perm) {
    ps.push_back(a.sizes()[d]);
    pst.push_back(a.strides()[d]);
  }
  Tensor v = make_view(detach(a), ps, pst, a.offset());
  Tensor c = v.is_contiguous() ? v : empty(ps, a.dtype(), a.device());
  if (!c.same(v)) kern::copy(c, v);
  return {c, inner, out_shape};
}

// dims are 0..k-1 of a contiguous tensor with 0 < k < dim, none of size 0.
bool leading_dims(const Tensor& a, const std::vector<int64_t>& rdims) {
  if (rdims.empty() || static_cast<int64_t>(rdims.size()) >= a.dim() || !a.is_contiguous() ||
      a.numel() == 0)
    return false;
  for (size_t k = 0; k < rdims.size(); ++k)
    if (rdims[k] != static_cast<int64_t>(k)) return false;
  return true;
}

// prepare()'s inner count and output shape, without the permuted copy (for sum_rows).
Prepared prepare_shape(const Tensor& a, const std::vector<int64_t>& rdims, bool keepdim) {
  Prepared p;
  p.inner = 1;
  for (int64_t d = 0; d < a.dim(); ++d) {
    const bool red = d < static_cast<int64_t>(rdims.size());
    if (red) p.inner *= a.sizes()[d];
    if (!red) p.out_shape.push_back(a.sizes()[d]);
    else if (keepdim) p.out_shape.push_back(1);
  }
  return p;
}

// What a sum or product of a into dtype dt reads. Integer and bool inputs sum into int64 inside
// the kernel; any other change of dtype converts first, as torch does: a float input summed
// into an integer dtype truncates each element, and a bool one summed into uint8 wraps.
Tensor reduce_input(const Tensor& a, DType dt) {
  check_grad_dtype(a, dt);
  const bool in_kernel = is_integral(a.dtype(), true) && dt == DType::Int64;
  return a.dtype() == dt || in_kernel ? a : cast_for_kernel(a, dt);
}

Tensor sum_impl(OpId op, const Tensor& a, const std::vector<int64_t>& dims, bool keepdim,
                std::optional<DType> dtype, bool mean) {
  auto rdims = norm_dims(a, dims);
  DType dt = dtype ? *dtype : (is_integral(a.dtype(), true) ? DType::Int64 : a.dtype());
  if (mean) {
    // torch names the dtype=... argument when one was given
    TG_CHECK(is_floating(dt), "mean(): could not infer output dtype. ",
             dtype ? "Optional" : "Input", " dtype must be either "
             "a floating point or complex dtype. Got: ", dtype_legacy_name(dt));
  }
  Tensor src = reduce_input(a, dt);
  Prepared p;
  Tensor out;
  const bool float_cpu = (dt == DType::Float32 || dt == DType::Float64) && src.dtype() == dt &&
                         src.device().is_cpu();
  if (dims.empty() && !keepdim && float_cpu && src.is_contiguous() && src.numel() > 0) {
    // A whole contiguous tensor (x.sum(), loss.mean()): one row, no permuted view to prepare.
    p.inner = src.numel();
    out = empty({}, dt, a.device());
    kern::reduce_inner(kern::ReduceOp::Sum, out, src, p.inner);
  } else if (leading_dims(src, rdims) && (dt == DType::Float32 || dt == DType::Float64) &&
      src.dtype() == dt && src.device().is_cpu()) {
    // Reducing leading dims of a contiguous tensor (a bias gradient): whole rows, no copy.
    p = prepare_shape(src, rdims, keepdim);
    out = empty(p.out_shape, dt, a.device());
    kern::sum_rows(out, src, p.inner);
  } else {
    p = prepare(src, rdims, keepdim);
    // a half/bfloat16 mean keeps its float32 sum for the division: one rounding, as torch
    const bool half = is_floating(dt) && itemsize(dt) == 2;
    out = empty(p.out_shape, mean && half ? DType::Float32 : dt, a.device());
    kern::reduce_inner(kern::ReduceOp::Sum, out, p.in, p.inner);
  }
  if (mean) {
    Tensor scaled = empty(p.out_shape, dt, a.device());
    // sum / n (not sum * (1/n)): the same rounding as torch (half: n in float too).
    const DType nt = out.dtype() == DType::Float32 ? DType::Float32 : dt;
    kern::binary(OpId::Div, scaled, out, scalar_tensor(static_cast<double>(p.inner), nt), 1);
    out = scaled;
  }
  if (auto node = maybe_node(op, {a})) {
    node->shape = a.sizes();
    node->i.reserve(rdims.size() + 1);
    node->i.assign(rdims.begin(), rdims.end());
    node->i.push_back(keepdim);  // last entry: keepdim
    node->f.reserve(dims.size() + 1);
    node->f.push_back(static_cast<double>(p.inner));
    node->f.insert(node->f.end(), dims.begin(), dims.end());  // as given (Note [Saved attributes])
    set_history(out, node);
  }
  return out;
}

Tensor extreme_all(const Tensor& a, bool is_max) {
  TG_CHECK(a.numel() > 0, is_max ? "max" : "min",
           "(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
           "reduction dim with the 'dim' argument.");
  Prepared p = prepare(a, norm_dims(a, {}), false);
  Tensor out = empty({}, a.dtype(), a.device());
  kern::reduce_inner(is_max ? kern::ReduceOp::Max : kern::ReduceOp::Min, out, p.in, p.inner);
  if (auto node = maybe_node(is_max ? OpId::MaxAll : OpId::MinAll, {a})) {
    node->saved.emplace_back(a, false);
    set_history(out, node);
    node->saved.emplace_back(out, true);
  }
  return out;
}

std::pair<Tensor, Tensor> extreme_dim(const Tensor& a, int64_t dim, bool keepdim, bool is_max) {
  int64_t d = wrap_dim(dim, a.dim());
  if (a.dim() > 0)
    TG_CHECK_KIND(Index, a.sizes()[d] > 0, is_max ? "max" : "min", "(): Expected reduction dim ", d,
                  " to have non-zero size.");
  Prepared p = prepare(a, a.dim() ? std::vector<int64_t>{d} : std::vector<int64_t>{}, keepdim);
  Tensor values = empty(p.out_shape, a.dtype(), a.device());
  Tensor indices = empty(p.out_shape, DType::Int64, a.device());
  kern::reduce_arg_inner(is_max, values, indices, p.in, p.inner);
  if (auto node = maybe_node(is_max ? OpId::MaxDim : OpId::MinDim, {a})) {
    node->saved.emplace_back(indices, false);
    node->shape = a.sizes();
    node->i = {d, keepdim, dim};  // dim as given (Note [Saved attributes])
    set_history(values, node);
  }
  return {values, indices};
}

Tensor amax_impl(const Tensor& a, const std::vector<int64_t>& dims, bool keepdim, bool is_max) {
  TG_CHECK(a.dim() <= 64, "only tensors with up to 64 dims are supported");
  TG_CHECK(!dims.empty() || a.numel() > 0, is_max ? "amax" : "amin",
           "(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
           "reduction dim with the 'dim' argument.");
  auto rdims = norm_dims(a, dims);
  for (auto d : rdims)
    TG_CHECK_KIND(Index, a.sizes()[d] > 0, is_max ? "amax" : "amin",
                  "(): Expected reduction dim ", d, " to have non-zero size.");
  Prepared p;
  Tensor out;
  if (leading_dims(a, rdims) && is_floating(a.dtype()) && a.device().is_cpu()) {
    // leading dims of a contiguous tensor: whole rows folded in, no transposed copy
    p = prepare_shape(a, rdims, keepdim);
    out = empty(p.out_shape, a.dtype(), a.device());
    kern::extreme_rows(out, a, p.inner, is_max);
  } else {
    p = prepare(a, rdims, keepdim);
    out = empty(p.out_shape, a.dtype(), a.device());
    kern::reduce_inner(is_max ? kern::ReduceOp::Max : kern::ReduceOp::Min, out, p.in, p.inner);
  }
  if (auto node = maybe_node(is_max ? OpId::Amax : OpId::Amin, {a})) {
    node->saved.emplace_back(a, false);
    node->i = rdims;
    node->i.push_back(keepdim);
    node->f.assign(dims.begin(), dims.end());  // as given (Note [Saved attributes])
    set_history(out, node);
    node->saved.emplace_back(out, true);
  }
  return out;
}

Tensor prod_impl(const Tensor& a, std::optional<int64_t> dim, bool keepdim,
                 std::optional<DType> dtype) {
  DType dt = dtype ? *dtype : (is_integral(a.dtype(), true) ? DType::Int64 : a.dtype());
  Tensor src = reduce_input(a, dt);
  std::vector<int64_t> rdims;
  int64_t d = 0;
  if (dim) {
    d = wrap_dim(*dim, a.dim());
    if (a.dim() > 0) rdims.push_back(d);
  } else {
    rdims = norm_dims(a, {});
  }
  Prepared p = prepare(src, rdims, keepdim);
  Tensor out = empty(p.out_shape, dt, a.device());
  kern::reduce_inner(kern::ReduceOp::Prod, out, p.in, p.inner);
  if (auto node = maybe_node(dim ? OpId::ProdDim : OpId::Prod, {a})) {
    node->saved.emplace_back(a, false);
    node->i = {d, keepdim, dim.value_or(0)};  // dim as given (Note [Saved attributes])
    set_history(out, node);
    node->saved.emplace_back(out, true);
  }
  return out;
}

}  // namespace

Tensor prod(const Tensor& a, std::optional<DType> dtype) {
  return prod_impl(a, std::nullopt, false, dtype);
}
Tensor prod(const Tensor& a, int64_t dim, bool keepdim, std::optional<DType> dtype) {
  return prod_impl(a, dim, keepdim, dtype);
}

Tensor sum(const Tensor& a, std::optional<DType> dtype) {
  return sum_impl(OpId::Sum, a, {}, false, dtype, false);
}
Tensor sum(const Tensor& a, const std::vector<int64_t>& dims, bool keepdim,
           std::optional<DType> dtype) {
  return sum_impl(OpId::SumDim, a, dims, keepdim, dtype, false);
}
Tensor mean(const Tensor& a, std::optional<DType> dtype) {
  return sum_impl(OpId::Mean, a, {}, false, dtype, true);
}
Tensor mean(const Tensor& a, const std::vector<int64_t>& dims, bool keepdim,
            std::optional<DType> dtype) {
  return sum_impl(OpId::MeanDim, a, dims, keepdim, dtype, true);
}
Tensor max(const Tensor& a) { return extreme_all(a, true); }
Tensor min(const Tensor& a) { return extreme_all(a, false); }
std::pair<Tensor, Tensor> max(const Tensor& a, int64_t dim, bool keepdim) {
  return extreme_dim(a, dim, keepdim, true);
}
std::pair<Tensor, Tensor> min(const Tensor& a, int64_t dim, bool keepdim) {
  return extreme_dim(a, dim, keepdim, false);
}
Tensor amax(const Tensor& a, const std::vector<int64_t>& dims, bool keepdim) {
  return amax_impl(a, dims, keepdim, true);
}
Tensor amin(const Tensor& a, const std::vector<int64_t>& dims, bool keepdim) {
  return amax_impl(a, dims, keepdim, false);
}

namespace {
// argmax/argmin: dim=None flattens (keepdim then gives all-ones dims), torch's messages.
Tensor arg_extreme(const Tensor& a, std::optional<int64_t> dim, bool keepdim, bool is_max) {
  NoGradGuard g;
  const char* name = is_max ? "argmax" : "argmin";
  TG_CHECK(a.dtype() != DType::Bool, name, "(): does not support bool input");
  if (!dim) {
    TG_CHECK_KIND(Index, a.numel() > 0, name, "(): Expected reduction dim to be specified for "
                  "input.numel() == 0.");
    Tensor r = extreme_dim(reshape(a, {-1}), 0, false, is_max).second;
    return keepdim ? reshape(r, Shape(a.dim(), 1)) : r;
  }
  int64_t d = wrap_dim(*dim, a.dim());
  if (a.dim() > 0)
    TG_CHECK_KIND(Index, a.sizes()[d] > 0, name, "(): Expected reduction dim ", d,
                  " to have non-zero size.");
  return extreme_dim(a, d, keepdim, is_max).second;
}
}  // namespace

Tensor argmax(const Tensor& a, std::optional<int64_t> dim, bool keepdim) {
  return arg_extreme(a, dim, keepdim, true);
}
Tensor argmin(const Tensor& a, std::optional<int64_t> dim, bool keepdim) {
  return arg_extreme(a, dim, keepdim, false);
}

Tensor sum_to(const Tensor& a, const Shape& shape) {
  if (a.sizes() == shape) return a;
  const int64_t lead = a.dim() - static_cast<int64_t>(shape.size());
  std::vector<int64_t> dims;
  for (int64_t d = 0; d < lead; ++d) dims.push_back(d);
  for (size_t d = 0; d < shape.size(); ++d)
    if (shape[d] == 1 && a.sizes()[lead + d] != 1) dims.push_back(lead + d);
  Tensor r = dims.empty() ? a : sum(a, dims, true);
  if (lead > 0 || r.sizes() != shape) r = view(r, shape);
  return r;
}

}  // namespace tapegrad
