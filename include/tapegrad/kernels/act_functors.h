// The pointwise activations that take arguments (leaky_relu's slope, elu's alpha/scale, the
// shrink lambdas, ...): one functor each, callable on the host and on the device, and
// with_act_functor, which picks the functor for an ActKind so lib/cpu/activation.cpp and
// lib/cuda/activation.cu run the same formulas. NaN passes through as torch's kernels pass it.
#pragma once
#include <tapegrad/kernels/functors.h>

namespace tapegrad {
namespace kern {

// Which activation kern::activation computes; p[] holds its arguments in this order.
enum class ActKind : int {
  LeakyRelu,    // p: negative_slope
  Elu,          // p: alpha, scale, input_scale (selu and celu are elu with these set)
  Hardtanh,     // p: min_val, max_val
  Hardsigmoid,
  Hardswish,
  Mish,
  LogSigmoid,
  Softshrink,   // p: lambd
  Hardshrink,   // p: lambd
  Threshold,    // p: threshold, value
};

}  // namespace kern

namespace fn {

template <class T> struct LeakyReluP {
  T s;
  TG_HD T operator()(T x) const { return x > T(0) ? x : x * s; }
};
template <class T> struct EluP {
  T alpha, scale, input_scale;
  TG_HD T operator()(T x) const {
    // 0 takes the linear branch: torch's elu(0, alpha=inf) is 0, not 0 * inf
    return x >= T(0) ? x * scale : std::expm1(x * input_scale) * alpha * scale;
  }
};
// Comparisons are false for NaN, so NaN falls through to x. hardtanh_ does not check lo <= hi
// (F.hardtanh does): torch clamps, min(max(x, lo), hi), so hi wins then.
template <class T> struct HardtanhP {
  T lo, hi;
  TG_HD T operator()(T x) const {
    const T y = x < lo ? lo : x;
    return y > hi ? hi : y;
  }
};
template <class T> struct HardsigmoidP {
  TG_HD T operator()(T x) const {
    T y = x + T(3);
    y = y < T(0) ? T(0) : (y > T(6) ? T(6) : y);
    return y / T(6);
  }
};
template <class T> struct HardswishP {
  TG_HD T operator()(T x) const {
    T y = x + T(3);
    y = y < T(0) ? T(0) : (y > T(6) ? T(6) : y);
    return x * y / T(6);
  }
};
template <class T> struct MishP {
  TG_HD T operator()(T x) const { return x * std::tanh(std::log1p(std::exp(x))); }
};
// log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)): no overflow for either sign.
template <class T> struct LogSigmoidP {
  TG_HD T operator()(T x) const {
    const T m = x < T(0) ? x : T(0);
    return m - std::log1p(std::exp(-(x < T(0) ? -x : x)));
  }
};
// x * 0 in the middle band keeps NaN a NaN.
template <class T> struct SoftshrinkP {
  T l;
  TG_HD T operator()(T x) const { return x > l ? x - l : (x < -l ? x + l : x * T(0)); }
};
template <class T> struct HardshrinkP {
  T l;
  TG_HD T operator()(T x) const { return (x >= -l && x <= l) ? T(0) : x; }
};
template <class T> struct ThresholdP {
  T th, value;
  TG_HD T operator()(T x) const { return x <= th ? value : x; }
};

}  // namespace fn

namespace kern {

// Calls run(functor) with the functor of `kind` over element type T, its arguments from p.
template <class T, class Run>
void with_act_functor(ActKind kind, const double* p, Run&& run) {
  switch (kind) {
    case ActKind::LeakyRelu: run(fn::LeakyReluP<T>{T(p[0])}); return;
    case ActKind::Elu: run(fn::EluP<T>{T(p[0]), T(p[1]), T(p[2])}); return;
    case ActKind::Hardtanh: run(fn::HardtanhP<T>{T(p[0]), T(p[1])}); return;
    case ActKind::Hardsigmoid: run(fn::HardsigmoidP<T>{}); return;
    case ActKind::Hardswish: run(fn::HardswishP<T>{}); return;
    case ActKind::Mish: run(fn::MishP<T>{}); return;
    case ActKind::LogSigmoid: run(fn::LogSigmoidP<T>{}); return;
    case ActKind::Softshrink: run(fn::SoftshrinkP<T>{T(p[0])}); return;
    case ActKind::Hardshrink: run(fn::HardshrinkP<T>{T(p[0])}); return;
    case ActKind::Threshold: run(fn::ThresholdP<T>{T(p[0]), T(p[1])}); return;
  }
}

}  // namespace kern
}  // namespace tapegrad
