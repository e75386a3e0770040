// The CUDA side of the kern:: entry points (kernels.h): same signatures, implemented in
// lib/cuda/*.cu. Each kern:: entry starts with one TG_CUDA_DISPATCH line, so callers never see
// the device. on_cuda() is also where operand devices are checked, once for every kernel family
// (Note [Device checks]).
#pragma once
#include <optional>

#include <tapegrad/core/tensor.h>
#include <tapegrad/kernels/kernels.h>

namespace tapegrad {
namespace cuda {

// Note [Device checks]: every operand of a kernel must sit on one device, except CPU 0-d tensors
// (torch lets a CPU scalar tensor join a CUDA op; elementwise kernels take it by value, Note
// [CPU scalars in CUDA kernels] in loops.cuh). Raises
// torch's "Expected all tensors to be on the same device, but found at least two devices, X and
// Y!" otherwise. True when the kernel must run on CUDA.
bool on_cuda_list(const Tensor* const* ts, int n);
template <class... Ts>
bool on_cuda(const Ts&... ts) {
  // Fast path for all-CPU operands: no call, no allocation.
  if (!((ts.defined() && ts.device().is_cuda()) || ...)) return false;
  const Tensor* list[] = {&ts...};
  return on_cuda_list(list, static_cast<int>(sizeof...(Ts)));
}

void unary(OpId op, const Tensor& out, const Tensor& in);
void binary(OpId op, const Tensor& out, const Tensor& a, const Tensor& b, double alpha);
void compare(CmpId op, const Tensor& out, const Tensor& a, const Tensor& b);
void copy(const Tensor& dst, const Tensor& src);
void fill(const Tensor& dst, double value);
void pow_scalar(const Tensor& out, const Tensor& in, double exponent);
void rpow(const Tensor& out, double base, const Tensor& exponent);
void clamp(const Tensor& out, const Tensor& in, std::optional<double> lo, std::optional<double> hi);
void where(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b);
void logical_not(const Tensor& out, const Tensor& in);
void reduce_inner(kern::ReduceOp op, const Tensor& out, const Tensor& in, int64_t inner);
void reduce_arg_inner(bool is_max, const Tensor& values, const Tensor& indices, const Tensor& in,
                      int64_t inner);
void mm(const Tensor& out, const Tensor& a, const Tensor& b);
void bmm(const Tensor& out, const Tensor& a, const Tensor& b);
void softmax_inner(const Tensor& out, const Tensor& in, int64_t inner, bool log);
void take(const Tensor& out, const Tensor& in, const Tensor& offsets);
void put_add(const Tensor& dst, const Tensor& offsets, const Tensor& src, bool accumulate);
void nll_coef(const Tensor& coef, const Tensor& tw, const Tensor& bad, const Tensor& target,
              const Tensor& weight, const Tensor& scale, int64_t ignore_index);
void gelu(const Tensor& out, const Tensor& in, bool tanh_approx);
void softplus(const Tensor& out, const Tensor& in, double beta, double threshold);
void activation(kern::ActKind kind, const Tensor& out, const Tensor& in, const double* p,
                const char* what);
void im2col(const Tensor& cols, const Tensor& img, const int64_t* p);
void col2im(const Tensor& img, const Tensor& cols, const int64_t* p);
void max_pool2d(const Tensor& out, const Tensor& indices, const Tensor& in, const int64_t* p);
void uniform(const Tensor& out, double lo, double hi);
void normal(const Tensor& out, double mean, double std);
void randint(const Tensor& out, int64_t lo, int64_t hi);
void addcmul(const Tensor& out, const Tensor& self, const Tensor& t1, const Tensor& t2,
             double value);
void lerp(const Tensor& out, const Tensor& self, const Tensor& end, const Tensor& weight);

}  // namespace cuda
}  // namespace tapegrad

// One line at the top of a kern:: entry point: `TG_CUDA_DISPATCH(unary(op, out, in), out, in);`
// runs the CUDA kernel when the operands live on a GPU. Expands to nothing without CUDA (no
// CUDA tensor can exist there), so the CPU build links no CUDA symbol.
#ifdef TAPEGRAD_HAS_CUDA
#define TG_CUDA_DISPATCH(call, ...) \
  if (::tapegrad::cuda::on_cuda(__VA_ARGS__)) return ::tapegrad::cuda::call
// For copies, whose operands may sit on different devices.
#define TG_CUDA_DISPATCH_IF(cond, call) \
  if (cond) return ::tapegrad::cuda::call
#else
#define TG_CUDA_DISPATCH(call, ...) (void)0
#define TG_CUDA_DISPATCH_IF(cond, call) (void)0
#endif
