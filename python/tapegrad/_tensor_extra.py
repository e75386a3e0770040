"""torch's remaining everyday Tensor methods and their torch.* forms: put/put_, fill_diagonal_,
apply_/map_/map2_, angle, bitwise shifts (and << >>), the *_copy view functions (grad_fn
ViewBackward0_copy & co), torch.<unary>_ in-place functions, fill/zero_/detach, scalar_tensor,
empty_strided/new_empty_strided, the geometry-changing in-place methods (t_, transpose_,
swapaxes_, swapdims_, unsqueeze_, as_strided_, resize_, resize_as_, set_, is_set_to), device
and layout flags a strided CPU/CUDA tensor answers (is_meta, dense_dim, to_dense, ...), and the
process-wide switches torch code sets (use_deterministic_algorithms, matmul precision, ...)."""
import builtins as _builtins
import math as _math

from . import _C, _pynode
from ._C import Tensor
from ._grad_mode import no_grad as _no_grad
from ._tensor_aliases import apply_inplace as _apply_inplace

__all__ = ["put", "angle", "bitwise_left_shift", "bitwise_right_shift", "fill", "zero_",
           "detach", "detach_", "scalar_tensor", "empty_strided", "empty_permuted", "adjoint",
           "is_inference", "is_inference_mode_enabled", "get_default_device",
           "set_default_device", "use_deterministic_algorithms",
           "are_deterministic_algorithms_enabled",
           "is_deterministic_algorithms_warn_only_enabled", "set_deterministic_debug_mode",
           "get_deterministic_debug_mode", "set_float32_matmul_precision",
           "get_float32_matmul_precision", "set_warn_always", "is_warn_always_enabled",
           "compiled_with_cxx11_abi", "is_storage", "unsafe_chunk", "unsafe_split",
           "unsafe_split_with_sizes", "set_flush_denormal"]

from ._dtype_names import type_name as _type_name  # noqa: E402


def _check_leaf_inplace(self):
    # a leaf that requires grad, or a view of one (torch's check_inplace)
    _C._check_inplace_autograd(self)


# ---- put, fill_diagonal_ ---------------------------------------------------------------------
def put(input, index, source, accumulate=False):
    """A copy of input with source written (or added) at the flat indices index."""
    n = input.numel()
    if index.is_floating_point() or index.dtype == _C.bool:
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got "
                           f"{_type_name(index.dtype)}")
    if input.dtype != source.dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {_type_name(input.dtype)} and source.dtype = "
                           f"{_type_name(source.dtype)}")
    if index.numel() != source.numel():
        raise IndexError(f"put_(): Expected source and index to have the same number of "
                           f"elements, but got source.numel() = {source.numel()}, "
                           f"index.numel() = {index.numel()}")
    flat_idx = index.reshape(-1).to(_C.int64)
    for v in flat_idx.tolist():
        if not -n <= v < n:
            raise IndexError(f"out of range: tried to access index {v} on a tensor of {n} "
                             "elements.")
    flat_idx = _C.where(flat_idx < 0, flat_idx + n, flat_idx)
    with _no_grad():
        out = input.detach().clone().contiguous()
        flat = out.view(-1)
        src = source.detach().reshape(-1).to(input.dtype)
        flat.index_put_((flat_idx,), src, accumulate)

    def backward(g):
        gi = g if accumulate else put(g, index, g.new_zeros(source.shape))
        return [gi, g.reshape(-1)[flat_idx].reshape(source.shape).to(source.dtype)]
    return _pynode.record("PutBackward0", backward, [input, source], out,
                          {"accumulate": accumulate, "index": index})


def _put_(self, index, source, accumulate=False):
    _check_leaf_inplace(self)
    return _apply_inplace(self, lambda old: put(old, index, source, accumulate), source)


def _fill_diagonal_(self, fill_value, wrap=False):
    """torch's fill_diagonal_: the main diagonal as a strided view of self, filled in place
    (tall matrices with wrap=True continue every width + 1 rows)."""
    nd = self.dim()
    if nd < 2:
        raise RuntimeError("dimensions must larger than 1")
    h, w = self.shape[0], self.shape[1]
    if nd > 2 and any(s != h for s in self.shape[1:]):
        raise RuntimeError("all dimensions of input must be of equal length")
    off = self.storage_offset()
    stride = sum(self.stride())
    size = min(h, w)
    self.as_strided((size,), (stride,), off).fill_(fill_value)
    if wrap and nd == 2 and h > w + 1:
        step = w + 1
        wrap_size = (self.numel() + step - 1) // step - size
        self.as_strided((wrap_size,), (stride,), off + self.stride(0) * (w + 1)).fill_(fill_value)
    return self


