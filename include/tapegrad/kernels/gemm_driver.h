// The blocked GEMM loop nest shared by every instruction set (internal; included only by
// lib/cpu/gemm_*.cpp, inside an anonymous namespace after the file's `#pragma GCC target`, so
// that packing and the micro-kernel compile for that instruction set and nothing here becomes
// an external symbol another file could pick up). It includes no headers for the same reason.
//
// Layout (row-major C = A @ B): B is packed per (KC x NC) block into panels of NR columns,
// stored k-major ([k][NR]) and zero-padded to full NR; that block is sized to stay in L2. A is
// packed per (MC x KC) block into panels of MR rows ([k][MR]), or read in place when N is small
// (gemm_blocked). The micro-kernel multiplies one
// A panel (MR x KC, small enough to stay in L1) by every B panel of the block in turn (jr
// innermost), streaming the B panels from L2 with software prefetch; the other order (one B
// panel in L1, A panels streaming) left the B panel too little of L1 and ran 5-15% slower.
// x @ W.t() with M < N is computed as (W @ x.t()).t(), so that the transposed operand packed
// per NC block is the smaller one (gemm_entry). Edge rows use a kernel for exactly mr rows;
// edge columns (and transposed results) go through a small buffer.
//
// A kernel policy K provides: T, MR, NR, KC, MC, NC, and
//   static void tile(int64_t kc, const T* a, int64_t rsa, int64_t csa, const T* b, T* c,
//                    int64_t ldc, bool accumulate);
//   static void tile_rows(int64_t mr, ...same...);  // only the first mr (< MR) rows

inline int64_t gmin(int64_t a, int64_t b) { return a < b ? a : b; }

// Transposes MR rows (of A, or NR columns of a transposed B) that are contiguous in k into
// Ap[k][MR] with 4x4 (float) or 2x2 (double) register transposes: one vector store per 4 (2)
// elements instead of one scalar store each, which made packing a tenth of the run time at
// n = 256..1024. Returns how many k it packed; the caller finishes the rest (and rows past the
// last full group).
#ifdef TG_GEMM_SSE
// Rows 4g..4g+3, k..k+3 of A into Ap (one 4x4 transpose).
template <int MR>
inline void pack_a_rows_4x4(int64_t k, int g, const float* a, int64_t rsa, float* Ap) {
  const float* r = a + 4 * g * rsa + k;
  __m128 r0 = _mm_loadu_ps(r), r1 = _mm_loadu_ps(r + rsa), r2 = _mm_loadu_ps(r + 2 * rsa),
         r3 = _mm_loadu_ps(r + 3 * rsa);
  _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
  _mm_storeu_ps(Ap + (k + 0) * MR + 4 * g, r0);
  _mm_storeu_ps(Ap + (k + 1) * MR + 4 * g, r1);
  _mm_storeu_ps(Ap + (k + 2) * MR + 4 * g, r2);
  _mm_storeu_ps(Ap + (k + 3) * MR + 4 * g, r3);
}
template <int MR>
int64_t pack_a_rows_simd(int64_t kc, const float* a, int64_t rsa, float* Ap) {
  constexpr int G = MR / 4;
  int64_t k = 0;
  // 16 k (a cache line of each row) per step, one group of four rows at a time, so each line
  // is used up before the next rows are read. Four k per step over all MR rows (up to 32)
  // came back to each line four times, and at a leading dimension of a multiple of 4 KiB all
  // those lines share one L1 set, so the returns missed.
  for (; k + 16 <= kc; k += 16) {
#pragma GCC unroll 8
    for (int g = 0; g < G; ++g)
#pragma GCC unroll 4
      for (int d = 0; d < 16; d += 4) pack_a_rows_4x4<MR>(k + d, g, a, rsa, Ap);
    for (int i = 4 * G; i < MR; ++i)
      for (int d = 0; d < 16; ++d) Ap[(k + d) * MR + i] = a[i * rsa + k + d];
  }
  for (; k + 4 <= kc; k += 4) {
#pragma GCC unroll 8
    for (int g = 0; g < G; ++g) pack_a_rows_4x4<MR>(k, g, a, rsa, Ap);
    for (int i = 4 * G; i < MR; ++i)
      for (int d = 0; d < 4; ++d) Ap[(k + d) * MR + i] = a[i * rsa + k + d];
  }
  return k;
}
template <int MR>
int64_t pack_a_rows_simd(int64_t kc, const double* a, int64_t rsa, double* Ap) {
  constexpr int G = MR / 2;
  int64_t k = 0;
  for (; k + 2 <= kc; k += 2) {
#pragma GCC unroll 8
    for (int g = 0; g < G; ++g) {
      const double* r = a + 2 * g * rsa + k;
      const __m128d r0 = _mm_loadu_pd(r), r1 = _mm_loadu_pd(r + rsa);
      _mm_storeu_pd(Ap + (k + 0) * MR + 2 * g, _mm_unpacklo_pd(r0, r1));
      _mm_storeu_pd(Ap + (k + 1) * MR + 2 * g, _mm_unpackhi_pd(r0, r1));
    }
    for (int i = 2 * G; i < MR; ++i)
      for (int d = 0; d < 2; ++d) Ap[(k + d) * MR + i] = a[i * rsa + k + d];
  }
  return k;
}
#else
template <int MR, class T>
int64_t pack_a_rows_simd(int64_t, const T*, int64_t, T*) { return 0; }
#endif

