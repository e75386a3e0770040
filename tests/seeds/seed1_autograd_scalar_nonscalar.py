"""Seed 001 ("AutoGrad in PyTorch"): every cell in the order of the notebook file.

`import torchvision` is dropped; torch.randn weights are fixed to values that reproduce the
gradients the notebook printed; displayed expressions are printed with repr().
"""
# ruff: noqa: E741, N806  (the seed's code, kept as written)
import torch


# In [46]
def compute():
    a = torch.tensor([3.], requires_grad=True)
    O = 5 * a**2
    return [a, O]


# In [47]
[a, O] = compute()
print(a)
print(O)

# In [48]
O.backward()
print(a.grad)

# In [30] (the notebook shows a stale "tensor([20.])" under this cell; it displays nothing)
a = torch.tensor([2.], requires_grad=True)

# In [35]
O = 5 * a**2
O.backward()
print(a.grad)

# In [34]
print(repr(a.grad.zero_()))

# In [52]: inspect the graph
[a, O] = compute()
print(O.grad_fn)
print(O.grad_fn.next_functions)

# In [58]: call the backward functions by hand
temp = torch.tensor([1.])
print(O.grad_fn(temp))
print(O.grad_fn.next_functions[0][0](temp))

# In [61]: non-scalar case
x = torch.ones(3)  # input tensor
w = torch.tensor([[0.5, -0.3],  # was torch.randn(3, 2, ...)
                  [0.6, -0.5],
                  [0.4, -0.2]], requires_grad=True)
b = torch.tensor([0.2711, -0.3407], requires_grad=True)  # was torch.randn(2, ...)
z = torch.matmul(x, w) + b
y = torch.zeros(2)  # Output
loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)

# In [62]
loss.backward()
print(w.grad)
print(b.grad)

# In [63]: no-grad mode
z = torch.matmul(x, w) + b
print(z.requires_grad)

with torch.no_grad():
    z = torch.matmul(x, w) + b
print(z.requires_grad)

# In [64]
z = torch.matmul(x, w) + b
z_det = z.detach()
print(z_det.requires_grad)
