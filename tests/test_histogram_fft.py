"""histogram / histogramdd / Tensor.histogram and fft.fftshift / fft.ifftshift against torch.

Every case builds its inputs once in torch and hands tapegrad copies of the same tensors:
random points (float32 and float64), points that sit exactly on torch's bin edges, weights,
density, range, explicit edge tensors (sorted, unsorted, holding input values), empty inputs
and points with no coordinates. Counts and edges must agree bit for bit, and so must weighted
sums of up to 200 / N points; beyond that torch adds per-thread partial histograms, and a
weighted density divides by a total whose summation order is torch's vectorised one: those
agree to rounding. Misuse must raise torch's exception type with torch's message. The shifts
are compared in value, grad_fn and gradient (for a random upstream gradient) over int, tuple,
list, negative, repeated and omitted dims, empty inputs; their misuse (dim=(), 0-d inputs, dims
out of range or of the wrong type) as errors.
"""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from crosscheck import tg  # noqa: E402

DTYPES = (torch.float32, torch.float64)


def _conv(m):
    """torch tensor -> the same values as a tensor of m (torch itself, or tapegrad)."""
    if m is torch:
        return lambda t: t.detach().clone().requires_grad_(t.requires_grad)
    return lambda t: m.from_torch(t.detach().clone()).requires_grad_(t.requires_grad)


def _map(f, obj):
    if isinstance(obj, torch.Tensor):
        return f(obj)
    if isinstance(obj, (list, tuple)):
        return type(obj)(_map(f, o) for o in obj)
    if isinstance(obj, dict):
        return {k: _map(f, v) for k, v in obj.items()}
    return obj


def _torch(x):
    return torch.from_dlpack(x.detach())


def _outcome(m, fn, args, kwargs):
    conv = _conv(m)
    try:
        return fn(m)(*_map(conv, args), **_map(conv, kwargs))
    except Exception as e:  # noqa: BLE001
        return e


def _same_error(ref, got):
    assert isinstance(ref, Exception), f"torch did not raise: {ref!r}"
    assert isinstance(got, Exception), f"tapegrad did not raise but torch did: {ref!r}"
    assert (type(got), str(got)) == (type(ref), str(ref))


def _same_hist(ref, got, exact=True):
    assert type(got).__name__ == type(ref).__name__ and len(got) == len(ref) == 2
    assert got[0] is got.hist and got[1] is got.bin_edges
    rtol = 0 if exact else (1e-5 if ref.hist.dtype == torch.float32 else 1e-12)
    torch.testing.assert_close(_torch(got.hist), ref.hist.detach(), rtol=rtol, atol=rtol,
                               equal_nan=True)
    if isinstance(ref.bin_edges, tuple):
        assert isinstance(got.bin_edges, tuple) and len(got.bin_edges) == len(ref.bin_edges)
        pairs = zip(ref.bin_edges, got.bin_edges)
    else:
        pairs = [(ref.bin_edges, got.bin_edges)]
    for a, b in pairs:  # the edges are torch's bit for bit
        torch.testing.assert_close(_torch(b), a.detach(), rtol=0, atol=0, equal_nan=True)


def _compare(name, args, kwargs, exact=True):
    def fn(m):
        return getattr(m, name) if name != "method" else m.Tensor.histogram
    ref, got = _outcome(torch, fn, args, kwargs), _outcome(tg(), fn, args, kwargs)
    if isinstance(ref, Exception) or isinstance(got, Exception):
        _same_error(ref, got)
    else:
        _same_hist(ref, got, exact)


# ---- values -----------------------------------------------------------------------------------
def _points(g, shape, dtype, kind):
    if kind == "normal":
        return torch.randn(shape, generator=g, dtype=dtype) * 3
    if kind == "ties":  # few distinct values: many equal to the min, the max and each other
        return torch.randint(-3, 4, shape, generator=g).to(dtype) / 3
    # values exactly on the edges torch makes for 5 equal bins over [-1, 2], plus the ends
    edges = torch.linspace(-1.0, 2.0, 6, dtype=dtype)
    return edges[torch.randint(0, 6, shape, generator=g)]


