"""tapegrad.utils: mirrors torch.utils (checkpoint, data, dlpack)."""
from . import checkpoint, data, dlpack  # noqa: F401

__all__ = ["checkpoint", "data", "dlpack"]