# ---- apply_, map_, map2_ ---------------------------------------------------------------------
def _elementwise_py(name, self, others, fn):
    if self.requires_grad:
        raise RuntimeError(f"Can't call {name}() on Variable that requires grad. Use "
                           f"var.detach().{name}() instead.")
    if self.device.type != "cpu":
        raise TypeError(f"{name}_ is only implemented on CPU tensors")
    with _no_grad():
        vals = [self.reshape(-1).tolist()] + [
            o.detach().to(self.dtype).expand(self.shape).reshape(-1).tolist() for o in others]
        res = [fn(*args) for args in zip(*vals)]
        self.copy_(_C.tensor(res, dtype=self.dtype).reshape(list(self.shape))
                   if res else self)
    return self


def _apply_(self, callable):
    return _elementwise_py("apply_", self, [], callable)


def _map_(self, tensor, callable):
    return _elementwise_py("map_", self, [tensor], callable)


def _map2_(self, x, y, callable):
    return _elementwise_py("map2_", self, [x, y], callable)


# ---- angle, shifts ---------------------------------------------------------------------------
def angle(input, *, out=None):
    """The argument of a real number: pi for negatives, 0 otherwise, NaN kept (float result)."""
    if out is not None:
        raise NotImplementedError("angle(out=...) is not supported by tapegrad")
    with _no_grad():
        x = input if input.is_floating_point() else input.to(_C.get_default_dtype())
        zero = _C._full([], 0.0, x.dtype, x._device_str)
        # NaN stays NaN; -0.0 and inf give +0.0 (x * 0 would give -0.0 and NaN)
        res = _C.where(x < 0, _C._full([], _math.pi, x.dtype, x._device_str),
                       _C.where(x != x, x, zero))
    return _pynode.record("AngleBackward0", lambda g: [g * 0], [input], res,
                          {"self": input})


def _int_only(name, a, b):
    """torch's shift kernels: integer dtypes only, checked on the promoted dtype (a long tensor
    shifted by 1.5 is a float computation; a bool one by a bool is a bool one). The shapes are
    checked first, as torch's TensorIterator does."""
    if isinstance(a, Tensor) and isinstance(b, Tensor) and a.shape != b.shape:
        import tapegrad as _tg
        _tg.broadcast_tensors(a, b)
    dt = _C.result_type(a, b)
    if dt.is_floating_point or dt == _C.bool:
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{_type_name(dt)}'")


def _shift_(fn):
    def shift_(self, other):
        import tapegrad as _tg
        _check_leaf_inplace(self)  # torch's autograd check, then the shapes, then the dtypes
        if isinstance(other, Tensor) and other.shape != self.shape:
            shape = _tg.broadcast_tensors(self, other)[0].shape
            if shape != self.shape:
                raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the "
                                   f"broadcast shape {list(shape)}")
        dt = _C.result_type(self, other)
        if not _tg.can_cast(dt, self.dtype):
            raise RuntimeError(f"result type {_type_name(dt)} can't be cast to the desired "
                               f"output type {_type_name(self.dtype)}")
        return self.copy_(fn(self, other))
    return shift_


def _reflected_shift(fn):
    """other << self for a Python number other: a float one makes a float computation."""
    def rshift(self, other):
        import tapegrad as _tg
        if isinstance(other, float):
            _int_only("lshift" if fn is bitwise_left_shift else "rshift", self, other)
        return fn(_tg.tensor(other, dtype=_C.result_type(self, other)), self)
    return rshift


def _bits(dtype):
    return {_C.int64: 64, _C.int32: 32, _C.int16: 16, _C.int8: 8, _C.uint8: 8, _C.bool: 8}[dtype]


def _is_number(v):
    return isinstance(v, (int, float, complex)) or (
        type(v).__module__ == "numpy" and getattr(v, "ndim", None) == 0)


def _shift_args(name, input, other):
    # torch's overloads: (Tensor, Tensor), (Number, Tensor), (Tensor, Number)
    if (not isinstance(input, Tensor) and not isinstance(other, Tensor)) or not (
            (isinstance(input, Tensor) or _is_number(input))
            and (isinstance(other, Tensor) or _is_number(other))):
        raise TypeError(
            f"{name}() received an invalid combination of arguments - got "
            f"({type(input).__name__}, {type(other).__name__}), but expected one of:\n"
            " * (Tensor input, Tensor other, *, Tensor out = None)\n"
            " * (Number self, Tensor other)\n"
            " * (Tensor input, Number other, *, Tensor out = None)\n")


def bitwise_left_shift(input, other, *, out=None):
    import tapegrad as _tg
    _shift_args("bitwise_left_shift", input, other)
    if not isinstance(input, Tensor):
        input = _tg.tensor(input)
    _int_only("lshift", input, other)
    b = other if isinstance(other, Tensor) else _tg.tensor(other)
    dtype = _C.result_type(input, other)  # a Python number promotes a bool input to int64
    bits = _bits(dtype)
    a = input.to(_C.int64)
    bb = b.to(_C.int64)
    ok = (bb >= 0) & (bb < bits)
    factor = _C.pow(_C._full([], 2, _C.int64, "cpu"), bb.clamp(0, 62))
    res = _C.where(ok, a * factor, a * 0)
    return res.to(dtype)


