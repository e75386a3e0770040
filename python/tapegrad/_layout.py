"""torch.layout: the objects (tapegrad.strided, sparse_coo, ...) that Tensor.layout returns and
the factories' layout= keyword takes, and the check of that keyword and pin_memory=. tapegrad
stores every tensor strided; the sparse layouts exist so that code naming them imports, and a
factory asked for one refuses it."""

__all__ = ["layout", "strided", "sparse_coo", "sparse_csr", "sparse_csc", "sparse_bsr",
           "sparse_bsc", "jagged"]


_KEY = object()


class layout:
    """One memory layout; equal only to itself (torch's layouts are singletons too)."""
    __slots__ = ("_name",)

    def __init__(self, name=None, _key=None):
        if _key is not _KEY:  # torch's are made by the library only
            raise TypeError("cannot create 'torch.layout' instances")
        self._name = name

    def __repr__(self):
        return "torch." + self._name

    def __reduce__(self):  # pickles as the module attribute, so it unpickles as the singleton
        return self._name


layout.__module__ = "tapegrad"  # <class 'tapegrad.layout'>, as tapegrad.device and dtype print

strided = layout("strided", _KEY)
sparse_coo = layout("sparse_coo", _KEY)
sparse_csr = layout("sparse_csr", _KEY)
sparse_csc = layout("sparse_csc", _KEY)
sparse_bsr = layout("sparse_bsr", _KEY)
sparse_bsc = layout("sparse_bsc", _KEY)
_mkldnn = layout("_mkldnn", _KEY)
jagged = layout("jagged", _KEY)


def check_factory_kwargs(fn, layout_arg, pin_memory):
    """A factory's layout= and pin_memory= keywords: None/strided and False are what tapegrad
    makes; anything else is a TypeError (not a layout, not a bool) or an error naming what
    tapegrad does not have."""
    if layout_arg is not None and layout_arg is not strided:
        if repr(layout_arg) == "torch.strided":  # torch's own strided (code mixing the two)
            return _check_pin(fn, pin_memory)
        if not isinstance(layout_arg, layout):
            raise TypeError(f"{fn}(): argument 'layout' must be torch.layout, not "
                            f"{type(layout_arg).__name__}")
        raise NotImplementedError(f"{fn}(): tapegrad has no sparse or other non-strided "
                                  f"tensors, got layout={layout_arg!r}")
    _check_pin(fn, pin_memory)


def _check_pin(fn, pin_memory):
    if pin_memory is not None and pin_memory is not False:
        if not isinstance(pin_memory, bool):
            raise TypeError(f"{fn}(): argument 'pin_memory' must be bool, not "
                            f"{type(pin_memory).__name__}")
        from . import cuda
        if not cuda.is_available():  # torch's CPU build says the same
            raise RuntimeError("pin_memory=True requires a CUDA or other accelerator backend; no "
                               "pinned memory allocator is available on this system.")
        # with a GPU the tensor is made in ordinary host memory: tapegrad has no pinned
        # allocator, and copies from it are correct, only not asynchronous
