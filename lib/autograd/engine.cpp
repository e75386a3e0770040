// The backward engine (Note [Engine]): discovers the graph from the roots with an explicit
// stack, counts dependencies, then runs nodes from a ready queue ordered by creation (newest
// first), summing each produced gradient to its input's shape (Note [Broadcast gradients]).
#include <queue>
#include <unordered_map>

#include <tapegrad/autograd/engine.h>
#include <tapegrad/autograd/grad_mode.h>
#include <tapegrad/ops/autocast.h>
#include <tapegrad/ops/ops.h>

namespace tapegrad {

namespace {

std::string size_str(const Shape& s) {
  std::string r = "torch.Size([";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "])";
}

// Note [Broadcast gradients]: a formula returns the gradient in the shape of the expression it
// differentiates; forward broadcasting means the input may be smaller, so the engine sums it
// down here, once, and casts to the input's dtype. No formula deals with broadcasting.
Tensor shape_gradient(const Node& node, size_t k, Tensor g) {
  const InputMeta& m = node.input_meta[k];
  if (m.sizes != g.sizes()) {
    bool expandable = g.dim() >= static_cast<int64_t>(m.sizes.size());
    for (size_t d = 0; expandable && d < m.sizes.size(); ++d) {
      int64_t gs = g.sizes()[g.dim() - m.sizes.size() + d];
      expandable = m.sizes[d] == gs || m.sizes[d] == 1;
    }
    TG_CHECK(expandable, "Function ", node.name(), " returned an invalid gradient at index ", k,
             " - got ", shape_str(g.sizes()), " but expected shape compatible with ",
             shape_str(m.sizes.vec()));
    g = sum_to(g, m.sizes.vec());
  }
  if (g.dtype() != m.dtype && is_floating(m.dtype)) g = to(g, m.dtype);
  if (g.device() != m.device) g = to(g, m.device, g.dtype());  // ToCopyBackward0 across devices
  return g;
}

struct ReadyItem {
  uint64_t seq;
  Node* node;
  int idx;
  bool operator<(const ReadyItem& o) const { return seq < o.seq; }
};

// Node* -> dense index, open addressing with linear probing. A backward over a small graph
// (the seed loop: one node and an accumulator) spent more in std::unordered_map/set node
// allocations than in its arithmetic; per-node state now lives in one vector indexed by this.
class NodeIndex {
 public:
  NodeIndex() : slots_(16, {nullptr, -1}) {}
  int find(Node* n) const {
    for (size_t h = hash(n);; h = (h + 1) & (slots_.size() - 1)) {
      if (slots_[h].first == n) return slots_[h].second;
      if (!slots_[h].first) return -1;
    }
  }
  // (index, true) when n is new; new nodes get indices 0, 1, 2, ...
  std::pair<int, bool> intern(Node* n) {
    if (2 * (size_ + 1) > slots_.size()) grow();
    for (size_t h = hash(n);; h = (h + 1) & (slots_.size() - 1)) {
      if (slots_[h].first == n) return {slots_[h].second, false};
      if (!slots_[h].first) {
        slots_[h] = {n, static_cast<int>(size_)};
        return {static_cast<int>(size_++), true};
      }
    }
  }

