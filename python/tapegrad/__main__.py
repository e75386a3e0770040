"""python -m tapegrad: trains a small MLP classifier on 8x8 handwritten digits (the UCI set when
scikit-learn is installed, else generated ones) with a progress bar, reports test accuracy and,
when torch is installed, trains the same model from the same initial weights on the same batches
in torch and prints both side by side (accuracy, final loss, time per epoch)."""
import argparse
import time

import numpy as np

import tapegrad as tg
from tapegrad._demo_data import load
from tapegrad._progress import progress


def build(m, hidden):
    """The model and its loss in library `m` (tapegrad or torch): 64 -> hidden -> 10."""
    model = m.nn.Sequential(m.nn.Linear(64, hidden), m.nn.ReLU(), m.nn.Linear(hidden, 10))
    return model, m.nn.CrossEntropyLoss()


def make_optimizer(m, model, name, lr):
    if name == "adam":
        return m.optim.Adam(model.parameters(), lr=lr)
    return m.optim.SGD(model.parameters(), lr=lr, momentum=0.9)


def warm_up(m, name):
    """One step of a throw-away optimizer, so one-time costs (torch imports its compiler stack
    on the first optimizer step, about a second) stay out of the timed epochs."""
    p = m.zeros(1, requires_grad=True)
    (p * 2).sum().backward()
    (m.optim.Adam if name == "adam" else m.optim.SGD)([p], lr=0.0).step()


def copy_weights(src, dst, torch):
    """tapegrad model -> torch model, through numpy."""
    dst.load_state_dict({k: torch.tensor(v.detach().numpy()) for k, v in src.state_dict().items()})


def train(m, model, loss_fn, opt, x, y, epochs, batch_size, seed, bar=True, name=None,
          use_tqdm=True):
    """Mini-batch training; the batch order comes from numpy (seed), so both libraries see the
    same batches. Returns per-step losses, per-epoch mean losses, per-epoch seconds."""
    rng = np.random.default_rng(seed)
    steps, epoch_loss, seconds = [], [], []
    for epoch in range(epochs):
        order = rng.permutation(len(y))
        xs = m.tensor(x[order], dtype=m.float32)
        ys = m.tensor(y[order], dtype=m.int64)
        p = progress(len(y), f"{name or m.__name__} epoch {epoch + 1}/{epochs}", enabled=bar,
                     use_tqdm=use_tqdm)
        start, total = time.perf_counter(), 0.0
        for i in range(0, len(y), batch_size):
            n = min(batch_size, len(y) - i)
            loss = loss_fn(model(xs.narrow(0, i, n)), ys.narrow(0, i, n))
            opt.zero_grad()
            loss.backward()
            opt.step()
            v = loss.item()
            steps.append(v)
            total += v * n
            p.update(n, v)
        seconds.append(time.perf_counter() - start)
        p.close()
        epoch_loss.append(total / len(y))
    return steps, epoch_loss, seconds


def accuracy(m, model, x, y):
    with m.no_grad():
        pred = model(m.tensor(x, dtype=m.float32)).argmax(dim=1)
    return float(np.mean(np.array(pred.tolist()) == y))


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m tapegrad", description=__doc__)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--optimizer", choices=("sgd", "adam"), default="sgd",
                   help="sgd: SGD with momentum 0.9; adam: Adam")
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--data", choices=("auto", "digits", "synthetic"), default="auto",
                   help="auto: UCI digits if scikit-learn is installed, else synthetic")
    p.add_argument("--samples", type=int, default=1797, help="synthetic data set size")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-torch", action="store_true", help="skip the side-by-side torch run")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--no-tqdm", action="store_true", help="use the built-in progress bar")
    args = p.parse_args(argv)

    xtr, ytr, xte, yte, desc = load(args.data, args.samples, args.seed)
    print(f"data: {desc}: {len(ytr)} train / {len(yte)} test samples, 10 classes")
    tg.manual_seed(args.seed)
    model, loss_fn = build(tg, args.hidden)
    print(f"model: {sum(q.numel() for q in model.parameters())} parameters\n{model}")
    runs = {}
    torch = None
    if not args.no_torch:
        try:
            import torch
        except ImportError:
            print("torch is not installed: no side-by-side run")
    libs = [("tapegrad", tg, model, loss_fn)]
    if torch is not None:
        tmodel, tloss = build(torch, args.hidden)
        copy_weights(model, tmodel, torch)  # the same initial weights
        libs.append(("torch", torch, tmodel, tloss))
    for name, m, net, lf in libs:
        warm_up(m, args.optimizer)
        opt = make_optimizer(m, net, args.optimizer, args.lr)
        steps, ep_loss, secs = train(m, net, lf, opt, xtr, ytr, args.epochs, args.batch_size,
                                     args.seed, bar=not args.no_progress, name=name,
                                     use_tqdm=not args.no_tqdm)
        runs[name] = dict(acc=accuracy(m, net, xte, yte), loss=ep_loss[-1],
                          time=float(np.median(secs)))
        r = runs[name]
        print(f"{name}: test accuracy {r['acc']:.4f}, final loss {r['loss']:.4f}, "
              f"{r['time'] * 1000:.1f} ms/epoch")
    if torch is not None:
        a, b = runs["tapegrad"], runs["torch"]
        print(f"\n{'':16}{'tapegrad':>12}{'torch':>12}")
        print(f"{'test accuracy':16}{a['acc']:>12.4f}{b['acc']:>12.4f}")
        print(f"{'final loss':16}{a['loss']:>12.4f}{b['loss']:>12.4f}")
        print(f"{'time per epoch':16}{a['time'] * 1000:>9.1f} ms{b['time'] * 1000:>9.1f} ms"
              "   (median over epochs)")
        diff = max(float(np.abs(v.detach().numpy() - tmodel.state_dict()[k].numpy()).max())
                   for k, v in model.state_dict().items())
        print(f"largest difference between the trained weights: {diff:.2e}")


if __name__ == "__main__":
    main()
