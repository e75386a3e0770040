// Graph nodes: one Node per recorded op (its OpId picks the formula in derivatives.h), edges to
// the nodes of its inputs, what the backward saved, and scalar arguments; AccumulateGrad for
// leaves. SavedVariable checks the version counter (Note [Version counter]).
#pragma once
#include <algorithm>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <memory_resource>
#include <string>
#include <vector>

#include <tapegrad/core/tensor.h>
#include <tapegrad/ops/op_id.h>

namespace tapegrad {

struct Edge {
  std::shared_ptr<Node> fn;
  uint32_t input_nr = 0;
  bool valid() const { return fn != nullptr; }
};

// An input's sizes, inline up to four dims: recording an op allocates nothing per input
// (Note [Node arena]; a std::vector here was two of `x * y`'s nine mallocs with grad on).
class InputSizes {
 public:
  InputSizes() = default;
  InputSizes(const Shape& s) : n_(static_cast<uint32_t>(s.size())) {  // NOLINT: implicit
    if (n_ <= kInline) std::copy(s.begin(), s.end(), small_);
    else big_ = s;
  }
  size_t size() const { return n_; }
  const int64_t* data() const { return n_ <= kInline ? small_ : big_.data(); }
  int64_t operator[](size_t d) const { return data()[d]; }
  Shape vec() const { return Shape(data(), data() + n_); }
  bool operator==(const Shape& s) const {
    return s.size() == n_ && std::equal(s.begin(), s.end(), data());
  }
  bool operator!=(const Shape& s) const { return !(*this == s); }

 private:
  static constexpr uint32_t kInline = 4;
  uint32_t n_ = 0;
  int64_t small_[kInline] = {};
  Shape big_;  // more than kInline dims
};

// What the engine needs about each forward input to shape its gradient (sum_to, dtype cast).
struct InputMeta {
  InputSizes sizes;
  DType dtype = DType::Float32;
  Device device;
};

// Note [Saved tensor hooks]: torch.autograd.graph.saved_tensors_hooks. While a pair of hooks is
// current on this thread, a tensor an op saves for backward is handed to pack() and only what
// pack returns is kept; unpack() gives the tensor back when backward needs it. (Checkpointing
// keeps nothing and recomputes; save_on_cpu keeps a host copy.) As in torch, a hooked tensor
// gets no version check: a packed copy stays right when the original is written in place.
struct SavedTensorHooks {
  virtual ~SavedTensorHooks() = default;
  virtual std::shared_ptr<void> pack(const Tensor& t) = 0;
  virtual Tensor unpack(const std::shared_ptr<void>& packed) = 0;
};
// The innermost pair applies (nullptr: none); push/pop nest like torch's context managers.
void push_saved_tensor_hooks(std::shared_ptr<SavedTensorHooks> hooks);
void pop_saved_tensor_hooks();
std::shared_ptr<SavedTensorHooks> current_saved_tensor_hooks();

class SavedVariable {
 public:
  SavedVariable() = default;
  SavedVariable(const Tensor& t, bool is_output);
  // Returns the saved tensor; `owner` re-attaches history to a saved output.
  Tensor unpack(const std::shared_ptr<Node>& owner) const;
  bool defined() const { return defined_; }
  // Moves the held tensor into `out` (Note [Deep graphs]).
  void release_into(std::vector<std::shared_ptr<void>>& out);
  // Whether dropping what this holds could destroy graph nodes: the last reference to a tensor
  // with autograd state, or what saved tensor hooks packed (anything).
  bool release_may_destroy() const {
    if (rare_) return true;
    const auto& p = data_.impl_ptr();
    return p && p.use_count() == 1 && p->autograd != nullptr;
  }
  bool is_output() const { return is_output_; }
  // The output of an in-place op on a view unpacks with the view's history (AsStridedBackward0
  // onto the base's CopySlices), not the op's own node, which only CopySlices may run. Weak: that
  // history leads back to the owner through CopySlices.
  void set_view_history(const std::shared_ptr<Node>& fn);

