"""Cases for the special functions and angle conversions (erfc erfinv lgamma digamma polygamma
sinc deg2rad rad2deg sgn), the extra binary math (copysign with tensor and number, fmax / fmin
with NaNs, logaddexp / logaddexp2, float_power; heaviside, bitwise ops and operators, gcd / lcm
without gradient), the bool predicates (signbit isposinf isneginf isreal), the vector norms
(torch.norm, Tensor.norm, linalg.vector_norm / linalg.norm, dist) and nansum / nanmean.
"""
from crosscheck import away, const, ints, pos, randn, ties, uniform
from opcases.base import case

INF, NAN = float("inf"), float("nan")

UNARY = {
    "erfc": randn,
    "erfinv": lambda *s, **k: uniform(*s, low=-0.9, high=0.9, **k),
    "lgamma": pos,
    "digamma": pos,
    "sinc": away,
    "deg2rad": randn,
    "rad2deg": randn,
    "sgn": away,
}
SPECIAL = {
    "erfc": [-INF, -3.0, 0.0, 2.0, 30.0, INF, NAN],
    "erfinv": [-1.0, -0.999999, -0.5, -0.0, 0.0, 1e-8, 0.3, 0.99, 0.999999, 1.0, 1.5, NAN],
    "lgamma": [-2.5, -1.0, -0.5, 0.0, 1e-8, 0.5, 1.0, 2.0, 10.5, 1e5, INF, -INF, NAN],
    "digamma": [-2.5, -1.0, -0.0, 0.0, 1e-8, 0.3, 1.0, 5.9, 6.1, 1e5, INF, -INF, NAN],
    "sinc": [0.0, 1.0, -2.0, 0.5, 1e-9, INF, NAN],
    "deg2rad": [0.0, 180.0, -90.0, INF, NAN],
    "rad2deg": [0.0, 3.14159, -1.0, INF, NAN],
    "sgn": [-2.0, -0.0, 0.0, 3.0, INF, NAN],
}


def _unary():
    out = []
    for name, S in UNARY.items():
        gg = name not in ("sgn",)
        # torch's sgn gradient is an unmaterialised zero tensor (its values cannot be read):
        # forward here, the zero gradient in tests/test_math_extra.py
        kw = {"grad": False} if name == "sgn" else {}
        out += [
            case(f"{name}/fn/2d", lambda m, x, n=name: getattr(m, n)(x), S(3, 4), gradgrad=gg, **kw),
            case(f"{name}/method", lambda m, x, n=name: getattr(x, n)(), S(2, 3), **kw),
            case(f"{name}/0d", lambda m, x, n=name: getattr(m, n)(x), S(), **kw),
            case(f"{name}/empty", lambda m, x, n=name: getattr(m, n)(x), S(0, 3), **kw),
            case(f"{name}/nc", lambda m, x, n=name: getattr(x, n)(), S(3, 4, nc=True), **kw),
            case(f"{name}/special", lambda m, x, n=name: getattr(m, n)(x), const(SPECIAL[name]),
                 grad=False),
            case(f"{name}/inplace", lambda m, x, n=name: getattr(x * 1, n + "_")(), S(3, 4),
                 ops=(name,), **kw),
        ]
        if name not in ("erfinv", "lgamma", "digamma"):
            out.append(case(f"{name}/int", lambda m, i, n=name: getattr(m, n)(i),
                            ints(2, 3, low=-3, high=4)))
        else:
            out.append(case(f"{name}/int", lambda m, i, n=name: getattr(m, n)(i),
                            ints(2, 3, low=1, high=5)))
    out += [
        case("sgn/bool", lambda m, b: m.sgn(b), const([True, False])),
        case("deg2rad/bool", lambda m, b: m.deg2rad(b), const([True, False])),
        case("polygamma/n1", lambda m, x: m.polygamma(1, x), pos(3, 4), gradgrad=True),
        case("polygamma/n2_method", lambda m, x: x.polygamma(2), pos(2, 3)),
        case("polygamma/n3", lambda m, x: m.polygamma(3, x), pos(4)),
        case("polygamma/n0", lambda m, x: m.polygamma(0, x), pos(4)),
        case("polygamma/special", lambda m, x: m.polygamma(1, x),
             const([-2.5, 0.0, 0.5, 1e-6, 3.0, 40.0, INF, NAN]), grad=False),
        # at -1 torch's float32 trigamma reflects with float sin (1.3e15; float64: 6.6e32)
        case("polygamma/negative_integer", lambda m, x: m.polygamma(1, x), const([-1.0, -3.0]),
             grad=False, dtypes=("float64",)),
        case("polygamma/special_n2", lambda m, x: m.polygamma(2, x),
             const([-2.5, -1.0, 0.0, 0.5, 3.0, 40.0]), grad=False),
        # torch records polygamma_ as PolygammaBackward1 (tapegrad: PolygammaBackward0)
        case("polygamma/inplace", lambda m, x: (x * 1).polygamma_(1), pos(3), grad=False),
        case("polygamma/int", lambda m, i: m.polygamma(1, i), ints(3, low=1, high=5)),
    ]
    return out


