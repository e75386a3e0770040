// The vectorised math kernels, written once over a SIMD traits struct S (lane type S::T, vector
// S::V of S::W lanes); lib/cpu/vmath_<isa>.cpp includes this inside an anonymous namespace after
// its `#pragma GCC target` and supplies the traits. See Note [Vector math accuracy].
//
// Note [Vector math accuracy]
// exp: x = n ln2 + r with n = round(x / ln2) and ln2 split in two (FMA keeps n * ln2_hi exact),
// e^r by a polynomial (degree 6 for float, fitted; 13 for double, Taylor: well under 0.1 ulp on
// |r| <= ln2 / 2), then times 2^n: AVX-512's scalef, or (AVX2) 2^n applied as two exact halves
// 2^(n/2) 2^(n - n/2), so results down in the denormal range round once and overflow gives inf; x is clamped first to a range
// where that holds (NaN passes the clamp: the SIMD min/max return their second operand for NaN).
// float32 sin/cos run in float lanes up to |x| = 2^16 (see sincos_f_pack); beyond that, and for
// tanh, in double lanes: sin/cos reduce by pi/2 split in two doubles (about 106 bits) and use
// the Taylor series on |r| <= pi/4; lanes beyond 2^20 in magnitude (rare) take libm's scalar
// path, as do infinities. Results stay within about 1 ulp of
// the correctly rounded value (1.5 for float32 sin/cos in float lanes; tests/test_vmath.py
// checks against numpy over wide ranges).
// (The including file includes <algorithm>, <cmath>, <cstring>, <limits> and <type_traits> before its
// namespaces.)

// ---- scalar constants per lane type --------------------------------------------------------

template <class T>
struct ExpConst;
template <>
struct ExpConst<float> {
  static constexpr float hi = 88.8f, lo = -104.0f;
  static constexpr float ln2_hi = 0.693147182464599609375f;      // float nearest ln 2
  static constexpr float ln2_lo = -1.904654323148236017e-09f;   // ln 2 - ln2_hi
  static constexpr float magic = 12583039.0f;                    // 1.5 * 2^23 + 127
};
template <>
struct ExpConst<double> {
  static constexpr double hi = 709.8, lo = -746.0;
  static constexpr double ln2_hi = 0.6931471805599452862267639829951804131269454956054688;
  static constexpr double ln2_lo = 2.3190468138462995584177710797133615750739959242786e-17;
  static constexpr double magic = 6755399441056767.0;            // 1.5 * 2^52 + 1023
};

// 2^k for integral k in the normal exponent range: k + magic puts k + bias in the low mantissa
// bits, and shifting the bits left by the mantissa width moves it into the exponent field.
template <class S>
inline typename S::V pow2i(typename S::V k) {
  using T = typename S::T;
  return S::shl_exp(S::add(k, S::set1(ExpConst<T>::magic)));
}

// e^r on |r| <= ln2 / 2: for float a degree-6 polynomial 1 + r + c2 r^2 + ... + c6 r^6 fitted
// for least maximum relative error on that interval (about 1e-10, far inside float's ulp; the
// Taylor series needs degree 7 for that), for double the Taylor series to degree 13.
// Coefficients from the highest degree down.
template <class T>
struct ExpPoly;
template <>
struct ExpPoly<float> {
  static constexpr int kDeg = 6;
  static constexpr float c[kDeg + 1] = {0x1.614dd0p-10f, 0x1.126cd6p-7f, 0x1.55685cp-5f,
                                        0x1.555430p-3f,  0x1.ffffe2p-2f, 1.0f,
                                        1.0f};
};
template <>
struct ExpPoly<double> {
  static constexpr int kDeg = 13;
  static constexpr double c[kDeg + 1] = {1.0 / 6227020800, 1.0 / 479001600, 1.0 / 39916800,
                                         1.0 / 3628800,    1.0 / 362880,    1.0 / 40320,
                                         1.0 / 5040,       1.0 / 720,       1.0 / 120,
                                         1.0 / 24,         1.0 / 6,         0.5,
                                         1.0,              1.0};
};

// Note [Packs of vectors]
// The exp chain is about 13 dependent operations of 4 cycles' latency each. Computed one vector
// at a time, the scheduler fills with operations waiting on their predecessors and the two FMA
// ports idle; the pack functions below advance K independent vectors in lockstep (operation by
// operation across the pack), so every step has K ready operations. On AVX-512 (K = 4) that took
// float exp from 9.0 to 7.9 TSC cycles per 16 lanes, sigmoid 13.6 to 11.9, sin 12.1 to 11.4,
// double exp 14.7 to 11.7; a 16-register ISA gets K = 2 (more would spill).
template <class S>
constexpr int kPack = sizeof(typename S::V) == 64 ? 4 : 2;

// p[j] = P(r[j]), or with Neg P(-r[j]): e^-r from the same coefficients, odd ones negated.
template <class S, bool Neg, int K>
inline void exp_poly_pack(const typename S::V (&r)[K], typename S::V (&p)[K]) {
  using T = typename S::T;
  using P = ExpPoly<T>;
  // c[i] multiplies r^(kDeg - i)
  const T c0 = Neg && (P::kDeg & 1) ? -P::c[0] : P::c[0];
  for (int j = 0; j < K; ++j) p[j] = S::set1(c0);
  for (int i = 1; i <= P::kDeg; ++i) {
    const auto ci = S::set1(Neg && ((P::kDeg - i) & 1) ? -P::c[i] : P::c[i]);
    for (int j = 0; j < K; ++j) p[j] = S::fma(p[j], r[j], ci);
  }
}

template <class S>
inline typename S::V exp_poly(typename S::V r) {
  typename S::V rr[1] = {r}, p[1];
  exp_poly_pack<S, false, 1>(rr, p);
  return p[0];
}

constexpr double kLog2e = 1.442695040888963407359924681001892137;

// Any x: clamped, and 2^n applied in two halves (see the Note).
template <class S>
inline typename S::V exp_full(typename S::V x) {
  using T = typename S::T;
  using V = typename S::V;
  using C = ExpConst<T>;
  x = S::min(S::set1(C::hi), S::max(S::set1(C::lo), x));
  const V n = S::round(S::mul(x, S::set1(T(kLog2e))));
  V r = S::fnma(n, S::set1(C::ln2_hi), x);
  r = S::fnma(n, S::set1(C::ln2_lo), r);
  const V p = exp_poly<S>(r);
  const V n1 = S::floor(S::mul(n, S::set1(T(0.5))));
  const V n2 = S::sub(n, n1);
  return S::mul(S::mul(p, pow2i<S>(n1)), pow2i<S>(n2));
}

// |x| <= kExpFast (2^n normal, no clamp): x log2e + magic rounds to n in the FMA and its bits,
// shifted, are 2^n already. NaN lanes give NaN here too.
template <class T>
constexpr T kExpFast = std::is_same<T, float>::value ? T(87) : T(708);

// Neg is sigmoid's e^-x: above this x, 1 + e^-x is 1 in T, and stopping there keeps e^-x normal
// (a denormal result costs a microcode assist: sigmoid on x in [88, 100] ran 16x slower).
template <class T>
constexpr T kNegTop = std::is_same<T, float>::value ? T(87) : T(708);

