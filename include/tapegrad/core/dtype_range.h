// Whether a Python number fits a dtype: c10's `overflows` rule, shared by the ops that
// convert a Scalar (fill_, full, masked_fill, clamp bounds ...: lib/ops/common.h) and by
// torch.tensor(data, dtype=) (python/src/bind_tensor.cpp). Separate from dtype.h, which every
// translation unit includes, so that only those two places rebuild when it changes.
#pragma once
#include <cmath>
#include <cstdint>

#include <tapegrad/core/dtype.h>

namespace tapegrad {

// The closed range of an integer dtype as doubles (int64's upper end rounds to 2^63, as the
// double comparison in c10 does); false for bool and floating dtypes, which take anything here.
inline bool int_dtype_range(DType dt, double& lo, double& hi) {
  switch (dt) {
    case DType::UInt8: lo = 0; hi = 255; return true;
    case DType::Int8: lo = -128; hi = 127; return true;
    case DType::Int16: lo = -32768; hi = 32767; return true;
    case DType::Int32: lo = -2147483648.0; hi = 2147483647.0; return true;
    case DType::Int64: lo = -9223372036854775808.0; hi = 9223372036854775808.0; return true;
    default: return false;
  }
}

// True when a Python float (from_float) or int does not fit integer dtype `dt`. A float must be
// finite and in range; an int may also be negative down to -255 for uint8 (it wraps: -1 is 255);
// every int64 fits int64.
inline bool int_value_overflows(DType dt, bool from_float, double f, int64_t i) {
  double lo, hi;
  if (!int_dtype_range(dt, lo, hi)) return false;
  if (from_float) return std::isnan(f) || f < lo || f > hi;
  if (dt == DType::Int64) return false;
  if (dt == DType::UInt8) return i > 255 || i < -255;
  return static_cast<double>(i) < lo || static_cast<double>(i) > hi;
}

// The largest finite value of a floating dtype (float64's for any other).
inline double float_dtype_max(DType dt) {
  switch (dt) {
    case DType::Float16: return 65504.0;
    case DType::BFloat16: return 3.3895313892515355e38;  // the largest below 2^128
    case DType::Float32: return 3.4028234663852886e38;
    default: return 1.7976931348623157e308;
  }
}

// True when a Python number does not fit floating dtype `dt` (c10's rule for floating targets):
// infinities and NaN convert to any of them; a finite value beyond the dtype's largest finite
// one is an overflow even where it would round down to it (half: 65519 > 65504). float64 holds
// every Python float.
inline bool float_value_overflows(DType dt, double f) {
  if (!is_floating(dt) || dt == DType::Float64) return false;
  const double hi = float_dtype_max(dt);
  return std::isfinite(f) && (f > hi || f < -hi);
}

// The C++ type names torch prints in the ops' overflow message ("value cannot be converted to
// type int8_t without overflow"); torch.tensor() prints dtype_name() instead.
inline const char* dtype_cpp_name(DType dt) {
  switch (dt) {
    case DType::UInt8: return "uint8_t";
    case DType::Int8: return "int8_t";
    case DType::Int16: return "int16_t";
    case DType::Int32: return "int";
    case DType::Int64: return "int64_t";
    case DType::Float16: return "c10::Half";
    case DType::BFloat16: return "c10::BFloat16";
    case DType::Float32: return "float";
    default: return dtype_name(dt);
  }
}

}  // namespace tapegrad
