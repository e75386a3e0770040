"""The random draws behind the samplers and random_split, in torch's order.

torch's CPU generator is MT19937 seeded with the low 32 bits of the seed; random() is one 32-bit
output, random64() is (first << 32) | second. numpy's legacy RandomState(seed) is the same MT19937
with the same seeding, and randint(0, 2**32, dtype=uint32) hands its raw outputs through, so a
`Generator` here replays torch.Generator's stream. For the global generator the draws go through
tapegrad.randint, which follows torch's stream (random() % range below 2**32, random64() % range
above), so the same seed gives torch's order either way."""
import numpy as np

__all__ = ["Generator"]

_MASK64 = (1 << 64) - 1


class Generator:
    """A CPU generator with torch.Generator's seeding and stream, used by tapegrad.utils.data
    (tapegrad's tensor factories do not take it)."""

    def __init__(self, device="cpu"):
        if str(device) != "cpu":
            raise RuntimeError(f"tapegrad.utils.data.Generator only supports the cpu device, "
                               f"got {device}")
        self.device = device
        self.manual_seed(67280421310721)  # torch's default seed for a new Generator

    def manual_seed(self, seed):
        seed = int(seed) & _MASK64
        self._seed = seed
        self._mt = np.random.RandomState(seed & 0xFFFFFFFF)
        return self

    def initial_seed(self):
        return self._seed

    def _random32(self, k):
        return self._mt.randint(0, 2 ** 32, size=k, dtype=np.uint32).astype(np.uint64)

    def _random64(self):
        hi, lo = (int(x) for x in self._random32(2))
        return (hi << 32) | lo


def _tg():
    import tapegrad
    return tapegrad


def _ours(generator):
    """True for this module's Generator, False for None (the global stream). Anything else is
    refused: tapegrad's factories take generator= but draw from the global stream regardless,
    so passing another generator on would silently give the wrong numbers."""
    if generator is None:
        return False
    if isinstance(generator, Generator):
        return True
    raise TypeError(f"generator must be a tapegrad.utils.data.Generator or None, but got "
                    f"{type(generator).__name__}")


def _accepts_tapegrad_generator(fn):
    """A tapegrad.Generator (torch.Generator's counterpart, tapegrad/_generator.py) is drawn
    from through the global-stream path with its state swapped in, so it gives torch's numbers
    too."""
    import functools

    n_args = fn.__code__.co_argcount  # generator is the last parameter

    @functools.wraps(fn)
    def wrapper(*args, generator=None):
        from ..._generator import Generator as _TgGenerator, _use
        if len(args) == n_args:
            args, generator = args[:-1], args[-1]
        if isinstance(generator, _TgGenerator):
            with _use(generator):
                return fn(*args, generator=None)
        return fn(*args, generator=generator)
    return wrapper


@_accepts_tapegrad_generator
def draw_seed(generator=None):
    """torch.empty((), dtype=int64).random_(generator=...): random64() % 2**63."""
    if not _ours(generator):
        # randint over a range of exactly 2**63 is random64() % 2**63, shifted by the low bound
        return int(_tg().randint(-2 ** 62, 2 ** 62, ()).item()) + 2 ** 62
    return generator._random64() % (1 << 63)


@_accepts_tapegrad_generator
def randperm(n, generator=None):
    """torch.randperm(n, generator=...) on the CPU: a forward Fisher-Yates shuffle where step i
    swaps i with i + random() % (n - i)."""
    ours = _ours(generator)
    perm = list(range(n))
    if n < 2:  # torch draws nothing for these
        return perm
    spans = np.arange(n, 1, -1, dtype=np.uint64)
    if not ours:
        tg = _tg()
        if hasattr(tg, "randperm"):  # the compiled one, when the build has it
            return tg.randperm(n).tolist()
        # each step draws from the stream with its own range: one randint per step
        offs = [int(tg.randint(0, int(s), ()).item()) for s in spans]
    else:
        offs = (generator._random32(n - 1) % spans).tolist()
    for i, z in enumerate(offs):
        j = i + z
        perm[i], perm[j] = perm[j], perm[i]
    return perm


@_accepts_tapegrad_generator
def randint(high, size, generator=None):
    """torch.randint(high=high, size=(size,), generator=...) as a list: random() % high."""
    ours = _ours(generator)
    if size == 0:
        return []
    if not ours:
        return _tg().randint(0, high, (size,)).tolist()
    if high >= 2 ** 32:
        return [generator._random64() % high for _ in range(size)]
    return (generator._random32(size) % np.uint64(high)).tolist()


@_accepts_tapegrad_generator
def uniform64(size, generator=None):
    """torch.rand(size, dtype=float64, generator=...) as numpy: 53 bits of random64() / 2**53."""
    if not _ours(generator):
        tg = _tg()
        return tg.rand(size, dtype=tg.float64).numpy()
    return np.array([(generator._random64() & ((1 << 53) - 1)) * 2.0 ** -53
                     for _ in range(size)], dtype=np.float64)
