"""Which of several equal elements sort / argsort / msort / topk / kthvalue / mode / median
report: the indices must EQUAL torch's CPU ones (Note [Ties in order statistics] in
lib/ops/lane_order.h), not just point at equal values. Inputs are drawn with many ties (small
integers, bools, repeated floats, NaN, -0.0 next to 0.0) in every dtype, along every dim, from
contiguous, transposed, strided and expanded (stride 0) tensors; values, indices and gradients
(a random upstream gradient) are compared.
"""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the checks compare against torch")

import crosscheck as cc  # noqa: E402
from conftest import tg  # noqa: E402

FLOATS = ["float64", "float32", "float16", "bfloat16"]
INTS = ["int64", "int32", "int16", "int8", "uint8"]


def _draw(rng, shape, dtype, nan=True):
    """Small integers (0..hi) as `dtype`; floats also get NaNs and -0.0 among 0.0."""
    hi = int(rng.integers(1, 6))
    a = rng.integers(0, hi + 1, shape).astype(np.float32)
    if dtype == "bool":
        return a > hi / 2
    if dtype in FLOATS:
        a[a == 0] = np.where(rng.random(a[a == 0].shape) < 0.5, -0.0, 0.0)
        if nan and rng.random() < 0.5:
            a[rng.random(shape) < 0.15] = np.nan
    return a


def _pair(arr, dtype):
    m = tg()
    t = torch.from_numpy(np.ascontiguousarray(arr)).to(getattr(torch, dtype))
    g = m.tensor(np.ascontiguousarray(arr)).to(getattr(m, dtype))
    return t, g


def _same(got, ref, what):
    """Exact equality (NaN equal to NaN) of a tapegrad tensor with a torch tensor."""
    assert str(got.dtype).split(".")[-1] == str(ref.dtype).split(".")[-1], what
    assert tuple(got.shape) == tuple(ref.shape), what
    r = ref.detach()
    if r.dtype in (torch.float16, torch.bfloat16):
        r = r.float()
        g = np.asarray(got.detach().float().numpy())
    else:
        g = np.asarray(got.detach().numpy())
    r = r.numpy()
    if r.dtype.kind == "f":
        ok = np.array_equal(g, r, equal_nan=True)
        # -0.0 and 0.0 are equal elements: the sign must follow the same element too (a NaN's
        # sign is not compared: torch's vectorised float -> bfloat16 makes NaN 0xffff)
        num = ~np.isnan(r)
        ok = ok and np.array_equal(np.signbit(g[num]), np.signbit(r[num]))
    else:
        ok = np.array_equal(g, r)
    if not ok:
        bad = np.argwhere(np.asarray(g != r) & ~(np.isnan(g) & np.isnan(r))
                          if r.dtype.kind == "f" else np.asarray(g != r))
        raise AssertionError(f"{what}: first difference at {bad[:1].tolist()}: "
                             f"got {g.ravel()[:12].tolist()} torch {r.ravel()[:12].tolist()}")


def _both(fn, t, g, what):
    ref, got = fn(torch, t), fn(tg(), g)
    if isinstance(ref, torch.Tensor):
        ref, got = (ref,), (got,)
    for k, (a, b) in enumerate(zip(got, ref)):
        _same(a, b, f"{what} output {k}")


# --------------------------------------------------------------------------- sort / argsort


@pytest.mark.parametrize("dtype", FLOATS + INTS + ["bool"])
def test_sort_1d_ties(dtype):
    rng = np.random.default_rng(1)
    for n in [0, 1, 2, 5, 16, 17, 40, 100, 1000, 8000]:
        for rep in range(3):
            t, g = _pair(_draw(rng, (n,), dtype), dtype)
            for desc in (False, True):
                for stable in (None, False, True):
                    what = f"sort n={n} rep={rep} descending={desc} stable={stable}"
                    _both(lambda m, x: m.sort(x, descending=desc, stable=stable), t, g, what)
            _both(lambda m, x: m.argsort(x), t, g, f"argsort n={n}")
            _both(lambda m, x: m.argsort(x, descending=True), t, g, f"argsort desc n={n}")


