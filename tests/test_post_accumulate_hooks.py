"""Tensor.register_post_accumulate_grad_hook against torch: the hook sees the leaf itself after
its .grad is accumulated (once per backward, in accumulation order with other leaves), an
optimizer step inside backward (torch's tutorial), removal, and torch's errors."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

import tapegrad  # noqa: E402
from test_errors import assert_same_error  # noqa: E402


def test_hook_sees_the_accumulated_leaf_like_torch():
    def run(m):
        x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        seen = []
        h = x.register_post_accumulate_grad_hook(
            lambda t: seen.append((t is x, t.grad.tolist())))
        (x * x).sum().backward()
        (x * 3).sum().backward()
        h.remove()
        (x * 5).sum().backward()
        return seen, x.grad.tolist()
    assert run(tapegrad) == run(torch)


def test_optimizer_step_in_backward_like_torch():
    def run(m):
        m.manual_seed(0)
        net = m.nn.Sequential(m.nn.Linear(3, 4), m.nn.Tanh(), m.nn.Linear(4, 2))
        opts = {p: m.optim.SGD([p], lr=0.1) for p in net.parameters()}

        def step(p):
            opts[p].step()
            opts[p].zero_grad()
        for p in net.parameters():
            p.register_post_accumulate_grad_hook(step)
        x = m.ones(5, 3)
        for _ in range(3):
            net(x).pow(2).sum().backward()
        return [p.detach().numpy().copy() for p in net.parameters()]
    for a, b in zip(run(tapegrad), run(torch)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


ERRORS = {
    "no_grad": lambda m: m.ones(2).register_post_accumulate_grad_hook(lambda t: None),
    "non_leaf": lambda m: (m.ones(2, requires_grad=True) * 2).register_post_accumulate_grad_hook(
        lambda t: None),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_like_torch(name):
    assert_same_error(ERRORS[name])
