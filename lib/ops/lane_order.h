// Note [Ties in order statistics]: which of several equal elements sort / argsort / topk /
// kthvalue / mode report is not specified by torch's documentation, but users compare indices
// with torch's, so the lane algorithms here make the same choices as torch's CPU kernels
// (observed behaviour; libstdc++'s std::sort / std::partial_sort / std::nth_element are the
// same code on both sides, so running them with comparisons that agree pair for pair on the
// same starting sequence gives the same permutation):
//  - sort(stable=False): std::sort of (value, position) items comparing values only, NaN last
//    ascending and first descending; stable=True: a stable sort (unique result). A lane that
//    does not move in memory (stride 0 along the dim) keeps positions 0..n-1; a 1-d integer
//    (not bool) ascending sort of at least 32768 elements is stable (torch's radix sort).
//  - topk: std::partial_sort of the items when k * 64 <= n, otherwise std::nth_element at
//    k - 1, followed when sorted by std::sort of the first k - 1 items.
//  - kthvalue: a quickselect with a median-of-three pivot (quick_select below).
//  - mode: std::sort with a plain `<` on the values (NaN compares unordered); the reported
//    element is the last, in that order, of the first value with the highest count.
// Half / bfloat16 lanes run as float32 (exact, same comparisons).
#pragma once
#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