// x[j] = e^x[j] (Neg: e^-x[j] for sigmoid, x capped at kNegTop; the negation folded into the
// reduction: n = round(-x log2e), -r = x + n ln2 computed as r is, then P(-r) by
// exp_poly_pack) for a pack of K vectors.
template <class S, bool Neg, int K>
inline void exp_pack(typename S::V (&x)[K]) {
  using T = typename S::T;
  using V = typename S::V;
  using C = ExpConst<T>;
  const T sign = Neg ? T(-1) : T(1);
  const V magic = S::set1(C::magic), l2e = S::set1(sign * T(kLog2e));
  const V hi = S::set1(C::ln2_hi), lo = S::set1(C::ln2_lo);
  V t[K], n[K], r[K], p[K];
  if constexpr (S::kScalef) {
    // AVX-512's scalef multiplies by 2^n with one rounding, overflowing to inf and rounding into
    // the denormals as the exact product would: no range branch, no split 2^n. The clamp keeps
    // inf out of the reduction (inf - inf); NaN passes it (the min/max return their second
    // operand for NaN).
    const V cmax = S::set1(Neg ? kNegTop<T> : C::hi), cmin = S::set1(Neg ? -C::hi : C::lo);
    for (int j = 0; j < K; ++j) x[j] = S::min(cmax, S::max(cmin, x[j]));
  } else {
    bool wide = false;
    for (int j = 0; j < K; ++j) wide = wide || S::any_gt(S::abs(x[j]), S::set1(kExpFast<T>));
    if (wide) {  // (Neg's cap here, not on the common path: it cost AVX2 sigmoid 12%)
      for (int j = 0; j < K; ++j)
        x[j] = exp_full<S>(Neg ? S::neg(S::min(S::set1(kNegTop<T>), x[j])) : x[j]);
      return;
    }
  }
  for (int j = 0; j < K; ++j) t[j] = S::fma(x[j], l2e, magic);
  for (int j = 0; j < K; ++j) n[j] = S::sub(t[j], magic);
  if constexpr (Neg) {
    for (int j = 0; j < K; ++j) r[j] = S::fma(n[j], hi, x[j]);
    for (int j = 0; j < K; ++j) r[j] = S::fma(n[j], lo, r[j]);
  } else {
    for (int j = 0; j < K; ++j) r[j] = S::fnma(n[j], hi, x[j]);
    for (int j = 0; j < K; ++j) r[j] = S::fnma(n[j], lo, r[j]);
  }
  exp_poly_pack<S, Neg, K>(r, p);
  if constexpr (S::kScalef) {
    for (int j = 0; j < K; ++j) x[j] = S::scalef(p[j], n[j]);
  } else {
    for (int j = 0; j < K; ++j) x[j] = S::mul(p[j], S::shl_exp(t[j]));
  }
}

template <class S>
inline typename S::V exp_v(typename S::V x) {
  typename S::V v[1] = {x};
  exp_pack<S, false, 1>(v);
  return v[0];
}

// 1 / (1 + e^-x): e^-x overflowing to inf gives exactly 0, as the limit.
template <class S, int K>
inline void sigmoid_pack(typename S::V (&x)[K]) {
  using T = typename S::T;
  exp_pack<S, true, K>(x);
  const auto one = S::set1(T(1));
  for (int j = 0; j < K; ++j) x[j] = S::div(one, S::add(one, x[j]));
}

// tanh in double for float32 inputs: (t - 1) / (t + 1) with t = e^(2|x|), whose cancellation for
// small |x| costs about 1e-16 / |x| relative (far below float's ulp for |x| >= 2^-12); below that
// tanh(x) rounds to x in float. |x| is capped at 20, where tanh is 1 in float (and e^40 is finite).
template <class D, int K>
inline void tanh_d_pack(typename D::V (&x)[K]) {
  using V = typename D::V;
  const V one = D::set1(1.0);
  V ax[K], t[K];
  for (int j = 0; j < K; ++j) ax[j] = D::abs(x[j]);
  for (int j = 0; j < K; ++j) t[j] = D::mul(D::set1(2.0), D::min(D::set1(20.0), ax[j]));
  exp_pack<D, false, K>(t);
  for (int j = 0; j < K; ++j) {
    const V y = D::copysign(D::div(D::sub(t[j], one), D::add(t[j], one)), x[j]);
    x[j] = D::select_ge(ax[j], D::set1(0x1p-12), y, x[j]);
  }
}

// sin (cos_shift 0) or cos (cos_shift 1) in double: quadrant k = round(x * 2 / pi) (+1 for cos:
// cos x = sin(x + pi/2)), r = x - k pi/2 in [-pi/4, pi/4], then +-sin r or +-cos r by k mod 4.
template <class D>
inline typename D::V sincos_d(typename D::V x, double cos_shift) {
  using V = typename D::V;
  const V q = D::round(D::mul(x, D::set1(0.63661977236758134308)));
  V r = D::fnma(q, D::set1(1.5707963267948965580), x);
  r = D::fnma(q, D::set1(6.1232339957367658e-17), r);
  const V r2 = D::mul(r, r);
  V s = D::set1(1.0 / 6227020800);
  s = D::fma(s, r2, D::set1(-1.0 / 39916800));
  s = D::fma(s, r2, D::set1(1.0 / 362880));
  s = D::fma(s, r2, D::set1(-1.0 / 5040));
  s = D::fma(s, r2, D::set1(1.0 / 120));
  s = D::fma(s, r2, D::set1(-1.0 / 6));
  s = D::fma(D::mul(s, r2), r, r);
  V c = D::set1(1.0 / 87178291200);
  c = D::fma(c, r2, D::set1(-1.0 / 479001600));
  c = D::fma(c, r2, D::set1(1.0 / 3628800));
  c = D::fma(c, r2, D::set1(-1.0 / 40320));
  c = D::fma(c, r2, D::set1(1.0 / 720));
  c = D::fma(c, r2, D::set1(-1.0 / 24));
  c = D::fma(c, r2, D::set1(0.5));
  c = D::fnma(c, r2, D::set1(1.0));
  // k mod 4 as a double in {0, 1, 2, 3}
  const V k = D::add(q, D::set1(cos_shift));
  const V k4 = D::fnma(D::floor(D::mul(k, D::set1(0.25))), D::set1(4.0), k);
  const V k2 = D::fnma(D::floor(D::mul(k4, D::set1(0.5))), D::set1(2.0), k4);
  const V v = D::select_ge(k2, D::set1(1.0), c, s);         // odd quadrant: cos
  const V res = D::select_ge(k4, D::set1(2.0), D::neg(v), v);  // quadrants 2, 3: negated
  // sin x = x below 2^-27 (x^3 / 6 is under half an ulp even in double), taken as x itself so
  // that sin(-0) is -0 (the reduction turns r = -0 into +0)
  if (cos_shift != 0) return res;
  return D::select_ge(D::abs(x), D::set1(0x1p-27), res, x);
}

