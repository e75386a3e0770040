"""torch's out= keyword (python/tapegrad/_out_arg.py) against torch 2.13: the values written,
out returned itself (and views of it seeing the write), the resize of a wrong-shaped out (a
UserWarning with torch's text when it had elements, silent when empty), the dtype rules (a
result castable to out's dtype is converted, anything else a RuntimeError with torch's
wording), no autograd through out=, tuple outputs of the (values, indices) functions, and the
factories taking out's dtype."""
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import tapegrad as tg  # noqa: E402

A = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
B = np.random.default_rng(1).standard_normal((3, 4)).astype(np.float32) + 3


def _both(fn):
    res = []
    for m in (tg, torch):
        res.append(fn(m, m.tensor(A), m.tensor(B)))
    return res


CALLS = {
    "add": lambda m, a, b, out: m.add(a, b, alpha=2, out=out),
    "sub": lambda m, a, b, out: m.sub(a, b, out=out),
    "mul": lambda m, a, b, out: m.mul(a, 2.5, out=out),
    "div": lambda m, a, b, out: m.div(a, b, out=out),
    "pow": lambda m, a, b, out: m.pow(b, 2, out=out),
    "exp": lambda m, a, b, out: m.exp(a, out=out),
    "sin": lambda m, a, b, out: m.sin(a, out=out),
    "sqrt": lambda m, a, b, out: m.sqrt(b, out=out),
    "neg": lambda m, a, b, out: m.neg(a, out=out),
    "clamp": lambda m, a, b, out: m.clamp(a, -0.5, 0.5, out=out),
    "where": lambda m, a, b, out: m.where(a > 0, a, b, out=out),
    "maximum": lambda m, a, b, out: m.maximum(a, b, out=out),
    "sum_dim": lambda m, a, b, out: m.sum(a, 1, out=out),
    "mean_dim": lambda m, a, b, out: m.mean(a, 0, keepdim=True, out=out),
    "cumsum": lambda m, a, b, out: m.cumsum(a, 1, out=out),
    "matmul": lambda m, a, b, out: m.matmul(a, b.t(), out=out),
    "mm": lambda m, a, b, out: m.mm(a, b.t(), out=out),
    "cat": lambda m, a, b, out: m.cat([a, b], 0, out=out),
    "stack": lambda m, a, b, out: m.stack([a, b], out=out),
    "addcmul": lambda m, a, b, out: m.addcmul(a, a, b, value=0.5, out=out),
    "lerp": lambda m, a, b, out: m.lerp(a, b, 0.25, out=out),
    "tanh": lambda m, a, b, out: m.tanh(a, out=out),
    "sigmoid": lambda m, a, b, out: m.sigmoid(a, out=out),
    "tril": lambda m, a, b, out: m.tril(a, out=out),
    "index_select": lambda m, a, b, out: m.index_select(a, 1, m.tensor([2, 0]), out=out),
    # nn.functional's builtins with out= in torch (torch._C._nn), and the Tensor-method
    # functions' out= overloads
    "F.gelu": lambda m, a, b, out: m.nn.functional.gelu(a, approximate="tanh", out=out),
    "F.softplus": lambda m, a, b, out: m.nn.functional.softplus(a, 2, out=out),
    "F.softshrink": lambda m, a, b, out: m.nn.functional.softshrink(a, 0.3, out=out),
    "F.hardshrink": lambda m, a, b, out: m.nn.functional.hardshrink(a, out=out),
    "F.logsigmoid": lambda m, a, b, out: m.nn.functional.logsigmoid(a, out=out),
    "F.linear": lambda m, a, b, out: m.nn.functional.linear(a, b, b[0, :3], out=out),
    "F.avg_pool2d": lambda m, a, b, out: m.nn.functional.avg_pool2d(a.view(1, 3, 4), 2, 1,
                                                                     out=out),
    "F.avg_pool3d": lambda m, a, b, out: m.nn.functional.avg_pool3d(a.view(1, 1, 3, 4), (1, 2, 2),
                                                                     out=out),
    "index_copy": lambda m, a, b, out: m.index_copy(a, 0, m.tensor([2, 0]), b[:2], out=out),
    "index_add": lambda m, a, b, out: m.index_add(a, 1, m.tensor([3]), b[:, :1], alpha=2,
                                                  out=out),
    "scatter": lambda m, a, b, out: m.scatter(a, 0, m.tensor([[2, 0, 1, 0]]), b, out=out),
    "scatter_value": lambda m, a, b, out: m.scatter(a, 0, m.tensor([[2, 0, 1, 0]]), 1.5,
                                                    out=out),
    "scatter_add": lambda m, a, b, out: m.scatter_add(a, 1, m.tensor([[0, 0], [1, 3], [2, 2]]),
                                                      b, out=out),
    "scatter_reduce": lambda m, a, b, out: m.scatter_reduce(a, 0, m.tensor([[2, 0, 1, 0]]), b,
                                                            "amax", include_self=False, out=out),
}


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("out_kind", ["right_shape", "empty", "wrong_shape", "float64"])
def test_out_values_identity_and_resize(name, out_kind):
    results = []
    for m in (tg, torch):
        a, b = m.tensor(A), m.tensor(B)
        with m.no_grad():
            expected = CALLS[name](m, a, b, m.empty(0))
        if out_kind == "right_shape":
            out = m.zeros(tuple(expected.shape))
        elif out_kind == "empty":
            out = m.empty(0)
        elif out_kind == "wrong_shape":
            out = m.zeros(7)
        else:
            out = m.zeros(tuple(expected.shape), dtype=m.float64)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            try:
                got = CALLS[name](m, a, b, out)
            except RuntimeError as e:  # torch refuses a different dtype for some functions
                results.append(("error", str(e)))
                continue
        msgs = [str(x.message).split(" (Triggered internally")[0] for x in w
                if issubclass(x.category, UserWarning)]
        assert got is out
        results.append((out.numpy().copy(), str(out.dtype), tuple(out.shape), msgs))
    if "error" in (results[0][0] if isinstance(results[0][0], str) else None,
                   results[1][0] if isinstance(results[1][0], str) else None):
        assert results[0] == results[1]
        return
    (g, gdt, gshape, gmsg), (t, tdt, tshape, tmsg) = results
    assert (gdt, gshape) == (tdt, tshape)
    np.testing.assert_allclose(g, t, rtol=1e-6, atol=1e-6)
    assert gmsg == tmsg


