// The blocked GEMM loop nest shared by every instruction set (internal; included only by
// lib/cpu/gemm_*.cpp, inside an anonymous namespace after the file's `#pragma GCC target`, so
// that packing and the micro-kernel compile for that instruction set and nothing here becomes
// an external symbol another file could pick up). It includes no headers for the same reason.
//
// Layout (row-major C = A @ B): B is packed per (KC x NC) block into panels of NR columns,
// stored k-major ([k][NR]); A per (MC x KC) block into panels of MR rows ([k][MR]). The
// micro-kernel multiplies one A panel by one B panel into an MR x NR register tile; the ir loop
// is innermost so one B panel (KC * NR elements) stays in L1 while A panels stream from L2.
// Panels are zero-padded to full MR / NR, so the kernel never branches on edges; edge tiles are
// computed into a small buffer and the valid part copied out.
//
// A kernel policy K provides: T, MR, NR, KC, MC, NC, and
//   static void tile(int64_t kc, const T* a, const T* b, T* c, int64_t ldc, bool accumulate);

inline int64_t gmin(int64_t a, int64_t b) { return a < b ? a : b; }

// Ap[p][k][i] = A[i0 + p*MR + i][k0 + k], rows past mc zero.
template <class K, class T>
void pack_a(int64_t mc, int64_t kc, const T* A, int64_t rsa, int64_t csa, T* Ap) {
  constexpr int MR = K::MR;
  for (int64_t ir = 0; ir < mc; ir += MR) {
    const int64_t mr = gmin(MR, mc - ir);
    const T* a = A + ir * rsa;
    if (mr == MR && csa == 1) {
      // Row-major A: MR row streams, each read contiguously.
      for (int64_t k = 0; k < kc; ++k) {
#pragma GCC unroll 16
        for (int i = 0; i < MR; ++i) Ap[k * MR + i] = a[i * rsa + k];
      }
    } else if (mr == MR && rsa == 1) {
      // Transposed A (a column-major view): each k reads MR consecutive elements.
      for (int64_t k = 0; k < kc; ++k) {
        const T* col = a + k * csa;
#pragma GCC unroll 16
        for (int i = 0; i < MR; ++i) Ap[k * MR + i] = col[i];
      }
    } else {
      for (int64_t k = 0; k < kc; ++k) {
        for (int64_t i = 0; i < mr; ++i) Ap[k * MR + i] = a[i * rsa + k * csa];
        for (int64_t i = mr; i < MR; ++i) Ap[k * MR + i] = T(0);
      }
    }
    Ap += kc * MR;
  }
}

// Bp[p][k][j] = B[k0 + k][j0 + p*NR + j], columns past nc zero.
template <class K, class T>
void pack_b(int64_t kc, int64_t nc, const T* B, int64_t rsb, int64_t csb, T* Bp) {
  constexpr int NR = K::NR;
  for (int64_t jr = 0; jr < nc; jr += NR) {
    const int64_t nr = gmin(NR, nc - jr);
    const T* b = B + jr * csb;
    if (nr == NR && csb == 1) {
      for (int64_t k = 0; k < kc; ++k) {
        const T* row = b + k * rsb;
#pragma GCC unroll 16
        for (int j = 0; j < NR; ++j) Bp[k * NR + j] = row[j];
      }
    } else if (nr == NR && rsb == 1) {
      // Transposed B (B = W.t() of a row-major W): NR column streams, each contiguous in k.
      for (int64_t k = 0; k < kc; ++k) {
#pragma GCC unroll 16
        for (int j = 0; j < NR; ++j) Bp[k * NR + j] = b[j * csb + k];
      }
    } else {
      for (int64_t k = 0; k < kc; ++k) {
        for (int64_t j = 0; j < nr; ++j) Bp[k * NR + j] = b[k * rsb + j * csb];
        for (int64_t j = nr; j < NR; ++j) Bp[k * NR + j] = T(0);
      }
    }
    Bp += kc * NR;
  }
}

template <class K>
constexpr int64_t driver_work_elems() {
  return K::MC * K::KC + K::KC * ((K::NC + K::NR - 1) / K::NR * K::NR) + K::MR * K::NR + 64;
}

