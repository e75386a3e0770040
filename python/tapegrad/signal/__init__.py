"""tapegrad.signal: torch.signal's window functions (tapegrad.signal.windows)."""
from . import windows  # noqa: F401

__all__ = ["windows"]
