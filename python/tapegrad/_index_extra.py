"""Helper I's Python-level indexing fixes: nonzero's as_tuple form and torch.clone's
memory_format keyword (the C++ bindings take neither)."""
from . import _C
from ._C import Tensor
from ._memory_format import preserve_format

_c_nonzero = _C.nonzero


def nonzero(input, *, as_tuple=False):
    """Indices of the nonzero elements: an (n, ndim) int64 tensor, or with as_tuple=True one
    1-D index tensor per dimension (a 0-d input counts as 1-D, as in torch)."""
    if not as_tuple:
        return _c_nonzero(input)
    x = input.reshape(1) if input.dim() == 0 else input
    nz = _c_nonzero(x)
    return tuple(nz[:, k] for k in range(x.dim()))


def clone(input, *, memory_format=preserve_format):
    return input.clone(memory_format=memory_format)


Tensor.nonzero = lambda self, *, as_tuple=False: nonzero(self, as_tuple=as_tuple)
