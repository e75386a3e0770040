"""Seed 002 ("Gradients in PyTorch"): every cell in order, as a script.

torch.randn inputs are replaced by the values the notebook printed.
"""
# ruff: noqa: B007  (the seed's code, kept as written)
import torch
import numpy as np  # noqa: F401  (imported by the seed)

# In [3]
x = torch.ones(6, requires_grad=True)  # x is a parameter 1x6 vector

# In [5]
x = torch.tensor([-1.3045, -1.3004, -1.7878], requires_grad=True)  # was torch.randn(3, ...)
print(x)
y = x + 2  # first operation
print(y)
z = y * y + 2  # second operation
z = z.mean()  # another operation on the same variable
print(z)

z.backward()  # dz/dx
print(x.grad)

# In [None]: comments only in the seed (no_grad / requires_grad_(False) / detach)

# In [11]
weights = torch.ones(4, requires_grad=True)  # our parameter
for epoch in range(2):
    model_output = (weights * 3).sum()
    model_output.backward()
    print(weights.grad)
    weights.grad.zero_()
