"""Named tuples returned by max/min along a dim, sort and topk, printed as torch prints them."""
import collections


def _make(name, fields=("values", "indices")):
    base = collections.namedtuple(name, list(fields))

    class R(base):
        __slots__ = ()

        def __repr__(self):
            body = ",\n".join(f"{f}={getattr(self, f)!r}" for f in fields)
            return f"torch.return_types.{name}(\n{body})"

    R.__name__ = R.__qualname__ = name
    return R


max = _make("max")  # noqa: A001
min = _make("min")  # noqa: A001
sort = _make("sort")
topk = _make("topk")
median = _make("median")
nanmedian = _make("nanmedian")
kthvalue = _make("kthvalue")
mode = _make("mode")
cummax = _make("cummax")
cummin = _make("cummin")
aminmax = _make("aminmax", ("min", "max"))
# helper T
frexp = _make("frexp", ("mantissa", "exponent"))
histogram = _make("histogram", ("hist", "bin_edges"))
histogramdd = _make("histogramdd", ("hist", "bin_edges"))  # bin_edges: a tuple
# --- helper L: torch.linalg's named results ---
linalg_inv_ex = _make("linalg_inv_ex", ("inverse", "info"))
linalg_cholesky_ex = _make("linalg_cholesky_ex", ("L", "info"))
linalg_solve_ex = _make("linalg_solve_ex", ("result", "info"))
linalg_slogdet = _make("linalg_slogdet", ("sign", "logabsdet"))
slogdet = _make("slogdet", ("sign", "logabsdet"))
linalg_lu_factor = _make("linalg_lu_factor", ("LU", "pivots"))
linalg_lu_factor_ex = _make("linalg_lu_factor_ex", ("LU", "pivots", "info"))
linalg_lu = _make("linalg_lu", ("P", "L", "U"))
lu_unpack = _make("lu_unpack", ("P", "L", "U"))
linalg_qr = _make("linalg_qr", ("Q", "R"))
qr = _make("qr", ("Q", "R"))
linalg_eigh = _make("linalg_eigh", ("eigenvalues", "eigenvectors"))
linalg_svd = _make("linalg_svd", ("U", "S", "Vh"))
svd = _make("svd", ("U", "S", "V"))
linalg_lstsq = _make("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))
triangular_solve = _make("triangular_solve", ("solution", "cloned_coefficient"))
# helper A
geqrf = _make("geqrf", ("a", "tau"))
linalg_ldl_factor = _make("linalg_ldl_factor", ("LD", "pivots"))
linalg_ldl_factor_ex = _make("linalg_ldl_factor_ex", ("LD", "pivots", "info"))


_OUT_TYPES = {}


def _out_type(cls):
    """torch's `<name>_out` twin of a named result, what a call with out= returns (e.g.
    torch.return_types.max_out); made on first use."""
    name = cls.__name__ + "_out"
    if name not in _OUT_TYPES:
        _OUT_TYPES[name] = _make(name, cls._fields)
    return _OUT_TYPES[name]
