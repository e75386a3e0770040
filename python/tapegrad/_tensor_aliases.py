"""torch's aliases, in-place forms and metadata queries that are spelled in terms of ops tapegrad
already has: Tensor.greater / less_equal / fix / absolute ..., in-place comparisons and pow_ /
cumsum_ (through _C._apply_inplace, so the grad_fn is the out-of-place op's, as torch's), the
real-dtype answers of the complex API (conj, resolve_conj, is_conj, real, imag), itemsize/nbytes,
new_empty/new_full/new_tensor, type(), repeat_interleave, random_. Installed on Tensor and
on the tapegrad module at import (tapegrad/__init__.py)."""
import builtins

from . import _C
from ._C import Tensor

_bool, _int, _float = builtins.bool, builtins.int, builtins.float

# ---- plain aliases: torch name -> existing method -------------------------------------------
_METHOD_ALIASES = {
    "absolute": "abs", "absolute_": "abs_", "negative_": "neg_", "fix": "trunc", "fix_": "trunc_",
    "greater": "gt", "greater_equal": "ge", "less": "lt", "less_equal": "le", "not_equal": "ne",
    "multiply_": "mul_", "subtract_": "sub_", "clip_": "clamp_",
    "unsafe_chunk": "chunk", "unsafe_split": "split", "unsafe_split_with_sizes": "split_with_sizes",
}
for _new, _old in _METHOD_ALIASES.items():
    if hasattr(Tensor, _old) and not hasattr(Tensor, _new):
        setattr(Tensor, _new, getattr(Tensor, _old))


# divide_ / true_divide_ (and rounding_mode=): python/src/bind_layout.cpp


# ---- in-place forms of out-of-place ops -------------------------------------------------------
def apply_inplace(self, compute, *others):
    """_C._apply_inplace(self, compute, *others), except that an argument of the wrong type
    (compute raises TypeError) is reported before the in-place-on-a-leaf error: torch's parser
    reads the arguments before autograd looks at self. compute runs again, without grad, only
    on that error path."""
    try:
        return _C._apply_inplace(self, compute, *others)
    except RuntimeError as e:
        if not str(e).startswith(("a leaf Variable", "a view of a leaf Variable")):
            raise
        err = e
    from ._grad_mode import no_grad
    try:
        with no_grad():
            compute(self.detach())
    except TypeError as e:
        raise e from None
    except Exception:  # noqa: BLE001 (a value error: torch reports the leaf first)
        pass
    raise err


def _inplace(name, out_of_place):
    def method(self, *args, **kwargs):
        return apply_inplace(self, lambda old: out_of_place(old, *args, **kwargs), *args,
                             *kwargs.values())
    method.__name__ = name
    return method


def _logical_inplace(name, op):
    """torch's logical_*_ are not differentiable: they write into a leaf that requires grad
    without the in-place error, and record nothing."""
    def method(self, *args, **kwargs):
        from ._grad_mode import no_grad
        for t in (*args, *kwargs.values()):
            if isinstance(t, Tensor):
                _C._check_no_overlap(self, t)  # torch's TensorIterator check
        result = op(self, *args, **kwargs)
        with no_grad():
            return self.copy_(result)
    method.__name__ = name
    return method


for _name, _op in {"logical_and_": Tensor.logical_and, "logical_or_": Tensor.logical_or,
                   "logical_xor_": Tensor.logical_xor, "logical_not_": Tensor.logical_not}.items():
    if not hasattr(Tensor, _name):
        setattr(Tensor, _name, _logical_inplace(_name, _op))