// sin/cos in float lanes for |x| <= 2^16: pi/2 = C1 + C2 + C3 in floats. x - q C1 is exact in the
// FMA (both are multiples of 2^-24 below 1 in magnitude), so each later step rounds once,
// relative to r, and the Taylor series to r^9 / r^10 is far inside float's ulp on |r| <= pi/4.
// q comes from adding 1.5 * 2^23, which leaves round(x 2/pi) in the low bits of t: the quadrant
// (q, +1 for cos: cos x = sin(x + pi/2)) is then read from t's bits, bit 0 choosing the cos
// polynomial and bit 1 the sign, in three integer operations instead of float floor/mod work.
// For |x| < 2^-12 sin's result is x itself (the correction term is below half an ulp), chosen
// explicitly so that sin(-0) is -0: the reduction adds q C2 = +0 to r = -0, which gives +0.
template <class S, int K>
inline void sincos_f_pack(typename S::V (&x)[K], float cos_shift) {
  using V = typename S::V;
  const V magic = S::set1(0x1.8p23f);
  V t[K], r[K], r2[K], s[K], c[K];
  for (int j = 0; j < K; ++j) t[j] = S::fma(x[j], S::set1(0.636619772367581343f), magic);
  for (int j = 0; j < K; ++j) {
    const V q = S::sub(t[j], magic);
    r[j] = S::fnma(q, S::set1(1.57079637050628662109375f), x[j]);
    r[j] = S::fnma(q, S::set1(-4.371138828673793e-08f), r[j]);
    r[j] = S::fnma(q, S::set1(-1.7151245100058819e-15f), r[j]);
  }
  for (int j = 0; j < K; ++j) r2[j] = S::mul(r[j], r[j]);
  static constexpr float cs[] = {1.0f / 362880, -1.0f / 5040, 1.0f / 120, -1.0f / 6};
  static constexpr float cc[] = {-1.0f / 3628800, 1.0f / 40320, -1.0f / 720, 1.0f / 24, -0.5f,
                                 1.0f};
  for (int j = 0; j < K; ++j) s[j] = S::set1(cs[0]);
  for (int j = 0; j < K; ++j) c[j] = S::set1(cc[0]);
  for (int i = 1; i < 4; ++i)
    for (int j = 0; j < K; ++j) s[j] = S::fma(s[j], r2[j], S::set1(cs[i]));
  for (int i = 1; i < 6; ++i)
    for (int j = 0; j < K; ++j) c[j] = S::fma(c[j], r2[j], S::set1(cc[i]));
  for (int j = 0; j < K; ++j) {
    s[j] = S::fma(S::mul(s[j], r2[j]), r[j], r[j]);
    if (cos_shift != 0) t[j] = S::add(t[j], S::set1(1.0f));  // t's ulp is 1: the quadrant plus one
    const V v = S::select_bit0(t[j], c[j], s[j]);               // odd quadrant: cos
    const V res = S::xorb(v, S::sign_of_bit1(t[j]));            // quadrants 2, 3: negated
    x[j] = cos_shift != 0 ? res : S::select_ge(S::abs(x[j]), S::set1(0x1p-12f), res, x[j]);
  }
}

// ---- array drivers ---------------------------------------------------------------------------

// Streaming output (Note [Streaming stores] in vmath.h): f(dst, start, len) computes elements
// [start, start + len) into an L1-resident buffer, which is then streamed to out (64-byte
// aligned; the buffer's length is a multiple of every vector width, so each block is too).
constexpr int64_t kStreamBlock = 1024;
template <class S>
void stream_copy(typename S::T* out, const typename S::T* buf, int64_t len) {
  int64_t i = 0;
  for (; i + S::W <= len; i += S::W) S::stream(out + i, S::load(buf + i));
  for (; i < len; ++i) out[i] = buf[i];
}
template <class S, class F>
void via_stream(typename S::T* out, int64_t n, F f) {
  alignas(64) typename S::T buf[kStreamBlock];
  for (int64_t i = 0; i < n; i += kStreamBlock) {
    const int64_t len = std::min(kStreamBlock, n - i);
    f(buf, i, len);
    stream_copy<S>(out + i, buf, len);
  }
  S::fence();
}

// out[i] = Op(in[i]) for lanes of S, kPack vectors at a time (Op::apply works on a pack, see
// Note [Packs of vectors]); the tail goes through a zero-padded lane buffer.
template <class S, class Op>
void map_lanes(typename S::T* out, const typename S::T* in, int64_t n, bool stream) {
  if (stream) return via_stream<S>(out, n, [in](typename S::T* d, int64_t s, int64_t len) {
    map_lanes<S, Op>(d, in + s, len, false);
  });
  using T = typename S::T;
  using V = typename S::V;
  constexpr int W = S::W, K = kPack<S>;
  int64_t i = 0;
  for (; i + K * W <= n; i += K * W) {
    V v[K];
    for (int j = 0; j < K; ++j) v[j] = S::load(in + i + j * W);
    Op::apply(v);
    for (int j = 0; j < K; ++j) S::store(out + i + j * W, v[j]);
  }
  for (; i + W <= n; i += W) {
    V v[1] = {S::load(in + i)};
    Op::apply(v);
    S::store(out + i, v[0]);
  }
  if (i < n) {
    T buf[W] = {};
    std::memcpy(buf, in + i, (n - i) * sizeof(T));
    V v[1] = {S::load(buf)};
    Op::apply(v);
    S::store(buf, v[0]);
    std::memcpy(out + i, buf, (n - i) * sizeof(T));
  }
}

// float32 arrays through double lanes of D (D::load_f32 / D::store_f32 convert). A vector with a
// lane for which Op::scalar_only says so goes element by element through Op::scalar (libm).
template <class D, class Op>
void map_f32_via_f64(float* out, const float* in, int64_t n) {
  constexpr int W = D::W;
  auto block = [](float* o, const float* x) {
    const auto v = D::load_f32(x);
    if (Op::kHasLimit && D::any_gt(D::abs(v), D::set1(Op::kLimit))) {
      for (int j = 0; j < W; ++j) o[j] = Op::scalar(x[j]);
    } else {
      D::store_f32(o, Op::apply(v));
    }
  };
  int64_t i = 0;
  if constexpr (!Op::kHasLimit) {  // packs in lockstep (Note [Packs of vectors])
    constexpr int K = kPack<D>;
    for (; i + K * W <= n; i += K * W) {
      typename D::V v[K];
      for (int j = 0; j < K; ++j) v[j] = D::load_f32(in + i + j * W);
      Op::apply_pack(v);
      for (int j = 0; j < K; ++j) D::store_f32(out + i + j * W, v[j]);
    }
  }
  for (; i + W <= n; i += W) block(out + i, in + i);
  if (i < n) {
    float buf[W] = {};
    std::memcpy(buf, in + i, (n - i) * sizeof(float));
    block(buf, buf);
    std::memcpy(out + i, buf, (n - i) * sizeof(float));
  }
}

