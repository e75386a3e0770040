// Autograd of views under in-place writes (Note [Views and in-place] in core/tensor.h):
// CopySlices, the lazy AsStridedBackward0 of a view whose storage was written, and torch's
// checks before an in-place write. The element mapping between a view and its base is an int64
// index tensor, so both backwards are index / index_put and stay differentiable.
#include <algorithm>

#include <tapegrad/autograd/grad_mode.h>
#include <tapegrad/autograd/views.h>
#include <tapegrad/ops/ops.h>
#include <tapegrad/ops/output_layout.h>
#include <tapegrad/kernels/kernels.h>

namespace tapegrad {

namespace {

const std::shared_ptr<Node> kNoFn;

// Storage positions of a geometry's elements, row-major.
template <class F>
void for_each_position(const ViewGeometry& g, F&& f) {
  const int64_t n = numel_of(g.sizes), nd = static_cast<int64_t>(g.sizes.size());
  std::vector<int64_t> i(nd, 0);
  int64_t pos = g.offset;
  for (int64_t k = 0; k < n; ++k) {
    f(k, pos);
    for (int64_t d = nd - 1; d >= 0; --d) {
      if (++i[d] < g.sizes[d]) {
        pos += g.strides[d];
        break;
      }
      pos -= (g.sizes[d] - 1) * g.strides[d];
      i[d] = 0;
    }
  }
}

int64_t max_position(const ViewGeometry& g) {
  int64_t hi = g.offset;
  for (size_t d = 0; d < g.sizes.size(); ++d)
    if (g.sizes[d] > 0 && g.strides[d] > 0) hi += (g.sizes[d] - 1) * g.strides[d];
  return hi;
}

// Makes `v`'s grad_fn an AsStridedBackward0 onto its base's current history.
void regenerate(TensorImpl& v) {
  Tensor base(v.base);
  auto node = create_node(OpId::AsStrided);
  node->next_edges.push_back(gradient_edge(base));
  node->input_meta.push_back(InputMeta{base.sizes(), base.dtype(), base.device()});
  node->shape = base.sizes();
  pack_geometry(node->i, ViewGeometry::of(base));
  pack_geometry(node->i, {v.sizes, v.strides, v.offset});
  auto& m = v.meta();
  m.grad_fn = std::move(node);
  m.output_nr = 0;
  m.requires_grad = false;
  v.view_version = v.storage->version.load(std::memory_order_relaxed);
}

}  // namespace

void pack_geometry(std::vector<int64_t>& out, const ViewGeometry& g) {
  out.push_back(static_cast<int64_t>(g.sizes.size()));
  out.insert(out.end(), g.sizes.begin(), g.sizes.end());
  out.insert(out.end(), g.strides.begin(), g.strides.end());
  out.push_back(g.offset);
}

ViewGeometry unpack_geometry(const std::vector<int64_t>& in, size_t& pos) {
  ViewGeometry g;
  const int64_t nd = in.at(pos++);
  g.sizes.assign(in.begin() + pos, in.begin() + pos + nd);
  pos += nd;
  g.strides.assign(in.begin() + pos, in.begin() + pos + nd);
  pos += nd;
  g.offset = in.at(pos++);
  return g;
}

Tensor view_positions(const ViewGeometry& base, const ViewGeometry& view) {
  Tensor out = empty(view.sizes, DType::Int64);
  if (out.numel() == 0) return out;
  // Storage position -> index in the base's row-major order (-1: not part of the base).
  const int64_t lo = std::min(base.offset, view.offset);
  const int64_t hi = std::max(max_position(base), max_position(view));
  std::vector<int64_t> where(static_cast<size_t>(hi - lo + 1), -1);
  for_each_position(base, [&](int64_t k, int64_t p) { where[p - lo] = k; });
  int64_t* o = out.data<int64_t>();
  for_each_position(view, [&](int64_t k, int64_t p) {
    TG_CHECK(p >= lo && where[p - lo] >= 0, "internal: a view reaches outside its base");
    o[k] = where[p - lo];
  });
  return out;
}

Tensor as_strided_backward(const Tensor& g, const ViewGeometry& base, const ViewGeometry& view) {
  Tensor idx = reshape(view_positions(base, view), {-1});
  Tensor flat = zeros({numel_of(base.sizes)}, g.dtype(), g.device());
  return reshape(index_put(flat, {idx}, reshape(g, {-1}), true), base.sizes);
}

// ---- CopySlices ----

CopySlices::CopySlices() : Node(OpId::NumOps) {}

namespace {

// Whether a geometry's elements fill its span exactly once (some permutation of a contiguous
// layout): then a new tensor with the same strides lays every view of it out the same way.
bool dense_layout(const ViewGeometry& g) {
  std::vector<std::pair<int64_t, int64_t>> dims;  // (stride, size) of the dims that matter
  for (size_t d = 0; d < g.sizes.size(); ++d) {
    if (g.sizes[d] == 0) return true;
    if (g.sizes[d] != 1) dims.emplace_back(g.strides[d], g.sizes[d]);
  }
  std::sort(dims.begin(), dims.end());
  int64_t expect = 1;
  for (const auto& [stride, size] : dims) {
    if (stride != expect) return false;
    expect *= size;
  }
  return true;
}

// torch's form, when no graph of this backward is built and the base is dense: the gradient
// copied into a tensor laid out as the base, the view's region read through the view's own
// strides and overwritten with fn's gradient in place. (The general path below builds a table
// of storage positions over the whole base: a 4-d slice copy's backward took 3.5x torch's.)
bool apply_dense(CopySlices& node, const Tensor& g, TensorList& out) {
  const ViewGeometry &base_geom = node.base_geom, &view_geom = node.view_geom;
  if (GradMode::is_enabled() || !dense_layout(base_geom) || g.sizes() != base_geom.sizes)
    return false;
  Tensor result = empty_with_strides(base_geom.sizes, base_geom.strides, g.dtype(), g.device());
  kern::copy(result, g);
  Tensor region = make_view(result, view_geom.sizes, view_geom.strides,
                            view_geom.offset - base_geom.offset);
  Tensor gs = empty(view_geom.sizes, g.dtype(), g.device());  // fn may keep it: not the region
  kern::copy(gs, region);
  TensorList res = node.fn->apply({gs});
  if (node.needs_grad(0)) {
    Tensor r0 = res.empty() ? Tensor() : res[0];
    if (r0.defined() && r0.sizes() != view_geom.sizes) r0 = sum_to(r0, view_geom.sizes);
    if (r0.defined()) kern::copy(region, r0);  // (converts the dtype)
    else kern::fill(region, 0);
    out[0] = result;
  }
  for (size_t k = 1; k < out.size() && k < res.size(); ++k) out[k] = res[k];
  return true;
}

}  // namespace

TensorList CopySlices::apply(TensorList&& grads) {
  if (released) return Node::apply(std::move(grads));  // raises torch's "second time" error
  TensorList out(next_edges.size());
  Tensor g = grads.empty() ? Tensor() : grads[0];
  if (!g.defined()) return out;
  if (apply_dense(*this, g, out)) return out;
  Tensor idx = reshape(view_positions(base_geom, view_geom), {-1});
  Tensor flat = reshape(g, {-1});
  // fn sees the gradient of the region its output covered.
  TensorList res = fn->apply({reshape(index(flat, {idx}), view_geom.sizes)});
  if (needs_grad(0)) {
    Tensor r0 = res.empty() ? Tensor() : res[0];
    if (r0.defined()) {
      if (r0.sizes() != view_geom.sizes) r0 = sum_to(r0, view_geom.sizes);
      if (r0.dtype() != g.dtype()) r0 = to(r0, g.dtype());
      r0 = reshape(r0, {-1});
    } else {
      r0 = zeros({}, g.dtype(), g.device());
    }
    out[0] = reshape(index_put(flat, {idx}, r0, false), base_geom.sizes);
  }
  for (size_t k = 1; k < out.size() && k < res.size(); ++k) out[k] = res[k];
  return out;
}

void CopySlices::release() {
  if (fn) fn->release();
  released = true;
}

// ---- recording ----

void rebase_history(const Tensor& self, const std::shared_ptr<Node>& node, uint32_t output_nr) {
  if (!node) return;
  check_multi_output_view(self);  // write_back checked before writing; other paths land here
  TensorImpl* v = self.impl();
  if (!v->is_differentiable_view()) {
    // retain_grad() follows the tensor to its new node, as in torch: .grad is then the
    // gradient of the value after the write.
    const bool retains = v->autograd && v->autograd->retains_grad && v->autograd->grad_fn;
    if (retains) {
      auto& hooks = v->autograd->grad_fn->pre_hooks;
      const uint32_t nr = v->autograd->output_nr;
      hooks.erase(std::remove_if(hooks.begin(), hooks.end(), [nr](const Node::Hook& h) {
        return h.retains_grad && h.output_nr == nr;
      }), hooks.end());
      v->autograd->retains_grad = false;
    }
    set_history(self, node, output_nr);
    if (retains) self.retain_grad();
    return;
  }
  TG_CHECK(output_nr == 0 && !node->next_edges.empty(),
           "internal: an in-place op on a view recorded a node without the view as input 0");
  Tensor base(v->base);
  auto cs = std::make_shared<CopySlices>();
  cs->base_geom = ViewGeometry::of(base);
  cs->view_geom = ViewGeometry::of(self);
  cs->fn = node;
  cs->next_edges.push_back(gradient_edge(base));
  cs->input_meta.push_back(InputMeta{base.sizes(), base.dtype(), base.device()});
  for (size_t k = 1; k < node->next_edges.size(); ++k) {
    cs->next_edges.push_back(node->next_edges[k]);
    cs->input_meta.push_back(node->input_meta[k]);
  }
  set_history(base, cs);
  regenerate(*v);
  for (auto& sv : node->saved)
    if (sv.is_output()) sv.set_view_history(v->autograd->grad_fn);
}

ViewGeometry diagonal_geometry(const ViewGeometry& in, int64_t offset, int64_t d1, int64_t d2) {
  const int64_t len = std::max<int64_t>(
      0, offset >= 0 ? std::min(in.sizes[d1], in.sizes[d2] - offset)
                     : std::min(in.sizes[d1] + offset, in.sizes[d2]));
  ViewGeometry out;
  out.offset = in.offset;
  if (len > 0) out.offset += offset >= 0 ? offset * in.strides[d2] : -offset * in.strides[d1];
  for (size_t d = 0; d < in.sizes.size(); ++d) {
    if (static_cast<int64_t>(d) == d1 || static_cast<int64_t>(d) == d2) continue;
    out.sizes.push_back(in.sizes[d]);
    out.strides.push_back(in.strides[d]);
  }
  out.sizes.push_back(len);
  out.strides.push_back(in.strides[d1] + in.strides[d2]);
  return out;
}

ViewGeometry unfold_geometry(const ViewGeometry& in, int64_t dim, int64_t size, int64_t step) {
  ViewGeometry out = in;
  if (in.sizes.empty()) {  // a 0-d tensor unfolds as one element
    out.sizes = {size};
    out.strides = {1};
    return out;
  }
  out.sizes[dim] = (in.sizes[dim] - size) / step + 1;
  out.strides[dim] = in.strides[dim] * step;
  out.sizes.push_back(size);
  out.strides.push_back(in.strides[dim]);
  return out;
}

namespace {
// torch's error for a view made under no_grad whose data changes with grad mode on: written
// directly, or (indirect) through its base or another view of it.
[[noreturn]] void no_grad_view_error(const TensorImpl& v, bool indirect) {
  // A view of such a view made with grad on names its own node, as torch does.
  const auto& fn = v.autograd ? v.autograd->grad_fn : kNoFn;
  std::string head = "A view was created in no_grad mode";
  if (fn) {
    std::string op = fn->name();
    op = op.substr(0, op.rfind("Backward"));
    head = "Output " + std::to_string(v.autograd->output_nr) + " of " + op +
           " is a view of a view which was created in no_grad mode";
  }
  TG_ERROR(head,
           indirect ? " and its base or another view of its base has been modified inplace"
                    : " and is being modified inplace",
           " with grad mode enabled. Given that this use case is ambiguous and error-prone, it "
           "is forbidden. You can clarify your code by moving both the view and the inplace "
           "either both inside the no_grad block (if you don't want the inplace to be tracked) or "
           "both outside (if you want the inplace to be tracked).");
}

// Note [Multi-output views]: the outputs of split/chunk/unbind share one node, which cannot
// take a CopySlices for one of them, so torch refuses in-place writes into them (and into views
// of them) while autograd records, and refuses to regenerate their history after a write
// through another alias. The message names the view's node without "Backward<N>".
[[noreturn]] void multi_output_view_error(const TensorImpl& v, bool indirect) {
  const auto& fn = v.autograd ? v.autograd->grad_fn : kNoFn;
  std::string head = "A view was created in no_grad mode and ";
  if (fn) {
    std::string op = fn->name();
    op = op.substr(0, op.rfind("Backward"));
    head = "Output " + std::to_string(v.autograd->output_nr) + " of " + op + " is a view and ";
  }
  TG_ERROR(head,
           indirect ? "its base or another view of its base has been modified inplace"
                    : "is being modified inplace",
           fn ? "" : " with grad mode enabled",
           ". This view is the output of a function that returns multiple views. Such functions "
           "do not allow the output views to be modified inplace. You should replace the inplace "
           "operation by an out-of-place one.");
}
}  // namespace

void check_multi_output_view(const Tensor& self) {
  const TensorImpl* v = self.impl();
  if (GradMode::is_enabled() && v->view_multi_output && v->is_differentiable_view())
    multi_output_view_error(*v, false);
}

void check_inplace_autograd(const Tensor& self) {
  if (!GradMode::is_enabled() || !self.requires_grad()) return;
  const TensorImpl* v = self.impl();
  if (v->is_differentiable_view()) {
    Tensor base(v->base);
    if (v->view_multi_output) multi_output_view_error(*v, false);
    if (v->view_created_no_grad) no_grad_view_error(*v, false);
    if (base.requires_grad() && base.is_leaf())
      TG_ERROR("a view of a leaf Variable that requires grad is being used in an in-place "
               "operation.");
  }
  // torch reads the recorded grad_fn here without regenerating it: a view made before its base
  // joined the graph counts as a leaf until its grad_fn is next asked for.
  if (!v->autograd || !v->autograd->grad_fn)
    TG_ERROR("a leaf Variable that requires grad is being used in an in-place operation.");
}

namespace detail {

const std::shared_ptr<Node>& view_grad_fn(const TensorImpl& view) {
  const auto& own = view.autograd ? view.autograd->grad_fn : kNoFn;
  if (view.view_version == view.storage->version.load(std::memory_order_relaxed)) return own;
  if (!own && !Tensor(view.base).requires_grad()) return own;
  if (view.view_multi_output) multi_output_view_error(view, true);
  // torch refuses to guess the history of a no_grad view whose memory changed since (even when
  // the write itself ran under no_grad).
  if (view.view_created_no_grad) no_grad_view_error(view, true);
  regenerate(const_cast<TensorImpl&>(view));
  return view.autograd->grad_fn;
}

}  // namespace detail
}  // namespace tapegrad