def test_out_into_a_view_writes_the_base():
    res = []
    for m in (tg, torch):
        base = m.zeros(2, 4)
        m.add(m.ones(4), 2, out=base[1])
        res.append(base.numpy())
    np.testing.assert_array_equal(*res)


def _err(fn):
    errs = []
    for m in (tg, torch):
        with pytest.raises(Exception) as e:
            fn(m)
        errs.append((type(e.value), str(e.value).split("\n")[0]))
    return errs


@pytest.mark.parametrize("case", ["float_into_long", "int_into_bool", "requires_grad_input",
                                  "requires_grad_out", "tuple_too_short", "index_dtype"])
def test_out_errors_match_torch(case):
    fns = {
        "float_into_long": lambda m: m.add(m.ones(3), 1, out=m.empty(3, dtype=m.int64)),
        "int_into_bool": lambda m: m.add(m.ones(3, dtype=m.int32), 1,
                                         out=m.empty(3, dtype=m.bool)),
        "requires_grad_input": lambda m: m.mul(m.ones(3, requires_grad=True), 2,
                                               out=m.empty(3)),
        "requires_grad_out": lambda m: m.mul(m.ones(3), 2, out=m.empty(3, requires_grad=True)),
        "tuple_too_short": lambda m: m.max(m.ones(2, 3), 1, out=(m.empty(0),)),
        "index_dtype": lambda m: m.max(m.ones(2, 3), 1, out=(m.empty(0), m.empty(0))),
    }
    g, t = _err(fns[case])
    assert g == t


@pytest.mark.parametrize("name", [n for n in sorted(CALLS) if n.startswith("F.")]
                         + ["index_copy", "index_add", "scatter", "scatter_value", "scatter_add",
                            "scatter_reduce"])
@pytest.mark.parametrize("case", ["long_out", "str_out", "requires_grad"])
def test_nn_and_method_out_errors_match_torch(name, case):
    """torch's wording per function: "Found dtype Long but expected Float" (gelu, softplus,
    the shrinks), "expected scalar type Float but found Long" (logsigmoid), "Expected out tensor
    to have dtype float, but got long int instead" (linear, the pools, index_*, scatter*)."""
    def call(m):
        a, b = m.tensor(A), m.tensor(B)
        if case == "requires_grad":
            a.requires_grad_()
        out = {"long_out": m.empty(0, dtype=m.int64), "str_out": "abc"}.get(case, m.empty(0))
        return CALLS[name](m, a, b, out)
    g, t = _err(call)
    assert g == t


def test_bernoulli_out_takes_any_dtype():
    """torch.bernoulli(p, out=) writes its 0/1 draws into out of any dtype; the float-p
    overload has no out= (torch's parser refuses it)."""
    for dt in ("int64", "bool", "float16", "float64"):
        res = []
        for m in (tg, torch):
            out = m.empty(0, dtype=getattr(m, dt))
            got = m.bernoulli(m.full((5,), 0.5), out=out)
            assert got is out
            res.append((str(out.dtype), tuple(out.shape),
                        set(out.double().numpy().tolist()) <= {0.0, 1.0}))
        assert res[0] == res[1]
    g, t = _err(lambda m: m.bernoulli(m.full((5,), 0.5), 0.3, out=m.empty(0)))
    assert g == t