// The table entry for the above: never streams (compute-bound in double lanes, the extra copy
// through a buffer measured slower at every size: Note [Streaming stores] in vmath.h).
template <class D, class Op>
void map_f32_via_f64_entry(float* out, const float* in, int64_t n, bool /*stream*/) {
  map_f32_via_f64<D, Op>(out, in, n);
}

// out[i] = Op(in[i]) for lanes of S; a vector with a lane outside the Op's range (Op::rare: sin
// and cos beyond kLimit in magnitude or infinite, log's non-normal or non-positive lanes) goes
// through Op::fallback instead.
template <class S, class Op>
void map_lanes_limited(typename S::T* out, const typename S::T* in, int64_t n, bool stream) {
  if (stream) return via_stream<S>(out, n, [in](typename S::T* d, int64_t s, int64_t len) {
    map_lanes_limited<S, Op>(d, in + s, len, false);
  });
  using T = typename S::T;
  using V = typename S::V;
  constexpr int W = S::W, K = kPack<S>;
  auto block = [](T* o, const T* x) {
    V v[1] = {S::load(x)};
    if (Op::rare(v[0])) {
      Op::fallback(o, x, W);
    } else {
      Op::apply(v);
      S::store(o, v[0]);
    }
  };
  int64_t i = 0;
  for (; i + K * W <= n; i += K * W) {  // a pack in lockstep (Note [Packs of vectors])
    V v[K];
    bool wide = false;
    for (int j = 0; j < K; ++j) {
      v[j] = S::load(in + i + j * W);
      wide = wide || Op::rare(v[j]);
    }
    if (wide) {
      for (int j = 0; j < K; ++j) block(out + i + j * W, in + i + j * W);
      continue;
    }
    Op::apply(v);
    for (int j = 0; j < K; ++j) S::store(out + i + j * W, v[j]);
  }
  for (; i + W <= n; i += W) block(out + i, in + i);
  if (i < n) {
    T buf[W] = {};
    std::memcpy(buf, in + i, (n - i) * sizeof(T));
    block(buf, buf);
    std::memcpy(out + i, buf, (n - i) * sizeof(T));
  }
}

// float32 sum: blocks of kSumBlock floats summed in float lanes (eight independent
// accumulators, so the adds are not latency-bound, and one full-width load per vector: this
// runs at the memory's read speed, where widening every element to double did not), each
// block's partial then added into double lanes. A float partial holds only 16 elements
// sequentially plus a 3-level tree, so the error stays far below a sequential float sum's and
// within torch's cascade sum's (1e7 ones are exact: no partial exceeds 128).
constexpr int64_t kSumBlock = 2048;

// The lanes of len elements (a multiple of 8 vectors) summed in eight independent accumulators
// (one would wait on the add latency every step), then a 3-level tree. Shared by the float and
// double block sums below; Sq sums the squares instead (the 2-norm), one fma per vector.
template <class V, bool Sq>
inline typename V::V sum_step(typename V::V a, typename V::V v) {
  return Sq ? V::fma(v, v, a) : V::add(a, v);
}
template <class V, bool Sq = false, class T>
auto block_sum8(const T* p, int64_t len) {
  constexpr int W = V::W;
  auto a0 = V::zero(), a1 = V::zero(), a2 = V::zero(), a3 = V::zero();
  auto a4 = V::zero(), a5 = V::zero(), a6 = V::zero(), a7 = V::zero();
  for (int64_t k = 0; k < len; k += 8 * W) {
    a0 = sum_step<V, Sq>(a0, V::load(p + k));
    a1 = sum_step<V, Sq>(a1, V::load(p + k + W));
    a2 = sum_step<V, Sq>(a2, V::load(p + k + 2 * W));
    a3 = sum_step<V, Sq>(a3, V::load(p + k + 3 * W));
    a4 = sum_step<V, Sq>(a4, V::load(p + k + 4 * W));
    a5 = sum_step<V, Sq>(a5, V::load(p + k + 5 * W));
    a6 = sum_step<V, Sq>(a6, V::load(p + k + 6 * W));
    a7 = sum_step<V, Sq>(a7, V::load(p + k + 7 * W));
  }
  return V::add(V::add(V::add(a0, a1), V::add(a2, a3)), V::add(V::add(a4, a5), V::add(a6, a7)));
}

template <class F, class D, bool Sq = false>
double sum_f32_blocked(const float* in, int64_t n) {
  constexpr int W = F::W;
  static_assert(F::W == 2 * D::W, "float lanes widen into two double vectors");
  static_assert(kSumBlock % (8 * W) == 0, "blocks are whole unrolled iterations");
  auto d0 = D::zero(), d1 = D::zero();
  int64_t i = 0;
  alignas(64) float part[W];
  while (i + 8 * W <= n) {
    const int64_t len = std::min<int64_t>(kSumBlock, (n - i) / (8 * W) * (8 * W));
    const auto t = block_sum8<F, Sq>(in + i, len);
    F::store(part, t);
    d0 = D::add(d0, D::load_f32(part));
    d1 = D::add(d1, D::load_f32(part + D::W));
    i += len;
  }
  double s = D::hsum(D::add(d0, d1));
  for (; i < n; ++i) s += Sq ? static_cast<double>(in[i]) * in[i] : in[i];
  return s;
}

// max (IsMax) or min of p[0, n), n >= 1, NaN when any element is NaN: four independent
// accumulators of S::max/min. Those keep their second operand when either is NaN, so NaNs are
// tracked apart, in one fma per vector: bad + v * 0 stays 0 unless v is NaN or infinite, and
// only then is the row scanned again for a NaN.
template <class S, bool IsMax>
inline typename S::V pick_lanes(typename S::V v, typename S::V a) {
  return IsMax ? S::max(v, a) : S::min(v, a);
}
template <class S, bool IsMax>
typename S::T extreme_lanes(const typename S::T* p, int64_t n) {
  using T = typename S::T;
  using V = typename S::V;
  constexpr int W = S::W;
  auto pick1 = [](T v, T a) { return (IsMax ? v > a : v < a) ? v : a; };
  T m = p[0];
  int64_t k = 1;
  bool scan = false;
  if (n >= 4 * W) {
    // one NaN/inf tracker per accumulator: a single one would chain the fmas' latency
    const V zero = S::zero();
    V a0 = S::load(p), a1 = S::load(p + W), a2 = S::load(p + 2 * W), a3 = S::load(p + 3 * W);
    V b0 = S::mul(a0, zero), b1 = S::mul(a1, zero), b2 = S::mul(a2, zero), b3 = S::mul(a3, zero);
    for (k = 4 * W; k + 4 * W <= n; k += 4 * W) {
      const V v0 = S::load(p + k), v1 = S::load(p + k + W);
      const V v2 = S::load(p + k + 2 * W), v3 = S::load(p + k + 3 * W);
      b0 = S::fma(v0, zero, b0);
      b1 = S::fma(v1, zero, b1);
      b2 = S::fma(v2, zero, b2);
      b3 = S::fma(v3, zero, b3);
      a0 = pick_lanes<S, IsMax>(v0, a0);
      a1 = pick_lanes<S, IsMax>(v1, a1);
      a2 = pick_lanes<S, IsMax>(v2, a2);
      a3 = pick_lanes<S, IsMax>(v3, a3);
    }
    alignas(64) T lanes[W];
    S::store(lanes, pick_lanes<S, IsMax>(pick_lanes<S, IsMax>(a3, a2), pick_lanes<S, IsMax>(a1, a0)));
    m = lanes[0];
    for (int l = 1; l < W; ++l) m = pick1(lanes[l], m);
    scan = std::isnan(S::hsum(S::add(S::add(b0, b1), S::add(b2, b3))));
  }
  for (; k < n; ++k) {
    scan = scan || p[k] != p[k];
    m = pick1(p[k], m);
  }
  if (scan || m != m)
    for (int64_t i = 0; i < n; ++i)
      if (p[i] != p[i]) return p[i];
  return m;
}