def _compare_inplace(name, op, node):
    """torch's eq_ / lt_ / ...: the 0/1 result written into self, recorded as its <Op>Backward0
    (a number) or <Op>Backward1 (a tensor) node whose gradients are zeros (torch's formula), so
    the result requires grad whenever self or other does."""
    def method(self, other, *args, **kwargs):
        is_tensor = isinstance(other, Tensor)

        def compute(old):
            # the node is recorded on the computed value, so the in-place protocol writes it
            # back (through CopySlices when self is a view: other's zero gradient still flows)
            from . import _pynode
            r = op(old, other, *args, **kwargs)
            shape = tuple(other.shape) if is_tensor else None
            return _pynode.record(node + ("Backward1" if is_tensor else "Backward0"),
                                  lambda g: [g * 0, g.new_zeros(shape) if is_tensor else None],
                                  [old, other if is_tensor else None], r)
        return apply_inplace(self, compute, other)
    method.__name__ = name
    return method


for _name, _node in (("eq_", "Eq"), ("ne_", "Ne"), ("lt_", "Lt"), ("le_", "Le"), ("gt_", "Gt"),
                     ("ge_", "Ge")):
    if not hasattr(Tensor, _name):
        setattr(Tensor, _name, _compare_inplace(_name, getattr(Tensor, _name[:-1]), _node))
def _scan_inplace(name, op):
    """cumsum_ / cumprod_: a dtype= other than self's is torch's "Bad in-place call"."""
    inplace = _inplace(name, op)

    def method(self, dim, *args, **kwargs):
        if args:  # torch: dim is the only positional argument
            raise TypeError(f"{name}() takes 1 positional argument but {1 + len(args)} were "
                            "given")
        dtype = kwargs.get("dtype")
        if self.dtype == _C.bool and dtype in (None, _C.bool):
            op(self, dim)  # torch's dim checks first; then its kernel has no bool case
            raise NotImplementedError(f'"{name[:-1]}_out_cpu" not implemented for \'Bool\'')
        if isinstance(dtype, _C.dtype) and dtype != self.dtype:
            from ._dtype_names import c_type_name
            raise RuntimeError(f"Bad in-place call: input tensor dtype {c_type_name(self.dtype)} "
                               f"and output tensor dtype {c_type_name(dtype)} should match")
        return inplace(self, dim, *args, **kwargs)
    method.__name__ = name
    return method


for _name, _op in {"pow_": Tensor.pow, "square_": Tensor.square}.items():
    if not hasattr(Tensor, _name):
        setattr(Tensor, _name, _inplace(_name, _op))
for _name, _op in {"cumsum_": Tensor.cumsum, "cumprod_": Tensor.cumprod}.items():
    if not hasattr(Tensor, _name):
        setattr(Tensor, _name, _scan_inplace(_name, _op))
for _new, _old in {"greater_": "gt_", "greater_equal_": "ge_", "less_": "lt_",
                   "less_equal_": "le_", "not_equal_": "ne_"}.items():
    setattr(Tensor, _new, getattr(Tensor, _old))


# ---- the complex API on real tensors (tapegrad has no complex dtypes) -------------------------
def _identity(self):
    return self


for _name in ("conj", "resolve_conj", "resolve_neg", "conj_physical"):
    setattr(Tensor, _name, _identity)
Tensor.is_conj = lambda self: False
Tensor.is_neg = lambda self: False
Tensor.is_complex = lambda self: False
Tensor.real = property(_identity)


def _imag(self):
    raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")


Tensor.imag = property(_imag)


def _positive(self):
    if self.dtype == _C.bool:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return self


Tensor.positive = _positive
Tensor.__pos__ = _positive  # +x: torch's __pos__ is positive (self itself)


# x **= y is torch's in-place pow_ (without it Python rebinds x to x ** y, leaving aliases of
# the old tensor unchanged); __idiv__ and __long__ are torch's Python-2 names, kept by torch
Tensor.__ipow__ = lambda self, other: self.pow_(other)
Tensor.__idiv__ = lambda self, other: self.div_(other)
Tensor.__long__ = lambda self: self.__int__()


def _deprecated_0d(self, name, advice):
    """torch's 0-d case of H / mH / mT / adjoint(): the tensor itself, with its warning."""
    import warnings
    warnings.warn(f"{name} is deprecated on 0-D tensors. {advice}", UserWarning, stacklevel=3)
    return self


