"""memory_format= and div's rounding_mode= (both handled in the C++ bindings, bind_layout.cpp)
cross-checked against torch: the strides clone / to / float / ... / contiguous give for dense,
permuted, sliced, expanded, overlapping, 0-d, empty and channels-last inputs (preserve_format
keeps a dense layout and otherwise the order of the dims), is_contiguous(memory_format=), when
.to() returns the tensor itself, the errors for bad arguments; div / divide / div_ with
rounding_mode on integers, floats, -0.0 / inf / nan, division by zero, number operands, out=,
in place, and their DivBackward2 (zero gradients, torch's _saved_* attributes)."""
import itertools
import math
import random
import re

import pytest

torch = pytest.importorskip("torch", reason="the checks compare against torch")
import tapegrad as tg  # noqa: E402

FORMATS = ("contiguous_format", "preserve_format", "channels_last", "channels_last_3d")


def _back(y):
    """A tapegrad tensor's values as a torch tensor (any layout)."""
    dt = getattr(torch, str(y.dtype).split(".")[1])
    if y.numel() == 0:
        return torch.empty(tuple(y.shape), dtype=dt)
    return torch.from_dlpack(y.detach().contiguous()).clone()


def _same_values(got, want):
    assert tuple(got.shape) == tuple(want.shape)
    assert str(got.dtype) == str(want.dtype)
    b = _back(got)
    torch.testing.assert_close(b, want, equal_nan=True, rtol=0, atol=0)
    if want.is_floating_point():  # -0.0 where torch has it (a NaN's sign means nothing)
        keep = ~torch.isnan(want)
        assert torch.equal(torch.signbit(b[keep]), torch.signbit(want[keep]))


def _error(fn):
    try:
        fn(torch)
    except Exception as e:  # noqa: BLE001
        with pytest.raises(type(e), match=re.escape(str(e).splitlines()[0])):
            fn(tg)
        return True
    return False


# ------------------------------------------------------------------------- layouts to test


def _layouts():
    """(name, build(m)) pairs: the same view expression in torch and tapegrad."""
    cases = []

    def base(m, sizes):
        n = math.prod(sizes)
        return m.arange(n, dtype=m.float32).reshape(sizes) if sizes else m.tensor(3.0)

    cases.append(("0d", lambda m: base(m, ())))
    cases.append(("empty", lambda m: base(m, (0,))))
    cases.append(("empty_2d_t", lambda m: base(m, (3, 0)).t()))
    cases.append(("empty_4d", lambda m: base(m, (2, 0, 3, 3))))
    cases.append(("empty_4d_perm", lambda m: base(m, (2, 3, 0, 3)).permute(0, 2, 3, 1)))
    rng = random.Random(0)
    for rank in range(1, 6):
        for k in range(6):
            sizes = tuple(rng.choice((1, 2, 3, 4)) for _ in range(rank))
            perm = list(range(rank))
            rng.shuffle(perm)

            def permuted(m, sizes=sizes, perm=perm):
                return base(m, sizes).permute(*perm)
            cases.append((f"perm{rank}_{k}", permuted))

            if rank >= 2:
                step_dim = rng.randrange(rank)

                def stepped(m, sizes=sizes, perm=perm, d=step_dim, rank=rank):
                    big = tuple(s * 2 if i == d else s for i, s in enumerate(sizes))
                    idx = tuple(slice(None, None, 2) if i == d else slice(None)
                                for i in range(rank))
                    return base(m, big)[idx].permute(*perm)
                cases.append((f"step{rank}_{k}", stepped))

    cases.append(("expanded", lambda m: base(m, (3,)).expand(4, 3)))
    cases.append(("expanded_t", lambda m: base(m, (3, 1)).expand(3, 4).t()))
    cases.append(("expanded_4d", lambda m: base(m, (1, 3, 1, 1)).expand(2, 3, 4, 4)))
    cases.append(("overlap", lambda m: base(m, (10,)).as_strided((4, 3), (2, 1))))
    cases.append(("size1_odd_stride", lambda m: base(m, (4, 3))[:, :1]))
    cases.append(("unsqueezed", lambda m: base(m, (3, 4)).t().unsqueeze(1)))
    cases.append(("flipped_like", lambda m: base(m, (12,)).as_strided((3, 4), (1, 3))))
    cases.append(("cl", lambda m: base(m, (2, 3, 4, 5)).permute(0, 2, 3, 1).contiguous()
                  .permute(0, 3, 1, 2)))
    cases.append(("cl3d", lambda m: base(m, (2, 3, 2, 2, 2)).permute(0, 2, 3, 4, 1).contiguous()
                  .permute(0, 4, 1, 2, 3)))
    cases.append(("cl_sliced", lambda m: base(m, (2, 4, 6, 5)).permute(0, 2, 3, 1)
                  [:, ::2, :, ::2].permute(0, 3, 1, 2)))
    cases.append(("n111", lambda m: base(m, (4, 1, 1, 1))))
    cases.append(("n11w_sliced", lambda m: base(m, (4, 1, 1, 5))[..., :1]))
    cases.append(("c1", lambda m: base(m, (2, 1, 3, 3)).permute(0, 2, 3, 1).contiguous()
                  .permute(0, 3, 1, 2)))
    return cases


