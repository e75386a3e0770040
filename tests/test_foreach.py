"""torch._foreach_*: torch's own OpInfo samples for them (tests/foreach_sweep.py: outputs and
gradients against torch), the in-place forms (updated tensors, the list handed back) against the
per-tensor in-place ops of torch, and the argument errors with torch's types and wording."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

import foreach_sweep  # noqa: E402
import opinfo_sweep as sweep  # noqa: E402

from crosscheck import tg  # noqa: E402


@pytest.mark.parametrize("op", sweep.param_list(foreach_sweep.foreach_db, sweep._key,
                                                sweep.resolve, {}, set()))
def test_opinfo_samples(op):
    sweep.check_entry(sweep.run_op, tg(), op)


def _lists(m, seed=0):
    rng = np.random.default_rng(seed)
    shapes = [(3,), (2, 4), (), (0,)]
    a = [m.tensor(rng.uniform(0.5, 2.0, s)) for s in shapes]
    b = [m.tensor(rng.uniform(0.5, 2.0, s)) for s in shapes]
    c = [m.tensor(rng.uniform(0.5, 2.0, s)) for s in shapes]
    return a, b, c


INPLACE = [
    ("_foreach_exp_", lambda a, b, c: ()), ("_foreach_sqrt_", lambda a, b, c: ()),
    ("_foreach_neg_", lambda a, b, c: ()), ("_foreach_zero_", lambda a, b, c: ()),
    ("_foreach_add_", lambda a, b, c: (b,)), ("_foreach_sub_", lambda a, b, c: (2.5,)),
    ("_foreach_mul_", lambda a, b, c: ([1, 2.5, -1, 3],)), ("_foreach_div_", lambda a, b, c: (b,)),
    ("_foreach_maximum_", lambda a, b, c: (1.2,)), ("_foreach_clamp_max_", lambda a, b, c: (b,)),
    ("_foreach_pow_", lambda a, b, c: (2,)), ("_foreach_addcmul_", lambda a, b, c: (b, c)),
    ("_foreach_addcdiv_", lambda a, b, c: (b, c, [1.0, 2.0, 3.0, 4.0])),
    ("_foreach_lerp_", lambda a, b, c: (b, 0.25)), ("_foreach_lerp_", lambda a, b, c: (b, c)),
    ("_foreach_copy_", lambda a, b, c: (b,)),
]


@pytest.mark.parametrize("name,args", INPLACE, ids=[n for n, _ in INPLACE])
def test_inplace_matches_torch(name, args):
    out = []
    for m in (tg(), torch):
        a, b, c = _lists(m)
        ret = getattr(m, name)(a, *args(a, b, c))
        assert ret is a  # the list it was given, as torch returns
        out.append([np.asarray(t.tolist()) for t in a])
    for x, y in zip(*out):
        np.testing.assert_allclose(x, y, rtol=1e-12)


def test_add_with_alpha_and_scalar_tensor():
    out = []
    for m in (tg(), torch):
        a, b, _ = _lists(m)
        r1 = m._foreach_add(a, b, alpha=-0.5)
        r2 = m._foreach_mul(a, m.tensor(3.0))
        out.append([np.asarray(t.tolist()) for t in r1 + r2])
    for x, y in zip(*out):
        np.testing.assert_allclose(x, y, rtol=1e-12)


ERRORS = [
    "torch._foreach_add([], 1)",
    "torch._foreach_add([torch.ones(2), torch.ones(3)], [torch.ones(2)])",
    "torch._foreach_add([torch.ones(2), torch.ones(3)], [1, 2, 3])",
    "torch._foreach_add([torch.ones(2)], torch.tensor([2.0, 3.0]))",
    "torch._foreach_add_([torch.ones(2, dtype=torch.long)], 1.5)",
    "torch._foreach_add([torch.ones(2)], [torch.ones(4)])",
    "torch._foreach_max([torch.ones(0)])",
    "torch._foreach_add([1.0], 1)",
    "torch._foreach_norm([torch.ones(2, dtype=torch.long)])",
    "torch._foreach_exp_([torch.ones(2, dtype=torch.long)])",
    "torch._foreach_mul_([torch.ones(2, requires_grad=True)], 2)",
    "torch._foreach_addcmul([torch.ones(2)], [torch.ones(2)], [torch.ones(2)], [1, 2])",
]


@pytest.mark.parametrize("expr", ERRORS)
def test_errors_match_torch(expr):
    def outcome(m):
        try:
            eval(expr, {"torch": m})  # noqa: S307
        except Exception as e:  # noqa: BLE001
            return type(e).__name__, str(e)
        return None
    assert outcome(tg()) == outcome(torch)
