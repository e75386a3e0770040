// sort / argsort / topk along one dim: a stable sort of each lane on the host (device tensors
// go through a host copy), NaN ordered above every number as torch orders it. The values get
// a node whose backward scatters the gradient back through the indices.
#include <algorithm>
#include <cmath>
#include <numeric>

#include <tapegrad/kernels/dispatch.h>
#include <tapegrad/ops/compare_ops.h>

#include "common.h"
#include "../cpu/via_float.h"

namespace tapegrad {

using namespace detail;

namespace {

template <class T>
bool is_nan(T v) {
  if constexpr (std::is_floating_point<T>::value) return std::isnan(v); else return false;
}

// Sorts every lane of `a` along d and keeps the first k of each: (values, indices) on a's
// device. descending puts NaN first, ascending last.
std::pair<Tensor, Tensor> sorted_lanes(const Tensor& a, int64_t d, bool descending, int64_t k,
                                       const char* what) {
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
  dispatch_numeric_and_bool(host.dtype(), what, [&](auto tag) {
    using T = decltype(tag);
    const T* src = host.data<T>();
    T* vo = vals.data<T>();
    int64_t* io = idx.data<int64_t>();
    std::vector<int64_t> perm(n);
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t in = 0; in < inner; ++in) {
        const T* lane = src + o * n * inner + in;
        std::iota(perm.begin(), perm.end(), int64_t{0});
        auto at = [&](int64_t j) { return lane[j * inner]; };
        if (descending) {
          std::stable_sort(perm.begin(), perm.end(), [&](int64_t x, int64_t y) {
            T vx = at(x), vy = at(y);
            return !is_nan(vy) && (is_nan(vx) || vx > vy);
          });
        } else {
          std::stable_sort(perm.begin(), perm.end(), [&](int64_t x, int64_t y) {
            T vx = at(x), vy = at(y);
            return !is_nan(vx) && (is_nan(vy) || vx < vy);
          });
        }
        for (int64_t j = 0; j < k; ++j) {
          const int64_t off = o * k * inner + j * inner + in;
          vo[off] = at(perm[j]);
          io[off] = perm[j];
        }
      }
    }
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
  auto r = sorted_lanes(a, d, descending, n, "sort");
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
  // sorted=False may return any order; the sorted one is a valid choice
  (void)sorted;
  auto r = sorted_lanes(a, d, largest, a.dim() ? k : 1, "topk");
  return record(OpId::Topk, a, r, d, given);
}

}  // namespace tapegrad
