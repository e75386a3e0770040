// Nodes, saved variables, history recording, and iterative destruction of long graphs
// (Note [Deep graphs]).
#include <atomic>

#include <tapegrad/autograd/grad_mode.h>
#include <tapegrad/autograd/node.h>
#include <tapegrad/ops/ops.h>

namespace tapegrad {

namespace {
std::atomic<uint64_t> next_seq{0};

// Note [Deep graphs]: destroying a node releases its edges, which may destroy the next node,
// and so on: a 100,000-op chain would recurse 100,000 deep. The outermost destructor collects
// what would be destroyed into `pending` and releases it in a loop; nested destructors only add
// to the list, so the depth stays constant.
thread_local std::vector<std::shared_ptr<void>>* pending = nullptr;

std::string tensor_type_str(const Tensor& t) {
  const char* n = "Float";
  switch (t.dtype()) {
    case DType::Float64: n = "Double"; break;
    case DType::Float16: n = "Half"; break;
    case DType::BFloat16: n = "BFloat16"; break;
    case DType::Int64: n = "Long"; break;
    case DType::Int32: n = "Int"; break;
    case DType::Bool: n = "Bool"; break;
    default: break;
  }
  return std::string("torch.") + n + "Tensor";
}
}  // namespace

const char* grad_fn_name(OpId op) {
  switch (op) {
#define TG_OP(Id, name, GradFn) \
  case OpId::Id:                \
    return #GradFn;
#include <tapegrad/ops/ops.def>
    case OpId::NumOps: break;
  }
  return "?";
}

const char* op_name(OpId op) {
  switch (op) {
#define TG_OP(Id, name, GradFn) \
  case OpId::Id:                \
    return #name;
#include <tapegrad/ops/ops.def>
    case OpId::NumOps: break;
  }
  return "?";
}

Node::Node(OpId op_) : op(op_), seq(next_seq.fetch_add(1, std::memory_order_relaxed)) {}

Node::~Node() {
  // Nothing that dies with this node (an AccumulateGrad, edges and saved tensors that others
  // still hold, as for x * y of two leaves): the members' destructors only drop references,
  // so skip the thread-local list, whose lookups cost more than the rest of such a node's
  // destruction. (Should another thread drop its reference meanwhile, what dies here inline
  // is one node, which releases its own graph through the list.)
  bool defer = false;
  for (const auto& e : next_edges) defer = defer || (e.fn && e.fn.use_count() == 1);
  for (const auto& s : saved) defer = defer || s.release_may_destroy();
  if (!defer) return;
  // One list per thread, reused: a graph's nodes die one by one and each would otherwise
  // allocate its own. Never destroyed: nodes may die during thread or process teardown.
  static thread_local auto* reused = new std::vector<std::shared_ptr<void>>;
  auto& local = *reused;
  const bool outer = pending == nullptr;
  if (outer) pending = &local;
  for (auto& e : next_edges)
    if (e.fn) pending->push_back(std::move(e.fn));
  for (auto& s : saved) s.release_into(*pending);
  if (outer) {
    while (!local.empty()) {
      auto p = std::move(local.back());
      local.pop_back();
      p.reset();
    }
    pending = nullptr;
  }
}

std::string Node::name() const { return grad_fn_name(op); }

// torch frees only saved tensors: a node that saved none (add, sum, split, views) can run
// again after a backward without retain_graph (a piece of split used in a second backward).
void Node::release() {
  bool holds = false;
  for (const auto& s : saved) holds = holds || s.defined();
  if (!holds) return;
  saved.clear();
  released = true;
}

TensorList Node::apply(TensorList&& grads) {
  TG_CHECK(!released,
           "Trying to backward through the graph a second time (or directly access saved tensors "
           "after they have already been freed). Saved intermediate values of the graph are freed "
           "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
           "backward through the graph a second time or if you need to access saved tensors after "
           "calling backward.");
  return call_derivative(*this, grads);
}

// ---- SavedVariable ----

namespace {
// The hooks stack of this thread, and how many hook blocks are open in the whole process:
// saving a tensor without hooks (every op with grad on) reads that plain global only, not the
// thread-local stack (a __tls_get_addr call from a shared library).
thread_local std::vector<std::shared_ptr<SavedTensorHooks>> g_hooks;
std::atomic<int> g_open_hooks{0};
}  // namespace

void push_saved_tensor_hooks(std::shared_ptr<SavedTensorHooks> hooks) {
  g_hooks.push_back(std::move(hooks));
  g_open_hooks.fetch_add(1, std::memory_order_relaxed);
}

void pop_saved_tensor_hooks() {
  if (g_hooks.empty()) return;
  g_hooks.pop_back();
  g_open_hooks.fetch_sub(1, std::memory_order_relaxed);
}

std::shared_ptr<SavedTensorHooks> current_saved_tensor_hooks() {
  return g_hooks.empty() ? nullptr : g_hooks.back();
}

SavedVariable::SavedVariable(const Tensor& t, bool is_output) : is_output_(is_output) {
  if (!t.defined()) return;
  defined_ = true;
  version_ = t.version();
  if (is_output) output_nr_ = t.output_nr();
  if (g_open_hooks.load(std::memory_order_relaxed) && !g_hooks.empty()) {
    // pack() sees a history-free alias of a saved output: the node must not hold itself
    auto hooks = g_hooks.back();
    auto packed = hooks->pack(is_output ? alias_detached(t) : t);
    rare_ = std::make_shared<Rare>(Rare{{}, std::move(hooks), std::move(packed)});
    return;
  }
  data_ = is_output ? alias_detached(t) : t;
}

void SavedVariable::release_into(std::vector<std::shared_ptr<void>>& out) {
  if (data_.defined()) out.push_back(std::shared_ptr<void>(data_.impl_ptr()));
  data_ = Tensor();
  if (hooked()) out.push_back(std::move(rare_));
}

Tensor SavedVariable::unpack(const std::shared_ptr<Node>& owner) const {
  if (!defined_) return Tensor();
  TG_CHECK(data_.defined() || hooked(),
           "Trying to backward through the graph a second time (or directly access saved tensors "
           "after they have already been freed). Saved intermediate values of the graph are freed "
           "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
           "backward through the graph a second time or if you need to access saved tensors after "
           "calling backward.");
  if (hooked()) return unpack_hooked(owner);
  return finish_unpack(data_, data_.version(), owner);
}

Tensor SavedVariable::unpack_hooked(const std::shared_ptr<Node>& owner) const {
  // What pack kept is the hooks' business (a copy stays valid when the original is written in
  // place), so there is no version check here: torch's rule.
  return finish_unpack(rare_->hooks->unpack(rare_->packed), version_, owner);
}

void SavedVariable::set_view_history(const std::shared_ptr<Node>& fn) {
  if (!rare_) rare_ = std::make_shared<Rare>();
  else if (rare_.use_count() > 1) rare_ = std::make_shared<Rare>(*rare_);  // a copy's own
  rare_->view_fn = fn;
}

Tensor SavedVariable::finish_unpack(const Tensor& d, uint32_t now,
                                    const std::shared_ptr<Node>& owner) const {
  if (now != version_) {
    // torch names the forward op: the owner for a saved output, the tensor's current producer
    // for a saved input, without the "Backward0" suffix.
    std::string which = is_output_ ? std::string(owner ? owner->name() : "")
                                   : (d.grad_fn() ? d.grad_fn()->name() : "");
    auto cut = which.rfind("Backward");
    if (cut != std::string::npos) which = which.substr(0, cut);
    uint32_t nr = is_output_ ? output_nr_ : d.output_nr();
    std::string msg = "one of the variables needed for gradient computation has been modified by "
                      "an inplace operation: [" + tensor_type_str(d) + " " +
                      shape_str(d.sizes()) + "]";
    if (!which.empty()) msg += ", which is output " + std::to_string(nr) + " of " + which + ",";
    msg += " is at version " + std::to_string(now) + "; expected version " +
           std::to_string(version_) +
           " instead. Hint: enable anomaly detection to find the operation that failed to compute "
           "its gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False).";
    TG_ERROR(msg);
  }
  if (!is_output_ || !owner) return d;
  // A saved output gets its history back, so double backward can flow through it.
  Tensor t = alias_detached(d);
  auto& m = t.impl()->meta();
  if (auto view_fn = rare_ ? rare_->view_fn.lock() : nullptr) {
    m.grad_fn = std::move(view_fn);
    m.output_nr = 0;
  } else {
    m.grad_fn = owner;
    m.output_nr = output_nr_;
  }
  return t;
}

// ---- AccumulateGrad ----

AccumulateGrad::AccumulateGrad(std::shared_ptr<TensorImpl> v)
    : Node(OpId::NumOps), variable(std::move(v)) {
  seq = UINT64_MAX;  // accumulate as soon as ready (no input_meta: it has no next edges)
}

namespace {
// A contiguous view spanning all of a storage that only it and its base share, the base being
// held by nothing but the view (say t(t(m)) for a product m computed in the transposed layout):
// as private as a fresh tensor.
bool private_view(const Tensor& g) {
  const TensorImpl* v = g.impl();
  return v->is_view && v->base && v->base.use_count() == 1 && !v->base->is_view &&
         v->storage.use_count() == 2 && v->base->storage == v->storage && v->offset == 0 &&
         g.is_contiguous() &&
         static_cast<size_t>(g.numel()) * itemsize(g.dtype()) == v->storage->nbytes;
}

// The same memory as a plain (non-view) tensor.
Tensor unview(const Tensor& g) {
  Tensor r = alias_detached(g);
  r.impl()->is_view = false;
  r.impl()->base.reset();
  return r;
}
}  // namespace

TensorList AccumulateGrad::apply(TensorList&& grads) {
  Tensor g = grads.at(0);
  const std::shared_ptr<TensorImpl> variable = this->variable.lock();
  if (!variable) return {};  // the leaf is gone: nothing can see its gradient
  auto& meta = variable->meta();
  for (auto& h : meta.hooks) {
    if (h.first < 0) continue;  // post-accumulate: below
    Tensor r = h.second(g);
    if (r.defined()) g = r;
  }
  if (!g.defined()) return {};
  Tensor old(meta.grad);
  if (!old.defined()) {
    // Keep the incoming buffer when nothing else can see it; otherwise copy, so later in-place
    // accumulation never writes into someone else's tensor.
    if (!GradMode::is_enabled() && g.impl_ptr().use_count() <= 2 && private_view(g))
      g = unview(g);
    if (GradMode::is_enabled() || g.impl_ptr().use_count() > 2 || !g.is_contiguous() ||
        g.impl()->is_view || g.sizes() != variable->sizes)
      g = GradMode::is_enabled() ? g : clone(detach(g));
    meta.grad = g.impl_ptr();
  } else if (GradMode::is_enabled()) {
    meta.grad = add(old, g).impl_ptr();  // create_graph: keep the graph of the sum
  } else {
    add_(old, g);
  }
  bool post = false;
  for (auto& h : meta.hooks) post = post || h.first < 0;
  if (post) {
    auto hooks = meta.hooks;  // a copy: a hook may add or remove hooks
    for (auto& h : hooks)
      if (h.first < 0) h.second(Tensor());
  }
  return {};
}

// ---- recording ----

// Note [Accumulator edges]: torch's leaf holds its AccumulateGrad weakly and the accumulator
// holds the leaf, so an op on a leaf whose last graph was dropped makes a new accumulator: two
// allocations and a node's construction and destruction per leaf operand, a sixth of a small
// op's cost. Here the leaf owns its accumulator for life, the accumulator holds the leaf weakly,
// and every edge to it is an aliasing shared_ptr: it points at the accumulator but shares
// ownership of the leaf, which owns the accumulator. A graph (or a Python handle from
// next_functions) keeps the leaf alive exactly as torch's strong reference does, without a cycle.
std::shared_ptr<Node> grad_accumulator(const Tensor& leaf) {
  auto& m = leaf.impl()->meta();
  if (!m.grad_accumulator) m.grad_accumulator = std::make_shared<AccumulateGrad>(leaf.impl_ptr());
  return std::shared_ptr<Node>(leaf.impl_ptr(), m.grad_accumulator.get());
}

Edge gradient_edge(const Tensor& t) {
  if (!t.defined() || !t.requires_grad()) return Edge{};
  if (t.grad_fn()) return Edge{t.grad_fn(), t.output_nr()};
  // A view made under no_grad of a tensor that requires grad requires grad too, but only its
  // own flag earns an accumulator (torch drops the gradient there).
  if (!t.impl()->autograd || !t.impl()->autograd->requires_grad) return Edge{};
  return Edge{grad_accumulator(t), 0};
}

namespace {
bool any_requires_grad_range(const Tensor* t, size_t n) {
  if (!GradMode::is_enabled()) return false;
  for (size_t k = 0; k < n; ++k)
    if (t[k].defined() && t[k].requires_grad()) return true;
  return false;
}

std::shared_ptr<Node> make_node_range(OpId op, const Tensor* t, size_t n) {
  auto node = create_node(op);
  node->next_edges.reserve(n);
  node->input_meta.reserve(n);
  for (size_t k = 0; k < n; ++k) {
    node->next_edges.push_back(gradient_edge(t[k]));
    if (t[k].defined())
      node->input_meta.push_back(InputMeta{t[k].sizes(), t[k].dtype(), t[k].device()});
    else
      node->input_meta.push_back(InputMeta{});
  }
  return node;
}
}  // namespace

bool any_requires_grad(const TensorList& inputs) {
  return any_requires_grad_range(inputs.data(), inputs.size());
}

std::shared_ptr<Node> create_node(OpId op) {
  switch (op) {
#define TG_OP(Id, name, GradFn) \
  case OpId::Id:                \
    return std::make_shared<NodeOf<OpId::Id>>();
#include <tapegrad/ops/ops.def>
    case OpId::NumOps: break;
  }
  TG_ERROR("internal: bad op id");
}

std::shared_ptr<Node> make_node(OpId op, const TensorList& inputs) {
  return make_node_range(op, inputs.data(), inputs.size());
}
std::shared_ptr<Node> make_node(OpId op, std::initializer_list<Tensor> inputs) {
  return make_node_range(op, inputs.begin(), inputs.size());
}

std::shared_ptr<Node> maybe_node(OpId op, const TensorList& inputs) {
  return any_requires_grad(inputs) ? make_node(op, inputs) : nullptr;
}
std::shared_ptr<Node> maybe_node(OpId op, std::initializer_list<Tensor> inputs) {
  return any_requires_grad_range(inputs.begin(), inputs.size())
             ? make_node_range(op, inputs.begin(), inputs.size())
             : nullptr;
}

void set_history(const Tensor& out, const std::shared_ptr<Node>& node, uint32_t output_nr) {
  auto& m = out.impl()->meta();
  m.grad_fn = node;
  m.output_nr = output_nr;
  m.requires_grad = false;
}

void Tensor::retain_grad() const {
  TG_CHECK(requires_grad(), "can't retain_grad on Tensor that has requires_grad=False");
  if (is_leaf()) return;  // leaves keep .grad anyway
  auto& m = impl_->meta();
  if (m.retains_grad) return;
  m.retains_grad = true;
  std::weak_ptr<TensorImpl> weak = impl_;
  grad_fn()->pre_hooks.push_back(Node::Hook{output_nr(), -1, [weak](const Tensor& g) {
    auto self = weak.lock();
    if (!self || !g.defined()) return Tensor();
    auto& meta = self->meta();
    Tensor old(meta.grad);
    if (!old.defined()) meta.grad = clone(detach(g)).impl_ptr();
    else meta.grad = add(detach(old), detach(g)).impl_ptr();
    return Tensor();
  }, true});
}

}  // namespace tapegrad
