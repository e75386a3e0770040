"""torch's remaining random functions: bernoulli (function and method, tensor probabilities),
multinomial, poisson, and the in-place fills exponential_/geometric_/log_normal_/cauchy_, plus
generator= on the compiled fills (uniform_, normal_, bernoulli_).

Every draw is a transformation of the compiled generator's uniform doubles/floats or scalar normals
(lib/cpu/random.cpp draws as torch's CPU generator does), applied in the order torch's CPU kernels
apply it, so a seeded program gets torch's numbers. The formulas are the documented ones:
exponential -log1p(-u)/lambda, geometric ceil(log u / log1p(-p)), Cauchy median + sigma *
tan(pi (u - 1/2)), log-normal exp(normal), Bernoulli u < p; multinomial without replacement (or
one sample) is argmax/topk of p / Exp(1) (the Gumbel trick), with replacement a search of the
normalised cumulative sums; Poisson is the product-of-uniforms method below rate 10 and the
transformed-rejection method (Hormann) from 10 on. Their grad_fn names are torch's, with zero
gradients (BernoulliBackward0, ExponentialBackward0, ...)."""
import builtins as _builtins
import math as _math

from . import _C, _pynode
from ._C import Tensor
from ._generator import _use
from ._grad_mode import no_grad as _no_grad

__all__ = ["bernoulli", "multinomial", "poisson"]

_DTYPE_NAMES = {_C.int64: "Long", _C.int32: "Int", _C.int16: "Short", _C.int8: "Char",
                _C.uint8: "Byte", _C.bool: "Bool"}
# the C++ type names some of torch's checks print
_CTYPE_NAMES = {_C.int64: "long int", _C.int32: "int", _C.int16: "short int",
                _C.int8: "signed char", _C.uint8: "unsigned char", _C.bool: "bool"}


def _fmt(v):
    # torch prints the scalar as C++ streams a double: 0.5, 2, 1e-05
    v = _builtins.float(v)
    return str(int(v)) if v.is_integer() and abs(v) < 1e16 else f"{v:g}"


def _uniform(shape, dtype):
    # dtype float64: 53-bit doubles; float32: 24-bit floats (torch's uniform_real_distribution)
    return _C._empty(list(shape), dtype, "cpu").uniform_(0, 1)


def _zero_grad_node(name, self_, values):
    """values takes over self_'s history through a node `name` passing zero gradients back."""
    def make(old):
        return _pynode.record(name, lambda g: [g * 0], [old], values.detach())
    return _C._apply_inplace(self_, make)


def _fill(self_, name, node, compute, generator, *, floating=True, dist=None):
    if floating and not self_.is_floating_point():
        names = _DTYPE_NAMES if dist == "Exponential" else _CTYPE_NAMES
        raise RuntimeError(f"{dist} distribution is a continuous probability distribution. "
                           f"dtype must be a floating point but you specified "
                           f"{names.get(self_.dtype, self_.dtype)}")
    if self_.device.type != "cpu":
        raise NotImplementedError(f"{name}: tapegrad draws it on the CPU only (tensor on "
                                  f"{self_.device})")
    with _use(generator, name, self_.device), _no_grad():
        values = compute(_uniform(self_.shape, _C.float64)).to(self_.dtype)
    return _zero_grad_node(node, self_, values)


def _exponential_(self, lambd=1.0, *, generator=None):
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_fmt(lambd)}")
    return _fill(self, "exponential_", "ExponentialBackward0",
                 lambda u: -(-u).log1p() / lambd, generator, dist="Exponential")


def _geometric_(self, p, *, generator=None):
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_fmt(p)}")
    if self.dtype == _C.bool:  # torch's kernel takes every dtype but bool
        raise NotImplementedError("\"geometric_cpu\" not implemented for 'Bool'")
    return _fill(self, "geometric_", "GeometricBackward0",
                 lambda u: (u.log() / _math.log1p(-p)).ceil(), generator, floating=False)


def _cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_fmt(sigma)}")
    return _fill(self, "cauchy_", "CauchyBackward0",
                 lambda u: ((u - 0.5) * _math.pi).tan() * sigma + median, generator,
                 dist="Cauchy")


