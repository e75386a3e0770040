"""Seed 004 (web page "Autograd - PyTorch Beginner 03"): its snippets, in order, made runnable.

The page lost lines of the tutorial it shows (prints, z.backward(), y.backward(v), requires_grad_,
the backward in the training loop); those are back, marked "restored", and prints of the values
each snippet computes are added so its behaviour is observable. torch.randn values are fixed.
"""
# ruff: noqa: B007  (the seed's code, kept as written)
import torch

# Snippet 1: requires_grad and grad_fn
x = torch.tensor([0.3367, 0.1288, 0.2345], requires_grad=True)  # was torch.randn(3, ...)
y = x + 2

# y was created as a result of an operation, so it has a grad_fn attribute.
print(x)  # created by the user -> grad_fn is None
print(x.grad_fn)
print(y)
print(y.grad_fn)

# Do more operations on y
z = y * y * 3
print(z)
z = z.mean()
print(z)

# Snippet 2: backpropagation. As the page shows it, backward() was never called:
print(x.grad)  # dz/dx -> None
z.backward()  # restored
print(x.grad)  # dz/dx

# Snippet 3: non-scalar output needs a gradient argument (vector-Jacobian product)
x = torch.tensor([-1.1229, -0.1863, 2.2082], requires_grad=True)  # was torch.randn(3, ...)

y = x * 2
for _ in range(10):
    y = y * 2

print(y)
print(y.shape)

v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float32)
y.backward(v)  # restored
print(x.grad)

# Snippet 4: .requires_grad_(...) changes an existing flag in-place
a = torch.tensor([[-0.6380, 0.4617],  # was torch.randn(2, 2)
                  [0.2674, 0.5349]])
print(a.requires_grad)
b = ((a * 3) / (a - 1))
print(b)
print(b.grad_fn)
a.requires_grad_(True)  # restored
print(a.requires_grad)
b = (a * a).sum()
print(b)
print(b.grad_fn)

# Snippet 5: .detach() gives a tensor with the same content and no gradient tracking
a = torch.tensor([[0.8094, -1.0950],  # was torch.randn(2, 2, ...)
                  [-0.3441, 0.9210]], requires_grad=True)
print(a.requires_grad)
b = a.detach()
print(b)
print(b.requires_grad)

# Snippet 6: wrap in torch.no_grad() (the page squares x from snippet 3, not a)
a = torch.tensor([[1.5410, -0.2934],  # was torch.randn(2, 2, ...)
                  [-2.1788, 0.5684]], requires_grad=True)
print(a.requires_grad)
with torch.no_grad():
    print((x**2).requires_grad)

# Snippet 7: empty the gradients before each optimisation step
weights = torch.ones(4, requires_grad=True)

for epoch in range(3):
    # just a dummy example
    model_output = (weights * 3).sum()
    model_output.backward()  # restored

    print(weights.grad)  # restored

    # optimize model, i.e. adjust weights...
    with torch.no_grad():
        weights -= 0.1 * weights.grad

    # this is important! It affects the final weights & output
    weights.grad.zero_()  # restored

print(weights)
print(model_output)

# Snippet 8: the optimizer has a zero_grad() method
optimizer = torch.optim.SGD([weights], lr=0.1)
# During training:
model_output = (weights * 3).sum()  # added: one step with a gradient, so step() moves weights
model_output.backward()
optimizer.step()
optimizer.zero_grad()
print(weights)
print(weights.grad)