// Packs n lines of a kc-long operand slice into panels of W: dst[p][k][w] = src[k * sk +
// (p * W + w) * sw], lines past n zero. A is packed with W = MR (lines = rows, sk = csa), B
// with W = NR (lines = columns, sk = rsb).
template <int W, class T>
void pack_panels(int64_t kc, int64_t n, const T* src, int64_t sk, int64_t sw, T* dst) {
  const int64_t full = n / W * W;
  if (sw == 1 && full > 0) {
    // Lines contiguous (row-major B, transposed A): k outer, so each source row is read once
    // from start to end. Panel-outer order read W elements from each of kc rows lying sk
    // apart (a page apart at n = 1024), an access pattern the prefetchers do not follow.
    for (int64_t k = 0; k < kc; ++k) {
      const T* row = src + k * sk;
      T* d = dst + k * W;
      for (int64_t p = 0; p < full; p += W, d += kc * W) {
#pragma GCC unroll 16
        for (int w = 0; w < W; ++w) d[w] = row[p + w];
      }
    }
  } else if (sk == 1) {
    // Lines contiguous in k (row-major A, transposed B): W line streams per panel, each read
    // contiguously; the panel is their transpose.
    for (int64_t p = 0; p < full; p += W) {
      const T* s = src + p * sw;
      T* d = dst + p * kc;
      int64_t k = pack_a_rows_simd<W>(kc, s, sw, d);
      for (; k < kc; ++k) {
#pragma GCC unroll 16
        for (int w = 0; w < W; ++w) d[k * W + w] = s[w * sw + k];
      }
    }
  } else {
    for (int64_t p = 0; p < full; p += W)
      for (int64_t k = 0; k < kc; ++k)
        for (int w = 0; w < W; ++w) dst[p * kc + k * W + w] = src[k * sk + (p + w) * sw];
  }
  if (full < n) {  // the last, partial panel
    const int64_t rem = n - full;
    const T* s = src + full * sw;
    T* d = dst + full * kc;
    for (int64_t k = 0; k < kc; ++k) {
      for (int64_t w = 0; w < rem; ++w) d[k * W + w] = s[k * sk + w * sw];
      for (int64_t w = rem; w < W; ++w) d[k * W + w] = T(0);
    }
  }
}

template <class K>
constexpr int64_t driver_work_elems() {
  return K::MC * K::KC + K::KC * ((K::NC + K::NR - 1) / K::NR * K::NR) + K::MR * K::NR + 64;
}

