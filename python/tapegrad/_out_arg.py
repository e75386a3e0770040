"""torch's `out=` keyword, once for every top-level function that has it in torch (OUT_FUNCS):
the function computes its result as usual and write_out() puts it into the caller's tensor
with torch's rules (tensor type, a warning and a resize when a non-empty out has the wrong
shape, the result dtype castable to out's, out on the result's device, no autograd through
out=, tuple outputs for the (values, indices) functions), returning out itself. Without
out= a call goes straight to the function (the wrapper costs one Python call)."""
import functools
import warnings

from ._C import Tensor
from ._dtype_names import c_type_name as _c_type
from ._dtype_names import type_name as _legacy

# torch 2.13's top-level functions that take out=; those
# tapegrad lacks are skipped by install(), so a function added later is covered by adding it
# to tapegrad before install() runs (the end of tapegrad/__init__.py).
OUT_FUNCS = (
    "abs acos acosh add addbmm addcdiv addcmul addmm addmv addr all amax amin aminmax angle any "
    "arange asin asinh atan atan2 atanh baddbmm bernoulli bitwise_and bitwise_left_shift "
    "bitwise_not bitwise_or bitwise_right_shift bitwise_xor bmm bucketize cat ceil chain_matmul "
    "cholesky cholesky_inverse cholesky_solve clamp clip column_stack complex concat concatenate "
    "conj_physical copysign cos cosh cross cummax cummin cumprod cumsum deg2rad diag diff "
    "digamma div divide dot dstack empty eq erf erfc erfinv exp exp2 expm1 eye fix float_power "
    "floor floor_divide fmax fmin fmod frac frexp full gather gcd ge geqrf ger greater "
    "greater_equal gt heaviside histc histogram hstack hypot i0 igamma igammac index_select "
    "inner inverse isneginf isposinf kron kthvalue lcm ldexp le lerp less less_equal lgamma "
    "linspace log log10 log1p log2 logaddexp logaddexp2 logcumsumexp logical_and logical_not "
    "logical_or logical_xor logit logspace logsumexp lt lu_solve lu_unpack masked_select matmul "
    "matrix_power max maximum mean min minimum mm mode msort mul multinomial multiply mv "
    "mvlgamma nan_to_num nanmean nanquantile narrow_copy ne neg negative nextafter nonzero norm "
    "normal not_equal ones orgqr ormqr outer polar polygamma pow qr quantile rad2deg rand "
    "randint randn randperm range reciprocal remainder renorm round row_stack rsqrt "
    "searchsorted sgn sigmoid sign signbit sin sinc sinh sort sqrt square stack std "
    "sub subtract svd take_along_dim tan tanh topk trapz triangular_solve tril triu trunc var "
    "vdot vstack where xlogy zeros "
    # and those whose docstring does not show it (found by calling them with out=)
    "absolute alias_copy arccos arccosh arcsin arcsinh arctan arctan2 arctanh argmax argmin "
    "clamp_max clamp_min detach_copy diagonal_copy hardshrink isin log_softmax median nanmedian "
    "nansum prod slice_copy slice_scatter softmax squeeze_copy sum t_copy take tensordot "
    "true_divide unsqueeze_copy "
    # torch's out= overloads of the Tensor-method functions (torch.scatter(x, 0, i, src, out=))
    "index_copy index_add scatter scatter_add scatter_reduce"
).split()

# Functions whose out= must already have the result's dtype (torch casts only for the type-
# promoting ones), by the wording of torch's error.
_EXACT = {}
for _n in ("abs absolute neg negative sign sgn floor ceil trunc fix round frac clamp clip "
           "clamp_min clamp_max").split():
    _EXACT[_n] = "found"        # Found dtype Double but expected Float
for _n in ("matmul mm bmm mv addmm addmv addbmm baddbmm tril triu gather diag sort msort "
           "topk kthvalue mode cummax cummin max min median nanmedian aminmax").split():
    _EXACT[_n] = "ctype"        # Expected out tensor to have dtype float, but got double instead
_EXACT.update({"where": "where", "index_select": "same", "masked_select": "same", "dot": "dot",
               "vdot": "dot", "nonzero": "nonzero"})
