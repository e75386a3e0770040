"""torch's `"<kernel>" not implemented for '<dtype>'` (NotImplementedError) for the nn ops whose
torch CPU kernel has no case for the input's dtype, where tapegrad's own composition would
compute a result anyway (an integer average pool, a bool convolution, a half ctc_loss, ...).

GATES was made by running each op in torch 2.13 in every dtype and keeping the dtypes torch's
kernel refuses and tapegrad did not (tests/test_dtype_gates.py runs the same comparison, so a
table entry that goes stale fails there). install() wraps the functions of that name in
nn.functional and at the top level (torch.conv1d, torch.layer_norm, ...): the check is one dtype
lookup before the call; the first argument (or input=) is the tensor checked.
"""
import functools

from .._dtype_names import type_name

_INT = ("Byte", "Char", "Short", "Int", "Long")
_BOOL_INT = ("Bool",) + _INT
_NO_LONG = ("Bool", "Byte", "Char", "Short", "Int")

# name -> (torch's kernel, the dtypes it refuses)
GATES = {
    "adaptive_avg_pool1d": ("adaptive_avg_pool2d", _BOOL_INT),
    "adaptive_avg_pool2d": ("adaptive_avg_pool2d", _BOOL_INT),
    "adaptive_avg_pool3d": ("adaptive_avg_pool3d_cpu", _BOOL_INT),
    "adaptive_max_pool1d": ("adaptive_max_pool2d", _BOOL_INT),
    "adaptive_max_pool2d": ("adaptive_max_pool2d", _BOOL_INT),
    "adaptive_max_pool3d": ("adaptive_max_pool3d_cpu", _BOOL_INT),
    "adaptive_max_pool1d_with_indices": ("adaptive_max_pool2d", _BOOL_INT),
    "adaptive_max_pool2d_with_indices": ("adaptive_max_pool2d", _BOOL_INT),
    "adaptive_max_pool3d_with_indices": ("adaptive_max_pool3d_cpu", _BOOL_INT),
    "avg_pool1d": ("avg_pool2d", _NO_LONG),
    "avg_pool2d": ("avg_pool2d", _NO_LONG),
    "avg_pool3d": ("avg_pool3d_out_frame", _NO_LONG + ("Half", "BFloat16")),
    "max_pool1d": ("max_pool1d_impl", _BOOL_INT),
    "max_pool3d": ("max_pool3d", ("Bool",)),
    "lp_pool1d": ("avg_pool2d", _INT[:-1]),
    "lp_pool2d": ("avg_pool2d", _INT[:-1]),
    "max_unpool1d": ("max_unpool2d", _BOOL_INT),
    "max_unpool2d": ("max_unpool2d", _BOOL_INT),
    "max_unpool3d": ("max_unpool3d", _BOOL_INT),
    "conv1d": ("slow_conv2d_cpu", ("Bool",)),
    "conv2d": ("slow_conv2d_cpu", ("Bool",)),
    "conv3d": ("compute_columns3d", ("Bool",)),
    "conv_transpose1d": ("slow_conv_transpose2d_out_cpu", _NO_LONG),
    "conv_transpose2d": ("slow_conv_transpose2d_out_cpu", _NO_LONG),
    "conv_transpose3d": ("slow_conv_transpose3d_out_cpu", _NO_LONG),
    "binary_cross_entropy_with_logits": ("log_sigmoid_cpu", _BOOL_INT),
    "ctc_loss": ("ctc_loss_cpu", _BOOL_INT + ("Half", "BFloat16")),
    "unfold": ("im2col_out_cpu", _INT),
    "fold": ("col2im_out_cpu", _INT),
    "multi_margin_loss": ("multi_margin_loss_cpu_kernel", _BOOL_INT + ("Half", "BFloat16")),
    "multilabel_margin_loss": ("multilabel_margin_loss_forward_out_frame",
                               _BOOL_INT + ("Half", "BFloat16")),
    "nll_loss": ("nll_loss_out_frame", _BOOL_INT),
    "grid_sample": ("grid_sampler_2d_cpu_kernel_impl", _BOOL_INT),
    "rms_norm": ("rms_norm", _BOOL_INT),
    "layer_norm": ("LayerNormKernelImpl", _BOOL_INT),
    "group_norm": ("GroupNormKernelImpl", _BOOL_INT),
    "local_response_norm": ("avg_pool2d", _NO_LONG),
    "pdist": ("pdist", ("Half", "BFloat16")),
    "mse_loss": ("mse_cpu", _BOOL_INT),
    "smooth_l1_loss": ("smooth_l1_cpu", ("Bool",)),
    "huber_loss": ("huber_cpu", ("Bool",)),
}


