"""Arguments of the wrong Python type, as a differential fuzzer (the same random call in torch and
tapegrad) found them: torch's parser refuses a bool where an int is meant (a dim, a size) and an
int where a bool is meant (keepdim, descending, ...), and takes a 0-d integer tensor as an int.
pybind's own casters took True as 1 and 2 as True, so `x.sum(True)` reduced dim 1 and
`x.sum(1, 2)` kept the dim. Each case runs in both libraries; both must raise the same exception
type, or both return the same tensor. Also here: the other fuzzer findings that were wrong values
or crashes (size/stride of a 0-d tensor, clamp with a NaN bound)."""
import math
import warnings

import pytest

torch = pytest.importorskip("torch")

from crosscheck import tg  # noqa: E402

# (label, call): called with the library module and a 2 x 3 float tensor of it
CALLS = [
    ("sum(True)", lambda m, x: x.sum(True)),
    ("sum(1, 1)", lambda m, x: x.sum(1, 1)),
    ("sum(dim=(0, True))", lambda m, x: x.sum(dim=(0, True))),
    ("sum(dim=(0, 1.0))", lambda m, x: x.sum(dim=(0, 1.0))),
    ("sum(1.0)", lambda m, x: x.sum(1.0)),
    ("mean(1, keepdim=1)", lambda m, x: x.mean(1, keepdim=1)),
    ("sort(True)", lambda m, x: x.sort(True)),
    ("sort(0, 1)", lambda m, x: x.sort(0, 1)),
    ("argmax(True)", lambda m, x: x.argmax(True)),
    ("transpose(True, 0)", lambda m, x: x.transpose(True, 0)),
    ("cumsum(True)", lambda m, x: x.cumsum(True)),
    ("softmax(True)", lambda m, x: x.softmax(True)),
    ("unsqueeze(True)", lambda m, x: x.unsqueeze(True)),
    ("flatten(True)", lambda m, x: x.flatten(True)),
    ("max(1, 2)", lambda m, x: x.max(1, 2)),
    ("topk(2, True)", lambda m, x: x.topk(2, True)),
    ("topk(2, 1, 1)", lambda m, x: x.topk(2, 1, 1)),
    ("view(3, 2.0)", lambda m, x: x.view(3, 2.0)),
    ("reshape(True, 6)", lambda m, x: x.reshape(True, 6)),
    ("isclose(equal_nan=1)", lambda m, x: m.isclose(x, x, equal_nan=1)),
    ("searchsorted(right=1)", lambda m, x: m.searchsorted(x[0].sort().values, x, right=1)),
    ("lt(other=)", lambda m, x: x.lt(other=x.flip(0))),
    ("eq(other=number)", lambda m, x: x.eq(other=0.5)),
    ("m.ge(input=, other=)", lambda m, x: m.ge(input=x, other=x.t().t())),
    ("logical_and(other=)", lambda m, x: x.logical_and(other=x)),
    ("cat(tensor)", lambda m, x: m.cat(x)),
    ("cat(tensor, 0)", lambda m, x: m.cat(x, 0)),
    ("stack(tensor)", lambda m, x: m.stack(x)),
    ("broadcast_tensors(list)", lambda m, x: m.broadcast_tensors(*[x, x[0]])[1]),
    ("meshgrid()", lambda m, x: m.meshgrid(indexing="ij")),
    ("view()", lambda m, x: x.view()),
    ("reshape()", lambda m, x: x.reshape()),
    ("flip()", lambda m, x: x.flip()),
    ("permute()", lambda m, x: x.permute()),
    ("0-d permute(())", lambda m, x: m.tensor(2).permute(())),
    ("int frac_()", lambda m, x: m.arange(3).frac_()),
    ("bool floor_()", lambda m, x: m.tensor([True]).floor_()),
    ("int silu_", lambda m, x: m.nn.functional.silu(m.arange(3), inplace=True)),
    ("kl_div(int, int)", lambda m, x: m.kl_div(m.arange(3), m.arange(3))),
    ("svd(x, None)", lambda m, x: m.svd(x, None)[1]),
    ("qr(x, [])", lambda m, x: m.qr(x, [])[1]),
    ("x.unique('x')", lambda m, x: x.unique("x")),
    ("x.unique_consecutive(2.5)", lambda m, x: x.unique_consecutive(2.5)),
    ("kaiser_window(2.5)", lambda m, x: m.kaiser_window(2.5)),
    ("hann_window(False)", lambda m, x: m.hann_window(False)),
    ("cholesky_inverse(x, 1)", lambda m, x: m.cholesky_inverse(m.eye(2), 1)),
    ("clamp(tensor, number)", lambda m, x: x.clamp(x, 2)),
    ("clamp(number, tensor)", lambda m, x: m.clamp(x, 1, x)),
    ("clamp(None, tensor)", lambda m, x: x.clamp(None, x.flip(0))),
    ("clamp_(min=tensor, max=number)", lambda m, x: x.clone().clamp_(min=x, max=2)),
    ("clip_(tensor, number)", lambda m, x: x.clone().clip_(x, 1.0)),
    ("where(cond)", lambda m, x: m.where(x > 0)[1]),
    ("where(float)", lambda m, x: m.where(x)[0]),
    ("max(None)", lambda m, x: x.max(None)),
    ("max(dim=None)", lambda m, x: x.max(dim=None)),
    ("m.max(x, None)", lambda m, x: m.max(x, None)),
    ("split_copy is a tuple", lambda m, x: type(m.split_copy(x, 1)).__name__),
    # a 0-d integer tensor is an int to torch's parser
    ("sum(tensor(1))", lambda m, x: x.sum(m.tensor(1))),
    ("cumsum(tensor(1))", lambda m, x: x.cumsum(m.tensor(1))),
    ("transpose(tensor(0), 1)", lambda m, x: x.transpose(m.tensor(0), 1)),
    ("size(tensor(1))", lambda m, x: x.size(m.tensor(1))),
    ("stride(tensor(1))", lambda m, x: x.stride(m.tensor(1))),
    ("sum(tensor(1.0))", lambda m, x: x.sum(m.tensor(1.0))),
    ("softmax(tensor(True))", lambda m, x: x.softmax(m.tensor(True))),
    ("cumsum(tensor(1.0))", lambda m, x: x.cumsum(m.tensor(1.0))),
    ("cumsum(int32 tensor)", lambda m, x: x.cumsum(m.tensor(1, dtype=m.int32))),
    # a 0-d tensor has no dim to give a size or a stride of
    ("0-d size(0)", lambda m, x: x.sum().size(0)),
    ("0-d size(-1)", lambda m, x: x.sum().size(-1)),
    ("0-d stride(0)", lambda m, x: x.sum().stride(0)),
    ("0-d bool stride(0)", lambda m, x: m.tensor(True).stride(0)),
    ("0-d stride(1)", lambda m, x: x.sum().stride(1)),
    ("size(2)", lambda m, x: x.size(2)),
    ("stride(-3)", lambda m, x: x.stride(-3)),
    ("size(dim=True)", lambda m, x: x.size(dim=True)),
    # int lists: the first element is checked as an int, the others converted (True is 1)
    ("zeros(2, True)", lambda m, x: m.zeros(2, True)),
    ("zeros([True, 2])", lambda m, x: m.zeros([True, 2])),
    ("view(3, True, 2)", lambda m, x: x.view(3, True, 2)),
    ("reshape([3, True, 2])", lambda m, x: x.reshape([3, True, 2])),
    ("repeat(1, True)", lambda m, x: x.repeat(1, True)),
    ("repeat(True, 1)", lambda m, x: x.repeat(True, 1)),
    ("repeat([1, tensor(2)])", lambda m, x: x.repeat([1, m.tensor(2)])),
    ("sum([0, True])", lambda m, x: x.sum([0, True])),
    # pooling sizes: an int list, or a one-element integer tensor
    ("max_pool1d(tensor(2))", lambda m, x: m.nn.functional.max_pool1d(x[None], m.tensor(2))),
    ("max_pool1d(tensor([2]))", lambda m, x: m.nn.functional.max_pool1d(x[None], m.tensor([2]))),
    ("max_pool1d(tensor(2.0))", lambda m, x: m.nn.functional.max_pool1d(x[None], m.tensor(2.))),
    ("max_pool1d(True)", lambda m, x: m.nn.functional.max_pool1d(x[None], True)),
    ("max_pool1d([True])", lambda m, x: m.nn.functional.max_pool1d(x[None], [True])),
    ("max_pool1d(2, stride=x)", lambda m, x: m.nn.functional.max_pool1d(x[None], 2, x)),
    ("max_pool1d(2, [2.0])", lambda m, x: m.nn.functional.max_pool1d(x[None], 2, [2.0])),
    ("max_pool2d(x)", lambda m, x: m.nn.functional.max_pool2d(x[None], x)),
    ("max_pool3d(2.5)", lambda m, x: m.nn.functional.max_pool3d(x[None, None], 2.5)),
    ("avg_pool2d(True)", lambda m, x: m.nn.functional.avg_pool2d(x[None], True)),
    ("avg_pool2d(tensor([1, 1]))", lambda m, x: m.nn.functional.avg_pool2d(x[None],
                                                                           m.tensor([1, 1]))),
    ("adaptive_avg_pool2d(tensor([2, 2]))",
     lambda m, x: m.nn.functional.adaptive_avg_pool2d(x[None], m.tensor([2, 2]))),
    ("adaptive_max_pool2d((None, 2))",
     lambda m, x: m.nn.functional.adaptive_max_pool2d(x[None], (None, 2))),
    ("adaptive_max_pool2d(x)", lambda m, x: m.nn.functional.adaptive_max_pool2d(x[None], x)),
    ("conv1d(x, 2.5)", lambda m, x: m.nn.functional.conv1d(x[None], 2.5)),
    ("conv_transpose1d(x, [w])", lambda m, x: m.nn.functional.conv_transpose1d(x[None], [x])),
    ("conv_tbc(x, w, 1)", lambda m, x: m.conv_tbc(x[None], x[None], 1)),
    ("native_channel_shuffle(x, dtype)",
     lambda m, x: m.nn.functional.native_channel_shuffle(x[None], m.int64)),
    ("cosine_similarity(dim='x')", lambda m, x: m.nn.functional.cosine_similarity(x, x, "x")),
    ("F.alpha_dropout(p=x)", lambda m, x: m.nn.functional.alpha_dropout(x, x)),
    ("m.alpha_dropout_(p=x)", lambda m, x: m.alpha_dropout_(x, x, True)),
    ("poisson_nll_loss(x, 3)", lambda m, x: m.nn.functional.poisson_nll_loss(x, 3)),
    ("hann_window(tensor(3))", lambda m, x: m.hann_window(m.tensor(3))),
    ("hann_window(tensor(3.0))", lambda m, x: m.hann_window(m.tensor(3.0))),
    ("hann_window(tensor([3]))", lambda m, x: m.hann_window(m.tensor([3]))),
    # Python's own TypeError (unknown keyword, missing argument) comes before the type checks
    ("max_unpool3d(k=)", lambda m, x: m.nn.functional.max_unpool3d(-0.5, [1], k=3)),
    ("margin_ranking_loss(x, -1)", lambda m, x: m.nn.functional.margin_ranking_loss(x, -1)),
    ("normalize(0, keepdim=)", lambda m, x: m.nn.functional.normalize(0, keepdim=x)),
    # an argument of the wrong type is reported before the in-place-on-a-leaf error
    ("leaf pow_()", lambda m, x: x.requires_grad_().pow_()),
    ("leaf lt_(3, x)", lambda m, x: x.requires_grad_().lt_(3, x)),
    ("leaf lt_(x)", lambda m, x: x.requires_grad_().lt_(x)),
    # torch's deprecated add(alpha, other)
    ("add(3, 2.5)", lambda m, x: x.add(3, 2.5)),
    ("m.add(x, 2, x)", lambda m, x: m.add(x, 2, x)),
    ("sub(2, x)", lambda m, x: x.sub(2, x)),
    ("add_(2, x)", lambda m, x: x.clone().add_(2, x)),
    ("bool sgn_()", lambda m, x: m.tensor([True, False]).sgn_()),
    ("set_autocast_cache_enabled(x)", lambda m, x: m.set_autocast_cache_enabled(x)),
    ("is_autocast_enabled(x)", lambda m, x: m.is_autocast_enabled(x)),
    ("set_autocast_enabled(x)", lambda m, x: m.set_autocast_enabled(x)),
    ("set_deterministic_debug_mode(x)", lambda m, x: m.set_deterministic_debug_mode(x)),
    ("m.relu(x, True)", lambda m, x: m.relu(x, True)),
    ("0-d flatten(2)", lambda m, x: m.tensor(1.5).flatten(2)),
    ("0-d flatten(-1, 0)", lambda m, x: m.tensor(1.5).flatten(-1, 0)),
    ("hsplit(x, int tensor)", lambda m, x: m.hsplit(x, m.tensor([1, 2]))),
    ("hsplit(x, tensor(3))", lambda m, x: m.hsplit(x, m.tensor(3))[2]),
    ("0-d hsplit(tensor)", lambda m, x: m.tensor(3.0).hsplit(x)),
    ("vsplit(x, float tensor)", lambda m, x: x.vsplit(m.tensor(2.0))),
    ("swapaxes_(x, 1)", lambda m, x: x.swapaxes_(x, 1)),
    ("swapdims_(tensor(0), 1)", lambda m, x: x.swapdims_(m.tensor(0), 1)),
    ("unsqueeze_(x)", lambda m, x: x.unsqueeze_(x)),
    ("rrelu_(1, x)", lambda m, x: m.rrelu_(1, x)),
    ("triangular_solve(x, dtype)", lambda m, x: x[:, :2].triangular_solve(x[:, :2], m.float32)),
    ("cholesky_solve(x, upper=tensor)", lambda m, x: x.cholesky_solve(x, m.zeros(3, 0))),
    ("put(index, 'x')", lambda m, x: x.put(m.tensor([0]), "x")),
    ("leaf put_(x, dtype)", lambda m, x: x.requires_grad_().put_(m.tensor([0]), m.float64)),
    ("ger(x, tuple)", lambda m, x: m.ger(x[0], (1,))),
    # shapes before dtypes (torch's TensorIterator), the last mismatching dim named
    ("float bitwise_or(unbroadcastable)", lambda m, x: x.bitwise_or(m.ones(4))),
    ("float bitwise_left_shift_(unbroadcastable)", lambda m, x: x.bitwise_left_shift_(m.ones(4))),
    ("float lcm_(int, unbroadcastable)", lambda m, x: x.lcm_(m.arange(4))),
    ("int add_(float, unbroadcastable)", lambda m, x: x.int().add_(m.ones(2, 3, 4))),
    ("int lcm_(1)", lambda m, x: m.arange(3).lcm_(1)),
    ("int gcd(x, True)", lambda m, x: m.gcd(m.arange(3), True)),
    # a malformed call or a wrong-typed argument before the kernel's dtype refusal
    ("F.mse_loss(int)", lambda m, x: m.nn.functional.mse_loss(m.arange(3))),
    ("F.avg_pool2d(bool)", lambda m, x: m.nn.functional.avg_pool2d(x > 0)),
    ("F.multi_margin_loss(int, str)", lambda m, x: m.nn.functional.multi_margin_loss(
        m.arange(3), "x")),
    ("m.layer_norm(bool, tensor)", lambda m, x: m.layer_norm(m.tensor(True), x, 3)),
    ("Size([2, tensor(3)])", lambda m, x: m.Size([2, m.tensor(3)])),
    ("Size([tensor(2.0)])", lambda m, x: m.Size([m.tensor(2.0)])),
    ("Size(x)", lambda m, x: m.Size(x)),
    ("Size([1.5])", lambda m, x: m.Size([1.5])),
    ("Size([True, 2])", lambda m, x: m.Size([True, 2])),
    ("to_dense(True)", lambda m, x: x.to_dense(True)),
    ("to_dense(float64)", lambda m, x: x.to_dense(m.float64)),
    ("layout()", lambda m, x: m.layout()),
    ("layout(x)", lambda m, x: m.layout(x)),
    ("memory_format(1)", lambda m, x: m.memory_format(1)),
    ("var(0, inf)", lambda m, x: x.var(0, math.inf)),
    ("var(0, 1)", lambda m, x: x.var(0, 1)),
    ("std(0, False, True)", lambda m, x: x.std(0, False, True)),
    ("squeeze(tensor(0))", lambda m, x: x[:1].squeeze(m.tensor(0))),
    ("squeeze(tensor(0.0))", lambda m, x: x[:1].squeeze(m.tensor(0.0))),
    ("soft_margin_loss(x, x[None])", lambda m, x: m.nn.functional.soft_margin_loss(x, x[None])),
    ("soft_margin_loss(x, x[0])", lambda m, x: m.nn.functional.soft_margin_loss(x, x[0])),
    ("can_cast(-1, [0])", lambda m, x: m.can_cast(-1, [0])),
    ("can_cast(x, int64)", lambda m, x: m.can_cast(x, m.int64)),
    ("set_autocast_dtype(x, ...)", lambda m, x: m.set_autocast_dtype(x, m.float16)),
    ("binary_cross_entropy(other size)", lambda m, x: m.nn.functional.binary_cross_entropy(
        x.sigmoid(), m.zeros(3, 0), (-1,))),
    ("binary_cross_entropy(reduction='x')", lambda m, x: m.nn.functional.binary_cross_entropy(
        x.sigmoid(), x.sigmoid()[0], reduction="x")),
    # a tensor is an int list only as a one-element integer tensor
    ("view(tensor([6]))", lambda m, x: x.view(m.tensor([6]))),
    ("view(tensor([3, 2]))", lambda m, x: x.view(m.tensor([3, 2]))),
    ("reshape(tensor(6))", lambda m, x: x.reshape(m.tensor(6))),
    ("roll(tensor(1))", lambda m, x: m.roll(x, m.tensor(1))),
    ("roll(tensor([1, 1]), (0, 1))", lambda m, x: m.roll(x, m.tensor([1, 1]), (0, 1))),
    ("permute(tensor([1, 0]))", lambda m, x: x.permute(m.tensor([1, 0]))),
    ("expand(tensor([2, 3]))", lambda m, x: x.expand(m.tensor([2, 3]))),
    ("constant_pad_nd(tensor([1, 1]))", lambda m, x: m.constant_pad_nd(x, m.tensor([1, 1]))),
    ("flip(tensor([0]))", lambda m, x: x.flip(m.tensor([0]))),
    ("zeros(tensor([2, 3]))", lambda m, x: m.zeros(m.tensor([2, 3]))),
    ("zeros(tensor(2))", lambda m, x: m.zeros(m.tensor(2))),
    ("repeat(tensor([1, 2]))", lambda m, x: x.repeat(m.tensor([1, 2]))),
    ("split_with_sizes_copy(tensor)", lambda m, x: m.split_with_sizes_copy(x, m.tensor([1, 1]))),
    ("adaptive_max_pool2d(tensor, tensor)",
     lambda m, x: m.nn.functional.adaptive_max_pool2d(x[None], m.tensor([1, 2]), m.tensor(2))[0]),
    # session 26 (fuzz seeds 217-220): signatures torch's parser refuses or takes
    ("prod(None)", lambda m, x: x.prod(None)),
    ("m.prod(x, None)", lambda m, x: m.prod(x, None)),
    ("prod(dim=None)", lambda m, x: x.prod(dim=None)),
    ("prod(keepdim=True)", lambda m, x: x.prod(keepdim=True)),
    ("prod(0.5)", lambda m, x: x.prod(0.5)),
    ("prod(tensor(1))", lambda m, x: x.prod(m.tensor(1))),
    ("prod(1, keepdim=True)", lambda m, x: x.prod(1, keepdim=True)),
    ("var(0, None)", lambda m, x: x.var(0, None)),
    ("var(None, None)", lambda m, x: x.var(None, None)),
    ("var(None, True)", lambda m, x: x.var(None, True)),
    ("var(True, 1)", lambda m, x: x.var(True, 1)),
    ("var(False)", lambda m, x: x.var(False)),
    ("var(unbiased=False)", lambda m, x: x.var(unbiased=False)),
    ("var(unbiased=True, keepdim=True)", lambda m, x: x.var(unbiased=True, keepdim=True)),
    ("var(0, True, correction=1)", lambda m, x: x.var(0, True, correction=1)),
    ("var(True, correction=1)", lambda m, x: x.var(True, correction=1)),
    ("var(correction=0, keepdim=True)", lambda m, x: x.var(correction=0, keepdim=True)),
    ("m.std(x, True, float64)", lambda m, x: m.std(x, True, m.float64)),
    ("m.std(x, True, keepdim=True)", lambda m, x: m.std(x, True, keepdim=True)),
    ("m.std(x, 1, False, True)", lambda m, x: m.std(x, 1, False, True)),
    ("int copy_(inf)", lambda m, x: m.arange(3).copy_(math.inf)),
    ("int copy_(2.7)", lambda m, x: m.arange(3).copy_(2.7)),
    ("copy_(True)", lambda m, x: x.copy_(True)),
    ("copy_(1 + 2j)", lambda m, x: x.copy_(1 + 2j)),
    ("copy_(None)", lambda m, x: x.copy_(None)),
    ("copy_([1, 2, 3])", lambda m, x: x.copy_([1, 2, 3])),
    ("copy_(3, 1)", lambda m, x: x.copy_(3, 1)),
    ("copy_(3, True)", lambda m, x: x.copy_(3, True)),
    ("int copy_(2 ** 70)", lambda m, x: m.arange(3).copy_(2 ** 70)),
    ("norm(x, tensor(True))", lambda m, x: m.norm(x, m.tensor(True))),
    ("norm(x, True)", lambda m, x: m.norm(x, True)),
    ("x.norm(tensor(1), 1)", lambda m, x: x.norm(m.tensor(1), 1)),
    ("vector_norm(x, tensor(3.))", lambda m, x: m.linalg.vector_norm(x, m.tensor(3.0))),
    ("vector_norm(x, grad tensor)",
     lambda m, x: m.linalg.vector_norm(x, m.tensor(3.0, requires_grad=True))),
    ("vector_norm(x, tensor([2.]))", lambda m, x: m.linalg.vector_norm(x, m.tensor([2.0]))),
    ("vector_norm(x, 2.5j)", lambda m, x: m.linalg.vector_norm(x, 2.5j)),
    ("cholesky(zeros(0, 3))", lambda m, x: m.cholesky(m.zeros(0, 3))),
    ("cholesky(zeros(2, 0, 3))", lambda m, x: m.cholesky(m.zeros(2, 0, 3))),
    ("cholesky(zeros(0))", lambda m, x: m.cholesky(m.zeros(0))),
    ("linalg.cholesky(zeros(0, 3))", lambda m, x: m.linalg.cholesky(m.zeros(0, 3))),
    ("finfo(None)", lambda m, x: m.finfo(None)),
    ("finfo().eps", lambda m, x: m.finfo().eps),
    ("finfo(float).eps", lambda m, x: m.finfo(float).eps),
    ("finfo(complex).eps", lambda m, x: m.finfo(complex).eps),
    ("finfo('float')", lambda m, x: m.finfo("float")),
    ("finfo(int64)", lambda m, x: m.finfo(m.int64)),
    ("iinfo(bool)", lambda m, x: m.iinfo(m.bool)),
    ("iinfo(int).max", lambda m, x: m.iinfo(int).max),
    ("iinfo(None)", lambda m, x: m.iinfo(None)),
    ("is_autocast_enabled('mean')", lambda m, x: m.is_autocast_enabled("mean")),
    ("is_autocast_enabled('meta')", lambda m, x: m.is_autocast_enabled("meta")),
    ("is_autocast_enabled('cpu:0')", lambda m, x: m.is_autocast_enabled("cpu:0")),
    ("is_autocast_enabled('cpu:x')", lambda m, x: m.is_autocast_enabled("cpu:x")),
    ("is_autocast_enabled('xla')", lambda m, x: m.is_autocast_enabled("xla")),
    ("str(TypedStorage())", lambda m, x: str(m.TypedStorage())),
    ("str(TypedStorage([1, 2]))", lambda m, x: str(m.TypedStorage([1, 2]))),
    ("str(TypedStorage([1], dtype=int64))",
     lambda m, x: str(m.TypedStorage([1], dtype=m.int64))),
    ("TypedStorage(2.5)", lambda m, x: m.TypedStorage(2.5)),
    ("len(TypedStorage(3))", lambda m, x: len(m.TypedStorage(3))),
    ("str(UntypedStorage([1, 2]))", lambda m, x: str(m.UntypedStorage([1, 2]))),
    ("str(x[1].storage())", lambda m, x: str(x[1].storage())),
    ("str(arange(2).untyped_storage())", lambda m, x: str(m.arange(2).untyped_storage())),
    ("pca_lowrank(q=False) shapes",
     lambda m, x: tuple(tuple(t.shape) for t in m.pca_lowrank(x, q=False))),
    ("max(x, out=float64)", lambda m, x: m.max(x, out=m.zeros((), dtype=m.float64))),
    ("max(x, out=float16 of 5)", lambda m, x: m.max(x, out=m.zeros(5, dtype=m.float16))),
    ("max(x, out=int64)", lambda m, x: m.max(x, out=m.zeros((), dtype=m.int64))),
    ("min(int, out=float)", lambda m, x: m.min(m.arange(3), out=m.zeros(()))),
    ("min(int, out=bool)", lambda m, x: m.min(m.arange(3), out=m.zeros((), dtype=m.bool))),
    ("max(x, x, out=int64)", lambda m, x: m.max(x, x, out=m.zeros((2, 3), dtype=m.int64))),
    ("max(x, x, out=float64)", lambda m, x: m.max(x, x, out=m.zeros((2, 3), dtype=m.float64))),
    ("max(x, 0, out=(float64, int64))", lambda m, x: m.max(
        x, 0, out=(m.zeros(3, dtype=m.float64), m.zeros(3, dtype=m.int64)))),
    ("type of max(x, 0, out=)", lambda m, x: type(m.max(
        x, 0, out=(m.zeros(3), m.zeros(3, dtype=m.int64)))).__name__),
    ("type of sort(x, out=)", lambda m, x: type(m.sort(
        x, out=(m.zeros(3), m.zeros(3, dtype=m.int64)))).__name__),
    ("ldexp(x, bool tensor)", lambda m, x: m.ldexp(x, m.tensor([True, False, True]))),
    ("ldexp(bool, bool)", lambda m, x: m.ldexp(m.tensor([True]), m.tensor([True]))),
    ("ldexp_(bool 0-d)", lambda m, x: x.ldexp_(m.tensor(True))),
    # fuzz seeds 301-302: wrong dtypes and values
    ("bool << 3", lambda m, x: _dv(m.tensor([True, False]) << 3)),
    ("bool >> 1", lambda m, x: _dv(m.tensor([True, False]) >> 1)),
    ("bitwise_right_shift(bool 0-d, 1)",
     lambda m, x: _dv(m.bitwise_right_shift(m.tensor(True), 1))),
    ("2 << bool", lambda m, x: _dv(2 << m.tensor([True]))),
    ("2 << int8", lambda m, x: _dv(2 << m.tensor([3], dtype=m.int8))),
    ("int >> negative", lambda m, x: _dv(m.tensor([3, -3]) >> m.tensor([-1, -1]))),
    ("3 >> negative", lambda m, x: _dv(3 >> m.tensor([-1]))),
    ("int16 >> -3", lambda m, x: _dv(m.tensor([-7, 7], dtype=m.int16) >> -3)),
    ("int << negative", lambda m, x: _dv(m.tensor([3]) << m.tensor([-1]))),
    ("bool __ilshift__(3)", lambda m, x: m.tensor([True]).__ilshift__(3)),
    ("bool sum(dtype=uint8)",
     lambda m, x: _dv(m.tensor([True, False, True]).sum(dtype=m.uint8))),
    ("bool prod(dtype=int32)", lambda m, x: _dv(m.tensor(True).prod(dtype=m.int32))),
    ("bool sum(0, dtype=int8)", lambda m, x: _dv(m.tensor([True, True]).sum(0, dtype=m.int8))),
    ("uint8 sum wraps",
     lambda m, x: _dv(m.tensor([200, 100], dtype=m.uint8).sum(dtype=m.uint8))),
    ("float prod(dtype=int64)", lambda m, x: _dv(m.tensor([1.5, 1.5]).prod(dtype=m.int64))),
    ("empty var(correction=-1)", lambda m, x: _dv(m.zeros(0, 3).var(correction=-1))),
    ("empty std(0, correction=-2)", lambda m, x: _dv(m.zeros(0, 3).std(0, correction=-2))),
    ("int copy_(grad float) requires_grad",
     lambda m, x: m.zeros(2, dtype=m.int64).copy_(m.ones(2, requires_grad=True)).requires_grad),
    ("int fill_(grad 0-d) requires_grad",
     lambda m, x: m.zeros(2, dtype=m.int64).fill_(m.tensor(2.0, requires_grad=True)).requires_grad),
    ("gt(grad x, out=bool)", lambda m, x: _dv(m.gt(x.requires_grad_(), 0, out=m.empty(
        3, dtype=m.bool)))),
    ("lt(grad x, out=float)", lambda m, x: _dv(m.lt(x.requires_grad_(), 0, out=m.empty(3)))),
    ("argmax(grad x, out=)", lambda m, x: _dv(m.argmax(x.requires_grad_(), out=m.empty(
        (), dtype=m.int64)))),
    ("nonzero(grad x, out=)", lambda m, x: _dv(m.nonzero(x.requires_grad_(), out=m.empty(
        3, dtype=m.int64)))),
    ("eq(out=grad tensor)", lambda m, x: _dv(m.eq(x, x, out=m.ones((2, 3), requires_grad=True)))),
    ("floor(grad x, out=)", lambda m, x: m.floor(x.requires_grad_(), out=m.empty(3))),
    ("mul(int, 1, out=grad tensor)",
     lambda m, x: m.mul(m.ones(3, dtype=m.int64), 1, out=m.ones(3, requires_grad=True))),
    ("transpose_ of 0-d", lambda m, x: _dv(m.tensor(1.0).transpose_(0, -1))),
    ("swapaxes_ of 0-d", lambda m, x: _dv(m.tensor(1.0).swapaxes_(-1, 0))),
    ("squeeze_ on a view of a leaf", lambda m, x: m.zeros(
        3, 3, requires_grad=True).t().squeeze_()),
    ("unsqueeze_ on a view of a leaf", lambda m, x: m.zeros(
        3, 3, requires_grad=True)[0].unsqueeze_(0)),
    ("t_ on a view of a leaf", lambda m, x: m.zeros(3, 3, requires_grad=True).t().t_()),
    ("squeeze_ on a view of a non-leaf", lambda m, x: _dv(m.zeros(
        3, 1, requires_grad=True).clone().t().squeeze_())),
    ("adjoint of 0-d", lambda m, x: _dv(m.adjoint(m.tensor(2.0)))),
    ("H of 0-d", lambda m, x: _dv(m.tensor(2.0).H)),
    ("scatter 0-d self, 0-d index, 1-d src",
     lambda m, x: _dv(m.scatter(m.tensor(1.0), -1, m.tensor(0), m.tensor([5.0, 6.0, 7.0])))),
    ("scatter 1-d self, 0-d index, 1-d src",
     lambda m, x: _dv(m.tensor([1.0, 2.0]).scatter(0, m.tensor(1), m.tensor([5.0, 6.0])))),
    ("scatter 1-d self, 0-d index, value",
     lambda m, x: _dv(m.tensor([1.0, 2.0]).scatter(0, m.tensor(1), 7.0))),
    ("scatter_reduce 0-d self, 1-d src", lambda m, x: _dv(m.tensor(1.0).scatter_reduce(
        0, m.tensor(0), m.tensor([5.0, 6.0]), "sum"))),
    ("mean(keepdim=True)", lambda m, x: x.mean(keepdim=True)),
    ("sum(keepdim=False)", lambda m, x: x.sum(keepdim=False)),
    ("sum(dim=None, keepdim=True)", lambda m, x: _dv(x.sum(dim=None, keepdim=True))),
    ("mean(dim=[], keepdim=True)", lambda m, x: _dv(x.mean(dim=[], keepdim=True))),
    ("sum(0, 1)", lambda m, x: x.sum(0, 1)),
    ("prod(keepdim=False, dtype=int64)", lambda m, x: x.prod(keepdim=False, dtype=m.int64)),
    ("range(3)", lambda m, x: m.range(3)),
    ("zeros()", lambda m, x: m.zeros()),
    ("ones(layout=None)", lambda m, x: m.ones(layout=None)),
    ("zeros(size=(2, 3))", lambda m, x: _dv(m.zeros(size=(2, 3)))),
    ("arange(start=3)", lambda m, x: m.arange(start=3)),
    ("arange(end=3)", lambda m, x: _dv(m.arange(end=3))),
    ("arange(3, step=2)", lambda m, x: m.arange(3, step=2)),
    ("arange(3, end=5)", lambda m, x: _dv(m.arange(3, end=5))),
    ("arange(3, start=1)", lambda m, x: m.arange(3, start=1)),
    ("arange(1, end=3, step=0.5)", lambda m, x: _dv(m.arange(1, end=3, step=0.5))),
    ("as_tensor(x, float64)", lambda m, x: m.as_tensor(x, m.float64)),
    ("broadcast_tensors((x, x))", lambda m, x: m.broadcast_tensors((x, x))),
    ("fill_diagonal_(3, 'x')", lambda m, x: x.fill_diagonal_(3, "x")),
    ("fill_diagonal_(3, 1)", lambda m, x: x.fill_diagonal_(3, 1)),
    ("cpu(None)", lambda m, x: x.cpu(None)),
    ("type(x)", lambda m, x: x.type(x)),
    ("type('torch.DoubleTensor', x)", lambda m, x: x.type("torch.DoubleTensor", x)),
    ("new_tensor(pin_memory=False)", lambda m, x: x.new_tensor([1], pin_memory=False)),
    ("gt_(grad tensor) grad_fn", lambda m, x: type(m.zeros(2).gt_(
        m.ones(2, requires_grad=True)).grad_fn).__name__),
    ("clone().eq_(0) grad_fn", lambda m, x: type(m.ones(
        2, requires_grad=True).clone().eq_(0).grad_fn).__name__),
    ("leaf lt_(0)", lambda m, x: m.ones(2, requires_grad=True).lt_(0)),
    ("gt_(tensor) needs no grad", lambda m, x: _dv(m.zeros(2).gt_(m.ones(2)))),
    ("0-d .T", lambda m, x: _dv(m.tensor(2.0).T)),
    ("1-d .T", lambda m, x: _dv(m.tensor([1.0, 2.0]).T)),
    ("new_tensor(float64 tensor) keeps self's dtype",
     lambda m, x: _dv(x.new_tensor(m.tensor([1.5], dtype=m.float64)))),
    ("new_tensor(bool tensor)", lambda m, x: _dv(x.new_tensor(m.tensor([True])))),
    ("allclose(bool, bool, atol=1)", lambda m, x: m.allclose(
        m.tensor([True, False]), m.tensor([False, False]), 0.1, 1.0)),
    ("isclose(bool, bool)", lambda m, x: _dv(m.isclose(m.tensor([True]), m.tensor([False])))),
    ("logit(eps=0.7)", lambda m, x: _dv(m.logit(m.tensor([1.0, 0.0, 0.3]), 0.7))),
    ("logit(bool, eps=1)", lambda m, x: _dv(m.logit(m.tensor([True, False]), 1.0))),
    ("range(-1, 2, -0.5)", lambda m, x: m.range(-1.0, 2.0, -0.5)),
    ("range(2, 0, -0.5)", lambda m, x: _dv(m.range(2, 0, -0.5))),
    ("gelu(x, 'tanh')", lambda m, x: m.nn.functional.gelu(x, "tanh")),
    ("pad(x, tensor)", lambda m, x: m.nn.functional.pad(x, m.tensor([1, 1]))),
    ("empty(memory_format=None)", lambda m, x: tuple(m.empty((0, 4), memory_format=None).shape)),
    ("empty(channels_last) strides",
     lambda m, x: m.empty(2, 3, 4, 5, memory_format=m.channels_last).stride()),
    ("empty(2, 3, channels_last)", lambda m, x: m.empty(2, 3, memory_format=m.channels_last)),
    ("empty(preserve_format)", lambda m, x: m.empty(2, memory_format=m.preserve_format)),
    ("nanmean(dtype=int16)", lambda m, x: m.nanmean(x, dtype=m.int16)),
    ("floor_divide(grad, out=)", lambda m, x: _dv(m.floor_divide(
        x, x.clone().requires_grad_(), out=m.empty(2, 3)))),
    ("squeeze(x, None)", lambda m, x: m.squeeze(x, None)),
    ("x.squeeze(None)", lambda m, x: x.squeeze(None)),
    ("to(x, x)", lambda m, x: x.to(x, x)),
    ("to(x, True)", lambda m, x: _dv(x.to(x, True))),
    ("to(float64, False, True)", lambda m, x: _dv(x.to(m.float64, False, True))),
    ("to('cpu', float64)", lambda m, x: _dv(x.to("cpu", m.float64))),
    ("to(float64, 'cpu')", lambda m, x: x.to(m.float64, "cpu")),
    ("adaptive_max_pool2d_with_indices(int64)", lambda m, x: m.nn.functional.
     adaptive_max_pool2d_with_indices(m.ones(1, 2, 4, 4, dtype=m.int64), 2)),
    ("movedim(tensor(0), -1)", lambda m, x: _dv(x.movedim(m.tensor(0), -1))),
    ("movedim(tensor([0]), 1)", lambda m, x: m.movedim(x, m.tensor([0]), 1)),
    ("movedim(0.0, 1)", lambda m, x: m.movedim(x, 0.0, 1)),
    ("setitem [1] = int tensor", lambda m, x: x.__setitem__([1], m.tensor([1, 2, 3]))),
    ("setitem mask = float64 tensor", lambda m, x: x.__setitem__(
        m.tensor([True, False]), m.tensor([1.0, 2.0, 3.0], dtype=m.float64))),
    ("setitem [1] = number", lambda m, x: _dv((x.__setitem__([1], 5), x)[1])),
    ("rms_norm(float32, float64 weight)", lambda m, x: _dv(m.nn.functional.rms_norm(
        x, [3], weight=m.ones(3, dtype=m.float64)))),
    ("conv2d same, float32 bias, float64 input", lambda m, x: _dv(m.nn.functional.conv2d(
        m.ones(1, 2, 4, 4, dtype=m.float64), m.ones(3, 2, 3, 3, dtype=m.float64), m.ones(3),
        padding="same"))),
    ("conv2d padding=1, float32 bias, float64 input", lambda m, x: m.nn.functional.conv2d(
        m.ones(1, 2, 4, 4, dtype=m.float64), m.ones(3, 2, 3, 3, dtype=m.float64), m.ones(3),
        padding=1)),
    ("conv1d valid, float32 bias", lambda m, x: _dv(m.conv1d(
        m.ones(1, 2, 6, dtype=m.float64), m.ones(4, 1, 3, dtype=m.float64), bias=m.ones(4),
        padding="valid", groups=2))),
    ("conv3d valid, float32 bias", lambda m, x: _dv(m.nn.functional.conv3d(
        m.ones(1, 2, 3, 3, 3, dtype=m.float64), m.ones(1, 2, 2, 2, 2, dtype=m.float64),
        m.ones(1), padding="valid"))),
    ("igamma(int, int)", lambda m, x: m.igamma(m.tensor([1]), m.tensor([2]))),
    ("igammac(bool, bool)", lambda m, x: m.igammac(m.tensor([True]), m.tensor([True]))),
    ("igamma(bool, float)", lambda m, x: _dv(m.igamma(m.tensor([True]), m.tensor([2.0])))),
    ("cosine_similarity(eps=nan)", lambda m, x: m.cosine_similarity(x, x, eps=math.nan)),
    ("cosine_similarity(eps=-1)", lambda m, x: m.cosine_similarity(x, x, eps=-1.0)),
    ("sum(dtype=int16) of a grad tensor", lambda m, x: x.requires_grad_().sum(dtype=m.int16)),
    ("prod(dtype=int64) of a grad tensor", lambda m, x: x.requires_grad_().prod(dtype=m.int64)),
    ("nansum(dtype=int64) of a grad tensor",
     lambda m, x: x.requires_grad_().nansum(dtype=m.int64)),
    ("sum(dtype=int16) under no_grad", lambda m, x: _dv(_no_grad_sum(m, x))),
    ("leaf squeeze_(Size([-1, -2]))",
     lambda m, x: m.zeros(4, requires_grad=True).squeeze_(m.Size([-1, -2]))),
    ("leaf unsqueeze_(4)", lambda m, x: m.zeros(2, 3, requires_grad=True).unsqueeze_(4)),
    ("leaf transpose_(0, 5)", lambda m, x: m.zeros(2, 3, requires_grad=True).transpose_(0, 5)),
    ("unique(grad x) grad_fn", lambda m, x: type(m.unique(x.requires_grad_()).grad_fn).__name__),
    ("unique(grad x) backward", lambda m, x: m.unique(x.requires_grad_()).sum().backward()),
    ("unique(grad x, dim=0) grad_fn",
     lambda m, x: type(m.unique(x.requires_grad_(), dim=0).grad_fn).__name__),
    ("unique_consecutive(grad x) backward",
     lambda m, x: m.unique_consecutive(x.requires_grad_()).sum().backward()),
    ("unique(grad x, return_inverse=True) requires_grad", lambda m, x: tuple(
        t.requires_grad for t in m.unique(x.requires_grad_(), return_inverse=True))),
    ("x[tensor(True)]", lambda m, x: _dv(x[m.tensor(True)])),
    ("x[tensor(False), 0]", lambda m, x: _dv(x[m.tensor(False), 0])),
    ("0-d[tensor(True)]", lambda m, x: _dv(m.tensor(2.0)[m.tensor(True)])),
    ("x[True, [0, 1]]", lambda m, x: _dv(x[True, [0, 1]])),
    ("x[[0, 1], True]", lambda m, x: _dv(x[[0, 1], True])),
    ("x[False, [0, 1]]", lambda m, x: x[False, [0, 1]]),
    ("x[True, 0, [0, 2]]", lambda m, x: _dv(x[True, 0, [0, 2]])),
    ("setitem x[True, [0, 1]] = 7", lambda m, x: _dv((x.__setitem__((True, [0, 1]), 7.0), x)[1])),
    ("zeros(out=int64, dtype=uint8)",
     lambda m, x: m.zeros(1, 6, out=m.zeros((), dtype=m.int64), dtype=m.uint8)),
    ("arange(3, out=float, dtype=int64)",
     lambda m, x: m.arange(3, out=m.zeros(3), dtype=m.int64)),
    ("cumsum_(0, dtype=float64)", lambda m, x: x.cumsum_(0, dtype=m.float64)),
    ("cumsum_(0, float64)", lambda m, x: x.cumsum_(0, m.float64)),
    ("cumprod_(0, dtype=float32)", lambda m, x: _dv(x.cumprod_(0, dtype=m.float32))),
    ("median(x, out=)", lambda m, x: m.median(x, out=m.zeros(()))),
    ("nanmedian(x, 0, out=)", lambda m, x: _dv(m.nanmedian(
        x, 0, out=(m.zeros(3), m.zeros(3, dtype=m.int64)))[0])),
    ("inner(grad, out=) grad_fn", lambda m, x: type(m.inner(
        x[0].requires_grad_(), x[1], out=m.empty(0)).grad_fn).__name__),
    ("kron of a transposed tensor", lambda m, x: m.kron(x.t(), m.ones(2, 2))),
    ("histc float32 bin edges", lambda m, x: _dv(m.histc(
        m.tensor([0.7, 0.4, -0.5, 1.9, 0.6999, 1.1]), min=-1.0, max=2.0).nonzero())),
    ("x[True] grad_fn", lambda m, x: type(x.requires_grad_()[True].grad_fn).__name__),
    ("x[(True,)] = int tensor", lambda m, x: x.__setitem__((True,), m.tensor([1]))),
    ("x[True] = int tensor", lambda m, x: _dv((x.__setitem__(True, m.tensor([1])), x)[1])),
    ("x[False] = int tensor", lambda m, x: _dv((x.__setitem__(False, m.tensor([1])), x)[1])),
    ("clamp(int, float32 0-d, float64 0-d)", lambda m, x: _dv(m.arange(3).clamp(
        m.tensor(0.5), m.tensor(2.5, dtype=m.float64)))),
    ("to('cpu', True)", lambda m, x: x.to("cpu", True)),
    ("to(None, True)", lambda m, x: x.to(None, True)),
    ("to('cpu', None)", lambda m, x: _dv(x.to("cpu", None))),
    ("to('cpu', float64, True)", lambda m, x: _dv(x.to("cpu", m.float64, True))),
    ("full(3, 0.5)", lambda m, x: m.full(3, 0.5)),
    ("full(Size([2]), 0.5)", lambda m, x: _dv(m.full(m.Size([2]), 0.5))),
    ("resize_()", lambda m, x: x.resize_()),
    ("vander(increasing=1)", lambda m, x: m.vander(x[0], increasing=1)),
    ("lu_unpack(unpack_pivots=tensor)", lambda m, x: m.lu_unpack(
        m.eye(2), m.tensor([1, 2], dtype=m.int32), unpack_pivots=m.tensor(True))),
    ("var_mean(x, 0, out=)", lambda m, x: m.var_mean(x, 0, out=(m.zeros(3), m.zeros(3)))),
    ("cummin(grad x, out=Tensor)",
     lambda m, x: m.cummin(x.requires_grad_(), -1, out=m.zeros(3))),
    ("topk(grad x, 5, out=Tensor)", lambda m, x: m.topk(x.requires_grad_(), 5, out=m.zeros(3))),
    ("view of a leaf ldexp_(1.0)",
     lambda m, x: m.ones(3, 3, requires_grad=True).t().ldexp_(1.0)),
    ("searchsorted(sorter out of range)", lambda m, x: m.searchsorted(
        m.tensor([1, 2, 3]), m.tensor([2]), sorter=m.tensor([0, 1, 5]))),
    ("searchsorted(negative sorter)", lambda m, x: m.searchsorted(
        m.tensor([1, 2, 3]), m.tensor([2]), sorter=m.tensor([0, 1, -1]))),
    ("searchsorted(sorter)", lambda m, x: _dv(m.searchsorted(
        m.tensor([3, 1, 2]), m.tensor([2, 0, 5]), sorter=m.tensor([1, 2, 0])))),
    ("empty bool // 0", lambda m, x: _dv(m.zeros(0, 3, dtype=m.bool) // 0)),
    ("empty int remainder(False)",
     lambda m, x: _dv(m.remainder(m.zeros(0, 3, dtype=m.int32), False))),
    ("int % 0", lambda m, x: m.tensor([1]) % 0),
    ("addcdiv(float, int, int)", lambda m, x: m.addcdiv(
        m.zeros(2), m.ones(2, dtype=m.int64), m.ones(2, dtype=m.int32))),
    ("addcdiv(float, int, float)", lambda m, x: _dv(m.addcdiv(
        m.zeros(2), m.ones(2, dtype=m.int64), m.ones(2)))),
    ("pdist(p=nan)", lambda m, x: m.pdist(m.ones(3, 3), p=math.nan)),
    ("repr of aminmax(x, out=)", lambda m, x: repr(m.aminmax(
        x, out=(m.zeros(()), m.zeros(()))))),
    # seeds 318-321
    ("linear(3-d, 0-d bias of another dtype)", lambda m, x: _dv(m.nn.functional.linear(
        x.double().reshape(1, 2, 3), m.ones(4, 3, dtype=m.float64), m.tensor(1.0)))),
    ("linear(transposed 3-d, float32 bias)", lambda m, x: _dv(m.nn.functional.linear(
        x.double().reshape(2, 1, 3).transpose(0, 1), m.ones(4, 3, dtype=m.float64),
        m.ones(4)))),
    ("linear(contiguous 3-d, float32 1-d bias)", lambda m, x: m.nn.functional.linear(
        x.double().reshape(1, 2, 3), m.ones(4, 3, dtype=m.float64), m.ones(4))),
    ("linear(0-d)", lambda m, x: m.nn.functional.linear(m.tensor(1.0), m.ones(4, 3))),
    ("linear(1-d, 1-d weight, 1-d bias)", lambda m, x: m.nn.functional.linear(
        x[0], x[1], m.ones(1))),
    ("adaptive_avg_pool1d(no channels)", lambda m, x: m.nn.functional.adaptive_avg_pool1d(
        m.ones(0, 3), 2)),
    ("adaptive_avg_pool2d(empty width)", lambda m, x: m.nn.functional.adaptive_avg_pool2d(
        m.ones(2, 2, 0), 2)),
    ("adaptive_avg_pool2d(empty width, 1x1)", lambda m, x: tuple(
        m.nn.functional.adaptive_avg_pool2d(m.ones(2, 2, 0), 1).shape)),  # (NaN values)
    ("adaptive_avg_pool3d(no channels, batched)", lambda m, x:
        m.nn.functional.adaptive_avg_pool3d(m.ones(2, 0, 2, 2, 2), 2)),
    ("adaptive_max_pool2d(empty batch)", lambda m, x: m.nn.functional.adaptive_max_pool2d(
        m.ones(0, 2, 3, 3), 2)),
    ("adaptive_max_pool1d(no channels)", lambda m, x: m.nn.functional.adaptive_max_pool1d(
        m.ones(0, 3), 2)),
    ("adaptive_max_pool3d(empty batch)", lambda m, x: m.nn.functional.adaptive_max_pool3d(
        m.ones(0, 2, 2, 2, 2), 1)),
    ("max_unpool2d(no channels)", lambda m, x: m.nn.functional.max_unpool2d(
        m.ones(2, 0, 3, 3), m.zeros(2, 0, 3, 3, dtype=m.int64), 2)),
    ("max_unpool1d(output of size 0)", lambda m, x: m.nn.functional.max_unpool1d(
        x, m.tensor([[0, 1, 2], [1, 1, 0]]), 0)),
    ("multi_margin_loss(float32 weight)", lambda m, x: m.nn.functional.multi_margin_loss(
        x.double(), m.tensor([0, 1]), weight=m.ones(3))),
    ("ormqr(tau of input's rank)", lambda m, x: m.ormqr(
        m.ones(4, 4, dtype=m.float64), m.ones(4, 4, dtype=m.float64),
        m.ones(4, 4, dtype=m.float64))),
    ("ormqr(tau without batch)", lambda m, x: m.ormqr(
        m.ones(2, 4, 4, dtype=m.float64), m.ones(4, dtype=m.float64),
        m.ones(2, 4, 4, dtype=m.float64))),
    ("take_along_dim(index past the end)", lambda m, x: x.take_along_dim(
        m.tensor([[0, 5, -3], [1, -7, 1]]), 0)),
    ("take_along_dim(flat, past the end)", lambda m, x: x.take_along_dim(m.tensor([7]))),
    ("sum(dtype=, out=) without dim", lambda m, x: m.sum(x, dtype=m.float64, out=m.zeros(()))),
    ("sum(out=) without dim", lambda m, x: m.sum(x, out=m.zeros(()))),
    ("sum(dim, dtype=float64, out=float32)", lambda m, x: m.sum(
        x, 0, dtype=m.float64, out=m.zeros(3))),
    ("mean(dtype=float64, out=float32)", lambda m, x: m.mean(
        x, dtype=m.float64, out=m.zeros(()))),
    ("nansum(dtype=float64, out=float32)", lambda m, x: m.nansum(
        x, 0, dtype=m.float64, out=m.zeros(3))),
    ("cumsum(dtype=float64, out=float32)", lambda m, x: m.cumsum(
        x, 0, dtype=m.float64, out=m.zeros(2, 3))),
    ("norm(float64, out=float32)", lambda m, x: m.norm(x.double(), dim=0, out=m.zeros(3))),
    ("norm(nuc, out=float64)", lambda m, x: m.norm(x, p="nuc", out=m.zeros((),
                                                                          dtype=m.float64))),
    ("repeat_interleave(0-d, int, dim)", lambda m, x: m.repeat_interleave(m.tensor(1.0), 2, 0)),
    ("repeat_interleave(0-d, tensor, dim)", lambda m, x: m.repeat_interleave(
        m.tensor(1.0), m.tensor([2]), 0)),
    ("slice_scatter(int, float src requiring grad)", lambda m, x: m.slice_scatter(
        m.ones(2, 3, dtype=m.int32), x.double().requires_grad_())),
    ("to(tensor, device=)", lambda m, x: x.to(m.tensor(True), device="cpu")),
    ("to(dtype, device=)", lambda m, x: x.to(m.float64, device="cpu")),
    ("broadcast_shapes(int, tensor)", lambda m, x: m.broadcast_shapes(3, m.ones(0, 3))),
    ("zeros_like(memory_format=bool)", lambda m, x: m.zeros_like(x, memory_format=True)),
    ("zeros_like(int, requires_grad)", lambda m, x: m.zeros_like(
        x.long(), requires_grad=True)),
    ("strides of zeros_like(transposed)", lambda m, x: m.zeros_like(x.t()).stride()),
    ("strides of full_like(channels_last)", lambda m, x: m.full_like(
        m.ones(2, 3, 4, 5), 2.0, memory_format=m.channels_last).stride()),
    ("strides of randint_like(transposed)", lambda m, x: m.randint_like(x.t(), 5).stride()),
    ("inner(tensor, number)", lambda m, x: m.inner(x, 0.5)),
    ("sort(x, dim, stable=)", lambda m, x: m.sort(x, 0, stable=True)),
    ("x.argsort(dim, descending, stable=)", lambda m, x: x.argsort(0, True, stable=True)),
    ("sort(x, stable=, dim=)", lambda m, x: m.sort(x, stable=True, dim=0)),
    ("x.tile()", lambda m, x: x.tile()),
    ("x.tile(keepdim=)", lambda m, x: x.tile(keepdim=False)),
    ("bool cumsum_", lambda m, x: m.tensor([True, False]).cumsum_(0)),
    ("bool cumprod_(bad dim)", lambda m, x: m.tensor([True, False]).cumprod_(3)),
    ("int ^= float number (cast error first)", lambda m, x: m.tensor([1, 2]).__ixor__(0.25)),
    ("int |= float tensor (cast error first)", lambda m, x: m.tensor([1, 2]).bitwise_or_(x[0, :2])),
    ("int.hypot_(int)", lambda m, x: m.tensor([1, 2]).hypot_(m.tensor([1, 2]))),
    ("x[0] = numpy int64 / float64", lambda m, x: _set_np(x)),
    # a crash (an out-of-bounds write) before
    ("take_along_dim(0-d, 0-d, -1)", lambda m, x: m.take_along_dim(m.tensor(2.5), m.tensor(0),
                                                                   -1)),
    ("take_along_dim(0-d, 0-d, 1)", lambda m, x: m.take_along_dim(m.tensor(2.5), m.tensor(0), 1)),
]


def outcome(m, call):
    x = m.tensor([[0.5, -1.25, 2.0], [3.0, 0.0, -0.75]])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the deprecated add(alpha, other)
            r = call(m, x)
    except Exception as e:  # noqa: BLE001 - the exception type is what is compared
        return ("raises", type(e).__name__)
    if isinstance(r, tuple) and hasattr(r, "values"):
        r = r[0]
    if isinstance(r, (int, tuple)) or not hasattr(r, "tolist"):
        return ("value", tuple(r) if isinstance(r, tuple) else r)
    return ("tensor", tuple(r.shape), r.tolist())


def _set_np(x):
    import numpy as np
    x[0, 0] = np.int64(2)
    x[0, 1] = np.float64(1.5)
    x[1, 0] = np.int64(-1)
    return x


def _no_grad_sum(m, x):
    with m.no_grad():
        return x.requires_grad_().sum(dtype=m.int16)


def _dv(t):
    """A result's dtype (torch's spelling) and values, so a test compares both."""
    return str(t.dtype).replace("tapegrad", "torch"), repr(t.tolist())


@pytest.mark.parametrize("label,call", CALLS, ids=[c[0] for c in CALLS])
def test_argument_types_as_torch(label, call):
    assert outcome(tg(), call) == outcome(torch, call)


@pytest.mark.parametrize("expr", [
    "x.clamp(nan)", "x.clamp(max=nan)", "x.clamp(0.5, nan)", "x.clamp(nan, 0.5)",
    "x.clamp_min(nan)", "x.clamp_max(nan)", "i.clamp(nan)", "i.clamp(max=nan)",
    "h.clamp(0, nan)", "x.clone().clamp_(max=nan)", "x.clip(nan)",
])
def test_clamp_with_nan_bound_is_nan_as_torch(expr):
    def run(m):
        env = {"x": m.tensor([1.0, -2.0, float("nan"), 0.25]), "i": m.tensor([3, -1]),
               "h": m.tensor([1.0, -2.0]).half(), "nan": math.nan}
        r = eval(expr, {}, env)
        return str(r.dtype).replace("tapegrad", "torch"), r.tolist()
    a, b = run(tg()), run(torch)
    assert a[0] == b[0]
    assert all(math.isnan(u) and math.isnan(v) for u, v in zip(a[1], b[1])), (a, b)


@pytest.mark.parametrize("expr", [
    "F.elu(x, inf)", "F.elu(x, inf).sum()", "F.hardtanh_(x.clone(), inf)",
    "F.hardtanh_(x.clone(), 1.0, -1.0)", "F.hardtanh_(x.clone(), 0.5, 0.25)",
    "m.logit(p, nan)", "p.clone().logit_(nan)", "m.logit(p, 0.25)",
    "x.clamp(-5, m.tensor(1.0))", "m.clamp_(x.clone(), -5, m.tensor(True))",
    "x.clamp(m.tensor(0.5), None)",
])
def test_values_at_edges_as_torch(expr):
    """Values the differential fuzzer found different: elu's linear branch at 0 (alpha=inf),
    hardtanh_ with min > max (torch clamps: max wins), logit with a NaN eps (no clamping), a
    0-d tensor bound beside a number (torch's Number overload)."""
    def run(m):
        env = {"m": m, "F": m.nn.functional, "inf": math.inf, "nan": math.nan,
               "x": m.tensor([[0.5, -1.25, 2.0], [3.0, 0.0, -0.0]], dtype=m.float64),
               "p": m.tensor([0.5, 0.0, 1.0, 2.0, -1.0, 0.1])}
        r = eval(expr, {}, env)
        return str(r.dtype).replace("tapegrad", "torch"), r.flatten().tolist()
    a, b = run(tg()), run(torch)
    assert a[0] == b[0]
    assert len(a[1]) == len(b[1])
    for u, v in zip(a[1], b[1]):
        same = (math.isnan(u) and math.isnan(v)) or (
            u == v and math.copysign(1, u) == math.copysign(1, v)) or abs(u - v) < 1e-6
        assert same, (expr, a, b)


def test_logit_nan_eps_gradient_as_torch():
    def run(m):
        p = m.tensor([0.5, 0.0, 1.0, 2.0, -1.0, 0.1], requires_grad=True)
        m.logit(p, float("nan")).backward(m.arange(6.0))
        return p.grad.tolist()
    assert run(tg()) == run(torch)


def test_clamp_with_nan_bound_gradient_is_zero_as_torch():
    def run(m):
        x = m.tensor([1.0, -2.0, 0.5], requires_grad=True)
        x.clamp(0.0, float("nan")).backward(m.tensor([1.0, 2.0, 3.0]))
        return x.grad.tolist()
    assert run(tg()) == run(torch)


MINMAX = [
    "x.max()", "x.max(1)", "x.max(1, True)", "x.max(1, keepdim=True)", "x.max(y)",
    "x.max(other=y)", "m.max(x, other=y)", "m.min(x, y)", "x.min(dim=0)", "x.max(dim=-1, keepdim=False)",
    "x.max(True)", "x.max(1.5)", "x.max(y, True)", "x.max(1, 2)", "x.max(2.0)", "x.max(keepdim=True)",
    "x.max(1, other=y)", "x.max(other=2)", "x.min(m.tensor(1))", "x.max(dim=m.tensor(1))",
    "x.min(dim=m.tensor(2))",
]


@pytest.mark.parametrize("expr", MINMAX)
def test_max_min_overloads_as_torch(expr):
    def run(m):
        x = m.tensor([[0.5, -1.25, 2.0], [3.0, 0.0, -0.75]])
        y = m.tensor([[1.5, -2.25, 2.0], [0.0, 1.0, -0.5]])
        try:
            r = eval(expr, {}, {"m": m, "x": x, "y": y})
        except Exception as e:  # noqa: BLE001 - the exception type is what is compared
            return type(e).__name__
        return [t.tolist() for t in r] if isinstance(r, tuple) else r.tolist()
    assert run(tg()) == run(torch)


SCALAR_TENSORS = {
    "hardtanh": lambda m, x: m.nn.functional.hardtanh(x, m.tensor(-1.), m.tensor(1.)),
    "celu": lambda m, x: m.nn.functional.celu(x, m.tensor(2.)),
    "softplus": lambda m, x: m.nn.functional.softplus(x, m.tensor(2), 1),
    "softshrink": lambda m, x: m.nn.functional.softshrink(x, m.tensor(0.6)),
    "hardshrink": lambda m, x: m.hardshrink(x, m.tensor(0.6)),
    "add alpha": lambda m, x: x.add(x, alpha=m.tensor(2)),
    "full": lambda m, x: m.full((2,), m.tensor(3.)),
    "leaky_relu": lambda m, x: m.nn.functional.leaky_relu(x, m.tensor(0.1)),
    "threshold": lambda m, x: m.nn.functional.threshold(x, m.tensor(0.), m.tensor(5.)),
    "elu_": lambda m, x: m.nn.functional.elu_(x.clone(), m.tensor(3.0)),
    # a tensor that needs grad, or one that is not 0-d, is no number
    "alpha needs grad": lambda m, x: x.add(x, alpha=m.tensor(2., requires_grad=True)),
    "celu 1-d alpha": lambda m, x: m.nn.functional.celu(x, m.tensor([2.])),
}


@pytest.mark.parametrize("name", SCALAR_TENSORS)
def test_zero_dim_tensor_as_number_as_torch(name):
    """torch's parser takes a 0-d tensor that needs no grad where a number is meant."""
    def run(m):
        x = m.tensor([0.5, -1.25, 2.0])
        try:
            r = SCALAR_TENSORS[name](m, x)
        except Exception as e:  # noqa: BLE001 - the exception type is what is compared
            return type(e).__name__
        return str(r.dtype).replace("tapegrad", "torch"), r.tolist()
    assert run(tg()) == run(torch)


def test_zero_dim_tensor_keeps_the_tensor_overload():
    """A 0-d tensor that needs grad still takes the Tensor overloads (its gradient flows)."""
    for m in (tg(), torch):
        x = m.tensor([0.5, -1.25, 2.0])
        s = m.tensor(2.0, requires_grad=True)
        (x * s).sum().backward()
        assert s.grad.item() == pytest.approx(1.25)
        e = m.tensor(2.0, requires_grad=True)
        x.pow(e).sum().backward()
        assert e.grad is not None