_EXACT.update({"multinomial": "multinomial", "amax": "minmax", "amin": "minmax"})  # helper M
for _n in "cat concat concatenate stack hstack vstack dstack column_stack row_stack".split():
    _EXACT[_n] = "cat"          # castable, with cat's own TypeError
for _n in ("argmax argmin isin softmax log_softmax index_copy index_add scatter scatter_add "
           "scatter_reduce linear avg_pool2d avg_pool3d").split():
    _EXACT[_n] = "ctype"
# nn.functional's builtins (torch._C._nn) with out=
for _n in "gelu softplus softshrink hardshrink".split():
    _EXACT[_n] = "found"
_EXACT["log_sigmoid_forward"] = "scalar"  # expected scalar type Float but found Long
_EXACT["linalg_solve_triangular"] = "scalar"
_EXACT["linalg_vecdot"] = "vecdot"         # linalg.vecdot: Expected out of dtypeFloat but ...
_EXACT["bernoulli"] = "any_dtype"  # 0/1 draws are written into out of any dtype
_EXACT.update({"bitwise_not": "found", "all": "bool_or_byte", "any": "bool_or_byte",
               "searchsorted": "searchsorted", "bucketize": "searchsorted",
               "isposinf": "bool_out", "isneginf": "bool_out", "signbit": "bool_out",
               "logsumexp": "float_out", "nansum": "nansum", "nanmean": "nansum",
               "normal": "normal"})
# Functions that compute in out's dtype (any cast allowed) where torch's kernel takes it
for _n in "cumsum cumprod sum prod".split():
    _EXACT[_n] = "into"
# Functions whose dtype= must equal out='s dtype when both are given, with torch's words
_DTYPE_IS_OUT = {n: "Expected out tensor to have dtype {dc}, but got {oc} instead"
                 for n in "sum prod mean cumsum cumprod".split()}
_DTYPE_IS_OUT.update({n: "nansum: provided dtype must match dtype of result. Got {o} and {d}."
                      for n in ("nansum", "nanmean")})
# Output dtypes these kernels have no case for (torch's "not implemented for" on out's dtype)
_INTO_KERNEL = {"cumsum": "cumsum_out_cpu", "cumprod": "cumprod_out_cpu"}


# Functions with a wording of their own for out='s dtype: name -> (rule, message). rule "exact":
# out must have the result's dtype; "cast": the result must cast safely to out's dtype. Fields:
# {r} / {o} the result's / out's legacy dtype names (Float, Long), {rc} / {oc} the C++ names.
_CASTABLE = ("{p}: Expected result to be safely castable from {r} dtype, but got result with "
             "dtype {o}")
_FMT = {n: ("cast", _CASTABLE.replace("{p}", p)) for n, p in (
    ("cholesky", "cholesky"), ("cholesky_inverse", "cholesky_inverse"),
    ("cholesky_solve", "cholesky_solve"), ("linalg_cond", "linalg.cond"),
    ("linalg_householder_product", "torch.linalg.householder_product"),
    ("linalg_matrix_power", "matrix_power"), ("linalg_pinv", "linalg.pinv"),
    ("linalg_tensorinv", "tensorinv"), ("linalg_tensorsolve", "tensorsolve"))}
_CTYPE_MSG = "Expected out tensor to have dtype {rc}, but got {oc} instead"
_MULTI_DOT = "multi_dot(): expected out tensor to have dtype {rc} but got {oc}"
_FMT.update({n: ("exact", _CTYPE_MSG) for n in (
    "cross linalg_cross renorm linalg_vector_norm linalg_lu_solve linalg_solve linalg_inv "
    "linalg_det linalg_eigvalsh linalg_svdvals norm").split()})  # norm: vector_norm's out=
