"""torch.backends.cpu: the vector instruction set tapegrad's CPU kernels run."""
from .. import _C

__all__ = ["get_cpu_capability"]


def get_cpu_capability() -> str:
    """"AVX512", "AVX2" or "DEFAULT" (scalar loops): the table lib/cpu/vmath.cpp picked for this
    CPU (TAPEGRAD_VMATH=avx512|avx2|generic chooses one)."""
    return _C._get_cpu_capability()
