// float16 and bfloat16 storage types: conversions to and from float only (they are storage
// formats here; arithmetic happens in float32).
#pragma once
#include <cstdint>
#include <cstring>

namespace tapegrad {

struct Half {
  uint16_t bits = 0;
  Half() = default;
  Half(float f) {  // NOLINT: round to nearest even, with inf/nan and subnormals
    uint32_t x;
    std::memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000u, exp = (x >> 23) & 0xffu, mant = x & 0x7fffffu;
    if (exp == 0xff) {
      bits = static_cast<uint16_t>(sign | 0x7c00u | (mant ? 0x200u : 0));
      return;
    }
    int e = static_cast<int>(exp) - 127 + 15;
    if (e >= 31) {
      bits = static_cast<uint16_t>(sign | 0x7c00u);
      return;
    }
    if (e <= 0) {
      if (e < -10) {
        bits = static_cast<uint16_t>(sign);
        return;
      }
      mant |= 0x800000u;
      int shift = 14 - e;
      uint32_t h = mant >> shift, rem = mant & ((1u << shift) - 1), half = 1u << (shift - 1);
      if (rem > half || (rem == half && (h & 1))) ++h;
      bits = static_cast<uint16_t>(sign | h);
      return;
    }
    uint32_t h = (static_cast<uint32_t>(e) << 10) | (mant >> 13), rem = mant & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1))) ++h;
    bits = static_cast<uint16_t>(sign | h);
  }
  operator float() const {  // NOLINT
    uint32_t sign = (bits & 0x8000u) << 16, exp = (bits >> 10) & 0x1fu, mant = bits & 0x3ffu, x;
    if (exp == 0) {
      if (mant == 0) {
        x = sign;
      } else {
        int e = -1;
        do {
          ++e;
          mant <<= 1;
        } while (!(mant & 0x400u));
        x = sign | (static_cast<uint32_t>(127 - 15 - e) << 23) | ((mant & 0x3ffu) << 13);
      }
    } else if (exp == 31) {
      x = sign | 0x7f800000u | (mant << 13);
    } else {
      x = sign | ((exp + 127 - 15) << 23) | (mant << 13);
    }
    float f;
    std::memcpy(&f, &x, 4);
    return f;
  }
};

struct BFloat16 {
  uint16_t bits = 0;
  BFloat16() = default;
  BFloat16(float f) {  // NOLINT: round to nearest even
    uint32_t x;
    std::memcpy(&x, &f, 4);
    if ((x & 0x7fffffffu) > 0x7f800000u) {
      bits = static_cast<uint16_t>((x >> 16) | 0x40u);
      return;
    }
    x += 0x7fffu + ((x >> 16) & 1u);
    bits = static_cast<uint16_t>(x >> 16);
  }
  operator float() const {  // NOLINT
    uint32_t x = static_cast<uint32_t>(bits) << 16;
    float f;
    std::memcpy(&f, &x, 4);
    return f;
  }
};

}  // namespace tapegrad
