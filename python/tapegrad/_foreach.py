"""torch._foreach_*: an op over lists of tensors, each element computed by the ordinary op (as
torch's slow path does, so values, dtypes, broadcasting and autograd are the per-tensor op's).
Out-of-place forms return a tuple; in-place forms (trailing _) update the tensors and return the
list they were given. Overloads by the second argument: a tensor list, a number, a list of
numbers (one per tensor) or, for add/sub/mul/div, a 0-d tensor. Argument errors carry torch's
wording (empty list, list lengths, scalar-list length, a 1-element non-0-d scalar tensor)."""
import numbers

from ._C import Tensor

__all__ = []  # filled in below: every _foreach_* name


def _check_list(name, arg, pos):
    if not isinstance(arg, (list, tuple)):
        raise TypeError(f"{name}() received an invalid combination of arguments - got "
                        f"({type(arg).__name__}, ...), but expected a tuple of Tensors as "
                        f"argument {pos}")
    for i, t in enumerate(arg):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument {pos}, but got "
                            f"{type(t).__name__}")
    return arg


def _check_self(name, tensors):
    _check_list(name, tensors, 0)
    if len(tensors) == 0:
        raise RuntimeError("Tensor list must have at least one tensor.")
    return tensors


def _same_len(a, b):
    if len(a) != len(b):
        raise RuntimeError(f"Tensor lists must have the same number of tensors, got {len(a)} "
                           f"and {len(b)}")


def _scalar_list(tensors, scalars):
    if len(scalars) != len(tensors):
        raise RuntimeError("Tensor list must have same number of elements as scalar list.")
    return scalars


def _is_number(x):
    return isinstance(x, numbers.Number) and not isinstance(x, Tensor)


def _scalar_tensor(t):
    if t.dim() != 0:
        raise RuntimeError(f"scalar tensor expected to be 0 dim but it has {t.dim()} dimensions "
                           f"and {t.numel()} elements.")
    return t


def _others(name, tensors, other, tensor_ok):
    """One second operand per tensor: from a tensor list, a number list, a number, or (where
    tensor_ok) a 0-d tensor."""
    if isinstance(other, Tensor):
        if not tensor_ok:
            raise TypeError(f"{name}() received an invalid combination of arguments - got "
                            "(list, Tensor)")
        return [_scalar_tensor(other)] * len(tensors)
    if isinstance(other, (list, tuple)):
        if other and all(isinstance(o, Tensor) for o in other):
            _same_len(tensors, other)
            return list(other)
        if all(_is_number(o) for o in other):
            return list(_scalar_list(tensors, other))
        _check_list(name, other, 1)
    if _is_number(other):
        return [other] * len(tensors)
    raise TypeError(f"{name}() received an invalid combination of arguments - got (list, "
                    f"{type(other).__name__})")


def _result(tensors, out, inplace):
    return tensors if inplace else tuple(out)


def _unary(op):
    def fn(self):
        _check_self(fn.__name__, self)
        return tuple(getattr(t, op)() for t in self)

    def fn_(self):
        _check_self(fn_.__name__, self)
        for t in self:
            getattr(t, op + "_")()
        return self
    return fn, fn_


def _binary(op, tensor_ok=False, alpha_ok=False, scalar_op=None):
    """scalar_op: the per-tensor op for a number operand where it differs (maximum with a
    number is clamp_min)."""
    def run(name, self, other, alpha, inplace):
        _check_self(name, self)
        if alpha is not None and (not alpha_ok or _is_number(other)
                                  or (isinstance(other, (list, tuple)) and other
                                      and _is_number(other[0]))):
            raise TypeError(f"{name}() received an invalid combination of arguments - got "
                            f"(list, {type(other).__name__}, alpha={type(alpha).__name__})")
        others = _others(name, self, other, tensor_ok)
        kw = {} if alpha is None else {"alpha": alpha}
        out = []
        for t, o in zip(self, others):
            f = scalar_op if (scalar_op and _is_number(o)) else op
            out.append(getattr(t, f + ("_" if inplace else ""))(o, **kw))
        return _result(self, out, inplace)

    def fn(self, other, *, alpha=None):
        return run(fn.__name__, self, other, alpha, False)

    def fn_(self, other, *, alpha=None):
        return run(fn_.__name__, self, other, alpha, True)
    return fn, fn_