# binary rows: sampler for (self, other)
def _binary():
    out = []
    for name in ("fmax", "fmin", "logaddexp", "logaddexp2", "copysign"):
        A = away if name == "copysign" else randn
        out += [
            case(f"{name}/fn", lambda m, x, y, n=name: getattr(m, n)(x, y), A(3, 4), randn(3, 4),
                 gradgrad=True),
            case(f"{name}/method", lambda m, x, y, n=name: getattr(x, n)(y), A(2, 3), randn(2, 3)),
            case(f"{name}/broadcast", lambda m, x, y, n=name: getattr(m, n)(x, y), A(3, 1),
                 randn(4)),
            case(f"{name}/0d", lambda m, x, y, n=name: getattr(m, n)(x, y), A(), randn(2)),
            case(f"{name}/empty", lambda m, x, y, n=name: getattr(m, n)(x, y), A(0, 3),
                 randn(3)),
            case(f"{name}/nc", lambda m, x, y, n=name: getattr(m, n)(x, y), A(3, 4, nc=True),
                 randn(3, 4)),
            case(f"{name}/float_int", lambda m, x, i, n=name: getattr(m, n)(x, i), A(2, 3),
                 ints(2, 3, low=-3, high=3)),
        ]
    inf_nan = [[1.0, NAN, NAN, -INF, INF, 0.0, -0.0, 2.0], [NAN, 1.0, NAN, -INF, INF, -0.0, 0.0,
                                                             2.0]]
    out += [
        case("fmax/nan", lambda m, x: m.fmax(x[0], x[1]), const(inf_nan), grad=False),
        case("fmin/nan", lambda m, x: m.fmin(x[0], x[1]), const(inf_nan), grad=False),
        case("logaddexp/inf", lambda m, x: m.logaddexp(x[0], x[1]), const(inf_nan), grad=False),
        case("logaddexp2/inf", lambda m, x: m.logaddexp2(x[0], x[1]), const(inf_nan),
             grad=False),
        case("copysign/special", lambda m, x: m.copysign(x[0], x[1]), const(inf_nan),
             grad=False),
        case("fmax/ties_nan_grad", lambda m, x, y: m.fmax(x, y * m.tensor([1.0, float("nan"), 1.0])
                                                          .to(y.dtype)),
             ties(2, 3), ties(2, 3), gradcheck=False),
        case("fmin/ties", lambda m, x, y: m.fmin(x, y), ties(3, 4), ties(3, 4), gradcheck=False),
        case("fmax/int", lambda m, i, j: m.fmax(i, j), ints(3, low=-3, high=3),
             ints(3, low=-3, high=3)),
        case("copysign/int", lambda m, i, j: m.copysign(i, j), ints(3, low=-3, high=3),
             ints(3, low=-3, high=3)),
        case("copysign/inplace", lambda m, x, y: (x * 1).copysign_(y), away(3, 4), randn(4)),
        case("copysign/scalar", lambda m, x: m.copysign(x, -2.0), away(3, 4), gradgrad=True),
        case("copysign/scalar_method", lambda m, x: x.copysign(1), away(2, 3)),
        case("copysign/scalar_inplace", lambda m, x: (x * 1).copysign_(-1.5), away(2, 3),
             ops=("copysign",)),
        case("copysign/zero_self", lambda m, x, y: m.copysign(x * 0, y), randn(3), randn(3)),
        case("float_power/tensor", lambda m, x, y: m.float_power(x, y), pos(3, 4), randn(3, 4),
             ops=("pow", "_to_copy")),
        case("float_power/scalar", lambda m, x: m.float_power(x, 2), randn(3, 4),
             ops=("pow",)),
        case("float_power/method", lambda m, x: x.float_power(1.5), pos(3), ops=("pow",)),
        case("float_power/rscalar", lambda m, x: m.float_power(2, x), randn(3), ops=("pow",)),
        case("float_power/int", lambda m, i: m.float_power(i, 2), ints(3, low=-3, high=3),
             ops=("pow",)),
        case("float_power/inplace", lambda m, x: (x.double() * 1).float_power_(2), randn(3),
             ops=("pow",)),
        case("heaviside/fn", lambda m, x, v: m.heaviside(x, v), const([-1.0, 0.0, 2.0, NAN, -0.0]),
             randn(5), grad=False),
        case("heaviside/int", lambda m, i, j: m.heaviside(i, j), ints(2, 3, low=-2, high=2),
             ints(3, low=0, high=5)),
        case("heaviside/method", lambda m, x: x.heaviside(m.tensor(0.5).to(x.dtype)),
             ties(3, 4), grad=False),
    ]
    for name in ("bitwise_and", "bitwise_or", "bitwise_xor", "gcd", "lcm"):
        out += [
            case(f"{name}/int", lambda m, i, j, n=name: getattr(m, n)(i, j),
                 ints(3, 4, low=-9, high=9), ints(4, low=-9, high=9)),
            case(f"{name}/method_int32", lambda m, i, j, n=name: getattr(i, n)(j),
                 ints(2, 3, low=0, high=20, dtype="int32"), ints(2, 3, low=0, high=20)),
            case(f"{name}/inplace", lambda m, i, j, n=name: getattr(i * 1, n + "_")(j),
                 ints(2, 3, low=-9, high=9), ints(2, 3, low=-9, high=9)),
        ]
    for name in ("bitwise_and", "bitwise_or", "bitwise_xor"):
        out += [
            case(f"{name}/bool", lambda m, a, b, n=name: getattr(m, n)(a, b),
                 const([True, True, False, False]), const([True, False, True, False])),
            case(f"{name}/number", lambda m, i, n=name: getattr(m, n)(i, 6),
                 ints(5, low=-9, high=9)),
        ]
    out += [
        case("bitwise_not/int", lambda m, i: m.bitwise_not(i), ints(3, 4, low=-9, high=9)),
        case("bitwise_not/bool", lambda m, b: b.bitwise_not(), const([True, False])),
        case("bitwise_not/operator", lambda m, i: ~i, ints(5, low=-9, high=9)),
        case("bitwise_and/operators", lambda m, i, j: ((i & j) | (i ^ 3), 5 & i, 2 | j, 1 ^ j),
             ints(4, low=-9, high=9), ints(4, low=-9, high=9)),
        case("bitwise_and/bool_operators", lambda m, a, b: (a & b, a | b, a ^ b, ~a, a & True),
             const([True, True, False, False]), const([True, False, True, False])),
        case("gcd/zeros", lambda m, i, j: (m.gcd(i, j), m.lcm(i, j)), const([0, 0, 5, -4, 6]),
             const([0, 3, 0, 6, -9])),
    ]
    return out


