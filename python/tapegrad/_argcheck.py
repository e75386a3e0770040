"""torch's TypeErrors for arguments of the wrong Python type, once for every function written in
Python (tapegrad.*, nn.functional, linalg, special, Tensor methods).

torch parses every argument against its signature before anything runs, so `torch.clone(None)`
or `F.conv1d("x", w)` is a TypeError naming the argument. A tapegrad function written in Python
would instead reach `None.dim()` and raise AttributeError. install() wraps each such function:
an AttributeError whose object is one of the caller's own (non-tensor) arguments becomes torch's
TypeError for that argument, and a bool keyword (keepdim=, upper=, training=, ...) given some
other type is refused as torch refuses it. A call that raises nothing costs one extra Python call.

Two more of torch's parser rules: ARG_TYPES lists, per function, the parameters torch types as
int / int list / float / bool / Tensor, checked before the call (a float size or a str factor is
a TypeError, not a silent int() or a later RuntimeError), and a ValueError of int("abc") /
float("abc") on one of the caller's str arguments becomes the TypeError naming that argument.
Messages follow torch's: "f(): argument 'x' (position 2) must be int, not float", or "f()
received an invalid combination of arguments - got (...)" for torch's overloaded functions.
"""
import functools
import inspect
import operator as _operator
import types

from . import _C
from ._C import Tensor

# keyword arguments that torch types as bool (None allowed: some are Optional[bool] in torch)
BOOL_KWARGS = frozenset((
    "keepdim requires_grad training upper hermitian align_corners pivot left return_inverse "
    "return_counts with_replacement sorted largest stable descending unbiased transpose "
    "unitriangular check_errors full_matrices compute_uv some pin_memory ceil_mode "
    "count_include_pad return_indices right out_int32 replacement get_infos antialias "
    "log_target batch_first need_weights average_attn_weights is_causal log_input full "
    "zero_infinity adjoint as_tuple density wrap non_blocking"
).split())

# bool keywords of functions that torch writes in Python, which take any value there as its
# truth value (F.max_pool2d(x, 2, return_indices="abc") returns the indices): (module, function)
# -> parameters left unchecked. interpolate / upsample hand align_corners to a compiled kernel
# only in the interpolating modes (after their own ValueError for the others), where
# nn._extra_functional.interpolate raises the kernel's TypeError itself.
_POOLS_WITH_INDICES = (
    "max_pool1d max_pool2d max_pool3d max_pool1d_with_indices max_pool2d_with_indices "
    "max_pool3d_with_indices adaptive_max_pool1d adaptive_max_pool2d adaptive_max_pool3d "
    "adaptive_max_pool1d_with_indices adaptive_max_pool2d_with_indices "
    "adaptive_max_pool3d_with_indices fractional_max_pool2d fractional_max_pool3d "
    "fractional_max_pool2d_with_indices fractional_max_pool3d_with_indices").split()
TRUTHY = {("functional", n): frozenset(("return_indices",)) for n in _POOLS_WITH_INDICES}
TRUTHY.update({
    ("functional", "gaussian_nll_loss"): frozenset(("full",)),
    ("functional", "interpolate"): frozenset(("antialias", "align_corners")),
    ("functional", "upsample"): frozenset(("align_corners",)),
    ("functional", "multi_head_attention_forward"): frozenset(
        ("training", "need_weights", "average_attn_weights", "is_causal")),
    ("tapegrad", "lu"): frozenset(("get_infos",)),
    ("Tensor", "lu"): frozenset(("get_infos",)),
})

# Functions that torch writes in Python: a non-tensor where they want a tensor is torch's
# AttributeError from the first attribute they read on it ("'NoneType' object has no attribute
# 'size'"), not the TypeError of its parser. (module, function) -> {position: attribute}; the
# positions' names come from the function's signature, so keywords are covered too. Found with
# tests/misuse_sweep.py (torch's AttributeError where tapegrad raised TypeError).
_SIZE, _DIM = {0: "size"}, {0: "dim"}
PY_ATTRS = {("functional", n): _SIZE for n in (
    "adaptive_avg_pool2d adaptive_avg_pool3d adaptive_max_pool2d adaptive_max_pool3d "
    "instance_norm max_unpool2d max_unpool3d gaussian_nll_loss").split()}
