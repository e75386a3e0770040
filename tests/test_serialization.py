"""tapegrad.save / tapegrad.load: round trips keep values, dtype, shape, strides, requires_grad,
Parameters and storage sharing; files cross between tapegrad and torch in both directions
(torch.load with weights_only=True reads ours; we read torch.save's zip and legacy files);
weights_only refuses foreign globals; map_location; a model + optimizer checkpoint resumes."""
import io
import pickle
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import tapegrad as tg

DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8",
          "uint8", "bool"]


def _sample(m, dt):
    vals = np.arange(-5, 7).reshape(3, 4) % 3 if dt in ("uint8", "bool") else \
        np.linspace(-3.5, 4.25, 12).reshape(3, 4)
    if dt.startswith("int"):
        vals = np.arange(-5, 7).reshape(3, 4)
    return m.tensor(vals.tolist(), dtype=getattr(m, dt))


def _same(a, b):
    """a (tapegrad) equals b (tapegrad or torch): dtype, shape, values."""
    assert str(a.dtype) == str(b.dtype) and tuple(a.shape) == tuple(b.shape)
    fa, fb = a.detach(), b.detach()
    if str(a.dtype) == "torch.bfloat16":
        fa, fb = fa.float(), fb.float()
    assert fa.tolist() == fb.tolist()


@pytest.mark.parametrize("dt", DTYPES)
def test_roundtrip_dtypes(dt, tmp_path):
    x = _sample(tg, dt)
    path = tmp_path / "x.pt"
    tg.save(x, path)
    y = tg.load(path)
    _same(y, x)
    assert y.stride() == x.stride() and not y.requires_grad


def test_roundtrip_containers_and_views(tmp_path):
    a = tg.arange(12.).reshape(3, 4)
    obj = OrderedDict(a=a, t=a.t(), row=a[1], block=a[:, 1:3], s=tg.tensor(2.5),
                      e=tg.zeros(0, 3), w=tg.ones(2, requires_grad=True),
                      p=tg.nn.Parameter(tg.ones(3)), q=tg.nn.Parameter(tg.ones(1), False),
                      nested={"list": [tg.ones(2, dtype=tg.int64), 3, "x", None],
                              "tuple": (1.5, True), "dtype": tg.float64,
                              "size": tg.Size([2, 3])})
    buf = io.BytesIO()
    tg.save(obj, buf)
    buf.seek(0)
    r = tg.load(buf)
    assert type(r) is OrderedDict and list(r) == list(obj)
    for k in ("a", "t", "row", "block", "s", "e", "w", "p"):
        _same(r[k], obj[k])
    assert r["t"].stride() == (1, 4) and r["row"].stride() == (1,)
    assert r["w"].requires_grad and r["w"].is_leaf
    assert type(r["p"]).__name__ == "Parameter" and r["p"].requires_grad
    assert type(r["q"]).__name__ == "Parameter" and not r["q"].requires_grad
    assert r["nested"]["list"][1:] == [3, "x", None] and r["nested"]["tuple"] == (1.5, True)
    assert r["nested"]["dtype"] is tg.float64
    assert r["nested"]["size"] == tg.Size([2, 3]) and type(r["nested"]["size"]) is tg.Size
    # Views of one storage come back sharing memory (contiguous and permuted layouts).
    r["a"].mul_(10)
    assert r["t"].tolist() == (a * 10).t().tolist() and r["row"].tolist() == (a[1] * 10).tolist()


def test_same_tensor_twice_is_one_object(tmp_path):
    x = tg.ones(3)
    r = _roundtrip({"x": x, "y": x, "l": [x]})
    assert r["x"] is r["y"] and r["l"][0] is r["x"]


def _roundtrip(obj, **kw):
    buf = io.BytesIO()
    tg.save(obj, buf)
    buf.seek(0)
    return tg.load(buf, **kw)


def test_file_layout_is_torch_zip(tmp_path):
    path = tmp_path / "model.pt"
    tg.save({"a": tg.ones(5), "b": tg.ones(3, dtype=tg.float64)}, path)
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert "model/data.pkl" in names and "model/data/0" in names and "model/data/1" in names
        assert zf.read("model/byteorder") == b"little" and zf.read("model/version") == b"3\n"
        for info in zf.infolist():
            assert info.compress_type == zipfile.ZIP_STORED
    raw = path.read_bytes()
    for name, data in (("model/data/0", np.ones(5, np.float32).tobytes()),
                       ("model/data/1", np.ones(3, np.float64).tobytes())):
        pos = raw.index(name.encode()) + len(name)
        start = raw.index(data, pos)
        assert start % 64 == 0


def test_non_leaf_requiring_grad_refused():
    x = tg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="Cowardly refusing to serialize non-leaf tensor"):
        tg.save(x * 2, io.BytesIO())
    r = _roundtrip((x * 2).detach())
    assert r.tolist() == [2.0, 2.0] and not r.requires_grad


