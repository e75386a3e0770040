"""utils.data against torch.utils.data running the same code: batches, lengths, the seeded
shuffle order (global seed and explicit generators, across epochs), samplers, random_split,
default_collate's structure and dtypes, iterable datasets, and bad-argument errors."""
import collections
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the data checks compare against torch")

from conftest import tg  # noqa: E402


def _gen(m, seed):
    """A seeded CPU generator: torch.Generator, or tapegrad's data-side one."""
    make = getattr(m, "Generator", None) or m.utils.data.Generator
    return make().manual_seed(seed)


def _plain(x):
    """Batches as comparable Python data: tensors become (dtype, shape, values), containers keep
    their type name."""
    if isinstance(x, (tg().Tensor, torch.Tensor)):
        return ("T", str(x.dtype), tuple(x.shape), x.tolist())
    if isinstance(x, dict):
        return (type(x).__name__, {k: _plain(v) for k, v in x.items()})
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return (type(x).__name__, tuple(_plain(v) for v in x))
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [_plain(v) for v in x])
    return (type(x).__name__, x)


def _both(fn):
    """fn(m) run for tapegrad then torch, each after seeding its global generator alike."""
    out = []
    for m in (tg(), torch):
        m.manual_seed(1234)
        out.append(fn(m))
    return out


def _epochs(loader, n=2):
    return [[_plain(b) for b in loader] for _ in range(n)]


@pytest.mark.parametrize("n,bs,drop", [(10, 3, False), (10, 3, True), (7, 7, False),
                                       (1, 4, False), (33, 5, False)])
def test_shuffle_order_matches_torch_global_seed(n, bs, drop):
    got, ref = _both(lambda m: (_epochs(m.utils.data.DataLoader(
        range(n), batch_size=bs, shuffle=True, drop_last=drop)), m.rand(2).tolist()))
    assert got == ref  # same batches each epoch, and the global stream left in the same state


def test_shuffle_order_matches_torch_generator():
    got, ref = _both(lambda m: _epochs(m.utils.data.DataLoader(
        list(range(12)), batch_size=5, shuffle=True, generator=_gen(m, 7)), 3))
    assert got == ref


def test_tensor_dataset_batches_and_len():
    def run(m):
        x = m.arange(20, dtype=m.float32).reshape(10, 2)
        y = m.arange(10)
        ds = m.utils.data.TensorDataset(x, y)
        out = [len(ds), _plain(ds[3])]
        for kw in ({"batch_size": 4}, {"batch_size": 4, "drop_last": True},
                   {"batch_size": 3, "shuffle": True}, {"batch_size": None}):
            loader = m.utils.data.DataLoader(ds, **kw)
            out.append((len(loader), _epochs(loader, 1)))
        return out
    got, ref = _both(run)
    assert got == ref


@pytest.mark.parametrize("kw", [{}, {"replacement": True}, {"replacement": True,
                                                            "num_samples": 70},
                                {"num_samples": 23}, {"num_samples": 3}])
def test_random_sampler_matches_torch(kw):
    def run(m):
        s = m.utils.data.RandomSampler(range(9), **kw)
        g = m.utils.data.RandomSampler(range(9), generator=_gen(m, 99), **kw)
        return len(s), list(s), list(s), list(g), m.randint(0, 100, (3,)).tolist()
    got, ref = _both(run)
    assert got == ref


def test_subset_random_sampler_and_random_split_match_torch():
    def run(m):
        d = m.utils.data
        out = [list(d.SubsetRandomSampler([5, 7, 9, 11, 13])),
               list(d.SubsetRandomSampler(list(range(40)), generator=_gen(m, 3)))]
        for lengths in ([3, 7], [0.5, 0.3, 0.2], [0.34, 0.33, 0.33]):
            parts = d.random_split(range(10), lengths)
            out.append([(len(p), list(p)) for p in parts])
            parts = d.random_split(range(10), lengths, generator=_gen(m, 42))
            out.append([list(p.indices) for p in parts])
        out.append(m.rand(1).tolist())
        return out
    got, ref = _both(run)
    assert got == ref


