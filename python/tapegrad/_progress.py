"""The main job's progress bar: tqdm when installed, else a small bar of our own on stderr, both
showing samples done, samples per second and the running loss."""
import sys
import time


class _Bar:
    """A one-line bar redrawn in place at most ten times a second."""

    def __init__(self, total, desc, file=None):
        self.total, self.desc, self.file = total, desc, file or sys.stderr
        self.n, self.loss, self.start, self.last = 0, None, time.perf_counter(), 0.0

    def update(self, n, loss):
        self.n += n
        self.loss = loss
        now = time.perf_counter()
        if now - self.last >= 0.1 or self.n >= self.total:
            self.last = now
            self._draw(now)

    def _draw(self, now):
        elapsed = max(now - self.start, 1e-9)
        frac = min(self.n / self.total, 1.0) if self.total else 1.0
        bar = "#" * int(frac * 20)
        loss = "" if self.loss is None else f", loss={self.loss:.4f}"
        self.file.write(f"\r{self.desc}: {frac:4.0%}|{bar:<20}| {self.n}/{self.total} "
                        f"[{elapsed:.1f}s, {self.n / elapsed:,.0f} samples/s{loss}]")
        self.file.flush()

    def close(self):
        if self.last == 0.0 or self.n < self.total:  # the final state is not on screen yet
            self._draw(time.perf_counter())
        self.file.write("\n")
        self.file.flush()


class _Tqdm:
    def __init__(self, tqdm, total, desc):
        self.bar = tqdm(total=total, desc=desc, unit="sample", file=sys.stderr, leave=True)

    def update(self, n, loss):
        self.bar.set_postfix(loss=f"{loss:.4f}", refresh=False)
        self.bar.update(n)

    def close(self):
        self.bar.close()


class _Silent:
    def update(self, n, loss):
        pass

    def close(self):
        pass


def progress(total, desc, enabled=True, use_tqdm=True):
    """A bar with update(n_samples, loss) and close()."""
    if not enabled:
        return _Silent()
    if use_tqdm:
        try:
            from tqdm import tqdm
        except ImportError:
            pass
        else:
            return _Tqdm(tqdm, total, desc)
    return _Bar(total, desc)
