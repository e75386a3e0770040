// Element types: the enum, sizes, names (torch's spelling), categories and type promotion.
// Promotion follows torch's rules: bool < integers < floating, and for mixed operands the
// "dimensioned tensor > 0-d tensor > Python number" priority (Note [Type promotion]).
#pragma once
#include <cstdint>
#include <string>

#include <tapegrad/core/check.h>

namespace tapegrad {

enum class DType : int8_t {
  Bool, UInt8, Int8, Int16, Int32, Int64, Float16, BFloat16, Float32, Float64, Undefined
};
constexpr int kNumDTypes = 10;

inline size_t itemsize(DType t) {
  switch (t) {
    case DType::Bool: case DType::UInt8: case DType::Int8: return 1;
    case DType::Int16: case DType::Float16: case DType::BFloat16: return 2;
    case DType::Int32: case DType::Float32: return 4;
    case DType::Int64: case DType::Float64: return 8;
    case DType::Undefined: break;
  }
  return 0;
}

inline bool is_floating(DType t) {
  return t == DType::Float16 || t == DType::BFloat16 || t == DType::Float32 || t == DType::Float64;
}
inline bool is_integral(DType t, bool include_bool) {
  return (include_bool && t == DType::Bool) || t == DType::UInt8 || t == DType::Int8 ||
         t == DType::Int16 || t == DType::Int32 || t == DType::Int64;
}

// torch's name without the "torch." prefix: float32, int64, bool, ...
inline const char* dtype_name(DType t) {
  switch (t) {
    case DType::Bool: return "bool";
    case DType::UInt8: return "uint8";
    case DType::Int8: return "int8";
    case DType::Int16: return "int16";
    case DType::Int32: return "int32";
    case DType::Int64: return "int64";
    case DType::Float16: return "float16";
    case DType::BFloat16: return "bfloat16";
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
    case DType::Undefined: break;
  }
  return "undefined";
}

// The names torch uses in kernel error messages ("not implemented for 'Long'").
inline const char* dtype_legacy_name(DType t) {
  switch (t) {
    case DType::Bool: return "Bool";
    case DType::UInt8: return "Byte";
    case DType::Int8: return "Char";
    case DType::Int16: return "Short";
    case DType::Int32: return "Int";
    case DType::Int64: return "Long";
    case DType::Float16: return "Half";
    case DType::BFloat16: return "BFloat16";
    case DType::Float32: return "Float";
    case DType::Float64: return "Double";
    case DType::Undefined: break;
  }
  return "Undefined";
}

// torch.can_cast: whether an in-place op (or out=) may write a `from` result into `to`. Floating
// into an integral type and an integral type into bool may not.
inline bool can_cast(DType from, DType to) {
  if (is_floating(from) && !is_floating(to)) return false;
  if (from != DType::Bool && to == DType::Bool) return false;
  return true;
}

DType default_dtype();
void set_default_dtype(DType t);

// Pairwise promotion (torch.promote_types) for the types we know.
inline DType promote_types(DType a, DType b) {
  if (a == DType::Undefined) return b;
  if (b == DType::Undefined) return a;
  if (a == b) return a;
  if (is_floating(a) || is_floating(b)) {
    if (!is_floating(a)) return b;
    if (!is_floating(b)) return a;
    // float16 + bfloat16 -> float32; otherwise the wider one.
    if ((a == DType::Float16 && b == DType::BFloat16) || (a == DType::BFloat16 && b == DType::Float16))
      return DType::Float32;
    return itemsize(a) >= itemsize(b) ? a : b;
  }
  if (a == DType::Bool) return b;
  if (b == DType::Bool) return a;
  // uint8 with a signed type: int16 unless the signed one is wider.
  if (a == DType::UInt8 || b == DType::UInt8) {
    DType other = a == DType::UInt8 ? b : a;
    return other == DType::Int8 ? DType::Int16 : other;
  }
  return itemsize(a) >= itemsize(b) ? a : b;
}

// Note [Type promotion]: operands fall in three priority classes (tensors with dims,
// 0-d tensors, wrapped Python numbers); a lower class only changes the result when it is of a
// higher category (bool < integral < floating). Python floats count as the default dtype.
struct ResultTypeState {
  DType dim = DType::Undefined, zero = DType::Undefined, wrapped = DType::Undefined;
};

inline DType combine_categories(DType higher, DType lower) {
  if (is_floating(higher)) return higher;
  if (higher == DType::Bool || is_floating(lower)) return promote_types(higher, lower);
  if (higher != DType::Undefined) return higher;
  return lower;
}
inline DType result_type(const ResultTypeState& s) {
  return combine_categories(s.dim, combine_categories(s.zero, s.wrapped));
}

}  // namespace tapegrad
