"""Seed 003 (autograd, a hand-written BCE training step, disabling tracking): every cell in order.

Cells whose last line is an expression print its repr(), as the notebook displays it; the two
errors the notebook shows are caught and printed as "Type: message". Both 400-step loops stay.
"""
# ruff: noqa: B007, B018, N816  (the seed's code, kept as written)
import torch


# In [1]
def dy_dx(x):
    return 2 * x


# In [2]
print(repr(dy_dx(3)))

# In [3]
x = torch.tensor(4.0, requires_grad=True)  # we want its gradient
print(repr(x))

# In [4]
y = x**2
print(repr(y))

# In [5]
y.backward()

# In [6]
print(repr(x.grad))

# In [7]
a = torch.tensor(16.0, requires_grad=True)  # requires floating point
b = a**2
c = torch.sin(b)

# In [8]
print(a)
print(b)
print(c)

# In [9]
c.backward()

# In [10]
print(repr(a.grad))

# In [12]: inputs
x = torch.tensor(6.7)  # input feature
y = torch.tensor(0.0)  # true label

w = torch.tensor(1.0)  # weight
b = torch.tensor(0.0)  # bias


# In [13]: binary cross entropy loss for a scalar
def binary_cross_entropy_loss(y_pred, target):
    epsilon = 1e-8  # to prevent log(0)
    y_pred = torch.clamp(y_pred, epsilon, 1 - epsilon)
    return -(target * torch.log(y_pred) + (1 - target) * torch.log(1 - y_pred))


# In [14]: forward pass
z = w * x + b  # weighted sum (linear part)
y_pred = torch.sigmoid(z)  # predicted probability

loss = binary_cross_entropy_loss(y_pred, y)

# In [15]
print(repr(loss))

# In [16]: derivatives by hand
dL_dP = (y_pred - y) / (y_pred * (1 - y_pred))  # loss w.r.t. prediction
dy_dz = y_pred * (1 - y_pred)  # prediction w.r.t. pre-activation
dz_dW = x
dz_db = 1  # bias contributes directly to z

dL_dW = dL_dP * dy_dz * dz_dW
dL_db = dL_dP * dy_dz * dz_db

# In [17]
print(f"manual Gradient of loss w.r.t weights: {dL_dW}")
print(f"manual Gradient of loss w.r.t bias: {dL_db}")

# In [18]
x = torch.tensor(6.7)
y = torch.tensor(0.0)

# In [19]
w = torch.tensor(1.0, requires_grad=True)
b = torch.tensor(0.0, requires_grad=True)

# In [20]
z = w * x + b
print(repr(z))

# In [21]
y_pred = torch.sigmoid(z)
print(repr(y_pred))

# In [22]
loss = binary_cross_entropy_loss(y_pred, y)
print(repr(loss))

# In [23]
loss.backward()

# In [24]
print(w.grad)
print(b.grad)

# In [25]: vector inputs
x = torch.tensor([3.8, 6.7, 8.9], requires_grad=True)
print(repr(x))

# In [39]
y = (x**3 + 3 * (x**2) - 4 * x + 5).mean()

# In [40]
y.backward()

# In [41]
print(repr(x.grad))

# In [44]: gradients accumulate over repeated backward passes
x = torch.tensor(2.0, requires_grad=True)
for i in range(400):
    y = x**2
    y.backward()
    print(x.grad)
    # x.grad.zero_()

# In [45]: the same, cleared every step
x = torch.tensor(2.0, requires_grad=True)
for i in range(400):
    y = x**2
    y.backward()
    print(x.grad)
    x.grad.zero_()

# In [None] (not run in the seed)
x.grad
print(repr(x.requires_grad_(False)))

# In [49]
x = torch.tensor(2.0, requires_grad=True)
z = x.detach()  # detached from the graph: no gradient tracking
y = x**2
y1 = z**2
print(x)
print(z)

# In [50]
y.backward()
print(x.grad)

# In [51]
try:
    y1.backward()
except Exception as e:
    print(f"{type(e).__name__}: {e}")

# In [52]
with torch.no_grad():
    y = x**2

# In [53]
try:
    y.backward()
except Exception as e:
    print(f"{type(e).__name__}: {e}")
