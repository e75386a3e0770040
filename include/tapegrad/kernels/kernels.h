// Raw kernels: no autograd, no type promotion; the op layer (lib/ops) prepares operands
// (common dtype, allocated output) and calls these. One entry per family, dispatched on device
// and dtype here, so a CUDA build adds cases and changes no caller.
#pragma once
#include <optional>

#include <tapegrad/core/tensor.h>
#include <tapegrad/ops/op_id.h>

namespace tapegrad {
namespace kern {

void unary(OpId op, const Tensor& out, const Tensor& in);  // same dtype
void binary(OpId op, const Tensor& out, const Tensor& a, const Tensor& b, double alpha);
void compare(CmpId op, const Tensor& out, const Tensor& a, const Tensor& b);  // out bool
void copy(const Tensor& dst, const Tensor& src);  // converts dtype, broadcasts src
// out = cat(ts, d) for d > 0 when every input is a contiguous CPU tensor of out's dtype and out
// is contiguous (shapes checked by the caller); false, nothing written, otherwise.
bool try_cat_rows(const Tensor& out, const TensorList& ts, int64_t d);
void fill(const Tensor& dst, double value);
void pow_scalar(const Tensor& out, const Tensor& in, double exponent);
void rpow(const Tensor& out, double base, const Tensor& exponent);
void clamp(const Tensor& out, const Tensor& in, std::optional<double> lo, std::optional<double> hi);
void where(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b);
void logical_not(const Tensor& out, const Tensor& in);

// Reductions over the innermost `inner` elements of a contiguous input: out has
// numel(in) / inner elements.
enum class ReduceOp { Sum, Max, Min, Prod };
void reduce_inner(ReduceOp op, const Tensor& out, const Tensor& in, int64_t inner);
// Max/min with the index of the first extreme element.
void reduce_arg_inner(bool is_max, const Tensor& values, const Tensor& indices, const Tensor& in,
                      int64_t inner);

void mm(const Tensor& out, const Tensor& a, const Tensor& b);   // any strides, out contiguous
void bmm(const Tensor& out, const Tensor& a, const Tensor& b);

// Softmax over the innermost dim of a contiguous input.
void softmax_inner(const Tensor& out, const Tensor& in, int64_t inner, bool log);

// out[i] = in.flat[offsets[i]] for a contiguous input; put_add is its adjoint.
void take(const Tensor& out, const Tensor& in, const Tensor& offsets);
// CPU only: out[o, k, :] = in[o, idx[k], :] with in and out contiguous, seen as [outer, size,
// inner] and [outer, idx.numel(), inner]; idx contiguous int64, already bounds-checked
// (index_select's fast path: whole rows copied, no per-element offsets).
void index_select_rows(const Tensor& out, const Tensor& in, const Tensor& idx, int64_t outer,
                       int64_t size, int64_t inner);
void put_add(const Tensor& dst, const Tensor& offsets, const Tensor& src, bool accumulate);
// nll_loss's coefficients (fn::nll_coef_at in kernels/nll.h) for int64 targets [N * inner] into
// a zero-filled float64 coef of shape [N, C, inner]; class weights float64 [C] and the divisor
// `scale` (float64 0-d) may be undefined; tw (float64, one per target) and bad (int64 [2],
// zeroed) as there. All on one device, contiguous.
void nll_coef(const Tensor& coef, const Tensor& tw, const Tensor& bad, const Tensor& target,
              const Tensor& weight, const Tensor& scale, int64_t ignore_index);
// CPU only: nll_loss's per-target losses (fn::nll_loss_at) of a float32/float64 input [N, C, inner]
// (any strides) into loss (the input's dtype) and tw (float64), one per target; target, weight
// and bad as for nll_coef.
void nll_loss_fwd(const Tensor& loss, const Tensor& tw, const Tensor& bad, const Tensor& input,
                  const Tensor& target, const Tensor& weight, int64_t ignore_index);
// CPU only: nll_loss's gradient (fn::nll_grad_at) into a zero-filled contiguous float32/float64
// grad_in [N, C, inner] from the contiguous grad_output g (one value, or one per target when
// per_target) of grad_in's dtype, divided by total (one value of that dtype) when defined.
void nll_loss_bwd(const Tensor& grad_in, const Tensor& g, bool per_target, const Tensor& target,
                  const Tensor& weight, const Tensor& total, int64_t ignore_index);

// CPU only: cdist's distances (fn::cdist_pair) of contiguous float32/float64 x1 [B, r1, m] and
// x2 [B, r2, m] into the contiguous out [B, r1, r2]; cdist_bwd: the gradient for x1
// (fn::cdist_grad_term summed over x2's rows in order) into the contiguous gx1 [B, r1, m] from
// the contiguous g and dist [B, r1, r2].
void cdist_fwd(const Tensor& out, const Tensor& x1, const Tensor& x2, double p);
void cdist_bwd(const Tensor& gx1, const Tensor& g, const Tensor& x1, const Tensor& x2, double p,
               const Tensor& dist);

// Activations with arguments (same dtype in and out, floating).
void gelu(const Tensor& out, const Tensor& in, bool tanh_approx);
void softplus(const Tensor& out, const Tensor& in, double beta, double threshold);
// The pointwise activations with arguments (kinds and p[] in kernels/act_functors.h); `what`
// is the kernel name torch's dtype error shows ("leaky_relu_cpu").
enum class ActKind : int;
void activation(ActKind kind, const Tensor& out, const Tensor& in, const double* p,
                const char* what);

// Convolution helpers on contiguous [N, C, H, W] images and [N, C*kh*kw, Ho*Wo] columns;
// p = {kh, kw, dh, dw, ph, pw, sh, sw, Ho, Wo} (ph/pw: padding before; positions outside the
// image read 0). col2im adds overlapping columns back (the adjoint of im2col).
void im2col(const Tensor& cols, const Tensor& img, const int64_t* p);
void col2im(const Tensor& img, const Tensor& cols, const int64_t* p);
// 2-D max pooling over contiguous [P, H, W] planes; indices are flat offsets h * W + w.
// p = {kh, kw, sh, sw, ph, pw, dh, dw, Ho, Wo}.
void max_pool2d(const Tensor& out, const Tensor& indices, const Tensor& in, const int64_t* p);

void uniform(const Tensor& out, double lo, double hi);
void normal(const Tensor& out, double mean, double std);
void randint(const Tensor& out, int64_t lo, int64_t hi);
void seed(uint64_t s);
uint64_t initial_seed();  // the seed of the CPU generator (manual_seed's, else drawn at start)

}  // namespace kern
}  // namespace tapegrad