// Product of p[0, n) in double lanes, four independent accumulators: a single running product
// is a chain of dependent multiplications. Float rows are multiplied in pairs (element i by
// i + W) in float before widening: one float rounding per pair, and an overflow or underflow
// only where the pair's own product leaves float's range, which torch's float lanes (a float
// running product) hit far sooner. Widening every element instead cost twice the conversions
// and multiplications: 1.31x torch's time over 1024-float rows, where torch reads at L3 speed.
template <class D>
inline typename D::V load_wide(const float* q) { return D::load_f32(q); }
template <class D>
inline typename D::V load_wide(const double* q) { return D::load(q); }
template <class D>
inline typename D::V load_step(const float* q) { return D::load_f32_pairs(q); }
template <class D>
inline typename D::V load_step(const double* q) { return D::load(q); }
// One row into the column accumulators of a reduction over a leading dim (FoldFn in vmath.h),
// with torch's ties between +0 and -0: its vectorised column loop (blocks of 128 bytes of
// columns) keeps the row's value, its scalar loop over the remaining columns the accumulator.
// S::max/min return the second operand, the row's value, on ties and when either is NaN; the
// select then keeps a NaN accumulator (a >= a is false only for NaN).
template <class S, bool IsMax>
void extreme_fold(typename S::T* acc, const typename S::T* p, int64_t n) {
  using T = typename S::T;
  constexpr int W = S::W;
  constexpr int64_t kTorchBlock = 128 / sizeof(T);
  static_assert(kTorchBlock % W == 0, "torch's column blocks are whole vectors");
  const int64_t nv = n - n % kTorchBlock;
  for (int64_t c = 0; c < nv; c += W) {
    const auto a = S::load(acc + c);
    const auto r = pick_lanes<S, IsMax>(a, S::load(p + c));
    S::store(acc + c, S::select_ge(a, a, r, a));
  }
  for (int64_t c = nv; c < n; ++c)
    if ((IsMax ? p[c] > acc[c] : p[c] < acc[c]) || p[c] != p[c]) acc[c] = p[c];
}
template <class D, class T>
void sum_fold(double* acc, const T* p, int64_t n) {
  constexpr int W = D::W;
  int64_t c = 0;
  for (; c + W <= n; c += W) D::store(acc + c, D::add(D::load(acc + c), load_wide<D>(p + c)));
  for (; c < n; ++c) acc[c] += static_cast<double>(p[c]);
}

template <class D, class T>
double prod_lanes(const T* p, int64_t n) {
  constexpr int W = D::W;
  constexpr int S = std::is_same<T, float>::value ? 2 * W : W;  // elements per load_step
  auto a0 = D::set1(1.0), a1 = a0, a2 = a0, a3 = a0;
  int64_t k = 0;
  for (; k + 4 * S <= n; k += 4 * S) {
    a0 = D::mul(a0, load_step<D>(p + k));
    a1 = D::mul(a1, load_step<D>(p + k + S));
    a2 = D::mul(a2, load_step<D>(p + k + 2 * S));
    a3 = D::mul(a3, load_step<D>(p + k + 3 * S));
  }
  alignas(64) double lanes[W];
  D::store(lanes, D::mul(D::mul(a0, a1), D::mul(a2, a3)));
  double r = lanes[0];
  for (int l = 1; l < W; ++l) r *= lanes[l];
  for (; k < n; ++k) r *= static_cast<double>(p[k]);
  return r;
}

// float64 sum: blocks of kSumBlock64 doubles in eight independent accumulators (4 elements per
// lane, then a 3-level tree), and the block partials added with TwoSum (the rounding error of
// each addition kept in a second vector), so the partials that round stay small: more accurate
// than torch's cascade sum, at the same memory-bound speed.
constexpr int64_t kSumBlock64 = 256;

template <class S, bool Sq = false>
double sum_f64_blocked(const double* in, int64_t n) {
  constexpr int W = S::W;
  static_assert(kSumBlock64 % (8 * W) == 0, "blocks are whole unrolled iterations");
  auto hi = S::zero(), lo = S::zero();
  int64_t i = 0;
  while (i + 8 * W <= n) {
    const int64_t len = std::min<int64_t>(kSumBlock64, (n - i) / (8 * W) * (8 * W));
    const auto b = block_sum8<S, Sq>(in + i, len);
    // TwoSum: t = hi + b exactly equals t + err, whatever the magnitudes
    const auto t = S::add(hi, b);
    const auto bb = S::sub(t, hi);
    const auto err = S::add(S::sub(hi, S::sub(t, bb)), S::sub(b, bb));
    hi = t;
    lo = S::add(lo, err);
    i += len;
  }
  // lanes, error terms and the tail, compensated (Neumaier) as well: at this magnitude a plain
  // add would cost more than all the blocks did
  alignas(64) double h[W], l[W];
  S::store(h, hi);
  S::store(l, lo);
  double sum = 0, comp = 0;
  auto add = [&](double v) {
    const double t = sum + v;
    comp += std::abs(sum) >= std::abs(v) ? (sum - t) + v : (v - t) + sum;
    sum = t;
  };
  for (int k = 0; k < W; ++k) add(h[k]);
  if (!std::isfinite(sum)) return sum;  // an inf/NaN partial makes the error terms NaN
  for (int k = 0; k < W; ++k) add(l[k]);
  for (; i < n; ++i) add(Sq ? in[i] * in[i] : in[i]);
  return std::isfinite(sum) ? sum + comp : sum;
}

template <class S>
void axpy_lanes(typename S::T* out, const typename S::T* a, const typename S::T* b,
                typename S::T alpha, int64_t n) {
  constexpr int W = S::W;
  const auto al = S::set1(alpha);
  int64_t i = 0;
  for (; i + W <= n; i += W) S::store(out + i, S::fma(al, S::load(b + i), S::load(a + i)));
  for (; i < n; ++i) out[i] = std::fma(alpha, b[i], a[i]);  // FMA hardware: the same rounding
}