template <class K, class T>
void gemm_blocked(int64_t M, int64_t N, int64_t Kd, const T* A, int64_t rsa, int64_t csa,
                  const T* B, int64_t rsb, int64_t csb, T* C, int64_t ldc, T* work,
                  bool trans_c) {
  // trans_c: the caller swapped the operands to compute C^T = B^T A^T; element (i, j) of this
  // product then lives at C[j * ldc + i], and tiles are transposed on their way out.
  constexpr int MR = K::MR, NR = K::NR;
  if (M <= 0 || N <= 0) return;
  const int64_t rsc = trans_c ? 1 : ldc, csc = trans_c ? ldc : 1;
  if (Kd <= 0) {
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < N; ++j) C[i * rsc + j * csc] = T(0);
    return;
  }
  // A is read in place by the kernel (see gemm_tile.h) when that beats copying it into
  // panels. Row-major A (csa == 1) of a wide product (N > 256): always; its MR rows x KC slice
  // is brought into L1 once per row block and reused for every B panel (ir-outer order below),
  // and the next slice is prefetched meanwhile: 3-10% faster than packing at n = 512..1024
  // (the copy of A was most of the packing cost). Transposed A of a wide product is packed (in
  // place its k steps are a line apart). Narrow products (N <= 256, MLP shapes) read A in place
  // (packing W cost as much as the product) unless its leading dimension is a multiple of
  // 4 KiB: those rows all fall into the same L1 sets and evict the B panel that the narrow
  // order below keeps in L1.
  const int64_t lead = csa == 1 ? rsa : csa;
  const bool lead_4k = (lead * static_cast<int64_t>(sizeof(T))) % 4096 == 0;
  const bool pack_a_block = (csa != 1 && rsa != 1) || (N > 256 ? csa != 1 : lead_4k);
  const bool ir_outer = pack_a_block || N > 256;
  // K in equal blocks of at most KC (K = 784 as 256+256+256+16 spends a whole pass over C on
  // 16 steps). Narrow products with A in place take up to 4 * KC at once: fewer passes over C
  // and over the strided A rows measured faster (MLP shapes: 64 x 784 x 256 20% faster with
  // 2 * KC than KC on a Xeon, another 4% with the whole K in one block on Zen 4), and their B
  // block (kc x N, N <= 256 here) still fits the workspace.
  static_assert(K::NC >= 1024, "the workspace must hold a 4*KC x 256 B block");
  const int64_t kc_max = ir_outer ? K::KC : 4 * K::KC;
  const int64_t k_blocks = (Kd + kc_max - 1) / kc_max;
  const int64_t kc_step = (Kd + k_blocks - 1) / k_blocks;
  T* Ap = work;
  T* Bp = Ap + K::MC * K::KC;
  T* edge = Bp + K::KC * ((K::NC + NR - 1) / NR * NR);
  for (int64_t jc = 0; jc < N; jc += K::NC) {
    const int64_t nc = gmin(K::NC, N - jc);
    for (int64_t pc = 0; pc < Kd; pc += kc_step) {
      const int64_t kc = gmin(kc_step, Kd - pc);
      const bool acc = pc > 0;
      pack_panels<NR>(kc, nc, B + pc * rsb + jc * csb, rsb, csb, Bp);
      for (int64_t ic = 0; ic < M; ic += K::MC) {
        const int64_t mc = gmin(K::MC, M - ic);
        const T* a_blk = A + ic * rsa + pc * csa;
        if (pack_a_block) pack_panels<MR>(kc, mc, a_blk, csa, rsa, Ap);
        auto run_tile = [&](int64_t ir, int64_t jr) {
          const int64_t nr = gmin(NR, nc - jr), mr = gmin(MR, mc - ir);
          const T* bp = Bp + jr * kc;
          const T* ap = pack_a_block ? Ap + ir * kc : a_blk + ir * rsa;
          const int64_t ars = pack_a_block ? 1 : rsa, acs = pack_a_block ? MR : csa;
          T* c = C + (ic + ir) * rsc + (jc + jr) * csc;
          if (!trans_c && mr == MR && nr == NR) {
            K::tile(kc, ap, ars, acs, bp, c, ldc, acc);
          } else if (!trans_c && nr == NR) {
            K::tile_rows(mr, kc, ap, ars, acs, bp, c, ldc, acc);
          } else {
            K::tile_rows(mr, kc, ap, ars, acs, bp, edge, NR, false);
            for (int64_t i = 0; i < mr; ++i)
              for (int64_t j = 0; j < nr; ++j) {
                T& dst = c[i * rsc + j * csc];
                dst = acc ? dst + edge[i * NR + j] : edge[i * NR + j];
              }
          }
        };
        if (ir_outer) {
          // ir outer, jr inner: the A panel (or in-place slice) stays in L1 while the B panels
          // stream from L2. An in-place A's next slice is prefetched a share per B panel, so
          // its first tile does not wait on MR rows of misses.
          const int64_t a_lines = (kc * static_cast<int64_t>(sizeof(T)) + 63) / 64;
          const int64_t panels = (nc + NR - 1) / NR;
          for (int64_t ir = 0; ir < mc; ir += MR) {
            const bool fetch = !pack_a_block && ir + MR < mc;
            const char* next = reinterpret_cast<const char*>(a_blk + (ir + MR) * rsa);
            int64_t q = 0;
            for (int64_t jr = 0; jr < nc; jr += NR, ++q) {
              if (fetch)
                for (int64_t l = q * MR * a_lines / panels; l < (q + 1) * MR * a_lines / panels;
                     ++l)
                  __builtin_prefetch(next + (l / a_lines) * rsa * sizeof(T) + (l % a_lines) * 64,
                                     0, 3);
              run_tile(ir, jr);
            }
          }
        } else {
          // A read in place (N small: few B panels): each B panel stays in L1 while the rows
          // of A stream past it, which measured faster for the strided rows of an unpacked A.
          for (int64_t jr = 0; jr < nc; jr += NR)
            for (int64_t ir = 0; ir < mc; ir += MR) run_tile(ir, jr);
        }
      }
    }
  }
}