PY_ATTRS.update({("functional", n): _DIM for n in (
    "group_norm local_response_norm interpolate upsample upsample_bilinear upsample_nearest glu "
    "dropout1d dropout2d dropout3d fractional_max_pool2d fractional_max_pool3d").split()})
PY_ATTRS.update({("functional", n): {0: "size", 1: "size"} for n in (
    "binary_cross_entropy binary_cross_entropy_with_logits smooth_l1_loss l1_loss mse_loss "
    "huber_loss").split()})
PY_ATTRS.update({
    ("functional", "normalize"): {0: "norm"},
    ("functional", "linear_cross_entropy"): {0: "dim", 1: "dim", 2: "shape"},
    ("functional", "margin_ranking_loss"): {0: "dim", 1: "dim", 2: "dim"},
    ("functional", "max_unpool1d"): {0: "size", 1: "unsqueeze"},
    ("functional", "softsign"): {0: "abs"},
    ("functional", "batch_norm"): {0: ("size", "training")},
    # the weight's dtype first (torch's check of the deprecated argument order)
    ("functional", "embedding_bag"): {1: "dtype", 0: "dim", "offsets": "dim",
                                      "per_sample_weights": "size"},
    ("functional", "tanhshrink"): {0: "tanh"},
    ("functional", "triplet_margin_with_distance_loss"): {0: "ndim", 1: "ndim", 2: "ndim"},
    ("tapegrad", "norm"): {0: "layout"},
    ("tapegrad", "unravel_index"): {0: "is_complex"},
})


def _attr_spec(fn, attrs):
    """((position, parameter name, attribute), ...) for PY_ATTRS' entry of fn, in the entry's
    order (the order torch reads them); a str key is a keyword-only parameter."""
    if not attrs:
        return ()
    pos, _ = _param_names(fn)
    out = []
    for i, a in attrs.items():
        attr, cond = a if isinstance(a, tuple) else (a, None)
        if cond is not None:  # only when this parameter is true (batch_norm's training)
            cond = (pos.index(cond) if cond in pos else None, cond)
        where = (None, i) if isinstance(i, str) else (i, pos[i] if i < len(pos) else None)
        out.append(where + (attr, cond))
    return tuple(out)


def _arg(args, kwargs, i, pname):
    return (args[i] if i is not None and i < len(args)
            else kwargs.get(pname, _ABSENT) if pname else _ABSENT)


def _check_attrs(args, kwargs, spec):
    for i, pname, attr, cond in spec:
        if cond is not None:
            c = _arg(args, kwargs, *cond)
            if c is _ABSENT or not c:
                continue
        v = _arg(args, kwargs, i, pname)
        if v is None and i is None:  # an optional keyword tensor (offsets=None) is allowed
            continue
        if v is not _ABSENT and not isinstance(v, Tensor):
            raise AttributeError(f"'{_type_name(v)}' object has no attribute '{attr}'")


_ABSENT = object()


# torch's types for the arguments that tapegrad's Python would coerce (int("abc"), a float
# size), ignore, or reject with another exception: function name -> {parameter: kind}. Checked
# before the call, positional or keyword, on the arguments given (a default is never checked).
# kinds: int / int? (None allowed), ints / ints? (an int or a sequence of ints), float / float?,
# bool, tensor (given explicitly, it must be a Tensor), given (given explicitly, it must not be
# None); "kind:name" where torch's parameter has another name. A float is never an int to torch
# (2.0 included), nor a bool alone; numpy and 0-d integer tensors (__index__) are left as they are.
_POOL = {"kernel_size": "ints", "stride": "ints?", "padding": "ints"}
_CONVT = {"stride": "ints", "padding": "ints", "output_padding": "ints", "groups": "int",
          "dilation": "ints"}
_CONVT = dict(_CONVT, weight="tensor", bias="tensor?")
# conv1d's padding may be a str ("same"): not an int list
_CONV = {"weight": "tensor", "bias": "tensor?", "stride": "ints", "dilation": "ints",
         "groups": "int"}
