"""Cross-checks tapegrad's tensor printer (python/tapegrad/_tensor_str.py) against live torch.

The module is loaded by file path so these tests run without the compiled package; tensors are
torch tensors, also passed through a wrapper that exposes only the members the printer may use.
"""

import importlib.util
import math
import pathlib

import pytest
import torch

_PATH = pathlib.Path(__file__).resolve().parents[1] / "python" / "tapegrad" / "_tensor_str.py"
_SPEC = importlib.util.spec_from_file_location("tg_tensor_str", _PATH)
ts = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(ts)

NAN, INF = math.nan, math.inf


class _Named:
    """Something whose only use is str(), as the printer treats dtype and device."""

    def __init__(self, text):
        self._text = text

    def __str__(self):
        return self._text


class _Duck:
    """A torch tensor seen only through the members the printer is allowed to use."""

    __slots__ = ("_t", "_device")

    def __init__(self, t, device=None):
        self._t = t
        self._device = device or str(t.device)

    @property
    def shape(self):
        return tuple(self._t.shape)

    @property
    def dtype(self):
        return _Named(str(self._t.dtype))

    @property
    def device(self):
        return _Named(self._device)

    @property
    def requires_grad(self):
        return self._t.requires_grad

    @property
    def grad_fn(self):
        return self._t.grad_fn

    def dim(self):
        return self._t.dim()

    def numel(self):
        return self._t.numel()

    def tolist(self):
        return self._t.tolist()

    def is_floating_point(self):
        return self._t.is_floating_point()

    def __getitem__(self, key):
        assert isinstance(key, int) or (isinstance(key, slice) and key.step is None)
        if isinstance(key, slice):
            assert (key.start or 0) >= 0 and (key.stop is None or key.stop >= 0)
        return _Duck(self._t[key], self._device)


def _seeded(fn):
    def make():
        torch.manual_seed(0)
        return fn()
    return make


def _with_hidden_outlier():
    x = torch.randn(2000)
    x[1000] = 1e10  # summarised away, so it must not switch the layout to scientific
    return x


def _leaf(t):
    return t.requires_grad_()


_DTYPES = [torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int8, torch.int16,
           torch.int32, torch.int64, torch.uint8, torch.bool, torch.complex64, torch.complex128]


def _random(shape, dtype):
    if dtype == torch.bool:
        return torch.rand(shape) > 0.5
    if dtype.is_complex:
        return torch.randn(shape, dtype=dtype) * 3
    if dtype.is_floating_point:
        return (torch.randn(shape) * 5).to(dtype)
    low = 0 if dtype == torch.uint8 else -100
    return torch.randint(low, 100, shape, dtype=dtype)