// Matrix-vector shapes: packing would copy the whole matrix for a single use, so these read
// it in place. N == 1: C[i] = A[i,:] . B[:,0]; M == 1: C[0,:] = sum_k A[0,k] * B[k,:].

// Contiguous dot product in vector lanes, four independent accumulators deep (a single
// accumulator would wait on the FMA latency every step).
template <class VT>
typename VT::T dot_contig(const typename VT::T* a, const typename VT::T* b, int64_t n) {
  using T = typename VT::T;
  using V = typename VT::V;
  constexpr int W = VT::W;
  V s0 = VT::zero(), s1 = VT::zero(), s2 = VT::zero(), s3 = VT::zero();
  int64_t k = 0;
  for (; k + 4 * W <= n; k += 4 * W) {
    s0 = VT::fma(VT::load(a + k), VT::load(b + k), s0);
    s1 = VT::fma(VT::load(a + k + W), VT::load(b + k + W), s1);
    s2 = VT::fma(VT::load(a + k + 2 * W), VT::load(b + k + 2 * W), s2);
    s3 = VT::fma(VT::load(a + k + 3 * W), VT::load(b + k + 3 * W), s3);
  }
  for (; k + W <= n; k += W) s0 = VT::fma(VT::load(a + k), VT::load(b + k), s0);
  s0 = VT::add(VT::add(s0, s1), VT::add(s2, s3));
  T lanes[W];
  VT::store(lanes, s0);
  T s = 0;
  for (int i = 0; i < W; ++i) s += lanes[i];
  for (; k < n; ++k) s += a[k] * b[k];
  return s;
}

template <class VT, class T>
void gemv_n1(int64_t M, int64_t Kd, const T* A, int64_t rsa, int64_t csa, const T* B,
             int64_t rsb, T* C, int64_t ldc) {
  if (rsa == 1 && csa != 1 && ldc == 1) {
    // A's columns contiguous (W.t() @ v): C += B[k] * column k, each column read once in order.
    // The row-outer loop read A a column apart per step (1024 x 1024: 50x slower).
    for (int64_t i = 0; i < M; ++i) C[i] = T(0);
    for (int64_t k = 0; k < Kd; ++k) {
      const T bk = B[k * rsb];
      const T* a = A + k * csa;
      for (int64_t i = 0; i < M; ++i) C[i] += a[i] * bk;
    }
    return;
  }
  for (int64_t i = 0; i < M; ++i) {
    const T* a = A + i * rsa;
    if (csa == 1 && rsb == 1) {
      C[i * ldc] = dot_contig<VT>(a, B, Kd);
    } else {
      T s = 0;
      for (int64_t k = 0; k < Kd; ++k) s += a[k * csa] * B[k * rsb];
      C[i * ldc] = s;
    }
  }
}

