"""torch.backends.openmp: whether tapegrad's CPU kernels were built with OpenMP."""
from .. import _C

__all__ = ["is_available"]


def is_available() -> bool:
    return bool(_C._openmp_built)
