#!/usr/bin/env python
"""Training one model that is part torch, part tapegrad, with gradients crossing the boundary
both ways (tapegrad.bridge, DLPack: no copies), against the same model written all in torch from
the same initial weights: the losses agree step by step.

    python examples/mixed_training.py [--steps 30]

1. torch front (Linear + ReLU) -> tapegrad middle (Linear, Tanh, Linear as a torch.nn.Module via
   bridge.TorchModule) -> torch loss (cross_entropy); one torch optimizer trains all of it.
2. tapegrad front (Linear + ReLU) -> torch middle (a torch.nn.Module via
   bridge.from_torch_function) -> tapegrad loss (cross_entropy); a tapegrad optimizer trains the
   front, a torch optimizer the middle."""
import argparse
import sys

import torch

import tapegrad
import tapegrad.bridge as bridge

N, D_IN, D_HID, N_CLASSES = 48, 10, 32, 4
LR, MOMENTUM = 0.2, 0.9


def make_data(seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(N, D_IN, generator=g, dtype=torch.float64)
    y = torch.randint(0, N_CLASSES, (N,), generator=g)
    return x, y


def torch_parts(seed=0):
    """The all-torch model's three parts; the mixed models copy their initial weights."""
    torch.manual_seed(seed)
    front = torch.nn.Sequential(torch.nn.Linear(D_IN, D_HID), torch.nn.ReLU()).double()
    middle = torch.nn.Sequential(torch.nn.Linear(D_HID, D_HID), torch.nn.Tanh(),
                                 torch.nn.Linear(D_HID, N_CLASSES)).double()
    return front, middle


def to_tapegrad(module):
    """A tapegrad copy of a torch Sequential of Linear / ReLU / Tanh layers, same weights."""
    layers = []
    for m in module:
        if isinstance(m, torch.nn.Linear):
            lin = tapegrad.nn.Linear(m.in_features, m.out_features, dtype=tapegrad.float64)
            with tapegrad.no_grad():
                lin.weight.copy_(tapegrad.from_torch(m.weight.detach()))
                lin.bias.copy_(tapegrad.from_torch(m.bias.detach()))
            layers.append(lin)
        else:
            layers.append({"ReLU": tapegrad.nn.ReLU, "Tanh": tapegrad.nn.Tanh}[type(m).__name__]())
    return tapegrad.nn.Sequential(*layers)


def train_all_torch(steps, seed=0):
    x, y = make_data(seed)
    front, middle = torch_parts(seed)
    params = list(front.parameters()) + list(middle.parameters())
    opt = torch.optim.SGD(params, lr=LR, momentum=MOMENTUM)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(middle(front(x)), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, front, middle


def train_torch_tapegrad_torch(steps, seed=0):
    """torch front -> tapegrad middle -> torch loss, one torch optimizer."""
    x, y = make_data(seed)
    front, torch_middle = torch_parts(seed)
    tg_middle = to_tapegrad(torch_middle)
    middle = bridge.TorchModule(tg_middle)  # torch Parameters on tapegrad's memory
    params = list(front.parameters()) + list(middle.parameters())
    opt = torch.optim.SGD(params, lr=LR, momentum=MOMENTUM)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(middle(front(x)), y)
        loss.backward()  # through torch, then tapegrad's engine, then torch again
        opt.step()  # updates tapegrad's weights in place (shared memory)
        losses.append(loss.item())
    return losses, tg_middle


def train_tapegrad_torch_tapegrad(steps, seed=0):
    """tapegrad front -> torch middle -> tapegrad loss; each side's optimizer trains its part."""
    x, y = make_data(seed)
    torch_front, middle = torch_parts(seed)
    front = to_tapegrad(torch_front)
    middle_fn = bridge.from_torch_function(middle)  # its backward runs torch's engine
    xs, ys = tapegrad.from_torch(x), tapegrad.from_torch(y)
    opt_tg = tapegrad.optim.SGD(front.parameters(), lr=LR, momentum=MOMENTUM)
    opt_th = torch.optim.SGD(middle.parameters(), lr=LR, momentum=MOMENTUM)
    losses = []
    for _ in range(steps):
        opt_tg.zero_grad()
        opt_th.zero_grad()
        loss = tapegrad.nn.functional.cross_entropy(middle_fn(front(xs)), ys)
        loss.backward()  # tapegrad's engine; the middle's backward is torch's
        opt_tg.step()
        opt_th.step()
        losses.append(loss.item())
    return losses, front


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=30)
    args = p.parse_args(argv)
    ref, _, _ = train_all_torch(args.steps)
    mixed1, _ = train_torch_tapegrad_torch(args.steps)
    mixed2, _ = train_tapegrad_torch_tapegrad(args.steps)
    print(f"{'step':>4} {'all torch':>12} {'torch/tg/torch':>15} {'tg/torch/tg':>13}")
    for k in range(0, args.steps, max(1, args.steps // 10)):
        print(f"{k:4d} {ref[k]:12.8f} {mixed1[k]:15.8f} {mixed2[k]:13.8f}")
    worst = max(abs(a - b) for m in (mixed1, mixed2) for a, b in zip(m, ref))
    print(f"max |mixed loss - all-torch loss| over all steps: {worst:.3g}")
    return 0 if worst < 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main())
