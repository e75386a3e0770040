"""tapegrad.backends: torch.backends' availability queries and flags for the backends tapegrad
has (its own CPU kernels with OpenMP, CUDA with cuBLAS) and the ones it has not (cuDNN, MPS, MKL,
oneDNN), so that device-selection code written for torch runs unchanged."""
from . import cpu, cuda, cudnn, mkl, mkldnn, mps, openmp  # noqa: F401

__all__ = ["cpu", "cuda", "cudnn", "mkl", "mkldnn", "mps", "openmp"]