def _bins(g, kind, n, dtype, x):
    counts = [int(c) for c in torch.randint(1, 8, (n,), generator=g)]
    if kind == "int":
        return counts[0]
    if kind == "counts":
        return counts
    edges = [torch.randn(c + 1, generator=g, dtype=dtype) for c in counts]
    if kind == "sorted":  # sorted, with one of the points as an interior edge
        for d, e in enumerate(edges):
            if x.numel() and e.numel() > 2:
                e[1] = x.reshape(-1, n)[0, d]
        edges = [e.sort().values for e in edges]
    return edges  # "unsorted": torch bins them anyway (std::upper_bound on unsorted data)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("points", ["normal", "ties", "on_edges"])
@pytest.mark.parametrize("bins", ["int", "counts", "sorted", "unsorted"])
def test_histogramdd_values(dtype, points, bins):
    g = torch.Generator().manual_seed(len(points) * 10 + len(bins))  # (hash() varies by run)
    for shape in [(7, 1), (40, 2), (3, 5, 3), (150, 2), (0, 2), (1, 1)]:
        x = _points(g, shape, dtype, points)
        n = shape[-1]
        b = _bins(g, bins, n, dtype, x)
        weight = torch.randn(shape[:-1], generator=g, dtype=dtype)
        lo = torch.randn(n, generator=g, dtype=torch.float64)
        rng = [float(v) for pair in zip(lo, lo + torch.rand(n, generator=g) * 3) for v in pair]
        for kw in [{}, {"density": True}, {"range": rng}, {"range": rng, "density": True}]:
            _compare("histogramdd", (x, b), kw)
            exact = "density" not in kw and weight.numel() <= 200 // n  # one thread's sums
            # (positive weights with density: a total near 0 would amplify rounding)
            w = weight.abs() + 0.5 if "density" in kw else weight
            _compare("histogramdd", (x, b), dict(kw, weight=w), exact)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("points", ["normal", "ties", "on_edges"])
def test_histogram_values(dtype, points):
    g = torch.Generator().manual_seed(7 if points == "normal" else 8)
    for shape in [(), (1,), (9,), (4, 5), (2, 0, 3), (60,)]:
        x = _points(g, shape, dtype, points)
        weight = torch.randn(shape, generator=g, dtype=dtype)
        edges = torch.randn(5, generator=g, dtype=dtype).sort().values
        for bins in (1, 4, 100, edges, edges.flip(0)):
            kws = [{}, {"density": True}, {"weight": weight},
                   {"weight": weight.abs() + 0.5, "density": True}]
            if not isinstance(bins, torch.Tensor):
                kws += [{"range": (-0.5, 0.75)}, {"range": [0, 1], "density": True}]
            for kw in kws:
                exact = not ("weight" in kw and "density" in kw)
                _compare("histogram", (x, bins), kw, exact)
                _compare("method", (x, bins), kw, exact)
    _compare("histogram", (torch.randn(30, generator=g, dtype=dtype),), {})  # bins=100


