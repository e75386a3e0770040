"""tapegrad.utils: mirrors torch.utils (dlpack, data)."""
from . import data, dlpack  # noqa: F401

__all__ = ["data", "dlpack"]