CASES = {
    # 0-d
    "scalar_int_float": lambda: torch.tensor(4.),
    "scalar_neg_zero": lambda: torch.tensor(-0.),
    "scalar_zero": lambda: torch.tensor(0.),
    "scalar_frac": lambda: torch.tensor(0.1),
    "scalar_int64": lambda: torch.tensor(3),
    "scalar_int32_neg": lambda: torch.tensor(-7, dtype=torch.int32),
    "scalar_bool": lambda: torch.tensor(True),
    "scalar_f64": lambda: torch.tensor(1.5, dtype=torch.float64),
    "scalar_f16": lambda: torch.tensor(2.5, dtype=torch.float16),
    "scalar_bf16": lambda: torch.tensor(1.1, dtype=torch.bfloat16),
    "scalar_nan": lambda: torch.tensor(NAN),
    "scalar_inf": lambda: torch.tensor(-INF),
    "scalar_tiny": lambda: torch.tensor(1e-10),
    "scalar_huge": lambda: torch.tensor(123456789.),
    "scalar_complex": lambda: torch.tensor(1 - 2j),
    "scalar_leaf": lambda: torch.tensor(4., requires_grad=True),
    "scalar_grad_fn": lambda: torch.tensor(-1.6111, requires_grad=True).sin(),
    "scalar_sum": _seeded(lambda: (_leaf(torch.randn(3, 3)) * 2).sum()),
    # 1-d float32
    "vec_1": _seeded(lambda: torch.randn(1)),
    "vec_5": _seeded(lambda: torch.randn(5)),
    "vec_20": _seeded(lambda: torch.randn(20)),
    "vec_100_wraps": _seeded(lambda: torch.randn(100)),
    "vec_1000_at_threshold": _seeded(lambda: torch.randn(1000)),
    "vec_1001_summarised": _seeded(lambda: torch.randn(1001)),
    "vec_2000_summarised": _seeded(lambda: torch.randn(2000)),
    "vec_wide_values": _seeded(lambda: torch.randn(30) * 1000),
    "vec_hidden_outlier": _seeded(_with_hidden_outlier),
    "arange_2000": lambda: torch.arange(2000),
    "arange_float_wraps": lambda: torch.arange(100) * 1.5,
    "int64_big_wraps": _seeded(lambda: torch.randint(-10**12, 10**12, (25,))),
    # integer-valued floats
    "int_mode_pair": lambda: torch.tensor([3., 3.]),
    "int_mode_mixed_sign": lambda: torch.tensor([1., -2., 100.]),
    "int_mode_nonfinite": lambda: torch.tensor([1., NAN, INF, -INF, -0.]),
    "int_mode_neg_zero": lambda: torch.tensor([-0., 2.]),
    "int_mode_large": lambda: torch.tensor([1e7, 3.]),
    "zeros": lambda: torch.zeros(4),
    "zeros_neg": lambda: torch.tensor([-0., 0.]),
    "all_nan": lambda: torch.tensor([NAN, NAN]),
    "nonfinite_only": lambda: torch.tensor([INF, -INF, 0.]),
    # scientific notation
    "sci_small": lambda: torch.tensor([1e-5, 1.]),
    "sci_ratio": lambda: torch.tensor([1., 1001.]),
    "not_sci_ratio": lambda: torch.tensor([1., 999.]),
    "not_sci_1e8": lambda: torch.tensor([1e8, 5e7]),
    "sci_above_1e8": lambda: torch.tensor([1.0000001e8, 5e7]),
    "sci_int_mode": lambda: torch.tensor([1e10, 1.]),
    "sci_with_nan": lambda: torch.tensor([NAN, 1e-5, 1.]),
    "sci_with_inf": lambda: torch.tensor([-INF, 1e-7, -3.25]),
    "sci_f64_extreme": lambda: torch.tensor([1e300, -1e-300], dtype=torch.float64),
    "sci_f64_subnormal": lambda: torch.tensor([5e-324, 1.], dtype=torch.float64),
    "sci_f64_ratio_overflow": lambda: torch.tensor([1e308, 1e-308], dtype=torch.float64),
    "sci_min_below_1e-4": lambda: torch.tensor([5e-5, 2e-3]),
    "sci_f32_1e-4_rounds_below": lambda: torch.tensor([1e-4, 0.05]),
    "not_sci_f64_1e-4": lambda: torch.tensor([1e-4, 0.05], dtype=torch.float64),
    "sci_random": _seeded(lambda: torch.randn(4, 5) * 1e-6),
    "sci_neg_zero": lambda: torch.tensor([-0., 1e-9, 2.]),
    "mixed_nan": lambda: torch.tensor([NAN, 1.5, -2.25]),
    "neg_zero_frac": lambda: torch.tensor([-0., 1.5]),
    "f16_sci": lambda: torch.tensor([6.0e-5, 60000.], dtype=torch.float16),
    "bf16_big": lambda: torch.tensor([3e38, 1.], dtype=torch.bfloat16),
    # ranks 2-4
    "mat_3x4": _seeded(lambda: torch.randn(3, 4)),
    "mat_4x1": _seeded(lambda: torch.randn(4, 1)),
    "mat_1x4": _seeded(lambda: torch.randn(1, 4)),
    "mat_3x30_wraps": _seeded(lambda: torch.randn(3, 30)),
    "cube_2x3x4": _seeded(lambda: torch.randn(2, 3, 4)),
    "cube_2x3x25_wraps": _seeded(lambda: torch.randn(2, 3, 25)),
    "rank4": _seeded(lambda: torch.randn(2, 2, 2, 2)),
    "rank4_ones": lambda: torch.ones(1, 1, 1, 1),
    "rank4_int": _seeded(lambda: torch.randint(-5, 5, (2, 3, 2, 2))),
    # summarised blocks
    "sum_50x50": _seeded(lambda: torch.randn(50, 50)),
    "sum_10x10x20": _seeded(lambda: torch.randn(10, 10, 20)),
    "sum_3x1000": _seeded(lambda: torch.randn(3, 1000)),
    "sum_1001x1": _seeded(lambda: torch.randn(1001, 1)),
    "sum_20x3x20": _seeded(lambda: torch.randn(20, 3, 20)),
    "sum_rank4": _seeded(lambda: torch.randn(8, 8, 8, 8)),
    "sum_int": _seeded(lambda: torch.randint(-1000, 1000, (40, 40))),
    "sum_bool": _seeded(lambda: torch.rand(40, 40) > 0.5),
    "sum_complex": _seeded(lambda: torch.randn(40, 40, dtype=torch.complex64)),
    "sum_f64_leaf": _seeded(lambda: _leaf(torch.randn(40, 40, dtype=torch.float64))),
    "sum_complex_1d": _seeded(lambda: torch.randn(3000, dtype=torch.complex64)),
    # complex specials
    "complex_specials": lambda: torch.tensor([1 + 2j, -0.0 - 1j, complex(NAN, 0), complex(1, -0.0),
                                              complex(0, INF)]),
    "complex_sci": _seeded(lambda: torch.randn(4, 5, dtype=torch.complex128) * 1e5),
    "complex_int_mode": lambda: torch.tensor([1 + 1j, 2 - 3j]),
    # empty
    "empty_1d": lambda: torch.tensor([]),
    "empty_0x3": lambda: torch.zeros(0, 3),
    "empty_3x0": lambda: torch.zeros(3, 0),
    "empty_2x0x4": lambda: torch.zeros(2, 0, 4),
    "empty_int32": lambda: torch.zeros(0, dtype=torch.int32),
    "empty_int64": lambda: torch.zeros(0, dtype=torch.int64),
    "empty_bool_2d": lambda: torch.zeros(0, 2, dtype=torch.bool),
    "empty_f64": lambda: torch.zeros(0, dtype=torch.float64),
    "empty_c64": lambda: torch.zeros(0, dtype=torch.complex64),
    "empty_leaf": lambda: torch.zeros(1, 0, requires_grad=True),
    "empty_grad_fn": lambda: torch.zeros(0, 3, requires_grad=True) * 2,
    # autograd suffixes, including wrapping onto a new line
    "leaf_vec": _seeded(lambda: _leaf(torch.randn(3))),
    "grad_fn_add": _seeded(lambda: _leaf(torch.randn(3)) + 1),
    "grad_fn_mat": _seeded(lambda: _leaf(torch.randn(3, 4)).exp()),
    "grad_fn_f64": _seeded(lambda: _leaf(torch.randn(2, 7, dtype=torch.float64)) * 2),
    "int_dtype_wraps": _seeded(lambda: torch.randint(0, 10**6, (9,), dtype=torch.int32)),
}

