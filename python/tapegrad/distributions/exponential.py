"""Exponential(rate): torch.distributions.Exponential's formulas; samples are
-log1p(-u) / rate with u drawn in float64 as torch's exponential_ draws them (equal to torch's
under the same seed)."""
import numbers

import tapegrad as _tg
from . import constraints
from .exp_family import ExponentialFamily
from .utils import broadcast_all

__all__ = ["Exponential"]


def _standard_exponential(shape, dtype, device):
    u = _tg.rand(shape, dtype=_tg.float64, device=device)
    return (-(-u).log1p()).to(dtype)


class Exponential(ExponentialFamily):
    arg_constraints = {"rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    @property
    def mean(self):
        return self.rate.reciprocal()

    @property
    def mode(self):
        return _tg.zeros_like(self.rate)

    @property
    def stddev(self):
        return self.rate.reciprocal()

    @property
    def variance(self):
        return self.rate.pow(-2)

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast_all(rate)
        batch_shape = _tg.Size() if isinstance(rate, numbers.Number) else self.rate.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Exponential, _instance)
        batch_shape = _tg.Size(batch_shape)
        new.rate = self.rate.expand(batch_shape)
        super(Exponential, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def rsample(self, sample_shape=_tg.Size()):
        shape = self._extended_shape(sample_shape)
        return _standard_exponential(shape, self.rate.dtype, self.rate.device) / self.rate

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self.rate.log() - self.rate * value

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 1 - _tg.exp(-self.rate * value)

    def icdf(self, value):
        return -_tg.log1p(-value) / self.rate

    def entropy(self):
        return 1.0 - _tg.log(self.rate)
