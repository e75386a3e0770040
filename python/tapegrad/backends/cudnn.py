"""torch.backends.cudnn: tapegrad has no cuDNN (its convolutions are its own kernels), so it is
never available; the flags torch scripts set (benchmark, deterministic, ...) are kept as plain
attributes with torch's defaults and select nothing."""

__all__ = ["is_available", "version", "enabled", "benchmark", "deterministic", "allow_tf32"]

enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available() -> bool:
    return False


def version():
    return None
