"""tapegrad.Generator and tapegrad.default_generator (torch.Generator's surface), and `_use`,
the context every random function's generator= goes through.

A Generator owns its state in torch's CPUGeneratorImpl layout (5056 bytes, the same bytes
get_rng_state shows). Drawing with it swaps that state into the one compiled CPU generator for the
call and back out afterwards, so a seeded Generator yields exactly torch's stream (the compiled
generator draws as torch's does: lib/cpu/random.cpp) and leaves the global stream untouched."""
import contextlib
import random as _random

from . import _C
from ._C import Tensor

__all__ = ["Generator", "default_generator"]

_DEFAULT_SEED = 67280421310721  # torch's seed for a new Generator (default_rng_seed_val)


def _check_seed(seed):
    seed = int(seed)
    if not -0x8000_0000_0000_0000 <= seed <= 0xFFFF_FFFF_FFFF_FFFF:
        raise ValueError("Overflow when unpacking long long")
    return seed & 0xFFFF_FFFF_FFFF_FFFF


def _check_state(new_state):
    if not isinstance(new_state, Tensor):
        raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
    if new_state.dtype != _C.uint8:
        raise TypeError("RNG state must be a torch.ByteTensor")
    if new_state.numel() != 5056:
        raise RuntimeError("Expected a CPUGeneratorImplState of size 5056 but found the input "
                           f"RNG state size to be {new_state.numel()}")
    return new_state.contiguous()


def _state_for_seed(seed):
    # the bytes the compiled generator holds right after manual_seed(seed)
    saved = _C._get_rng_state()
    try:
        _C.manual_seed(seed)
        return _C._get_rng_state()
    finally:
        _C._set_rng_state(saved)


class Generator:
    """torch.Generator(device='cpu'): an independent random stream. Only CPU generators exist
    (CUDA tensors draw from tapegrad.cuda's generator, as torch's default ones do)."""

    def __init__(self, device="cpu"):
        from ._tensor import device as _device
        dev = _device(device) if not isinstance(device, _device) else device
        if dev.type == "cuda":
            raise RuntimeError("tapegrad.Generator: only CPU generators are supported "
                               "(CUDA tensors use the device's default generator)")
        if dev.type != "cpu":
            raise RuntimeError(f"{dev.type.upper()} device type not an accelerator.")
        self._device = dev
        self._seed = _DEFAULT_SEED
        self._state = _state_for_seed(_DEFAULT_SEED)

    @property
    def device(self):
        return self._device

    def manual_seed(self, seed):
        self._seed = _check_seed(seed)
        self._state = _state_for_seed(self._seed)
        return self

    def seed(self):
        s = _random.SystemRandom().getrandbits(64)
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        return self._state.clone()

    def set_state(self, new_state):
        state = _check_state(new_state)
        self._state = state.clone()
        # the seed is part of torch's state bytes (its first 8, little-endian)
        self._seed = int.from_bytes(bytes(self._state[:8].tolist()), "little")
        return self

    def clone_state(self):
        g = Generator(self._device)
        g.set_state(self._state)
        return g

    graphsafe_get_state = clone_state

    def graphsafe_set_state(self, other):
        return self.set_state(other.get_state())

    def __reduce__(self):
        return (_restore, (str(self._device), self.get_state()))


def _restore(device, state):
    return Generator(device).set_state(state)


class _DefaultGenerator(Generator):
    """torch.default_generator: the global CPU generator itself (manual_seed/get_rng_state)."""

    def __init__(self):
        from ._tensor import device as _device
        self._device = _device("cpu")

    @property
    def _state(self):
        return _C._get_rng_state()

    def manual_seed(self, seed):
        _C.manual_seed(_check_seed(seed))
        return self

    def initial_seed(self):
        return _C._initial_seed()

    def get_state(self):
        return _C._get_rng_state()

    def set_state(self, new_state):
        _C._set_rng_state(_check_state(new_state))
        return self

    def __reduce__(self):
        return (_restore, (str(self._device), self.get_state()))


default_generator = _DefaultGenerator()


def _check_generator(generator, fn="", device="cpu"):
    if not isinstance(generator, Generator):
        raise TypeError(f"{fn}(): argument 'generator' must be torch.Generator, not "
                        f"{type(generator).__name__}")
    dev = getattr(device, "type", str(device).split(":")[0])
    if dev != generator.device.type:
        raise RuntimeError(f"Expected a '{dev}' device type for generator but found "
                           f"'{generator.device.type}'")


@contextlib.contextmanager
def _use(generator, fn="", device="cpu"):
    """Draws inside this block come from `generator` (None or default_generator: the global
    stream); its state advances as torch's would and the global state is left as it was."""
    if generator is None or type(generator) is _DefaultGenerator:
        if generator is not None:
            _check_generator(generator, fn, device)
        yield
        return
    _check_generator(generator, fn, device)
    saved = _C._get_rng_state()
    _C._set_rng_state(generator._state)
    try:
        yield
    finally:
        generator._state = _C._get_rng_state()
        _C._set_rng_state(saved)
