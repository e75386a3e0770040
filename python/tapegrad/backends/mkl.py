"""torch.backends.mkl: tapegrad links no MKL (its GEMM is its own, lib/cpu/gemm_*.cpp)."""

__all__ = ["is_available"]


def is_available() -> bool:
    return False
