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
