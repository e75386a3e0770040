// The public op functions (the C++ API; Python binds these). Every function records autograd
// history when grad mode is on and an input requires grad. Scalars are Python-number-like:
// they take part in type promotion as "wrapped numbers" (Note [Type promotion]).
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <tapegrad/core/tensor.h>
#include <tapegrad/ops/op_id.h>

namespace tapegrad {

enum class Reduction : int { None = 0, Mean = 1, Sum = 2 };

// A Python-like number: bool, int or float.
struct Scalar {
  enum Kind : uint8_t { Bool, Int, Float } kind = Float;
  double d = 0;
  int64_t i = 0;
  Scalar() = default;
  Scalar(double v) : kind(Float), d(v), i(static_cast<int64_t>(v)) {}  // NOLINT
  Scalar(float v) : Scalar(static_cast<double>(v)) {}                  // NOLINT
  Scalar(int v) : kind(Int), d(v), i(v) {}                             // NOLINT
  Scalar(int64_t v) : kind(Int), d(static_cast<double>(v)), i(v) {}  // NOLINT
  Scalar(bool v) : kind(Bool), d(v), i(v) {}                           // NOLINT
  DType dtype() const { return kind == Float ? DType::Float64 : kind == Int ? DType::Int64 : DType::Bool; }
  double to_double() const { return kind == Float ? d : static_cast<double>(i); }
};

// ---- factories ----
Tensor zeros(const Shape& s, DType dt = DType::Float32, Device dev = Device());
Tensor ones(const Shape& s, DType dt = DType::Float32, Device dev = Device());
Tensor full(const Shape& s, Scalar v, DType dt = DType::Float32, Device dev = Device());
Tensor scalar_tensor(Scalar v, DType dt);
Tensor wrapped_scalar(Scalar v);  // a 0-d "wrapped number" tensor
Tensor arange(double start, double end, double step, DType dt);
Tensor linspace(double start, double end, int64_t steps, DType dt);
Tensor logspace(double start, double end, int64_t steps, double base, DType dt);
Tensor eye(int64_t n, int64_t m, DType dt);
Tensor rand(const Shape& s, DType dt = DType::Float32);
Tensor randn(const Shape& s, DType dt = DType::Float32);
Tensor randint(int64_t low, int64_t high, const Shape& s, DType dt = DType::Int64);
void manual_seed(uint64_t seed);
// torch.result_type: the dtype an op on a and b computes in (Note [Type promotion]); a Python
// number is a tensor marked wrapped_number.
DType result_type(const Tensor& a, const Tensor& b);
uint64_t initial_seed();  // the CPU generator's seed (manual_seed's, else drawn at start)
// A tensor from flat values (converted to dt) and a shape.
Tensor from_values(const std::vector<double>& values, const Shape& s, DType dt);

// ---- elementwise ----
Tensor unary(OpId op, const Tensor& a);
Tensor binary(OpId op, const Tensor& a, const Tensor& b, Scalar alpha = 1);
Tensor compare(CmpId op, const Tensor& a, const Tensor& b);
#define TG_UNARY(Id, name, GradFn, Functor, to_float, saves) \
  inline Tensor name(const Tensor& a) { return unary(OpId::Id, a); }
#define TG_OP(Id, name, GradFn)
#include <tapegrad/ops/ops.def>
Tensor add(const Tensor& a, const Tensor& b, Scalar alpha = 1);
Tensor sub(const Tensor& a, const Tensor& b, Scalar alpha = 1);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& a, Scalar exponent);
Tensor pow(Scalar base, const Tensor& exponent);
Tensor rsub(const Tensor& a, Scalar other, Scalar alpha = 1);  // other - alpha * a
Tensor rsub(const Tensor& a, const Tensor& other, Scalar alpha = 1);  // the same, RsubBackward0
Tensor div(const Tensor& a, Scalar other);  // torch's div.Scalar (DivBackward1)
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
Tensor clamp(const Tensor& a, std::optional<Scalar> lo, std::optional<Scalar> hi);
Tensor clamp(const Tensor& a, const Tensor& lo, const Tensor& hi);  // either may be undefined
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
Tensor logical_not(const Tensor& a);
// lib/ops/pointwise_extra.cpp: binary rows by name, their scalar forms, clamp_min/max, logit
Tensor atan2(const Tensor& a, const Tensor& b);
Tensor hypot(const Tensor& a, const Tensor& b);
Tensor xlogy(const Tensor& a, const Tensor& b);
Tensor xlogy(Scalar a, const Tensor& b);  // XlogyBackward1
Tensor xlogy(const Tensor& a, Scalar b);  // XlogyBackward2
Tensor fmod(const Tensor& a, const Tensor& b);
Tensor fmod(const Tensor& a, Scalar b);  // FmodBackward0
Tensor remainder(const Tensor& a, const Tensor& b);
Tensor remainder(const Tensor& a, Scalar b);  // RemainderBackward0
Tensor floor_divide(const Tensor& a, const Tensor& b);
Tensor clamp_min(const Tensor& a, Scalar lo);
Tensor clamp_min(const Tensor& a, const Tensor& lo);
Tensor clamp_max(const Tensor& a, Scalar hi);
Tensor clamp_max(const Tensor& a, const Tensor& hi);
Tensor logit(const Tensor& a, std::optional<double> eps = std::nullopt);
// torch's memory-overlap checks of an op that writes `out` while reading `in`: raises its
// "some elements of the input tensor and the written-to tensor refer to a single memory
// location" error when both are non-overlapping and dense and their byte ranges overlap other
// than as the same elements in the same layout (assert_no_partial_overlap, what elementwise
// in-place and out= ops check), or, with `full`, when they overlap at all (assert_no_overlap:
// scatter_, index_add_, index_put_, cat's out=). Undefined, empty or separate tensors pass, and
// so do layouts torch calls too hard to tell (a strided or expanded view).
void check_no_overlap(const Tensor& out, const Tensor& in, bool full = false);
// In-place form of any TG_BINARY row (atan2_, fmod_, ...), with add_'s checks.
Tensor& binary_inplace(OpId op, Tensor& a, const Tensor& b);
// a = f(a) in place (clamp_min_, fmod_(number), logit_, ...): f runs out of place on a's
// value (with a's history when anything needs grad; `other` is the op's other tensor operand,
// may be undefined), and the result must keep a's shape and be castable to a's dtype.
Tensor& apply_inplace(Tensor& a, const Tensor& other, const std::function<Tensor(const Tensor&)>& f);
// clamp's result dtype for a tensor of dtype dt and number bounds (int64 for a bool tensor and an
// integer bound; no kernel, named `kernel` in the error, for bool bounds), and the in-place
// forms' check that it can be written back into a.
DType clamp_dtype(DType dt, std::optional<Scalar> lo, std::optional<Scalar> hi,
                  const char* kernel);