def test_out_castable_dtypes_convert_like_torch():
    res = []
    for m in (tg, torch):
        o1 = m.empty(3, dtype=m.int64)
        m.add(m.ones(3, dtype=m.int32), 1, out=o1)
        o2 = m.empty(3, dtype=m.float64)
        m.add(m.tensor([0.1, 0.2, 0.3]), 1, out=o2)
        o3 = m.empty(3)
        m.eq(m.tensor([1, 2, 3]), 2, out=o3)  # bool result into float
        res.append([(o.numpy().tolist(), str(o.dtype)) for o in (o1, o2, o3)])
    assert res[0] == res[1]


def test_out_under_no_grad_keeps_outs_flag():
    res = []
    for m in (tg, torch):
        o = m.empty(3, requires_grad=True)
        with m.no_grad():
            r = m.add(m.ones(3), 1, out=o)
        res.append((r is o, r.requires_grad, r.detach().numpy().tolist()))
    assert res[0] == res[1]


def test_tuple_outputs():
    x = np.random.default_rng(2).standard_normal((3, 5)).astype(np.float32)
    for name in ("max", "min", "sort", "cummax"):
        res = []
        for m in (tg, torch):
            outs = (m.empty(0), m.empty(0, dtype=m.int64))
            r = getattr(m, name)(m.tensor(x), 1, out=outs)
            assert r[0] is outs[0] and r[1] is outs[1]
            assert type(r).__name__.startswith(name)
            res.append([o.numpy().tolist() for o in outs])
        assert res[0] == res[1], name
    res = []
    for m in (tg, torch):
        outs = (m.empty(0), m.empty(0, dtype=m.int64))
        m.topk(m.tensor(x), 2, out=outs)
        res.append([o.numpy().tolist() for o in outs])
    assert res[0] == res[1]


@pytest.mark.parametrize("factory", ["zeros", "ones", "empty", "full", "arange", "linspace",
                                     "eye", "rand", "randn", "randint"])
def test_factories_take_outs_dtype_and_resize(factory):
    args = {"zeros": (2, 3), "ones": (2, 3), "empty": (2, 3), "full": ((2, 3), 7),
            "arange": (5,), "linspace": (0, 1, 5), "eye": (3,), "rand": (2, 3),
            "randn": (2, 3), "randint": (0, 9, (2, 3))}[factory]
    res = []
    for m in (tg, torch):
        m.manual_seed(0)
        dt = m.float64 if factory in ("rand", "randn", "linspace") else m.int64
        out = m.empty(0, dtype=dt)
        r = getattr(m, factory)(*args, out=out)
        assert r is out
        vals = None if factory == "empty" else out.numpy().tolist()
        res.append((str(out.dtype), tuple(out.shape), vals))
    assert res[0] == res[1]


