"""torch.layout objects (tapegrad.strided, sparse_coo, ...), Tensor.layout, and the factories'
layout= / pin_memory= keywords, each call run in torch and in tapegrad (python/tapegrad/_layout.py).
tapegrad stores every tensor strided: a sparse layout is refused (torch would build a sparse
tensor), which is checked on tapegrad alone."""
import copy
import pickle

import pytest

import tapegrad

torch = pytest.importorskip("torch")

LAYOUTS = ["strided", "sparse_coo", "sparse_csr", "sparse_csc", "sparse_bsr", "sparse_bsc",
           "jagged"]


@pytest.mark.parametrize("name", LAYOUTS)
def test_layout_objects_print_and_pickle_like_torch(name):
    ours, theirs = getattr(tapegrad, name), getattr(torch, name)
    assert repr(ours) == repr(theirs) and str(ours) == str(theirs)
    assert isinstance(ours, tapegrad.layout)
    assert pickle.loads(pickle.dumps(ours)) is ours
    assert copy.deepcopy(ours) is ours and copy.copy(ours) is ours
    assert ours == ours and hash(ours) == hash(ours)
    assert all(ours != getattr(tapegrad, other) for other in LAYOUTS if other != name)


def test_tensor_layout_is_strided():
    for make in (lambda m: m.zeros(2, 3), lambda m: m.zeros(2, 3).t(), lambda m: m.tensor(1.0),
                 lambda m: m.arange(6)[::2]):
        assert make(tapegrad).layout is tapegrad.strided
        assert repr(make(tapegrad).layout) == repr(make(torch).layout)
    assert str(tapegrad.zeros(2).layout) == "torch.strided"


# factory calls that take layout= (and pin_memory=) in torch; `m` is the library
CALLS = {
    "zeros": lambda m, kw: m.zeros(2, 3, **kw),
    "ones": lambda m, kw: m.ones((2,), **kw),
    "empty": lambda m, kw: m.empty(0, **kw),
    "full": lambda m, kw: m.full((2,), 1.5, **kw),
    "arange": lambda m, kw: m.arange(4, **kw),
    "linspace": lambda m, kw: m.linspace(0, 1, 5, **kw),
    "logspace": lambda m, kw: m.logspace(0, 1, 5, **kw),
    "eye": lambda m, kw: m.eye(3, **kw),
    "rand": lambda m, kw: m.rand(2, **kw),
    "randn": lambda m, kw: m.randn(2, **kw),
    "randint": lambda m, kw: m.randint(5, (3,), **kw),
    "randperm": lambda m, kw: m.randperm(4, **kw),
    "zeros_like": lambda m, kw: m.zeros_like(m.ones(2, dtype=m.float64), **kw),
    "ones_like": lambda m, kw: m.ones_like(m.ones(2), **kw),
    "full_like": lambda m, kw: m.full_like(m.ones(2, dtype=m.int64), 7, **kw),
    "randint_like": lambda m, kw: m.randint_like(m.ones(2), 3, **kw),
    "empty_strided": lambda m, kw: m.empty_strided((2, 3), (1, 2), **kw),
    "scalar_tensor": lambda m, kw: m.scalar_tensor(3, **kw),
    "new_zeros": lambda m, kw: m.ones(2, dtype=m.int32).new_zeros(3, **kw),
    "new_ones": lambda m, kw: m.ones(2).new_ones((1, 2), **kw),
    "new_full": lambda m, kw: m.ones(2).new_full((2,), 4, **kw),
    "new_empty": lambda m, kw: m.ones(2).new_empty((0,), **kw),
}


def _values(t):
    return t.tolist() if t.numel() else []


@pytest.mark.parametrize("name", sorted(CALLS))
def test_factories_take_strided_layout_and_pin_memory_false(name):
    for kw in ({"layout": "strided"}, {"layout": None}, {"pin_memory": False},
               {"layout": "strided", "pin_memory": False}):
        def args(m):
            return {k: (getattr(m, v) if k == "layout" and v else v) for k, v in kw.items()}
        torch.manual_seed(3)
        tapegrad.manual_seed(3)
        want = CALLS[name](torch, args(torch))
        got = CALLS[name](tapegrad, args(tapegrad))
        assert tuple(got.shape) == tuple(want.shape) and str(got.dtype) == str(want.dtype)
        assert got.layout is tapegrad.strided
        if "empty" not in name:
            assert _values(got) == _values(want)


@pytest.mark.parametrize("name", ["zeros", "ones", "full", "arange", "rand", "eye"])
def test_factory_layout_and_pin_memory_type_errors_like_torch(name):
    for kw in ({"layout": "strided"}, {"layout": 1}, {"pin_memory": 1}, {"pin_memory": "yes"}):
        with pytest.raises(TypeError) as theirs:
            CALLS[name](torch, kw)
        with pytest.raises(TypeError) as ours:
            CALLS[name](tapegrad, kw)
        if name in ("zeros", "ones", "full"):  # one signature: torch names the argument
            assert str(ours.value) == str(theirs.value)
        else:  # overloaded: torch lists its signatures; both name the keyword
            assert next(iter(kw)) in str(ours.value) and next(iter(kw)) in str(theirs.value)


@pytest.mark.skipif(tapegrad.cuda.is_available() or torch.cuda.is_available(),
                    reason="pin_memory=True works where an accelerator is present")
@pytest.mark.parametrize("name", ["zeros", "empty", "full", "randn", "tensor"])
def test_pin_memory_without_accelerator_raises_like_torch(name):
    call = CALLS.get(name, lambda m, kw: m.tensor([1.0, 2.0], **kw))
    with pytest.raises(RuntimeError) as theirs:
        call(torch, {"pin_memory": True})
    with pytest.raises(RuntimeError) as ours:
        call(tapegrad, {"pin_memory": True})
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("name", ["zeros", "empty", "randn", "zeros_like", "new_zeros",
                                  "full_like", "empty_strided", "arange"])
@pytest.mark.parametrize("layout", ["sparse_coo", "sparse_csr", "jagged"])
def test_non_strided_layouts_are_refused(name, layout):
    with pytest.raises(NotImplementedError, match="non-strided"):
        CALLS[name](tapegrad, {"layout": getattr(tapegrad, layout)})


def test_torch_strided_is_accepted_when_mixing_libraries():
    assert tapegrad.zeros(2, layout=torch.strided).layout is tapegrad.strided
    assert tapegrad.empty_strided((2,), (1,), layout=torch.strided).shape == (2,)
    with pytest.raises(TypeError, match="must be torch.layout"):
        tapegrad.zeros(2, layout=torch.sparse_coo)