void check_clamp_inplace(const Tensor& a, std::optional<Scalar> lo, std::optional<Scalar> hi,
                         const char* kernel);
// clamp's kernel call: a NaN bound makes every value NaN, as torch's (the kernel's compares
// are false for a NaN bound, which would leave the input as it is).
void clamp_into(const Tensor& out, const Tensor& in, std::optional<double> lo,
                std::optional<double> hi);
Tensor addcmul(const Tensor& self, const Tensor& t1, const Tensor& t2, Scalar value = 1);
Tensor addcdiv(const Tensor& self, const Tensor& t1, const Tensor& t2, Scalar value = 1);
Tensor lerp(const Tensor& self, const Tensor& end, Scalar weight);
Tensor lerp(const Tensor& self, const Tensor& end, const Tensor& weight);
Tensor masked_fill(const Tensor& self, const Tensor& mask, Scalar value);
Tensor masked_fill(const Tensor& self, const Tensor& mask, const Tensor& value);  // 0-d value
// round(x, decimals): half to even at 10^-decimals (RoundBackward1; float inputs only).
Tensor round(const Tensor& a, int64_t decimals);
// Elementwise tests (bool results, no history); integer inputs are always finite.
Tensor isnan(const Tensor& a);
Tensor isinf(const Tensor& a);
Tensor isfinite(const Tensor& a);