# ---- out= of the wrong dtype: torch's wording per function (_out_arg._FMT and styles) ----
OUT_DTYPE_CALLS = {
    'cholesky': 'torch.cholesky(A, out=o(3,3))',
    'cholesky_inverse': 'torch.cholesky_inverse(A, out=o(3,3))',
    'cholesky_solve': 'torch.cholesky_solve(A, A, out=o(3,3))',
    'linalg.cond': 'torch.linalg.cond(A, out=o(()))',
    'linalg.householder_product': 'torch.linalg.householder_product(A, torch.ones(2), out=o(3,3))',
    'linalg.matrix_power': 'torch.linalg.matrix_power(A, 2, out=o(3,3))',
    'linalg.pinv': 'torch.linalg.pinv(A, out=o(3,3))',
    'linalg.tensorinv': 'torch.linalg.tensorinv(A, 1, out=o(3,3))',
    'linalg.tensorsolve': 'torch.linalg.tensorsolve(A, x, out=o(3))',
    'linalg.multi_dot': 'torch.linalg.multi_dot([A,A], out=o(3,3))',
    'linalg.norm': 'torch.linalg.norm(A, out=o(()))',
    'linalg.matrix_norm': "torch.linalg.matrix_norm(A, 'nuc', out=o(()))",
    'linalg.vector_norm': 'torch.linalg.vector_norm(A, out=o(()))',
    'conj_physical': 'torch.conj_physical(x, out=o(3))',
    'cross': 'torch.cross(A, A, dim=0, out=o(3,3))',
    'diff': 'torch.diff(x, out=o(2))',
    'diag': 'torch.diag(x, out=o(3,3))',
    'ldexp': 'torch.ldexp(x, x.long(), out=o(3))',
    'matmul': 'torch.matmul(A, A, out=o(3,3))',
    'quantile': 'torch.quantile(x, 0.5, out=o(()))',
    'nanquantile': 'torch.nanquantile(x, 0.5, out=o(()))',
    'heaviside': 'torch.heaviside(x, x, out=o(3))',
    'ormqr': 'torch.ormqr(A, torch.ones(3), A, out=o(3,3))',
    'float_power': 'torch.float_power(x, 2, out=o(3))',
    'nan_to_num': 'torch.nan_to_num(x, out=o(3))',
    'take': 'torch.take(x, torch.tensor([0]), out=o(1))',
    'histc': 'torch.histc(x, out=o(100))',
    'inner': 'torch.inner(x, x, out=o(()))',
    'tensordot': 'torch.tensordot(A, A, 1, out=o(3,3))',
    'mean': 'torch.mean(x, 0, out=o(()))',
    'clamp_max': 'torch.clamp_max(x, 0.5, out=o(3))',
    'addr': 'torch.addr(A, x, x, out=o(3,3))',
    'std': 'torch.std(x, out=o(()))',
    'logcumsumexp': 'torch.logcumsumexp(x, 0, out=o(3))',
    'cummax': 'torch.cummax(x, 0, out=(o(3),o(3)))',
    'aminmax': 'torch.aminmax(x, out=(o(()),o(())))',
    'renorm': 'torch.renorm(A, 2, 0, 1., out=o(3,3))',
    'lerp': 'torch.lerp(x, x, 0.5, out=o(3))',
    'frac': 'torch.frac(x, out=o(3))',
    'lu_solve': 'torch.linalg.lu_solve(*torch.linalg.lu_factor(A), A, out=o(3,3))',
    'linalg.solve': 'torch.linalg.solve(A, A, out=o(3,3))',
    'linalg.inv': 'torch.linalg.inv(A, out=o(3,3))',
    'linalg.det': 'torch.linalg.det(A, out=o(()))',
    'linalg.eigvalsh': 'torch.linalg.eigvalsh(A, out=o(3))',
    'linalg.svdvals': 'torch.linalg.svdvals(A, out=o(3))',
    'linalg.cross': 'torch.linalg.cross(A, A, out=o(3,3))',
    'linalg.vecdot': 'torch.linalg.vecdot(A, A, out=o(3))',
    'linalg.solve_triangular': 'torch.linalg.solve_triangular(A, A, upper=True, out=o(3,3))',
    'kron': 'torch.kron(x, x, out=o(9))',
    'outer': 'torch.outer(x, x, out=o(3,3))',
    'chain_matmul': 'torch.chain_matmul(A, A, out=o(3,3))',
    'polygamma': 'torch.polygamma(1, x, out=o(3))',
    'xlogy': 'torch.xlogy(x, x, out=o(3))',
    'cholesky_dbl': 'torch.cholesky(A, out=torch.empty(3,3,dtype=torch.float64))',
    'cross_dbl': 'torch.cross(A, A, dim=0, out=torch.empty(3,3,dtype=torch.float64))',
    'diag_dbl': 'torch.diag(x, out=torch.empty(3,3,dtype=torch.float64))',
}


def _out_dtype_outcome(lib, expr):
    import warnings
    A = lib.eye(3) + 0.1
    x = lib.ones(3)
    env = {"torch": lib, "A": A, "x": x, "o": lambda *s: lib.empty(*s, dtype=lib.long)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            r = eval(expr, env)  # noqa: S307
        except Exception as e:  # noqa: BLE001  (type and message compared)
            return type(e).__name__, str(e).splitlines()[0]
    return "ok", str(getattr(r, "dtype", "")).split(".")[-1]


@pytest.mark.parametrize("name", sorted(OUT_DTYPE_CALLS))
def test_out_dtype_wording(name):
    expr = OUT_DTYPE_CALLS[name]
    assert _out_dtype_outcome(tg, expr) == _out_dtype_outcome(torch, expr)


def test_where_out_needs_tensor_operands_like_torch():
    # where's number overloads take no out=: torch's parser refuses a number input/other there
    import tapegrad
    cases = [((1, "x", 0.0), {}), ((1, 0.0, "x"), {}), ((1,), {"input": "x", "other": 0.0}),
             ((1,), {"input": 0, "other": "x"}), ((1, "x", None), {}), ((1, "x", "x"), {})]
    for args, kw in cases:
        got = []
        for m in (torch, tapegrad):
            x = m.arange(4.0)
            sub = lambda v: x if v == "x" else (x > 1 if v == 1 else v)  # noqa: E731
            try:
                r = m.where(*map(sub, args), out=m.empty(4), **{k: sub(v) for k, v in kw.items()})
                got.append(r.tolist())
            except TypeError as e:
                got.append(str(e))
        assert got[0] == got[1], (args, kw)
