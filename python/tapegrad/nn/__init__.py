"""tapegrad.nn: for now the functional API (issue 4 adds modules)."""
from . import functional  # noqa: F401

__all__ = ["functional"]