def _predicates():
    vals = [-2.0, -0.0, 0.0, 1.5, INF, -INF, NAN, -NAN]
    out = []
    for name in ("signbit", "isposinf", "isneginf", "isreal"):
        out += [
            case(f"{name}/special", lambda m, x, n=name: getattr(m, n)(x), const(vals),
                 grad=False),
            case(f"{name}/method", lambda m, x, n=name: getattr(x, n)(), randn(3, 4), grad=False),
            case(f"{name}/int", lambda m, i, n=name: getattr(m, n)(i), ints(4, low=-3, high=3)),
            case(f"{name}/bool", lambda m, b, n=name: getattr(m, n)(b), const([True, False])),
            case(f"{name}/empty", lambda m, x, n=name: getattr(m, n)(x), randn(0, 2), grad=False),
        ]
    return out


def _norms():
    N = "linalg_vector_norm"
    out = []
    for p in (2, 1, 3, 0.5, float("inf"), float("-inf"), 0, "fro"):
        pid = str(p).replace(".", "_")
        gc = p not in (float("inf"), float("-inf"), 0)
        S = away
        out += [
            case(f"norm/p{pid}", lambda m, x, p=p: m.norm(x, p), S(3, 4), ops=(N,),
                 gradcheck=gc, gradgrad=p in (2, 3, "fro")),
            case(f"norm/p{pid}_dim", lambda m, x, p=p: x.norm(p, dim=1), S(3, 4), ops=(N,),
                 gradcheck=gc),
            case(f"norm/p{pid}_dims_keep", lambda m, x, p=p: m.norm(x, p, (0, 2), True),
                 S(2, 3, 4), ops=(N,), gradcheck=gc),
            case(f"norm/p{pid}_0d", lambda m, x, p=p: m.norm(x, p), S(), ops=(N,), gradcheck=gc),
            case(f"norm/p{pid}_nc", lambda m, x, p=p: x.norm(p, dim=-1), S(3, 4, nc=True),
                 ops=(N,), gradcheck=gc),
        ]
    out += [
        case("norm/default", lambda m, x: x.norm(), randn(3, 4), ops=(N,), gradgrad=True),
        case("norm/empty", lambda m, x: m.norm(x), randn(0, 3), ops=(N,)),
        case("norm/empty_dim", lambda m, x: m.norm(x, dim=1), randn(0, 3), ops=(N,)),
        case("norm/zero_grad", lambda m, x: m.norm(x * 0, 2), randn(3), ops=(N,),
             gradcheck=False),
        case("norm/zero_grad_p3", lambda m, x: m.norm(x * 0, 3, dim=0), randn(3, 2), ops=(N,),
             gradcheck=False),
        case("norm/zero_p_half", lambda m, x: m.norm(x * m.tensor([0.0, 1.0, 1.0]).to(x.dtype),
                                                     0.5), away(3), ops=(N,), gradcheck=False),
        case("norm/inf_ties", lambda m, x: m.norm(x, float("inf"), dim=1), ties(3, 4), ops=(N,),
             gradcheck=False),
        case("norm/dtype", lambda m, x: m.norm(x, dim=0, dtype=m.float64), randn(3, 2), ops=(N,)),
        case("vector_norm/default", lambda m, x: m.linalg.vector_norm(x), randn(3, 4), ops=(N,)),
        case("vector_norm/ord_dim", lambda m, x: m.linalg.vector_norm(x, ord=3, dim=(0, 1),
                                                                      keepdim=True),
             away(2, 3, 2), ops=(N,)),
        case("vector_norm/int_ord", lambda m, x: m.linalg.vector_norm(x, 1, -1), away(3, 4),
             ops=(N,)),
        case("linalg_norm/vector", lambda m, x: m.linalg.norm(x), randn(3, 4), ops=(N,)),
        case("linalg_norm/1d_ord", lambda m, x: m.linalg.norm(x, 1), away(5), ops=(N,)),
        case("linalg_norm/dim_int", lambda m, x: m.linalg.norm(x, 3, dim=0), away(3, 4),
             ops=(N,)),
        case("linalg_norm/fro", lambda m, x: m.linalg.norm(x, "fro"), randn(3, 4), ops=(N,)),
        case("linalg_norm/fro_dims", lambda m, x: m.linalg.norm(x, "fro", dim=(1, 2),
                                                                keepdim=True),
             randn(2, 3, 4), ops=(N,)),
        case("dist/p2", lambda m, x, y: m.dist(x, y), randn(3, 4), randn(3, 4), gradgrad=True),
        case("dist/p1_method", lambda m, x, y: x.dist(y, 1), randn(3, 4), randn(4)),
        case("dist/p3", lambda m, x, y: m.dist(x, y, p=3), randn(2, 3), randn(2, 3)),
        case("dist/inf", lambda m, x, y: m.dist(x, y, float("inf")), randn(5), randn(5)),
        # p = 0: torch leaves the gradient undefined (x.grad None): tests/test_math_extra.py
        case("dist/p0", lambda m, x, y: m.dist(x, y, 0), randn(5), randn(5), grad=False),
        case("dist/0d", lambda m, x, y: m.dist(x, y), randn(), randn(3)),
        case("dist/empty", lambda m, x, y: m.dist(x, y), randn(0), randn(0)),
        case("dist/nc", lambda m, x, y: m.dist(x, y, 1.5), randn(3, 4, nc=True), randn(3, 4)),
    ]
    return out