// ---- reductions ----
Tensor sum(const Tensor& a, std::optional<DType> dtype = std::nullopt);
Tensor sum(const Tensor& a, const std::vector<int64_t>& dims, bool keepdim = false,
           std::optional<DType> dtype = std::nullopt);
Tensor mean(const Tensor& a, std::optional<DType> dtype = std::nullopt);
Tensor mean(const Tensor& a, const std::vector<int64_t>& dims, bool keepdim = false,
            std::optional<DType> dtype = std::nullopt);
Tensor max(const Tensor& a);
Tensor min(const Tensor& a);
std::pair<Tensor, Tensor> max(const Tensor& a, int64_t dim, bool keepdim = false);
std::pair<Tensor, Tensor> min(const Tensor& a, int64_t dim, bool keepdim = false);
Tensor amax(const Tensor& a, const std::vector<int64_t>& dims, bool keepdim = false);
Tensor amin(const Tensor& a, const std::vector<int64_t>& dims, bool keepdim = false);
Tensor argmax(const Tensor& a, std::optional<int64_t> dim, bool keepdim = false);
Tensor argmin(const Tensor& a, std::optional<int64_t> dim, bool keepdim = false);
Tensor prod(const Tensor& a, std::optional<DType> dtype = std::nullopt);
Tensor prod(const Tensor& a, int64_t dim, bool keepdim = false,
            std::optional<DType> dtype = std::nullopt);
Tensor logsumexp(const Tensor& a, const std::vector<int64_t>& dims, bool keepdim = false);
// var/std with torch's `correction` (1 = unbiased); no dims = all dims.
Tensor var(const Tensor& a, const std::vector<int64_t>& dims, double correction = 1,
           bool keepdim = false);
Tensor std(const Tensor& a, const std::vector<int64_t>& dims, double correction = 1,
           bool keepdim = false);
// all/any: bool results (whether every / some element is nonzero); no dims = the whole tensor.
Tensor all(const Tensor& a);
Tensor all(const Tensor& a, const std::vector<int64_t>& dims, bool keepdim = false);
Tensor any(const Tensor& a);
Tensor any(const Tensor& a, const std::vector<int64_t>& dims, bool keepdim = false);
// Inclusive scans along dim; integer and bool inputs accumulate in int64 unless dtype is given.
Tensor cumsum(const Tensor& a, int64_t dim, std::optional<DType> dtype = std::nullopt);
Tensor cumprod(const Tensor& a, int64_t dim, std::optional<DType> dtype = std::nullopt);
// Sums `a` down to `shape` (the reverse of broadcasting); Note [Broadcast gradients].
Tensor sum_to(const Tensor& a, const Shape& shape);

// ---- linear algebra ----
Tensor mm(const Tensor& a, const Tensor& b);
Tensor bmm(const Tensor& a, const Tensor& b);
Tensor mv(const Tensor& a, const Tensor& v);
Tensor dot(const Tensor& a, const Tensor& b);
Tensor addmm(const Tensor& bias, const Tensor& a, const Tensor& b, Scalar beta = 1,
             Scalar alpha = 1);
Tensor matmul(const Tensor& a, const Tensor& b);

