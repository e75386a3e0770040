"""nn.ParameterList/ParameterDict, channel Dropout1d/2d/3d, PixelShuffle/PixelUnshuffle,
Softmax2d, Bilinear and interpolate/Upsample against torch: forward values and gradients for a
random upstream gradient (float64 and float32), reprs, state_dict keys and error messages.
These layers are compositions of existing ops, so grad_fn names differ from torch's fused
kernels and are not compared here (values and gradients are).
Dry-run on torch with TAPEGRAD_TEST_BACKEND=torch.
"""
import re
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the cross-checks compare against torch")

import crosscheck as cc  # noqa: E402

TG = cc.tg()
TOL = {"float64": dict(rtol=1e-9, atol=1e-10), "float32": dict(rtol=1e-4, atol=1e-5)}


def _tensors(lib, arrays, dtype, grad=True):
    out = []
    for a in arrays:
        if np.issubdtype(a.dtype, np.floating):
            t = lib.tensor(a.astype(dtype), dtype=getattr(lib, dtype))
            out.append(t.requires_grad_(grad))
        else:
            out.append(lib.tensor(a))
    return out


def xcheck(fn, *arrays, dtypes=("float64", "float32"), seed=1, noncontig=False):
    """fn(lib, *tensors) in torch and tapegrad: same values, then same input gradients for a
    random upstream gradient. noncontig feeds every float input as a transposed view."""
    for dtype in dtypes:
        outs, xs = [], []
        for lib in (torch, TG):
            args = _tensors(lib, arrays, dtype)
            if noncontig:
                # the same values, laid out transposed in memory
                args = [lib.tensor(np.ascontiguousarray(np.swapaxes(a, -1, -2)).astype(dtype))
                        .requires_grad_(True).transpose(-1, -2)
                        if a.ndim >= 2 and np.issubdtype(a.dtype, np.floating) else t
                        for a, t in zip(arrays, args)]
            outs.append(fn(lib, *args))
            xs.append(args)
        ref, got = outs
        assert tuple(got.shape) == tuple(ref.shape)
        assert str(got.dtype).split(".")[-1] == str(ref.dtype).split(".")[-1]
        np.testing.assert_allclose(cc.to_numpy(got), cc.to_numpy(ref), **TOL[dtype],
                                   err_msg=f"forward {dtype}")
        if not ref.requires_grad:
            continue
        up = np.random.default_rng(seed).standard_normal(tuple(ref.shape))
        grads = []
        for lib, out, args in zip((torch, TG), outs, xs):
            ins = [a for a in args if a.requires_grad]
            grads.append(lib.autograd.grad(out, ins, lib.tensor(up.astype(dtype)),
                                           allow_unused=True))
        for k, (g, r) in enumerate(zip(grads[1], grads[0])):
            assert (g is None) == (r is None)
            if r is not None:
                np.testing.assert_allclose(cc.to_numpy(g), cc.to_numpy(r), **TOL[dtype],
                                           err_msg=f"grad {k} {dtype}")


def raises_as_torch(fn):
    """fn(lib) must raise the same exception type and message in both libraries."""
    res = []
    for lib in (torch, TG):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                fn(lib)
            except Exception as err:  # noqa: BLE001 - compared below
                res.append((type(err).__name__, re.sub(r"\btapegrad\b", "torch", str(err))))
            else:
                res.append(None)
    assert res[0] is not None, "torch does not raise: the case is wrong"
    assert res[1] == res[0]


def rnd(*shape, seed=0):
    return np.random.default_rng(seed + len(shape)).standard_normal(shape)


# ------------------------------------------------------------------ ParameterList / Dict


def _plist(lib):
    nn = lib.nn
    pl = nn.ParameterList([nn.Parameter(lib.ones(3, 4)), lib.zeros(2, dtype=lib.float64)])
    pl.append(lib.ones(1))
    pl.extend([nn.Parameter(lib.zeros(2, 3)), "obj"])
    pl += [lib.ones(5)]
    return pl


