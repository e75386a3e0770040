"""tapegrad.distributed on torch.distributed (gloo, localhost): two processes train one tapegrad
model data-parallel (the DDP wrapper with bucket views, and per-gradient all-reduce), and both
replicas end with the same weights as one process trained on the full batch; gradients cross to
torch with no copies; a gradient missing on one rank counts as zeros; torch is not imported by
``import tapegrad`` (nor by ``import tapegrad.distributed``) until a collective runs."""
import importlib.util
import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
dist = pytest.importorskip("torch.distributed")
if not dist.is_available() or not dist.is_gloo_available():
    pytest.skip("torch.distributed with gloo is not available", allow_module_level=True)

import tapegrad  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "examples", "distributed_train.py")
STEPS, LR = 15, 0.1


def _example():
    spec = importlib.util.spec_from_file_location("distributed_train", EXAMPLE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# Run in each of the two processes: both training modes in one process group, then the checks
# that need a live group. Results go to OUT/rank{r}.npz and OUT/rank{r}.json.
DRIVER = r"""
import importlib.util, json, os, sys
import numpy as np
rank, world, port, out, example, steps, lr = sys.argv[1:]
rank, world, steps, lr = int(rank), int(world), int(steps), float(lr)
import torch.distributed as dist
import tapegrad, tapegrad.distributed as tgd
spec = importlib.util.spec_from_file_location("distributed_train", example)
ex = importlib.util.module_from_spec(spec); spec.loader.exec_module(ex)
dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank,
                        world_size=world)
x, y = ex.make_data()
shard = slice(rank * ex.N // world, (rank + 1) * ex.N // world)
res, info = {}, {}

model = ex.make_model(seed=rank)  # different starting weights per rank: the wrapper broadcasts
ddp = tgd.DistributedDataParallel(model)
# The gradients are views into the buckets, and the bucket crosses to torch without a copy.
flat = ddp._buckets[0][0]
info["grad_is_bucket_view"] = all(
    p.grad.data_ptr() == v.data_ptr() for p, v in zip(ddp._buckets[0][1], ddp._buckets[0][2]))
info["bucket_shares_memory"] = flat.to_torch().data_ptr() == flat.data_ptr()
ex.train(ddp, x[shard], y[shard], steps, lr, sync=ddp.sync_gradients, zero_grad=ddp.zero_grad)
res.update({"ddp." + k: v for k, v in ex.weights(model).items()})

# The optimizer's zero_grad() drops the bucket views: sync copies gradients back into them.
model = ex.make_model(seed=rank)
ddp = tgd.DistributedDataParallel(model)
ex.train(ddp, x[shard], y[shard], steps, lr, sync=ddp.sync_gradients)
info["views_reattached"] = all(
    p.grad.data_ptr() == v.data_ptr() for p, v in zip(ddp._buckets[0][1], ddp._buckets[0][2]))
res.update({"ddp_opt." + k: v for k, v in ex.weights(model).items()})

model = ex.make_model(seed=rank)
tgd.broadcast_parameters(model, src=0)
res.update({"bcast." + k: v for k, v in ex.weights(model).items()})
# An optimizer that sets grads to None each step: per-gradient all-reduce.
ex.train(model, x[shard], y[shard], steps, lr, sync=lambda: tgd.all_reduce_gradients(model))
res.update({"allreduce." + k: v for k, v in ex.weights(model).items()})

# all_reduce_gradients works on the gradient's own memory (no copy) ...
w = tapegrad.ones(4, dtype=tapegrad.float64, requires_grad=True)
(w * (rank + 1.0)).sum().backward()
ptr = w.grad.data_ptr()
tgd.all_reduce_gradients([w], average=False)
info["sum_in_place"] = w.grad.data_ptr() == ptr
res["sum"] = w.grad.numpy().copy()
# ... and a gradient that exists on rank 0 only counts as zeros elsewhere.
u = tapegrad.ones(3, dtype=tapegrad.float64, requires_grad=True)
if rank == 0:
    (u * tapegrad.tensor([2.0, 4.0, 6.0], dtype=tapegrad.float64)).sum().backward()
tgd.all_reduce_gradients([u])
res["unused"] = u.grad.numpy().copy()

np.savez(os.path.join(out, f"rank{rank}.npz"), **res)
with open(os.path.join(out, f"rank{rank}.json"), "w") as f:
    json.dump(info, f)
dist.destroy_process_group()
"""


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env():
    pkg_parent = os.path.dirname(os.path.dirname(os.path.abspath(tapegrad.__file__)))
    return {**os.environ, "PYTHONPATH": pkg_parent, "OMP_NUM_THREADS": "1"}


@pytest.fixture(scope="module")
def replicas(tmp_path_factory):
    out = tmp_path_factory.mktemp("ddp")
    port = _free_port()
    procs = [subprocess.Popen([sys.executable, "-c", DRIVER, str(r), "2", str(port), str(out),
                               EXAMPLE, str(STEPS), str(LR)], env=_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for r in range(2)]
    errs = []
    for p in procs:
        try:
            _, err = p.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            for q in procs:
                q.kill()
            pytest.fail("distributed workers hung")
        errs.append(err)
    for p, err in zip(procs, errs):
        assert p.returncode == 0, err[-3000:]
    res = [dict(np.load(out / f"rank{r}.npz")) for r in range(2)]
    info = [json.loads((out / f"rank{r}.json").read_text()) for r in range(2)]
    return res, info


@pytest.fixture(scope="module")
def reference():
    ex = _example()
    return ex.weights(_single(ex)), ex


def _single(ex):
    x, y = ex.make_data()
    model = ex.make_model(seed=0)
    ex.train(model, x, y, STEPS, LR)
    return model


@pytest.mark.parametrize("mode", ["ddp", "ddp_opt", "allreduce"])
def test_replicas_identical_and_equal_to_full_batch(replicas, reference, mode):
    res, _ = replicas
    ref, ex = reference
    assert ref  # the model has parameters
    for name, w in ref.items():
        a, b = res[0][f"{mode}.{name}"], res[1][f"{mode}.{name}"]
        np.testing.assert_array_equal(a, b)  # bitwise: the same all-reduced gradients
        np.testing.assert_allclose(a, w, rtol=1e-12, atol=1e-13)
    # Training moved the weights: equality is not the trivial one of untouched weights.
    start = ex.weights(ex.make_model(seed=0))
    assert max(np.abs(ref[k] - start[k]).max() for k in ref) > 1e-3


def test_broadcast_copies_rank0_weights(replicas, reference):
    res, _ = replicas
    ex = reference[1]
    rank0 = ex.weights(ex.make_model(seed=0))
    other = ex.weights(ex.make_model(seed=1))
    for name, w in rank0.items():
        np.testing.assert_array_equal(res[0][f"bcast.{name}"], w)
        np.testing.assert_array_equal(res[1][f"bcast.{name}"], w)
        assert not np.array_equal(other[name], w)


def test_gradients_cross_without_copies(replicas):
    _, info = replicas
    for i in info:
        assert i == {"grad_is_bucket_view": True, "bucket_shares_memory": True,
                     "views_reattached": True, "sum_in_place": True}


def test_sum_and_missing_gradient(replicas):
    res, _ = replicas
    for r in range(2):
        np.testing.assert_array_equal(res[r]["sum"], np.full(4, 3.0))  # 1 + 2
        np.testing.assert_array_equal(res[r]["unused"], np.array([1.0, 2.0, 3.0]))  # (g + 0)/2


def test_needs_a_process_group():
    import tapegrad.distributed as tgd
    if dist.is_initialized():
        pytest.skip("a process group is already initialized in this process")
    w = tapegrad.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="init_process_group"):
        tgd.all_reduce_gradients([w])
    with pytest.raises(TypeError, match="expected tapegrad tensors"):
        tgd._params([torch.ones(2)])


def test_import_does_not_import_torch():
    code = ("import sys, tapegrad, tapegrad.distributed, tapegrad.bridge\n"
            "assert 'torch' not in sys.modules, 'torch imported'\n"
            "x = tapegrad.ones(2)\n"
            "t = x.to_torch()\n"
            "assert 'torch' in sys.modules and t.data_ptr() == x.data_ptr()\n"
            "print('ok')\n")
    p = subprocess.run([sys.executable, "-c", code], env=_env(), capture_output=True, text=True,
                       timeout=120, cwd=ROOT)
    assert p.returncode == 0 and p.stdout.strip() == "ok", p.stderr[-2000:]