 private:
  Tensor unpack_hooked(const std::shared_ptr<Node>& owner) const;
  // The version check and, for a saved output, its history back (owner or the view's).
  Tensor finish_unpack(const Tensor& d, uint32_t now, const std::shared_ptr<Node>& owner) const;
  // The rarely set state, out of line so that a SavedVariable stays 48 bytes (a node's arena
  // holds three: Note [Node arena]): a saved output's view history, and under saved tensor
  // hooks what pack() returned with the hooks whose unpack() reads it (data_ then stays empty).
  struct Rare {
    std::weak_ptr<Node> view_fn;
    std::shared_ptr<SavedTensorHooks> hooks;
    std::shared_ptr<void> packed;
  };
  Tensor data_;  // for outputs: a detached alias, so the node does not own itself
  std::shared_ptr<Rare> rare_;
  bool hooked() const { return rare_ && rare_->hooks; }
  uint32_t version_ = 0;
  uint32_t output_nr_ = 0;
  bool is_output_ = false;
  bool defined_ = false;
};

using PreHook = std::function<Tensor(const Tensor&)>;

// Note [Node arena]: a node's edges, input metadata and saved variables live in a buffer inside
// the node (a monotonic resource; what outgrows it goes to the heap), so recording an op costs
// one allocation (make_shared's) instead of four: a third of `x * y`'s mallocs with grad on
// (issue 5: per-op overhead). Sized for a binary op saving three tensors.
struct NodeArena {
  static constexpr size_t kBytes = 384;
  alignas(std::max_align_t) unsigned char buf[kBytes];
  std::pmr::monotonic_buffer_resource res{buf, kBytes, std::pmr::new_delete_resource()};
  NodeArena() = default;
  NodeArena(const NodeArena&) = delete;
};

struct Node : std::enable_shared_from_this<Node> {
 private:
  NodeArena arena_;  // first: built before, destroyed after, the vectors that use it

 public:
  OpId op;
  std::pmr::vector<Edge> next_edges{&arena_.res};
  std::pmr::vector<InputMeta> input_meta{&arena_.res};  // one per next_edge
  std::pmr::vector<SavedVariable> saved{&arena_.res};
  std::vector<double> f;    // scalar arguments (alpha, exponent, bounds)
  std::vector<int64_t> i;   // integer arguments (dims, flags)
  Shape shape;              // a shape argument (input sizes for views and reductions)
  uint64_t seq = 0;         // creation order: later nodes run first when both are ready
  uint32_t num_outputs = 1; // forward outputs = gradients this node receives
  bool released = false;
  // Hooks on the gradients this node receives: (output_nr, handle id, hook).
  struct Hook { uint32_t output_nr; int id; PreHook fn; bool retains_grad; };
  std::vector<Hook> pre_hooks;

  explicit Node(OpId op_);
  virtual ~Node();
  virtual std::string name() const;
  // Gradients for each next_edge from gradients of each output (undefined = zero).
  virtual TensorList apply(TensorList&& grads);
  virtual void release();
  bool needs_grad(size_t k) const { return k < next_edges.size() && next_edges[k].valid(); }
  Tensor saved_at(size_t k) { return saved.at(k).unpack(shared_from_this()); }
};

// One C++ type per op row, so Python sees torch's class names (type(fn).__name__ ==
// "MulBackward0") through pybind11's polymorphic downcast.
template <OpId kOp>
struct NodeOf : Node {
  NodeOf() : Node(kOp) {}
};
std::shared_ptr<Node> create_node(OpId op);

struct AccumulateGrad : Node {
  // Weak: the leaf owns its accumulator; edges to it keep the leaf alive (Note [Accumulator
  // edges] in node.cpp). Expired only for a holder that did not come through an edge.
  std::weak_ptr<TensorImpl> variable;
  explicit AccumulateGrad(std::shared_ptr<TensorImpl> v);
  std::string name() const override { return "torch::autograd::AccumulateGrad"; }  // torch's
  TensorList apply(TensorList&& grads) override;
  void release() override {}
};

// The node gradient flows into for `t`: its grad_fn, or (leaf requiring grad) its accumulator.
Edge gradient_edge(const Tensor& t);
std::shared_ptr<Node> grad_accumulator(const Tensor& leaf);

// Records `node` (already holding its saved state) as the history of `outputs`.
// Edges come from `inputs`: an undefined or non-requiring input gets an invalid edge.
std::shared_ptr<Node> make_node(OpId op, const TensorList& inputs);
std::shared_ptr<Node> make_node(OpId op, std::initializer_list<Tensor> inputs);
void set_history(const Tensor& out, const std::shared_ptr<Node>& node, uint32_t output_nr = 0);
// True when grad mode is on and some input requires grad.
bool any_requires_grad(const TensorList& inputs);
// Creates the node (or returns null when nothing requires grad). The initializer-list forms
// serve the `maybe_node(op, {a, b})` calls of every op without building a vector.
std::shared_ptr<Node> maybe_node(OpId op, const TensorList& inputs);
std::shared_ptr<Node> maybe_node(OpId op, std::initializer_list<Tensor> inputs);

// Calls the formula in derivatives.cpp for `node`.
TensorList call_derivative(Node& node, TensorList& grads);

}  // namespace tapegrad