// ---- movement ----
Tensor view(const Tensor& a, const Shape& shape);
Tensor reshape(const Tensor& a, const Shape& shape);
Tensor unsafe_view(const Tensor& a, const Shape& shape);
Tensor flatten(const Tensor& a, int64_t start = 0, int64_t end = -1);
Tensor transpose(const Tensor& a, int64_t d0, int64_t d1);
Tensor t(const Tensor& a);
Tensor permute(const Tensor& a, const std::vector<int64_t>& dims);
Tensor unsqueeze(const Tensor& a, int64_t dim);
Tensor squeeze(const Tensor& a);
Tensor squeeze(const Tensor& a, int64_t dim);
Tensor squeeze(const Tensor& a, const std::vector<int64_t>& dims);
Tensor& squeeze_(Tensor& a, int64_t dim);
Tensor& squeeze_(Tensor& a, std::optional<std::vector<int64_t>> dims);  // none: every dim
Tensor expand(const Tensor& a, const Shape& shape);
Tensor select(const Tensor& a, int64_t dim, int64_t index);
Tensor slice(const Tensor& a, int64_t dim, std::optional<int64_t> start, std::optional<int64_t> end,
             int64_t step = 1);
Tensor diagonal(const Tensor& a, int64_t offset = 0, int64_t dim1 = 0, int64_t dim2 = 1);
// Tensor.unfold: the slices of `size` elements along dim, `step` apart, as a new last dimension.
Tensor unfold(const Tensor& a, int64_t dim, int64_t size, int64_t step);
// Tensor.view(dtype): the same bytes read as another dtype (the last dimension rescaled when the
// element sizes differ); like torch's, not differentiable.
Tensor view_dtype(const Tensor& a, DType dtype);
// A view with the same geometry (what x[...] returns: AliasBackward0).
Tensor alias(const Tensor& a);
// A view of a's storage with any geometry (offset in elements, default a's own).
Tensor as_strided(const Tensor& a, const Shape& sizes, const Shape& strides,
                  std::optional<int64_t> offset = std::nullopt);
// Advanced indexing: one optional index tensor (int64, or bool mask) per leading dim.
Tensor index(const Tensor& a, const std::vector<Tensor>& indices);
Tensor index_put(const Tensor& a, const std::vector<Tensor>& indices, const Tensor& values,
                 bool accumulate);
// index_put as torch's _index_put_impl_ records it (IndexPutImplBackward0: indexing's backward).
Tensor index_put_impl(const Tensor& a, const std::vector<Tensor>& indices, const Tensor& values,
                      bool accumulate);
// In place, as x[idx] = v does (IndexPutBackward0; CopySlices when x is a view).
Tensor& index_put_(Tensor& a, const std::vector<Tensor>& indices, const Tensor& values,
                   bool accumulate);
Tensor gather(const Tensor& a, int64_t dim, const Tensor& idx);
Tensor index_select(const Tensor& a, int64_t dim, const Tensor& idx);
Tensor tril(const Tensor& a, int64_t diagonal = 0);
Tensor triu(const Tensor& a, int64_t diagonal = 0);
Tensor one_hot(const Tensor& a, int64_t num_classes = -1);
// Pads (or, with negative amounts, crops) the last pad.size() / 2 dims: (left, right) pairs
// starting from the last dim, filled with `value` (F.pad's constant mode).
Tensor constant_pad_nd(const Tensor& a, const std::vector<int64_t>& pad, Scalar value = 0);
// F.pad: mode "constant" (value, default 0), "reflect", "replicate" or "circular" (these pad
// the last 1-3 dims of a batched or unbatched input), with torch's checks and messages.
Tensor pad(const Tensor& a, const std::vector<int64_t>& pad, const std::string& mode,
           std::optional<double> value = std::nullopt);
// Sliding blocks of a [N, C, H, W] image as [N, C*kh*kw, L] columns (torch's F.unfold) and
// the adjoint (F.fold). Arguments are (h, w) pairs; padding is applied before each dim, and
// `out_hw` (the number of block positions) is derived from them when empty.
Tensor im2col(const Tensor& img, std::vector<int64_t> kernel, std::vector<int64_t> dilation,
              std::vector<int64_t> padding, std::vector<int64_t> stride,
              std::vector<int64_t> out_hw = {});