_CONJ = "Consider using x.conj()."
_IDENTITY = "This function is the identity in these cases."


def _matrix_only(name):
    def get(self):
        if self.dim() == 0:
            return _deprecated_0d(self, f"Tensor.{name}", _CONJ)
        if self.dim() != 2:
            raise RuntimeError(f"tensor.{name} is only supported on matrices (2-D tensors). Got "
                               f"{self.dim()}-D tensor."
                               + (" For batches of matrices, consider using tensor.mH"
                                  if self.dim() > 2 else ""))
        return self.transpose(0, 1)
    return get


def _batched_matrix(name):
    """tensor.mT / mH: the last two dims swapped; a 1-d tensor is refused and a 0-d one comes
    back as it is (torch deprecates that case)."""
    def get(self):
        if self.dim() == 0:
            return _deprecated_0d(self, f"Tensor.{name}", _IDENTITY if name == "mT" else _CONJ)
        if self.dim() == 1:
            raise RuntimeError(f"tensor.{name} is only supported on matrices or batches of "
                               "matrices. Got 1-D tensor.")
        return self.transpose(-2, -1)
    return get


def _contains(self, element):
    """`element in tensor`: whether any element equals it (a number or a tensor)."""
    if isinstance(element, (Tensor, int, float, bool)):
        return bool((self == element).any().item())
    raise RuntimeError("Tensor.__contains__ only supports Tensor or scalar, but you passed in a "
                       f"{type(element)}.")


Tensor.H = property(_matrix_only("H"))
Tensor.mH = property(_batched_matrix("mH"))
Tensor.mT = property(_batched_matrix("mT"))
Tensor.__contains__ = _contains


def _adjoint(self):
    if self.dim() == 0:
        return _deprecated_0d(self, "adjoint()", _CONJ)
    if self.dim() < 2:  # torch's check, before the transpose's dim error
        raise RuntimeError("tensor.adjoint() is only supported on matrices or batches of "
                           f"matrices. Got {self.dim()}-D tensor.")
    return self.transpose(-2, -1).conj()


Tensor.adjoint = _adjoint


# ---- metadata ---------------------------------------------------------------------------------
Tensor.itemsize = property(lambda self: self.element_size())
Tensor.nbytes = property(lambda self: self.numel() * self.element_size())
Tensor.is_cpu = property(lambda self: self.device.type == "cpu")
Tensor.is_signed = lambda self: self.dtype.is_signed
Tensor.is_inference = lambda self: False
Tensor.is_pinned = lambda self: False
Tensor.is_shared = lambda self: False
Tensor.share_memory_ = _identity
Tensor.is_same_size = lambda self, other: tuple(self.shape) == tuple(other.shape)


def _is_nonzero(self):
    n = self.numel()
    if n == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if n > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return _bool(self.item())


Tensor.is_nonzero = _is_nonzero


def _dim_order(self, *, ambiguity_check=False):
    # Outermost to innermost: larger strides first; equal strides keep the dimension order.
    strides = self.stride()
    return tuple(sorted(range(self.dim()), key=lambda d: -strides[d]))


Tensor.dim_order = _dim_order

# byte / char / short (memory_format=): python/src/bind_layout.cpp

# torch.Tensor.type(): the legacy tensor-type names.
_TYPE_NAMES = {_C.float32: "FloatTensor", _C.float64: "DoubleTensor", _C.float16: "HalfTensor",
               _C.bfloat16: "BFloat16Tensor", _C.uint8: "ByteTensor", _C.int8: "CharTensor",
               _C.int16: "ShortTensor", _C.int32: "IntTensor", _C.int64: "LongTensor",
               _C.bool: "BoolTensor"}