def test_edge_cases():
    f = torch.float32
    cases = [
        ("histogramdd", (torch.ones(4, 2), 3), {}),  # lo == hi: widened by 0.5 each way
        ("histogramdd", (torch.ones(4, 2), 3), {"density": True}),
        ("histogramdd", (torch.ones(4, 2), 3), {"range": [1.0, 1.0, 0.0, 2.0]}),
        ("histogramdd", (torch.empty(0, 3), [2, 3, 4]), {"density": True}),  # no points: nan
        ("histogramdd", (torch.empty(5, 0), 3), {}),  # points with no coordinates: a 0-d hist
        ("histogramdd", (torch.empty(5, 0), []), {"density": True, "weight": torch.ones(5)}),
        ("histogramdd", (torch.tensor([[0.5, 2.0]]), 2), {"weight": torch.tensor(3.0)}),
        ("histogramdd", (torch.tensor([[0.5, 1.0], [2.0, 1.0]]),
                         [torch.tensor([0.0, 1.0, float("nan"), 2.0]), torch.tensor([1.0])]), {}),
        ("histogramdd", (torch.rand(6, 2), 2), {"range": [0.0, 1e-30, 0, 1]}),  # collapsed edges
        ("histogramdd", (torch.rand(6, 2), [2, True]), {}),
        ("histogram", (torch.tensor([1.0, float("nan"), 2.0]), torch.tensor([0.0, 3.0])), {}),
        ("histogram", (torch.tensor([-1e30, 5.0, 1e30]), 4), {}),
        ("histogram", (torch.tensor([]), 3), {"density": True}),
        ("histogram", (torch.tensor([[0.1, 0.6]]), 2), {"weight": torch.tensor([[2.0], [3.0]])}),
        ("histogram", (torch.rand(8, dtype=torch.float16), 4), {"range": (0.0, 1.0)}),
        ("histogram", (torch.rand(8, dtype=torch.bfloat16), 5), {"range": (0.0, 1.0)}),
        ("histogramdd", (torch.rand(8, 2, dtype=torch.float16), 4), {"range": [0, 1, 0, 1]}),
        ("histogram", (torch.rand(5, dtype=f), torch.tensor([0.2, 0.7], dtype=f)), {}),
    ]
    for name, args, kw in cases:
        _compare(name, args, kw)


def test_results_as_torch_gives_them():
    m = tg()
    x = m.tensor([[0.1, 0.5], [0.7, 0.2]])
    b = m.tensor([0.0, 0.5, 1.0])
    r = m.histogramdd(x, [b, b])
    assert type(r).__name__ == "histogramdd" and len(r) == 2
    assert r[0] is r.hist and r[1] is r.bin_edges
    assert isinstance(r.bin_edges, tuple) and r.bin_edges[0] is b  # torch's own tensors back
    h = m.histogram(x, b)
    assert type(h).__name__ == "histogram" and h.bin_edges is not b
    assert repr(r).startswith("torch.return_types.histogramdd(\nhist=tensor(")
    assert not hasattr(m.Tensor, "histogramdd")


def test_no_derivative():
    def run(m):
        out = []
        x = m.tensor([[0.1, 0.5], [0.7, 0.2], [0.3, 0.9]], requires_grad=True)
        b = m.tensor([0.0, 0.5, 1.0], requires_grad=True)
        for r in (m.histogramdd(x, 2), m.histogramdd(x, [b, b]), m.histogram(x, b),
                  m.histogram(x.detach(), 3, weight=m.ones(6, requires_grad=True))):
            edges = r.bin_edges if isinstance(r.bin_edges, tuple) else (r.bin_edges,)
            for t in (r.hist,) + edges:
                out.append((t.requires_grad, t.is_leaf,
                            None if t.grad_fn is None else t.grad_fn.name()))
                if t.grad_fn is not None:
                    try:
                        t.sum().backward()
                    except RuntimeError as e:
                        out.append(str(e))
        with m.no_grad():
            out.append(m.histogramdd(x, 2).hist.requires_grad)
        return out
    assert run(tg()) == run(torch)


