"""tapegrad.func: torch.func's function transforms over tapegrad's autograd.

grad / grad_and_value / vjp / jacrev / jacfwd / hessian / jvp differentiate with the tape
(autograd.grad with create_graph, so transforms nest: grad(grad(f)) works); vmap maps func
over the batch dimension by calling it once per batch element and stacking the results (the
same values as torch's batching rules; data-dependent Python control flow is allowed here);
functional_call runs a module with other parameters and buffers swapped in; stack_module_state
stacks the states of an ensemble. Arguments and outputs may be nested tuples, lists and dicts
of tensors (pytrees), as in torch."""
from __future__ import annotations

import contextlib
import functools

from . import _C
from ._C import Tensor

__all__ = ["vmap", "grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian",
           "functional_call", "stack_module_state"]


# ------------------------------------------------------------------------------ pytrees

def _flatten(tree):
    """(leaves, rebuild): rebuild(new_leaves) gives the same structure with new leaves."""
    if isinstance(tree, (list, tuple)) and not hasattr(tree, "_fields"):
        parts = [_flatten(t) for t in tree]
        leaves = [leaf for p in parts for leaf in p[0]]
        sizes = [len(p[0]) for p in parts]

        def rebuild(new):
            out, k = [], 0
            for (_, rb), n in zip(parts, sizes):
                out.append(rb(new[k:k + n]))
                k += n
            return type(tree)(out)
        return leaves, rebuild
    if isinstance(tree, tuple):  # namedtuple
        leaves, rb = _flatten(tuple(tree))
        return leaves, lambda new: type(tree)(*rb(new))
    if isinstance(tree, dict):
        keys = list(tree)
        leaves, rb = _flatten([tree[k] for k in keys])
        return leaves, lambda new: type(tree)(zip(keys, rb(new)))
    return [tree], lambda new: new[0]


def _fn_name(func):
    return getattr(func, "__name__", repr(func))


# ------------------------------------------------------------------------------ grad family

def _as_argnums(argnums, n):
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    if isinstance(argnums, tuple) and not argnums:
        raise RuntimeError("argnums must be non-empty")
    for a in nums:
        if not isinstance(a, int):
            raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
        if not -n <= a < n:
            raise RuntimeError(f"Got argnum={a}, but only {n} positional inputs")
    return nums


def _wrap_inputs(tree):
    """Leaves that record: an input that already has history (an outer transform's) keeps it
    through an alias, any other becomes a fresh leaf requiring grad."""
    leaves, rebuild = _flatten(tree)
    new = []
    for t in leaves:
        if not isinstance(t, Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(t)}")
        new.append(t.view_as(t) if t.requires_grad else t.detach().requires_grad_())
    return new, rebuild


def _split_aux(out, has_aux, who):
    """(output, aux) of a function run under a transform (aux None without has_aux)."""
    if not has_aux:
        return out, None
    if not (isinstance(out, tuple) and len(out) == 2):
        raise RuntimeError(f"{who}: output of function f should be a tuple: (output, aux) if "
                           "has_aux is True")
    return out


def _regroup(wrapped, flat):
    """flat (one entry per wrapped leaf) back into the structure of each wrapped input."""
    res, k = [], 0
    for leaves, rebuild in wrapped:
        res.append(rebuild(flat[k:k + len(leaves)]))
        k += len(leaves)
    return res


def _outer_level(tensors):
    return _C.is_grad_enabled() and any(isinstance(t, Tensor) and t.requires_grad
                                        for t in tensors)


def _finish(t, keep):
    return t if keep or not isinstance(t, Tensor) else t.detach()