Tensor col2im(const Tensor& cols, std::vector<int64_t> image_hw, std::vector<int64_t> kernel,
              std::vector<int64_t> dilation, std::vector<int64_t> padding,
              std::vector<int64_t> stride, std::vector<int64_t> out_hw = {});
Tensor scatter_add(const Tensor& a, int64_t dim, const Tensor& idx, const Tensor& src);
Tensor select_backward(const Tensor& grad, const Shape& sizes, int64_t dim, int64_t index);
// relu / sigmoid / tanh backward from the saved result y (lib/ops/activation_backward.cpp)
Tensor threshold_backward(const Tensor& grad, const Tensor& y);
Tensor sigmoid_backward(const Tensor& grad, const Tensor& y);
Tensor tanh_backward(const Tensor& grad, const Tensor& y);
Tensor slice_backward(const Tensor& grad, const Shape& sizes, int64_t dim, int64_t start,
                      int64_t end, int64_t step);
// Multi-output views (Note [Multi-output views]): pieces of `split_size` along dim (the last
// one smaller), pieces of the given sizes, `chunks` near-equal pieces, or every index.
TensorList split(const Tensor& a, int64_t split_size, int64_t dim = 0);
TensorList split_with_sizes(const Tensor& a, const std::vector<int64_t>& sizes, int64_t dim = 0);
TensorList chunk(const Tensor& a, int64_t chunks, int64_t dim = 0);
TensorList unbind(const Tensor& a, int64_t dim = 0);
// tensor_split: `sections` near-equal pieces (the first ones one larger), or cut before each
// index; each piece is a slice (SliceBackward0), as torch's.
TensorList tensor_split(const Tensor& a, int64_t sections, int64_t dim = 0);
TensorList tensor_split(const Tensor& a, const std::vector<int64_t>& indices, int64_t dim = 0);
Tensor flip(const Tensor& a, const std::vector<int64_t>& dims);
// roll: no dims = roll the flattened tensor, else one shift per dim.
Tensor roll(const Tensor& a, const std::vector<int64_t>& shifts,
            const std::vector<int64_t>& dims = {});
Tensor repeat(const Tensor& a, const std::vector<int64_t>& repeats);
Tensor tile(const Tensor& a, const std::vector<int64_t>& dims);
Tensor cat(const TensorList& ts, int64_t dim = 0);
Tensor stack(const TensorList& ts, int64_t dim = 0);
Tensor contiguous(const Tensor& a);
Tensor clone(const Tensor& a);
Tensor to(const Tensor& a, DType dt, bool copy = false);
// To another device (and dtype): a ToCopyBackward0 node whose gradient goes back to a's device.
Tensor to(const Tensor& a, Device device, DType dt, bool copy = false);
Tensor detach(const Tensor& a);
Tensor nonzero(const Tensor& a);