# ---- misuse ----------------------------------------------------------------------------------
_X2 = torch.rand(5, 2)
_E = torch.tensor([0.0, 1.0])
_ERRORS = [
    ("histogramdd", (torch.rand(5), 3), {}),
    ("histogramdd", (torch.tensor(1.0), 3), {}),
    ("histogramdd", (torch.tensor(1.0), [_E]), {}),
    ("histogramdd", (_X2, [3]), {}),
    ("histogramdd", (_X2, [1, 1, 1, 1, 1]), {}),  # torch's own ErrorInput
    ("histogramdd", (_X2, [0, 3]), {}),
    ("histogramdd", (_X2, [-1, 3]), {}),
    ("histogramdd", (_X2, [2, -5]), {}),
    ("histogramdd", (_X2, 3), {"range": [0.0, 1.0]}),
    ("histogramdd", (_X2, 3), {"range": [1.0, 0.0, 0.0, 1.0]}),
    ("histogramdd", (_X2, 3), {"range": [0.0, float("inf"), 0.0, 1.0]}),
    ("histogramdd", (torch.tensor([[float("nan"), 2.0]]), 2), {}),
    ("histogramdd", (_X2, [_E, torch.tensor([1.0])]), {}),
    ("histogramdd", (_X2, [_E, torch.tensor([])]), {}),
    ("histogramdd", (_X2, [_E, torch.tensor([[0.0, 1.0]])]), {}),
    ("histogramdd", (_X2, [_E, _E.double()]), {}),
    ("histogramdd", (_X2, [_E]), {}),
    ("histogramdd", (_X2.long(), 3), {}),
    ("histogramdd", (_X2.long(), 3), {"range": [0.0, 1.0, 0.0, 1.0]}),
    ("histogramdd", (_X2.half(), 3), {}),
    ("histogramdd", (_X2, 3), {"weight": torch.rand(5).double()}),
    ("histogramdd", (_X2, 3), {"weight": torch.rand(4)}),
    ("histogramdd", (_X2, 3), {"weight": torch.rand(5, 1)}),
    ("histogramdd", (_X2, 3), {"out": None}),
    ("histogramdd", (_X2, 3.0), {}),
    ("histogramdd", (_X2, _E), {}),
    ("histogramdd", (_X2, [3, 2.5]), {}),
    ("histogramdd", (_X2, [_E, 3]), {}),
    ("histogramdd", (_X2, [True, 2]), {}),
    ("histogramdd", (_X2, 3), {"density": "yes"}),
    ("histogramdd", (_X2, 3), {"range": [0, 1, 0, "a"]}),
    ("histogramdd", (_X2, 3), {"weight": 3}),
    ("histogramdd", ([1.0], 3), {}),
    ("histogramdd", (_X2,), {}),
    ("histogram", (torch.tensor([1.0, 2.0]), 3), {"range": (1.0, 0.0)}),
    ("histogram", (torch.tensor([1.0, 2.0]), 3), {"range": (0.0, 1.0, 2.0)}),
    ("histogram", (torch.tensor([1.0, 2.0]), 0), {"range": (1.0, 0.0)}),
    ("histogram", (torch.tensor([1.0, 2.0]), -5), {}),
    ("histogram", (torch.tensor([1.0, 2.0]), 3), {"weight": torch.tensor([1.0, 2.0, 3.0])}),
    ("histogram", (torch.tensor([1.0, 2.0]), 3), {"weight": torch.tensor([1, 2])}),
    ("histogram", (torch.tensor([1.0, 2.0]), torch.tensor([[1.0, 2.0]])), {}),
    ("histogram", (torch.tensor([1.0, 2.0]), torch.tensor(3.0)), {}),
    ("histogram", (torch.tensor([1.0, 2.0]), torch.tensor([1.0])), {}),
    ("histogram", (torch.tensor([1.0, 2.0]), _E), {"range": (0.0, 1.0)}),
    ("histogram", (torch.tensor([1, 2]), 3), {}),
    ("histogram", (torch.tensor([1, 2]), 3), {"range": (0.0, 1.0)}),
    ("histogram", (torch.tensor([1, 2]), torch.tensor([0, 3])), {}),
    ("histogram", (torch.tensor([1.0, 2.0]), 2.5), {}),
    ("histogram", (torch.tensor([1.0, 2.0]), [2]), {}),
    ("histogram", (torch.tensor([1.0, 2.0]), 3, (0.0, 1.0)), {}),
    ("histogram", (torch.tensor([1.0, 2.0]), 3), {"density": None}),
    ("method", (torch.tensor([1.0, 2.0]), 2.5), {}),
    ("method", (torch.tensor([1.0, 2.0]), _E), {"range": (0.0, 1.0)}),
]


