"""tapegrad.utils: mirrors torch.utils (dlpack)."""
from . import dlpack  # noqa: F401

__all__ = ["dlpack"]
