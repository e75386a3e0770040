"""Data for the main job (python -m tapegrad): the UCI 8x8 handwritten digits when scikit-learn
is installed (it ships them; nothing is downloaded), else 8x8 digits drawn here from a 5x7
bitmap font with random shifts, stroke widths, blur and noise, on the same 0..16 grey scale."""
import numpy as np

_FONT = {  # 5 wide x 7 tall
    0: [".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."],
    1: ["..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."],
    2: [".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"],
    3: ["#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."],
    4: ["...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."],
    5: ["#####", "#....", "####.", "....#", "....#", "#...#", ".###."],
    6: ["..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."],
    7: ["#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."],
    8: [".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."],
    9: [".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."],
}
_GLYPHS = np.array([[[c == "#" for c in row] for row in _FONT[d]] for d in range(10)],
                   dtype=np.float64)


def synthetic_digits(n, seed=0):
    """n images (n, 64) with grey levels 0..16 and labels (n,), classes balanced."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 10
    rng.shuffle(y)
    x = np.zeros((n, 8, 8))
    for i, d in enumerate(y):
        g = _GLYPHS[d]
        if rng.random() < 0.4:  # a bolder stroke
            g = np.maximum(g, np.pad(g, ((0, 0), (1, 0)))[:, :5])
        oy, ox = rng.integers(0, 2), rng.integers(0, 4)
        x[i, oy:oy + 7, ox:ox + 5] = g * rng.uniform(10, 16)
    # Pen blur: mix each pixel with its 4 neighbours, then sensor noise and dropped pixels.
    p = np.pad(x, ((0, 0), (1, 1), (1, 1)))
    x = 0.6 * x + 0.1 * (p[:, :-2, 1:-1] + p[:, 2:, 1:-1] + p[:, 1:-1, :-2] + p[:, 1:-1, 2:])
    x += rng.normal(0, 1.5, size=x.shape)
    x[rng.random(x.shape) < 0.05] = 0
    return np.clip(np.rint(x), 0, 16).reshape(n, 64), y


def load(kind="auto", samples=1797, seed=0):
    """(x_train, y_train, x_test, y_test, description): float32 features scaled to [0, 1],
    int64 labels, a fixed 80/20 split."""
    x = None
    if kind in ("auto", "digits"):
        try:
            from sklearn.datasets import load_digits
        except ImportError:
            if kind == "digits":
                raise SystemExit("--data digits needs scikit-learn (pip install scikit-learn)")
        else:
            d = load_digits()
            x, y, desc = d.data, d.target, "UCI handwritten digits 8x8 (from scikit-learn)"
    if x is None:
        x, y = synthetic_digits(samples, seed)
        desc = "synthetic 8x8 digits (generated; install scikit-learn for the UCI digits)"
    order = np.random.default_rng(seed).permutation(len(y))
    x, y = (x[order] / 16.0).astype(np.float32), y[order].astype(np.int64)
    cut = int(round(0.8 * len(y)))
    return x[:cut], y[:cut], x[cut:], y[cut:], desc
