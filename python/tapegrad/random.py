"""tapegrad.random: torch.random's seeding and state functions over tapegrad's CPU generator,
and fork_rng (the generator state saved on entry and restored on exit)."""
from __future__ import annotations

import contextlib

from ._factories import initial_seed, manual_seed, seed

__all__ = ["manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state", "fork_rng"]


def get_rng_state():
    """The CPU generator's state as a uint8 tensor (torch's layout)."""
    import tapegrad
    return tapegrad.get_rng_state()


def set_rng_state(new_state):
    import tapegrad
    tapegrad.set_rng_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices",
             device_type="cuda"):
    """Random numbers drawn inside the block do not advance the generator outside it: the CPU
    state is restored on exit. (tapegrad's CUDA generator is not saved: its state cannot be
    read back yet.)"""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)
