"""Tensor factories with torch's signatures: zeros/ones/full/empty/arange/linspace/eye and the
random ones, their *_like forms. dtype inference follows torch (ints -> int64, floats -> the
default dtype, bools -> bool)."""
import math

from . import _C
from ._C import Tensor
from ._layout import check_factory_kwargs
from ._tensor import _check_device


def _shape(size, fn="zeros"):
    """The size arguments as a list, with torch's TypeErrors (fn names the factory)."""
    if len(size) == 1 and not isinstance(size[0], int):
        try:
            if isinstance(size[0], (str, bytes)):
                raise TypeError
            if isinstance(size[0], _C.Tensor):  # a size only as a one-element integer tensor
                if size[0].numel() != 1 or size[0].is_floating_point():
                    raise TypeError
                size = (size[0].__index__(),)
            else:
                size = tuple(size[0])
        except TypeError:
            raise TypeError(f"{fn}(): argument 'size' (position 1) must be tuple of ints, not "
                            f"{type(size[0]).__name__}") from None
    for pos, d in enumerate(size, 1):
        if not isinstance(d, int) and not hasattr(d, "__index__"):
            raise TypeError(f"{fn}(): argument 'size' failed to unpack the object at pos {pos} "
                            f"with error \"type must be tuple of ints,but got "
                            f"{type(d).__name__}\"")
    size = [int(d.__index__()) if not isinstance(d, int) else d for d in size]
    if fn == "zeros" and any(d < 0 for d in size):
        raise RuntimeError("zeros: Dimension size must be non-negative.")
    return size


def _factory_requires_grad(t):
    # a factory's requires_grad=True: torch's wording differs from requires_grad_()'s
    if not t.dtype.is_floating_point:
        raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                           "gradients")
    return t.requires_grad_(True)


def _finish(t, requires_grad, device):
    target = _check_device(device)
    if target != "cpu":
        t = t._to_device(target, t.dtype, False)
    return _factory_requires_grad(t) if requires_grad else t


def _default(dtype):
    return _C.get_default_dtype() if dtype is None else dtype


def _on(t, requires_grad):
    return _factory_requires_grad(t) if requires_grad else t


# Filled and empty tensors are created on their device directly (no host copy).
def zeros(*size, dtype=None, device=None, requires_grad=False, out=None):
    return _on(_C._full(_shape(size), 0, _default(dtype), _check_device(device)), requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False, out=None):
    return _on(_C._full(_shape(size, "ones"), 1, _default(dtype), _check_device(device)), requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False, out=None, memory_format=None):
    t = _C._empty(_shape(size, "empty"), _default(dtype), _check_device(device))
    if memory_format is not None:
        t = _empty_in_format(t, memory_format)
    return _on(t, requires_grad)


def _empty_in_format(t, memory_format):
    """torch.empty(..., memory_format=): channels_last / channels_last_3d strides for a rank 4 /
    5 tensor; preserve_format has nothing to preserve."""
    from . import _memory_format as mf
    if not isinstance(memory_format, mf.memory_format):
        raise TypeError(f"empty(): argument 'memory_format' must be torch.memory_format, not "
                        f"{type(memory_format).__name__}")
    if memory_format is mf.preserve_format:
        raise RuntimeError("unsupported memory format Preserve")
    for fmt, rank in ((mf.channels_last, 4), (mf.channels_last_3d, 5)):
        if memory_format is fmt:
            if t.dim() != rank:
                raise RuntimeError(f"required rank {rank} tensor to use {fmt._name} format")
            return t.contiguous(memory_format=fmt)
    return t


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False, out=None):
    if isinstance(size, int):  # torch's size is a tuple of ints here, never a bare int
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{type(size).__name__}")
    if dtype is None:
        if isinstance(fill_value, bool):
            dtype = _C.bool
        elif isinstance(fill_value, int):
            dtype = _C.int64
        else:
            dtype = _C.get_default_dtype()
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    return _on(_C._full(_shape((size,), "full"), fill_value, dtype, _check_device(device)), requires_grad)


def _scalar_text(v):
    # how torch prints a Scalar in its messages (ints bare, floats without a trailing .0)
    if isinstance(v, float) and v == v and abs(v) != float("inf") and v == int(v):
        return str(int(v))
    return str(v)


