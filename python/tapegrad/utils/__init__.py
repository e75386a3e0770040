"""tapegrad.utils: mirrors torch.utils (checkpoint, data, dlpack, hooks)."""
from . import checkpoint, data, dlpack, hooks  # noqa: F401

__all__ = ["checkpoint", "data", "dlpack", "hooks"]
