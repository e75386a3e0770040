// CUDA matrix products: mm and bmm over any strides. With cuBLAS (TAPEGRAD_HAS_CUBLAS) float32
// and float64 go through cublas{S,D}gemmStridedBatched when each operand has a unit stride in one
// of its two matrix dims; everything else runs a shared-memory tiled kernel (16x16 tiles,
// accumulating in the element type as the CPU GEMM does).
#include <tapegrad/kernels/cuda_kernels.h>
#include <tapegrad/kernels/dispatch.h>
#include "cuda_common.cuh"

#ifdef TAPEGRAD_HAS_CUBLAS
#include <cublas_v2.h>
#endif

namespace tapegrad {
namespace cuda {

namespace {

constexpr int kTile = 16;

struct MatDesc {
  int64_t batch_stride, row_stride, col_stride;  // elements
};

template <class T>
__global__ void gemm_tiled(const T* A, MatDesc da, const T* B, MatDesc db, T* C, MatDesc dc,
                           int64_t M, int64_t N, int64_t K) {
  __shared__ T As[kTile][kTile];
  __shared__ T Bs[kTile][kTile];
  const int64_t b = blockIdx.z;
  const int64_t row = static_cast<int64_t>(blockIdx.y) * kTile + threadIdx.y;
  const int64_t col = static_cast<int64_t>(blockIdx.x) * kTile + threadIdx.x;
  A += b * da.batch_stride;
  B += b * db.batch_stride;
  T acc = T(0);
  for (int64_t k0 = 0; k0 < K; k0 += kTile) {
    const int64_t ka = k0 + threadIdx.x, kb = k0 + threadIdx.y;
    As[threadIdx.y][threadIdx.x] =
        row < M && ka < K ? A[row * da.row_stride + ka * da.col_stride] : T(0);
    Bs[threadIdx.y][threadIdx.x] =
        kb < K && col < N ? B[kb * db.row_stride + col * db.col_stride] : T(0);
    __syncthreads();
#pragma unroll
    for (int k = 0; k < kTile; ++k) acc += As[threadIdx.y][k] * Bs[k][threadIdx.x];
    __syncthreads();
  }
  if (row < M && col < N) C[b * dc.batch_stride + row * dc.row_stride + col * dc.col_stride] = acc;
}

template <class T>
void tiled(const Tensor& out, const Tensor& a, const Tensor& b, int64_t Bn, int64_t M, int64_t N,
           int64_t K, MatDesc da, MatDesc db, MatDesc dc) {
  TG_CHECK(Bn <= 65535, "bmm on CUDA: batch ", Bn, " exceeds 65535 (not implemented)");
  dim3 block(kTile, kTile);
  dim3 grid(static_cast<unsigned>((N + kTile - 1) / kTile),
            static_cast<unsigned>((M + kTile - 1) / kTile), static_cast<unsigned>(Bn));
  gemm_tiled<T><<<grid, block>>>(static_cast<const T*>(a.raw_data()), da,
                                 static_cast<const T*>(b.raw_data()), db,
                                 static_cast<T*>(out.raw_data()), dc, M, N, K);
  TG_CUDA_LAUNCH_CHECK();
}

#ifdef TAPEGRAD_HAS_CUBLAS
cublasHandle_t handle(int device) {
  static cublasHandle_t handles[64] = {};
  if (!handles[device]) {
    TG_CHECK(cublasCreate(&handles[device]) == CUBLAS_STATUS_SUCCESS, "cublasCreate failed");
  }
  return handles[device];
}

// A row-major operand as cuBLAS (column-major) sees it: transposed with leading dimension ld.
// Usable when one matrix stride is 1 and the other is at least the matrix width.
bool blas_view(const MatDesc& d, int64_t rows, int64_t cols, cublasOperation_t* op, int64_t* ld) {
  if (d.col_stride == 1 && d.row_stride >= (cols > 1 ? cols : 1)) {
    *op = CUBLAS_OP_N;  // row-major [rows, cols] = column-major [cols, rows]
    *ld = d.row_stride;
    return true;
  }
  if (d.row_stride == 1 && d.col_stride >= (rows > 1 ? rows : 1)) {
    *op = CUBLAS_OP_T;
    *ld = d.col_stride;
    return true;
  }
  return false;
}

// C = A B row-major is C^T = B^T A^T column-major: cuBLAS gets B first.
template <class T>
bool try_blas(const Tensor& out, const Tensor& a, const Tensor& b, int64_t Bn, int64_t M,
              int64_t N, int64_t K, MatDesc da, MatDesc db, MatDesc dc) {
  cublasOperation_t opa, opb, opc;
  int64_t lda, ldb, ldc;
  if (!blas_view(da, M, K, &opa, &lda) || !blas_view(db, K, N, &opb, &ldb) ||
      !blas_view(dc, M, N, &opc, &ldc) || opc != CUBLAS_OP_N)
    return false;
  const T one = 1, zero = 0;
  cublasHandle_t h = handle(out.device().index);
  cublasStatus_t st;
  if constexpr (std::is_same<T, float>::value) {
    st = cublasSgemmStridedBatched(h, opb, opa, N, M, K, &one, static_cast<const T*>(b.raw_data()),
                                   ldb, db.batch_stride, static_cast<const T*>(a.raw_data()), lda,
                                   da.batch_stride, &zero, static_cast<T*>(out.raw_data()), ldc,
                                   dc.batch_stride, Bn);
  } else {
    st = cublasDgemmStridedBatched(h, opb, opa, N, M, K, &one, static_cast<const T*>(b.raw_data()),
                                   ldb, db.batch_stride, static_cast<const T*>(a.raw_data()), lda,
                                   da.batch_stride, &zero, static_cast<T*>(out.raw_data()), ldc,
                                   dc.batch_stride, Bn);
  }
  TG_CHECK(st == CUBLAS_STATUS_SUCCESS, "cuBLAS gemm failed with status ", static_cast<int>(st));
  return true;
}
#endif

void product(const Tensor& out, const Tensor& a, const Tensor& b, int64_t Bn, int64_t M, int64_t N,
             int64_t K, MatDesc da, MatDesc db, MatDesc dc, const char* name) {
  if (Bn == 0 || M == 0 || N == 0) return;
  DeviceGuard g(out.device().index);
  if (K == 0) return fill(out, 0);
  dispatch_numeric(out.dtype(), name, [&](auto tag) {
    using T = decltype(tag);
#ifdef TAPEGRAD_HAS_CUBLAS
    if constexpr (std::is_floating_point<T>::value) {
      if (try_blas<T>(out, a, b, Bn, M, N, K, da, db, dc)) return;
    }
#endif
    tiled<T>(out, a, b, Bn, M, N, K, da, db, dc);
  });
}

}  // namespace

void mm(const Tensor& out, const Tensor& a, const Tensor& b) {
  const int64_t M = a.sizes()[0], K = a.sizes()[1], N = b.sizes()[1];
  const auto &sa = a.strides(), &sb = b.strides(), &so = out.strides();
  product(out, a, b, 1, M, N, K, {0, sa[0], sa[1]}, {0, sb[0], sb[1]}, {0, so[0], so[1]},
          "addmm_cuda");
}

void bmm(const Tensor& out, const Tensor& a, const Tensor& b) {
  const int64_t B = a.sizes()[0], M = a.sizes()[1], K = a.sizes()[2], N = b.sizes()[2];
  const auto &sa = a.strides(), &sb = b.strides(), &so = out.strides();
  product(out, a, b, B, M, N, K, {sa[0], sa[1], sa[2]}, {sb[0], sb[1], sb[2]},
          {so[0], so[1], so[2]}, "bmm_cuda");
}

}  // namespace cuda
}  // namespace tapegrad
