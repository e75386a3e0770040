"""L-BFGS (torch's variant): one param group, step(closure) runs up to max_iter quasi-Newton
iterations on the flattened parameters, the direction coming from the two-loop recursion over
the last history_size curvature pairs, the step either fixed (lr; the first one scaled by
1/|grad|_1) or found by a strong-Wolfe line search. All state lives under the first
parameter: 'func_evals', 'n_iter', 'd', 't', 'old_dirs', 'old_stps', 'ro', 'H_diag',
'prev_flat_grad', 'prev_loss' and 'al'. Scalars derived from tensors (ys, ro, H_diag, gtd)
stay 0-d tensors of the parameters' dtype, as in torch, so float32 runs round alike."""
from .. import _C, _grad_mode
from .optimizer import Optimizer, _check_lr


def _cubic_min(x1, f1, g1, x2, f2, g2, bounds=None):
    """Minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1, g2, clamped to
    bounds (default: the interval); the interval's middle when the cubic has none."""
    lo, hi = bounds if bounds is not None else ((x1, x2) if x1 <= x2 else (x2, x1))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    disc = d1 ** 2 - g1 * g2
    if disc < 0:
        return (lo + hi) / 2.0
    d2 = disc.sqrt()
    if x1 <= x2:
        x = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        x = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(x, lo), hi)


class _Point:
    """One line-search sample: step t, loss f, flat gradient g, directional derivative gtd."""
    __slots__ = ("t", "f", "g", "gtd")

    def __init__(self, t, f, g, gtd):
        self.t, self.f, self.g, self.gtd = t, f, g, gtd


def _strong_wolfe(evaluate, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9,
                  max_ls=25):
    """Line search along d from the current point (loss f, gradient g, slope gtd) for a step
    meeting the strong Wolfe conditions: bracket a step, then zoom into the bracket with cubic
    interpolation. Returns (loss, flat gradient, step, evaluations)."""
    d_norm = d.abs().max()
    start = _Point(0, f, g.clone(), gtd)

    def sample(t):
        f_t, g_t = evaluate(t)
        return _Point(t, f_t, g_t, g_t.dot(d))

    def sufficient_decrease(p):
        return p.f <= f + c1 * p.t * gtd

    def curvature_ok(p):
        return abs(p.gtd) <= -c2 * gtd

    prev, cur = start, sample(t)
    evals, it, done = 1, 0, False
    bracket = None
    # phase 1: grow the step until the minimum is bracketed (or the step is good already)
    while it < max_ls:
        if not sufficient_decrease(cur) or (it > 1 and cur.f >= prev.f):
            bracket = [prev, _Point(cur.t, cur.f, cur.g.clone(), cur.gtd)]
            break
        if curvature_ok(cur):
            bracket, done = [cur], True
            break
        if cur.gtd >= 0:
            bracket = [prev, _Point(cur.t, cur.f, cur.g.clone(), cur.gtd)]
            break
        t_next = _cubic_min(prev.t, prev.f, prev.gtd, cur.t, cur.f, cur.gtd,
                            bounds=(cur.t + 0.01 * (cur.t - prev.t), cur.t * 10))
        prev = _Point(cur.t, cur.f, cur.g.clone(), cur.gtd)
        cur = sample(t_next)
        evals += 1
        it += 1
    if it == max_ls:
        bracket = [_Point(0, f, g, None), cur]
    # phase 2: shrink the bracket [a, b] (low = the lower loss) around a good step
    insufficient = False
    low, high = (0, 1) if bracket[0].f <= bracket[-1].f else (1, 0)
    while not done and it < max_ls:
        a, b = bracket
        if abs(b.t - a.t) * d_norm < tolerance_change:
            break
        t = _cubic_min(a.t, a.f, a.gtd, b.t, b.f, b.gtd)
        top, bottom = max(a.t, b.t), min(a.t, b.t)
        margin = 0.1 * (top - bottom)
        if min(top - t, t - bottom) < margin:
            # too near an end: move it inside, unless the last try made progress there
            if insufficient or t >= top or t <= bottom:
                t = top - margin if abs(t - top) < abs(t - bottom) else bottom + margin
                insufficient = False
            else:
                insufficient = True
        else:
            insufficient = False
        cur = sample(t)
        evals += 1
        it += 1
        if not sufficient_decrease(cur) or cur.f >= bracket[low].f:
            bracket[high] = _Point(cur.t, cur.f, cur.g.clone(), cur.gtd)
            low, high = (0, 1) if bracket[0].f <= bracket[1].f else (1, 0)
        else:
            if curvature_ok(cur):
                done = True
            elif cur.gtd * (bracket[high].t - bracket[low].t) >= 0:
                bracket[high] = bracket[low]
            bracket[low] = _Point(cur.t, cur.f, cur.g.clone(), cur.gtd)
    best = bracket[low]
    return best.f, best.g, best.t, evals