def _pointwise(op):
    def run(name, self, tensor1, tensor2, scalars, value, inplace):
        _check_self(name, self)
        _check_list(name, tensor1, 1)
        _check_list(name, tensor2, 2)
        _same_len(self, tensor1)
        _same_len(self, tensor2)
        if scalars is None:
            values = [value] * len(self)
        elif isinstance(scalars, Tensor):
            if scalars.dim() != 1:
                raise RuntimeError(f"Expected scalars to be 1D tensor, but got {scalars.dim()}D "
                                   "tensor")
            values = _scalar_list(self, scalars.tolist())
        elif _is_number(scalars):
            values = [scalars] * len(self)
        else:
            values = _scalar_list(self, list(scalars))
        out = [getattr(t, op + ("_" if inplace else ""))(a, b, value=v)
               for t, a, b, v in zip(self, tensor1, tensor2, values)]
        return _result(self, out, inplace)

    def fn(self, tensor1, tensor2, scalars=None, *, value=1):
        return run(fn.__name__, self, tensor1, tensor2, scalars, value, False)

    def fn_(self, tensor1, tensor2, scalars=None, *, value=1):
        return run(fn_.__name__, self, tensor1, tensor2, scalars, value, True)
    return fn, fn_


def _lerp():
    def run(name, self, tensors1, weight, inplace):
        _check_self(name, self)
        _check_list(name, tensors1, 1)
        _same_len(self, tensors1)
        weights = _others(name, self, weight, False)
        out = [getattr(t, "lerp_" if inplace else "lerp")(e, w)
               for t, e, w in zip(self, tensors1, weights)]
        return _result(self, out, inplace)

    def fn(self, tensors1, weight):
        return run("_foreach_lerp", self, tensors1, weight, False)

    def fn_(self, tensors1, weight):
        return run("_foreach_lerp_", self, tensors1, weight, True)
    return fn, fn_


def _pow():
    def run(name, self, exponent, inplace):
        if _is_number(self):  # pow(number, [exponents])
            if inplace:
                raise TypeError(f"{name}() received an invalid combination of arguments")
            exps = _check_self(name, exponent)
            from . import pow as _pow_fn
            return tuple(_pow_fn(self, e) for e in exps)
        _check_self(name, self)
        others = _others(name, self, exponent, False)
        out = [getattr(t, "pow_" if inplace else "pow")(e) for t, e in zip(self, others)]
        return _result(self, out, inplace)

    def fn(self, exponent):
        return run("_foreach_pow", self, exponent, False)

    def fn_(self, exponent):
        return run("_foreach_pow_", self, exponent, True)
    return fn, fn_


def _foreach_zero_(self):
    _check_self("_foreach_zero_", self)
    for t in self:
        t.zero_()
    return self


def _foreach_clone(self, *, memory_format=None):
    _check_self("_foreach_clone", self)
    kw = {} if memory_format is None else {"memory_format": memory_format}
    return tuple(t.clone(**kw) for t in self)


def _foreach_copy_(self, src, non_blocking=False):
    _check_self("_foreach_copy_", self)
    _check_list("_foreach_copy_", src, 1)
    _same_len(self, src)
    for t, s in zip(self, src):
        t.copy_(s, non_blocking=non_blocking)
    return self


def _foreach_max(self):
    _check_self("_foreach_max", self)
    out = []
    for t in self:
        if t.numel() == 0:
            raise RuntimeError("_foreach_max cannot compute the maximum of an empty tensor; max "
                               "over zero elements is undefined.")
        out.append(t.max())
    return tuple(out)


def _foreach_norm(self, ord=2, dtype=None):  # noqa: A002 (torch's name)
    from .linalg import vector_norm
    _check_self("_foreach_norm", self)
    return tuple(vector_norm(t, ord, dtype=dtype) for t in self)


def _foreach_mm(self, mat2):
    from . import mm
    _check_self("_foreach_mm", self)
    _check_list("_foreach_mm", mat2, 1)
    _same_len(self, mat2)
    return tuple(mm(a, b) for a, b in zip(self, mat2))


_UNARY = ["exp", "acos", "asin", "atan", "cos", "cosh", "log", "log10", "log2", "tan", "tanh",
          "sin", "sinh", "neg", "sqrt", "rsqrt", "ceil", "erf", "erfc", "expm1", "floor", "log1p",
          "round", "frac", "reciprocal", "sigmoid", "trunc", "abs", "sign", "lgamma"]
_BINARY = {"add": dict(tensor_ok=True, alpha_ok=True), "sub": dict(alpha_ok=True),
           "mul": dict(tensor_ok=True), "div": dict(tensor_ok=True), "clamp_min": {},
           "clamp_max": {}, "maximum": dict(scalar_op="clamp_min"),
           "minimum": dict(scalar_op="clamp_max")}


def _install():
    g = globals()
    pairs = {op: _unary(op) for op in _UNARY}
    pairs.update({op: _binary(op, **kw) for op, kw in _BINARY.items()})
    pairs.update(addcmul=_pointwise("addcmul"), addcdiv=_pointwise("addcdiv"), lerp=_lerp(),
                 pow=_pow())
    for op, (fn, fn_) in pairs.items():
        for f, name in ((fn, f"_foreach_{op}"), (fn_, f"_foreach_{op}_")):
            f.__name__ = f.__qualname__ = name
            g[name] = f
    __all__.extend(sorted(n for n in g if n.startswith("_foreach_")))


_install()
