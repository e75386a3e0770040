"""Crashes and hangs a random-argument fuzzer found (calls of tapegrad functions and Tensor
methods with 0-d / empty / strided / integer tensors, huge and negative numbers, None, strings),
each checked against torch where torch answers.

- tensor(data) with a tensor inside data kept a borrowed handle to a temporary Python number: a
  use-after-free that crashed a later call (`tensor(tensor(3.0))` in a loop, `x.new(t, ...)`).
- mvlgamma(x, p) looped p times: p = 10**12 hung; it now takes torch's arange form (one pass),
  and a huge p fails at the same allocation as torch's.
- tensor_split(x, 10**12) made views until the process was killed for memory; it now fails at
  once with torch's std::bad_alloc."""
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from crosscheck import tg  # noqa: E402


def test_tensor_of_tensors_keeps_its_elements_alive():
    m = tg()
    for _ in range(300):
        assert m.tensor(m.tensor(3.0)).item() == 3.0
        assert m.tensor([m.tensor(1.5), m.tensor(2)]).tolist() == [1.5, 2.0]
        assert m.tensor([[m.tensor(True)], [False]]).tolist() == [[True], [False]]


@pytest.mark.parametrize("p", [1, 2, 3, 5])
@pytest.mark.parametrize("dtype", ["float64", "float32", "int64"])
def test_mvlgamma_matches_torch(p, dtype):
    vals = [3.0, 4.5, 7.25, 2.75] if dtype != "int64" else [3, 4, 7, 9]

    def run(m):
        x = m.tensor(vals, dtype=getattr(m, dtype))
        if dtype == "int64":
            return m.mvlgamma(x, p), None
        x.requires_grad_()
        y = m.mvlgamma(x, p)
        y.backward(m.tensor([1.0, -0.5, 2.0, 0.25], dtype=getattr(m, dtype)))
        return y, x.grad
    (a, ga), (b, gb) = run(tg()), run(torch)
    assert str(a.dtype) == str(b.dtype)
    tol = 1e-12 if dtype == "float64" else 1e-5
    np.testing.assert_allclose(a.tolist(), b.tolist(), rtol=tol)
    if ga is not None:
        np.testing.assert_allclose(ga.tolist(), gb.tolist(), rtol=tol)


def test_mvlgamma_zero_dim_and_gradgradcheck():
    m = tg()
    x = m.tensor(3.5, dtype=m.float64, requires_grad=True)
    assert m.mvlgamma(x, 3).shape == ()
    assert m.autograd.gradcheck(lambda t: m.mvlgamma(t, 3), (x,))
    assert m.autograd.gradgradcheck(lambda t: m.mvlgamma(t, 3), (x,))


def test_mvlgamma_huge_p_fails_fast_as_torch():
    with pytest.raises(RuntimeError, match="can't allocate memory") as want:
        torch.randn(3).mvlgamma_(10**12)
    with pytest.raises(RuntimeError, match="can't allocate memory") as got:
        tg().randn(3).mvlgamma_(10**12)
    assert "4000000000000 bytes" in str(want.value) and "4000000000000 bytes" in str(got.value)


def test_tensor_split_impossible_count_fails_at_once_as_torch():
    # torch reserves its result list first (std::bad_alloc); tapegrad made views until the
    # process was killed for memory
    for m in (torch, tg()):
        with pytest.raises(RuntimeError, match="std::bad_alloc"):
            m.tensor_split(m.randn(4, 3).t(), 10**12)


@pytest.mark.parametrize("expr", ["torch.tensor(2.).polygamma(10**12)",
                                  "torch.tensor(True).polygamma_(10**12)",
                                  "torch.tensor([2.0], dtype=torch.float64).polygamma(10**6)",
                                  "torch.tensor(1.5, dtype=torch.float64).polygamma(172)"])
def test_polygamma_huge_order_is_fast_and_matches_torch(expr):
    # n! was a loop of n multiplications (10**12 hung); it stops once it is inf
    def run(m):
        try:
            return repr(eval(expr, {"torch": m}))  # noqa: S307 - fixed expressions
        except RuntimeError as e:
            return str(e)
    assert run(tg()) == run(torch)