_FMT.update({
    "linalg_multi_dot": ("exact", _MULTI_DOT),
    "chain_matmul": ("exact", _MULTI_DOT),
    "linalg_norm": ("exact", "linalg.norm expected out tensor dtype {r} but got: {o}"),
    "linalg_matrix_norm": ("exact",
                           "linalg.matrix_norm expected out tensor dtype {r} but got: {o}"),
    "conj_physical": ("exact", "Found dtype {o} but expected {r}"),
    "quantile": ("exact", "quantile() out tensor must be same dtype as the input tensor"),
    "nanquantile": ("exact", "quantile() out tensor must be same dtype as the input tensor"),
    "heaviside": ("exact", "heaviside is not yet implemented for tensors with different dtypes."),
    "ormqr": ("exact", "torch.ormqr: Expected input and result to have the same dtype, but input "
                       "has dtype{r} and result has dtype {o}"),
    "float_power": ("exact", "the output given to float_power has dtype {o} but the operation's "
                             "result requires dtype {r}"),
    "nan_to_num": ("exact", "nan_to_num: dtype of out: {o} should be same as input: {r}"),
    "take": ("exact", "take(): self and out expected to have the same dtype, but got self.dtype "
                      "= {r} and out.dtype = {o}"),
    "histc": ("exact", "torch.histogram: input tensor and hist tensor should have the same "
                       "dtype, but got input {rc} and hist {oc}"),
    "inner": ("exact", "tensordot: Expected the output tensor to have dtype {r}, but got an "
                       "output tensor with dtype {o}"),
    "tensordot": ("exact", "tensordot: Expected the output tensor to have dtype {r}, but got an "
                           "output tensor with dtype {o}"),
    "logcumsumexp": ("exact", "expected scalar_type {r} but found {o}"),
    "cummax": ("exact", "expected scalar_type {r} but found {o}"),
    "cummin": ("exact", "expected scalar_type {r} but found {o}"),
    # diag: castable first (its own wording), then exactly the result's dtype
    "diag": ("cast+exact", "diag: result type {r} can't be cast to the desired out= type {o}"),
    "ldexp": ("cast", "ldexp can't be cast to the desired output type {o}"),
})


def _check_fmt(name, result, out):
    rule, msg = _FMT[name]
    if out.dtype == result.dtype or (rule == "cast" and _can_cast(result.dtype, out.dtype)):
        return
    if rule == "cast+exact" and _can_cast(result.dtype, out.dtype):
        msg = _CTYPE_MSG
    raise RuntimeError(msg.format(r=_legacy(result.dtype), o=_legacy(out.dtype),
                                  rc=_c_type(result.dtype), oc=_c_type(out.dtype)))


def _is_float(dtype):
    return dtype.is_floating_point


def _check_out_kind(name, style, result, out):
    """The styles where what out's dtype must be does not depend on the result's dtype alone.
    True when out's dtype is accepted as it is (no castability check after)."""
    o = _legacy(out.dtype)
    if style == "bool_or_byte":
        if o not in ("Bool", "Byte"):
            raise RuntimeError(f"{name} only supports bool tensor for result, got: {o}")
        return True
    if style == "bool_out":
        if o != "Bool":
            raise RuntimeError(f"{name} does not support non-boolean outputs.")
        return True
    if style == "searchsorted":
        if out.dtype != result.dtype:
            flag = _legacy(result.dtype) == "Int"
            raise RuntimeError(
                "torch.searchsorted(): output tensor's dtype is wrong, it can only be Int(int32) "
                "or Long(int64) depending on whether out_int32 flag is True, but we got output "
                f"tensor's dtype {o} and out_int32 flag is {flag}")
        return True
    if style == "float_out":
        if not _is_float(out.dtype):
            raise RuntimeError(f"{name}(): Expected floating point type for result tensor, but "
                               f"got: {o}")
        return False
    if style in ("nansum", "normal"):
        if not _is_float(out.dtype):
            kernel = "nansum_cpu" if style == "nansum" else "normal_kernel_cpu"
            raise NotImplementedError(f'"{kernel}" not implemented for \'{o}\'')
        return True
    if style == "any_dtype":
        return True
    if style == "into":
        if o == "Bool" and name in _INTO_KERNEL:
            raise NotImplementedError(f'"{_INTO_KERNEL[name]}" not implemented for \'Bool\'')
        return True
    return False


