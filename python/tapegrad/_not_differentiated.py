"""The calls torch records with a node whose backward raises (its derivative is not
implemented), and channel_shuffle's own node: remainder(number, tensor), scatter with reduce=,
native_channel_shuffle, geqrf. tapegrad's compositions could differentiate them, but torch's
graph shows (and prints) `NotImplemented` / `GeqrfBackward0` there, and its backward raises;
a program written against torch never depends on these gradients. Installed by install()."""
from . import _C, _pynode
from ._C import Tensor
from ._grad_mode import no_grad


def _not_implemented(kernel, inputs, out):
    """out (computed without history) recorded as torch's NotImplemented node over the tensor
    inputs, whose backward raises torch's error naming the kernel."""
    leaves = [t for t in inputs if isinstance(t, Tensor)]

    def backward(g):
        raise RuntimeError(f"derivative for aten::{kernel} is not implemented")
    return _pynode.record("NotImplemented", backward, leaves, out)


def _wants_grad(*ts):
    return _C.is_grad_enabled() and any(isinstance(t, Tensor) and t.requires_grad for t in ts)


def _remainder(orig):
    def remainder(input, other, *args, **kwargs):
        # remainder.Scalar_Tensor (a number divided by a tensor) has no derivative in torch
        if not isinstance(input, Tensor) and isinstance(other, Tensor) and _wants_grad(other) \
                and not args and not kwargs:
            with no_grad():
                out = orig(input, other)
            return _not_implemented("remainder", [other], out)
        return orig(input, other, *args, **kwargs)
    remainder.__name__ = "remainder"
    return remainder


def _rmod(orig):
    def __rmod__(self, other):
        if _wants_grad(self) and not isinstance(other, Tensor):
            with no_grad():
                out = orig(self, other)
            return out if out is NotImplemented else _not_implemented("remainder", [self], out)
        return orig(self, other)
    return __rmod__


def _scatter(orig):
    def scatter(*args, **kwargs):
        # scatter with reduce= (tensor or number source): NotImplemented in torch
        if kwargs.get("reduce") is not None:
            ts = list(args) + list(kwargs.values())
            if _wants_grad(*ts):
                with no_grad():
                    out = orig(*args, **kwargs)
                return _not_implemented("scatter", [t for t in ts if isinstance(t, Tensor)
                                                    and t.dtype.is_floating_point], out)
        return orig(*args, **kwargs)
    scatter.__name__ = "scatter"
    return scatter


def channel_shuffle(orig):
    """torch's channel_shuffle is one node, ChannelShuffleBackward0 (the inverse shuffle of the
    gradient); the composition recorded reshape/transpose nodes."""
    def channel_shuffle(input, groups):
        with no_grad():
            out = orig(input, groups)
        if not _wants_grad(input):
            return out
        c = input.shape[1]

        def backward(g):
            return [channel_shuffle(g, c // groups)]
        return _pynode.record("ChannelShuffleBackward0", backward, [input], out,
                              {"groups": groups})
    return channel_shuffle


def native_channel_shuffle(orig):
    def native_channel_shuffle(input, groups):
        with no_grad():
            out = orig(input, groups)
        return _not_implemented("native_channel_shuffle", [input], out) \
            if _wants_grad(input) else out
    return native_channel_shuffle


def geqrf(orig):
    def geqrf(input, *, out=None):
        if out is not None or not _wants_grad(input):
            return orig(input, out=out)
        with no_grad():
            res = orig(input)

        def backward(grads):
            raise NotImplementedError("the derivative for 'geqrf' is not implemented.")
        a, tau = _pynode.record_multi("GeqrfBackward0", backward, [input], list(res))
        return type(res)(a, tau)
    return geqrf


def install(tg):
    """Wraps the public functions and methods of the tapegrad module `tg`."""
    import sys
    F = sys.modules["tapegrad.nn.functional"]
    tg.remainder = _remainder(tg.remainder)
    Tensor.__rmod__ = _rmod(Tensor.__rmod__)
    tg.scatter = _scatter(tg.scatter)
    Tensor.scatter = _scatter(Tensor.scatter)
    for mod in (tg, F):
        mod.channel_shuffle = channel_shuffle(mod.channel_shuffle)
        mod.native_channel_shuffle = native_channel_shuffle(mod.native_channel_shuffle)
    tg.geqrf = geqrf(tg.geqrf)
