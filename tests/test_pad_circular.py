"""F.pad(mode='circular') as torch's _pad_circular (lib/ops/pad.cpp, circular_pad): slice copies
into a new tensor, so the recorded graph is torch's (CopySlices over SliceBackward0, with their
saved attributes), negative pads crop, and a copy whose source overlaps its destination is
refused with torch's error. Values, graph, gradients for a random upstream gradient, and errors
against torch; gradcheck / gradgradcheck in float64."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

import crosscheck as cc  # noqa: E402
from crosscheck import tg  # noqa: E402


def _np(t):
    return np.asarray(t.detach().tolist(), dtype=float)


def _graph(fn):
    """the recorded graph with each node's scalar saved attributes"""
    if fn is None:
        return None
    attrs = {k: getattr(fn, k) for k in dir(fn) if k.startswith("_saved_")
             and not k.startswith("_saved_self") or k == "_saved_self_sym_sizes"}
    attrs = {k: tuple(v) if isinstance(v, (tuple, list)) else v for k, v in attrs.items()
             if not hasattr(v, "shape")}
    return (type(fn).__name__, tuple(sorted(attrs.items())),
            tuple(_graph(f) for f, _ in fn.next_functions))


CASES = [((2, 5), (2, 1)), ((1, 2, 5), (-1, 2)), ((1, 2, 5), (4, -1)), ((2, 3, 4, 5), (1, 2, 3, 0)),
         ((3, 4, 5), (2, 2, 1, 1)), ((1, 1, 3, 4, 5), (1, 1, 2, 0, 0, 3)),
         ((2, 2, 3, 4, 4), (1, -1, 0, 2, 3, 3)), ((1, 2, 5), (5, 5)), ((1, 2, 5), (0, 0)),
         ((1, 2, 5), (-2, -3))]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("shape,pad", CASES, ids=str)
def test_matches_torch(shape, pad, dtype):
    rng = np.random.default_rng(abs(len(shape) + sum(pad)))
    data = rng.standard_normal(shape)
    g = None

    def run(m):
        nonlocal g
        x = m.tensor(data.ravel().tolist(), dtype=getattr(m, dtype)).reshape(shape)
        x.requires_grad_()
        y = m.nn.functional.pad(x, pad, mode="circular")
        if g is None:
            g = rng.standard_normal(tuple(y.shape))
        y.backward(m.tensor(g.ravel().tolist(), dtype=getattr(m, dtype)).reshape(tuple(y.shape)))
        return y, x.grad
    (a, ga), (b, gb) = run(tg()), run(torch)
    assert _graph(a.grad_fn) == _graph(b.grad_fn)
    np.testing.assert_array_equal(_np(a), _np(b))
    np.testing.assert_allclose(_np(ga), _np(gb), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("pad", [(5, -2), (-2, 5), (3, -3), (6, 0), (1, 2, 0, 3)], ids=str)
def test_errors_match_torch(pad):
    # one channel: the slices are dense, and torch's overlap check refuses the wrapping copies
    def run(m, channels=1):
        x = m.ones(1, channels, 5) if len(pad) == 2 else m.ones(1, channels, 2, 5)
        return m.nn.functional.pad(x, pad, mode="circular")
    cc.check_raises(run, label=str(pad))
    # two channels: torch's check does not see the overlap and its result reads uninitialised
    # memory; tapegrad refuses it the same way
    with pytest.raises(RuntimeError, match="single memory location|more than once"):
        run(tg(), 2)


def test_module_and_gradgradcheck():
    m = tg()
    x = m.randn(2, 3, 4, 5, dtype=m.float64, requires_grad=True)
    f = lambda t: m.nn.CircularPad2d((1, 2, 2, 1))(t)  # noqa: E731
    assert type(f(x).grad_fn).__name__ == "CopySlices"
    assert m.autograd.gradcheck(f, (x,))
    assert m.autograd.gradgradcheck(f, (x,))


def test_int_and_bool_inputs():
    for dt in ("int64", "bool"):
        a = tg().nn.functional.pad(tg().tensor([[[1, 0, 1, 1]]], dtype=getattr(tg(), dt)), (2, 1),
                                   mode="circular")
        b = torch.nn.functional.pad(torch.tensor([[[1, 0, 1, 1]]], dtype=getattr(torch, dt)),
                                    (2, 1), mode="circular")
        assert a.tolist() == b.tolist() and str(a.dtype) == str(b.dtype)


@pytest.mark.parametrize("layout", ["contiguous", "permuted"])
@pytest.mark.parametrize("src", ["same", "broadcast", "float64"])
def test_copyslices_backward_matches_torch(layout, src):
    # CopySlices' dense path (lib/autograd/views.cpp, apply_dense): the gradient laid out as the
    # base, the region read and overwritten through the view's strides; a base in a permuted
    # layout (b * 1 keeps b's strides) and a source that broadcasts or converts
    rng = np.random.default_rng(5)
    data, s_data, g = rng.standard_normal((4, 5)), rng.standard_normal((4, 2)), \
        rng.standard_normal((4, 5))

    def run(m):
        b = m.tensor(data.tolist())
        if layout == "permuted":
            b = m.empty_strided((4, 5), (1, 4)).copy_(b)
        b.requires_grad_()
        s = m.tensor(s_data.tolist(), requires_grad=True)
        if src == "broadcast":
            s = m.tensor(s_data[0].tolist(), requires_grad=True)
        elif src == "float64":
            s = m.tensor(s_data.tolist(), dtype=m.float64, requires_grad=True)
        c = b * 1
        c[:, 1:3].copy_(s)
        c[1:3, 3:].mul_(2)
        c.backward(m.tensor(g.tolist()))
        return c, b.grad, s.grad
    for u, v in zip(run(tg()), run(torch)):
        np.testing.assert_allclose(_np(u), _np(v), rtol=1e-6)
