"""torch's own OpInfo samples and error inputs through tapegrad, one test per OpInfo.

The harness is tests/opinfo_sweep.py (values and dtypes in float64/float32/int64/bool, float64
gradients for a random upstream gradient, error type and message for torch's error_inputs).
KNOWN lists the OpInfos that still differ from torch, with what differs; they are strict
xfails, so an op that starts to pass must leave the list. OpInfos that name no tapegrad function
(complex numbers, fft, torch internals) are not collected: `python tests/opinfo_sweep.py` lists
them as 'unresolved'.
"""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
import opinfo_sweep as sweep  # noqa: E402

from crosscheck import tg  # noqa: E402

# OpInfo key -> what still differs from torch (from `python tests/opinfo_sweep.py`).
KNOWN: dict[str, str] = {
    'arange': 'error-input no error, error-input wrong message, mismatch torch.int64',
    'clamp_max': 'error-input no error',
    'clamp_min': 'error-input no error',
    'addmv': 'mismatch torch.int64',
    'addbmm': 'mismatch torch.int64',
    'baddbmm': 'mismatch torch.int64',
    'dot': 'error-input no error, error-input wrong message',
    'vdot': 'error-input no error, error-input wrong message',
    'addr': 'mismatch torch.bool',
    'bitwise_left_shift': 'error-input no error',
    'bitwise_right_shift': 'error-input no error',
    'sum_to_size': 'error-input wrong message, mismatch torch.bool',
    'cov': 'error-input wrong message, mismatch torch.float64',
    'diff': 'mismatch torch.bool, mismatch torch.float32, mismatch torch.float64, mismatch torch.int64',
    'div.trunc_rounding': 'error torch.float32, error torch.float64, error torch.int64',
    'div.floor_rounding': 'error torch.float32, error torch.float64, error torch.int64',
    'gradient': 'error torch.float32, error torch.float64, error torch.int64, error-input no error, harness-error',
    'kthvalue': 'error-input no error, mismatch torch.int64',
    'linspace': 'error-input no error, error-input wrong type, mismatch torch.int64',
    'linspace.tensor_overload': 'error-input no error, error-input wrong type, mismatch torch.int64',
    'logspace': 'error-input no error, error-input wrong type, mismatch torch.int64',
    'logspace.tensor_overload': 'error-input no error, error-input wrong type, mismatch torch.int64',
    'masked_fill': 'error-input wrong type',
    'masked_scatter': 'error torch.bool, error torch.float32, error torch.float64, error torch.int64',
    'masked_select': 'error torch.bool, error torch.float32, error torch.float64, error torch.int64, harness-error',
    'matrix_exp': 'mismatch torch.float32',
    'matmul': 'error torch.float32, error torch.float64, error torch.int64',
    'quantile': 'grad-mismatch, mismatch torch.float32, mismatch torch.float64',
    'nanquantile': 'grad-mismatch, mismatch torch.float32, mismatch torch.float64',
    'logical_and': 'error-input no error',
    'logical_or': 'error-input no error',
    'logical_xor': 'error-input no error',
    'nn.functional.normalize': 'error torch.float32, error torch.float64',
    'aminmax': 'error-input no error',
    'as_strided.partial_views': 'error torch.bool, error torch.float32, error torch.float64, error torch.int64, mismatch torch.bool, mismatch torch.float32, mismatch torch.float64, mismatch torch.int64',
    'nn.functional.adaptive_avg_pool2d': 'error-input wrong message, error-input wrong type',
    'nn.functional.adaptive_avg_pool3d': 'error-input wrong type',
    'nn.functional.adaptive_max_pool1d': 'error-input wrong message',
    'nn.functional.adaptive_max_pool2d': 'error-input wrong message, error-input wrong type',
    'nn.functional.adaptive_max_pool3d': 'error-input wrong message, error-input wrong type',
    'nn.functional.avg_pool1d': 'mismatch torch.int64',
    'nn.functional.avg_pool3d': 'error-input wrong message, mismatch torch.int64',
    'nn.functional.conv_transpose3d': 'mismatch torch.float32',
    'nn.functional.conv1d': 'error-input wrong message',
    'nn.functional.conv2d': 'error-input wrong message',
    'nn.functional.conv3d': 'error-input no error, error-input wrong message',
    'nn.functional.rms_norm': 'error-input no error',
    'nn.functional.pad.circular': 'mismatch torch.float32, mismatch torch.float64, mismatch torch.int64',
    'nn.functional.unfold': 'error torch.bool',
    'nn.functional.interpolate.bicubic': 'error torch.float32, error torch.float64',
    'nn.functional.interpolate.area': 'error torch.float32, error torch.float64',
    'nn.functional.soft_margin_loss': 'error-input wrong message',
    'nn.functional.multi_margin_loss': 'error-input wrong message',
    'nn.functional.multilabel_margin_loss': 'error-input wrong message',
    'nn.functional.avg_pool2d': 'mismatch torch.int64',
    'nn.functional.max_pool1d': 'error-input no error, error-input wrong message',
    'nn.functional.max_pool2d': 'error-input wrong message',
    'nn.functional.max_pool3d': 'error-input no error, error-input wrong message',
    'nn.functional.scaled_dot_product_attention': 'mismatch torch.float32, mismatch torch.float64',
    'nn.functional.triplet_margin_loss': 'error-input no error',
    'nn.functional.triplet_margin_with_distance_loss': 'error torch.float32, error torch.float64, error torch.int64',
    'nextafter': 'grad-error, mismatch torch.float32, mismatch torch.float64',
    'to': 'harness-error',
    'topk': 'mismatch torch.int64',
    'nn.functional.batch_norm': 'error torch.float32, error torch.float64',
    'mode': 'error torch.bool, mismatch torch.int64',
    'narrow': 'error-input no error, error-input wrong type',
    'narrow_copy': 'error-input no error, error-input wrong type',
    'view_copy': 'error-input wrong message',
    'sign': 'error torch.bool',
    '__radd__': 'error-input no error',
    '__rdiv__': 'error-input no error',
    '__rmul__': 'error-input no error',
    '__rand__': 'error-input no error',
    '__ror__': 'error-input no error',
    '__rxor__': 'error-input no error',
    '__rmatmul__': 'error torch.float32, error torch.float64, error torch.int64',
    '__rmod__': 'error-input no error',
    '__rpow__': 'mismatch torch.float32, mismatch torch.float64, mismatch torch.int64',
    '__rsub__': 'error-input no error, mismatch torch.float32, mismatch torch.float64, mismatch torch.int64',
    'rsub': 'error torch.float32, error torch.float64, error torch.int64',
    'hsplit': 'error-input wrong message',
    'vsplit': 'error-input wrong message',
    'square': 'error torch.bool',
    'svd': 'grad-error, mismatch torch.float32, mismatch torch.float64',
    'svd_lowrank': 'error torch.float32, error torch.float64',
    'pca_lowrank': 'error torch.float32, error torch.float64',
    'reshape': 'error-input wrong message',
    'view': 'error-input wrong message',
    'index_fill': 'grad-mismatch',
    'index_select': 'harness-error, mismatch torch.bool, mismatch torch.float32, mismatch torch.float64, mismatch torch.int64',
    'index_add': 'error-input wrong message',
    'sort': 'mismatch torch.bool',
    'take': 'harness-error',
    'scatter': 'grad-error',
    'bfloat16': 'harness-error',
    'bool': 'harness-error',
    'byte': 'harness-error',
    'char': 'harness-error',
    'double': 'harness-error',
    'float': 'harness-error',
    'half': 'harness-error',
    'int': 'harness-error',
    'long': 'harness-error',
    'short': 'harness-error',
    'chalf': 'error torch.float64, harness-error',
    'empty_permuted': 'error-input wrong message',
    'multinomial': 'error-input wrong message',
    'normal.number_mean': 'error torch.float32, error torch.float64',
    'bernoulli': 'harness-error',
    'scatter_add': 'error-input no error, error-input wrong message',
    'hstack': 'error-input wrong type',
    'cat': 'grad-structure',
    'vstack': 'error-input wrong type',
    'dstack': 'error-input wrong type',
    'renorm': 'mismatch torch.float32, mismatch torch.float64',
    'take_along_dim': 'error torch.bool, error torch.float32, error torch.float64, error torch.int64',
    'tensordot': 'error torch.float32, error torch.float64, error torch.int64',
    'to_sparse': 'error torch.bool, error torch.float32, error torch.float64, error torch.int64',
    'where': 'error-input no error',
    'nonzero': 'error torch.bool, error torch.float32, error torch.float64, error torch.int64',
    'nn.functional.feature_alpha_dropout.without_train': 'mismatch torch.bool, mismatch torch.float32, mismatch torch.float64, mismatch torch.int64',
    'nn.functional.embedding': 'error torch.float32',
    'nn.functional.embedding_bag': 'error torch.float32',
    'nn.functional.multi_head_attention_forward': 'mismatch torch.float32, mismatch torch.float64',
    'amax': 'error-input no error, error-input wrong message, error-input wrong type',
    'amin': 'error-input no error, error-input wrong message, error-input wrong type',
    'mean': 'error-input wrong message',
    'argsort': 'mismatch torch.bool',
    'nn.functional.pairwise_distance': 'error torch.float32, error torch.float64, error torch.int64',
    'scatter_reduce.sum': 'error torch.bool',
    'scatter_reduce.prod': 'error torch.bool',
    'scatter_reduce.amin': 'error torch.bool',
    'scatter_reduce.amax': 'error torch.bool',
    'linalg.eig': 'error torch.float32, error torch.float64',
    'linalg.eigvals': 'error torch.float32, error torch.float64',
    'linalg.eigh': 'mismatch torch.float32, mismatch torch.float64',
    'linalg.householder_product': 'error torch.float32, error torch.float64',
    'linalg.ldl_factor': 'error torch.float32, error torch.float64',
    'linalg.ldl_factor_ex': 'error torch.float32, error torch.float64',
    'linalg.ldl_solve': 'error torch.float32, error torch.float64',
    'linalg.norm': 'error torch.float32',
    'linalg.norm.subgradients_at_zero': 'error torch.float32',
    'linalg.vander': 'error torch.float32, error torch.float64, error torch.int64',
    'linalg.lu_factor': 'grad-error',
    'linalg.lu_factor_ex': 'grad-error',
    'linalg.lu': 'grad-error',
    'linalg.lu_solve': 'grad-error',
    'linalg.svd': 'grad-error, mismatch torch.float32, mismatch torch.float64',
    'special.bessel_j0': 'mismatch torch.float64',
    'special.bessel_y1': 'mismatch torch.float64',
}

# Ops that take the process down: run=False until fixed.
CRASHES: set[str] = {'index_reduce.mean', 'index_reduce.amax', 'gather', 'index_reduce.amin', 'index_reduce.prod'}


def _ops():
    import tapegrad
    out = []
    for op in sweep.op_db():
        key = sweep._key(op)
        if sweep.resolve(tapegrad, op) is None:
            continue
        marks = []
        if key in KNOWN or key in CRASHES:
            marks.append(pytest.mark.xfail(strict=True, run=key not in CRASHES,
                                           reason=KNOWN.get(key, "crashes")))
        out.append(pytest.param(op, id=key, marks=marks))
    return out


@pytest.mark.parametrize("op", _ops())
def test_opinfo(op):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = sweep.run_op(tg(), op)
    bad = {k: v for k, v in r.counts.items()
           if k not in ("ok", "error-input ok") and not k.startswith("skip")}
    assert not bad, "; ".join(f"{k} x{v}: {r.first.get(k, '')}" for k, v in bad.items())
