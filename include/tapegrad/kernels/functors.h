// Scalar math, written once: small functors callable on the host and on the device. The CPU
// loops (loops.h) and the CUDA kernels (loops.cuh) both consume them, so the two agree.
#pragma once
#include <cmath>
#include <cstdint>
#include <type_traits>

#if defined(__CUDACC__)
#define TG_HD __host__ __device__
#else
#define TG_HD
#endif

namespace tapegrad {
namespace fn {

// ---- unary ----
struct NegF { template <class T> TG_HD T operator()(T x) const { return -x; } };
// Floating abs clears the sign bit, so abs(-0.0) is +0.0 as in torch (and vectorises to an and).
struct AbsF {
  template <class T> TG_HD T operator()(T x) const {
    if constexpr (std::is_floating_point<T>::value) return std::fabs(x);
    else return x < T(0) ? -x : x;
  }
};
struct SignF {
  template <class T> TG_HD T operator()(T x) const { return T((T(0) < x) - (x < T(0))); }
};
// relu keeps NaN and -0.0 (torch's relu(-0.0) is -0.0): only x < 0 becomes 0, one compare and
// a blend that vectorises.
struct ReluF {
  template <class T> TG_HD T operator()(T x) const { return x < T(0) ? T(0) : x; }
};
struct ExpF { template <class T> TG_HD T operator()(T x) const { return std::exp(x); } };
struct LogF { template <class T> TG_HD T operator()(T x) const { return std::log(x); } };
struct SinF { template <class T> TG_HD T operator()(T x) const { return std::sin(x); } };
struct CosF { template <class T> TG_HD T operator()(T x) const { return std::cos(x); } };
struct TanhF { template <class T> TG_HD T operator()(T x) const { return std::tanh(x); } };
struct SigmoidF {
  template <class T> TG_HD T operator()(T x) const { return T(1) / (T(1) + std::exp(-x)); }
};
struct SqrtF { template <class T> TG_HD T operator()(T x) const { return std::sqrt(x); } };
struct ReciprocalF { template <class T> TG_HD T operator()(T x) const { return T(1) / x; } };
struct Log1pF { template <class T> TG_HD T operator()(T x) const { return std::log1p(x); } };
struct Expm1F { template <class T> TG_HD T operator()(T x) const { return std::expm1(x); } };
struct Exp2F { template <class T> TG_HD T operator()(T x) const { return std::exp2(x); } };
struct RsqrtF { template <class T> TG_HD T operator()(T x) const { return T(1) / std::sqrt(x); } };
struct ErfF { template <class T> TG_HD T operator()(T x) const { return std::erf(x); } };
struct SiluF {
  template <class T> TG_HD T operator()(T x) const { return x / (T(1) + std::exp(-x)); }
};
// trigonometric / hyperbolic / logarithms to other bases (float results only: to_float rows)
struct TanF { template <class T> TG_HD T operator()(T x) const { return std::tan(x); } };
struct SinhF { template <class T> TG_HD T operator()(T x) const { return std::sinh(x); } };
struct CoshF { template <class T> TG_HD T operator()(T x) const { return std::cosh(x); } };
struct AsinF { template <class T> TG_HD T operator()(T x) const { return std::asin(x); } };
struct AcosF { template <class T> TG_HD T operator()(T x) const { return std::acos(x); } };
struct AtanF { template <class T> TG_HD T operator()(T x) const { return std::atan(x); } };
struct AsinhF { template <class T> TG_HD T operator()(T x) const { return std::asinh(x); } };
struct AcoshF { template <class T> TG_HD T operator()(T x) const { return std::acosh(x); } };
struct AtanhF { template <class T> TG_HD T operator()(T x) const { return std::atanh(x); } };
struct Log2F { template <class T> TG_HD T operator()(T x) const { return std::log2(x); } };
struct Log10F { template <class T> TG_HD T operator()(T x) const { return std::log10(x); } };
// Rounding: integers are already whole (and may not fit a double exactly), so they pass
// through; round is half-to-even (nearbyint in the default rounding mode), as torch's.
struct FloorF {
  template <class T> TG_HD T operator()(T x) const {
    if constexpr (std::is_integral<T>::value) return x; else return std::floor(x);
  }
};
struct CeilF {
  template <class T> TG_HD T operator()(T x) const {
    if constexpr (std::is_integral<T>::value) return x; else return std::ceil(x);
  }
};
struct RoundF {
  template <class T> TG_HD T operator()(T x) const {
    if constexpr (std::is_integral<T>::value) return x;
    else if constexpr (std::is_same<T, float>::value) return nearbyintf(x);
    else return nearbyint(x);
  }
};
struct TruncF {
  template <class T> TG_HD T operator()(T x) const {
    if constexpr (std::is_integral<T>::value) return x; else return std::trunc(x);
  }
};
struct FracF {
  template <class T> TG_HD T operator()(T x) const {
    if constexpr (std::is_integral<T>::value) return T(0); else return x - std::trunc(x);
  }
};
// gelu: exact (erf) and tanh-approximated forms.
struct GeluF {
  template <class T> TG_HD T operator()(T x) const {
    return T(0.5) * x * (T(1) + std::erf(x * T(0.70710678118654752440)));
  }
};
struct GeluTanhF {
  template <class T> TG_HD T operator()(T x) const {
    const T k = T(0.79788456080286535588);  // sqrt(2 / pi)
    return T(0.5) * x * (T(1) + std::tanh(k * (x + T(0.044715) * x * x * x)));
  }
};

// x * y + z rounded once, as torch's vectorised CPU kernels compute it (fmadd). float goes
// through double (the product is exact there, and the sum rounds to the same float but in
// vanishingly rare double-rounding ties), which vectorises without FMA hardware flags.
template <class T>
TG_HD T mul_add(T x, T y, T z) {
  if constexpr (std::is_same<T, float>::value) {
    return static_cast<float>(static_cast<double>(x) * static_cast<double>(y) +
                              static_cast<double>(z));
  } else if constexpr (std::is_floating_point<T>::value) {
    return std::fma(x, y, z);
  } else {
    return x * y + z;
  }
}

// ---- binary (a op b; add/sub carry alpha: a + alpha * b, fused as torch does) ----
template <class T>
struct AddF {
  T alpha;
  TG_HD T operator()(T a, T b) const { return alpha == T(1) ? a + b : mul_add(alpha, b, a); }
};
template <class T>
struct SubF {
  T alpha;
  TG_HD T operator()(T a, T b) const {
    return alpha == T(1) ? a - b : mul_add(static_cast<T>(-alpha), b, a);
  }
};
template <class T> struct MulF { T alpha; TG_HD T operator()(T a, T b) const { return a * b; } };
// a / b and a % b for integers without a hardware trap: division by zero (the op layer refuses
// it before any kernel runs; the guard keeps the kernel itself safe) and MIN / -1, which traps
// on x86 (SIGFPE) where torch's result wraps to MIN (and the remainder is 0).
template <class T> TG_HD T int_quot(T a, T b) {
  if (b == 0) return T(0);
  if constexpr (std::is_signed<T>::value) {
    using U = typename std::make_unsigned<T>::type;
    if (b == T(-1)) return static_cast<T>(U(0) - static_cast<U>(a));
  }
  return T(a / b);
}
template <class T> TG_HD T int_rem(T a, T b) {
  if (b == 0) return T(0);
  if constexpr (std::is_signed<T>::value) {
    if (b == T(-1)) return T(0);
  }
  return T(a % b);
}

template <class T> struct DivF {
  T alpha;
  TG_HD T operator()(T a, T b) const {
    if constexpr (std::is_integral<T>::value) {
      // integer division is only reached through floor-less paths guarded by the op layer
      return int_quot(a, b);
    } else {
      return a / b;
    }
  }
};
template <class T> struct PowF {
  T alpha;
  TG_HD T operator()(T a, T b) const {
    if constexpr (std::is_integral<T>::value) {
      if (b < 0) return a == 1 ? 1 : (a == -1 ? (b % 2 ? -1 : 1) : 0);
      T r = 1, base = a;
      for (T e = b; e > 0; e >>= 1) {
        if (e & 1) r *= base;
        base *= base;
      }
      return r;
    } else {
      return std::pow(a, b);
    }
  }
};
// maximum/minimum propagate NaN from either side, as torch does.
template <class T> struct MaximumF {
  T alpha;
  TG_HD T operator()(T a, T b) const { return a != a ? a : (b != b ? b : (a > b ? a : b)); }
};
template <class T> struct MinimumF {
  T alpha;
  TG_HD T operator()(T a, T b) const { return a != a ? a : (b != b ? b : (a < b ? a : b)); }
};

// atan2/hypot/xlogy run on floats only (the op layer promotes or refuses integer inputs); the
// integer instantiations exist because every binary row is compiled for every dtype.
template <class T> struct Atan2F {
  T alpha;
  TG_HD T operator()(T a, T b) const {
    if constexpr (std::is_integral<T>::value) return T(std::atan2(double(a), double(b)));
    else return std::atan2(a, b);
  }
};
template <class T> struct HypotF {
  T alpha;
  TG_HD T operator()(T a, T b) const {
    if constexpr (std::is_integral<T>::value) return T(std::hypot(double(a), double(b)));
    else return std::hypot(a, b);
  }
};
// xlogy(0, y) = 0 unless y is NaN; otherwise x * log(y).
template <class T> struct XlogyF {
  T alpha;
  TG_HD T operator()(T a, T b) const {
    if constexpr (std::is_integral<T>::value) {
      return a == 0 ? T(0) : T(double(a) * std::log(double(b)));
    } else {
      if (b != b) return b;
      return a == T(0) ? T(0) : a * std::log(b);
    }
  }
};
// fmod: C's truncated remainder (sign of the dividend). Integer division by zero is refused by
// the op layer before any kernel runs; the guard only keeps the kernel itself from trapping.
template <class T> struct FmodF {
  T alpha;
  TG_HD T operator()(T a, T b) const {
    if constexpr (std::is_same<T, bool>::value) return b ? false : a;
    else if constexpr (std::is_integral<T>::value) return int_rem(a, b);
    else return std::fmod(a, b);
  }
};
// remainder: Python's modulus (sign of the divisor).
template <class T> struct RemainderF {
  T alpha;
  TG_HD T operator()(T a, T b) const {
    if constexpr (std::is_integral<T>::value) {
      T r = int_rem(a, b);
      return (r != 0 && ((r < 0) != (b < 0))) ? T(r + b) : r;
    } else {
      T r = std::fmod(a, b);
      return (r != T(0) && ((r < T(0)) != (b < T(0)))) ? r + b : r;
    }
  }
};
// floor_divide: the quotient rounded toward -inf. Floats follow Python's float floordiv
// (the truncated remainder corrects the quotient, then it is rounded to the nearest whole
// number, so a / b that lands just below an integer is not floored one too far).
template <class T> struct FloorDivideF {
  T alpha;
  TG_HD T operator()(T a, T b) const {
    if constexpr (std::is_integral<T>::value) {
      T q = int_quot(a, b);
      return (int_rem(a, b) != 0 && ((a < 0) != (b < 0))) ? T(q - 1) : q;
    } else {
      if (b == T(0)) return a / b;
      T mod = std::fmod(a, b);
      T d = (a - mod) / b;
      if (mod != T(0) && ((b < T(0)) != (mod < T(0)))) d -= T(1);
      if (d == T(0)) return std::copysign(T(0), a / b);
      T f = std::floor(d);
      if (d - f > T(0.5)) f += T(1);
      return f;
    }
  }
};

// ---- comparisons (bool result) ----
struct EqF { template <class T> TG_HD bool operator()(T a, T b) const { return a == b; } };
struct NeF { template <class T> TG_HD bool operator()(T a, T b) const { return a != b; } };
struct LtF { template <class T> TG_HD bool operator()(T a, T b) const { return a < b; } };
struct LeF { template <class T> TG_HD bool operator()(T a, T b) const { return a <= b; } };
struct GtF { template <class T> TG_HD bool operator()(T a, T b) const { return a > b; } };
struct GeF { template <class T> TG_HD bool operator()(T a, T b) const { return a >= b; } };
struct LogicalAndF {
  template <class T> TG_HD bool operator()(T a, T b) const { return a != T(0) && b != T(0); }
};
struct LogicalOrF {
  template <class T> TG_HD bool operator()(T a, T b) const { return a != T(0) || b != T(0); }
};
struct LogicalXorF {
  template <class T> TG_HD bool operator()(T a, T b) const { return (a != T(0)) != (b != T(0)); }
};

}  // namespace fn
}  // namespace tapegrad

// the special-function and extra binary rows (erfc ... lcm)
#include <tapegrad/kernels/functors_special.h>
