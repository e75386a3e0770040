"""torch.argwhere, torch.cross / Tensor.cross / linalg.cross, torch.cov and torch.corrcoef as
compositions of existing ops (so autograd follows), with torch's argument checks and wording."""
import warnings

from . import _C

__all__ = ["argwhere", "cross", "cov", "corrcoef"]


def _scalar_name(t):
    # torch's ScalarType name as its messages print it: 'torch.FloatTensor' -> 'Float'
    return t.type().rsplit(".", 1)[-1][:-len("Tensor")]


def argwhere(input):
    """Indices of the non-zero elements, one row per element (torch.nonzero's layout)."""
    import tapegrad
    return tapegrad.nonzero(input)


def _cross_impl(input, other, dim, name_dim):
    import tapegrad
    if input.dtype == tapegrad.bool:  # torch's kernel has no bool case, checked first
        raise NotImplementedError("\"cross\" not implemented for 'Bool'")
    if input.dtype != other.dtype:
        raise RuntimeError(f"expected scalar type {_scalar_name(input)} but found "
                           f"{_scalar_name(other)}")
    if input.dim() != other.dim():
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    # torch checks the dim's length on the inputs as given, then broadcasts the rest
    n = input.dim()
    if not -max(n, 1) <= dim < max(n, 1):
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-max(n, 1)}, {max(n, 1) - 1}], but got {dim})")
    d = dim % max(n, 1)
    a_len, b_len = input.shape[d], other.shape[d]
    if a_len != 3 or b_len != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {name_dim} must have length 3. "
                           f"Got {a_len} and {b_len}")
    # the products broadcast the remaining dims (and raise torch's mismatch message)
    a0, a1, a2 = (input.narrow(d, k, 1) for k in range(3))
    b0, b1, b2 = (other.narrow(d, k, 1) for k in range(3))
    return tapegrad.cat([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], d)


def cross(input, other, dim=None, *, out=None):
    """torch.cross: without dim, the first dim of size 3 (deprecated, warns as torch)."""
    if out is not None:
        raise NotImplementedError("cross(out=...) is not supported by tapegrad")
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\n"
                      "Please either pass the dim explicitly or simply use torch.linalg.cross.\n"
                      "The default value of dim will change to agree with that of linalg.cross "
                      "in a future release.", stacklevel=2)
        # torch takes the first dim of size 3 of the first input
        sizes = list(input.shape)
        if 3 not in sizes:
            raise RuntimeError("no dimension of size 3 in input")
        dim = sizes.index(3)
    return _cross_impl(input, other, dim, dim)


def linalg_cross(input, other, *, dim=-1, out=None):
    if out is not None:
        raise NotImplementedError("linalg.cross(out=...) is not supported by tapegrad")
    return _cross_impl(input, other, dim, dim)


def cov(input, *, correction=1, fweights=None, aweights=None):
    """Covariance of the rows (variables) over the columns (observations), optionally
    frequency- and/or importance-weighted: torch's documented formula."""
    import tapegrad
    if input.dim() > 2:
        raise RuntimeError("cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {input.dim()} dimensions")
    if input.dtype == tapegrad.bool:
        raise RuntimeError("cov(): bool dtype is not supported for input")
    x = input if input.dim() == 2 else input.reshape(1, -1)
    if not (x.dtype.is_floating_point or x.dtype.is_complex):
        x = x.to(tapegrad.get_default_dtype())
    n_obs = x.shape[1]
    w = None
    for name, wt in (("fweights", fweights), ("aweights", aweights)):
        if wt is None:
            continue
        if wt.dim() > 1:
            raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got "
                               f"{name} with {wt.dim()} dimensions")
        # torch checks the dtype before the numel
        if name == "fweights" and (wt.dtype.is_floating_point or wt.dtype.is_complex
                                   or wt.dtype == tapegrad.bool):
            raise RuntimeError("cov(): expected fweights to have integral dtype but got "
                               f"fweights with {_scalar_name(wt)} dtype")
        if name == "aweights" and not wt.dtype.is_floating_point:
            raise RuntimeError("cov(): expected aweights to have floating point dtype but got "
                               f"aweights with {_scalar_name(wt)} dtype")
        if wt.numel() != n_obs:
            raise RuntimeError(f"cov(): expected {name} to have the same numel as there are "
                               f"observations in the input but got {wt.numel()} != {n_obs}")
        if bool((wt < 0).any()):
            raise RuntimeError(f"cov(): {name} cannot be negative")
        w = wt if w is None else w * wt
    if w is None:
        avg = x.mean(1)
        norm = n_obs - correction
    else:
        w_sum = w.sum()  # in the weights' own dtype, as torch (float32 weights: float32 sums)
        avg = (x * w).sum(1) / w_sum
        if correction == 0:
            norm = w_sum
        elif aweights is None:
            norm = w_sum - correction
        else:
            norm = w_sum - correction * (w * aweights).sum() / w_sum
    if float(norm) <= 0:
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the number of observations.", stacklevel=2)
        norm = 0 if w is None else norm.clamp_min(0)
    xm = x - avg.unsqueeze(1)
    xw = xm if w is None else xm * w
    c = xw.matmul(xm.transpose(0, 1).conj())
    c = c / norm
    return c.squeeze()


def corrcoef(input):
    """Pearson correlation of the rows: cov scaled by the outer product of the standard
    deviations, clipped to [-1, 1] (as torch)."""
    if input.dim() > 2:
        raise RuntimeError("corrcoef(): expected input to have two or fewer dimensions but got "
                           f"an input with {input.dim()} dimensions")
    c = cov(input)
    if c.dim() == 0:
        return c / c
    std = c.diagonal().sqrt()
    c = c / std.unsqueeze(1)
    c = c / std.unsqueeze(0)
    return c.clamp(-1, 1)


# Tensor methods as torch has them
_C.Tensor.argwhere = lambda self: argwhere(self)
_C.Tensor.cross = lambda self, other, dim=None: cross(self, other, dim)
_C.Tensor.cov = lambda self, *, correction=1, fweights=None, aweights=None: cov(
    self, correction=correction, fweights=fweights, aweights=aweights)
_C.Tensor.corrcoef = lambda self: corrcoef(self)
