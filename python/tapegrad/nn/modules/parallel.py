"""nn.DataParallel: on a machine without GPUs (or with one) torch's wrapper just runs the
module (moved to that GPU, inputs moved along); splitting a batch across several GPUs is not
implemented in tapegrad and says so."""
from ... import cuda as _cuda
from ..._tensor import Tensor
from .module import Module

__all__ = ["DataParallel"]


def _index(d):
    if isinstance(d, int):
        return d
    index = getattr(d, "index", None)
    return 0 if index is None else index


class DataParallel(Module):
    """Runs module on device_ids[0]; torch's attributes (module, device_ids, output_device,
    dim) and repr."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        if not _cuda.is_available():
            self.module = module
            self.device_ids = []
            return
        if device_ids is None:
            device_ids = list(range(_cuda.device_count()))
        if output_device is None:
            output_device = device_ids[0]
        self.dim = dim
        self.module = module
        self.device_ids = [_index(d) for d in device_ids]
        self.output_device = _index(output_device)
        self.src_device_obj = f"cuda:{self.device_ids[0]}"
        if len(self.device_ids) == 1:
            self.module.to(self.src_device_obj)

    def forward(self, *inputs, **kwargs):
        if not self.device_ids:
            return self.module(*inputs, **kwargs)
        if len(self.device_ids) > 1:
            raise NotImplementedError("DataParallel over several GPUs is not supported by "
                                      "tapegrad; use one device or DistributedDataParallel")
        move = (lambda v: v.to(self.src_device_obj) if isinstance(v, Tensor) else v)
        return self.module(*[move(v) for v in inputs], **{k: move(v) for k, v in kwargs.items()})
