"""Every op of issue 2 (sections 3 and 4) cross-checked against torch: forward values, dtypes,
grad_fn names and gradients in float64/float32 (cases in tests/opcases/), finite-difference
gradcheck and gradgradcheck in float64, in-place forms and their errors, and op-table coverage.
Dry-run on torch with TAPEGRAD_TEST_BACKEND=torch.
"""
import pytest

pytest.importorskip("torch", reason="the cross-checks compare against torch, which is missing")

import crosscheck as cc  # noqa: E402
from opcases import CASES, INPLACE, INPLACE_LEAF_ERRORS, INPLACE_RAISES  # noqa: E402
from opcases.base import differentiable, graph_op_names, run_case  # noqa: E402

ALL = CASES + INPLACE
DIFFERENTIABLE = [c for c in ALL if c.gradcheck and differentiable(c)]
SECOND_ORDER = [c for c in ALL if c.gradgrad]


def _params(cases):
    return [pytest.param(c, id=c.id) for c in cases]


def test_case_ids_unique():
    ids = [c.id for c in ALL]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


@pytest.mark.parametrize("c", _params(ALL))
def test_crosscheck(c):
    run_case(c)


@pytest.mark.parametrize("c", _params(DIFFERENTIABLE))
def test_gradcheck(c):
    cc.gradcheck(c.fn, *c.inputs, label=c.id)


@pytest.mark.parametrize("c", _params(SECOND_ORDER))
def test_gradgradcheck(c):
    cc.gradgradcheck(c.fn, *c.inputs, label=c.id)


@pytest.mark.parametrize("fn", [pytest.param(fn, id=i) for i, fn in INPLACE_LEAF_ERRORS])
def test_inplace_on_leaf_raises(fn):
    cc.check_raises(fn, cc.randn(3, 4), cc.randn(3, 4), label="in-place on a leaf")


@pytest.mark.parametrize("fn", [pytest.param(fn, id=i) for i, fn in INPLACE_RAISES])
def test_inplace_on_saved_tensor_raises(fn):
    cc.check_raises(fn, cc.randn(3, 4), cc.randn(3, 4), label="in-place on a saved tensor")


@pytest.mark.parametrize("name", ["add_", "sub_", "mul_", "div_", "zero_", "fill_", "copy_",
                                  "clamp_"])
def test_inplace_returns_self(name):
    m = cc.tg()
    h = m.ones(2, 3, requires_grad=True) * 2
    args = {"fill_": (1.0,), "zero_": (), "copy_": (m.zeros(3),), "clamp_": (0.0, 1.0)}
    assert getattr(h, name)(*args.get(name, (1.5,))) is h


def test_op_table_covered():
    """Every op the core lists in its table has at least one case here."""
    if cc.backend_name() == "torch":
        pytest.skip("tapegrad._C._op_table() is tapegrad's; the torch dry run has none")
    table = cc.tg()._C._op_table()
    names = {str(row["name"]).split(".")[0] for row in table}
    covered = set()
    for c in ALL:
        covered.update(c.ops)
        covered.update(graph_op_names(c))
    missing = sorted(names - covered)
    assert not missing, f"ops in tapegrad._C._op_table() without a cross-check case: {missing}"
