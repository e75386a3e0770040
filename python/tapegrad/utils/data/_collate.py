"""default_collate and default_convert: how DataLoader turns a list of samples into a batch
(stack tensors and arrays, numbers to tensors, recurse into mappings, namedtuples and sequences),
with torch's result types (a tuple of fields comes back as a list) and errors."""
import collections.abc
import copy
import re

import numpy as np

__all__ = ["default_collate", "default_convert"]

_BAD_ARRAY = re.compile(r"[SaUO]")  # numpy string / object dtypes cannot become tensors
_FORMAT = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
           "found {}")


def _tg():
    import tapegrad
    return tapegrad


def _from_numpy(a):
    """A tensor with the array's dtype and values (torch shares the memory here; tapegrad has
    no shared numpy constructor, and the stack that follows copies anyway)."""
    return _tg().tensor(np.ascontiguousarray(a))


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(x, "_fields")


def _rebuild(elem, values):
    """Same container type as elem where it can be built from values, else a plain one."""
    try:
        return type(elem)(values)
    except TypeError:
        return values


def default_collate(batch):
    tg = _tg()
    elem = batch[0]
    if isinstance(elem, tg.Tensor):
        return tg.stack(list(batch), 0)
    if type(elem).__module__ == "numpy" and not isinstance(elem, (str, bytes)):
        if isinstance(elem, np.ndarray) or isinstance(elem, np.memmap):
            if _BAD_ARRAY.search(elem.dtype.str) is not None:
                raise TypeError(_FORMAT.format(elem.dtype))
            return default_collate([_from_numpy(b) for b in batch])
        if elem.shape == ():  # numpy scalar
            return _from_numpy(np.array(batch))
    if isinstance(elem, float):
        return tg.tensor(batch, dtype=tg.float64)
    if isinstance(elem, int):
        return tg.tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        values = {key: default_collate([d[key] for d in batch]) for key in elem}
        if isinstance(elem, collections.abc.MutableMapping):
            out = copy.copy(elem)  # keeps the mapping's type and extras (a defaultdict factory)
            out.update(values)
            return out
        return _rebuild(elem, values)
    if _is_namedtuple(elem):
        return type(elem)(*(default_collate(list(s)) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if not all(len(e) == size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [default_collate(list(s)) for s in zip(*batch)]
        if isinstance(elem, tuple):
            return columns
        return _rebuild(elem, columns)
    raise TypeError(_FORMAT.format(type(elem)))


def default_convert(data):
    """Per-sample conversion used without auto-batching: numpy arrays become tensors."""
    tg = _tg()
    if isinstance(data, tg.Tensor):
        return data
    if type(data).__module__ == "numpy" and not isinstance(data, (str, bytes)):
        if isinstance(data, np.ndarray) and _BAD_ARRAY.search(data.dtype.str) is None:
            return _from_numpy(data)
        return data
    if isinstance(data, collections.abc.Mapping):
        return _rebuild(data, {k: default_convert(v) for k, v in data.items()})
    if _is_namedtuple(data):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild(data, [default_convert(d) for d in data])
    return data
