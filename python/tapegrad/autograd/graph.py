"""tapegrad.autograd.graph: torch.autograd.graph's hooks on saved tensors (saved_tensors_hooks,
save_on_cpu, disable_saved_tensors_hooks) and the Node class every grad_fn is an instance of.

The hooks run in C++ where an op saves a tensor for backward (Note [Saved tensor hooks] in
tapegrad/autograd/node.h); custom autograd.Function's save_for_backward applies them too
(function.py). torch.utils.checkpoint's non-reentrant mode is built on them."""
from __future__ import annotations

import threading

from .. import _C

__all__ = ["Node", "saved_tensors_hooks", "save_on_cpu", "disable_saved_tensors_hooks"]

# Every grad_fn (the op nodes, AccumulateGrad, custom Functions' nodes) is a _C.Node.
Node = _C.Node

_state = threading.local()  # the disable_saved_tensors_hooks messages active on this thread


def _disabled_message():
    stack = getattr(_state, "disabled", None)
    return stack[-1] if stack else None


class saved_tensors_hooks:
    """Inside the block, each tensor an op saves for backward is replaced by pack_hook(tensor);
    backward calls unpack_hook(packed) to get a tensor back. The innermost block applies."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        msg = _disabled_message()
        if msg is not None:
            raise RuntimeError(msg)
        _C._push_saved_tensors_hooks(self.pack_hook, self.unpack_hook)
        return self

    def __exit__(self, *exc):
        _C._pop_saved_tensors_hooks()
        return False


class save_on_cpu(saved_tensors_hooks):
    """Saved tensors are kept as CPU copies during the forward and moved back to their device
    when backward needs them (GPU memory for CPU memory)."""

    def __init__(self, pin_memory=False, device_type="cuda"):
        def pack(tensor):
            # pinned host memory does not exist in tapegrad: a plain host copy either way
            return tensor.device, tensor.detach().to("cpu", copy=True)

        def unpack(packed):
            device, tensor = packed
            return tensor.to(device, non_blocking=pin_memory)

        super().__init__(pack, unpack)


class disable_saved_tensors_hooks:
    """Inside the block, entering saved_tensors_hooks raises RuntimeError(error_message)."""

    def __init__(self, error_message):
        self.error_message = error_message

    def __enter__(self):
        if not hasattr(_state, "disabled"):
            _state.disabled = []
        _state.disabled.append(self.error_message)
        return self

    def __exit__(self, *exc):
        _state.disabled.pop()
        return False
