"""Products torch composes from views and matrix products: einsum (its own parser; each pair of
operands contracted by one bmm over permuted/reshaped views), tensordot, kron, outer/ger, inner,
chain_matmul. Differentiable through the ops they are built from."""
import builtins as _b
import math as _math

from . import _C
from ._C import Tensor

__all__ = ["einsum", "tensordot", "kron", "outer", "ger", "inner", "chain_matmul"]


def outer(input, vec2):
    for name, t in (("self", input), ("vec2", vec2)):
        if t.dim() != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t.dim()}-D")
    return input.reshape(-1, 1) * vec2


ger = outer


def _dims_pair(a, b, dims):
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, _b.int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > a.dim() or dims > b.dim():
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        return list(range(-dims, 0)), list(range(dims))
    if not isinstance(dims, (tuple, list)):
        raise RuntimeError("tensordot expects dims to be int or tuple[list[int], list[int]] or "
                           f"list[list[int]] containing two lists, but got dims={dims}")
    da, db = dims
    da = [da] if isinstance(da, _b.int) else list(da)
    db = [db] if isinstance(db, _b.int) else list(db)
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    return da, db


def _same_dtype(t):
    # an integral sum keeps its dtype here (a plain sum promotes to int64; torch sums in place)
    return None if t.is_floating_point() or t.is_complex() or t.dtype == _C.bool else t.dtype


def tensordot(a, b, dims=2, out=None):
    da, db = _dims_pair(a, b, dims)
    for x, y in zip(da, db):
        # a size-1 contracted dim broadcasts against the other side, which is summed (torch)
        if a.shape[x] == 1 and b.shape[y] != 1:
            b = b.sum(y, keepdim=True, dtype=_same_dtype(b))
        elif b.shape[y] == 1 and a.shape[x] != 1:
            a = a.sum(x, keepdim=True, dtype=_same_dtype(a))
        elif a.shape[x] != b.shape[y]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{a.shape[x]} in dim {x} and second has size {b.shape[y]} in "
                               f"dim {y}")
    wa = [d % _b.max(a.dim(), 1) for d in da]
    wb = [d % _b.max(b.dim(), 1) for d in db]
    fa = [d for d in range(a.dim()) if d not in wa]
    fb = [d for d in range(b.dim()) if d not in wb]
    k = _math.prod(a.shape[d] for d in wa)
    # as torch: permute (with the contracted dims as given), fold to matrices, mm, view
    am = a.permute(*(fa + da)).reshape(_math.prod(a.shape[d] for d in fa), k)
    bm = b.permute(*(db + fb)).reshape(k, _math.prod(b.shape[d] for d in fb))
    return _C.mm(am, bm).view([a.shape[d] for d in fa] + [b.shape[d] for d in fb])


def inner(input, other):
    for pos, (name, t) in enumerate((("input", input), ("other", other)), 1):
        if not isinstance(t, Tensor):  # torch's parser: both are tensors
            raise TypeError(f"inner(): argument '{name}' (position {pos}) must be Tensor, not "
                            f"{type(t).__name__}")
    if input.dim() == 0 or other.dim() == 0:
        return input * other
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but "
                           f"got shapes {list(input.shape)} and {list(other.shape)}")
    return tensordot(input, other, ([-1], [-1]))


def kron(input, other):
    nd = _b.max(input.dim(), other.dim())
    sa = [1] * (nd - input.dim()) + list(input.shape)
    sb = [1] * (nd - other.dim()) + list(other.shape)
    # (a0, 1, a1, 1, ..) * (1, b0, 1, b1, ..): the product is laid out as the result already
    a = input.reshape([x for d in sa for x in (d, 1)])
    b = other.reshape([x for d in sb for x in (1, d)])
    return _C._unsafe_view(a * b, [x * y for x, y in zip(sa, sb)])


def chain_matmul(*matrices):
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = tuple(matrices[0])
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for k, m in enumerate(matrices):
        if m.dim() != 2:
            raise RuntimeError(f"Tensor dimension is {m.dim()}, expected 2 instead.")
    if len(matrices) == 1:
        return matrices[0].clone()
    if len(matrices) == 2:
        out = _C.mm(matrices[0], matrices[1])
    else:
        out = _chain_in_order(list(matrices))
    return out.view(out.shape)  # torch's multi_dot ends with a view (ViewBackward0)