def test_parameter_list_registration_repr_and_keys():
    ref, got = _plist(torch), _plist(TG)
    assert repr(got) == repr(ref)
    assert len(got) == len(ref) == 6
    assert [n for n, _ in got.named_parameters()] == [n for n, _ in ref.named_parameters()]
    assert list(got.state_dict()) == list(ref.state_dict())
    assert isinstance(got[1], TG.nn.Parameter) and got[1].dtype == TG.float64
    assert got[-2] == "obj" and got[4] == "obj"
    sl = got[1:5:2]
    assert type(sl) is TG.nn.ParameterList and repr(sl) == repr(ref[1:5:2])
    got[0] = TG.zeros(7)
    ref[0] = torch.zeros(7)
    assert repr(got) == repr(ref)
    def shapes(pl):
        return [p if isinstance(p, str) else tuple(p.shape) for p in pl]
    assert shapes(got) == shapes(ref)
    m = TG.nn.Module()
    m.pl = got
    assert [n for n, _ in m.named_parameters()] == ["pl.0", "pl.1", "pl.2", "pl.3", "pl.5"]
    assert repr(TG.nn.ParameterList()) == repr(torch.nn.ParameterList())


@pytest.mark.parametrize("case", [
    lambda lib: lib.nn.ParameterList([lib.ones(1)])[1],
    lambda lib: lib.nn.ParameterList([lib.ones(1)])[-2],
    lambda lib: lib.nn.ParameterList().extend(lib.ones(2)),
    lambda lib: lib.nn.ParameterList().extend(3),
    lambda lib: lib.nn.ParameterList()(1),
    lambda lib: lib.nn.ParameterDict()[1],
    lambda lib: lib.nn.ParameterDict().update(3),
    lambda lib: lib.nn.ParameterDict().update([("a", lib.ones(1), 2)]),
    lambda lib: lib.nn.ParameterDict().update([3]),
    lambda lib: lib.nn.ParameterDict()({}),
    lambda lib: lib.nn.ParameterDict()["missing"],
])
def test_holder_errors(case):
    raises_as_torch(case)


def _pdict(lib):
    nn = lib.nn
    d = nn.ParameterDict({"b": lib.ones(2), "a": nn.Parameter(lib.zeros(1, 2))})
    d.update([("z", lib.ones(3, dtype=lib.float64)), ("c", "obj")])
    d["y"] = nn.Parameter(lib.ones(4))
    d.setdefault("x", lib.zeros(1))
    d |= {"w": lib.ones(1)}
    return d


def test_parameter_dict_registration_repr_and_keys():
    ref, got = _pdict(torch), _pdict(TG)
    assert repr(got) == repr(ref)
    assert list(got.keys()) == list(ref.keys())
    assert [n for n, _ in got.named_parameters()] == [n for n, _ in ref.named_parameters()]
    assert list(got.state_dict()) == list(ref.state_dict())
    assert isinstance(got["b"], TG.nn.Parameter)
    assert got.pop("z").dtype == TG.float64 and ref.pop("z") is not None
    assert got.popitem()[0] == ref.popitem()[0]
    assert list(reversed(got)) == list(reversed(ref))
    assert ("a" in got) and ("z" not in got) and got.get("z", 5) == 5
    cp = got.copy()
    assert repr(cp) == repr(ref.copy())
    del got["a"]
    del ref["a"]
    assert repr(got) == repr(ref) and len(got) == len(ref)
    got.clear()
    assert len(got) == 0 and list(got.parameters()) == []
    assert repr(TG.nn.ParameterDict()) == repr(torch.nn.ParameterDict())


def test_parameter_list_in_optimizer_step():
    pl = TG.nn.ParameterList([TG.ones(3), TG.ones(2)])
    opt = TG.optim.SGD(pl.parameters(), lr=0.5)
    (pl[0].sum() * 2 + pl[1].pow(2).sum()).backward()
    opt.step()
    np.testing.assert_allclose(cc.to_numpy(pl[0]), [0.0] * 3)
    np.testing.assert_allclose(cc.to_numpy(pl[1]), [0.0] * 2)


# ----------------------------------------------------------------------- channel dropout


@pytest.mark.parametrize("name,shape,batched", [
    ("Dropout1d", (4, 6, 9), True), ("Dropout1d", (6, 9), False),
    ("Dropout2d", (3, 5, 4, 7), True), ("Dropout2d", (5, 4, 7), True),
    ("Dropout3d", (2, 5, 3, 2, 4), True), ("Dropout3d", (5, 3, 2, 4), False)])
