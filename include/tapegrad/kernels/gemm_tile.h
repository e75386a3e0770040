// The GEMM register-tile micro-kernel, written once over a small vector-traits type VT
// (internal; included by lib/cpu/gemm_*.cpp after their target pragma, inside an anonymous
// namespace). C[MR x NR] (=|+=) sum_k A[0..MR)[k] (outer) Bp[k][0..NR), NR = NV vectors.
// A is read in place through its strides (rsa, csa): a packed panel is rsa = 1, csa = MR, and
// a row-major or transposed operand needs no packing at all, because each A element is only
// broadcast (one load either way). The accumulators are a fully unrolled MR x NV array, which
// GCC keeps in registers.
template <class VT, int MR_, int NV>
struct TileRows {
  using Vec = VT;
  using T = typename VT::T;
  using V = typename VT::V;
  static constexpr int MR = MR_;
  static constexpr int NR = NV * VT::W;
  static constexpr int kPrefetchK = 8;

  static void tile(int64_t kc, const T* __restrict a, int64_t rsa, int64_t csa,
                   const T* __restrict b, T* __restrict c, int64_t ldc, bool accumulate) {
    // Start fetching the C tile now: its rows are far apart, the hardware prefetcher does not
    // guess them, and the k loop is long enough to hide the misses.
#pragma GCC unroll 32
    for (int i = 0; i < MR; ++i) {
#pragma GCC unroll 8
      for (int j = 0; j < NR * static_cast<int>(sizeof(T)); j += 64)  // every line of the row
        __builtin_prefetch(reinterpret_cast<const char*>(c + i * ldc) + j, 1, 3);
    }
    V r[MR][NV];
#pragma GCC unroll 32
    for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) r[i][j] = VT::zero();
    // One pointer per group of 3 rows: rows g*3 + {0, 1, 2} are then p, p + rsa, p + 2*rsa,
    // which x86 addressing reaches from one stride register, so the loop needs a handful of
    // general registers instead of one per row (GCC spilled those with MR = 12).
    constexpr int G = (MR + 2) / 3;
    const T* ag[G];
#pragma GCC unroll 8
    for (int g = 0; g < G; ++g) ag[g] = a + 3 * g * rsa;
    for (int64_t k = 0; k < kc; ++k) {
      // B panels come from L2 (gemm_driver.h); fetch them kPrefetchK steps ahead (the packed
      // panels are consecutive, so the last steps fetch the start of the next panel).
#pragma GCC unroll 4
      for (int j = 0; j < NR * static_cast<int>(sizeof(T)); j += 64)
        __builtin_prefetch(reinterpret_cast<const char*>(b + kPrefetchK * NR) + j, 0, 3);
      V bv[NV];
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) bv[j] = VT::load(b + j * VT::W);
#pragma GCC unroll 32
      for (int i = 0; i < MR; ++i) {
        const V av = VT::bcast(ag[i / 3] + (i % 3) * rsa);
#pragma GCC unroll 4
        for (int j = 0; j < NV; ++j) r[i][j] = VT::fma(av, bv[j], r[i][j]);
      }
#pragma GCC unroll 8
      for (int g = 0; g < G; ++g) ag[g] += csa;
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

// Picks the kernel for the first mr rows (edge rows cost only what they compute).
template <class VT, int M, int NV>
struct TileDispatch {
  static void run(int64_t mr, int64_t kc, const typename VT::T* a, int64_t rsa, int64_t csa,
                  const typename VT::T* b, typename VT::T* c, int64_t ldc, bool accumulate) {
    if (mr == M) TileRows<VT, M, NV>::tile(kc, a, rsa, csa, b, c, ldc, accumulate);
    else TileDispatch<VT, M - 1, NV>::run(mr, kc, a, rsa, csa, b, c, ldc, accumulate);
  }
};
template <class VT, int NV>
struct TileDispatch<VT, 0, NV> {
  static void run(int64_t, int64_t, const typename VT::T*, int64_t, int64_t,
                  const typename VT::T*, typename VT::T*, int64_t, bool) {}
};

// The kernel policy's tiles: `tile` for MR rows, `tile_rows` for the first mr of them.
template <class VT, int MR_, int NV>
struct Tile : TileRows<VT, MR_, NV> {
  static void tile_rows(int64_t mr, int64_t kc, const typename VT::T* a, int64_t rsa,
                        int64_t csa, const typename VT::T* b, typename VT::T* c, int64_t ldc,
                        bool accumulate) {
    TileDispatch<VT, MR_, NV>::run(mr, kc, a, rsa, csa, b, c, ldc, accumulate);
  }
};