class LBFGS(Optimizer):
    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
                 tolerance_change=1e-9, history_size=100, line_search_fn=None):
        _check_lr(lr)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        super().__init__(params, dict(
            lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
            tolerance_change=tolerance_change, history_size=history_size,
            line_search_fn=line_search_fn))
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]
        self._numel_cache = None

    def _numel(self):
        if self._numel_cache is None:
            self._numel_cache = sum(p.numel() for p in self._params)
        return self._numel_cache

    def _flat_grad(self):
        return _C.cat([p.grad.reshape(-1) if p.grad is not None
                       else p.new_zeros((p.numel(),)) for p in self._params], 0)

    def _add_grad(self, step, update):
        """p += step * (p's slice of the flat vector update), for every parameter."""
        step = float(step)
        at = 0
        for p in self._params:
            n = p.numel()
            p.add_(update[at:at + n].view_as(p), alpha=step)
            at += n

    def _evaluate_at(self, closure, x, t, d):
        """Loss and flat gradient at x + t * d; the parameters go back to x afterwards."""
        self._add_grad(t, d)
        loss = float(closure())
        g = self._flat_grad()
        for p, v in zip(self._params, x):
            p.copy_(v)
        return loss, g

    @staticmethod
    def _direction(state, g, history_size):
        """-H g by the two-loop recursion over the stored (y, s) pairs, scaled by H_diag."""
        dirs, stps, ro = state["old_dirs"], state["old_stps"], state["ro"]
        if "al" not in state:
            state["al"] = [None] * history_size
        al = state["al"]
        q = g.neg()
        for i in range(len(dirs) - 1, -1, -1):
            al[i] = stps[i].dot(q) * ro[i]
            q.add_(dirs[i], alpha=-float(al[i]))
        r = q.mul(state["H_diag"])
        for i in range(len(dirs)):
            be = dirs[i].dot(r) * ro[i]
            r.add_(stps[i], alpha=float(al[i] - be))
        return r

    def step(self, closure):
        if len(self.param_groups) != 1:  # a group added after construction
            raise AssertionError("Expected exactly one param_group, but got "
                                 f"{len(self.param_groups)}")
        with _grad_mode.no_grad():
            return self._run(closure)

    def _run(self, closure):
        def eval_closure():
            with _grad_mode.enable_grad():
                return closure()

        group = self.param_groups[0]
        lr, max_iter, max_eval = float(group["lr"]), group["max_iter"], group["max_eval"]
        tol_grad, tol_change = group["tolerance_grad"], group["tolerance_change"]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = eval_closure()
        loss = float(orig_loss)
        evals = 1
        state["func_evals"] += 1
        g = self._flat_grad()
        if g.abs().max() <= tol_grad:
            return orig_loss
        d, t = state.get("d"), state.get("t")
        prev_g, prev_loss = state.get("prev_flat_grad"), state.get("prev_loss")
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = g.neg()
                state.update(old_dirs=[], old_stps=[], ro=[], H_diag=1)
            else:
                self._remember(state, g.sub(prev_g), d.mul(t), group["history_size"])
                d = self._direction(state, g, group["history_size"])
            if prev_g is None:
                prev_g = g.clone()
            else:
                prev_g.copy_(g)
            prev_loss = loss
            # the very first step is scaled down by the gradient's 1-norm
            t = min(1.0, 1.0 / g.abs().sum()) * lr if state["n_iter"] == 1 else lr
            gtd = g.dot(d)
            if gtd > -tol_change:  # not a descent direction any more
                break
            ls_evals = 0
            if group["line_search_fn"] is not None:
                if group["line_search_fn"] != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                x0 = [p.clone() for p in self._params]
                loss, g, t, ls_evals = _strong_wolfe(
                    lambda s: self._evaluate_at(eval_closure, x0, s, d), t, d, loss, g, gtd,
                    max_ls=max_eval - evals)
                self._add_grad(t, d)
                converged = g.abs().max() <= tol_grad
            else:
                self._add_grad(t, d)
                converged = False
                if n_iter != max_iter:  # the loss at the new point, for the next iteration
                    loss = float(eval_closure())
                    g = self._flat_grad()
                    converged = g.abs().max() <= tol_grad
                    ls_evals = 1
            evals += ls_evals
            state["func_evals"] += ls_evals
            if (n_iter == max_iter or evals >= max_eval or converged
                    or d.mul(t).abs().max() <= tol_change
                    or abs(loss - prev_loss) < tol_change):
                break
        state.update(d=d, t=t, prev_flat_grad=prev_g, prev_loss=prev_loss)
        return orig_loss

    @staticmethod
    def _remember(state, y, s, history_size):
        """Keep the curvature pair (y, s) when y.s is safely positive (dropping the oldest at
        history_size) and set H_diag = y.s / y.y."""
        ys = y.dot(s)
        if ys > 1e-10:
            if len(state["old_dirs"]) == history_size:
                for k in ("old_dirs", "old_stps", "ro"):
                    state[k].pop(0)
            state["old_dirs"].append(y)
            state["old_stps"].append(s)
            state["ro"].append(1.0 / ys)
            state["H_diag"] = ys / y.dot(y)
