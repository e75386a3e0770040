"""torch's memory-overlap errors (check_no_overlap in ops.h, _C._check_no_overlap for the Python
layer): an in-place or out= op whose output shares memory with an input other than element for
element (x.mul_(x.t()), x[1:].add_(x[:-1]), torch.exp(x[1:3], out=x[:2])) is refused with torch's
message, scatter_/index_add_/index_copy_/index_put_/cat refuse any overlap, and what torch lets
through (the same tensor, the same elements through another view, strided or expanded views it
cannot tell apart, disjoint slices, a fresh operand) computes as torch does. Each case runs in
both libraries: the same error type and message, or the same values."""
import pytest
import torch

import tapegrad


def A(m):
    return m.arange(16.0).reshape(4, 4)


def V(m):
    return m.arange(6.0)


def I(m, *v):
    return m.tensor(list(v))


CASES = {
    # elementwise in-place: partial overlap refused, full overlap and unrelated memory allowed
    "mul_ t": lambda m: (lambda x: x.mul_(x.t()))(A(m)),
    "add_ shifted": lambda m: (lambda x: x[1:].add_(x[:-1]))(V(m)),
    "sub_ row": lambda m: (lambda x: x.sub_(x[0]))(A(m)),
    "div_ t floor": lambda m: (lambda x: x.div_(x.t(), rounding_mode="floor"))(A(m) + 1),
    "pow_ t": lambda m: (lambda x: x.pow_(x.t()))(A(m) / 8),
    "fmod_ t": lambda m: (lambda x: x.fmod_(x.t()))(A(m) + 1),
    "atan2_ t": lambda m: (lambda x: x.atan2_(x.t()))(A(m)),
    "hypot_ t": lambda m: (lambda x: x.hypot_(x.t()))(A(m)),
    "copysign_ t": lambda m: (lambda x: x.copysign_(x.t()))(A(m)),
    "eq_ t": lambda m: (lambda x: x.eq_(x.t()))(A(m)),
    "logical_and_ t": lambda m: (lambda x: x.logical_and_(x.t()))(A(m)),
    "clamp_ min t": lambda m: (lambda x: x.clamp_(min=x.t()))(A(m)),
    "clamp_min_ t": lambda m: (lambda x: x.clamp_min_(x.t()))(A(m)),
    "addcmul_ t": lambda m: (lambda x: x.addcmul_(x.t(), x))(A(m)),
    "addcdiv_ t": lambda m: (lambda x: x.addcdiv_(x, x.t() + 1))(A(m)),
    "lerp_ t": lambda m: (lambda x: x.lerp_(x.t(), 0.5))(A(m)),
    "lerp_ weight t": lambda m: (lambda x: x.lerp_(x, x.t()))(A(m)),
    "addr_ rows": lambda m: (lambda x: x.addr_(x[0], x[1]))(A(m)),
    "iadd t": lambda m: (lambda x: x.__iadd__(x.t()))(A(m)),
    "copy_ t": lambda m: (lambda x: x.copy_(x.t()))(A(m)),
    "copy_ shifted": lambda m: (lambda x: x[1:].copy_(x[:-1]))(V(m)),
    "mul_ self": lambda m: (lambda x: x.mul_(x))(A(m)),
    "mul_ view": lambda m: (lambda x: x.mul_(x.view(4, 4)))(A(m)),
    "addcmul_ self": lambda m: (lambda x: x.addcmul_(x, x))(A(m)),
    "add_ strided halves": lambda m: (lambda x: x[::2].add_(x[1::2]))(V(m)),
    "add_ disjoint": lambda m: (lambda x: x[3:].add_(x[:3]))(V(m)),
    "copy_ expanded self": lambda m: (lambda x: x.copy_(x[:1].expand(4, 4)))(A(m)),
    "copy_ self": lambda m: (lambda x: x.copy_(x))(A(m)),
    "fmod_ fresh": lambda m: (lambda x: x.fmod_(x.t() + 1))(A(m)),
    "addmv_": lambda m: (lambda x: x[0].addmv_(x, x[0]))(A(m)),
    "masked_fill_ self value": lambda m: (lambda x: x.masked_fill_(x > 5, x[0, 1]))(A(m)),
    "masked_scatter_ t": lambda m: (lambda x: x.masked_scatter_(x > 5, x.t()))(A(m)),
    "index_fill_ self value": lambda m: (lambda x: x.index_fill_(0, I(m, 0), x[0, 0]))(A(m)),
    # scatter / index ops: any overlap with the source refused
    "scatter_ self": lambda m: (lambda x: x.scatter_(0, m.zeros(4, 4, dtype=m.long), x))(A(m)),
    "scatter_add_ self": lambda m: (lambda x: x.scatter_add_(0, m.zeros(4, 4, dtype=m.long), x))(A(m)),
    "scatter_ corner": lambda m: (lambda x: x.scatter_(0, m.zeros(2, 2, dtype=m.long), x[2:, 2:]))(A(m)),
    "index_add_ self": lambda m: (lambda x: x.index_add_(0, I(m, 0, 1, 2, 3), x))(A(m)),
    "index_copy_ t": lambda m: (lambda x: x.index_copy_(0, I(m, 0, 1, 2, 3), x.t()))(A(m)),
    "index_put_ rows": lambda m: (lambda x: x.index_put_((I(m, 0, 1),), x[1:3]))(A(m)),
    "setitem rows": lambda m: (lambda x: x.__setitem__(I(m, 0, 1), x[1:3]) or x)(A(m)),
    "setitem slice": lambda m: (lambda x: x.__setitem__(slice(0, 2), x[2:]) or x)(A(m)),
    "setitem shifted": lambda m: (lambda x: x.__setitem__(slice(1, None), x[:-1]) or x)(V(m)),
    "setitem mask": lambda m: (lambda x: x.__setitem__(x > 5, x[x > 5]) or x)(A(m)),
    # out=
    "add out t": lambda m: (lambda x: m.add(x, 1, out=x.t()))(A(m)),
    "sin out t": lambda m: (lambda x: m.sin(x.t(), out=x))(A(m)),
    "exp out shifted": lambda m: (lambda x: m.exp(x[1:3], out=x[:2]))(m.arange(4.0)),
    "maximum out t": lambda m: (lambda x: m.maximum(x, x.t(), out=x))(A(m)),
    "where out t": lambda m: (lambda x: m.where(x > 3, x, x.t(), out=x))(A(m)),
    "addcmul out t": lambda m: (lambda x: m.addcmul(x, x.t(), x, out=x))(A(m)),
    "clamp out t": lambda m: (lambda x: m.clamp(x.t(), 0, 1, out=x))(A(m)),
    "cat out overlap": lambda m: (lambda x: m.cat([x[:2], x[:2]], out=x))(m.arange(4.0)),
    "cat out self": lambda m: (lambda x: m.cat([x], out=x))(m.arange(4.0)),
    "stack out overlap": lambda m: (lambda x: m.stack([x[0], x[1]], out=x[:2]))(A(m)),
    "add out self": lambda m: (lambda x: m.add(x, 1, out=x))(V(m)),
    "add out view": lambda m: (lambda x: m.add(x.view(16), 1, out=x.view(16)))(A(m)),
    "sin out strided": lambda m: (lambda x: m.sin(x[1::2], out=x[::2]))(m.arange(4.0)),
}


def _run(m, f):
    try:
        r = f(m)
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e)
    return r.tolist()


@pytest.mark.parametrize("name", list(CASES))
def test_overlap_like_torch(name):
    assert _run(tapegrad, CASES[name]) == _run(torch, CASES[name])


def test_partial_overlap_refused_for_every_dtype_and_with_grad():
    # the check runs before any kernel and whatever needs grad
    for dt in ("float32", "float64", "int64"):
        for m in (torch, tapegrad):
            x = m.arange(16).reshape(4, 4).to(getattr(m, dt))
            with pytest.raises(RuntimeError, match="refer to a single memory location"):
                x.add_(x.t())
    for m in (torch, tapegrad):
        x = m.ones(4, 4, requires_grad=True).clone()
        with pytest.raises(RuntimeError, match="refer to a single memory location"):
            x.mul_(x.t())