LAYOUTS = _layouts()


def _pair(build):
    return build(torch), build(tg)


@pytest.mark.parametrize("name,build", LAYOUTS, ids=[n for n, _ in LAYOUTS])
def test_layout_facts(name, build):
    want, got = _pair(build)
    assert got.stride() == want.stride(), "the test's own inputs differ"
    for fmt in FORMATS:
        if fmt == "preserve_format":
            continue
        assert got.is_contiguous(memory_format=getattr(tg, fmt)) == \
            want.is_contiguous(memory_format=getattr(torch, fmt)), fmt
    assert got.is_contiguous() == want.is_contiguous()


@pytest.mark.parametrize("name,build", LAYOUTS, ids=[n for n, _ in LAYOUTS])
def test_copies_keep_torchs_strides(name, build):
    want_in, got_in = _pair(build)
    calls = [
        ("clone", lambda x, m: x.clone()),
        ("torch.clone", lambda x, m: m.clone(x)),
        ("to64", lambda x, m: x.to(m.float64)),
        ("to_copy", lambda x, m: x.to(m.float32, copy=True)),
        ("to_kw", lambda x, m: x.to(dtype=m.float16)),
        ("double", lambda x, m: x.double()),
        ("long", lambda x, m: x.long()),
        ("byte", lambda x, m: x.byte()),
        ("bool", lambda x, m: x.bool()),
        ("bfloat16", lambda x, m: x.bfloat16()),
        ("contiguous", lambda x, m: x.contiguous()),
        ("type_as", lambda x, m: x.type_as(m.zeros(1, dtype=m.int32))),
    ]
    for fmt in FORMATS:
        calls += [
            (f"clone_{fmt}", lambda x, m, f=fmt: x.clone(memory_format=getattr(m, f))),
            (f"to_{fmt}", lambda x, m, f=fmt: x.to(m.float64, memory_format=getattr(m, f))),
            (f"to_same_{fmt}", lambda x, m, f=fmt: x.to(memory_format=getattr(m, f))),
            (f"float_{fmt}", lambda x, m, f=fmt: x.float(memory_format=getattr(m, f))),
            (f"contiguous_{fmt}", lambda x, m, f=fmt: x.contiguous(memory_format=getattr(m, f))),
        ]
    for what, call in calls:
        if _error(lambda m: call(want_in if m is torch else got_in, m)):
            continue
        want = call(want_in, torch)
        got = call(got_in, tg)
        assert got.stride() == want.stride(), what
        assert (got is got_in) == (want is want_in), f"{what}: aliasing differs"
        _same_values(got, want)


def test_preserve_format_grad_and_nodes():
    for dt in ("float64", "float32"):
        base_t = torch.randn(3, 4, 5, dtype=getattr(torch, dt))
        xt = base_t.permute(2, 0, 1).detach().requires_grad_()
        xg = tg.from_torch(base_t.clone()).permute(2, 0, 1).detach().requires_grad_()
        for fn in (lambda x: x.clone(), lambda x, m=None: x.double(), lambda x: x.half(),
                   lambda x: x.to(torch.float64 if isinstance(x, torch.Tensor) else tg.float64)):
            yt, yg = fn(xt), fn(xg)
            assert yg.stride() == yt.stride()
            assert type(yg.grad_fn).__name__ == type(yt.grad_fn).__name__
            up = torch.randn(yt.shape, dtype=yt.dtype)
            (gt,) = torch.autograd.grad(yt, xt, up)
            (gg,) = tg.autograd.grad(yg, xg, tg.from_torch(up.clone()))
            torch.testing.assert_close(_back(gg), gt)