def bitwise_right_shift(input, other, *, out=None):
    import tapegrad as _tg
    _shift_args("bitwise_right_shift", input, other)
    if not isinstance(input, Tensor):
        input = _tg.tensor(input)
    _int_only("rshift", input, other)
    b = other if isinstance(other, Tensor) else _tg.tensor(other)
    dtype = _C.result_type(input, other)  # a Python number promotes a bool input to int64
    bits = _bits(dtype)
    a = input.to(_C.int64)
    bb = b.to(_C.int64)
    # torch: a shift past the width, or a negative one, is a shift by width - 1 (0 or -1)
    bb = _C.where(bb < 0, bits - 1, bb.clamp(0, bits - 1))
    factor = _C.pow(_C._full([], 2, _C.int64, "cpu"), bb.clamp(0, 62))
    return (a // factor).to(dtype)


# ---- *_copy views, in-place function forms, small torch.* functions --------------------------
# the *_copy functions' required arguments after input (torch: "missing ... arguments")
_COPY_REQUIRED = {"view": (), "expand": ("size",), "permute": ("dims",),
                  "select": ("dim", "index"), "transpose": ("dim0", "dim1"),
                  "unsqueeze": ("dim",), "split": ("split_size",),
                  "split_with_sizes": ("split_sizes",), "as_strided": ("size", "stride"),
                  "unfold": ("dimension", "size", "step"), "narrow": ("dim", "start", "length")}


def _copy_missing(view_name, args, kwargs):
    name = view_name + "_copy"
    if view_name == "view":
        if not args and not kwargs:
            raise TypeError(f"{name}() received an invalid combination of arguments - got "
                            "(Tensor), but expected one of:\n"
                            " * (Tensor input, torch.dtype dtype, *, Tensor out = None)\n"
                            " * (Tensor input, tuple of ints size, *, Tensor out = None)\n")
        return
    need = _COPY_REQUIRED[view_name][len(args):]
    missing = [k for k in need if k not in kwargs]
    if missing:
        n = len(missing)
        raise TypeError(f"{name}() missing {n} required positional argument"
                        f"{'s' if n == 1 else ''}: " + ", ".join(f'"{k}"' for k in missing))


def _copy_form(view_name, node):
    def fn(input, *args, out=None, **kwargs):
        if view_name in _COPY_REQUIRED and len(args) < len(_COPY_REQUIRED[view_name]) + (
                view_name == "view"):
            _copy_missing(view_name, args, kwargs)
        if out is not None:
            raise NotImplementedError(f"{view_name}_copy(out=...) is not supported by tapegrad")
        import tapegrad as _tg
        view = _C._alias if view_name == "alias" else (
            getattr(_tg, view_name, None) or getattr(Tensor, view_name))

        def f(x):
            r = view(x, *args, **kwargs)
            return [t.clone() for t in r] if isinstance(r, (tuple, list)) else r.clone()
        if isinstance(f(input.detach()), list):  # multi-output views: one node per piece
            pieces = []
            with _no_grad():
                n = len(f(input.detach()))
            for k in range(n):
                pieces.append(_pynode.composite(node, lambda x, k=k: f(x)[k], [input]))
            return tuple(pieces)  # a tuple, as torch returns a Tensor[] result
        return _pynode.composite(node, f, [input])
    fn.__name__ = view_name + "_copy"
    return fn


_COPY_FORMS = {"view": "ViewBackward0_copy", "expand": "ExpandBackward0_copy",
               "permute": "PermuteBackward0_copy", "select": "SelectBackward0_copy",
               "squeeze": "SqueezeBackward0_copy", "t": "TBackward0_copy",
               "transpose": "TransposeBackward0_copy", "unsqueeze": "UnsqueezeBackward0_copy",
               "unbind": "UnbindBackward0_copy", "split": "SplitBackward0_copy",
               "split_with_sizes": "SplitWithSizesBackward0_copy",
               "alias": "AliasBackward0_copy", "as_strided": "AsStridedBackward0_copy",
               "unfold": "UnfoldBackward0_copy", "diagonal": "DiagonalBackward0_copy",
               "narrow": "NarrowBackward0_copy"}
COPY_FUNCTIONS = {v + "_copy": _copy_form(v, n) for v, n in _COPY_FORMS.items()}


def _slice_copy(input, dim=0, start=None, end=None, step=1):
    def f(x):
        return _C._slice(x, dim, start, end, step).clone()
    return _pynode.composite("SliceBackward0_copy", f, [input])


def _detach_copy(input):
    with _no_grad():
        out = input.detach().clone()

    def not_implemented(g):
        raise RuntimeError("the derivative for 'detach_copy' is not implemented.")
    return _pynode.record("torch::autograd::NotImplemented", not_implemented, [input], out,
                          cls_name="NotImplemented")


COPY_FUNCTIONS["slice_copy"] = _slice_copy
COPY_FUNCTIONS["detach_copy"] = _detach_copy
__all__ += sorted(COPY_FUNCTIONS)
globals().update(COPY_FUNCTIONS)


def fill(input, value):
    """Out-of-place fill: a tensor like input holding value everywhere (FillBackward0)."""
    with _no_grad():
        out = input.detach().clone().fill_(value)
    return _pynode.record("FillBackward0", lambda g: [g * 0], [input], out)


def zero_(input):
    return input.zero_()


def detach(input):
    return input.detach()


def detach_(input):
    return input.detach_()


def adjoint(input):
    return input.adjoint() if hasattr(Tensor, "adjoint") else input.transpose(-2, -1)


def scalar_tensor(s, *, dtype=None, layout=None, device=None, pin_memory=None,
                  requires_grad=False):
    import tapegrad as _tg
    from ._layout import check_factory_kwargs
    check_factory_kwargs("scalar_tensor", layout, pin_memory)
    # a value beyond the dtype's range rounds (to inf), as in torch: not full()'s checked fill
    return _tg.tensor(s.item() if isinstance(s, _C.Tensor) else s,
                      dtype=dtype or _C.get_default_dtype(), device=device,
                      requires_grad=requires_grad)


def _strided(size, stride, dtype, device):
    size, stride = [int(s) for s in size], [int(s) for s in stride]
    if len(size) != len(stride):
        raise RuntimeError(f"mismatch in length of strides and shape")
    for n in size:
        if n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: {size}")
    span = 1 + sum((n - 1) * st for n, st in zip(size, stride)) if all(size) else 0
    buf = _C._empty([span], dtype, "cpu")
    if hasattr(_C, "_restride_"):
        return _C._restride_(buf, size, stride, 0)
    return buf.as_strided(size, stride, 0).detach()


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    from ._factories import _finish
    from ._layout import check_factory_kwargs
    check_factory_kwargs("empty_strided", layout, pin_memory)
    t = _strided(size, stride, dtype or _C.get_default_dtype(), device)
    return _finish(t, requires_grad, device)


def _new_empty_strided(self, size, stride, *, dtype=None, layout=None, device=None,
                       requires_grad=False, pin_memory=False):
    from ._layout import check_factory_kwargs
    check_factory_kwargs("new_empty_strided", layout, pin_memory)
    return empty_strided(size, stride, dtype=dtype or self.dtype,
                         device=device if device is not None else self.device,
                         requires_grad=requires_grad)


def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None,
                   requires_grad=False, pin_memory=False):
    """An uninitialised tensor of `size` whose memory runs in the dim order physical_layout."""
    from ._layout import check_factory_kwargs
    check_factory_kwargs("empty_permuted", layout, pin_memory)
    size = list(size)
    order = list(physical_layout)
    if len(order) != len(size):
        raise RuntimeError("Number of dimensions in size does not match the length of the "
                           "physical_layout; i.e. len(size) = " f"{len(size)} is not equal to "
                           f"len(physical_layout) = {len(order)}")
    seen = set()
    for i, d in enumerate(order):  # torch's checks, in its order
        if not 0 <= d < len(size):
            raise RuntimeError(f"Dimension out of range (expected to be between 0 and "
                               f"{len(size) - 1}, but got {d} at index {i}).  NB: negative dims "
                               "not currently supported; file an issue if you want it.")
        if d in seen:
            raise RuntimeError("Duplicate dim not allowed")
        seen.add(d)
    stride = [0] * len(size)
    acc = 1
    for d in reversed(order):
        stride[d] = acc
        acc *= size[d]
    return empty_strided(size, stride, dtype=dtype, device=device, requires_grad=requires_grad)