 private:
  size_t hash(Node* n) const {
    return (reinterpret_cast<uintptr_t>(n) >> 4) * 0x9E3779B97F4A7C15ull >> 20 & (slots_.size() - 1);
  }
  void grow() {
    std::vector<std::pair<Node*, int>> old(slots_.size() * 2, {nullptr, -1});
    old.swap(slots_);
    for (auto& e : old) {
      if (!e.first) continue;
      size_t h = hash(e.first);
      while (slots_[h].first) h = (h + 1) & (slots_.size() - 1);
      slots_[h] = e;
    }
  }
  std::vector<std::pair<Node*, int>> slots_;
  size_t size_ = 0;
};

struct NodeState {
  int deps = 0;  // -1 once queued
  bool needed = false;
  TensorList buf;
};

void run_pre_hooks(Node& node, TensorList& grads) {
  for (auto& h : node.pre_hooks) {
    if (h.output_nr >= grads.size()) continue;
    if (h.retains_grad) continue;
    Tensor r = h.fn(grads[h.output_nr]);
    if (r.defined()) grads[h.output_nr] = r;
  }
  // retain_grad sees the gradient after the user's hooks, as in torch.
  for (auto& h : node.pre_hooks)
    if (h.retains_grad && h.output_nr < grads.size()) h.fn(grads[h.output_nr]);
}

}  // namespace

TensorList run_backward(const TensorList& outputs, const TensorList& grad_outputs, bool keep_graph,
                        bool create_graph, const TensorList& inputs, bool allow_unused,
                        bool accumulate) {
  // Roots.
  std::vector<Edge> roots;
  for (size_t k = 0; k < outputs.size(); ++k) {
    const Tensor& out = outputs[k];
    TG_CHECK(out.requires_grad(), "element ", k,
             " of tensors does not require grad and does not have a grad_fn");
    roots.push_back(gradient_edge(out));
  }
  // Targets: where gradients are captured (grad) or the only places they may land (inputs=).
  std::vector<Edge> targets;
  for (size_t k = 0; k < inputs.size(); ++k) {
    const Tensor& in = inputs[k];
    TG_CHECK(in.requires_grad(), "One of the differentiated Tensors does not require grad");
    targets.push_back(gradient_edge(in));
  }

  // Discover the graph: dependency counts and, with targets, which nodes lead to one.
  const bool restrict = !targets.empty();
  NodeIndex index;
  std::vector<NodeState> st;
  st.reserve(16);
  std::vector<std::vector<int>> parents;  // reverse edges, for "needed" (targets only)
  auto intern = [&](Node* n) {
    auto r = index.intern(n);
    if (r.second) {
      st.emplace_back();
      if (restrict) parents.emplace_back();
    }
    return r;
  };
  {
    std::vector<std::pair<Node*, size_t>> stack;
    for (auto& r : roots)
      if (intern(r.fn.get()).second) stack.push_back({r.fn.get(), 0});
    while (!stack.empty()) {
      auto& [n, i] = stack.back();
      if (i < n->next_edges.size()) {
        Node* parent = n;
        Node* c = n->next_edges[i++].fn.get();
        if (!c) continue;
        auto [ci, fresh] = intern(c);
        st[ci].deps += 1;
        if (restrict) parents[ci].push_back(index.find(parent));
        if (fresh) stack.push_back({c, 0});
      } else {
        stack.pop_back();
      }
    }
  }
  std::unordered_map<Node*, std::vector<std::pair<uint32_t, size_t>>> captures;  // node -> (input_nr, k)
  if (restrict) {
    std::vector<int> work;
    for (size_t k = 0; k < targets.size(); ++k) {
      Node* t = targets[k].fn.get();
      captures[t].push_back({targets[k].input_nr, k});
      const int ti = index.find(t);
      if (ti >= 0 && !st[ti].needed) {
        st[ti].needed = true;
        work.push_back(ti);
      }
    }
    // A node is needed when a target is reachable from it: walk the reverse edges.
    while (!work.empty()) {
      const int n = work.back();
      work.pop_back();
      for (int p : parents[n])
        if (!st[p].needed) {
          st[p].needed = true;
          work.push_back(p);
        }
    }
  }

  // Seed the root buffers.
  TensorList captured(inputs.size());
  auto add_to_buffer = [&](int idx, Node* n, uint32_t nr, Tensor g) {
    auto& buf = st[idx].buf;
    if (buf.size() < n->num_outputs) buf.resize(std::max<size_t>(n->num_outputs, nr + 1));
    if (buf.size() <= nr) buf.resize(nr + 1);
    if (!buf[nr].defined()) buf[nr] = std::move(g);
    else buf[nr] = add(buf[nr], g);
  };
  for (size_t k = 0; k < roots.size(); ++k) {
    const Tensor& out = outputs[k];
    Tensor g = k < grad_outputs.size() ? grad_outputs[k] : Tensor();
    if (!g.defined()) {
      TG_CHECK(out.numel() == 1, "grad can be implicitly created only for scalar outputs");
      g = ones(out.sizes(), out.dtype(), out.device());
    } else {
      TG_CHECK(g.sizes() == out.sizes(), "Mismatch in shape: grad_output[", k, "] has a shape of ",
               size_str(g.sizes()), " and output[", k, "] has a shape of ", size_str(out.sizes()),
               ".");
    }
    Node* rn = roots[k].fn.get();
    add_to_buffer(index.find(rn), rn, roots[k].input_nr, g);
  }

  AutoGradMode mode(create_graph);
  autocast::Suspend no_autocast;  // backward ops run in the dtypes their forward chose
  std::priority_queue<ReadyItem> ready;
  for (auto& r : roots) {
    Node* n = r.fn.get();
    const int ni = index.find(n);
    if (st[ni].deps == 0 && (!restrict || st[ni].needed)) {
      st[ni].deps = -1;  // queued
      ready.push({n->seq, n, ni});
    }
  }
  while (!ready.empty()) {
    Node* node = ready.top().node;
    const int ni = ready.top().idx;
    ready.pop();
    TensorList grads = std::move(st[ni].buf);
    st[ni].buf = TensorList();
    grads.resize(std::max<size_t>(grads.size(), node->num_outputs));
    run_pre_hooks(*node, grads);
    auto cap = restrict ? captures.find(node) : captures.end();
    if (cap != captures.end()) {
      for (auto& [nr, k] : cap->second)
        if (nr < grads.size()) captured[k] = grads[nr];
    }
    const bool is_acc = dynamic_cast<AccumulateGrad*>(node) != nullptr;
    if (is_acc && !accumulate) continue;  // grad(): leaves are captured, never written
    if (restrict && !accumulate && cap != captures.end() && !is_acc) {
      // grad() stops at a non-leaf target unless it also leads to another target.
      bool leads = false;
      for (auto& e : node->next_edges)
        if (e.fn && st[index.find(e.fn.get())].needed) leads = true;
      if (!leads) continue;
    }
    if (is_acc && restrict && !st[ni].needed) continue;
    TensorList out = node->apply(std::move(grads));
    if (!keep_graph) node->release();
    for (size_t k = 0; k < node->next_edges.size(); ++k) {
      const Edge& e = node->next_edges[k];
      if (!e.fn) continue;
      Node* child = e.fn.get();
      const int ci = index.find(child);
      if (k < out.size() && out[k].defined())
        add_to_buffer(ci, child, e.input_nr, shape_gradient(*node, k, out[k]));
      int& d = st[ci].deps;
      if (--d == 0 && (!restrict || st[ci].needed)) {
        d = -1;
        ready.push({child->seq, child, ci});
      }
    }
  }

  if (accumulate) return {};
  for (size_t k = 0; k < inputs.size(); ++k)
    TG_CHECK(captured[k].defined() || allow_unused, "The differentiated Tensor at index ", k,
             " appears to not have been used in the graph. Set allow_unused=True if this is the "
             "desired behavior.");
  return captured;
}

void backward(const Tensor& out, const Tensor& grad, bool retain_graph, bool create_graph) {
  run_backward({out}, {grad}, retain_graph || create_graph, create_graph, {}, false, true);
}

TensorList grad(const TensorList& outputs, const TensorList& inputs, const TensorList& grad_outputs,
                bool retain_graph, bool create_graph, bool allow_unused) {
  return run_backward(outputs, grad_outputs, retain_graph || create_graph, create_graph, inputs,
                      allow_unused, false);
}

}  // namespace tapegrad
