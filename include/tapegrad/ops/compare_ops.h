// Value comparisons and differences built from the core ops (lib/ops/compare_extra.cpp):
// isclose / allclose / equal (no gradient), count_nonzero, and diff (differentiable through
// the slices and subtractions it is made of, as torch's: SubBackward0).
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