def _check_dtype(name, result, out):
    """True when out's dtype is accepted without the castability check."""
    if name in _FMT:
        _check_fmt(name, result, out)
        return True
    style = _EXACT.get(name)
    if isinstance(result, tuple) and style is None:
        style = "ctype"
    if style == "full_minmax":
        if not _can_cast(result.dtype, out.dtype):
            raise RuntimeError(_CANCAST_MSG)
        return True
    if style in _KIND_STYLES:
        return _check_out_kind(name, style, result, out)
    if style in (None, "cat") or out.dtype == result.dtype:
        if style == "cat" and not _can_cast(result.dtype, out.dtype):
            raise TypeError(f"torch.cat(): input types can't be cast to the desired output type "
                            f"{_legacy(out.dtype)}")
        return
    r, o = _legacy(result.dtype), _legacy(out.dtype)
    msg = {"found": f"Found dtype {o} but expected {r}",
           "ctype": f"Expected out tensor to have dtype {_c_type(result.dtype)}, but got "
                    f"{_c_type(out.dtype)} instead",
           "where": f"Expected out type to be {r} but got {o}",
           "scalar": f"expected scalar type {r} but found {o}",
           "vecdot": f"linalg.vecdot: Expected out of dtype{r} but found {o}",
           "same": f"{name}(): self and result must have the same scalar type",
           "dot": f"result dtype {o} does not match input dtype {r}",
           "nonzero": f"nonzero: Expected out tensor to have scalar type Long but got scalar "
                      f"type{o}",
           "multinomial": f"multinomial expects Long tensor out, got: {o}",
           "minmax": f"Expected the dtype for input and out to match, but got {r} for input's "
                     f"dtype and {o} for out's dtype."}[style]
    raise RuntimeError(msg)


_CANCAST_MSG = ("Expected canCast( typeMetaToScalarType(self.dtype()), typeMetaToScalarType("
                "out.dtype())) to be true, but got false.  (Could this error message be "
                "improved?  If so, please report an enhancement request to PyTorch.)")
_KIND_STYLES = frozenset(("bool_or_byte", "bool_out", "searchsorted", "float_out", "nansum",
                          "normal", "into", "any_dtype"))


def _can_cast(a, b):
    from . import can_cast
    return can_cast(a, b)


def _any_requires_grad(values):
    return any(t.requires_grad for t in _flat_tensors(values))


def _write_one(name, result, out):
    from . import can_cast, no_grad
    if not isinstance(out, Tensor):
        raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    if not isinstance(result, Tensor):  # a Python number (e.g. a 0-d result handed back as such)
        from . import tensor
        result = tensor(result)
    if out.device != result.device:
        raise RuntimeError(f"Expected out tensor to have device {result.device}, but got "
                           f"{out.device} instead")
    if not _check_dtype(name, result, out) and not can_cast(result.dtype, out.dtype):
        raise RuntimeError(f"result type {_legacy(result.dtype)} can't be cast to the desired "
                           f"output type {_legacy(out.dtype)}")
    shape = tuple(result.shape)
    with no_grad():
        if tuple(out.shape) != shape:
            if out.numel() != 0 and name not in _SILENT_RESIZE:
                warnings.warn(
                    f"An output with one or more elements was resized since it had shape "
                    f"{list(out.shape)}, which does not match the required output shape "
                    f"{list(shape)}. This behavior is deprecated, and in a future PyTorch release "
                    "outputs will not be resized unless they have zero elements. You can "
                    "explicitly reuse an out tensor t by resizing it, inplace, to zero elements "
                    "with t.resize_(0).", UserWarning, stacklevel=4)
            out.resize_(shape)
        if name not in _COPY_RECORDED:
            out.copy_(result)
    if name in _COPY_RECORDED:  # torch's composite writes out with copy_ (CopyBackwards)
        out.copy_(result)
    return out


_COPY_RECORDED = {"inner", "tensordot", "linalg_norm"}


# Functions whose kernel resizes out without torch's resize_output warning
_SILENT_RESIZE = {"log_sigmoid_forward"}


# Functions whose out= may share no memory with an input (torch's assert_no_overlap): the
# kernel reads the input at scattered positions, so an aliased out would be read after written.
_NO_OVERLAP = {"gather", "take", "index_select", "masked_select", "kthvalue"}
# Of those, the structured kernels check after out is resized (the rest check out as given).
_OVERLAP_AFTER_RESIZE = {"gather"}