@pytest.mark.parametrize("p", [0.3, 0.7])
def test_channel_dropout_masks_whole_channels(name, shape, batched, p):
    TG.manual_seed(0)
    x = TG.tensor(np.abs(rnd(*shape)) + 1.0).requires_grad_(True)
    mod = getattr(TG.nn, name)(p)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = mod(x)
    ya, xa = cc.to_numpy(y), cc.to_numpy(x)
    ratio = ya / xa
    # each channel is either all zero or all scaled by 1/(1-p)
    lead = 2 if batched else 1
    per_channel = ratio.reshape(ratio.shape[:lead] + (-1,))
    assert np.all(np.isclose(per_channel, 0) | np.isclose(per_channel, 1 / (1 - p)))
    np.testing.assert_allclose(per_channel.max(-1), per_channel.min(-1), rtol=1e-12)
    up = rnd(*shape, seed=3)
    (g,) = TG.autograd.grad(y, [x], TG.tensor(up))
    np.testing.assert_allclose(cc.to_numpy(g), up * ratio, rtol=1e-12)
    mod.eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = mod(x)
    # eval: the identity (the input itself when batched; a squeezed view when unbatched, as
    # torch)
    assert (y is x) == batched
    np.testing.assert_array_equal(cc.to_numpy(y), cc.to_numpy(x))


def test_channel_dropout_rate_and_extremes():
    TG.manual_seed(1)
    y = TG.nn.functional.dropout2d(TG.ones(400, 50, 2, 2), 0.3)
    zero = (cc.to_numpy(y)[:, :, 0, 0] == 0).mean()
    assert abs(zero - 0.3) < 0.02
    assert float(TG.nn.functional.dropout1d(TG.ones(3, 4, 5), 1.0).abs().sum()) == 0
    x = TG.ones(3, 4, 5)
    assert TG.nn.functional.dropout1d(x, 0.0) is x
    x = TG.ones(3, 4, 5)
    out = TG.nn.functional.dropout1d(x, 0.5, inplace=True)
    assert out is x and set(np.unique(cc.to_numpy(x))) <= {0.0, 2.0}
    # unbatched in place: torch hands back the input itself (train and eval)
    for lib in (torch, TG):
        for training in (True, False):
            x = lib.ones(3, 4)
            assert lib.nn.functional.dropout1d(x, 0.5, training, inplace=True) is x
            x = lib.ones(3, 4, 2, 2)
            assert lib.nn.functional.dropout3d(x, 0.5, training, inplace=True) is x


@pytest.mark.parametrize("name", ["Dropout1d", "Dropout2d", "Dropout3d"])
def test_channel_dropout_repr_and_p_validation(name):
    assert repr(getattr(TG.nn, name)(0.2, True)) == repr(getattr(torch.nn, name)(0.2, True))
    assert repr(getattr(TG.nn, name)()) == repr(getattr(torch.nn, name)())
    raises_as_torch(lambda lib: getattr(lib.nn, name)(1.5))
    raises_as_torch(lambda lib: getattr(lib.nn.functional, name.lower())(lib.ones(2, 3, 4, 5),
                                                                          -0.1))


def test_dropout1d_rank_error_and_dropout2d_warnings():
    raises_as_torch(lambda lib: lib.nn.functional.dropout1d(lib.ones(2, 3, 4, 5)))
    for shape in ((2, 3, 4), (2, 3)):
        msgs = []
        for lib in (torch, TG):
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                lib.nn.functional.dropout2d(lib.ones(*shape))
            msgs.append([str(x.message) for x in w])
        assert msgs[1] == msgs[0]


# ------------------------------------------------------------- pixel shuffle / unshuffle


@pytest.mark.parametrize("shape,r", [((2, 12, 3, 5), 2), ((18, 2, 3), 3), ((2, 1, 4, 1, 2), 1),
                                     ((3, 2, 8, 2, 2), 2)])
def test_pixel_shuffle(shape, r):
    xcheck(lambda lib, x: lib.nn.functional.pixel_shuffle(x, r), rnd(*shape))
    xcheck(lambda lib, x: lib.nn.PixelShuffle(r)(x), rnd(*shape), noncontig=True)