def is_inference(input):
    return input.is_inference()


def is_inference_mode_enabled():
    from . import _grad_mode
    fn = getattr(_grad_mode, "is_inference_mode_enabled", None)
    return bool(fn()) if fn else False


def get_default_device():
    from ._tensor import device
    return device("cpu")


def set_default_device(device):
    from ._tensor import device as _device
    if device is not None and _device(device).type != "cpu":
        raise NotImplementedError("tapegrad.set_default_device: only 'cpu' is supported "
                                  "(create CUDA tensors with device='cuda')")


_FLAGS = {"deterministic": False, "warn_only": False, "matmul_precision": "highest",
          "warn_always": False}


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Recorded only: tapegrad's CPU kernels are deterministic already."""
    _FLAGS["deterministic"], _FLAGS["warn_only"] = _builtins.bool(mode), _builtins.bool(warn_only)


def are_deterministic_algorithms_enabled():
    return _FLAGS["deterministic"]


def is_deterministic_algorithms_warn_only_enabled():
    return _FLAGS["warn_only"]


def set_deterministic_debug_mode(debug_mode):
    names = {"default": 0, "warn": 1, "error": 2}
    if not isinstance(debug_mode, (str, int)):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    if isinstance(debug_mode, str):
        if debug_mode not in names:
            raise RuntimeError("invalid value of debug_mode, expected one of `default`, `warn`, "
                               f"`error`, but got {debug_mode}")
        debug_mode = names[debug_mode]
    if debug_mode not in (0, 1, 2):
        raise RuntimeError("invalid value of debug_mode, expected 0, 1, or 2, but got "
                           f"{debug_mode}")
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode():
    if not _FLAGS["deterministic"]:
        return 0
    return 1 if _FLAGS["warn_only"] else 2