def _nan_reductions():
    withnan = [[1.0, NAN, 2.0, -1.0], [NAN, NAN, 0.5, 3.0], [0.25, 1.0, -2.0, NAN]]
    out = []
    for name in ("nansum", "nanmean"):
        out += [
            case(f"{name}/all", lambda m, x, n=name: getattr(m, n)(x), randn(3, 4), gradgrad=True),
            case(f"{name}/dim", lambda m, x, n=name: getattr(x, n)(1), randn(3, 4)),
            case(f"{name}/dims_keep", lambda m, x, n=name: getattr(m, n)(x, (0, 2), True),
                 randn(2, 3, 4)),
            case(f"{name}/nan", lambda m, x, n=name: getattr(m, n)(x, dim=1), const(withnan)),
            case(f"{name}/nan_all", lambda m, x, n=name: getattr(m, n)(x), const(withnan)),
            case(f"{name}/0d", lambda m, x, n=name: getattr(m, n)(x), randn()),
            case(f"{name}/empty", lambda m, x, n=name: getattr(m, n)(x, 0), randn(0, 3)),
            case(f"{name}/nc", lambda m, x, n=name: getattr(x, n)(-1), randn(3, 4, nc=True)),
            case(f"{name}/dtype", lambda m, x, n=name: getattr(m, n)(x, 0, dtype=m.float64),
                 randn(3, 2)),
        ]
    out += [
        case("nansum/int", lambda m, i: (m.nansum(i), m.nansum(i, 0)), ints(3, 4)),
        case("nanmean/all_nan_row", lambda m, x: m.nanmean(x, 1),
             const([[NAN, NAN], [1.0, 2.0]]), gradcheck=False),
    ]
    return out