@pytest.mark.parametrize("shape,r", [((2, 3, 6, 4), 2), ((2, 3, 9), 3), ((1, 2, 3, 4, 6), 2)])
def test_pixel_unshuffle(shape, r):
    xcheck(lambda lib, x: lib.nn.functional.pixel_unshuffle(x, r), rnd(*shape))
    xcheck(lambda lib, x: lib.nn.PixelUnshuffle(r)(x), rnd(*shape), noncontig=True)
    assert repr(TG.nn.PixelUnshuffle(r)) == repr(torch.nn.PixelUnshuffle(r))
    assert repr(TG.nn.PixelShuffle(r)) == repr(torch.nn.PixelShuffle(r))


@pytest.mark.parametrize("case", [
    lambda lib: lib.nn.functional.pixel_shuffle(lib.ones(2, 3), 2),
    lambda lib: lib.nn.functional.pixel_shuffle(lib.ones(1, 3, 2, 2), 2),
    lambda lib: lib.nn.functional.pixel_shuffle(lib.ones(1, 4, 2, 2), 0),
    lambda lib: lib.nn.functional.pixel_unshuffle(lib.ones(2, 3), 2),
    lambda lib: lib.nn.functional.pixel_unshuffle(lib.ones(1, 4, 3, 2), 2),
    lambda lib: lib.nn.functional.pixel_unshuffle(lib.ones(1, 4, 2, 3), 2),
    lambda lib: lib.nn.functional.pixel_unshuffle(lib.ones(1, 4, 2, 2), -1),
])
def test_pixel_shuffle_errors(case):
    raises_as_torch(case)


# ---------------------------------------------------------------------------- softmax2d


@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (3, 1, 2)])
def test_softmax2d(shape):
    xcheck(lambda lib, x: lib.nn.Softmax2d()(x), rnd(*shape))
    assert repr(TG.nn.Softmax2d()) == repr(torch.nn.Softmax2d())
    raises_as_torch(lambda lib: lib.nn.Softmax2d()(lib.ones(2, 3)))


# ----------------------------------------------------------------------------- bilinear


def _bilinear_pair(in1, in2, out, bias, dtype):
    ref = torch.nn.Bilinear(in1, in2, out, bias=bias).to(getattr(torch, dtype))
    got = TG.nn.Bilinear(in1, in2, out, bias=bias).to(getattr(TG, dtype))
    assert [n for n, _ in got.named_parameters()] == [n for n, _ in ref.named_parameters()]
    with TG.no_grad():
        for (_, q), (_, p) in zip(got.named_parameters(), ref.named_parameters()):
            q.copy_(TG.tensor(cc.to_numpy(p), dtype=getattr(TG, dtype)))
    return ref, got


@pytest.mark.parametrize("batch", [(5,), (2, 3), ()])
@pytest.mark.parametrize("bias", [True, False])
def test_bilinear_module(batch, bias):
    for dtype in ("float64", "float32"):
        ref, got = _bilinear_pair(3, 4, 2, bias, dtype)
        x1, x2 = rnd(*batch, 3), rnd(*batch, 4, seed=5)
        xcheck(lambda lib, a, b: (ref if lib is torch else got)(a, b), x1, x2, dtypes=(dtype,))
        up = rnd(*batch, 2, seed=9).astype(dtype)
        for lib, mod in ((torch, ref), (TG, got)):
            mod.zero_grad()
            a = lib.tensor(x1.astype(dtype))
            b = lib.tensor(x2.astype(dtype))
            mod(a, b).backward(lib.tensor(up))
        for (n, q), (_, p) in zip(got.named_parameters(), ref.named_parameters()):
            np.testing.assert_allclose(cc.to_numpy(q.grad), cc.to_numpy(p.grad), **TOL[dtype],
                                       err_msg=n)
    assert repr(got) == repr(ref)


def test_bilinear_functional_and_init():
    xcheck(lambda lib, a, b, w, c: lib.nn.functional.bilinear(a, b, w, c),
           rnd(4, 3), rnd(4, 2, seed=1), rnd(5, 3, 2, seed=2), rnd(5, seed=3))
    xcheck(lambda lib, a, b, w: lib.nn.functional.bilinear(a, b, w), rnd(4, 3), rnd(4, 2),
           rnd(5, 3, 2), noncontig=True)
    TG.manual_seed(0)
    m = TG.nn.Bilinear(16, 3, 200)
    w, b = cc.to_numpy(m.weight), cc.to_numpy(m.bias)
    assert w.shape == (200, 16, 3) and b.shape == (200,)
    # torch: both drawn from U(-1/sqrt(in1_features), 1/sqrt(in1_features))
    assert np.abs(w).max() <= 0.25 and np.abs(w).max() > 0.24 and np.abs(b).max() <= 0.25
    assert m.weight.dtype == TG.float32
    assert TG.nn.Bilinear(2, 3, 4, dtype=TG.float64).weight.dtype == TG.float64


