"""torch's TypeErrors for arguments of the wrong Python type, once for every function written in
Python (tapegrad.*, nn.functional, linalg, special, Tensor methods).

torch parses every argument against its signature before anything runs, so `torch.clone(None)`
or `F.conv1d("x", w)` is a TypeError naming the argument. A tapegrad function written in Python
would instead reach `None.dim()` and raise AttributeError. install() wraps each such function:
an AttributeError whose object is one of the caller's own (non-tensor) arguments becomes torch's
TypeError for that argument, and a bool keyword (keepdim=, upper=, training=, ...) given some
other type is refused as torch refuses it. A call that raises nothing costs one extra Python call.
"""
import functools
import inspect
import types

from ._C import Tensor

# keyword arguments that torch types as bool (None allowed: some are Optional[bool] in torch)
BOOL_KWARGS = frozenset((
    "keepdim requires_grad training upper hermitian align_corners pivot left return_inverse "
    "return_counts with_replacement sorted largest stable descending unbiased transpose "
    "unitriangular check_errors full_matrices compute_uv some pin_memory ceil_mode "
    "count_include_pad return_indices right out_int32 replacement get_infos antialias "
    "log_target batch_first need_weights average_attn_weights is_causal"
).split())


def _type_name(v):
    return "NoneType" if v is None else type(v).__name__


def _param_names(fn):
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return [], None
    pos = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    var = next((i for i, p in enumerate(params) if p.kind == p.VAR_POSITIONAL), None)
    return pos, var


def _culprit(name, fn, is_method, args, kwargs, obj):
    """torch's TypeError message for the argument that is obj, or None if obj is none of them."""
    if isinstance(obj, Tensor):
        return None
    pos, var = _param_names(fn)
    for i, a in enumerate(args):
        if var is not None and i >= var:
            if a is obj:
                return (f"{name}(): expected Tensor as element {i - var} in argument {var}, "
                        f"but got {_type_name(obj)}")
            continue
        if a is obj:
            if is_method and i == 0:
                return (f"descriptor '{name}' for 'Tensor' objects doesn't apply to a "
                        f"'{_type_name(obj)}' object")
            pname = pos[i] if i < len(pos) else f"arg{i}"
            return (f"{name}(): argument '{pname}' (position {i + 1 - int(is_method)}) must be "
                    f"Tensor, not {_type_name(obj)}")
        if isinstance(a, (list, tuple)):
            for k, x in enumerate(a):
                if x is obj:
                    return (f"{name}(): expected Tensor as element {k} in argument {i}, but got "
                            f"{_type_name(obj)}")
    for k, v in kwargs.items():
        if v is obj:
            return f"{name}(): argument '{k}' must be Tensor, not {_type_name(obj)}"
        if isinstance(v, (list, tuple)) and any(x is obj for x in v):
            return f"{name}(): argument '{k}' must be tuple of Tensors, not {_type_name(obj)}"
    return None


def _bool_params(fn):
    """The BOOL_KWARGS that are fn's own bool parameters: named so and defaulting to a bool or
    None (rrelu's `upper` is a float and keeps its float)."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return frozenset()
    return frozenset(p.name for p in params if p.name in BOOL_KWARGS
                     and (p.default is None or isinstance(p.default, bool)))


def _check_bools(name, kwargs, bools):
    for k, v in kwargs.items():
        if k in bools and v is not None and not isinstance(v, bool):
            if type(v).__name__ == "bool_":  # numpy.bool_
                continue
            raise TypeError(f"{name}(): argument '{k}' must be bool, not {_type_name(v)}")


def wrap(name, fn, is_method=False):
    if getattr(fn, "_tapegrad_argcheck", False):
        return fn

    bools = _bool_params(fn)

    @functools.wraps(fn)
    def checked(*args, **kwargs):
        if kwargs and bools and not bools.isdisjoint(kwargs):
            _check_bools(name, kwargs, bools)
        try:
            return fn(*args, **kwargs)
        except AttributeError as e:
            obj = getattr(e, "obj", checked)
            msg = None if obj is checked else _culprit(name, fn, is_method, args, kwargs, obj)
            if msg is None:
                raise
            raise TypeError(msg) from None
    checked._tapegrad_argcheck = True
    return checked


def _ours(fn):
    return isinstance(fn, types.FunctionType) and str(getattr(fn, "__module__", "")).startswith(
        "tapegrad")


def install_module(mod, skip=()):
    ns = vars(mod)
    for k, fn in list(ns.items()):
        if k.startswith("_") or k in skip or not _ours(fn):
            continue
        setattr(mod, k, wrap(k, fn))


def install_tensor(cls):
    for k, fn in list(vars(cls).items()):
        if k.startswith("__") or not _ours(fn):
            continue
        setattr(cls, k, wrap(k, fn, is_method=True))


def _has_out(fn):
    try:
        return "out" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def install_out(mod):
    """torch's out= rules (_out_arg.write_out: dtype check, resize with a warning, no autograd)
    for the Python functions with an out= keyword that _out_arg.install does not cover (linalg,
    special, the *_copy functions, ...); their own out= handling is then never reached."""
    from . import _out_arg
    prefix = {"linalg": "linalg_", "special": "special_"}.get(mod.__name__.rsplit(".", 1)[-1], "")
    for k, fn in list(vars(mod).items()):
        if k.startswith("_") or not _ours(fn) or getattr(fn, "_tapegrad_out", False):
            continue
        if _has_out(fn):
            setattr(mod, k, _out_arg.wrap(prefix + k, fn))


def install():
    import tapegrad
    from tapegrad import linalg, special
    from tapegrad.nn import functional
    for mod in (tapegrad, linalg, special):
        install_out(mod)
    # functions that take anything by design, or whose AttributeError is part of their contract
    skip = {"tensor", "as_tensor", "asarray", "from_numpy", "from_dlpack", "is_tensor",
            "is_storage", "save", "load", "compile", "vmap", "jit", "cond", "manual_seed"}
    for mod in (tapegrad, linalg, special, functional):
        install_module(mod, skip)
    install_tensor(tapegrad.Tensor)