def test_random_split_zero_length_warning():
    def run(m):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            parts = m.utils.data.random_split(range(5), [0.9, 0.1, 0.0])
        return [len(p) for p in parts], [(c.category.__name__, str(c.message)) for c in w]
    got, ref = _both(run)
    assert got == ref


def test_weighted_sampler_with_replacement_matches_torch():
    def run(m):
        d = m.utils.data
        w = [0.1, 0.5, 0.0, 2.0, 0.4]
        return (list(d.WeightedRandomSampler(w, 25)),
                list(d.WeightedRandomSampler(m.tensor(w), 7, generator=_gen(m, 5))),
                len(d.WeightedRandomSampler(w, 25)),
                str(d.WeightedRandomSampler(w, 2).weights.dtype))
    got, ref = _both(run)
    assert got == ref


def test_weighted_sampler_without_replacement_is_a_weighted_draw():
    """torch draws the keys with its exponential kernel, which tapegrad does not replay: check
    the properties instead (distinct, zero weights last, heavy weights first more often)."""
    tg().manual_seed(0)
    w = [1.0, 0.0, 8.0, 1.0, 0.0, 2.0]
    firsts = collections.Counter()
    for _ in range(300):
        s = list(tg().utils.data.WeightedRandomSampler(w, 4, replacement=False))
        assert len(s) == 4 and len(set(s)) == 4
        assert 1 not in s and 4 not in s
        firsts[s[0]] += 1
    assert firsts[2] > 150 and firsts[2] > firsts[5] > firsts[0] // 2


Point = collections.namedtuple("Point", "x y")


def _samples(m, i):
    return {
        "tensor": m.full((2, 3), float(i)),
        "int": i, "float": i / 2, "bool": i % 2 == 0, "str": f"s{i}",
        "np32": np.arange(3, dtype=np.float32) * i, "npint": np.array([i, i], dtype=np.int32),
        "npscalar": np.float64(i), "np0d_int": np.int64(i),
        "tuple": (i, m.tensor([i, i + 1])), "list": [float(i), i],
        "named": Point(i, m.tensor(float(i))), "nested": {"a": [(i, i / 4)]},
    }


def test_default_collate_structure_and_dtypes():
    def run(m):
        batch = [_samples(m, i) for i in range(3)]
        out = [_plain(m.utils.data.default_collate(batch))]
        loader = m.utils.data.DataLoader([_samples(m, i) for i in range(5)], batch_size=2)
        out.append(_epochs(loader, 1))
        out.append(_plain(m.utils.data.default_collate([(1, 2.0), (3, 4.0)])))
        out.append(_plain(m.utils.data.default_collate([m.tensor(1.5), m.tensor(2.5)])))
        return out
    got, ref = _both(run)
    assert got == ref


def test_default_convert_without_batching():
    def run(m):
        data = [(np.ones(2, dtype=np.float32) * i, i) for i in range(3)]
        return (_epochs(m.utils.data.DataLoader(data, batch_size=None), 1),
                _plain(m.utils.data.default_convert({"a": np.zeros(2), "b": (np.ones(1), "x")})))
    got, ref = _both(run)
    assert got == ref


def test_collate_errors_match_torch():
    def err(m, batch):
        with pytest.raises(Exception) as info:
            m.utils.data.default_collate(batch)
        return type(info.value), str(info.value)
    for batch in ([object(), object()], [[1, 2], [1]], [np.array(["a"]), np.array(["b"])]):
        assert err(tg(), batch) == err(torch, batch)


