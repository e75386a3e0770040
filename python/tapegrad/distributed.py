"""tapegrad.distributed: data-parallel training across processes on torch.distributed.

tapegrad has no communication library of its own: gradients and parameters are handed to
torch.distributed's collectives (gloo on CPU, NCCL where CUDA is built) as torch tensors that
share tapegrad's memory through DLPack, so every collective reads and writes tapegrad's buffers in
place, with no copies. torch is imported on first use, never by ``import tapegrad``.

- ``all_reduce_gradients(params)``: one in-place all-reduce per gradient (averaged by default).
- ``broadcast_parameters(params, src=0)``: every replica starts from ``src``'s weights.
- ``DistributedDataParallel(module)``: a small DDP: broadcasts on construction, and makes every
  gradient a view into a few flat buckets, so ``sync_gradients()`` after ``backward()`` costs one
  all-reduce per bucket (the bucket itself is the torch tensor: still no copy)."""
from ._C import Tensor
from ._dlpack import _torch

__all__ = ["all_reduce_gradients", "broadcast_parameters", "DistributedDataParallel"]


def _dist():
    dist = _torch().distributed
    if not dist.is_available():
        raise RuntimeError("tapegrad.distributed needs a torch built with torch.distributed")
    if not dist.is_initialized():
        raise RuntimeError("Default process group has not been initialized, please make sure "
                           "to call init_process_group.")
    return dist


def _params(params):
    """A list of tapegrad tensors from a module (its parameters()) or an iterable of tensors."""
    if callable(getattr(params, "parameters", None)):
        params = params.parameters()
    if isinstance(params, Tensor):
        params = [params]
    out = list(params)
    for p in out:
        if not isinstance(p, Tensor):
            raise TypeError(f"expected tapegrad tensors, got {type(p).__name__}")
    return out


def _shared(x):
    """``x``'s memory as a torch tensor (zero-copy); collectives need it dense."""
    t = x.detach().to_torch()
    if not t.is_contiguous():
        raise ValueError("tapegrad.distributed: collectives need contiguous tensors; got one "
                         f"of shape {tuple(x.shape)} with strides {x.stride()}")
    return t


def all_reduce_gradients(params, group=None, average=True):
    """Sums (``average=True``: averages) every parameter's ``.grad`` over the processes of
    ``group``, in place, through torch.distributed. A parameter with no gradient on this
    process contributes zeros (its ``.grad`` becomes a zero tensor), so every process issues the
    same collectives in the same order whatever each one's graph touched."""
    dist = _dist()
    world = dist.get_world_size(group)
    for p in _params(params):
        if not p.requires_grad:
            continue
        if p.grad is None:
            from ._factories import zeros_like
            p.grad = zeros_like(p)
        t = _shared(p.grad)
        dist.all_reduce(t, op=dist.ReduceOp.SUM, group=group)
        if average and world > 1:
            t.div_(world)  # gloo has no ReduceOp.AVG; same memory, so p.grad sees it


def broadcast_parameters(params, src=0, group=None):
    """Overwrites every parameter, in place, with its value on rank ``src``."""
    dist = _dist()
    for p in _params(params):
        dist.broadcast(_shared(p), src=src, group=group)


class DistributedDataParallel:
    """Data parallelism for a tapegrad module, in the manner of torch's DDP.

    On construction, rank ``broadcast_src``'s parameters are copied to every replica. Calling
    the wrapper runs the module. After ``loss.backward()``, ``sync_gradients()`` averages the
    gradients across processes. Gradients live as views into flat buckets (one dtype each, at
    most ``bucket_cap_mb``), which the engine accumulates into in place; each bucket is
    all-reduced as one torch tensor sharing its memory. ``zero_grad()`` zeroes the buckets and
    keeps the views; if something else replaced or dropped a ``.grad`` (an optimizer's
    ``zero_grad(set_to_none=True)``), ``sync_gradients`` copies it back into its bucket first."""

    def __init__(self, module, group=None, broadcast_src=0, bucket_cap_mb=25.0):
        self.module = module
        self.group = group
        self._dist = _dist()
        self._params = [p for p in _params(module) if p.requires_grad]
        broadcast_parameters(self._params, src=broadcast_src, group=group)
        self._buckets = self._make_buckets(int(bucket_cap_mb * 2**20))
        self.zero_grad()

    def _make_buckets(self, cap_bytes):
        from ._factories import zeros
        groups = {}
        for p in self._params:
            groups.setdefault(p.dtype, []).append(p)
        buckets = []
        for dtype, ps in groups.items():
            chunk, size = [], 0
            for p in ps:
                nbytes = p.numel() * p.element_size()
                if chunk and size + nbytes > cap_bytes:
                    buckets.append((dtype, chunk))
                    chunk, size = [], 0
                chunk.append(p)
                size += nbytes
            if chunk:
                buckets.append((dtype, chunk))
        out = []
        for dtype, ps in buckets:
            flat = zeros(sum(p.numel() for p in ps), dtype=dtype, device=ps[0].device)
            views, offset = [], 0
            for p in ps:
                n = p.numel()
                views.append(flat[offset:offset + n].view(p.shape))
                offset += n
            out.append((flat, ps, views))
        return out

    def __call__(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def parameters(self):
        return self.module.parameters()

    def zero_grad(self):
        """Zeroes every gradient in place (the bucket views stay attached)."""
        for flat, ps, views in self._buckets:
            flat.zero_()
            for p, v in zip(ps, views):
                p.grad = v

    def _reattach(self, ps, views):
        for p, v in zip(ps, views):
            g = p.grad
            if g is None:
                v.zero_()
            elif g.data_ptr() != v.data_ptr() or g.stride() != v.stride():
                v.copy_(g.detach())
            p.grad = v

    def sync_gradients(self, average=True):
        """Sums (or averages) all gradients over the group: one all-reduce per bucket."""
        world = self._dist.get_world_size(self.group)
        for flat, ps, views in self._buckets:
            self._reattach(ps, views)
            t = _shared(flat)
            self._dist.all_reduce(t, op=self._dist.ReduceOp.SUM, group=self.group)
            if average and world > 1:
                t.div_(world)