def _type(self, dtype=None, non_blocking=False, **kwargs):
    if not (dtype is None or isinstance(dtype, (str, type, _C.dtype))):
        raise TypeError("dtype must be a type, str, or dtype object")
    if dtype is None:
        prefix = "torch.cuda." if self.device.type == "cuda" else "torch."
        return prefix + _TYPE_NAMES[self.dtype]
    if isinstance(dtype, str):
        name = dtype
        cuda = name.startswith("torch.cuda.")
        short = name[len("torch.cuda."):] if cuda else name[len("torch."):] \
            if name.startswith("torch.") else None
        matches = [d for d, n in _TYPE_NAMES.items() if n == short]
        if not matches:
            raise ValueError(f"invalid type: '{name}'")
        t = self.to(matches[0])
        return t.cuda() if cuda and t.device.type != "cuda" else \
            t.cpu() if not cuda and t.device.type != "cpu" else t
    return self.to(dtype)


Tensor.type = _type


# ---- constructors from a tensor ---------------------------------------------------------------
def _shape_args(size):
    return tuple(size[0]) if len(size) == 1 and not isinstance(size[0], _int) else tuple(size)


def _new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False,
              layout=None, pin_memory=False):
    from . import _factories
    _factories.check_factory_kwargs("new_full", layout, pin_memory)
    t = _factories.full(tuple(size), fill_value, dtype=dtype or self.dtype,
                        device=self.device if device is None else device)
    return t.requires_grad_() if requires_grad else t


def _new_empty(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
               pin_memory=False):
    from . import _factories
    _factories.check_factory_kwargs("new_empty", layout, pin_memory)
    if not size:
        raise TypeError('new_empty() missing 1 required positional arguments: "size"')
    t = _factories.empty(_shape_args(size), dtype=dtype or self.dtype,
                         device=self.device if device is None else device)
    return t.requires_grad_() if requires_grad else t


def _new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
    from . import _factories
    if isinstance(data, Tensor):
        import warnings
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.detach().clone() or "
                      "sourceTensor.detach().clone().requires_grad_(True), rather than "
                      "tensor.new_tensor(sourceTensor).", UserWarning, stacklevel=2)
        t = data.detach().clone().to(dtype or self.dtype)  # self's dtype, as for any data
    else:
        t = _factories.tensor(data, dtype=dtype or self.dtype)
    t = t.to(self.device if device is None else device)
    return t.requires_grad_() if requires_grad else t


Tensor.new_full = _new_full
Tensor.new_empty = _new_empty
Tensor.new_tensor = _new_tensor


# ---- views and copies -------------------------------------------------------------------------
def _narrow_copy(self, dim, start, length):
    return self.narrow(dim, start, length).clone()


Tensor.narrow_copy = _narrow_copy


def _msort(self):
    return self.sort(dim=0).values


Tensor.msort = _msort


def _check_repeat_dtype(repeats):
    if repeats.dtype not in (_C.int64, _C.int32):
        name = _TYPE_NAMES[repeats.dtype][:-len("Tensor")]  # torch's legacy name: "Float"
        raise NotImplementedError(f'"repeat_interleave_cpu" not implemented for \'{name}\'')


def _runs_index(counts, total):
    """[0] * counts[0] + [1] * counts[1] + ... as an int64 tensor: output position j belongs to
    the first i whose running end cumsum(counts)[i] exceeds j (a C++ search, not a Python
    loop over the output)."""
    from . import _factories
    ends = _C.cumsum(counts.to(_C.int64), 0)
    return _C.searchsorted(ends, _factories.arange(total, dtype=_C.int64), right=True)


