"""torch.backends.cuda: whether tapegrad was built with CUDA, and torch's matmul precision flags.

tapegrad's float32 matmul never takes TF32 or reduced-precision reductions, so the flags are the
permissions torch defines (allow, not force) that tapegrad's kernels do not use: setting them is
accepted and changes no result."""
from .. import _C

__all__ = ["is_built", "matmul"]


def is_built() -> bool:
    """Whether tapegrad was compiled with CUDA (not whether a GPU is present)."""
    return bool(_C._cuda_built)


class _MatmulFlags:
    def __init__(self):
        self.allow_tf32 = False
        self.allow_fp16_reduced_precision_reduction = True
        self.allow_bf16_reduced_precision_reduction = True

    def __setattr__(self, name, value):
        if name not in ("allow_tf32", "allow_fp16_reduced_precision_reduction",
                        "allow_bf16_reduced_precision_reduction"):
            raise AttributeError(f"Unknown attribute {name}")
        object.__setattr__(self, name, value)


matmul = _MatmulFlags()

