// Copies that reorder or replicate elements: flip, roll, repeat and tile. Each forward is
// computed from existing kernels without history, then recorded as its own node (FlipBackward0,
// RollBackward0, RepeatBackward0), so the graph looks like torch's.
#include "common.h"

namespace tapegrad {

using namespace detail;

namespace {

// Records `out` (computed without history) as op(a) with integer arguments `args`.
Tensor record(OpId op, const Tensor& a, const Tensor& out, std::vector<int64_t> args) {
  if (auto node = maybe_node(op, {a})) {
    node->shape = a.sizes();
    node->i = std::move(args);
    set_history(out, node);
  }
  return out;
}

// The computed result as a tensor of its own: a copy when it is still `a`'s memory (nothing
// moved), else the same memory without the view record that reshape may have left (the
// result is not a view, as torch's).
Tensor fresh(const Tensor& t, const Tensor& a) {
  return t.impl()->storage == a.impl()->storage ? clone(t) : alias_detached(t);
}

Tensor reversed_index(int64_t n, Device device) {
  Tensor idx = arange(static_cast<double>(n - 1), -1, -1, DType::Int64);
  return device.is_cpu() ? idx : to(idx, device, DType::Int64);
}

// Rotates `t` by `shift` along d (elements move to higher indices), as two slices.
Tensor roll_dim(const Tensor& t, int64_t shift, int64_t d) {
  const int64_t n = t.sizes()[d];
  if (n == 0) return t;
  const int64_t s = ((shift % n) + n) % n;
  if (s == 0) return t;
  return cat({slice(t, d, n - s, n), slice(t, d, 0, n - s)}, d);
}

}  // namespace

Tensor flip(const Tensor& a, const std::vector<int64_t>& dims) {
  std::vector<bool> seen(std::max<int64_t>(a.dim(), 1), false);
  std::vector<int64_t> wrapped;
  for (int64_t dim : dims) {
    const int64_t d = wrap_dim(dim, a.dim());
    TG_CHECK(!seen[d], "dim ", d, " appears multiple times in the list of dims");
    seen[d] = true;
    wrapped.push_back(d);
  }
  Tensor out;
  {
    NoGradGuard guard;
    Tensor cur = detach(a);
    for (int64_t d : wrapped)
      if (a.dim() > 0 && a.sizes()[d] > 1)
        cur = index_select(cur, d, reversed_index(a.sizes()[d], a.device()));
    out = fresh(cur, a);
  }
  return record(OpId::Flip, a, out, dims);
}

Tensor roll(const Tensor& a, const std::vector<int64_t>& shifts, const std::vector<int64_t>& dims) {
  TG_CHECK(!shifts.empty(), "`shifts` required");
  TG_CHECK(dims.empty() ? shifts.size() == 1 : shifts.size() == dims.size(),
           "shifts and dimensions must align. shifts: ", shifts.size(), ", dims:", dims.size());
  std::vector<int64_t> wrapped;
  for (int64_t dim : dims) {
    TG_CHECK_KIND(Index, a.dim() > 0, "Dimension specified as ", dim,
                  " but tensor has no dimensions");
    wrapped.push_back(wrap_dim(dim, a.dim()));
  }
  Tensor out;
  {
    NoGradGuard guard;
    Tensor cur = detach(a);
    if (dims.empty()) {
      // no dims: roll the flattened tensor and restore the shape
      cur = reshape(roll_dim(reshape(cur, {a.numel()}), shifts[0], 0), a.sizes());
    } else {
      for (size_t k = 0; k < wrapped.size(); ++k) cur = roll_dim(cur, shifts[k], wrapped[k]);
    }
    out = fresh(cur, a);
  }
  std::vector<int64_t> args{static_cast<int64_t>(shifts.size())};
  args.insert(args.end(), shifts.begin(), shifts.end());
  args.insert(args.end(), dims.begin(), dims.end());
  return record(OpId::Roll, a, out, std::move(args));
}

Tensor repeat(const Tensor& a, const std::vector<int64_t>& repeats) {
  TG_CHECK(static_cast<int64_t>(repeats.size()) >= a.dim(),
           "Number of dimensions of repeat dims can not be smaller than number of dimensions of "
           "tensor");
  const size_t pad = repeats.size() - a.dim();
  // The input padded with leading 1s, viewed as [1, s0, 1, s1, ...] and expanded to
  // [r0, s0, r1, s1, ...]: merging each pair gives the result.
  Shape padded, pairs, expanded, result;
  for (size_t k = 0; k < repeats.size(); ++k) {
    const int64_t s = k < pad ? 1 : a.sizes()[k - pad];
    padded.push_back(s);
    pairs.insert(pairs.end(), {1, s});
    expanded.insert(expanded.end(), {repeats[k], s});
    result.push_back(repeats[k] * s);
  }
  for (int64_t r : result)
    TG_CHECK(r >= 0, "Trying to create tensor with negative dimension ", r, ": ",
             shape_str(result));
  Tensor out;
  {
    NoGradGuard guard;
    Tensor cur = reshape(detach(a), pairs);
    out = fresh(reshape(clone(expand(cur, expanded)), result), a);
  }
  return record(OpId::Repeat, a, out, repeats);
}

Tensor tile(const Tensor& a, const std::vector<int64_t>& dims) {
  // fewer reps than dims: the missing leading ones are 1 (then repeat's rules apply)
  std::vector<int64_t> reps = dims;
  if (static_cast<int64_t>(reps.size()) < a.dim())
    reps.insert(reps.begin(), a.dim() - reps.size(), 1);
  return repeat(a, reps);
}

}  // namespace tapegrad
