"""tapegrad.utils.hooks: torch.utils.hooks' RemovableHandle (what module and optimizer hook
registrations return)."""
from ..nn.modules._hooks import RemovableHandle

__all__ = ["RemovableHandle"]
