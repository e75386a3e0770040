"""Same-dtype strided copies whose rows are unit-stride (lib/cpu/copy.cpp copy_same: rows of
64 bytes to 16 KiB move in 32-byte vector steps, with an overlapping last step, where the CPU
has AVX2; other rows through memmove or the element loop): every element width, row lengths
around the 32/128-byte steps and the 16 KiB bound, expanded, sliced, flipped and offset
sources, against torch bit for bit; on the AVX2 and SSE2 builds of the loop in subprocesses."""
import sys

import pytest
import torch
from isa_worker import report, run_worker

import tapegrad

DTYPES = ["uint8", "int16", "float32", "float64"]
ROW_BYTES = [64, 65, 95, 96, 127, 128, 129, 160, 161, 1000, 4096, 4100, 16384, 16388, 20000]


def _cases(m, dtype, row_bytes):
    w = torch.empty((), dtype=getattr(torch, dtype)).element_size()
    n = max(1, row_bytes // w)
    torch.manual_seed(row_bytes)
    base = (torch.randn(5, n + 3) * 50).to(getattr(torch, dtype))
    x = m.tensor(base.tolist(), dtype=getattr(m, dtype)) if m is tapegrad else base
    return [
        ("expand", lambda: x[:1].expand(6, n + 3).contiguous()),
        ("slice", lambda: x[:, 1:n + 1].contiguous()),
        ("offset slice", lambda: x[:, 3:].contiguous()),
        ("flip", lambda: x.flip(0)),
        ("strided rows", lambda: x[::2, :n].contiguous()),
        ("copy_ into slice", lambda: x.new_zeros(5, n + 8)[:, 5:].copy_(x).contiguous()),
        ("3-d expand", lambda: x[:2, :n].unsqueeze(1).expand(2, 3, n).contiguous()),
    ]


def _mismatches(tg):
    bad = []
    for dtype in DTYPES:
        for rb in ROW_BYTES:
            for (name, f_tg), (_, f_t) in zip(_cases(tg, dtype, rb), _cases(torch, dtype, rb)):
                got, want = f_tg(), f_t()
                if tuple(got.shape) != tuple(want.shape) or got.tolist() != want.tolist():
                    bad.append((dtype, rb, name))
    return bad


def test_copy_rows_match_torch():
    assert _mismatches(tapegrad) == []


def test_overlapping_row_copy_reads_the_source_first():
    # torch accepts a destination that partly overlaps its source and smears it (its result
    # depends on its vector chunks); tapegrad copies as if from a snapshot of the source: the
    # vector row loop is taken only where the two do not overlap, memmove elsewhere
    for n in (20, 40, 200, 5000):
        for shift in (1, -1):
            t = torch.arange(2.0 * n).reshape(2, n)
            x = tapegrad.tensor(t.tolist())
            dst, src = (slice(1, None), slice(None, -1)) if shift == 1 else (slice(None, -1), slice(1, None))
            t[:, dst] = t[:, src].clone()
            x[:, dst].copy_(x[:, src])
            assert x.tolist() == t.tolist(), (n, shift)


def worker():
    report(_mismatches(tapegrad))


@pytest.mark.parametrize("vmath", ["avx512", "generic"])
def test_copy_rows_every_build(vmath):
    run_worker(__file__, vmath, 1)


if __name__ == "__main__" and "--worker" in sys.argv:
    worker()