@pytest.mark.parametrize("case", [
    lambda lib: lib.nn.functional.bilinear(lib.ones(2, 3), lib.ones(2, 4), lib.ones(5, 3, 3)),
    lambda lib: lib.nn.functional.bilinear(lib.ones(2, 4), lib.ones(2, 3), lib.ones(5, 3, 3)),
    lambda lib: lib.nn.functional.bilinear(lib.ones(2, 3), lib.ones(3, 4), lib.ones(5, 3, 4)),
])
def test_bilinear_errors(case):
    raises_as_torch(case)


# -------------------------------------------------------------------------- interpolate


@pytest.mark.parametrize("shape,kw", [
    ((2, 3, 5), dict(size=9)), ((2, 3, 5), dict(size=3)), ((1, 2, 7), dict(scale_factor=2)),
    ((1, 2, 7), dict(scale_factor=0.6)), ((1, 2, 7), dict(scale_factor=1.7)),
    ((2, 3, 4, 5), dict(size=(7, 3))), ((2, 3, 4, 5), dict(size=6)),
    ((1, 2, 5, 3), dict(scale_factor=(1.5, 2.5))), ((1, 2, 5, 3), dict(scale_factor=3)),
    ((1, 2, 6, 6), dict(scale_factor=0.5)), ((1, 1, 7, 3), dict(scale_factor=1.3,
                                                                   recompute_scale_factor=True)),
    ((1, 2, 3, 4), dict(size=(1, 1))), ((1, 2, 3, 4, 2), dict(size=(5, 2, 3))),
    ((2, 1, 2, 3, 4), dict(scale_factor=(1.5, 0.7, 2)))])
@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "linear", "bilinear", "trilinear",
                                  "area"])
@pytest.mark.parametrize("align_corners", [None, True, False])
def test_interpolate_against_torch(shape, kw, mode, align_corners):
    rank = {"linear": 3, "bilinear": 4, "trilinear": 5}
    if mode in rank and rank[mode] != len(shape):
        return  # the rank/mode mismatch is checked in test_interpolate_errors
    if mode in ("nearest", "nearest-exact", "area") and align_corners is not None:
        return
    if mode == "area" and len(shape) == 5:
        return  # refused by tapegrad: test_interpolate_unsupported_modes_name_the_mode
    xcheck(lambda lib, x: lib.nn.functional.interpolate(x, mode=mode,
                                                        align_corners=align_corners, **kw),
           rnd(*shape), noncontig=len(shape) == 4)


@pytest.mark.parametrize("ctor", [
    lambda nn: nn.Upsample(scale_factor=2), lambda nn: nn.Upsample(size=(3, 7), mode="bilinear"),
    lambda nn: nn.Upsample(scale_factor=(2, 1.5), mode="bilinear", align_corners=True),
    lambda nn: nn.UpsamplingNearest2d(size=5), lambda nn: nn.UpsamplingNearest2d(scale_factor=3),
    lambda nn: nn.UpsamplingBilinear2d(scale_factor=2.0),
    lambda nn: nn.UpsamplingBilinear2d(size=(2, 9))])
def test_upsample_modules(ctor):
    assert repr(ctor(TG.nn)) == repr(ctor(torch.nn))
    xcheck(lambda lib, x: ctor(lib.nn)(x), rnd(2, 3, 4, 5))


