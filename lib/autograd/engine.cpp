// The backward engine (Note [Engine]): discovers the graph from the roots with an explicit
// stack, counts dependencies, then runs nodes from a ready queue ordered by creation (newest
// first), summing each produced gradient to its input's shape (Note [Broadcast gradients]).
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include <tapegrad/autograd/engine.h>
#include <tapegrad/autograd/grad_mode.h>
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
  if (g.sizes() != m.sizes) {
    bool expandable = g.dim() >= static_cast<int64_t>(m.sizes.size());
    for (size_t d = 0; expandable && d < m.sizes.size(); ++d) {
      int64_t gs = g.sizes()[g.dim() - m.sizes.size() + d];
      expandable = m.sizes[d] == gs || m.sizes[d] == 1;
    }
    TG_CHECK(expandable, "Function ", node.name(), " returned an invalid gradient at index ", k,
             " - got ", shape_str(g.sizes()), " but expected shape compatible with ",
             shape_str(m.sizes));
    g = sum_to(g, m.sizes);
  }
  if (g.dtype() != m.dtype && is_floating(m.dtype)) g = to(g, m.dtype);
  if (g.device() != m.device) g = to(g, m.device, g.dtype());  // ToCopyBackward0 across devices
  return g;
}

struct ReadyItem {
  uint64_t seq;
  Node* node;
  bool operator<(const ReadyItem& o) const { return seq < o.seq; }
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
  std::unordered_map<Node*, int> deps;
  std::unordered_set<Node*> seen;
  std::unordered_map<Node*, std::vector<Node*>> parents;  // reverse edges, for "needed"
  {
    std::vector<std::pair<Node*, size_t>> stack;
    for (auto& r : roots)
      if (seen.insert(r.fn.get()).second) stack.push_back({r.fn.get(), 0});
    while (!stack.empty()) {
      auto& [n, i] = stack.back();
      if (i < n->next_edges.size()) {
        Node* c = n->next_edges[i++].fn.get();
        if (!c) continue;
        deps[c] += 1;
        parents[c].push_back(n);
        if (seen.insert(c).second) stack.push_back({c, 0});
      } else {
        stack.pop_back();
      }
    }
  }
  std::unordered_set<Node*> needed;
  std::unordered_map<Node*, std::vector<std::pair<uint32_t, size_t>>> captures;  // node -> (input_nr, k)
  if (!targets.empty()) {
    std::unordered_set<Node*> target_nodes;
    for (size_t k = 0; k < targets.size(); ++k) {
      target_nodes.insert(targets[k].fn.get());
      captures[targets[k].fn.get()].push_back({targets[k].input_nr, k});
    }
    // A node is needed when a target is reachable from it: walk the reverse edges.
    std::vector<Node*> work(target_nodes.begin(), target_nodes.end());
    for (Node* n : work) needed.insert(n);
    while (!work.empty()) {
      Node* n = work.back();
      work.pop_back();
      for (Node* p : parents[n])
        if (needed.insert(p).second) work.push_back(p);
    }
  }
  const bool restrict = !targets.empty();

  // Seed the root buffers.
  std::unordered_map<Node*, TensorList> buffers;
  TensorList captured(inputs.size());
  auto add_to_buffer = [&](Node* n, uint32_t nr, Tensor g) {
    auto& buf = buffers[n];
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
    add_to_buffer(roots[k].fn.get(), roots[k].input_nr, g);
  }

  AutoGradMode mode(create_graph);
  std::priority_queue<ReadyItem> ready;
  for (auto& r : roots) {
    Node* n = r.fn.get();
    if (deps[n] == 0 && (!restrict || needed.count(n))) {
      deps[n] = -1;  // queued
      ready.push({n->seq, n});
    }
  }
  while (!ready.empty()) {
    Node* node = ready.top().node;
    ready.pop();
    TensorList grads = std::move(buffers[node]);
    buffers.erase(node);
    grads.resize(std::max<size_t>(grads.size(), node->num_outputs));
    run_pre_hooks(*node, grads);
    auto cap = captures.find(node);
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
        if (e.fn && needed.count(e.fn.get())) leads = true;
      if (!leads) continue;
    }
    if (is_acc && restrict && !needed.count(node)) continue;
    TensorList out = node->apply(std::move(grads));
    if (!keep_graph) node->release();
    for (size_t k = 0; k < node->next_edges.size(); ++k) {
      const Edge& e = node->next_edges[k];
      if (!e.fn) continue;
      Node* child = e.fn.get();
      if (k < out.size() && out[k].defined()) add_to_buffer(child, e.input_nr, shape_gradient(*node, k, out[k]));
      int& d = deps[child];
      if (--d == 0 && (!restrict || needed.count(child))) {
        d = -1;
        ready.push({child->seq, child});
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
