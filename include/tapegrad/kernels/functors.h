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
struct AbsF {
  template <class T> TG_HD T operator()(T x) const { return x < T(0) ? -x : x; }
};
struct SignF {
  template <class T> TG_HD T operator()(T x) const { return T((T(0) < x) - (x < T(0))); }
};
// relu propagates NaN, as torch's clamp_min(0) does.
struct ReluF {
  template <class T> TG_HD T operator()(T x) const { return x > T(0) || x != x ? x : T(0); }
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
template <class T> struct DivF {
  T alpha;
  TG_HD T operator()(T a, T b) const {
    if constexpr (std::is_integral<T>::value) {
      // integer division is only reached through floor-less paths guarded by the op layer
      return b == 0 ? T(0) : a / b;
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
