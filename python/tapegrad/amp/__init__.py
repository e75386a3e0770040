"""tapegrad.amp: torch.amp's automatic mixed precision: autocast (autocast_mode.py) and
GradScaler (grad_scaler.py)."""
from .autocast_mode import autocast, custom_bwd, custom_fwd, is_autocast_available
from .grad_scaler import GradScaler
from . import autocast_mode, grad_scaler  # noqa: F401

__all__ = ["autocast", "custom_bwd", "custom_fwd", "is_autocast_available", "GradScaler"]