def grad_and_value(func, argnums=0, has_aux=False):
    """A function returning (d func / d args[argnums], func(*args)) for a scalar func."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from . import autograd
        from ._grad_mode import enable_grad
        nums = _as_argnums(argnums, len(args))
        originals = [leaf for a in nums for leaf in _flatten(args[a])[0]]
        keep = _outer_level(originals)
        args = list(args)
        wrapped = []
        with enable_grad():
            for a in nums:
                leaves, rebuild = _wrap_inputs(args[a])
                wrapped.append((leaves, rebuild))
                args[a] = rebuild(leaves)
            out, aux = _split_aux(func(*args, **kwargs), has_aux, "grad_and_value(f)(*args)")
            if not isinstance(out, Tensor):
                raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a "
                                   f"Tensor, got {type(out)}")
            if out.dim() != 0:
                raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a "
                                   f"scalar Tensor, got tensor with {out.dim()} dims. Maybe you "
                                   "wanted to use the vjp or jacrev APIs instead?")
            flat = [leaf for leaves, _ in wrapped for leaf in leaves]
            if out.requires_grad:
                grads = autograd.grad(out, flat, create_graph=True, allow_unused=True,
                                      materialize_grads=True)
            else:
                grads = [_zeros_like(t) for t in flat]
        results = _regroup(wrapped, [_finish(g, keep) for g in grads])
        g = results[0] if isinstance(argnums, int) else tuple(results)
        value = _finish(out, keep)
        if has_aux:
            return g, (value, _map_tensors(aux, lambda t: _finish(t, keep)))
        return g, value
    return wrapper


def grad(func, argnums=0, has_aux=False):
    """d func(*args) / d args[argnums] for a func returning a scalar tensor."""
    gv = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        g, value = gv(*args, **kwargs)
        return (g, value[1]) if has_aux else g
    return wrapper


def _zeros_like(t):
    import tapegrad
    return tapegrad.zeros_like(t)


def _map_tensors(tree, fn):
    leaves, rebuild = _flatten(tree)
    return rebuild([fn(t) if isinstance(t, Tensor) else t for t in leaves])


def vjp(func, *primals, has_aux=False):
    """(func(*primals), vjp_fn[, aux]): vjp_fn(cotangents) gives one gradient per primal."""
    from . import autograd
    from ._grad_mode import enable_grad
    keep = _outer_level([leaf for p in primals for leaf in _flatten(p)[0]])
    wrapped, args = [], []
    with enable_grad():
        for p in primals:
            leaves, rebuild = _wrap_inputs(p)
            wrapped.append((leaves, rebuild))
            args.append(rebuild(leaves))
        out, aux = _split_aux(func(*args), has_aux, "vjp(f, *primals)")
    out_leaves, out_rebuild = _flatten(out)
    for t in out_leaves:
        if not isinstance(t, Tensor):
            raise RuntimeError("vjp(f, *primals): Expected f to be a function that has a "
                               f"single Tensor output or a tuple of Tensors, got {type(t)}")
    flat_in = [leaf for leaves, _ in wrapped for leaf in leaves]

    def vjp_fn(cotangents, *, retain_graph=True, create_graph=None):
        cot = _flatten(cotangents)[0]
        if len(cot) != len(out_leaves):
            raise RuntimeError("Expected pytree structure of cotangents to be the same as "
                               "pytree structure of outputs to the function.")
        pairs = [(o, c) for o, c in zip(out_leaves, cot) if o.requires_grad]
        with enable_grad():
            if pairs:
                grads = autograd.grad([o for o, _ in pairs], flat_in, [c for _, c in pairs],
                                      retain_graph=True, create_graph=True, allow_unused=True,
                                      materialize_grads=True)
            else:
                grads = [_zeros_like(t) for t in flat_in]
        keep_now = keep or _outer_level(cot)
        return tuple(_regroup(wrapped, [_finish(g, keep_now) for g in grads]))

    value = out_rebuild([_finish(t, keep) for t in out_leaves])
    if has_aux:
        return value, vjp_fn, _map_tensors(aux, lambda t: _finish(t, keep))
    return value, vjp_fn


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """(func(*primals), J @ tangents) by the double-vjp rule: the vjp is linear in its
    cotangent u, so differentiating <vjp(u), tangents> with respect to u gives J @ tangents."""
    from . import autograd
    from ._grad_mode import enable_grad
    if not isinstance(primals, tuple):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals to be a tuple. E.g. "
                           "it should be valid to call f(*primals).")
    if not isinstance(tangents, tuple) or len(tangents) != len(primals):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals and tangents to have "
                           "the same python structure. For example, if primals is a tuple of "
                           "3 tensors, tangents also must be. Got primals with structure "
                           f"{len(primals)} and tangents with structure "
                           f"{len(tangents) if isinstance(tangents, tuple) else tangents}")
    res = vjp(func, *primals, has_aux=has_aux)
    out, vjp_fn = res[0], res[1]
    out_leaves, out_rebuild = _flatten(out)
    with enable_grad():
        us = [_zeros_like(o).requires_grad_() for o in out_leaves]
        g = vjp_fn(out_rebuild(us))
        g_leaves = _flatten(g)[0]
        t_leaves = _flatten(tangents)[0]
        dot = [(a * b).sum() for a, b in zip(g_leaves, t_leaves) if a.requires_grad]
        if dot:
            outs = autograd.grad(sum(dot[1:], dot[0]), us, allow_unused=True,
                                 materialize_grads=True,
                                 create_graph=_outer_level(list(primals) + list(tangents)))
        else:
            outs = [_zeros_like(o) for o in out_leaves]
    keep = _outer_level(list(primals) + list(tangents))
    tangent_out = out_rebuild([_finish(t, keep) for t in outs])
    if has_aux:
        return out, tangent_out, res[2]
    return out, tangent_out


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    """The Jacobian of func with respect to args[argnums], row by row (reverse mode): each
    output leaf gives a tensor of shape output.shape + input.shape (a tuple over argnums)."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        import tapegrad
        nums = _as_argnums(argnums, len(args))

        def f(*primals):
            full = list(args)
            for a, p in zip(nums, primals):
                full[a] = p
            return func(*full, **kwargs)
        res = vjp(f, *[args[a] for a in nums], has_aux=has_aux)
        out, vjp_fn = res[0], res[1]
        out_leaves, out_rebuild = _flatten(out)
        in_trees = [args[a] for a in nums]
        in_leaves = [_flatten(t)[0] for t in in_trees]
        per_out = []
        for k, o in enumerate(out_leaves):
            rows = []
            for i in range(o.numel()):
                cot = [_zeros_like(x) for x in out_leaves]
                cot[k] = cot[k].reshape(-1).index_fill(0, tapegrad.tensor([i]), 1).reshape(o.shape)
                rows.append(_flatten(vjp_fn(out_rebuild(cot)))[0])
            jac_leaves = []
            flat_inputs = [leaf for leaves in in_leaves for leaf in leaves]
            for j, x in enumerate(flat_inputs):
                if rows:
                    jac = tapegrad.stack([r[j] for r in rows]).reshape(tuple(o.shape) +
                                                                       tuple(x.shape))
                else:
                    jac = tapegrad.zeros(tuple(o.shape) + tuple(x.shape), dtype=x.dtype)
                jac_leaves.append(jac)
            trees, m = [], 0
            for t, leaves in zip(in_trees, in_leaves):
                trees.append(_flatten(t)[1](jac_leaves[m:m + len(leaves)]))
                m += len(leaves)
            per_out.append(trees[0] if isinstance(argnums, int) else tuple(trees))
        jac = out_rebuild(per_out)
        return (jac, res[2]) if has_aux else jac
    return wrapper


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """The Jacobian of func (the same values as jacrev: tapegrad computes both in reverse
    mode)."""
    return jacrev(func, argnums, has_aux=has_aux)