_ADAPTIVE = {"output_size": "ints_none"}  # (None, 3) keeps the input's size there
_TRAPZ = {"x": "tensor", "dx": "float?", "dim": "int"}
ARG_TYPES = {
    "pixel_shuffle": {"upscale_factor": "int"},
    "pixel_unshuffle": {"downscale_factor": "int"},
    "channel_shuffle": {"groups": "int"},
    "native_channel_shuffle": {"groups": "int"},
    "cov": {"correction": "int"},
    "quantile": {"dim": "int?"},
    "nanquantile": {"dim": "int?"},
    "unflatten": {"dim": "int", "sizes": "ints"},
    "index_reduce": {"dim": "int"},
    "index_reduce_": {"dim": "int"},
    "tril_indices": {"row": "int", "col": "int", "offset": "int"},
    "triu_indices": {"row": "int", "col": "int", "offset": "int"},
    "empty_strided": {"size": "ints", "stride": "ints"},
    "new_empty_strided": {"size": "ints", "stride": "ints"},
    "empty_permuted": {"size": "ints", "physical_layout": "ints"},
    "resize_": {"sizes": "ints:size"},
    "sum_to_size": {"size": "ints"},
    "as_strided_scatter": {"size": "ints", "stride": "ints", "storage_offset": "int?"},
    "diagonal_scatter": {"offset": "int", "dim1": "int", "dim2": "int"},
    "select_scatter": {"dim": "int", "index": "int"},
    "slice_scatter": {"dim": "int", "start": "int?", "end": "int?", "step": "int"},
    "repeat_interleave": {"repeats": "int_or_tensor?", "dim": "int?", "output_size": "int?"},
    "gradient": {"edge_order": "int"},
    "tensorinv": {"ind": "int"},
    "avg_pool1d": _POOL,
    "avg_pool2d": dict(_POOL, divisor_override="int?"),
    "avg_pool3d": dict(_POOL, divisor_override="int?"),
    "max_pool1d": dict(_POOL, dilation="ints"),
    "max_pool1d_with_indices": dict(_POOL, dilation="ints"),
    "max_pool2d": dict(_POOL, dilation="ints"),
    "max_pool2d_with_indices": dict(_POOL, dilation="ints"),
    "max_pool3d": dict(_POOL, dilation="ints"),
    "max_pool3d_with_indices": dict(_POOL, dilation="ints"),
    "adaptive_max_pool1d": {"output_size": "ints"},
    "adaptive_max_pool1d_with_indices": {"output_size": "ints"},
    "adaptive_avg_pool1d": {"output_size": "ints"},
    "adaptive_max_pool2d": _ADAPTIVE,
    "adaptive_max_pool2d_with_indices": _ADAPTIVE,
    "adaptive_max_pool3d": _ADAPTIVE,
    "adaptive_max_pool3d_with_indices": _ADAPTIVE,
    "adaptive_avg_pool2d": _ADAPTIVE,
    "adaptive_avg_pool3d": _ADAPTIVE,
    "conv1d": _CONV,
    "conv2d": _CONV,
    "conv3d": _CONV,
    "conv_transpose1d": _CONVT,
    "conv_transpose2d": _CONVT,
    "conv_transpose3d": _CONVT,
    "conv_tbc": {"weight": "tensor", "bias": "tensor", "pad": "int"},
    "cosine_similarity": {"x2": "tensor", "dim": "int", "eps": "float"},
    "pairwise_distance": {"x2": "tensor", "p": "float", "eps": "float", "keepdim": "bool"},
    "hinge_embedding_loss": {"target": "tensor", "margin": "float"},
    "alpha_dropout_": {"p": "float", "train": "bool"},
    "feature_alpha_dropout_": {"p": "float", "train": "bool"},
    "norm_except_dim": {"pow": "int", "dim": "int"},
    "lu_solve": {"LU_data": "tensor", "LU_pivots": "tensor"},
    "swapaxes_": {"dim0": "int:axis0", "dim1": "int:axis1"},
    "swapdims_": {"dim0": "int", "dim1": "int"},
    "unsqueeze_": {"dim": "int"},
    "fill_diagonal_": {"wrap": "bool"},
    "vander": {"increasing": "bool"},
    "lu_unpack": {"unpack_data": "bool", "unpack_pivots": "bool"},
    "type": {"non_blocking": "bool"},
    "narrow_copy": {"dim": "int", "start": "int", "length": "int"},
    "rrelu_": {"input": "tensor", "lower": "float", "upper": "float", "training": "bool"},
    "triangular_solve": {"upper": "bool", "transpose": "bool", "unitriangular": "bool"},
    "cholesky_solve": {"input2": "tensor", "L": "tensor:input2", "upper": "bool"},
    "ormqr": {"input2": "tensor", "input3": "tensor", "tau": "tensor:input2",
              "other": "tensor:input3", "left": "bool", "transpose": "bool"},
    "put": {"index": "tensor", "source": "tensor", "accumulate": "bool"},
    "put_": {"index": "tensor", "source": "tensor", "accumulate": "bool"},
    "ger": {"vec2": "tensor"},
    "multi_margin_loss": {"target": "tensor"},
    "multilabel_margin_loss": {"target": "tensor"},
    "layer_norm": {"normalized_shape": "ints", "@1": "ints:normalized_shape", "eps": "float"},
    "rms_norm": {"normalized_shape": "ints", "eps": "float?"},
    "ctc_loss": {"input_lengths": "ints_or_tensor", "target_lengths": "ints_or_tensor",
                 "blank": "int",
                 "zero_infinity": "bool"},
    "poisson_nll_loss": {"target": "tensor", "log_input": "bool", "full": "bool", "eps": "float"},
    "huber_loss": {"delta": "float"},
    "linspace": {"steps": "int"},
    "svd": {"some": "bool", "compute_uv": "bool"},
    "qr": {"some": "bool"},
    "cholesky_inverse": {"upper": "bool"},
    "cholesky": {"upper": "bool"},
    "unique": {"sorted": "bool", "return_inverse": "bool", "return_counts": "bool",
               "dim": "int?"},
    "unique_consecutive": {"return_inverse": "bool", "return_counts": "bool", "dim": "int?"},
    "kaiser_window": {"window_length": "int", "periodic": "bool", "beta": "float"},
    "hann_window": {"window_length": "int", "periodic": "bool"},
    "hamming_window": {"window_length": "int", "periodic": "bool", "alpha": "float",
                       "beta": "float"},
    "blackman_window": {"window_length": "int", "periodic": "bool"},
    "bartlett_window": {"window_length": "int", "periodic": "bool"},
    "pinverse": {"rcond": "float"},
    "logspace": {"steps": "int", "base": "float"},
    # compiled functions (no signature): "@position" names a positional argument
    "max": {"@1": "given:other", "dim": "given"},
    "min": {"@1": "given:other", "dim": "given"},
    "trapz": _TRAPZ,
    "trapezoid": _TRAPZ,
    "cumulative_trapezoid": _TRAPZ,
}


