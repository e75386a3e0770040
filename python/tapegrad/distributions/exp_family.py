"""ExponentialFamily: the base torch gives its exponential-family distributions (Normal,
Exponential, Gamma, Beta, Dirichlet, Poisson, Bernoulli). tapegrad's members define their
entropies and KL pairs in closed form, so the natural-parameter hooks are only declared; the
class matters for isinstance checks and for kl_divergence's cross-family error."""
from .distribution import Distribution

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    """p(x; theta) = exp(<t(x), theta> - F(theta) + k(x))."""

    @property
    def _natural_params(self):
        raise NotImplementedError

    def _log_normalizer(self, *natural_params):
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self):
        raise NotImplementedError