def hessian(func, argnums=0):
    """The Hessian of a scalar func: jacfwd(jacrev(func))."""
    return jacfwd(jacrev(func, argnums), argnums)


# ------------------------------------------------------------------------------ vmap

def _vmap_name(func, in_dims):
    return f"vmap({_fn_name(func)}, in_dims={in_dims}, ...)(<inputs>)"


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """func mapped over dimension in_dims of its inputs (None: not mapped), the results stacked
    along out_dims."""
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        import tapegrad
        leaves, rebuild = _flatten(list(args))
        if isinstance(in_dims, int) or in_dims is None:
            dims = [in_dims] * len(leaves)
        else:
            if not isinstance(in_dims, tuple):
                raise ValueError(f"vmap({_fn_name(func)}, in_dims={in_dims}, ...): expected "
                                 "`in_dims` to be int or a (potentially nested) tuple matching "
                                 f"the structure of inputs, got: {type(in_dims)}.")
            if len(in_dims) != len(args):
                raise ValueError(f"{_vmap_name(func, in_dims)}: in_dims is not compatible with "
                                 "the structure of `inputs`.")
            dims = []
            for d, a in zip(in_dims, args):
                n = len(_flatten(a)[0])
                dims += [d] * n if (isinstance(d, int) or d is None) else _flatten(d)[0]
        size = None
        sizes = []
        for d, t in zip(dims, leaves):
            if d is None:
                continue
            if not isinstance(t, Tensor):
                raise ValueError(f"{_vmap_name(func, in_dims)}: Got in_dim={d} for an input but "
                                 f"the input is of type {type(t)}. We cannot vmap over "
                                 "non-Tensor arguments, please use None as the respective in_dim")
            if not -t.dim() <= d < t.dim():
                raise ValueError(f"{_vmap_name(func, in_dims)}: Got in_dim={d} for some input, "
                                 f"but that input is a Tensor of dimensionality {t.dim()} so "
                                 f"expected in_dim to satisfy -{t.dim()} <= in_dim < {t.dim()}.")
            sizes.append(t.shape[d])
        if not sizes:
            raise ValueError("vmap: Expected at least one Tensor to vmap over")
        if len(set(sizes)) != 1:
            raise ValueError("vmap: Expected all tensors to have the same size in the mapped "
                             f"dimension, got sizes {sizes} for the mapped dimension")
        size = sizes[0]

        def element(i):
            new = [t if d is None else t.select(d, i) for d, t in zip(dims, leaves)]
            return func(*rebuild(new), **kwargs)

        if size == 0:
            # no element to call func on: the shapes come from a zero-filled stand-in
            def stand_in(t, d):
                shape = tuple(t.shape[:d % t.dim()]) + tuple(t.shape[d % t.dim() + 1:])
                z = t.new_zeros(shape)
                # connected to t, so the empty result carries t's history as torch's does
                return z + t.sum() * 0 if t.requires_grad else z
            new = [t if d is None else stand_in(t, d) for d, t in zip(dims, leaves)]
            sample = func(*rebuild(new), **kwargs)
            outs = []
        else:
            outs = [element(i) for i in range(size)]
            sample = outs[0]
        out_leaves, out_rebuild = _flatten(sample)
        odims = ([out_dims] * len(out_leaves) if isinstance(out_dims, int) or out_dims is None
                 else _flatten(out_dims)[0])
        stacked = []
        for j, (o, od) in enumerate(zip(out_leaves, odims)):
            if od is None:
                stacked.append(o)
                continue
            if not isinstance(o, Tensor):
                raise ValueError(f"vmap({_fn_name(func)}, ...): `{_fn_name(func)}` must only "
                                 f"return Tensors, got type {type(o)}. Did you mean to set "
                                 "out_dims= to None for output?")
            if not -(o.dim() + 1) <= od < o.dim() + 1:
                raise IndexError(f"Dimension out of range (expected to be in range of "
                                 f"[{-(o.dim() + 1)}, {o.dim()}], but got {od})")
            if size == 0:
                stacked.append(o.unsqueeze(0)[:0].movedim(0, od))
            else:
                stacked.append(tapegrad.stack([_flatten(r)[0][j] for r in outs], od))
        return out_rebuild(stacked)
    return wrapper


