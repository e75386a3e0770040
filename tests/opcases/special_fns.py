"""Cases for torch.special's compiled functions (helper S): i0 / special_i0e / special_i1 /
special_i1e, ndtri, log_ndtr, erfcx, entr, xlog1py (tensor and number operands), zeta and
igamma / igammac (gradient of the second argument only, as torch), mvlgamma, and forward-only
cases of the functions torch gives no gradient (Bessel J/Y/K, Airy, orthogonal polynomials).
Wide-range and special-value accuracy lives in tests/test_special.py.
"""
from crosscheck import const, ints, pos, randn, uniform
from opcases.base import case

INF, NAN = float("inf"), float("nan")

# unary rows: (op name, call, sampler, gradgrad)
UNARY = [
    ("i0", lambda m, x: m.i0(x), randn, True),
    ("special_i0e", lambda m, x: m.special.i0e(x), randn, True),
    ("special_i1", lambda m, x: m.special.i1(x), randn, True),
    ("special_i1e", lambda m, x: m.special.i1e(x), randn, True),
    ("special_ndtri", lambda m, x: m.special.ndtri(x),
     lambda *s, **k: uniform(*s, low=0.05, high=0.95, **k), True),
    ("special_log_ndtr", lambda m, x: m.special.log_ndtr(x), randn, True),
    ("special_erfcx", lambda m, x: m.special.erfcx(x), randn, True),
    ("special_entr", lambda m, x: m.special.entr(x), pos, True),
]


def _unary():
    out = []
    for name, f, S, gg in UNARY:
        out += [
            case(f"{name}/2d", f, S(3, 4), gradgrad=gg),
            case(f"{name}/0d", f, S()),
            case(f"{name}/empty", f, S(0, 3)),
            case(f"{name}/nc", f, S(3, 4, nc=True)),
            case(f"{name}/int", f, ints(2, 3, low=1, high=4) if name != "special_ndtri"
                 else ints(2, 3, low=0, high=2)),
        ]
    out += [
        case("i0/method", lambda m, x: x.i0(), randn(2, 3)),
        case("i0/special_alias", lambda m, x: m.special.i0(x), randn(2, 3)),
        case("i0/inplace", lambda m, x: (x * 1).i0_(), randn(2, 3)),
        case("i0/values", lambda m, x: m.i0(x), const([0.0, -1.0, 5.0, -31.0, 50.0, 700.0, INF,
                                                        -INF, NAN]), grad=False),
        case("special_i0e/values", lambda m, x: m.special.i0e(x),
             const([0.0, -1.0, 5.0, -31.0, 50.0, 1e5, INF, -INF, NAN]), grad=False),
        case("special_i1/values", lambda m, x: m.special.i1(x),
             const([0.0, -1.0, 5.0, -31.0, 50.0, 700.0, INF, -INF, NAN]), grad=False),
        case("special_i1/at_zero", lambda m, x: m.special.i1(x * 0), randn(3)),
        case("special_i1e/at_zero", lambda m, x: m.special.i1e(x * 0), randn(3)),
        case("special_i1e/values", lambda m, x: m.special.i1e(x),
             const([0.0, -1.0, 5.0, -31.0, 50.0, 1e5, INF, -INF, NAN]), grad=False),
        case("special_ndtri/values", lambda m, x: m.special.ndtri(x),
             const([0.0, 1.0, 0.5, 1e-10, 1 - 1e-7, 0.25, 0.975, -0.5, 1.5, NAN]), grad=False),
        case("special_log_ndtr/values", lambda m, x: m.special.log_ndtr(x),
             const([0.0, -1.0, -10.0, -40.0, 5.0, 10.0, INF, -INF, NAN]), grad=False),
        case("special_erfcx/values", lambda m, x: m.special.erfcx(x),
             const([0.0, -1.0, -5.0, 3.0, 30.0, 1e5, INF, NAN]), grad=False),
        case("special_entr/values", lambda m, x: m.special.entr(x),
             const([0.0, -0.0, -1.0, 0.5, 1.0, 3.0, INF, NAN]), grad=False),
        case("special_entr/zero_grad", lambda m, x: m.special.entr(x * 0 + 1), pos(3)),
    ]
    return out