@pytest.mark.parametrize("args", [(2, 2.5), (2, None), ("tensor", 2), ([1, 2], 3)], ids=str)
def test_new_with_mixed_arguments_raises_as_torch(args):
    # x.new(t, ...) used the first argument as data and dropped the rest
    def run(m):
        x = m.randn(0)
        return x.new(*[m.tensor(1.0) if a == "tensor" else a for a in args])
    with pytest.raises(TypeError) as want:
        run(torch)
    with pytest.raises(TypeError) as got:
        run(tg())
    assert str(got.value).split("\n")[0] == str(want.value).split("\n")[0]


@pytest.mark.parametrize("expr", [
    "m.zeros(0).adjoint()", "m.adjoint(m.zeros(3))",
    "m.zeros(0, 3).nextafter(m.zeros(2, 3))",
    "m.arange(3).frac_()", "m.tensor([True]).ceil_()", "m.tensor([True]).neg_()",
    "m.kl_div(m.arange(3), m.arange(3))",
    "m.nn.functional.conv_transpose2d(m.ones(1, 2, 3, 4), m.tensor(3.0))",
    "m.nn.functional.conv_transpose2d(m.ones(1, 2, 3, 4), m.ones(2, 3))",
    "m.nn.functional.conv_transpose2d(m.ones(1, 2, 3, 4), m.ones(2, 1, 3))",
    "m.nn.functional.conv_transpose1d(m.ones(2, 3, 4), m.ones(2, 3))",
    "m.nn.functional.conv_transpose3d(m.ones(1, 1, 2, 3, 4), m.ones(2, 3))",
    "m.can_cast(m.ones(2), m.int64)",
    "m.nn.functional.soft_margin_loss(m.ones(2, 3), m.ones(4, 2, 3))",
])
def test_differential_fuzz_errors_as_torch(expr):
    """Errors a differential fuzzer (the same call in both libraries) found worded or typed
    differently, or missing: the message and the exception type are torch's."""
    def run(m):
        try:
            eval(expr, {}, {"m": m})
        except Exception as e:  # noqa: BLE001 - the exception is what is compared
            return type(e).__name__, str(e).replace("tapegrad", "torch")
        return None
    got, want = run(tg()), run(torch)
    assert want is not None
    assert got == want


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_atan2_gradient_at_the_origin_as_torch(dtype):
    """atan2's gradient where self^2 + other^2 is 0 (the origin, or squares that underflow) is 0
    in torch, and NaN for an infinite upstream gradient; tapegrad gave 0/0 = NaN."""
    def run(m):
        dt = getattr(m, dtype)
        a = m.tensor([1e-200 if dtype == "float64" else 1e-30, 0.0, 0.0, 1.0, -2.0],
                     dtype=dt, requires_grad=True)
        b = m.tensor([1e-200 if dtype == "float64" else 1e-30, 1e-300, 0.0, 0.5, 3.0],
                     dtype=dt, requires_grad=True)
        m.atan2(a, b).backward(m.tensor([1.0, 1.0, float("inf"), 2.0, -1.0], dtype=dt))
        s = m.tensor([0.0, 1.0], dtype=dt, requires_grad=True)
        m.atan2(s, s).sum().backward()
        return [str(v) for v in a.grad.tolist() + b.grad.tolist() + s.grad.tolist()]
    assert run(tg()) == run(torch)


