"""tapegrad.utils.checkpoint: activation checkpointing, torch.utils.checkpoint's two variants.

- use_reentrant=True: one custom Function (CheckpointFunctionBackward) runs the function without
  history and, in backward, runs it again with history and backpropagates through that inside
  the outer backward (a reentrant backward); it cannot serve autograd.grad() or
  backward(inputs=...), as in torch.
- use_reentrant=False: the function runs with history, but under saved-tensor hooks
  (autograd/graph.py) that keep nothing; the first time backward unpacks one of its saved tensors
  the function is run again (same RNG state) under hooks that collect the saved tensors in
  order, and each unpack takes its own. The graph is the function's own (MulBackward0 & co).

The RNG state of the CPU generator is saved before the forward and restored around the
recomputation (preserve_rng_state), so dropout draws the same mask."""
from __future__ import annotations

import contextlib
import warnings

from .. import _C
from .._C import Tensor
from .._grad_mode import enable_grad, no_grad
from ..autograd.function import Function
from ..autograd.graph import saved_tensors_hooks
from ..random import fork_rng, get_rng_state, set_rng_state

__all__ = ["checkpoint", "checkpoint_sequential", "CheckpointError", "CheckpointFunction",
           "check_backward_validity", "detach_variable", "noop_context_fn"]

_REENTRANT_WARNING = (
    "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. Starting "
    "in PyTorch 2.9, calling checkpoint without use_reentrant will raise an exception. "
    "use_reentrant=False is recommended, but if you need to preserve the current default "
    "behavior, you can pass use_reentrant=True. Refer to docs for more details on the "
    "differences between the two variants.")


class CheckpointError(RuntimeError):
    pass


def noop_context_fn():
    return contextlib.nullcontext(), contextlib.nullcontext()


def detach_variable(inputs):
    """Detached copies of the tensors in `inputs` (requires_grad kept); others as they are."""
    if not isinstance(inputs, tuple):
        raise RuntimeError("Only tuple of tensors is supported. Got Unsupported input type: "
                           f"{type(inputs).__name__}")
    out = []
    for inp in inputs:
        if not isinstance(inp, Tensor):
            out.append(inp)
            continue
        x = inp.detach()
        x.requires_grad = inp.requires_grad
        out.append(x)
    return tuple(out)


def check_backward_validity(inputs):
    if not any(isinstance(inp, Tensor) and inp.requires_grad for inp in inputs):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None",
                      stacklevel=2)


@contextlib.contextmanager
def _replay_rng(state, enabled):
    """The generator at `state` inside the block, and back where it was after it."""
    with fork_rng(enabled=enabled):
        if enabled:
            set_rng_state(state)
        yield


class CheckpointFunction(Function):
    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        check_backward_validity(args)
        ctx.run_function = run_function
        ctx.preserve_rng_state = preserve_rng_state
        if preserve_rng_state:
            ctx.fwd_cpu_state = get_rng_state()
        ctx.inputs = [None if isinstance(a, Tensor) else a for a in args]
        ctx.tensor_indices = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        ctx.save_for_backward(*[a for a in args if isinstance(a, Tensor)])
        with no_grad():
            return run_function(*args)

    @staticmethod
    def backward(ctx, *args):
        from .. import autograd
        if not autograd._is_checkpoint_valid():
            raise RuntimeError(
                "When use_reentrant=True, torch.utils.checkpoint is incompatible with .grad() or "
                "passing an `inputs` parameter to .backward(). To resolve this error, you can "
                "either set use_reentrant=False, or call .backward() without passing the "
                "`inputs` argument.")
        inputs = list(ctx.inputs)
        for i, t in zip(ctx.tensor_indices, ctx.saved_tensors):
            inputs[i] = t
        with _replay_rng(getattr(ctx, "fwd_cpu_state", None), ctx.preserve_rng_state):
            detached = detach_variable(tuple(inputs))
            with enable_grad():
                outputs = ctx.run_function(*detached)
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        outs, grads = [], []
        for o, g in zip(outputs, args):
            if isinstance(o, Tensor) and o.requires_grad:
                outs.append(o)
                grads.append(g)
        if not outs:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is not "
                               "necessary")
        autograd.backward(outs, grads)
        return (None, None) + tuple(inp.grad if isinstance(inp, Tensor) else None
                                    for inp in detached)