def _repeat_interleave(self, repeats=None, dim=None, *, output_size=None):
    """torch.repeat_interleave: each element (or slice along dim) repeated repeats[i] times,
    gathered by index_select so the gradient sums the copies back."""
    from . import _factories
    if repeats is None:  # torch.repeat_interleave(repeats): the indices, each repeated
        counts = self
        if counts.dim() > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        _check_repeat_dtype(counts)
        values = [_int(c) for c in counts.tolist()] if counts.dim() else [_int(counts.item())]
        if any(c < 0 for c in values):
            raise RuntimeError("repeats can not be negative")
        return _runs_index(counts.reshape(-1), sum(values)).to(counts.dtype)
    x = self
    if dim is None:
        x = x.reshape(-1)
        dim = 0
    elif x.dim() == 0 and isinstance(repeats, Tensor):
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    elif x.dim() == 0 and dim in (0, -1):
        # torch's int path unsqueezes the 0-d input at dim + 1 (out of its range)
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    nd = max(x.dim(), 1)
    d = dim + nd if dim < 0 else dim
    if not 0 <= d < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], "
                         f"but got {dim})")
    if x.dim() == 0:
        x = x.reshape(1)
    n = x.shape[d]
    if not isinstance(repeats, Tensor):
        # An int count: each slice copied next to itself (torch's expand + clone + view, so the
        # grad_fn is ViewBackward0 as torch's).
        count = _int(repeats)
        if count < 0:
            raise RuntimeError("Repeats must be non-negative")
        if output_size is not None and output_size != n * count:
            raise RuntimeError(f"repeat_interleave: Invalid output_size, expected {n * count} "
                               f"but got {output_size}")
        shape = list(x.shape)
        wide = x.unsqueeze(d + 1).expand(*shape[:d + 1], count, *shape[d + 1:]).clone()
        return wide.view(*shape[:d], n * count, *shape[d + 1:])
    if repeats.dim() > 1:
        raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
    _check_repeat_dtype(repeats)
    counts = [_int(c) for c in repeats.reshape(-1).tolist()]
    if len(counts) == 1:
        counts = counts * n
    elif len(counts) != n:
        raise RuntimeError("repeats must have the same size as input along dim, but got "
                           f"repeats.size(0) = {len(counts)} and input.size({d}) = {n}")
    if any(c < 0 for c in counts):
        raise RuntimeError("repeats can not be negative")
    index = _runs_index(_factories.tensor(counts, dtype=_C.int64), sum(counts))
    if output_size is not None and output_size != index.numel():
        raise RuntimeError("allocated size does not match required size")
    return x.index_select(d, index)


Tensor.repeat_interleave = _repeat_interleave


# ---- random fills -----------------------------------------------------------------------------
# torch's random_ draws each element as `random() % range + from` (random64() when the range
# needs more than 32 bits), exactly what randint does, so the stream matches torch's.
_RANDOM_FULL_RANGE = {_C.float32: 2 ** 24 + 1, _C.float64: 2 ** 53 + 1, _C.float16: 2 ** 11 + 1,
                      _C.bfloat16: 2 ** 8 + 1, _C.int32: 2 ** 31, _C.int16: 2 ** 15,
                      _C.int8: 2 ** 7, _C.uint8: 2 ** 8, _C.bool: 2}


# dtype -> (lowest, max, digits): torch's bounds for random_'s from and to - 1 (an error
# outside the dtype's range, a warning outside the floating dtype's exact integers)
_RANDOM_LIMITS = {_C.bool: (0, 1, None), _C.uint8: (0, 255, None), _C.int8: (-128, 127, None),
                  _C.int16: (-2 ** 15, 2 ** 15 - 1, None), _C.int32: (-2 ** 31, 2 ** 31 - 1, None),
                  _C.int64: (-2 ** 63, 2 ** 63 - 1, None), _C.float16: (-65504, 65504, 11),
                  _C.bfloat16: (-3.3895313892515355e38, 3.3895313892515355e38, 8),
                  _C.float32: (-3.4028234663852886e38, 3.4028234663852886e38, 24),
                  _C.float64: (-1.7976931348623157e308, 1.7976931348623157e308, 53)}


def _check_random_bounds(dtype, lo, hi_inc):
    from ._dtype_names import c_type_name
    limits = _RANDOM_LIMITS.get(dtype)
    if limits is None:
        return
    low, high, digits = limits
    for name, v in (("from", lo), ("to - 1", hi_inc)):
        if not low <= v <= high:
            raise RuntimeError(f"{name} is out of bounds for {c_type_name(dtype)}")
    if digits is not None:
        for name, v in (("from", lo), ("to - 1", hi_inc)):
            if not -(2 ** digits) <= v <= 2 ** digits:
                import warnings
                warnings.warn(f"{name} is out of bounds [-(2^{digits}), 2^{digits}]. Due to "
                              f"precision limitations {c_type_name(dtype)} can support discrete "
                              "uniform distribution only within this range. This warning will "
                              "become an error in version 1.7 release, please fix the code in "
                              "advance", UserWarning, stacklevel=3)


