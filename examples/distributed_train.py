#!/usr/bin/env python
"""Data-parallel training of a tapegrad model across processes with torch.distributed (gloo,
localhost): each process trains on its shard of the batch, gradients are averaged with
torch.distributed.all_reduce on torch tensors that share tapegrad's memory (DLPack, no copies).

    python examples/distributed_train.py --world-size 2 [--steps 20] [--mode ddp|allreduce]

At the end every replica holds the same weights, equal to one process training on the full
batch; the script checks and prints that. ``--out DIR`` keeps each rank's final weights as
DIR/rank{r}.npz (numpy) for other programs to compare."""
import argparse
import os
import socket
import sys

import numpy as np

N, D_IN, D_HID, D_OUT = 64, 8, 16, 3


def make_data():
    """The full batch, the same in every process (numpy, independent of either library)."""
    rng = np.random.default_rng(1234)
    x = rng.standard_normal((N, D_IN))
    y = rng.standard_normal((N, D_OUT))
    return x, y


def make_model(seed):
    import tapegrad
    tapegrad.manual_seed(seed)
    return tapegrad.nn.Sequential(
        tapegrad.nn.Linear(D_IN, D_HID, dtype=tapegrad.float64), tapegrad.nn.Tanh(),
        tapegrad.nn.Linear(D_HID, D_OUT, dtype=tapegrad.float64))


def train(model, x, y, steps, lr, sync=None, zero_grad=None):
    """Plain SGD on the MSE loss; ``sync`` averages gradients across replicas after backward."""
    import tapegrad
    opt = tapegrad.optim.SGD(model.parameters(), lr=lr)
    xs, ys = tapegrad.from_dlpack(x), tapegrad.from_dlpack(y)
    losses = []
    for _ in range(steps):
        if zero_grad is not None:
            zero_grad()
        else:
            opt.zero_grad()
        loss = tapegrad.nn.functional.mse_loss(model(xs), ys)
        loss.backward()
        if sync is not None:
            sync()
        opt.step()
        losses.append(loss.item())
    return losses


def weights(model):
    return {name: p.detach().numpy().copy() for name, p in model.named_parameters()}


def single_process(steps, lr):
    """The reference: one process, the full batch, rank 0's initial weights."""
    x, y = make_data()
    model = make_model(seed=0)
    train(model, x, y, steps, lr)
    return weights(model)


def worker(rank, world_size, port, steps, lr, mode, out):
    import torch.distributed as dist
    import tapegrad
    import tapegrad.distributed as tgd
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank,
                            world_size=world_size)
    try:
        x, y = make_data()
        shard = slice(rank * N // world_size, (rank + 1) * N // world_size)
        # Each replica starts from its own random weights: rank 0's reach the others by a
        # broadcast (done by the DDP wrapper, or by hand below).
        model = make_model(seed=rank)
        if mode == "ddp":
            ddp = tgd.DistributedDataParallel(model)
            train(ddp, x[shard], y[shard], steps, lr, sync=ddp.sync_gradients,
                  zero_grad=ddp.zero_grad)
        else:
            tgd.broadcast_parameters(model, src=0)
            train(model, x[shard], y[shard], steps, lr,
                  sync=lambda: tgd.all_reduce_gradients(model))
        w = weights(model)
        if out:
            np.savez(os.path.join(out, f"rank{rank}.npz"), **w)
        # Every replica checks that all hold the same weights (bitwise), by all-gathering.
        flat = np.concatenate([v.ravel() for v in w.values()])
        mine = tapegrad.from_dlpack(flat).to_torch()
        gathered = [mine.clone() for _ in range(world_size)]
        dist.all_gather(gathered, mine)
        same = all(bool((g == mine).all()) for g in gathered)
        print(f"rank {rank}: final weights identical across replicas: {same}", flush=True)
        if not same:
            raise SystemExit(1)
    finally:
        dist.destroy_process_group()


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--world-size", type=int, default=2)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--mode", choices=["ddp", "allreduce"], default="ddp")
    p.add_argument("--out", help="directory for each rank's final weights (rank{r}.npz)")
    p.add_argument("--no-check", action="store_true", help="skip the single-process reference")
    args = p.parse_args(argv)
    if N % args.world_size:
        p.error(f"--world-size must divide the batch size {N}")
    import tempfile
    import torch.multiprocessing as mp
    port = free_port()
    # One OpenMP thread per process: the replicas share the machine's cores.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or tmp
        mp.spawn(worker, args=(args.world_size, port, args.steps, args.lr, args.mode, out),
                 nprocs=args.world_size, join=True)
        if args.no_check:
            return 0
        ref = single_process(args.steps, args.lr)
        worst = 0.0
        for r in range(args.world_size):
            got = np.load(os.path.join(out, f"rank{r}.npz"))
            for k, v in ref.items():
                worst = max(worst, float(np.max(np.abs(got[k] - v))))
    print(f"max |replica - single-process full batch| = {worst:.3g}")
    return 0 if worst < 1e-10 else 1

if __name__ == "__main__":
    sys.exit(main())