def test_custom_sampler_batch_sampler_collate_fn():
    def run(m):
        d = m.utils.data
        ds = list(range(100, 110))
        out = [_epochs(d.DataLoader(ds, batch_size=3, sampler=[9, 0, 4, 4, 2]), 1),
               _epochs(d.DataLoader(ds, batch_sampler=[[1, 2], [7], [3, 3, 3]]), 1),
               _epochs(d.DataLoader(ds, batch_size=4, collate_fn=lambda b: sum(b)), 1),
               len(d.DataLoader(ds, batch_sampler=d.BatchSampler(d.SequentialSampler(ds), 4,
                                                                 True))),
               list(d.BatchSampler(range(7), 3, False)), len(d.BatchSampler(range(7), 3, False)),
               _epochs(d.DataLoader(ds, batch_size=4, num_workers=2), 1)]
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            out.append(_epochs(d.DataLoader(ds, batch_size=4, pin_memory=True), 1))
        no_gpu = not (tg().cuda.is_available() or torch.cuda.is_available())
        out.append([(c.category.__name__, str(c.message)) for c in w if no_gpu])
        return out
    got, ref = _both(run)
    assert got == ref


def test_dataset_composition():
    def run(m):
        d = m.utils.data
        a = d.TensorDataset(m.arange(4))
        b = d.TensorDataset(m.arange(10, 13))
        cat = d.ConcatDataset([a, b])
        plus = a + b
        sub = d.Subset(cat, [6, 0, 4])
        return (len(cat), [_plain(cat[i]) for i in (0, 3, 4, 6, -1, -7)], cat.cumulative_sizes,
                len(plus), _plain(plus[5]), len(sub), [_plain(s) for s in sub],
                _epochs(d.DataLoader(sub, batch_size=2), 1))
    got, ref = _both(run)
    assert got == ref


def _stream(m, n, with_len):
    class Stream(m.utils.data.IterableDataset):
        def __iter__(self):
            return iter(range(n))
    if with_len:
        Stream.__len__ = lambda self: n
    return Stream()


@pytest.mark.parametrize("kw", [{}, {"batch_size": 3}, {"batch_size": 3, "drop_last": True},
                                {"batch_size": None}, {"batch_size": 5}])
def test_iterable_dataset(kw):
    def run(m):
        loader = m.utils.data.DataLoader(_stream(m, 10, True), **kw)
        chained = m.utils.data.ChainDataset([_stream(m, 2, True), _stream(m, 3, True)])
        return _epochs(loader), len(loader), list(chained), len(chained)
    got, ref = _both(run)
    assert got == ref


def test_get_worker_info_is_none():
    assert tg().utils.data.get_worker_info() is None is torch.utils.data.get_worker_info()


def _ds(m):
    return m.utils.data.TensorDataset(m.zeros(3))