def _random_(self, *bounds, generator=None, **kwargs):
    """random_(), random_(to), random_(from, to); keywords from=/to= as torch's."""
    from . import _factories
    if generator is not None:
        from ._generator import _use
        with _use(generator, "random_", self.device):
            return _random_(self, *bounds, **kwargs)
    if len(bounds) > 2:
        raise TypeError(f"random_() takes at most 2 positional arguments ({len(bounds)} given)")
    lo, hi = (0, bounds[0]) if len(bounds) == 1 else bounds if bounds else (0, None)
    lo, hi = kwargs.pop("from", lo), kwargs.pop("to", hi)
    if kwargs:
        raise TypeError(f"random_() got an unexpected keyword argument '{next(iter(kwargs))}'")
    if hi is None:
        if self.dtype not in _RANDOM_FULL_RANGE:
            raise NotImplementedError("random_() without bounds is not supported for int64 "
                                      "tensors by tapegrad")
        hi = _RANDOM_FULL_RANGE[self.dtype]
    if lo >= hi:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={lo} "
                           f">= to={hi}")
    _check_random_bounds(self.dtype, lo, hi - 1)
    draws = _factories.randint(lo, hi, tuple(self.shape), dtype=_C.int64)
    return _C._apply_inplace(self, lambda old: draws.to(self.dtype))


Tensor.random_ = _random_


# ---- module-level functions -------------------------------------------------------------------
def _method_function(name):
    method = getattr(Tensor, name)

    def fn(input, *args, **kwargs):
        if not isinstance(input, Tensor):  # conj, resolve_neg, ... would hand anything back
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                            f"{type(input).__name__}")
        return method(input, *args, **kwargs)
    fn.__name__ = name
    return fn


def _stable_keyword_only(name, fn):
    """torch's sort(input, *, stable, dim=-1, descending=False) overload: once stable= is
    given, dim and descending are keywords too (pybind cannot tell a positional argument from
    a keyword one, so the binding alone took sort(x, 0, stable=True))."""
    def call(*args, **kwargs):
        if "stable" in kwargs and len(args) > 1:
            got = ", ".join(["Tensor" if isinstance(a, Tensor) else type(a).__name__
                             for a in args] + [f"{k}={type(v).__name__}" for k, v in
                                               kwargs.items()])
            raise TypeError(f"{name}() received an invalid combination of arguments - got "
                            f"({got}), but expected one of:\n"
                            f" * (Tensor input, *, bool stable, int dim = -1, bool descending = "
                            "False)\n")
        return fn(*args, **kwargs)
    call.__name__ = name
    call.__doc__ = fn.__doc__
    return call


STABLE_KEYWORD_ONLY = {n: _stable_keyword_only(n, getattr(_C, n)) for n in ("sort", "argsort")}
for _n in ("sort", "argsort"):
    setattr(Tensor, _n, _stable_keyword_only(_n, getattr(Tensor, _n)))

FUNCTIONS = {n: _method_function(n) for n in (
    "absolute", "fix", "greater", "greater_equal", "less", "less_equal", "not_equal",
    "positive", "conj", "resolve_conj", "resolve_neg", "conj_physical", "is_conj", "is_neg",
    "is_complex", "is_nonzero", "is_same_size", "is_signed", "msort", "narrow_copy",
    "repeat_interleave", "abs_", "neg_", "square_", "clip_", "clamp_", "exp_", "sqrt_",
    "sigmoid_", "tanh_", "relu_", "trunc_", "fix_", "round_", "floor_", "ceil_")
    if hasattr(Tensor, n)}
