"""nn.utils against torch: clip_grad_norm_ (norm types, clipping and not, return value,
non-finite error), clip_grad_value_, parameters_to_vector / vector_to_parameters.
Dry-run on torch with TAPEGRAD_TEST_BACKEND=torch.
"""
import math

import numpy as np
import pytest

pytest.importorskip("torch", reason="the cross-checks compare against torch, which is missing")

import crosscheck as cc  # noqa: E402

SHAPES = [(3, 4), (5,), (2, 2, 3)]


def params_with_grads(m, dtype, scale=1.0, seed=0):
    rng = np.random.default_rng(seed)
    ps = []
    for s in SHAPES:
        p = m.nn.Parameter(cc.make_tensor(m, rng.standard_normal(s), dtype))
        p.grad = cc.make_tensor(m, rng.standard_normal(s) * scale, dtype)
        ps.append(p)
    return ps


@pytest.mark.parametrize("dtype", cc.DTYPES)
@pytest.mark.parametrize("norm_type", [2.0, 1, 3.0, math.inf, "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm_matches_torch(dtype, norm_type, max_norm):
    torch, m = cc.reference(), cc.tg()
    if norm_type == "inf":
        norm_type = float("inf")
    results = []
    for lib in (torch, m):
        ps = params_with_grads(lib, dtype)
        total = lib.nn.utils.clip_grad_norm_(ps, max_norm, norm_type=norm_type)
        results.append((total, [p.grad for p in ps]))
    (t_total, t_grads), (g_total, g_grads) = results
    assert tuple(g_total.shape) == () and cc.dtype_name(g_total) == cc.dtype_name(t_total)
    cc.assert_close(cc.to_numpy(g_total), cc.to_numpy(t_total), dtype, "total norm")
    for g, t in zip(g_grads, t_grads):
        cc.assert_close(cc.to_numpy(g), cc.to_numpy(t), dtype, "clipped grad")


def test_clip_grad_norm_single_tensor_and_no_grads():
    torch, m = cc.reference(), cc.tg()
    for lib in (torch, m):
        p = lib.nn.Parameter(lib.ones(4))
        assert lib.nn.utils.clip_grad_norm_(p, 1.0).item() == 0.0
        p.grad = lib.full((4,), 2.0)
        assert abs(lib.nn.utils.clip_grad_norm_(p, 1.0).item() - 4.0) < 1e-6
        assert abs(p.grad.sum().item() - 2.0) < 1e-5


def test_clip_grad_norm_nonfinite_error_matches_torch():
    msgs = []
    for lib in (cc.reference(), cc.tg()):
        p = lib.nn.Parameter(lib.ones(2))
        p.grad = lib.tensor([1.0, float("inf")])
        with pytest.raises(RuntimeError) as info:
            lib.nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]


@pytest.mark.parametrize("dtype", cc.DTYPES)
def test_clip_grad_value_matches_torch(dtype):
    torch, m = cc.reference(), cc.tg()
    out = []
    for lib in (torch, m):
        ps = params_with_grads(lib, dtype, scale=2.0)
        assert lib.nn.utils.clip_grad_value_(ps, 0.75) is None
        out.append([cc.to_numpy(p.grad) for p in ps])
    for g, t in zip(*reversed(out)):
        cc.assert_close(g, t, dtype, "clipped grad", exact=True)


def test_parameters_vector_round_trip():
    torch, m = cc.reference(), cc.tg()
    out = []
    for lib in (torch, m):
        lin = lib.nn.Linear(3, 2)
        with lib.no_grad():
            lin.weight.copy_(lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
            lin.bias.copy_(lib.tensor([7.0, 8.0]))
        v = lib.nn.utils.parameters_to_vector(lin.parameters())
        res = [v.tolist(), type(v.grad_fn).__name__]
        lib.nn.utils.vector_to_parameters(lib.arange(8.0), lin.parameters())
        res += [lin.weight.tolist(), lin.bias.tolist(), type(lin.weight).__name__]
        with pytest.raises(TypeError) as info:
            lib.nn.utils.vector_to_parameters([1.0], lin.parameters())
        res.append(str(info.value))
        out.append(res)
    assert out[1] == out[0]