ERROR_CASES = {
    "sampler_and_shuffle": lambda m: m.utils.data.DataLoader(range(3), shuffle=True,
                                                             sampler=[0]),
    "batch_sampler_and_batch_size": lambda m: m.utils.data.DataLoader(
        range(3), batch_sampler=[[0]], batch_size=2),
    "batch_sampler_and_drop_last": lambda m: m.utils.data.DataLoader(
        range(3), batch_sampler=[[0]], drop_last=True),
    "no_batch_drop_last": lambda m: m.utils.data.DataLoader(range(3), batch_size=None,
                                                            drop_last=True),
    "negative_workers": lambda m: m.utils.data.DataLoader(range(3), num_workers=-1),
    "negative_timeout": lambda m: m.utils.data.DataLoader(range(3), timeout=-1),
    "prefetch_without_workers": lambda m: m.utils.data.DataLoader(range(3), prefetch_factor=2),
    "negative_prefetch": lambda m: m.utils.data.DataLoader(range(3), num_workers=1,
                                                           prefetch_factor=-1),
    "persistent_without_workers": lambda m: m.utils.data.DataLoader(range(3),
                                                                    persistent_workers=True),
    "zero_batch_size": lambda m: m.utils.data.DataLoader(range(3), batch_size=0),
    "iterable_shuffle": lambda m: m.utils.data.DataLoader(_stream(m, 3, False), shuffle=True),
    "iterable_sampler": lambda m: m.utils.data.DataLoader(_stream(m, 3, False), sampler=[0]),
    "iterable_batch_sampler": lambda m: m.utils.data.DataLoader(_stream(m, 3, False),
                                                                batch_sampler=[[0]]),
    "iterable_no_len": lambda m: len(m.utils.data.DataLoader(_stream(m, 3, False))),
    "random_sampler_replacement": lambda m: m.utils.data.RandomSampler(range(3), replacement=1),
    "random_sampler_num_samples": lambda m: m.utils.data.RandomSampler(range(3), num_samples=0),
    "random_sampler_empty": lambda m: m.utils.data.RandomSampler([]),
    "batch_sampler_size": lambda m: m.utils.data.BatchSampler(range(3), True, False),
    "batch_sampler_drop_last": lambda m: m.utils.data.BatchSampler(range(3), 2, 1),
    "weighted_num_samples": lambda m: m.utils.data.WeightedRandomSampler([1, 2], 0),
    "weighted_replacement": lambda m: m.utils.data.WeightedRandomSampler([1, 2], 2,
                                                                         replacement=1),
    "weighted_2d": lambda m: m.utils.data.WeightedRandomSampler([[1, 2]], 2),
    "weighted_negative": lambda m: list(m.utils.data.WeightedRandomSampler([1, -1], 2)),
    "weighted_nan": lambda m: list(m.utils.data.WeightedRandomSampler([1, float("nan")], 2)),
    "weighted_inf": lambda m: list(m.utils.data.WeightedRandomSampler([1, float("inf")], 2)),
    "weighted_zero_sum": lambda m: list(m.utils.data.WeightedRandomSampler([0, 0], 2)),
    "weighted_too_many": lambda m: list(m.utils.data.WeightedRandomSampler([1, 1], 3, False)),
    "tensor_dataset_sizes": lambda m: m.utils.data.TensorDataset(m.ones(2), m.ones(3)),
    "concat_empty": lambda m: m.utils.data.ConcatDataset([]),
    "concat_iterable": lambda m: m.utils.data.ConcatDataset([_stream(m, 2, False)]),
    "concat_index": lambda m: m.utils.data.ConcatDataset([_ds(m)])[-4],
    "split_sum": lambda m: m.utils.data.random_split(range(5), [2, 2]),
    "split_fraction": lambda m: m.utils.data.random_split(range(5), [1.5, -0.5]),
}


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_errors_match_torch(case):
    def err(m):
        with pytest.raises(Exception) as info:
            ERROR_CASES[case](m)
        return type(info.value), str(info.value)
    assert err(tg()) == err(torch)


def test_training_loop_matches_torch():
    """random_split + shuffled DataLoader + Linear/SGD from one global seed: the same batches
    reach the model, so the per-epoch validation losses agree with torch's."""
    def run(m):
        X = m.randn(120, 3)
        Y = X @ m.tensor([[1.5], [-2.0], [0.5]]) + 0.1
        train, val = m.utils.data.random_split(m.utils.data.TensorDataset(X, Y), [0.75, 0.25])
        model = m.nn.Linear(3, 1)
        opt = m.optim.SGD(model.parameters(), lr=0.1)
        losses = []
        for _ in range(2):
            for xb, yb in m.utils.data.DataLoader(train, batch_size=16, shuffle=True):
                opt.zero_grad()
                m.nn.functional.mse_loss(model(xb), yb).backward()
                opt.step()
            with m.no_grad():
                xv, yv = next(iter(m.utils.data.DataLoader(val, batch_size=len(val))))
                losses.append(m.nn.functional.mse_loss(model(xv), yv).item())
        return losses
    got, ref = _both(run)
    np.testing.assert_allclose(got, ref, rtol=1e-5)


@pytest.mark.parametrize("make", [
    lambda m, g: list(m.utils.data.RandomSampler(range(3), generator=g)),
    lambda m, g: m.utils.data.random_split(range(4), [2, 2], generator=g),
    lambda m, g: list(m.utils.data.DataLoader(range(3), shuffle=True, generator=g)),
])
def test_foreign_generator_is_a_type_error(make):
    """Not a generator: a TypeError (torch words it as an argument-parser error)."""
    for m in (tg(), torch):
        with pytest.raises(TypeError):
            make(m, object())