template <class S>
struct AddB {
  static typename S::V apply(typename S::V a, typename S::V b) { return S::add(a, b); }
  static typename S::T scalar(typename S::T a, typename S::T b) { return a + b; }
};
template <class S>
struct SubB {
  static typename S::V apply(typename S::V a, typename S::V b) { return S::sub(a, b); }
  static typename S::T scalar(typename S::T a, typename S::T b) { return a - b; }
};
template <class S>
struct MulB {
  static typename S::V apply(typename S::V a, typename S::V b) { return S::mul(a, b); }
  static typename S::T scalar(typename S::T a, typename S::T b) { return a * b; }
};
template <class S>
struct DivB {
  static typename S::V apply(typename S::V a, typename S::V b) { return S::div(a, b); }
  static typename S::T scalar(typename S::T a, typename S::T b) { return a / b; }
};

// out[i] = a[i] op b[i] (B is nullptr-free) or a[i] op bs (scalar form); Get gives b's lanes.
template <class S, class Op, class GetB, class GetBs>
void bin_loop(typename S::T* out, const typename S::T* a, int64_t n, GetB gb, GetBs gbs,
              bool stream) {
  constexpr int W = S::W;
  int64_t i = 0;
  if (stream) {
    for (; i + 2 * W <= n; i += 2 * W) {
      S::stream(out + i, Op::apply(S::load(a + i), gb(i)));
      S::stream(out + i + W, Op::apply(S::load(a + i + W), gb(i + W)));
    }
    S::fence();
  }
  for (; i + 2 * W <= n; i += 2 * W) {
    const auto x = Op::apply(S::load(a + i), gb(i));
    const auto y = Op::apply(S::load(a + i + W), gb(i + W));
    S::store(out + i, x);
    S::store(out + i + W, y);
  }
  for (; i + W <= n; i += W) S::store(out + i, Op::apply(S::load(a + i), gb(i)));
  for (; i < n; ++i) out[i] = Op::scalar(a[i], gbs(i));
}

template <class S, class Op>
void bin_lanes(typename S::T* out, const typename S::T* a, const typename S::T* b, int64_t n,
               bool stream) {
  bin_loop<S, Op>(
      out, a, n, [b](int64_t i) { return S::load(b + i); }, [b](int64_t i) { return b[i]; },
      stream);
}

template <class S, class Op>
void bin_scalar_lanes(typename S::T* out, const typename S::T* a, typename S::T b, int64_t n,
                      bool stream) {
  if (n < S::W) {  // a few elements: no vector instruction at all (a lone 512-bit broadcast
    // per call made x * 2.0 on one float 40% slower, the same instruction count notwithstanding)
    for (int64_t i = 0; i < n; ++i) out[i] = Op::scalar(a[i], b);
    return;
  }
  const auto bv = S::set1(b);
  bin_loop<S, Op>(
      out, a, n, [bv](int64_t) { return bv; }, [b](int64_t) { return b; }, stream);
}

template <class S, template <class> class... Ops>
void fill_bins(tapegrad::vmath::BinFn<typename S::T>* f,
               tapegrad::vmath::BinScalarFn<typename S::T>* fs) {
  int k = 0;
  ((f[k] = bin_lanes<S, Ops<S>>, fs[k] = bin_scalar_lanes<S, Ops<S>>, ++k), ...);
}

// ---- the ops as (vector, scalar) pairs -------------------------------------------------------

template <class S>
struct ExpOp {
  template <int K>
  static void apply(typename S::V (&x)[K]) { exp_pack<S, false, K>(x); }
};
template <class S>
struct SigmoidOp {
  template <int K>
  static void apply(typename S::V (&x)[K]) { sigmoid_pack<S, K>(x); }
};
// silu = x / (1 + e^-x), torch's vector formula: e^-x overflowing to inf gives -0 for x far
// below zero, as torch's; x above kNegTop divides by exactly 1.
template <class S>
struct SiluOp {
  template <int K>
  static void apply(typename S::V (&x)[K]) {
    typename S::V e[K];
    for (int j = 0; j < K; ++j) e[j] = x[j];
    exp_pack<S, true, K>(e);
    const auto one = S::set1(typename S::T(1));
    for (int j = 0; j < K; ++j) x[j] = S::div(x[j], S::add(one, e[j]));
  }
};
// gelu = x / 2 (1 + erf(x / sqrt(2))) with erf by Abramowitz and Stegun 7.1.26, the cheap form
// torch's vector erf is, to my knowledge, built on: erf(z) = sign(z) (1 - t r(t) e^(-z^2)),
// t = 1 / (1 + p |z|), r of degree 4 (absolute error below 1.5e-7). Not torch's bits: 61% of
// results on random inputs differ from torch's, by up to 1.4e-6 (its exp differs from this
// table's too); its error against float64 is torch's size (tests/test_erf_float.py).
// x = +inf gives inf, -inf NaN (-inf * 0).
template <class S>
struct GeluOp {
  template <int K>
  static void apply(typename S::V (&x)[K]) {
    using V = typename S::V;
    using T = typename S::T;
    const V one = S::set1(T(1)), half = S::set1(T(0.5));
    V z[K], t[K], r[K], e[K];
    for (int j = 0; j < K; ++j) z[j] = S::mul(x[j], S::set1(T(0.70710678118654752440)));
    for (int j = 0; j < K; ++j) t[j] = S::div(one, S::fma(S::set1(T(0.3275911)), S::abs(z[j]), one));
    for (int j = 0; j < K; ++j) r[j] = S::fma(S::set1(T(1.061405429)), t[j], S::set1(T(-1.453152027)));
    for (int j = 0; j < K; ++j) r[j] = S::fma(r[j], t[j], S::set1(T(1.421413741)));
    for (int j = 0; j < K; ++j) r[j] = S::fma(r[j], t[j], S::set1(T(-0.284496736)));
    for (int j = 0; j < K; ++j) r[j] = S::fma(r[j], t[j], S::set1(T(0.254829592)));
    for (int j = 0; j < K; ++j) e[j] = S::neg(S::mul(z[j], z[j]));
    exp_pack<S, false, K>(e);
    for (int j = 0; j < K; ++j) {
      const V erf = S::copysign(S::fma(S::mul(S::neg(e[j]), t[j]), r[j], one), z[j]);
      x[j] = S::mul(S::mul(x[j], half), S::add(one, erf));
    }
  }
};
template <class D>
struct TanhOp {
  static constexpr bool kHasLimit = false;
  static constexpr double kLimit = 0;
  static typename D::V apply(typename D::V x) {
    typename D::V v[1] = {x};
    tanh_d_pack<D, 1>(v);
    return v[0];
  }
  template <int K>
  static void apply_pack(typename D::V (&x)[K]) { tanh_d_pack<D, K>(x); }
  static float scalar(float x) { return std::tanh(x); }
};
template <class D, int kCos>
struct SinCosOp {
  static constexpr bool kHasLimit = true;
  static constexpr double kLimit = 1048576.0;  // 2^20; also sends inf to libm
  static typename D::V apply(typename D::V x) { return sincos_d<D>(x, kCos); }
  static float scalar(float x) { return kCos ? std::cos(x) : std::sin(x); }
};

// float32 sin/cos in float lanes; larger arguments take the double-lane path above.
template <class F32, class F64, int kCos>
struct SinCosF32Op {
  static constexpr float kLimit = 65536.0f;
  static bool rare(typename F32::V v) { return F32::any_gt(F32::abs(v), F32::set1(kLimit)); }
  template <int K>
  static void apply(typename F32::V (&x)[K]) { sincos_f_pack<F32, K>(x, kCos); }
  static void fallback(float* o, const float* x, int64_t n) {
    map_f32_via_f64<F64, SinCosOp<F64, kCos>>(o, x, n);
  }
};

