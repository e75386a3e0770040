"""Helpers shared by the layer modules: empty parameter storage honouring factory kwargs
(device, dtype) and torch's tuple normalisation of int-or-tuple arguments (_pair)."""
import collections.abc
from itertools import repeat

from ... import _C


def _empty(shape, device=None, dtype=None):
    from ..._tensor import _check_device
    return _C._empty(list(shape), _C.get_default_dtype() if dtype is None else dtype,
                     _check_device(device))


def _ntuple(n):
    def parse(x):
        if isinstance(x, collections.abc.Iterable) and not isinstance(x, str):
            return tuple(x)
        return tuple(repeat(x, n))
    return parse


_single = _ntuple(1)
_pair = _ntuple(2)