CASES = _unary() + _binary() + _predicates() + _norms() + _nan_reductions()


def _cdist():
    N, E = "_cdist_forward", "_euclidean_dist"
    return [
        case("cdist/p2", lambda m, a, b: m.cdist(a, b), randn(3, 4), randn(5, 4), ops=(N,)),
        case("cdist/p1", lambda m, a, b: m.cdist(a, b, p=1), randn(3, 2), randn(4, 2), ops=(N,),
             gradcheck=False),
        case("cdist/p3_batched", lambda m, a, b: m.cdist(a, b, 3.0), randn(2, 3, 4),
             randn(2, 5, 4), ops=(N,)),
        case("cdist/inf", lambda m, a, b: m.cdist(a, b, float("inf")), randn(3, 2), randn(2, 2),
             ops=(N,), gradcheck=False),
        case("cdist/broadcast_batch", lambda m, a, b: m.cdist(a, b), randn(2, 1, 3, 4),
             randn(3, 5, 4), ops=(N,)),
        case("cdist/large", lambda m, a, b: m.cdist(a, b), randn(30, 3), randn(27, 3), ops=(E,),
             rtol=1e-3, atol=1e-4),
        case("cdist/large_batched", lambda m, a, b: m.cdist(a, b), randn(2, 30, 3), randn(27, 3),
             ops=(E,), rtol=1e-3, atol=1e-4),
        case("cdist/zero_distance", lambda m, a: m.cdist(a, a), randn(4, 3), ops=(N,),
             gradcheck=False, rtol=1e-3, atol=1e-4),
    ]


CASES += _cdist()