@pytest.mark.parametrize("dtype", ["float32", "int64", "bool", "bfloat16"])
def test_sort_nd_layouts(dtype):
    rng = np.random.default_rng(2)
    base = _draw(rng, (30, 40, 24), dtype)
    t0, g0 = _pair(base, dtype)
    views = {
        "contiguous": lambda x: x,
        "transposed": lambda x: x.transpose(0, 2),
        "strided": lambda x: x[:, ::2, 1::3],
        "expanded": lambda x: x[:1, :1].expand(30, 40, 24),  # stride 0 on dims 0 and 1
        "expanded_last": lambda x: x[..., :1].expand(30, 40, 24),
    }
    for name, v in views.items():
        t, g = v(t0), v(g0)
        for dim in (0, 1, 2, -1):
            for desc in (False, True):
                _both(lambda m, x: m.sort(x, dim, desc), t, g, f"sort {name} dim={dim} desc={desc}")
        _both(lambda m, x: m.msort(x), t, g, f"msort {name}")


@pytest.mark.parametrize("dtype", INTS)
def test_sort_long_1d_integer_is_stable(dtype):
    """torch sorts 1-d integer tensors of >= 32768 elements ascending with a stable radix sort;
    below that, and descending, and in 2-d, std::sort's order."""
    rng = np.random.default_rng(3)
    for n in (32767, 32768, 40000):
        a = _draw(rng, (n,), dtype)
        t, g = _pair(a, dtype)
        for desc in (False, True):
            _both(lambda m, x: m.sort(x, descending=desc), t, g, f"sort n={n} desc={desc}")
        _both(lambda m, x: m.sort(x[::2]), t, g, f"sort strided n={n}")
        _both(lambda m, x: m.sort(x.reshape(1, -1), 1), t, g, f"sort 2-d n={n}")


def test_sort_zero_dim_and_empty():
    for dtype in ("float32", "int64", "bool"):
        t, g = _pair(np.array(1.0 if dtype != "bool" else True), dtype)
        _both(lambda m, x: m.sort(x), t, g, f"0-d {dtype}")
        t, g = _pair(_draw(np.random.default_rng(0), (3, 0, 2), dtype), dtype)
        for dim in range(3):
            _both(lambda m, x: m.sort(x, dim), t, g, f"empty dim={dim}")


# --------------------------------------------------------------------------------- topk


