// sort / argsort / topk along one dim: each lane is ordered on the host (device tensors go
// through a host copy) the way torch's CPU kernels order it, so that equal elements come out
// in torch's order (Note [Ties in order statistics], lane_order.h). The values get a node whose
// backward scatters the gradient back through the indices.
#include <algorithm>
#include <cmath>
#include <numeric>

#include <tapegrad/kernels/dispatch.h>
#include <tapegrad/kernels/loops.h>
#include <tapegrad/ops/compare_ops.h>

#include "common.h"
#include "lane_order.h"
#include "../cpu/via_float.h"

namespace tapegrad {

using namespace detail;

namespace {

enum class LaneJob { Sort, StableSort, Topk, TopkUnsorted };

// Orders every lane of `a` along d (descending / largest first when `descending`) and keeps
// the first k of each: (values, indices) on a's device.
std::pair<Tensor, Tensor> sorted_lanes(const Tensor& a, int64_t d, bool descending, int64_t k,
                                       LaneJob job, const char* what) {
  // half/bfloat16 lanes sort as float32 (exact both ways; Note [Half via float])
  Tensor host = kern::via_float::up(contiguous(on_host(detach(a))));
  const Shape& shape = a.sizes();
  const int64_t n = a.dim() ? shape[d] : 1;
  int64_t outer = 1, inner = 1;
  for (int64_t j = 0; j < a.dim(); ++j) (j < d ? outer : inner) *= j == d ? 1 : shape[j];
  Shape oshape = shape;
  if (a.dim()) oshape[d] = k;
  Tensor vals = empty(oshape, host.dtype(), Device());
  Tensor idx = empty(oshape, DType::Int64, Device());
  const bool is_sort = job == LaneJob::Sort || job == LaneJob::StableSort;
  // torch leaves a lane that is one element repeated in memory (stride 0) in place
  const bool keep = is_sort && n > 1 && a.strides()[d] == 0;
  // and sorts long 1-d integer tensors ascending with a stable radix sort
  const bool stable = job == LaneJob::StableSort ||
                      (is_sort && a.dim() == 1 && !descending && n >= 32768 &&
                       is_integral(a.dtype(), /*include_bool=*/false));
  dispatch_numeric_and_bool(host.dtype(), what, [&](auto tag) {
    using T = decltype(tag);
    const T* src = host.data<T>();
    T* vo = vals.data<T>();
    int64_t* io = idx.data<int64_t>();
    // lanes in parallel shares (each share its own items): torch sorts lanes in parallel too,
    // and sort(1) of 1024 x 1024 at 2 threads took 1.8x its time
    cpu::parallel_lanes(outer * inner, n * 8, [&](int64_t l0, int64_t l1) {
      std::vector<lane::Item<T>> items(n);
      for (int64_t l = l0; l < l1; ++l) {
        const int64_t o = l / inner, in = l % inner;
        const T* lane_src = src + o * n * inner + in;
        for (int64_t j = 0; j < n; ++j) items[j] = {lane_src[j * inner], j};
        if (keep) {
        } else if (is_sort) {
          lane::sort_items(items, descending, stable);
        } else {
          lane::topk_items(items, k, descending, job == LaneJob::Topk);
        }
        T* vl = vo + o * k * inner + in;
        int64_t* il = io + o * k * inner + in;
        for (int64_t j = 0; j < k; ++j) {
          vl[j * inner] = items[j].v;
          il[j * inner] = items[j].i;
        }
      }
    });
  });
  if (vals.dtype() != a.dtype()) vals = to(vals, a.dtype());
  if (!a.device().is_cpu()) {
    vals = to(vals, a.device(), vals.dtype());
    idx = to(idx, a.device(), DType::Int64);
  }
  return {vals, idx};
}

std::pair<Tensor, Tensor> record(OpId op, const Tensor& a, std::pair<Tensor, Tensor> r,
                                 int64_t d, int64_t dim_given) {
  if (auto node = maybe_node(op, {a})) {
    node->saved.emplace_back(r.second, false);
    node->shape = a.sizes();
    node->i = {d, dim_given};  // dim as given (Note [Saved attributes])
    set_history(r.first, node);
  }
  return r;
}

}  // namespace

std::pair<Tensor, Tensor> sort(const Tensor& a, int64_t dim, bool descending,
                               std::optional<bool> stable) {
  const int64_t d = wrap_dim(dim, a.dim());
  const int64_t n = a.dim() ? a.sizes()[d] : 1;
  auto r = sorted_lanes(a, d, descending, n,
                        stable.value_or(false) ? LaneJob::StableSort : LaneJob::Sort, "sort");
  return record(stable ? OpId::SortStable : OpId::Sort, a, r, d, dim);
}

Tensor argsort(const Tensor& a, int64_t dim, bool descending, bool stable) {
  NoGradGuard ng;
  return sort(a, dim, descending, stable).second;
}

std::pair<Tensor, Tensor> topk(const Tensor& a, int64_t k, std::optional<int64_t> dim,
                               bool largest, bool sorted) {
  const int64_t given = dim.value_or(-1);
  const int64_t d = wrap_dim(given, a.dim());
  const int64_t n = a.dim() ? a.sizes()[d] : 1;
  TG_CHECK(k >= 0 && k <= n, "selected index k out of range");
  TG_CHECK(a.dtype() != DType::Bool, "topk does not support bool dtypes on CPU");
  auto r = sorted_lanes(a, d, largest, a.dim() ? k : 1,
                        sorted ? LaneJob::Topk : LaneJob::TopkUnsorted, "topk");
  return record(OpId::Topk, a, r, d, given);
}

}  // namespace tapegrad
