"""Finite-difference gradient checks with torch.autograd.gradcheck's arguments and messages.

The numerical Jacobian perturbs each input element in place (central differences, through a
numpy view of the input's memory); the analytical one runs one backward per output element
with a one-hot upstream gradient. Both are compared with ``allclose(analytical, numerical)``."""
import warnings

import numpy as np

from .. import _C
from .._C import Tensor
from .._grad_mode import no_grad, enable_grad

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]


class GradcheckError(RuntimeError):
    """Raised by gradcheck and gradgradcheck (a RuntimeError, as in torch)."""


def _as_tuple(x):
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _float_outputs(out):
    return [o for o in _as_tuple(out) if isinstance(o, Tensor) and o.is_floating_point()]


def _numerical_jacobians(fn, inputs, diff_idx, eps):
    # J[i][o]: (numel(input i), numel(output o)) built column by column.
    with no_grad():
        base = _float_outputs(fn(*inputs))
    jac = {i: [np.zeros((inputs[i].numel(), o.numel())) for o in base] for i in diff_idx}
    for i in diff_idx:
        arr = inputs[i].detach().numpy()  # shares memory (strides kept)
        flat_idx = list(np.ndindex(arr.shape)) if arr.ndim else [()]
        for e, idx in enumerate(flat_idx):
            orig = arr[idx].item()
            arr[idx] = orig - eps
            with no_grad():
                lo = [o.detach().numpy().astype(np.float64).ravel().copy()
                      for o in _float_outputs(fn(*inputs))]
            arr[idx] = orig + eps
            with no_grad():
                hi = [o.detach().numpy().astype(np.float64).ravel().copy()
                      for o in _float_outputs(fn(*inputs))]
            arr[idx] = orig
            for o in range(len(base)):
                jac[i][o][e, :] = (hi[o] - lo[o]) / (2 * eps)
    return jac, base


def _analytical_jacobians(fn, inputs, diff_idx):
    from . import grad as _grad
    with enable_grad():
        outs = _float_outputs(fn(*inputs))
    diff_inputs = [inputs[i] for i in diff_idx]
    jac = {i: [np.zeros((inputs[i].numel(), o.numel())) for o in outs] for i in diff_idx}
    for o, out in enumerate(outs):
        if not out.requires_grad:
            continue
        for j in range(out.numel()):
            g = np.zeros(out.numel())
            g[j] = 1.0
            gt = _C.tensor(g.reshape(tuple(out.shape)).tolist(), dtype=out.dtype)
            gs = _grad([out], diff_inputs, [gt], retain_graph=True, allow_unused=True)
            for k, i in enumerate(diff_idx):
                if gs[k] is not None:
                    jac[i][o][:, j] = gs[k].detach().to(_C.float64).contiguous().numpy().ravel()
    return jac


def _fail(msg, raise_exception):
    if raise_exception:
        raise GradcheckError(msg)
    return False


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, check_batched_forward_grad=False,
              check_forward_ad=False, check_backward_ad=True, fast_mode=False, masked=None):
    """Checks the gradients of ``func`` at ``inputs`` against finite differences; returns True
    or raises GradcheckError (``raise_exception=False``: returns False instead)."""
    inputs = _as_tuple(inputs)
    diff_idx = [k for k, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not diff_idx:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but "
                         "none of the them have requires_grad=True.")
    for k in diff_idx:
        if inputs[k].dtype != _C.float64:
            warnings.warn(f"Input #{k} requires gradient and is not a double precision floating "
                          "point or complex. This check will likely fail if all the inputs are "
                          "not of double precision floating point or complex. ")
    num, outs = _numerical_jacobians(func, inputs, diff_idx, eps)
    ana = _analytical_jacobians(func, inputs, diff_idx)
    for o in range(len(outs)):
        for i in diff_idx:
            a, n = ana[i][o], num[i][o]
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                return _fail(f"Jacobian mismatch for output {o} with respect to input {i},\n"
                             f"numerical:{_C.tensor(n.tolist(), dtype=_C.float64)}\n"
                             f"analytical:{_C.tensor(a.tolist(), dtype=_C.float64)}\n",
                             raise_exception)
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=False):
    """Checks second derivatives: gradcheck of the map (inputs, grad_outputs) -> vector-Jacobian
    products computed with create_graph=True."""
    from . import grad as _grad
    inputs = _as_tuple(inputs)
    diff_idx = [k for k, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if grad_outputs is None:
        with no_grad():
            outs = _float_outputs(func(*inputs))
        rng = np.random.default_rng(0)
        grad_outputs = tuple(
            _C.tensor(rng.standard_normal(tuple(o.shape)).tolist(), dtype=o.dtype,
                      requires_grad=True) for o in outs)
    grad_outputs = _as_tuple(grad_outputs)
    n_in = len(inputs)

    def vjp(*args):
        xs, gs = args[:n_in], args[n_in:]
        with enable_grad():  # also while the numerical pass evaluates under no_grad
            outs = _float_outputs(func(*xs))
            diff = [xs[k] for k in diff_idx]
            res = _grad(outs, diff, list(gs), create_graph=True, allow_unused=True)
        return tuple(r for r in res if r is not None)

    return gradcheck(vjp, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