# Functions whose out= torch writes through a TensorIterator: an input that overlaps out other
# than element for element (x.t(), a shifted slice) is refused (assert_no_partial_overlap; out
# itself as an input is fine). cat and its relatives refuse any overlap (assert_no_overlap).
_PARTIAL_OVERLAP = set((
    "abs absolute acos acosh add addcdiv addcmul addr arccos arccosh arcsin arcsinh arctan "
    "arctan2 arctanh asin asinh atan atan2 atanh bitwise_and bitwise_left_shift bitwise_not "
    "bitwise_or bitwise_right_shift bitwise_xor ceil clamp clamp_max clamp_min clip copysign "
    "cos cosh deg2rad digamma div divide eq erf erfc erfinv exp exp2 expm1 fix float_power "
    "floor floor_divide fmax fmin fmod frac gcd ge greater greater_equal gt heaviside hypot i0 "
    "igamma igammac isneginf isposinf lcm ldexp le lerp less less_equal lgamma log log10 log1p "
    "log2 logaddexp logaddexp2 logical_and logical_not logical_or logical_xor logit lt maximum "
    "minimum mul multiply nan_to_num ne neg negative nextafter not_equal polygamma pow "
    "rad2deg reciprocal remainder round rsqrt sgn sigmoid sign signbit sin sinc sinh sqrt "
    "square sub subtract tan tanh true_divide trunc where xlogy").split())
_FULL_OVERLAP = set("cat concat concatenate stack hstack vstack dstack column_stack "
                    "row_stack".split())


def _check_iterator_overlap(name, out, inputs):
    """torch's overlap errors of out= for the functions in _PARTIAL_OVERLAP / _FULL_OVERLAP."""
    full = name in _FULL_OVERLAP
    if not (full or name in _PARTIAL_OVERLAP) or not isinstance(out, Tensor):
        return
    from . import _C
    for v in inputs:
        for t in (v if isinstance(v, (tuple, list)) else (v,)):
            if isinstance(t, Tensor):
                _C._check_no_overlap(out, t, full)


def _span(t):
    """[first, last) byte addresses t touches (empty tensors touch none)."""
    if t.numel() == 0:
        return 0, 0
    lo = hi = t.data_ptr()
    size = t.element_size()
    for n, st in zip(t.shape, t.stride()):
        if st < 0:
            lo += (n - 1) * st * size
        else:
            hi += (n - 1) * st * size
    return lo, hi + size


def _check_overlap(out, inputs, result=None):
    """torch's assert_no_internal_overlap / assert_no_overlap; with result, as out will be once
    resized to result's shape (contiguous from its first element)."""
    outs = out if isinstance(out, (tuple, list)) else (out,)
    results = result if isinstance(result, (tuple, list)) else (result,) * len(outs)
    flat = []
    for v in inputs:
        if isinstance(v, Tensor):
            flat.append(v)
        elif isinstance(v, (tuple, list)):
            flat.extend(x for x in v if isinstance(x, Tensor))
    for o, r in zip(outs, results):
        if not isinstance(o, Tensor):
            continue
        if isinstance(r, Tensor) and tuple(r.shape) != tuple(o.shape):
            a = o.data_ptr()
            b = a + r.numel() * o.element_size() if r.numel() else a
        elif any(st == 0 and n > 1 for n, st in zip(o.shape, o.stride())):
            raise RuntimeError(  # torch's assert_no_internal_overlap (an expanded out)
                "unsupported operation: more than one element of the written-to tensor refers "
                "to a single memory location. Please clone() the tensor before performing the "
                "operation.")
        else:
            a, b = _span(o)
        for t in flat:
            c, d = _span(t)
            if a < d and c < b:
                raise RuntimeError(
                    "unsupported operation: some elements of the input tensor and the written-to "
                    "tensor refer to a single memory location. Please clone() the tensor before "
                    "performing the operation.")


# Functions without a derivative in torch (or whose out= form torch composes from others
# without its autograd check): their out= forms take inputs (and an out) that require grad,
# where every other function refuses them
_NOT_DIFFERENTIABLE = set((
    "eq ne lt le gt ge greater greater_equal less less_equal not_equal logical_and logical_or "
    "logical_xor logical_not argmax argmin nonzero searchsorted bucketize isin signbit isposinf "
    "isneginf histc histogram floor_divide "
    # and composites whose out= path torch writes without the check
    "diag inner tensordot linalg_norm").split())