@pytest.mark.parametrize("call,fmt_arg", [
    ("clone", 1), ("contiguous", 1), ("is_contiguous", 1), ("float", 1), ("long", "x"),
    ("contiguous", None), ("is_contiguous", None), ("float", None), ("clone", None),
])
def test_memory_format_argument_errors(call, fmt_arg):
    def fn(m):
        return getattr(m.ones(2, 3), call)(memory_format=fmt_arg)
    if not _error(fn):
        assert getattr(tg.ones(2, 3), call)(memory_format=fmt_arg) is not None


def test_memory_format_misuse_matches_torch():
    cases = [
        lambda m: m.ones(2, 3).t().contiguous(memory_format=m.preserve_format),
        lambda m: m.ones(2, 3).contiguous(memory_format=m.preserve_format),
        lambda m: m.ones(2, 3).is_contiguous(memory_format=m.preserve_format),
        lambda m: m.ones(2, 3).t().is_contiguous(memory_format=m.preserve_format),
        lambda m: m.ones(2, 3).clone(memory_format=m.channels_last),
        lambda m: m.ones(2, 3, 4, 5).clone(memory_format=m.channels_last_3d),
        lambda m: m.ones(2, 3).to(memory_format=m.channels_last),
        lambda m: m.ones(2, 3).to(m.float64, memory_format=2),
        lambda m: m.ones(2, 3).to(m.float64, foo=1),
        lambda m: m.ones(3).to(m.ones(2, dtype=m.int64), memory_format=2),
        lambda m: m.clone(m.ones(2), memory_format="x"),
        lambda m: m.ones(2, 3, 4, 5).to(m.float64, memory_format=None),
        lambda m: m.ones(2, 3).to(None),
        lambda m: m.ones(2, 3).to(),
        lambda m: m.ones(2, 3).to("cpu", m.int64),
        lambda m: m.ones(2, 3).t().to("cpu", memory_format=m.contiguous_format),
        lambda m: m.ones(2, 3).t().cpu(),
        lambda m: m.ones(2, 3).to(m.float32, False, True),
    ]
    for k, fn in enumerate(cases):
        if _error(fn):
            continue
        want, got = fn(torch), fn(tg)
        if isinstance(want, bool):
            assert got == want, k
        else:
            assert got.stride() == want.stride(), k
            _same_values(got, want)


def test_to_returns_self_as_torch():
    for m in (torch, tg):
        x = m.ones(2, 3)
        assert x.to(m.float32) is x and x.float() is x and x.to(x) is x
        assert x.to(m.float32, copy=True) is not x
        t = x.t()
        assert t.to(memory_format=m.contiguous_format) is t  # torch: nothing to change
        assert t.contiguous() is not t
        c = m.ones(2, 3, 4, 5).permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2)
        assert c.to(memory_format=m.channels_last) is c
        assert c.float(memory_format=m.channels_last) is c
        assert c.to(memory_format=m.contiguous_format) is not c


# ---------------------------------------------------------------------------- div modes

MODES = ("trunc", "floor")


def _div_inputs(m, dt):
    if dt in ("int64", "int32", "int16", "int8", "uint8"):
        lo = 0 if dt == "uint8" else -7
        a = m.tensor([lo, -5 if lo else 5, 5, 7, 0, 6, 1, 2], dtype=getattr(m, dt))
        b = m.tensor([2, 2, -2 if lo else 2, 3, 3, 3, 4, 1], dtype=getattr(m, dt))
        return a, b
    a = m.tensor([7.5, -7.5, 7.5, -7.5, -0.0, 0.0, 1.0, -1.0, float("inf"), float("-inf"),
                  float("nan"), 5.0, -5.0, 0.3, -0.3, 1e30],
                 dtype=getattr(m, dt))
    b = m.tensor([2.0, 2.0, -2.0, -2.0, 3.0, -3.0, 0.0, 0.0, 2.0, -2.0, 1.0, float("inf"),
                  float("inf"), 0.1, 0.1, 3e-9],
                 dtype=getattr(m, dt))
    return a, b


@pytest.mark.parametrize("dt", ["float64", "float32", "float16", "bfloat16", "int64", "int32",
                                "int16", "int8", "uint8"])
