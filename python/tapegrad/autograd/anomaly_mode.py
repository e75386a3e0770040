"""Anomaly detection with torch's names and signatures (detect_anomaly, set_detect_anomaly,
is_anomaly_enabled, is_anomaly_check_nan_enabled).

With check_nan, backward()/grad() put a pre-hook on every node of the graph being
differentiated: it runs the node once on its incoming gradients (before the engine does) and
raises torch's "Function 'X' returned nan values in its Nth output." when an output holds NaN.
Differences from torch: anomaly mode costs a second run of every backward node; a custom
Function's outputs are checked where they arrive (after summing, if several feed one input);
no forward-pass traceback is recorded or printed."""
import threading
import warnings

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled"]

_state = threading.local()  # torch keeps the flag per thread as well


def is_anomaly_enabled():
    return getattr(_state, "enabled", False)


def is_anomaly_check_nan_enabled():
    return getattr(_state, "check_nan", True)


def _set(enabled, check_nan):
    _state.enabled, _state.check_nan = bool(enabled), bool(check_nan)
    _route_backward(_state.enabled)


_fast_backward = []  # Tensor.backward's C fast path while anomaly mode routes it through Python


def _route_backward(enabled):
    """Tensor.backward() without arguments skips Python (and so the NaN hooks); in anomaly mode
    send it through autograd.backward, which gives the same result, more slowly."""
    from .._C import Tensor
    from .._tensor import _backward
    if enabled and not _fast_backward:
        _fast_backward.append(Tensor.__dict__["backward"])
        Tensor.backward = _backward
    elif not enabled and _fast_backward:
        Tensor.backward = _fast_backward.pop()


def _has_nan(g):
    return g is not None and g.is_floating_point() and bool(g.isnan().any())


def _nan_error(node, k):
    return RuntimeError(f"Function '{node.name()}' returned nan values in its {k}th output.")


def _replayable(node):
    # Built-in nodes are pure functions of their saved tensors: running one a second time,
    # before the engine does, shows its own outputs. AccumulateGrad would write .grad and a
    # custom Function would run user code twice, so those are checked where their output lands.
    from .._C import AccumulateGrad, _FunctionBackward
    return not isinstance(node, (AccumulateGrad, _FunctionBackward))


def _as_tuple(grads):
    return tuple(grads) if isinstance(grads, (tuple, list)) else (grads,)


def nan_check_hooks(roots):
    """Pre-hooks raising torch's NaN error on every node reachable from roots (grad_fn nodes);
    returns what remove_hooks needs. Nothing when anomaly mode or its NaN check is off."""
    if not (is_anomaly_enabled() and is_anomaly_check_nan_enabled()):
        return []
    from .._grad_mode import no_grad
    producers, nodes, stack, seen = {}, [], [r for r in roots if r is not None], set()
    while stack:  # iterative: deep graphs must not hit the recursion limit
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        nodes.append(node)
        for k, (nxt, _) in enumerate(node.next_functions):
            if nxt is not None:
                producers.setdefault(id(nxt), []).append((node, k))
                stack.append(nxt)
    handles = []
    for node in nodes:
        prods = [(p, k) for p, k in producers.get(id(node), []) if not _replayable(p)]

        def hook(grads, node=node, prods=prods):
            grads = _as_tuple(grads)
            if prods and any(_has_nan(g) for g in grads):
                raise _nan_error(*prods[0])  # a custom Function's output (summed if shared)
            if _replayable(node):
                try:
                    with no_grad():
                        outs = _as_tuple(node(*grads))
                except Exception:  # the engine's own run reports its error
                    return None
                for k, g in enumerate(outs):
                    if _has_nan(g):
                        raise _nan_error(node, k)
            return None
        handles.append((node, node.register_prehook(hook)))
    return handles


def remove_hooks(handles):
    for node, hid in handles:
        node._remove_hook(hid)


class detect_anomaly:
    """Context manager enabling anomaly mode inside its block (warns once when created)."""

    def __init__(self, check_nan=True) -> None:
        self.prev = is_anomaly_enabled()
        self.check_nan = check_nan
        self.prev_check_nan = is_anomaly_check_nan_enabled()
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", stacklevel=2)

    def __enter__(self) -> None:
        _set(True, self.check_nan)

    def __exit__(self, *args) -> None:
        _set(self.prev, self.prev_check_nan)


class set_detect_anomaly:
    """Sets anomaly mode on construction (so it also works as a plain call); a with-block
    restores the previous setting on exit."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = is_anomaly_enabled()
        self.prev_check_nan = is_anomaly_check_nan_enabled()
        _set(mode, check_nan)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *args) -> None:
        _set(self.prev, self.prev_check_nan)