def set_float32_matmul_precision(precision):
    if precision not in ("highest", "high", "medium"):
        raise RuntimeError(f"Invalid precision: {precision}")
    _FLAGS["matmul_precision"] = precision


def get_float32_matmul_precision():
    return _FLAGS["matmul_precision"]


def set_warn_always(b):
    _FLAGS["warn_always"] = _builtins.bool(b)


def is_warn_always_enabled():
    return _FLAGS["warn_always"]


def set_flush_denormal(mode):
    return False  # not supported on this build, as torch answers where it cannot


def compiled_with_cxx11_abi():
    return True


def is_storage(obj):
    return False


def _unsafe_pieces(input, pieces, dim, saved, name="UnsafeSplitBackward0"):
    """Copies of the pieces, recorded as one UnsafeSplitBackward0 node (torch's)."""
    with _no_grad():
        outs = [p.detach().clone() for p in pieces]
    shapes = [tuple(p.shape) for p in pieces]

    def backward(grads):
        import tapegrad as _tg
        full = [g if g is not None else _tg.zeros(sh, dtype=input.dtype)
                for g, sh in zip(grads, shapes)]
        return [_tg.cat(full, dim)]
    return _pynode.record_multi(name, backward, [input], outs, saved)


def unsafe_chunk(input, chunks, dim=0):
    pieces = input.detach().chunk(chunks, dim)
    size = pieces[0].shape[dim] if pieces else 0
    return tuple(_unsafe_pieces(input, pieces, dim, {"dim": dim & 0xFFFF_FFFF_FFFF_FFFF,
                                                     "split_size": size}))


def unsafe_split(input, split_size, dim=0):
    pieces = input.detach().split(split_size, dim)
    return tuple(_unsafe_pieces(input, pieces, dim, {"dim": dim & 0xFFFF_FFFF_FFFF_FFFF,
                                                     "split_size": split_size}))


def unsafe_split_with_sizes(input, split_sizes, dim=0):
    pieces = input.detach().split(list(split_sizes), dim)
    return tuple(_unsafe_pieces(input, pieces, dim, {"dim": dim & 0xFFFF_FFFF_FFFF_FFFF,
                                                     "split_sizes": tuple(split_sizes)},
                                 "UnsafeSplitWithSizesBackward0"))


# ---- in-place geometry changes (bind_tensor_geometry.cpp) ------------------------------------
def _restride_inplace(self, name, sizes, strides, offset, backward, saved):
    """self takes the new geometry; its history goes through a node `name` mapping the new
    shape's gradient back (torch's TBackward1, TransposeBackward1, ...)."""
    _check_leaf_inplace(self)
    needs = self.requires_grad and _C.is_grad_enabled()
    if needs:
        # the node's edge and input shape are self's before the change
        _pynode.record(name, lambda g: [backward(g)], [self], self, saved)
    return _C._restride_(self, list(sizes), list(strides), offset)


def _wrapd(d, n):
    m = max(n, 1)
    if not -m <= d < m:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-m}, {m - 1}], "
                         f"but got {d})")
    return d % m


def _transpose_(self, dim0, dim1):
    _check_leaf_inplace(self)
    n = self.dim()
    d0, d1 = _wrapd(dim0, n), _wrapd(dim1, n)
    sizes, strides = list(self.shape), list(self.stride())
    if n:  # a 0-d tensor's dims are [-1, 0], both naming no dim: nothing moves
        sizes[d0], sizes[d1] = sizes[d1], sizes[d0]
        strides[d0], strides[d1] = strides[d1], strides[d0]
    return _restride_inplace(self, "TransposeBackward1", sizes, strides, self.storage_offset(),
                             lambda g: g.transpose(d0, d1),
                             {"dim0": dim0 & 0xFFFF_FFFF_FFFF_FFFF,
                              "dim1": dim1 & 0xFFFF_FFFF_FFFF_FFFF})


def _t_(self):
    if self.dim() > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is "
                           f"{self.dim()}D")
    if self.dim() < 2:
        return _restride_inplace(self, "TBackward1", self.shape, self.stride(),
                                 self.storage_offset(), lambda g: g, {})
    sizes, strides = list(self.shape)[::-1], list(self.stride())[::-1]
    return _restride_inplace(self, "TBackward1", sizes, strides, self.storage_offset(),
                             lambda g: g.t(), {})


