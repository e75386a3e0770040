"""tapegrad.optim: optimizers with torch's semantics."""
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["Optimizer", "SGD"]
