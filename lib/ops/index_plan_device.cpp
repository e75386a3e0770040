// Note [Index plans on the device] (index_plan.h): advanced indexing's and gather/scatter's
// element offsets as a sum of broadcast int64 tensors (index * stride per indexed dim, arange *
// stride per other dim), computed by the elementwise kernels on the operand's device.
#include <atomic>

#include "common.h"
#include "index_plan.h"

namespace tapegrad {
namespace detail {

namespace {

std::atomic<bool> g_always{false};

Tensor lit(int64_t v) { return wrapped_scalar(Scalar(v)); }

// arange(n) * stride on `dev`, shaped to broadcast along position `pos` of a rank-`nd` result.
Tensor axis_offsets(int64_t n, int64_t stride, int64_t pos, int64_t nd, Device dev) {
  Shape s(nd, 1);
  s[pos] = n;
  Tensor r = mul(arange(0, static_cast<double>(n), 1, DType::Int64), lit(stride));
  return reshape(dev.is_cpu() ? r : to(r, dev, DType::Int64), s);
}

// How many values of `e` lie outside [lo, hi] (int64 0-d on e's device; not read here).
Tensor count_outside(const Tensor& e, int64_t lo, int64_t hi) {
  return sum(compare(CmpId::Ne, clamp(e, Scalar(lo), Scalar(hi)), e));
}

}  // namespace

bool index_plans_on_device(Device dev) { return dev.is_cuda() || g_always.load(); }
void set_index_plans_on_device(bool always) { g_always = always; }

bool plan_on_device(const Shape& sizes, const Shape& strides, const std::vector<Tensor>& idx,
                    Device dev, IndexPlan* out) {
  NoGradGuard g;
  const IndexLayout L = index_layout(sizes, idx);
  if (numel_of(L.out_shape) == 0) return false;  // the host planner's shortcut
  const int64_t nb = static_cast<int64_t>(L.before.size());
  const int64_t ni = static_cast<int64_t>(L.ishape.size());
  const int64_t nd = static_cast<int64_t>(L.out_shape.size());
  // the advanced block: sum over indexed dims of wrap(index) * stride, over the index shape
  Tensor adv = zeros(L.ishape, DType::Int64, dev), bad = zeros({}, DType::Int64, dev);
  for (auto d : L.adv) {
    Tensor e = to(detach(idx[d]), dev, DType::Int64);
    if (sizes[d] == 0 && e.numel() > 0) return false;  // clamp's empty range [0, -1] misleads
    bad = add(bad, count_outside(e, -sizes[d], sizes[d] - 1));
    // floor remainder wraps [-size, size) onto [0, size)
    adv = add(adv, mul(remainder(e, Scalar(sizes[d])), lit(strides[d])));
  }
  if (item(bad).to_double() != 0) return false;
  Shape block(nd, 1);
  for (int64_t k = 0; k < ni; ++k) block[nb + k] = L.ishape[k];
  Tensor off = reshape(adv, block);
  for (int64_t k = 0; k < nb; ++k)
    off = add(off, axis_offsets(sizes[L.before[k]], strides[L.before[k]], k, nd, dev));
  for (size_t k = 0; k < L.after.size(); ++k) {
    const int64_t d = L.after[k];
    off = add(off, axis_offsets(sizes[d], strides[d], nb + ni + static_cast<int64_t>(k), nd, dev));
  }
  out->out_shape = L.out_shape;
  out->offsets = contiguous(expand(off, L.out_shape));
  return true;
}

bool dim_offsets_on_device(const Tensor& idx, int64_t dim, const Shape& sizes,
                           const Shape& strides, Tensor* out) {
  NoGradGuard g;
  const Device dev = idx.device();
  const Shape isz = idx.dim() == 0 ? Shape{1} : idx.sizes();
  const int64_t nd = static_cast<int64_t>(isz.size());
  for (int64_t d = 0; d < nd; ++d)
    if (d != dim && isz[d] > sizes[d]) return false;  // the host loop names the position
  if (sizes[dim] == 0) return false;  // any index is out of range (idx is not empty here)
  Tensor e = reshape(to(detach(idx), DType::Int64), isz);
  // negative indices are out of range here, as torch's gather/scatter say
  if (item(count_outside(e, 0, sizes[dim] - 1)).to_double() != 0) return false;
  Tensor off = mul(e, lit(strides[dim]));
  for (int64_t d = 0; d < nd; ++d)
    if (d != dim) off = add(off, axis_offsets(isz[d], strides[d], d, nd, dev));
  *out = reshape(contiguous(expand(off, isz)), idx.sizes());
  return true;
}

}  // namespace detail
}  // namespace tapegrad
