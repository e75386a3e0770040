"""tapegrad.distributions: torch.distributions' classes and functions (helper S's block).

Distribution base with validation (on by default, torch's ValueError wording), constraints,
Normal, Uniform, Exponential, Laplace, Bernoulli, Binomial, Categorical, OneHotCategorical(+
StraightThrough), Gamma, Beta, Dirichlet, Poisson, MultivariateNormal, Independent, and
kl_divergence / register_kl. Samples of Normal / Uniform / Exponential / Laplace / Bernoulli /
MultivariateNormal equal torch's under the same seed (same generator stream); Categorical,
Binomial, Gamma-family and Poisson draws follow the right laws with different streams.
"""
from . import constraints
from .bernoulli import Bernoulli
from .beta import Beta
from .binomial import Binomial
from .categorical import Categorical
from .dirichlet import Dirichlet
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .exponential import Exponential
from .gamma import Gamma
from .independent import Independent
from .kl import kl_divergence, register_kl
from .laplace import Laplace
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .one_hot_categorical import OneHotCategorical, OneHotCategoricalStraightThrough
from .poisson import Poisson
from .uniform import Uniform

__all__ = [
    "Bernoulli", "Beta", "Binomial", "Categorical", "Dirichlet", "Distribution", "Exponential", "ExponentialFamily", "Gamma",
    "Independent", "Laplace", "MultivariateNormal", "Normal", "OneHotCategorical",
    "OneHotCategoricalStraightThrough", "Poisson", "Uniform", "constraints", "kl_divergence",
    "register_kl",
]