# the losses whose kernel runs in the promoted dtype of input and target
_PROMOTED = frozenset(("mse_loss", "smooth_l1_loss", "huber_loss"))


def _returns_indices(x, args, kwargs):
    return bool(args[6] if len(args) > 6 else kwargs.get("return_indices", False))


def _all_ones(x, args, kwargs):
    size = args[1] if len(args) > 1 else kwargs.get("output_size")
    return all(s == 1 for s in (size if isinstance(size, (tuple, list)) else (size,)))


def _adaptive_avg(x, args, kwargs):
    """torch's adaptive_avg_pool1d/2d: an empty input returns without the kernel, and an output
    of size 1 is a mean (whose own error an integer input gets)."""
    if x.numel() == 0:
        return True
    if _all_ones(x, args, kwargs):
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a "
                           f"floating point or complex dtype. Got: {type_name(x.dtype)}")
    return False


def _other_dtype(positions, names):
    """A parameter tensor (args[i] / keyword) of another dtype than the input: torch's own
    dtype-mismatch check comes before the kernel then (the function raises it)."""
    def skip(x, args, kwargs):
        for i, n in zip(positions, names):
            p = args[i] if len(args) > i else kwargs.get(n)
            if getattr(p, "dtype", x.dtype) != x.dtype:
                return True
        return False
    return skip


# calls that never reach the refusing kernel in torch: max_pool1d with indices (another kernel,
# with integer cases), pdist of fewer than two rows, adaptive_avg_pool1d/2d (above), a
# convolution's bias or a norm's parameters of another dtype (their own check first)
_SKIP = {"max_pool1d": _returns_indices,
         "pdist": lambda x, args, kwargs: x.dim() == 2 and x.size(0) <= 1,
         "adaptive_avg_pool1d": _adaptive_avg, "adaptive_avg_pool2d": _adaptive_avg,
         "layer_norm": _other_dtype((2, 3), ("weight", "bias")),
         "group_norm": _other_dtype((2, 3), ("weight", "bias"))}
for _conv in ("conv1d", "conv2d"):  # conv3d / conv_transpose check the kernel's dtypes first
    _SKIP[_conv] = _other_dtype((2,), ("bias",))


def _kernel_for(name, kernel, x, args, kwargs):
    """The kernel torch names, where it depends on the call."""
    if name == "nll_loss" and x.dim() == 4:
        return "nll_loss2d_forward_out_frame"
    if name == "grid_sample" and x.dim() == 5:
        return "grid_sampler_3d_cpu"
    return kernel


def _result_type(a, b):
    import tapegrad
    return tapegrad.result_type(a, b)


def _gate(name, fn, kernel, refused):
    promoted = name in _PROMOTED
    skip = _SKIP.get(name)
    @functools.wraps(fn)
    def gated(*args, **kwargs):
        x = args[0] if args else kwargs.get("input")
        dt = getattr(x, "dtype", None)
        if dt in refused and promoted:
            y = args[1] if len(args) > 1 else kwargs.get("target")
            dt = _result_type(x, y) if hasattr(y, "dtype") else dt
        if dt in refused and not (skip is not None and skip(x, args, kwargs)):
            from .._argcheck import _check_binding
            _check_binding(fn, args, kwargs)  # Python's TypeError for a malformed call first
            _checks_first(name, fn, args, kwargs)
            raise NotImplementedError(f'"{_kernel_for(name, kernel, x, args, kwargs)}" not '
                                      f"implemented for '{type_name(dt)}'")
        return fn(*args, **kwargs)
    return gated


