"""Seed 000 ("Autograd"): every cell in order, as a script.

torch.randn inputs are replaced by the values the notebook printed; displayed outputs are printed.
"""
# ruff: noqa: B007  (the seed's code, kept as written)
import torch

# In [10]
x = torch.tensor([-0.8570, -0.4600, -1.6681], requires_grad=True)  # was torch.randn(3, ...)
print(x)

# In [11]
y = x + 2
print(y)

z = y * y * 2
z = z.mean()
print(z)

# In [None] (shown with output in the seed)
z.backward()  # dz/dx
print(x.grad)
print(x)

# In [15]
x = torch.tensor([-0.4585, 0.8202, 0.8619], requires_grad=True)  # was torch.randn(3, ...)
print(x)

y = x.detach()
print(y)

# In [16]: gradients accumulate across backward() calls
weights = torch.ones(4, requires_grad=True)

for epoch in range(3):
    model_output = (weights * 3).sum()
    model_output.backward()

    print(weights.grad)

# In [17]: same with grad.zero_()
weights = torch.ones(4, requires_grad=True)

for epoch in range(3):
    model_output = (weights * 3).sum()
    model_output.backward()

    print(weights.grad)
    weights.grad.zero_()

# In [23]: with an optimizer (step() before any backward: grad is None, nothing moves)
weights = torch.ones(4, requires_grad=True)

optimizer = torch.optim.SGD([weights], lr=0.01)
optimizer.step()
optimizer.zero_grad()
# Added so the cell's effect is observable (the seed prints nothing here).
print(weights)
print(weights.grad)