def _first_tensor(inputs):
    ts = _flat_tensors(inputs)
    return ts[0] if ts else None


def _flat_tensors(values):
    out = []
    for v in values:
        if isinstance(v, Tensor):
            out.append(v)
        elif isinstance(v, (list, tuple)):
            out.extend(_flat_tensors(v))
    return out


# out= forms torch records as a NotImplemented node when an input requires grad (their
# backward raises, naming the kernel torch ran), and refuses for an out that requires grad
_NOT_IMPLEMENTED_OUT = {
    "floor_divide": lambda inputs: "floor_divide",
    "diag": lambda inputs: ("diag_embed" if getattr(_first_tensor(inputs), "ndim", 1) == 1
                            else "diagonal_copy"),
}


def write_out(name, result, out, inputs=(), key=None):
    """Puts result (a tensor, or a tuple of them) into out with torch's out= rules (those of
    key where the overload matters, e.g. "max.full")."""
    from . import is_grad_enabled
    if (is_grad_enabled() and name not in _NOT_DIFFERENTIABLE
            and (_any_requires_grad(inputs) or _any_requires_grad([out]))):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    kernel = _NOT_IMPLEMENTED_OUT.get(name)
    if kernel is not None and is_grad_enabled():
        kernel = kernel(inputs)
        if isinstance(out, Tensor) and out.requires_grad:
            raise RuntimeError(f"aten::{kernel}(): functions with out=... arguments don't "
                               "support automatic differentiation, but one of the arguments "
                               "requires grad.")
        if _any_requires_grad(inputs):
            from ._not_differentiated import _not_implemented
            return _not_implemented(kernel, [t for t in _flat_tensors(inputs) if t.requires_grad],
                                    _write_one(key or name, result, out))
    if isinstance(result, tuple):
        if not isinstance(out, (tuple, list)):
            raise TypeError(f"{name}(): argument 'out' must be tuple of Tensors, not "
                            f"{type(out).__name__}")
        if len(out) != len(result):
            raise TypeError(f"expected tuple of {len(result)} elements but got {len(out)}")
        outs = tuple(_write_one(key or name, r, o) for r, o in zip(result, out))
        if hasattr(result, "_fields"):
            from .return_types import _out_type
            return _out_type(type(result))(*outs)
        return outs
    return _write_one(key or name, result, out)


# max(x, out=) / min(x, out=), the full reductions, take any out dtype the result casts to,
# with their own wording; max(x, y, out=) is maximum's; the (values, indices) forms need the
# exact dtypes
_EXACT.update({"max.full": "full_minmax", "min.full": "full_minmax"})


def _dtype_rule_key(name, args, kwargs):
    if name == "norm":  # torch.norm writes out through linalg's vector_norm, or matrix_norm
        p = args[1] if len(args) > 1 else kwargs.get("p")
        return "linalg_matrix_norm" if p == "nuc" else None
    if name not in ("max", "min"):
        return None
    if len(args) + len(kwargs) == 1:
        return name + ".full"
    other = args[1] if len(args) > 1 else kwargs.get("other")
    return name + "imum" if isinstance(other, Tensor) else None


def call(name, out, fn, *args, _parsed_as=None, **kwargs):
    """fn(*args, **kwargs) written into out (a function's own out= keyword, given): what wrap()
    does, for the functions that take out= in their own def (nn.functional's builtins in torch,
    whose call without out= then costs nothing extra). _parsed_as: torch's name of the function
    in its parser's TypeError, where the kernel's name (in name) differs."""
    if not isinstance(out, Tensor):
        raise TypeError(f"{_parsed_as or name}(): argument 'out' must be Tensor, not "
                        f"{type(out).__name__}")
    return write_out(name, fn(*args, **kwargs), out, (args, tuple(kwargs.values())))