# integer arguments that stay integers in the trial call of _checks_first (positions, names)
_INDEX_ARGS = {"nll_loss": ((1,), ("target",)), "multi_margin_loss": ((1,), ("target",)),
               "multilabel_margin_loss": ((1,), ("target",)),
               "max_unpool1d": ((1,), ("indices",)), "max_unpool2d": ((1,), ("indices",)),
               "max_unpool3d": ((1,), ("indices",)),
               "ctc_loss": ((1, 2, 3), ("targets", "input_lengths", "target_lengths"))}


def _checks_first(name, fn, args, kwargs):
    """torch checks ranks, shapes and arguments before its kernel refuses the dtype: the call
    runs once more on a floating copy of the input (in another tensor argument's floating dtype,
    else the default; every other tensor cloned, so nothing the call writes leaks out, and
    without grad), and an error it raises is the one to give. Only the error path pays."""
    import tapegrad
    from .._grad_mode import no_grad
    Tensor = tapegrad.Tensor
    x = args[0] if args else kwargs["input"]
    rest = list(args[1:]) + [v for k, v in kwargs.items() if k != "input"]
    floats = [a.dtype for a in rest if isinstance(a, Tensor) and a.dtype.is_floating_point]
    ft = floats[0] if floats else tapegrad.get_default_dtype()

    keep_pos, keep_names = _INDEX_ARGS.get(name, ((), ()))

    def copy(a, keep):  # the input's dtype (a weight, a grid of it) goes floating too
        if not isinstance(a, Tensor):
            return a
        return a.detach().to(ft) if a.dtype == x.dtype and not keep else a.detach().clone()
    a2 = [copy(a, i in keep_pos) for i, a in enumerate(args)]
    k2 = {k: copy(v, k in keep_names) for k, v in kwargs.items()}
    try:
        with no_grad():
            fn(*a2, **k2)
    except Exception as e:  # noqa: BLE001 - whatever torch's earlier check would raise
        raise e.with_traceback(None) from None


def _rrelu_gate(fn):
    """rrelu draws its noise only when training; eval mode is leaky_relu (half allowed)."""
    refused = _dtypes(_BOOL_INT + ("Half",))

    @functools.wraps(fn)
    def gated(*args, **kwargs):
        x = args[0] if args else kwargs.get("input")
        training = args[3] if len(args) > 3 else kwargs.get("training", False)
        dt = getattr(x, "dtype", None)
        if training and dt in refused:
            raise NotImplementedError(f"\"rrelu_with_noise_out_cpu\" not implemented for "
                                      f"'{type_name(dt)}'")
        return fn(*args, **kwargs)
    return gated


def _dtypes(names):
    import tapegrad
    by_name = {type_name(d): d for d in (tapegrad.bool, tapegrad.uint8, tapegrad.int8,
                                         tapegrad.int16, tapegrad.int32, tapegrad.int64,
                                         tapegrad.float16, tapegrad.bfloat16)}
    return frozenset(by_name[n] for n in names)


def install(*modules):
    for mod in modules:
        ns = vars(mod)
        for name, (kernel, names) in GATES.items():
            fn = ns.get(name)
            if callable(fn) and not getattr(fn, "_tapegrad_gated", False):
                g = _gate(name, fn, kernel, _dtypes(names))
                g._tapegrad_gated = True
                setattr(mod, name, g)
        fn = ns.get("rrelu")
        if callable(fn) and not getattr(fn, "_tapegrad_gated", False):
            g = _rrelu_gate(fn)
            g._tapegrad_gated = True
            setattr(mod, "rrelu", g)
