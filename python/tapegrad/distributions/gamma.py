"""Gamma(concentration, rate): torch.distributions.Gamma's log_prob / entropy / cdf formulas.
Samples come from _sampling.standard_gamma (not torch's stream); rsample differentiates with
respect to rate only (see _sampling.require_no_grad)."""
import numbers

import tapegrad as _tg
from . import constraints
from ._sampling import require_no_grad, standard_gamma
from .exp_family import ExponentialFamily
from .utils import broadcast_all

__all__ = ["Gamma"]


class Gamma(ExponentialFamily):
    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        return self.concentration / self.rate.pow(2)

    def __init__(self, concentration, rate, validate_args=None):
        self.concentration, self.rate = broadcast_all(concentration, rate)
        if isinstance(concentration, numbers.Number) and isinstance(rate, numbers.Number):
            batch_shape = _tg.Size()
        else:
            batch_shape = self.concentration.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Gamma, _instance)
        batch_shape = _tg.Size(batch_shape)
        new.concentration = self.concentration.expand(batch_shape)
        new.rate = self.rate.expand(batch_shape)
        super(Gamma, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def rsample(self, sample_shape=_tg.Size()):
        require_no_grad("Gamma", self.concentration)
        shape = self._extended_shape(sample_shape)
        value = standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)
        return value.clamp(min=_tg.finfo(value.dtype).tiny)

    def log_prob(self, value):
        if not isinstance(value, _tg.Tensor):
            value = _tg.tensor(value, dtype=self.rate.dtype)
        if self._validate_args:
            self._validate_sample(value)
        return (_tg.xlogy(self.concentration, self.rate)
                + _tg.xlogy(self.concentration - 1, value)
                - self.rate * value - _tg.lgamma(self.concentration))

    def entropy(self):
        return (self.concentration - _tg.log(self.rate) + _tg.lgamma(self.concentration)
                + (1.0 - self.concentration) * _tg.digamma(self.concentration))

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return _tg.special.gammainc(self.concentration, self.rate * value)