def _log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_fmt(std)}")
    if not self.is_floating_point():  # torch has no dtype check before its kernel here
        raise NotImplementedError(f"\"log_normal_cpu\" not implemented for "
                                  f"'{_DTYPE_NAMES.get(self.dtype, self.dtype)}'")
    _cpu_only("log_normal_", self)
    with _use(generator, "log_normal_", self.device), _no_grad():
        # torch draws log-normals one double at a time (scalar Box-Muller, its cached second
        # half included): the compiled generator draws that way for fills of fewer than 16
        # elements (larger ones take the blocked Box-Muller), so draw in chunks of 15
        n = self.numel()
        chunks = [_C._empty([min(15, n - k)], _C.float64, "cpu").normal_(mean, std)
                  for k in range(0, n, 15)]
        z = _C.cat(chunks, 0) if chunks else _C._empty([0], _C.float64, "cpu")
        # libm's exp, as torch's scalar kernel (the vectorised exp can differ by an ulp)
        values = _C.tensor([_math.exp(v) for v in z.tolist()], dtype=_C.float64) if n else z
        values = values.to(self.dtype).reshape(self.shape)
    return _zero_grad_node("LogNormalBackward0", self, values)


# ---- Bernoulli -------------------------------------------------------------------------------
_orig_bernoulli_ = Tensor.bernoulli_
_orig_uniform_ = Tensor.uniform_
_orig_normal_ = Tensor.normal_


def _check_probs(p):
    if not p.is_floating_point():
        raise NotImplementedError(f"\"bernoulli_tensor_cpu_p_\" not implemented for "
                                  f"'{_DTYPE_NAMES.get(p.dtype, p.dtype)}'")
    if p.numel() and not bool(((p >= 0) & (p <= 1)).all()):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could "
                           "this error message be improved?  If so, please report an "
                           "enhancement request to PyTorch.)")


def _cpu_only(name, *ts):
    for t in ts:
        if t.device.type != "cpu":
            raise NotImplementedError(f"{name}: tapegrad draws it on the CPU only (tensor on "
                                      f"{t.device})")


def _bernoulli_tensor(self, p):
    # u < p elementwise, u drawn in p's precision (double for float64 p, else float)
    _cpu_only("bernoulli", self, p)
    _check_probs(p)
    pe = p.detach().expand(self.shape)
    u = _uniform(self.shape, _C.float64 if p.dtype == _C.float64 else _C.float32)
    return (u < pe).to(self.dtype)


def _bernoulli_(self, p=0.5, *, generator=None):
    if isinstance(p, Tensor):
        with _use(generator, "bernoulli_", self.device), _no_grad():
            values = _bernoulli_tensor(self, p)
        return _zero_grad_node("BernoulliBackward1", self, values)
    if generator is not None:
        with _use(generator, "bernoulli_", self.device):
            return _orig_bernoulli_(self, p)
    return _orig_bernoulli_(self, p)


def _uniform_(self, from_=0.0, to=1.0, *, generator=None, **kw):
    if "from" in kw:
        from_ = kw.pop("from")
    if kw:
        raise TypeError(f"uniform_() got an unexpected keyword argument '{next(iter(kw))}'")
    with _use(generator, "uniform_", self.device):
        return _orig_uniform_(self, from_, to)


def _normal_(self, mean=0.0, std=1.0, *, generator=None):
    with _use(generator, "normal_", self.device):
        return _orig_normal_(self, mean, std)


