"""torch's checked conversion of Python-number arguments: a number outside the range of the type
it converts into raises "value cannot be converted to type <T> without overflow" instead of
becoming an infinite or wrapped parameter. Which type that is depends on the argument: the
input's own type (add's alpha, hardtanh's bounds, linspace's ends: c10::Half for a half input)
or the type the kernel computes in (leaky_relu's slope, lerp's weight, addmm's beta: float for
half). Each expression runs in torch and tapegrad; both must raise with the same message, or
both return the same values. Also the values the unchecked paths gave wrong before (an int32
threshold with a fractional threshold, half layer_norm rounded at every step)."""
import math

import pytest

torch = pytest.importorskip("torch")

from crosscheck import tg  # noqa: E402

EXPRS = [
    "m.where(x > 0, x, V)",
    "x.__setitem__(0, V)",
    "x.__setitem__(slice(None), V)",
    "x.__setitem__(m.tensor([0]), V)",
    "x.__setitem__(x > 0, V)",
    "m.threshold(x, 1, V)",
    "F.threshold(x, V, 1)",
    "x.add(x, alpha=V)",
    "x.sub(x, alpha=V)",
    "m.rsub(x, 2, alpha=V)",
    "x.clone().add_(x, alpha=V)",
    "x.lerp(x, V)",
    "x.addcmul(x, x, value=V)",
    "x.addcdiv(x, x, value=V)",
    "F.hardtanh(x, -V, V)",
    "F.hardtanh(x, V, V)",
    "F.leaky_relu(x, V)",
    "F.elu(x, V)",
    "F.celu(x, V)",
    "F.softplus(x, V)",
    "F.softplus(x, 1, -V)",
    "F.rrelu(x, V, V)",
    "F.hardshrink(x, V)",
    "F.softshrink(x, V)",
    "m.linspace(0, V, 3, dtype=x.dtype)",
    "m.logspace(0, V, 3, dtype=x.dtype)",
    "m.arange(0, V, V / 2, dtype=x.dtype)",
    "x.view(2, 1).addmm(x.view(2, 1), x.view(1, 1)[:, :1], beta=V)",
    "x.view(2, 1).addmm(x.view(2, 1), x.view(1, 1)[:, :1], alpha=V)",
    "x.addmv(x.view(2, 1), x[:1], beta=V)",
    "x.view(2, 1).addr(x[:2], x[:1], alpha=V)",
    "x.view(1, 2, 1).baddbmm(x.view(1, 2, 1), x.view(1, 1, 1)[:, :, :1], beta=V)",
    "x.view(2, 1).addbmm(x.view(1, 2, 1), x.view(1, 1, 1)[:, :, :1], beta=V)",
    "x.index_add(0, m.tensor([0]), x[:1], alpha=V)",
    "x.pow(V)",
    "x.logit(V)",
    "m.histc(x, 3, -V, V)",
    "m.nan_to_num(x, V, V, -V)",
    "x.fill_(V)",
    "x.clamp(V)",
    "x.masked_fill(x > 0, V)",
]


def run(m, expr, dtype, value):
    x = m.tensor([1.0, -2.0], dtype=getattr(m, dtype))
    env = {"m": m, "F": m.nn.functional, "x": x, "V": value}
    try:
        r = eval(expr, {}, env)
    except Exception as e:  # noqa: BLE001 - the exception and its words are compared
        return ("raises", type(e).__name__, str(e))
    r = x if r is None else r
    return ("value", str(r.dtype).replace("tapegrad", "torch"),
            [v if not math.isnan(v) else "nan" for v in r.float().flatten().tolist()])


@pytest.mark.parametrize("dtype,value", [("float32", 1e300), ("float16", 1e300),
                                         ("float16", 1e10), ("bfloat16", 1e300),
                                         ("float64", 1e300)])
@pytest.mark.parametrize("expr", EXPRS)
def test_number_arguments_convert_checked_as_torch(expr, dtype, value):
    assert run(tg(), expr, dtype, value) == run(torch, expr, dtype, value)


@pytest.mark.parametrize("expr", [
    "m.threshold(i, 1, 1e10)", "m.threshold(i, 1e10, 1)", "m.threshold(i, 1.5, 2.7)",
    "m.threshold(i, -1.5, 7)", "m.threshold(i.to(m.int8), 1, 1000)",
    "m.threshold(i, -2.5, 9.9)", "F.hardtanh(i, -1e300, 1e300)", "F.hardtanh(i, -1e10, 1e10)",
    "F.hardtanh(i, -1.5, 0.5)", "m.linspace(0, 1e10, 3, dtype=m.int32)",
    "m.linspace(-1e10, 0, 3, dtype=m.uint8)", "m.linspace(0, 1e300, 3, dtype=m.int64)",
    "m.logspace(0, 1e10, 3, dtype=m.int32)", "m.arange(0, 1e300, 1e299, dtype=m.int32)",
    "m.arange(0, 1e19, 1e18, dtype=m.int64)", "m.arange(0, 1e39, 1e38, dtype=m.float16)",
    "m.arange(0, 300, 100, dtype=m.int8)", "i.__setitem__(0, 2 ** 40)",
    "i.to(m.int8).__setitem__(0, 300)", "i.to(m.uint8).__setitem__(0, -1)",
    "m.where(i > 0, i, 2 ** 40)", "m.where(i > 0, i, 1e300)", "m.where(i > 0, i, 1e10)",
    "i.add(i, alpha=2 ** 40)",
])
def test_integer_inputs_as_torch(expr):
    def go(m):
        env = {"m": m, "F": m.nn.functional, "i": m.tensor([1, -2, -1, 2, 0], dtype=m.int32)}
        try:
            r = eval(expr, {}, env)
        except Exception as e:  # noqa: BLE001
            return ("raises", type(e).__name__, str(e))
        r = env["i"] if r is None else r
        return ("value", str(r.dtype).replace("tapegrad", "torch"), r.tolist())
    assert go(tg()) == go(torch)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("affine", [True, False])
def test_reduced_precision_layer_norm_rounds_once_as_torch(dtype, affine):
    """torch computes a half layer_norm in float32 and rounds once; rounding every step to half
    gave another value for about a third of the elements."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(16, 33, generator=g).to(getattr(torch, dtype))
    w = torch.randn(33, generator=g).to(x.dtype)
    b = torch.randn(33, generator=g).to(x.dtype)
    args = (w, b) if affine else (None, None)
    expect = torch.nn.functional.layer_norm(x, (33,), *args)
    m = tg()
    conv = [None if a is None else m.tensor(a.double().tolist(), dtype=m.float64).to(
        getattr(m, dtype)) for a in (x, *args)]
    got = torch.tensor(m.nn.functional.layer_norm(conv[0], (33,), *conv[1:]).double().tolist(),
                       dtype=torch.float64)
    # the same rounded value almost everywhere (before: a third of them differed); an element
    # that cancels to near zero may land one rounding step away (torch's mean and variance sum
    # in another order)
    differ = (got != expect.double()).sum().item()
    assert differ <= 0.01 * got.numel(), differ
    torch.testing.assert_close(got, expect.double(), rtol=1e-2, atol=1e-2)
    # an eps beyond half's range is a float32 eps in torch's kernel, not an infinite one
    big = m.nn.functional.layer_norm(conv[0], (33,), eps=1e10)
    ref = torch.nn.functional.layer_norm(x, (33,), eps=1e10)
    assert big.double().tolist() == ref.double().tolist()