# ------------------------------------------------------------------------------ modules

@contextlib.contextmanager
def _swapped(module, values, tie_weights):
    """module's parameters and buffers named in `values` (dotted names) replaced, then put
    back; a weight tied under several names is replaced under all of them (tie_weights)."""
    saved = []
    names = dict(values)
    if tie_weights:
        by_id = {}
        for name, p in module.named_parameters(remove_duplicate=False):
            by_id.setdefault(id(p), []).append(name)
        for name, b in module.named_buffers(remove_duplicate=False):
            by_id.setdefault(id(b), []).append(name)
        for group in by_id.values():
            given = [n for n in group if n in values]
            if given:
                for n in group:
                    names.setdefault(n, values[given[0]])
    try:
        for name, value in names.items():
            owner_path, _, attr = name.rpartition(".")
            owner = module.get_submodule(owner_path)
            store = owner._parameters if attr in owner._parameters else (
                owner._buffers if attr in owner._buffers else None)
            if store is None:
                old = owner.__dict__.get(attr, _MISSING)
                saved.append((owner.__dict__, attr, old))
                owner.__dict__[attr] = value
            else:
                saved.append((store, attr, store[attr]))
                store[attr] = value
        yield
    finally:
        for store, attr, old in reversed(saved):
            if old is _MISSING:
                store.pop(attr, None)
            else:
                store[attr] = old


