"""Anomaly detection switches with torch's names and signatures (detect_anomaly,
set_detect_anomaly, is_anomaly_enabled, is_anomaly_check_nan_enabled).

The flags are recorded and reported, but tapegrad's engine has no per-node hook for them yet:
no forward traceback is stored and backward does not check node outputs for NaN. The switches
exist so code written for torch runs unchanged."""
import threading
import warnings

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled"]

_state = threading.local()  # torch keeps the flag per thread as well


def is_anomaly_enabled():
    return getattr(_state, "enabled", False)


def is_anomaly_check_nan_enabled():
    return getattr(_state, "check_nan", True)


def _set(enabled, check_nan):
    _state.enabled, _state.check_nan = bool(enabled), bool(check_nan)


class detect_anomaly:
    """Context manager enabling anomaly mode inside its block (warns once when created)."""

    def __init__(self, check_nan=True) -> None:
        self.prev = is_anomaly_enabled()
        self.check_nan = check_nan
        self.prev_check_nan = is_anomaly_check_nan_enabled()
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", stacklevel=2)

    def __enter__(self) -> None:
        _set(True, self.check_nan)

    def __exit__(self, *args) -> None:
        _set(self.prev, self.prev_check_nan)


class set_detect_anomaly:
    """Sets anomaly mode on construction (so it also works as a plain call); a with-block
    restores the previous setting on exit."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = is_anomaly_enabled()
        self.prev_check_nan = is_anomaly_check_nan_enabled()
        _set(mode, check_nan)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *args) -> None:
        _set(self.prev, self.prev_check_nan)