@pytest.mark.parametrize("dtype", FLOATS + INTS)
def test_topk_ties(dtype):
    rng = np.random.default_rng(4)
    for n in [1, 2, 3, 17, 64, 65, 130, 500, 3000]:
        t, g = _pair(_draw(rng, (n,), dtype), dtype)
        ks = sorted({0, 1, 2, n // 64, n // 64 + 1, n // 2, n - 1, n} - {-1})
        for k in [k for k in ks if 0 <= k <= n]:
            for largest in (True, False):
                for srt in (True, False):
                    what = f"topk n={n} k={k} largest={largest} sorted={srt}"
                    _both(lambda m, x: m.topk(x, k, largest=largest, sorted=srt), t, g, what)


def test_topk_nd_layouts():
    rng = np.random.default_rng(5)
    t0, g0 = _pair(_draw(rng, (20, 200, 6), "float32"), "float32")
    for name, v in {"contiguous": lambda x: x, "transposed": lambda x: x.transpose(0, 1),
                    "expanded": lambda x: x[:, :1].expand(20, 200, 6)}.items():
        t, g = v(t0), v(g0)
        for dim in (0, 1, 2):
            n = t.shape[dim]
            for k in (1, max(1, n // 64), n // 2 + 1):
                for largest in (True, False):
                    _both(lambda m, x: m.topk(x, k, dim, largest), t, g,
                          f"topk {name} dim={dim} k={k} largest={largest}")


# ------------------------------------------------------------------- kthvalue / mode / median


@pytest.mark.parametrize("dtype", FLOATS + INTS)
def test_kthvalue_ties(dtype):
    rng = np.random.default_rng(6)
    for n in [1, 2, 3, 4, 7, 16, 33, 100, 1001]:
        for rep in range(2):
            t, g = _pair(_draw(rng, (n,), dtype), dtype)
            for k in sorted({1, 2, n // 2, n // 2 + 1, n - 1, n} & set(range(1, n + 1))):
                _both(lambda m, x: m.kthvalue(x, k), t, g, f"kthvalue n={n} rep={rep} k={k}")


@pytest.mark.parametrize("dtype", FLOATS + INTS + ["bool"])
def test_mode_ties(dtype):
    rng = np.random.default_rng(7)
    for n in [1, 2, 3, 16, 17, 40, 300, 3000]:
        for rep in range(3):
            t, g = _pair(_draw(rng, (n,), dtype), dtype)
            _both(lambda m, x: m.mode(x), t, g, f"mode n={n} rep={rep}")


def test_mode_all_nan_and_mostly_nan():
    a = np.full(100, np.nan, np.float32)
    a[::3] = 1.0
    for arr in (a, np.full(40, np.nan, np.float32)):
        t, g = _pair(arr, "float32")
        _both(lambda m, x: m.mode(x), t, g, "mode with NaNs")


@pytest.mark.parametrize("op", ["kthvalue", "mode", "median", "nanmedian"])
def test_selections_nd_layouts(op):
    rng = np.random.default_rng(8)
    t0, g0 = _pair(_draw(rng, (12, 50, 7), "float64"), "float64")
    call = {"kthvalue": lambda m, x, d: m.kthvalue(x, 3, d, keepdim=True),
            "mode": lambda m, x, d: m.mode(x, d), "median": lambda m, x, d: m.median(x, d),
            "nanmedian": lambda m, x, d: m.nanmedian(x, d)}[op]
    for name, v in {"contiguous": lambda x: x, "transposed": lambda x: x.transpose(0, 2),
                    "strided": lambda x: x[::2, 1::2],
                    "expanded": lambda x: x[:, :1].expand(12, 50, 7)}.items():
        t, g = v(t0), v(g0)
        for dim in (0, 1, 2):
            ref = t
            if name == "expanded" and dim == 1 and op in ("median", "nanmedian"):
                # torch 2.13's median along a stride-0 dim reads the wrong elements (a value
                # that is not in the lane); tapegrad gives what torch gives for the copy
                ref = t.contiguous()
            ref_out, got = call(torch, ref, dim), call(tg(), g, dim)
            for k in range(2):
                _same(got[k], ref_out[k], f"{op} {name} dim={dim} output {k}")


# -------------------------------------------------------------------------------- gradients


@pytest.mark.parametrize("fn", [
    lambda m, x: m.sort(x, 1),
    lambda m, x: m.sort(x, 0, descending=True),
    lambda m, x: m.topk(x, 5, 1),
    lambda m, x: m.topk(x, 30, 1, largest=False, sorted=False),
    lambda m, x: m.kthvalue(x, 7, 1),
    lambda m, x: m.mode(x, 1),
    lambda m, x: m.msort(x),
], ids=["sort", "sort_desc_dim0", "topk", "topk_small_unsorted", "kthvalue", "mode", "msort"])
def test_gradients_follow_the_tied_indices(fn):
    # ties(): small integers as floats; rows of 40 so std::sort and quickselect do reorder
    cc.check(fn, cc.ties(6, 40))
    cc.check(fn, cc.ties(6, 40, nc=True))


def test_nanmedian_all_nan_lane_index():
    """An all-NaN lane: torch's nth_element over equivalent elements picks position 0 of 3
    elements but 2 of 4 (not the middle one)."""
    for n in [1, 2, 3, 4, 5, 17, 40, 257]:
        a = np.full((3, n), np.nan, np.float32)
        a[1, :: 2] = 1.0  # one lane with numbers among the NaNs
        for dtype in ("float32", "float64", "float16"):
            t, g = _pair(a, dtype)
            _both(lambda m, x: m.nanmedian(x, 1), t, g, f"nanmedian n={n} {dtype}")
            _both(lambda m, x: m.median(x, 1), t, g, f"median n={n} {dtype}")


@pytest.mark.parametrize("dtype", INTS)
def test_stable_integer_sort_full_range(dtype):
    """Stable integer sorts of negative and extreme values (tapegrad radix-sorts them)."""
    rng = np.random.default_rng(9)
    info = np.iinfo(dtype)
    for n in (255, 256, 3000):
        a = rng.integers(info.min, int(info.max) + 1, n, dtype=dtype)
        a[rng.random(n) < 0.3] = info.min
        a[rng.random(n) < 0.3] = -1 if info.min < 0 else info.max
        t, g = torch.from_numpy(a), tg().tensor(a)
        for desc in (False, True):
            _both(lambda m, x: m.sort(x, descending=desc, stable=True), t, g,
                  f"stable sort n={n} desc={desc}")
            _both(lambda m, x: m.argsort(x, descending=desc, stable=True), t, g,
                  f"stable argsort n={n} desc={desc}")