def _arange_args(args, start, end, step):
    """torch's three arange signatures: (end), (start, end), (start, end, step), positional or
    by keyword; anything else (arange(start=3), arange(3, step=2)) is its parser's TypeError."""
    if len(args) > 3:
        raise TypeError(f"arange() takes from 1 to 3 positional arguments but {len(args)} were "
                        "given")
    lone_end = len(args) == 1 and end is None and start is None  # arange(5): end
    given = dict(zip(("end",) if lone_end else ("start", "end", "step"), args))
    for k, v in (("start", start), ("end", end), ("step", step)):
        if v is not None:
            if k in given:
                raise TypeError(f"arange() got multiple values for argument '{k}'")
            given[k] = v
    if set(given) not in ({"end"}, {"start", "end"}, {"start", "end", "step"}):
        names = ", ".join(f"{k}={type(v).__name__}" for k, v in given.items())
        raise TypeError(f"arange() received an invalid combination of arguments - got ({names}), "
                        "but expected one of:\n * (Number end, *, ...)\n"
                        " * (Number start, Number end, *, ...)\n"
                        " * (Number start, Number end, Number step = 1, *, ...)\n")
    return given.get("start", 0), given["end"], given.get("step", 1)


def arange(*args, start=None, end=None, step=None, dtype=None, device=None, requires_grad=False,
           out=None):
    start, end, step = _arange_args(args, start, end, step)
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if dtype is None:
        dtype = _C.int64 if all(isinstance(v, int) for v in vals) else _C.get_default_dtype()
    s, e, st = vals
    # torch's checks, in its order and words
    if st == 0:
        raise RuntimeError("step must be nonzero")
    if not all(abs(float(v)) != float("inf") and v == v for v in (s, e)):
        raise RuntimeError(f"unsupported range: {_scalar_text(s)} -> {_scalar_text(e)}")
    if not dtype.is_floating_point and dtype != _C.bool:
        # torch converts start, end and step to int64 first, checked
        if any(isinstance(v, float) and not -2.0 ** 63 <= v < 2.0 ** 63 for v in (s, e, st)):
            raise RuntimeError("value cannot be converted to type int64_t without overflow")
    elif dtype in (_C.float16, _C.bfloat16):
        # half and bfloat16 count in float: start and step convert to float, checked
        if any(abs(float(v)) > 3.4028234663852886e38 for v in (s, st)):  # not the end
            raise RuntimeError("value cannot be converted to type float without overflow")
    if not dtype.is_floating_point and dtype not in (_C.bool, _C.int64):
        # int32/int16/int8/uint8: torch checks and counts on the float64 values (ceil((end -
        # start) / step) elements) but fills with start and step truncated to integers, in
        # int64, wrapping into the dtype
        if not ((st > 0 and e >= s) or (st < 0 and e <= s)):
            raise RuntimeError("upper bound and lower bound inconsistent with step sign")
        n = int(math.ceil((float(e) - float(s)) / float(st)))
        t = _C._arange(0.0, float(n), 1.0, _C.int64)
        if int(st) != 1:
            t = t * int(st)
        if int(s) != 0:
            t = t + int(s)
        return _finish(t.to(dtype), requires_grad, device)
    if not dtype.is_floating_point and dtype != _C.bool:
        # int64: torch converts start, end and step to integers first (truncating) and
        # counts and fills in exact integer arithmetic
        s, e, st = int(s), int(e), int(st)
        if st == 0:
            raise ValueError("step must be nonzero")
        if not ((st > 0 and e >= s) or (st < 0 and e <= s)):
            raise RuntimeError("upper bound and lower bound inconsistent with step sign")
        n = (e - s + st - (1 if st > 0 else -1)) // st
        t = _C._arange(0.0, float(n), 1.0, _C.int64)
        if st != 1:
            t = t * st
        if s != 0:
            t = t + s
        return _finish(t.to(dtype) if dtype != _C.int64 else t, requires_grad, device)
    if not ((st > 0 and e >= s) or (st < 0 and e <= s)):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    return _finish(_C._arange(float(s), float(e), float(st), dtype), requires_grad, device)


def _check_linspace_args(name, start, end, steps):
    if isinstance(steps, Tensor):
        steps = steps.item()
    if not isinstance(steps, int) or isinstance(steps, bool):
        kinds = ", ".join("Tensor" if isinstance(v, Tensor) else type(v).__name__
                          for v in (start, end, steps))
        raise TypeError(f"{name}() received an invalid combination of arguments - got "
                        f"({kinds}), but expected one of:\n"
                        " * (Tensor start, Tensor end, int steps, *, Tensor out = None, "
                        "torch.dtype dtype = None, torch.layout layout = None, "
                        "torch.device device = None, bool pin_memory = False, "
                        "bool requires_grad = False)\n"
                        " * (Number start, Number end, int steps, *, Tensor out = None, "
                        "torch.dtype dtype = None, torch.layout layout = None, "
                        "torch.device device = None, bool pin_memory = False, "
                        "bool requires_grad = False)\n")
    ds, de = (v.dim() if isinstance(v, Tensor) else 0 for v in (start, end))
    if ds or de:
        raise RuntimeError(f"{name} only supports 0-dimensional start and end tensors, but got "
                           f"start with {ds} dimension(s) and end with {de} dimension(s).")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False, out=None):
    dtype = _default(dtype)
    _check_linspace_args("linspace", start, end, steps)
    # integral dtypes too: the kernel truncates start and end, steps in float64 with one fused
    # multiply-add per value as torch's does (lib/ops/factory.cpp)
    return _finish(_C._linspace(float(start), float(end), int(steps), dtype),
                   requires_grad, device)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False, out=None):
    return _finish(_C._eye(n, n if m is None else m, _default(dtype)), requires_grad, device)


