"""tapegrad: a small autograd runtime with PyTorch's surface.

``import tapegrad as torch`` runs code written for torch's core tensor/autograd API. The
tensors, ops, graph and engine live in C++ (tapegrad._C); this package adds Python glue."""
import builtins as _builtins
import os as _os

from . import _C
from ._C import Tensor, dtype, get_default_dtype, set_default_dtype
from ._C import (bool, uint8, int8, int16, int32, int64, float16, bfloat16, float32,  # noqa: A004
                 float64)
from ._tensor import Size, device, RemovableHandle
from ._factories import (tensor, zeros, ones, empty, full, arange, linspace, eye, rand, randn, randint,
                         zeros_like, ones_like, empty_like, full_like, rand_like, randn_like,
                         randint_like, manual_seed, initial_seed, seed)
from ._grad_mode import no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled
from . import autograd, nn, optim, return_types  # noqa: F401
from ._dlpack import from_dlpack, from_torch  # noqa: F401  (also installs Tensor.__dlpack__)
from . import utils  # noqa: F401
from . import cuda  # noqa: F401
from .nn.functional import relu, unflatten  # noqa: F401

float = float32  # noqa: A001
double = float64
half = float16
long = int64
int = int32  # noqa: A001
short = int16

__version__ = "0.1.0"

# Every op the compiled module exposes publicly (functions generated from the op table included),
# except the nn ops torch keeps out of its top level (torch.nn.functional only).
_NN_ONLY = {"gelu", "silu", "silu_", "softplus", "one_hot", "pad", "max_pool2d_with_indices",
            "sum_to_size"}
_ops = [n for n in dir(_C) if not n.startswith("_") and callable(getattr(_C, n))
        and n[0].islower() and n not in ("tensor", "manual_seed") and n not in _NN_ONLY]
for _n in _ops:
    globals().setdefault(_n, getattr(_C, _n))

__all__ = sorted(set(_ops) | {
    "Tensor", "dtype", "tensor", "manual_seed", "initial_seed", "seed", "get_default_dtype", "set_default_dtype",
    "Size", "device", "zeros", "ones", "empty", "full", "arange", "linspace", "eye", "rand",
    "randn", "randint", "zeros_like", "ones_like", "empty_like", "full_like", "rand_like",
    "randn_like", "randint_like", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
    "is_grad_enabled", "autograd", "nn", "optim", "float32", "float64", "float16", "bfloat16",
    "int64", "int32", "int16", "int8", "uint8", "bool", "float", "double", "half", "long", "int",
    "short", "is_tensor", "numel", "cmake_dir", "from_dlpack", "from_torch", "utils", "cuda",
    "unflatten", "binary_cross_entropy_with_logits"})


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=0):
    """torch.binary_cross_entropy_with_logits: the aten form, reduction as an int (1 mean,
    2 sum, anything else none, as torch does), default none."""
    if isinstance(reduction, _builtins.bool) or not isinstance(reduction, _builtins.int):
        raise TypeError("binary_cross_entropy_with_logits(): argument 'reduction' must be int, "
                        f"not {type(reduction).__name__}")
    return _C._binary_cross_entropy_with_logits(input, target, weight, pos_weight,
                                                {1: "mean", 2: "sum"}.get(reduction, "none"))


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    return input.numel()


def is_floating_point(input):
    return input.is_floating_point()


def cmake_dir():
    """The folder holding tapegradConfig.cmake, for CMake's -Dtapegrad_DIR (C++ apps)."""
    return _os.path.join(_os.path.dirname(__file__), "cmake")


# --- saving/loading and graph drawing (owned by the optim/serialization/viz helper) ---
from .serialization import save, load  # noqa: E402
from . import viz  # noqa: E402,F401
__all__ += ["save", "load"]
# --- end saving/loading and graph drawing ---


# --- helper M: linalg norms, quantile, unique & co (Python compositions over _C) ---
from . import linalg  # noqa: E402
from .linalg import _torch_norm as norm  # noqa: E402
from ._math_extra import (unique, unique_consecutive, logspace, range,  # noqa: E402,A004
                          quantile, nanquantile, randperm, normal, cdist)
__all__ += ["linalg", "norm", "unique", "unique_consecutive", "logspace", "range", "quantile",
            "nanquantile", "randperm", "normal", "cdist"]
# --- end helper M ---


def __getattr__(name):
    # Submodules loaded on first use (they are not needed by plain tensor code).
    if name in ("bridge", "testing", "distributed"):
        import importlib
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'tapegrad' has no attribute '{name}'")