def _type_name(v):
    """The type's name as torch's messages give it (torch.dtype, torch.device, ...)."""
    if v is None:
        return "NoneType"
    t = type(v)
    if t.__module__.startswith("tapegrad") and t.__name__ in _TORCH_TYPES:
        return "torch." + t.__name__
    return t.__name__


_TORCH_TYPES = frozenset(("dtype", "device", "layout", "memory_format", "Size", "Generator",
                          "finfo", "iinfo"))


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
            if i == var and isinstance(a, (list, tuple)):  # f([a, b]) for f(*tensors)
                for k, x in enumerate(a):
                    if x is obj:
                        return (f"expected Tensor as element {k} in argument {var}, but got "
                                f"{_type_name(obj)}")
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
    None, or keyword-only without a default (solve_triangular's `upper`; rrelu's `upper` is a
    float and keeps its float)."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return frozenset()
    return frozenset(p.name for p in params if p.name in BOOL_KWARGS
                     and (p.default is None or isinstance(p.default, bool)
                          or (p.default is p.empty and p.kind == p.KEYWORD_ONLY)))


def _arg_spec(name, fn):
    """ARG_TYPES[name] against fn's signature: ((position or None, parameter, checker, optional,
    is_var_positional, torch's name), ...) for the parameters fn has, or () when there is
    nothing to check."""
    kinds = ARG_TYPES.get(name)
    if not kinds:
        return ()

    def entry(i, pname, k, var=False):
        kind, _, shown = k.partition(":")
        return (i, pname, _CHECKERS[kind.rstrip("?")], kind.endswith("?"), var, shown or pname)
    try:
        params = list(inspect.signature(fn).parameters.values())
        if ([p.kind for p in params[1:]] == [params[0].VAR_POSITIONAL, params[0].VAR_KEYWORD]
                and callable(getattr(Tensor, name, None))):
            # fn(input, *args, **kwargs) handing on to the Tensor method: its parameters
            params = list(inspect.signature(getattr(Tensor, name)).parameters.values())
    except (TypeError, ValueError):
        # a compiled function: "@position" entries, and keywords by name
        return tuple(entry(int(key[1:]), None, k) if key.startswith("@") else entry(None, key, k)
                     for key, k in kinds.items())
    spec = []
    for i, p in enumerate(params):
        if p.name not in kinds:
            continue
        if p.kind == p.VAR_POSITIONAL:
            spec.append(entry(i, p.name, kinds[p.name], True))
        elif p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            spec.append(entry(i, p.name, kinds[p.name]))
        elif p.kind == p.KEYWORD_ONLY:
            spec.append(entry(None, p.name, kinds[p.name]))
    return tuple(spec)