// log's argument reduction, for positive normal x: x = m 2^e with m in [sqrt(1/2), sqrt(2)),
// f = m - 1 (exact) and s = f / (2 + f), so that log m = 2 atanh(s).
template <class S>
inline void log_reduce(typename S::V x, typename S::V* e, typename S::V* f, typename S::V* s) {
  using T = typename S::T;
  using V = typename S::V;
  const V one = S::set1(T(1)), sqrt2 = S::set1(T(1.4142135623730951));
  V m = S::split_exp(x, e);
  *e = S::select_ge(m, sqrt2, S::add(*e, one), *e);
  m = S::select_ge(m, sqrt2, S::mul(m, S::set1(T(0.5))), m);
  *f = S::sub(m, one);
  *s = S::div(*f, S::add(S::set1(T(2)), *f));
}

// float32 log in float lanes: x = m 2^e with m in [sqrt(1/2), sqrt(2)), f = m - 1 (exact),
// s = f / (2 + f) (|s| < 0.172), and log m = 2 atanh(s) = 2s + s R(s^2) with R the series'
// tail 2s^2/3 + 2s^4/5 + 2s^6/7 + 2s^8/9 (the next term is below 1e-9 relative). Written as
// f - (f^2/2 - s (f^2/2 + R)), since 2s = f - s f: the leading term f is exact and the rest
// small, so the roundings of the division and the series barely reach the result. Then
// log x = e ln2_hi + (e ln2_lo + log m), the last step one fma. Under 1 ulp (tests/test_vmath.py
// measures it). Lanes outside [FLT_MIN, FLT_MAX] (zero, negatives, denormals, inf, NaN) take
// libm. glibc's logf costs 2.4x torch's vector log per element.
template <class F32>
struct LogF32Op {
  using V = typename F32::V;
  static bool rare(V v) {
    return F32::any_outside(v, std::numeric_limits<float>::min(), std::numeric_limits<float>::max());
  }
  template <int K>
  static void apply(V (&x)[K]) {
    const V half = F32::set1(0.5f);
    for (int j = 0; j < K; ++j) {
      V e, f, s;
      log_reduce<F32>(x[j], &e, &f, &s);
      const V z = F32::mul(s, s);
      V r = F32::fma(z, F32::set1(2.0f / 9), F32::set1(2.0f / 7));
      r = F32::fma(z, r, F32::set1(2.0f / 5));
      r = F32::fma(z, r, F32::set1(2.0f / 3));
      r = F32::mul(z, r);
      const V hf2 = F32::mul(F32::mul(f, f), half);
      const V logm = F32::sub(f, F32::fnma(s, F32::add(hf2, r), hf2));
      x[j] = F32::fma(e, F32::set1(ExpConst<float>::ln2_hi),
                      F32::fma(e, F32::set1(ExpConst<float>::ln2_lo), logm));
    }
  }
  static void fallback(float* o, const float* x, int64_t n) {
    for (int64_t i = 0; i < n; ++i) o[i] = std::log(x[i]);
  }
};

// torch's rsqrt, reciprocal and x ** -2 round 1 / sqrt(x), 1 / x and 1 / (x * x) as written.
template <class S>
struct RsqrtOp {
  template <int K>
  static void apply(typename S::V (&x)[K]) {
    for (int j = 0; j < K; ++j) x[j] = S::div(S::set1(1), S::sqrt(x[j]));
  }
};
template <class S>
struct ReciprocalOp {
  template <int K>
  static void apply(typename S::V (&x)[K]) {
    for (int j = 0; j < K; ++j) x[j] = S::div(S::set1(1), x[j]);
  }
};

template <class S>
struct InvSquareOp {
  template <int K>
  static void apply(typename S::V (&x)[K]) {
    for (int j = 0; j < K; ++j) x[j] = S::div(S::set1(1), S::mul(x[j], x[j]));
  }
};

// log of positive normal doubles to ~1e-15 relative (enough for a float result): x = m 2^e with
// m in [sqrt(1/2), sqrt(2)), s = (m - 1) / (m + 1) (|s| < 0.172), log m = 2 atanh(s), its series
// to s^15 (the next term is 3e-14 of the result).
template <class D>
inline typename D::V log_d(typename D::V x) {
  using V = typename D::V;
  V e, f, s;
  log_reduce<D>(x, &e, &f, &s);
  const V z = D::mul(s, s);
  V r = D::fma(z, D::set1(2.0 / 15), D::set1(2.0 / 13));
  r = D::fma(z, r, D::set1(2.0 / 11));
  r = D::fma(z, r, D::set1(2.0 / 9));
  r = D::fma(z, r, D::set1(2.0 / 7));
  r = D::fma(z, r, D::set1(2.0 / 5));
  r = D::fma(z, r, D::set1(2.0 / 3));
  const V logm = D::fma(s, D::mul(z, r), D::add(s, s));
  return D::fma(e, D::set1(0.6931471805599453), logm);
}

// float32 x ** e as exp(e log x) in double lanes: the double log and exp err by ~1e-14
// relative, far below half a float ulp (6e-8), so the result is the correctly rounded one but
// for about one element in a million, as glibc's powf nearly is (torch's vector powf errs by up
// to 1 ulp). Vectors with a lane that is not a positive normal float, or whose e log x leaves
// (-87, 87) (results near float's overflow or in its denormals), take libm's double pow per
// element, rounded to float: torch's scalar loop does the same (glibc's powf misrounds about 4
// results in 10^4).
template <class D>
void pow_f32_lanes(float* out, const float* in, float e, int64_t n) {
  constexpr int W = D::W;
  const auto ev = D::set1(e);
  auto block = [&](float* o, const float* x) {
    const auto v = D::load_f32(x);
    if (!D::any_outside(v, std::numeric_limits<float>::min(), std::numeric_limits<float>::max())) {
      const auto t = D::mul(ev, log_d<D>(v));
      if (!D::any_gt(D::abs(t), D::set1(87.0))) {
        D::store_f32(o, exp_v<D>(t));
        return;
      }
    }
    for (int j = 0; j < W; ++j) o[j] = static_cast<float>(std::pow(double(x[j]), double(e)));
  };
  constexpr int K = 4;  // independent vectors in lockstep: the chain of one is latency-bound
  const float lo = std::numeric_limits<float>::min(), hi = std::numeric_limits<float>::max();
  int64_t i = 0;
  for (; i + K * W <= n; i += K * W) {
    typename D::V t[K];
    bool rare = false;
    for (int j = 0; j < K; ++j) {
      t[j] = D::load_f32(in + i + j * W);
      rare = rare || D::any_outside(t[j], lo, hi);
    }
    if (!rare) {
      for (int j = 0; j < K; ++j) t[j] = D::mul(ev, log_d<D>(t[j]));
      for (int j = 0; j < K; ++j) rare = rare || D::any_gt(D::abs(t[j]), D::set1(87.0));
    }
    if (rare) {
      for (int j = 0; j < K; ++j) block(out + i + j * W, in + i + j * W);
      continue;
    }
    exp_pack<D, false, K>(t);
    for (int j = 0; j < K; ++j) D::store_f32(out + i + j * W, t[j]);
  }
  for (; i + W <= n; i += W) block(out + i, in + i);
  if (i < n) {
    float buf[W];
    for (int j = 0; j < W; ++j) buf[j] = i + j < n ? in[i + j] : 1.0f;
    block(buf, buf);
    std::memcpy(out + i, buf, (n - i) * sizeof(float));
  }
}

