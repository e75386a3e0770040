// Graph nodes whose backward is a Python callable: what tapegrad.autograd.Function records
// (and, through it, the torch bridge). The Python side (python/tapegrad/autograd/function.py)
// runs forward, checks what backward returns, and materialises undefined gradients; this node
// only connects the edges and calls back into Python with the GIL held.
#include "common.h"

namespace tapegrad {
namespace bind {

namespace {

struct PyFunctionNode : Node {
  std::string node_name;
  py::object py_class;  // MyFnBackward: a Python subclass of _FunctionBackward (function.py)
  py::object ctx;       // the FunctionCtx: torch's grad_fn is the ctx (grad_fn.saved_tensors)
  py::object backward;  // callable(*grads) -> list of Tensor|None, one per recorded input

  PyFunctionNode() : Node(OpId::NumOps) {}  // NumOps: not a row of the op table
  ~PyFunctionNode() override {
    if (!Py_IsInitialized()) {
      py_class.release();
      ctx.release();
      backward.release();  // interpreter gone: leak rather than touch Python
      return;
    }
    py::gil_scoped_acquire gil;
    backward = py::object();
    py_class = py::object();
    ctx = py::object();
  }
  std::string name() const override { return node_name; }
  TensorList apply(TensorList&& grads) override {
    py::gil_scoped_acquire gil;
    TG_CHECK(backward, "Trying to backward through the graph a second time (or directly access "
                       "saved tensors after they have already been freed). Saved intermediate "
                       "values of the graph are freed when you call .backward() or "
                       "autograd.grad(). Specify retain_graph=True if you need to backward "
                       "through the graph a second time or if you need to access saved tensors "
                       "after calling backward.");
    py::tuple args(grads.size());
    for (size_t k = 0; k < grads.size(); ++k)
      args[k] = grads[k].defined() ? py::cast(grads[k]) : py::none();
    py::object r = backward(*args);
    TensorList out;
    for (py::handle g : r) out.push_back(g.is_none() ? Tensor() : g.cast<Tensor>());
    TG_CHECK(out.size() == next_edges.size(), "function ", node_name,
             " returned an incorrect number of gradients (expected ", next_edges.size(),
             ", got ", out.size(), ")");
    return out;
  }
  void release() override {
    py::gil_scoped_acquire gil;
    backward = py::object();  // drops the closure after backward
    // the ctx stays reachable from grad_fn (its attributes do in torch too); its saved
    // tensors now raise torch's error
    if (ctx) ctx.attr("_freed") = true;
    released = true;
  }
};

}  // namespace

py::object node_object(const std::shared_ptr<Node>& n) {
  if (!n) return py::none();
  auto* f = dynamic_cast<PyFunctionNode*>(n.get());
  if (!f || !f->py_class) return py::cast(n);
  // A custom Function's node shows as an instance of its per-Function Python class: the
  // wrapper that exists already, or a new instance of that class around the same node
  // (pybind11 picks a wrapper's class from the C++ type only, so it is built here).
  static const auto* tinfo = py::detail::get_type_info(typeid(PyFunctionNode));
  if (py::handle h = py::detail::get_object_handle(f, tinfo))
    return py::reinterpret_borrow<py::object>(h);
  return f->py_class(py::capsule(f, "tapegrad.FunctionNode"));
}

void bind_function(py::module_& m) {
  py::class_<PyFunctionNode, Node, std::shared_ptr<PyFunctionNode>>(m, "_FunctionBackward")
      // Only node_object() constructs these: the capsule holds a live node of the graph.
      .def(py::init([](py::capsule c) {
        TG_CHECK(std::string(c.name()) == "tapegrad.FunctionNode",
                 "custom Function nodes are created by Function.apply");
        auto* f = static_cast<PyFunctionNode*>(c.get_pointer());
        return std::static_pointer_cast<PyFunctionNode>(f->shared_from_this());
      }))
      .def_property_readonly("_ctx", [](const PyFunctionNode& f) { return f.ctx; });
  // Records a node over `inputs` (None for non-tensor arguments) whose backward calls
  // `backward`, and makes it the history of `outputs[k]` for every k with differentiable[k].
  m.def("_record_function", [](const std::string& name, py::object py_class, py::object ctx,
                               py::object backward,
                               const std::vector<std::optional<Tensor>>& inputs,
                               const std::vector<Tensor>& outputs,
                               const std::vector<bool>& differentiable) {
    auto node = std::make_shared<PyFunctionNode>();
    node->node_name = name;
    node->py_class = std::move(py_class);
    node->ctx = std::move(ctx);
    node->backward = std::move(backward);
    node->num_outputs = static_cast<uint32_t>(outputs.size());
    for (auto& t : inputs) {
      Tensor x = t ? *t : Tensor();
      node->next_edges.push_back(x.defined() ? gradient_edge(x) : Edge());
      node->input_meta.push_back(x.defined() ? InputMeta{x.sizes(), x.dtype(), x.device()}
                                             : InputMeta{});
    }
    for (size_t k = 0; k < outputs.size(); ++k)
      if (differentiable[k]) set_history(outputs[k], node, static_cast<uint32_t>(k));
    return node_object(node);
  });
}

}  // namespace bind
}  // namespace tapegrad
