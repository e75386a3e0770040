"""The fused optimizer steps on a GPU (lib/cuda/optim.cu, the multi-tensor apply): SGD, Adam and
AdamW on CUDA parameters against tapegrad's CPU step and torch on CUDA (fused=True and
foreach=False), with more tensors than one launch table holds, a tensor longer than one
launch's blocks, empty and 0-d tensors, float32 and float64 in one group. Skips with a reason
when no GPU is usable."""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the CUDA checks compare against torch")

import crosscheck as cc  # noqa: E402
import tapegrad  # noqa: E402

HAS_GPU = tapegrad.cuda.is_available()
gpu = pytest.mark.skipif(not HAS_GPU, reason="no usable GPU: tapegrad.cuda.is_available() is "
                         "False (CPU-only build, or no NVIDIA driver/GPU on this machine)")
torch_gpu = pytest.mark.skipif(not (HAS_GPU and torch.cuda.is_available()),
                               reason="needs a GPU and a CUDA build of torch to compare against")

# 30 tensors: more than one launch table (24); 0-d and empty ones in between
SHAPES = [(7, 5), (), (0, 4), (300,), (3, 2, 2)] * 6
STEPS = 4
CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.1, maximize=True)),
    ("SGD", dict(lr=0.1, momentum=0.8, nesterov=True, weight_decay=0.01)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, maximize=True, amsgrad=True)),
    ("Adam", dict(lr=0.02, betas=(0.3, 0.5), eps=1e-3)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
]
TOL = {"float64": dict(rtol=1e-12, atol=1e-14), "float32": dict(rtol=2e-6, atol=1e-7)}
TOL_FUSED = {"float64": dict(rtol=1e-12, atol=1e-14), "float32": dict(rtol=2e-5, atol=1e-6)}


def _data(shapes, seed=0):
    rng = np.random.default_rng(seed)
    init = [rng.normal(size=s) for s in shapes]
    grads = [[None if (t + k) % 7 == 3 else rng.normal(size=s) for k, s in enumerate(shapes)]
             for t in range(STEPS)]
    return init, grads


def _t(m, a, dt, device):
    # an empty array through zeros: tapegrad's tensor() gives it all-zero strides, which no
    # in-place op accepts (a gap outside the optimizers)
    if not a.size:
        return m.zeros(a.shape, dtype=dt, device=device)
    return m.tensor(a, dtype=dt, device=device)


def _train(m, name, kw, dtypes, device, shapes=SHAPES, calls=None):
    init, grads = _data(shapes)
    ps = [_t(m, a, getattr(m, dtypes[k % len(dtypes)]), device).requires_grad_()
          for k, a in enumerate(init)]
    opt = getattr(m.optim, name)(ps, **kw)
    for gl in grads:
        for p, g in zip(ps, gl):
            p.grad = None if g is None else _t(m, g, p.dtype, device)
        opt.step()
    state = [{k: cc.to_numpy(v) for k, v in opt.state[p].items()} for p in ps]
    return [cc.to_numpy(p.detach()) for p in ps], state


def _assert_close(a, b, dtypes, tol):
    (pa, sa), (pb, sb) = a, b
    for k, (x, y) in enumerate(zip(pa, pb)):
        np.testing.assert_allclose(x, y, **tol[dtypes[k % len(dtypes)]])
    for k, (x, y) in enumerate(zip(sa, sb)):
        assert sorted(x) == sorted(y)
        for key in x:
            np.testing.assert_allclose(x[key], y[key], **tol[dtypes[k % len(dtypes)]],
                                       err_msg=key)


def _counting(monkeypatch):
    rec = []
    for name in ("_fused_sgd_", "_fused_adam_"):
        orig = getattr(tapegrad._C, name)

        def wrap(*a, _orig=orig):
            r = _orig(*a)
            rec.append(r)
            return r
        monkeypatch.setattr(tapegrad._C, name, wrap)
    return rec


@gpu
@pytest.mark.parametrize("dtypes", [("float32",), ("float64",), ("float32", "float64")])
@pytest.mark.parametrize("name,kw", CONFIGS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CONFIGS)])
def test_cuda_step_matches_cpu_step(monkeypatch, name, kw, dtypes):
    calls = _counting(monkeypatch)
    on_gpu = _train(tapegrad, name, kw, dtypes, "cuda")
    assert calls == [True] * STEPS  # the CUDA step ran fused
    on_cpu = _train(tapegrad, name, kw, dtypes, "cpu")
    _assert_close(on_gpu, on_cpu, dtypes, TOL)


@torch_gpu
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,kw", CONFIGS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CONFIGS)])
def test_cuda_step_matches_torch_cuda(name, kw, dtype):
    ours = _train(tapegrad, name, kw, (dtype,), "cuda")
    _assert_close(ours, _train(torch, name, dict(kw, foreach=False), (dtype,), "cuda"),
                  (dtype,), TOL)
    try:
        fused = _train(torch, name, dict(kw, fused=True), (dtype,), "cuda")
    except TypeError as e:  # torch 2.11's fused SGD with momentum fails on a parameter whose
        # grad is None ("expected Tensor as element 2 in argument 2, but got NoneType")
        assert name == "SGD" and "NoneType" in str(e), e
        return
    _assert_close(ours, fused, (dtype,), TOL_FUSED)


@gpu
@pytest.mark.parametrize("name,kw", [CONFIGS[1], CONFIGS[4]])
def test_cuda_tensor_longer_than_one_launch(name, kw):
    """21M elements: more chunks than one launch's block table (320 x 65536), so the tensor is
    split across launches; next to small tensors before and after it."""
    shapes = [(1000,), (21_000_000,), (33,)]
    on_gpu = _train(tapegrad, name, kw, ("float32",), "cuda", shapes=shapes)
    on_cpu = _train(tapegrad, name, kw, ("float32",), "cpu", shapes=shapes)
    _assert_close(on_gpu, on_cpu, ("float32",), TOL)


@gpu
def test_cuda_mixed_devices_fall_back_to_the_loop(monkeypatch):
    """A group with CPU and CUDA parameters is not fused (one device per call): each parameter
    takes the per-tensor loop on its own device, with the same results."""
    calls = _counting(monkeypatch)
    init, grads = _data([(4,), (5,)])
    ps = [tapegrad.tensor(init[0], device="cuda").requires_grad_(),
          tapegrad.tensor(init[1]).requires_grad_()]
    opt = tapegrad.optim.Adam(ps, lr=0.01)
    for gl in grads:
        for p, g in zip(ps, gl):
            p.grad = None if g is None else tapegrad.tensor(g, device=p.device)
        opt.step()
    assert calls[0] is False
    ref = _train(tapegrad, "Adam", dict(lr=0.01, foreach=False), ("float32",), "cpu",
                 shapes=[(4,), (5,)])[0]
    for p, r in zip(ps, ref):
        np.testing.assert_allclose(cc.to_numpy(p.detach()), r, **TOL["float32"])
