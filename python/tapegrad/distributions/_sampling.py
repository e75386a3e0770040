"""Samplers torch draws with generators of its own (torch._standard_gamma, torch.poisson):
Marsaglia-Tsang for Gamma, uniform products (small rates) and Hormann's PTRS transformed
rejection (large rates) for Poisson,
vectorised with rejection loops over tapegrad's rand / randn. They draw the right laws but
not torch's streams, so Gamma / Beta / Dirichlet / Poisson samples differ from torch's under
the same seed. No gradient with respect to the shape parameters (see _require_no_grad)."""
import tapegrad as _tg


def require_no_grad(name, *params):
    """torch differentiates Gamma-family samples with respect to the concentration (implicit
    reparameterisation); tapegrad does not yet, and says so rather than return a sample whose
    gradient is silently zero."""
    if _tg.is_grad_enabled() and any(p.requires_grad for p in params):
        raise NotImplementedError(f"tapegrad: {name}.rsample has no gradient with respect to the "
                                  "concentration yet; use .sample() or detach the concentration")


def standard_gamma(alpha):
    """Gamma(alpha, 1) draws of alpha's shape and dtype (alpha > 0), computed in float64."""
    a = alpha.detach().to(_tg.float64)
    boost = a < 1  # Gamma(a) = Gamma(a + 1) * U^(1/a) for a < 1
    a1 = _tg.where(boost, a + 1, a)
    d = a1 - 1.0 / 3
    c = 1.0 / (9 * d).sqrt()
    out = _tg.zeros_like(a)
    pending = _tg.ones_like(a, dtype=_tg.bool)
    for _ in range(1000):
        if not bool(pending.any()):
            break
        x = _tg.randn(tuple(a.shape), dtype=_tg.float64, device=a.device)
        u = _tg.rand(tuple(a.shape), dtype=_tg.float64, device=a.device)
        v = (1 + c * x) ** 3
        ok = (v > 0) & (u.log() < 0.5 * x * x + d - d * v + d * v.clamp(min=1e-300).log())
        take = pending & ok
        out = _tg.where(take, d * v, out)
        pending = pending & ~ok
    u = _tg.rand(tuple(a.shape), dtype=_tg.float64, device=a.device)
    out = _tg.where(boost, out * u.pow(1 / a), out)
    tiny = _tg.finfo(alpha.dtype).tiny
    return out.to(alpha.dtype).clamp(min=tiny)


def poisson(rate):
    """Poisson(rate) draws of rate's shape and dtype: counting exponential inter-arrival times
    for rate < 10, Hormann's PTRS transformed rejection above."""
    lam = rate.detach().to(_tg.float64)
    shape = tuple(lam.shape)
    out = _tg.zeros_like(lam)
    small = lam < 10
    # small rates: number of uniform products above exp(-lam)
    limit = (-lam).exp()
    prod = _tg.ones_like(lam)
    count = _tg.zeros_like(lam)
    active = small & (lam > 0)
    while bool(active.any()):
        prod = _tg.where(active, prod * _tg.rand(shape, dtype=_tg.float64, device=lam.device), prod)
        still = active & (prod > limit)
        count = _tg.where(still, count + 1, count)
        active = still
    out = _tg.where(small, count, out)
    # large rates: PTRS
    big = ~small
    if bool(big.any()):
        lam_b = _tg.where(big, lam, _tg.full_like(lam, 10.0))
        slam = lam_b.sqrt()
        loglam = lam_b.log()
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
        v_r = 0.9277 - 3.6224 / (b - 2)
        pending = big.clone()
        res = _tg.zeros_like(lam)
        for _ in range(1000):
            if not bool(pending.any()):
                break
            u = _tg.rand(shape, dtype=_tg.float64, device=lam.device) - 0.5
            v = _tg.rand(shape, dtype=_tg.float64, device=lam.device)
            us = 0.5 - u.abs()
            k = ((2 * a / us + b) * u + lam_b + 0.43).floor()
            quick = (us >= 0.07) & (v <= v_r)
            bad = (k < 0) | ((us < 0.013) & (v > us))
            lhs = (v * inv_alpha / (a / (us * us) + b)).log()
            rhs = -lam_b + k * loglam - _tg.lgamma(k + 1)
            ok = quick | (~bad & (lhs <= rhs))
            take = pending & ok
            res = _tg.where(take, k, res)
            pending = pending & ~ok
        out = _tg.where(big, res, out)
    return out.to(rate.dtype)