@pytest.mark.parametrize("case", [
    lambda lib: lib.nn.functional.interpolate(lib.ones(1, 2, 3), size=4, scale_factor=2),
    lambda lib: lib.nn.functional.interpolate(lib.ones(1, 2, 3)),
    lambda lib: lib.nn.functional.interpolate(lib.ones(1, 2, 3), size=4, mode="bilinear"),
    lambda lib: lib.nn.functional.interpolate(lib.ones(1, 2, 3, 3), size=4, mode="linear"),
    lambda lib: lib.nn.functional.interpolate(lib.ones(1, 2, 3, 3), size=4, align_corners=True),
    lambda lib: lib.nn.functional.interpolate(lib.ones(1, 2, 3, 3), size=(4, 4, 4)),
    lambda lib: lib.nn.functional.interpolate(lib.ones(1, 2, 3, 3), size=4, mode="foo"),
    lambda lib: lib.nn.functional.interpolate(lib.ones(1, 2, 3, 3), scale_factor=(2, 2, 2)),
    lambda lib: lib.nn.functional.interpolate(lib.ones(1, 2, 3, 3), size=0),
    lambda lib: lib.nn.functional.interpolate(lib.ones(1, 2, 3), size=0, mode="linear"),
    lambda lib: lib.nn.functional.interpolate(lib.ones(1, 2, 3, 3, 3), size=0),
    lambda lib: lib.nn.functional.interpolate(lib.ones(1, 2, 3, 3, 3), size=2, mode="bilinear"),
    lambda lib: lib.nn.functional.interpolate(lib.ones(1, 2, 3, 3), size=2, antialias=True),
    lambda lib: lib.nn.functional.interpolate(lib.ones(1, 2, 3, 3, 3), size=2, mode="bilinear",
                                              antialias=True),
    lambda lib: lib.nn.functional.interpolate(lib.ones(2, 3), size=2),
    lambda lib: lib.nn.functional.interpolate(lib.ones(1, 2, 3), size=[2.5]),
    lambda lib: lib.nn.functional.interpolate(lib.ones(1, 2, 3, 3), size=(2.0, 3)),
    lambda lib: lib.nn.functional.interpolate(lib.ones(1, 2, 3, dtype=lib.int64), size=4),
    lambda lib: lib.nn.functional.interpolate(lib.ones(1, 2, 3, dtype=lib.bool), size=4),
    lambda lib: lib.nn.functional.interpolate(lib.ones(1, 2, 3, dtype=lib.int32), size=4,
                                              mode="nearest-exact"),
    lambda lib: lib.nn.functional.interpolate(lib.ones(1, 2, 3, dtype=lib.uint8), size=4,
                                              mode="linear"),
    lambda lib: lib.nn.functional.interpolate(lib.ones(1, 2, 3, 3, 3, dtype=lib.int64), size=4,
                                              mode="trilinear"),
    lambda lib: lib.nn.functional.interpolate(lib.ones(1, 2, 3), size=0),
])
def test_interpolate_errors(case):
    raises_as_torch(case)


@pytest.mark.parametrize("mode,shape,kw", [("bilinear", (1, 2, 3, 3), dict(antialias=True))])
def test_interpolate_unsupported_modes_name_the_mode(mode, shape, kw):
    if cc.backend_name() == "torch":
        pytest.skip("torch implements these modes; this checks tapegrad's refusal")
    with pytest.raises(NotImplementedError, match=mode):
        TG.nn.functional.interpolate(TG.ones(*shape), size=4, mode=mode, **kw)


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact"])
def test_interpolate_nearest_uint8(mode):
    arr = np.random.default_rng(0).integers(0, 255, (2, 3, 4, 5)).astype(np.uint8)
    ref = torch.nn.functional.interpolate(torch.tensor(arr), scale_factor=1.6, mode=mode)
    got = TG.nn.functional.interpolate(TG.tensor(arr), scale_factor=1.6, mode=mode)
    assert got.dtype == TG.uint8
    np.testing.assert_array_equal(cc.to_numpy(got), ref.numpy())


def test_interpolate_gradcheck():
    x = TG.tensor(rnd(1, 2, 3, 4)).requires_grad_(True)
    assert TG.autograd.gradcheck(
        lambda t: TG.nn.functional.interpolate(t, scale_factor=1.7, mode="bilinear"), (x,))


# ------------------------------------------------- argwhere, cross, cov, corrcoef (torch.*)


@pytest.mark.parametrize("arr", [np.array([[0, 1.5], [2, 0]]), np.array(3.0), np.array(0.0),
                                 np.zeros((2, 0, 3)), np.array([[[1, 0, 1]], [[0, 0, 2]]])])
