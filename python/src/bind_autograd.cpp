// Autograd bindings: graph nodes as Python classes named like torch's (one per op row, plus
// AccumulateGrad), calling a node by hand, next_functions, hooks, grad mode and the engine.
#include <tapegrad/autograd/views.h>
#include <tapegrad/ops/autocast.h>
#include <tapegrad/ops/save_spec.h>

#include "common.h"

namespace tapegrad {
namespace bind {

namespace {

// Note [Saved attributes]: torch exposes what a node saved as `_saved_<name>` (torchviz's
// show_saved reads them). Here: the name of each slot of Node::saved (elementwise rows follow
// the table's layout: unary self, result; binary self, other, result; hand-written rows are
// listed; nullptr: a slot torch does not show). The scalar and size attributes (_saved_dim,
// _saved_alpha, _saved_self_sym_sizes, ...) are read from Node::f / i / shape / input_meta by
// the table in python/tapegrad/autograd/_saved_attrs.py, through the _raw_* accessors below.
std::vector<const char*> unary_names(save::Spec spec) {
  return {spec == save::kSelf ? "self" : nullptr, spec == save::kResult ? "result" : nullptr};
}
std::vector<const char*> binary_names(save::Spec spec, const char* other) {
  const bool in = spec != save::kNone && spec != save::kSelf && spec != save::kResult;
  const bool out = spec == save::kAll || spec == save::kOwnAll;
  return {in ? "self" : nullptr, in ? other : nullptr, out ? "result" : nullptr};
}

std::vector<const char*> saved_slot_names(OpId op) {
  switch (op) {
#define TG_UNARY(Id, name, GradFn, Functor, to_float, saves) \
  case OpId::Id: return unary_names(save::saves);
#define TG_BINARY(Id, name, GradFn, Functor, saves) \
  case OpId::Id:                                   \
    return binary_names(save::saves, OpId::Id == OpId::Pow        ? "exponent"   \
                                     : OpId::Id == OpId::Copysign ? nullptr      \
                                                                  : "other");
#define TG_OP(Id, name, GradFn)
#include <tapegrad/ops/ops.def>
    case OpId::ThresholdBackward: return {nullptr, "self"};
    case OpId::SigmoidBackward: case OpId::TanhBackward: return {"grad_output", "output"};
    case OpId::Mm: case OpId::Bmm: return {"self", "mat2"};
    case OpId::Mv: return {"self", "vec"};
    case OpId::Dot: return {"self", "tensor"};
    case OpId::Addmm: return {"mat1", "mat2"};
    case OpId::PowScalar: case OpId::Clamp: case OpId::Gelu: case OpId::Softplus: return {"self"};
    case OpId::RPow: return {"result", "exponent"};
    case OpId::LeakyRelu: case OpId::Elu: case OpId::Celu: case OpId::Hardtanh:
    case OpId::Hardsigmoid: case OpId::Hardswish: case OpId::Mish: case OpId::Softshrink:
    case OpId::Hardshrink: case OpId::Threshold: case OpId::ThresholdInplace: case OpId::Glu:
      return {"self"};
    case OpId::LeakyReluInplace: case OpId::EluInplace: case OpId::CeluInplace:
      return {nullptr, "result"};
    case OpId::LogSigmoid: return {"self", "buffer"};
    case OpId::PreluKernel: return {"self", "weight"};
    case OpId::SmoothL1Loss: case OpId::HuberLoss: case OpId::SoftMarginLoss:
      return {"self", "target"};
    case OpId::NormDim: return {"self", "result"};
    case OpId::ClampTensor: return {"self", "min", "max"};
    case OpId::ClampMin: case OpId::ClampMax: case OpId::Logit: case OpId::XlogyScalarOther:
      return {"self"};
    case OpId::ClampMinTensor: return {"self", "min"};
    case OpId::ClampMaxTensor: return {"self", "max"};
    case OpId::XlogyScalarSelf: return {"other"};
    case OpId::Sort: case OpId::SortStable: case OpId::Topk: return {"indices"};
    case OpId::NanToNum: return {"self"};
    case OpId::MaskedSelect: return {"mask", "self"};
    case OpId::Where: return {"condition"};
    case OpId::Addcmul: case OpId::Addcdiv: return {"tensor1", "tensor2"};
    case OpId::LerpTensor: return {"self", "end", "weight"};
    case OpId::MaskedFill: case OpId::MaskedFillTensor: return {"mask"};
    case OpId::MaxAll: case OpId::MinAll: case OpId::Amax: case OpId::Amin: case OpId::Prod:
    case OpId::ProdDim: case OpId::Logsumexp: case OpId::Var: case OpId::Std:
      return {"self", op == OpId::Var ? nullptr : "result"};
    case OpId::MaxDim: case OpId::MinDim: return {"indices"};
    case OpId::Cumprod: return {"self", "result"};
    case OpId::Gather: return {"index", "self"};
    case OpId::ScatterAdd: return {"index"};
    case OpId::IndexSelect: return {nullptr, "index"};
    case OpId::Softmax: case OpId::LogSoftmax: return {"result"};
    case OpId::MseLoss: return {"self", "target"};
    case OpId::BinaryCrossEntropy: return {"self", "target", "weight"};
    case OpId::BinaryCrossEntropyWithLogits: return {"self", "target", "weight", "pos_weight"};
    case OpId::NllLoss: case OpId::NllLoss2d: return {"target", "weight", "self", "total_weight"};
    case OpId::LayerNorm: return {"input", "weight", "bias"};
    case OpId::BatchNorm: return {"input", "weight", "running_mean", "running_var"};
    case OpId::GroupNorm: return {"input", "weight"};
    case OpId::Embedding: return {nullptr, "indices"};
    case OpId::Convolution: return {"input", "weight"};
    case OpId::MaxPool2d: return {"result1", "self"};
    case OpId::ReflectionPad1d: case OpId::ReflectionPad2d: case OpId::ReflectionPad3d:
    case OpId::ReplicationPad1d: case OpId::ReplicationPad2d: case OpId::ReplicationPad3d:
      return {"self"};
    case OpId::Scatter: case OpId::ScatterValue: case OpId::IndexFill: case OpId::IndexFillTensor:
      return {"index"};
    case OpId::IndexAdd: case OpId::IndexCopy: return {"index", "source"};
    case OpId::ScatterReduce: return {"index", "self", "src", "result"};
    case OpId::MaskedScatter: return {"mask"};
    case OpId::Take: return {"index", "self"};
    case OpId::Vdot: return {"self", "other"};
    case OpId::Addmv: return {"mat", "vec"};
    case OpId::Addr: return {"vec1", "vec2"};
    case OpId::Addbmm: case OpId::Baddbmm: return {"batch1", "batch2"};
    // helper M's rows
    case OpId::CopysignScalar: case OpId::LinalgVectorNorm: case OpId::Median:
    case OpId::Nanmedian: case OpId::Logcumsumexp:
      return {"self", "result"};
    case OpId::Polygamma: case OpId::Nansum: case OpId::VarMean: return {"self"};
    case OpId::StdMean: return {"self", "result0"};
    case OpId::Dist: return {"self", "other", "result"};
    case OpId::Cdist:
    case OpId::EuclideanDist: return {"x1", "x2", "result"};
    case OpId::MedianDim: case OpId::NanmedianDim: case OpId::Kthvalue: case OpId::Mode:
      return {"indices"};
    case OpId::Cummax: case OpId::Cummin: return {"indices", "self"};
    case OpId::Aminmax: return {"self", "min", "max"};
    // helper S's torch.special rows
    case OpId::I0: case OpId::SpecialEntr: case OpId::Mvlgamma: return {"self"};
    case OpId::SpecialI0e: case OpId::SpecialI1: case OpId::SpecialI1e: case OpId::SpecialLogNdtr:
    case OpId::SpecialErfcx:
      return {"self", "result"};
    case OpId::SpecialNdtri: return {"result"};
    case OpId::SpecialXlog1py: case OpId::SpecialZeta: case OpId::Igamma: case OpId::Igammac:
      return {"self", "other"};
    case OpId::SpecialXlog1pyScalarSelf: case OpId::SpecialZetaScalarSelf: return {"other"};
    case OpId::SpecialXlog1pyScalarOther: return {"self"};
    default: return {};
  }
}

const char* kFreedMessage =
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you "
    "call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
    "through the graph a second time or if you need to access saved tensors after calling "
    "backward.";

int next_hook_id = 0;

py::tuple next_functions(const Node& n) {
  py::tuple out(n.next_edges.size());
  for (size_t k = 0; k < n.next_edges.size(); ++k) {
    const Edge& e = n.next_edges[k];
    out[k] = py::make_tuple(node_object(e.fn), e.input_nr);
  }
  return out;
}

// Wraps a Python hook as a C++ one; the GIL is held during backward.
PreHook wrap_hook(py::function fn) {
  auto holder = std::make_shared<py::function>(std::move(fn));
  return [holder](const Tensor& g) -> Tensor {
    py::object r = (*holder)(g);
    if (r.is_none()) return Tensor();
    return r.cast<Tensor>();
  };
}

// Note [Saved tensor hooks] (tapegrad/autograd/node.h) with Python callables: what pack returns
// is kept as a Python object; unpack must give a Tensor back (torch's TypeError otherwise).
struct PySavedHooks : SavedTensorHooks {
  py::object pack_fn, unpack_fn;
  PySavedHooks(py::object p, py::object u) : pack_fn(std::move(p)), unpack_fn(std::move(u)) {}
  ~PySavedHooks() override {
    if (!Py_IsInitialized()) {  // thread-local stacks die after the interpreter: leak, not crash
      pack_fn.release();
      unpack_fn.release();
      return;
    }
    py::gil_scoped_acquire gil;
    pack_fn = py::object();
    unpack_fn = py::object();
  }
  std::shared_ptr<void> pack(const Tensor& t) override {
    py::gil_scoped_acquire gil;
    PyObject* r = pack_fn(t).release().ptr();
    return std::shared_ptr<void>(r, [](void* o) {
      if (!Py_IsInitialized()) return;
      py::gil_scoped_acquire g;
      Py_DECREF(static_cast<PyObject*>(o));
    });
  }
  Tensor unpack(const std::shared_ptr<void>& packed) override {
    py::gil_scoped_acquire gil;
    py::object r = unpack_fn(py::reinterpret_borrow<py::object>(
        static_cast<PyObject*>(packed.get())));
    try {
      return r.cast<Tensor>();
    } catch (const py::cast_error&) {
      throw py::type_error(std::string("Output of saved tensor unpack_hook expected to be a "
                                       "Tensor but got result of type ") +
                           Py_TYPE(r.ptr())->tp_name);
    }
  }
};

}  // namespace

void bind_autograd(py::module_& m) {
  // torch.autograd.graph.saved_tensors_hooks (python/tapegrad/autograd/graph.py)
  m.def("_push_saved_tensors_hooks", [](py::function pack, py::function unpack) {
    push_saved_tensor_hooks(std::make_shared<PySavedHooks>(std::move(pack), std::move(unpack)));
  });
  m.def("_pop_saved_tensors_hooks", []() { pop_saved_tensor_hooks(); });
  m.def("_current_saved_tensors_hooks", []() -> py::object {
    auto h = std::dynamic_pointer_cast<PySavedHooks>(current_saved_tensor_hooks());
    if (!h) return py::none();
    return py::make_tuple(h->pack_fn, h->unpack_fn);
  });
  py::class_<Node, std::shared_ptr<Node>> node(m, "Node");
  node.def("name", [](const Node& n) { return n.name(); })
      .def_property_readonly("next_functions", &next_functions)
      .def_property_readonly("metadata", [](py::object self) {
        if (!py::hasattr(self, "_tg_metadata")) self.attr("_tg_metadata") = py::dict();
        return self.attr("_tg_metadata");
      })
      .def("__call__", [](Node& n, py::args grads) -> py::object {
        // one gradient per output, as torch checks (split's pieces, custom Functions)
        TG_CHECK_KIND(Type, n.num_outputs <= 1 || grads.size() == n.num_outputs, "expected ",
                      n.num_outputs, " arguments, got ", grads.size(), " instead");
        TensorList gs;
        for (auto g : grads) gs.push_back(g.is_none() ? Tensor() : g.cast<Tensor>());
        TensorList out = n.apply(std::move(gs));
        if (out.size() == 1) return py::cast(out[0]);
        py::tuple t(out.size());
        for (size_t k = 0; k < out.size(); ++k) t[k] = py::cast(out[k]);
        return t;
      })
      .def("register_prehook", [](Node& n, py::function fn) {
        int id = next_hook_id++;
        n.pre_hooks.push_back(Node::Hook{0, id, wrap_hook(fn), false});
        return id;
      })
      .def("_remove_hook", [](Node& n, int id) {
        auto& hs = n.pre_hooks;
        hs.erase(std::remove_if(hs.begin(), hs.end(), [id](const Node::Hook& h) { return h.id == id; }), hs.end());
      })
      // Raw state for the Python table of torch's attribute names (Note [Saved attributes]).
      .def("_raw_slot_names", [](const Node& n) {
        py::list out;
        for (const char* name : saved_slot_names(n.op))
          out.append(name ? py::object(py::str(name)) : py::none());
        return out;
      })
      .def("_raw_saved", [](Node& n, size_t k) -> py::object {
        TG_CHECK(!n.released, kFreedMessage);
        if (k >= n.saved.size()) return py::none();
        Tensor t = n.saved_at(k);
        return t.defined() ? py::cast(t) : py::none();
      })
      .def_property_readonly("_raw_num_saved", [](const Node& n) { return n.saved.size(); })
      .def_property_readonly("_raw_f", [](const Node& n) { return n.f; })
      .def_property_readonly("_raw_i", [](const Node& n) { return n.i; })
      .def_property_readonly("_raw_shape", [](const Node& n) { return py::tuple(py::cast(n.shape)); })
      .def("_raw_input_sizes", [](const Node& n, size_t k) -> py::object {
        if (k >= n.input_meta.size()) return py::none();
        return py::tuple(py::cast(n.input_meta[k].sizes.vec()));
      })
      .def("__repr__", [](py::object self) {
        // The class name (torch's repr), not name(): CopySlices' name() is qualified.
        return "<" + py::str(py::type::of(self).attr("__name__")).cast<std::string>() + " object at " +
               py::str(py::module_::import("builtins").attr("hex")(py::module_::import("builtins").attr("id")(self))).cast<std::string>() + ">";
      });
  // One Python class per op row (so type(fn).__name__ is torch's name) and AccumulateGrad.
  // Rows sharing a name (NotImplemented: floor_divide, heaviside, the bitwise ops, ...) get
  // their class in a side module of their own, as a module holds one attribute per name.
  auto scope_for = [&m](const char* cls, OpId op) -> py::module_ {
    if (!py::hasattr(m, cls)) return m;
    return m.def_submodule(("_node_" + std::to_string(static_cast<int>(op))).c_str());
  };
#define TG_OP(Id, name, GradFn) \
  py::class_<NodeOf<OpId::Id>, Node, std::shared_ptr<NodeOf<OpId::Id>>>(scope_for(#GradFn, OpId::Id), #GradFn);
#include <tapegrad/ops/ops.def>
  py::class_<AccumulateGrad, Node, std::shared_ptr<AccumulateGrad>>(m, "AccumulateGrad")
      .def_property_readonly("variable", [](const AccumulateGrad& a) -> py::object {
        auto v = a.variable.lock();
        return v ? py::cast(Tensor(v)) : py::none();
      });
  py::class_<CopySlices, Node, std::shared_ptr<CopySlices>>(m, "CopySlices");

  m.def("_run_backward", [](const std::vector<Tensor>& outputs, const std::vector<std::optional<Tensor>>& grads,
                            bool keep_graph, bool create_graph, const std::vector<Tensor>& inputs,
                            bool allow_unused, bool accumulate) {
    TensorList gs;
    for (auto& g : grads) gs.push_back(g ? *g : Tensor());
    TensorList r = run_backward(outputs, gs, keep_graph, create_graph, inputs, allow_unused, accumulate);
    py::list out;
    for (auto& t : r) out.append(py::cast(t));
    return out;
  });
  m.def("_register_tensor_hook", [](Tensor& t, py::function fn) {
    TG_CHECK(t.requires_grad(), "cannot register a hook on a tensor that doesn't require gradient");
    int id = next_hook_id++;
    if (t.is_leaf()) {
      t.impl()->meta().hooks.push_back({id, wrap_hook(fn)});
    } else {
      t.grad_fn()->pre_hooks.push_back(Node::Hook{t.output_nr(), id, wrap_hook(fn), false});
    }
    return id;
  });
  // torch's register_post_accumulate_grad_hook (python/tapegrad/_tensor.py gives the leaf)
  m.def("_register_post_accumulate_hook", [](Tensor& t, py::function fn) {
    int id = -1 - next_hook_id++;  // negative: runs after accumulation (AutogradMeta::hooks)
    auto holder = std::make_shared<py::function>(std::move(fn));
    t.impl()->meta().hooks.push_back({id, [holder](const Tensor&) {
                                        (*holder)();
                                        return Tensor();
                                      }});
    return id;
  });
  m.def("_remove_post_accumulate_hook", [](Tensor& t, int id) {
    if (!t.impl()->autograd) return;
    auto& hs = t.impl()->autograd->hooks;
    hs.erase(std::remove_if(hs.begin(), hs.end(), [id](const auto& h) { return h.first == id; }),
             hs.end());
  });
  m.def("_remove_tensor_hook", [](Tensor& t, int id) {
    if (t.impl()->autograd) {
      auto& hs = t.impl()->autograd->hooks;
      hs.erase(std::remove_if(hs.begin(), hs.end(), [id](auto& h) { return h.first == id; }), hs.end());
    }
    if (t.grad_fn()) {
      auto& hs = t.grad_fn()->pre_hooks;
      hs.erase(std::remove_if(hs.begin(), hs.end(), [id](const Node::Hook& h) { return h.id == id; }), hs.end());
    }
  });
  m.def("is_grad_enabled", []() { return GradMode::is_enabled(); });
  m.def("_set_grad_enabled", [](bool e) { GradMode::set_enabled(e); });
  // autocast's per-thread state (Note [Autocast]; python/tapegrad/amp/autocast_mode.py)
  m.def("_autocast_state", []() {
    const auto& s = autocast::state();
    return py::make_tuple(s.cpu, dtype_object(s.cpu_dtype), s.cuda, dtype_object(s.cuda_dtype));
  });
  m.def("_set_autocast_state", [](bool cpu, DType cpu_dt, bool cuda, DType cuda_dt) {
    auto& s = autocast::state();
    s.cpu = cpu;
    s.cpu_dtype = cpu_dt;
    s.cuda = cuda;
    s.cuda_dtype = cuda_dt;
  });
}

}  // namespace bind
}  // namespace tapegrad
