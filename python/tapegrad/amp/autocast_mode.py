"""torch.autocast / torch.amp.autocast and torch's autocast state functions.

The state is per thread and lives in C++ (Note [Autocast] in tapegrad/ops/autocast.h), where the
matrix products and convolutions cast their inputs to the autocast dtype. The ops torch runs in
float32 under autocast (its losses, prod, trace, cdist) and the lower-precision ops written in
Python (prelu, conv_transpose, scaled_dot_product_attention) are wrapped here, in install()."""
from __future__ import annotations

import functools
import warnings

from .. import _C

__all__ = ["autocast", "custom_fwd", "custom_bwd", "is_autocast_available"]

_TORCH_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip",
                       "ve", "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                       "privateuseone")
# device types torch has no autocast dispatch key for: asking about them is a RuntimeError
_NO_AUTOCAST_KEY = ("mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "lazy", "vulkan",
                    "meta")
_nesting = [0]  # autocast blocks entered and not left, every thread together: a cheap first test


def _check_device_type(device_type):
    if device_type not in _TORCH_DEVICE_TYPES:
        raise RuntimeError("Expected one of " + ", ".join(_TORCH_DEVICE_TYPES) +
                           f" device type at start of device string: {device_type}")


def is_autocast_available(device_type: str) -> bool:
    """Whether autocast exists for this device type (tapegrad: cpu and cuda)."""
    _check_device_type(device_type)
    return device_type in ("cpu", "cuda")


def _state():
    cpu, cpu_dt, cuda, cuda_dt = _C._autocast_state()
    return {"cpu": [cpu, cpu_dt], "cuda": [cuda, cuda_dt]}


def _set_state(st):
    _C._set_autocast_state(st["cpu"][0], st["cpu"][1], st["cuda"][0], st["cuda"][1])


def _check_str(fn, name, v):
    if not isinstance(v, str):
        raise TypeError(f"{fn}(): argument '{name}' (position 1) must be str, not "
                        f"{_type_name(v)}")


def _type_name(v):
    from .._argcheck import _type_name as tn
    return tn(v)


def is_autocast_enabled(device_type=None) -> bool:
    """Whether autocast is on for device_type (None: CUDA, as torch's legacy form)."""
    device_type = "cuda" if device_type is None else device_type
    _check_str("is_autocast_enabled", "device_type", device_type)
    kind, _, index = device_type.partition(":")
    if index and not index.isdigit():
        raise RuntimeError(f"Invalid device string: '{device_type}'")
    _check_device_type(kind)
    if kind in _NO_AUTOCAST_KEY:
        raise RuntimeError("unknown device type for autocast in "
                           "get_autocast_dispatch_key_from_device_type")
    if kind not in ("cpu", "cuda"):
        return False
    return bool(_state()[kind][0])


def get_autocast_dtype(device_type):
    _check_str("get_autocast_dtype", "device_type", device_type)
    if device_type not in ("cpu", "cuda"):
        _check_device_type(device_type)
        raise RuntimeError(f"User specified an unsupported autocast device_type '{device_type}'")
    return _state()[device_type][1]


def set_autocast_enabled(device_type, enabled=None):
    """set_autocast_enabled(device_type, enabled), or torch's legacy set_autocast_enabled(enabled)
    for CUDA."""
    if enabled is None:
        device_type, enabled = "cuda", device_type
        if not isinstance(enabled, bool):
            raise TypeError(f"set_autocast_enabled(): argument 'enabled' (position 1) must be "
                            f"bool, not {_type_name(enabled)}")
    else:
        _check_str("set_autocast_enabled", "device_type", device_type)
        if not isinstance(enabled, bool):
            raise TypeError(f"set_autocast_enabled(): argument 'enabled' (position 2) must be "
                            f"bool, not {_type_name(enabled)}")
    st = _state()
    st[device_type][0] = bool(enabled)
    _set_state(st)