def _unsqueeze_(self, dim):
    _check_leaf_inplace(self)  # torch's autograd check comes before the dim's
    n = self.dim() + 1
    d = _wrapd(dim, n)
    sizes, strides = list(self.shape), list(self.stride())
    st = sizes[d] * strides[d] if d < len(sizes) else 1
    sizes.insert(d, 1)
    strides.insert(d, st)
    return _restride_inplace(self, "UnsqueezeBackward1", sizes, strides,
                             self.storage_offset(), lambda g: g.squeeze(d),
                             {"dim": dim & 0xFFFF_FFFF_FFFF_FFFF})


def _as_strided_(self, size, stride, storage_offset=None):
    off = self.storage_offset() if storage_offset is None else storage_offset
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    self.as_strided(size, stride, off)  # torch's bounds check and message
    old_shape, old_stride, old_off = tuple(self.shape), self.stride(), self.storage_offset()

    def backward(g):
        # the view's gradient scattered back into the old geometry (overlaps summed)
        buf_len = max(1 + sum((n - 1) * s for n, s in zip(old_shape, old_stride)) + old_off,
                      1 + sum((n - 1) * s for n, s in zip(size, stride)) + off
                      if all(size) else 1)
        buf = g.new_zeros(buf_len)
        import tapegrad as _tg
        idx = _tg.arange(buf_len).as_strided(size, stride, off).reshape(-1)
        buf = buf.index_add(0, idx, g.reshape(-1))
        return buf.as_strided(old_shape, old_stride, old_off)
    return _restride_inplace(self, "AsStridedBackward1", size, stride, off, backward,
                             {"size": size, "stride": stride, "storage_offset": storage_offset})


def _resize_(self, *sizes, memory_format=None):
    if not sizes:
        raise TypeError('resize_() missing 1 required positional arguments: "size"')
    if len(sizes) == 1 and not isinstance(sizes[0], int):
        sizes = tuple(sizes[0])
    sizes = [int(s) for s in sizes]
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(sizes)}: "
                           f"{sizes}")
    if self.requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    n = _math.prod(sizes)
    strides = [0] * len(sizes)
    acc = 1
    for d in range(len(sizes) - 1, -1, -1):
        strides[d] = acc
        acc *= _builtins.max(sizes[d], 1)
    need = (self.storage_offset() + n) * self.element_size()
    if need > _C._storage_nbytes(self):
        # grow: a new storage holding the old bytes (torch keeps the data it had)
        old = self.detach().reshape(-1).clone() if self.is_contiguous() else None
        fresh = _C._empty([self.storage_offset() + n], self.dtype, self._device_str)
        if old is not None and old.numel():
            fresh[self.storage_offset():self.storage_offset() + old.numel()].copy_(old)
        return _C._set_storage_(self, fresh, self.storage_offset(), sizes, strides)
    return _C._restride_(self, sizes, strides, self.storage_offset())


def _resize_as_(self, the_template, memory_format=None):
    return _resize_(self, tuple(the_template.shape))


def _to_dense(self, dtype=None, *, masked_grad=None):
    """A strided tensor is dense already: itself, or a copy in dtype."""
    if dtype is not None and not isinstance(dtype, _C.dtype):
        raise TypeError(f"to_dense(): argument 'dtype' (position 1) must be torch.dtype, not "
                        f"{type(dtype).__name__ if not isinstance(dtype, Tensor) else 'Tensor'}")
    return self if dtype is None or dtype == self.dtype else self.to(dtype)


def _set_(self, source=None, storage_offset=0, size=None, stride=None):
    if self.requires_grad and self.is_leaf and _C.is_grad_enabled():
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                           "operation.")
    if source is None:
        empty = _C._empty([0], self.dtype, self._device_str)
        return _C._set_storage_(self, empty, 0, [0], [1])
    if not isinstance(source, Tensor):
        raise TypeError("set_(): only Tensor sources are supported by tapegrad (no Storage)")
    if source.dtype != self.dtype:
        raise RuntimeError(f"Expected object of scalar type {_type_name(self.dtype)} but got "
                           f"scalar type {_type_name(source.dtype)} for argument 'source'")
    if size is None:
        return _C._set_storage_(self, source, source.storage_offset(), list(source.shape),
                                list(source.stride()))
    size = [int(s) for s in size]
    if stride is None:
        stride, acc = [0] * len(size), 1
        for d in range(len(size) - 1, -1, -1):
            stride[d], acc = acc, acc * _builtins.max(size[d], 1)
    stride = [int(s) for s in stride]
    if len(stride) != len(size):
        raise RuntimeError("mismatch in length of strides and shape")
    item = source.element_size()
    span = 0 if 0 in size else 1 + sum((n - 1) * st for n, st in zip(size, stride))
    need = (storage_offset + span) * item if span else 0
    have = _C._storage_nbytes(source)
    if storage_offset < 0 or any(st < 0 for st in stride) or need > have:
        raise RuntimeError(f"setStorage: sizes {size}, strides {stride}, storage offset "
                           f"{storage_offset}, and itemsize {item} requiring a storage size of "
                           f"{need} are out of bounds for storage of size {have}")
    return _C._set_storage_(self, source, storage_offset, size, stride)