def manual_seed(seed):
    """Seed the CPU generator (and CUDA's, as torch does). The CPU generator draws numbers the way
    torch's does (lib/cpu/random.cpp), so seeded rand/randn/randint/uniform_/normal_ and nn
    initialisation give torch's values. Negative seeds wrap to 64 bits, as torch's do."""
    seed = int(seed)
    if not -0x8000_0000_0000_0000 <= seed <= 0xFFFF_FFFF_FFFF_FFFF:
        raise ValueError("Overflow when unpacking long long")
    _C.manual_seed(seed & 0xFFFF_FFFF_FFFF_FFFF)


def initial_seed():
    """The CPU generator's seed: manual_seed's, else the one drawn at start (as torch)."""
    return _C._initial_seed()


def seed():
    """Seed the generators with a nondeterministic number and return it (torch.seed)."""
    import random as _random
    s = _random.SystemRandom().getrandbits(64)
    manual_seed(s)
    return s


# On a GPU the numbers come from the device generator (tapegrad.cuda.manual_seed), as in torch.
def rand(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None):
    target = _check_device(device)
    if target != "cpu":
        return _on(_C._empty(_shape(size, "rand"), _default(dtype), target).uniform_(0, 1), requires_grad)
    return _finish(_C._rand(_shape(size, "rand"), _default(dtype)), requires_grad, device)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None):
    target = _check_device(device)
    if target != "cpu":
        return _on(_C._empty(_shape(size, "randn"), _default(dtype), target).normal_(0, 1), requires_grad)
    return _finish(_C._randn(_shape(size, "randn"), _default(dtype)), requires_grad, device)


def randint(low, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False, out=None):
    if size is None:
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    dtype = dtype or _C.int64
    if low < high:  # otherwise _C._randint raises torch's from/to message
        from ._tensor_aliases import _check_random_bounds
        _check_random_bounds(dtype, low, high - 1)
    if dtype == _C.bool:  # the same draws (random() % range + from), stored as bool
        return _finish(_C._randint(low, high, list(size), _C.uint8).to(_C.bool), requires_grad,
                       device)
    return _finish(_C._randint(low, high, list(size), dtype), requires_grad, device)


_SIZED = {"zeros", "ones", "empty", "rand", "randn"}  # factories whose size is required


def _out_and_generator(name, fn):
    """torch's out= (_out_arg.wrap: the result written into out, whose dtype it takes when none
    is given) and generator= (the draws come from that tapegrad.Generator: _generator._use)
    around a factory."""
    import functools

    from ._out_arg import wrap
    with_out = wrap(name, fn)

    @functools.wraps(fn)
    def factory(*args, **kwargs):
        if name in _SIZED and not args:  # torch.zeros(size=(2, 3)); torch.zeros() is refused
            if "size" not in kwargs:
                raise TypeError(f'{name}() missing 1 required positional arguments: "size"')
            args = (kwargs.pop("size"),)
        if "layout" in kwargs or "pin_memory" in kwargs:
            check_factory_kwargs(name, kwargs.pop("layout", None), kwargs.pop("pin_memory", None))
        generator = kwargs.pop("generator", None)
        if generator is not None:
            from ._generator import _use
            with _use(generator, name, _check_device(kwargs.get("device"))):
                return with_out(*args, **kwargs)
        return with_out(*args, **kwargs)
    factory._tapegrad_out = True
    return factory


for _name in ("zeros", "ones", "empty", "full", "arange", "linspace", "eye", "rand", "randn",
              "randint"):
    globals()[_name] = _out_and_generator(_name, globals()[_name])


