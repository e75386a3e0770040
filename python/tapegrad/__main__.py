"""python -m tapegrad: trains the seed's logistic regression (w * x + b through sigmoid and
binary cross-entropy) on data it makes itself, printing the loss as it goes."""
import argparse

import tapegrad as tg
import tapegrad.nn.functional as F


def make_data(n, seed):
    """Two Gaussian blobs in 2-D, labels 0 and 1."""
    tg.manual_seed(seed)
    half = n // 2
    x0 = tg.randn(half, 2) + tg.tensor([-1.5, -1.0])
    x1 = tg.randn(n - half, 2) + tg.tensor([1.5, 1.0])
    x = tg.cat([x0, x1])
    y = tg.cat([tg.zeros(half), tg.ones(n - half)])
    return x, y


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--epochs", type=int, default=200)
    p.add_argument("--lr", type=float, default=0.5)
    p.add_argument("--samples", type=int, default=512)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)

    x, y = make_data(args.samples, args.seed)
    w = tg.zeros(2, requires_grad=True)
    b = tg.zeros((), requires_grad=True)
    opt = tg.optim.SGD([w, b], lr=args.lr)
    for epoch in range(1, args.epochs + 1):
        z = x @ w + b
        loss = F.binary_cross_entropy_with_logits(z, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if epoch == 1 or epoch % 20 == 0:
            print(f"epoch {epoch:4d}  loss {loss.item():.4f}")
    with tg.no_grad():
        acc = ((x @ w + b > 0).float() == y).float().mean().item()
    print(f"w = {w.tolist()}, b = {b.item():.4f}, training accuracy = {acc:.3f}")


if __name__ == "__main__":
    main()
