"""Index samplers with torch.utils.data's names, arguments, errors and (seeded) orders:
Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler,
BatchSampler. Random orders come from _rng, which replays torch's generator streams."""
import numpy as np

from . import _rng

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler"]


class Sampler:
    """Base class: subclasses yield dataset indices from __iter__ (and may define __len__)."""

    def __init__(self, data_source=None) -> None:
        pass

    def __iter__(self):
        raise NotImplementedError


class SequentialSampler(Sampler):
    def __init__(self, data_source) -> None:
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """A random permutation (or draws with replacement) of the indices; without a generator a
    fresh one is seeded from the global stream each epoch, as torch does."""

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got "
                            f"replacement={self.replacement}")
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got "
                             f"num_samples={self.num_samples}")

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n = len(self.data_source)
        gen = self.generator
        if gen is None:
            gen = _rng.Generator().manual_seed(_rng.draw_seed())
        if self.replacement:
            # torch draws in chunks of 32; the stream is the same as one long draw
            for _ in range(self.num_samples // 32):
                yield from _rng.randint(n, 32, gen)
            yield from _rng.randint(n, self.num_samples % 32, gen)
        else:
            for _ in range(self.num_samples // n):
                yield from _rng.randperm(n, gen)
            yield from _rng.randperm(n, gen)[:self.num_samples % n]

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a random order (drawn from the generator, or the global stream)."""

    def __init__(self, indices, generator=None) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        for i in _rng.randperm(len(self.indices), self.generator):
            yield self.indices[i]

    def __len__(self):
        return len(self.indices)


def _is_bool(x):
    return isinstance(x, bool)


class WeightedRandomSampler(Sampler):
    """Indices drawn with probability proportional to weights."""

    def __init__(self, weights, num_samples, replacement=True, generator=None) -> None:
        if not isinstance(num_samples, int) or _is_bool(num_samples) or num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got "
                             f"num_samples={num_samples}")
        if not _is_bool(replacement):
            raise ValueError(f"replacement should be a boolean value, but got "
                             f"replacement={replacement}")
        from ... import Tensor, float64, tensor
        w = (weights.detach().to(float64) if isinstance(weights, Tensor)
             else tensor(np.asarray(weights, dtype=np.float64)))
        if w.dim() != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape "
                             f"{tuple(w.shape)}")
        self.weights = w
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        w = self.weights.numpy()
        n = w.shape[0]
        if not (w >= 0).all():  # NaN fails this test too, as in torch
            raise RuntimeError("invalid multinomial distribution (encountering probability "
                               "entry < 0)")
        if not np.all(np.isfinite(w)):
            raise RuntimeError("invalid multinomial distribution (encountering probability "
                               "entry = infinity or NaN)")
        if n == 0 or w.sum() <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        if not self.replacement and self.num_samples > n:
            raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                               "replacement")
        if self.replacement:
            # torch.multinomial with replacement: a running sum divided by the total (last bucket
            # pinned to 1), then for each uniform double the first bucket whose sum reaches it
            cum = np.cumsum(w)
            cum = cum / cum[-1]
            cum[-1] = 1.0
            u = _rng.uniform64(self.num_samples, self.generator)
            yield from np.searchsorted(cum, u, side="left").tolist()
        else:
            # Weighted sampling without replacement by exponential keys (w / E, largest first).
            # torch draws its exponentials with its own kernel, so the order here is tapegrad's.
            u = _rng.uniform64(n, self.generator)
            with np.errstate(divide="ignore"):
                keys = w / -np.log1p(-u)
            yield from np.argsort(-keys, kind="stable")[:self.num_samples].tolist()

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """Groups another sampler's indices into lists of batch_size (the last one short unless
    drop_last)."""

    def __init__(self, sampler, batch_size, drop_last) -> None:
        if not isinstance(batch_size, int) or _is_bool(batch_size) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size}")
        if not _is_bool(drop_last):
            raise ValueError(f"drop_last should be a boolean value, but got "
                             f"drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        batch = []
        for idx in self.sampler:
            batch.append(idx)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