def _memory_order(input, memory_format, name):
    """The dim order (outermost first) torch's *_like lays its result out in, or None for the
    contiguous order: preserve_format (the default) keeps the order of an input whose elements
    are dense and do not overlap (a transposed input gives a transposed result), else the
    contiguous one; channels_last / channels_last_3d their own."""
    from . import _memory_format as mf
    if memory_format is None:
        memory_format = mf.preserve_format
    if not isinstance(memory_format, mf.memory_format):
        raise TypeError(f"{name}(): argument 'memory_format' must be torch.memory_format, not "
                        f"{type(memory_format).__name__}")
    n = input.dim()
    if memory_format is mf.channels_last or memory_format is mf.channels_last_3d:
        rank = 4 if memory_format is mf.channels_last else 5
        if n != rank:
            raise RuntimeError(f"required rank {rank} tensor to use {memory_format._name} format")
        return [0] + list(range(2, n)) + [1]
    if memory_format is not mf.preserve_format or input.is_contiguous() or input.numel() == 0:
        return None
    dims = sorted((d for d in range(n) if input.shape[d] != 1), key=input.stride)
    expected = 1
    for d in dims:  # torch's non-overlapping-and-dense test
        if input.stride(d) != expected:
            return None
        expected *= input.shape[d]
    return sorted(range(n), key=lambda d: (-input.stride(d), d))


def _lay_out_like(input, memory_format, name, make, requires_grad):
    """make(shape) (a contiguous new tensor of that shape) in the layout torch's *_like gives:
    made in memory order (so random values fill memory in torch's order), then permuted back
    and copied into a tensor of its own (not a view)."""
    order = _memory_order(input, memory_format, name)
    shape = tuple(input.shape)
    if order is None:
        t = make(shape)
    else:
        inverse = sorted(range(len(order)), key=order.__getitem__)
        t = make(tuple(shape[d] for d in order)).permute(inverse).clone()
    return _factory_requires_grad(t) if requires_grad else t


def _like(fn, name):
    def like(input, *args, dtype=None, device=None, requires_grad=False, memory_format=None,
             **kw):
        device = input.device if device is None else device  # *_like keeps input's device
        dtype = dtype or input.dtype
        return _lay_out_like(input, memory_format, name, lambda shape: fn(
            *args, shape, dtype=dtype, device=device, **kw) if args else fn(
            shape, dtype=dtype, device=device, **kw), requires_grad)
    like.__name__ = name
    return like


zeros_like = _like(zeros, "zeros_like")
ones_like = _like(ones, "ones_like")
empty_like = _like(empty, "empty_like")
rand_like = _like(rand, "rand_like")
randn_like = _like(randn, "randn_like")


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False,
              memory_format=None, layout=None, pin_memory=None):
    check_factory_kwargs("full_like", layout, pin_memory)
    device = input.device if device is None else device
    dtype = dtype or input.dtype
    return _lay_out_like(input, memory_format, "full_like", lambda shape: full(
        shape, fill_value, dtype=dtype, device=device), requires_grad)


def randint_like(input, low=None, high=None, *, generator=None, dtype=None, device=None,
                 requires_grad=False, memory_format=None, layout=None, pin_memory=None):
    check_factory_kwargs("randint_like", layout, pin_memory)
    if high is None:
        if low is None:  # torch's overloads are (input, high) and (input, low, high)
            raise TypeError("randint_like() received an invalid combination of arguments - got "
                            "(Tensor), but expected one of:\n"
                            " * (Tensor input, int high, *, ...)\n"
                            " * (Tensor input, int low, int high, *, ...)\n")
        low, high = 0, low
    elif low is None:
        low = 0
    device = input.device if device is None else device
    return _lay_out_like(input, memory_format, "randint_like", lambda shape: randint(
        low, high, shape, generator=generator, dtype=dtype or input.dtype, device=device),
        requires_grad)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """torch.tensor: a new tensor (always a copy) from nested sequences, numbers, numpy arrays
    and numpy scalars; numpy data keeps its dtype (float64 stays float64), as in torch."""
    if pin_memory is not False:
        check_factory_kwargs("tensor", None, pin_memory)
    if type(data).__module__ == "numpy" and hasattr(data, "dtype"):
        import numpy as np  # noqa: PLC0415
        from ._dlpack import from_dlpack  # noqa: PLC0415
        if data.dtype == np.object_:
            raise TypeError("can't convert np.ndarray of type numpy.object_. The only supported "
                            "types are: float64, float32, float16, int64, int32, int16, int8, "
                            "uint8, and bool.")
        target = _check_device(device)
        t = from_dlpack(np.array(data, copy=True, order="C"))
        if target != "cpu":
            t = t._to_device(target, t.dtype, False)
        if dtype is not None and dtype != t.dtype:
            t = t.to(dtype)
        if requires_grad:
            if not t.is_floating_point():
                raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                                   "gradients")
            t.requires_grad_(True)
        return t
    target = _check_device(device)
    if target != "cpu":
        t = _C.tensor(data, dtype=dtype)
        t = t._to_device(target, t.dtype, False)
        return t.requires_grad_(True) if requires_grad else t
    return _C.tensor(data, dtype=dtype, requires_grad=requires_grad)