def _chain_in_order(ms):
    """The product in the cheapest parenthesization (multiplications counted), as multi_dot."""
    n = len(ms)
    dims = [ms[0].shape[0]] + [m.shape[1] for m in ms]
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k

    def build(i, j):
        if i == j:
            return ms[i]
        k = split[i][j]
        return _C.mm(build(i, k), build(k + 1, j))

    return build(0, n - 1)


# ---- einsum ----

def _parse_term(term, k):
    labels, i = [], 0
    while i < len(term):
        if term.startswith("...", i):
            labels.append("...")
            i += 3
            continue
        c = term[i]
        if not c.isalpha():
            raise RuntimeError(f"einsum(): invalid subscript given at index {i} in the equation "
                               f"string, subscripts must be in [a-zA-Z]")
        labels.append(c)
        i += 1
    if labels.count("...") > 1:
        raise RuntimeError(f"einsum(): found '.' for operand {k} that is not part of any "
                           "ellipsis")
    return labels


def _expand_ellipsis(labels, ndim, k, n_ell):
    """The operand's labels with '...' replaced by its ellipsis dims ('.0' .. aligned right)."""
    named = [c for c in labels if c != "..."]
    if "..." not in labels:
        if len(named) != ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation "
                               f"({len(named)}) does not match the number of dimensions "
                               f"({ndim}) for operand {k} and no ellipsis was given")
        return named
    e = ndim - len(named)
    if e < 0:
        raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(named)}) "
                           f"is more than the number of dimensions ({ndim}) for operand {k}")
    pos = labels.index("...")
    return labels[:pos] + [f".{n_ell - e + j}" for j in range(e)] + labels[pos + 1:]


def _diagonalize(t, labels):
    """Repeated labels within one operand take the diagonal (it moves to the last dim)."""
    labels = list(labels)
    while True:
        seen = {}
        for d, c in enumerate(labels):
            if c in seen:
                t = t.diagonal(0, seen[c], d)
                labels = [x for j, x in enumerate(labels) if j not in (seen[c], d)] + [c]
                break
            seen[c] = d
        else:
            return t, labels


def _align(t, lt, labels):
    """t (labels lt) permuted into the order of `labels`, with size-1 dims for the ones it lacks."""
    own = [c for c in labels if c in lt]
    perm = [lt.index(c) for c in own]
    if perm != list(range(len(perm))):
        t = t.permute(*perm)
    for d, c in enumerate(labels):
        if c not in lt:
            t = t.unsqueeze(d)
    return t


def _contract(a, la, b, lb, keep, pos):
    """a (labels la) times b (labels lb), summed over the labels not in `keep`: one bmm over
    permuted views (a broadcast mul when nothing is summed, as torch). The result's labels come
    in `pos` order (output labels first) where the operand order allows it."""
    gone_a = [d for d, c in enumerate(la) if c not in lb and c not in keep]
    if gone_a:
        a = a.sum(gone_a)
        la = [c for d, c in enumerate(la) if d not in gone_a]
    gone_b = [d for d, c in enumerate(lb) if c not in la and c not in keep]
    if gone_b:
        b = b.sum(gone_b)
        lb = [c for d, c in enumerate(lb) if d not in gone_b]
    summed = [c for c in la if c in lb and c not in keep]
    if not summed:
        labels = sorted(set(la) | set(lb), key=pos.get)
        return _align(a, la, labels) * _align(b, lb, labels), labels
    a_only = sorted((c for c in la if c not in lb), key=pos.get)
    b_only = sorted((c for c in lb if c not in la), key=pos.get)
    if a_only and b_only and pos[b_only[-1]] < pos[a_only[0]]:
        a, la, b, lb, a_only, b_only = b, lb, a, la, b_only, a_only  # (AB)^T = B^T A^T
    batch = sorted((c for c in la if c in lb and c in keep), key=pos.get)
    size = {}
    for t, lt in ((a, la), (b, lb)):
        for d, c in enumerate(lt):
            size[c] = _b.max(size.get(c, 1), t.shape[d])
    # size-1 dims broadcast against the other operand's size
    a = _align(a, la, batch + a_only + summed)
    b = _align(b, lb, batch + summed + b_only)
    want_a = [size[c] for c in batch + a_only + summed]
    want_b = [size[c] for c in batch + summed + b_only]
    a = a if list(a.shape) == want_a else a.expand(want_a)
    b = b if list(b.shape) == want_b else b.expand(want_b)
    nb = _math.prod(size[c] for c in batch)
    m = _math.prod(size[c] for c in a_only)
    k = _math.prod(size[c] for c in summed)
    n = _math.prod(size[c] for c in b_only)
    r = _C.bmm(a.reshape(nb, m, k), b.reshape(nb, k, n))
    labels = batch + a_only + b_only
    return r.reshape([size[c] for c in labels]), labels


