// CUDA fused optimizer steps (kernels/optim.h): a multi-tensor apply. The host packs many
// tensors into one table passed by value as the kernel argument (their pointers, sizes and
// per-tensor scalars, and for each block the tensor and chunk it updates), so a step over a
// whole model is a few launches instead of several per parameter. The element math is the
// host/device code of kernels/optim.h, the same the CPU loop runs.
#include <algorithm>

#include <tapegrad/kernels/cuda_kernels.h>
#include <tapegrad/kernels/dispatch.h>
#include <tapegrad/kernels/optim.h>
#include "cuda_common.cuh"

namespace tapegrad {
namespace cuda {

namespace {

constexpr int kMaxTensors = 24;    // tensors per launch
constexpr int kMaxBlocks = 320;    // blocks (chunks) per launch
constexpr int64_t kChunk = 65536;  // elements one block updates
constexpr int kBlock = 512;

// The launch table: L operand lists (list 0: the parameters), with the parameter's element
// count and two per-tensor scalars. Under the 4 KB kernel-argument limit for L <= 5.
template <int L>
struct Table {
  void* ptr[L][kMaxTensors];
  int64_t n[kMaxTensors];
  double a[kMaxTensors], b[kMaxTensors];
  unsigned char tensor_of[kMaxBlocks];
  int chunk_of[kMaxBlocks];
};
static_assert(sizeof(Table<5>) <= 4096, "kernel argument too large");

// Block k's range: tensor t, elements [begin, end).
template <int L>
__device__ __forceinline__ void block_range(const Table<L>& tb, int& t, int64_t& begin,
                                            int64_t& end) {
  t = tb.tensor_of[blockIdx.x];
  begin = static_cast<int64_t>(tb.chunk_of[blockIdx.x]) * kChunk;
  end = min(tb.n[t], begin + kChunk);
}

// a[t] != 0: the momentum buffer is new (takes d).
template <class T>
__global__ void sgd_kernel(Table<3> tb, kern::SGDScalars<T> s) {
  int t;
  int64_t begin, end;
  block_range(tb, t, begin, end);
  T* p = static_cast<T*>(tb.ptr[0][t]);
  const T* g = static_cast<const T*>(tb.ptr[1][t]);
  T* buf = static_cast<T*>(tb.ptr[2][t]);
  const bool first = tb.a[t] != 0;
  for (int64_t i = begin + threadIdx.x; i < end; i += blockDim.x) {
    T pv = p[i];
    kern::sgd_element(s, pv, g[i], buf ? buf + i : static_cast<T*>(nullptr), first);
    p[i] = pv;
  }
}

// a[t], b[t]: tensor t's step size and sqrt of the second bias correction.
template <class T>
__global__ void adam_kernel(Table<5> tb, kern::AdamHyper h) {
  int t;
  int64_t begin, end;
  block_range(tb, t, begin, end);
  const kern::AdamScalars<T> s(h, tb.a[t], tb.b[t]);
  T* p = static_cast<T*>(tb.ptr[0][t]);
  const T* g = static_cast<const T*>(tb.ptr[1][t]);
  T* m = static_cast<T*>(tb.ptr[2][t]);
  T* v = static_cast<T*>(tb.ptr[3][t]);
  T* vmax = static_cast<T*>(tb.ptr[4][t]);
  for (int64_t i = begin + threadIdx.x; i < end; i += blockDim.x) {
    T pv = p[i], mv = m[i], vv = v[i];
    kern::adam_element(s, pv, g[i], mv, vv, vmax ? vmax + i : static_cast<T*>(nullptr));
    p[i] = pv;
    m[i] = mv;
    v[i] = vv;
  }
}

// Packs the tensors of `lists` whose parameter has dtype dt into tables and calls
// launch(table, blocks) for each full table and the rest. An empty list contributes null
// pointers. a/b: per-tensor scalars (may be empty: zeros).
template <int L, class Launch>
void multi_tensor_apply(DType dt, const std::vector<Tensor>* const (&lists)[L],
                        const std::vector<double>& a, const std::vector<double>& b,
                        Launch launch) {
  const std::vector<Tensor>& params = *lists[0];
  Table<L> tb{};
  int nt = 0, nb = 0;
  for (size_t i = 0; i < params.size(); ++i) {
    if (params[i].dtype() != dt) continue;
    const int64_t n = params[i].numel();
    if (n == 0) continue;
    const int64_t chunks = (n + kChunk - 1) / kChunk;
    for (int64_t c = 0; c < chunks;) {
      if (nt == kMaxTensors) {  // table full of tensors: launch it, this one starts the next
        launch(tb, nb);
        nt = nb = 0;
      }
      for (int k = 0; k < L; ++k)
        tb.ptr[k][nt] = lists[k]->empty() ? nullptr : (*lists[k])[i].raw_data();
      tb.n[nt] = n;
      tb.a[nt] = a.empty() ? 0.0 : a[i];
      tb.b[nt] = b.empty() ? 0.0 : b[i];
      for (; c < chunks && nb < kMaxBlocks; ++c, ++nb) {
        tb.tensor_of[nb] = static_cast<unsigned char>(nt);
        tb.chunk_of[nb] = static_cast<int>(c);
      }
      ++nt;
      if (nb == kMaxBlocks) {  // blocks full: launch; the tensor's remaining chunks follow
        launch(tb, nb);
        nt = nb = 0;
      }
    }
  }
  if (nb > 0) launch(tb, nb);
}

}  // namespace

void sgd_step(const kern::SGDHyper& h, const std::vector<Tensor>& params,
              const std::vector<Tensor>& grads, const std::vector<Tensor>& bufs,
              const std::vector<uint8_t>& first) {
  if (params.empty()) return;
  DeviceGuard guard(params[0].device().index);
  std::vector<double> first_d(first.begin(), first.end());
  const std::vector<Tensor>* const lists[3] = {&params, &grads, &bufs};
  for (DType dt : {DType::Float32, DType::Float64}) {
    dispatch_floating(dt, "_fused_sgd_cuda", [&](auto tag) {
      using T = decltype(tag);
      const kern::SGDScalars<T> s(h);
      multi_tensor_apply<3>(dt, lists, first_d, {}, [&](const Table<3>& tb, int blocks) {
        sgd_kernel<T><<<blocks, kBlock>>>(tb, s);
        TG_CUDA_LAUNCH_CHECK();
      });
    });
  }
}

void adam_step(const kern::AdamHyper& h, const std::vector<Tensor>& params,
               const std::vector<Tensor>& grads, const std::vector<Tensor>& exp_avgs,
               const std::vector<Tensor>& exp_avg_sqs, const std::vector<Tensor>& max_exp_avg_sqs,
               const std::vector<double>& step_size, const std::vector<double>& bc2_sqrt) {
  if (params.empty()) return;
  DeviceGuard guard(params[0].device().index);
  const std::vector<Tensor>* const lists[5] = {&params, &grads, &exp_avgs, &exp_avg_sqs,
                                               &max_exp_avg_sqs};
  for (DType dt : {DType::Float32, DType::Float64}) {
    dispatch_floating(dt, "_fused_adam_cuda", [&](auto tag) {
      using T = decltype(tag);
      multi_tensor_apply<5>(dt, lists, step_size, bc2_sqrt, [&](const Table<5>& tb, int blocks) {
        adam_kernel<T><<<blocks, kBlock>>>(tb, h);
        TG_CUDA_LAUNCH_CHECK();
      });
    });
  }
}

}  // namespace cuda
}  // namespace tapegrad
