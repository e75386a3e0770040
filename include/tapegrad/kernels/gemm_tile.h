// The GEMM register-tile micro-kernel, written once over a small vector-traits type V (internal;
// included by lib/cpu/gemm_*.cpp after their target pragma, inside an anonymous namespace).
// C[MR x NR] (=|+=) sum_k Ap[k][0..MR) (outer) Bp[k][0..NR), NR = NV vectors. The accumulators
// are a fully unrolled MR x NV array, which GCC keeps in registers.
template <class VT, int MR_, int NV>
struct Tile {
  using T = typename VT::T;
  using V = typename VT::V;
  static constexpr int MR = MR_;
  static constexpr int NR = NV * VT::W;

  static void tile(int64_t kc, const T* __restrict a, const T* __restrict b, T* __restrict c,
                   int64_t ldc, bool accumulate) {
    V r[MR][NV];
#pragma GCC unroll 32
    for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) r[i][j] = VT::zero();
    for (int64_t k = 0; k < kc; ++k) {
      V bv[NV];
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) bv[j] = VT::load(b + j * VT::W);
#pragma GCC unroll 32
      for (int i = 0; i < MR; ++i) {
        const V av = VT::bcast(a + i);
#pragma GCC unroll 4
        for (int j = 0; j < NV; ++j) r[i][j] = VT::fma(av, bv[j], r[i][j]);
      }
      a += MR;
      b += NR;
    }
#pragma GCC unroll 32
    for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) {
        T* p = c + i * ldc + j * VT::W;
        VT::store(p, accumulate ? VT::add(VT::load(p), r[i][j]) : r[i][j]);
      }
  }
};