@pytest.mark.parametrize("expr", [
    "m.ones(2, 3).bitwise_or(m.ones(4))", "m.ones(2, 3).int().add_(m.ones(2, 3, 4))",
    "m.ones(3).bitwise_left_shift_(m.ones(2, 3))", "m.tensor(2).bitwise_xor_(m.ones(2, 3))",
    "m.ones(2, 3) + m.ones(4, 2, 4)",
])
def test_shape_errors_before_dtype_errors_as_torch(expr):
    """torch's TensorIterator checks shapes before dtypes, and its broadcast error names the
    last mismatching dim."""
    def run(m):
        try:
            eval(expr, {}, {"m": m})
        except Exception as e:  # noqa: BLE001 - the exception is what is compared
            return type(e).__name__, str(e)
        return None
    want = run(torch)
    assert want is not None
    assert run(tg()) == want


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
@pytest.mark.parametrize("reduction", ["none", "sum", "mean", "bad"])
@pytest.mark.parametrize("case", ["same", "weight-shape", "broadcast-target", "float32"])
def test_weighted_regression_losses_as_torch(name, reduction, case):
    """weight= of mse_loss / l1_loss / huber_loss (torch 2.6+): mse_loss ignored it. Value and
    gradient against torch, and the errors (weight of another shape, a bad reduction)."""
    def run(m):
        dt = m.float32 if case == "float32" else m.float64
        x = m.tensor([[0.5, -1.25, 2.0], [3.0, 0.0, -0.75]], dtype=dt, requires_grad=True)
        y = m.tensor([[1.5, 1.25, 2.0], [-3.0, 0.5, 0.75]], dtype=dt)
        if case == "broadcast-target":
            y = y[0]
        shape = (3, 2) if case == "weight-shape" else (2, 3)
        w = m.arange(6.0, dtype=dt).reshape(shape) + 1
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the target-size warning
                r = getattr(m.nn.functional, name)(x, y, reduction=reduction, weight=w)
        except Exception as e:  # noqa: BLE001 - the exception type is what is compared
            return type(e).__name__
        g, = m.autograd.grad((r * (m.arange(r.numel(), dtype=dt).reshape(r.shape) + 1)).sum(),
                             [x])
        return r.detach().flatten().tolist(), g.flatten().tolist()
    got, want = run(tg()), run(torch)
    if isinstance(want, str):
        assert got == want
        return
    for a, b in zip(got, want):
        assert a == pytest.approx(b, rel=1e-6, abs=1e-6)


@pytest.mark.parametrize("dims,size,out", [
    (1, (2, 3, 7), (3,)), (2, (1, 2, 5, 6), (3, 4)), (2, (2, 5, 7), (2, 7)),
    (3, (1, 2, 4, 5, 3), (3, 2, 2)), (2, (1, 1, 4, 6), (1, 1)), (2, (1, 1, 4, 6), (2, 3))])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("special", [False, True])
def test_adaptive_avg_pool_as_torch(dims, size, out, dtype, special):
    """adaptive_avg_pool1d/2d/3d (session 26): the averages were two matrix products with 1/len
    weights, whose zeros turned an inf or NaN into NaN in every other window. Value, gradient
    for a random upstream gradient, double backward and grad_fn name against torch."""
    rng = np.random.default_rng(sum(size) + dims)
    data = rng.standard_normal(size)
    if special:
        flat = data.reshape(-1)
        flat[1], flat[-2] = np.inf, np.nan
    up = rng.standard_normal((size[0],) + tuple(size[1:-dims]) + out)

    def run(m):
        dt = getattr(m, dtype)
        x = m.tensor(data.tolist(), dtype=dt, requires_grad=True)
        y = getattr(m.nn.functional, f"adaptive_avg_pool{dims}d")(x, out)
        u = m.tensor(up.tolist(), dtype=dt, requires_grad=True)
        g, = m.autograd.grad(y, [x], u, create_graph=True)
        gg, = m.autograd.grad((g * g).sum(), [u])  # the gradient is linear in the upstream one
        return (type(y.grad_fn).__name__, y.detach().numpy(), g.detach().numpy(),
                gg.detach().numpy())
    got, want = run(tg()), run(torch)
    assert got[0] == want[0]
    tol = 1e-12 if dtype == "float64" else 1e-5
    for a, b in zip(got[1:], want[1:]):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol, equal_nan=True)


