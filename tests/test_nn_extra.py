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