@pytest.mark.parametrize("mode", MODES)
def test_div_modes_values(dt, mode):
    at, bt = _div_inputs(torch, dt)
    ag, bg = _div_inputs(tg, dt)
    calls = [
        lambda m, a, b: m.div(a, b, rounding_mode=mode),
        lambda m, a, b: m.divide(a, b, rounding_mode=mode),
        lambda m, a, b: a.div(b, rounding_mode=mode),
        lambda m, a, b: a.divide(other=b, rounding_mode=mode),
        lambda m, a, b: a.div(3, rounding_mode=mode),
        lambda m, a, b: a.div(-2.5, rounding_mode=mode),
        lambda m, a, b: m.div(7, b, rounding_mode=mode),
        lambda m, a, b: m.div(a[0], b, rounding_mode=mode),       # 0-d with 1-d
        lambda m, a, b: m.div(a.reshape(-1, 1)[:3], b[:4], rounding_mode=mode),  # broadcast
        lambda m, a, b: m.div(a[::2], b[1::2], rounding_mode=mode),  # non-contiguous
        lambda m, a, b: m.div(a, b.double(), rounding_mode=mode),    # promotion
        lambda m, a, b: m.div(a, b, rounding_mode=None),
        lambda m, a, b: m.div(a[:0], b[:0], rounding_mode=mode),     # empty
    ]
    if dt not in ("float64", "float32", "float16", "bfloat16"):
        calls = [c for c in calls[:-2]] + [calls[-1]]
        bt[bt == 0] = 1
    for k, call in enumerate(calls):
        if _error(lambda m: call(m, *((at, bt) if m is torch else (ag, bg)))):
            continue
        _same_values(call(tg, ag, bg), call(torch, at, bt))


@pytest.mark.parametrize("mode", MODES)
def test_div_modes_in_place_and_out(mode):
    for dt in ("float64", "float32", "int64"):
        at, bt = _div_inputs(torch, dt)
        ag, bg = _div_inputs(tg, dt)
        if dt == "int64":
            bt, bg = bt.abs() + 1, bg.abs() + 1
        xt, xg = at.clone(), ag.clone()
        rt = xt.div_(bt, rounding_mode=mode)
        rg = xg.div_(bg, rounding_mode=mode)
        assert rt is xt and rg is xg
        _same_values(xg, xt)
        xt, xg = at.clone(), ag.clone()
        xt.divide_(3, rounding_mode=mode)
        xg.divide_(3, rounding_mode=mode)
        _same_values(xg, xt)
        ot, og = torch.empty(0, dtype=at.dtype), tg.empty(0, dtype=ag.dtype)
        rt = torch.div(at, bt, rounding_mode=mode, out=ot)
        rg = tg.div(ag, bg, rounding_mode=mode, out=og)
        assert rt is ot and rg is og
        _same_values(og, ot)
    # an int tensor cannot hold a float quotient in place
    assert _error(lambda m: m.tensor([5, 3]).div_(2.5, rounding_mode=mode))


def test_div_modes_errors():
    x = lambda m: m.tensor([1.0, 2.0])  # noqa: E731
    cases = [
        lambda m: m.div(x(m), x(m), rounding_mode="round"),
        lambda m: x(m).div(x(m), rounding_mode="Floor"),
        lambda m: x(m).div_(x(m), rounding_mode="nearest"),
        lambda m: m.div(m.tensor([True]), m.tensor([True]), rounding_mode="trunc"),
        lambda m: m.div(m.tensor([True]), m.tensor([True]), rounding_mode="floor"),
        lambda m: m.div(m.tensor([True]), m.tensor([True]), rounding_mode="x"),
        lambda m: m.div(m.tensor([5, 4]), 0, rounding_mode="trunc"),
        lambda m: m.div(m.tensor([5, 4]), m.tensor([1, 0]), rounding_mode="floor"),
        lambda m: m.div(x(m), x(m), rounding_mode=1),
        lambda m: x(m).div(x(m), rounding_mode=1),
        lambda m: x(m).div_(x(m), rounding_mode=1),
        lambda m: m.div(2, 3, rounding_mode="floor"),
        lambda m: m.div(2, 3),
    ]
    raised = [k for k, fn in enumerate(cases) if _error(fn)]
    assert raised[:11] == list(range(11))
    for fn in cases[11:]:
        _same_values(fn(tg), fn(torch))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dt", ["float64", "float32"])