def _is_float(v):
    return isinstance(v, float) or type(v).__name__ in ("float16", "float32", "float64")


def _integral(v):
    return not v.dtype.is_floating_point and not v.dtype.is_complex


def _int_tensor(v, zero_dim):
    """torch's parser takes an integer tensor for an int: 0-d and not bool for an int argument
    (and without grad), any one-element one (bool included) in an int list."""
    if zero_dim:
        return _integral(v) and v.dim() == 0 and not v.requires_grad and v.dtype != _C.bool
    return _integral(v) and v.numel() == 1


def _int_like(v):
    """An int to torch's parser: an int (not a bool) or an object with __index__ (numpy's ints)."""
    if v.__class__ is int:
        return True
    if isinstance(v, (bool, str, Tensor)) or _is_float(v):
        return False
    return hasattr(type(v), "__index__")


def _int_error(v, optional):
    """What torch's parser says of v for an int parameter ("int, not float"), or None."""
    if v.__class__ is int or (v is None and optional):
        return None
    if isinstance(v, Tensor):
        return None if _int_tensor(v, True) else "int, not Tensor"
    return None if _int_like(v) else f"int, not {_type_name(v)}"


def _ints_error(v, optional, none_elements=False):
    """The same for an int-list parameter: an int alone is accepted, and a one-element integer
    tensor; torch checks the first element strictly (a bool there is refused) and converts the
    others, where a bool passes. none_elements: adaptive pooling's output_size (None keeps the
    input's size)."""
    cls = v.__class__
    if cls is int:
        return None
    if cls is tuple or cls is list:
        for x in v:
            if x.__class__ is not int:
                break
        else:
            return None
        for k, x in enumerate(v):
            if ((x is None and none_elements) or _int_like(x) or (k > 0 and isinstance(x, bool))
                    or (isinstance(x, Tensor) and _int_tensor(x, False))):
                continue
            return f"tuple of ints, but found element of type {_type_name(x)} at pos {k}"
        return None
    if v is None:
        return None if optional else "tuple of ints, not NoneType"
    if isinstance(v, Tensor):
        if none_elements and v.dim() > 0:  # torch's Python iterates it: its elements are ints
            if _integral(v):
                return None
            return "tuple of ints, but found element of type Tensor at pos 0"
        return None if _int_tensor(v, False) else "tuple of ints, not Tensor"
    if _int_like(v) or (hasattr(v, "__len__") and hasattr(v, "__getitem__")
                        and not isinstance(v, (str, bytes, dict))):
        return None  # torch.Size, numpy arrays: left to the conversion
    return f"tuple of ints, not {_type_name(v)}"


def _ints_none_error(v, optional):
    return _ints_error(v, optional, none_elements=True)


# a Tensor overload beside the int one (ctc_loss's lengths, repeat_interleave's repeats)
def _ints_or_tensor_error(v, optional):
    return None if isinstance(v, Tensor) else _ints_error(v, optional)


def _int_or_tensor_error(v, optional):
    return None if isinstance(v, Tensor) else _int_error(v, optional)


def _float_error(v, optional):
    """torch's parser takes an int, float or bool for a float, a numpy scalar, and a 0-d tensor
    without grad."""
    if v.__class__ is float or v.__class__ is int or (v is None and optional):
        return None
    if isinstance(v, Tensor):
        return None if v.dim() == 0 and not v.requires_grad else "float, not Tensor"
    if isinstance(v, (str, complex)) or v is None or not hasattr(type(v), "__float__"):
        return f"float, not {_type_name(v)}"
    return None


