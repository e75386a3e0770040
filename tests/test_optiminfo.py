"""torch's OptimizerInfo samples (tests/optiminfo_sweep.py) for every tapegrad optimizer: each
configuration (plain, foreach=True, fused=True where torch lists them) ends at torch's weights in
float64 and float32, and each error input raises or warns as torch does."""
import pytest

torch = pytest.importorskip("torch")

import optiminfo_sweep as sweep  # noqa: E402

from crosscheck import tg  # noqa: E402

INFOS = {i.optim_cls.__name__: i for i in sweep.infos()}


def _present(name):
    return name not in sweep.ABSENT and hasattr(tg().optim, name)


def test_every_torch_optimizer_is_present_or_explained():
    missing = [n for n in INFOS if n not in sweep.ABSENT and not hasattr(tg().optim, n)]
    assert not missing, f"torch optimizers missing from tapegrad.optim: {missing}"


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", [n for n in INFOS if n not in sweep.ABSENT])
def test_configs_match_torch(name, dtype):
    if not _present(name):
        pytest.fail(f"{name} is not in tapegrad.optim")
    bad = [(d, r) for d, r in sweep.check_configs(INFOS[name], dtype) if r is not None]
    assert not bad, "\n".join(f"{d}: {r}" for d, r in bad)


@pytest.mark.parametrize("name", [n for n in INFOS if n not in sweep.ABSENT])
def test_error_inputs_match_torch(name):
    if not _present(name):
        pytest.fail(f"{name} is not in tapegrad.optim")
    res = sweep.check_errors(INFOS[name])
    bad = [(d, r) for d, r in res if r is not None and not r.startswith("skip")]
    assert not bad, "\n".join(f"{d}: {r}" for d, r in bad)
    assert any(r is None for _, r in res)