@pytest.mark.parametrize("case", _ERRORS, ids=lambda c: f"{c[0]}{c[1][1:]}{c[2]}"[:60])
def test_errors(case):
    name, args, kw = case
    _compare(name, args, kw)


# ---- fft.fftshift / fft.ifftshift -------------------------------------------------------------
_SHIFT_CASES = [((9, 10), {}), ((50,), {"dim": 0}), ((5, 11), {"dim": (1,)}),
                ((5, 6), {"dim": (0, 1)}), ((5, 6, 2), {"dim": (0, 2)}), ((4, 7, 3), {"dim": -1}),
                ((4, 7), {"dim": [1, -2]}), ((3, 5), {"dim": (0, 0)}), ((0, 3), {}),
                ((2, 0, 5), {"dim": 2}), ((1,), {})]  # (dim=() and 0-d: errors, below)


@pytest.mark.parametrize("name", ["fftshift", "ifftshift"])
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_shift_values_and_gradients(name, dtype):
    m = tg()
    g = torch.Generator().manual_seed(3)
    for shape, kw in _SHIFT_CASES:
        x = torch.randn(shape, generator=g, dtype=dtype, requires_grad=True)
        up = torch.randn(shape, generator=g, dtype=dtype)
        ref = getattr(torch.fft, name)(x, **kw)
        (gx,) = torch.autograd.grad(ref, x, up)
        xg = _conv(m)(x)
        got = getattr(m.fft, name)(xg, **kw)
        assert got.grad_fn.name() == ref.grad_fn.name() == "RollBackward0"
        (gg,) = m.autograd.grad(got, xg, _conv(m)(up))
        torch.testing.assert_close(_torch(got), ref.detach(), rtol=0, atol=0)
        torch.testing.assert_close(_torch(gg), gx, rtol=0, atol=0)


@pytest.mark.parametrize("name", ["fftshift", "ifftshift"])
def test_shift_other_dtypes(name):
    for x in (torch.arange(7), torch.arange(12).reshape(3, 4), torch.tensor([True, False, True]),
              torch.arange(6.0).reshape(2, 3).t()):
        ref = getattr(torch.fft, name)(x)
        got = getattr(tg().fft, name)(_conv(tg())(x))
        torch.testing.assert_close(_torch(got), ref, rtol=0, atol=0)


@pytest.mark.parametrize("dim", [None, 0, -1, (), (0,), 1.0, (1.0,), "a", True, 2, -3, (0, 2)])
@pytest.mark.parametrize("name", ["fftshift", "ifftshift"])
def test_shift_errors_as_torch(name, dim):
    for shape in [(), (2, 3)]:
        def fn(m):
            return getattr(m.fft, name)
        x = torch.arange(6.0).reshape(shape) if shape else torch.tensor(3.0)
        ref, got = _outcome(torch, fn, (x, dim), {}), _outcome(tg(), fn, (x, dim), {})
        if isinstance(ref, Exception) or isinstance(got, Exception):
            _same_error(ref, got)
        else:
            torch.testing.assert_close(_torch(got), ref, rtol=0, atol=0)


def test_shift_signature_errors():
    for name in ("fftshift", "ifftshift"):
        for args, kw in [(([1, 2],), {}), ((None,), {}), ((torch.ones(2), 0, 1), {}),
                         ((torch.ones(2),), {"out": None})]:
            def fn(m):
                return getattr(m.fft, name)
            ref, got = _outcome(torch, fn, args, kw), _outcome(tg(), fn, args, kw)
            _same_error(ref, got)
    assert tg().fft.fftshift.__name__ == torch.fft.fftshift.__name__