template <class VT, class T>
void gemv_m1(int64_t N, int64_t Kd, const T* A, int64_t csa, const T* B, int64_t rsb,
             int64_t csb, T* C) {
  if (rsb == 1 && csa == 1) {
    // B's columns contiguous in k (x @ W.t() of one row, a linear layer at batch 1): one dot
    // product per column. The k-outer loop below walked every column of each k, csb apart,
    // and at N = K = 1024 (rows 4 KiB apart, all in the same cache sets) ran 50x slower.
    for (int64_t j = 0; j < N; ++j) C[j] = dot_contig<VT>(A, B + j * csb, Kd);
    return;
  }
  for (int64_t j = 0; j < N; ++j) C[j] = T(0);
  for (int64_t k = 0; k < Kd; ++k) {
    const T av = A[k * csa];
    const T* b = B + k * rsb;
    if (csb == 1) {
      for (int64_t j = 0; j < N; ++j) C[j] += av * b[j];
    } else {
      for (int64_t j = 0; j < N; ++j) C[j] += av * b[j * csb];
    }
  }
}

// KNarrow: the kernel policy for products of at most kNarrowN columns (the swapped product
// below included, whose N is the few rows of x), where a wide register tile would compute
// mostly padding.
constexpr int64_t kNarrowN = 64;

template <class K, class KNarrow = K, class T>
void gemm_entry(int64_t M, int64_t N, int64_t Kd, const T* A, int64_t rsa, int64_t csa,
                const T* B, int64_t rsb, int64_t csb, T* C, int64_t ldc, T* work) {
  if (M <= 0 || N <= 0) return;
  if (N == 1 && Kd > 0) return gemv_n1<typename K::Vec>(M, Kd, A, rsa, csa, B, rsb, C, ldc);
  if (M == 1 && Kd > 0) return gemv_m1<typename K::Vec>(N, Kd, A, csa, B, rsb, csb, C);
  if (M <= 4 && rsb == 1 && csb != 1 && csa == 1 && Kd >= 256) {
    // x @ W.t() of a few rows: one dot product per element, column j of B read from L1 for
    // every row (packing W's transpose for so few rows cost 2x at 2 x 1024 x 1024). Below
    // K = 256 each dot's horizontal sum costs more than the packing (4 x 256 x 64: 2x slower).
    for (int64_t j = 0; j < N; ++j)
      for (int64_t i = 0; i < M; ++i)
        C[i * ldc + j] = dot_contig<typename K::Vec>(A + i * rsa, B + j * csb, Kd);
    return;
  }
  // x @ W.t() with few rows (a linear layer's forward at small batch) may be computed as
  // C^T = W @ x^T, reading W in place and packing only x^T (K*M elements) instead of the
  // transposed W (K*N). Every tile of C^T then goes out through the edge buffer and a scalar
  // transposed store, and x's M rows become the narrow kernel's 32-column panels, so the swap
  // pays only where M fills those panels (32 or 64), N is small and K long enough to amortise
  // the stores: 64 x 256 x 784 (the MLP's first layer) 3-5% faster. Elsewhere it lost, by up
  // to 3x: M = 4..16 computed mostly padding columns, K <= 256 spent its time in the stores,
  // M = 48 padded 16 of 64 columns, and N = 1024 x K = 1024 read W's 4 KiB-apart rows in
  // place. At most 16 columns (a classifier layer, N = 10) swap at any M: the 32-column narrow
  // tile computed 22 padding columns of every 32, where the swapped product pads only the last
  // of its 12-row tiles (2x faster at N = 10), and the transposed stores are few.
  if (rsb == 1 && csb != 1 && csa == 1 &&
      ((M < N && M % 32 == 0 && M <= 64 && N <= 256 && Kd > 256) || (N <= 16 && M > N)))
    return gemm_blocked<KNarrow>(N, M, Kd, B, csb, rsb, A, csa, rsa, C, ldc, work, true);
  if (N <= kNarrowN)
    return gemm_blocked<KNarrow>(M, N, Kd, A, rsa, csa, B, rsb, csb, C, ldc, work, false);
  gemm_blocked<K>(M, N, Kd, A, rsa, csa, B, rsb, csb, C, ldc, work, false);
}