namespace tapegrad {
namespace detail {
namespace lane {

template <class T> inline bool nan_of(T v) {
  if constexpr (std::is_floating_point<T>::value) return v != v; else return false;
}

template <class T> struct Item {
  T v;
  int64_t i;
};

// "x before y": ascending with NaN last / descending with NaN first. The NaN-free variants give
// the same answers on lanes without NaN (and skip the tests).
template <class T> struct Asc {
  bool operator()(const Item<T>& x, const Item<T>& y) const {
    return x.v < y.v || (!nan_of(x.v) && nan_of(y.v));
  }
};
template <class T> struct Desc {
  bool operator()(const Item<T>& x, const Item<T>& y) const {
    return x.v > y.v || (nan_of(x.v) && !nan_of(y.v));
  }
};
template <class T> struct AscNoNan {
  bool operator()(const Item<T>& x, const Item<T>& y) const { return x.v < y.v; }
};
template <class T> struct DescNoNan {
  bool operator()(const Item<T>& x, const Item<T>& y) const { return x.v > y.v; }
};

template <class T> bool has_nan(const std::vector<Item<T>>& it) {
  if constexpr (std::is_floating_point<T>::value) {
    for (const auto& e : it)
      if (e.v != e.v) return true;
  }
  return false;
}

// Calls f(comparator) with the "before" order for the direction (a NaN-free one when possible).
template <class T, class F> void with_order(const std::vector<Item<T>>& it, bool descending, F f) {
  if (has_nan(it)) {
    if (descending) f(Desc<T>()); else f(Asc<T>());
  } else {
    if (descending) f(DescNoNan<T>()); else f(AscNoNan<T>());
  }
}

// A stable least-significant-digit radix sort of integer items by value (byte digits of the
// value with the sign bit flipped, complemented for descending; digits that are the same in
// every item are skipped). Stable, so the same result as std::stable_sort.
template <class T> void radix_sort_items(std::vector<Item<T>>& it, bool descending) {
  using U = std::make_unsigned_t<T>;
  constexpr int bytes = sizeof(T);
  const size_t n = it.size();
  auto key = [descending](T v) {
    U u = static_cast<U>(v);
    if constexpr (std::is_signed<T>::value) u ^= static_cast<U>(U(1) << (8 * bytes - 1));
    return descending ? static_cast<U>(~u) : u;
  };
  std::vector<size_t> count(static_cast<size_t>(bytes) * 256, 0);
  for (const auto& e : it) {
    const U u = key(e.v);
    for (int b = 0; b < bytes; ++b) ++count[b * 256 + ((u >> (8 * b)) & 0xff)];
  }
  std::vector<Item<T>> tmp(n);
  for (int b = 0; b < bytes; ++b) {
    size_t* c = count.data() + b * 256;
    if (c[(key(it[0].v) >> (8 * b)) & 0xff] == n) continue;  // one digit value: no reordering
    size_t sum = 0;
    for (int d = 0; d < 256; ++d) {
      const size_t k = c[d];
      c[d] = sum;
      sum += k;
    }
    for (const auto& e : it) tmp[c[(key(e.v) >> (8 * b)) & 0xff]++] = e;
    it.swap(tmp);
  }
}

template <class T> void sort_items(std::vector<Item<T>>& it, bool descending, bool stable) {
  if constexpr (std::is_integral<T>::value && !std::is_same<T, bool>::value) {
    if (stable && it.size() >= 256) return radix_sort_items(it, descending);
  }
  with_order(it, descending, [&](auto before) {
    if (stable) std::stable_sort(it.begin(), it.end(), before);
    else std::sort(it.begin(), it.end(), before);
  });
}

// Leaves the k first items of the topk order in it[0, k).
template <class T> void topk_items(std::vector<Item<T>>& it, int64_t k, bool largest, bool sorted) {
  if (k == 0) return;
  const int64_t n = static_cast<int64_t>(it.size());
  with_order(it, largest, [&](auto before) {
    if (k * 64 <= n) {
      std::partial_sort(it.begin(), it.begin() + k, it.end(), before);
    } else {
      std::nth_element(it.begin(), it.begin() + (k - 1), it.end(), before);
      if (sorted) std::sort(it.begin(), it.begin() + (k - 1), before);
    }
  });
}

// Moves the item of rank k (0-based, NaN the largest) to a[k]: a quickselect whose pivot is
// the median of the first, middle and last items, partitioned Hoare-style around a[lo].
template <class T> void quick_select(Item<T>* a, int64_t n, int64_t k) {
  auto gt = [](T x, T y) { return x > y || (nan_of(x) && !nan_of(y)); };
  int64_t lo = 0, hi = n - 1;
  while (hi > lo) {
    if (hi == lo + 1) {
      if (gt(a[lo].v, a[hi].v)) std::swap(a[lo], a[hi]);
      return;
    }
    std::swap(a[lo + (hi - lo) / 2], a[lo + 1]);
    if (gt(a[lo + 1].v, a[hi].v)) std::swap(a[lo + 1], a[hi]);
    if (gt(a[lo].v, a[hi].v)) std::swap(a[lo], a[hi]);
    if (gt(a[lo + 1].v, a[lo].v)) std::swap(a[lo + 1], a[lo]);
    // a[lo + 1] <= a[lo] <= a[hi]: a[lo] is the pivot, the other two stop the scans
    const T pivot = a[lo].v;
    int64_t i = lo + 1, j = hi;
    for (;;) {
      do ++i; while (gt(pivot, a[i].v));
      do --j; while (gt(a[j].v, pivot));
      if (j < i) break;
      std::swap(a[i], a[j]);
    }
    std::swap(a[lo], a[j]);
    if (j <= k) lo = i;
    if (j >= k) hi = j - 1;
  }
}

// The item mode reports (see the Note); `it` is reordered.
template <class T> Item<T> mode_item(std::vector<Item<T>>& it) {
  std::sort(it.begin(), it.end(), [](const Item<T>& x, const Item<T>& y) { return x.v < y.v; });
  const int64_t n = static_cast<int64_t>(it.size());
  int64_t best = 0, best_count = 0, count = 0;
  for (int64_t j = 0; j < n; ++j) {
    ++count;
    if (j == n - 1 || it[j].v != it[j + 1].v) {
      if (count > best_count) best = j, best_count = count;
      count = 0;
    }
  }
  return it[best];
}

}  // namespace lane
}  // namespace detail
}  // namespace tapegrad