def wrap(name, fn):
    """fn with torch's out= keyword (handled by write_out); fn itself never sees out=."""
    @functools.wraps(fn)
    def with_out(*args, out=None, **kwargs):
        if out is None:
            return fn(*args, **kwargs)
        if not isinstance(out, (Tensor, tuple, list)):  # parsed before anything runs, as in torch
            if name in _OVERLOADS:
                raise _invalid_combination(name, args, dict(kwargs, out=out))
            raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
        if name in _FACTORIES and kwargs.get("dtype") is None and isinstance(out, Tensor):
            kwargs["dtype"] = out.dtype  # torch.zeros(2, out=long_tensor) makes longs
        elif (name in _FACTORIES and isinstance(out, Tensor)
              and isinstance(kwargs.get("dtype"), type(out.dtype))
              and kwargs["dtype"] != out.dtype):
            raise RuntimeError(f"dtype {_legacy(kwargs['dtype'])} does not match dtype of out "
                               f"parameter ({_legacy(out.dtype)})")
        if name in ("sum", "prod") and len(args) < 2 and "dim" not in kwargs:
            # torch's sum(input, *, dtype) / prod(input, *, dtype) have no out=
            if "dtype" in kwargs:
                raise TypeError(f'{name}() missing 1 required positional arguments: "dim"')
            raise TypeError(f"{name}() received an invalid combination of arguments - got "
                            "(Tensor, out=Tensor), but expected one of:\n"
                            " * (Tensor input, *, torch.dtype dtype = None)\n"
                            " * (Tensor input, tuple of ints dim, bool keepdim = False, *, "
                            "torch.dtype dtype = None, Tensor out = None)\n")
        if name in _DTYPE_IS_OUT and isinstance(out, Tensor) and \
                kwargs.get("dtype") is not None and kwargs["dtype"] != out.dtype:
            # a dtype= given with out= must be out's (torch checks before computing)
            raise RuntimeError(_DTYPE_IS_OUT[name].format(
                d=_legacy(kwargs["dtype"]), o=_legacy(out.dtype), dc=_c_type(kwargs["dtype"]),
                oc=_c_type(out.dtype)))
        if (_EXACT.get(name) == "into" and kwargs.get("dtype") is None
              and isinstance(out, Tensor) and out.dtype != _bool()):
            kwargs["dtype"] = out.dtype  # the input is cast to out's dtype before the kernel
        if isinstance(out, Tensor) and name in _TUPLE_RESULTS:  # parsed before anything runs
            raise TypeError(f"{name}(): argument 'out' must be tuple of Tensors, not Tensor")
        if name in ("median", "nanmedian") and len(args) < 2 and "dim" not in kwargs:
            # torch's median(input) has no out=: only the (input, dim, ...) form takes one
            raise TypeError(f'{name}() missing 1 required positional arguments: "dim"')
        first = _OUT_CHECKED_FIRST.get(name)
        if first is not None:
            args = first(args, kwargs, out) or args  # (new args where out shapes the call)
        if name in _NO_OVERLAP and name not in _OVERLAP_AFTER_RESIZE:
            _check_overlap(out, args + tuple(kwargs.values()))
        _check_iterator_overlap(name, out, args + tuple(kwargs.values()))
        result = fn(*args, **kwargs)
        if name in _OVERLAP_AFTER_RESIZE:
            _check_overlap(out, args + tuple(kwargs.values()), result)
        return write_out(name, result, out, (args, tuple(kwargs.values())),
                         key=_dtype_rule_key(name, args, kwargs))
    with_out._tapegrad_out = True
    return with_out


# Functions whose out= is a tuple in every signature (max/min/median also have one-tensor forms)
_TUPLE_RESULTS = set((
    "sort topk kthvalue mode cummax cummin aminmax frexp geqrf histogram qr svd "
    "triangular_solve lu_unpack slogdet").split())


def _multinomial_out_first(args, kwargs, out):
    """torch checks multinomial's out dtype right after the input's rank and dtype, before
    n_sample and the distribution itself (which an uninitialised input may fail)."""
    x = args[0] if args else kwargs.get("input")
    if (isinstance(out, Tensor) and isinstance(x, Tensor) and x.dim() in (1, 2)
            and x.dtype.is_floating_point and out.dtype != _int64()):
        _check_dtype("multinomial", x.new_empty(0, dtype=_int64()), out)


def _bool():
    from . import bool as b
    return b


def _int64():
    from . import int64
    return int64