def test_argwhere(arr):
    ref = torch.argwhere(torch.tensor(arr))
    got = TG.argwhere(TG.tensor(arr))
    assert tuple(got.shape) == tuple(ref.shape) and got.dtype == TG.int64
    np.testing.assert_array_equal(cc.to_numpy(got), ref.numpy())
    np.testing.assert_array_equal(cc.to_numpy(TG.tensor(arr).argwhere()), ref.numpy())


@pytest.mark.parametrize("sa,sb,dim", [((3,), (3,), 0), ((4, 3), (4, 3), -1), ((3, 5), (3, 5), 0),
                                       ((1, 3), (5, 3), 1), ((2, 3, 4), (1, 3, 1), -2)])
def test_cross(sa, sb, dim):
    xcheck(lambda lib, a, b: lib.cross(a, b, dim=dim), rnd(*sa), rnd(*sb, seed=4))
    xcheck(lambda lib, a, b: a.cross(b, dim), rnd(*sa), rnd(*sb, seed=4))
    xcheck(lambda lib, a, b: lib.linalg.cross(a, b, dim=dim), rnd(*sa), rnd(*sb, seed=4),
           noncontig=len(sa) == 2 and len(sb) == 2)


def test_cross_default_dim_and_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        xcheck(lambda lib, a, b: lib.cross(a, b), rnd(4, 3, 3), rnd(4, 3, 3, seed=2))
        xcheck(lambda lib, a, b: lib.linalg.cross(a, b), rnd(4, 3), rnd(4, 3, seed=2))
    raises_as_torch(lambda lib: lib.cross(lib.ones(4, 4), lib.ones(4, 4)))
    raises_as_torch(lambda lib: lib.cross(lib.ones(4, 4), lib.ones(4, 4), dim=0))
    raises_as_torch(lambda lib: lib.cross(lib.ones(4, 3), lib.ones(3, 4), dim=1))
    raises_as_torch(lambda lib: lib.linalg.cross(lib.ones(3, 4), lib.ones(3, 4)))
    raises_as_torch(lambda lib: lib.cross(lib.ones(3), lib.ones(3), dim=2))
    raises_as_torch(lambda lib: lib.cross(lib.ones(2, 3, 4), lib.ones(3, 1), dim=-2))
    raises_as_torch(lambda lib: lib.cross(lib.ones(2, 3), lib.ones(4, 3), dim=1))
    raises_as_torch(lambda lib: lib.cross(lib.ones(3, 3), lib.ones(1, 4)))
    raises_as_torch(lambda lib: lib.cross(lib.ones(3), lib.ones(3, dtype=lib.float64), dim=0))


@pytest.mark.parametrize("shape", [(3, 7), (1, 5), (6,), (4, 2)])
@pytest.mark.parametrize("correction", [1, 0, 2])
def test_cov(shape, correction):
    xcheck(lambda lib, x: lib.cov(x, correction=correction), rnd(*shape))
    xcheck(lambda lib, x: x.cov(correction=correction), rnd(*shape), noncontig=len(shape) == 2)


@pytest.mark.parametrize("correction", [1, 0, 3])
@pytest.mark.parametrize("which", ["f", "a", "fa"])
def test_cov_weights(correction, which):
    fw = np.array([1, 3, 0, 2, 5])
    aw = np.abs(rnd(5, seed=7)) + 0.1

    def fn(lib, x, a):
        kw = {}
        if "f" in which:
            kw["fweights"] = lib.tensor(fw)
        if "a" in which:
            kw["aweights"] = a
        return lib.cov(x, correction=correction, **kw)
    xcheck(fn, rnd(3, 5), aw)


@pytest.mark.parametrize("case", [
    lambda lib: lib.cov(lib.ones(2, 3, 4)),
    lambda lib: lib.cov(lib.ones(2, 3), fweights=lib.tensor([1.0, 2, 3])),
    lambda lib: lib.cov(lib.ones(2, 3), fweights=lib.tensor([1, 2, -3])),
    lambda lib: lib.cov(lib.ones(2, 3), fweights=lib.tensor([1, 2])),
    lambda lib: lib.cov(lib.ones(2, 3), fweights=lib.tensor([[1, 2, 3]])),
    lambda lib: lib.cov(lib.ones(2, 3), aweights=lib.tensor([1.0, 2, -3])),
    lambda lib: lib.cov(lib.ones(2, 3), aweights=lib.tensor([1, 2, 3])),
    lambda lib: lib.corrcoef(lib.ones(2, 3, 4)),
])
def test_cov_errors(case):
    raises_as_torch(case)


