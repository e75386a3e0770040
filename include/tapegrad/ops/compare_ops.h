// Ops over values beyond ops.h: comparisons and differences built from the core ops
// (lib/ops/compare_extra.cpp: isclose / allclose / equal with no gradient, count_nonzero, and
// diff, differentiable through the slices and subtractions it is made of, as torch's), sorting
// (lib/ops/sort.cpp) and value selection / replacement (lib/ops/select_values.cpp).
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include <tapegrad/ops/ops.h>

namespace tapegrad {

Tensor isclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8,
               bool equal_nan = false);
bool allclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8,
              bool equal_nan = false);
bool equal(const Tensor& a, const Tensor& b);  // same sizes and equal values (after promotion)
// int64 counts of the nonzero elements over `dims` (all dims when empty)
Tensor count_nonzero(const Tensor& a, const std::vector<int64_t>& dims = {});
Tensor diff(const Tensor& a, int64_t n = 1, int64_t dim = -1, const Tensor& prepend = {},
            const Tensor& append = {});

}  // namespace tapegrad

namespace tapegrad {

// ---- sorting (lib/ops/sort.cpp): (values, int64 indices) along dim; NaN sorts as the largest
// value; stable keeps equal elements in input order (the sort is always stable here, the flag
// only picks torch's overload and grad_fn name) ----
std::pair<Tensor, Tensor> sort(const Tensor& a, int64_t dim = -1, bool descending = false,
                               std::optional<bool> stable = std::nullopt);
Tensor argsort(const Tensor& a, int64_t dim = -1, bool descending = false, bool stable = false);
// the k largest (or smallest) along dim (the last when not given), sorted or in any order
std::pair<Tensor, Tensor> topk(const Tensor& a, int64_t k, std::optional<int64_t> dim = {},
                               bool largest = true, bool sorted = true);

// ---- lib/ops/select_values.cpp ----
// NaN -> nan, +inf -> posinf, -inf -> neginf (the dtype's largest / lowest finite value when
// not given); integer and bool inputs come back copied
Tensor nan_to_num(const Tensor& a, std::optional<double> nan = std::nullopt,
                  std::optional<double> posinf = std::nullopt,
                  std::optional<double> neginf = std::nullopt);
// the elements of a where mask (bool; both broadcast) is true, in row-major order, as 1-D
Tensor masked_select(const Tensor& a, const Tensor& mask);

}  // namespace tapegrad
