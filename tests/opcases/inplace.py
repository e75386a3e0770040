"""In-place cases: add_ sub_ mul_ div_ zero_ fill_ copy_ clamp_ and += -= *= /= on non-leaf
tensors and views of them, cross-checked with gradients through the in-place op; the errors for
in-place ops on (views of) leaves that require grad and on tensors saved for backward.
"""
from crosscheck import away, randn
from opcases.base import case


def _iadd(h, y):
    h += y


def _isub(h, y):
    h -= y


def _imul(h, y):
    h *= y


def _idiv(h, y):
    h /= y


def _iadd_scalar(h, y):
    h += 2


def _imul_scalar(h, y):
    h *= 0.5


def _view_iadd(h, y):
    h[:, 1] += y[0]


# (id, op(h, y), sample of y); h = 2 * x is a fresh non-leaf of shape (3, 4)
FORMS = [
    ("add_", lambda h, y: h.add_(y), randn(3, 4)),
    ("add_/alpha", lambda h, y: h.add_(y, alpha=2), randn(3, 4)),
    ("add_/scalar", lambda h, y: h.add_(1.5), randn(3, 4)),
    ("add_/bcast", lambda h, y: h.add_(y), randn(4)),
    ("sub_", lambda h, y: h.sub_(y), randn(3, 4)),
    ("sub_/scalar", lambda h, y: h.sub_(0.5), randn(3, 4)),
    ("mul_", lambda h, y: h.mul_(y), randn(3, 4)),
    ("mul_/scalar", lambda h, y: h.mul_(3.0), randn(3, 4)),
    ("mul_/bcast", lambda h, y: h.mul_(y), randn(3, 1)),
    ("div_", lambda h, y: h.div_(y), away(3, 4)),
    ("div_/scalar", lambda h, y: h.div_(4), randn(3, 4)),
    ("zero_", lambda h, y: h.zero_(), randn(3, 4)),
    ("fill_", lambda h, y: h.fill_(2.5), randn(3, 4)),
    ("fill_/tensor", lambda h, y: h.fill_(y), randn()),
    ("copy_", lambda h, y: h.copy_(y), randn(3, 4)),
    ("copy_/bcast", lambda h, y: h.copy_(y), randn(4)),
    ("clamp_", lambda h, y: h.clamp_(-0.5, 0.5), randn(3, 4)),
    ("clamp_/min", lambda h, y: h.clamp_(min=0.2), randn(3, 4)),
    ("iadd", _iadd, randn(3, 4)),
    ("iadd/scalar", _iadd_scalar, randn(3, 4)),
    ("isub", _isub, randn(4)),
    ("imul", _imul, randn(3, 4)),
    ("imul/scalar", _imul_scalar, randn(3, 4)),
    ("idiv", _idiv, away(3, 4)),
    ("chain", lambda h, y: h.mul_(y).add_(1).clamp_(max=1.0), randn(3, 4)),
    ("view/select_mul_", lambda h, y: h[0].mul_(y[0]), randn(3, 4)),
    ("view/slice_zero_", lambda h, y: h[1:].zero_(), randn(3, 4)),
    ("view/select_iadd", _view_iadd, randn(3, 3)),
    ("view/t_add_", lambda h, y: h.t().add_(y), randn(4, 3)),
]
OPS = {"iadd": "add_", "isub": "sub_", "imul": "mul_", "idiv": "div_", "chain": "mul_"}


def _on_non_leaf(op, then=None):
    def fn(m, x, y):
        h = x * 2
        op(h, y)
        return h if then is None else then(h)
    return fn


def _ops(form_id):
    """'add_/alpha' -> add_, 'iadd' -> add_, 'view/select_mul_' -> mul_."""
    head = form_id.split("/")[0]
    if head == "view":
        head = form_id.split("/")[1].split("_", 1)[1]
    return (OPS.get(head, head),)


def _cases():
    out = [case(f"inplace/{fid}", _on_non_leaf(op), randn(3, 4), y, ops=_ops(fid),
                gradgrad=fid in ("mul_", "div_", "copy_"))
           for fid, op, y in FORMS]
    return out + [
        case("inplace/add_/then_exp", _on_non_leaf(lambda h, y: h.add_(y), lambda h: h.exp()),
             randn(3, 4), randn(3, 4), ops=("add_",)),
        case("inplace/mul_/0d", _on_non_leaf(lambda h, y: h.mul_(y)), randn(), randn(),
             ops=("mul_",)),
        case("inplace/add_/empty", _on_non_leaf(lambda h, y: h.add_(y)), randn(0, 3),
             randn(3), ops=("add_",)),
        case("inplace/add_/nc_input", _on_non_leaf(lambda h, y: h.add_(y)),
             randn(3, 4, nc=True), randn(3, 4, nc=True), ops=("add_",)),
        case("inplace/no_grad_leaf", _leaf_under_no_grad, randn(3, 4), randn(3, 4),
             ops=("mul_",), gradcheck=False),
    ]


def _leaf_under_no_grad(m, x, y):
    """Allowed: in-place on a leaf that requires grad inside no_grad (it stays a leaf)."""
    with m.no_grad():
        x.mul_(2)
        x += y
    return x


def _leaf(op):
    def fn(m, x, y):
        op(x, y)
        return x
    return fn


LEAF_ERRORS = [(f"leaf/{fid}", _leaf(op)) for fid, op, _ in FORMS
               if not fid.startswith(("view/", "chain"))] + [
    ("leaf_view/select", _leaf(lambda x, y: x[0].add_(1))),
    ("leaf_view/slice", _leaf(lambda x, y: x[:, 1:].mul_(y[:, 1:]))),
    ("leaf_view/t", _leaf(lambda x, y: x.t().zero_())),
]


def _saved_input_modified(m, x, y):
    a = x * 2
    b = a * a  # saves a
    a.add_(1)
    return m.autograd.grad(b.sum(), x)


def _saved_output_modified(m, x, y):
    e = x.exp()  # saves its result
    e.mul_(y)
    return m.autograd.grad(e.sum(), x)


RAISES = [("saved_input_modified", _saved_input_modified),
          ("saved_output_modified", _saved_output_modified)]

CASES = _cases()