class _Frame:
    """One non-reentrant checkpoint: how many tensors the forward saved (with their metadata),
    and the ones the last recomputation produced, taken one by one as backward unpacks them."""

    def __init__(self, function, args, kwargs, preserve, determinism_check):
        self.function, self.args, self.kwargs = function, args, kwargs
        self.preserve = preserve
        self.rng = get_rng_state() if preserve else None
        self.check = determinism_check
        self.meta = []  # (shape, dtype, device) of each saved tensor, in saving order
        self.recomputed = {}

    def pack(self, t):
        self.meta.append((tuple(t.shape), t.dtype, str(t.device)))
        return len(self.meta) - 1

    def unpack(self, idx):
        if idx not in self.recomputed:
            self._recompute()
        return self.recomputed.pop(idx)

    def _recompute(self):
        # backward with create_graph=True runs in grad mode: then the recomputation starts from
        # the real inputs and its saved tensors keep their history, so the gradient is
        # differentiable again; otherwise nothing of it is kept but the values
        create = _C.is_grad_enabled()
        got = []

        def keep(t):
            got.append(t if create else t.detach())
            return len(got) - 1

        args = tuple(self.args) if create else detach_variable(tuple(self.args))
        with _replay_rng(self.rng, self.preserve), enable_grad(), \
                saved_tensors_hooks(keep, lambda i: got[i]):
            self.function(*args, **self.kwargs)
        if self.check != "none":
            meta = [(tuple(t.shape), t.dtype, str(t.device)) for t in got]
            if meta[:len(self.meta)] != self.meta or len(got) < len(self.meta):
                raise CheckpointError(
                    "torch.utils.checkpoint: Recomputed values for the following tensors have "
                    "different metadata than during the forward pass.\n" + "\n".join(
                        f"tensor at position {k}:\nsaved metadata: {a}\nrecomputed metadata: {b}"
                        for k, (a, b) in enumerate(zip(self.meta, meta)) if a != b))
        self.recomputed = dict(enumerate(got[:len(self.meta)]))


def checkpoint(function, *args, use_reentrant=None, context_fn=noop_context_fn,
               determinism_check="default", debug=False, early_stop=True, **kwargs):
    """function(*args, **kwargs), keeping none of its intermediate activations for backward:
    they are recomputed when backward needs them (see the module docstring)."""
    if use_reentrant is None:
        warnings.warn(_REENTRANT_WARNING, stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    if use_reentrant:
        if context_fn is not noop_context_fn or debug is not False:
            raise ValueError("Passing `context_fn` or `debug` is only supported when "
                             "use_reentrant=False.")
        return CheckpointFunction.apply(function, preserve, *args)
    if determinism_check not in ("default", "none"):
        raise ValueError("determinism_check should be one of ['default', 'none'], but got "
                         f"{determinism_check}")
    frame = _Frame(function, args, kwargs, preserve, determinism_check)
    fwd_ctx, recompute_ctx = context_fn()
    with fwd_ctx, saved_tensors_hooks(frame.pack, frame.unpack):
        return function(*args, **kwargs)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Runs a Sequential (or a list of modules/functions) in `segments` checkpointed pieces; the
    last piece runs normally."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should be "
            "passed explicitly. In version 2.9 we will raise an exception if use_reentrant is "
            "not passed. use_reentrant=False is recommended, but if you need to preserve the "
            "current default behavior, you can pass use_reentrant=True. Refer to docs for more "
            "details on the differences between the two variants.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))

    def run_function(start, end, functions):
        def forward(x):
            for j in range(start, end + 1):
                x = functions[j](x)
            return x
        return forward

    from ..nn import Sequential
    if isinstance(functions, Sequential):
        functions = list(functions.children())
    segment_size = len(functions) // segments
    end = -1
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = checkpoint(run_function(start, end, functions), input,
                           use_reentrant=use_reentrant, preserve_rng_state=preserve)
    return run_function(end + 1, len(functions) - 1, functions)(input)