def einsum(*args):
    if len(args) < 1 or not isinstance(args[0], str):
        raise TypeError("einsum(): argument 'equation' (position 1) must be str")
    equation = args[0].replace(" ", "")
    operands = list(args[1][0:]) if len(args) == 2 and isinstance(args[1], (list, tuple)) \
        else list(args[1:])
    lhs, arrow, rhs = equation.partition("->")
    terms = lhs.split(",")
    if len(operands) > len(terms):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    if len(operands) < len(terms):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the "
                           "equation")
    parsed = [_parse_term(t, k) for k, t in enumerate(terms)]
    n_ell = 0
    for p, t in zip(parsed, operands):
        if "..." in p:
            n_ell = _b.max(n_ell, t.dim() - (len(p) - 1))
    labels = [_expand_ellipsis(p, t.dim(), k, n_ell)
              for k, (p, t) in enumerate(zip(parsed, operands))]
    ell = [f".{j}" for j in range(n_ell)]
    if arrow:
        out = _parse_term(rhs, -1)
        out = [x for c in out for x in (ell if c == "..." else [c])]
        for c in out:
            if not c.startswith(".") and not any(c in lt for lt in labels):
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the "
                                   "equation for any input operand")
            if out.count(c) > 1:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in "
                                   "the output")
    else:
        counts = {}
        for lt in labels:
            for c in set(lt):
                counts[c] = counts.get(c, 0) + lt.count(c)
        out = ell + sorted(c for c, n in counts.items() if n == 1 and not c.startswith("."))
    # sizes agree or broadcast (1)
    seen = {}
    for k, (t, lt) in enumerate(zip(operands, labels)):
        for d, c in enumerate(lt):
            s = t.shape[d]
            if c in seen and s != seen[c] and s != 1 and seen[c] != 1:
                raise RuntimeError(f"einsum(): subscript {c} has size {s} for operand {k} which "
                                   f"does not broadcast with previously seen size {seen[c]}")
            seen[c] = s if c not in seen or seen[c] == 1 else seen[c]
    ops = [_diagonalize(t, lt) for t, lt in zip(operands, labels)]
    pos = {c: j for j, c in enumerate(out)}
    for lt in labels:
        for c in lt:
            pos.setdefault(c, len(pos))
    t, lt = ops[0]
    for j in range(1, len(ops)):
        keep = set(out)
        for _, later in ops[j + 1:]:
            keep.update(later)
        t, lt = _contract(t, lt, ops[j][0], ops[j][1], keep, pos)
    gone = [d for d, c in enumerate(lt) if c not in out]
    if gone:
        t = t.sum(gone)
        lt = [c for c in lt if c in out]
    for c in out:  # an ellipsis dim no operand had (size 1 in every one)
        if c not in lt:
            t = t.unsqueeze(-1)
            lt = lt + [c]
    order = [lt.index(c) for c in out]
    # one operand: torch permutes into the output order even when it is already that order
    if order != list(range(len(order))) or (len(ops) == 1 and not gone):
        t = t.permute(*order)
    return t


Tensor.outer = outer
Tensor.ger = outer
Tensor.inner = inner
Tensor.kron = kron