def _bool_error(v, optional):
    if (v is None and optional) or isinstance(v, bool) or type(v).__name__ == "bool_":
        return None
    return f"bool, not {_type_name(v)}"


def _given_error(v, optional):  # anything but None
    return None if v is not None else "Tensor, not NoneType"


def _tensor_error(v, optional):
    if isinstance(v, Tensor) or (v is None and optional):
        return None
    return f"Tensor, not {_type_name(v)}"


# torch functions with several overloads: their parser words a bad argument as "f() received an
# invalid combination of arguments - got (Tensor, float, dim=str), but expected one of:"
OVERLOADED = frozenset((
    "arange linspace logspace quantile nanquantile repeat_interleave gradient trapz trapezoid "
    "cumulative_trapezoid histogram ctc_loss max min conv1d conv2d conv3d"
).split())


def _got(args, kwargs, is_method):
    def tn(v):
        if isinstance(v, Tensor):
            return "Tensor"
        mod = type(v).__module__
        return f"torch.{type(v).__name__}" if mod.startswith("tapegrad") else _type_name(v)
    parts = [tn(a) for a in args[int(is_method):]]
    parts += [f"{k}={tn(v)}" for k, v in kwargs.items()]
    return ", ".join(parts)


def _arg_error(name, is_method, args, kwargs, what):
    """torch's TypeError for one bad argument; what: "argument 'x' (position 2) must be ..."."""
    if name in OVERLOADED:
        return TypeError(f"{name}() received an invalid combination of arguments - got "
                         f"({_got(args, kwargs, is_method)}), but expected one of:\n"
                         f" (here: {what})")
    return TypeError(f"{name}(): {what}")


_INT_CHECKS = (_int_error, _ints_error, _ints_none_error)
_CHECKERS = {"int": _int_error, "ints": _ints_error, "ints_none": _ints_none_error,
             "ints_or_tensor": _ints_or_tensor_error, "int_or_tensor": _int_or_tensor_error,
             "float": _float_error, "bool": _bool_error, "given": _given_error,
             "tensor": _tensor_error}


def _as_ints(v):
    """An accepted int / int list with integer tensors or numpy ints in it, as plain ints (the
    Python below takes ints; torch's parser reads these with __index__)."""
    if isinstance(v, Tensor):
        return int(v.item()) if v.dim() == 0 else [int(x) for x in v.tolist()]
    if isinstance(v, (list, tuple)):
        return type(v)(None if x is None else _operator.index(x) for x in v)
    return v


def _check_spec(name, is_method, args, kwargs, spec):
    """Raises torch's TypeError for the first argument of the wrong type; returns args, kwargs
    with integer tensors given for ints turned into ints."""
    n = len(args)
    for i, pname, check, optional, var, shown in spec:
        if var:
            if i >= n:
                continue
            v = args[i] if n == i + 1 else args[i:]
        elif i is not None and i < n:
            v = args[i]
        elif pname in kwargs:
            v = kwargs[pname]
            i = None
        else:
            continue
        err = check(v, optional)
        if err is not None:
            where = "" if i is None else f" (position {i + 1 - int(is_method)})"
            raise _arg_error(name, is_method, args, kwargs,
                             f"argument '{shown}'{where} must be {err}")
        if check in _INT_CHECKS and not var and v.__class__ is not int and v is not None and (
                isinstance(v, Tensor) or (isinstance(v, (list, tuple)) and any(
                    x.__class__ is not int and x is not None for x in v))):
            v = _as_ints(v)
            if i is None:
                kwargs = dict(kwargs, **{pname: v})
            else:
                args = args[:i] + (v,) + args[i + 1:]
    return args, kwargs


_CONVERSION_ERRORS = (("could not convert string to float: ", "float"),
                      ("invalid literal for int() with base 10: ", "int"))