def _invalid_combination(name, args, kwargs):
    """torch's parser error for an overloaded function none of whose signatures fits."""
    def tn(v):
        return "Tensor" if isinstance(v, Tensor) else type(v).__name__
    got = [tn(a) for a in args] + [f"{k}={tn(v)}" for k, v in sorted(kwargs.items())]
    return TypeError(f"{name}() received an invalid combination of arguments - got "
                     f"({', '.join(got)}), but expected one of:\n"
                     + "".join(f" * {sig}\n" for sig in _OVERLOADS[name]))


# torch's signatures of the overloaded functions with out= (as its parser lists them)
_OVERLOADS = {
    "bernoulli": ("(Tensor input, *, torch.Generator generator = None, Tensor out = None)",
                  "(Tensor input, float p, *, torch.Generator generator = None)"),
    "scatter": ("(Tensor input, int dim, Tensor index, Tensor src, *, Tensor out = None)",
                "(Tensor input, int dim, Tensor index, Tensor src, *, str reduce, "
                "Tensor out = None)",
                "(Tensor input, int dim, Tensor index, Number value, *, Tensor out = None)",
                "(Tensor input, int dim, Tensor index, Number value, *, str reduce, "
                "Tensor out = None)"),
}


def _bernoulli_out_first(args, kwargs, out):
    """torch.bernoulli(input, p, out=): the float-p overload has no out= (a parser error)."""
    if len(args) > 1 or kwargs.get("p") is not None:
        raise _invalid_combination("bernoulli", args, dict(kwargs, out=out))


def _infer_size(a, b):
    """torch's at::infer_size: the broadcast of two shapes, "tensor a" the first."""
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y and 1 not in (x, y):
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b "
                               f"({y}) at non-singleton dimension {i}")
    return tuple(y if x == 1 else x for x, y in zip(a, b))


def _normal_out_first(args, kwargs, out):
    """torch.normal's out= forms: numbers, a size and a dtype other than out's are refused
    before anything is drawn; a tensor mean with a number std draws in the broadcast of mean's
    and out's shapes (torch's normal_out takes out's own shape into account there)."""
    if not isinstance(out, Tensor):
        return None
    mean = args[0] if args else kwargs.get("mean")
    std = args[1] if len(args) > 1 else kwargs.get("std", 1.0)
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    dtype = kwargs.get("dtype")
    if not mt and not st:
        if dtype is not None and dtype != out.dtype:
            raise RuntimeError(f"dtype {_legacy(dtype)} does not match dtype of out parameter "
                               f"({_legacy(out.dtype)})")
        return None
    if mt and not st:
        if isinstance(std, (int, float)) and std < 0:
            return None  # the function's own std check comes first
        shape = _infer_size(tuple(mean.shape), tuple(out.shape))
        if shape != tuple(mean.shape) and args:
            return (mean.expand(shape),) + tuple(args[1:])
        if shape != tuple(mean.shape):
            kwargs["mean"] = mean.expand(shape)
    return None


# ops whose torch kernel checks out= before the inputs' values (name -> check(args, kwargs,
# out), which may hand back the arguments to call with instead)
def _where_out_first(args, kwargs, out):
    """torch.where's number overloads have no out=: with out, input and other must be tensors
    (its parser's TypeError, the position given when the argument was positional)."""
    for pos, name in ((1, "input"), (2, "other")):
        if len(args) > pos:
            v, where = args[pos], f" (position {pos + 1})"
        elif name in kwargs:
            v, where = kwargs[name], ""
        else:
            continue
        if not isinstance(v, Tensor):
            raise TypeError(f"where(): argument '{name}'{where} must be Tensor, not "
                            f"{type(v).__name__}")


_OUT_CHECKED_FIRST = {"multinomial": _multinomial_out_first, "bernoulli": _bernoulli_out_first,
                      "normal": _normal_out_first, "where": _where_out_first}


_FACTORIES = {"zeros", "ones", "empty", "full", "arange", "range", "linspace", "logspace", "eye",
              "randint", "randn", "rand", "randperm"}


def install(namespace):
    """Wraps every OUT_FUNCS name present in namespace (a module's globals), once."""
    for name in OUT_FUNCS:
        fn = namespace.get(name)
        if fn is None or getattr(fn, "_tapegrad_out", False) or not callable(fn):
            continue
        namespace[name] = wrap(name, fn)
