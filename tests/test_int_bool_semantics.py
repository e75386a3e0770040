"""Integer and bool tensors in the clamp family, pow, addcmul and the in-place arithmetic: each
expression gives torch's result (dtype, shape and values) or torch's exception type and message,
and a refused in-place op leaves its tensor unchanged."""
import pytest

torch = pytest.importorskip("torch")

from crosscheck import tg  # noqa: E402

B = "torch.tensor([True, False])"
I = "torch.tensor([1, 2])"
EXPRS = [
    # clamp_min / clamp_max / clamp with number bounds: bool with an int bound is int64, with
    # a bool bound there is no kernel, and the in-place forms refuse a wider result
    f"torch.clamp_min({B}, 8)", f"torch.clamp_max({B}, 0)", f"torch.clamp_min({B}, True)",
    f"torch.clamp_max({B}, False)", f"torch.clamp({B}, True)", f"torch.clamp({B}, max=True)",
    f"torch.clamp({B}, True, True)", f"{B}.clamp_min_(8)", f"{B}.clamp_max_(8)",
    f"{B}.clamp_(0, 8)", f"{B}.clamp_(True)", f"{I}.clamp_min_(1.5)", f"{I}.clamp_(0.5, 1.5)",
    f"{I}.clamp_(0, 1)", f"torch.clamp_min_({B}, 8)",
    # tensor bounds: one bound is maximum/minimum (bool allowed), both bounds are clamp's kernel
    f"torch.clamp_min({B}, {B})", f"torch.clamp({B}, {B}, {B})", f"torch.clamp({B}, min={B})",
    # an integral result may not be written into a bool tensor
    f"{B}.add_(1)", f"{B}.mul_(2)", f"{B}.add_(True)", f"{B}.sub_(1)", f"{I}.mul_(1.5)",
    # pow of bools: exponents True/False are torch's copy/fill shortcuts; 2 ** bool is int64
    f"torch.pow({B}, 2)", f"torch.pow({B}, True)", f"torch.pow({B}, False)",
    f"{B}.pow_(True)", f"{B}.pow_(2)", f"torch.pow(2, {B})", f"torch.pow(True, {B})",
    f"torch.pow({B}, {B})",
    # integer addcmul converts value to the integer type (2.7 -> 2, -2.7 -> -2)
    f"torch.addcmul({I}, {I}, {I}, value=0.5)", f"torch.addcmul({I}, {I}, {I}, value=2.7)",
    f"torch.addcmul({I}, {I}, {I}, value=-2.7)", f"{I}.addcmul_({I}, {I}, value=1.5)",
    "torch.addcmul(torch.tensor([1], dtype=torch.uint8), torch.tensor([2], dtype=torch.uint8), "
    "torch.tensor([3], dtype=torch.uint8), value=1.9)",
    f"torch.addcmul({I}, {I}.float(), {I}, value=0.5)",
]


def _outcome(lib, expr):
    try:
        r = eval(expr, {"torch": lib})  # noqa: S307
    except Exception as e:  # noqa: BLE001  (type and message are compared)
        return type(e).__name__, str(e)
    return "ok", (str(r.dtype).split(".")[-1], tuple(r.shape), r.tolist())


@pytest.mark.parametrize("expr", EXPRS)
def test_matches_torch(expr):
    assert _outcome(tg(), expr) == _outcome(torch, expr)


@pytest.mark.parametrize("call", ["add_(1)", "clamp_min_(8)", "clamp_(0.5, 1.5)", "mul_(1.5)",
                                  "pow_(2)"])
def test_refused_inplace_leaves_tensor(call):
    for lib in (tg(), torch):
        x = lib.tensor([True, False]) if "1.5" not in call else lib.tensor([1, 2])
        before = x.tolist()
        with pytest.raises(RuntimeError):
            eval(f"x.{call}")  # noqa: S307
        assert x.tolist() == before