def _binary():
    out = []
    xp = lambda m, x, y: m.special.xlog1py(x, y)  # noqa: E731
    out += [
        case("special_xlog1py/fn", xp, randn(3, 4), pos(3, 4), gradgrad=True),
        case("special_xlog1py/broadcast", xp, randn(3, 1), pos(4)),
        case("special_xlog1py/0d", xp, randn(), pos(2)),
        case("special_xlog1py/empty", xp, randn(0, 3), pos(3)),
        case("special_xlog1py/number_self", lambda m, y: m.special.xlog1py(2.5, y), pos(3)),
        case("special_xlog1py/number_other", lambda m, x: m.special.xlog1py(x, 0.5), randn(3)),
        case("special_xlog1py/zero_self", lambda m, x, y: m.special.xlog1py(x * 0, y - 3),
             randn(3), pos(3), gradcheck=False),
        case("special_xlog1py/int", lambda m, i, j: m.special.xlog1py(i, j),
             ints(3, low=0, high=3), ints(3, low=0, high=3)),
        case("special_xlog1py/values", lambda m, x: m.special.xlog1py(x[0], x[1]),
             const([[0.0, 0.0, 1.0, 2.0, 0.0, -1.0], [NAN, -1.0, -1.0, INF, 5.0, 0.5]]),
             grad=False),
    ]
    z = lambda m, s, q: m.special.zeta(s, q)  # noqa: E731
    s_arg = lambda *sh: uniform(*sh, low=1.5, high=5.0, rg=False)  # noqa: E731
    out += [
        case("special_zeta/fn", z, s_arg(3, 4), pos(3, 4), gradgrad=True),
        case("special_zeta/broadcast", z, s_arg(3, 1), pos(4)),
        case("special_zeta/number_self", lambda m, q: m.special.zeta(3.0, q), pos(3)),
        case("special_zeta/number_other", lambda m, s: m.special.zeta(s, 2.0),
             s_arg(3), grad=False),
        case("special_zeta/values", lambda m, x: m.special.zeta(x[0], x[1]),
             const([[1.0, 0.5, 2.0, 2.0, 2.5, 3.0, INF, 2.0, 4.0],
                    [1.0, 1.0, 0.0, -1.0, -1.5, -1.5, 2.0, INF, 0.25]]), grad=False),
    ]
    a_arg = lambda *sh: uniform(*sh, low=0.5, high=3.0, rg=False)  # noqa: E731
    for name, fn in [("igamma", "gammainc"), ("igammac", "gammaincc")]:
        out += [
            case(f"{name}/special", lambda m, a, x, f=fn: getattr(m.special, f)(a, x),
                 a_arg(3, 4), pos(3, 4), gradgrad=True),
            case(f"{name}/fn", lambda m, a, x, n=name: getattr(m, n)(a, x), a_arg(3, 1), pos(4)),
            case(f"{name}/method", lambda m, a, x, n=name: getattr(a, n)(x), a_arg(2, 3),
                 pos(2, 3)),
            case(f"{name}/inplace", lambda m, a, x, n=name: getattr(a * 1, n + "_")(x),
                 a_arg(2, 3), pos(2, 3), grad=False),
            case(f"{name}/values", lambda m, x, f=fn: getattr(m.special, f)(x[0], x[1]),
                 const([[0.0, 0.0, 1.0, -1.0, 1.0, 2.0, 1e-3, 100.0, 5.0],
                        [0.0, 1.0, 0.0, 1.0, -1.0, INF, 1e-3, 80.0, 30.0]]), grad=False),
        ]
    out += [
        case("mvlgamma/p1", lambda m, x: m.mvlgamma(x, 1), pos(3, 4), gradgrad=True),
        case("mvlgamma/p3", lambda m, x: m.special.multigammaln(x + 1, 3), pos(2, 3)),
        case("mvlgamma/method", lambda m, x: (x + 2).mvlgamma(p=2), pos(4)),
        case("mvlgamma/below_domain", lambda m, x: m.mvlgamma(x * 0 + 0.1, 2), pos(3)),
    ]
    return out


def _no_grad():
    names = ["bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "modified_bessel_i0",
             "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1",
             "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "spherical_bessel_j0",
             "airy_ai"]
    out = []
    for n in names:
        sampler = pos if ("k0" in n or "k1" in n or "y" in n) else randn
        out.append(case(f"special_{n}/2d", lambda m, x, f=n: getattr(m.special, f)(x),
                        sampler(3, 4), grad=False, atol=1e-6))
    polys = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
             "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t",
             "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
             "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
             "laguerre_polynomial_l", "legendre_polynomial_p"]
    for n in polys:
        out += [
            case(f"special_{n}/tensor_n", lambda m, x, k, f=n: getattr(m.special, f)(x, k),
                 uniform(3, 4, low=-1.0, high=1.0), ints(4, low=-1, high=12), grad=False,
                 atol=1e-6),
            case(f"special_{n}/number_n", lambda m, x, f=n: getattr(m.special, f)(x, 3),
                 uniform(5, low=-1.0, high=1.0), grad=False, atol=1e-6),
        ]
    return out


CASES = _unary() + _binary() + _no_grad()