class _Custom:
    def __init__(self):
        self.v = 3


def test_weights_only():
    buf = io.BytesIO()
    tg.save({"c": _Custom(), "t": tg.ones(1)}, buf)
    buf.seek(0)
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        tg.load(buf)
    buf.seek(0)
    r = tg.load(buf, weights_only=False)
    assert r["c"].v == 3 and r["t"].tolist() == [1.0]


def test_map_location():
    x = tg.arange(4.)
    for loc in ("cpu", tg.device("cpu"), {"cpu": "cpu"}, lambda storage, loc: storage):
        assert _roundtrip(x, map_location=loc).tolist() == [0.0, 1.0, 2.0, 3.0]
    with pytest.raises(RuntimeError):
        _roundtrip(x, map_location={"cpu": "cuda:0"})


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        tg.load(tmp_path / "nope.pt")


def test_not_a_checkpoint(tmp_path):
    p = tmp_path / "junk.pt"
    p.write_bytes(b"\x00" * 64)
    with pytest.raises(Exception):
        tg.load(p)


# ---------------------------------------------------------------- interop with torch


@pytest.fixture(name="torch")
def torch_fixture():
    return pytest.importorskip("torch")


@pytest.mark.parametrize("dt", DTYPES)
def test_torch_reads_ours(torch, dt, tmp_path):
    a = _sample(tg, dt)
    path = tmp_path / "ours.pt"
    tg.save({"a": a, "t": a.t(), "row": a[2]}, path)
    r = torch.load(path, weights_only=True)
    _same(a, r["a"])
    _same(a.t(), r["t"])
    assert r["t"].stride() == (1, 4) and r["row"].storage_offset() == 8
    assert r["t"].untyped_storage().data_ptr() == r["a"].untyped_storage().data_ptr()


@pytest.mark.parametrize("dt", DTYPES)
def test_we_read_torch(torch, dt, tmp_path):
    a = _sample(torch, dt)
    path = tmp_path / "theirs.pt"
    torch.save(OrderedDict(a=a, t=a.t(), gap=a[:, ::2], p=torch.nn.Parameter(torch.ones(2))),
               path)
    r = tg.load(path)
    _same(r["a"], a)
    _same(r["t"], a.t())
    _same(r["gap"], a[:, ::2].contiguous())
    assert r["t"].stride() == (1, 4)
    assert type(r["p"]).__name__ == "Parameter" and r["p"].requires_grad


def test_torch_module_state_dict_loads(torch, tmp_path):
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2),
                              torch.nn.BatchNorm1d(2))
    path = tmp_path / "net.pt"
    torch.save(net.state_dict(), path)
    sd = tg.load(path)
    ref = net.state_dict()
    assert list(sd) == list(ref)
    for k in ref:
        _same(sd[k], ref[k])
    # The legacy (pre-zip) format goes through torch.load and numpy.
    legacy = tmp_path / "legacy.pt"
    torch.save(net.state_dict(), legacy, _use_new_zipfile_serialization=False)
    sd2 = tg.load(legacy)
    for k in ref:
        _same(sd2[k], ref[k])


def test_optimizer_checkpoint_resumes(torch, tmp_path):
    """Model weights + Adam state saved by tapegrad mid-training and loaded into a fresh
    optimizer continue exactly like the uninterrupted run; torch can read that checkpoint and
    resume torch's own optimizer from it to the same weights."""
    rng = np.random.default_rng(1)
    w0 = rng.normal(size=(4, 3))
    xs = [rng.normal(size=(8, 4)) for _ in range(20)]

    def run(m, w, opt, batches):
        for x in batches:
            opt.zero_grad()
            (m.tanh(m.tensor(x, dtype=m.float64) @ w) ** 2).mean().backward()
            opt.step()

    w = tg.tensor(w0, dtype=tg.float64).requires_grad_()
    opt = tg.optim.Adam([w], lr=0.05, amsgrad=True)
    run(tg, w, opt, xs[:10])
    path = tmp_path / "ckpt.pt"
    tg.save({"w": w, "opt": opt.state_dict()}, path)
    run(tg, w, opt, xs[10:])

    ck = tg.load(path)
    w2 = ck["w"]
    opt2 = tg.optim.Adam([w2], lr=1.0, amsgrad=True)
    opt2.load_state_dict(ck["opt"])
    run(tg, w2, opt2, xs[10:])
    np.testing.assert_allclose(np.array(w2.tolist()), np.array(w.tolist()), rtol=1e-12)

    tck = torch.load(path)
    tw = tck["w"]
    topt = torch.optim.Adam([tw], lr=1.0, amsgrad=True)
    topt.load_state_dict(tck["opt"])
    run(torch, tw, topt, xs[10:])
    np.testing.assert_allclose(tw.detach().numpy(), np.array(w.tolist()), rtol=1e-9)