def bernoulli(input, p=None, *, generator=None, out=None):
    """torch.bernoulli(input): 0/1 draws with probabilities input; bernoulli(input, p): with
    the one probability p, shaped like input."""
    if out is not None:
        raise NotImplementedError("bernoulli(out=...) is not supported by tapegrad")
    if not isinstance(input, Tensor):
        raise TypeError(f"bernoulli(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if p is None:
        with _use(generator, "bernoulli", input.device), _no_grad():
            values = _bernoulli_tensor(input, input)
        return _pynode.record("BernoulliBackward0", lambda g: [g * 0], [input], values)
    with _use(generator, "bernoulli", input.device), _no_grad():
        values = _C._empty(list(input.shape), input.dtype, "cpu")
        _orig_bernoulli_(values, p)

    def not_implemented(g):
        raise RuntimeError("the derivative for 'bernoulli' is not implemented.")
    return _pynode.record("torch::autograd::NotImplemented", not_implemented, [input], values,
                          cls_name="NotImplemented")


def _tensor_bernoulli(self, p=None, *, generator=None):
    return bernoulli(self, p, generator=generator)


# ---- multinomial -----------------------------------------------------------------------------
def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices drawn from the rows of input (unnormalised probabilities), torch's algorithms."""
    if out is not None:
        raise NotImplementedError("multinomial(out=...) is not supported by tapegrad")
    if not 0 < input.dim() <= 2:
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if not input.is_floating_point():
        raise RuntimeError("multinomial only supports floating-point dtypes for input, got: "
                           f"{_DTYPE_NAMES.get(input.dtype, input.dtype)}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    n_cat = input.shape[-1]
    if not replacement and num_samples > n_cat:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    if n_cat > 2 ** 24:
        raise RuntimeError("number of categories cannot exceed 2^24")
    _cpu_only("multinomial", input)
    p = input.detach()
    with _use(generator, "multinomial", input.device), _no_grad():
        if not replacement or num_samples == 1:
            if p.numel() and not bool(((p < _math.inf) & (p >= 0)).all()):
                raise RuntimeError("probability tensor contains either `inf`, `nan` or "
                                   "element < 0")
            if bool((p.sum(-1) == 0).any()):
                raise RuntimeError("invalid multinomial distribution (sum of probabilities "
                                   "<= 0)")
            q = _exponential_(_C._empty(list(p.shape), p.dtype, "cpu"), 1.0)
            q = p / q
            if num_samples == 1:
                return q.argmax(-1, keepdim=True)
            return q.topk(num_samples).indices
        return _multinomial_with_replacement(p, num_samples)


def _multinomial_with_replacement(p, num_samples):
    rows = p.reshape(-1, p.shape[-1])
    result = []
    for r in range(rows.shape[0]):
        probs = rows[r].double().tolist()
        if any(v < 0 for v in probs):
            raise RuntimeError("invalid multinomial distribution (encountering probability "
                               "entry < 0)")
        if any(not _math.isfinite(v) for v in probs):
            raise RuntimeError("invalid multinomial distribution (encountering probability "
                               "entry = infinity or NaN)")
        cum = rows[r].cumsum(0)  # in the input's precision, as torch's kernel sums
        total = cum[-1].item() if len(probs) else 0.0
        if not total > 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        cum = (cum / total).tolist()
        draws = _uniform([num_samples], _C.float64).tolist()
        picks = []
        for u in draws:  # the first slot whose cumulative probability reaches u
            lo, hi = 0, len(cum)
            while hi > lo:
                mid = lo + (hi - lo) // 2
                if cum[mid] < u:
                    lo = mid + 1
                else:
                    hi = mid
            picks.append(lo)
        result.append(picks)
    out = (_C.tensor(result, dtype=_C.int64) if result
           else _C._empty([0, num_samples], _C.int64, "cpu"))
    return out.reshape(list(p.shape[:-1]) + [num_samples])


# ---- Poisson ---------------------------------------------------------------------------------
def _poisson_one(lam, draw):
    if lam >= 10:  # transformed rejection with squeeze (Hormann 1993)
        slam = _math.sqrt(lam)
        loglam = _math.log(lam)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        while True:
            u = draw() - 0.5
            v = draw()
            us = 0.5 - abs(u)
            k = _math.floor((2 * a / us + b) * u + lam + 0.43)
            if us >= 0.07 and v <= vr:
                return k
            if k < 0 or (us < 0.013 and v > us):
                continue
            if (_math.log(v) + _math.log(invalpha) - _math.log(a / (us * us) + b)) <= \
                    (-lam + k * loglam - _math.lgamma(k + 1)):
                return k
    if lam == 0:
        return 0
    enlam = _math.exp(-lam)  # multiply uniforms until the product drops below e^-lambda
    x, prod = 0, 1.0
    while True:
        prod *= draw()
        if prod > enlam:
            x += 1
        else:
            return x


def poisson(input, generator=None):
    """Poisson draws with the rates in input (same shape and dtype)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"poisson(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if not input.is_floating_point():
        raise NotImplementedError(f"\"poisson_cpu\" not implemented for "
                                  f"'{_DTYPE_NAMES.get(input.dtype, input.dtype)}'")
    _cpu_only("poisson", input)
    rates = input.detach().double().reshape(-1).tolist()
    if any(not r >= 0 for r in rates):
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    with _use(generator, "poisson", input.device), _no_grad():
        def draw():
            return _uniform([1], _C.float64).item()
        values = [_poisson_one(r, draw) for r in rates]
        out = _C.tensor(values, dtype=_C.float64).to(input.dtype).reshape(list(input.shape))
    return _pynode.record("PoissonBackward0", lambda g: [g * 0], [input], out)


Tensor.exponential_ = _exponential_
Tensor.geometric_ = _geometric_
Tensor.cauchy_ = _cauchy_
Tensor.log_normal_ = _log_normal_
Tensor.bernoulli_ = _bernoulli_
Tensor.bernoulli = _tensor_bernoulli
Tensor.uniform_ = _uniform_
Tensor.normal_ = _normal_
Tensor.multinomial = (lambda self, num_samples, replacement=False, *, generator=None:
                      multinomial(self, num_samples, replacement, generator=generator))