_MISSING = object()


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *,
                    tie_weights=True, strict=False):
    """module(*args, **kwargs) with the given tensors in place of its parameters and buffers
    (by their state_dict names); the module itself is left as it was."""
    dicts = parameter_and_buffer_dicts
    if isinstance(dicts, dict):
        values = dict(dicts)
    else:
        values = {}
        for d in dicts:
            for k, v in d.items():
                if k in values:
                    raise ValueError(f"{k} appeared in multiple dictionaries; behavior of "
                                     "functional call is ambiguous")
                values[k] = v
    if strict:
        expected = [n for n, _ in module.named_parameters()] + [n for n, _ in
                                                                module.named_buffers()]
        missing = sorted(n for n in expected if n not in values)
        unexpected = sorted(n for n in values if n not in expected)
        if missing or unexpected:
            msg = f"Error(s) in reparametrizing for {type(module).__name__}:"
            if unexpected:
                msg += "\n\tUnexpected key(s): " + ", ".join(f"'{k}'" for k in unexpected) + "."
            if missing:
                msg += "\n\tMissing key(s): " + ", ".join(f"'{k}'" for k in missing) + "."
            raise RuntimeError(msg)
    if kwargs is None:
        kwargs = {}
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _swapped(module, values, tie_weights):
        return module(*args, **kwargs)


def stack_module_state(models):
    """(params, buffers): each name's tensors from every model stacked along a new first dim;
    stacked parameters are new leaves (requiring grad as the models' do)."""
    import tapegrad
    models = list(models)
    if len(models) == 0:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if not (all(m.training for m in models) or all(not m.training for m in models)):
        raise RuntimeError("stack_module_state: Expected all models to have the same training/"
                           "eval mode.")
    if len({type(m) for m in models}) != 1:
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")
    params, buffers = {}, {}
    for name in dict(models[0].named_parameters()):
        ts = [dict(m.named_parameters())[name] for m in models]
        rg = ts[0].requires_grad
        if any(t.requires_grad != rg for t in ts):
            raise RuntimeError(f"Expected {name} from each model to have the same .requires_grad")
        params[name] = tapegrad.stack([t.detach() for t in ts]).requires_grad_(rg)
    for name in dict(models[0].named_buffers()):
        buffers[name] = tapegrad.stack([dict(m.named_buffers())[name] for m in models])
    return params, buffers
