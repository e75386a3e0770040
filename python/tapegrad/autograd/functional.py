"""tapegrad.autograd.functional: vjp, jvp, jacobian, hessian, vhp, hvp with torch's argument
handling (a Tensor or a tuple of Tensors in and out), strict-mode checks and error wording.

Everything is reverse mode over tapegrad.autograd.grad. Forward-mode products (jvp, hvp) use the
double-backward trick: differentiate the vjp with respect to a dummy upstream gradient, which needs
the backward formulas to be differentiable (tapegrad writes them with differentiable ops).
vectorize=True and strategy="forward-mode" give the same numbers through the same per-row loop
(tapegrad has no vmap / forward-mode AD); only the speed differs from torch."""
from .. import _C
from .._C import Tensor
from .._grad_mode import enable_grad, set_grad_enabled

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


def _as_tuple(inp, arg_name, fn_name):
    """(was it a tuple, tuple of Tensors); torch's TypeError for anything else."""
    is_tuple = isinstance(inp, tuple)
    items = inp if is_tuple else (inp,)
    for i, el in enumerate(items):
        if not isinstance(el, Tensor):
            where = f"the value at index {i}" if is_tuple else f"the given {arg_name}"
            raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a "
                            f"tuple of Tensors but {where} has type {type(el)}.")
    return is_tuple, items


def _preprocess(inputs, create_graph, need_graph):
    # With create_graph the results must stay connected to the caller's tensors: a view keeps
    # the link. Otherwise work on fresh leaves so the caller's graph is left alone.
    if create_graph:
        return tuple(t.view_as(t) if t.requires_grad else t.detach().requires_grad_(need_graph)
                     for t in inputs)
    return tuple(t.detach().requires_grad_(need_graph) for t in inputs)


def _postprocess(res, create_graph):
    if create_graph:
        return res
    if isinstance(res[0], Tensor):
        return tuple(t.detach() for t in res)
    return tuple(_postprocess(r, create_graph) for r in res)


def _unpack(res, keep):
    """Undo the tuple wrapping: keep is one flag, or (outer, inner) for nested results."""
    if isinstance(keep, tuple):
        if not keep[1]:
            res = tuple(r[0] for r in res)
        return res if keep[0] else res[0]
    return res if keep else res[0]


_REQ_MSGS = {
    "outputs": "Output {i} of the user-provided function does not require gradients. The outputs "
               "must be computed in a differentiable manner from the input when running in "
               "strict mode.",
    "grad_inputs": "The gradient with respect to input {i} is independent of the inputs of the "
                   "user-provided function. This is not allowed in strict mode.",
    "jacobian": "While computing the hessian, found that the jacobian of the user-provided "
                "function with respect to input {i} is independent of the input. This is not "
                "allowed in strict mode. You should ensure that your function is twice "
                "differentiable and that the jacobian depends on the inputs (this would be "
                "violated by a linear function for example).",
    "hessian": "The hessian of the user-provided function with respect to input {i} is "
               "independent of the input. This is not allowed in strict mode. You should ensure "
               "that your function is thrice differentiable and that the hessian depends on the "
               "inputs.",
}


def _check_requires_grad(tensors, kind, strict):
    if not strict:
        return
    for i, t in enumerate(tensors):
        if t is None:
            raise RuntimeError(f"The output of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode.")
        if not t.requires_grad:
            raise RuntimeError(_REQ_MSGS[kind].format(i=i))


def _validate_v(v, other, other_is_tuple):
    if len(other) != len(v):
        if other_is_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(other)} but got "
                               f"{len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for idx, (a, b) in enumerate(zip(v, other)):
        if a.size() != b.size():
            prefix = f"Entry {idx} in " if other_is_tuple else ""
            raise RuntimeError(f"{prefix}v has invalid size: should be {b.size()} but got "
                               f"{a.size()}.")


def _grad(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None):
    """autograd.grad over the outputs that require grad; None for inputs nothing reaches."""
    from . import grad
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    return grad([o for o, _ in pairs], inputs, [g for _, g in pairs], allow_unused=True,
                create_graph=create_graph, retain_graph=retain_graph)


_ZERO_MSGS = {
    "back": "The output of the user-provided function is independent of input {i}. This is not "
            "allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the "
                  "grad_outputs when using the double backward trick to compute forward mode "
                  "gradients. This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. "
                   "This is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry {i} "
                         "in the grad_jacobian. This is not allowed in strict mode as it "
                         "prevents from using the double backward trick to replace forward mode "
                         "AD.",
}