def test_cov_integer_input_and_degenerate():
    for arr in (np.array([[1, 2, 4], [3, 1, 0]]), np.array([[1, 2, 3]])):
        ref, got = torch.cov(torch.tensor(arr)), TG.cov(TG.tensor(arr))
        assert got.dtype == TG.float32 and tuple(got.shape) == tuple(ref.shape)
        np.testing.assert_allclose(cc.to_numpy(got), ref.numpy(), rtol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref, got = torch.cov(torch.ones(2, 1)), TG.cov(TG.ones(2, 1))
    np.testing.assert_array_equal(cc.to_numpy(got), ref.numpy())  # nan, as torch


@pytest.mark.parametrize("shape", [(3, 7), (2, 4), (5,)])
def test_corrcoef(shape):
    xcheck(lambda lib, x: lib.corrcoef(x), rnd(*shape))
    xcheck(lambda lib, x: x.corrcoef(), rnd(*shape), noncontig=len(shape) == 2)


def test_top_level_forms():
    xcheck(lambda lib, x: lib.pixel_shuffle(x, 2), rnd(2, 8, 3, 1))
    xcheck(lambda lib, x: lib.pixel_unshuffle(x, 3), rnd(1, 2, 3, 6))
    xcheck(lambda lib, a, b, w: lib.bilinear(a, b, w), rnd(4, 3), rnd(4, 2), rnd(5, 3, 2))


@pytest.mark.parametrize("fn,shapes", [
    (lambda lib, a, b: lib.linalg.cross(a, b), [(2, 3), (1, 3)]),
    (lambda lib, x, a: lib.cov(x, aweights=a.abs() + 0.5), [(2, 5), (5,)]),
    (lambda lib, x: lib.corrcoef(x), [(3, 6)]),
    (lambda lib, a, b, w: lib.nn.functional.bilinear(a, b, w), [(2, 3), (2, 2), (4, 3, 2)]),
    (lambda lib, x: lib.nn.functional.pixel_unshuffle(x, 2), [(1, 2, 4, 2)]),
    (lambda lib, x: lib.nn.functional.interpolate(x, size=(3, 2, 4), mode="trilinear",
                                                  align_corners=True), [(1, 1, 2, 3, 2)]),
])
def test_finite_difference_gradients(fn, shapes):
    arrays = [rnd(*s, seed=k) for k, s in enumerate(shapes)]
    cc.gradcheck(fn, *arrays)


@pytest.mark.parametrize("mode,shape,kw", [
    ("bicubic", (2, 3, 5, 4), dict(size=(7, 3))),
    ("bicubic", (1, 2, 4, 6), dict(size=(9, 5), align_corners=True)),
    ("bicubic", (1, 2, 4, 6), dict(scale_factor=(1.7, 0.6))),
    ("bicubic", (1, 1, 3, 3), dict(size=(1, 1), align_corners=True)),
    ("area", (2, 2, 5, 4, 6), dict(size=(3, 4, 2))),
    ("area", (1, 2, 3, 4, 5), dict(scale_factor=1.5))])
def test_interpolate_bicubic_and_5d_area_match_torch(mode, shape, kw):
    """bicubic (Keys' cubic, A = -0.75, taps clamped at the border) and 5-D 'area' (adaptive
    average pooling): values and float64 gradients against torch."""
    arr = np.random.default_rng(3).standard_normal(shape)
    ref_x = torch.tensor(arr, requires_grad=True)
    ref = torch.nn.functional.interpolate(ref_x, mode=mode, **kw)
    x = TG.tensor(arr, requires_grad=True)
    got = TG.nn.functional.interpolate(x, mode=mode, **kw)
    assert tuple(got.shape) == tuple(ref.shape)
    np.testing.assert_allclose(got.detach().numpy(), ref.detach().numpy(), rtol=1e-10,
                               atol=1e-12)
    g = np.random.default_rng(4).standard_normal(tuple(ref.shape))
    ref.backward(torch.tensor(g))
    got.backward(TG.tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), ref_x.grad.numpy(), rtol=1e-10, atol=1e-12)
