"""Shared pieces of tapegrad.linalg's decompositions: torch's LinAlgError, the input checks with
torch's wording, the float64 hand-over to the C++ kernels (_C._linalg_*), info-code errors, and
the naming of autograd.Functions after torch's grad_fn classes (LinalgInvExBackward0, ...)."""
import builtins as _builtins

from . import _C
from ._C import Tensor
from .autograd.function import _ctx_getattr

# torch.linalg.LinAlgError is torch._C._LinAlgError, a RuntimeError
LinAlgError = type("_LinAlgError", (RuntimeError,), {"__module__": "torch._C"})

from ._dtype_names import type_name  # noqa: E402,F401 (re-exported to the linalg modules)


def _node_dir(node):
    # the grad_fn lists the _saved_* / _raw_saved_* attributes its ctx holds, as torch's do
    extra = [k for k in vars(node._ctx) if k.startswith(("_saved_", "_raw_saved_"))]
    return object.__dir__(node) + extra


def named(grad_fn_name):
    """Class decorator: the Function's graph node is called `grad_fn_name` (torch's name)."""
    def deco(cls):
        cls._backward_name = grad_fn_name
        cls._backward_cls = type(grad_fn_name, (_C._FunctionBackward,),
                                 {"__slots__": (), "__module__": "builtins",
                                  "__qualname__": grad_fn_name, "__repr__": object.__repr__,
                                  "__getattr__": _ctx_getattr, "__dir__": _node_dir})
        return cls
    return deco


def save_attrs(ctx, **attrs):
    """torch's grad_fn._saved_<name> (tensors detached: a saved output must not hold its own
    node) and, for tensors, _raw_saved_<name>."""
    from .autograd._saved_attrs import SavedTensor
    for k, v in attrs.items():
        if isinstance(v, Tensor):
            setattr(ctx, "_saved_" + k, v.detach())
            setattr(ctx, "_raw_saved_" + k, SavedTensor())
        else:
            setattr(ctx, "_saved_" + k, v)


def check_tensor(A, fname, arg="A"):
    if not isinstance(A, Tensor):
        raise TypeError(f"{fname}(): argument '{arg}' (position 1) must be Tensor, not "
                        f"{type(A).__name__}")


def check_matrix(A, fname, square=True, kernel="lu_cpu", arg="A", low_precision=None,
                 float_check=True):
    """torch's checks, in its order: at least 2-D, square, floating dtype, then device."""
    check_tensor(A, fname.replace(".", "_"), arg)
    if A.dim() < 2:
        raise RuntimeError(f"{fname}: The input tensor {arg} must have at least 2 dimensions.")
    if square and A.size(-1) != A.size(-2):
        raise RuntimeError(f"{fname}: A must be batches of square matrices, but they are "
                           f"{A.size(-2)} by {A.size(-1)} matrices")
    check_dtype(A, fname, kernel, low_precision, float_check)
    check_cpu(A, fname)


# The kernels whose dtype torch checks even for an empty input (the others return an empty
# result in float16/bfloat16 without reaching a kernel).
_CHECKED_WHEN_EMPTY = ("geqrf_cpu", "triangular_solve_cpu", "cholesky_inverse_out_cpu")


def check_dtype(A, fname, kernel="lu_cpu", low_precision=None, float_check=True):
    """float_check=False for the functions torch sends straight to a floating-only kernel
    (torch.cholesky, lu_factor, solve_triangular, ...): an integer or bool input is then the
    kernel's NotImplementedError, as a half one is, instead of the 'Expected a floating point'
    RuntimeError of those with an explicit check (linalg.cholesky, inv, det, ...).
    kernel=None lets half and bfloat16 through, for a caller that checks the kernel later."""
    name = type_name(A.dtype)
    if name in ("Float", "Double"):
        return
    low = name in ("Half", "BFloat16")
    if low and kernel is None:
        return  # the caller checks the kernel's dtypes later, after other checks torch makes
    if low or not float_check:
        if low and low_precision:
            raise RuntimeError(f"{low_precision}: Low precision dtypes not supported. Got {name}")
        if A.numel() == 0 and kernel not in _CHECKED_WHEN_EMPTY:
            return  # torch's dispatch to these kernels is skipped on an empty batch
        raise NotImplementedError(f'"{kernel}" not implemented for \'{name}\'')
    raise RuntimeError(f"{fname}: Expected a floating point or complex tensor as input. "
                       f"Got {name}")


def check_cpu(A, fname):
    if A.is_cuda:
        raise NotImplementedError(f"tapegrad: {fname} is not implemented on CUDA (the "
                                  "decompositions run on the CPU only); move the input with "
                                  ".cpu()")


def f64(t):
    """The detached float64 contiguous copy the kernels read."""
    from . import float64
    return t.detach().to(float64).contiguous()


def back(t, dtype):
    return t if t.dtype == dtype else t.to(dtype)


def fortran(t):
    """t in column-major layout, as torch returns LAPACK's results (the strides show in
    downstream nodes' saved attributes)."""
    return t.mT.contiguous().mT if t.dim() >= 2 else t


def first_failure(info):
    """(batch index, code) of the first nonzero info, or None."""
    if info.numel() == 0:
        return None
    flat = info.reshape(-1).tolist()
    for k, c in enumerate(flat):
        if c != 0:
            return k, c
    return None


def raise_info(info, batched, message, exc=None):
    """Raises LinAlgError(message(code)) (or exc) for the first failing matrix, with torch's
    "(Batch element k): " prefix for batched input."""
    hit = first_failure(info)
    if hit is None:
        return
    k, code = hit
    prefix = f"(Batch element {k}): " if batched else ""
    head, _, tail = message(code).partition(": ")
    raise (exc or LinAlgError)(f"{head}: {prefix}{tail}")


def batch_broadcast(a, b):
    """a (*, n, n) and b (*, n, k) expanded to one batch shape."""
    from . import broadcast_shapes
    batch = tuple(broadcast_shapes(tuple(a.shape[:-2]), tuple(b.shape[:-2])))
    return (a.expand(batch + tuple(a.shape[-2:])), b.expand(batch + tuple(b.shape[-2:])))


def grad_on():
    return _C.is_grad_enabled()


def eye_like(n, ref):
    from . import eye
    return eye(n, dtype=ref.dtype)


def is_int(x):
    return isinstance(x, _builtins.int) and not isinstance(x, _builtins.bool)
