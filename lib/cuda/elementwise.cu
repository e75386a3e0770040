// CUDA elementwise kernels: the unary/binary/compare rows of ops.def over the shared functors
// (functors.h), plus pow with a scalar, clamp, where and logical_not. Mirrors lib/cpu/
// elementwise.cpp, so both devices compute the same expression per element.
#include <cmath>
#include <type_traits>

#include <tapegrad/kernels/cuda_kernels.h>
#include <tapegrad/kernels/dispatch.h>
#include <tapegrad/kernels/functors.h>
#include <tapegrad/kernels/loops.cuh>
#include "cuda_common.cuh"

namespace tapegrad {
namespace cuda {

void launch_check() { TG_CUDA_LAUNCH_CHECK(); }

namespace {

template <class F>
struct Unary {
  template <class T> __device__ T operator()(T x) const { return F{}(x); }
};
// bool arithmetic computes in int and keeps 0/1 (add = or, mul = and), as the CPU kernel does.
template <template <class> class F>
struct BoolBinary {
  F<int> f;
  __device__ bool operator()(bool x, bool y) const { return f(x, y) != 0; }
};
template <class F>
struct Compare {
  template <class T> __device__ bool operator()(T x, T y) const { return F{}(x, y); }
};
template <class T>
struct PowScalar {
  T e;
  int mode;  // 0: x * x, 1: sqrt, 2: pow (floating); 3: integer power
  __device__ T operator()(T x) const {
    if constexpr (std::is_floating_point<T>::value) {
      return mode == 0 ? x * x : (mode == 1 ? std::sqrt(x) : std::pow(x, e));
    } else {
      return fn::PowF<T>{1}(x, e);
    }
  }
};
template <class T>
struct RPow {
  T base;
  __device__ T operator()(T x) const { return fn::PowF<T>{1}(base, x); }
};
template <class T>
struct Clamp {
  bool has_lo, has_hi;
  T l, h;
  __device__ T operator()(T x) const {
    if (x != x) return x;
    if (has_lo && x < l) x = l;
    if (has_hi && x > h) x = h;
    return x;
  }
};
struct Where {
  template <class T> __device__ T operator()(bool c, T x, T y) const { return c ? x : y; }
};
struct LogicalNot {
  template <class T> __device__ bool operator()(T x) const { return x == T(0); }
};

template <class F>
void unary_floating(const Tensor& out, const Tensor& in, const char* name) {
  dispatch_floating(in.dtype(), name, [&](auto tag) {
    using T = decltype(tag);
    map1<T, T>(out, in, Unary<F>{});
  });
}

template <class F>
void unary_numeric(const Tensor& out, const Tensor& in, const char* name) {
  dispatch_numeric(in.dtype(), name, [&](auto tag) {
    using T = decltype(tag);
    map1<T, T>(out, in, Unary<F>{});
  });
}

template <template <class> class F>
void binary_numeric(const Tensor& out, const Tensor& a, const Tensor& b, double alpha,
                    const char* name) {
  dispatch_numeric_and_bool(a.dtype(), name, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same<T, bool>::value) {
      map2<bool, bool, bool>(out, a, b, BoolBinary<F>{F<int>{static_cast<int>(alpha)}});
    } else {
      map2<T, T, T>(out, a, b, F<T>{static_cast<T>(alpha)});
    }
  });
}

}  // namespace

void unary(OpId op, const Tensor& out, const Tensor& in) {
  switch (op) {
#define TG_UNARY(Id, name, GradFn, Functor, to_float, saves) \
  case OpId::Id:                                             \
    if (to_float)                                            \
      unary_floating<fn::Functor>(out, in, #name);           \
    else                                                     \
      unary_numeric<fn::Functor>(out, in, #name);            \
    return;
#define TG_OP(Id, name, GradFn)
#include <tapegrad/ops/ops.def>
    default:
      TG_ERROR("internal: not a unary op: ", op_name(op));
  }
}

void binary(OpId op, const Tensor& out, const Tensor& a, const Tensor& b, double alpha) {
  switch (op) {
#define TG_BINARY(Id, name, GradFn, Functor, saves)       \
  case OpId::Id:                                          \
    binary_numeric<fn::Functor>(out, a, b, alpha, #name); \
    return;
#define TG_OP(Id, name, GradFn)
#include <tapegrad/ops/ops.def>
    default:
      TG_ERROR("internal: not a binary op: ", op_name(op));
  }
}

void compare(CmpId op, const Tensor& out, const Tensor& a, const Tensor& b) {
  switch (op) {
#define TG_COMPARE(Id, name, Functor)                                                  \
  case CmpId::Id:                                                                      \
    dispatch_numeric_and_bool(a.dtype(), #name, [&](auto tag) {                        \
      using T = decltype(tag);                                                         \
      map2<bool, T, T>(out, a, b, Compare<fn::Functor>{});                             \
    });                                                                                \
    return;
#define TG_OP(Id, name, GradFn)
#include <tapegrad/ops/ops.def>
    case CmpId::NumCmps:
      break;
  }
  TG_ERROR("internal: bad comparison");
}

void pow_scalar(const Tensor& out, const Tensor& in, double e) {
  dispatch_numeric(in.dtype(), "pow", [&](auto tag) {
    using T = decltype(tag);
    const int mode = e == 2.0 ? 0 : (e == 0.5 ? 1 : 2);
    map1<T, T>(out, in, PowScalar<T>{static_cast<T>(e), mode});
  });
}

void rpow(const Tensor& out, double base, const Tensor& exponent) {
  dispatch_numeric(exponent.dtype(), "pow", [&](auto tag) {
    using T = decltype(tag);
    map1<T, T>(out, exponent, RPow<T>{static_cast<T>(base)});
  });
}

void clamp(const Tensor& out, const Tensor& in, std::optional<double> lo,
           std::optional<double> hi) {
  dispatch_numeric(in.dtype(), "clamp", [&](auto tag) {
    using T = decltype(tag);
    Clamp<T> f{lo.has_value(), hi.has_value(), lo ? static_cast<T>(*lo) : T(0),
               hi ? static_cast<T>(*hi) : T(0)};
    map1<T, T>(out, in, f);
  });
}

void where(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) {
  dispatch_numeric_and_bool(a.dtype(), "where", [&](auto tag) {
    using T = decltype(tag);
    map3<T, bool, T, T>(out, cond, a, b, Where{});
  });
}

void logical_not(const Tensor& out, const Tensor& in) {
  dispatch_numeric_and_bool(in.dtype(), "logical_not", [&](auto tag) {
    using T = decltype(tag);
    map1<bool, T>(out, in, LogicalNot{});
  });
}

}  // namespace cuda
}  // namespace tapegrad
