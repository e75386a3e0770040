"""torch.linalg's norm functions (vector cases, and the Frobenius norm of matrices) over the
compiled linalg_vector_norm (LinalgVectorNormBackward0, as torch records), plus torch.norm /
Tensor.norm, which torch also routes to the vector norm."""
import builtins as _builtins

from . import _C

__all__ = ["vector_norm", "norm"]


def _ord_value(ord):
    # ord is a Scalar in torch's parser: a number, a bool (True is 1), or a 0-d tensor that
    # needs no grad; a complex order passes the parser and is refused by the kernel
    if isinstance(ord, _C.Tensor) and ord.dim() == 0 and not ord.requires_grad:
        ord = ord.item()
    if isinstance(ord, _builtins.complex):
        raise RuntimeError("linalg.vector_norm: Expected a non-complex scalar as the order of "
                           "norm.")
    if not isinstance(ord, (_builtins.int, _builtins.float)):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, not "
                        f"{type(ord).__name__}")
    return _builtins.float(ord)


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """linalg.vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None)."""
    if out is not None:
        raise NotImplementedError("tapegrad.linalg.vector_norm: out= is not supported")
    return _C._linalg_vector_norm(x, _ord_value(ord), dim, keepdim, dtype=dtype)


def _dims(dim):
    if dim is None:
        return None
    return (dim,) if isinstance(dim, _builtins.int) else tuple(dim)


def norm(A, ord=None, dim=None, keepdim=False, *, out=None, dtype=None):
    """linalg.norm: a vector norm when dim is an int or one dim (or when A is 1-D, or ord and
    dim are both None: the flattened 2-norm); a matrix norm over two dims (only 'fro' here)."""
    if out is not None:
        raise NotImplementedError("tapegrad.linalg.norm: out= is not supported")
    dims = _dims(dim)
    if isinstance(ord, str):  # torch: a str order is always a matrix norm, over (0, 1) by default
        if dims is not None and len(dims) not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is specified, it mut be of length 1 or 2. "
                               f"Got {list(dims)}")
        if dims is None and A.dim() not in (1, 2):
            raise RuntimeError("linalg.norm: If dim is not specified but ord is, the input must "
                               f"be 1D or 2D. Got {A.dim()}D.")
        return matrix_norm(A, ord, (0, 1) if dims is None else dims, keepdim, dtype=dtype)
    if dims is None:
        if ord is None:
            return vector_norm(A, 2, None, keepdim, dtype=dtype)
        if A.dim() not in (1, 2):
            raise RuntimeError("linalg.norm: If dim is not specified but ord is, the input must "
                               f"be 1D or 2D. Got {A.dim()}D.")
        if A.dim() == 1:
            return vector_norm(A, ord, None, keepdim, dtype=dtype)
        dims = (0, 1)
    if len(dims) == 1:
        if isinstance(ord, str):
            raise RuntimeError(f"linalg.vector_norm: Order {ord} not supported.")
        return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)
    if len(dims) != 2:
        raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. "
                           f"Got {list(dims)}")
    if ord is None or ord == "fro":
        return vector_norm(A, 2, dims, keepdim, dtype=dtype)
    return matrix_norm(A, ord, dims, keepdim, dtype=dtype)


def _torch_norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """torch.norm / Tensor.norm: 'fro' and numbers are vector norms over dim (all dims when
    None); 'nuc' needs singular values (not implemented)."""
    if out is not None:
        raise NotImplementedError("tapegrad.norm: out= is not supported")
    dims = _dims(dim)
    if isinstance(p, str):
        if p == "fro" and (dims is None or len(dims) <= 2):
            return vector_norm(input, 2, dims, keepdim, dtype=dtype)
        if p == "nuc":
            # torch's default dim is every dim (a 2-tuple only for a matrix)
            return matrix_norm(input, "nuc", tuple(range(input.dim())) if dims is None else dims,
                               keepdim, dtype=dtype)
        raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
    return vector_norm(input, 2 if p is None else p, dims, keepdim, dtype=dtype)


def _tensor_norm(self, p="fro", dim=None, keepdim=False, dtype=None):
    return _torch_norm(self, p, dim, keepdim, dtype=dtype)


_C.Tensor.norm = _tensor_norm


# --- helper L: decompositions and solvers (C++ kernels, autograd.Functions in Python) ---
from ._linalg_core import LinAlgError  # noqa: E402
from ._linalg_decomp import (inv, inv_ex, det, slogdet, solve, solve_ex, cholesky,  # noqa: E402
                             cholesky_ex, solve_triangular, lu_factor, lu_factor_ex, lu,
                             lu_solve)
from ._linalg_spectral import qr, eigh, eigvalsh, svd, svdvals, eig, eigvals  # noqa: E402
from ._linalg_matrix import (matrix_norm, pinv, matrix_rank, cond, lstsq,  # noqa: E402
                             matrix_power, matrix_exp, multi_dot, vecdot, diagonal, vander,
                             tensorinv, tensorsolve)
from ._C import matmul  # noqa: E402


from ._linalg_householder import householder_product  # noqa: E402
from ._linalg_ldl import ldl_factor, ldl_factor_ex, ldl_solve  # noqa: E402

__all__ += ["LinAlgError", "inv", "inv_ex", "det", "slogdet", "solve", "solve_ex", "cholesky",
            "cholesky_ex", "solve_triangular", "lu_factor", "lu_factor_ex", "lu", "lu_solve",
            "qr", "eigh", "eigvalsh", "svd", "svdvals", "eig", "eigvals", "matrix_norm", "pinv",
            "matrix_rank", "cond", "lstsq", "matrix_power", "matrix_exp", "multi_dot", "vecdot",
            "diagonal", "vander", "tensorinv", "tensorsolve", "matmul", "householder_product",
            "ldl_factor", "ldl_factor_ex", "ldl_solve"]
# --- end helper L ---
