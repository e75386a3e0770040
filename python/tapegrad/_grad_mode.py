"""Grad-mode switches usable as context managers and decorators: no_grad, enable_grad,
set_grad_enabled, inference_mode (thread-local state lives in C++)."""
import functools

from . import _C


class _GradModeBase:
    _enabled = True

    def __enter__(self):
        self._prev = _C.is_grad_enabled()
        _C._set_grad_enabled(self._enabled)
        return None

    def __exit__(self, *exc):
        _C._set_grad_enabled(self._prev)
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)
        return wrapper

    def clone(self):
        return self.__class__()


class no_grad(_GradModeBase):
    """Disables gradient recording inside the block."""
    _enabled = False

    def __new__(cls, func=None):
        self = super().__new__(cls)
        if callable(func):  # @no_grad without parentheses
            return self(func)
        return self

    def __init__(self, func=None):
        pass


class enable_grad(_GradModeBase):
    """Enables gradient recording inside the block."""
    _enabled = True


class inference_mode(_GradModeBase):
    """Like no_grad (tapegrad has no separate inference tensors)."""

    def __init__(self, mode=True):
        self._enabled = not mode

    def __call__(self, fn):
        mode = not self._enabled

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with inference_mode(mode):
                return fn(*args, **kwargs)
        return wrapper


class set_grad_enabled(_GradModeBase):
    """Sets grad mode at once (like torch) and restores it when used as a context manager."""

    def __init__(self, mode):
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled(): argument 'enabled' (position 1) must be bool, "
                            f"not {type(mode).__name__}")
        self._prev = _C.is_grad_enabled()
        self._enabled = bool(mode)
        _C._set_grad_enabled(self._enabled)

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        _C._set_grad_enabled(self._prev)
        return False

    def __call__(self, fn):
        _C._set_grad_enabled(self._prev)
        mode = self._enabled

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)
        return wrapper


def is_grad_enabled():
    return _C.is_grad_enabled()