// ---- in-place (bump the version counter; rebase history onto the new node) ----
Tensor& add_(Tensor& a, const Tensor& b, Scalar alpha = 1);
Tensor& sub_(Tensor& a, const Tensor& b, Scalar alpha = 1);
Tensor& mul_(Tensor& a, const Tensor& b);
Tensor& div_(Tensor& a, const Tensor& b);
Tensor& zero_(Tensor& a);
Tensor& fill_(Tensor& a, Scalar v);
Tensor& fill_(Tensor& a, const Tensor& value);  // a 0-d value; its gradient is the sum
Tensor& copy_(Tensor& a, const Tensor& src);
Tensor& clamp_(Tensor& a, std::optional<Scalar> lo, std::optional<Scalar> hi);
Tensor& unary_(OpId op, Tensor& a);  // exp_, sqrt_, ... (the unary rows of ops.def)
Tensor& masked_fill_(Tensor& a, const Tensor& mask, Scalar value);
Tensor& masked_fill_(Tensor& a, const Tensor& mask, const Tensor& value);
Tensor& tril_(Tensor& a, int64_t diagonal = 0);
Tensor& triu_(Tensor& a, int64_t diagonal = 0);
Tensor& addcmul_(Tensor& a, const Tensor& t1, const Tensor& t2, Scalar value = 1);
Tensor& addcdiv_(Tensor& a, const Tensor& t1, const Tensor& t2, Scalar value = 1);
Tensor& lerp_(Tensor& a, const Tensor& end, Scalar weight);
Tensor& lerp_(Tensor& a, const Tensor& end, const Tensor& weight);
// Random fills (nn.init): values differ from torch's generator; seeded runs repeat.
Tensor& uniform_(Tensor& a, double from = 0, double to = 1);
Tensor& normal_(Tensor& a, double mean = 0, double std = 1);
Tensor& bernoulli_(Tensor& a, double p = 0.5);

// ---- nn ----
Tensor softmax(const Tensor& a, int64_t dim, std::optional<DType> dtype = std::nullopt);
Tensor log_softmax(const Tensor& a, int64_t dim, std::optional<DType> dtype = std::nullopt);
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction r = Reduction::Mean);
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                            Reduction r = Reduction::Mean);
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const Tensor& weight = {}, const Tensor& pos_weight = {},
                                        Reduction r = Reduction::Mean);
Tensor nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                Reduction r = Reduction::Mean, int64_t ignore_index = -100);
Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                     Reduction r = Reduction::Mean, int64_t ignore_index = -100,
                     double label_smoothing = 0.0);
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = {});
Tensor gelu(const Tensor& a, const std::string& approximate = "none");
Tensor softplus(const Tensor& a, double beta = 1, double threshold = 20);
// Pointwise activations with arguments (lib/ops/activation.cpp); the `_` forms write in place
// under torch's in-place rules. selu/relu6 are elu/hardtanh with fixed arguments, as torch's.
Tensor leaky_relu(const Tensor& a, double negative_slope = 0.01);
Tensor& leaky_relu_(Tensor& a, double negative_slope = 0.01);
Tensor elu(const Tensor& a, double alpha = 1, double scale = 1, double input_scale = 1);
Tensor& elu_(Tensor& a, double alpha = 1, double scale = 1, double input_scale = 1);
Tensor celu(const Tensor& a, double alpha = 1);
Tensor& celu_(Tensor& a, double alpha = 1);
Tensor hardtanh(const Tensor& a, double min_val = -1, double max_val = 1);
Tensor& hardtanh_(Tensor& a, double min_val = -1, double max_val = 1);
Tensor hardsigmoid(const Tensor& a);
Tensor& hardsigmoid_(Tensor& a);
Tensor hardswish(const Tensor& a);
Tensor& hardswish_(Tensor& a);
Tensor mish(const Tensor& a);
Tensor& mish_(Tensor& a);
Tensor logsigmoid(const Tensor& a);
Tensor softshrink(const Tensor& a, double lambd = 0.5);
Tensor hardshrink(const Tensor& a, double lambd = 0.5);
Tensor threshold(const Tensor& a, double threshold, double value);
Tensor& threshold_(Tensor& a, double threshold, double value);
Tensor glu(const Tensor& a, int64_t dim = -1);
// where(a > 0, a, weight * a), weight already shaped to broadcast against a (F.prelu reshapes).
Tensor prelu_kernel(const Tensor& a, const Tensor& weight);
// Pointwise losses with their own nodes (lib/ops/loss_extra.cpp); input and target of one
// shape or broadcastable (F.* warns first). smooth_l1 with beta 0 is l1 (the caller's choice).
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, Reduction r = Reduction::Mean,
                      double beta = 1.0);
