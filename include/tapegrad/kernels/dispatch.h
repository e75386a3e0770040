// dtype dispatch: calls a generic lambda with a value of the C++ element type for a DType
// (`[&](auto tag) { using T = decltype(tag); ... }`), or raises torch's "not implemented for"
// error for dtypes the caller does not support.
#pragma once
#include <cstdint>

#include <tapegrad/core/dtype.h>

namespace tapegrad {

#define TG_DTYPE_UNSUPPORTED(what, dt) \
  TG_ERROR_KIND(NotImplemented, "\"", what, "\" not implemented for '", dtype_legacy_name(dt), "'")

template <class F>
void dispatch_floating(DType dt, const char* what, F&& f) {
  switch (dt) {
    case DType::Float32: f(float{}); return;
    case DType::Float64: f(double{}); return;
    default: TG_DTYPE_UNSUPPORTED(what, dt);
  }
}

// Numeric types the kernels compute in (bool is handled by callers that accept it).
template <class F>
void dispatch_numeric(DType dt, const char* what, F&& f) {
  switch (dt) {
    case DType::Float32: f(float{}); return;
    case DType::Float64: f(double{}); return;
    case DType::Int64: f(int64_t{}); return;
    case DType::Int32: f(int32_t{}); return;
    case DType::Int16: f(int16_t{}); return;
    case DType::Int8: f(int8_t{}); return;
    case DType::UInt8: f(uint8_t{}); return;
    default: TG_DTYPE_UNSUPPORTED(what, dt);
  }
}

template <class F>
void dispatch_numeric_and_bool(DType dt, const char* what, F&& f) {
  if (dt == DType::Bool) {
    f(bool{});
    return;
  }
  dispatch_numeric(dt, what, f);
}

}  // namespace tapegrad
