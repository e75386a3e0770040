"""Dirichlet(concentration) on the simplex: torch.distributions.Dirichlet's formulas; samples
are normalised Gamma draws (not torch's stream; no gradient to the concentration yet)."""
import tapegrad as _tg
from . import constraints
from ._sampling import require_no_grad, standard_gamma
from .exp_family import ExponentialFamily

__all__ = ["Dirichlet"]


class Dirichlet(ExponentialFamily):
    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration, validate_args=None):
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        batch_shape, event_shape = concentration.shape[:-1], concentration.shape[-1:]
        super().__init__(batch_shape, event_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Dirichlet, _instance)
        batch_shape = _tg.Size(batch_shape)
        new.concentration = self.concentration.expand(tuple(batch_shape) +
                                                      tuple(self.event_shape))
        super(Dirichlet, new).__init__(batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def rsample(self, sample_shape=()):
        require_no_grad("Dirichlet", self.concentration)
        shape = self._extended_shape(sample_shape)
        g = standard_gamma(self.concentration.expand(shape))
        out = g / g.sum(-1, keepdim=True)
        eps = _tg.finfo(out.dtype).tiny
        return out.clamp(min=eps, max=1 - eps)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        c = self.concentration
        return (_tg.xlogy(c - 1.0, value).sum(-1) + _tg.lgamma(c.sum(-1))
                - _tg.lgamma(c).sum(-1))

    @property
    def mean(self):
        return self.concentration / self.concentration.sum(-1, True)

    @property
    def mode(self):
        cm1 = (self.concentration - 1).clamp(min=0.0)
        mode = cm1 / cm1.sum(-1, True)
        # all concentrations below 1: the mass piles on the vertex of the largest one
        all_small = (self.concentration < 1).all(dim=-1, keepdim=True)
        from ..nn.functional import one_hot
        vertex = one_hot(mode.argmax(-1), cm1.shape[-1]).to(mode.dtype)
        return _tg.where(all_small, vertex, mode)

    @property
    def variance(self):
        con0 = self.concentration.sum(-1, True)
        return self.concentration * (con0 - self.concentration) / (con0.pow(2) * (con0 + 1))

    def entropy(self):
        c = self.concentration
        k = c.size(-1)
        a0 = c.sum(-1)
        return (_tg.lgamma(c).sum(-1) - _tg.lgamma(a0) - (k - a0) * _tg.digamma(a0)
                - ((c - 1.0) * _tg.digamma(c)).sum(-1))