// abs clears the sign bit (NaN's too, as torch does), neg flips it, relu is max(0, x): x86's max
// returns its second operand on ties and NaN, so relu(-0) = -0 and a NaN keeps its sign, torch's
// bits.
template <class S>
struct AbsOp {
  template <int K>
  static void apply(typename S::V (&x)[K]) {
    for (int j = 0; j < K; ++j) x[j] = S::abs(x[j]);
  }
};
template <class S>
struct NegOp {
  template <int K>
  static void apply(typename S::V (&x)[K]) {
    for (int j = 0; j < K; ++j) x[j] = S::neg(x[j]);
  }
};
template <class S>
struct ReluOp {
  template <int K>
  static void apply(typename S::V (&x)[K]) {
    for (int j = 0; j < K; ++j) x[j] = S::max(S::zero(), x[j]);
  }
};

// out = g * cos(x): cos of a block into an L1-resident buffer by the cos kernel above, then the
// product, so the values are those of the two separate ops without a full-size temporary.
template <class F32, class F64>
void mul_cos_f32(float* out, const float* g, int64_t g_step, const float* x, int64_t n,
                 bool stream) {
  constexpr int64_t kBlock = 1024;
  alignas(64) float c[kBlock];
  for (int64_t i = 0; i < n; i += kBlock) {
    const int64_t len = std::min(kBlock, n - i);
    map_lanes_limited<F32, SinCosF32Op<F32, F64, 1>>(c, x + i, len, false);
    if (g_step == 0) {
      bin_scalar_lanes<F32, MulB<F32>>(out + i, c, *g, len, stream);
    } else {
      bin_lanes<F32, MulB<F32>>(out + i, c, g + i, len, stream);
    }
  }
}

// oa = g * b, ob = g * a: one read of each operand for both products.
template <class S>
void mul_pair(typename S::T* oa, typename S::T* ob, const typename S::T* g, int64_t g_step,
              const typename S::T* a, const typename S::T* b, int64_t n, bool stream) {
  constexpr int W = S::W;
  auto st = [stream](typename S::T* p, typename S::V v) {
    if (stream) S::stream(p, v);
    else S::store(p, v);
  };
  int64_t i = 0;
  if (g_step == 0) {
    const auto gv = S::set1(*g);
    for (; i + W <= n; i += W) {
      st(oa + i, S::mul(gv, S::load(b + i)));
      st(ob + i, S::mul(gv, S::load(a + i)));
    }
  } else {
    for (; i + W <= n; i += W) {
      const auto gv = S::load(g + i);
      st(oa + i, S::mul(gv, S::load(b + i)));
      st(ob + i, S::mul(gv, S::load(a + i)));
    }
  }
  if (stream) S::fence();
  for (; i < n; ++i) {
    const auto gi = g[i * g_step];
    oa[i] = gi * b[i];
    ob[i] = gi * a[i];
  }
}

// The table for one instruction set: F32 / F64 are the float and double lane traits.
// The float32 and float64 entries of a map written once for either lane type.
template <template <class> class Op, class F32, class F64>
void map_both(tapegrad::vmath::VecSet& s, tapegrad::vmath::Fn k) {
  s.f32[k] = map_lanes<F32, Op<F32>>;
  s.f64[k] = map_lanes<F64, Op<F64>>;
}

template <class F32, class F64>
tapegrad::vmath::VecSet make_set(const char* name) {
  using namespace tapegrad::vmath;
  VecSet s{};
  s.name = name;
  s.f32[kExp] = map_lanes<F32, ExpOp<F32>>;
  s.f32[kSigmoid] = map_lanes<F32, SigmoidOp<F32>>;
  s.f32[kTanh] = map_f32_via_f64_entry<F64, TanhOp<F64>>;
  s.f32[kSin] = map_lanes_limited<F32, SinCosF32Op<F32, F64, 0>>;
  s.f32[kCos] = map_lanes_limited<F32, SinCosF32Op<F32, F64, 1>>;
  s.f32[kLog] = map_lanes_limited<F32, LogF32Op<F32>>;
  map_both<SiluOp, F32, F64>(s, kSilu);
  s.f32[kGelu] = map_lanes<F32, GeluOp<F32>>;
  map_both<RsqrtOp, F32, F64>(s, kRsqrt);
  map_both<ReciprocalOp, F32, F64>(s, kReciprocal);
  map_both<InvSquareOp, F32, F64>(s, kInvSquare);
  map_both<AbsOp, F32, F64>(s, kAbs);
  map_both<NegOp, F32, F64>(s, kNeg);
  map_both<ReluOp, F32, F64>(s, kRelu);
  s.pow_f32 = pow_f32_lanes<F64>;
  s.f64[kExp] = map_lanes<F64, ExpOp<F64>>;
  s.f64[kSigmoid] = map_lanes<F64, SigmoidOp<F64>>;
  s.sum_f32 = sum_f32_blocked<F32, F64>;
  s.sum_f64 = sum_f64_blocked<F64>;
  s.sumsq_f32 = sum_f32_blocked<F32, F64, true>;
  s.sumsq_f64 = sum_f64_blocked<F64, true>;
  s.max_f32 = extreme_lanes<F32, true>;
  s.min_f32 = extreme_lanes<F32, false>;
  s.max_f64 = extreme_lanes<F64, true>;
  s.min_f64 = extreme_lanes<F64, false>;
  s.fold_max_f32 = extreme_fold<F32, true>;
  s.fold_min_f32 = extreme_fold<F32, false>;
  s.fold_max_f64 = extreme_fold<F64, true>;
  s.fold_min_f64 = extreme_fold<F64, false>;
  s.fold_sum_f32 = sum_fold<F64, float>;
  s.fold_sum_f64 = sum_fold<F64, double>;
  s.prod_f32 = prod_lanes<F64, float>;
  s.prod_f64 = prod_lanes<F64, double>;
  s.axpy_f32 = axpy_lanes<F32>;
  s.axpy_f64 = axpy_lanes<F64>;
  fill_bins<F32, AddB, SubB, MulB, DivB>(s.bin_f32, s.bin_s_f32);  // the order of enum Bin
  fill_bins<F64, AddB, SubB, MulB, DivB>(s.bin_f64, s.bin_s_f64);
  s.mul_cos_f32 = mul_cos_f32<F32, F64>;
  s.mul_pair_f32 = mul_pair<F32>;
  s.mul_pair_f64 = mul_pair<F64>;
  return s;
}