def set_autocast_dtype(device_type, dtype):
    _check_str("set_autocast_dtype", "device_type", device_type)
    st = _state()
    st[device_type][1] = dtype
    _set_state(st)


def is_autocast_cpu_enabled():
    warnings.warn("torch.is_autocast_cpu_enabled() is deprecated. Please use "
                  "torch.is_autocast_enabled('cpu') instead.", DeprecationWarning, stacklevel=2)
    return is_autocast_enabled("cpu")


def get_autocast_cpu_dtype():
    warnings.warn("torch.get_autocast_cpu_dtype() is deprecated. Please use "
                  "torch.get_autocast_dtype('cpu') instead.", DeprecationWarning, stacklevel=2)
    return get_autocast_dtype("cpu")


def get_autocast_gpu_dtype():
    warnings.warn("torch.get_autocast_gpu_dtype() is deprecated. Please use "
                  "torch.get_autocast_dtype('cuda') instead.", DeprecationWarning, stacklevel=2)
    return get_autocast_dtype("cuda")


_cache_enabled = [True]


def is_autocast_cache_enabled():
    return _cache_enabled[0]


def set_autocast_cache_enabled(enabled):
    """Recorded only: tapegrad does not cache casts (each use of a weight casts it again; the
    values and gradients are the same)."""
    if not isinstance(enabled, bool):
        raise TypeError(f"enabled must be a bool (got {_type_name(enabled)})")
    _cache_enabled[0] = enabled


def clear_autocast_cache():
    """Nothing to clear: tapegrad keeps no cache of casts."""


def autocast_increment_nesting():
    _nesting[0] += 1
    return _nesting[0]


def autocast_decrement_nesting():
    _nesting[0] -= 1
    return _nesting[0]


class autocast:
    """Inside the block (or the decorated function), ops on torch's autocast lists run in a lower
    precision (matrix products, convolutions: bfloat16 on the CPU, float16 on CUDA by default)
    or in float32 (losses and the like), as torch's autocast."""

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        if device_type not in ("cpu", "cuda"):
            _check_device_type(device_type)
            raise RuntimeError(f"User specified an unsupported autocast device_type "
                               f"'{device_type}'")
        self.device = device_type
        self.fast_dtype = get_autocast_dtype(device_type) if dtype is None else dtype
        self._cache_enabled = True if cache_enabled is None else cache_enabled
        if enabled and device_type == "cpu" and self.fast_dtype not in (_C.bfloat16,
                                                                        _C.float16):
            warnings.warn("In CPU autocast, but the target dtype is not supported. Disabling "
                          "autocast.\nCPU Autocast only supports dtypes of torch.bfloat16, "
                          "torch.float16 currently.", stacklevel=2)
            enabled = False
        if enabled and device_type == "cuda":
            from .. import cuda
            if not cuda.is_available():
                warnings.warn("CUDA is not available or torch_xla is imported. Disabling "
                              "autocast.", stacklevel=2)
                enabled = False
            elif self.fast_dtype not in (_C.float16, _C.bfloat16):
                warnings.warn("In CUDA autocast, but the target dtype is not supported. "
                              "Disabling autocast.\nCUDA Autocast only supports dtypes of "
                              "torch.float16, torch.bfloat16 currently.", stacklevel=2)
                enabled = False
        self._enabled = bool(enabled)

    def __enter__(self):
        st = _state()
        self.prev = [list(v) for v in (st["cpu"], st["cuda"])]
        st[self.device] = [self._enabled, self.fast_dtype]
        _set_state(st)
        autocast_increment_nesting()
        return self

    def __exit__(self, *exc):
        _set_state({"cpu": self.prev[0], "cuda": self.prev[1]})
        autocast_decrement_nesting()
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def decorate_autocast(*args, **kwargs):
            with autocast(self.device, self.fast_dtype, self._enabled, self._cache_enabled):
                return func(*args, **kwargs)
        return decorate_autocast