def test_div_modes_grad(mode, dt):
    d = getattr(torch, dt)
    at = torch.randn(3, 4, dtype=d).requires_grad_()
    bt = (torch.rand(4, dtype=d) + 0.5).requires_grad_()
    ag = tg.from_torch(at.detach().clone()).requires_grad_()
    bg = tg.from_torch(bt.detach().clone()).requires_grad_()
    for mode in (mode, None):
        _check_mode_grads(mode, at, bt, ag, bg, d)


def _check_mode_grads(mode, at, bt, ag, bg, d):
    for other_grad in (True, False):
        bt_, bg_ = (bt, bg) if other_grad else (bt.detach(), bg.detach())
        for call in (lambda m, a, b: m.div(a, b, rounding_mode=mode),
                     lambda m, a, b: a.divide(b, rounding_mode=mode),
                     lambda m, a, b: a.div(2, rounding_mode=mode),
                     lambda m, a, b: (a * 1).div_(b, rounding_mode=mode)):
            yt, yg = call(torch, at, bt_), call(tg, ag, bg_)
            _same_values(yg.detach(), yt.detach())
            assert yg.requires_grad and type(yg.grad_fn).__name__ == type(yt.grad_fn).__name__
            fn_t = yt.grad_fn if type(yt.grad_fn).__name__ == "DivBackward2" else None
            if fn_t is not None:
                assert yg.grad_fn._saved_rounding_mode == fn_t._saved_rounding_mode
                assert (yg.grad_fn._saved_self is None) == (fn_t._saved_self is None)
                torch.testing.assert_close(_back(yg.grad_fn._saved_other),
                                           fn_t._saved_other.detach())
                assert [f is None for f, _ in yg.grad_fn.next_functions] == \
                    [f is None for f, _ in fn_t.next_functions]
            up = torch.randn(yt.shape, dtype=d)
            ins_t = [t for t in (at, bt_) if t.requires_grad]
            ins_g = [t for t in (ag, bg_) if t.requires_grad]
            gt = torch.autograd.grad(yt, ins_t, up, allow_unused=True)
            gg = tg.autograd.grad(yg, ins_g, tg.from_torch(up.clone()), allow_unused=True)
            for a, b in zip(gg, gt):
                assert (a is None) == (b is None)
                if b is not None:
                    torch.testing.assert_close(_back(a), b)


def test_div_without_mode_unchanged():
    at = torch.randn(3, dtype=torch.float64).requires_grad_()
    ag = tg.from_torch(at.detach().clone()).requires_grad_()
    for call in (lambda m, a: a.div(2), lambda m, a: m.div(a, a), lambda m, a: a.true_divide(3),
                 lambda m, a: m.true_divide(a, 2), lambda m, a: a / 4,
                 lambda m, a: m.div(a, 2, rounding_mode=None)):
        yt, yg = call(torch, at), call(tg, ag)
        _same_values(yg.detach(), yt.detach())
        assert type(yg.grad_fn).__name__ == type(yt.grad_fn).__name__
    x = tg.tensor([6.0, 3.0])
    assert x.true_divide_(2) is x and x.tolist() == [3.0, 1.5]
    _error(lambda m: m.ones(2).true_divide(m.ones(2), rounding_mode="floor"))


def test_pickled_memory_format_is_the_singleton():
    import pickle
    for name in FORMATS:
        fmt = getattr(tg, name)
        assert pickle.loads(pickle.dumps(fmt)) is fmt
        assert repr(fmt) == repr(getattr(torch, name))


def test_device_spellings_and_cpu_keep_formats():
    def calls(m):
        x = m.arange(120.).reshape(2, 3, 4, 5)
        cl = x.contiguous(memory_format=m.channels_last)
        return [x.cpu(memory_format=m.channels_last), cl.cpu(),
                x.to("cpu", memory_format=m.channels_last),
                x.to(m.device("cpu"), m.float64, memory_format=m.channels_last),
                x.to(device="cpu", dtype=m.int32), cl.to("cpu", m.float64),
                cl.type_as(m.ones(1, dtype=m.float64)), x.permute(3, 2, 1, 0).half()]
    for got, want in zip(calls(tg), calls(torch)):
        assert got.stride() == want.stride()
        _same_values(got, want)
    x = tg.ones(2, 3)
    assert x.to(tg.device("cpu")) is x and x.to("cpu") is x and x.cpu() is x