def _is_set_to(self, tensor):
    return (_C._storage_id(self) == _C._storage_id(tensor)
            and self.storage_offset() == tensor.storage_offset()
            and tuple(self.shape) == tuple(tensor.shape) and self.stride() == tensor.stride())


def _new(self, *args, **kwargs):
    """Legacy Tensor.new: new(sizes...), new(sequence), new(tensor) (an alias), new()."""
    import tapegrad as _tg
    device = kwargs.pop("device", None)
    if kwargs:
        raise TypeError(f"new() got an unexpected keyword argument '{next(iter(kwargs))}'")
    if not args:
        return _tg.empty(0, dtype=self.dtype, device=device or self.device)
    if len(args) == 1 and isinstance(args[0], Tensor):
        if args[0].dtype != self.dtype:
            def opts(dt):
                return (f"TensorOptions(dtype={_CNAMES.get(dt, dt)}, device=cpu, "
                        "layout=Strided, requires_grad=false (default), pinned_memory=false "
                        "(default), memory_format=(nullopt))")
            raise TypeError(f"expected {opts(self.dtype)} (got {opts(args[0].dtype)})")
        return args[0].detach()
    if all(isinstance(a, int) for a in args):
        return _tg.empty(*args, dtype=self.dtype, device=device or self.device)
    if len(args) == 1 and isinstance(args[0], _tg.Size):
        return _tg.empty(args[0], dtype=self.dtype, device=device or self.device)
    if len(args) > 1:  # sizes with a non-int among them, or data with more: torch's parser
        if isinstance(args[0], int):
            pos = next(i for i, a in enumerate(args) if not isinstance(a, int))
            raise TypeError(f"new(): argument 'size' failed to unpack the object at pos {pos + 1} "
                            f"with error \"type must be tuple of ints,but got "
                            f"{type(args[pos]).__name__}\"")
        kinds = ", ".join("Tensor" if isinstance(a, Tensor) else type(a).__name__ for a in args)
        raise TypeError(f"new() received an invalid combination of arguments - got ({kinds}), but "
                        "expected one of:\n * (*, torch.device device = None)\n"
                        " * (torch.Storage storage)\n * (Tensor other)\n"
                        " * (tuple of ints size, *, torch.device device = None)\n"
                        " * (object data, *, torch.device device = None)\n")
    return _tg.tensor(args[0], dtype=self.dtype, device=device or self.device)


_CNAMES = {_C.float64: "double", _C.float32: "float", _C.float16: "c10::Half",
           _C.bfloat16: "c10::BFloat16", _C.int64: "long int", _C.int32: "int",
           _C.int16: "short int", _C.int8: "signed char", _C.uint8: "unsigned char",
           _C.bool: "bool"}


def _pin_memory(self, device=None):
    import tapegrad as _tg
    if not _tg.cuda.is_available():
        raise RuntimeError("Cannot access accelerator device when none is available.")
    return self.clone()


def _install():
    import tapegrad as _tg
    T = Tensor
    T.put = put
    T.put_ = _put_
    T.fill_diagonal_ = _fill_diagonal_
    T.apply_ = _apply_
    T.map_ = _map_
    T.map2_ = _map2_
    T.angle = angle
    T.bitwise_left_shift = bitwise_left_shift
    T.bitwise_right_shift = bitwise_right_shift
    T.bitwise_left_shift_ = _shift_(bitwise_left_shift)
    T.bitwise_right_shift_ = _shift_(bitwise_right_shift)
    T.__lshift__ = bitwise_left_shift
    T.__rshift__ = bitwise_right_shift
    T.__rlshift__ = _reflected_shift(bitwise_left_shift)
    T.__rrshift__ = _reflected_shift(bitwise_right_shift)
    T.__ilshift__ = T.bitwise_left_shift_
    T.__irshift__ = T.bitwise_right_shift_
    T.new_empty_strided = _new_empty_strided
    T.new = _new
    T.pin_memory = _pin_memory
    T.const_data_ptr = lambda self: self.data_ptr()
    T.dense_dim = lambda self: self.dim()
    T.sparse_dim = lambda self: 0
    T.to_dense = _to_dense
    for flag in ("is_meta", "is_nested", "is_mps", "is_xla", "is_xpu", "is_ipu", "is_maia",
                 "is_mtia", "is_vulkan", "is_mkldnn", "is_sparse_csr"):
        if not hasattr(T, flag):
            setattr(T, flag, property(lambda self: False))
    if not hasattr(T, "broadcast_to"):
        T.broadcast_to = lambda self, size: _tg.broadcast_to(self, size)
    if not hasattr(T, "unflatten"):
        T.unflatten = lambda self, dim, sizes: _tg.unflatten(self, dim, sizes)
    if hasattr(_C, "_restride_"):  # the geometry binding (bind_tensor_geometry.cpp)
        T.t_ = _t_
        T.transpose_ = _transpose_
        T.swapaxes_ = _transpose_
        T.swapdims_ = _transpose_
        T.unsqueeze_ = _unsqueeze_
        T.as_strided_ = _as_strided_
        T.resize_ = _resize_
        T.resize_as_ = _resize_as_
        T.set_ = _set_
        T.is_set_to = _is_set_to