def _fill_zeros(grads, refs, strict, create_graph, stage):
    out = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(_ZERO_MSGS[stage].format(i=i))
            g = _zeros_like(refs[i])
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(f"The {what} of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode when "
                               f"create_graph=True.")
        out.append(g)
    return tuple(out)


def _zeros_like(t, requires_grad=False):
    from .. import zeros_like
    return zeros_like(t).requires_grad_(requires_grad)


def _prepare_v(v, ref, ref_is_tuple, create_graph, fn_name, what):
    if v is not None:
        _, v = _as_tuple(v, "v", fn_name)
        v = _preprocess(v, create_graph, need_graph=False)
        _validate_v(v, ref, ref_is_tuple)
        return v
    if len(ref) != 1 or ref[0].numel() != 1:
        raise RuntimeError(f"The vector v can only be None if the {what} a single Tensor with a "
                           f"single element.")
    return None


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T J): the vector-Jacobian product at inputs."""
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _preprocess(inputs, create_graph, need_graph=True)
        out_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function",
                                       "vjp")
        _check_requires_grad(outputs, "outputs", strict)
        v = _prepare_v(v, outputs, out_tuple, create_graph, "vjp",
                       "user-provided function returns")
    with set_grad_enabled(True if create_graph else _C.is_grad_enabled()):
        res = _fill_zeros(_grad(outputs, inputs, v, create_graph=create_graph), inputs, strict,
                          create_graph, "back")
    return (_unpack(_postprocess(outputs, create_graph), out_tuple),
            _unpack(_postprocess(res, create_graph), in_tuple))


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v): the Jacobian-vector product, by the double-backward trick."""
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _preprocess(inputs, create_graph, need_graph=True)
        v = _prepare_v(v, inputs, in_tuple, create_graph, "jvp", "input to the user-provided "
                       "function is")
        out_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function",
                                       "jvp")
        _check_requires_grad(outputs, "outputs", strict)
        dummy = tuple(_zeros_like(o, requires_grad=True) for o in outputs)
        grad_inputs = _grad(outputs, inputs, dummy, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict)
        with set_grad_enabled(True if create_graph else _C.is_grad_enabled()):
            res = _fill_zeros(_grad(grad_inputs, dummy, v, create_graph=create_graph), outputs,
                              strict, create_graph, "back_trick")
    return (_unpack(_postprocess(outputs, create_graph), out_tuple),
            _unpack(_postprocess(res, create_graph), out_tuple))


_STRATEGIES = ("forward-mode", "reverse-mode")


def _check_forward_mode(create_graph, vectorize):
    if create_graph:
        raise NotImplementedError('torch.autograd.functional.jacobian: `create_graph=True` and '
                                  '`strategy="forward-mode"` are not supported together (yet). '
                                  'Please either set `create_graph=False` or '
                                  '`strategy="reverse-mode"`.')
    if not vectorize:
        raise NotImplementedError('Computing Jacobian using forward-AD or forward-over-reverse '
                                  'Hessian isonly implemented for `vectorize=True`.')


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """The Jacobian of func at inputs: out.shape + in.shape per (output, input) pair."""
    if strategy not in _STRATEGIES:
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". '
                             'Hint: If your function has more outputs than inputs, '
                             '"forward-mode" tends to be more performant. Otherwise, prefer to '
                             'use "reverse-mode".')
    if strategy == "forward-mode":
        _check_forward_mode(create_graph, vectorize)
    return _jacobian(func, inputs, create_graph, strict, vectorize,
                     as_lists=strategy == "forward-mode")


