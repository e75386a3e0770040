"""CUDA inputs of the linalg functions that have host kernels only (the _linalg_*.py modules:
LU, QR, SVD, eigh, Cholesky, LDL, Householder, lstsq, matrix functions).

Note [Host fallback for linalg]: torch runs these on the GPU through cuSOLVER/MAGMA. tapegrad
moves the tensor arguments to the CPU with differentiable copies (`.cpu()`), runs the CPU
function, and moves every tensor result back to the input's GPU (`.to(device)`). Values,
dtypes, result devices and gradients are torch's (the copies record ToCopyBackward0 on both
sides); only the speed differs: each call pays two host/device transfers and a synchronisation.
Arguments on different devices, or on CPU only, reach the function unchanged (it raises torch's
device error or runs on the CPU). install() runs before _out_arg.install, so an out= on CUDA is
written by the out= wrapper from the result this returns.
"""
import functools
import sys

_MODULES = ("_linalg_decomp", "_linalg_spectral", "_linalg_matrix", "_linalg_householder",
            "_linalg_ldl", "_linalg_lowrank")


def _tensors(x, found):
    from ._C import Tensor
    if isinstance(x, Tensor):
        found.append(x)
    elif isinstance(x, (list, tuple)):
        for y in x:
            _tensors(y, found)


def _move(x, to):
    from ._C import Tensor
    if isinstance(x, Tensor):
        return to(x)
    if isinstance(x, tuple):
        items = [_move(y, to) for y in x]
        return type(x)(*items) if hasattr(x, "_fields") else type(x)(items)
    if isinstance(x, list):
        return [_move(y, to) for y in x]
    return x


def wrap(fn):
    @functools.wraps(fn)
    def on_host(*args, **kwargs):
        found = []
        _tensors(args, found)
        _tensors(list(kwargs.values()), found)
        devices = {t.device for t in found}
        if len(devices) != 1 or not found[0].is_cuda:
            return fn(*args, **kwargs)
        dev = found[0].device
        result = fn(*_move(args, lambda t: t.cpu()),
                    **{k: _move(v, lambda t: t.cpu()) for k, v in kwargs.items()})
        return _move(result, lambda t: t.to(dev))
    on_host._tapegrad_host_fallback = True
    return on_host


def install():
    """Wraps the public functions of the host-only modules and rebinds every name in tapegrad's
    modules (tapegrad, tapegrad.linalg, ...) that refers to one of them."""
    originals = {}
    for name in _MODULES:
        mod = sys.modules["tapegrad." + name]
        for k, fn in vars(mod).items():
            if callable(fn) and getattr(fn, "__module__", None) == mod.__name__ and \
                    not isinstance(fn, type) and not k.startswith("__"):
                originals[id(fn)] = fn
    wrapped = {i: wrap(fn) for i, fn in originals.items()}
    for modname, mod in list(sys.modules.items()):
        if mod is None or not (modname == "tapegrad" or modname.startswith("tapegrad.")):
            continue
        if modname.rsplit(".", 1)[-1] in _MODULES:
            continue  # calls inside the host-only modules get CPU tensors already
        ns = vars(mod)
        for k, v in list(ns.items()):
            w = wrapped.get(id(v))
            if w is not None and originals[id(v)] is v:
                setattr(mod, k, w)