def _conversion_culprit(fn, is_method, args, kwargs, e):
    """What torch's parser says ("argument 'end' (position 2) must be float, not str") of the
    caller's str argument (or str in a list argument) behind a ValueError of int("abc") /
    float("abc"), or None if it is no such error."""
    msg = str(e)
    for prefix, want in _CONVERSION_ERRORS:
        if msg.startswith(prefix):
            break
    else:
        return None
    text = msg[len(prefix):]

    def same(x):
        return isinstance(x, str) and (repr(x) == text or x == text)

    def where(x):  # "" for the argument itself, or the element's position in it
        if same(x):
            return f"{want}, not str"
        if isinstance(x, (list, tuple)):
            for k, y in enumerate(x):
                if same(y):
                    return f"tuple of {want}s, but found element of type str at pos {k}"
        return None
    pos, var = _param_names(fn)
    for i, a in enumerate(args):
        err = where(a)
        if err is not None:
            pname = pos[i] if i < len(pos) and (var is None or i < var) else f"arg{i}"
            return f"argument '{pname}' (position {i + 1 - int(is_method)}) must be {err}"
    for k, v in kwargs.items():
        err = where(v)
        if err is not None:
            return f"argument '{k}' must be {err}"
    return None


def _check_bools(name, is_method, args, kwargs, bools):
    for k, v in kwargs.items():
        if k in bools and v is not None and not isinstance(v, bool):
            if type(v).__name__ == "bool_":  # numpy.bool_
                continue
            raise _arg_error(name, is_method, args, kwargs,
                             f"argument '{k}' must be bool, not {_type_name(v)}")


def _check_binding(fn, args, kwargs):
    """Python's own TypeError when the call does not fit fn's signature (an unknown keyword, a
    missing argument): Python raises it before the body runs, as torch's functions do before
    looking at the arguments' types. fn is called only when the binding fails, so its body never
    runs here."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return
    try:
        sig.bind(*args, **kwargs)
    except TypeError:
        fn(*args, **kwargs)


def wrap(name, fn, is_method=False, prefix="", truthy=frozenset(), attrs=None):
    """prefix: torch's name of the module's functions in its messages ("linalg_"); truthy: the
    bool parameters torch's function takes any value for (TRUTHY), left unchecked; attrs: the
    PY_ATTRS entry (torch's AttributeError for a non-tensor there)."""
    if getattr(fn, "_tapegrad_argcheck", False):
        return fn

    bools = _bool_params(fn) - truthy
    spec = _arg_spec(name, fn)
    attr_spec = _attr_spec(fn, attrs)
    name = prefix + name

    @functools.wraps(fn)
    def checked(*args, **kwargs):
        try:
            if attr_spec:
                _check_attrs(args, kwargs, attr_spec)
            if kwargs and bools and not bools.isdisjoint(kwargs):
                _check_bools(name, is_method, args, kwargs, bools)
            if spec:
                args, kwargs = _check_spec(name, is_method, args, kwargs, spec)
        except (TypeError, AttributeError):
            _check_binding(fn, args, kwargs)
            raise
        try:
            return fn(*args, **kwargs)
        except AttributeError as e:
            obj = getattr(e, "obj", checked)
            msg = None if obj is checked else _culprit(name, fn, is_method, args, kwargs, obj)
            if msg is None:
                raise
            raise TypeError(msg) from None
        except ValueError as e:
            what = _conversion_culprit(fn, is_method, args, kwargs, e)
            if what is None:
                raise
            raise _arg_error(name, is_method, args, kwargs, what) from None
    checked._tapegrad_argcheck = True
    return checked


def _ours(fn):
    return isinstance(fn, types.FunctionType) and str(getattr(fn, "__module__", "")).startswith(
        "tapegrad")


def install_module(mod, skip=()):
    short = mod.__name__.rsplit(".", 1)[-1]
    prefix = {"linalg": "linalg_", "special": "special_"}.get(short, "")
    ns = vars(mod)
    for k, fn in list(ns.items()):
        if k.startswith("_") or k in skip or not _ours(fn):
            continue
        setattr(mod, k, wrap(k, fn, prefix=prefix, truthy=TRUTHY.get((short, k), frozenset()),
                             attrs=PY_ATTRS.get((short, k))))


def install_tensor(cls):
    for k, fn in list(vars(cls).items()):
        if k.startswith("__") or not _ours(fn):
            continue
        setattr(cls, k, wrap(k, fn, is_method=True,
                             truthy=TRUTHY.get(("Tensor", k), frozenset())))


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