_install()


def _inplace_function(name):
    def fn(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)
    fn.__name__ = name
    return fn


# torch.<op>_ (torch.sin_(x) & co) for every in-place method tapegrad has that torch also
# exposes at its top level
_INPLACE_NAMES = ("acos_", "acosh_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_",
                  "arctanh_", "asin_", "asinh_", "atan_", "atanh_", "cos_", "cosh_", "deg2rad_",
                  "erf_", "erfc_", "exp2_", "expm1_", "fill_", "frac_", "gcd_", "lcm_",
                  "log10_", "log1p_", "log2_", "log_", "logit_", "nan_to_num_", "negative_",
                  "rad2deg_", "reciprocal_", "rsqrt_", "sin_", "sinc_", "sinh_", "tan_",
                  "xlogy_", "as_strided_", "resize_as_", "ldexp_")
INPLACE_FUNCTIONS = {n: _inplace_function(n) for n in _INPLACE_NAMES if hasattr(Tensor, n)}
__all__ += list(INPLACE_FUNCTIONS)
globals().update(INPLACE_FUNCTIONS)


# ---- index_reduce, nonzero_static --------------------------------------------------------------
_REDUCE = {"prod": "prod", "mean": "mean", "amax": "amax", "amin": "amin"}


def index_reduce(input, dim, index, source, reduce, *, include_self=True, out=None):
    """Reduces source's slices into input's slices at index along dim (prod, mean, amax,
    amin): scatter_reduce with the index spread over source's shape, recorded as torch's
    IndexReduceBackward0."""
    import warnings
    warnings.warn("index_reduce() is in beta and the API may change at any time.",
                  stacklevel=2)
    if out is not None:
        raise NotImplementedError("index_reduce(out=...) is not supported by tapegrad")
    if reduce not in _REDUCE:
        raise RuntimeError("index_reduce(): Expected reduce to be one of prod, mean, amax or "
                           f"amin but got {reduce}.")
    d = _wrapd(dim, input.dim())
    if index.dtype not in (_C.int64, _C.int32):
        raise RuntimeError("index_reduce_(): Expected dtype int32/int64 for index but got: "
                           f"{_type_name(index.dtype)}")
    s_shape, x_shape = list(source.shape), list(input.shape)
    if len(s_shape) != len(x_shape) or any(a != b for k, (a, b) in
                                           enumerate(zip(s_shape, x_shape)) if k != d):
        raise RuntimeError("source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = {x_shape} source.shape = "
                           f"{s_shape}")
    n = x_shape[d] if x_shape else 1
    if index.numel() and (int(index.max()) >= n or int(index.min()) < 0):
        raise IndexError("index out of range in self")
    idx = _C.where(index < 0, index + n, index).to(_C.int64)
    shape = [1] * len(s_shape)
    if shape:
        shape[d] = -1
    full_idx = idx.reshape(shape).expand(s_shape) if shape else idx

    def f(x, src):
        return x.scatter_reduce(d, full_idx, src, _REDUCE[reduce], include_self=include_self)
    return _pynode.composite(
        "IndexReduceBackward0", f, [input, source],
        lambda res: {"dim": dim & 0xFFFF_FFFF_FFFF_FFFF, "include_self": include_self,
                     "index": index, "reduce": reduce, "result": res.detach(), "self": input,
                     "source": source})


def _index_reduce_(self, dim, index, source, reduce, *, include_self=True):
    _check_leaf_inplace(self)
    return _C._apply_inplace(
        self, lambda old: index_reduce(old, dim, index, source, reduce,
                                       include_self=include_self), source)


def nonzero_static(input, *, size, fill_value=-1):
    """nonzero's index rows, cut or padded with fill_value to exactly `size` rows."""
    import tapegrad as _tg
    if size < 0:
        raise RuntimeError("nonzero_static: 'size' must be an non-negative integer")
    nz = _tg.nonzero(input)
    if nz.shape[0] >= size:
        return nz[:size].clone()
    pad = _tg.full((size - nz.shape[0], input.dim()), fill_value, dtype=_C.int64)
    return _tg.cat([nz, pad], 0)


Tensor.index_reduce = index_reduce
Tensor.index_reduce_ = _index_reduce_
Tensor.nonzero_static = (lambda self, *, size, fill_value=-1:
                         nonzero_static(self, size=size, fill_value=fill_value))
__all__ += ["index_reduce", "nonzero_static"]
