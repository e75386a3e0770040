"""Seeded random numbers equal torch's: tapegrad's CPU generator draws as torch's does
(lib/cpu/random.cpp), so `manual_seed(s)` followed by the same calls gives the same values in
both libraries, to the last bit in every floating dtype. The float randn/normal_ of 16+
contiguous elements is exact where the CPU has AVX2 and FMA (torch's vectorised log/sin/cos,
reproduced in lib/cpu/box_muller_avx2.h); elsewhere torch takes libm's and so does tapegrad, and
those cases are compared to within an ulp."""
import pytest
import torch

import tapegrad
from crosscheck import cpu_flags


AVX2 = {"avx2", "fma"} <= cpu_flags()

SEEDS = [0, 1, 12345, 2**40 + 7, -5]


def _draws(m):
    lin = m.nn.Linear(5, 3)
    return [
        ("rand(3)", m.rand(3), True),
        ("randn(3)", m.randn(3), True),
        ("randn(1) takes the cached sine half", m.randn(1), True),
        ("randn(2, 2)", m.randn(2, 2), True),
        ("randn(20)", m.randn(20), AVX2),
        ("randn(2, 50) float32 (a tail block)", m.randn(2, 50), AVX2),
        ("randn(5) float64", m.randn(5, dtype=m.float64), True),
        ("randn(33) float64", m.randn(33, dtype=m.float64), True),
        ("rand(4) float64", m.rand(4, dtype=m.float64), True),
        ("randint(0, 10)", m.randint(0, 10, (6,)), True),
        ("randint(3) int32", m.randint(3, (4,), dtype=m.int32), True),
        ("randint wide range", m.randint(-5, 2**40, (3,)), True),
        ("uniform_(-2, 3)", m.empty(7).uniform_(-2, 3), True),
        ("uniform_ float64", m.empty(9, dtype=m.float64).uniform_(-1, 0.5), True),
        ("normal_(1.5, 2) n=40", m.empty(40).normal_(1.5, 2.0), AVX2),
        ("randn(37) float16", m.randn(37, dtype=m.float16), AVX2),
        ("normal_ bfloat16 n=16", m.empty(16, dtype=m.bfloat16).normal_(2, 3), AVX2),
        ("normal_ float16 n=5", m.empty(5, dtype=m.float16).normal_(), True),
        ("rand float16 (a draw rounding up to 1 is 0)", m.rand(3000, dtype=m.float16), True),
        ("uniform_ bfloat16 (a draw rounding up to `to` is `from`)",
         m.empty(3000, dtype=m.bfloat16).uniform_(100, 101), True),
        ("trunc_normal_ (normal draws, redrawn)", m.nn.init.trunc_normal_(m.empty(300)), AVX2),
        ("trunc_normal_ narrow (uniform proposals)",
         m.nn.init.trunc_normal_(m.empty(300), mean=3.0, a=-1.0, b=1.0), True),
        ("trunc_normal_ float64", m.nn.init.trunc_normal_(m.empty(50, dtype=m.float64),
                                                          std=0.02, a=-0.04, b=0.04), True),
        ("normal_(1.5, 2) n=7", m.empty(7).normal_(1.5, 2.0), True),
        ("normal_ float64 n=18", m.empty(18, dtype=m.float64).normal_(-1, 0.5), True),
        ("Linear weight", lin.weight.detach(), True),
        ("Linear bias", lin.bias.detach(), True),
        ("bernoulli_(0.25)", m.empty(50).bernoulli_(0.25), True),
        ("dropout mask", m.nn.functional.dropout(m.ones(300), 0.3), True),
        ("dropout p=1 draws nothing", m.nn.functional.dropout(m.ones(3), 1.0), True),
        # long draws: many regenerations of the generator's 624 words (lib/cpu/mt19937.h),
        # and the vectorised Box-Muller blocks
        ("randn(100003)", m.randn(100003), AVX2),
        ("rand(50001) float64", m.rand(50001, dtype=m.float64), True),
        # rrelu draws one float64 slope per element <= 0, in order
        ("rrelu training", m.nn.functional.rrelu(m.randn(300), 0.1, 0.4, training=True), True),
        ("rrelu training float64", m.nn.functional.rrelu(m.randn(77, dtype=m.float64),
                                                         training=True), True),
        ("rrelu_ training", m.nn.functional.rrelu_(m.randn(4, 9), training=True), True),
        ("rand after all that", m.rand(5), True),
    ]


@pytest.mark.parametrize("seed", SEEDS)
def test_seeded_draws_equal_torch(seed):
    torch.manual_seed(seed)
    ref = _draws(torch)
    tapegrad.manual_seed(seed)
    got = _draws(tapegrad)
    for (name, r, exact), (_, g, _) in zip(ref, got):
        g = torch.from_dlpack(g).clone()
        assert g.dtype == r.dtype and g.shape == r.shape, name
        if exact:
            assert torch.equal(g, r), f"{name}: {g} != {r}"
        else:
            torch.testing.assert_close(g, r, rtol=2e-6, atol=1e-6, msg=name)


def test_rng_state_bytes_equal_torch_after_long_draws():
    for m in (tapegrad, torch):
        m.manual_seed(7)
        m.rand(1000)
        m.randn(333)
    assert bytes(tapegrad.get_rng_state().numpy()) == bytes(torch.get_rng_state().numpy())
    state = tapegrad.get_rng_state()
    a = tapegrad.rand(700)
    tapegrad.set_rng_state(state)
    assert tapegrad.rand(700).tolist() == a.tolist()


def test_initial_seed_and_seed():
    tapegrad.manual_seed(-1)
    assert tapegrad.initial_seed() == torch.manual_seed(-1).initial_seed() == 2**64 - 1
    s = tapegrad.seed()
    assert tapegrad.initial_seed() == s
    torch.manual_seed(s)
    assert torch.equal(torch.from_numpy(tapegrad.rand(4).numpy().copy()), torch.rand(4))
    for bad in (2**64, -2**63 - 1):
        with pytest.raises(ValueError, match="^Overflow when unpacking long long$"):
            torch.manual_seed(bad)
        with pytest.raises(ValueError, match="^Overflow when unpacking long long$"):
            tapegrad.manual_seed(bad)


def test_reseeding_drops_the_cached_normal():
    # randn(1) leaves the sine half of its pair cached; manual_seed must drop it, as torch's does
    for m in (torch, tapegrad):
        m.manual_seed(7)
        m.randn(1)
        m.manual_seed(7)
    a = torch.randn(3)
    b = tapegrad.randn(3)
    assert torch.equal(torch.from_numpy(b.numpy().copy()), a)
