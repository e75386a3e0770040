"""torch.backends.mkldnn: tapegrad links no oneDNN."""

__all__ = ["is_available"]


def is_available() -> bool:
    return False