def _jacobian(func, inputs, create_graph, strict, vectorize, as_lists):
    """The reverse-mode row loop behind jacobian and hessian; as_lists gives the list nesting
    torch's forward-mode path returns."""
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _preprocess(inputs, create_graph, need_graph=True)
        out_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function",
                                       "jacobian")
        _check_requires_grad(outputs, "outputs", strict)
        if vectorize and strict:
            raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and "
                               "`vectorized=True` are not supported together. Please either set "
                               "`strict=False` or `vectorize=False`.")
        from .. import stack
        jac = []
        for i, out in enumerate(outputs):
            rows = [[] for _ in inputs]
            flat = out.reshape(-1)
            for j in range(out.numel()):
                grads = _grad((flat[j],), inputs, retain_graph=True, create_graph=create_graph)
                for k, (g, inp) in enumerate(zip(grads, inputs)):
                    if g is None:
                        if strict:
                            raise RuntimeError(f"Output {i} of the user-provided function is "
                                               f"independent of input {k}. This is not allowed "
                                               f"in strict mode.")
                        g = _zeros_like(inp)
                    elif strict and create_graph and not g.requires_grad:
                        raise RuntimeError(f"The jacobian of the user-provided function is "
                                           f"independent of input {i}. This is not allowed in "
                                           f"strict mode when create_graph=True.")
                    rows[k].append(g)
            blocks = []
            for k, inp in enumerate(inputs):
                shape = tuple(out.shape) + tuple(inp.shape)
                if not rows[k]:  # torch stacks an empty list for an output with no elements
                    raise RuntimeError("stack expects a non-empty TensorList")
                blocks.append(stack(rows[k], dim=0).view(shape))
            jac.append(tuple(blocks))
        jac = _postprocess(tuple(jac), create_graph)
    if as_lists:
        jac = [list(r) for r in jac]
    return _unpack(jac, (out_tuple, in_tuple))


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a scalar func: the Jacobian of its gradient."""
    in_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in _STRATEGIES:
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def scalar_func(*inp):
        out = func(*inp)
        out_tuple, t_out = _as_tuple(out, "outputs of the user-provided function", "hessian")
        _check_requires_grad(t_out, "outputs", strict)
        if out_tuple or not isinstance(out, Tensor):
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out.numel() != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should "
                               "contain a single element")
        return out.squeeze()

    def jac_func(*inp):
        jac = jacobian(scalar_func, inp, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        return jac

    if outer_jacobian_strategy == "forward-mode":
        _check_forward_mode(create_graph, vectorize)
        # torch's forward-over-reverse result keeps the graph of the inner reverse pass (its
        # tangents are computed from tensors that require grad): keep ours too
        res = _jacobian(jac_func, inputs, True, strict, vectorize, as_lists=True)
    else:
        res = _jacobian(jac_func, inputs, create_graph, strict, vectorize, as_lists=False)
    return _unpack(res, (in_tuple, in_tuple))


def _scalar_output(func, inputs, fn_name, strict):
    out_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function",
                                   fn_name)
    _check_requires_grad(outputs, "outputs", strict)
    if out_tuple or not isinstance(outputs[0], Tensor):
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if outputs[0].numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn_name} should "
                           f"contain a single element")
    return out_tuple, outputs


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T H) for a scalar func."""
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", "vhp")
        inputs = _preprocess(inputs, create_graph, need_graph=True)
        v = _prepare_v(v, inputs, in_tuple, create_graph, "vhp", "input to the user-provided "
                       "function is")
        out_tuple, outputs = _scalar_output(func, inputs, "vhp", strict)
        jac = _grad(outputs, inputs, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
    with set_grad_enabled(True if create_graph else _C.is_grad_enabled()):
        res = _fill_zeros(_grad(jac, inputs, v, create_graph=create_graph), inputs, strict,
                          create_graph, "double_back")
    return (_unpack(_postprocess(outputs, create_graph), out_tuple),
            _unpack(_postprocess(res, create_graph), in_tuple))


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H v) for a scalar func, by the double-backward trick."""
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, "inputs", "hvp")
        inputs = _preprocess(inputs, create_graph, need_graph=True)
        v = _prepare_v(v, inputs, in_tuple, create_graph, "hvp", "input to the user-provided "
                       "function is")
        out_tuple, outputs = _scalar_output(func, inputs, "hvp", strict)
        jac = _grad(outputs, inputs, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        dummy = tuple(_zeros_like(t, requires_grad=True) for t in inputs)
        double_back = _grad(jac, inputs, dummy, create_graph=True)
        _check_requires_grad(jac, "hessian", strict)
    with set_grad_enabled(True if create_graph else _C.is_grad_enabled()):
        res = _fill_zeros(_grad(double_back, dummy, v, create_graph=create_graph), inputs,
                          strict, create_graph, "double_back_trick")
    return (_unpack(_postprocess(outputs, create_graph), out_tuple),
            _unpack(_postprocess(res, create_graph), in_tuple))