# ---- the ops cast in Python --------------------------------------------------------------------

def _cast_args(args, kwargs, want):
    from .._C import Tensor
    st = _state()

    def cast(a):
        if isinstance(a, Tensor) and a.is_floating_point() and a.dtype != _C.float64:
            on, low = st["cpu" if a.device.type == "cpu" else "cuda"]
            target = low if want == "lower" else _C.float32
            if on and a.dtype != target:
                return a.to(target)
        elif isinstance(a, (list, tuple)):
            return type(a)(cast(x) for x in a)
        return a
    return tuple(cast(a) for a in args), {k: cast(v) for k, v in kwargs.items()}


def _policy(fn, want):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if _nesting[0]:
            args, kwargs = _cast_args(args, kwargs, want)
        return fn(*args, **kwargs)
    wrapper._autocast_policy = want
    return wrapper


# torch's CPU autocast lists, for the ops that are Python functions in tapegrad (the matrix
# products and conv2d cast in C++)
_FP32_FUNCTIONAL = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "nll_loss",
                    "cross_entropy", "binary_cross_entropy", "binary_cross_entropy_with_logits",
                    "kl_div", "margin_ranking_loss", "soft_margin_loss", "triplet_margin_loss",
                    "multi_margin_loss", "multilabel_margin_loss", "hinge_embedding_loss",
                    "cosine_embedding_loss", "poisson_nll_loss", "ctc_loss"]
_FP32_TORCH = ["prod", "trace", "cdist"]
_LOWER_FUNCTIONAL = ["prelu", "conv1d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                     "conv_transpose3d", "scaled_dot_product_attention"]


def install():
    """Wraps the listed functions where they are looked up (tapegrad, tapegrad.nn.functional,
    and Tensor methods of the same name), once."""
    import tapegrad
    from ..nn import functional as F

    def wrap(ns, names, want):
        for name in names:
            fn = getattr(ns, name, None)
            if fn is None or getattr(fn, "_autocast_policy", None):
                continue
            w = _policy(fn, want)
            setattr(ns, name, w)
            if getattr(tapegrad, name, None) is fn:
                setattr(tapegrad, name, w)
    wrap(F, _FP32_FUNCTIONAL, "fp32")
    wrap(F, _LOWER_FUNCTIONAL, "lower")
    wrap(tapegrad, _FP32_TORCH, "fp32")
    for name in ("prod", "trace"):
        method = getattr(tapegrad.Tensor, name)
        if not getattr(method, "_autocast_policy", None):
            setattr(tapegrad.Tensor, name, _policy(method, "fp32"))


def custom_fwd(fwd=None, *, device_type, cast_inputs=None):
    """For a custom autograd.Function's forward: runs it as autocast would (cast_inputs: the
    floating inputs cast to that dtype and autocast off inside), and records the autocast state
    for custom_bwd."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args, **kwargs):
        args[0]._dtype = get_autocast_dtype(device_type)
        if cast_inputs is None:
            args[0]._fwd_used_autocast = is_autocast_enabled(device_type)
            return fwd(*args, **kwargs)
        autocast_context = is_autocast_enabled(device_type)
        args[0]._fwd_used_autocast = False
        if autocast_context:
            from .._C import Tensor

            def cast(a):
                if isinstance(a, Tensor) and a.is_floating_point():
                    return a.to(cast_inputs)
                return a
            with autocast(device_type=device_type, enabled=False):
                return fwd(*[cast(a) for a in args], **{k: cast(v) for k, v in kwargs.items()})
        return fwd(*args, **kwargs)
    return decorate_fwd


def custom_bwd(bwd=None, *, device_type):
    """For a custom autograd.Function's backward: runs it under the autocast state its forward
    (custom_fwd) saw."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args, **kwargs):
        with autocast(device_type=device_type, enabled=args[0]._fwd_used_autocast,
                      dtype=args[0]._dtype):
            return bwd(*args, **kwargs)
    return decorate_bwd