@pytest.mark.parametrize("op", ["remainder", "fmod"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_remainder_gradient_for_an_infinite_input_as_torch(op, dtype):
    """remainder's gradient for other is -g * div(self, other, rounding_mode='floor'), NaN for
    an infinite self (tapegrad's floor(self / other) gave -inf); fmod's uses trunc (-inf)."""
    def run(m):
        dt = getattr(m, dtype)
        a = m.tensor([float("inf"), 5.0, -3.0, 7.5], dtype=dt, requires_grad=True)
        b = m.tensor([2.0, 2.0, 0.7, -float("inf")], dtype=dt, requires_grad=True)
        getattr(m, op)(a, b).backward(m.tensor([1.0, -0.5, 2.0, 1.5], dtype=dt))
        return [str(v) for v in a.grad.tolist() + b.grad.tolist()]
    assert run(tg()) == run(torch)


@pytest.mark.parametrize("dims,size,out", [
    (1, (2, 3, 7), (3,)), (2, (2, 3, 5, 7), (2, 3)), (2, (3, 5, 4), (5, 2)),
    (3, (2, 2, 4, 5, 3), (2, 3, 2)), (2, (0, 3, 4, 4), (2, 2)),
])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_adaptive_max_pool_node_as_torch(dims, size, out, dtype):
    """adaptive_max_pool1d/2d/3d (session 27): recorded as torch's AdaptiveMaxPool2D/3DBackward0
    (a ViewBackward0 of stacked windows before, which printed another grad_fn), and an empty
    batch no longer fails in a reshape. Value, indices, gradient for a random upstream gradient
    and double backward against torch."""
    rng = np.random.default_rng(sum(size) + dims)
    data = rng.permutation(int(np.prod(size))).reshape(size).astype(float)  # no ties
    up = rng.standard_normal(tuple(size[:-dims]) + out)

    def run(m):
        dt = getattr(m, dtype)
        x = m.tensor(data.tolist(), dtype=dt).reshape(size).requires_grad_()
        y, idx = getattr(m.nn.functional, f"adaptive_max_pool{dims}d")(x, out, True)
        u = m.tensor(up.tolist(), dtype=dt).reshape(up.shape).requires_grad_()
        g, = m.autograd.grad(y, [x], u, create_graph=True)
        gg, = m.autograd.grad((g * g).sum(), [u])
        return (type(y.grad_fn).__name__, y.detach().numpy(), idx.numpy(), g.detach().numpy(),
                gg.detach().numpy())
    got, want = run(tg()), run(torch)
    assert got[0] == want[0]
    for a, b in zip(got[1:], want[1:]):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("self_kind", ["contiguous", "transposed view"])
def test_inplace_comparison_gradient_reaches_other_as_torch(self_kind):
    """x.lt_(other) with other requiring grad: torch's LtBackward1 gives other a zero gradient,
    also when x is a view (CopySlices); tapegrad's node was recorded beside the in-place
    protocol, so through a view other's gradient was None."""
    def run(m):
        a = m.ones(3, 1) if self_kind == "contiguous" else m.ones(1, 3).t()
        b = m.tensor([[0.5], [2.0], [1.0]], dtype=m.float64, requires_grad=True)
        r = a.lt_(b)
        r.sum().backward()
        return r.tolist(), None if b.grad is None else b.grad.tolist(), type(r.grad_fn).__name__
    assert run(tg()) == run(torch)


@pytest.mark.parametrize("expr", [
    "m.var(x, 0, correction=1000000)", "m.std(x2, dim=0, correction=6)",
    "m.var(x2, dim=0, correction=3)", "m.var_mean(x2, 0, correction=5)[0]",
    "m.std_mean(x2, 0, correction=5)[0]", "m.var(x, correction=3.5)",
])
def test_var_gradient_with_correction_above_count_as_torch(expr):
    """var/std with correction > n: the forward divides by max(n - correction, 0) (inf), but
    torch's backward divides by n - correction unclamped: a finite gradient for var, 0 for
    std (grad / (2 * inf)); tapegrad's backward reused the clamped divisor (inf / NaN)."""
    import warnings

    def run(m):
        x = m.tensor([1.0, 2.0, 3.0, 4.5], dtype=m.float64, requires_grad=True)
        x2 = m.tensor([[1.0, 2.0], [3.0, 4.5]], dtype=m.float64, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            eval(expr, {}, {"m": m, "x": x, "x2": x2}).sum().backward()
        g = x.grad if x.grad is not None else x2.grad
        return [str(v) for v in g.flatten().tolist()]
    assert run(tg()) == run(torch)


def test_out_forms_recorded_as_not_implemented_as_torch():
    """diag(out=) and floor_divide(out=) with an input that requires grad: torch records a
    NotImplemented node (backward raises, naming the kernel); an out that requires grad is
    refused with the kernel's name."""
    def run(m):
        res = []
        for make in (lambda: m.diag(m.ones(3, 3, dtype=m.float64, requires_grad=True),
                                    out=m.zeros(3, dtype=m.float64)),
                     lambda: m.diag(m.ones(3, dtype=m.float64, requires_grad=True),
                                    out=m.zeros(3, 3, dtype=m.float64)),
                     lambda: m.floor_divide(m.ones(3), m.ones(3, dtype=m.float64,
                                                              requires_grad=True),
                                            out=m.zeros(3)),
                     lambda: m.floor_divide(m.ones(3), 2, out=m.zeros(3, requires_grad=True))):
            try:
                o = make()
                res.append((type(o.grad_fn).__name__, o.requires_grad))
                o.sum().backward()
            except RuntimeError as e:
                res.append(str(e))
        return res
    assert run(tg()) == run(torch)


@pytest.mark.parametrize("expr", [
    "m.remainder(2, x)", "2 % x", "x.__rmod__(-1)",
    "x.scatter(0, m.tensor([0, 1]), 2.0, reduce='add')",
    "m.scatter(x, 0, m.tensor([0, 1]), x[:2].detach() + 1, reduce='multiply')",
    "m.nn.functional.native_channel_shuffle(x.reshape(1, 4, 1, 1), 2)",
    "m.native_channel_shuffle(x.reshape(1, 4, 1), 2)",
    "m.geqrf(x.reshape(2, 2))[0]", "m.geqrf(x.reshape(2, 2))[1]",
])
def test_nodes_torch_does_not_differentiate(expr):
    """Calls torch records with a node whose backward raises (remainder of a number by a
    tensor, scatter with reduce=, native_channel_shuffle, geqrf): the same grad_fn name, and
    backward raises the same exception; tapegrad differentiated them."""
    def run(m):
        x = m.tensor([0.5, 1.5, -2.0, 3.0], dtype=m.float64, requires_grad=True)
        y = eval(expr, {}, {"m": m, "x": x})
        try:
            y.sum().backward()
            err = None
        except (RuntimeError, NotImplementedError) as e:
            err = (type(e).__name__, str(e))
        return type(y.grad_fn).__name__, y.detach().tolist(), err
    got, want = run(tg()), run(torch)
    assert got[0] == want[0] and got[2] == want[2]
    assert np.allclose(got[1], want[1])


@pytest.mark.parametrize("call", ["F.channel_shuffle", "m.channel_shuffle", "module"])
def test_channel_shuffle_node_as_torch(call):
    """channel_shuffle is one ChannelShuffleBackward0 node in torch (the composition recorded
    reshape/transpose nodes): grad_fn, value, gradient for a random upstream gradient."""
    rng = np.random.default_rng(5)
    data, up = rng.standard_normal((2, 6, 3)), rng.standard_normal((2, 6, 3))

    def run(m):
        x = m.tensor(data.tolist(), dtype=m.float64, requires_grad=True)
        f = {"F.channel_shuffle": m.nn.functional.channel_shuffle, "m.channel_shuffle":
             m.channel_shuffle, "module": lambda t, g: m.nn.ChannelShuffle(g)(t)}[call]
        y = f(x, 3)
        y.backward(m.tensor(up.tolist(), dtype=m.float64))
        return type(y.grad_fn).__name__, y.detach().numpy(), x.grad.numpy()
    got, want = run(tg()), run(torch)
    assert got[0] == want[0]
    np.testing.assert_allclose(got[1], want[1])
    np.testing.assert_allclose(got[2], want[2])