# Lengths around the point where "dtype=..., requires_grad=True" no longer fits on the line.
for _n in range(3, 12):
    CASES[f"suffix_wrap_f64_{_n}"] = _seeded(
        lambda n=_n: _leaf(torch.randn(n, dtype=torch.float64)))
    CASES[f"suffix_wrap_grad_fn_{_n}"] = _seeded(
        lambda n=_n: _leaf(torch.randn(n, dtype=torch.float16)).neg())
    CASES[f"suffix_wrap_int16_{_n}"] = _seeded(
        lambda n=_n: torch.randint(-30000, 30000, (n,), dtype=torch.int16))

for _dtype in _DTYPES:
    for _shape in [(5,), (3, 4), (2, 3, 4), (2, 1, 2, 3)]:
        _name = f"{str(_dtype)[6:]}_{'x'.join(map(str, _shape))}"
        CASES[_name] = _seeded(lambda d=_dtype, s=_shape: _random(s, d))
    CASES[f"{str(_dtype)[6:]}_scalar"] = _seeded(lambda d=_dtype: _random((), d))
    CASES[f"{str(_dtype)[6:]}_summarised"] = _seeded(lambda d=_dtype: _random((12, 100), d))


@pytest.fixture(autouse=True)
def _default_options():
    """Every test starts and ends with default options in both torch and the printer."""
    torch.set_printoptions(profile="default")
    ts.set_printoptions(profile="default")
    yield
    torch.set_printoptions(profile="default")
    ts.set_printoptions(profile="default")


@pytest.mark.parametrize("name", sorted(CASES))
def test_str_matches_torch(name):
    t = CASES[name]()
    assert ts._str(t) == repr(t) == str(t)


@pytest.mark.parametrize("name", sorted(CASES))
def test_str_uses_only_duck_members(name):
    t = CASES[name]()
    assert ts._str(_Duck(t)) == repr(t)


def test_device_suffix():
    assert ts._str(_Duck(torch.tensor([1., 2.]), "cuda:0")) == "tensor([1., 2.], device='cuda:0')"
    t = torch.tensor([1, 2], dtype=torch.int32, requires_grad=False)
    assert ts._str(_Duck(t, "cuda:0")) == "tensor([1, 2], device='cuda:0', dtype=torch.int32)"
    empty = _Duck(torch.zeros(0, 2), "cuda:0")
    assert ts._str(empty) == "tensor([], device='cuda:0', size=(0, 2))"


def test_device_suffix_wraps():
    torch.manual_seed(0)
    t = torch.randn(8, dtype=torch.float64, requires_grad=True)
    # The row fills the first line, so torch's cpu repr already wraps before "dtype=".
    assert ",\n       dtype=torch.float64, requires_grad=True)" in repr(t)
    expected = repr(t).replace("dtype=", "device='cuda:0', dtype=", 1)
    assert ts._str(_Duck(t, "cuda:0")) == expected


