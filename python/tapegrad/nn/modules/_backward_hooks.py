"""Full backward hooks of Modules (register_full_backward_hook / _pre_hook), as torch runs them.

A call with such hooks passes the tensor inputs and, after forward, the tensor outputs through
an identity autograd Function (so both show BackwardHookFunctionBackward, as in torch). The
outputs' node sees grad_output first (pre-hooks may replace it); the inputs' node then sees
grad_input and calls the hooks with (module, grad_input, grad_output)."""
import warnings

from ... import _C
from ..._C import Tensor
from ...autograd.function import Function


class BackwardHookFunction(Function):
    """Identity on its tensor arguments; `on_grads` sees (and may replace) their gradients."""

    @staticmethod
    def forward(ctx, on_grads, *args):
        ctx.on_grads = on_grads
        ctx.set_materialize_grads(False)
        return args

    @staticmethod
    def backward(ctx, *grads):
        return (None,) + tuple(ctx.on_grads(grads))


def _pack(indices, values, size):
    out = [None] * size
    for i, v in zip(indices, values):
        out[i] = v
    return tuple(out)


class BackwardHook:
    """The per-call state linking the output node (grad_output) to the input node."""

    def __init__(self, module, user_hooks, user_pre_hooks):
        self.module = module
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.grad_outputs = None
        self.n_inputs = 0
        self.input_index = None
        self.n_outputs = 0
        self.output_index = None

    def _wrap(self, values, on_grads):
        # Tensors that need no gradient get None in the hooks' tuples without being wrapped.
        index = [i for i, v in enumerate(values) if isinstance(v, Tensor) and v.requires_grad]
        tensors = [values[i] for i in index]
        if not (_C.is_grad_enabled() and tensors):
            return None, values
        wrapped = BackwardHookFunction.apply(on_grads, *tensors)
        out = list(values)
        for i, t in zip(index, wrapped):
            out[i] = t
        return index, tuple(out)

    def setup_input_hook(self, args):
        self.n_inputs = len(args)
        self.input_index, args = self._wrap(args, self._on_input_grads)
        return args

    def setup_output_hook(self, result):
        single = isinstance(result, Tensor)
        values = (result,) if single else result
        if not isinstance(values, tuple):
            return result
        self.n_outputs = len(values)
        self.output_index, values = self._wrap(values, self._on_output_grads)
        return values[0] if single else values

    def _on_output_grads(self, grads):
        self.grad_outputs = _pack(self.output_index, grads, self.n_outputs)
        for hook in self.user_pre_hooks:
            res = hook(self.module, self.grad_outputs)
            if res is None:
                continue
            if len(res) != len(self.grad_outputs):
                raise RuntimeError("Backward pre hook returned an invalid number of "
                                   f"grad_output, got {len(res)}, but expected "
                                   f"{len(self.grad_outputs)}")
            self.grad_outputs = res
        local = self.grad_outputs
        if self.input_index is None:
            # No input needs a gradient: the hooks run now, with grad_input all None.
            warnings.warn("Full backward hook is firing when gradients are computed with respect "
                          "to module outputs since no inputs require gradients. See "
                          "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html"
                          "#torch.nn.Module.register_full_backward_hook for more details.")
            grad_inputs = _pack([], [], self.n_inputs)
            for hook in self.user_hooks:
                res = hook(self.module, grad_inputs, self.grad_outputs)
                if res is not None and not (isinstance(res, tuple) and
                                            all(r is None for r in res)):
                    raise RuntimeError("Backward hook for Modules where no input requires "
                                       "gradient should always return None or None for all "
                                       "gradients.")
            self.grad_outputs = None
        return tuple(local[i] for i in self.output_index)

    def _on_input_grads(self, grads):
        if self.grad_outputs is None:
            return grads
        res = _pack(self.input_index, grads, self.n_inputs)
        for hook in self.user_hooks:
            out = hook(self.module, res, self.grad_outputs)
            if out is None:
                continue
            if len(out) != len(res):
                raise RuntimeError("Backward hook returned an invalid number of grad_input, "
                                   f"got {len(out)}, but expected {len(res)}")
            res = out
        self.grad_outputs = None
        return tuple(res[i] for i in self.input_index)
