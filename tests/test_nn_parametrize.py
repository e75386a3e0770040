"""nn.utils.parametrize, nn.utils.parametrizations (weight_norm, spectral_norm), the hook forms
nn.utils.weight_norm / spectral_norm, and the clip_grad additions, against torch: forward values,
gradients of inputs and of every (original) parameter for a random upstream gradient, an SGD
step and the forward after it (through the parametrization), float64 and float32; state_dict
keys, class names, reprs, the power-iteration buffers (same seed, same draws), removal, caching,
assignment through right_inverse, and torch's errors."""
import copy
import pickle
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import crosscheck as cc  # noqa: E402
import tapegrad  # noqa: E402
from crosscheck import randn  # noqa: E402
from test_errors import assert_same_error  # noqa: E402
from test_nn_modules import check_module  # noqa: E402


def _quiet(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return fn()


def _seeded(build):
    """Both libraries draw the same numbers after the same seed (power-iteration vectors)."""
    def make(m):
        m.manual_seed(3)
        return _quiet(lambda: build(m))
    return make


def _fixed_vectors(build):
    """_seeded, then the power-iteration vectors set to the same values in both libraries: the
    15 iterations at registration run in float32, whose last bits differ between the two
    libraries' products, and sigma carries that into the float64 comparison."""
    def make(m):
        mod = _seeded(build)(m)
        with m.no_grad():
            for name, buf in mod.named_buffers():
                if name.rsplit(".", 1)[-1] in ("_u", "_v", "weight_u", "weight_v"):
                    vals = m.linspace(1, 2, buf.numel(), dtype=buf.dtype).reshape(buf.shape)
                    buf.copy_(vals / vals.norm())
        return mod
    return make


def P(m):
    return m.nn.utils.parametrizations


U = {
    "weight_norm/linear": lambda m: P(m).weight_norm(m.nn.Linear(4, 3)),
    "weight_norm/conv_dim1": lambda m: P(m).weight_norm(m.nn.Conv2d(2, 3, 3), dim=1),
    "weight_norm/dim_none": lambda m: P(m).weight_norm(m.nn.Linear(4, 3), dim=None),
    "weight_norm/last_dim_bias": lambda m: P(m).weight_norm(m.nn.Linear(4, 3), "bias", -1),
    "spectral_norm/linear": lambda m: P(m).spectral_norm(m.nn.Linear(4, 3)),
    "spectral_norm/conv_two_iters": lambda m: P(m).spectral_norm(m.nn.Conv2d(2, 3, 3),
                                                                 n_power_iterations=2),
    "spectral_norm/conv_transpose": lambda m: P(m).spectral_norm(m.nn.ConvTranspose2d(2, 3, 3)),
    "spectral_norm/eval": lambda m: P(m).spectral_norm(m.nn.Linear(4, 3)).eval(),
    "spectral_norm/bias_1d": lambda m: P(m).spectral_norm(m.nn.Linear(4, 3), "bias"),
    "hook_weight_norm/linear": lambda m: m.nn.utils.weight_norm(m.nn.Linear(4, 3)),
    "hook_weight_norm/conv_dim_none": lambda m: m.nn.utils.weight_norm(m.nn.Conv2d(2, 3, 3),
                                                                       dim=None),
    "hook_spectral_norm/linear": lambda m: m.nn.utils.spectral_norm(m.nn.Linear(4, 3)),
    "hook_spectral_norm/conv_transpose": lambda m: m.nn.utils.spectral_norm(
        m.nn.ConvTranspose2d(2, 3, 3), n_power_iterations=3),
    "two_parametrizations": lambda m: P(m).spectral_norm(P(m).weight_norm(m.nn.Linear(4, 3))),
}
# (2-d convolutions: tapegrad's conv1d records a squeeze after a 2-d convolution)
INPUTS = {"conv": randn(2, 2, 5, 5), "linear": randn(2, 4)}


@pytest.mark.parametrize("label", list(U))
def test_parametrized_modules_against_torch(label):
    x = INPUTS["conv"] if "conv" in label else INPUTS["linear"]
    check_module(_fixed_vectors(U[label]), x, label=label)


@pytest.mark.parametrize("label", list(U))
def test_structure_like_torch(label):
    ref, got = _seeded(U[label])(torch), _seeded(U[label])(tapegrad)
    assert type(got).__name__ == type(ref).__name__
    assert list(got.state_dict()) == list(ref.state_dict())
    assert [n for n, _ in got.named_parameters()] == [n for n, _ in ref.named_parameters()]
    assert repr(got) == repr(ref)
    for k, v in ref.state_dict().items():  # the buffers drawn after the same seed included
        # (the buffers after 15 float32 power iterations: last-bit differences grow a little)
        np.testing.assert_allclose(got.state_dict()[k].numpy(), v.numpy(), rtol=1e-5,
                                   atol=1e-6, err_msg=k)


# ------------------------------------------------------------------------------ parametrize


def _symmetric(m):
    class Symmetric(m.nn.Module):
        def forward(self, x):
            return x.triu() + x.triu(1).transpose(0, 1)

        def right_inverse(self, a):
            return a.triu()
    return Symmetric()


def _double(m):
    class Double(m.nn.Module):
        def forward(self, x):
            return 2 * x
    return Double()


def test_register_cache_assign_remove():
    def fn(m, w):
        lin = m.nn.Linear(3, 3).to(w.dtype)
        with m.no_grad():
            lin.weight.copy_(w.detach())
        pz = m.nn.utils.parametrize
        pz.register_parametrization(lin, "weight", _symmetric(m))
        out = [lin.weight, pz.is_parametrized(lin), pz.is_parametrized(lin, "weight"),
               pz.is_parametrized(lin, "bias"), type(lin).__name__,
               pz.type_before_parametrizations(lin).__name__]
        with pz.cached():
            a, b = lin.weight, lin.weight
            out.append(a is b)
        out.append(lin.weight is lin.weight)
        lin.weight = w.detach() * 3  # through right_inverse: original = triu(3 w)
        out += [lin.parametrizations.weight.original, lin.weight]
        pz.register_parametrization(lin, "weight", _double(m))  # a second one stacks
        out += [lin.weight, len(lin.parametrizations.weight)]
        pz.remove_parametrizations(lin, "weight", leave_parametrized=True)
        out += [lin.weight, type(lin).__name__, hasattr(lin, "parametrizations"),
                type(lin.weight).__name__]
        return tuple(out)
    cc.check(fn, randn(3, 3), grad=False)


def test_remove_without_leaving_parametrized_and_gradients():
    def fn(m, w, x):
        lin = m.nn.Linear(3, 3).to(x.dtype)
        with m.no_grad():
            lin.weight.copy_(w.detach())
        pz = m.nn.utils.parametrize
        pz.register_parametrization(lin, "weight", _symmetric(m))
        y = lin(x)
        pz.remove_parametrizations(lin, "weight", leave_parametrized=False)
        return y, lin.weight  # y's gradient (checked) flows through the symmetric weight
    cc.check(fn, randn(3, 3, rg=False), randn(2, 3))


def test_unsafe_changes_shape_and_buffers_parametrize():
    def fn(m, x):
        class Widen(m.nn.Module):
            def forward(self, w):
                return m.cat([w, w], 0)

        lin = m.nn.Linear(3, 2)
        m.nn.utils.parametrize.register_parametrization(lin, "weight", Widen(), unsafe=True)
        bn = m.nn.BatchNorm1d(3)
        m.nn.utils.parametrize.register_parametrization(bn, "running_var", _double(m))
        return lin.weight.shape, bn.running_var, list(bn.state_dict())
    cc.check(fn, randn(2, 3), grad=False)


def test_old_weight_norm_state_dict_loads_into_the_parametrization():
    for m in (torch, tapegrad):
        m.manual_seed(0)
        old = _quiet(lambda: m.nn.utils.weight_norm(m.nn.Linear(3, 2)))
        new = P(m).weight_norm(m.nn.Linear(3, 2))
        new.load_state_dict(old.state_dict())
        np.testing.assert_allclose(new.weight.detach().numpy(), old.weight.detach().numpy(),
                                   rtol=1e-6)


def test_load_state_dict_pre_hooks():
    seen = []
    lin = tapegrad.nn.Linear(2, 2)
    h = lin.register_load_state_dict_pre_hook(lambda mod, sd, prefix, *rest: seen.append(
        (mod is lin, prefix, sorted(sd))))
    lin.load_state_dict(tapegrad.nn.Linear(2, 2).state_dict())
    h.remove()
    lin.load_state_dict(tapegrad.nn.Linear(2, 2).state_dict())
    assert seen == [(True, "", ["bias", "weight"])]


def test_pickling_refused_deepcopy_works():
    for m in (torch, tapegrad):
        lin = P(m).weight_norm(m.nn.Linear(2, 2))
        with pytest.raises(RuntimeError, match="Serialization of parametrized modules is only "
                                               "supported through state_dict()"):
            pickle.dumps(lin)
        twin = copy.deepcopy(lin)
        assert type(twin).__name__ == "ParametrizedLinear"
        assert twin.parametrizations.weight.original0 is not lin.parametrizations.weight.original0
        np.testing.assert_allclose(twin.weight.detach().numpy(), lin.weight.detach().numpy())


def test_transfer_parametrizations_and_params():
    def fn(m):
        src = P(m).weight_norm(m.nn.Linear(3, 2))
        dst = m.nn.Linear(3, 2)
        m.nn.utils.parametrize.transfer_parametrizations_and_params(src, dst)
        return (dst.weight, type(dst).__name__, list(dst.state_dict()),
                dst.parametrizations.weight.original0)
    cc.check(_seeded(fn), grad=False)


PZ_ERRORS = {
    "missing_name": lambda m: m.nn.utils.parametrize.register_parametrization(
        m.nn.Linear(2, 2), "nope", _double(m)),
    "shape_change": lambda m: m.nn.utils.parametrize.register_parametrization(
        m.nn.Linear(2, 3), "weight", type("T", (m.nn.Module,), {
            "forward": lambda self, x: x.t()})()),
    "dtype_change": lambda m: m.nn.utils.parametrize.register_parametrization(
        m.nn.Linear(2, 2), "weight", type("D", (m.nn.Module,), {
            "forward": lambda self, x: x.double()})()),
    "not_tensor": lambda m: m.nn.utils.parametrize.register_parametrization(
        m.nn.Linear(2, 2), "weight", type("N", (m.nn.Module,), {
            "forward": lambda self, x: 3})()),
    "no_right_inverse": lambda m: setattr(m.nn.utils.parametrize.register_parametrization(
        m.nn.Linear(2, 2), "weight", _double(m)), "weight", m.ones(2, 2)),
    "remove_missing": lambda m: m.nn.utils.parametrize.remove_parametrizations(
        m.nn.Linear(2, 2), "weight"),
    "remove_sequence_unparametrized": lambda m: m.nn.utils.parametrize.remove_parametrizations(
        P(m).weight_norm(m.nn.Linear(2, 2)), "weight", leave_parametrized=False),
    "empty_list": lambda m: m.nn.utils.parametrize.ParametrizationList([], m.ones(2)),
    "spectral_dim": lambda m: P(m).spectral_norm(m.nn.Linear(2, 2), dim=2),
    "spectral_iters": lambda m: P(m).spectral_norm(m.nn.Linear(2, 2), n_power_iterations=0),
    "spectral_missing": lambda m: P(m).spectral_norm(m.nn.Linear(2, 2), "nope"),
    "hook_twice": lambda m: m.nn.utils.spectral_norm(m.nn.utils.spectral_norm(
        m.nn.Linear(2, 2))),
    "hook_weight_norm_twice": lambda m: _quiet(lambda: m.nn.utils.weight_norm(
        m.nn.utils.weight_norm(m.nn.Linear(2, 2)))),
    "remove_hook_missing": lambda m: m.nn.utils.remove_weight_norm(m.nn.Linear(2, 2)),
    "remove_spectral_missing": lambda m: m.nn.utils.remove_spectral_norm(m.nn.Linear(2, 2)),
    "hook_iters": lambda m: m.nn.utils.spectral_norm(m.nn.Linear(2, 2), n_power_iterations=0),
}


@pytest.mark.parametrize("name", list(PZ_ERRORS))
def test_errors_like_torch(name):
    assert_same_error(PZ_ERRORS[name])


def test_hook_forms_remove_and_warn():
    def fn(m, x):
        m.manual_seed(1)  # the same power-iteration draws in both
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lin = m.nn.utils.weight_norm(m.nn.Linear(4, 3).to(x.dtype))
        warned = [(c.category.__name__, str(c.message)) for c in w]
        y = lin(x)
        m.nn.utils.remove_weight_norm(lin)
        sn = m.nn.utils.spectral_norm(m.nn.Linear(4, 3).to(x.dtype))
        z = sn(x)
        m.nn.utils.remove_spectral_norm(sn)
        return (y, lin.weight, sorted(dict(lin.named_parameters())), z, sn.weight,
                sorted(sn.state_dict()), warned)
    cc.check(fn, randn(2, 4))


# -------------------------------------------------------------------------------- clip_grad


def test_get_total_norm_and_clip_grads_with_norm():
    def fn(m, a, b):
        ps = [m.nn.Parameter(a.detach() * 1), m.nn.Parameter(b.detach() * 1)]
        for p in ps:
            p.grad = p.detach() * 5
        u = m.nn.utils
        total = u.get_total_norm([p.grad for p in ps], 3.0)
        u.clip_grads_with_norm_(ps, 1.5, total)
        inf = u.get_total_norm(ps[0].grad, float("inf"))
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            again = u.clip_grad_norm(ps, 0.5)
        return (total, ps[0].grad, ps[1].grad, inf, again, u.get_total_norm([]),
                [str(c.message) for c in w])
    cc.check(fn, randn(3, 2, rg=False), randn(4, rg=False), grad=False)
    assert_same_error(lambda m: m.nn.utils.get_total_norm([m.tensor([float("inf")])],
                                                          error_if_nonfinite=True))