OPTION_SETS = [
    {"precision": 2},
    {"precision": 8},
    {"precision": 0},
    {"threshold": 5},
    {"threshold": 0},
    {"edgeitems": 1, "threshold": 10},
    {"edgeitems": 0, "threshold": 10},
    {"edgeitems": 0},
    {"linewidth": 40},
    {"linewidth": 200},
    {"linewidth": 10},
    {"profile": "short"},
    {"profile": "full"},
    {"profile": "default", "precision": 6},
    {"sci_mode": True},
    {"sci_mode": False},
    {"sci_mode": True, "precision": 2, "linewidth": 50},
]

OPTION_CASES = ["scalar_frac", "scalar_int64", "scalar_tiny", "vec_20", "vec_2000_summarised",
                "arange_2000", "sum_10x10x20", "sum_50x50", "sci_small", "int_mode_nonfinite",
                "complex_specials", "sum_complex", "cube_2x3x4", "grad_fn_f64", "all_nan",
                "sum_bool", "empty_0x3", "zeros", "sci_int_mode", "rank4_int", "mat_3x30_wraps"]


@pytest.mark.parametrize("options", OPTION_SETS, ids=lambda o: repr(o))
@pytest.mark.parametrize("name", OPTION_CASES)
def test_printoptions_match_torch(options, name):
    t = CASES[name]()
    torch.set_printoptions(**options)
    ts.set_printoptions(**options)
    assert ts.get_printoptions() == torch._tensor_str.get_printoptions()
    assert ts._str(t) == repr(t)


def test_get_printoptions_defaults():
    assert ts.get_printoptions() == {"precision": 4, "threshold": 1000, "edgeitems": 3,
                                     "linewidth": 80, "sci_mode": None}
    assert ts.get_printoptions() == torch._tensor_str.get_printoptions()


@pytest.mark.parametrize("profile", ["default", "short", "full"])
def test_profiles_round_trip(profile):
    ts.set_printoptions(precision=7, edgeitems=9, sci_mode=True)
    torch.set_printoptions(precision=7, edgeitems=9, sci_mode=True)
    ts.set_printoptions(profile=profile)
    torch.set_printoptions(profile=profile)
    assert ts.get_printoptions() == torch._tensor_str.get_printoptions()
    saved = ts.get_printoptions()
    ts.set_printoptions(**saved)
    assert ts.get_printoptions() == saved


def test_printoptions_context_restores():
    before = ts.get_printoptions()
    t = torch.tensor([1.123456, 2.5])
    with ts.printoptions(precision=2, sci_mode=True):
        with torch._tensor_str.printoptions(precision=2, sci_mode=True):
            assert ts._str(t) == repr(t)
            assert ts.get_printoptions()["precision"] == 2
    assert ts.get_printoptions() == before
    assert ts._str(t) == repr(t)


def test_printoptions_context_restores_on_error():
    before = ts.get_printoptions()
    with pytest.raises(RuntimeError):
        with ts.printoptions(linewidth=20):
            raise RuntimeError("boom")
    assert ts.get_printoptions() == before


FORMAT_SCALARS = ["scalar_int_float", "scalar_neg_zero", "scalar_frac", "scalar_int64",
                  "scalar_int32_neg", "scalar_bool", "scalar_f64", "scalar_f16", "scalar_bf16",
                  "scalar_nan", "scalar_inf", "scalar_tiny", "scalar_huge", "scalar_complex",
                  "scalar_leaf", "scalar_grad_fn"]


@pytest.mark.parametrize("spec", ["", ".2f", ".3e", ">12", "+.1f", "g"])
@pytest.mark.parametrize("name", FORMAT_SCALARS)
def test_format_scalar_matches_torch(name, spec):
    t = CASES[name]()
    try:
        expected = format(t, spec)
    except (TypeError, ValueError) as exc:
        with pytest.raises(type(exc)):
            ts._format(t, spec)
        return
    assert ts._format(t, spec) == expected
    assert ts._format(_Duck(t), spec) == expected


@pytest.mark.parametrize("name", ["vec_5", "mat_3x4", "empty_0x3", "grad_fn_mat", "sum_50x50"])
def test_format_nd_empty_spec_is_str(name):
    t = CASES[name]()
    assert ts._format(t, "") == format(t, "") == f"{t}" == repr(t)


@pytest.mark.parametrize("spec", [".2f", ">10", "s"])
def test_format_nd_with_spec_raises_like_torch(spec):
    t = torch.tensor([1.5, 2.5])
    with pytest.raises(TypeError) as torch_err:
        format(t, spec)
    with pytest.raises(TypeError) as our_err:
        ts._format(t, spec)
    assert str(our_err.value) == str(torch_err.value)