Tensor huber_loss(const Tensor& input, const Tensor& target, Reduction r = Reduction::Mean,
                  double delta = 1.0);
// target carries no gradient (torch refuses a target that requires grad).
Tensor soft_margin_loss(const Tensor& input, const Tensor& target, Reduction r = Reduction::Mean);
// The p-norm over dims (p > 0 or inf), as at::norm(x, p, dim, keepdim) (NormBackward1).
Tensor norm(const Tensor& a, double p, const std::vector<int64_t>& dims, bool keepdim = false);
Tensor layer_norm(const Tensor& input, const Shape& normalized_shape, const Tensor& weight = {},
                  const Tensor& bias = {}, double eps = 1e-5);
// torch.batch_norm over [N, C, *]: batch statistics when training (running_mean/var, if given,
// updated in place with `momentum` and the unbiased variance), the running ones otherwise.
Tensor batch_norm(const Tensor& input, const Tensor& weight, const Tensor& bias,
                  const Tensor& running_mean, const Tensor& running_var, bool training,
                  double momentum = 0.1, double eps = 1e-5);
// torch.group_norm over [N, C, *]: each sample's C / num_groups-channel groups normalised, then
// the per-channel affine.
Tensor group_norm(const Tensor& input, int64_t num_groups, const Tensor& weight = {},
                  const Tensor& bias = {}, double eps = 1e-5);
// torch.embedding's argument order (weight first); padding_idx < 0: none.
Tensor embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx = -1,
                 bool scale_grad_by_freq = false, bool sparse = false);
// Rescales (in place, untracked) the rows of `weight` named in `indices` whose norm_type-norm
// exceeds max_norm to norm max_norm (F.embedding's max_norm).
Tensor& embedding_renorm_(Tensor& weight, const Tensor& indices, double max_norm,
                          double norm_type);
// conv2d over [N, C, H, W] or unbatched [C, H, W] input; pairs are (h, w).
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
              std::vector<int64_t> stride, std::vector<int64_t> padding,
              std::vector<int64_t> dilation, int64_t groups = 1);
// padding "same" or "valid" (a C string, so a braced {h, w} picks the overload above).
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
              std::vector<int64_t> stride, const char* padding,
              std::vector<int64_t> dilation, int64_t groups = 1);
// (values, indices); an empty stride means stride = kernel size.
std::pair<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, std::vector<int64_t> kernel,
                                                  std::vector<int64_t> stride,
                                                  std::vector<int64_t> padding,
                                                  std::vector<int64_t> dilation, bool ceil_mode);
Tensor dropout(const Tensor& input, double p, bool train);
Tensor& dropout_(Tensor& input, double p, bool train);

// ---- C++ operator sugar ----
inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
inline Tensor operator-(const Tensor& a) { return neg(a); }
inline Tensor operator+(const Tensor& a, Scalar s) { return add(a, wrapped_scalar(s)); }
inline Tensor operator-(const Tensor& a, Scalar s) { return sub(a, wrapped_scalar(s)); }
inline Tensor operator*(const Tensor& a, Scalar s) { return mul(a, wrapped_scalar(s)); }
inline Tensor operator/(const Tensor& a, Scalar s) { return div(a, wrapped_scalar(s)); }
inline Tensor operator+(Scalar s, const Tensor& a) { return add(a, wrapped_scalar(s)); }
inline Tensor operator-(Scalar s, const Tensor& a) { return rsub(a, s); }
inline Tensor operator*(Scalar s, const Tensor& a) { return mul(a, wrapped_scalar(s)); }
inline Tensor operator/(Scalar s, const Tensor& a) { return mul(reciprocal(a), wrapped_scalar(s)); }

// Reads element values (any dtype) as doubles / the single value of a 1-element tensor.
std::vector<double> to_double_vector(const Tensor& a);
Scalar item(const Tensor& a);

}  // namespace tapegrad