template <class K, class T>
void gemm_blocked(int64_t M, int64_t N, int64_t Kd, const T* A, int64_t rsa, int64_t csa,
                  const T* B, int64_t rsb, int64_t csb, T* C, int64_t ldc, T* work) {
  constexpr int MR = K::MR, NR = K::NR;
  if (M <= 0 || N <= 0) return;
  if (Kd <= 0) {
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < N; ++j) C[i * ldc + j] = T(0);
    return;
  }
  T* Ap = work;
  T* Bp = Ap + K::MC * K::KC;
  T* edge = Bp + K::KC * ((K::NC + NR - 1) / NR * NR);
  for (int64_t jc = 0; jc < N; jc += K::NC) {
    const int64_t nc = gmin(K::NC, N - jc);
    for (int64_t pc = 0; pc < Kd; pc += K::KC) {
      const int64_t kc = gmin(K::KC, Kd - pc);
      const bool acc = pc > 0;
      pack_b<K>(kc, nc, B + pc * rsb + jc * csb, rsb, csb, Bp);
      for (int64_t ic = 0; ic < M; ic += K::MC) {
        const int64_t mc = gmin(K::MC, M - ic);
        pack_a<K>(mc, kc, A + ic * rsa + pc * csa, rsa, csa, Ap);
        for (int64_t jr = 0; jr < nc; jr += NR) {
          const int64_t nr = gmin(NR, nc - jr);
          const T* bp = Bp + jr * kc;
          for (int64_t ir = 0; ir < mc; ir += MR) {
            const int64_t mr = gmin(MR, mc - ir);
            const T* ap = Ap + ir * kc;
            T* c = C + (ic + ir) * ldc + jc + jr;
            if (mr == MR && nr == NR) {
              K::tile(kc, ap, bp, c, ldc, acc);
            } else {
              K::tile(kc, ap, bp, edge, NR, false);
              for (int64_t i = 0; i < mr; ++i)
                for (int64_t j = 0; j < nr; ++j)
                  c[i * ldc + j] = acc ? c[i * ldc + j] + edge[i * NR + j] : edge[i * NR + j];
            }
          }
        }
      }
    }
  }
}

// Matrix-vector shapes: packing would copy the whole matrix for a single use, so these read
// it in place. N == 1: C[i] = A[i,:] . B[:,0]; M == 1: C[0,:] = sum_k A[0,k] * B[k,:].
template <class T>
void gemv_n1(int64_t M, int64_t Kd, const T* A, int64_t rsa, int64_t csa, const T* B,
             int64_t rsb, T* C, int64_t ldc) {
  for (int64_t i = 0; i < M; ++i) {
    const T* a = A + i * rsa;
    T s0 = 0, s1 = 0, s2 = 0, s3 = 0;  // several partial sums so the loop vectorises
    int64_t k = 0;
    if (csa == 1 && rsb == 1) {
      for (; k + 4 <= Kd; k += 4) {
        s0 += a[k] * B[k];
        s1 += a[k + 1] * B[k + 1];
        s2 += a[k + 2] * B[k + 2];
        s3 += a[k + 3] * B[k + 3];
      }
    }
    for (; k < Kd; ++k) s0 += a[k * csa] * B[k * rsb];
    C[i * ldc] = (s0 + s1) + (s2 + s3);
  }
}

template <class T>
void gemv_m1(int64_t N, int64_t Kd, const T* A, int64_t csa, const T* B, int64_t rsb,
             int64_t csb, T* C) {
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

template <class K, class T>
void gemm_entry(int64_t M, int64_t N, int64_t Kd, const T* A, int64_t rsa, int64_t csa,
                const T* B, int64_t rsb, int64_t csb, T* C, int64_t ldc, T* work) {
  if (M <= 0 || N <= 0) return;
  if (N == 1 && Kd > 0) return gemv_n1(M, Kd, A, rsa, csa, B, rsb, C, ldc);
  if (M == 1 && Kd > 0) return gemv_m1(N, Kd, A, csa, B, rsb, csb, C);
  gemm_blocked<K>(M, N, Kd, A, rsa, csa, B, rsb, csb, C, ldc, work);
}
