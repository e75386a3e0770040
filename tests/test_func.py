"""tapegrad.func against torch.func: grad / grad_and_value (argnums, has_aux, pytrees, nesting),
vjp, jvp, jacrev / jacfwd, hessian, vmap (in_dims / out_dims forms, None, negative dims, nested,
kwargs, pytree outputs, empty batch), functional_call (dicts, tied weights, buffers, strict),
stack_module_state with vmap (torch's model-ensembling recipe), and torch's errors."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

import crosscheck as cc  # noqa: E402
import tapegrad  # noqa: E402
from crosscheck import randn  # noqa: E402
from test_errors import assert_same_error  # noqa: E402


def F(m):
    return m.func


def test_grad_argnums_aux_and_pytrees():
    def fn(m, x, y):
        f = F(m)
        g0 = f.grad(lambda a, b: (a.sin() * b).sum())(x, y)
        g01 = f.grad(lambda a, b: (a.sin() * b).sum(), argnums=(0, 1))(x, y)
        gaux, aux = f.grad(lambda a: ((a ** 3).sum(), a.cos()), has_aux=True)(x)
        gd = f.grad(lambda d: (d["p"] * d["q"][0]).sum())({"p": x, "q": (y, y)})
        gv, val = f.grad_and_value(lambda a: (a * a).sum())(x)
        gneg = f.grad(lambda a, b: (a * b).sum(), argnums=-1)(x, y)
        unused = f.grad(lambda a, b: a.sum(), argnums=1)(x, y)
        return (g0, *g01, gaux, aux, gd["p"], gd["q"][0], gd["q"][1], gv, val, gneg, unused)
    cc.check(fn, randn(3), randn(3), grad=False)


def test_nested_grad_and_grad_of_outer_inputs():
    def fn(m, x):
        f = F(m)
        second = f.grad(lambda a: f.grad(lambda b: (b.sin() * b).sum())(a).sum())(x)
        return second, f.grad(lambda a: (a.exp() * x).sum())(x)
    cc.check(fn, randn(4), grad=False)

    def through(m, x):
        # the transform's result differentiates with the tape when its input has history
        return m.func.grad(lambda a: (a ** 3).sum())(x * 2)
    cc.check(through, randn(3))


def test_vjp_jvp():
    def fn(m, x, y, u, v):
        f = F(m)
        out, vjp_fn = f.vjp(lambda a, b: (a * b, a.sin()), x, y)
        g = vjp_fn((u, v))
        out2, tan = f.jvp(lambda a, b: (a * b).exp(), (x, y), (u, v))
        (o3, vfn, aux) = f.vjp(lambda a: (a.exp(), a.sum()), x, has_aux=True)
        return (*out, *g, out2, tan, o3, vfn(u)[0], aux)
    cc.check(fn, randn(3), randn(3), randn(3), randn(3), grad=False)


def test_jacobians_and_hessian():
    def fn(m, x, y):
        f = F(m)
        j = f.jacrev(lambda a: a.sin() * a.sum())(x)
        j01 = f.jacrev(lambda a, b: a @ b, argnums=(0, 1))(x, y)
        jf = f.jacfwd(lambda a: (a.exp(), a ** 2))(x)
        jaux, aux = f.jacrev(lambda a: (a.tanh(), a.sum()), has_aux=True)(x)
        h = f.hessian(lambda a: (a.sin() * a.sum()).sum())(x)
        hm = f.hessian(lambda a, b: (a @ b) ** 2, argnums=1)(x, y)
        return (j, *j01, *jf, jaux, aux, h, hm)
    cc.check(fn, randn(3), randn(3, 2), grad=False)


def test_vmap_forms():
    def fn(m, x, y, z):
        v = F(m).vmap
        a = v(lambda p, q: p @ q)(x, y)                              # both mapped on dim 0
        b = v(lambda p, q: p * q, in_dims=(0, None))(x, z)          # q shared
        c = v(lambda p: p.sum(0), in_dims=1)(x)                      # mapped on dim 1
        d = v(lambda p: p.sum(0), in_dims=-1, out_dims=0)(x)
        e = v(lambda p: p.outer(p), out_dims=1)(y)                   # stacked along dim 1
        f2 = v(v(lambda p, q: (p * q).sum()))(x, x)                  # nested
        g = v(lambda p, scale=1.0: p * scale)(y, scale=3.0)          # kwargs are not mapped
        h = v(lambda d: {"s": d["a"].sum(), "t": (d["a"], d["b"])})({"a": x, "b": y})
        i = v(lambda p, q: p + q, in_dims=(0, None))(y, 2.0)        # a Python number shared
        j = v(lambda p: (p, 5), out_dims=(0, None))(y)[1]           # an unmapped output
        k = v(lambda p: p.sum())(x[:0])                              # empty batch
        # (* 1: the values and gradients are compared; the last node of a batched result is
        # torch's batching rule's, not a stack)
        return tuple(t * 1 for t in (a, b, c, d, e, f2, g, h["s"], *h["t"], i, k)) + (j,)
    cc.check(fn, randn(4, 3), randn(4, 3), randn(3))


def test_functional_call_and_ensembles():
    def fn(m, x):
        m.manual_seed(0)
        net = m.nn.Sequential(m.nn.Linear(3, 4), m.nn.BatchNorm1d(4),
                              m.nn.Linear(4, 2)).to(x.dtype)
        params = {k: v * 0.5 for k, v in net.named_parameters()}
        bufs = {k: v + 1 for k, v in net.named_buffers()}
        net.eval()
        y1 = m.func.functional_call(net, (params, bufs), (x,))
        y2 = m.func.functional_call(net, {"0.weight": params["0.weight"]}, x)
        y3 = net(x)  # the module itself is unchanged afterwards
        models = []
        for s in range(3):
            m.manual_seed(s)
            models.append(m.nn.Linear(3, 2).to(x.dtype))
        p, b = m.func.stack_module_state(models)
        base = models[0]

        def fmodel(params, buffers, inp):
            return m.func.functional_call(base, (params, buffers), (inp,))
        ens = m.func.vmap(fmodel, in_dims=(0, 0, None))(p, b, x)
        return y1, y2, y3, ens * 1, p["weight"], p["weight"].requires_grad
    cc.check(fn, randn(5, 3), grad=False)


def test_functional_call_tied_weights():
    for m in (torch, tapegrad):
        lin = m.nn.Linear(2, 2, bias=False)
        net = m.nn.Sequential(lin, m.nn.Tanh(), lin)
        w = m.ones(2, 2)
        y = m.func.functional_call(net, {"0.weight": w}, (m.ones(1, 2),))
        y_untied = m.func.functional_call(net, {"0.weight": w}, (m.ones(1, 2),),
                                          tie_weights=False)
        if m is torch:
            ref = (y.tolist(), y_untied.tolist())
        else:
            np.testing.assert_allclose(y.tolist(), ref[0], rtol=1e-6)
            np.testing.assert_allclose(y_untied.tolist(), ref[1], rtol=1e-6)


def test_gradients_through_functional_call():
    def fn(m, w, x):
        lin = m.nn.Linear(3, 2).to(w.dtype)
        g = m.func.grad(lambda p: m.func.functional_call(lin, p, (x,)).pow(2).sum())(
            {"weight": w, "bias": m.zeros(2, dtype=w.dtype)})
        return g["weight"], g["bias"]
    cc.check(fn, randn(2, 3, rg=False), randn(4, 3, rg=False), grad=False)


ERRORS = {
    "vmap_sizes": lambda m: m.func.vmap(m.add)(m.ones(3, 4), m.ones(2, 4)),
    "vmap_nothing_mapped": lambda m: m.func.vmap(m.sin, in_dims=(None,))(m.ones(3)),
    "vmap_bad_in_dim": lambda m: m.func.vmap(m.sin, in_dims=2)(m.ones(3, 4)),
    "vmap_non_tensor_out": lambda m: m.func.vmap(lambda a: 3)(m.ones(3)),
    "vmap_non_tensor_in": lambda m: m.func.vmap(m.sin)(3),
    "vmap_out_dim": lambda m: m.func.vmap(m.sin, out_dims=2)(m.ones(3, 4)),
    "vmap_scalar_in": lambda m: m.func.vmap(m.sin)(m.tensor(1.)),
    "grad_not_scalar": lambda m: m.func.grad(lambda a: a)(m.ones(3, 4)),
    "grad_argnum": lambda m: m.func.grad(lambda a: a.sum(), argnums=2)(m.ones(3)),
    "grad_not_tensor": lambda m: m.func.grad(lambda a: 3)(m.ones(3)),
    "grad_float_input": lambda m: m.func.grad(lambda a: a.sum())(3.),
    "grad_aux_not_tuple": lambda m: m.func.grad(lambda a: a.sum(), has_aux=True)(m.ones(3)),
    "functional_call_strict": lambda m: m.func.functional_call(
        m.nn.Linear(2, 2), {"weight2": m.ones(2, 2)}, (m.ones(1, 2),), strict=True),
    "stack_none": lambda m: m.func.stack_module_state([]),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_like_torch(name):
    assert_same_error(ERRORS[name])


def test_top_level_vmap_alias():
    assert tapegrad.vmap is tapegrad.func.vmap
